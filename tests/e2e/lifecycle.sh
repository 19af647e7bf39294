#!/bin/bash
# Jail lifetime through real logins: 20 parallel logins of one user land in
# one jail; when they have all logged out nothing is left (no init, keeper,
# process, mount, namespace or registry entry); a session whose sshd monitor
# is SIGKILLed is counted out, and the jail ends with its last session.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

e2e_standard_setup
sshd_pid=${SSHD_PID[main]}
c=$E2E/client
n=20
# The system sshd keeps its stock MaxStartups (10:30:100): beyond 10
# connections still authenticating it drops new ones at random, and under
# emulation (the VM tier) authenticating is slow. Stay below it.
! e2e_system_sshd || n=8

# The mount points of sshd's namespace (mount ID, parent, point), but for
# logind's /run/user/UID: those come and go with other users' sessions,
# also a previous test's, a few seconds after their last logout.
sshd_mounts() {
	awk '$5 !~ "^/run/user/" { print $5 }' "/proc/$sshd_pid/mountinfo" | sort
}
sshd_mounts >"$E2E/mounts.before"

# Each session marks its arrival in the jail's /tmp, waits until all n have
# arrived (a barrier: they can only all see n if they share one /tmp, i.e.
# one jail), reports, and then waits for the test to let it go.
cat >"$c/barrier.sh" <<EOF
touch /tmp/arrived.\$\$.\$RANDOM
for i in \$(seq 600); do
	k=\$(ls /tmp | grep -c '^arrived\\.')
	[ "\$k" -ge $n ] && break
	sleep 0.1
done
echo "count=\$k id=\$(sed -n 's/^id=//p' /run/pam_jail/jail) pidns=\$(readlink /proc/self/ns/pid)"
for i in \$(seq 600); do [ -e /tmp/release ] && exit 0; sleep 0.1; done
exit 9
EOF
pids=()
for i in $(seq $n); do
	ssh -F "$E2E_SSH_CONFIG" "$UA@main" 'bash -s' <"$c/barrier.sh" >"$c/par.$i.out" 2>&1 &
	pids+=($!)
	on_exit "kill ${pids[-1]}"
done
all_reported() { [ "$(cat "$c"/par.*.out | grep -c '^count=')" -eq $n ]; }
wait_for 120 all_reported || { tail -n 3 "$c"/par.*.out; fail "not all $n sessions reported"; }

# Every session saw all n arrivals, one jail id, one PID namespace.
reports=$(cat "$c"/par.*.out | grep '^count=' | sort -u)
assert_eq 1 "$(wc -l <<<"$reports")" "distinct reports of $n sessions"
assert_contains "$reports" "count=$n " "arrivals seen by each session"
keys=$(e2e_jail_keys)
assert_eq 1 "$(wc -l <<<"$keys")" "jails registered for $n sessions"
keeper=$(e2e_jail_info "$keys" keeper)
init=$(e2e_jail_info "$keys" init)
[ -n "$keeper" ] && [ -n "$init" ] || fail "registry info: $(cat "$E2E_STATE/jails/$keys/info")"
assert_contains "$reports" "$(readlink "/proc/$init/ns/pid")" "the sessions' PID namespace is the init's"
jail_ns=$(e2e_ns_of "$init" | grep -E '^(mnt|pid|net|ipc|uts)=')
[ "$(grep -c . <<<"$jail_ns")" -eq 5 ] || fail "jail namespaces: $jail_ns"
holders() { # processes still in one of the jail's namespaces
	find /proc/[0-9]*/ns -maxdepth 1 -type l -printf '%h %l\n' 2>/dev/null |
		grep -F "$(cut -d= -f2 <<<"$jail_ns")" | sed 's|/ns .*||'
	return 0
}
grep -qx "/proc/$init" <(holders) || fail "holders() does not see the live jail's init"
ok "$n parallel logins share one jail"

# Let them all go.
touch "/proc/$init/root/tmp/release"
for p in "${pids[@]}"; do
	wait "$p" || fail "a session ended with $?"
done

# Nothing is left.
e2e_wait_no_jails
wait_for 30 proc_gone "$init" || fail "jail init $init still runs"
wait_for 30 proc_gone "$keeper" || fail "keeper $keeper still runs"
no_user_procs() { [ -z "$(pgrep -u "$UA")" ]; }
wait_for 30 no_user_procs || fail "processes of $UA left: $(pgrep -a -u "$UA")"
no_holders() { [ -z "$(holders)" ]; }
wait_for 30 no_holders || fail "processes in the jail's namespaces: $(holders | sort -u)"
# The keeper lives in sshd's (private) mount namespace and the test in the
# host's: a mount leaking out of the jail would show in one of them. (Other
# tests may mount things on the host meanwhile: look for this user's only.)
# A mount leaked by a jail would stay: no mount point may be there that
# was not there before (one gone is another test's logind cleanup).
new_mounts() { sshd_mounts | comm -13 "$E2E/mounts.before" -; }
no_new_mounts() { [ -z "$(new_mounts)" ]; }
wait_for 30 no_new_mounts || fail "mounts left in sshd's namespace: $(new_mounts | tr '\n' ' ')"
assert_eq "" "$(grep -F "/home/$UA" /proc/self/mountinfo)" "mounts of $UA's home on the host"
ok "after the last logout nothing is left"

# --- A SIGKILLed sshd monitor counts as a logout.
e2e_hold "$UA@main"
h1_pid=$HELD_PID
e2e_hold "$UA@main"
h2_pid=$HELD_PID
key=$(e2e_jail_keys)
init=$(e2e_jail_info "$key" init)
keeper=$(e2e_jail_info "$key" keeper)
mapfile -t monitors < <(sshd_monitors main "$UA")
assert_eq 2 "${#monitors[@]}" "sshd monitors of the two held sessions"

sessions_left() { e2e_jail_status "$key" | grep -qw "sessions=$1"; }
sessions_left 2 || fail "two held sessions: $(e2e_jail_status "$key")"

kill -KILL "${monitors[0]}"
# The keeper counts the dead monitor out; with one session left the jail
# must stay. Wait until it has been counted, then check the jail lives.
wait_for 30 sessions_left 1 || fail "keeper did not count the killed session out: $(e2e_jail_status "$key")"
proc_gone "$init" && fail "jail ended while a session was still open"
assert_eq "jail-$UA" "$(e2e_ssh "$UA@main" hostname)" "the jail still serves logins"
ok "a killed monitor is counted out; the jail stays for the other session"

kill -KILL "${monitors[1]}"
e2e_wait_no_jails
wait_for 30 proc_gone "$init" || fail "jail init $init still runs after the last monitor died"
wait_for 30 proc_gone "$keeper" || fail "keeper $keeper still runs"
wait_for 30 proc_gone "$h1_pid" || fail "ssh client of the first killed session still runs"
wait_for 30 proc_gone "$h2_pid" || fail "ssh client of the last killed session still runs"
wait_for 30 no_user_procs || fail "processes of $UA left: $(pgrep -a -u "$UA")"
ok "killing the last session's monitor ends the jail"
