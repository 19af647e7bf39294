#!/bin/bash
# jailctl mkroot / audit: a tree with the shell and ssh sets; every program
# in it resolves its libraries with the tree's own loader (run unprivileged
# in a throwaway user namespace); audit is clean on it and reports every
# planted problem; bad input is refused; a failed or killed run leaves
# nothing a login would accept; a re-run on its own tree is fine.
. "$TESTS/lib.sh"
need_root
need_cmd unshare
need_cmd setpriv
need_cmd readelf
[ -x "$BUILD/jailctl" ] || skip "jailctl not built"

jailctl=$BUILD/jailctl
sets=$SRC/config/sets
work=$(mktemp -d -p /run pjroots.XXXXXX) || fail "mktemp"
chmod 0755 "$work"
on_exit rm -rf "$work"
tree=$work/tree
user=$(uniq_name u)
make_user "$user" || fail "useradd"

# Run a command inside the tree as nobody, with root only in a new user
# namespace (unshare --root chroots there: no real privilege involved).
in_tree() { # tree cmd...
    local t=$1; shift
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        unshare --user --map-root-user --root "$t" "$@"
}

# ---- build ----
"$jailctl" mkroot "$tree" --set shell --set ssh --sets-dir "$sets" --user "$user" \
    >"$work/mk.out" 2>&1 || { cat "$work/mk.out"; fail "mkroot failed"; }
cat "$work/mk.out"
assert_contains "$(cat "$work/mk.out")" "ready:" "mkroot says it is done"
[ -f "$tree/.pam_jail/manifest" ] || fail "no manifest"
[ "$(tail -n 1 "$tree/.pam_jail/manifest")" = end ] || fail "manifest not complete"
ls "$work" | grep -q 'tree.tmp-' && fail "the temp dir was left behind"
ok "mkroot built the tree"

# Layout: merged /usr as on the host, mount points, minimal /etc.
assert_eq "usr/bin" "$(readlink "$tree/bin")" "/bin -> usr/bin"
assert_eq "usr/lib" "$(readlink "$tree/lib")" "/lib -> usr/lib"
for d in proc dev tmp run "home/$user" var/lib/sss/pipes var/lib/sss/mc; do
    [ -d "$tree/$d" ] || fail "mount point /$d missing"
done
assert_eq "root:x:0:0:root:/root:/bin/sh" "$(head -n 1 "$tree/etc/passwd")" "passwd root line"
grep -q "^$user:x:$(id -u "$user"):" "$tree/etc/passwd" || fail "the named user is in passwd"
[ "$(wc -l <"$tree/etc/passwd")" -eq 2 ] || fail "passwd holds only root and the user"
grep -q '^tty:' "$tree/etc/group" || fail "the tty group is in group"
grep -q '^passwd: *files' "$tree/etc/nsswitch.conf" || fail "nsswitch.conf"
[ -s "$tree/etc/ld.so.cache" ] || fail "ld.so.cache"
[ -e "$tree/usr/lib/openssh/sftp-server" ] || fail "sftp-server"
[ -e "$tree/usr/lib/x86_64-linux-gnu/libnss_files.so.2" ] || fail "NSS module (dlopen-only)"
[ -e "$tree/usr/bin/python3" ] && fail "a program of no set came in"
# everything root's; no directory writable by group/others; no setuid
bad=$(find "$tree" \( ! -user root -o -perm /022 ! -type l -o -perm /6000 \) -print | head)
[ -z "$bad" ] || fail "not root's, writable or setuid: $bad"
ok "layout, /etc, ownership and modes"

