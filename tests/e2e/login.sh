#!/bin/bash
# Through real ssh logins: what a jailed user sees (the seed article's
# demonstration as checks), what a user of another profile and an unjailed
# user see, exit status, and a tmpfs home that is gone after the jail ends.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

e2e_standard_setup
sshd_pid=${SSHD_PID[main]}

# What a login sees, as key=value lines; sent on stdin so no quoting has to
# survive ssh and the login shell.
probe=$E2E/client/probe.sh
cat >"$probe" <<'EOF'
for n in cgroup ipc mnt net pid uts; do echo "ns_$n=$(readlink /proc/self/ns/$n)"; done
echo "hostname=$(hostname)"
echo "links=$(ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')"
echo "lo_flags=$(ip -o link show lo | sed 's/.*<\(.*\)>.*/\1/')"
echo "addrs=$(ip -o addr show | awk '{print $2}' | sort -u | tr '\n' ' ')"
echo "pid1=$(cat /proc/1/comm)"
echo "nprocs=$(ps -e --no-headers | wc -l)"
echo "sees_listener=$(pgrep -c -f -- "$LISTENER")"
echo "kill_host=$(kill -0 "$HOST_PID" 2>&1)"
echo "host_pid_in_proc=$(test -d "/proc/$HOST_PID" && echo yes || echo no)"
echo "root_opts=$(awk '$5 == "/" { o = $6 } END { print o }' /proc/self/mountinfo)"
echo "sees_test_dir=$(test -e "$TEST_DIR" && echo yes || echo no)"
echo "sees_host_secret=$(test -e "$HOME/host-secret" && echo yes || echo no)"
echo "home_fs=$(stat -f -c %T "$HOME")"
echo "home_owner=$(stat -c %U:%a "$HOME")"
echo "home_kib=$(df -k --output=size "$HOME" | tail -n 1 | tr -d ' ')"
echo "marker=$(test -e "$HOME/marker" && echo yes || echo no)"
echo "seeded=$(test -f "$HOME/.bashrc" && echo yes || echo no)"
echo "jail_id=$(sed -n 's/^id=//p' /run/pam_jail/jail 2>/dev/null)"
echo "service=$PJ_E2E_SERVICE"
EOF

