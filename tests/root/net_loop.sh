#!/bin/bash
# 100 bridged jails made and ended one after another leak nothing: the
# links and addresses of the test's host namespace (net_env.bash) and the
# leases are the same before and after. Then the time a bridged jail adds
# to a session: the median of 30 sessions (open, `true`, close) of each
# mode, printed as a MEASURE line.
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"

bridged='lifetime = { mode = "session"; };
network = { mode = "bridge"; bridge = "pjloop0"; pool4 = "10.213.5.0/24"; };'
je_default_policy "$bridged"
je_service
HOME=/home/$je_user je_session -U "$je_user" -- true || fail "first bridged login"
je_wait_gone 10 || fail "the first jail did not end"
net_wait_leases || fail "leases left"
links0=$(net_links)
addrs0=$(net_addrs)
assert_contains "$addrs0" "pjloop0 10.213.5.1/24" "the bridge got the pool's first address"

for i in $(seq 100); do
    HOME=/home/$je_user je_session -U "$je_user" -- true ||
        fail "bridged login $i failed: $(tail -3 "$je_log")"
done
je_wait_gone 30 || fail "the jails did not end"
net_wait_leases 30 || fail "leases left"
assert_eq "$links0" "$(net_links)" "links after 100 jails"
assert_eq "$addrs0" "$(net_addrs)" "addresses after 100 jails"
ok "100 bridged jails: no link, address or lease left"

# ---- the cost of a bridged jail ----
# Interleaved, so a load spike of the machine hits both modes alike.
timed_ms() { # policy-extra: one session's wall time, in microseconds
    local t0 t1
    je_default_policy "$1"
    t0=$(date +%s%N)
    HOME=/home/$je_user je_session -U "$je_user" -- true || fail "timed login failed"
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
}
median_ms() { sort -n | sed -n 15p | awk '{printf "%.2f", $1 / 1000}'; }
for i in $(seq 30); do
    timed_ms 'lifetime = { mode = "session"; };' >>"$je/t.loopback"
    timed_ms "$bridged" >>"$je/t.bridge"
done
lo=$(median_ms <"$je/t.loopback")
br=$(median_ms <"$je/t.bridge")
echo "MEASURE session open+close, median of 30: loopback ${lo} ms, bridge ${br} ms," \
    "bridge adds $(awk "BEGIN {printf \"%.2f\", $br - $lo}") ms"
je_wait_gone 30 || fail "the timed jails did not end"