# ---- every program resolves its libraries, with the tree's own loader ----
n=0
while IFS= read -r -d '' f; do
    rel=${f#"$tree"}
    head -c 4 "$f" | grep -q 'ELF' || continue
    readelf -d "$f" 2>/dev/null | grep -q '(NEEDED)' || continue
    out=$(in_tree "$tree" /lib64/ld-linux-x86-64.so.2 --list "$rel" 2>&1) ||
        fail "the tree's loader cannot load $rel: $out"
    assert_not_contains "$out" "not found" "$rel resolves all its libraries"
    n=$((n + 1))
done < <(find "$tree/usr" -type f -print0)
[ "$n" -ge 60 ] || fail "only $n dynamic ELF files checked"
ok "$n dynamic programs and libraries resolve every library inside the tree"

out=$(in_tree "$tree" /bin/bash -c 'echo "bash $BASH_VERSION"; ls /; id -un' 2>&1) ||
    fail "bash in the tree: $out"
assert_contains "$out" "bash 5" "bash runs in the tree"
assert_contains "$out" "proc" "ls runs in the tree"
# The loader really is the tree's: a library removed from the tree is
# missing, whatever the host has (the negative of the check above).
cp -a "$tree" "$work/broken"
rm -f "$work/broken/usr/lib/x86_64-linux-gnu/libpcre2-8.so.0"*
out=$(in_tree "$work/broken" /lib64/ld-linux-x86-64.so.2 --list /usr/bin/ls 2>&1) &&
    fail "the tree's loader found a library the tree lacks: $out"
assert_contains "$out" "libpcre2-8.so.0" "a library missing in the tree is missing"
ok "bash and ls run in the tree; the check sees a missing library"

# ---- audit: clean, then every planted problem reported ----
"$jailctl" audit "$tree" >"$work/audit.out" 2>&1 || { cat "$work/audit.out"; fail "audit of a fresh tree"; }
assert_contains "$(cat "$work/audit.out")" "is clean" "audit: fresh tree is clean"

p=$work/broken
cp "$p/usr/bin/true" "$p/usr/bin/suid" && chmod 4755 "$p/usr/bin/suid"
cp "$p/usr/bin/true" "$p/usr/bin/sgid" && chmod 2755 "$p/usr/bin/sgid"
mknod "$p/dev/evil" c 1 3
mkdir "$p/var/ww" && chmod 0777 "$p/var/ww"
mkdir "$p/var/ww-sticky" && chmod 1777 "$p/var/ww-sticky"
# The tree's own tmp/ made sticky and world-writable, as debootstrap makes
# it, with a user's file in it: the jail covers it, so no finding.
chmod 1777 "$p/tmp" && touch "$p/tmp/users-file" && chown 65534 "$p/tmp/users-file"
chown 65534 "$p/etc/hosts"
ln -s ../../../../../../etc/shadow "$p/etc/climb"
ln -s /etc/shadow "$p/etc/abs"
ln -s /usr/bin/bash "$p/etc/inside" # fine: resolves in the tree
echo "# planted" >>"$p/etc/nsswitch.conf"
# a soname link re-pointed (to the same file, by another text)
link=$(awk -F'\t' '$1 == "L" && $2 ~ /^\/usr\/lib\/x86_64-linux-gnu\/lib.*\.so\.[0-9]+$/ { print $2 "\t" $3; exit }' \
    "$p/.pam_jail/manifest")
[ -n "$link" ] || fail "no soname link in the manifest"
ln -sfn "./${link#*$'\t'}" "$p${link%%$'\t'*}"
"$jailctl" audit "$p" >"$work/audit2.out" 2>&1
rc=$?
a=$(cat "$work/audit2.out")
echo "$a"
assert_eq 1 "$rc" "audit exits 1 with findings"
assert_contains "$a" "/usr/bin/suid: setuid file" "setuid file reported"
assert_contains "$a" "/usr/bin/sgid: setgid file" "setgid file reported"
assert_contains "$a" "/dev/evil: device node" "device node reported"
assert_contains "$a" "/var/ww: world-writable directory without the sticky bit" "world-writable dir"
assert_contains "$a" "/var/ww-sticky: sticky directory others may write to (mode 1777), not covered" \
    "a sticky world-writable dir the jail does not cover (issue 17, item 2)"
grep -q '^/tmp' <<<"$a" && fail "the tree's sticky /tmp, or a user's file in it, is a finding"
assert_contains "$a" "/etc/hosts: owned by uid 65534, not root" "file not owned by root"
assert_contains "$a" "/etc/climb: symlink to '../../../../../../etc/shadow' climbs out of the tree" \
    "relative symlink out of the tree"
assert_contains "$a" "/etc/abs: symlink to '/etc/shadow' points out of the tree" \
    "absolute symlink to what the tree lacks"
assert_not_contains "$a" "/etc/inside:" "a symlink resolving in the tree is fine"
assert_contains "$a" "/usr/bin/grep: needs 'libpcre2-8.so.0', which the tree does not have" \
    "program with a missing library"
assert_contains "$a" "/etc/nsswitch.conf: changed in the tree since it was built" \
    "file that differs from the manifest"
assert_contains "$a" "in the manifest but not in the tree" "removed file reported"
assert_contains "$a" "${link%%$'\t'*}: symlink changed since it was built: './${link#*$'\t'}'" \
    "a re-pointed symlink reported"
ok "audit reports every planted problem"

# ---- refusals ----
mkdir "$work/other" && echo precious >"$work/other/data"
out=$("$jailctl" mkroot "$work/other" --set shell --sets-dir "$sets" 2>&1); rc=$?
assert_eq 1 "$rc" "a non-empty directory that is no tree is refused"
assert_contains "$out" "not a pam_jail tree" "and says why"
assert_eq precious "$(cat "$work/other/data")" "and is left alone"
[ "$(ls -A "$work/other")" = data ] || fail "the refused dir was touched"

out=$("$jailctl" mkroot "$work/t2" --program /usr/bin/no-such-program-pj 2>&1); rc=$?
assert_eq 1 "$rc" "a missing program is an error"
assert_contains "$out" "program '/usr/bin/no-such-program-pj': No such file or directory" \
    "naming the program"
[ -e "$work/t2" ] && fail "a failed mkroot left the tree"

out=$("$jailctl" mkroot "$work/t2" --set no-such-set --sets-dir "$sets" 2>&1); rc=$?
assert_eq 1 "$rc" "a missing set is an error"
out=$("$jailctl" mkroot relative/dir --set shell 2>&1); rc=$?
assert_eq 1 "$rc" "a relative DIR is refused"
assert_contains "$out" "not a clean absolute path" "and says why"

# A named user whose login shell the tree lacks: built, and said so.
user2=$(uniq_name v)
make_user "$user2" -s /usr/bin/pj-no-such-shell || fail "useradd"
out=$("$jailctl" mkroot "$work/t4" --program /usr/bin/true --user "$user2" 2>&1) ||
    { echo "$out"; fail "mkroot with a shell-less user"; }
assert_contains "$out" "the login shell of user '$user2' is not in the tree" "missing shell noted"

# --group: every member (listed, or by primary group) becomes a --user.
grp=$(uniq_name g)
make_group "$grp" || fail "groupadd"
m1=$(uniq_name m) && make_user "$m1" -G "$grp" || fail "useradd"
m2=$(uniq_name n) && make_user "$m2" -g "$grp" || fail "useradd"
"$jailctl" mkroot "$work/t5" --program /usr/bin/sh --group "$grp" >/dev/null 2>&1 ||
    fail "mkroot --group"
for u in "$m1" "$m2"; do
    grep -q "^$u:" "$work/t5/etc/passwd" && [ -d "$work/t5/home/$u" ] ||
        fail "--group: $u missing from passwd or /home"
done
out=$("$jailctl" mkroot "$work/t6" --program /usr/bin/sh --group no-such-group-pj 2>&1) &&
    fail "an unknown group was accepted"
assert_contains "$out" "group 'no-such-group-pj' does not exist" "an unknown group is named"

# A tree inside a directory it copies does not copy itself.
mkdir -p "$work/self/data" && echo x >"$work/self/data/f"
timeout 60 "$jailctl" mkroot "$work/self/tree" --program "$work/self" >/dev/null 2>&1 ||
    fail "mkroot of a tree inside what it copies"
[ -f "$work/self/tree$work/self/data/f" ] || fail "the directory was not copied"
[ -z "$(ls "$work/self/tree$work/self")" ] && fail "nothing copied"
ls "$work/self/tree$work/self" | grep -q tree && fail "the tree copied itself"

# A parent pam_jail would refuse (group-writable) is refused too.
mkdir "$work/gw" && chmod 0775 "$work/gw" && chgrp 65534 "$work/gw"
out=$("$jailctl" mkroot "$work/gw/t" --set shell --sets-dir "$sets" 2>&1); rc=$?
assert_eq 1 "$rc" "a tree below a group-writable directory is refused"
assert_contains "$out" "writable by group" "and says why"

# A run that fails half-way (a program whose library sits in a directory
# others may write) leaves DIR as it was: absent here, the old tree below.
mkdir -p "$work/host/bin" "$work/host/lib"
cp /usr/bin/true "$work/host/bin/prog"
cp /usr/bin/true "$work/host/lib/x"
chmod 0777 "$work/host/lib"
ln -s ../lib/x "$work/host/bin/viaunsafe" # resolving through lib/: refused
out=$("$jailctl" mkroot "$work/t3" --program "$work/host/bin/prog" \
    --program "$work/host/bin/viaunsafe" 2>&1); rc=$?
assert_eq 1 "$rc" "a source under a world-writable directory is refused"
assert_contains "$out" "writable by others" "and says why"
[ -e "$work/t3" ] && fail "the failed run left DIR"
ls "$work" | grep -q 't3.tmp-' && fail "the failed run left its temp dir"
ok "refusals: foreign dir, missing program/set, relative path, unsafe parent/source"

# ---- killed half-way: DIR untouched, the leftover removed by the next run ----
cp -a "$tree" "$work/snapshot"
"$jailctl" mkroot "$tree" --set shell --set ssh --set python3 --sets-dir "$sets" \
    --user "$user" >"$work/kill.out" 2>&1 &
mk=$!
for _ in $(seq 200); do
    ls "$work" | grep -q '^tree.tmp-' && break
    sleep 0.02
done
kill -9 "$mk"
wait "$mk" 2>/dev/null
left=$(ls "$work" | grep '^tree.tmp-' || true)
[ -n "$left" ] || echo "note: mkroot finished before the kill"
diff -r --no-dereference "$work/snapshot" "$tree" >/dev/null || fail "a killed mkroot changed DIR"
[ ! -e "$work/$left/.pam_jail/manifest" ] || [ -z "$left" ] || fail "the leftover has a manifest"
"$jailctl" mkroot "$tree" >"$work/again.out" 2>&1 || { cat "$work/again.out"; fail "re-run"; }
[ -z "$left" ] || assert_contains "$(cat "$work/again.out")" "leftover" "the leftover is removed"
ls "$work" | grep -q '^tree.tmp-' && fail "leftover still there"
ok "a killed run leaves DIR as it was; the next run cleans up"

# ---- idempotent: the re-run (recipe from the manifest) gives the same tree ----
diff <(grep -v '^G' "$work/snapshot/.pam_jail/manifest") \
    <(grep -v '^G' "$tree/.pam_jail/manifest") || fail "the re-run changed the recipe or files"
"$jailctl" audit "$tree" >/dev/null || fail "audit after the re-run"
ok "re-running mkroot on its own tree is idempotent"
exit 0
