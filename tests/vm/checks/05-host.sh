#!/bin/bash
# The guest is the kind of host this tier exists for (and the build machine
# is not): systemd as PID 1, the unified cgroup v2 hierarchy with the
# memory, pids and cpu controllers, logind running, Debian 12.
. "$TESTS/vm/check-lib.sh"

assert_eq systemd "$(guest 'cat /proc/1/comm')" "PID 1"
assert_eq cgroup2fs "$(guest 'stat -fc %T /sys/fs/cgroup')" "/sys/fs/cgroup"
controllers=$(guest 'cat /sys/fs/cgroup/cgroup.controllers')
for c in memory pids cpu; do
	assert_contains " $controllers " " $c " "cgroup v2 controllers"
done
assert_eq active "$(guest 'systemctl is-active systemd-logind.service')" "systemd-logind"
assert_contains "$(guest 'cat /etc/debian_version')" "12." "Debian release"
ok "systemd PID 1, cgroup2 ($controllers), logind, Debian $(guest 'cat /etc/debian_version')"
