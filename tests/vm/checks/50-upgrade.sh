#!/bin/bash
# Upgrading the package (a rebuilt .deb with a higher version, installed
# with apt while a jailed session runs) keeps the running jail and its
# processes, keeps the admin's pam-auth-update choice, and a new login of
# the same user joins the running jail.
. "$TESTS/vm/check-lib.sh"

guest "id $JAILED_USER" >/dev/null || fail "no $JAILED_USER (30-login sets it up)"
client=$(open_background_session $JAILED_USER 240)
on_exit kill "$client"
pid=$(wait_guest_sleep $JAILED_USER 60 240) || fail "the jailed session did not start"
jail_pidns=$(guest "readlink /proc/$pid/ns/pid")
init=$(pam_jail_log | grep -F "session opened: user=$JAILED_USER" | tail -n 1 | sed -n 's/.* init=\([0-9]*\).*/\1/p')
[ -n "$init" ] || fail "no jail-init PID in the journal"
guest "test -d /proc/$init" || fail "jail-init $init is not running"
old=$(guest "dpkg-query -W -f='\${Version}' pam-jail")

vm_copy "$VM_DEB_UPGRADE" /root/ || fail "scp of the upgrade .deb"
out=$(guest "DEBIAN_FRONTEND=noninteractive apt-get install -y /root/$(basename "$VM_DEB_UPGRADE") 2>&1") ||
	fail "apt-get install (upgrade): $out"
new=$(guest "dpkg-query -W -f='\${Version}' pam-jail")
assert_ne "$old" "$new" "package version after the upgrade"
ok "upgraded $old -> $new"

guest "test -d /proc/$pid" || fail "the jailed sleep ($pid) died during the upgrade"
guest "test -d /proc/$init" || fail "jail-init ($init) died during the upgrade"
for f in common-session common-session-noninteractive; do
	assert_eq "session required pam_jail.so" "$(last_session_line /etc/pam.d/$f)" "last line of $f after the upgrade"
done
ok "running jail and the enabled profile survived"

# The new module (a new sshd monitor loads it) joins the old jail-init.
joined=$(vm_ssh_as $JAILED_USER "$USER_KEY" 'readlink /proc/self/ns/pid') || fail "login after the upgrade"
assert_eq "$jail_pidns" "$joined" "pid namespace of a login after the upgrade"
ok "a new login joins the running jail"

# The last session ends: the jail goes with it (shared lifetime).
kill "$client"
deadline=$((SECONDS + 60))
while guest "test -d /proc/$init"; do
	[ $SECONDS -lt $deadline ] || fail "jail-init $init still runs 60 s after the last session ended"
	sleep 2
done
assert_eq "" "$(guest "pgrep -u $JAILED_USER || true")" "processes of $JAILED_USER after logout"
ok "the jail ended with its last session"
