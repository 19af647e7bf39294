#!/bin/bash
# jailctl update: a program of our own (in a private, root-owned host
# directory; no real system file is touched) with its library found through
# RUNPATH=$ORIGIN/../lib. The library changes on the host: audit sees the
# difference, update copies it (and a library the new version needs), the
# program in the tree shows the new behaviour, and a second update finds
# nothing. A changed symlink is followed, a vanished source reported.
. "$TESTS/lib.sh"
need_root
need_cmd gcc
need_cmd unshare
[ -x "$BUILD/jailctl" ] || skip "jailctl not built"

jailctl=$BUILD/jailctl
work=$(mktemp -d -p /run pjupd.XXXXXX) || fail "mktemp"
chmod 0755 "$work"
on_exit rm -rf "$work"
host=$work/host
tree=$work/tree
mkdir -p "$host/bin" "$host/lib" "$work/src"
chmod 0755 "$host" "$host/bin" "$host/lib"

# Through the tree's loader: exec'ed directly as root of a user namespace
# made by nobody, the program runs in secure mode (AT_SECURE), where ld.so
# ignores $ORIGIN; the jail itself has no such namespace.
in_tree() {
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        unshare --user --map-root-user --root "$tree" /lib64/ld-linux-x86-64.so.2 "$@"
}

