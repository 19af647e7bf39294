#!/bin/bash
# One user cannot take a whole address pool (issue 17, item 1): with
# lifetime "session" every login is a jail and a lease, and
# lifetime.max_jails caps the live jails of one user. User A opens as many
# sessions as the cap allows; the next one is refused with a log line that
# names A (and no lease is taken for it); user B still gets in; once one of
# A's sessions ends, A gets in again.
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"

cap=2
je_default_policy "lifetime = { mode = \"session\"; max_jails = $cap; };
    network = { mode = \"bridge\"; bridge = \"pjcap0\"; pool4 = \"10.213.5.0/29\";
    gateway4 = \"10.213.5.1\"; };"
je_service
user_b=$(uniq_name b)
make_user "$user_b" -G "$je_group" || fail "useradd $user_b"
uid_a=$je_uid
hold='echo READY; read -r _'

# per-session keys ("u<uid>-s<hex>"): remember every jail's processes
track_all() { local k; for k in $(je_jails); do je_track "$k"; done; }
jails_of() { je_jails | grep -c "^u$1-s"; }
leases() { ls "$je/state/net" 2>/dev/null | grep -c ^ip4-; }

for i in $(seq "$cap"); do net_hold "a$i" "$je_user" "$hold"; done
track_all
assert_eq "$cap" "$(jails_of "$uid_a")" "user A's sessions, a jail each"
ok "user A holds $cap sessions, as many as lifetime.max_jails allows"

HOME=/home/$je_user je_session -U "$je_user" -- true >"$je/over.out" 2>&1
assert_eq 10 "$?" "user A's session number $((cap + 1)) must be refused"
line="session refused: user=$je_user profile=student: user '$je_user' already has $cap live jails, as many as lifetime.max_jails allows"
je_wait_log "$line" || { tail -5 "$je_log"; fail "no log line naming user A and the cap"; }
grep -F "live jails" "$je_log" | grep -qF "$user_b" && fail "the refusal names another user"
assert_eq "$cap" "$(jails_of "$uid_a")" "the refused login made no jail"
assert_eq "$cap" "$(leases)" "the refused login took no address"
metric='pam_jail_refused_sessions_total{reason="max_jails"}'
assert_contains "$("$BUILD/jailctl" metrics --statedir "$je/state" --config "$je/etc/jail.conf")" \
    "$metric 1" "the refusal counted under its own reason"
ok "session $((cap + 1)) of user A is refused, the log names user A and the cap"

net_hold b1 "$user_b" "$hold"
track_all
assert_eq 1 "$(jails_of "$(id -u "$user_b")")" "user B's jail"
ok "user B still gets in (another address of the same pool)"

# A's jail that ends gives its place back
net_release a1
for _ in $(seq 100); do [ "$(jails_of "$uid_a")" -lt "$cap" ] && break; sleep 0.1; done
HOME=/home/$je_user je_session -U "$je_user" -- true >"$je/again.out" 2>&1 ||
    { cat "$je/again.out"; tail -3 "$je_log"; fail "user A's login after one of its jails ended"; }
ok "after one of A's sessions ends, A gets in again"

for n in $(seq 2 "$cap"); do net_release "a$n"; done
net_release b1
je_wait_gone 15 || fail "jails did not end"
net_wait_leases || fail "leases left"
ok "no jail or lease left"
