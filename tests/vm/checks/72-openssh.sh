#!/bin/bash
# vm-check-timeout: 600
# What the guest's own OpenSSH does around pam_jail, observed rather than
# assumed (docs/pam_jail.8 "SSHD", docs/HACKING.md): OpenSSH 9.2 on Debian
# 12, OpenSSH 10 (sshd-session, sshd-auth) on Debian 13.
#  - which process calls pam_open_session and pam_close_session (the
#    journal's identifier and PID of pam_jail's lines), and that it is the
#    root monitor, moved into the jail, whose unprivileged child was forked
#    after it (the child is in the jail without the power to enter it);
#  - what runs before authentication ends (sshd-auth on OpenSSH 10): its
#    user and root directory, and that it is gone once the session is open;
#  - internal-sftp (ForceCommand) serves the jail's files, not the host's;
#  - on OpenSSH 10, "Match Group" + "PAMServiceName" gives one group a PAM
#    stack of its own (pam_jail logs that service's name), and an OpenSSH
#    without the option refuses the config.
# The sshd_config drop-in, PAM service, user, group and policy drop-in it
# adds are removed at exit, and ssh.service is reloaded.
. "$TESTS/vm/check-lib.sh"

user=pjfacts1 group=pjfacts profile=vmfacts svc=pjfacts
dropin=/etc/ssh/sshd_config.d/pjfacts.conf

report() { echo "report: $*"; }
# The journal lines of pam_jail about $user, as "IDENT[PID]: MESSAGE".
jail_lines() { guest "journalctl -b -o short --no-pager | grep -F 'pam_jail(' | grep -F 'user=$user ' | sed 's/^.* \([^ ]*\[[0-9]*\]: \)/\1/' || true"; }
# "IDENT PID" of the last pam_jail line containing TEXT.
who_logged() { # text
	jail_lines | grep -F -- "$1" | tail -n 1 | sed -n 's/^\([^[]*\)\[\([0-9]*\)\]: .*/\1 \2/p'
}
proc_field() { guest "tr '\\0' ' ' </proc/$1/cmdline 2>/dev/null"; }

# Debian 13's ssh.service is Type=notify-reload: "systemctl reload" waits
# until the re-executed sshd reports ready, which under emulation on a
# loaded host outlasted systemctl's patience. So: queue the reload, then
# wait for the listener's "Received SIGHUP" line and the unit to be active.
hups() { guest "journalctl -b -u ssh.service -o cat --no-pager | grep -c 'Received SIGHUP' || true"; }
reload_sshd() {
	local before deadline
	guest 'sshd -t' || fail "sshd -t rejects the config: $(guest 'sshd -t 2>&1')"
	before=$(hups)
	guest 'systemctl reload --no-block ssh.service' || fail "systemctl reload ssh"
	deadline=$((SECONDS + 600))
	until [ "$(hups)" -gt "$before" ] &&
		[ "$(guest 'systemctl show -p ActiveState --value ssh.service')" = active ]; do
		[ $SECONDS -lt $deadline ] || fail "ssh.service did not reload: $(guest 'systemctl status ssh.service --no-pager | head -n 5')"
		sleep 3
	done
}

cleanup() {
	guest "rm -f $dropin /etc/pam.d/$svc /etc/security/jail.d/50-vmfacts.conf
		userdel -rf $user >/dev/null 2>&1; groupdel $group >/dev/null 2>&1
		sshd -t && systemctl reload --no-block ssh.service"
}
on_exit cleanup

openssh=$(guest "dpkg-query -W -f='\${Version}' openssh-server")
pubkey=$(cat "$USER_KEY.pub")
# (A run killed before its cleanup may have left them.)
guest "userdel -rf $user >/dev/null 2>&1; groupdel $group >/dev/null 2>&1; set -e
groupadd $group
useradd -m -s /usr/bin/jailsh -g $group $user
install -d -m 0700 -o $user -g $group /home/$user/.ssh
echo '$pubkey' >/home/$user/.ssh/authorized_keys
chown $user:$group /home/$user/.ssh/authorized_keys
chmod 0600 /home/$user/.ssh/authorized_keys
echo host-only >/home/$user/host-only-file" || fail "creating $user"
guest "cat >/etc/security/jail.d/50-vmfacts.conf" <<CONF || fail "writing the policy"
profiles = {
	$profile = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts" ];
		hostname = "facts-%u";
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "16M"; };
	};
};
rules = (
	{ group = "$group"; profile = "$profile"; }
);
CONF
out=$(guest 'jailctl check 2>&1') || fail "jailctl check: $out"

