#!/bin/bash
# Two sessions of one user share one jail; ending the FIRST of them (the one
# whose login created the jail) the systemd way must leave the jail to the
# other. On a systemd host, logind can end a session by killing its scope
# (`loginctl terminate-session`, KillUserProcesses=yes at logout): if
# jail-init lived in the creating session's scope it would die with it and
# take the other session's jail along. The jail's processes need a cgroup
# of their own (issue #7: a transient unit, so logind's tracking stays intact).
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
echo "jail-init $init: $(guest "cat /proc/$init/cgroup")"
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
ok "the jail outlived the session that created it"
