#!/bin/bash
# The module leaks nothing: 100 jailed open/close cycles in one process
# under valgrind (definite and indirect leaks, and memory errors, fail).
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd valgrind
je_setup "$@"
# After its first session the driver holds the session's privileges
# (lib/privs.h): with the defaults it could never build another jail, and
# joining one is not possible under valgrind (no pidfd_open). So this
# profile keeps every capability and drops no_new_privs and seccomp; the
# privileges code still runs in every cycle.
all_caps=$(capsh --decode=0x$(sed -n 's/^CapBnd:\s*//p' /proc/self/status) | sed 's/.*=//; s/[^,]*/"&"/g; s/,/, /g')
je_default_policy "capabilities = [ $all_caps ]; no_new_privs = false; seccomp = { enabled = false; };"
je_service

# The forked helpers (the double fork before exec of jail-init) are not
# the module's steady state: only the driver process is checked.
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --error-exitcode=99 --child-silent-after-fork=yes \
    --track-fds=yes --log-file="$je/valgrind.log" \
    "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -n 100 "$je_user" -- true
rc=$?
grep -v "^==[0-9]*== *\(at\|by\|$\)" "$je/valgrind.log" | head -20
[ $rc -eq 0 ] || grep -v '<86>' "$je_log" | tail -5
assert_eq 0 "$rc" "valgrind over 100 open/close cycles"
assert_eq 100 "$(grep -c "session closed: user=$je_user .*reason=pam_close_session" "$je_log")" \
    "100 sessions were jailed and closed"
# fds: stdio and libc's syslog socket, nothing of the 100 jails
assert_contains "$(cat "$je/valgrind.log")" "FILE DESCRIPTORS: 4 open (3 std) at exit" "fds at exit"
assert_contains "$(grep -A2 "Open AF_UNIX socket" "$je/valgrind.log")" "openlog_internal" \
    "the one non-std fd left is the syslog socket"
je_wait_gone 15 || fail "jails left after the cycles"
ok "100 open/close cycles under valgrind: no leak, no error, no fd left open"
