#!/bin/bash
# The host's name-service daemon sockets inside the jail (nss_sockets,
# init/jail_nss.c), without a directory: stand-in daemons answer on nscd's,
# systemd-userdb's and SSSD's fixed paths, in this test's private mount
# namespace only (a tmpfs over each daemon's directory: a daemon the host
# runs is hidden from this test, never disturbed; /run/nscd and
# /run/systemd/userdb are made on the host only if missing, stay empty
# there, and are removed at the end).
# - host root: exactly the nss endpoints are there, connect() works through
#   the read-only binds and reaches the host's listener; SSSD's PAM sockets
#   are not there; SSSD's memory cache is there, read-only;
# - nss_sockets = false: none of them, and SSSD's directories are empty;
# - a prepared tree gets the same endpoints;
# - the trust rule: a socket owned by the user, a directory others can
#   write, a file or a symlink where the socket should be, a cache file a
#   users' group can write: each refuses the jail, with the path and the
#   reason; a cache file root's group can write (SSSD's 0664) is fine.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
[ -d /var/lib/sss/pipes ] && [ -d /var/lib/sss/mc ] ||
    skip "needs SSSD's /var/lib/sss (sssd-common, contrib/install-deps.sh)"

if [ ! -e /run/nscd ]; then
    mkdir -m 0755 /run/nscd || fail "mkdir /run/nscd"
    on_exit rmdir /run/nscd
fi
# systemd's userdb directory (a directory of sockets): made the same way on
# a host without it (a systemd host has it).
for d in /run/systemd /run/systemd/userdb; do
    if [ ! -e "$d" ]; then
        mkdir -m 0755 "$d" || fail "mkdir $d"
        on_exit rmdir "$d"
    fi
done
for d in /run/nscd /run/systemd/userdb /var/lib/sss/pipes /var/lib/sss/mc; do
    mount -t tmpfs -o mode=0755,size=1m pj-nss "$d" || fail "tmpfs over $d"
    on_exit umount -l "$d"
done
mkdir -m 0750 /var/lib/sss/pipes/private
printf 'pj-cache\n' >/var/lib/sss/mc/passwd
chmod 0644 /var/lib/sss/mc/passwd
# Not an endpoint: must not come along with the socket.
: >/run/nscd/not-an-endpoint
: >/run/systemd/userdb/not-a-socket

# One listener for every stand-in socket: it answers a connection that says
# "pj-probe" with the socket's own token, so a reply proves which host
# socket was reached. Anything else (glibc asking the stand-in nscd for the
# test user's groups, in this namespace) gets the connection closed without
# a word, which glibc takes as "no nscd" and asks the files itself.
token=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
python3 - "$token" /run/nscd/socket /run/systemd/userdb/io.systemd.Multiplexer \
    /run/systemd/userdb/io.systemd.DynamicUser /var/lib/sss/pipes/nss /var/lib/sss/pipes/pam \
    /var/lib/sss/pipes/private/sbus-dp <<'PY' &
import os, selectors, socket, sys
token, paths = sys.argv[1], sys.argv[2:]
sel = selectors.DefaultSelector()
for p in paths:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(p)
    os.chmod(p, 0o666)
    s.listen(16)
    sel.register(s, selectors.EVENT_READ, p)
while True:
    for key, _ in sel.select():
        c, _ = key.fileobj.accept()
        c.settimeout(2)
        try:
            if c.recv(64) == b"pj-probe\n":
                c.sendall(("%s %s\n" % (token, key.data)).encode())
        except OSError:
            pass
        c.close()
PY
listener=$!
on_exit kill "$listener"
for _ in $(seq 50); do [ -S /var/lib/sss/pipes/private/sbus-dp ] && break; sleep 0.1; done
[ -S /var/lib/sss/pipes/private/sbus-dp ] || fail "the stand-in listener did not start"

je_service

