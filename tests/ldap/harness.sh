#!/bin/bash
# The harness's promise to the host: a run that is killed outright
# (SIGKILL, so no cleanup of its own runs) leaves /etc/nsswitch.conf
# naming ldap and its slapd and nslcd running; the next run stops those
# daemons and puts /etc/nsswitch.conf and /etc/nslcd.conf back, byte for
# byte, before it does anything else.
. "$TESTS/lib.sh"
. "$TESTS/ldap/lib-ldap.sh"

ldap_need
need_cmd python3
# A run killed before this test: put its leftovers back first, so that
# "before" below is the host's own state.
if [ -d "$LDAP_GUARD" ]; then
	_ldap_lock
	_ldap_recover
	_ldap_unlock
fi
before=$(ldap_nss_state)
grep -Eq '^(passwd|group):.*[[:space:]]ldap' /etc/nsswitch.conf &&
	skip "/etc/nsswitch.conf already uses ldap"

work=$(mktemp -d) || fail "mktemp"
on_exit rm -rf "$work"
cat >"$work/killed-run.sh" <<'EOF'
. "$TESTS/lib.sh"
. "$TESTS/ldap/lib-ldap.sh"
ldap_init
ldap_nss_on
echo "$LDAP_SLAPD_PID $(_ldap_start_time "$LDAP_SLAPD_PID")" \
	"$LDAP_NSLCD_PID $(_ldap_start_time "$LDAP_NSLCD_PID") $LDAP" >"$1"
kill -KILL $$
EOF
bash "$work/killed-run.sh" "$work/left" >"$work/killed-run.log" 2>&1
rc=$?
assert_eq 137 "$rc" "exit status of the killed run ($(cat "$work/killed-run.log"))"
read -r spid sstart npid nstart dir <"$work/left" || fail "the killed run said nothing"
# If this test fails from here on, the next run of the tier repairs it.
on_exit '_ldap_same_proc '"$spid $sstart"' && kill -KILL '"$spid"
on_exit '_ldap_same_proc '"$npid $nstart"' && kill -KILL '"$npid"

[ -d "$LDAP_GUARD" ] || fail "the killed run left no guard dir"
grep -Eq '^passwd:.*[[:space:]]ldap$' /etc/nsswitch.conf ||
	fail "the killed run's nsswitch.conf does not name ldap: $(cat /etc/nsswitch.conf)"
_ldap_same_proc "$spid" "$sstart" || fail "the killed run's slapd is not running"
_ldap_same_proc "$npid" "$nstart" || fail "the killed run's nslcd is not running"
ok "a killed run left nsswitch.conf naming ldap, slapd $spid and nslcd $npid running"

# The next run.
ldap_init
assert_eq "$before" "$LDAP_NSS_BEFORE" "NSS files as the next run found them after recovery"
_ldap_proc_gone "$spid" "$sstart" || fail "the killed run's slapd still runs"
_ldap_proc_gone "$npid" "$nstart" || fail "the killed run's nslcd still runs"
[ -e "$dir" ] && fail "the killed run's $dir is still there"
ok "the next run stopped the killed run's daemons and restored the NSS files first"

# And it works: a user only the directory has, through NSS, then gone.
u=$(uniq_name lh)
ldap_user "$u" "$(ldap_free_id)" "$(ldap_free_id)" /bin/sh "/home/$u" || fail "add $u"
ldap_nss_on
assert_eq "$u" "$(getent passwd "$u" | cut -d: -f1)" "getent passwd $u through LDAP"
ldap_nss_off
getent passwd "$u" >/dev/null && fail "$u still resolves after ldap_nss_off"
ldap_nss_assert_restored
assert_eq "$before" "$(ldap_nss_state)" "NSS files at the end"
ok "/etc/nsswitch.conf and /etc/nslcd.conf are as they were"
