#!/bin/bash
# The classic chroot escape (chroot into a subdirectory, fchdir to a
# directory fd outside it, chdir .. to the top, chroot .): the user needs
# CAP_SYS_CHROOT, which on the host a user namespace gives them
# (unshare -r). In the jail neither the capability nor a user namespace is
# to be had. (With the capability, the escape still ends at the jail's /:
# tests/root/jail_session.sh.)
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
# The scratch directory is removed in every outcome: on the host (the
# control run) it would otherwise stay in the host's /tmp.
escape='
import os, sys
d = "/tmp/esc-%d" % os.getpid()
os.makedirs(d, exist_ok=True)
fd = os.open("/", os.O_RDONLY)
try:
    os.chroot(d)
except OSError as e:
    os.rmdir(d)
    print("chroot: %s" % e); sys.exit(1)
os.fchdir(fd)
for _ in range(64):
    os.chdir("..")
os.chroot(".")
os.rmdir(d)
print("chrooted and broke out"); sys.exit(0)'
# Through a user namespace if one can be had, else directly.
attempt="unshare -r $PY -c '$escape' 2>/dev/null || $PY -c '$escape'"
esc_control host-user sh -c "$attempt"
esc_jailed jail-user sh -c "$attempt"
esc_jailed jail-root sh -c "$attempt"
