#!/bin/bash
# Read another jail's /tmp (same user, a jail per session): directly, and
# through /proc/PID/root of its processes, which is how the host gets there.
. "$TESTS/escape/lib-escape.sh"
ESC_PROFILE='lifetime = { mode = "session"; };' esc_setup "$@"
tag=pjesc-tmp-$RANDOM$RANDOM
esc_hold victim "$tag" 'open("/tmp/" + sys.argv[1], "w").write("the other jail")'
attempt='
import os, sys
host_pid, tag = sys.argv[1], sys.argv[2]
paths = ["/tmp/" + tag, "/proc/%s/root/tmp/%s" % (host_pid, tag)]
paths += ["/proc/%s/root/tmp/%s" % (p, tag) for p in os.listdir("/proc") if p.isdigit()]
for p in paths:
    try:
        print("%s: %s" % (p, open(p).read())); sys.exit(0)
    except OSError:
        pass
print("not found"); sys.exit(1)'
esc_control host-user $PY -c "$attempt" "$victim" "$tag"
esc_jailed jail-user $PY -c "$attempt" "$victim" "$tag"
esc_jailed jail-root $PY -c "$attempt" "$victim" "$tag"
