#!/bin/bash
# Connect to a daemon's pathname unix socket in the host's tree (issue 17,
# item 7). connect() on a path socket ignores read-only mounts and network
# namespaces: only a mount over the path stops it. Whoever reaches LXD's or
# Incus's socket (/var/lib/lxd, /var/lib/incus; a member of their group) is
# root on the host, so root.hide's default list covers them; Docker's,
# containerd's, podman's and the rest live in /run (/var/run links there on
# Debian), which every jail replaces with its own. Stand-in daemons listen at
# /var/lib/lxd/unix.socket, /var/lib/incus/unix.socket (on tmpfs mounts of
# this test's private mount namespace; a directory made for it on the host
# stays empty and is removed) and at a unique name in the host's /run.
# The profile leaves root.hide at its default.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
je_policy "version = 1;
profiles = { student = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\", \"cgroup\"];
    hostname = \"jail-%u\";
    home = { mode = \"tmpfs\"; size = \"16M\"; };
    tmp = { size = \"32M\"; };
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"

socks=()
for d in /var/lib/lxd /var/lib/incus; do
    if [ ! -e "$d" ]; then
        mkdir -m 0755 "$d" || fail "mkdir $d"
        on_exit rmdir "$d"
    fi
    mount -t tmpfs -o mode=0755,size=1M "pjesc-$(basename "$d")" "$d" || fail "tmpfs on $d"
    on_exit umount "$d"
    socks+=("$d/unix.socket")
done
run_sock=/run/pjesc-docker-$RANDOM$RANDOM.sock
on_exit rm -f "$run_sock"
socks+=("$run_sock")
[ -L /var/run ] && [ "$(readlink -f /var/run)" = /run ] && socks+=("/var/run/${run_sock#/run/}")

# One stand-in daemon on every path, open to everyone (0666) as a group's
# socket is to its members.
$PY -c '
import os, socket, sys, threading
def serve(path):
    s = socket.socket(socket.AF_UNIX); s.bind(path); os.chmod(path, 0o666); s.listen(8)
    return s
servers = [serve(p) for p in sys.argv[2:] if not p.startswith("/var/run/")]
open(sys.argv[1], "w").write("up")
def loop(s):
    while True:
        c, _ = s.accept(); c.sendall(b"daemon socket\n"); c.close()
for s in servers[1:]:
    threading.Thread(target=loop, args=(s,), daemon=True).start()
loop(servers[0])' "$esc_dir/up" "${socks[@]}" &
on_exit kill $!
for _ in $(seq 50); do [ -s "$esc_dir/up" ] && break; sleep 0.1; done
[ -s "$esc_dir/up" ] || fail "the stand-in daemon did not start"

attempt='
import socket, sys
try:
    c = socket.socket(socket.AF_UNIX); c.settimeout(3); c.connect(sys.argv[1])
    print(sys.argv[1] + ": " + c.recv(100).decode().strip()); sys.exit(0)
except OSError as e:
    print(sys.argv[1] + ": " + str(e)); sys.exit(1)'
for s in "${socks[@]}"; do
    ESC_NAME="daemon_socket $s" esc_control host-user $PY -c "$attempt" "$s"
    ESC_NAME="daemon_socket $s" esc_jailed jail-user $PY -c "$attempt" "$s"
    ESC_NAME="daemon_socket $s" esc_jailed jail-root $PY -c "$attempt" "$s"
done
