#!/bin/bash
# Open /proc/sys (a kernel knob) and /proc/sysrq-trigger for writing. Only
# root can on the host (the control opens them and writes nothing); in the
# jail they are read-only mounts, for root inside too.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
attempt='
import os, sys
for p in ("/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches", "/proc/sysrq-trigger"):
    try:
        fd = os.open(p, os.O_WRONLY); os.close(fd)
        print("opened %s for writing" % p); sys.exit(0)
    except OSError as e:
        print("%s: %s" % (p, e.strerror))
sys.exit(1)'
esc_control host-root $PY -c "$attempt"
esc_jailed jail-user $PY -c "$attempt"
esc_jailed jail-root $PY -c "$attempt"
