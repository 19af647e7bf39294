#!/bin/bash
# make demo: one real jailed login on this machine, shown side by side with
# the host, then everything undone.
#
# A private sshd on 127.0.0.1 (its own port, host key and PAM service, never
# the system's), a demo user in a demo group, a demo policy, pam_jail.so,
# jail-init and jailsh from this build tree. The same probe runs twice as the
# demo user: once on the host (setpriv, no jail) and once through
# `ssh demo-user@127.0.0.1` (sshd -> PAM -> pam_jail -> jail -> jailsh).
#
#   contrib/demo.sh [run]   (make demo)         needs root and a built tree
#   contrib/demo.sh clean   (make demo-clean)   undo an interrupted run
#   DEMO_PAUSE=1 make demo  keep the demo up until Enter, to log in yourself
set -u
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$SRC/build}
TESTS=$SRC/tests
export SRC BUILD TESTS

DEMO_DIR=/run/pam_jail-demo
DEMO_USER=pjdemo
DEMO_GROUP=pjdemo-students

. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it adds a user and a PAM service)" >&2; exit 1; }

demo_clean() {
	if [ ! -e "$DEMO_DIR" ]; then
		echo "demo-clean: nothing to clean ($DEMO_DIR does not exist)"
		return 0
	fi
	echo "demo-clean: undoing what $DEMO_DIR/created lists"
	e2e_clean_dir "$DEMO_DIR"
	echo "demo-clean: done"
}

# The demo's view of a system, as "key=value" lines; run as the demo user,
# on the host and in the jail alike (sent on stdin: no quoting to survive).
PROBE=$(cat <<'EOF'
echo "hostname=$(hostname)"
echo "id=$(id -un) ($(id -u)) in $(id -Gn)"
for n in mnt pid net ipc uts; do echo "ns_$n=$(readlink /proc/self/ns/$n)"; done
echo "pid1=$(cat /proc/1/comm)"
echo "nprocs=$(ps -e --no-headers | wc -l)"
echo "procs=$(ps -e -o comm=,args= | awk '$2 !~ /^\[/ { print $1 }' | head -n 6 | tr '\n' ' ')"
echo "kill=$(kill -0 "$HOST_PID" 2>&1 | sed 's/.*kill: //')"
echo "links=$(ip -o link show | awk -F': ' '{ print $2 }' | tr '\n' ' ')"
echo "addrs=$(ip -o addr show | awk '{ print $4 }' | tr '\n' ' ')"
echo "root=$(awk '$5 == "/" { o = $6 } END { print o }' /proc/self/mountinfo)"
echo "run=$(ls /run | head -n 6 | tr '\n' ' ')"
echo "home=$HOME: $(stat -f -c %T "$HOME"), $(df -h --output=size "$HOME" | tail -n 1 | tr -d ' ')"
echo "homefiles=$(ls -A "$HOME" | tr '\n' ' ')"
echo "tmp=$(stat -f -c %T /tmp), $(ls -A /tmp | wc -l) entries"
# Which cgroups hold this process: the demo reads their limits as root on
# the host (a jail's own cgroup directory is not readable from inside).
echo "cg_memory=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)"
echo "cg_pids=$(awk -F: '$2 == "pids" { print $3 }' /proc/self/cgroup)"
echo "cg_unified=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)"
echo "nofile=$(ulimit -n)"
echo "caps=$(grep CapBnd /proc/self/status | cut -f2), no_new_privs $(grep NoNewPrivs /proc/self/status | cut -f2)"
echo "marker=$(test -r /run/pam_jail/jail && sed -n 's/^id=//p' /run/pam_jail/jail || echo none)"
EOF
)

# The limit the kernel holds a cgroup to, read on the host: v1 controller
# dir, else the unified (v2) tree; "none" when there is no limit.
cg_limit() { # v1-path v1-controller v1-file unified-path v2-file
	local v
	v=$(cat "/sys/fs/cgroup/$2${1%/}/$3" 2>/dev/null) ||
		v=$(cat "/sys/fs/cgroup${4%/}/$5" 2>/dev/null) || v=none
	case $v in
	max | 9223372036854*) echo none ;;
	*[!0-9]*) echo "$v" ;;
	*) if [ "$v" -ge 1048576 ]; then echo "$((v / 1048576))M"; else echo "$v"; fi ;;
	esac
}
limits_of() { # HOSTV|JAILV
	local -n v=$1
	v[memory]=$(cg_limit "${v[cg_memory]}" memory memory.limit_in_bytes "${v[cg_unified]}" memory.max)
	v[pids]=$(cg_limit "${v[cg_pids]}" pids pids.max "${v[cg_unified]}" pids.max)
}

show() { # label key
	printf '  %-16s %-40.40s %s\n' "$1" "${HOSTV[$2]:-}" "${JAILV[$2]:-}"
}