login_probe() { # user -> sets P[key]
	local out line
	# The listener's pattern goes on stdin, not on a command line that
	# pgrep would find in the jail.
	out=$({ printf 'LISTENER=%q\n' "$(sshd_listener_pattern main)"; cat "$probe"; } |
		e2e_ssh "$1@main" "HOST_PID=$sshd_pid TEST_DIR=$E2E bash -s") ||
		fail "login of $1 failed: $out"
	echo "--- $1"
	echo "$out"
	P=()
	while IFS= read -r line; do P[${line%%=*}]=${line#*=}; done <<<"$out"
}
declare -A P
declare -A HOST SSHD
while IFS= read -r l; do HOST[ns_${l%%=*}]=${l#*=}; done < <(e2e_ns_of $$)
while IFS= read -r l; do SSHD[ns_${l%%=*}]=${l#*=}; done < <(e2e_ns_of "$sshd_pid")
host_links="$(ip -o link show | awk -F': ' '{print $2}' | sort | tr '\n' ' ')"

# --- UA: profile "sealed" (mount pid net ipc uts, loopback, tmpfs home).
login_probe "$UA"
for n in mnt pid net ipc uts; do
	assert_ne "${HOST[ns_$n]}" "${P[ns_$n]}" "$UA: $n namespace vs the host's"
	assert_ne "${SSHD[ns_$n]}" "${P[ns_$n]}" "$UA: $n namespace vs sshd's"
done
assert_eq "${HOST[ns_cgroup]}" "${P[ns_cgroup]}" "$UA: cgroup namespace (not in the profile)"
assert_eq "jail-$UA" "${P[hostname]}" "$UA: hostname"
assert_eq "lo " "${P[links]}" "$UA: network interfaces"
assert_contains ",${P[lo_flags]}," ",UP," "$UA: lo is up"
assert_eq "lo " "${P[addrs]}" "$UA: interfaces with addresses"
assert_eq jail-init "${P[pid1]}" "$UA: PID 1 of the jail"
assert_eq 0 "${P[sees_listener]}" "$UA: the host's sshd listener is not visible"
[ "${P[nprocs]}" -le 8 ] || fail "$UA: ${P[nprocs]} processes visible in the jail"
assert_eq no "${P[host_pid_in_proc]}" "$UA: host PID $sshd_pid in the jail's /proc"
assert_contains "${P[kill_host]}" "No such process" "$UA: kill of a host PID"
assert_contains "${P[root_opts]}" "ro" "$UA: the jail's / is read-only"
assert_eq no "${P[sees_test_dir]}" "$UA: host /run content (hidden)"
assert_eq no "${P[sees_host_secret]}" "$UA: the host home's files"
assert_eq tmpfs "${P[home_fs]}" "$UA: home file system"
assert_eq "$UA:700" "${P[home_owner]}" "$UA: home owner and mode"
assert_eq 65536 "${P[home_kib]}" "$UA: home size in KiB (profile: 64M)"
assert_eq yes "${P[seeded]}" "$UA: home seeded from /etc/skel by jailsh"
[ -n "${P[jail_id]}" ] || fail "$UA: no jail marker in /run/pam_jail/jail"
first_jail=${P[jail_id]}
ok "$UA sees the sealed jail"

# Exit status of a command comes back through ssh and the jail.
e2e_ssh "$UA@main" 'exit 7'
assert_eq 7 $? "$UA: exit status of 'exit 7'"
e2e_ssh "$UA@main" true || fail "$UA: 'true' failed"
ok "exit status passes through"

# --- tmpfs home: what one jail wrote is gone in the next one.
e2e_wait_no_jails
e2e_ssh "$UA@main" 'echo kept >"$HOME/marker" && cat "$HOME/marker"' | grep -qx kept ||
	fail "$UA: cannot write the home"
e2e_wait_no_jails
login_probe "$UA"
assert_eq no "${P[marker]}" "$UA: a file from the previous jail's home"
assert_ne "$first_jail" "${P[jail_id]}" "$UA: a new jail after the last one ended"
assert_eq tmpfs "${P[home_fs]}" "$UA: home file system"
ok "the tmpfs home is gone with its jail"

# --- UB: profile "lab" (mount pid uts, host network).
login_probe "$UB"
for n in mnt pid uts; do
	assert_ne "${HOST[ns_$n]}" "${P[ns_$n]}" "$UB: $n namespace vs the host's"
done
for n in net ipc cgroup; do
	assert_eq "${HOST[ns_$n]}" "${P[ns_$n]}" "$UB: $n namespace (not in the profile)"
done
assert_eq "lab-$UB" "${P[hostname]}" "$UB: hostname"
assert_eq "$host_links" "${P[links]}" "$UB: the host's interfaces"
assert_eq jail-init "${P[pid1]}" "$UB: PID 1 of the jail"
assert_contains "${P[kill_host]}" "No such process" "$UB: kill of a host PID"
assert_eq tmpfs "${P[home_fs]}" "$UB: home file system"
assert_eq 16384 "${P[home_kib]}" "$UB: home size in KiB (profile: 16M)"
assert_eq no "${P[sees_host_secret]}" "$UB: the host home's files"
ok "$UB sees the lab jail"

# --- UN: no rule names them, so not jailed: sshd's own namespaces.
login_probe "$UN"
for n in mnt pid net ipc uts cgroup; do
	assert_eq "${SSHD[ns_$n]}" "${P[ns_$n]}" "$UN: $n namespace"
done
assert_eq "$(hostname)" "${P[hostname]}" "$UN: hostname"
assert_eq "$host_links" "${P[links]}" "$UN: interfaces"
assert_eq 1 "${P[sees_listener]}" "$UN: sees the host's sshd listener"
assert_contains "${P[kill_host]}" "Operation not permitted" "$UN: kill of root's sshd"
assert_eq yes "${P[sees_host_secret]}" "$UN: own host home"
if e2e_system_sshd; then
	# No pam_env file of ours in the stock stack: the journal names the service.
	wait_for 10 e2e_syslog_grep "pam_unix(${SSHD_SERVICE[main]}:session): session opened for user $UN" >/dev/null ||
		fail "$UN: no session of PAM service ${SSHD_SERVICE[main]} in the journal"
else
	assert_eq "${SSHD_SERVICE[main]}" "${P[service]}" "$UN: PAM service of the session"
fi
e2e_ssh "$UN@main" 'exit 3'
assert_eq 3 $? "$UN: exit status"
ok "$UN is not jailed"

# Nothing of UA's or UB's jails is left.
e2e_wait_no_jails
ok "no jail left"