# What the jail's user sees, one line per fact.
inside_host='
ask() { python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
    s.sendall(b\"pj-probe\\n\")
    print(s.recv(200).decode().strip())
except OSError as e:
    print(\"no: %s\" % e.strerror)
" "$1"; }
echo "nscd_dir=$(ls -A /run/nscd 2>&1 | tr "\n" " ")"
echo "nscd=$(ask /run/nscd/socket)"
echo "userdb_dir=$(ls -A /run/systemd/userdb 2>&1 | tr "\n" " ")"
echo "userdb=$(ask /run/systemd/userdb/io.systemd.Multiplexer)"
echo "sss_pipes=$(ls -A /var/lib/sss/pipes 2>&1 | tr "\n" " ")"
echo "sss_nss=$(ask /var/lib/sss/pipes/nss)"
echo "sss_pam=$(ask /var/lib/sss/pipes/pam)"
echo "sss_mc=$(ls -A /var/lib/sss/mc 2>&1 | tr "\n" " ") $(cat /var/lib/sss/mc/passwd 2>&1)"
echo "ro=$(grep -c " /run/nscd/socket ro," /proc/self/mountinfo)" \
    "$(grep -c " /var/lib/sss/pipes/nss ro," /proc/self/mountinfo)" \
    "$(grep -c " /var/lib/sss/mc/passwd ro," /proc/self/mountinfo)"
'
host_policy() { # [extra profile lines]
    je_default_policy "${1:-}"
}

# ---- host root, nss_sockets on (the default) ----
host_policy
out=$(je_session -U "$je_user" -- sh -c "$inside_host" 2>&1) ||
    fail "session: $out $(cat "$je_log")"
echo "$out"
assert_contains "$out" "nscd_dir=socket " "/run/nscd holds the socket and nothing else"
assert_contains "$out" "nscd=$token /run/nscd/socket" "connect() to nscd's socket reaches the host's"
assert_contains "$out" "userdb_dir=io.systemd.DynamicUser io.systemd.Multiplexer " \
    "/run/systemd/userdb holds its sockets and nothing else"
assert_contains "$out" "userdb=$token /run/systemd/userdb/io.systemd.Multiplexer" \
    "connect() to a userdb socket reaches the host's"
assert_contains "$out" "sss_pipes=nss " "SSSD's pipes: the nss socket only (no pam, no private)"
assert_contains "$out" "sss_nss=$token /var/lib/sss/pipes/nss" "connect() to SSSD's nss socket"
assert_contains "$out" "sss_pam=no: No such file or directory" "SSSD's PAM socket is not there"
assert_contains "$out" "sss_mc=passwd  pj-cache" "SSSD's memory cache, readable"
assert_contains "$out" "ro=1 1 1" "each endpoint is a read-only mount"
je_wait_gone 10 || fail "the jail did not end"
ok "host root: exactly the nss endpoints, read-only, connect() reaches the host's daemons"

# ---- nss_sockets = false ----
host_policy "nss_sockets = false;"
out=$(je_session -U "$je_user" -- sh -c "$inside_host" 2>&1) ||
    fail "session: $out $(cat "$je_log")"
assert_contains "$out" "nscd_dir=ls: cannot access '/run/nscd': No such file or directory" \
    "nss_sockets = false: no /run/nscd"
assert_contains "$out" $'sss_pipes=\n' "nss_sockets = false: SSSD's pipes empty"
assert_contains "$out" "sss_nss=no: No such file or directory" "nss_sockets = false: no SSSD"
assert_contains "$out" "userdb_dir=ls: cannot access '/run/systemd/userdb'" \
    "nss_sockets = false: no userdb"
assert_contains "$out" "sss_mc= cat: /var/lib/sss/mc/passwd: No such file" \
    "nss_sockets = false: no SSSD memory cache"
je_wait_gone 10 || fail "the jail did not end"
ok "nss_sockets = false: no daemon is reachable, SSSD's directories are empty"

# ---- a prepared tree (dash only: what is there, not a connect) ----
need_cmd ldd
tree=$je/tree
mkdir -p "$tree"/{bin,proc,dev,tmp,run,etc} "$tree/home/$je_user" "$tree/var/lib/sss/pipes" \
    "$tree/var/lib/sss/mc"
cp /bin/dash "$tree/bin/sh"
for lib in $(ldd /bin/dash | grep -o '/[^ ]*'); do
    mkdir -p "$tree$(dirname "$lib")"
    cp -L "$lib" "$tree$lib"
done
chmod -R go-w "$tree"
je_policy "version = 1;
profiles = { tree = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\"];
    root = { type = \"tree\"; path = \"$tree\"; };
}; };
rules = ( { group = \"$je_group\"; profile = \"tree\"; } );"
out=$(je_session "$je_user" -- /bin/sh -c '
test -S /run/nscd/socket && echo nscd=socket
test -S /var/lib/sss/pipes/nss && echo sss=socket
echo run: /run/nscd/* pipes: /var/lib/sss/pipes/* mc: /var/lib/sss/mc/*' 2>&1) ||
    fail "tree session: $out $(cat "$je_log")"
assert_contains "$out" "nscd=socket" "tree: nscd's socket"
assert_contains "$out" "sss=socket" "tree: SSSD's nss socket"
assert_contains "$out" "run: /run/nscd/socket pipes: /var/lib/sss/pipes/nss mc: /var/lib/sss/mc/passwd" \
    "tree: the endpoints and nothing else"
je_wait_gone 10 || fail "the tree jail did not end"
ok "a prepared tree gets the same endpoints"

# ---- the trust rule ----
expect_refusal() { # what expected-log-text
    local rc
    : >"$je_log"
    je_session "$je_user" -- sh -c 'echo RAN' >"$je/out" 2>"$je/err"
    rc=$?
    assert_eq 10 "$rc" "$1: pam_open_session must fail ($(cat "$je/out" "$je/err"))"
    assert_not_contains "$(cat "$je/out")" RAN "$1: the command ran"
    je_wait_log "$2" 3 || fail "$1: no log line with '$2': $(cat "$je_log")"
    je_wait_gone 10 || fail "$1: something is left"
    ok "$1: refused ($(grep -o 'session refused.*' "$je_log" | head -1))"
}
host_policy
prefix="session refused: user=$je_user profile=student: name service:"

chown "$je_user" /run/nscd/socket
expect_refusal "a socket the user owns" \
    "$prefix '/run/nscd/socket' is owned by uid $je_uid, not root"
chown root /run/nscd/socket

chown "$je_user" /run/systemd/userdb/io.systemd.DynamicUser
expect_refusal "a userdb socket the user owns (root's only)" \
    "$prefix '/run/systemd/userdb/io.systemd.DynamicUser' is owned by uid $je_uid, not root"
chown root /run/systemd/userdb/io.systemd.DynamicUser

chmod o+w /run/nscd
expect_refusal "a directory others can write" "$prefix '/run/nscd' is writable by others"
chmod o-w /run/nscd

# (rename keeps the listener's socket working: it is bound to the inode)
mv /run/nscd/socket /run/nscd/.socket
: >/run/nscd/socket
expect_refusal "a file where the socket belongs" "$prefix '/run/nscd/socket' is a file, not a socket"
rm /run/nscd/socket
ln -s /var/lib/sss/pipes/nss /run/nscd/socket
expect_refusal "a symlink where the socket belongs" \
    "$prefix '/run/nscd/socket' is a symbolic link, not a socket"
rm /run/nscd/socket
mv /run/nscd/.socket /run/nscd/socket

# SSSD's own caches are 0664 root:root (or its group): that is fine; a
# group of users that can write one is not.
chmod g+w /var/lib/sss/mc/passwd
chgrp "$je_group" /var/lib/sss/mc/passwd
expect_refusal "a cache file a users' group can write" \
    "$prefix '/var/lib/sss/mc/passwd' is writable by its group"
chgrp root /var/lib/sss/mc/passwd

out=$(je_session "$je_user" -- sh -c 'cat /run/nscd/not-an-endpoint 2>&1; echo done' 2>&1) ||
    fail "session after the refusals: $out"
assert_contains "$out" "No such file or directory" "the directory's other files stay out"
ok "with everything put back, the jail builds again"
