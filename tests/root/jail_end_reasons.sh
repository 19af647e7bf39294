#!/bin/bash
# One way to end (issue 16, part 3): whatever ends a jail (its last
# session, the idle limit, jailctl stop, its init's death, no session ever
# joining, a failure while it is built, a failed poll()), the keeper logs
# one "jail ended: ... reason=R" line and leaves nothing: no registry entry,
# no cgroup, no address lease, no keeper or jail process. Run in a network
# namespace of the test's (net_env.bash), with a bridged profile that has
# limits, so every jail has a lease and a cgroup to leave behind.
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
need_cmd strace
need_cmd prlimit
je_service
key=u$je_uid

base='network = { mode = "bridge"; bridge = "pjend0"; pool4 = "10.213.77.0/24"; };
limits = { pids = 100; };'
je_default_policy "$base"

hold='grep "^id=" /run/pam_jail/jail; echo READY; read -r _'
control() { # key request
    python3 - "$je/state/jails/$1/control" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
print(s.recv(4096).decode())
PY
}
# The cgroup directories of jail `id` (none may be left).
cgroups_of() { # id
    ls -d /sys/fs/cgroup/*/pam_jail/*"$1"* /sys/fs/cgroup/pam_jail/*"$1"* 2>/dev/null
}

# Asserts that jail `id` ended for `reason`, with one line, and left nothing.
assert_ended() { # reason id
    local reason=$1 id=$2 line
    for _ in $(seq 150); do grep -q "jail ended: .* id=$id .*reason=$reason" "$je_log" && break; sleep 0.1; done
    line=$(grep "jail ended: " "$je_log" | grep "id=$id ")
    assert_contains "$line" "jail ended: user=$je_user profile=student id=$id" "$reason: the line"
    assert_contains "$line" "reason=$reason" "$reason: the reason"
    assert_eq 1 "$(grep -c "jail ended: .*id=$id " "$je_log")" "$reason: one line"
    je_wait_gone 10 || fail "$reason: registry entry or process left"
    net_wait_leases || fail "$reason: lease left"
    assert_eq "" "$(cgroups_of "$id")" "$reason: cgroup left"
    [ -e "$je/state/records/$id" ] && fail "$reason: login records left"
    ok "reason=$reason: logged once, nothing left"
}

# ---- last session ended ----
net_hold a "$je_user" "$hold"
id=$(sed -n 's/^id=//p' "$je/a.out")
[ -n "$(cgroups_of "$id")" ] || [ -e /run/systemd/system ] || fail "the jail has no cgroup to leave"
compgen -G "$je/state/net/ip4-*" >/dev/null || fail "the jail has no lease to leave"
net_release a
assert_ended "last session ended" "$id"

# ---- stopped by the administrator ----
net_hold b "$je_user" "$hold"
id=$(sed -n 's/^id=//p' "$je/b.out")
assert_eq "OK stopped" "$(control "$key" STOP)" "STOP"
net_release b
assert_ended "stopped by the administrator" "$id"

# ---- the jail init died ----
# (in a kept jail with no session: with a session in it, the session's
# process dies with the jail and its end may be seen first)
je_default_policy "$base
lifetime = { mode = \"keep\"; idle = \"10m\"; };"
net_hold c "$je_user" "$hold"
id=$(sed -n 's/^id=//p' "$je/c.out")
net_release c
assert_contains "$(control "$key" STATUS)" "sessions=0" "kept with no session"
kill -9 "$(je_info "$key" init)"
assert_ended "the jail init died" "$id"
je_default_policy "$base"

# ---- poll failed ----
# poll() fails (EINVAL) when it is given more fds than RLIMIT_NOFILE allows:
# the keeper polls two per connection, so with many connections held open,
# a limit above every fd number it has (it can still open what its end
# needs) but below the count it polls makes its next wake-up fail.
net_hold d "$je_user" "$hold"
id=$(sed -n 's/^id=//p' "$je/d.out")
keeper=$(je_info "$key" keeper)
python3 - "$je/state/jails/$key/control" 60 >"$je/conns.out" <<'PY' &
import socket, sys, time
conns = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    conns.append(s)
print("HELD", flush=True)
time.sleep(120)
PY
holder=$!
on_exit kill "$holder"
for _ in $(seq 100); do grep -q HELD "$je/conns.out" && break; sleep 0.1; done
grep -q HELD "$je/conns.out" || fail "could not open the connections"
for _ in $(seq 100); do [ "$(ls "/proc/$keeper/fd" | wc -l)" -gt 60 ] && break; sleep 0.1; done
top=$(ls "/proc/$keeper/fd" | sort -n | tail -1)
limit=$((top + 10))
[ $((2 * 60)) -gt "$limit" ] || fail "cannot provoke: fd $top is too high for 60 connections"
prlimit --pid "$keeper" --nofile=$limit:$limit || fail "prlimit"
control "$key" STATUS >/dev/null 2>&1 # wakes the keeper: its next poll fails
assert_ended "poll failed" "$id"
kill "$holder"
wait "$holder" 2>/dev/null
net_release d
je_wait_log "poll: user=$je_user profile=student id=$id: Invalid argument" 1 ||
    fail "no line saying why poll failed"

# ---- idle timeout ----
je_default_policy "$base
lifetime = { mode = \"keep\"; idle = \"1s\"; };"
net_hold e "$je_user" "$hold"
id=$(sed -n 's/^id=//p' "$je/e.out")
net_release e
assert_ended "idle timeout" "$id"

# ---- no session joined: the module's JOIN never reaches the keeper ----
# (the module sends CREATE, the policy, then JOIN: the third sendmsg fails)
je_default_policy "$base"
: >"$je_log"
rc=0
strace -qq -o /dev/null -e trace=sendmsg -e inject=sendmsg:error=EIO:when=3 \
    "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$je_user" -- true \
    >"$je/f.out" 2>&1 || rc=$?
assert_ne 0 "$rc" "a login whose JOIN failed was not refused"
je_wait_log "jail ended: " 2 && fail "the jail ended before its first-join deadline: $(cat "$je_log")"
[ -n "$(je_jails)" ] || fail "no jail was left waiting for its first session"
je_track "$key"
id=$(je_info "$key" id)
assert_ended "no session joined" "$id"

# ---- failure during setup: PID 1 cannot build the root ----
je_policy "version = 1;
profiles = { student = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\"];
    root = { type = \"tree\"; path = \"$je/no-such-tree\"; };
    limits = { pids = 100; };
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
: >"$je_log"
rc=0
je_session "$je_user" -- true >"$je/g.out" 2>&1 || rc=$?
assert_ne 0 "$rc" "a jail that cannot be built was not refused"
je_wait_log "jail ended: " 5 || fail "no 'jail ended' line for a failed setup: $(cat "$je_log")"
id=$(grep -o "jail ended: .*" "$je_log" | sed -n 's/.* id=\([0-9a-f]*\) .*/\1/p')
assert_eq 32 "${#id}" "the failed jail's id in: $(grep "jail ended" "$je_log")"
assert_ended "failure during setup" "$id"
