#!/bin/bash
# Read a file that exists only on the host (in a directory the profile
# hides), though the user may read it there.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
secret=$je/host-only-$RANDOM
echo "host secret" >"$secret"
chmod 0644 "$secret"
read_it='
import sys
try:
    print(open(sys.argv[1]).read().strip()); sys.exit(0)
except OSError as e:
    print(e); sys.exit(1)'
esc_control host-user $PY -c "$read_it" "$secret"
esc_jailed jail-user $PY -c "$read_it" "$secret"
esc_jailed jail-root $PY -c "$read_it" "$secret"
