#!/bin/bash
# Read another user's home (world-readable on the host).
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
other=$(uniq_name o)
make_user "$other" || fail "useradd"
home=$(getent passwd "$other" | cut -d: -f6)
mkdir -p "$home" && echo "other's file" >"$home/notes" && chmod 0755 "$home" && chmod 0644 "$home/notes"
on_exit rm -rf "$home"
read_it='
import sys
try:
    print(open(sys.argv[1]).read().strip()); sys.exit(0)
except OSError as e:
    print(e); sys.exit(1)'
esc_control host-user $PY -c "$read_it" "$home/notes"
esc_jailed jail-user $PY -c "$read_it" "$home/notes"
esc_jailed jail-root $PY -c "$read_it" "$home/notes"
