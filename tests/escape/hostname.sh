#!/bin/bash
# Set the hostname: directly, or as root of a new user + UTS namespace
# (what the host lets any user do). In the jail neither works, and the
# host's name stays what it was.
. "$TESTS/escape/lib-escape.sh"
need_cmd unshare
esc_setup "$@"
before=$(cat /proc/sys/kernel/hostname)
attempt='
import socket, subprocess, sys
try:
    socket.sethostname(socket.gethostname()); print("sethostname worked"); sys.exit(0)
except OSError as e:
    print("sethostname: %s" % e)
r = subprocess.run(["unshare", "-Uur", sys.executable, "-c",
                    "import socket; socket.sethostname(\"pjesc\")"], capture_output=True, text=True)
if r.returncode == 0:
    print("sethostname in a new UTS namespace worked"); sys.exit(0)
print(r.stderr.strip()); sys.exit(1)'
esc_control host-user $PY -c "$attempt"
esc_jailed jail-user $PY -c "$attempt"
esc_jailed jail-root $PY -c "$attempt"
assert_eq "$before" "$(cat /proc/sys/kernel/hostname)" "the host's hostname is unchanged"
