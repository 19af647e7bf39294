#!/bin/bash
# vm-check-timeout: 900
# A private sshd beside the guest's own, as the e2e suite (E2E_SSHD=private)
# and `make demo` run one, with the installed package's programs (the guest
# has no compiler): tests/e2e/lib-sshd.sh must give it its own PAM service
# on this release's OpenSSH (PAMServiceName on OpenSSH 10, the program's
# name on OpenSSH 9.2), and must fail loudly, not pass, when the service it
# asked for is not the one sshd ran.
#  - contrib/demo.sh run (what `make demo` runs after building): one jailed
#    login shown beside the host, then undone;
#  - tests/e2e/login.sh through a private sshd;
#  - on OpenSSH 10 only, the same test forced to the old way
#    (E2E_PAM_SELECT=progname, a symlink's name, which OpenSSH 10 ignores):
#    the first login must fail the test with the harness's message.
. "$TESTS/vm/check-lib.sh"

dir=/var/lib/pj-vm-private
on_exit guest "rm -rf --one-file-system $dir"
tar -C "$SRC" --owner=0 --group=0 --exclude=./tests/fuzz -cf - ./tests ./contrib |
	guest "rm -rf --one-file-system $dir && mkdir -m 0755 $dir && tar -C $dir --no-same-owner -xf - &&
		chmod -R go-w $dir" || fail "copying the tests into the guest"
# The build directory the harness and the demo take their programs from:
# the installed package's.
guest "set -e
mkdir -m 0755 $dir/build
pam_dir=\$(dirname \"\$(dpkg -L libpam-modules | grep /pam_unix.so\$)\")
cp \$pam_dir/pam_jail.so /usr/libexec/pam_jail/jail-init /usr/bin/jailsh /usr/sbin/jailctl $dir/build/" ||
	fail "setting up $dir/build from the package"
env="SRC=$dir BUILD=$dir/build TESTS=$dir/tests"

# --- make demo's run.
out=$(guest "cd $dir && $env contrib/demo.sh run 2>&1") || {
	echo "$out" | tail -n 40
	fail "contrib/demo.sh run failed in the guest"
}
echo "$out" >"$VM_RUN/demo.out"
assert_contains "$out" "IN THE JAIL" "the demo's table"
marker=$(echo "$out" | sed -n 's/^  jail marker *none *\(.*\)$/\1/p')
[ -n "$marker" ] && [ "$marker" != none ] || fail "the demo's jailed login shows no jail marker: $(echo "$out" | grep 'jail marker')"
case ${VM_SUITE:-bookworm} in
trixie) assert_contains "$out" "PAMServiceName pjsshd" "how the demo's sshd got its PAM service" ;;
bookworm) assert_contains "$out" "sshd runs as 'pjsshd" "how the demo's sshd got its PAM service" ;;
esac
assert_contains "$out" "pam_jail(pjsshd" "pam_jail's log lines name the demo's service"
guest "test ! -e /run/pam_jail-demo && ! id pjdemo" >/dev/null 2>&1 || fail "the demo left its user or directory"
echo "report: make demo (contrib/demo.sh run, the package's programs): $(echo "$out" | grep '== The PAM service' | sed 's/^== //')"

# --- an e2e test through a private sshd.
out=$(guest "cd $dir && E2E_SSHD=private $env bash tests/e2e/login.sh 2>&1") || {
	echo "$out" | tail -n 40
	fail "tests/e2e/login.sh through a private sshd failed in the guest"
}
echo "report: e2e/login.sh through a private sshd: passed"

# --- the old way on OpenSSH 10: the harness must catch it.
if guest "sshd -T -C user=root,host=localhost,addr=127.0.0.1 | grep -qi '^pamservicename '"; then
	out=$(guest "cd $dir && E2E_SSHD=private E2E_PAM_SELECT=progname $env bash tests/e2e/login.sh 2>&1") &&
		fail "login.sh passed with a symlink's name on OpenSSH 10: $(echo "$out" | tail -n 5)"
	why=$(echo "$out" | grep '^FAIL: ' | head -n 1)
	assert_contains "$why" "without its PAM service" "the harness's message"
	echo "report: E2E_PAM_SELECT=progname on OpenSSH 10 fails as it must: ${why:0:200}"
fi
ok "private sshd: the demo and e2e/login.sh pass, a wrong PAM service fails loudly"
