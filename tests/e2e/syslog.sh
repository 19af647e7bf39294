#!/bin/bash
# The jail's /dev/log through a real sshd (init/keeper_syslog.h): what sshd,
# PAM and the user log inside the jail after the join reaches the host's log,
# marked with the jail and the sender as the kernel saw it:
# - after a pty session, pam_unix's "session closed" (sshd's monitor, root);
# - internal-sftp's per-file line (`-l INFO`, the usual SFTP audit);
# - a forged "sshd[1]: Accepted ..." from the user reads as the user's, and
#   the kernel refuses credentials the user does not have;
# - a flood is held to the profile's syslog.rate, with a summary line, and
#   root's lines still come through.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

# shellcheck disable=SC2034 # read by lib-sshd.sh
E2E_SFTP_SUBSYSTEM="internal-sftp -l INFO"
# sshd logs to syslog as a stock one does: it closes its connection after
# each line, so what it and PAM log later from the jail goes to /dev/log there
# shellcheck disable=SC2034
E2E_SSHD_LOG=syslog
e2e_init
GA=$(uniq_name ga) GF=$(uniq_name gf)
e2e_group "$GA"
e2e_group "$GF"
UA=$(uniq_name ua) UF=$(uniq_name uf)
e2e_user "$UA" "$GA"
e2e_user "$UF" "$GF"
UA_UID=$(id -u "$UA") UF_UID=$(id -u "$UF")
e2e_policy <<EOF
profiles = {
	sealed = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts" ];
		hostname = "jail-%u";
		root = { type = "host"; hide = [ "/root", "/home", "/run", "/srv", "/var/mail" ]; };
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "64M"; };
	};
	flood = { extends = "sealed"; syslog = { rate = 2; }; };
};
rules = (
	{ group = "$GA"; profile = "sealed"; },
	{ group = "$GF"; profile = "flood"; }
);
EOF
sshd_start main jail
svc=${SSHD_SERVICE[main]}
tag=$(uniq_name t)
c=$E2E/client

# Lines of the test's log that contain every one of the strings.
log_lines() { # strings...
	local l s
	while IFS= read -r l; do
		for s in "$@"; do [[ $l == *"$s"* ]] || continue 2; done
		printf '%s\n' "$l"
	done <"$E2E_SYSLOG"
}
has_line() { [ -n "$(log_lines "$@")" ]; }
# The private sshd's listener sees the raw datagram, priority first; the
# journal (E2E_SSHD=system) shows no priority.
private_sshd() { ! e2e_system_sshd; }
# LINE is a forwarded line, "pam_jail(jail-log)[K]: user=U id=ID uid=N pid=P:
# TAG: TEXT", with the sender's TAG matching the regex TAGRE and TEXT as given.
is_marked() { # line user uid tagre text
	local re="pam_jail\(jail-log\)\[[0-9]+\]: user=$2 id=[0-9a-f]{32} uid=$3 pid=[0-9]+: $4: (.*)\$"
	[[ $1 =~ $re ]] && [ "${BASH_REMATCH[1]}" = "$5" ]
}

# ---- a pty session: pam_unix's "session closed" from sshd's monitor ----
out=$(e2e_ssh -tt "$UA@main" "echo pty-$tag" </dev/null 2>&1) || fail "pty session: $out"
assert_contains "$out" "pty-$tag" "the pty session ran"
e2e_wait_no_jails
closed="pam_unix($svc:session): session closed for user $UA"
if private_sshd; then
	# This sshd logs through syslog() and closes its connection after a
	# pty session (E2E_SSHD_LOG=syslog): the line can only come through
	# the jail's /dev/log, marked.
	wait_for 10 has_line "pam_jail(jail-log)[" "$closed" ||
		fail "pam_unix's '$closed' did not reach the host's log: $(grep -F "$UA" "$E2E_SYSLOG")"
	line=$(log_lines "$closed" | head -1)
	is_marked "$line" "$UA" 0 "$svc\[[0-9]+\]" "$closed" ||
		fail "pam_unix's line is not marked as root's through the jail: $line"
	[[ $line == "<86>"* ]] || fail "pam_unix's line lost its facility (authpriv.info, <86>): $line"
else
	# A system sshd on a journald host may still hold the connection it
	# opened on the host before the join: then the line reaches the
	# journal directly, from sshd itself. Either way it must arrive, and
	# if it came through the jail it is marked.
	wait_for 10 has_line "$closed" ||
		fail "pam_unix's '$closed' did not reach the host's log: $(grep -F "$UA" "$E2E_SYSLOG")"
	line=$(log_lines "$closed" | head -1)
	if [[ $line == *"pam_jail(jail-log)["* ]]; then
		is_marked "$line" "$UA" 0 "$svc\[[0-9]+\]" "$closed" ||
			fail "pam_unix's line is not marked as root's through the jail: $line"
	else
		# (the monitor is "sshd" on OpenSSH 9.2, "sshd-session" on 10)
		[[ $line == *" sshd["[0-9]*"]: $closed" || $line == *" sshd-session["[0-9]*"]: $closed" ]] ||
			fail "pam_unix's line came neither through the jail nor from sshd: $line"
	fi
fi
ok "after a pty session pam_unix's 'session closed' reaches the host's log"

