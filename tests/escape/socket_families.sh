#!/bin/bash
# Open a socket of an address family a login does not need: AF_VSOCK is not
# network-namespace aware (a loopback-only jail could talk to the
# hypervisor and to other guests), AF_ALG is kernel crypto attack surface,
# AF_PACKET (root) sees raw frames. The seccomp filter
# (lib/seccomp_socket.h) answers EAFNOSUPPORT, the answer of a kernel
# without the family. Which families this kernel has is probed by the
# control: a family it lacks proves nothing, and the jailed answers are
# checked only for the families the control opened.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
attempt='
import errno, socket, sys
kinds = {"vsock": (40, socket.SOCK_STREAM), "alg": (38, socket.SOCK_SEQPACKET),
         "packet": (17, socket.SOCK_DGRAM)}
opened = []
for name in sys.argv[1:]:
    fam, typ = kinds[name]
    try:
        socket.socket(fam, typ).close()
        opened.append(name); print("%s=opened" % name)
    except OSError as e:
        print("%s=%s" % (name, errno.errorcode[e.errno]))
    try:
        a, b = socket.socketpair(fam, typ); a.close(); b.close()
        opened.append(name + "-pair"); print("%s-pair=opened" % name)
    except OSError as e:
        print("%s-pair=%s" % (name, errno.errorcode[e.errno]))
sys.exit(0 if opened else 1)'
esc_control host-user $PY -c "$attempt" vsock alg
host_user=$(esc_run host-user $PY -c "$attempt" vsock alg 2>&1)
esc_jailed jail-user $PY -c "$attempt" vsock alg
jail_user=$(esc_run jail-user $PY -c "$attempt" vsock alg 2>&1)
for f in vsock alg; do
    if [[ $host_user == *"$f=opened"* ]]; then
        assert_contains "$jail_user" "$f=EAFNOSUPPORT" "$f: the filter's EAFNOSUPPORT in the jail"
    else
        echo "this kernel does not open $f sockets for a user: nothing to tell apart"
    fi
done
assert_contains "$jail_user" "vsock-pair=EAFNOSUPPORT" "socketpair goes through the same rule"
# Root inside the jail (sshd's monitor): AF_PACKET as well.
esc_control host-root $PY -c "$attempt" vsock alg packet
esc_jailed jail-root $PY -c "$attempt" vsock alg packet
jail_root=$(esc_run jail-root $PY -c "$attempt" vsock alg packet 2>&1)
assert_contains "$jail_root" "packet=EAFNOSUPPORT" "AF_PACKET: the filter's EAFNOSUPPORT (the kernel would say EPERM)"
