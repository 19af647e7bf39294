#!/bin/bash
# Users and groups that exist only in an LDAP directory (slapd + nslcd),
# logging in through a real sshd with pam_jail:
# - an LDAP-only member (memberUid) of an LDAP group a rule names is
#   jailed with that rule's profile; jailctl explain names that group;
# - an LDAP-only user in no such group is not jailed;
# - a member removed from the group in the directory is not jailed at the
#   next login (pam_jail keeps no cache);
# - pam_jail resolves a user once per session open: the LDAP searches a
#   login costs with pam_jail, minus the same login without it, are the
#   resolver's lookups and nothing more.
# The machine's NSS configuration is exactly what it was afterwards.
. "$TESTS/lib.sh"
. "$TESTS/ldap/lib-ldap-e2e.sh"

t_start=$EPOCHREALTIME
ldap_e2e_setup

LG=$(uniq_name lj) LO=$(uniq_name lo) LH=$(uniq_name lh)
LA=$(uniq_name la) LN=$(uniq_name ln) LM=$(uniq_name lm) LB=$(uniq_name lb)
for n in "$LG" "$LO" "$LH" "$LA" "$LN" "$LM" "$LB"; do
	getent passwd "$n" >/dev/null || getent group "$n" >/dev/null &&
		fail "$n exists locally: names must not collide"
done
gid_lg=$(ldap_free_id) gid_lo=$(ldap_free_id) gid_lh=$(ldap_free_id)
ldap_group "$LO" "$gid_lo" || fail "add group $LO"
ldap_group "$LG" "$gid_lg" "$LA" "$LM" || fail "add group $LG"
ldap_group "$LH" "$gid_lh" "$LB" || fail "add group $LH"
ldap_e2e_user "$LA" "$(ldap_free_id)" "$gid_lo" "$E2E_BIN/jailsh"
ldap_e2e_user "$LN" "$(ldap_free_id)" "$gid_lo" /bin/bash
# bash, not jailsh: this user is jailed first and not jailed later, and
# jailsh (rightly) runs nowhere but in a jail.
ldap_e2e_user "$LM" "$(ldap_free_id)" "$gid_lo" /bin/bash
# In $LH, whose profile shares the host's network: the sshd child after
# the session sees the directory as it does unjailed (nslcd's socket is in
# every jail: jail_groups.sh).
ldap_e2e_user "$LB" "$(ldap_free_id)" "$gid_lo" /bin/bash

e2e_policy <<EOF
profiles = {
	sealed = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts" ];
		hostname = "jail-%u";
		root = { type = "host"; hide = [ "/root", "/home", "/run", "/srv" ]; };
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "16M"; };
	};
	lab = {
		namespaces = [ "mount", "pid", "uts" ];
		hostname = "lab-%u";
		root = { type = "host"; hide = [ "/root", "/home" ]; };
		network = { mode = "host"; };
		home = { mode = "tmpfs"; size = "16M"; };
	};
};
rules = (
	{ group = "$LG"; profile = "sealed"; },
	{ group = "$LH"; profile = "lab"; }
);
EOF

ldap_nss_on
# On every exit path NSS goes back first, before the slower cleanups.
on_exit ldap_nss_off

# The directory answers through NSS, and the local files know nothing.
assert_eq "$LA" "$(getent passwd "$LA" | cut -d: -f1)" "getent passwd (LDAP user)"
grep -q "^$LA:" /etc/passwd && fail "$LA is in /etc/passwd"
assert_contains "$(id -Gn "$LA")" "$LG" "id -Gn $LA (memberUid)"
ok "from nothing to lookups through LDAP (slapd, nslcd, sshd x2, data):" \
	"$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
