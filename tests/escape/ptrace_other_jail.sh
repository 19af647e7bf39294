#!/bin/bash
# ptrace a process of the same user in ANOTHER jail (a profile with a jail
# per session). On the host the user may attach to it; from a jail it has
# no PID the attacker can name. (Inside its own jail the user may still
# debug their own processes: docs/SECURITY.md.)
. "$TESTS/escape/lib-escape.sh"
ESC_PROFILE='lifetime = { mode = "session"; };' esc_setup "$@"
tag=pjesc-victim-$RANDOM$RANDOM
esc_hold victim "$tag"
attempt='
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
host_pid, tag = int(sys.argv[1]), sys.argv[2]
cands = {host_pid} | {int(p) for p in os.listdir("/proc") if p.isdigit()}
for pid in sorted(cands):
    if pid == os.getpid():
        continue
    try:
        if tag not in open("/proc/%d/cmdline" % pid, errors="replace").read():
            continue
    except OSError:
        continue
    if libc.ptrace(16, pid, 0, 0) == 0:            # PTRACE_ATTACH
        os.waitpid(pid, 0)
        libc.ptrace(17, pid, 0, 0)                 # PTRACE_DETACH
        print("attached to %d" % pid); sys.exit(0)
    print("attach %d: %s" % (pid, os.strerror(ctypes.get_errno())))
print("no way to the victim"); sys.exit(1)'
esc_control host-user $PY -c "$attempt" "$victim" "$tag"
esc_jailed jail-user $PY -c "$attempt" "$victim" "$tag"
esc_jailed jail-root $PY -c "$attempt" "$victim" "$tag"
