#!/bin/bash
# The keeper does not inherit the PAM caller's limits, and does not spin or
# end when it runs out of fds (issue 17, item 3).
#
# 1. Sessions opened by a caller with a low soft RLIMIT_NOFILE (as
#    pam_limits' "nofile" leaves it), a CPU limit, nice 15 and a cwd of its
#    own: the keeper has the reset values (jail_keeper_limits_reset), and 40
#    sessions fit (with the inherited 64 fds the keeper failed accept4 with
#    EMFILE after about 25 and spun at 100% CPU).
# 2. The keeper at its fd limit (the test lowers it with prlimit) and
#    connections waiting: they are refused (logged), the keeper does not
#    spin (its CPU time over an idle interval), its jail lives on.
# 3. Many connections under a limit that 2 poll() entries per connection
#    exceed: the keeper takes only as many as poll() can wait on and
#    refuses the rest; its poll() no longer fails with EINVAL ("poll
#    failed", which ended the jail).
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd prlimit
je_setup "$@"
# kept: the jail outlives its sessions, for parts 2 and 3
je_default_policy 'lifetime = { mode = "keep"; };'
je_service
key=u$je_uid
n_sessions=40

mkfifo "$je/hold"
exec 7<>"$je/hold"
hold='echo READY; read -r _'
mkdir "$je/cwd"
mkfifo "$je/conns"
exec 9<>"$je/conns"

wait_ready() { # name
    for _ in $(seq 600); do grep -q READY "$je/$1.out" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$je/$1.out" || { cat "$je/$1.err"; tail -5 "$je_log"; fail "session $1 did not come up"; }
}
# utime + stime of a process, in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# The CPU time a process takes over 3 idle seconds: a keeper that waits
# takes ~0 ticks, one spinning on a readable listener takes ~300 (or what
# a loaded machine leaves it; a third of that still fails the bound).
assert_idle() { # pid what
    local before after
    before=$(cpu_ticks "$1")
    sleep 3
    after=$(cpu_ticks "$1")
    echo "$2: $((after - before)) ticks of CPU in 3 s"
    [ $((after - before)) -le 50 ] || fail "$2: the keeper spins ($((after - before)) ticks in 3 s)"
}
# N connections to the jail's control socket, held until a line on stdin
# (the script is an argument: stdin is the line's)
hold_conns_py='
import socket, sys
socks = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        pass  # the backlog is full: that is the point
    socks.append(s)
print("HELD", flush=True)
sys.stdin.readline()
'
hold_conns() { # n
    python3 -c "$hold_conns_py" "$je/state/jails/$key/control" "$1" <&9 >"$je/conns.out" &
    conns=$!
    on_exit kill "$conns"
    for _ in $(seq 100); do grep -q HELD "$je/conns.out" && break; sleep 0.1; done
}
status() {
    python3 - "$je/state/jails/$key/control" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(30)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
print(s.recv(4096).decode())
PY
}

# ---- 1. the caller's limits, nice and cwd are not the keeper's ----
pids=()
for i in $(seq "$n_sessions"); do
    (ulimit -Sn 64 && ulimit -St 3600 && cd "$je/cwd" &&
        exec nice -n 15 "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$je_user" \
            -- sh -c "$hold") <"$je/hold" >"$je/s$i.out" 2>"$je/s$i.err" &
    pids+=($!)
done
wait_ready s1
je_track "$key"
keeper=$(je_info "$key" keeper)
init=$(je_info "$key" init)
limits=$(cat "/proc/$keeper/limits")
echo "$limits" | grep -E "open files|cpu time"
assert_contains "$limits" "$(printf '%-26s%-21s%-21s' "Max open files" 8192 8192)" \
    "the keeper's RLIMIT_NOFILE (the caller's soft limit was 64)"
assert_contains "$limits" "$(printf '%-26s%-21s%-21s' "Max cpu time" unlimited unlimited)" \
    "the keeper's RLIMIT_CPU (the caller's was 3600 s)"
assert_eq 0 "$(awk '{ print $19 }' "/proc/$keeper/stat")" "the keeper's nice (the caller's was 15)"
assert_eq / "$(readlink "/proc/$keeper/cwd")" "the keeper's cwd"
for i in $(seq "$n_sessions"); do wait_ready "s$i"; done
assert_contains "$(status STATUS)" "sessions=$n_sessions" "the keeper counts every session"
assert_idle "$keeper" "$n_sessions sessions"
ok "the keeper has its own limits, nice 0 and cwd /; $n_sessions sessions of a caller with 64 fds"

# ---- 2. out of fds: connections refused, no spin ----
# The limit at the keeper's lowest free fd number (a new fd takes the
# lowest free number, which must be below the limit): the next accept4
# fails with EMFILE. With the sessions open their fds fill the numbers
# from the bottom, so the limit stays above the keeper's poll() entries.
free_fd=0
while [ -e "/proc/$keeper/fd/$free_fd" ]; do free_fd=$((free_fd + 1)); done
prlimit --pid "$keeper" --nofile="$free_fd:8192" || fail "prlimit"
: >"$je_log"
echo "the keeper's fd limit: $free_fd"
hold_conns 5
je_wait_log "jail keeper refuses connections: user=$je_user profile=student" 10 ||
    { tail -3 "$je_log"; fail "no log line about refused connections"; }
refused_logged_at=$SECONDS
grep -F "refuses connections" "$je_log"
assert_contains "$(grep -F "refuses connections" "$je_log")" "Too many open files" "the reason"
assert_idle "$keeper" "at the fd limit, 5 connections waiting"
je_dead "$init" && fail "the jail ended"
echo >&9
wait "$conns"
ok "at its fd limit the keeper refuses connections (logged) and does not spin"
for i in $(seq "$n_sessions"); do echo go >&7; done
wait "${pids[@]}"
for _ in $(seq 100); do [[ $(status STATUS) == *" sessions=0 "* ]] && break; sleep 0.1; done
assert_contains "$(status STATUS)" " sessions=0 " "every session closed"

# ---- 3. more connections than poll() may wait on ----
# The keeper says "refuses connections" at most once per 10 s
# (REFUSED_LOG_MS): let part 2's line fall out of that window first, or
# this part's refusals are rightly not logged.
while [ $((SECONDS - refused_logged_at)) -le 11 ]; do sleep 1; done
prlimit --pid "$keeper" --nofile=200:8192 || fail "prlimit"
: >"$je_log"
hold_conns 100
je_wait_log "as many connections as the keeper's fd limit allows" 10
logged=$?
grep -F "poll" "$je_log" && fail "the keeper's poll failed"
je_dead "$init" && fail "the jail ended"
je_dead "$keeper" && fail "the keeper ended"
[ "$logged" = 0 ] || { tail -3 "$je_log"; fail "no log line about the connection limit"; }
assert_idle "$keeper" "100 connections, fd limit 200"
echo >&9
wait "$conns"
prlimit --pid "$keeper" --nofile=8192:8192 || fail "prlimit"
"$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$je_user" -- true ||
    fail "a login after the connections went"
ok "100 connections under a limit of 200 fds: the excess refused, the jail lives on"

assert_eq "OK stopped" "$(status STOP)" "STOP"
je_wait_gone 15 || fail "the jail did not end"
ok "the jail ends on STOP, nothing left"
