#!/bin/bash
# vm-check-timeout: 420
# Limits on a real systemd host (issues 7 and 10): the profile's memory,
# swap, pids and CPU limits are set through systemd, never by writing into
# its cgroup tree. The jail's own processes (jail-init: keeper and PID 1)
# run in a transient scope of their own, pam_jail.slice/pam_jail-*.scope,
# with the limits; the user's own logind sessions stay in their session
# scopes and the same limits land on user-UID.slice (all of the user's
# sessions together); `su - user` from root's session is moved into the
# jail's scope, so root's slice is never limited. Then the limits are hit:
# a fork bomb stops at the pids limit while the guest stays responsive, an
# allocation past the memory limit is killed in the jail only, the CPU
# quota throttles a busy loop, and the journal says which jail hit which.
. "$TESTS/vm/check-lib.sh"

LIM_USER=limit1
LIM_GROUP=limited
LIM_PROFILE=vmlimits
MEM=$((96 * 1024 * 1024))

pubkey=$(cat "$USER_KEY.pub")
guest "set -e
groupadd -f $LIM_GROUP
id $LIM_USER >/dev/null 2>&1 || useradd -m -s /bin/bash -G $LIM_GROUP $LIM_USER
install -d -m 0700 -o $LIM_USER -g $LIM_USER /home/$LIM_USER/.ssh
echo '$pubkey' >/home/$LIM_USER/.ssh/authorized_keys
chown $LIM_USER:$LIM_USER /home/$LIM_USER/.ssh/authorized_keys
chmod 0600 /home/$LIM_USER/.ssh/authorized_keys" || fail "creating $LIM_USER"
guest "cat >/etc/security/jail.d/51-vmlimits.conf" <<CONF || fail "writing the policy"
profiles = {
	$LIM_PROFILE = {
		limits = { memory = "96M"; swap = "0"; pids = 40; cpu = 50; };
	};
};
rules = ( { group = "$LIM_GROUP"; profile = "$LIM_PROFILE"; } );
CONF
on_exit guest "rm -f /etc/security/jail.d/51-vmlimits.conf"
out=$(guest 'jailctl check 2>&1') || fail "jailctl check: $out"
uid=$(guest "id -u $LIM_USER")
slice=user-$uid.slice
jlog() { guest "journalctl -b --no-pager -o cat -t 'pam_jail(jail-init)'"; }

# ---- where things are, and the limits systemd shows ----
client=$(open_background_session $LIM_USER 300)
on_exit kill "$client"
sleeper=$(wait_guest_sleep $LIM_USER 60 300) || fail "the jailed session did not start"
init=$(pam_jail_log | grep -F "session opened: user=$LIM_USER" | tail -n 1 | sed -n 's/.* init=\([0-9]*\).*/\1/p')
[ -n "$init" ] || fail "no jail-init PID in the journal"
started=$(jlog | grep -F "jail scope started: user=$LIM_USER profile=$LIM_PROFILE" | tail -n 1)
echo "$started"
unit=$(echo "$started" | sed -n 's/.* unit=\(pam_jail-[^ ]*\.scope\) .*/\1/p')
[ -n "$unit" ] || fail "no 'jail scope started' line for $LIM_USER: $(jlog)"
id=$(echo "$started" | sed -n 's/.* id=\([0-9a-f]*\) .*/\1/p')
keeper=$(guest "ps -o ppid= -p $init" | tr -d ' ')
assert_eq "0::/pam_jail.slice/$unit" "$(guest "cat /proc/$init/cgroup")" "cgroup of the jail's PID 1 ($init)"
assert_eq "0::/pam_jail.slice/$unit" "$(guest "cat /proc/$keeper/cgroup")" "cgroup of the keeper ($keeper)"
assert_contains "$(guest "cat /proc/$sleeper/cgroup")" "0::/user.slice/$slice/session-" "cgroup of the jailed sleep"
ok "jail-init runs in $unit; the session stays in its logind scope"

