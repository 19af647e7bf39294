#!/bin/bash
# jailctl list / enter / stop against real jails: list shows the jail with its
# sessions and processes; enter runs a command in the jail's namespaces (and
# refuses unknown users); stop ends the jail before it returns; a stale entry
# (keeper killed) is listed as stale and removed by stop; non-root is refused.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_default_policy
je_service
ctl() { "$BUILD/jailctl" "$1" --statedir "$je/state" "${@:2}"; }

mkfifo "$je/hold"
exec 7<>"$je/hold"
"$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$je_user" -- \
    sh -c 'echo READY; read -r _' <"$je/hold" >"$je/s.out" 2>"$je/s.err" &
session=$!
for _ in $(seq 300); do grep -q READY "$je/s.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/s.out" || { cat "$je/s.err"; fail "the session did not come up"; }
key=u$je_uid
je_track "$key"
init=$(je_info "$key" init)

# ---- list ----
out=$(ctl list) || fail "jailctl list failed: $out"
line=$(grep " $key\$" <<<"$out") || fail "jailctl list does not show $key: $out"
read -r l_user l_profile l_sessions l_init _ _ l_procs _ <<<"$line"
assert_eq "$je_user" "$l_user" "list: user"
assert_eq student "$l_profile" "list: profile"
assert_eq 1 "$l_sessions" "list: sessions"
assert_eq "$init" "$l_init" "list: init PID"
[ "$l_procs" -ge 2 ] || fail "list: expected init + the session's shell, got '$l_procs' processes"
ok "list: $line"

# ---- enter ----
assert_eq "jail-$je_user" "$(ctl enter "$je_user" -- /bin/hostname)" "enter: hostname"
# options after USER too, as the usage line shows them
assert_eq "jail-$je_user" "$("$BUILD/jailctl" enter "$je_user" --statedir "$je/state" -- /bin/hostname)" \
    "enter USER --statedir DIR -- CMD"
inside=$(ctl enter "$je_user" -- /bin/readlink /proc/self/ns/net)
assert_eq "$(readlink "/proc/$init/ns/net")" "$inside" "enter: the jail's network namespace"
assert_ne "$(readlink /proc/self/ns/net)" "$inside" "enter: not the host's"
# PID 1 there is the jail's init: the command sees the jail's /proc
assert_eq 1 "$(ctl enter "$je_user" -- /bin/sh -c 'ps -o pid= -p 1 | tr -d " "')" "enter: PID 1"
ctl enter "$je_user" -- /bin/sh -c 'exit 7'
rc=$?
assert_eq 7 "$rc" "enter: the command's exit status"
out=$(ctl enter nosuchuser-pj 2>&1) && fail "enter of a user without a jail succeeded"
assert_contains "$out" "has no running jail" "enter: unknown user"
out=$(ctl enter "$je_user" -- hostname 2>&1); rc=$?
assert_eq 2 "$rc" "enter: relative command is a usage error"
assert_contains "$(ctl list)" " 1 " "enter is not counted as a session"
ok "enter runs commands inside the jail"

# ---- not root ----
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/jailctl" list 2>&1) &&
    fail "jailctl list as nobody succeeded"
assert_contains "$out" "only be seen by root" "non-root refused"

# ---- stop: returns after the jail has ended ----
out=$(ctl stop "$je_user") || fail "jailctl stop failed: $out"
assert_contains "$out" "stopped $key" "stop: what it did"
je_dead "$init" || fail "stop returned while the jail's init ($init) still runs"
[ -z "$(je_jails)" ] || fail "stop left the registry entry: $(je_jails)"
wait "$session"
ok "stop ended the jail before returning"
out=$(ctl stop "$je_user" 2>&1) && fail "stop of a user without a jail succeeded"
assert_contains "$out" "has no running jail" "stop: nothing to stop"

# ---- a stale entry: the keeper is killed, the entry stays until cleaned ----
"$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$je_user" -- \
    sh -c 'echo READY; read -r _' <"$je/hold" >"$je/t.out" 2>"$je/t.err" &
session=$!
for _ in $(seq 300); do grep -q READY "$je/t.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/t.out" || { cat "$je/t.err"; fail "the second session did not come up"; }
je_track "$key"
keeper=$(je_info "$key" keeper)
init=$(je_info "$key" init)
kill -9 "$keeper"
for _ in $(seq 100); do je_dead "$init" && break; sleep 0.1; done
je_dead "$init" || fail "the jail outlived its keeper"
line=$(ctl list | grep " $key\$") || fail "the stale entry is not listed"
assert_contains "$line" "stale" "list marks a dead keeper's entry stale"
out=$(ctl stop "$je_user") || fail "stop of a stale entry failed: $out"
assert_contains "$out" "removed stale $key" "stop cleans a stale entry"
[ -z "$(je_jails)" ] || fail "stale entry left: $(je_jails)"
echo >&7
wait "$session" 2>/dev/null
ok "a stale entry is listed as such and removed by stop"
