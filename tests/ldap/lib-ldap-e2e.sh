# shellcheck shell=bash
# The cast of the ldap tier's end-to-end tests: a directory (lib-ldap.sh),
# a private sshd with pam_jail (tests/e2e/lib-sshd.sh), and users that
# exist only in the directory. Source after tests/lib.sh.
#
#   ldap_e2e_setup     directory + sshd "main" (pam_jail last) + sshd
#                      "plain" (same stack without pam_jail); NSS is not
#                      pointed at LDAP until the test calls ldap_nss_on
#   ldap_e2e_user NAME UID GID SHELL   an LDAP-only user sshd lets in by key
. "$TESTS/e2e/lib-sshd.sh"
. "$TESTS/ldap/lib-ldap.sh"

ldap_e2e_user() { # name uid gid shell
	ldap_user "$1" "$2" "$3" "$4" "/home/$1" "pam_jail ldap test user" ||
		fail "add LDAP user $1"
	install -m 0644 "$E2E_KEY.pub" "$E2E/keys/$1"
	# A real home on the host (sshd starts the unjailed ones in it).
	install -d -m 0700 -o "$2" -g "$3" "/home/$1" || fail "mkdir /home/$1"
	on_exit rm -rf "/home/$1"
}

ldap_e2e_setup() {
	need_root
	[ -f "$BUILD/pam_jail.so" ] || skip "pam_jail.so not built"
	[ -x "$BUILD/jail-init" ] || skip "jail-init not built"
	[ -x "$BUILD/jailsh" ] || skip "jailsh not built"
	ldap_need
	ldap_init
	e2e_init
	sshd_start main jail
	sshd_start plain plain
}
