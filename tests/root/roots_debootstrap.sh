#!/bin/bash
# jailctl mkroot --debootstrap bookworm: a full minimal Debian, then the
# hardening pass (no setuid/setgid, no device nodes, everything root's and
# not writable by others), the minimal /etc, a clean audit, and programs
# that run with the tree's own loader; then a jailed login into it, with the
# jail's own /tmp and /var/tmp on the tree's. One debootstrap run (~1 minute);
# skipped, saying so, only when the package mirror cannot be reached.
. "$TESTS/lib.sh"
need_cmd debootstrap
need_cmd unshare
[ -x "$BUILD/jailctl" ] || skip "jailctl not built"
. "$TESTS/root/jail_env.bash"
je_setup "$@" # first: it re-runs this script in a private mount namespace

# The mirror this host's apt uses.
mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
    head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
python3 - "$mirror/dists/bookworm/Release" <<'PY' || skip "package mirror $mirror unreachable: --debootstrap not tested"
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=15).read(64)
PY

work=$(mktemp -d -p /var/lib pjdeb.XXXXXX) || fail "mktemp"
chmod 0755 "$work"
on_exit rm -rf "$work"
tree=$work/deb
user=$je_user

start=$EPOCHREALTIME
"$BUILD/jailctl" mkroot "$tree" --debootstrap bookworm --mirror "$mirror" --user "$user" \
    >"$work/mk.out" 2>&1 || { tail -n 30 "$work/mk.out"; fail "mkroot --debootstrap"; }
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
grep -v '^I: ' "$work/mk.out"
echo "debootstrap + hardening: ${secs}s"
[ -x "$tree/usr/bin/apt-get" ] && [ -x "$tree/usr/bin/dpkg" ] || fail "not a Debian tree"
grep -q 'bookworm\|^12' "$tree/etc/debian_version" "$tree/etc/os-release" || fail "not bookworm"
assert_contains "$(cat "$work/mk.out")" "on debootstrap bookworm" "mkroot says what it made"
ok "debootstrap bookworm built a tree"

bad=$(find "$tree" \( -perm /6000 -o -type b -o -type c -o -type p -o -type s \) -print | head)
[ -z "$bad" ] || fail "setuid/setgid or device nodes left: $bad"
bad=$(find "$tree" \( ! -user root -o ! -type l -perm /002 \) -print | head)
[ -z "$bad" ] || fail "not root's or writable by others: $bad"
assert_eq 2 "$(wc -l <"$tree/etc/passwd")" "passwd holds root and the named user only"
grep -q "^$user:" "$tree/etc/passwd" || fail "the named user"
[ -d "$tree/home/$user" ] || fail "the user's home mount point"
[ -f "$tree/.pam_jail/manifest" ] || fail "manifest"
ok "hardened: no setuid, no device nodes, all root's, minimal passwd"

out=$("$BUILD/jailctl" audit "$tree" 2>&1) || { echo "$out"; fail "audit of the debootstrap tree"; }
ok "audit is clean"

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
    unshare --user --map-root-user --root "$tree" /bin/bash -c \
    'l=$(/lib64/ld-linux-x86-64.so.2 --list /usr/bin/apt-get) && echo "loader: $l"; dpkg-query -W -f="\${Package}\n" bash' 2>&1)
echo "$out"
assert_contains "$out" "libapt-pkg.so" "apt-get resolves its libraries in the tree"
assert_not_contains "$out" "not found" "all of them"
assert_contains "$out" "bash" "dpkg works in the tree"
ok "programs run in the tree with its own loader"

# ---- a jailed login into the tree ----
je_policy "version = 1;
profiles = { deb = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\", \"cgroup\"];
    root = { type = \"tree\"; path = \"$tree\"; };
    home = { mode = \"tmpfs\"; size = \"16M\"; };
    tmp = { size = \"16M\"; };
}; };
rules = ( { group = \"$je_group\"; profile = \"deb\"; } );"
je_service
inside='echo "debian=$(cat /etc/debian_version)"
echo "tmp=$(stat -c %a /tmp) $(stat -f -c %T /tmp)"
echo "vartmp=$(stat -c %a /var/tmp) $(stat -f -c %T /var/tmp)"
echo x >/var/tmp/pj && echo vartmp_writable
touch /var/pj 2>/dev/null && echo WROTE_TREE
exit 0'
out=$(HOME=/home/$user je_session -U "$user" -- /bin/sh -c "$inside" 2>"$je/err") ||
    { echo "$out"; cat "$je/err"; tail -n 5 "$je_log"; fail "the jailed login into the debootstrap tree"; }
echo "$out"
assert_contains "$out" "debian=12" "the login runs in the tree"
assert_contains "$out" "tmp=1777 tmpfs" "the jail's own /tmp"
assert_contains "$out" "vartmp=1777 tmpfs" "the jail's own /var/tmp, on the tree's"
assert_contains "$out" "vartmp_writable" "/var/tmp is writable"
assert_not_contains "$out" "WROTE_TREE" "the tree is read-only"
[ -e "$tree/var/tmp/pj" ] && fail "the write landed in the tree"
je_wait_gone || fail "the jail did not end"
ok "a jailed login into the debootstrap tree, with its own /tmp and /var/tmp"
exit 0