# --- PAMServiceName in a Match Group block.
sshd_knows_psn=no
guest "sshd -T -C user=root,host=localhost,addr=127.0.0.1 | grep -qi '^pamservicename '" && sshd_knows_psn=yes
case ${VM_SUITE:-bookworm} in
trixie) assert_eq yes "$sshd_knows_psn" "OpenSSH $openssh knows PAMServiceName" ;;
bookworm) assert_eq no "$sshd_knows_psn" "OpenSSH $openssh knows PAMServiceName" ;;
esac
# The group's own service: here the stock stack copied (it reaches pam_jail
# through common-session, 20-enable), so only its name differs.
guest "cp /etc/pam.d/sshd /etc/pam.d/$svc"
guest "printf 'Match Group %s\n\tPAMServiceName %s\n' $group $svc >$dropin"
if [ $sshd_knows_psn = yes ]; then
	reload_sshd
	assert_eq "$svc" "$(guest "sshd -T -C user=$user,host=localhost,addr=127.0.0.1 | sed -n 's/^pamservicename //p'")" \
		"sshd -T: the PAM service of a member of $group"
	assert_eq sshd "$(guest "sshd -T -C user=root,host=localhost,addr=127.0.0.1 | sed -n 's/^pamservicename //p'")" \
		"sshd -T: the PAM service of root"
	expect_service=$svc
else
	# OpenSSH 9.2: the option does not exist, and sshd refuses the config
	# (so an admin cannot believe it took).
	err=$(guest 'sshd -t 2>&1') && fail "OpenSSH $openssh accepted PAMServiceName"
	assert_contains "$err" "PAMServiceName" "sshd -t's complaint"
	report "OpenSSH $openssh: sshd -t refuses PAMServiceName ($err)"
	guest "rm -f $dropin"
	expect_service=sshd
fi

# --- Who opens the session, and where the processes are.
t0=$(guest 'date +%s')
client=$(open_background_session "$user" 1170)
on_exit "kill $client"
sleeper=$(wait_guest_sleep "$user" 180 1170) || { pam_jail_log | tail -n 20; fail "$user's session did not start"; }
opened=$(who_logged "pam_jail($expect_service:session): session opened")
[ -n "$opened" ] || { jail_lines; fail "no 'session opened' line of service $expect_service for $user"; }
read -r ident monitor <<<"$opened"
report "pam_open_session: pam_jail($expect_service:session) logged by $ident[$monitor] ($(proc_field "$monitor"))"
case ${VM_SUITE:-bookworm} in
trixie) assert_eq sshd-session "$ident" "the process that opens the session"
	assert_eq /usr/lib/openssh/sshd-session "$(guest "readlink /proc/$monitor/exe")" "its program" ;;
bookworm) assert_eq sshd "$ident" "the process that opens the session"
	assert_eq /usr/sbin/sshd "$(guest "readlink /proc/$monitor/exe")" "its program" ;;
esac
assert_contains "$(proc_field "$monitor")" "$user [priv]" "the opener is the root monitor"
assert_eq 0 "$(guest "awk '/^Uid:/ { print \$3 }' /proc/$monitor/status")" "the monitor's effective UID"
listener=$(guest 'systemctl show -p MainPID --value ssh.service')
assert_eq "$listener" "$(guest "awk '{ print \$4 }' /proc/$monitor/stat")" "the monitor's parent (the listener)"
jail_mnt=$(guest "readlink /proc/$sleeper/ns/mnt")
assert_eq "$jail_mnt" "$(guest "readlink /proc/$monitor/ns/mnt")" "the monitor's mount namespace (the jail's)"
assert_eq "$(guest "readlink /proc/$sleeper/ns/net")" "$(guest "readlink /proc/$monitor/ns/net")" \
	"the monitor's network namespace (the jail's)"
# Its unprivileged child: no capability to enter a namespace, yet in the
# jail's, so it was forked after pam_open_session moved the monitor.
child=$(guest "for p in \$(pgrep -P $monitor); do tr '\\0' ' ' </proc/\$p/cmdline | grep -q '@notty' && echo \$p; done | head -n 1")
[ -n "$child" ] || fail "no post-auth child of the monitor $monitor: $(guest "ps -o pid,user,args --ppid $monitor")"
assert_eq "$(guest "id -u $user")" "$(guest "awk '/^Uid:/ { print \$2 }' /proc/$child/status")" "the child's UID"
assert_eq 0000000000000000 "$(guest "awk '/^CapEff:/ { print \$2 }' /proc/$child/status")" "the child's capabilities"
assert_eq "$jail_mnt" "$(guest "readlink /proc/$child/ns/mnt")" "the child's mount namespace"
report "post-auth child $child ($(proc_field "$child")): UID $user, no capabilities, in the jail: forked after pam_open_session"
# Nothing of the pre-auth side is left (sshd-auth on OpenSSH 10).
left=$(guest "for p in \$(pgrep -P $monitor); do readlink /proc/\$p/exe; done | grep -c sshd-auth || true")
assert_eq 0 "$left" "sshd-auth processes under the monitor once the session is open"

