#!/bin/bash
# The fault-injection sweep (make check-faults; tests/README.md): every
# system call that a cold session open makes, in every process of it (the
# PAM caller, the fork that spawns the keeper, the keeper, the jail's PID 1,
# the command), fails once at its Nth call with EIO, then, for the calls that
# can see them, with EINTR and with EAGAIN (strace -e inject). Each run must
# end refused, or jailed (the PAM caller and the command prove an empty
# bounding set, no_new_privs, seccomp filter mode, and the command new mount,
# PID and network namespaces), never unjailed; and leave no jail-init
# process, registry entry, lease, cgroup, mount or link behind. EINTR on a
# call in which a signal can really arrive must not refuse the login at all
# (issue 17 item 11).
#
# The session is a cold one of the fullest profile the host allows here: its
# own namespaces, a tmpfs home, cgroup limits (a jail cgroup and the write
# that moves a process into it) and a bridged network (an address lease, a
# veth pair), in a network namespace of the test's own (tests/root/net_env.bash).
#
#   FAULTS=ci (default)  every distinct call name of every process, failed at
#                        its first, middle and last occurrence in that process
#   FAULTS=full          every occurrence of every call (see tests/README.md
#                        for how long that takes)
#   FAULTS_LIMIT=N       only the first N runs of the plan (debugging)
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
need_cmd strace

mode=${FAULTS:-ci}
case $mode in ci | full) ;; *) fail "FAULTS must be ci or full, not '$mode'" ;; esac

limits='limits = { pids = 200; memory = "256M"; };'
[ -e /run/systemd/system ] && limits= # systemd hosts: transient units, not tested here
je_default_policy "$limits
network = { mode = \"bridge\"; bridge = \"pjflt0\"; pool4 = \"10.213.9.0/29\"; gateway4 = \"10.213.9.1\"; };"
je_service

# Calls a signal can interrupt in the module's, the keeper's and PID 1's
# own loops (poll of the session's processes, the keeper's socket, the
# waits): EINTR there must be retried, never a refused login.
must_pass=poll,ppoll,write,wait4,waitid,accept4,recvmsg,sendmsg,recvfrom,sendto,flock,clock_nanosleep,rt_sigtimedwait

mkdir -p "$je/faults"
chmod 0755 "$je/faults"
HOME=/home/$je_user python3 "$TESTS/faults/sweep.py" --build "$BUILD" --confdir "$je/pam" \
    --service "$je_svc" --user "$je_user" --uid "$je_uid" --state "$je/state" --log "$je_log" \
    --work "$je/faults" --command /bin/true --mode "$mode" --limit "${FAULTS_LIMIT:-0}" \
    --eintr-must-pass "$must_pass" --report "$BUILD/faults-report.txt" \
    ${FAULTS_VERBOSE:+--verbose}
rc=$?
cp "$je/faults/results.json" "$BUILD/faults-results.json" 2>/dev/null
[ "$rc" = 0 ] || fail "the sweep found runs that were unjailed, left something behind, or lost a login to EINTR (details above, all runs in $BUILD/faults-results.json)"
ok "fault sweep ($mode): every run refused or fully jailed, nothing left behind"