# libpjt.so.1 (soname) -> libpjt.so.1.0 (the file), version 1
build_lib() { # version [extra-gcc-args...]
    local v=$1; shift
    if [ $# -gt 0 ]; then # linked with libpjtextra: use it, or --as-needed drops it
        printf 'int pjt_extra(void);\nconst char *pjt_version(void) { return pjt_extra() == 2 ? "v%s" : "bad"; }\n' "$v"
    else
        printf 'const char *pjt_version(void) { return "v%s"; }\n' "$v"
    fi >"$work/src/pjt.c"
    gcc -shared -fPIC -Wl,-soname,libpjt.so.1 -o "$work/src/libpjt.so.1.0" \
        "$work/src/pjt.c" "$@" || fail "gcc lib"
    # Atomically, as a package manager would: a new inode.
    install -m 0755 "$work/src/libpjt.so.1.0" "$host/lib/.new" &&
        mv -f "$host/lib/.new" "$host/lib/libpjt.so.1.0"
}
build_lib 1
ln -s libpjt.so.1.0 "$host/lib/libpjt.so.1"
cat >"$work/src/prog.c" <<'EOF'
#include <stdio.h>
const char *pjt_version(void);
int main(void) { puts(pjt_version()); return 0; }
EOF
gcc -o "$host/bin/prog" "$work/src/prog.c" -L"$work/src" -l:libpjt.so.1.0 \
    -Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags || fail "gcc prog"
readelf -d "$host/bin/prog" | grep -q 'RUNPATH.*\$ORIGIN/../lib' || fail "no RUNPATH"
assert_eq v1 "$("$host/bin/prog")" "the host program works"

"$jailctl" mkroot "$tree" --program "$host/bin/prog" >"$work/mk.out" 2>&1 ||
    { cat "$work/mk.out"; fail "mkroot"; }
[ -L "$tree$host/lib/libpjt.so.1" ] || fail "the soname link is kept as a link"
[ -f "$tree$host/lib/libpjt.so.1.0" ] || fail "the library came in through \$ORIGIN"
assert_eq v1 "$(in_tree "$host/bin/prog")" "the program runs in the tree"
"$jailctl" audit "$tree" >/dev/null || fail "audit of the fresh tree"
ok "built: a RUNPATH=\$ORIGIN library found by reading the ELF file"

# ---- the host changes: version 2 needs a second library ----
printf 'int pjt_extra(void) { return 2; }\n' >"$work/src/extra.c"
gcc -shared -fPIC -Wl,-soname,libpjtextra.so.1 -o "$host/lib/libpjtextra.so.1" \
    "$work/src/extra.c" || fail "gcc extra"
chmod 0755 "$host/lib/libpjtextra.so.1"
build_lib 2 -L"$host/lib" -l:libpjtextra.so.1 -Wl,-rpath,'$ORIGIN' -Wl,--enable-new-dtags

out=$("$jailctl" audit "$tree" 2>&1)
rc=$?
echo "$out"
assert_eq 1 "$rc" "audit sees the changed host file"
assert_contains "$out" "$host/lib/libpjt.so.1.0: differs from its host original" "which one"

out=$("$jailctl" update "$tree" 2>&1) || { echo "$out"; fail "update"; }
echo "$out"
assert_contains "$out" "$host/lib/libpjt.so.1.0: updated from host '$host/lib/libpjt.so.1.0'" \
    "update reports the changed library"
assert_contains "$out" "$host/lib/libpjtextra.so.1: added from host" \
    "and the library its new version needs"
assert_contains "$out" "update: 2 changes" "two changes"
assert_eq v2 "$(in_tree "$host/bin/prog")" "the tree runs the new library"
"$jailctl" audit "$tree" >"$work/a.out" 2>&1 || { cat "$work/a.out"; fail "audit after update"; }
out=$("$jailctl" update "$tree" 2>&1) || fail "second update"
assert_contains "$out" "nothing changed" "a second update changes nothing"
ok "update copies a changed library and what it now needs"

# ---- a symlink changes on the host; a source vanishes ----
build_lib 3
mv "$host/lib/libpjt.so.1.0" "$host/lib/libpjt.so.1.1"
ln -sfn libpjt.so.1.1 "$host/lib/libpjt.so.1"
out=$("$jailctl" update "$tree" 2>&1) || { echo "$out"; fail "update after relink"; }
echo "$out"
assert_contains "$out" "$host/lib/libpjt.so.1: symlink now points to 'libpjt.so.1.1'" \
    "a changed symlink is followed"
assert_contains "$out" "$host/lib/libpjt.so.1.0: gone from the host" "a vanished source is reported"
assert_eq v3 "$(in_tree "$host/bin/prog")" "the tree follows the relinked library"
ok "update follows a changed symlink and reports a vanished source"

# ---- the generated /etc follows the host's accounts ----
user=$(uniq_name u)
make_user "$user" -s /bin/sh || fail "useradd"
"$jailctl" mkroot "$work/etree" --program /usr/bin/true --user "$user" >/dev/null 2>&1 ||
    fail "mkroot with a user"
usermod -s /bin/false "$user" || fail "usermod"
out=$("$jailctl" update "$work/etree" 2>&1) || { echo "$out"; fail "update after usermod"; }
assert_contains "$out" "/etc/passwd: written again" "a changed account is written again"
grep -q "^$user:.*:/bin/false$" "$work/etree/etc/passwd" || fail "the new shell is in the tree"
out=$("$jailctl" update "$work/etree" 2>&1) || fail "second update"
assert_contains "$out" "nothing changed" "and then nothing changes"
ok "update rewrites /etc/passwd when the host's account changed"

# A --group tree: a member who joins later is added by update.
grp=$(uniq_name g)
make_group "$grp" || fail "groupadd"
m1=$(uniq_name m) && make_user "$m1" -G "$grp" || fail "useradd"
m2=$(uniq_name n) && make_user "$m2" || fail "useradd"
"$jailctl" mkroot "$work/gtree" --program /usr/bin/sh --group "$grp" >/dev/null 2>&1 ||
    fail "mkroot --group"
grep -q "^$m2:" "$work/gtree/etc/passwd" && fail "a non-member is in passwd"
usermod -aG "$grp" "$m2" || fail "usermod -aG"
out=$("$jailctl" update "$work/gtree" 2>&1) || { echo "$out"; fail "update after a new member"; }
assert_contains "$out" "/etc/passwd: written again" "the new member is written in"
grep -q "^$m2:" "$work/gtree/etc/passwd" && [ -d "$work/gtree/home/$m2" ] ||
    fail "the new member's passwd line and home mount point"
ok "update adds a group's new member"

# ---- update refuses what is not a tree of ours ----
mkdir "$work/foreign"
out=$("$jailctl" update "$work/foreign" 2>&1)
assert_eq 1 "$?" "update of a directory without manifest fails"
assert_contains "$out" "not a pam_jail tree" "and says why"
exit 0
