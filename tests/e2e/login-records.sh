#!/bin/bash
# A jailed pty login in the host's utmp, wtmp and lastlog (init/keeper_utmp.h):
# `who` on the host shows it while it runs (user, the jail's line, remote
# host and jail id), `last` shows it with its logout time after it ends,
# lastlog has it. The jail's user cannot write the jail's record files; a
# record naming someone else, put into them from the host side, does not
# reach the host's files and is logged; a session whose sshd monitor is
# SIGKILLed leaves no ghost in `who` once the jail has ended.
# The host's files are the run's own (lib-sshd.sh: E2E_UTMP and friends).
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"
need_cmd who
need_cmd last
need_cmd utmpdump
[ -f /var/log/wtmp ] && [ -f /var/log/lastlog ] ||
	skip "the host keeps no /var/log/wtmp or /var/log/lastlog (nothing to copy to)"

e2e_init
e2e_records_own_run
GA=$(uniq_name ga) GB=$(uniq_name gb)
e2e_group "$GA"
e2e_group "$GB"
UA=$(uniq_name ua) UB=$(uniq_name ub)
e2e_user "$UA" "$GA"
e2e_user "$UB" "$GB"
e2e_standard_policy
sshd_start main jail
[ -f "$E2E_UTMP" ] || fail "no utmp at $E2E_UTMP"
c=$E2E/client

# utmpx records and lastlog entries, as glibc lays them out on x86-64.
py_records() {
	python3 - "$@" <<'EOF'
import struct, sys, time
UTMP = "<hxxi32s4s32s256shhiii16s20s"   # 384 bytes
LASTLOG = "<i32s256s"                    # 292 bytes
def utmp(typ, line, uid, user, host):
    return struct.pack(UTMP, typ, 4242, line.encode(), uid.encode(), user.encode(),
                       host.encode(), 0, 0, 0, int(time.time()), 0, b"", b"")
cmd, path = sys.argv[1], sys.argv[2]
if cmd == "append-utmp":     # path type line id user host
    with open(path, "ab") as f:
        f.write(utmp(int(sys.argv[3]), *sys.argv[4:8]))
elif cmd == "put-lastlog":   # path uid line host
    with open(path, "r+b") as f:
        f.seek(int(sys.argv[3]) * struct.calcsize(LASTLOG))
        f.write(struct.pack(LASTLOG, int(time.time()), sys.argv[4].encode(), sys.argv[5].encode()))
elif cmd == "get-lastlog":   # path uid -> "time line host"
    with open(path, "rb") as f:
        f.seek(int(sys.argv[3]) * struct.calcsize(LASTLOG))
        b = f.read(struct.calcsize(LASTLOG))
    if len(b) < struct.calcsize(LASTLOG):
        print("0 - -")
    else:
        t, line, host = struct.unpack(LASTLOG, b)
        print(t, line.rstrip(b"\0").decode() or "-", host.rstrip(b"\0").decode() or "-")
EOF
}

# A record of the host's own, for someone else: the jail must not see it.
host_user=pjhost$$
if ! e2e_system_sshd; then
	py_records append-utmp "$E2E_UTMP" 7 pts/77 ts77 "$host_user" host.example
	# (which also shows that py_records writes records as who reads them)
	assert_contains "$(who "$E2E_UTMP")" "$host_user" "a record written by py_records"
fi

# A pty login held open: it ends when a line is sent to it.
pty_session() { # name
	mkfifo "$c/$1.in"
	ssh -F "$E2E_SSH_CONFIG" -tt "$UA@main" 'echo held; read -r l; echo "got-$l"' \
		<"$c/$1.in" >"$c/$1.out" 2>&1 &
	PTY_PID=$!
	on_exit "kill $PTY_PID; wait $PTY_PID"
	exec {PTY_FD}>"$c/$1.in"
	wait_for 30 grep -q '^held' "$c/$1.out" || fail "pty session $1: $(cat "$c/$1.out")"
}

