#!/bin/bash
# network.mode "loopback" and "host", in a network namespace of the test's
# own (net_env.bash) that plays the host: a TCP server on all its addresses
# (127.0.0.1 and 10.213.8.1 on its lo) and an abstract unix socket.
# loopback: the jail has only lo, reaches none of them, but its own
# listener on 127.0.0.1. host: the jail is in the host's namespace and
# reaches every host listener and the abstract socket (what docs say "host"
# exposes).
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
need_cmd timeout

ip addr add 10.213.8.1/32 dev lo || fail "test address"
abstract=$(uniq_name abs)
python3 -c '
import socket, sys, threading
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 7100))
t.listen(8)
u = socket.socket(socket.AF_UNIX)
u.bind("\0" + sys.argv[1])
u.listen(8)
def serve(s, msg):
    while True:
        c, _ = s.accept()
        c.sendall(msg)
        c.close()
threading.Thread(target=serve, args=(u, b"hello-abstract\n"), daemon=True).start()
serve(t, b"hello-host\n")
' "$abstract" &
srv=$!
on_exit kill "$srv"
for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/7100) 2>/dev/null && break
    sleep 0.1
done

probe='
tcp() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2; head -1 <&3" 2>/dev/null || echo unreachable; }
echo "netns=$(readlink /proc/self/ns/net)"
echo "ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " ")"
echo "host_lo=$(tcp 127.0.0.1 7100)"
echo "host_addr=$(tcp 10.213.8.1 7100)"
echo "abstract=$(timeout 3 python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(\"\\0\" + sys.argv[1])
print(s.recv(64).decode().strip())
" '"$abstract"' 2>/dev/null || echo unreachable)"
python3 -c "
import socket
s = socket.socket()
s.bind((\"127.0.0.1\", 7101))
s.listen(1)
open(\"/tmp/listening\", \"w\").close()
c, _ = s.accept()
c.sendall(b\"hello-self\n\")
" &
for _ in $(seq 50); do [ -e /tmp/listening ] && break; sleep 0.1; done
echo "self=$(tcp 127.0.0.1 7101)"
'
je_service

# ---- loopback (the default) ----
je_default_policy
out=$(HOME=/home/$je_user je_session -U "$je_user" -- bash -c "$probe" 2>&1)
echo "$out"
assert_contains "$out" "ifaces=lo " "loopback: lo is the only interface"
assert_contains "$out" "host_lo=unreachable" "loopback: the host's 127.0.0.1 listener is not reachable"
assert_contains "$out" "host_addr=unreachable" "loopback: the host's addresses are not reachable"
assert_contains "$out" "abstract=unreachable" "loopback: the host's abstract unix socket is not reachable"
assert_contains "$out" "self=hello-self" "loopback: the jail's own listener on lo is reachable"
assert_ne "netns=$(readlink /proc/self/ns/net)" "$(grep ^netns= <<<"$out")" \
    "loopback: the jail has its own network namespace"
ok "loopback: only the jail itself is reachable"
je_wait_gone 10 || fail "the loopback jail did not end"

# ---- host ----
je_policy "version = 1;
profiles = { student = {
    namespaces = [\"mount\", \"pid\", \"ipc\", \"uts\"];
    root = { type = \"host\"; hide = [\"/home\", \"/root\", \"/run\", \"/work\"]; };
    home = { mode = \"tmpfs\"; size = \"16M\"; };
    network = { mode = \"host\"; };
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
out=$(HOME=/home/$je_user je_session -U "$je_user" -- bash -c "$probe" 2>&1)
echo "$out"
assert_contains "$out" "netns=$(readlink /proc/self/ns/net)" "host: the jail is in the host's network namespace"
assert_contains "$out" "host_lo=hello-host" "host: the host's 127.0.0.1 listener is reachable"
assert_contains "$out" "host_addr=hello-host" "host: the host's addresses are reachable"
assert_contains "$out" "abstract=hello-abstract" "host: the host's abstract unix sockets are reachable"
ok "host: the host's network, listeners and abstract sockets are shared (as documented)"
je_wait_gone 10 || fail "the host-network jail did not end"
