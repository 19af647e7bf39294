#!/bin/bash
# A jailed login into a tree built by `jailctl mkroot --set shell --set ssh`:
# bash and ls run from the tree, the host's files are not there, and an
# sftp client talks to the tree's sftp-server through the PAM session (the
# file it fetches is the tree's /etc/passwd). Then pam_jail refuses the root
# when audit would fail it for ownership or writability: of the root, of a
# directory above it, or of anything inside the tree.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd sftp
[ -x "$BUILD/jailctl" ] || skip "jailctl not built"
je_setup "$@"

mkdir -m 0755 "$je/roots"
tree=$je/roots/tree
"$BUILD/jailctl" mkroot "$tree" --set shell --set ssh --sets-dir "$SRC/config/sets" \
    --user "$je_user" >"$je/mk.out" 2>&1 || { cat "$je/mk.out"; fail "mkroot"; }
"$BUILD/jailctl" audit "$tree" >/dev/null || fail "audit of the fresh tree"

je_policy "version = 1;
profiles = { boxed = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\", \"cgroup\"];
    hostname = \"box-%u\";
    root = { type = \"tree\"; path = \"$tree\"; };
    home = { mode = \"tmpfs\"; size = \"16M\"; };
    tmp = { size = \"16M\"; };
}; };
rules = ( { group = \"$je_group\"; profile = \"boxed\"; } );"
je_service

login() { # command...
    HOME=/home/$je_user je_session -U "$je_user" -- "$@"
}

# ---- a shell in the tree ----
inside='
echo "bash=$BASH_VERSION"
echo "ls=$(ls / | tr "\n" " ")"
echo "users=$(cut -d: -f1 /etc/passwd | tr "\n" " ")"
echo "whoami=$(id -un)"
echo "hostname=$(cat /proc/sys/kernel/hostname)"
test -e /usr/bin/python3 && echo "HOST_FILE_VISIBLE"
test -e /work && echo "HOST_DIR_VISIBLE"
touch /usr/bin/pj 2>/dev/null && echo "WROTE_TREE"
echo hello >"$HOME/f" && echo "home=$(cat "$HOME/f")"
'
out=$(login /bin/bash -c "$inside" 2>"$je/err") || { cat "$je/err"; fail "the jailed bash failed"; }
echo "$out"
assert_contains "$out" "bash=5" "bash runs from the tree"
assert_contains "$out" "ls=bin dev etc home lib" "ls lists the tree's root"
assert_contains "$out" "users=root $je_user " "passwd is the tree's: root and the user only"
assert_contains "$out" "whoami=$je_user" "NSS (files) works in the tree"
assert_contains "$out" "hostname=box-$je_user" "the jail's own UTS"
assert_not_contains "$out" "VISIBLE" "nothing of the host outside the tree"
assert_not_contains "$out" "WROTE_TREE" "the tree is read-only"
assert_contains "$out" "home=hello" "a writable tmpfs home"
je_wait_gone || fail "the jail did not end"
ok "a jailed login runs bash and ls from the tree"

# ---- sftp through the session: the client here, sftp-server in the jail ----
cat >"$je/sftp-wrap" <<EOF
#!/bin/sh
HOME=/home/$je_user exec "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" -U "$je_user" \
    -- /usr/lib/openssh/sftp-server
EOF
chmod 0755 "$je/sftp-wrap"
echo "uploaded through sftp" >"$je/upload.txt"
cat >"$je/batch" <<EOF
put $je/upload.txt /tmp/pj-up.txt
ls -1 /tmp
get /tmp/pj-up.txt $je/roundtrip.txt
get /etc/passwd $je/got-passwd
ls -1 /usr/lib/openssh
EOF
out=$(sftp -D "$je/sftp-wrap" -b "$je/batch" 2>&1) || { echo "$out"; fail "sftp session"; }
echo "$out"
assert_contains "$out" "pj-up.txt" "the upload is in the jail's /tmp"
assert_eq "uploaded through sftp" "$(cat "$je/roundtrip.txt")" "and reads back"
[ -e /tmp/pj-up.txt ] && fail "the upload landed in the host's /tmp"
assert_eq "root $je_user" "$(cut -d: -f1 "$je/got-passwd" | tr '\n' ' ' | sed 's/ $//')" \
    "sftp-server serves the tree's /etc/passwd, not the host's"
assert_contains "$out" "sftp-server" "the tree's /usr/lib/openssh"
je_wait_gone || fail "the sftp jail did not end"
ok "sftp: the tree's sftp-server answers through the jailed session"

# ---- pam_jail refuses what audit would fail for ownership or writability ----
refused() { # what
    local rc
    login /bin/true >"$je/out" 2>"$je/err"
    rc=$?
    [ "$rc" -eq 10 ] || { cat "$je/err"; fail "$1: the login was not refused (exit $rc)"; }
}
chown "$je_user" "$tree"
refused "tree owned by the user"
je_wait_log "owned by uid $je_uid" || fail "the log does not say the root's owner is wrong"
"$BUILD/jailctl" audit "$tree" >"$je/a" 2>&1 && fail "audit passes a user-owned root"
chown root "$tree"

chmod 0775 "$tree"
refused "tree writable by group"
je_wait_log "writable by group" || fail "the log does not say the root is group-writable"
"$BUILD/jailctl" audit "$tree" >"$je/a" 2>&1 && fail "audit passes a group-writable root"
chmod 0755 "$tree"

chmod 0777 "$je/roots"
refused "a directory above the tree writable by others"
"$BUILD/jailctl" audit "$tree" >"$je/a" 2>&1 && fail "audit passes a root below a writable dir"
chmod 0755 "$je/roots"

login /bin/true >/dev/null 2>"$je/err" || { cat "$je/err"; fail "the repaired tree is refused"; }
je_wait_gone || fail "the jail did not end"
ok "pam_jail refuses a root (or a parent) not root's or writable by others; audit agrees"

# ---- and what is below the root: everything in the tree (issue 8) ----
# jail-init walks the tree once per jail build and refuses the first entry
# not root's or open to writers, naming it; audit reports the same entry.
chown "$je_user" "$tree/usr/bin"
out=$("$BUILD/jailctl" audit "$tree" 2>&1) && fail "audit passes a user-owned /usr/bin"
assert_contains "$out" "/usr/bin: owned by uid $je_uid, not root" "audit names it"
refused "a user-owned /usr/bin inside the tree"
je_wait_log "jail root: '$tree/usr/bin' is owned by uid $je_uid, not root" ||
    fail "the log does not name the user-owned /usr/bin"
chown root "$tree/usr/bin"

# A file the user can rewrite in place, through a group that is not root's.
f=$tree/usr/bin/ls
chgrp "$je_group" "$f"
chmod g+w "$f"
out=$("$BUILD/jailctl" audit "$tree" 2>&1) && fail "audit passes a group-writable file"
assert_contains "$out" "/usr/bin/ls: writable by a group other than root" "audit names it"
refused "a group-writable file inside the tree"
je_wait_log "jail root: '$f': writable by a group other than root (mode 0775)" ||
    fail "the log does not name the group-writable file"
chmod g-w "$f"
chgrp root "$f"

# A world-writable directory without the sticky bit: anyone can swap its files.
mkdir -m 0755 "$tree/usr/share/pj-open"
chmod 0777 "$tree/usr/share/pj-open"
refused "a world-writable non-sticky directory inside the tree"
je_wait_log "jail root: '$tree/usr/share/pj-open': world-writable directory without the sticky bit (mode 0777)" ||
    fail "the log does not name the world-writable directory"
# A root-owned sticky one outside what the jail covers (/tmp, /var/tmp,
# /run, /dev) is refused too, as it is, empty (issue 17, item 2): refusing
# it only once a user put a file in it would let any user block the tree.
chmod 1777 "$tree/usr/share/pj-open"
out=$("$BUILD/jailctl" audit "$tree" 2>&1) && fail "audit passes an uncovered sticky 1777 dir"
assert_contains "$out" "/usr/share/pj-open: sticky directory others may write to (mode 1777), not covered" "audit names it"
refused "an empty sticky 1777 directory the jail does not cover"
je_wait_log "jail root: '$tree/usr/share/pj-open': a sticky directory others may write to (mode 1777) that the jail does not cover" ||
    fail "the log does not name the uncovered sticky directory"
# Root's only, it is walked like the rest and passes.
chmod 0755 "$tree/usr/share/pj-open"
login /bin/true >/dev/null 2>"$je/err" || { cat "$je/err"; fail "a root-only 0755 dir is refused"; }
je_wait_gone || fail "the jail did not end"
rmdir "$tree/usr/share/pj-open"

# A symlink inside the tree is not followed: one to a user-owned host
# directory does not make the tree unsafe, and the walk does not go there.
mkdir -m 0700 "$je/userdir"
chown "$je_user" "$je/userdir"
ln -s "$je/userdir" "$tree/usr/share/pj-link"
login /bin/true >/dev/null 2>"$je/err" || { cat "$je/err"; fail "a symlink out is followed"; }
je_wait_gone || fail "the jail did not end"
rm "$tree/usr/share/pj-link"

login /bin/true >/dev/null 2>"$je/err" || { cat "$je/err"; fail "the repaired tree is refused"; }
je_wait_gone || fail "the jail did not end"
ok "pam_jail refuses a tree with a user-owned or writable entry inside it, naming it"

# ---- the tree's /var/tmp gets the jail's own tmpfs (init/jail_mounts.c) ----
vt_mode=$(stat -c %a "$tree/var/tmp") || fail "mkroot made no /var/tmp"
out=$(login /bin/sh -c 'echo "vartmp=$(stat -c %a /var/tmp) $(stat -f -c %T /var/tmp)"
echo x >/var/tmp/pj && echo vartmp_writable' 2>"$je/err") || { cat "$je/err"; fail "login"; }
assert_contains "$out" "vartmp=1777 tmpfs" "the tree's /var/tmp: the jail's own tmpfs"
assert_contains "$out" "vartmp_writable" "the tree's /var/tmp: writable"
[ -e "$tree/var/tmp/pj" ] && fail "the write landed in the tree"
je_wait_gone || fail "the jail did not end"
# No /var/tmp in the tree (then no /var): nothing to cover, the login goes on.
rmdir "$tree/var/tmp"
out=$(login /bin/sh -c 'test -e /var/tmp && echo HAS_VARTMP; echo done' 2>"$je/err") ||
    { cat "$je/err"; fail "a tree without /var/tmp is refused"; }
assert_eq done "$out" "a tree without /var/tmp: no /var/tmp in the jail"
je_wait_gone || fail "the jail did not end"
# (mkroot's /var holds more than tmp, e.g. SSSD's mount points: set it aside)
mv "$tree/var" "$je/var.aside" || fail "could not set the tree's /var aside"
out=$(login /bin/sh -c 'test -e /var && echo HAS_VAR; echo done' 2>"$je/err") ||
    { cat "$je/err"; fail "a tree without /var is refused"; }
assert_eq done "$out" "a tree without /var: no /var in the jail"
je_wait_gone || fail "the jail did not end"
mv "$je/var.aside" "$tree/var" || fail "could not put the tree's /var back"
# A symlink there is not followed (after the pivot it could name a directory
# every jail shares): the login is refused, and the log says why.
ln -s /tmp "$tree/var/tmp"
refused "a symlink at the tree's /var/tmp"
je_wait_log "private /var/tmp: mount point '/var/tmp' is a symbolic link" ||
    fail "the log does not name the /var/tmp symlink"
rm "$tree/var/tmp"
mkdir -m "$vt_mode" "$tree/var/tmp"
login /bin/true >/dev/null 2>"$je/err" || { cat "$je/err"; fail "the repaired tree is refused"; }
je_wait_gone || fail "the jail did not end"
ok "a tree's /var/tmp: the jail's own; none if the tree has none; a symlink refused"

# ---- any user's file in the tree's tmp/, var/tmp/, run/lock (issue 17, item 2) ----
# A debootstrap tree has them sticky and world-writable, so every host user
# can put a file there. The jail covers all three with mounts of its own:
# the file must neither refuse the login nor be seen inside.
tmpmodes=$(stat -c %a "$tree/tmp" "$tree/var/tmp")
had_run=$([ -d "$tree/run" ] && echo yes)
mkdir -p "$tree/run"
mkdir -p "$tree/run/lock"
chmod 1777 "$tree/tmp" "$tree/var/tmp" "$tree/run/lock"
for d in tmp var/tmp run/lock; do
    setpriv --reuid="$je_user" --regid="$je_user" --init-groups \
        sh -c "touch '$tree/$d/pj-user-file' && mkdir '$tree/$d/pj-user-dir'" ||
        fail "the user could not write to the tree's /$d"
done
"$BUILD/jailctl" audit "$tree" >"$je/a" 2>&1 ||
    { cat "$je/a"; fail "audit fails users' files in the tree's tmp/, var/tmp/, run/lock"; }
out=$(login /bin/sh -c 'ls -A /tmp /var/tmp /run/lock 2>&1; echo done' 2>"$je/err") ||
    { cat "$je/err"; cat "$je_log"; fail "a user's file in the tree's tmp/ refused the login"; }
assert_contains "$out" done "login with users' files in the tree's shared directories"
assert_not_contains "$out" pj-user "the users' files seen inside the jail"
je_wait_gone || fail "the jail did not end"
for d in tmp var/tmp run/lock; do rm -r "$tree/$d/pj-user-file" "$tree/$d/pj-user-dir"; done
chmod "${tmpmodes%%$'\n'*}" "$tree/tmp"
chmod "${tmpmodes##*$'\n'}" "$tree/var/tmp"
rmdir "$tree/run/lock"
[ -n "$had_run" ] || rmdir "$tree/run"
ok "users' files in the tree's tmp/, var/tmp/, run/lock: the login goes on, the jail does not show them"
exit 0
