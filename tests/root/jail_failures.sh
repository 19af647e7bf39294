#!/bin/bash
# Fail closed: every way a jail cannot be built refuses the session
# (PAM_SESSION_ERR), logs one line naming user, profile and cause, and
# leaves nothing behind. A good prepared tree first, so the refusals below
# are refusals of that same setup, not of a broken harness.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
need_cmd ldd

# A minimal prepared tree: dash and its libraries, and the mount points.
tree=$je/tree
mkdir -p "$tree"/{bin,proc,dev,tmp,run,etc} "$tree/home/$je_user"
cp /bin/dash "$tree/bin/sh"
for lib in $(ldd /bin/dash | grep -o '/[^ ]*'); do
    mkdir -p "$tree$(dirname "$lib")"
    cp -L "$lib" "$tree$lib"
done
chmod -R go-w "$tree"

tree_policy() { # root-path [extra profile lines]
    je_policy "version = 1;
profiles = { tree = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\"];
    root = { type = \"tree\"; path = \"$1\"; };
    ${2:-}
}; };
rules = ( { group = \"$je_group\"; profile = \"tree\"; } );"
}

# The state dir and the registry must be clean, and no process may hold
# anything of it (a keeper left behind would).
assert_nothing_left() { # what
    local held
    assert_eq "" "$(je_jails)" "$1: registry entry left"
    # One find reads every fd link (a readlink per fd forked ~1,700 times
    # and took minutes on a loaded machine); fds of processes that end
    # meanwhile are not errors.
    held=$(find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 \
        \( -lname "$je/state" -o -lname "$je/state/*" \) -printf '%p -> %l\n' 2>/dev/null)
    [ -z "$held" ] || fail "$1: a process still holds the state dir: $held"
}

expect_refusal() { # what expected-log-text [pj_session options]
    local what=$1 text=$2 rc
    shift 2
    : >"$je_log"
    je_session "$@" "$je_user" -- sh -c 'echo RAN' >"$je/out" 2>"$je/err"
    rc=$?
    assert_eq 10 "$rc" "$what: pam_open_session must fail"
    assert_contains "$(cat "$je/err")" "Cannot make/remove an entry for the specified session" \
        "$what: PAM_SESSION_ERR"
    assert_not_contains "$(cat "$je/out")" RAN "$what: the command ran"
    je_wait_log "$text" 3 || fail "$what: no log line with '$text': $(cat "$je_log")"
    assert_eq 1 "$(grep -c 'session refused\|unknown option' "$je_log")" "$what: one log line"
    assert_nothing_left "$what"
    ok "$what: refused ($(grep -o 'pam_jail.*' "$je_log" | head -1))"
}

# ---- the good tree works ----
tree_policy "$tree"
je_service
out=$(je_session "$je_user" -- /bin/sh -c 'echo *; echo $$' 2>&1)
[ "${out%%:*}" != pam_open_session ] || cat "$je_log" >&2
assert_eq "bin dev etc home lib lib64 proc run tmp
2" "$out" "a prepared tree: / is the tree, the command is PID 2"
je_wait_gone 10 || fail "tree jail did not end"
assert_nothing_left "good tree"
ok "a prepared tree is the jail's /"

# ---- failure paths ----
chmod g+w "$tree"
expect_refusal "group-writable jail root" \
    "session refused: user=$je_user profile=tree: jail root: '$tree' is writable by group"
chmod g-w "$tree"

ln -s "$tree" "$je/treelink"
tree_policy "$je/treelink"
expect_refusal "symlinked jail root component" \
    "session refused: user=$je_user profile=tree: jail root: '$je/treelink' is a symbolic link"

tree_policy "$je/no-such-tree"
expect_refusal "missing jail root" \
    "session refused: user=$je_user profile=tree: jail root: '$je/no-such-tree': No such file or directory"

# A bind source reached through a symlink the user owns (it points at
# /etc; following it would bind whatever the user chooses).
mkdir "$je/udir"
chown "$je_user" "$je/udir"
ln -s /etc "$je/udir/link"
chown -h "$je_user" "$je/udir/link"
tree_policy "$tree" "binds = ( { source = \"$je/udir/link\"; target = \"/etc\"; } );"
expect_refusal "bind source through a user-owned symlink" \
    "session refused: user=$je_user profile=tree: bind source: '$je/udir/link' is a symbolic link"

je_policy "version = 1;
profiles = { broken = { root = { type = \"host\"; }; };
rules = ( { group = \"$je_group\"; profile = \"broken\"; } );"
expect_refusal "broken policy" "session refused: user=$je_user profile=-: policy $je/etc/jail.conf:"

# A policy file writable by its group: a problem with the file as a whole,
# named without a line number.
je_default_policy
chmod g+w "$je/etc/jail.conf"
expect_refusal "group-writable policy file" \
    "session refused: user=$je_user profile=-: policy $je/etc/jail.conf: '$je/etc/jail.conf' is writable by group"
chmod g-w "$je/etc/jail.conf"

je_default_policy
je_service bogus_option
expect_refusal "unknown module argument" "unknown option: bogus_option"

je_service
expect_refusal "multithreaded caller" \
    "session refused: user=$je_user profile=student: the calling process has 2 threads" -T

echo "session required $BUILD/pam_jail.so config=$je/etc/jail.conf init=$je/no-init" \
    "statedir=$je/state" >"$je/pam/$je_svc"
expect_refusal "jail-init missing" \
    "session refused: user=$je_user profile=student: jail-init: '$je/no-init': No such file or directory"

# A user whose home is "/" would have a tmpfs laid over the jail's root.
slash=$(uniq_name h)
useradd -M -d / -s /bin/sh -G "$je_group" "$slash" || fail "useradd $slash"
on_exit userdel -f "$slash"
je_service
: >"$je_log"
je_session "$slash" -- sh -c 'echo RAN' >"$je/out" 2>&1
assert_eq 10 "$?" "home '/': pam_open_session must fail"
je_wait_log "session refused: user=$slash profile=student: cannot mount over the jail's /" ||
    fail "home '/': $(cat "$je_log")"
assert_nothing_left "home '/'"
ok "a home of '/' is refused, not mounted over the jail's root"

# ---- a user no rule names: not jailed (PAM_IGNORE), so pam_permit decides ----
other=$(uniq_name o)
make_user "$other" || fail "useradd $other"
printf '%s\n' "session required $BUILD/pam_jail.so config=$je/etc/jail.conf" \
    "init=$BUILD/jail-init statedir=$je/state" "session required pam_permit.so" |
    paste -sd' ' | sed 's/ session required pam_permit.so/\nsession required pam_permit.so/' \
    >"$je/pam/$je_svc"
je_session "$other" -- sh -c 'test -e /run/pam_jail/jail || echo NOT_JAILED' >"$je/out" 2>&1 ||
    fail "unmatched user: session failed: $(cat "$je/out")"
assert_eq NOT_JAILED "$(cat "$je/out")" "unmatched user is not jailed"
assert_nothing_left "unmatched user"
ok "a user no rule names is not jailed (PAM_IGNORE)"

# ---- home.persist through a symlink the user planted in the real home ----
# (the real /home is replaced by a tmpfs in this test's mount namespace only)
mount -t tmpfs -o mode=0755 pj-home /home || fail "tmpfs on /home"
install -d -m 0755 -o "$je_user" "/home/$je_user" || fail "real home"
ln -s /etc "/home/$je_user/keep"
chown -h "$je_user" "/home/$je_user/keep"
je_policy "version = 1;
profiles = { student = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\"];
    home = { mode = \"tmpfs\"; size = \"16M\"; persist = [\"keep\"]; };
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
je_service
expect_refusal "persistent directory through a user's symlink" \
    "session refused: user=$je_user profile=student: persistent directory 'keep': './keep' is a symbolic link"
# the same name as a real directory works, and is created when missing
rm "/home/$je_user/keep"
out=$(je_session -U "$je_user" -- sh -c "mountpoint -q /home/$je_user/keep && echo BOUND" 2>&1) ||
    fail "persistent directory: $out"
assert_contains "$out" BOUND "a missing persistent directory is made and bound"
assert_eq "$je_user" "$(stat -c %U "/home/$je_user/keep")" "made persistent directory's owner"
je_wait_gone 10 || fail "persist jail did not end"
ok "persistent directories: made as the user's, bound; a symlink is refused"
