#!/bin/bash
# What only a host with systemd shows: the jailed session is a logind
# session whose scope holds the sshd monitor and the jailed processes
# (pam_systemd ran before pam_jail and its work is intact), and the user's
# systemd --user (user@.service, PAM service systemd-user, which includes
# common-session-noninteractive) runs jailed or not at all.
. "$TESTS/vm/check-lib.sh"

uid=$(guest "id -u $JAILED_USER") || fail "no $JAILED_USER (30-login sets it up)"
client=$(open_background_session $JAILED_USER 240)
on_exit kill "$client"
pid=$(wait_guest_sleep $JAILED_USER 60 240) || fail "the jailed session did not start"

sessions=$(guest "loginctl list-sessions --no-legend")
echo "$sessions"
id=$(echo "$sessions" | awk -v u=$JAILED_USER '$3 == u { print $1 }' | tail -n 1)
[ -n "$id" ] || fail "loginctl lists no session of $JAILED_USER"
props=$(guest "loginctl show-session $id -p Scope -p State -p Service -p Leader -p Remote")
echo "$props"
assert_contains "$props" "Service=sshd" "session $id"
assert_contains "$props" "Scope=session-$id.scope" "session $id"
assert_contains "$props" "Remote=yes" "session $id"
state=$(echo "$props" | sed -n 's/^State=//p')
case $state in active | online) ;; *) fail "session $id is $state" ;; esac
leader=$(echo "$props" | sed -n 's/^Leader=//p')
assert_eq active "$(guest "systemctl is-active session-$id.scope")" "session-$id.scope"

scope="0::/user.slice/user-$uid.slice/session-$id.scope"
assert_eq "$scope" "$(guest "cat /proc/$leader/cgroup")" "cgroup of the sshd monitor (Leader $leader)"
assert_eq "$scope" "$(guest "cat /proc/$pid/cgroup")" "cgroup of the jailed sleep ($pid)"
assert_ne "$(guest "readlink /proc/1/ns/pid")" "$(guest "readlink /proc/$pid/ns/pid")" "pid namespace of the sleep"
status=$(guest "systemctl status --no-pager --lines=0 session-$id.scope")
echo "$status"
assert_contains "$status" "sleep 240" "systemctl status of the scope"
ok "session $id: scope intact, monitor and jailed processes in it"

# Where the jail's own processes live (reported, not asserted: the limits
# issue decides where jail-init belongs).
init=$(pam_jail_log | grep -F "session opened: user=$JAILED_USER" | tail -n 1 | sed -n 's/.* init=\([0-9]*\).*/\1/p')
if [ -n "$init" ]; then
	echo "jail-init $init: $(guest "cat /proc/$init/cgroup 2>/dev/null || echo gone")"
fi

# systemd --user: logind starts user@UID.service for the first session.
deadline=$((SECONDS + 90))
while :; do
	st=$(guest "systemctl show -p ActiveState --value user@$uid.service")
	case $st in activating | deactivating | reloading) ;; *) break ;; esac
	[ $SECONDS -lt $deadline ] || break
	sleep 2
done
echo "user@$uid.service: $st"
guest "journalctl -b -o cat --no-pager -u user@$uid.service | tail -n 15"
if [ "$st" = active ]; then
	main=$(guest "systemctl show -p MainPID --value user@$uid.service")
	[ -n "$main" ] && [ "$main" != 0 ] || fail "user@$uid.service active without a main PID"
	for n in mnt pid; do
		assert_ne "$(guest "readlink /proc/1/ns/$n")" "$(guest "readlink /proc/$main/ns/$n")" \
			"$n namespace of systemd --user ($main)"
	done
	ok "systemd --user runs jailed"
else
	# Not running is the other acceptable outcome; running unjailed is not.
	stray=$(guest "pgrep -u $JAILED_USER -x systemd || true")
	for p in $stray; do
		assert_ne "$(guest "readlink /proc/1/ns/mnt")" "$(guest "readlink /proc/$p/ns/mnt")" \
			"mount namespace of a systemd --user ($p)"
	done
	ok "systemd --user does not run ($st)"
fi
