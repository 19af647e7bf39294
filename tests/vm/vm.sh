# Boot, reach and stop the VM tier's guest. Source it; needs bash.
#
#   vm_boot IMAGE_DIR RUN_DIR   start qemu, wait until the guest's sshd answers
#   vm_ssh [ssh args] CMD       run CMD in the guest as root
#   vm_ssh_as USER KEY CMD      log in as USER through the guest's sshd
#   vm_copy FILE DEST           copy a host file into the guest (scp)
#   vm_stop                     poweroff via ssh, wait for qemu's PID, kill it if it hangs
#
# The guest boots from a throwaway overlay (snapshot=on): the cached image is
# never written. Its only network is qemu's user-mode stack with no route out
# (restrict=on) and one forward, 127.0.0.1:VM_PORT -> guest:22.

# Kept when already set: the checks inherit them from run.sh.
VM_PID=${VM_PID:-}
VM_PORT=${VM_PORT:-}
VM_IMAGE=${VM_IMAGE:-}
VM_RUN=${VM_RUN:-}
VM_BOOT_SECONDS=
# Generous: a trixie guest took 169 s to answer on a loaded 2-core host.
VM_SSH_TIMEOUT=${VM_SSH_TIMEOUT:-420}

_vm_ssh_opts() { # key
	printf '%s\n' -i "$1" -p "$VM_PORT" \
		-o UserKnownHostsFile="$VM_IMAGE/known_hosts" -o HostKeyAlias=pjvm \
		-o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes \
		-o ConnectTimeout=60 -o ServerAliveInterval=10 -o ServerAliveCountMax=6 \
		-o LogLevel=ERROR -o ControlMaster=no -o ControlPath=none
}

vm_ssh() {
	local -a opts
	mapfile -t opts < <(_vm_ssh_opts "$VM_IMAGE/id_ed25519")
	ssh "${opts[@]}" root@127.0.0.1 "$@"
}

vm_ssh_as() { # user key cmd...
	local user=$1 key=$2
	shift 2
	local -a opts
	mapfile -t opts < <(_vm_ssh_opts "$key")
	ssh "${opts[@]}" "$user@127.0.0.1" "$@"
}

vm_copy() { # file dest
	local -a opts
	mapfile -t opts < <(_vm_ssh_opts "$VM_IMAGE/id_ed25519")
	# scp spells the port option -P.
	opts[2]=-P
	scp -q "${opts[@]}" "$1" "root@127.0.0.1:$2"
}

_vm_alive() { # is qemu still running (a zombie child counts as gone)?
	[ -n "$VM_PID" ] && [ -r "/proc/$VM_PID/stat" ] &&
		[ "$(cut -d' ' -f3 "/proc/$VM_PID/stat" 2>/dev/null)" != Z ]
}

_vm_free_port() {
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 40000))
		ss -Htln "sport = :$port" 2>/dev/null | grep -q . || { echo "$port"; return 0; }
	done
	return 1
}

vm_boot() { # image_dir run_dir
	VM_IMAGE=$1
	VM_RUN=$2
	mkdir -p "$VM_RUN"
	local tries start
	for tries in 1 2 3; do
		VM_PORT=$(_vm_free_port) || { echo "vm_boot: no free port" >&2; return 1; }
		start=$EPOCHREALTIME
		# No KVM: the CPU has no vmx/svm and a guest kernel hangs on
		# /dev/kvm here (DESIGN.md), so TCG it is.
		qemu-system-x86_64 -name pjvm -accel tcg -cpu max -m 2G -smp 2 \
			-display none -monitor none -no-reboot \
			-serial "file:$VM_RUN/console.log" \
			-kernel "$VM_IMAGE/vmlinuz" -initrd "$VM_IMAGE/initrd.img" \
			-append "root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 net.ifnames=0 systemd.show_status=0" \
			-drive "file=$VM_IMAGE/disk.img,format=raw,if=virtio,snapshot=on" \
			-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$VM_PORT-:22" \
			-device virtio-net-pci,netdev=n0 -device virtio-rng-pci \
			</dev/null >"$VM_RUN/qemu.log" 2>&1 &
		VM_PID=$!
		echo "$VM_PID" >"$VM_RUN/qemu.pid"
		# A port taken between the check and qemu's bind makes qemu exit at once.
		sleep 1
		_vm_alive && break
		wait "$VM_PID" 2>/dev/null
		VM_PID=
		grep -q 'Could not set up host forwarding' "$VM_RUN/qemu.log" || {
			cat "$VM_RUN/qemu.log" >&2
			return 1
		}
	done
	[ -n "$VM_PID" ] || return 1
	local deadline=$((SECONDS + VM_SSH_TIMEOUT))
	until vm_ssh true 2>/dev/null; do
		if ! _vm_alive; then
			echo "vm_boot: qemu exited; console tail:" >&2
			tail -n 30 "$VM_RUN/console.log" >&2
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			echo "vm_boot: no ssh after ${VM_SSH_TIMEOUT}s; console tail:" >&2
			tail -n 30 "$VM_RUN/console.log" >&2
			return 1
		fi
		sleep 2
	done
	VM_BOOT_SECONDS=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
}

# Wait up to $1 seconds for qemu to exit; reap it.
_vm_wait_exit() {
	local deadline=$((SECONDS + $1))
	while _vm_alive; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.5
	done
	wait "$VM_PID" 2>/dev/null
	return 0
}

vm_stop() {
	[ -n "$VM_PID" ] || return 0
	if _vm_alive; then
		# The connection drops while the guest goes down, so ssh's status
		# means little, except 254: PAM refused the session (a broken
		# stack), poweroff never ran, and waiting is pointless. The guest
		# runs on a throwaway overlay: killing qemu loses nothing.
		local rc=0 patience=60
		vm_ssh 'systemctl poweroff' >/dev/null 2>&1 || rc=$?
		[ $rc -eq 254 ] && patience=0
		if ! _vm_wait_exit $patience; then
			echo "vm_stop: guest did not power off in $patience s; killing qemu $VM_PID" >&2
			kill -TERM "$VM_PID" 2>/dev/null
			_vm_wait_exit 10 || { kill -KILL "$VM_PID" 2>/dev/null; _vm_wait_exit 10; }
		fi
	else
		wait "$VM_PID" 2>/dev/null
	fi
	VM_PID=
}
