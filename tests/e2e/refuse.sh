#!/bin/bash
# A jail that cannot be built refuses the login (fail closed): sshd keeps
# the connection but runs nothing, so ssh exits 254 (DESIGN.md fact 6);
# sshd logs the failed pam_open_session and pam_jail logs why; nothing is
# left behind.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

e2e_standard_setup
GC=$(uniq_name gc)
e2e_group "$GC"
UC=$(uniq_name uc) UD=$(uniq_name ud)
e2e_user "$UC" "$GC"
e2e_user "$UD"

# A prepared jail root that is writable by its group: whoever is in that
# group could plant files in every jail, so pam_jail must refuse it.
bad=$E2E/badroot
mkdir -m 0755 "$bad"
for d in bin etc usr; do mkdir -m 0755 "$bad/$d"; done
chmod 0775 "$bad"
chgrp "$GC" "$bad"
missing=$E2E/no-such-root

e2e_standard_policy "
	broken = { root = { type = \"tree\"; path = \"$bad\"; }; };
	gone = { root = { type = \"tree\"; path = \"$missing\"; }; };" "
	{ group = \"$GC\"; profile = \"broken\"; },
	{ user = \"$UD\"; profile = \"gone\"; },"
# pam_jail reads the policy at each session: the running sshd uses this one.

refused() { # user what expected-in-log
	local user=$1 what=$2 needle=$3 out rc before
	before=$(grep -c 'PAM: pam_open_session(): ' "${SSHD_LOG[main]}")
	# The command's output is computed, so no other text can contain it
	# (a stock sshd stack's pam_motd, which runs after pam_jail, still
	# prints the host's motd on a refused login: "WARRANTY" holds "RAN").
	out=$(e2e_ssh "$user@main" 'echo "ran-$((6 * 7))"' 2>&1)
	rc=$?
	assert_eq 254 "$rc" "$what: exit status of a refused login"
	assert_not_contains "$out" ran-42 "$what: a command ran"
	out=$(e2e_ssh -tt "$user@main" 'echo "ran-$((6 * 7))"' 2>&1 </dev/null)
	rc=$?
	assert_eq 254 "$rc" "$what: exit status of a refused login with a tty"
	assert_not_contains "$out" ran-42 "$what: a command ran (tty)"
	sshd_refusals() { [ "$(grep -c 'PAM: pam_open_session(): ' "${SSHD_LOG[main]}")" -ge $((before + 2)) ]; }
	wait_for 10 sshd_refusals ||
		fail "$what: sshd did not log the failed pam_open_session twice"
	wait_for 10 e2e_syslog_grep "$user" >/dev/null ||
		fail "$what: pam_jail logged nothing about $user"
	line=$(e2e_syslog_grep "$user" | grep -F pam_jail | tail -n 1)
	echo "log: $line"
	assert_contains "$line" "$needle" "$what: the log line names the cause"
	assert_eq "" "$(e2e_jail_keys)" "$what: registry entries left"
	no_procs() { [ -z "$(pgrep -u "$user")" ]; }
	wait_for 10 no_procs || fail "$what: processes of $user left: $(pgrep -a -u "$user")"
	ok "$what: refused with 254 and a log line"
}

refused "$UC" "group-writable jail root" "$bad"
refused "$UD" "missing jail root" "$missing"

# The others still log in: one broken profile refuses only its own users.
assert_eq "jail-$UA" "$(e2e_ssh "$UA@main" hostname)" "$UA still jailed"
e2e_wait_no_jails