kill "$client" 2>/dev/null
deadline=$((SECONDS + 120))
until closed=$(who_logged "pam_jail($expect_service:session): session closed") && [ -n "$closed" ]; do
	[ $SECONDS -lt $deadline ] || { jail_lines; fail "no 'session closed' line for $user"; }
	sleep 2
done
assert_eq "$ident $monitor" "$closed" "the process that closes the session"
report "pam_close_session: logged by $closed too (the same monitor)"

# --- Before authentication: a connection that stops after its banner.
guest "python3 -c '
import socket, time
s = socket.create_connection((\"127.0.0.1\", 22))
s.sendall(b\"SSH-2.0-pjfacts\\r\\n\")
time.sleep(900)
' >/dev/null 2>&1 & echo \$! >/run/pjfacts-holder"
on_exit guest "kill \$(cat /run/pjfacts-holder) 2>/dev/null; rm -f /run/pjfacts-holder"
preauth=
deadline=$((SECONDS + 120))
while [ -z "$preauth" ] && [ $SECONDS -lt $deadline ]; do
	# The listener's child holds the connection; its unprivileged child is
	# the pre-auth process. Everything about both is read in the same call:
	# a round trip to an emulated guest can take many seconds.
	preauth=$(guest "for s in \$(pgrep -P $listener); do for p in \$(pgrep -P \$s); do
		[ \"\$(awk '/^Uid:/ { print \$2 }' /proc/\$p/status)\" != 0 ] || continue
		printf '%s|%s|%s|%s|%s|%s|%s\\n' \$s \"\$(readlink /proc/\$s/exe)\" \"\$(tr '\\0' ' ' </proc/\$s/cmdline)\" \\
			\$p \"\$(readlink /proc/\$p/exe)\" \"\$(ps -o user= -p \$p)\" \"\$(readlink /proc/\$p/root)\"
	done; done | tail -n 1")
	[ -n "$preauth" ] || sleep 1
done
[ -n "$preauth" ] || fail "no unprivileged pre-auth process: $(guest "ps -o pid,ppid,user,args -e | grep -E 'ssh' | grep -v grep")"
IFS='|' read -r session session_exe session_title auth auth_exe auth_user auth_root <<<"$preauth"
report "before authentication: $session_exe [$session] ($session_title) runs $auth_exe [$auth] as $auth_user, root directory $auth_root"
case ${VM_SUITE:-bookworm} in
trixie) assert_eq /usr/lib/openssh/sshd-auth "$auth_exe" "the pre-auth program" ;;
bookworm) assert_eq /usr/sbin/sshd "$auth_exe" "the pre-auth program" ;;
esac
assert_eq sshd "$auth_user" "the pre-auth process's user"
assert_eq /run/sshd "$auth_root" "the pre-auth process's root directory"
guest "kill \$(cat /run/pjfacts-holder) 2>/dev/null"

# --- internal-sftp, forced for the group: it runs in the session's
# process, so in the jail: the jail's tmpfs home, not the host's.
guest "printf 'Match Group %s\n\tForceCommand internal-sftp\n' $group >$dropin"
[ $sshd_knows_psn = no ] || guest "printf '\tPAMServiceName %s\n' $svc >>$dropin"
reload_sshd
mapfile -t sftp_opts < <(_vm_ssh_opts "$USER_KEY")
sftp_opts[2]=-P
listing=$(printf 'pwd\nls -a\n' | sftp -b - "${sftp_opts[@]}" "$user@127.0.0.1" 2>&1) ||
	fail "sftp as $user: $listing"
assert_not_contains "$listing" "host-only-file" "the home internal-sftp shows"
sftp_open=$(who_logged "pam_jail($expect_service:session): session opened")
[ -n "$sftp_open" ] && [ "$sftp_open" != "$ident $monitor" ] || fail "the sftp login opened no jail session: $(jail_lines)"
report "internal-sftp: jailed (session opened by $sftp_open), the host home's file is not there"
ok "OpenSSH $openssh: sessions opened and closed by $ident in the root monitor, pre-auth in $auth_exe as sshd in /run/sshd, internal-sftp jailed, PAMServiceName: $sshd_knows_psn"
