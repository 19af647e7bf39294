#!/bin/bash
# Through a real sshd (the e2e harness: private sshd on 127.0.0.1, its own
# PAM service ending with pam_jail): a jailed user whose jail root is a
# `jailctl mkroot --set shell --set ssh` tree runs `ssh host cmd` (jailsh,
# copied into the tree, then bash from the tree), and sftp and scp work
# against the tree's sftp-server and scp; nothing of the host is there.
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"
need_cmd sftp
[ -x "$BUILD/jailctl" ] || skip "jailctl not built"
[ -x "$BUILD/jailsh" ] || skip "jailsh not built"

e2e_init
G=$(uniq_name g)
U=$(uniq_name u)
e2e_group "$G"
e2e_user "$U" "$G" # login shell: $E2E_BIN/jailsh

mkdir -m 0755 "$E2E/roots"
tree=$E2E/roots/tree
# jailsh is the login shell, so the tree needs it at the same path.
"$BUILD/jailctl" mkroot "$tree" --set shell --set ssh --sets-dir "$SRC/config/sets" \
    --user "$U" --program "$E2E_BIN/jailsh" >"$E2E/mk.out" 2>&1 ||
    { cat "$E2E/mk.out"; fail "mkroot"; }
"$BUILD/jailctl" audit "$tree" >"$E2E/audit.out" 2>&1 || { cat "$E2E/audit.out"; fail "audit"; }

e2e_policy <<POLICY
version = 1;
profiles = {
	boxed = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts" ];
		hostname = "box-%u";
		root = { type = "tree"; path = "$tree"; };
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "32M"; };
		shell = "/bin/bash";
	};
};
rules = ( { group = "$G"; profile = "boxed"; } );
POLICY
sshd_start main jail

remote='echo "bash=$BASH_VERSION"; echo "ls=$(ls / | tr "\n" " ")"
echo "users=$(cut -d: -f1 /etc/passwd | tr "\n" " ")"; echo "host=$(hostname)"
test -e /usr/bin/python3 && echo HOST_FILE; test -e "$HOME/host-secret" && echo HOST_HOME
true'
out=$(e2e_ssh "$U@main" "$remote" 2>&1) || { echo "$out"; tail "$E2E_SYSLOG"; fail "ssh host cmd"; }
echo "$out"
assert_contains "$out" "bash=5" "ssh host cmd runs the tree's bash"
assert_contains "$out" "ls=bin dev etc home lib" "and its ls, on the tree's root"
assert_contains "$out" "users=root $U " "the tree's /etc/passwd"
assert_contains "$out" "host=box-$U" "in the jail"
assert_not_contains "$out" "HOST_" "nothing of the host"
ok "ssh host cmd runs in the tree"

# One session held open: the transfers below then share one jail and its
# tmpfs home (each connection is a session; the jail ends with the last).
e2e_hold "$U@main"
held_pid=$HELD_PID held_fd=$HELD_FD
c=$E2E/client
printf 'to the tree\n' >"$c/up"
printf 'put %s up.txt\nget up.txt %s\nget /etc/group %s\nls -1 /usr/lib/openssh\n' \
    "$c/up" "$c/up.back" "$c/group" >"$c/batch"
out=$(sftp -q -F "$E2E_SSH_CONFIG" -b "$c/batch" "$U@main" 2>&1) ||
    { echo "$out"; tail "$E2E_SYSLOG"; fail "sftp"; }
echo "$out"
cmp "$c/up" "$c/up.back" || fail "sftp round trip"
grep -q "^root:" "$c/group" && [ "$(wc -l <"$c/group")" -le 4 ] ||
    fail "sftp does not see the tree's /etc/group"
assert_contains "$out" "sftp-server" "the tree's sftp-server"
scp -q -F "$E2E_SSH_CONFIG" "$U@main:up.txt" "$c/scp.back" 2>&1 || fail "scp (the tree's scp)"
cmp "$c/up" "$c/scp.back" || fail "scp round trip"
e2e_release "$held_pid" "$held_fd"
ok "sftp and scp against the tree"
exit 0
