#!/bin/bash
# Removing the package takes pam_jail out of the PAM stacks before the module
# leaves the disk, and jailsh out of /etc/shells; logins work afterwards.
# Purging removes the shipped policy (a conffile) but not the admin's drop-in.
. "$TESTS/vm/check-lib.sh"

out=$(guest 'DEBIAN_FRONTEND=noninteractive apt-get remove -y pam-jail 2>&1') || fail "apt-get remove: $out"
for f in common-session common-session-noninteractive; do
	guest "grep -q pam_jail /etc/pam.d/$f" && fail "$f still names pam_jail after remove"
done
guest 'grep -qx /usr/bin/jailsh /etc/shells' && fail "jailsh still in /etc/shells after remove"
guest 'ls /lib/*/security/pam_jail.so /usr/sbin/jailctl 2>/dev/null' && fail "files left after remove"
guest 'test -f /etc/security/jail.conf' || fail "remove (not purge) must keep the conffile"
guest true || fail "root login after remove"
vm_ssh_as $FREE_USER "$USER_KEY" true || fail "$FREE_USER login after remove"
ok "removed: PAM stacks and /etc/shells clean, logins work"

out=$(guest 'DEBIAN_FRONTEND=noninteractive apt-get purge -y pam-jail 2>&1') || fail "apt-get purge: $out"
guest 'test -e /etc/security/jail.conf' && fail "jail.conf left after purge"
guest 'test -f /etc/security/jail.d/50-vmtest.conf' || fail "purge removed the admin's drop-in"
assert_eq "" "$(guest "dpkg-query -W -f='\${Status}' pam-jail 2>/dev/null | grep -v not-installed || true")" "package state after purge"
guest true || fail "root login after purge"
ok "purged"
