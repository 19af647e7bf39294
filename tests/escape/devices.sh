#!/bin/bash
# Open a block device or /dev/mem, or make a device node to get one. On the
# host root can (the control opens read-only and reads nothing); the jail's
# /dev has neither, root inside has no CAP_MKNOD, and /tmp, /dev/shm and the
# home are nodev.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
# The test's namespace has a private /dev (jail_env.bash) without block
# devices: the attempt tries the usual names and makes its own node.
blk=$(ls /sys/block | head -n 1)
[ -n "$blk" ] || skip "no block device on this host"
major_minor=$(cat "/sys/block/$blk/dev")
blk=/dev/$blk
attempt='
import os, stat, sys
for p in ("/dev/mem", "/dev/kmem", "/dev/port", sys.argv[1]):
    try:
        fd = os.open(p, os.O_RDONLY); os.close(fd)
        print("opened " + p); sys.exit(0)
    except OSError as e:
        print("%s: %s" % (p, e.strerror))
ma, mi = (int(x) for x in sys.argv[2].split(":"))
for d in ("/tmp", "/dev/shm", os.environ.get("HOME", "/tmp")):
    n = os.path.join(d, "blk-%d" % os.getpid())
    try:
        os.mknod(n, 0o600 | stat.S_IFBLK, os.makedev(ma, mi))
    except OSError as e:
        print("mknod in %s: %s" % (d, e.strerror)); continue
    try:
        fd = os.open(n, os.O_RDONLY); os.close(fd); os.unlink(n)
        print("opened a node made in " + d); sys.exit(0)
    except OSError as e:
        os.unlink(n); print("open of a node in %s: %s" % (d, e.strerror))
sys.exit(1)'
esc_control host-root $PY -c "$attempt" "$blk" "$major_minor"
esc_jailed jail-user $PY -c "$attempt" "$blk" "$major_minor"
esc_jailed jail-root $PY -c "$attempt" "$blk" "$major_minor"
