#!/bin/bash
# A listening pathname unix socket in a directory the jail shows (issue 17,
# item 7). The jail's root is read-only and its network is its own, but
# connect() on a path socket needs neither a writable mount nor the
# socket's network namespace: any socket in the host's tree that the jail
# does not cover is reachable from inside, with the user's own permissions.
# That is documented (docs/SECURITY.md, jail.conf(5) root.hide): hiding
# such sockets is the administrator's job, beyond the daemons root.hide
# covers by default. This test asserts both halves of what is documented:
# reachable while shown, stopped once the profile hides its directory.
. "$TESTS/escape/lib-escape.sh"
esc_setup "$@"
sock=$esc_dir/app.sock
$PY -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.listen(8)
open(sys.argv[2], "w").write("up")
while True:
    c, _ = s.accept(); c.sendall(b"host path socket\n"); c.close()' "$sock" "$esc_dir/up" &
on_exit kill $!
for _ in $(seq 50); do [ -s "$esc_dir/up" ] && break; sleep 0.1; done
[ -s "$esc_dir/up" ] || fail "the socket's server did not start"
attempt='
import socket, sys
try:
    c = socket.socket(socket.AF_UNIX); c.settimeout(3); c.connect(sys.argv[1])
    print(c.recv(100).decode().strip()); sys.exit(0)
except OSError as e:
    print(e); sys.exit(1)'
esc_control host-user $PY -c "$attempt" "$sock"

# Shown in the jail (the test profile does not hide /var/lib): reachable,
# as documented, read-only root and own network namespace notwithstanding.
for who in jail-user jail-root; do
    out=$(esc_run "$who" $PY -c "$attempt" "$sock" 2>&1)
    rc=$?
    echo "jailed ($who), not hidden: $out"
    [ "$rc" -eq 0 ] || fail "$ESC_NAME: a socket the jail shows was not reachable ($who, exit $rc): $out"
    assert_contains "$out" "host path socket" "$who: the host's server answered"
done
ok "$ESC_NAME: a socket in a path the jail shows is reachable (documented: the administrator hides it)"

# Hidden by the profile (root.hide): stopped.
je_policy "version = 1;
profiles = { student = {
$(je_default_profile | sed "s|\"/work\"\]|\"/work\", \"$esc_dir\"]|")
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
grep -qF "\"$esc_dir\"]" "$je/etc/jail.conf" || fail "could not add $esc_dir to root.hide"
esc_jailed jail-user $PY -c "$attempt" "$sock"
esc_jailed jail-root $PY -c "$attempt" "$sock"