# (systemctl show lists them in its own order, this one)
want="CPUQuotaPerSecUSec=500ms
MemoryMax=$MEM
MemorySwapMax=0
TasksMax=40"
props="-p MemoryMax -p MemorySwapMax -p TasksMax -p CPUQuotaPerSecUSec"
assert_eq "$want" "$(guest "systemctl show $props $unit")" "systemctl show $unit"
assert_eq "$want" "$(guest "systemctl show $props $slice")" "systemctl show $slice"
assert_eq "$MEM" "$(guest "cat /sys/fs/cgroup/user.slice/$slice/memory.max")" "memory.max of $slice"
assert_eq 40 "$(guest "cat /sys/fs/cgroup/pam_jail.slice/$unit/pids.max")" "pids.max of $unit"
status=$(guest "systemctl status --no-pager --lines=0 $unit")
echo "$status"
assert_contains "$status" "limit: 40" "systemctl status $unit"
# systemd 252 prints the limit as "max: 96.0M", 257 as "max: 96M".
[[ $status =~ max:\ 96(\.0)?M ]] || fail "systemctl status $unit: no 'max: 96M' (or 96.0M) in: $status"
assert_contains "$(guest "systemctl status --no-pager --lines=0 $slice")" "limit: 40" "systemctl status $slice"
cgls=$(guest "systemd-cgls --no-pager -u pam_jail.slice")
echo "$cgls"
assert_contains "$cgls" "$unit" "systemd-cgls pam_jail.slice"
assert_contains "$cgls" "jail-init" "systemd-cgls pam_jail.slice"
assert_contains "$(jlog)" "limits set: user=$LIM_USER profile=$LIM_PROFILE" "journal"
ok "the limits are on $unit and $slice, as systemctl show/status and systemd-cgls say"

# ---- a second session joins: the slice already holds the limits ----
# The keeper reads the slice's cgroup files and makes no D-Bus call when
# they hold the policy (init/keeper_cgroup.c, slice_limits_hold).
client2=$(open_background_session $LIM_USER 301)
on_exit kill "$client2"
wait_guest_sleep $LIM_USER 60 301 >/dev/null || fail "the second session did not start"
deadline=$((SECONDS + 20))
until jlog | grep -F "id=$id" | grep -q "limits hold: user=$LIM_USER profile=$LIM_PROFILE"; do
	[ $SECONDS -lt $deadline ] || fail "no 'limits hold' line for the second session: $(jlog | tail -n 10)"
	sleep 1
done
assert_eq "$MEM" "$(guest "cat /sys/fs/cgroup/user.slice/$slice/memory.max")" "memory.max of $slice after the second session"
kill "$client2" 2>/dev/null
ok "a second session finds the limits on $slice and makes no D-Bus call"

# ---- su from root's session: into the jail's scope, root's slice untouched ----
root_tasks=$(guest "systemctl show -p TasksMax --value user-0.slice")
guest "su - $LIM_USER -c 'exec sleep 123' >/dev/null 2>&1 </dev/null & sleep 1" || fail "su - $LIM_USER"
su_sleep=$(wait_guest_sleep $LIM_USER 30 123) || fail "su - $LIM_USER did not start its command"
on_exit guest "kill $su_sleep 2>/dev/null || true"
assert_eq "0::/pam_jail.slice/$unit" "$(guest "cat /proc/$su_sleep/cgroup")" "cgroup of the command under su"
assert_eq "$root_tasks" "$(guest "systemctl show -p TasksMax --value user-0.slice")" "TasksMax of root's slice"
assert_contains "$(jlog)" "session moved: user=$LIM_USER profile=$LIM_PROFILE" "journal"
guest "kill $su_sleep"
ok "su - $LIM_USER: moved into $unit (limit 40), root's slice keeps TasksMax=$root_tasks"

# ---- memory: an allocation past 96M dies, in the jail only ----
sshd_main=$(guest "systemctl show -p MainPID --value ssh.service")
vm_ssh_as $LIM_USER "$USER_KEY" 'head -c 400M /dev/zero | tail >/dev/null; echo "tail: $?"'
rc=$?
echo "allocation: ssh exit $rc"
events=$(guest "cat /sys/fs/cgroup/user.slice/$slice/memory.events")
echo "$events"
oom=$(echo "$events" | awk '$1 == "oom_kill" { print $2 }')
[ "${oom:-0}" -gt 0 ] || fail "no OOM kill in $slice after allocating 400M: $events"
guest "test -d /proc/$sleeper" || fail "the OOM kill took the other session's process too"
assert_eq "$sshd_main" "$(guest "systemctl show -p MainPID --value ssh.service")" "sshd's main PID"
ok "memory: the allocation was killed in $slice ($oom OOM kills), the other session and sshd live on"

