#!/bin/bash
# jailsh exports XDG_RUNTIME_DIR=/run/user/UID only when the jail has the
# user's own runtime directory there (init/jail_mounts.c makes it: the user's,
# 0700), never the caller's value (pam_systemd's, a host path); a directory
# that is not a 0700 directory of the user's is not exported. In a
# hand-built jail (tests/fixtures/jailsh_fakejail.bash).
. "$TESTS/lib.sh"
need_root
need_cmd setpriv
need_cmd unshare

if [ "${1:-}" != inner ]; then
    user=$(uniq_name r)
    make_user "$user" || fail "useradd"
    unshare -m --propagation private bash "$0" inner "$user"
    exit $?
fi

. "$TESTS/fixtures/jailsh_fakejail.bash"
fj_setup "$2"
rt=/run/user/$fj_uid
xdg() { # expected what
    fj_run XDG_RUNTIME_DIR=/run/user/1 -- jailsh -c 'echo "xdg=${XDG_RUNTIME_DIR-unset}"'
    assert_eq 0 "$fj_rc" "$2: jailsh status ($(cat "$fj_err"))"
    assert_eq "xdg=$1" "$(cat "$fj_out")" "$2"
}

xdg unset "no /run/user/UID in the jail"
install -d -m 0755 -o root -g root /run/user
install -d -m 0700 -o "$fj_uid" -g "$fj_gid" "$rt"
xdg "$rt" "the user's 0700 /run/user/UID"
ok "XDG_RUNTIME_DIR is the jail's /run/user/UID, not the caller's value"

chmod 0755 "$rt"
xdg unset "a 0755 /run/user/UID"
chmod 0700 "$rt"
chown root "$rt"
xdg unset "a root-owned /run/user/UID"
rmdir "$rt"
install -d -m 0700 -o "$fj_uid" -g "$fj_gid" /run/user/elsewhere
ln -s elsewhere "$rt"
xdg unset "/run/user/UID a symlink to the user's directory"
rm "$rt"
touch "$rt" && chown "$fj_uid" "$rt" && chmod 0700 "$rt"
xdg unset "/run/user/UID a file"
ok "XDG_RUNTIME_DIR is not exported for a wrong mode, owner, a symlink or a file"
