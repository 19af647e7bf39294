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

# A jailed directory user keeps their directory groups inside the jail
# (init/jail_nss.c: the name-service sockets are reachable there), and a
# profile with nss_sockets = false loses them. Used with the directory
# reached through nslcd (jail_groups.sh) and through SSSD (sssd_groups.sh).
#
#   ldap_jail_groups_setup   directory users $GA (rule -> profile "dir") and
#                            $GB (-> "nonss", nss_sockets = false), both in
#                            the directory group $GS, which alone can read
#                            a file bound into the jail at /tmp/shared
#   ldap_jail_groups_check WHAT   the assertions, once NSS reaches the
#                            directory (WHAT names the way, for messages)
ldap_jail_groups_setup() {
	local n gj gk
	GA=$(uniq_name ga) GB=$(uniq_name gb) GS=$(uniq_name gs) GO=$(uniq_name go)
	gj=$(uniq_name gj) gk=$(uniq_name gk)
	for n in "$GA" "$GB" "$GS" "$GO" "$gj" "$gk"; do
		getent passwd "$n" >/dev/null || getent group "$n" >/dev/null &&
			fail "$n exists locally: names must not collide"
	done
	GID_GS=$(ldap_free_id) GID_GO=$(ldap_free_id)
	[ "$GID_GS" != "$GID_GO" ] || GID_GO=$(ldap_free_id)
	ldap_group "$GO" "$GID_GO" || fail "add group $GO"
	ldap_group "$GS" "$GID_GS" "$GA" "$GB" || fail "add group $GS"
	ldap_group "$gj" "$(ldap_free_id)" "$GA" || fail "add group $gj"
	ldap_group "$gk" "$(ldap_free_id)" "$GB" || fail "add group $gk"
	# bash, not jailsh: with nss_sockets = false the jail cannot name the
	# user, and what is asserted is the groups, not the login shell.
	ldap_e2e_user "$GA" "$(ldap_free_id)" "$GID_GO" /bin/bash
	ldap_e2e_user "$GB" "$(ldap_free_id)" "$GID_GO" /bin/bash
	GS_TOKEN=only-$GS-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	install -d -m 0755 "$E2E/shared" || fail "mkdir $E2E/shared"
	echo "$GS_TOKEN" >"$E2E/shared/secret"
	chown "root:$GID_GS" "$E2E/shared/secret" && chmod 0640 "$E2E/shared/secret" ||
		fail "group-only file"
	e2e_policy <<EOF
profiles = {
	dir = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts" ];
		root = { type = "host"; hide = [ "/root", "/home", "/srv" ]; };
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "16M"; };
		binds = ( { source = "$E2E/shared"; target = "/tmp/shared"; } );
	};
	nonss = { extends = "dir"; nss_sockets = false; };
};
rules = (
	{ group = "$gj"; profile = "dir"; },
	{ group = "$gk"; profile = "nonss"; }
);
EOF
}

# id's facts, groups sorted (the kernel sorts the list setgroups gets, and
# `id USER` prints getgrouplist's order): USER, or the caller.
_ldap_id_facts() { # [user]
	echo "$(id -u "$@" 2>&1) $(id -g "$@" 2>&1)" \
		"$(id -G "$@" 2>&1 | tr ' ' '\n' | sort -n | tr '\n' ' ')" \
		"$(id -Gn "$@" 2>/dev/null | tr ' ' '\n' | sort | tr '\n' ' ')"
}

ldap_jail_groups_check() { # what session-groups-without-sockets (lost|kept)
	local host hostb out
	host=$(_ldap_id_facts "$GA") || fail "id $GA on the host ($1)"
	assert_contains "$host" " $GID_GS " "id -G $GA on the host ($1)"
	assert_contains "$host" " $GS " "id -Gn $GA on the host ($1)"
	# The session's groups (sshd's initgroups, inside), a fresh lookup by a
	# program started inside, the group-only file.
	out=$(e2e_ssh "$GA@main" "echo profile=\$JAIL_PROFILE; $(declare -f _ldap_id_facts);
		_ldap_id_facts; _ldap_id_facts $GA; id; cat /tmp/shared/secret 2>&1" 2>&1) ||
		fail "login of $GA ($1): $out $(tail -n 5 "$E2E_SYSLOG")"
	assert_eq "profile=dir" "$(sed -n 1p <<<"$out")" "$GA is jailed ($1)"
	assert_eq "$host" "$(sed -n 2p <<<"$out")" "the session's groups inside the jail ($1)"
	assert_eq "$host" "$(sed -n 3p <<<"$out")" "id $GA run inside the jail ($1)"
	assert_eq "$GS_TOKEN" "$(sed -n 5p <<<"$out")" "the file only $GS can read, inside ($1)"
	ok "$1: $GA's groups inside the jail are the host's ($(sed -n 4p <<<"$out"));" \
		"id $GA inside says the same; the $GS-only file is readable"

	hostb=$(_ldap_id_facts "$GB") || fail "id $GB on the host ($1)"
	assert_contains "$hostb" " $GID_GS " "id -G $GB on the host ($1)"
	out=$(e2e_ssh "$GB@main" "echo profile=\$JAIL_PROFILE; $(declare -f _ldap_id_facts);
		_ldap_id_facts; id $GB 2>&1; cat /tmp/shared/secret 2>&1; true" 2>&1) ||
		fail "login of $GB ($1): $out $(tail -n 5 "$E2E_SYSLOG")"
	assert_eq "profile=nonss" "$(sed -n 1p <<<"$out")" "$GB is jailed with nss_sockets = false ($1)"
	assert_eq "id: '$GB': no such user" "$(sed -n 3p <<<"$out")" \
		"id $GB run inside a jail without the sockets ($1)"
	if [ "$2" = lost ]; then
		assert_contains "$(sed -n 2p <<<"$out")" " $GID_GO  " \
			"the session's groups inside a jail without the sockets ($1)"
		assert_contains "$(sed -n 4p <<<"$out")" "Permission denied" \
			"the $GS-only file inside a jail without the sockets ($1)"
		ok "$1: with nss_sockets = false, $GB's session has only $GID_GO inside, cannot" \
			"read the file, and $GB is unknown to programs there"
	else
		# sshd's monitor asked SSSD for the user before the session joined
		# the jail; libnss_sss keeps that connection and its mapped caches,
		# and the sshd child inherits them: its initgroups still reaches
		# SSSD. Programs started inside (not inheriting them) do not.
		local session
		session=$(sed -n 2p <<<"$out")
		# (ids only: no program inside can name them)
		assert_eq "${hostb%%  *}" "${session%%  *}" \
			"the session's groups inside a jail without the sockets ($1)"
		ok "$1: with nss_sockets = false, $GB is unknown to programs inside; the" \
			"session's groups come through sshd's own SSSD connection from before the jail"
	fi
}
