#!/bin/bash
# What only a host with systemd shows: the jailed session is a logind
# session whose scope holds the sshd monitor and the jailed processes
# (pam_systemd ran before pam_jail and its work is intact); the user's
# systemd --user (user@.service, PAM service systemd-user, which includes
# common-session-noninteractive) is skipped (the package's ExecCondition=) or,
# without that, refused by pam_jail, each with one log line,
# and never runs, while an unjailed user's runs as usual; the jailed
# session's XDG_RUNTIME_DIR is the jail's own (docs/pam_jail.8, USER MANAGER).
. "$TESTS/vm/check-lib.sh"

uid=$(guest "id -u $JAILED_USER") || fail "no $JAILED_USER (30-login sets it up)"
# logind starts user@UID.service for a user's first session only: wait
# until the sessions of the earlier checks are gone and logind has let the
# user go (UserStopDelaySec, 10 s), so this login starts it afresh.
deadline=$((SECONDS + 90))
until [ -z "$(guest "loginctl list-users --no-legend | awk '\$1 == $uid'")" ]; do
	[ $SECONDS -lt $deadline ] || fail "logind still tracks $JAILED_USER: $(guest "loginctl list-users --no-legend")"
	sleep 2
done
since=$(guest 'date +%s')
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

# systemd --user: logind started user@UID.service for this first session
# (pam_systemd waits for that job before sshd goes on). The package's
# drop-in (user@.service.d/pam-jail.conf) asks `jailctl user-manager UID`
# as ExecCondition=: the policy jails the user, so the unit is skipped, not
# failed, with jailctl's one line, and no PAM session is ever opened for it.
settle_unit() { # unit: wait while it is changing state
	local deadline=$((SECONDS + 90)) st
	while :; do
		st=$(guest "systemctl show -p ActiveState --value $1")
		case $st in activating | deactivating | reloading) ;; *) return 0 ;; esac
		[ $SECONDS -lt $deadline ] || return 1
		sleep 2
	done
}
settle_unit user@$uid.service
unit=$(guest "systemctl show -p ActiveState -p Result -p ConditionResult user@$uid.service")
echo "user@$uid.service: $(echo $unit)"
journal=$(guest "journalctl --since @$since -o cat --no-pager -u user@$uid.service")
echo "$journal"
assert_contains "$unit" "ActiveState=inactive" "user@$uid.service"
assert_contains "$unit" "Result=exec-condition" "user@$uid.service"
assert_contains "$unit" "ConditionResult=no" "user@$uid.service"
assert_ne failed "$(guest "systemctl is-failed user@$uid.service")" "user@$uid.service is not failed"
line="user=$JAILED_USER profile=$JAILED_PROFILE: jailed, so no systemd --user (pam_jail(8), USER MANAGER)"
assert_eq 1 "$(echo "$journal" | grep -cxF "$line")" "jailctl's one line in the unit's journal"
log=$(guest "journalctl --since @$since -o cat --no-pager | grep -F 'pam_jail(' || true")
echo "$log"
assert_not_contains "$log" "pam_jail(systemd-user:session)" "a PAM session of the user manager"
assert_contains "$log" "pam_jail(sshd:session): session opened: user=$JAILED_USER profile=$JAILED_PROFILE" \
	"the sshd session is jailed"
host_mnt=$(guest "readlink /proc/1/ns/mnt")
for p in $(guest "pgrep -u $JAILED_USER || true"); do
	mnt=$(guest "readlink /proc/$p/ns/mnt 2>/dev/null || echo gone")
	[ "$mnt" = gone ] && continue
	assert_ne "$host_mnt" "$mnt" "mount namespace of $JAILED_USER's process $p ($(guest "cat /proc/$p/comm"))"
done
assert_eq "" "$(guest "pgrep -u $JAILED_USER -x systemd || true")" "a systemd --user of $JAILED_USER"
ok "systemd --user skipped for $JAILED_USER: $(echo $unit), one journal line"

# Without the condition (a host without the drop-in, or with ExecCondition=
# reset), pam_jail itself refuses the user manager's PAM session: the unit
# fails at PAM with pam_jail's one line, and nothing is built or run.
dropin=/run/systemd/system/user@$uid.service.d
restore_condition() {
	guest "rm -rf $dropin && systemctl daemon-reload && systemctl reset-failed user@$uid.service"
}
on_exit restore_condition
guest "mkdir -p $dropin && printf '[Service]\nExecCondition=\n' >$dropin/zz-pjvm-no-condition.conf && systemctl daemon-reload" ||
	fail "resetting ExecCondition="