# ---- CPU: a busy loop is throttled to 50 % ----
before=$(guest "awk '\$1 == \"nr_throttled\" { print \$2 }' /sys/fs/cgroup/user.slice/$slice/cpu.stat")
vm_ssh_as $LIM_USER "$USER_KEY" 'timeout 4 sh -c "while :; do :; done"; true'
after=$(guest "awk '\$1 == \"nr_throttled\" { print \$2 }' /sys/fs/cgroup/user.slice/$slice/cpu.stat")
[ "$after" -gt "$before" ] || fail "a busy loop was not throttled (nr_throttled $before -> $after)"
ok "cpu: a busy loop was throttled $((after - before)) times"

# ---- a fork bomb stops at 40 tasks; the guest answers meanwhile ----
mapfile -t opts < <(_vm_ssh_opts "$USER_KEY")
# The bomb runs on under the timeout's bash once that is killed: the jail's
# end (its PID 1 killed) takes every process of it.
(exec ssh "${opts[@]}" $LIM_USER@127.0.0.1 \
	'b() { b | b & }; timeout 60 bash -c "$(declare -f b); b"; exec sleep 300' </dev/null >/dev/null 2>&1) &
bomb=$!
on_exit kill "$bomb"
# Refused forks: in the slice's pids.events on newer kernels, in the
# forking task's own group (its session scope) on Debian 12's 6.1.
refused() {
	guest "cat /sys/fs/cgroup/user.slice/$slice/pids.events /sys/fs/cgroup/user.slice/$slice/*/pids.events" |
		awk '$1 == "max" { n += $2 } END { print n + 0 }'
}
deadline=$((SECONDS + 60))
until [ "$(refused)" -gt 0 ]; do
	[ $SECONDS -lt $deadline ] || fail "the fork bomb never reached the pids limit"
	sleep 2
done
tasks=$(guest "cat /sys/fs/cgroup/user.slice/$slice/pids.current")
[ "$tasks" -le 40 ] || fail "$slice holds $tasks tasks, limit 40"
t0=$EPOCHREALTIME
guest true || fail "ssh root true during the fork bomb"
answer=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "ssh root true during the bomb: ${answer}s"
awk -v t="$answer" 'BEGIN { exit !(t < 15) }' || fail "the guest took ${answer}s to answer during the fork bomb"
ok "fork bomb: $slice held at $tasks tasks (limit 40), $(refused) forks refused; root's ssh answered in ${answer}s"

# ---- the journal names the jail and the limit, once the jail ends ----
kill "$bomb" "$client" 2>/dev/null
deadline=$((SECONDS + 90))
until ! guest "test -d /proc/$init"; do
	[ $SECONDS -lt $deadline ] || fail "the jail did not end after its sessions"
	sleep 2
done
deadline=$((SECONDS + 30))
until [ "$(guest "systemctl show -p LoadState --value $unit")" = not-found ]; do
	[ $SECONDS -lt $deadline ] || fail "$unit is still loaded after the jail ended: $(guest "systemctl status --no-pager $unit")"
	sleep 2
done
ok "$unit is gone with the jail"
deadline=$((SECONDS + 20))
until jlog | grep -q "limit hit: user=$LIM_USER profile=$LIM_PROFILE id=$id unit=$slice pids.max=40"; do
	[ $SECONDS -lt $deadline ] || fail "no pids 'limit hit' line: $(jlog | tail -n 20)"
	sleep 2
done
hits=$(jlog | grep -F "limit hit: user=$LIM_USER profile=$LIM_PROFILE id=$id ")
echo "$hits"
assert_contains "$hits" "unit=$slice memory.max=$MEM" "journal: the memory limit hit"
ok "journal: $(echo "$hits" | head -n 1)"
# What the D-Bus calls cost (the keeper logs each one's time).
jlog | grep -F "id=$id" | grep -E 'jail scope started|limits set|session moved' |
	sed -n 's/^\([a-z ]*\):.* (\([0-9.]* ms\))$/report: systemd call: \1 \2/p'
