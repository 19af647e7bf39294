#!/bin/bash
# A keeper that is alive but does not answer (here: stopped with SIGSTOP by
# the test) no longer hangs the logins of its user (issue 17, item 3). The
# next login waits a bounded time, then kills the keeper and its jail
# through pidfds, logs it, and gets a new jail:
#   1. the JOIN goes unanswered (JAIL_REPLY_TIMEOUT_MS, 10 s);
#   2. the keeper's listen backlog is full, so connect() cannot complete
#      (JAIL_CONNECT_TIMEOUT_MS, 5 s; before, connect blocked for good,
#      under the key's lock, and every later login of the user with it).
# And `jailctl stop` of a user whose keeper does not answer kills it too.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd timeout
je_setup "$@"
je_default_policy
je_service
key=u$je_uid

mkfifo "$je/hold" "$je/conns"
exec 7<>"$je/hold" 9<>"$je/conns"
hold='grep "^id=" /run/pam_jail/jail; echo READY; read -r _'

start_held() { # name
    timeout 120 "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$je_user" \
        -- sh -c "$hold" <"$je/hold" >"$je/$1.out" 2>"$je/$1.err" &
    eval "pid_$1=$!"
}
wait_ready() { # name
    for _ in $(seq 1200); do
        grep -q READY "$je/$1.out" 2>/dev/null && return 0
        je_dead "$(eval echo "\$pid_$1")" && break
        sleep 0.1
    done
    cat "$je/$1.err"
    grep -v '<86>' "$je_log" | tail -4
    fail "session $1 did not come up"
}
jail_id() { sed -n 's/^id=//p' "$je/$1.out"; }
wait_dead() { # pid what
    for _ in $(seq 100); do je_dead "$1" && return 0; sleep 0.1; done
    fail "$2 ($1) is still alive"
}

# A login that meets a stopped keeper: bounded, a new jail, the old one gone.
login_past_stopped_keeper() { # name why-in-log
    local keeper init id t0 t1
    keeper=$(je_info "$key" keeper)
    init=$(je_info "$key" init)
    id=$(je_info "$key" id)
    kill -STOP "$keeper" || fail "SIGSTOP"
    [ -n "${fill:-}" ] && fill_backlog
    t0=$(date +%s)
    start_held "$1"
    wait_ready "$1"
    t1=$(date +%s)
    je_track "$key"
    echo "the login took $((t1 - t0)) s"
    # generous: the timeouts are 10 s and 5 s; "forever" is what failed
    [ $((t1 - t0)) -lt 90 ] || fail "the login took $((t1 - t0)) s"
    assert_ne "$id" "$(jail_id "$1")" "the login got a new jail"
    wait_dead "$keeper" "the stopped keeper"
    wait_dead "$init" "the stale jail's init"
    je_wait_log "jail keeper not answering: user=$je_user profile=student id=$id keeper=$keeper: $2" ||
        { grep -v '<86>' "$je_log" | tail -4; fail "no log line about the stale keeper"; }
    grep -F "not answering" "$je_log" | tail -1
    assert_contains "$(grep -F "not answering" "$je_log" | tail -1)" \
        "killed it and ended its jail" "the log line says what was done"
}

# Connections that fill the keeper's listen backlog, held until a line on fd 9.
fill_backlog() {
    python3 -c '
import socket, sys
socks = []
for _ in range(1000):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
    except BlockingIOError:
        break  # the backlog is full
    socks.append(s)
else:
    sys.exit("the backlog never filled")
print("FULL", flush=True)
sys.stdin.readline()
' "$je/state/jails/$key/control" <&9 >"$je/fill.out" &
    filler=$!
    on_exit kill "$filler"
    for _ in $(seq 100); do grep -q FULL "$je/fill.out" && break; sleep 0.1; done
    grep -q FULL "$je/fill.out" || fail "could not fill the backlog"
}

start_held a
wait_ready a
je_track "$key"
: >"$je_log"
login_past_stopped_keeper b "no answer to JOIN"
ok "a stopped keeper: the next login killed it and its jail, logged it, and got a new jail"

: >"$je_log"
fill=1
login_past_stopped_keeper c "jail '$key' accepts no connection in"
echo >&9
wait "$filler"
ok "a stopped keeper with a full backlog: the same, after a bounded connect"

# ---- jailctl stop on a stopped keeper kills it, as a login would ----
keeper=$(je_info "$key" keeper)
init=$(je_info "$key" init)
kill -STOP "$keeper" || fail "SIGSTOP"
out=$(timeout 120 "$BUILD/jailctl" stop "$je_user" --statedir "$je/state" 2>&1)
rc=$?
echo "$out"
assert_eq 0 "$rc" "jailctl stop of a stopped keeper"
assert_contains "$out" "killing its keeper" "jailctl says what it does"
wait_dead "$keeper" "the stopped keeper"
wait_dead "$init" "its jail's init"
assert_eq "" "$(je_jails)" "the registry entry"
ok "jailctl stop: a keeper that does not answer STOP is killed with its jail"

for _ in a b c; do echo go >&7; done
wait "$pid_a" "$pid_b" "$pid_c"
je_wait_gone 15 || fail "the jails did not end"
ok "nothing left"
