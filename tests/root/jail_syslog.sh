#!/bin/bash
# The jail's /dev/log (init/keeper_syslog.h): lines logged inside reach the
# host's log (here the test's listener) marked with the jail and the sender
# as the kernel saw it; a user's line cannot pass for root's or for another
# program's, cannot claim the auth facilities, cannot start a line of its
# own; and with syslog.forward = false the jail has no /dev/log at all.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
need_cmd logger

# A line in the listener's file that contains every one of the strings.
log_line() { # strings...
	local l s
	while IFS= read -r l; do
		for s in "$@"; do [[ $l == *"$s"* ]] || continue 2; done
		printf '%s\n' "$l"
		return 0
	done <"$je_log"
	return 1
}
# Wait until the listener has N "jail ended" lines of this user.
wait_ended() { # n
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c "jail ended: user=$je_user " "$je_log")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- forward on (the default) ----
je_default_policy
je_service
tag=$(uniq_name t)
# As the user: a forged sshd line at authpriv.emerg, and a raw datagram
# whose text carries a newline and a fake header after it. As root
# (the second session): a line at authpriv.info.
inside_user='
[ -S /dev/log ] && echo "devlog=$(stat -c "%U %a %F" /dev/log)"
rm -f /dev/log 2>/dev/null; : >/tmp/x; mv -f /tmp/x /dev/log 2>/dev/null
[ -S /dev/log ] && [ "$(stat -c %U /dev/log)" = root ] && echo devlog-stays
logger -t "sshd[1]" -p authpriv.emerg "Accepted publickey for root from 10.9.8.7 port 22 ssh2 '"$tag"'"
python3 -c "
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(\"/dev/log\")
s.send(b\"<38>inj: one '"$tag"'\nDec  7 10:00:00 host sshd[1]: two '"$tag"'\")
"
echo pid=$$
'
out=$(je_session -U "$je_user" -- sh -c "$inside_user" 2>&1) || fail "user session: $out"
echo "$out"
assert_contains "$out" "devlog=root 666 socket" "/dev/log is root's socket, 0666"
assert_contains "$out" "devlog-stays" "the user cannot remove or replace /dev/log"
out_root=$(je_session "$je_user" -- logger -t roottag -p authpriv.info "root line $tag" 2>&1) ||
	fail "root session: $out_root"
wait_ended 2 || fail "no 'jail ended' lines"
cat "$je_log"

forged=$(log_line "Accepted publickey for root" "$tag") || fail "the forged line did not arrive"
# The true sender, the jail, and facility user at most err: <11> = user.err.
[[ $forged == "<11>"*" pam_jail(jail-log)["*"]: user=$je_user id="*" uid=$je_uid pid="*": sshd[1]: Accepted publickey for root"* ]] ||
	fail "the forged line is not marked as the jailed user's, at user.err: $forged"
ok "a forged sshd line reads as the jailed user's (uid $je_uid), facility user, severity err"

inj=$(log_line "inj: one $tag") || fail "the line with a newline did not arrive"
assert_contains "$inj" "inj: one $tag#012Dec  7 10:00:00 host sshd[1]: two $tag" \
	"a newline is written as #012, on the same line"
[[ $inj == "<14>"* ]] || fail "user line at daemon.info is forced to user.info (<14>): $inj"
[ "$(grep -c "two $tag" "$je_log")" = 1 ] || fail "the injected header made a line of its own"
ok "a newline cannot start a line of its own; the facility is forced to user"

rootl=$(log_line "roottag: root line $tag") || fail "root's line did not arrive"
[[ $rootl == "<86>"*" pam_jail(jail-log)["*"]: user=$je_user id="*" uid=0 pid="*": roottag: root line $tag" ]] ||
	fail "root's line keeps authpriv.info (<86>) and is marked uid=0: $rootl"
ok "root's line keeps its facility and is marked as coming through the jail"

# The keeper stamped the lines: its PID, not a jailed one.
keeper_pid=$(sed -n 's/.*pam_jail(jail-init)\[\([0-9]*\)\]: jail ended: user='"$je_user"'.*/\1/p' "$je_log" | tail -1)
[ -n "$keeper_pid" ] && [[ $rootl == *"pam_jail(jail-log)[$keeper_pid]:"* ]] ||
	fail "the forwarded line is not stamped with the keeper's PID ($keeper_pid): $rootl"

# ---- forward off ----
je_default_policy 'syslog = { forward = false; };'
out=$(je_session -U "$je_user" -- sh -c 'echo "dev=$(ls -A /dev | tr "\n" " ")"; logger "off-'"$tag"'" 2>&1; echo logger=$?' 2>&1) ||
	fail "session with forward off: $out"
echo "$out"
assert_contains "$out" "dev=fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " \
	"with syslog.forward = false, /dev has no log"
wait_ended 3 || fail "no third 'jail ended' line"
assert_not_contains "$(cat "$je_log")" "off-$tag" "a line logged in a jail without /dev/log"
ok "syslog.forward = false: no /dev/log in the jail, nothing forwarded"

# ---- a bad value is refused by name ----
je_default_policy 'syslog = { rate = -1; };'
out=$(je_session "$je_user" -- true 2>&1) && fail "a negative rate was accepted"
grep -q "syslog.rate" "$je_log" || fail "the refusal does not name syslog.rate: $(tail -3 "$je_log")"
ok "syslog.rate = -1 refuses the login and names the key"
