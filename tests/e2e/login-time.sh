#!/bin/bash
# What pam_jail adds to `ssh host true`: medians of N logins of each kind,
# interleaved, against two sshd instances of this run that differ only in
# pam_jail being the last session line or not. Fails only if a login fails
# or lands where it should not; the figures are printed for the record.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

n=${E2E_LOGIN_TIME_N:-20}
e2e_standard_setup
sshd_start plain plain

assert_eq "jail-$UA" "$(e2e_ssh "$UA@main" hostname)" "$UA on main is jailed"
assert_eq "$(hostname)" "$(e2e_ssh "$UN@plain" hostname)" "$UN on plain is not"
assert_eq "$(hostname)" "$(e2e_ssh "$UN@main" hostname)" "$UN on main is not"
e2e_wait_no_jails

# Milliseconds one `ssh USER@INST true` takes, appended to FILE.
timed() { # file user@inst
	local t0 t1
	t0=$EPOCHREALTIME
	e2e_ssh "$2" true || fail "ssh $2 true failed"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >>"$1"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

t=$E2E/client/times
for i in $(seq "$n"); do
	timed "$t.plain" "$UN@plain"
	timed "$t.ignored" "$UN@main"
	timed "$t.create" "$UA@main"
	# The jail ends off the login's path; wait for it so that every
	# jailed login above builds a jail of its own.
	e2e_wait_no_jails
done

# Joining a jail that is already there: keep one session open.
e2e_hold "$UA@main"
held_pid=$HELD_PID held_fd=$HELD_FD
for i in $(seq "$n"); do
	timed "$t.plain2" "$UN@plain"
	timed "$t.join" "$UA@main"
done
assert_eq 1 "$(e2e_jail_keys | wc -l)" "jails while joining"
e2e_release "$held_pid" "$held_fd"
e2e_wait_no_jails

cat <<REPORT
ssh USER@127.0.0.1 true, median of $n each (ms), same run, interleaved:
  no pam_jail in the stack (plain sshd, bash):       $(median "$t.plain")
  pam_jail last, user not jailed (policy only):      $(median "$t.ignored")
  pam_jail last, jailed, new jail (create + jailsh): $(median "$t.create")
  no pam_jail, second series:                        $(median "$t.plain2")
  pam_jail last, jailed, joining a live jail:        $(median "$t.join")
REPORT