# One process, many lookups: what a lookup through nslcd costs.
times=$(python3 - "$LA" "$LG" <<'EOF'
import grp, os, pwd, sys, time
user, group = sys.argv[1], sys.argv[2]
gid = pwd.getpwnam(user).pw_gid
def per_call(f):
    n = 200
    t = time.perf_counter()
    for _ in range(n):
        f()
    return (time.perf_counter() - t) * 1000 / n
print("getpwnam=%.3f getgrouplist=%.3f getgrnam=%.3f getgrgid=%.3f" % (
    per_call(lambda: pwd.getpwnam(user)),
    per_call(lambda: os.getgrouplist(user, gid)),
    per_call(lambda: grp.getgrnam(group)),
    per_call(lambda: grp.getgrgid(gid))))
EOF
) || fail "lookups of $LA and $LG in one process"
ok "ms per lookup through nslcd: $times"
for t in $times; do
	awk -v v="${t#*=}" 'BEGIN { exit !(v < 20) }' || fail "a lookup takes ${t#*=} ms: $t"
done

host=$(hostname)
probe='echo "host=$(hostname) profile=${JAIL_PROFILE:-none}"'

# 1. LDAP-only member of the LDAP group: jailed with the group's profile.
out=$(e2e_ssh "$LA@main" "$probe" 2>&1) || fail "login of $LA: $out"
assert_eq "host=jail-$LA profile=sealed" "$out" "$LA (member of $LG through LDAP)"
e2e_syslog_grep "user=$LA profile=sealed" >/dev/null ||
	fail "no pam_jail log line for $LA: $(cat "$E2E_SYSLOG")"
ok "$LA is jailed with profile sealed"

# 2. jailctl explain names the LDAP group that matched.
ex=$("$BUILD/jailctl" explain "$LA" --config "$E2E_POLICY" 2>&1) ||
	fail "jailctl explain $LA: $ex"
assert_contains "$ex" "group $LG" "jailctl explain $LA"
assert_contains "$ex" "sealed" "jailctl explain $LA"
ok "jailctl explain names group $LG"

# 3. LDAP-only user in no jailed group: not jailed.
out=$(e2e_ssh "$LN@main" "$probe" 2>&1) || fail "login of $LN: $out"
assert_eq "host=$host profile=none" "$out" "$LN (in no jailed group)"
ok "$LN is not jailed"

# 4. Membership removed in the directory: the next login is not jailed.
out=$(e2e_ssh "$LM@main" "$probe" 2>&1) || fail "login of $LM: $out"
assert_eq "host=jail-$LM profile=sealed" "$out" "$LM while a member"
ldap_group_del_member "$LG" "$LM" || fail "ldapmodify: remove $LM from $LG"
ldap_flush_caches
assert_not_contains "$(id -Gn "$LM")" "$LG" "id -Gn $LM after ldapmodify"
out=$(e2e_ssh "$LM@main" "$probe" 2>&1) || fail "login of $LM: $out"
assert_eq "host=$host profile=none" "$out" "$LM after removal from $LG"
ok "$LM, removed from $LG in LDAP, is not jailed at the next login"
ldap_group_add_member "$LG" "$LM" || fail "ldapmodify: add $LM back"
out=$(e2e_ssh "$LM@main" "$probe" 2>&1) || fail "login of $LM: $out"
assert_eq "host=jail-$LM profile=sealed" "$out" "$LM added back to $LG"
ok "$LM, added back, is jailed again"

# 5. NSS round trips per login. The same user through two sshd instances
# whose PAM stacks differ only by pam_jail: the difference in the NSS
# requests nslcd served for this test's names and ids is what pam_jail
# asked. Resolving a user once is: the user by name, the group list
# (initgroups), each of its groups not in the local files by gid, once,
# and each group a rule names that is not among them by name, once.
# What one such NSS call costs in nslcd requests is measured with getent
# (libnss-ldapd turns one getgrgid into two requests).
keys=("$LG" "$LO" "$LH" "$LA" "$LN" "$LM" "$LB" "$gid_lg" "$gid_lo" "$gid_lh"
	"$(id -u "$LA")" "$(id -u "$LN")" "$(id -u "$LM")" "$(id -u "$LB")")
