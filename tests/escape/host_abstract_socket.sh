#!/bin/bash
# Connect to a host's abstract unix socket (no file to hide: only the
# network namespace separates them).
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
name=pjesc-abstract-$RANDOM$RANDOM
$PY -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind("\0" + sys.argv[1]); s.listen(8)
open(sys.argv[2], "w").write("up")
while True:
    c, _ = s.accept(); c.sendall(b"host abstract socket\n"); c.close()' "$name" "$esc_dir/up" &
on_exit kill $!
for _ in $(seq 50); do [ -s "$esc_dir/up" ] && break; sleep 0.1; done
attempt='
import socket, sys
try:
    c = socket.socket(socket.AF_UNIX); c.settimeout(3); c.connect("\0" + sys.argv[1])
    print(c.recv(100).decode().strip()); sys.exit(0)
except OSError as e:
    print(e); sys.exit(1)'
esc_control host-user $PY -c "$attempt" "$name"
esc_jailed jail-user $PY -c "$attempt" "$name"
esc_jailed jail-root $PY -c "$attempt" "$name"
