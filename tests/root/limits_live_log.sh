#!/bin/bash
# The log says which jail hit which limit WHILE the jail runs (issue #7):
# a fork refused at pids.max and an OOM kill past memory.max each give a
# "limit hit" line naming user, profile, jail id, limit and value before
# the jail ends; a flood of refused forks gives a bounded number of lines
# (the first at once, then one summary per period); a jail that never hits
# a limit logs no "limit hit" line at all.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd python3
[ -e /run/systemd/system ] && skip "systemd host: pam_jail does not write the cgroup tree (transient units not built)"
je_setup "$@"
je_service
key=u$je_uid
FLOOD_SECS=11 # a little more than keeper_watch.h's summary period (10 s)

mkfifo "$je/hold"
exec 7<>"$je/hold"
start_held() { # name cmd
    (exec "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -p "$je_user" -- sh -c "$2") \
        <"$je/hold" >"$je/$1.out" 2>"$je/$1.err" &
    eval "pid_$1=$!"
    for _ in $(seq 100); do grep -q READY "$je/$1.out" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$je/$1.out" || { cat "$je/$1.err"; fail "session $1 did not come up"; }
}
end_held() { # name id
    echo go >&7
    wait "$(eval echo "\$pid_$1")"
    je_wait_gone 15 || fail "the jail of session $1 did not end"
    # the end-of-jail totals are logged before the groups go, and
    # "jail ended" before both: once it is there and the groups are gone,
    # every line of this jail is in the log
    je_wait_log "jail ended: user=$je_user profile=student id=$2" ||
        fail "no 'jail ended' line for $2"
    for _ in $(seq 150); do
        ls -d /sys/fs/cgroup/*/pam_jail/"$key.$2" /sys/fs/cgroup/pam_jail/"$key.$2" >/dev/null 2>&1 || break
        sleep 0.1
    done
}
lines() { # text: how many log lines contain it
    grep -cF -- "$1" "$je_log"
}
je_default_policy 'limits = { memory = "64M"; swap = "0"; pids = 20; };'

# ---- negative: a jail that stays under its limits logs no "limit hit" ----
# It lives through several of the keeper's reads (v1: one per second) and
# forks below pids.max meanwhile.
start_held quiet 'grep "^id=" /run/pam_jail/jail; for i in 1 2 3 4 5 6 7 8; do /bin/true; sleep 0.3; done; echo READY; read -r _'
je_track "$key"
id_q=$(sed -n 's/^id=//p' "$je/quiet.out")
[ -n "$id_q" ] || fail "no jail id inside the quiet jail"
end_held quiet "$id_q"
assert_eq 0 "$(lines "limit hit: user=$je_user profile=student id=$id_q")" \
    "a jail under its limits logs no 'limit hit' ($(grep "limit hit" "$je_log"))"
ok "a jail that never hits a limit logs no 'limit hit' line"

# ---- a fork refused at pids.max is logged while the jail runs ----
start_held a 'grep "^id=" /run/pam_jail/jail; echo READY; read -r _'
je_track "$key"
id=$(sed -n 's/^id=//p' "$je/a.out")
[ -n "$id" ] || fail "no jail id inside the jail"
prefix="limit hit: user=$je_user profile=student id=$id"

# Fork until refused (the children hold their slots), then keep trying for
# FLOOD_SECS: thousands of refused forks.
bomb='import os, sys, time
kids = []
while True:
    try:
        pid = os.fork()
    except OSError as e:
        err = e.errno
        break
    if pid == 0:
        time.sleep(120)
        os._exit(0)
    kids.append(pid)
print("STOPPED", len(kids), err, flush=True)
fails = 0
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    try:
        pid = os.fork()
    except OSError:
        fails += 1
        continue
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
print("FAILS", fails, flush=True)
for k in kids:
    os.kill(k, 9)
for k in kids:
    os.waitpid(k, 0)'
timeout 90 "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -U "$je_user" -- \
    python3 -c "$bomb" "$FLOOD_SECS" >"$je/bomb.out" 2>"$je/bomb.err" &
bomb_pid=$!
on_exit kill -9 "$bomb_pid"
for _ in $(seq 200); do grep -q STOPPED "$je/bomb.out" && break; sleep 0.05; done
t0=$EPOCHREALTIME
grep -q '^STOPPED [0-9]* 11$' "$je/bomb.out" ||
    fail "the fork bomb did not stop at its limit with EAGAIN: $(cat "$je/bomb.out" "$je/bomb.err")"
je_wait_log "$prefix pids.max=20: forks refused: " 5 ||
    fail "no live log line for pids.max: $(grep "limit hit" "$je_log")"
t1=$EPOCHREALTIME
kill -0 "$bomb_pid" 2>/dev/null || fail "the line came only after the bomb's session had ended"
kill -0 "$pid_a" || fail "the held session is gone"
ok "the refused fork is logged while the jail runs ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s after the first refusal): $(grep -F "$prefix pids.max" "$je_log" | head -n 1)"

# ---- a flood of refused forks: one line now, then one per period ----
wait "$bomb_pid" || { cat "$je/bomb.err"; fail "the fork bomb session failed"; }
fails=$(sed -n 's/^FAILS //p' "$je/bomb.out")
[ "${fails:-0}" -ge 100 ] || fail "the flood refused only ${fails:-0} forks: not a flood"
je_wait_log "$prefix pids.max=20: forks refused: " 1 || fail "lost the first line"
je_wait_log "more in the last" 5 ||
    fail "no summary line after a ${FLOOD_SECS}-s flood: $(grep -F "$prefix" "$je_log")"
n=$(lines "$prefix pids.max=20: forks refused:")
echo "$fails forks refused in $FLOOD_SECS s, $n live lines:"
grep -F "$prefix" "$je_log"
[ "$n" -ge 2 ] && [ "$n" -le 3 ] ||
    fail "$n lines for $fails refused forks in $FLOOD_SECS s (expected the first + 1 or 2 summaries)"
ok "a flood of $fails refused forks in $FLOOD_SECS s gives $n lines"

# ---- an OOM kill past memory.max is logged while the jail runs ----
hog='b = bytearray(256 * 1024 * 1024)
for i in range(0, len(b), 4096):
    b[i] = 1
print("SURVIVED")'
if [ ! -e "/sys/fs/cgroup/memory/pam_jail/$key.$id/memory.memsw.limit_in_bytes" ] &&
    [ ! -e "/sys/fs/cgroup/pam_jail/$key.$id/memory.swap.max" ] && [ "$(wc -l </proc/swaps)" -gt 1 ]; then
    skip "swap is on and not accounted: cannot hold a hog to memory.max"
fi
timeout 60 "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -U "$je_user" -- \
    python3 -c "$hog" >"$je/hog.out" 2>"$je/hog.err"
st=$?
t0=$EPOCHREALTIME
assert_eq 137 "$st" "the hog was SIGKILLed (OOM) ($(cat "$je/hog.out" "$je/hog.err"))"
je_wait_log "$prefix memory.max=67108864: processes killed (out of memory): 1" 5 ||
    fail "no live log line for the OOM kill: $(grep "limit hit" "$je_log")"
t1=$EPOCHREALTIME
kill -0 "$pid_a" || fail "the held session is gone"
[ -n "$(je_jails)" ] || fail "the jail ended before the line was checked"
ok "the OOM kill is logged while the jail runs ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s after the hog's session ended)"

# ---- the end-of-jail totals stay ----
end_held a "$id"
je_wait_log "$prefix pids.max=20 reached" 5 || fail "no end-of-jail total for pids.max"
je_wait_log "$prefix memory.max=67108864: 1 processes killed" 5 ||
    fail "no end-of-jail total for the memory limit: $(grep -F "$prefix" "$je_log")"
ok "the end-of-jail totals are still logged"