since2=$(guest 'date +%s')
guest "systemctl start user@$uid.service" && fail "user@$uid.service started without the condition"
settle_unit user@$uid.service
unit=$(guest "systemctl show -p ActiveState -p Result -p ExecMainStatus user@$uid.service")
echo "user@$uid.service without the condition: $(echo $unit)"
journal=$(guest "journalctl --since @$since2 -o cat --no-pager -u user@$uid.service")
echo "$journal"
assert_contains "$unit" "ActiveState=failed" "user@$uid.service without the condition"
# 224 is systemd's EXIT_PAM: the exec child stopped at pam_open_session,
# before it could exec anything (without this refusal it was 203/EXEC, the
# session jailed but systemd unable to check its binary through the jail's
# /proc/self).
assert_contains "$unit" "ExecMainStatus=224" "user@$uid.service without the condition (224 = EXIT_PAM)"
assert_contains "$journal" "Failed to set up PAM session" "the unit's journal"
usermgr=$(guest "journalctl --since @$since2 -o cat --no-pager | grep -F 'pam_jail(' || true")
assert_eq "pam_jail(systemd-user:session): session refused: user=$JAILED_USER profile=$JAILED_PROFILE: systemd --user is not run for jailed users (PAM service systemd-user)" \
	"$usermgr" "pam_jail's one line for the user manager"
assert_eq "" "$(guest "pgrep -u $JAILED_USER -x systemd || true")" "a systemd --user of $JAILED_USER"
restore_condition || fail "restoring the condition"
ok "without the condition, pam_jail refuses it: $(echo $unit), one journal line"

# Inside the jailed session: XDG_RUNTIME_DIR (pam_systemd's /run/user/UID)
# is the jail's own, empty directory, not logind's; no user manager or
# user bus is reachable from it.
guest "test -d /run/user/$uid" || fail "logind made no /run/user/$uid on the host"
host_rt=$(guest "stat -c '%d:%i' /run/user/$uid")
out=$(vm_ssh_as $JAILED_USER "$USER_KEY" 'echo "xdg=$XDG_RUNTIME_DIR"
echo "rt=$(stat -c "%U %a %d:%i" /run/user/$(id -u))"
echo "entries=$(ls -A /run/user/$(id -u) | wc -l)"
echo "users=$(ls -A /run/user | tr "\n" " ")"
systemd-run --user --quiet true >/tmp/pj-run 2>&1; rc=$?
echo "systemd-run=$(head -n 1 /tmp/pj-run) rc=$rc"
echo done') || fail "$JAILED_USER cannot log in"
echo "$out"
assert_contains "$out" "xdg=/run/user/$uid" "XDG_RUNTIME_DIR in the jailed session"
rt=$(echo "$out" | sed -n 's/^rt=//p')
assert_eq "$JAILED_USER 700" "${rt% *}" "owner and mode of the jail's /run/user/$uid"
assert_ne "$host_rt" "${rt##* }" "the jail's /run/user/$uid is not logind's"
assert_contains "$out" "entries=0" "the jail's /run/user/$uid is empty"
assert_contains "$out" "users=$uid " "/run/user in the jail holds only the user's directory"
# The escape a host-side user manager would be: a command run through it.
run_line=$(echo "$out" | sed -n 's/^systemd-run=//p')
# systemd 252 says "Failed to connect to bus: ...", 257 "Failed to connect
# to user scope bus via local transport: ...": either way, no bus.
[[ $run_line == "Failed to connect to "*"bus"* ]] ||
	fail "systemd-run --user in the jail: no 'Failed to connect to ... bus' in: $run_line"
assert_ne 0 "${run_line##*rc=}" "exit status of systemd-run --user in the jail"
assert_contains "$out" done "the jailed session's commands ran"
ok "the jailed session's XDG_RUNTIME_DIR is the jail's own; no user manager behind it"

# A user no rule names keeps an ordinary systemd --user, on the host.
free_uid=$(guest "id -u $FREE_USER") || fail "no $FREE_USER"
free_client=$(open_background_session $FREE_USER 240)
on_exit kill "$free_client"
deadline=$((SECONDS + 120))
until [ "$(guest "systemctl show -p ActiveState --value user@$free_uid.service")" = active ]; do
	[ $SECONDS -lt $deadline ] || fail "user@$free_uid.service of $FREE_USER: $(guest "systemctl show -p ActiveState -p Result user@$free_uid.service | paste -sd' '")"
	sleep 2
done
assert_contains "$(guest "journalctl -b -o cat --no-pager -u user@$free_uid.service")" \
	"user=$FREE_USER: not jailed; systemd --user may run" "jailctl's answer in the unit's journal"
main=$(guest "systemctl show -p MainPID --value user@$free_uid.service")
assert_eq "$host_mnt" "$(guest "readlink /proc/$main/ns/mnt")" "mount namespace of $FREE_USER's systemd --user"
# The same command that fails in the jail works here: the check above can fail.
out=$(vm_ssh_as $FREE_USER "$USER_KEY" 'systemd-run --user --quiet true; echo "rc=$?"') ||
	fail "$FREE_USER cannot log in"
assert_eq "rc=0" "$out" "systemd-run --user for $FREE_USER"
ok "$FREE_USER's systemd --user runs (PID $main), unjailed"
