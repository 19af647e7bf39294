#!/bin/bash
# The directory is down (slapd stopped): a user whose verdict depends on a
# group that only the directory can answer for gets no session (ssh exits
# 254, pam_jail logs why); never "not jailed".
#
# With slapd gone, getgrouplist() silently returns the local groups only
# (libnss-ldapd answers "unavailable", glibc moves on), so membership
# must be asked for by group name, where the outage shows as an error.
# An LDAP-only user cannot log in at all then (sshd finds no such user);
# the case that matters is a local user (in /etc/passwd) whose membership
# in the jailed group comes from the directory (memberUid).
# A user an exempt user rule names is decided before any group is asked
# for, so administrators keep their way in during an outage.
. "$TESTS/lib.sh"
. "$TESTS/ldap/lib-ldap-e2e.sh"

ldap_e2e_setup

LG=$(uniq_name lj) LO=$(uniq_name lo) LA=$(uniq_name la)
LL=$(uniq_name ll) LX=$(uniq_name lx)
for n in "$LG" "$LO" "$LA"; do
	getent passwd "$n" >/dev/null || getent group "$n" >/dev/null &&
		fail "$n exists locally: names must not collide"
done
# Local users (useradd, bash, own local group); $LL is in $LG only in LDAP.
e2e_user "$LL"
e2e_user "$LX"
gid_lg=$(ldap_free_id) gid_lo=$(ldap_free_id)
ldap_group "$LO" "$gid_lo" || fail "add group $LO"
ldap_group "$LG" "$gid_lg" "$LA" "$LL" || fail "add group $LG"
ldap_e2e_user "$LA" "$(ldap_free_id)" "$gid_lo" /bin/bash

e2e_policy <<EOF
profiles = {
	sealed = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts" ];
		hostname = "jail-%u";
		root = { type = "host"; hide = [ "/root", "/home", "/run", "/srv" ]; };
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "16M"; };
	};
};
rules = (
	{ user = "$LX"; exempt = true; },
	{ group = "$LG"; profile = "sealed"; }
);
EOF

ldap_nss_on
on_exit ldap_nss_off

host=$(hostname)
probe='echo "host=$(hostname) profile=${JAIL_PROFILE:-none}"'

# With the directory up, $LL is jailed through the LDAP group.
assert_contains "$(id -Gn "$LL")" "$LG" "id -Gn $LL (memberUid in LDAP)"
out=$(e2e_ssh "$LL@main" "$probe" 2>&1) || fail "login of $LL: $out"
assert_eq "host=jail-$LL profile=sealed" "$out" "$LL with the directory up"
out=$(e2e_ssh "$LA@main" "$probe" 2>&1) || fail "login of $LA: $out"
assert_eq "host=jail-$LA profile=sealed" "$out" "$LA with the directory up"
ok "with the directory up, $LL (local) and $LA (LDAP-only) are jailed"

# The directory goes away. While it is, every getgrouplist() on the host
# asks nslcd and gets "unavailable": keep this window short.
ldap_slapd_stop
ldap_flush_caches
t0=$EPOCHREALTIME
# What NSS says now: $LL's groups without $LG, and no error.
groups_down=$(id -Gn "$LL")
assert_not_contains "$groups_down" "$LG" "id -Gn $LL with the directory down"
ok "with slapd down, getgrouplist() drops $LG silently: $groups_down"

before=$(grep -c 'PAM: pam_open_session(): ' "${SSHD_LOG[main]}")
out=$(e2e_ssh "$LL@main" "$probe" 2>&1)
rc=$?
assert_eq 254 "$rc" "exit status of $LL's login with the directory down ($out)"
assert_not_contains "$out" "host=" "a command ran for $LL"
line=$(e2e_syslog_grep "session refused: user=$LL ")
assert_contains "$line" "looking up group '$LG'" "pam_jail's log line for $LL"
assert_contains "$line" "is the directory reachable" "pam_jail's log line for $LL"
ok "$LL refused, exit 254; pam_jail logged: ${line##*pam_jail}"
wait_for 10 test "$(grep -c 'PAM: pam_open_session(): ' "${SSHD_LOG[main]}")" -gt "$before" ||
	fail "sshd logged no failed pam_open_session"

# An LDAP-only user is unknown to sshd now: refused before any session.
out=$(e2e_ssh "$LA@main" "$probe" 2>&1)
rc=$?
assert_ne 0 "$rc" "exit status of $LA's login with the directory down"
assert_not_contains "$out" "host=" "a command ran for $LA"

# A user an exempt user rule names still gets in, unjailed.
out=$(e2e_ssh "$LX@main" "$probe" 2>&1) || fail "login of exempt $LX: $out"
assert_eq "host=$host profile=none" "$out" "$LX (exempt by a user rule) with the directory down"
ok "$LX (user rule, exempt) logs in during the outage"

# jailctl explain reports the outage as an error, not as "not jailed".
ex=$("$BUILD/jailctl" explain "$LL" --config "$E2E_POLICY" 2>&1)
rc=$?
assert_ne 0 "$rc" "jailctl explain $LL with the directory down ($ex)"
assert_not_contains "$ex" "not jailed" "jailctl explain $LL with the directory down"

ldap_slapd_start
ok "the directory was down for $(awk -v a="$t0" -v b="$EPOCHREALTIME" \
	'BEGIN { printf "%.1f", b - a }') s"

# Back: $LL is jailed again, with nothing remembered from the outage.
out=$(e2e_ssh "$LL@main" "$probe" 2>&1) || fail "login of $LL: $out"
assert_eq "host=jail-$LL profile=sealed" "$out" "$LL with the directory back"
ok "with the directory back, $LL is jailed again"

ldap_nss_off
ldap_nss_assert_restored
ok "/etc/nsswitch.conf and /etc/nslcd.conf are as they were"
