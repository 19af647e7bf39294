#!/bin/bash
# Reach a TCP service that listens only on the host's 127.0.0.1.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
$PY -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept(); c.sendall(b"host service\n"); c.close()' "$esc_dir/port" &
on_exit kill $!
for _ in $(seq 50); do [ -s "$esc_dir/port" ] && break; sleep 0.1; done
port=$(cat "$esc_dir/port")
attempt='
import socket, sys
try:
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
    print(c.recv(100).decode().strip()); sys.exit(0)
except OSError as e:
    print(e); sys.exit(1)'
esc_control host-user $PY -c "$attempt" "$port"
esc_jailed jail-user $PY -c "$attempt" "$port"
esc_jailed jail-root $PY -c "$attempt" "$port"
