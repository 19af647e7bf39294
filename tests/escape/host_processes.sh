#!/bin/bash
# See or signal a host process of the same user.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
tag=pjesc-host-$RANDOM$RANDOM
setpriv --reuid="$je_uid" --regid="$esc_gid" --init-groups $PY -c 'import time, sys; time.sleep(600)' "$tag" &
victim=$!
on_exit kill "$victim"
for _ in $(seq 50); do grep -q "$tag" "/proc/$victim/cmdline" 2>/dev/null && break; sleep 0.1; done
attempt='
import os, sys
pid, tag = int(sys.argv[1]), sys.argv[2]
def cmdline(p):
    # A process may exit between the listing and the read: not a sighting.
    try:
        return open("/proc/%s/cmdline" % p, errors="replace").read()
    except OSError:
        return ""
seen = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid() and tag in cmdline(p)]
if seen:
    print("sees it in /proc: %s" % seen); sys.exit(0)
try:
    os.kill(pid, 0)
    if tag in cmdline(pid):
        print("can signal host pid %d" % pid); sys.exit(0)
except OSError as e:
    print("kill: %s" % e)
print("not visible"); sys.exit(1)'
esc_control host-user $PY -c "$attempt" "$victim" "$tag"
esc_jailed jail-user $PY -c "$attempt" "$victim" "$tag"
esc_jailed jail-root $PY -c "$attempt" "$victim" "$tag"