nss_cost() { # command...: nslcd requests it makes
	local n0
	n0=$(ldap_nss_requests "${keys[@]}")
	"$@" >/dev/null || fail "$*"
	echo $(($(ldap_nss_requests "${keys[@]}") - n0))
}
c_pw=$(nss_cost getent passwd "$LN")
c_init=$(nss_cost getent initgroups "$LN")
c_gid=$(nss_cost getent group "$gid_lo")
c_nam=$(nss_cost getent group "$LG")
ok "nslcd requests per NSS call: getpwnam $c_pw, getgrouplist $c_init," \
	"getgrgid $c_gid, getgrnam $c_nam"
# The sshd processes of a login may still ask NSS for a moment after the
# client is gone (session close): count once the count stands still.
settled_requests() {
	local a b
	b=$(ldap_nss_requests "${keys[@]}")
	for _ in $(seq 40); do
		sleep 0.25
		a=$b
		b=$(ldap_nss_requests "${keys[@]}")
		[ "$a" = "$b" ] && break
	done
	echo "$b"
}
# LDAP_DEBUG=1 prints each login's nslcd requests (id and key).
requests_for() { # user@inst: NSS requests one login costs (median of 3)
	local n0 l0
	for _ in 1 2 3; do
		n0=$(settled_requests)
		l0=$(wc -l <"$LDAP_NSLCD_LOG")
		e2e_ssh "$1" true >/dev/null 2>&1 || fail "login $1"
		echo $(($(settled_requests) - n0))
		[ -z "${LDAP_DEBUG:-}" ] || { echo "=== $1"; tail -n +$((l0 + 1)) "$LDAP_NSLCD_LOG" |
			sed -nE 's/^nslcd: \[([0-9a-f]+)\] (<[^>]*>).*/\1 \2/p' | sort -u; } >&2
	done | sort -n | sed -n 2p
}
# $LN (not jailed): user, groups, $LO by gid, $LG and $LH by name (rules
# name them; neither is among $LN's groups).
# $LB (jailed by the second rule; its jail reaches nslcd too): user,
# groups, $LO and $LH by gid, and $LG by name (the first rule, checked
# before the one that wins).
for u in "$LN" "$LB"; do
	if [ "$u" = "$LN" ]; then
		want=$((c_pw + c_init + c_gid + 2 * c_nam))
	else
		want=$((c_pw + c_init + 2 * c_gid + c_nam))
		out=$(e2e_ssh "$u@main" "$probe" 2>&1) || fail "login of $u: $out"
		assert_eq "host=lab-$u profile=lab" "$out" "$u (member of $LH)"
		# The session's supplementary groups come from the directory too.
		out=$(e2e_ssh "$u@main" 'id -G; id -un' 2>&1) || fail "id in $u's jail: $out"
		assert_contains "$out" "$gid_lh" "supplementary groups of $u in the jail"
		assert_contains "$out" "$u" "$u's name in the jail"
	fi
	s0=$(ldap_searches)
	with=$(requests_for "$u@main")
	s1=$(ldap_searches)
	without=$(requests_for "$u@plain")
	ok "nslcd requests per login of $u: $with with pam_jail, $without without" \
		"(LDAP searches on the whole host meanwhile: $(((s1 - s0) / 3)) per login" \
		"with, $((($(ldap_searches) - s1) / 3)) without)"
	assert_eq "$want" "$((with - without))" "nslcd requests pam_jail adds to a login of $u"
done
ok "pam_jail resolves each user and group once per session open"

# 6. What the directory costs a login (wall time, median of 5).
login_ms() { # user@inst
	local t0
	for _ in 1 2 3 4 5; do
		t0=$EPOCHREALTIME
		e2e_ssh "$1" true >/dev/null 2>&1 || fail "login $1"
		awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f\n", (b - a) * 1000 }'
	done | sort -n | sed -n 3p
}
ok "login time of $LN (LDAP user, not jailed): $(login_ms "$LN@main") ms with pam_jail," \
	"$(login_ms "$LN@plain") ms without"
ok "login time of $LA (LDAP user, jailed): $(login_ms "$LA@main") ms"

ldap_nss_off
ldap_nss_assert_restored
ok "/etc/nsswitch.conf and /etc/nslcd.conf are as they were"
