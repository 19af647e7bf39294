#!/bin/bash
# Find an fd of the host in a jailed process: a directory fd from which
# ".." leads to the host's tree (recognised by the test's directory under
# the host's /run, which the jail does not have), or a namespace fd that is
# not the jail's own. The control holds an fd of the host's / on purpose.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
probe=run/${je#/run/}
attempt='
import os, sys
probe = sys.argv[1]
own = {os.readlink("/proc/self/ns/" + n) for n in os.listdir("/proc/self/ns")}
found = []
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        fds = os.listdir("/proc/%s/fd" % pid)
    except OSError:
        continue
    for n in fds:
        link = "/proc/%s/fd/%s" % (pid, n)
        try:
            target = os.readlink(link)
        except OSError:
            continue
        if target.split(":")[0] in ("mnt", "net", "pid", "ipc", "uts", "user", "cgroup", "time") \
                and target not in own:
            found.append("%s -> %s (a namespace not ours)" % (link, target)); continue
        try:
            d = os.open(link, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        for _ in range(64):
            up = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=d); os.close(d); d = up
        try:
            os.stat(probe, dir_fd=d); found.append("%s -> %s reaches the host /" % (link, target))
        except OSError:
            pass
        os.close(d)
print(found or "no host fd"); sys.exit(0 if found else 1)'
hold_root='import os, sys; fd = os.open("/", os.O_RDONLY); os.set_inheritable(fd, True); os.execv(sys.argv[1], sys.argv[1:])'
esc_control host-user $PY -c "$hold_root" $PY -c "$attempt" "$probe"
esc_jailed jail-user $PY -c "$attempt" "$probe"
esc_jailed jail-root $PY -c "$attempt" "$probe"