demo_run() {
	local c
	for c in pam_jail.so jail-init jailsh; do
		[ -x "$BUILD/$c" ] || [ -f "$BUILD/$c" ] ||
			{ echo "demo: $BUILD/$c is missing: run make first" >&2; exit 1; }
	done
	if [ -e "$DEMO_DIR" ]; then
		echo "demo: a previous demo was interrupted; cleaning it up first"
		e2e_clean_dir "$DEMO_DIR"
	fi
	if getent passwd "$DEMO_USER" >/dev/null || getent group "$DEMO_GROUP" >/dev/null; then
		echo "demo: user '$DEMO_USER' or group '$DEMO_GROUP' exists and is not the demo's;" \
			"remove it or edit contrib/demo.sh" >&2
		exit 1
	fi

	echo "== Setting up: a private sshd on 127.0.0.1, user $DEMO_USER in group $DEMO_GROUP"
	E2E_DIR=$DEMO_DIR e2e_init
	e2e_group "$DEMO_GROUP"
	e2e_user "$DEMO_USER" "$DEMO_GROUP"
	e2e_policy <<EOF
# The demo policy: members of $DEMO_GROUP log in to a jail.
profiles = {
	student = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts" ];
		hostname = "jail-%u";
		root = { type = "host"; hide = [ "/root", "/home", "/run", "/srv", "/var/mail" ]; };
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "64M"; skeleton = "/etc/skel"; };
		limits = { memory = "256M"; pids = 200; nofile = 1024; };
	};
};
rules = (
	{ group = "$DEMO_GROUP"; profile = "student"; }
);
EOF
	"$BUILD/jailctl" check --config "$E2E_POLICY" || exit 1
	sshd_start demo jail
	echo
	echo "== The policy ($E2E_POLICY):"
	sed 's/^/   /' "$E2E_POLICY"
	echo
	# OpenSSH 10 (Debian 13) is told the service by PAMServiceName in its
	# sshd_config, OpenSSH 9.2 (Debian 12) by the name it runs under
	# (tests/e2e/lib-sshd.sh, sshd_start).
	local how
	case ${SSHD_PAM_HOW[demo]} in
	PAMServiceName) how="sshd_config: PAMServiceName ${SSHD_SERVICE[demo]}" ;;
	*) how="sshd runs as '${SSHD_SERVICE[demo]}'" ;;
	esac
	echo "== The PAM service /etc/pam.d/${SSHD_SERVICE[demo]} ($how):"
	grep -v '^#' "/etc/pam.d/${SSHD_SERVICE[demo]}" | sed 's/^/   /'
	echo

	local host_pid=${SSHD_PID[demo]} line out
	declare -gA HOSTV=() JAILV=()
	out=$(cd "/home/$DEMO_USER" && setpriv --reuid="$DEMO_USER" --regid="$DEMO_GROUP" \
		--init-groups env -i HOME="/home/$DEMO_USER" USER="$DEMO_USER" \
		PATH=/usr/bin:/bin HOST_PID="$host_pid" bash -s <<<"$PROBE") ||
		fail "probe on the host failed"
	while IFS= read -r line; do HOSTV[${line%%=*}]=${line#*=}; done <<<"$out"

	limits_of HOSTV

	# One session stays open meanwhile, so the jail (and its cgroup) is
	# still there when we look at it from the host.
	echo "== ssh -p ${SSHD_PORT[demo]} $DEMO_USER@127.0.0.1   (the login goes through sshd, PAM and pam_jail)"
	e2e_hold "$DEMO_USER@demo"
	local held_pid=$HELD_PID held_fd=$HELD_FD
	out=$(e2e_ssh "$DEMO_USER@demo" "HOST_PID=$host_pid bash -s" <<<"$PROBE") ||
		fail "the jailed login failed: $out"
	while IFS= read -r line; do JAILV[${line%%=*}]=${line#*=}; done <<<"$out"
	limits_of JAILV
	echo
	echo "== The administrator's view meanwhile: jailctl list"
	"$BUILD/jailctl" list --statedir "$E2E_STATE" | sed 's/^/   /'
	e2e_release "$held_pid" "$held_fd"

	echo
	printf '  %-16s %-40s %s\n' "" "ON THE HOST (as $DEMO_USER)" "IN THE JAIL (ssh as $DEMO_USER)"
	printf '  %-16s %-40s %s\n' "" "--------------------------" "-------------------------------"
	show "hostname" hostname
	show "user" id
	for n in mnt pid net ipc uts; do show "namespace $n" "ns_$n"; done
	show "PID 1" pid1
	show "processes" nprocs
	show "  some of them" procs
	show "kill host PID" kill
	show "interfaces" links
	show "addresses" addrs
	show "/ mounted" root
	show "/run holds" run
	show "home" home
	show "  files" homefiles
	show "/tmp" tmp
	show "memory (cgroup)" memory
	show "tasks (cgroup)" pids
	show "open files" nofile
	show "capabilities" caps
	show "jail marker" marker
	echo
	echo "== What pam_jail logged (syslog, captured by the demo's own listener):"
	wait_for 30 grep -q 'jail ended' "$E2E_SYSLOG" || fail "the jail did not end after logout"
	e2e_wait_no_jails 30
	grep -F 'pam_jail' "$E2E_SYSLOG" | sed 's/^<[0-9]*>/   /'
	echo "   (the jail ended with its last session; no jail is registered now)"

	if [ "${DEMO_PAUSE:-0}" = 1 ]; then
		echo
		echo "== Log in yourself:  ssh -F $E2E_SSH_CONFIG $DEMO_USER@demo"
		echo "   Press Enter to clean up."
		read -r _ </dev/tty
	fi
	echo
	echo "== Cleaning up: sshd, user, group, PAM service, $DEMO_DIR"
}

case ${1:-run} in
run) demo_run ;;
clean) demo_clean ;;
*) echo "usage: $0 [run|clean]" >&2; exit 2 ;;
esac
