#!/bin/bash
# Limits per jail (issue #7): the jail's cgroup exists with the profile's
# values while the jail lives, holds jail PID 1 and every session process,
# is "/" inside the jail (cgroup namespace); a fork bomb stops at pids.max
# while the host can still fork; a memory hog is OOM-killed inside the jail
# only; the log names the jail and the limit; nothing is left after logout;
# a profile without limits gets no cgroup at all.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd python3
[ -e /run/systemd/system ] && skip "systemd host: pam_jail does not write the cgroup tree (transient units not built)"
je_setup "$@"
je_service
key=u$je_uid

# Where the controllers are: v2 (unified, with controllers) or v1 (hybrid).
v2root=
for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
    if [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ] &&
        grep -qw pids "$d/cgroup.controllers" 2>/dev/null; then
        v2root=$d
        break
    fi
done
grp() { # controller leaf -> the group's directory
    if [ -n "$v2root" ]; then echo "$v2root/pam_jail/$2"; else echo "/sys/fs/cgroup/$1/pam_jail/$2"; fi
}
in_group() { # pid controller leaf: is the process in the jail's group?
    if [ -n "$v2root" ]; then
        grep -qx "0::/pam_jail/$3" "/proc/$1/cgroup"
    else
        grep -Eq "^[0-9]+:([a-z_]+,)*$2(,[a-z_]+)*:/pam_jail/$3\$" "/proc/$1/cgroup"
    fi
}
all_gone() { # leaf
    local c
    for c in memory pids cpu; do [ -e "$(grp "$c" "$1")" ] && return 1; done
    return 0
}

