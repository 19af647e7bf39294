#!/bin/bash
# Faults the sweep (tests/faults/sweep.sh, make check-faults) found, each
# injected at every occurrence in every process of a cold session open of a
# profile with cgroup limits and a bridged network (issue 17):
#  - item 11: EINTR on the calls a signal can really interrupt (poll of the
#    keeper's pidfd in PID 1, the cgroup writes, the netlink exchange of the
#    bridge, the lease and key locks, the keeper's socket) must not refuse
#    the login: every such run opens a fully jailed session;
#  - item 10 and its kin: a failed unlinkat, cgroup rmdir, SIGKILL of PID 1
#    or setns back, once, leaves nothing behind (no registry entry, lease,
#    cgroup, process, mount or link);
#  - item 10, a registry entry that cannot be removed at all (a file the
#    keeper did not make is in it): the keeper logs it, `jailctl list`
#    shows it broken (not as a live jail), and the user's next login
#    removes it.
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
need_cmd strace

limits='limits = { pids = 200; memory = "256M"; };'
[ -e /run/systemd/system ] && limits=
je_default_policy "$limits
network = { mode = \"bridge\"; bridge = \"pjflt1\"; pool4 = \"10.213.10.0/29\"; gateway4 = \"10.213.10.1\"; };"
je_service
mkdir -p "$je/f1" "$je/f2"

sweep() { # work-dir sweep.py-options...
    local work=$1
    shift
    HOME=/home/$je_user python3 "$TESTS/faults/sweep.py" --build "$BUILD" --confdir "$je/pam" \
        --service "$je_svc" --user "$je_user" --uid "$je_uid" --state "$je/state" \
        --log "$je_log" --work "$work" --command /bin/true --mode full "$@"
}

# ---- item 11: EINTR never refuses a login ----
sweep "$je/f1" --errnos EINTR --must-open \
    --calls poll,ppoll,write,sendto,recvfrom,recvmsg,sendmsg,flock,wait4,waitid,accept4,rt_sigtimedwait ||
    fail "an EINTR refused a login or left something behind (above)"
ok "EINTR at every occurrence of poll, write, the netlink and keeper socket calls, flock, wait4: every login opens jailed"

# ---- item 10 and kin: one failed teardown step leaves nothing behind ----
sweep "$je/f2" --errnos EIO --calls unlinkat,pidfd_send_signal,setns ||
    fail "a failed teardown step left something behind (above)"
ok "EIO at every unlinkat, pidfd_send_signal and setns: nothing left behind"

# ---- item 10: an entry that cannot be removed is logged, shown stale, removed next time ----
key=u$je_uid
mkfifo "$je/hold"
exec 7<>"$je/hold"
on_exit "exec 7>&-"
: >"$je/out"
je_session -U "$je_user" -- sh -c 'echo READY; read -r _' <&7 >"$je/out" 2>&1 &
drv=$!
for _ in $(seq 100); do grep -q READY "$je/out" && break; sleep 0.1; done
grep -q READY "$je/out" || fail "the session did not come up: $(cat "$je/out")"
je_track "$key"
touch "$je/state/jails/$key/planted" # not a name the keeper makes: its rmdir fails
: >"$je_log"
echo >&7
wait "$drv" || fail "the session ended with $?"
je_wait_log "registry entry '$key' not removed: user=$je_user" 10 ||
    fail "no log line for the registry entry that could not be removed: $(cat "$je_log")"
grep -F "not removed" "$je_log"
for p in "${je_keepers[@]}" "${je_inits[@]}"; do
    for _ in $(seq 100); do je_dead "$p" && break; sleep 0.1; done
    je_dead "$p" || fail "process $p of the ended jail is still alive"
done
list=$("$BUILD/jailctl" list --statedir "$je/state" 2>&1)
echo "$list"
# Not a live jail: its info went with it, so no sessions, init or user are
# claimed for it ("broken", with the reason).
line=$(grep -w "$key" <<<"$list")
assert_contains "$line" "broken" "jailctl list shows the dead jail's entry as broken"
assert_not_contains "$line" "$je_user" "jailctl list names no user for the dead jail"
rm -f "$je/state/jails/$key/planted"
je_session -U "$je_user" -- true || fail "the next login after a stale entry was refused"
je_wait_gone 20 || fail "the next login did not clear the registry"
ok "an entry that cannot be removed: logged, shown broken by jailctl list, removed by the next login"
