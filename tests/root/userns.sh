#!/bin/bash
# The user namespace (profile option "user", init/userns.c, shell/userns.c),
# through `su - USER` with pam_jail.so and jailsh as the login shell (the
# jailsh_su.sh setup: /etc/pam.d replaced in a private mount namespace).
#   - the shell is in a user namespace that maps exactly the user's uid and
#     gid: root-owned files show as 65534, setgroups is denied, nested user
#     namespaces fail (user.max_user_namespaces = 0 inside, so even with
#     the seccomp filter off), the shell has no capability;
#   - the jail's PID 1, the keeper and the PAM caller are not in it;
#   - another jail's user does not see it; a missing, forged or foreign
#     namespace at /run/pam_jail/userns makes jailsh refuse;
#   - a user it cannot be made for (primary gid 0) gets no session;
#   - without "user" nothing changes.
. "$TESTS/lib.sh"
need_cmd su
need_cmd nsenter
. "$TESTS/root/jail_env.bash"
je_setup "$@"

mount -t tmpfs -o mode=0755 pj-srv /srv || fail "tmpfs on /srv"
install -m 0755 "$BUILD/jailsh" /srv/jailsh || fail "install jailsh"
usermod -s /srv/jailsh "$je_user" || fail "usermod -s"
other=$(uniq_name o)
make_user "$other" -G "$je_group" -s /srv/jailsh || fail "useradd $other"
other_uid=$(id -u "$other")
je_gid=$(id -g "$je_user")