mkfifo "$je/hold"
exec 7<>"$je/hold"
start_held() { # name cmd
    (exec "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -p "$je_user" -- sh -c "$2") \
        <"$je/hold" >"$je/$1.out" 2>"$je/$1.err" &
    eval "pid_$1=$!"
    for _ in $(seq 100); do grep -q READY "$je/$1.out" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$je/$1.out" || { cat "$je/$1.err"; fail "session $1 did not come up"; }
}

# ---- the group, its values, its members, the namespace ----
je_default_policy 'limits = { memory = "64M"; swap = "0"; pids = 40; cpu = 50; };'
start_held a 'cat /proc/self/cgroup; grep "^id=" /run/pam_jail/jail; echo READY; read -r _'
je_track "$key"
id=$(sed -n 's/^id=//p' "$je/a.out")
[ -n "$id" ] || fail "no jail id inside the jail"
assert_eq "$id" "$(je_info "$key" id)" "the registry names the session's jail"
leaf=$key.$id
init=$(je_info "$key" init)
child=$(sed -n 's/^CHILD //p' "$je/a.err")

assert_eq 40 "$(cat "$(grp pids "$leaf")/pids.max")" "pids.max"
if [ -n "$v2root" ]; then
    assert_eq 67108864 "$(cat "$(grp memory "$leaf")/memory.max")" "memory.max"
    [ -e "$(grp memory "$leaf")/memory.swap.max" ] &&
        assert_eq 0 "$(cat "$(grp memory "$leaf")/memory.swap.max")" "memory.swap.max"
    assert_eq "50000 100000" "$(cat "$(grp cpu "$leaf")/cpu.max")" "cpu.max"
else
    assert_eq 67108864 "$(cat "$(grp memory "$leaf")/memory.limit_in_bytes")" "memory.limit_in_bytes"
    [ -e "$(grp memory "$leaf")/memory.memsw.limit_in_bytes" ] &&
        assert_eq 67108864 "$(cat "$(grp memory "$leaf")/memory.memsw.limit_in_bytes")" \
            "memory.memsw.limit_in_bytes (swap 0)"
    assert_eq 100000 "$(cat "$(grp cpu "$leaf")/cpu.cfs_period_us")" "cpu.cfs_period_us"
    assert_eq 50000 "$(cat "$(grp cpu "$leaf")/cpu.cfs_quota_us")" "cpu.cfs_quota_us"
fi
ok "the jail's cgroup has the profile's limits"

for c in memory pids cpu; do
    in_group "$init" $c "$leaf" || fail "jail PID 1 is not in the $c group: $(cat "/proc/$init/cgroup")"
    in_group "$pid_a" $c "$leaf" || fail "the session process is not in the $c group: $(cat "/proc/$pid_a/cgroup")"
    in_group "$child" $c "$leaf" || fail "the session's command is not in the $c group"
done
# the keeper steps in only for the clone of PID 1: it must not stay
keeper=$(je_info "$key" keeper)
in_group "$keeper" pids "$leaf" && fail "the keeper stayed in the jail's group"
ok "jail PID 1, the session process and its command are in the group; the keeper is not"

# cgroup namespace: inside, the jail's group is the root
inside=$(grep -v '^READY\|^id=' "$je/a.out")
if [ -n "$v2root" ]; then
    assert_contains "$inside" "0::/" "v2 path inside"
else
    for c in memory pids cpu; do
        echo "$inside" | grep -Eq "^[0-9]+:([a-z_]+,)*$c(,[a-z_]+)*:/\$" ||
            fail "inside the jail the $c cgroup is not '/': $inside"
    done
fi
assert_not_contains "$inside" "pam_jail" "the host's group path shows inside"
ok "inside the jail /proc/self/cgroup shows '/' (cgroup namespace)"

# ---- fork bomb: stops at pids.max, the host still forks ----
bomb='import os, time, signal
n = 0
kids = []
try:
    while n < 2000:
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        kids.append(pid)
        n += 1
except OSError as e:
    print("STOPPED", n, e.errno, flush=True)
time.sleep(5)  # stay at the limit while the test forks elsewhere
for k in kids:
    os.kill(k, signal.SIGKILL)
for k in kids:
    os.waitpid(k, 0)
print("FORKED", n)'
timeout 60 "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -U "$je_user" -- \
    python3 -c "$bomb" >"$je/bomb.out" 2>"$je/bomb.err" &
bomb_pid=$!
on_exit kill -9 "$bomb_pid"
# meanwhile: the host forks, and another user's jail (own group) forks 20 times
other=$(uniq_name u)
make_user "$other" -G "$je_group" || fail "useradd $other"
for _ in $(seq 100); do grep -q STOPPED "$je/bomb.out" && break; sleep 0.1; done
grep -q STOPPED "$je/bomb.out" || fail "the fork bomb did not reach its limit: $(cat "$je/bomb.out" "$je/bomb.err")"
host_ok=0
for _ in $(seq 20); do /bin/true && host_ok=$((host_ok + 1)); done
# shellcheck disable=SC2016 # expanded by the jailed sh
timeout 30 "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -U "$other" -- \
    sh -c 'n=0; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true && n=$((n+1)); done; echo OTHER $n' \
    >"$je/other.out" 2>"$je/other.err" || { cat "$je/other.err"; fail "the other jail's session failed"; }
assert_eq "OTHER 20" "$(cat "$je/other.out")" "the other jail could fork during the bomb"
kill -0 "$bomb_pid" 2>/dev/null || fail "the bomb let go of its processes before the other jail had run"
wait "$bomb_pid" || { cat "$je/bomb.err"; fail "the fork bomb session failed"; }
grep -q '^STOPPED [0-9]* 11$' "$je/bomb.out" || fail "the fork bomb was not stopped by EAGAIN: $(cat "$je/bomb.out")"
forked=$(sed -n 's/^FORKED //p' "$je/bomb.out")
[ "$forked" -lt 40 ] || fail "the fork bomb made $forked processes, pids.max is 40"
assert_eq 20 "$host_ok" "the host could fork during the bomb"
ev=$(sed -n 's/^max //p' "$(grp pids "$leaf")/pids.events")
[ "${ev:-0}" -gt 0 ] || fail "pids.events shows no hit"
kill -0 "$pid_a" || fail "the held session died with the fork bomb"
ok "a fork bomb stops at pids.max ($forked forked); the host and another jail fork meanwhile"

# ---- memory hog: OOM-killed in the jail only ----
hog='b = bytearray(256 * 1024 * 1024)
for i in range(0, len(b), 4096):
    b[i] = 1
print("SURVIVED")'
# swap = "0" holds only where the kernel accounts swap; elsewhere, with
# swap on, the hog could be swapped out instead of killed
if [ ! -e "$(grp memory "$leaf")/memory.memsw.limit_in_bytes" ] &&
    [ ! -e "$(grp memory "$leaf")/memory.swap.max" ] && [ "$(wc -l </proc/swaps)" -gt 1 ]; then
    skip "swap is on and not accounted: cannot hold a hog to memory.max"
fi
timeout 60 "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -U "$je_user" -- \
    python3 -c "$hog" >"$je/hog.out" 2>"$je/hog.err"
st=$?
assert_not_contains "$(cat "$je/hog.out")" SURVIVED "the hog allocated past memory.max"
assert_eq 137 "$st" "the hog was SIGKILLed (OOM) ($(cat "$je/hog.err"))"
kill -0 "$pid_a" || fail "the held session died with the memory hog"
kill -0 "$init" || fail "jail PID 1 died with the memory hog"
if [ -n "$v2root" ]; then
    oom=$(sed -n 's/^oom_kill //p' "$(grp memory "$leaf")/memory.events")
else
    oom=$(sed -n 's/^oom_kill //p' "$(grp memory "$leaf")/memory.oom_control")
fi
[ "${oom:-0}" -gt 0 ] || fail "no OOM kill counted in the jail's group"
ok "a memory hog past memory.max is OOM-killed; the other session and PID 1 live on"

# ---- the end: the log names jail and limit, nothing is left ----
echo go >&7
wait "$pid_a"
je_wait_gone 15 || fail "the jail did not end"
for _ in $(seq 150); do all_gone "$leaf" && break; sleep 0.1; done
all_gone "$leaf" || fail "cgroup left after logout: $(ls -d /sys/fs/cgroup/*/pam_jail/"$leaf" 2>&1)"
je_wait_log "limit hit: user=$je_user profile=student id=$id pids.max=40 reached" ||
    fail "no log line for the pids limit: $(grep limit "$je_log")"
je_wait_log "limit hit: user=$je_user profile=student id=$id memory.max=67108864" ||
    fail "no log line for the memory limit: $(grep limit "$je_log")"
ok "after logout the groups are gone and the log names the jail and each limit hit"

# ---- a killed keeper's group goes with the next jail of its key ----
je_default_policy 'limits = { pids = 40; };'
start_held c 'grep "^id=" /run/pam_jail/jail; echo READY; read -r _'
je_track "$key"
id_c=$(sed -n 's/^id=//p' "$je/c.out")
init_c=$(je_info "$key" init)
kill -9 "$(je_info "$key" keeper)"
for _ in $(seq 50); do je_dead "$init_c" && break; sleep 0.1; done
je_dead "$init_c" || fail "the jail init outlived its keeper"
wait "$pid_c"
[ -d "$(grp pids "$key.$id_c")" ] || fail "expected the killed keeper's group to be left"
start_held d 'grep "^id=" /run/pam_jail/jail; echo READY; read -r _'
je_track "$key"
id_d=$(sed -n 's/^id=//p' "$je/d.out")
assert_ne "$id_c" "$id_d" "a new jail after the killed keeper"
[ -d "$(grp pids "$key.$id_c")" ] && fail "the killed keeper's group is still there after the next jail"
[ -d "$(grp pids "$key.$id_d")" ] || fail "the new jail has no group"
echo go >&7
wait "$pid_d"
je_wait_gone 15 || fail "the jail after the killed keeper did not end"
for _ in $(seq 150); do all_gone "$key.$id_d" && break; sleep 0.1; done
all_gone "$key.$id_d" || fail "cgroup left after logout"
ok "a killed keeper's empty group is removed by the next jail of the same key"

# ---- no limits asked: no cgroup ----
je_default_policy 'limits = { pids = "unlimited"; };'
start_held b 'cat /proc/self/cgroup; grep "^id=" /run/pam_jail/jail; echo READY; read -r _'
je_track "$key"
id_b=$(sed -n 's/^id=//p' "$je/b.out")
all_gone "$key.$id_b" || fail "a profile without limits got a cgroup"
in_group "$pid_b" pids "$key.$id_b" && fail "a session moved into a group that should not exist"
echo go >&7
wait "$pid_b"
je_wait_gone 15 || fail "the jail without limits did not end"
ok "a profile without limits makes no cgroup"
