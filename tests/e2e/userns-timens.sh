#!/bin/bash
# The "user" and "time" namespace options through a real sshd: ssh commands,
# an interactive session, scp and sftp work and log out cleanly; the shell is
# in the jail's user namespace (only the user's ids mapped, root-owned files
# show as 65534) and reads the jail's clocks; sshd's root monitor stays in
# the host's user and time namespaces (DESIGN.md fact 8; lib/timens.h: its
# own clocks are never switched).
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

e2e_init
G=$(uniq_name gn)
e2e_group "$G"
U=$(uniq_name un)
e2e_user "$U" "$G"
uid=$(id -u "$U") gid=$(id -g "$U")
e2e_policy <<EOF
profiles = {
	nsopts = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts", "user", "time" ];
		root = { type = "host"; hide = [ "/root", "/home", "/run", "/srv", "/var/mail" ]; };
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "16M"; };
	};
};
rules = ( { group = "$G"; profile = "nsopts"; } );
EOF
sshd_start main jail
host_uptime=$(cut -d. -f1 /proc/uptime)
host_user=$(readlink /proc/self/ns/user)
host_time=$(readlink /proc/self/ns/time)

e2e_hold "$U@main"
held_pid=$HELD_PID held_fd=$HELD_FD

out=$(e2e_ssh "$U@main" 'tr -s " " <"/proc/self/uid_map" | sed "s/^ //"; tr -s " " </proc/self/gid_map | sed "s/^ //"
id -u; stat -c %u /etc/passwd; cut -d. -f1 /proc/uptime') || fail "ssh command: $out"
{ read -r um; read -r gm; read -r id; read -r owner; read -r up; } <<<"$out"
assert_eq "$uid $uid 1" "$um" "uid_map: only the user's uid"
assert_eq "$gid $gid 1" "$gm" "gid_map: only the user's gid"
assert_eq "$uid" "$id" "id -u"
assert_eq 65534 "$owner" "root-owned files show as the overflow uid"
if [ "$host_uptime" -gt 600 ]; then
	[ "$up" -lt 120 ] || fail "uptime in the jail $up, the host's $host_uptime"
fi
ok "ssh command: in the user namespace, jail clocks (uptime ${up}s)"

# The root monitors of this user's sessions: host user and time namespaces.
mons=$(sshd_monitors main "$U")
[ -n "$mons" ] || fail "no sshd monitor found"
for m in $mons; do
	assert_eq "$host_user" "$(readlink "/proc/$m/ns/user")" "sshd monitor $m: host's user namespace"
	assert_eq "$host_time" "$(readlink "/proc/$m/ns/time")" "sshd monitor $m: host's clocks"
	assert_ne "$host_time" "$(readlink "/proc/$m/ns/time_for_children")" \
		"sshd monitor $m: its children get the jail's clocks"
done
ok "sshd's monitors stay in the host's user namespace and clocks"

# Interactive, with a pty: the exit status comes back.
out=$(printf 'cut -d. -f1 /proc/uptime; readlink /proc/self/ns/user; exit 7\n' |
	e2e_ssh -tt "$U@main" 2>&1)
rc=$?
assert_eq 7 "$rc" "interactive session: exit status"
assert_not_contains "$out" "$host_user" "interactive shell: not in the host's user namespace"
ok "interactive session with a pty"

# scp and sftp, both ways.
c=$E2E/client
head -c 100000 /dev/urandom >"$c/blob"
scp -q -F "$E2E_SSH_CONFIG" "$c/blob" "$U@main:blob" || fail "scp upload"
scp -q -F "$E2E_SSH_CONFIG" "$U@main:blob" "$c/blob.back" || fail "scp download"
cmp "$c/blob" "$c/blob.back" || fail "scp: copy differs"
out=$(sftp -q -F "$E2E_SSH_CONFIG" -b - "$U@main" 2>&1 <<EOF
put $c/blob sftp-blob
get sftp-blob $c/blob.sftp
EOF
) || fail "sftp: $out"
cmp "$c/blob" "$c/blob.sftp" || fail "sftp: copy differs"
assert_eq "$uid" "$(e2e_ssh "$U@main" 'stat -c %u sftp-blob')" "sftp's file belongs to the user"
ok "scp and sftp up and down"

# Logout: the jail ends with its last session.
e2e_release "$held_pid" "$held_fd"
e2e_wait_no_jails 30
ok "logout: the jail ends"
