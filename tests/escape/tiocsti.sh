#!/bin/bash
# Type into a terminal with ioctl(TIOCSTI) (CVE-2017-5226 class: a jailed
# program pushing commands into the input of the terminal it shares with
# its caller). The attempt makes its own pty the controlling terminal, as a
# login's shell has it. The seccomp filter answers EPERM; a host whose
# kernel already refuses TIOCSTI (dev.tty.legacy_tiocsti = 0, EIO) leaves
# the control failing: then the test skips.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
# The test namespace's /dev (jail_env.bash) has no usable ptmx: give it a
# devpts instance of its own, as the jail has.
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 pjesc-pts /dev/pts || fail "devpts"
ln -sf pts/ptmx /dev/ptmx || fail "ptmx link"
attempt='
import fcntl, os, struct, sys, termios
pid = os.fork()
if pid == 0:
    os.setsid()
    ptmx = "/dev/ptmx"
    m = os.open(ptmx, os.O_RDWR | os.O_NOCTTY)
    fcntl.ioctl(m, 0x40045431, struct.pack("i", 0))
    n = struct.unpack("i", fcntl.ioctl(m, 0x80045430, b"\0" * 4))[0]
    fd = os.open("/dev/pts/%d" % n, os.O_RDWR)
    fcntl.ioctl(fd, termios.TIOCSCTTY, 0)       # the controlling tty, as a login has
    try:
        fcntl.ioctl(fd, termios.TIOCSTI, b"x")
        print("TIOCSTI pushed a character", flush=True); os._exit(0)
    except OSError as e:
        print("TIOCSTI: %s" % e, flush=True); os._exit(1)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))'
esc_control host-user $PY -c "$attempt"
esc_jailed jail-user $PY -c "$attempt"
esc_jailed jail-root $PY -c "$attempt"
out=$(esc_run jail-user $PY -c "$attempt" 2>&1)
assert_contains "$out" "Operation not permitted" "the filter's EPERM stopped it (not a tty quirk)"
