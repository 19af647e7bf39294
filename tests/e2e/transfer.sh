#!/bin/bash
# scp, sftp (sftp-server inside the jail) and rsync over ssh work for a
# jailed user, land in the jail's home and see only the jail's files.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"
need_cmd rsync

e2e_standard_setup
c=$E2E/client
scp_() { scp -q -F "$E2E_SSH_CONFIG" "$@"; }

# Keep one session open: every transfer below then shares one jail (and one
# tmpfs home) instead of each getting a fresh one.
e2e_hold "$UA@main"
held_pid=$HELD_PID held_fd=$HELD_FD
jail_id=$(e2e_ssh "$UA@main" "sed -n 's/^id=//p' /run/pam_jail/jail")
[ -n "$jail_id" ] || fail "no jail marker"

# --- scp up and down.
head -c 300000 /dev/urandom >"$c/blob"
scp_ "$c/blob" "$UA@main:blob" || fail "scp upload"
out=$(e2e_ssh "$UA@main" 'stat -f -c %T "$HOME"; sha256sum <"$HOME/blob"')
assert_eq "tmpfs
$(sha256sum <"$c/blob")" "$out" "scp: the file is in the jail's tmpfs home"
scp_ "$UA@main:blob" "$c/blob.back" || fail "scp download"
cmp "$c/blob" "$c/blob.back" || fail "scp: downloaded copy differs"
ok "scp up and down"

# Only the jail's files: the host home's file and the test's host dir under
# /run are not there for scp.
scp_ "$UA@main:/home/$UA/host-secret" "$c/stolen" 2>/dev/null &&
	fail "scp fetched the host home's file"
scp_ "$UA@main:$E2E/keys/$UA" "$c/stolen" 2>/dev/null &&
	fail "scp fetched a host file hidden from the jail"
[ ! -e "$c/stolen" ] || fail "scp wrote a hidden file"
ok "scp sees only the jail's files"

# --- sftp (the Subsystem's sftp-server runs inside the jail).
printf 'hello from sftp\n' >"$c/sftp-up"
out=$(sftp -q -F "$E2E_SSH_CONFIG" -b - "$UA@main" 2>&1 <<EOF
put $c/sftp-up sftp-up
ls -1 /run
get sftp-up $c/sftp-down
EOF
) || fail "sftp batch failed: $out"
cmp "$c/sftp-up" "$c/sftp-down" || fail "sftp: round trip differs"
assert_not_contains "$(grep '^/run/' <<<"$out")" "${E2E##*/}" "sftp: host /run content listed"
assert_contains "$(e2e_ssh "$UA@main" 'cat "$HOME/sftp-up"')" "hello from sftp" \
	"sftp: the file in the jail's home"
sftp -q -F "$E2E_SSH_CONFIG" -b - "$UA@main" >/dev/null 2>&1 <<EOF &&
get /home/$UA/host-secret $c/stolen
EOF
	fail "sftp fetched the host home's file"
ok "sftp works inside the jail"

# --- rsync over ssh, both ways.
mkdir -p "$c/tree/sub"
for i in 1 2 3; do head -c $((i * 10000)) /dev/urandom >"$c/tree/sub/f$i"; done
ln -s sub/f1 "$c/tree/link"
rsync -a -e "$(e2e_rsh)" "$c/tree/" "$UA@main:tree/" || fail "rsync upload"
rsync -a -e "$(e2e_rsh)" "$UA@main:tree/" "$c/tree.back/" || fail "rsync download"
diff -r --no-dereference "$c/tree" "$c/tree.back" || fail "rsync: trees differ"
assert_eq tmpfs "$(e2e_ssh "$UA@main" 'stat -f -c %T "$HOME/tree/sub"')" "rsync: target file system"
ok "rsync over ssh both ways"

# All of it happened in the one held jail.
assert_eq "$jail_id" "$(e2e_ssh "$UA@main" "sed -n 's/^id=//p' /run/pam_jail/jail")" \
	"the jail of the held session"
assert_eq 1 "$(e2e_jail_keys | wc -l)" "jails registered"
e2e_release "$held_pid" "$held_fd"
e2e_wait_no_jails
ok "jail ended after the last session"
