#!/bin/bash
# The time namespace (profile option "time", lib/timens.h), through real PAM
# sessions: in a jail with it, /proc/uptime and CLOCK_MONOTONIC/BOOTTIME
# count from the jail's creation; a session that joins later reads the same
# clocks (not reset); the PAM caller's own clocks and the keeper's children
# stay the host's; jailctl enter reads the jail's clocks. Without "time",
# the session is in the host's time namespace and its clocks are the host's.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_service

host_time=$(readlink /proc/self/ns/time)
# The host's uptime now (float seconds). The jail's clocks are judged
# against the host's read around them, never against a fixed number, so
# the test means the same on a host booted a minute ago as on one up for
# months.
host_uptime() { read -r u _ </proc/uptime && echo "$u"; }
# within LOW X HIGH: is LOW <= X <= HIGH (floats)?
within() {
    python3 -c 'import sys; a, x, b = map(float, sys.argv[1:]); sys.exit(0 if a <= x <= b else 1)' "$@"
}
# Seconds of slack for what sessions and clock reads cost on a slow machine.
slack=1

mkfifo "$je/hold"
exec 7<>"$je/hold"
on_exit "exec 7>&-"

hold_session() {
    : >"$je/out"
    je_session -p -U "$je_user" -- sh -c 'echo READY; read -r _' <&7 >"$je/out" 2>"$je/err" &
    drv=$!
    for _ in $(seq 100); do grep -q READY "$je/out" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$je/out" || { cat "$je/out" "$je/err" "$je_log"; fail "the session did not come up"; }
    child=$(sed -n 's/^CHILD //p' "$je/err")
    caller=$(sed -n 's/^PPid:\s*//p' "/proc/$child/status")
    je_track "u$je_uid"
}
release_session() {
    echo >&7
    wait "$drv" || fail "session ended with $?: $(cat "$je/err")"
    je_wait_gone 10 || fail "jail did not end"
}
# The default test profile with its namespaces list replaced.
policy_with_ns() { # namespaces
    je_policy "version = 1;
profiles = { student = {
$(je_default_profile | sed "s/^ *namespaces = .*/    namespaces = [$1];/")
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
}
clocks='import time
print("%d %d" % (time.clock_gettime(time.CLOCK_MONOTONIC), time.clock_gettime(time.CLOCK_BOOTTIME)))'

# ---- with "time" ----
policy_with_ns '"mount", "pid", "net", "ipc", "uts", "cgroup", "time"'
before=$(host_uptime) # the jail is created after this
hold_session
init=$(je_info "u$je_uid" init)
keeper=$(je_info "u$je_uid" keeper)
assert_ne "$host_time" "$(readlink "/proc/$child/ns/time")" "the session is in a new time namespace"
assert_ne "$host_time" "$(readlink "/proc/$init/ns/time")" "the jail's PID 1 is in a new time namespace"
assert_eq "$(cat "/proc/$init/timens_offsets")" "$(cat "/proc/$child/timens_offsets")" \
    "the session has the jail's clock offsets"
assert_eq "$host_time" "$(readlink "/proc/$caller/ns/time")" "the PAM caller's own clocks stay the host's"
assert_eq "$host_time" "$(readlink "/proc/$keeper/ns/time")" "the keeper's clocks are the host's"
assert_eq "$host_time" "$(readlink "/proc/$keeper/ns/time_for_children")" \
    "the keeper's later children get the host's clocks"

read -r up _ < <(je_session -U "$je_user" -- cat /proc/uptime) || fail "uptime in the jail"
read -r mono boot < <(je_session -U "$je_user" -- python3 -c "$clocks") || fail "clocks in the jail"
after=$(host_uptime)
elapsed=$(python3 -c "print($after - $before)")
limit=$(python3 -c "print($elapsed + $slack)")
# The jail's clocks started between $before and $after on the host's: they
# read at most the time since then, where the host's read $before or more.
within 0 "$up" "$limit" ||
    fail "uptime in the jail is $up; the jail is at most ${elapsed}s old (host uptime $after)"
within 0 "$mono" "$limit" && within 0 "$boot" "$limit" ||
    fail "monotonic $mono / boottime $boot in the jail, which is at most ${elapsed}s old"
# ... and the offsets that make it so are minus the host's clock at the
# jail's creation, a moment between $before and $after.
boot_off=$(awk '$1 == "boottime" { print -($2 + $3 / 1e9) }' "/proc/$init/timens_offsets")
within "$(python3 -c "print($before - $slack)")" "$boot_off" "$after" ||
    fail "boottime offset -$boot_off is not minus the host's uptime at creation ($before..$after)"
ok "with time: uptime ${up}s, monotonic ${mono}s, boottime ${boot}s since the jail's creation (host: ${after}s)"

# A session joining 2 s later reads on from there (the same clocks, not reset).
sleep 2
read -r up2 _ < <(je_session -U "$je_user" -- cat /proc/uptime) || fail "uptime, later session"
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if 2 <= b - a < 30 else 1)" \
    "$up" "$up2" || fail "a later session's uptime $up2 does not go on from $up"
out=$("$BUILD/jailctl" enter "$je_user" --statedir "$je/state" -- /bin/cat /proc/uptime) ||
    fail "jailctl enter: $out"
after=$(host_uptime)
within "$up2" "${out%% *}" "$(python3 -c "print($after - $before + $slack)")" ||
    fail "jailctl enter reads uptime $out, sessions read $up2, the jail is at most $(python3 -c "print($after - $before)")s old"
ok "a later session and jailctl enter read the same clocks (uptime $up2, $out)"
release_session

# ---- without "time" ----
je_default_policy
before=$(host_uptime)
hold_session
assert_eq "$host_time" "$(readlink "/proc/$child/ns/time")" "without time: the host's time namespace"
init=$(je_info "u$je_uid" init)
assert_eq "$host_time" "$(readlink "/proc/$init/ns/time")" "without time: PID 1 in the host's"
read -r up _ < <(je_session -U "$je_user" -- cat /proc/uptime) || fail "uptime in the jail"
within "$before" "$up" "$(host_uptime)" || fail "without time: uptime $up, the host's $before and later"
release_session
ok "without time: the host's time namespace and clocks (uptime $up)"