policy() { # namespaces [extra profile lines]
    je_policy "version = 1;
profiles = { t = {
    namespaces = [$1];
    root = { type = \"host\"; hide = [\"/home\", \"/root\", \"/run\", \"/work\"]; };
    home = { mode = \"tmpfs\"; size = \"8M\"; };
    tmp = { size = \"16M\"; };
    ${2:-}
}; };
rules = ( { group = \"$je_group\"; profile = \"t\"; } );"
}
all_ns='"mount", "pid", "net", "ipc", "uts", "cgroup"'

pamd=$je/pamd
mkdir -m 0755 "$pamd"
stack="auth sufficient pam_rootok.so
auth required pam_deny.so
account required pam_permit.so
session required $BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state"
for s in su su-l; do printf '%s\n' "$stack" >"$pamd/$s"; done
printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n' >"$pamd/other"
mount --bind "$pamd" /etc/pam.d || fail "bind the test pam.d"

jsu() { su - "$je_user" -c "$1" </dev/null; }
exec 9>&2
dump_log() { cat "$je_log" >&9; }
[ -n "${PJ_DEBUG:-}" ] && on_exit dump_log
host_userns=$(readlink /proc/self/ns/user)

# Hold a session open (its shell waits for ~/done): sets $shell_pid.
hold() { # user
    su - "$1" -c 'echo $$ >pid; while [ ! -e done ]; do sleep 0.1; done' </dev/null &
    held=$!
    for _ in $(seq 100); do
        [ -n "$(je_jails)" ] && key=$(je_jails | head -n 1) && init=$(je_info "$key" init) &&
            [ -n "$init" ] && shell_pid=$(nsenter -t "$init" -m cat "/home/$1/pid" 2>/dev/null) &&
            [ -n "$shell_pid" ] && break
        sleep 0.1
    done
    [ -n "${shell_pid:-}" ] || fail "the held session did not come up"
    je_track "$key"
    keeper=$(je_info "$key" keeper)
    # the shell's host PID: the process of the user whose ns/pid is the jail's
    host_shell=
    for p in $(pgrep -u "$1" -x bash); do
        [ "$(readlink "/proc/$p/ns/pid")" = "$(readlink "/proc/$init/ns/pid")" ] && host_shell=$p
    done
    [ -n "$host_shell" ] || fail "cannot find the held shell on the host"
}
release() { # user
    nsenter -t "$init" -m touch "/home/$1/done"
    wait "$held" || fail "held session ended with $?"
    je_wait_gone 15 || fail "the jail did not end"
    shell_pid= key= init=
}

# ---- with "user" ---------------------------------------------------------------
policy "$all_ns, \"user\""
out=$(jsu 'cat /proc/self/uid_map /proc/self/gid_map | tr -s " " | sed "s/^ //"
echo "setgroups=$(cat /proc/self/setgroups) id=$(id -u)/$(id -g) etc=$(stat -c %u:%g /etc/passwd)"
echo "maxns=$(cat /proc/sys/user/max_user_namespaces) userns=$(readlink /proc/self/ns/user)"
grep -E "^Cap(Prm|Eff|Bnd|Amb|Inh)" /proc/$$/status | tr -s "\t" " " | tr "\n" " "; echo
unshare -U true 2>&1 && echo NESTED-OK
python3 -c "import ctypes, os
print(\"securebits=%#x\" % ctypes.CDLL(None).prctl(27, 0, 0, 0, 0))
try:
    os.setgroups([])
    print(\"SETGROUPS-OK\")
except OSError as e:
    print(\"setgroups:\", e.errno)"' 2>&1) || fail "su: $out"
assert_contains "$out" "$(printf '%s %s 1\n%s %s 1' "$je_uid" "$je_uid" "$je_gid" "$je_gid")" \
    "uid_map and gid_map are exactly the user's own ids"
assert_contains "$out" "setgroups=deny id=$je_uid/$je_gid etc=65534:65534" \
    "setgroups denied; the user is itself; root-owned files show as the overflow ids"
assert_contains "$out" "maxns=0 userns=user:" "user.max_user_namespaces is 0 inside"
assert_not_contains "$out" "userns=$host_userns" "the shell is not in the host's user namespace"
assert_contains "$out" "CapPrm: 0000000000000000 CapEff: 0000000000000000 CapBnd: 0000000000000000 CapAmb: 0000000000000000" \
    "the shell holds no capability, its bounding set is empty"
assert_contains "$out" "CapInh: 0000000000000000" "no inheritable capability"
# entering a user namespace resets the securebits there: jailsh puts the
# session's locked ones back (tests/root/jail_privs.sh: 0xeb)
assert_contains "$out" "securebits=0xeb" "securebits locked as outside the user namespace"
assert_not_contains "$out" NESTED-OK "unshare -U inside"
assert_not_contains "$out" SETGROUPS-OK "setgroups inside"
assert_contains "$out" "setgroups: 1" "setgroups fails with EPERM"
ok "with user: only the user's ids mapped, root shows as 65534, no caps, no nesting, setgroups denied"

# Host side, with a session held open: who is in it and who is not.
hold "$je_user"
shell_ns=$(readlink "/proc/$host_shell/ns/user")
assert_ne "$host_userns" "$shell_ns" "the shell (host view) is in its own user namespace"
assert_eq "$host_userns" "$(readlink "/proc/$init/ns/user")" "the jail's PID 1 stays in the host's"
assert_eq "$host_userns" "$(readlink "/proc/$keeper/ns/user")" "the keeper stays in the host's"
caller=$(sed -n 's/^PPid:\s*//p' "/proc/$host_shell/status")
assert_eq su "$(cat "/proc/$caller/comm")" "the shell's parent is su, the PAM caller"
assert_eq "$host_userns" "$(readlink "/proc/$caller/ns/user")" "the PAM caller stays in the host's"
assert_eq "$je_uid" "$(python3 -c 'import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
b = bytearray(4); fcntl.ioctl(fd, 0xb704, b); print(struct.unpack("I", b)[0])' "/proc/$host_shell/ns/user")" \
    "the namespace is owned by the user"
sf=/run/pam_jail/userns
assert_eq "0:0 444" "$(nsenter -t "$init" -m stat -c '%u:%g %a' "$sf")" "$sf: root-owned 0444 (host view)"
# the same namespace as the shell's, seen through the file
assert_eq "${shell_ns//[^0-9]/}" "$(nsenter -t "$init" -m stat -L -c %i "$sf")" "$sf is the shell's namespace"
ok "PID 1, keeper and PAM caller stay in the host's user namespace; $sf is the user's"

# Another user's jail (same profile) sees neither the namespace nor its file.
out=$(su - "$other" -c "stat -L -c %i $sf; for f in /proc/[0-9]*/ns/user; do readlink \$f; done | sort -u" </dev/null 2>&1) ||
    fail "other user: $out"
assert_not_contains "$out" "$shell_ns" "another jail sees no process in the first jail's namespace"
assert_not_contains "$(head -n 1 <<<"$out")" "${shell_ns//[^0-9]/}" "another jail's $sf is its own"
for k in $(je_jails); do je_track "$k"; done

# Forged namespace files (root inside the jail's mount namespace swaps them):
# jailsh refuses, whatever it finds.
forge() { nsenter -t "$init" -m -p -- sh -c "$1" || fail "forging: $1"; }
forge "umount $sf"
out=$(jsu 'echo RAN' 2>&1)
assert_eq "1" "$?" "jailsh with a plain file at $sf"
assert_contains "$out" "refusing to run: $sf is not a namespace" "plain file: message"
assert_not_contains "$out" RAN "plain file: nothing ran"
forge "mount --bind /proc/1/ns/net $sf"
out=$(jsu 'echo RAN' 2>&1)
assert_contains "$out" "refusing to run: $sf is not a user namespace" "a net namespace at $sf"
assert_not_contains "$out" RAN "net namespace: nothing ran"
forge "umount $sf; unshare -U sleep 600 & sleep 0.3; mount --bind /proc/\$!/ns/user $sf; kill \$!"
out=$(jsu 'echo RAN' 2>&1)
assert_contains "$out" "refusing to run: the user namespace at $sf is not owned by uid $je_uid" \
    "a user namespace of root's at $sf"
assert_not_contains "$out" RAN "foreign namespace: nothing ran"
ok "jailsh refuses a plain file, another kind of namespace, a namespace owned by someone else"
release "$je_user"

# ---- nesting is stopped by the limit, not only by the seccomp filter ----------------
policy "$all_ns, \"user\"" 'seccomp = { enabled = false; };'
out=$(jsu 'grep ^Seccomp: /proc/$$/status; unshare -U true 2>&1 && echo NESTED-OK; unshare -Ur true 2>&1 && echo NESTED-OK' 2>&1)
assert_contains "$out" "Seccomp:	0" "seccomp off in this profile"
assert_contains "$out" "No space left on device" "unshare -U fails on the namespace limit (ENOSPC)"
assert_not_contains "$out" NESTED-OK "no nested user namespace without seccomp"
# and the same unshare works for the user outside any jail (the attempt itself works)
if [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 1 ]; then
    out=$(setpriv --reuid="$je_uid" --regid="$je_gid" --clear-groups unshare -U true 2>&1) ||
        fail "unshare -U as the user outside a jail: $out"
fi
for k in $(je_jails); do je_track "$k"; done
je_wait_gone 15 || fail "the jail did not end"
ok "with the seccomp filter off, user.max_user_namespaces = 0 still stops nesting"

# ---- fail closed: a user it cannot be made for ----------------------------------------
gz=$(uniq_name z)
make_user "$gz" -g 0 -G "$je_group" -s /srv/jailsh || fail "useradd $gz"
policy "$all_ns, \"user\""
out=$(su - "$gz" -c 'echo RAN' </dev/null 2>&1)
assert_not_contains "$out" RAN "a user with primary gid 0 got a session"
je_wait_log "user namespace: not for uid or gid 0" || fail "no log line for the refused jail"
assert_eq "" "$(je_jails)" "nothing of the refused jail is left in the registry"
ok "no user namespace can be made: no session, one log line"

# ---- without "user" ---------------------------------------------------------------
policy "$all_ns"
out=$(jsu "cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //'; stat -c %u /etc/passwd; readlink /proc/self/ns/user; test -e $sf && echo HAS-FILE; true" 2>&1) ||
    fail "su: $out"
assert_eq "$(printf '0 0 4294967295\n0\n%s' "$host_userns")" "$out" "without user: the host's user namespace"
for k in $(je_jails); do je_track "$k"; done
je_wait_gone 15 || fail "the jail did not end"
ok "without user: nothing changes"
