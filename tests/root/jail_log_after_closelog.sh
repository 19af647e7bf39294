#!/bin/bash
# pam_jail's "session closed" line reaches the host's log even when the
# application closed the process's syslog connection while inside the jail
# (sshd's monitor does, after each line it logs: seen on Debian 12 after a
# pty session, whose logout makes sshd log). A reconnect by path would look
# for /dev/log in the jail, which has none when syslog.forward = false; the
# module keeps a socket of its own from open_session (pam_module/pam_log.h).
# With the keeper's /dev/log (the default) that reconnect lands there, and
# the line arrives marked as having come through the jail.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_default_policy 'syslog = { forward = false; };'
je_service

out=$(je_session -L "$je_user" -- true 2>&1) || fail "session: $out"
je_wait_log "jail ended: user=$je_user" || fail "no 'jail ended' line"
log=$(cat "$je_log")

# The conditions this test is about: the application's line before its
# closelog() arrived (the connection made on the host worked from inside),
# and its line after closelog() did not (a reconnect from the jail fails).
assert_contains "$log" "a line of the application's" "the application's line before closelog"
assert_not_contains "$log" "a line after closelog" \
    "an application line logged after closelog() from inside the jail"
# What must still arrive: the module's own close line, through its socket,
# formatted as pam_syslog formats it.
assert_contains "$log" "pam_jail($je_svc:session): session closed: user=$je_user profile=student" \
    "the close line after the application's closelog()"
ok "session closed is logged after the application closed its syslog connection"

# ---- with the jail's /dev/log (the default) ----
je_default_policy
: >"$je_log"
out=$(je_session -L "$je_user" -- true 2>&1) || fail "session: $out"
je_wait_log "jail ended: user=$je_user" || fail "no 'jail ended' line"
log=$(cat "$je_log")
assert_contains "$log" "pam_jail($je_svc:session): session closed: user=$je_user profile=student" \
    "the module's close line, with the jail's /dev/log"
line=$(grep -F "a line after closelog" "$je_log") ||
    fail "the application's line after closelog() did not come through the jail's /dev/log"
assert_contains "$line" "pam_jail(jail-log)[" "the reconnected line is forwarded by the keeper"
assert_contains "$line" "user=$je_user id=" "... naming the jail"
assert_contains "$line" " uid=0 pid=" "... and the sender, root"
ok "a line after closelog() reaches the host's log through the jail's /dev/log, marked"
