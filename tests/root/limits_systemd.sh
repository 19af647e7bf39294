#!/bin/bash
# Limits on a host whose PID 1 is systemd: the cgroup tree is systemd's, so
# pam_jail writes no cgroup there; the keeper asks systemd over D-Bus for a
# transient scope of the jail's own (init/keeper_systemd.c), and without
# one the login is refused (fail closed: the jail would die with the
# session that made it, and escape its limits). This host has no systemd:
# it is simulated in this test's private mount namespace (sd_booted()'s
# test: /run/systemd/system exists, on a fresh /run with no system bus), so
# what is tested here is the refusal: no jail, no cgroup, the session
# process not moved, and a log line that says why. The D-Bus path itself
# is proven on the VM tier's guest (tests/vm/checks/45-limits.sh, 60-*).
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
[ -e /run/systemd/system ] && skip "a real systemd host: the VM tier covers it"
je_setup "$@"

# A fresh /run for this namespace only, with the test dir carried over.
keep=$(mktemp -d) || fail "mktemp"
on_exit rmdir "$keep"
mount --bind "$je" "$keep" || fail "bind the test dir aside"
# The test dir on the host's /run is hidden by the tmpfs below; remove it
# through an fd of the host's /run taken first (je_setup's own cleanup
# only sees the tmpfs).
exec {hostrun}</run
on_exit rm -rf "/proc/$$/fd/$hostrun/${je#/run/}"
mount -t tmpfs -o mode=0755 pj-run /run || fail "tmpfs on /run"
mkdir -p /run/systemd/system "$je" || fail "mkdir"
mount --bind "$keep" "$je" || fail "bind the test dir back"
umount -l "$keep"

je_service
key=u$je_uid
je_default_policy 'limits = { memory = "64M"; pids = 40; };'
cgs() { grep -E ':(pids|memory|cpu[a-z,]*):' "/proc/$1/cgroup"; }
before=$(cgs self)
"$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -p "$je_user" -- sh -c 'echo RAN' \
    >"$je/a.out" 2>"$je/a.err"
rc=$?
assert_eq 10 "$rc" "pam_open_session on a systemd host without a system bus"
assert_not_contains "$(cat "$je/a.out")" RAN "the command ran"
assert_eq "$before" "$(cgs self)" "this test's cgroups (moved by a refused login?)"
je_wait_log "session refused: user=$je_user profile=student: systemd: cannot connect to the system bus" ||
    fail "no refusal naming systemd: $(grep -v '<86>' "$je_log")"
je_wait_gone 15 || fail "a jail was left behind: $(je_jails)"
for c in memory pids cpu; do
    [ -n "$(ls "/sys/fs/cgroup/$c/pam_jail" 2>/dev/null | grep "^$key\.")" ] &&
        fail "a cgroup was made on a systemd host ($c)"
done
[ -n "$(ls /sys/fs/cgroup/unified/pam_jail 2>/dev/null | grep "^$key\.")" ] &&
    fail "a v2 cgroup was made on a systemd host"
ok "systemd host without a reachable manager: the login is refused, nothing is made, the log says why"
