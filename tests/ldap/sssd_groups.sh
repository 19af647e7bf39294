#!/bin/bash
# The same as jail_groups.sh with the directory reached through SSSD
# (sssd + sssd-ldap against the tier's slapd), what most fleets run: a
# jailed directory user's groups inside the jail are the host's, a file
# only a directory group can read is readable, and with nss_sockets = false
# the groups are lost (SSSD's pipes and caches are then empty in the jail).
#
# SSSD's paths are fixed (/var/lib/sss/{db,pipes,mc}, /etc/nsswitch.conf
# naming "sss"), so the whole test runs in a private mount namespace of its
# own: a tmpfs over each SSSD directory, and a copy of nsswitch.conf naming
# sss bound over the host's. The sshd it starts, and so the jails, see
# those; the host sees none of it: its nsswitch.conf is never written, and
# an sssd the host runs would be hidden from the test, not disturbed (the
# test skips then all the same: two sssd would share /run/sssd.pid, the
# one path of SSSD's that is not under those directories).
. "$TESTS/lib.sh"
. "$TESTS/ldap/lib-ldap-e2e.sh"

need_root
need_cmd unshare
_sssd=/usr/sbin/sssd
[ -x "$_sssd" ] || skip "needs sssd (sssd-common, contrib/install-deps.sh)"
found=
for m in /lib/*/libnss_sss.so.2 /usr/lib/*/libnss_sss.so.2; do [ -e "$m" ] && found=1; done
[ -n "$found" ] || skip "needs libnss-sss (libnss_sss.so.2)"
found=
for m in /usr/lib/*/sssd/libsss_ldap.so; do [ -e "$m" ] && found=1; done
[ -n "$found" ] || skip "needs sssd-ldap (SSSD's LDAP provider)"
for d in /var/lib/sss/db /var/lib/sss/pipes /var/lib/sss/mc; do
	[ -d "$d" ] || skip "needs $d (sssd-common)"
done
if [ "${PJ_SSSD_INNER:-}" != 1 ]; then
	PJ_SSSD_INNER=1 exec unshare -m --propagation private bash "$0" "$@"
fi

# A host sssd: its pid file, or its socket answering.
if [ -e /run/sssd.pid ]; then
	read -r pid </run/sssd.pid
	[ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null &&
		skip "an sssd is already running on this host (/run/sssd.pid: $pid)"
	skip "/run/sssd.pid exists (a host sssd that did not clean up?): not replacing it"
fi
[ -S /var/lib/sss/pipes/nss ] && python3 - <<'EOF' && skip "an sssd answers on /var/lib/sss/pipes/nss"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("/var/lib/sss/pipes/nss")
except OSError:
    sys.exit(1)
EOF

ldap_need
ldap_init
e2e_init
# The directory's users and groups first, while NSS does not name sss yet:
# the collision checks and ldap_free_id ask NSS for names and ids before
# they exist, and SSSD would keep such answers (its negative cache, and an
# initgroups that found no primary group stays cached as it was).
ldap_jail_groups_setup

# ---- SSSD, private: its directories, its config, NSS naming it ----
sss=$LDAP/sssd
mkdir -m 0700 "$sss"
for d in /var/lib/sss/db /var/lib/sss/pipes /var/lib/sss/mc; do
	# (no size: SSSD sizes its sparse memory caches at tens of MiB)
	mount -t tmpfs -o mode=0755 pj-sssd "$d" || fail "tmpfs over $d"
	on_exit umount -l "$d"
done
chmod 0700 /var/lib/sss/db
mkdir -m 0750 /var/lib/sss/pipes/private
cat >"$sss/sssd.conf" <<EOF
# pam_jail test (removed when the test ends)
[sssd]
config_file_version = 2
services = nss
domains = pjtest

[domain/pjtest]
id_provider = ldap
auth_provider = none
ldap_uri = $LDAP_URI
ldap_search_base = $LDAP_BASE
ldap_schema = rfc2307
ldap_id_use_start_tls = false
enumerate = false
cache_credentials = false
ldap_network_timeout = 3
EOF
chmod 0600 "$sss/sssd.conf"
sed -E 's/^([[:space:]]*(passwd|group)[[:space:]]*:.*[^[:space:]])[[:space:]]*$/\1 sss/' \
	/etc/nsswitch.conf >"$sss/nsswitch.conf"
chmod 0644 "$sss/nsswitch.conf"
[ "$(grep -Ec '^[[:space:]]*(passwd|group)[[:space:]]*:.*[[:space:]]sss$' "$sss/nsswitch.conf")" = 2 ] ||
	fail "nsswitch.conf: cannot put sss after the local sources"
mount --bind "$sss/nsswitch.conf" /etc/nsswitch.conf || fail "bind nsswitch.conf"
on_exit umount -l /etc/nsswitch.conf

# -i: in the foreground, so $! is sssd's monitor; recorded for the next
# run's recovery like slapd and nslcd (lib-ldap.sh).
"$_sssd" -i -c "$sss/sssd.conf" --logger=stderr -d 2 </dev/null >"$sss/sssd.log" 2>&1 &
sssd_pid=$!
_ldap_record_proc "$sssd_pid"
_ldap_record sssd-pid "$sssd_pid"
on_exit '_ldap_stop_pid '"$sssd_pid"'; _ldap_remove_sssd_pid '"$sssd_pid"
sssd_up() {
	kill -0 "$sssd_pid" 2>/dev/null && [ -S /var/lib/sss/pipes/nss ] || return 1
	getent -s sss group pj-sssd-probe-that-does-not-exist >/dev/null 2>&1
	[ $? -eq 2 ] # not found: sssd answered
}
ldap_wait_for 30 sssd_up || { tail -n 30 "$sss/sssd.log" >&2; fail "sssd did not start"; }
ok "sssd $sssd_pid answers on /var/lib/sss/pipes/nss (this test's namespace only)"

sshd_start main jail
case " $(id -G "$GA" 2>/dev/null) " in
*" $GID_GS "*) ;;
*) fail "$GA's groups do not resolve through SSSD: $(id "$GA" 2>&1) $(tail -n 20 "$sss/sssd.log")" ;;
esac
assert_eq "" "$(getent -s files passwd "$GA")" "$GA in the local files"
ldap_jail_groups_check SSSD kept

# SSSD's PAM sockets stay out of the jail even where the root is the host's.
out=$(e2e_ssh "$GA@main" 'ls -A /var/lib/sss/pipes | tr "\n" " "' 2>&1)
assert_eq "nss " "$out" "SSSD's pipes inside the jail"
ok "SSSD: inside the jail its pipes directory holds the nss socket only (not pam, not private)"

# The host's nsswitch.conf, seen from outside this namespace, was never written.
umount /etc/nsswitch.conf || fail "umount the private nsswitch.conf"
ldap_nss_assert_restored
ok "/etc/nsswitch.conf and /etc/nslcd.conf are as they were"
