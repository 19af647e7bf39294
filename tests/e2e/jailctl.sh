#!/bin/bash
# The administrator's view of jails that real ssh sessions hold: jailctl
# list shows them, enter runs a command inside one, stop ends one (its ssh
# session is cut, the other user's jail is untouched).
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"
[ -x "$E2E_JAILCTL" ] || fail "no $E2E_JAILCTL: build first"

e2e_standard_setup
ctl() { "$E2E_JAILCTL" "$1" --statedir "$E2E_STATE" "${@:2}"; }

e2e_hold "$UA@main"
a_pid=$HELD_PID a_out=$HELD_OUT
e2e_hold "$UB@main"
b_pid=$HELD_PID b_fd=$HELD_FD

out=$(ctl list) || fail "jailctl list: $out"
echo "$out"
line_a=$(grep -E "^$UA[[:space:]]" <<<"$out") || fail "jailctl list: no line for $UA"
line_b=$(grep -E "^$UB[[:space:]]" <<<"$out") || fail "jailctl list: no line for $UB"
assert_contains "$line_a" " sealed " "$UA's profile in jailctl list"
assert_contains "$line_b" " lab " "$UB's profile in jailctl list"
assert_eq 1 "$(awk '{ print $3 }' <<<"$line_a")" "$UA's sessions in jailctl list"
ok "jailctl list shows both jails"

assert_eq "jail-$UA" "$(ctl enter "$UA" -- /bin/hostname)" "hostname through jailctl enter"
assert_eq jail-init "$(ctl enter "$UA" -- /bin/cat /proc/1/comm)" "PID 1 through jailctl enter"
ok "jailctl enter runs commands in the user's jail"

# Bounded, not a benchmark. PID 1's exit completes only when its namespace
# is empty, and the session's jailed sshd child belongs to the monitor
# outside the jail, which lets go of it (exits, leaving it to the host's
# PID 1) only once the keeper answers its CLOSE: a keeper that waited for
# PID 1 without serving took its whole 5 s bound. The host's PID 1 here
# reaps orphans only every ~2 s, hence the margin.
start=$EPOCHREALTIME
ctl stop "$UA" || fail "jailctl stop $UA"
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
echo "jailctl stop with a live ssh session: ${secs}s"
awk -v s="$secs" 'BEGIN { exit !(s < 4) }' || fail "jailctl stop took ${secs}s (limit 4s)"
wait_for 30 proc_gone "$a_pid" || fail "$UA's ssh session survived jailctl stop"
wait_for 30 grep -q "jail ended: user=$UA .*reason=stopped" "$E2E_SYSLOG" ||
	fail "no 'jail ended' log line for $UA: $(cat "$E2E_SYSLOG")"
assert_contains "$(cat "$a_out")" "closed by remote host" "$UA's ssh client"
out=$(ctl list)
assert_not_contains "$out" "$UA" "jailctl list after stop"
assert_contains "$out" "$UB" "jailctl list after stopping $UA"
assert_eq "lab-$UB" "$(e2e_ssh "$UB@main" hostname)" "$UB's jail after stopping $UA's"
ok "jailctl stop ends one user's jail and cuts its ssh session"

e2e_release "$b_pid" "$b_fd"
e2e_wait_no_jails
