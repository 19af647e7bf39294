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

host_uptime=$(cut -d. -f1 /proc/uptime)
# "small" below means under 60 s: only meaningful on a host up longer.
[ "$host_uptime" -gt 600 ] || skip "host up only ${host_uptime}s"
host_time=$(readlink /proc/self/ns/time)

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
[ "${up%.*}" -lt 60 ] || fail "uptime in the jail is $up, the host's is $host_uptime"
[ "$mono" -lt 60 ] && [ "$boot" -lt 60 ] || fail "monotonic $mono / boottime $boot in the jail"
ok "with time: uptime ${up}s, monotonic ${mono}s, boottime ${boot}s since the jail's creation"

# A session joining 2 s later reads on from there (the same clocks, not reset).
sleep 2
read -r up2 _ < <(je_session -U "$je_user" -- cat /proc/uptime) || fail "uptime, later session"
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if 2 <= b - a < 30 else 1)" \
    "$up" "$up2" || fail "a later session's uptime $up2 does not go on from $up"
out=$("$BUILD/jailctl" enter "$je_user" --statedir "$je/state" -- /bin/cat /proc/uptime) ||
    fail "jailctl enter: $out"
[ "${out%%.*}" -ge "${up2%.*}" ] && [ "${out%%.*}" -lt 60 ] ||
    fail "jailctl enter reads uptime $out, sessions read $up2"
ok "a later session and jailctl enter read the same clocks (uptime $up2, $out)"
release_session

# ---- without "time" ----
je_default_policy
hold_session
assert_eq "$host_time" "$(readlink "/proc/$child/ns/time")" "without time: the host's time namespace"
init=$(je_info "u$je_uid" init)
assert_eq "$host_time" "$(readlink "/proc/$init/ns/time")" "without time: PID 1 in the host's"
read -r up _ < <(je_session -U "$je_user" -- cat /proc/uptime) || fail "uptime in the jail"
[ "${up%.*}" -ge "$host_uptime" ] || fail "without time: uptime $up, the host's $host_uptime"
release_session
ok "without time: the host's time namespace and clocks (uptime $up)"
