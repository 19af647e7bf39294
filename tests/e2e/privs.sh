#!/bin/bash
# Session privileges through a real sshd (lib/privs.h, DESIGN.md facts 1-2):
# the jailed shell holds no capabilities, no_new_privs and the seccomp
# filter; sshd's monitor carries the same restrictions but keeps its own
# effective caps, so it still allocates a pty (chown of /dev/pts/N), serves
# the session and runs close_session; su inside the jail fails.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

e2e_standard_setup

mkfifo "$E2E/hold"
exec 7<>"$E2E/hold"
on_exit "exec 7>&-"
# A pty session (-tt: the monitor allocates and chowns it after
# open_session) that reports and then waits.
e2e_ssh -tt "$UA@main" 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status;
	echo tty=$(tty) owner=$(stat -c %U $(tty));
	echo unshare=$(unshare -U true 2>&1 && echo ok);
	echo su=$(su -c true root </dev/null 2>&1 && echo ok);
	echo READY; read -r _' <&7 >"$E2E/out" 2>&1 &
client=$!
wait_for 20 grep -q READY "$E2E/out" || fail "the session did not come up: $(cat "$E2E/out")"
out=$(tr -d '\r' <"$E2E/out")
echo "$out"
assert_contains "$out" "CapBnd:	0000000000000000" "shell: empty bounding set"
assert_contains "$out" "CapPrm:	0000000000000000" "shell: no permitted caps"
assert_contains "$out" "CapAmb:	0000000000000000" "shell: no ambient caps"
assert_contains "$out" "NoNewPrivs:	1" "shell: no_new_privs"
assert_contains "$out" "Seccomp:	2" "shell: seccomp filter"
assert_contains "$out" "owner=$UA" "the monitor chowned the pty to the user"
assert_contains "$out" "unshare=unshare: unshare failed: Operation not permitted" "unshare -U denied"
assert_not_contains "$out" "su=ok" "su inside the jail gains nothing"

monitor=$(sshd_monitors main "$UA")
[ -n "$monitor" ] || fail "no monitor of $UA"
st=$(cat "/proc/$monitor/status")
assert_contains "$st" "CapBnd:	0000000000000000" "monitor: bounding set empty"
assert_contains "$st" "Seccomp:	2" "monitor: filtered too"
assert_not_contains "$st" "CapEff:	0000000000000000" "monitor keeps its effective caps"
ok "through sshd: shell and monitor restricted, the pty still allocated and chowned"

echo >&7
wait "$client" || fail "the ssh session ended with $?"
e2e_wait_no_jails
wait_for 10 grep -q "session closed: user=$UA" "$E2E_SYSLOG" || fail "no close_session log line"
ok "logout: close_session ran in the restricted monitor; the jail ended"
