#!/bin/bash
# Lifetimes and the registry: a stale entry (keeper killed) is cleaned up
# and never joined; lifetime "session" gives each session its own jail;
# "keep" outlives the last session until its idle limit; STOP ends a jail
# with sessions in it.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_service
key=u$je_uid

mkfifo "$je/hold"
exec 7<>"$je/hold"
hold='grep "^id=" /run/pam_jail/jail; echo READY; read -r _'
start_held() { # name
    (exec "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$je_user" -- sh -c "$hold") \
        <"$je/hold" >"$je/$1.out" 2>"$je/$1.err" &
    eval "pid_$1=$!"
    for _ in $(seq 100); do grep -q READY "$je/$1.out" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$je/$1.out" || { cat "$je/$1.err"; fail "session $1 did not come up"; }
}
jail_id() { sed -n 's/^id=//p' "$je/$1.out"; }
control() { # key request
    python3 - "$je/state/jails/$1/control" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
print(s.recv(4096).decode())
PY
}

# ---- stale entry: the keeper dies (its jail dies with it: PDEATHSIG) ----
je_default_policy
start_held a
je_track "$key"
old_id=$(jail_id a)
old_init=$(je_info "$key" init)
kill -9 "$(je_info "$key" keeper)"
for _ in $(seq 50); do je_dead "$old_init" && break; sleep 0.1; done
je_dead "$old_init" || fail "the jail init outlived its keeper"
[ -d "$je/state/jails/$key" ] || fail "expected a stale registry entry to be left"
start_held b
je_track "$key"
assert_ne "$old_id" "$(jail_id b)" "a stale entry is replaced, never joined"
assert_eq "$(jail_id b)" "$(je_info "$key" id)" "the registry names the new jail"
echo go >&7 # only b: a's command died with its jail
wait "$pid_a" "$pid_b"
je_wait_gone 10 || fail "jails left after the stale-entry test"
ok "a dead keeper's entry is cleaned up and a new jail made"

# ---- lifetime session: one jail per session ----
je_default_policy 'lifetime = { mode = "session"; };'
start_held c
start_held d
for k in $(je_jails); do je_track "$k"; done
assert_ne "$(jail_id c)" "$(jail_id d)" "lifetime session: two sessions, two jails"
assert_eq 2 "$(je_jails | grep -c "^u$je_uid-s")" "lifetime session: two registry entries: $(je_jails)"
echo go >&7
echo go >&7
wait "$pid_c" "$pid_d"
je_wait_gone 10 || fail "per-session jails left"
assert_eq "" "$(ls "$je/state/locks" | grep -- "-s")" "per-session lock files left"
ok "lifetime session: a fresh jail per session, each gone with it (and its lock file)"

# ---- lifetime keep: survives logout until idle ----
# The idle limit leaves room for a loaded machine between the logout and
# the STATUS below (2 s was shorter than starting python3 under load).
je_default_policy 'lifetime = { mode = "keep"; idle = "15s"; };'
start_held e
je_track "$key"
echo go >&7
wait "$pid_e"
[ -d "$je/state/jails/$key" ] || fail "lifetime keep: the jail ended with its session"
assert_contains "$(control "$key" STATUS)" "sessions=0" "lifetime keep: kept with no session"
start_held f
assert_eq "$(jail_id e)" "$(jail_id f)" "lifetime keep: the next login joins the kept jail"
echo go >&7
wait "$pid_f"
je_wait_gone 60 || fail "lifetime keep: the idle limit did not end the jail"
je_wait_log "reason=idle timeout" || fail "no 'idle timeout' line"
ok "lifetime keep: kept after logout, joined again, ended when idle"

# ---- STOP ends a jail that has a session ----
je_default_policy
start_held g
je_track "$key"
assert_contains "$(control "$key" BOGUS)" "ERR BADREQ unknown request" "unknown request"
assert_eq "OK stopped" "$(control "$key" STOP)" "STOP"
[ -z "$(je_jails)" ] || fail "STOP answered before the entry was gone"
wait "$pid_g"
je_wait_gone 10 || fail "STOP left something"
je_wait_log "reason=stopped by the administrator" || fail "no 'stopped' line"
ok "STOP ends the jail and its sessions, then answers"

# ---- a login that meets a stopping jail gets a new one, not an error ----
# The test holds the key's lock, so the keeper cannot finish its STOP; the
# login queues behind the lock, then finds the jail ending, lets the keeper
# finish, and makes a new jail.
start_held h
je_track "$key"
exec 8>>"$je/state/locks/$key.lock"
flock -x 8 || fail "flock"
control "$key" STOP >"$je/stop.out" 8>&- &
stopper=$!
# No blind sleeps (a slow or loaded machine loses those races): wait until
# the keeper has taken the STOP (it keeps serving while it waits for the
# lock, and its STATUS says stopping=1) ...
for _ in $(seq 100); do
    [[ $(control "$key" STATUS 8>&-) == *" stopping=1"* ]] && break
    sleep 0.1
done
[[ $(control "$key" STATUS 8>&-) == *" stopping=1"* ]] || fail "the keeper did not take the STOP"
(exec "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$je_user" -- sh -c "$hold") \
    <"$je/hold" >"$je/i.out" 2>"$je/i.err" 8>&- &
pid_i=$!
# ... and until the login waits for the key's lock: it has the lock file
# open (the wait is a bounded retry of a non-blocking flock, lib/bounded.c,
# so /proc/locks shows no blocked waiter), and we hold the lock.
login_has_lock_file() {
    local f
    for f in /proc/$pid_i/fd/*; do
        [ "$(readlink "$f" 2>/dev/null)" = "$je/state/locks/$key.lock" ] && return 0
    done
    return 1
}
for _ in $(seq 300); do
    login_has_lock_file && break
    sleep 0.1
done
login_has_lock_file || fail "the login never waited for the lock"
exec 8>&- # release: the login goes first (it was waiting), meets the ending jail
for _ in $(seq 100); do grep -q READY "$je/i.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/i.out" || { cat "$je/i.err"; grep -v '<86>' "$je_log" | tail -6; cat "$je/i.out"; fail "the login during STOP failed"; }
wait "$stopper"
assert_eq "OK stopped" "$(cat "$je/stop.out")" "STOP answered"
assert_ne "$(jail_id h)" "$(jail_id i)" "the login during STOP got a new jail"
je_track "$key"
echo go >&7
wait "$pid_h" "$pid_i"
je_wait_gone 10 || fail "jails left after the STOP race"
ok "a login during STOP waits for the old jail to end and gets a new one"
