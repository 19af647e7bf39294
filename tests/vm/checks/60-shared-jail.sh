#!/bin/bash
# Two sessions of one user share one jail; ending the FIRST of them (the one
# whose login created the jail) the systemd way must leave the jail to the
# other. On a systemd host, logind can end a session by killing its scope
# (`loginctl terminate-session`, KillUserProcesses=yes at logout): if
# jail-init lived in the creating session's scope it would die with it and
# take the other session's jail along. The jail's processes need a cgroup
# of their own: the keeper's transient scope in pam_jail.slice (issue #7),
# while the sessions' processes stay in their logind scopes.
. "$TESTS/vm/check-lib.sh"

guest "id $JAILED_USER" >/dev/null || fail "no $JAILED_USER (30-login sets it up)"
first=$(open_background_session $JAILED_USER 241)
on_exit kill "$first"
pid1=$(wait_guest_sleep $JAILED_USER 60 241) || fail "the first session did not start"
second=$(open_background_session $JAILED_USER 242)
on_exit kill "$second"
pid2=$(wait_guest_sleep $JAILED_USER 60 242) || fail "the second session did not start"
assert_eq "$(guest "readlink /proc/$pid1/ns/pid")" "$(guest "readlink /proc/$pid2/ns/pid")" \
	"pid namespaces of the two sessions (one shared jail)"

init=$(pam_jail_log | grep -F "session opened: user=$JAILED_USER" | tail -n 1 | sed -n 's/.* init=\([0-9]*\).*/\1/p')
[ -n "$init" ] || fail "no jail-init PID in the journal"
init_cg=$(guest "cat /proc/$init/cgroup")
echo "jail-init $init: $init_cg"
case $init_cg in
0::/pam_jail.slice/pam_jail-*.scope) ;;
*) fail "jail-init is in $init_cg, not in a scope of its own in pam_jail.slice" ;;
esac
unit=${init_cg##*/}
s1=$(guest "cat /proc/$pid1/cgroup" | sed -n 's|.*/session-\([0-9]*\)\.scope$|\1|p')
[ -n "$s1" ] || fail "the first session's process is in no session scope"

guest "loginctl terminate-session $s1" || fail "loginctl terminate-session $s1"
deadline=$((SECONDS + 30))
while guest "test -d /proc/$pid1"; do
	[ $SECONDS -lt $deadline ] || fail "session $s1 still runs 30 s after terminate-session"
	sleep 1
done
sleep 2
guest "test -d /proc/$pid2" || fail "ending session $s1 killed the other session's jailed process (jail-init was in session-$s1.scope: $(guest "cat /proc/$init/cgroup 2>/dev/null || echo gone"))"
guest "test -d /proc/$init" || fail "ending session $s1 ended the jail another session still uses"
assert_eq active "$(guest "systemctl is-active $unit")" "$unit after session $s1 ended"
ok "the jail outlived the session that created it"

# The other session still works in the jail, and ending it ends the jail
# and its scope.
s2=$(guest "cat /proc/$pid2/cgroup" | sed -n 's|.*/session-\([0-9]*\)\.scope$|\1|p')
[ -n "$s2" ] || fail "the second session's process is in no session scope"
assert_eq active "$(guest "systemctl is-active session-$s2.scope")" "session-$s2.scope"
kill "$second"
deadline=$((SECONDS + 60))
while guest "test -d /proc/$init"; do
	[ $SECONDS -lt $deadline ] || fail "the jail still runs 60 s after its last session ended"
	sleep 2
done
deadline=$((SECONDS + 30))
until [ "$(guest "systemctl show -p LoadState --value $unit")" = not-found ]; do
	[ $SECONDS -lt $deadline ] || fail "$unit is still loaded after the jail ended"
	sleep 2
done
ok "the jail ended with its last session, and $unit with it"
