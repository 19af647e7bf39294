#!/bin/bash
# The guest is the kind of host this tier exists for (and the build machine
# is not): systemd as PID 1, the unified cgroup v2 hierarchy with the
# memory, pids and cpu controllers, logind running, and the Debian release
# run.sh booted (VM_SUITE: bookworm = Debian 12, trixie = Debian 13).
. "$TESTS/vm/check-lib.sh"

case ${VM_SUITE:-bookworm} in
bookworm) want=12 ;;
trixie) want=13 ;;
*) fail "VM_SUITE=$VM_SUITE: no release known for it" ;;
esac

assert_eq systemd "$(guest 'cat /proc/1/comm')" "PID 1"
assert_eq cgroup2fs "$(guest 'stat -fc %T /sys/fs/cgroup')" "/sys/fs/cgroup"
controllers=$(guest 'cat /sys/fs/cgroup/cgroup.controllers')
for c in memory pids cpu; do
	assert_contains " $controllers " " $c " "cgroup v2 controllers"
done
assert_eq active "$(guest 'systemctl is-active systemd-logind.service')" "systemd-logind"
assert_eq "$want" "$(guest '. /etc/os-release && echo $VERSION_ID')" "Debian release (VERSION_ID)"
assert_eq "${VM_SUITE:-bookworm}" "$(guest '. /etc/os-release && echo $VERSION_CODENAME')" "Debian codename"
ok "systemd PID 1, cgroup2 ($controllers), logind, Debian $(guest 'cat /etc/debian_version')"
# What the release brings, for the report: kernel, systemd, OpenSSH.
echo "report: Debian $(guest 'cat /etc/debian_version'), kernel $(guest 'uname -r')," \
	"systemd $(guest "systemctl --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'")," \
	"$(guest 'ssh -V 2>&1' | cut -d, -f1)"
