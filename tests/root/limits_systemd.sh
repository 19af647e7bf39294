#!/bin/bash
# Limits on a host whose PID 1 is systemd: the cgroup tree is systemd's and
# moving a session's process out of its logind scope would break session
# tracking, so pam_jail writes no cgroup there (transient units are not
# built yet): the login still works, the session process stays where it
# was, no pam_jail group appears, and the keeper says the limits are not
# applied. systemd is simulated in this test's private mount namespace
# (sd_booted()'s test: /run/systemd/system exists), the host's /run is
# untouched.
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
"$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -p "$je_user" -- sleep 3 \
    >"$je/a.out" 2>"$je/a.err" &
pid=$!
for _ in $(seq 50); do grep -q '^CHILD' "$je/a.err" && break; sleep 0.1; done
child=$(sed -n 's/^CHILD //p' "$je/a.err")
[ -n "$child" ] || { cat "$je/a.err"; fail "a systemd host refused the login"; }
id=$(je_info "$key" id)
je_track "$key"
[ -n "$id" ] || fail "no jail was made"
assert_eq "$before" "$(cgs "$pid")" "the session process's cgroups (moved on a systemd host?)"
assert_eq "$before" "$(cgs "$child")" "the jailed command's cgroups"
wait "$pid" || fail "the session failed: $(cat "$je/a.err")"
je_wait_gone 15 || fail "the jail did not end"
for c in memory pids cpu; do
    [ -e "/sys/fs/cgroup/$c/pam_jail/$key.$id" ] && fail "a cgroup was made on a systemd host ($c)"
done
[ -e "/sys/fs/cgroup/unified/pam_jail/$key.$id" ] && fail "a v2 cgroup was made on a systemd host"
je_wait_log "limits not applied: user=$je_user profile=student id=$id: systemd manages" ||
    fail "no 'limits not applied' line: $(grep -v '<86>' "$je_log")"
ok "systemd host: the login works, no cgroup is written, the log says the limits are not applied"
