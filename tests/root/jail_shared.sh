#!/bin/bash
# One jail per user, shared: two sessions share one jail; 100 parallel
# logins make exactly one init; another user gets another jail; a session
# whose process is SIGKILLed is counted out, and the jail ends with the last.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_default_policy
je_service
user2=$(uniq_name v)
make_user "$user2" -G "$je_group" || fail "useradd $user2"
uid2=$(id -u "$user2")

mkfifo "$je/hold"
exec 7<>"$je/hold"
hold='grep "^id=" /run/pam_jail/jail; echo READY; read -r _'

# start_held NAME USER: a session whose command waits for a line on the fifo
start_held() {
    # exec: $! must be the session process itself (the kill test needs it)
    (exec "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -p "$2" -- sh -c "$hold") \
        <"$je/hold" >"$je/$1.out" 2>"$je/$1.err" &
    eval "pid_$1=$!"
}
wait_ready() { # name...
    local n
    for n in "$@"; do
        for _ in $(seq 300); do grep -q READY "$je/$n.out" 2>/dev/null && break; sleep 0.1; done
        grep -q READY "$je/$n.out" || { cat "$je/$n.err"; fail "session $n did not come up"; }
    done
}
jail_id() { sed -n 's/^id=//p' "$je/$1.out"; }

# STATUS straight from the keeper's control socket.
status() { # key
    python3 - "$je/state/jails/$1/control" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b"STATUS")
print(s.recv(4096).decode())
PY
}

# ---- two sessions of one user share a jail; a SIGKILLed one is counted out ----
start_held a "$je_user"
wait_ready a
start_held b "$je_user"
wait_ready b
key=u$je_uid
je_track "$key"
assert_eq "$(jail_id a)" "$(jail_id b)" "two sessions of one user: one jail"
assert_contains "$(status "$key")" "sessions=2" "the keeper counts two sessions"
ok "two sessions share one jail ($(jail_id a))"

kill -9 "$pid_a"
for _ in $(seq 50); do [[ $(status "$key") == *sessions=1* ]] && break; sleep 0.1; done
assert_contains "$(status "$key")" "sessions=1" "a SIGKILLed session is counted out"
init=$(je_info "$key" init)
je_dead "$init" && fail "the jail ended while a session was left"
kill -9 "$pid_b"
je_wait_gone 10 || fail "the jail did not end when its last session was killed"
je_wait_log "reason=last session ended" || fail "no 'jail ended' line after the kills"
ok "SIGKILLed sessions are counted out; the jail ends with the last one"

# ---- different users, different jails ----
start_held c "$je_user"
start_held d "$user2"
wait_ready c d
je_track "u$je_uid"
je_track "u$uid2"
assert_ne "$(jail_id c)" "$(jail_id d)" "two users: two jails"
assert_ne "$(je_info "u$je_uid" init)" "$(je_info "u$uid2" init)" "two users: two inits"
assert_ne "$(readlink /proc/"$(je_info "u$je_uid" init)"/ns/net)" \
    "$(readlink /proc/"$(je_info "u$uid2" init)"/ns/net)" "two users: two network namespaces"
echo go >&7
echo go >&7
wait "$pid_c" "$pid_d"
je_wait_gone 10 || fail "the two jails did not end"
ok "different users get different jails, and both end"

# ---- 100 parallel logins of one user: exactly one init ----
: >"$je_log"
pids=()
for i in $(seq 100); do
    start_held "p$i" "$je_user"
    eval "pids+=(\$pid_p$i)"
done
for i in $(seq 100); do wait_ready "p$i"; done
je_track "u$je_uid"
ids=$(for i in $(seq 100); do jail_id "p$i"; done | sort -u)
assert_eq 1 "$(echo "$ids" | wc -l)" "100 parallel sessions: jails"
assert_contains "$(status "u$je_uid")" "sessions=100" "100 sessions counted"
# the log lines arrive through a socket: wait for all 100 "opened" first
for _ in $(seq 100); do
    [ "$(grep -c "session opened: user=$je_user " "$je_log")" -ge 100 ] && break
    sleep 0.1
done
assert_eq 100 "$(grep -c "session opened: user=$je_user " "$je_log")" "100 'session opened' lines"
created=$(grep -c "jail created: user=$je_user " "$je_log")
assert_eq 1 "$created" "100 parallel sessions: jails created"
inits=$(for p in /proc/[0-9]*; do
    [ "$(readlink "$p/exe" 2>/dev/null)" = "$BUILD/jail-init" ] &&
        [ "$(readlink "$p/ns/pid")" = "$(readlink "$p/ns/pid_for_children")" ] &&
        grep -q "^NSpid:.*[[:space:]]1$" "$p/status" && echo "${p#/proc/}"
done | while read -r p; do
    [ "$(readlink /proc/$p/ns/net)" = "$(readlink /proc/"$(je_info "u$je_uid" init)"/ns/net)" ] && echo "$p"
done | wc -l)
assert_eq 1 "$inits" "processes that are PID 1 of this user's jail"
for i in $(seq 100); do echo go >&7; done
wait "${pids[@]}"
je_wait_gone 15 || fail "the jail did not end after 100 sessions"
ok "100 parallel sessions made exactly one jail, which ended after the last"
