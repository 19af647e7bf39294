#!/bin/bash
# Log in through the guest's own sshd (Debian's stock /etc/pam.d/sshd, which
# runs pam_motd, pam_mail, pam_limits and pam_env AFTER common-session): a
# member of the jailed group lands in a jail, a user no rule names does
# not, a user whose jail cannot be built is refused, and the journal says
# which and why. Sets up the policy and users the later checks reuse.
. "$TESTS/vm/check-lib.sh"

pubkey=$(cat "$USER_KEY.pub")
guest "set -e
groupadd -f $JAILED_GROUP
groupadd -f $BROKEN_GROUP
id $JAILED_USER >/dev/null 2>&1 || useradd -m -s /usr/bin/jailsh -G $JAILED_GROUP $JAILED_USER
id $FREE_USER >/dev/null 2>&1 || useradd -m -s /bin/bash $FREE_USER
id $BROKEN_USER >/dev/null 2>&1 || useradd -m -s /bin/bash -G $BROKEN_GROUP $BROKEN_USER
for u in $JAILED_USER $FREE_USER $BROKEN_USER; do
	install -d -m 0700 -o \$u -g \$u /home/\$u/.ssh
	echo '$pubkey' >/home/\$u/.ssh/authorized_keys
	chown \$u:\$u /home/\$u/.ssh/authorized_keys
	chmod 0600 /home/\$u/.ssh/authorized_keys
done" || fail "creating users"

# A drop-in, as an admin would add one; the shipped jail.conf stays as is.
guest "cat >/etc/security/jail.d/50-vmtest.conf" <<CONF || fail "writing the policy"
profiles = {
	$JAILED_PROFILE = {
		hostname = "jail-%u";
	};
	$BROKEN_PROFILE = {
		root = { type = "tree"; path = "/srv/no-such-jail-root"; };
	};
};
rules = (
	{ group = "$JAILED_GROUP"; profile = "$JAILED_PROFILE"; },
	{ group = "$BROKEN_GROUP"; profile = "$BROKEN_PROFILE"; }
);
CONF
out=$(guest 'jailctl check 2>&1') || fail "jailctl check: $out"
ok "jailctl check: $out"

host_ns=$(guest_ns 1)
echo "guest init: $host_ns"

# A user no rule names: the host's namespaces.
free_ns=$(vm_ssh_as $FREE_USER "$USER_KEY" 'for n in mnt pid net uts ipc; do printf "%s " $n; readlink /proc/self/ns/$n; done') ||
	fail "$FREE_USER cannot log in"
assert_eq "$host_ns" "$free_ns" "namespaces of $FREE_USER (not jailed)"
ok "$FREE_USER is not jailed"

# The jailed user: every namespace the profile asks for differs from init's.
marker=pjvm-host-only-$RANDOM
guest "touch /tmp/$marker"
out=$(vm_ssh_as $JAILED_USER "$USER_KEY" "for n in mnt pid net uts ipc; do printf '%s ' \$n; readlink /proc/self/ns/\$n; done
echo host=\$(hostname)
echo init=\$(cat /proc/1/comm)
test -e /tmp/$marker && echo tmp=host || echo tmp=private
touch /usr/pjvm-probe 2>/dev/null && echo usr=writable || echo usr=read-only
ip -o link show | awk -F': ' '{print \"link=\" \$2}'") || {
	rc=$?
	pam_jail_log
	fail "$JAILED_USER cannot log in (exit $rc) on kernel $(guest 'uname -r'): see pam_jail's lines above"
}
echo "$out"
for n in mnt pid net uts ipc; do
	jail_ns=$(echo "$out" | awk -v n=$n '$1 == n { print $2 }')
	[ -n "$jail_ns" ] || fail "no $n namespace in: $out"
	assert_not_contains "$host_ns" "$n $jail_ns" "$n namespace of $JAILED_USER"
done
assert_contains "$out" "host=jail-$JAILED_USER" "hostname from the profile"
assert_contains "$out" "init=jail-init" "PID 1 in the jail"
assert_contains "$out" "tmp=private" "/tmp in the jail"
assert_contains "$out" "usr=read-only" "/usr in the jail"
assert_not_contains "$out" "link=eth0" "network in the jail"
ok "$JAILED_USER is jailed: own namespaces, hostname, PID 1, /tmp; read-only /usr; no eth0"

# su includes common-session too: root's `su - user` lands in the same kind
# of jail. runuser has its own session stack on Debian 12 (no
# common-session), so it is not jailed; pam_jail(8) says so. Shown, not
# asserted: that is Debian's file, not ours.
su_mnt=$(guest "su - $JAILED_USER -c 'readlink /proc/self/ns/mnt'") || fail "su - $JAILED_USER"
assert_not_contains "$host_ns" "mnt $su_mnt" "mount namespace under su"
ok "su - $JAILED_USER is jailed"
ru_mnt=$(guest "runuser -u $JAILED_USER -- readlink /proc/self/ns/mnt" 2>&1)
echo "runuser -u $JAILED_USER: mnt $ru_mnt (init: $(echo "$host_ns" | awk '$1 == "mnt" { print $2 }'))"

# A jail that cannot be built refuses the login: sshd exits 254 (DESIGN.md).
vm_ssh_as $BROKEN_USER "$USER_KEY" true
rc=$?
assert_eq 254 "$rc" "exit status of $BROKEN_USER's refused login"
left=$(guest "pgrep -u $BROKEN_USER || true")
assert_eq "" "$left" "processes of $BROKEN_USER after the refused login"
ok "$BROKEN_USER is refused"

log=$(pam_jail_log)
echo "$log"
assert_contains "$log" "pam_jail(sshd:session): session opened: user=$JAILED_USER profile=$JAILED_PROFILE" "journal: jailed login"
# The refusal names user, profile and a reason after the last colon.
refusal=$(echo "$log" | grep -E "^pam_jail\(sshd:session\): session refused: user=$BROKEN_USER profile=$BROKEN_PROFILE: .+" || true)
[ -n "$refusal" ] || fail "journal: no refusal line with a reason for $BROKEN_USER in: $log"
assert_contains "$refusal" "/srv/no-such-jail-root" "the refusal's reason"
ok "journal: $refusal"