# ---- internal-sftp -l INFO: the per-file audit line ----
if private_sshd; then
	head -c 12345 /dev/urandom >"$c/up-$tag"
	out=$(sftp -q -F "$E2E_SSH_CONFIG" -b - "$UA@main" 2>&1 <<EOF
put $c/up-$tag up-$tag
EOF
	) || fail "sftp upload failed: $out"
	e2e_wait_no_jails
	want="close \"/home/$UA/up-$tag\" bytes read 0 written 12345"
	wait_for 10 has_line "$want" ||
		fail "internal-sftp's line '$want' did not reach the host's log: $(grep -F "$UA" "$E2E_SYSLOG")"
	line=$(log_lines "$want" | head -1)
	is_marked "$line" "$UA" "$UA_UID" "internal-sftp\[[0-9]+\]" "$want" ||
		fail "internal-sftp's line is not marked as the user's: $line"
	has_line " uid=$UA_UID pid=" "open \"/home/$UA/up-$tag\" flags WRITE,CREATE" ||
		fail "internal-sftp's open line is missing"
	ok "internal-sftp -l INFO: the per-file close line reaches the host's log, as the user's"
else
	echo "note: internal-sftp is not configurable on the system sshd; its audit line is not checked"
fi

# ---- forgery ----
# A line that says it is sshd's, at authpriv: it arrives as the user's, at
# facility user. And the kernel refuses credentials the user lacks.
forged="Accepted publickey for root from 10.9.8.7 port 22 ssh2 $tag"
# shellcheck disable=SC2016
out=$(e2e_ssh "$UA@main" "logger -t 'sshd[1]' -p authpriv.notice '$forged'; /usr/bin/python3 -c '
import os, socket, struct
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(\"/dev/log\")
for what, cred in ((\"uid0\", (os.getpid(), 0, 0)), (\"pid1\", (1, os.getuid(), os.getgid()))):
    try:
        s.sendmsg([b\"<38>sshd[1]: forged creds \" + what.encode() + b\" $tag\"],
                  [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, struct.pack(\"iII\", *cred))])
        print(what, \"sent\")
    except PermissionError:
        print(what, \"refused\")
'" 2>&1) || fail "forging session: $out"
assert_contains "$out" "uid0 refused" "the kernel refuses uid 0 in SCM_CREDENTIALS from the user"
assert_contains "$out" "pid1 refused" "the kernel refuses another pid in SCM_CREDENTIALS"
e2e_wait_no_jails
wait_for 10 has_line "$forged" || fail "the forged line did not arrive at all"
lines=$(log_lines "$forged")
[ "$(wc -l <<<"$lines")" = 1 ] || fail "the forged line arrived more than once: $lines"
is_marked "$lines" "$UA" "$UA_UID" "sshd\[1\]" "$forged" ||
	fail "the forged sshd line is not marked as the jailed user's: $lines"
if private_sshd; then
	[[ $lines == "<13>"* ]] || fail "the forged line kept facility authpriv (want user.notice, <13>): $lines"
fi
assert_not_contains "$(cat "$E2E_SYSLOG")" "forged creds" "a line sent with forged credentials"
ok "a forged 'sshd[1]: Accepted ...' reads as uid $UA_UID in the jail, facility user"

# ---- a flood, against syslog.rate = 2 (20 at once) ----
n=100
start=$SECONDS
out=$(e2e_ssh "$UF@main" "for i in \$(seq $n); do logger -t flood \"flood-$tag \$i\"; done; echo flooded" 2>&1) ||
	fail "flood session: $out"
secs=$((SECONDS - start + 1))
assert_contains "$out" "flooded" "the flood ran"
e2e_wait_no_jails
summary_re="user=$UF id=[0-9a-f]*: rate limit: [0-9]* lines from users other than root suppressed"
wait_for 15 grep -q "$summary_re" "$E2E_SYSLOG" ||
	fail "no rate limit summary: $(grep -F "$UF" "$E2E_SYSLOG")"
passed=$(grep -c "flood: flood-$tag " "$E2E_SYSLOG")
suppressed=$(grep -o "$summary_re" "$E2E_SYSLOG" | sed 's/.*rate limit: \([0-9]*\) lines.*/\1/' |
	awk '{ s += $1 } END { print s + 0 }')
echo "flood: $n lines in ~${secs}s, $passed forwarded, $suppressed suppressed"
[ "$passed" -le $((20 + 2 * secs)) ] ||
	fail "$passed flood lines forwarded in ${secs}s: more than 20 + 2 a second"
[ "$passed" -ge 10 ] || fail "only $passed flood lines forwarded: the burst should let ~20 through"
# Every line is accounted for: forwarded or counted (a few of sshd's own
# lines as the user share the bucket).
if [ $((passed + suppressed)) -lt $n ] || [ $((passed + suppressed)) -gt $((n + 10)) ]; then
	fail "$passed forwarded + $suppressed suppressed does not account for $n lines"
fi
line=$(log_lines "flood: flood-$tag " | head -1)
is_marked "$line" "$UF" "$UF_UID" flood "${line##*flood: }" ||
	fail "a flood line is not marked as the user's: $line"
# Root's lines have a bucket of their own: the flood does not crowd them out.
# (A system sshd may log them straight to the journal, as above: then they
# must simply be there.)
if private_sshd; then
	wait_for 10 has_line "pam_jail(jail-log)[" "pam_unix($svc:session): session closed for user $UF"
else
	wait_for 10 has_line "pam_unix($svc:session): session closed for user $UF"
fi || fail "root's 'session closed' line was crowded out by the user's flood"
ok "a flood of $n lines: $passed forwarded, $suppressed counted in a summary; root's lines still pass"
