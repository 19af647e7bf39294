# Shared by tests/vm/checks/*.sh: the shell-test helpers (tests/lib.sh) plus
# the guest helpers (vm.sh), pointed at the guest run.sh booted.
. "$TESTS/lib.sh"
. "$TESTS/vm/vm.sh"
: "${VM_PORT:?run through tests/vm/run.sh (make check-vm)}"
: "${VM_IMAGE:?}" "${VM_RUN:?}"

# Run a shell command in the guest as root; its output on stdout.
guest() { vm_ssh "$*"; }

# The last line of the session stack in a common-session file, e.g.
# "session required pam_jail.so" (whitespace squeezed, comments dropped).
last_session_line() { # file
	guest "grep -E '^[[:space:]]*session' $1 | tail -n 1" | tr -s ' \t' ' ' | sed 's/ $//'
}

# The names and keys the checks share: one policy, two users.
JAILED_USER=student1	# member of group students: jailed
FREE_USER=staff1	# named by no rule: not jailed
BROKEN_USER=broken1	# member of a group whose profile cannot be built
USER_KEY=$VM_RUN/user_ed25519
[ -f "$USER_KEY" ] || ssh-keygen -q -t ed25519 -N '' -C pjvm-user -f "$USER_KEY"

# Namespace links of a process in the guest, one "ns:[inode]" per line.
guest_ns() { # pid
	guest "for n in mnt pid net uts ipc; do printf '%s ' \$n; readlink /proc/$1/ns/\$n; done"
}

JAILED_GROUP=students
BROKEN_GROUP=brokenjail
JAILED_PROFILE=vmstudents
BROKEN_PROFILE=vmbroken

# Log in as $1 and keep the session open (a remote `sleep`), in the
# background; echoes the local ssh client's PID. The caller registers
# `kill PID` with on_exit; killing the client ends the session.
open_background_session() { # user seconds
	local -a opts
	mapfile -t opts < <(_vm_ssh_opts "$USER_KEY")
	# exec: $! must be ssh itself, not a subshell that would outlive a kill.
	(exec ssh "${opts[@]}" "$1@127.0.0.1" "exec sleep $2" </dev/null >/dev/null 2>&1) &
	echo $!
}

# Wait (up to $2 s) until the guest shows a process `sleep $3` of user $1;
# echo its PID (as the guest's init sees it).
wait_guest_sleep() { # user timeout seconds_arg
	local deadline=$((SECONDS + $2)) pid
	while [ $SECONDS -lt $deadline ]; do
		pid=$(guest "pgrep -u $1 -x -f 'sleep $3' | head -n 1")
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 1
	done
	return 1
}

# The journal's pam_jail lines of this boot.
pam_jail_log() { guest "journalctl -b -o cat --no-pager | grep -F 'pam_jail(' || true"; }