pty_session one
key=$(e2e_jail_keys)
id=$(e2e_jail_info "$key" id)
keeper=$(e2e_jail_info "$key" keeper)
[ ${#id} -eq 32 ] || fail "jail id: '$id'"
recdir=$E2E_STATE/records/$id
line_re="j${id:0:5}/pts/[0-9]+"

in_who() { who "$E2E_UTMP" | grep -E "^$UA +$line_re .*\(127\.0\.0\.1 \[jail $id\]\)"; }
wait_for 20 in_who >/dev/null || fail "the login is not in the host's utmp: $(who "$E2E_UTMP")"
hline=$(in_who | awk '{ print $2 }')
echo "who on the host: $(in_who)"
# Plain `who` drops a login whose process is gone (the file's ut_pid is
# checked): sshd's, on the host, lives. In the sshd's namespace, where the
# default utmp is the run's; `w` shown for the record (pam_jail(8)).
if ! e2e_system_sshd; then
	plain=$(nsenter -m -t "${SSHD_PID[main]}" who) || fail "who in sshd's namespace"
	assert_contains "$plain" "$hline" "plain who (pid checked) on the host"
	echo "w on the host:"
	nsenter -m -t "${SSHD_PID[main]}" w
fi
ok "a jailed pty login is in the host's utmp, with its line, remote host and jail"
[ -f "$recdir/utmp" ] || fail "no per-jail utmp in $recdir: $(ls -la "$E2E_STATE/records" 2>&1)"

# Inside: the record files are the jail's, not the user's to write, and
# the jail's utmp is its own (the host's record above is not in it).
inside=$(e2e_ssh "$UA@main" '
for f in /run/utmp /var/log/wtmp /var/log/lastlog; do
	( : >>"$f" ) 2>&1 && echo "WROTE $f"
done
echo "--- who"; who /run/utmp; echo "--- last"; last -w' 2>&1)
echo "$inside"
assert_not_contains "$inside" "WROTE" "a record file written by the jailed user"
for f in /run/utmp /var/log/wtmp /var/log/lastlog; do
	grep -E "$f: (Permission denied|Read-only file system)" <<<"$inside" >/dev/null ||
		fail "writing $f inside the jail did not fail with EACCES or EROFS"
done
# (Plain `who` inside lists nothing: it drops logins whose process it
# cannot see, and sshd records its PID in the host's PID namespace.)
assert_contains "$(sed -n '/^--- who/,/^--- last/p' <<<"$inside")" "$UA " "the jail's who lists its own login"
assert_contains "$(sed -n '/^--- last/,$p' <<<"$inside")" "$UA " "the jail's last lists its own login"
assert_not_contains "$inside" "$host_user" "the jail's who lists a host login"
ok "the jailed user cannot write the jail's utmp, wtmp or lastlog, nor read the host's utmp"

# Forged from the host side into the jail's files (as sshd's monitor, root
# inside, could): someone else's login. Dropped and logged, never copied.
py_records append-utmp "$recdir/utmp" 7 pts/99 Jz99 "$UB" forged.example
py_records append-utmp "$recdir/wtmp" 7 pts/99 Jz99 "$UB" forged.example
ub_uid=$(id -u "$UB")
py_records put-lastlog "$recdir/lastlog" "$ub_uid" pts/99 forged.example
dropped() { e2e_syslog_grep "login record dropped: user=$UA " | grep -F "id=$id" | grep -F "$1"; }
wait_for 20 dropped "the jail's utmp holds a record naming user '$UB'" >/dev/null ||
	fail "forged utmp record not logged: $(e2e_syslog_grep 'login record')"
wait_for 20 dropped "the jail's wtmp holds a record naming user '$UB'" >/dev/null ||
	fail "forged wtmp record not logged: $(e2e_syslog_grep 'login record')"
wait_for 20 dropped "the jail's lastlog holds an entry for uid $ub_uid" >/dev/null ||
	fail "forged lastlog entry not logged: $(e2e_syslog_grep 'login record')"
assert_not_contains "$(who "$E2E_UTMP")" "$UB" "host utmp after a forged record"
assert_not_contains "$(utmpdump "$E2E_WTMP" 2>/dev/null)" "$UB" "host wtmp after a forged record"
assert_eq "0 - -" "$(py_records get-lastlog "$E2E_LASTLOG" "$ub_uid")" "host lastlog of $UB"
ok "records naming another user are dropped and logged"

# Log out: the host's utmp record ends, wtmp has the logout.
echo bye >&"$PTY_FD"
wait "$PTY_PID" || fail "pty session ended with $?: $(cat "$c/one.out")"
grep -q 'got-bye' "$c/one.out" || fail "pty session: $(cat "$c/one.out")"
e2e_wait_no_jails
# The keeper copies the jail's last records as it ends: after the registry.
wait_for 30 proc_gone "$keeper" || fail "keeper $keeper still runs"
ended=$(date +%s)
assert_not_contains "$(who "$E2E_UTMP")" "$hline" "host utmp after the logout"
utmpdump "$E2E_UTMP" 2>/dev/null | grep -E "^\[8\] .*\[$hline *\]" >/dev/null ||
	fail "no DEAD_PROCESS record for $hline in the host's utmp: $(utmpdump "$E2E_UTMP" 2>&1)"
# last shows 12 characters of a line: "j" + 5 hex + "/pts/N" fits. A
# logout in the very second last runs is shown as "still running" (last
# takes it for the present): wait for the clock to pass the keeper's end.
last_of() { last -w -f "$E2E_WTMP" | grep -E "^$UA +${1:0:12} "; }
second_passed() { [ "$(date +%s)" -gt "$1" ]; }
wait_for 3 second_passed "$ended"
echo "last on the host: $(last_of "$hline")"
last_of "$hline" | grep -E "\[jail $id\].* - [0-9]{2}:[0-9]{2} +\(" >/dev/null ||
	fail "last shows no logout time: $(last -w -f "$E2E_WTMP")"
[ ! -e "$recdir" ] || fail "the jail's record files outlive it: $(ls -la "$recdir")"
ok "the logout is in the host's utmp and wtmp (last shows its time)"

read -r ll_time ll_line ll_host < <(py_records get-lastlog "$E2E_LASTLOG" "$(id -u "$UA")")
[ "$ll_time" -gt 0 ] && [ "$ll_line" = "$hline" ] && [ "$ll_host" = "127.0.0.1 [jail $id]" ] ||
	fail "host lastlog of $UA: '$ll_time' '$ll_line' '$ll_host'"
ok "the login is in the host's lastlog"

# A session whose monitor is SIGKILLed writes no logout: the keeper does,
# when the jail ends.
pty_session two
key=$(e2e_jail_keys)
id2=$(e2e_jail_info "$key" id)
keeper=$(e2e_jail_info "$key" keeper)
line2_re="j${id2:0:5}/pts/[0-9]+"
in_who2() { who "$E2E_UTMP" | grep -E "^$UA +$line2_re "; }
wait_for 20 in_who2 >/dev/null || fail "second login not in the host's utmp: $(who "$E2E_UTMP")"
hline2=$(in_who2 | awk '{ print $2 }')
mapfile -t monitors < <(sshd_monitors main "$UA")
assert_eq 1 "${#monitors[@]}" "sshd monitors of the held session"
kill -KILL "${monitors[0]}"
e2e_wait_no_jails
wait_for 30 proc_gone "$keeper" || fail "keeper $keeper still runs"
ended=$(date +%s)
wait "$PTY_PID"
assert_not_contains "$(who "$E2E_UTMP")" "$hline2" "host utmp after the monitor was killed"
utmpdump "$E2E_UTMP" 2>/dev/null | grep -E "^\[8\] .*\[$hline2 *\]" >/dev/null ||
	fail "no DEAD_PROCESS record for $hline2: $(utmpdump "$E2E_UTMP" 2>&1)"
wait_for 3 second_passed "$ended"
last_of "$hline2" | grep -E " - [0-9]{2}:[0-9]{2} +\(" >/dev/null ||
	fail "last shows no logout for the killed session: $(last -w -f "$E2E_WTMP")"
ok "a killed session's login is ended on the host when its jail ends (no ghost in who)"
