#!/bin/bash
# Nested user namespaces from inside a jail's user namespace (profile option
# "user") with the seccomp filter turned OFF: the jail's user namespace has
# user.max_user_namespaces = 0 (init/userns.c), so `unshare -U` and
# `unshare -Urm` still fail. The jailed attempt runs through jailsh (copied
# where the jail sees it), which is what moves a login into the namespace.
. "$TESTS/escape/lib-escape.sh"
need_cmd unshare
esc_setup "$@"
je_policy "version = 1;
profiles = { student = {
$(je_default_profile | sed 's/^ *namespaces = .*/    namespaces = ["mount", "pid", "net", "ipc", "uts", "cgroup", "user"];/')
seccomp = { enabled = false; };
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
install -m 0755 "$BUILD/jailsh" "$esc_dir/jailsh" || fail "install jailsh"

attempt='[ -n "$JAILSH" ] && { grep -q "^Seccomp:.*0" /proc/self/status || { echo "seccomp is on"; exit 2; }
  [ "$(readlink /proc/self/ns/user)" != "$HOST_USERNS" ] || { echo "not in the jail userns"; exit 2; }; }
unshare -U true 2>&1 && { echo "unshare -U worked"; exit 0; }
unshare -Urm true 2>&1 && { echo "unshare -Urm worked"; exit 0; }
exit 1'
host_userns=$(readlink /proc/self/ns/user)
esc_control host-user sh -c "$attempt"
esc_jailed jail-user "$esc_dir/jailsh" -c "JAILSH=1 HOST_USERNS='$host_userns'; $attempt"
