#!/bin/bash
# Write to the system tree, in a host directory the user may write to: the
# jail's root is read-only (root inside too).
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
chmod 0777 "$esc_dir"
write_it='
import os, sys
p = os.path.join(sys.argv[1], "written-%d" % os.getpid())
try:
    open(p, "w").write("x"); os.unlink(p); print("wrote " + p); sys.exit(0)
except OSError as e:
    print(e); sys.exit(1)'
esc_control host-user $PY -c "$write_it" "$esc_dir"
esc_jailed jail-user $PY -c "$write_it" "$esc_dir"
esc_jailed jail-root $PY -c "$write_it" "$esc_dir"
esc_jailed jail-root $PY -c "$write_it" /etc
