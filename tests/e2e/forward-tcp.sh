#!/bin/bash
# ssh -L from a jailed session reaches the jail's loopback, never the
# host's (DESIGN.md fact 5: sshd's session side lives in the jail's network
# namespace). Both sides listen on the same port number, so which answer
# comes back tells which loopback the forward reached. And -R listens in the
# jail, not on the host.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"

e2e_standard_setup
c=$E2E/client

# A TCP listener: answers every connection with WORD and logs each one.
listener=$c/listener.py
cat >"$listener" <<'EOF'
import socket, sys
port, word, log = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
print("listening", flush=True)
while True:
    conn, _ = s.accept()
    with open(log, "a") as f:
        f.write("connection\n")
    conn.sendall(word + b"\n")
    conn.close()
EOF
# Connect to 127.0.0.1:PORT on this side and print what comes back.
fetch() {
	python3 - "$1" <<'EOF'
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    print(s.recv(100).decode().strip())
except OSError as e:
    print("error:", e)
EOF
}

shared_port=$(e2e_free_port)
host_only_port=$(e2e_free_port)
for p in "$shared_port" "$host_only_port"; do
	: >"$c/host-$p.out"
	python3 "$listener" "$p" "host-$p" "$c/host-$p.log" >"$c/host-$p.out" 2>&1 &
	pid=$!
	on_exit "kill $pid; wait $pid"
	: >"$c/host-$p.log"
	wait_for 10 grep -q listening "$c/host-$p.out" || fail "host listener $p"
done
[ "$(fetch "$shared_port")" = "host-$shared_port" ] || fail "host listener does not answer"
: >"$c/host-$shared_port.log"

: >"$c/jail.out"
l_shared=$(e2e_free_port)
l_host_only=$(e2e_free_port)
# One session: a listener inside the jail on the shared port number, and
# two forwards from this side into the jail's 127.0.0.1.
ssh -F "$E2E_SSH_CONFIG" -o ExitOnForwardFailure=yes \
	-L "127.0.0.1:$l_shared:127.0.0.1:$shared_port" \
	-L "127.0.0.1:$l_host_only:127.0.0.1:$host_only_port" \
	"$UA@main" "exec python3 - $shared_port jail-$shared_port /tmp/jail.log" \
	<"$listener" >"$c/jail.out" 2>&1 &
ssh_pid=$!
on_exit "kill $ssh_pid; wait $ssh_pid"
wait_for 30 grep -q listening "$c/jail.out" || fail "jail listener: $(cat "$c/jail.out")"

got=$(fetch "$l_shared")
assert_eq "jail-$shared_port" "$got" "-L to 127.0.0.1:$shared_port answered by"
ok "-L reaches the jail's loopback"

got=$(fetch "$l_host_only")
assert_not_contains "$got" "host-$host_only_port" "-L to a port only the host listens on"
assert_eq "" "$(cat "$c/host-$host_only_port.log" "$c/host-$shared_port.log")" \
	"connections that reached host listeners"
ok "-L does not reach the host's loopback"

kill "$ssh_pid"
wait "$ssh_pid"
e2e_wait_no_jails

# -R: sshd's listener for a remote forward opens in the jail's network
# namespace; from inside, it leads back to this side's listener.
r_port=$(e2e_free_port)
: >"$c/r.out"
ssh -F "$E2E_SSH_CONFIG" -o ExitOnForwardFailure=yes \
	-R "127.0.0.1:$r_port:127.0.0.1:$shared_port" \
	"$UA@main" 'echo forwarding; exec sleep 300' </dev/null >"$c/r.out" 2>&1 &
r_pid=$!
on_exit "kill $r_pid; wait $r_pid"
wait_for 30 grep -q forwarding "$c/r.out" || fail "-R session: $(cat "$c/r.out")"
got=$(e2e_ssh "$UA@main" "python3 -c 'import socket; s = socket.create_connection((\"127.0.0.1\", $r_port), timeout=10); print(s.recv(100).decode().strip())'")
assert_eq "host-$shared_port" "$got" "-R port $r_port, connected from inside the jail"
assert_eq "" "$(ss -Hltn "sport = :$r_port")" "-R listener on the host's loopback"
ok "-R listens in the jail only"
kill "$r_pid"
wait "$r_pid"
e2e_wait_no_jails
