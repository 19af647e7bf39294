#!/bin/bash
# apt installs the .deb on a stock Debian 12 host (no network: every
# dependency must already be there, as on a host the admin set up), and the
# package lays out what the issue asks for; the profile is registered but off.
. "$TESTS/vm/check-lib.sh"

vm_copy "$VM_DEB" /root/ || fail "scp of the .deb"
out=$(guest "DEBIAN_FRONTEND=noninteractive apt-get install -y /root/$(basename "$VM_DEB") 2>&1") ||
	fail "apt-get install: $out"
echo "$out" | tail -n 5

status=$(guest "dpkg-query -W -f='\${Status} \${Version}' pam-jail")
assert_contains "$status" "install ok installed" "package state"

arch_dir=$(guest 'dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu')
# pam_unix.so's directory is where this host's libpam looks for modules.
pam_dir=$(guest 'dirname "$(dpkg -L libpam-modules | grep /pam_unix.so$)"')
assert_contains "$pam_dir" "/lib/$arch_dir/security" "libpam-modules' module directory"
# The package names the module by the same path as libpam-modules does
# (/lib/... on Debian 12, /usr/lib/... on Debian 13, debian/rules): dpkg
# does not know that /lib and /usr/lib are one directory on a merged host.
guest "dpkg -L pam-jail | grep -qx '$pam_dir/pam_jail.so'" ||
	fail "pam-jail does not ship $pam_dir/pam_jail.so: $(guest 'dpkg -L pam-jail | grep pam_jail.so')"
for f in "$pam_dir/pam_jail.so" /usr/bin/jailsh /usr/sbin/jailctl /usr/libexec/pam_jail/jail-init \
	/usr/share/pam-configs/jail /etc/security/jail.conf; do
	guest "test -f $f" || fail "$f is not installed"
	ok "$f"
done
guest 'test -d /etc/security/jail.d' || fail "/etc/security/jail.d missing"
guest 'ls /usr/share/man/man8/pam_jail.8.gz' >/dev/null || fail "pam_jail(8) not installed"

conffiles=$(guest "dpkg-query -W -f='\${Conffiles}' pam-jail")
assert_contains "$conffiles" "/etc/security/jail.conf" "conffiles"
guest 'grep -qx /usr/bin/jailsh /etc/shells' || fail "jailsh not in /etc/shells"
ok "jailsh in /etc/shells"

# The module must load in the host's libpam: every symbol resolved.
guest "ldd -r $pam_dir/pam_jail.so" | grep -E 'not found|undefined' && fail "pam_jail.so has unresolved symbols"

# The boot oneshot that builds jail roots from /etc/security/jail-roots.conf
# is installed and enabled, and with no recipe it does nothing.
guest 'test -f /lib/systemd/system/pam-jail-roots.service' || fail "pam-jail-roots.service not installed"
assert_eq enabled "$(guest 'systemctl is-enabled pam-jail-roots.service')" "pam-jail-roots.service"
guest 'test ! -e /etc/security/jail-roots.conf' || fail "the package shipped a jail-roots.conf"
guest 'systemctl start pam-jail-roots.service' || fail "starting pam-jail-roots.service without a recipe"
cond=$(guest 'systemctl show -p ConditionResult --value pam-jail-roots.service')
assert_eq no "$cond" "pam-jail-roots.service's condition (no recipe, nothing to do)"
ok "pam-jail-roots.service installed, enabled, idle without a recipe"

# Installed means offered, not turned on: nobody is jailed yet.
for f in common-session common-session-noninteractive; do
	guest "grep -q pam_jail /etc/pam.d/$f" && fail "$f has pam_jail before the admin enabled it"
done
ok "installed; profile registered but off"
