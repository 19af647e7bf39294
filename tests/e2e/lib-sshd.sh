# shellcheck shell=bash
# End-to-end harness: a private sshd on 127.0.0.1 with its own PAM service.
# Source it after tests/lib.sh:  . "$TESTS/lib.sh"; . "$TESTS/e2e/lib-sshd.sh"
#
#   e2e_init                 temp dir, client key, syslog listener (needs root)
#   e2e_records_own_run      before sshd_start: see E2E_UTMP below
#   e2e_group NAME           throwaway group
#   e2e_user NAME [GROUP]    throwaway user whose key sshd accepts; in a GROUP
#                            their shell is jailsh, else bash
#   e2e_policy <<EOF ... EOF the test policy ($E2E_POLICY)
#   sshd_start INST jail|plain
#                            sshd instance INST whose PAM session stack ends
#                            with pam_jail ("jail") or not ("plain")
#                            (set before: E2E_SFTP_SUBSYSTEM, its sftp
#                            Subsystem, e.g. "internal-sftp -l INFO";
#                            E2E_SSHD_LOG=syslog, log as a stock sshd)
#   e2e_ssh USER@INST ARGS   ssh through that instance (scp/sftp/rsync: use
#                            -F "$E2E_SSH_CONFIG" / e2e_rsh)
#
# Why it is built this way (DESIGN.md facts 1-6):
# - Each instance has a PAM service of its own, /etc/pam.d/<unique name>,
#   the only file this harness creates under /etc/pam.d. How sshd is told
#   that name depends on its version, so sshd_start probes it: an sshd
#   whose `sshd -T` knows `pamservicename` (OpenSSH 10, Debian 13) gets
#   `PAMServiceName <name>` in its sshd_config; an older one (OpenSSH 9.2,
#   Debian 12), whose PAM service is its program name, runs through a
#   symlink of that name. (A symlink does nothing on OpenSSH 10: the
#   listener execs /usr/lib/openssh/sshd-session by its own path for each
#   connection, and the service would be the host's stock "sshd".) Either
#   way the private stack's account phase writes "<service> account <user>"
#   to $E2E/pam-ran, and the first login through each instance checks that
#   its service is there (e2e_check_service): a login that went through any
#   other PAM service fails the test, never passes it by accident.
# - Each sshd runs in a private mount namespace with a /dev of its own: it
#   is the host's /dev node by node, plus /dev/log bound to our syslog
#   listener's socket, so pam_syslog lines are captured without a syslog
#   daemon and without creating /dev/log on the host.
# - The host's login records (utmp, wtmp, btmp, lastlog), which sshd and the
#   jails' keepers write, are files of the run in that namespace too
#   ($E2E_UTMP, $E2E_WTMP, $E2E_LASTLOG): each one the host has is covered
#   by a bind, so no test writes the machine's own. A host without
#   /run/utmp (no systemd) has nothing to cover; a test that reads utmp
#   calls e2e_records_own_run, and the namespace then gets a /run of its
#   own (the host's entries bound back in) with the run's utmp in it.
# - AuthorizedKeysFile points at a root-owned directory under /run: with a
#   tmpfs home the keys cannot live in the home, and StrictModes wants
#   every path component root-owned and not writable by others.
# Everything is undone at exit, even on failure (tests/lib.sh on_exit).
#
# E2E_SSHD=system runs the same tests against the host's own sshd instead
# (the VM tier does, in its guest: tests/vm/checks/70-e2e.sh): the running
# ssh.service on port 22, PAM service "sshd" with the distribution's stock
# /etc/pam.d/sshd, which reaches pam_jail through common-session (the
# pam-auth-update profile must be enabled), and the installed package's
# programs and state dir. Then:
# - the policy is a drop-in /etc/security/jail.d/<unique>.conf, removed at
#   exit (the stock stack passes pam_jail no config= argument);
# - log lines come from the journal (journalctl -f since the test began)
#   into the same $E2E_SYSLOG file, so tests read them the same way;
# - authorized keys are in the real home's ~/.ssh/authorized_keys (the
#   stock AuthorizedKeysFile): sshd reads them while authenticating, in
#   the host's mount namespace, before the session (and the jail's tmpfs
#   home) exists, so no sshd_config change is needed;
# - each test user's user@UID.service is masked (--runtime) while the test
#   runs: logind would start systemd --user for the first session, whose
#   own PAM session (systemd-user) joins or races the user's jail and
#   changes the session counts these tests assert. That interplay is the
#   VM tier's own checks' business (40-logind, 60-shared-jail);
# - sshd_start INST plain skips the test: there is no sshd without
#   pam_jail to compare with; the system sshd is never stopped or touched.

E2E=
E2E_KEY=
E2E_SSH_CONFIG=
E2E_POLICY=
E2E_STATE=
E2E_SYSLOG=
E2E_USERS=()
E2E_BIN=
E2E_UIDS=()
# What a private sshd runs for sftp (its Subsystem line); a test may set it
# before sshd_start. The system sshd keeps its own.
: "${E2E_SFTP_SUBSYSTEM:=/usr/lib/openssh/sftp-server}"
# Where a private sshd logs: "file" (-E, SSHD_LOG[INST]) or "syslog", as a
# stock sshd does, into the test's listener (then SSHD_LOG[INST] is
# $E2E_SYSLOG). Only with "syslog" does sshd close its syslog connection
# after each line (openlog/syslog/closelog), so that lines logged after
# that from inside the jail reconnect to the jail's /dev/log.
: "${E2E_SSHD_LOG:=file}"
E2E_UTMP= E2E_WTMP= E2E_LASTLOG=
declare -A SSHD_PORT=() SSHD_PID=() SSHD_LOG=() SSHD_SERVICE=() SSHD_BANNER=()
# How an instance's sshd was given its PAM service: "PAMServiceName" or
# "program name" (see the top of this file; "stock" for E2E_SSHD=system).
declare -A SSHD_PAM_HOW=()
# The way to select the PAM service, as sshd_start's probe found it (empty:
# not probed yet). E2E_PAM_SELECT=pamservicename|progname forces one: the
# VM tier forces the old way on OpenSSH 10 to see the check fail.
E2E_PAM_SELECT=${E2E_PAM_SELECT:-}

# Which sshd the tests log in through (see the top of this file).
case ${E2E_SSHD:=private} in
private | system) ;;
*) echo "FAIL: E2E_SSHD=$E2E_SSHD: want private or system" >&2; exit 1 ;;
esac
e2e_system_sshd() { [ "$E2E_SSHD" = system ]; }
# The admin tool and the jailed users' login shell: this build's, or the
# installed package's.
if e2e_system_sshd; then
	E2E_JAILCTL=/usr/sbin/jailctl
	E2E_JAILSH=/usr/bin/jailsh
else
	E2E_JAILCTL=$BUILD/jailctl
	E2E_JAILSH= # set by e2e_init: a copy in a root-owned dir
fi

# Poll CMD... every 50 ms until it succeeds or SECS pass. Waits on state we
# can observe, never a blind sleep.
wait_for() { # secs cmd...
	local secs=$1 deadline
	shift
	deadline=$((SECONDS + secs))
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

e2e_init() {
	need_root
	local c f
	for c in ssh ssh-keygen scp sftp python3 ip; do
		need_cmd "$c"
	done
	if e2e_system_sshd; then
		_e2e_check_system
	else
		need_cmd unshare
		[ -x /usr/sbin/sshd ] || skip "needs /usr/sbin/sshd (openssh-server)"
	fi

	# /run and / are root-owned 0755: fine for StrictModes. 0755 so that
	# sshd, reading authorized keys as the user, can traverse it. E2E_DIR
	# names a fixed dir instead (make demo: demo-clean must find it).
	if [ -n "${E2E_DIR:-}" ]; then
		mkdir -m 0755 "$E2E_DIR" || fail "$E2E_DIR: cannot create it"
		E2E=$E2E_DIR
	else
		E2E=$(mktemp -d /run/pj-e2e-XXXXXX) || fail "mktemp"
	fi
	on_exit rm -rf "$E2E"
	chmod 0755 "$E2E"
	: >"$E2E/created"
	mkdir -m 0755 "$E2E/keys" "$E2E/policy"
	mkdir -m 0700 "$E2E/client"
	E2E_POLICY=$E2E/policy/jail.conf
	E2E_STATE=$E2E/state
	E2E_SYSLOG=$E2E/syslog.log
	if e2e_system_sshd; then
		# Named after the temp dir: unique, and it sorts after the
		# admin's numbered drop-ins (rules of other files keep their
		# rank; this file's groups and users are its own).
		E2E_POLICY=$JAIL_DROPIN_DIR/zz-${E2E##*/}.conf
		[ ! -e "$E2E_POLICY" ] || fail "$E2E_POLICY exists"
		_e2e_record dropin "$E2E_POLICY"
		on_exit rm -f "$E2E_POLICY"
		E2E_STATE=$JAIL_SYSTEM_STATE
		on_exit _e2e_unmask_user_managers
	fi
	E2E_KEY=$E2E/client/id_ed25519
	E2E_SSH_CONFIG=$E2E/client/ssh_config
	ssh-keygen -q -t ed25519 -N '' -C pj-e2e -f "$E2E_KEY" || fail "ssh-keygen (client)"
	ssh-keygen -q -t ed25519 -N '' -C pj-e2e-host -f "$E2E/ssh_host_ed25519_key" ||
		fail "ssh-keygen (host)"
	: >"$E2E_SSH_CONFIG"

	if e2e_system_sshd; then
		E2E_UTMP=/run/utmp E2E_WTMP=/var/log/wtmp E2E_LASTLOG=/var/log/lastlog
	else
		mkdir -m 0755 "$E2E/records"
		for f in utmp wtmp btmp lastlog; do
			install -m 0664 /dev/null "$E2E/records/$f" || fail "records: $f"
		done
		E2E_UTMP=$E2E/records/utmp E2E_WTMP=$E2E/records/wtmp
		E2E_LASTLOG=$E2E/records/lastlog
	fi

	# Debian's sshd chroots its pre-auth child into /run/sshd and refuses
	# to start without it; the package's own start-up creates it the same
	# way. It is an empty root-owned directory, so it is left in place.
	[ -d /run/sshd ] || install -d -m 0755 /run/sshd

	if e2e_system_sshd; then
		_e2e_follow_journal
		return 0
	fi

	# The programs run from a copy in a root-owned dir that the jail
	# shows: pam_jail runs jail-init only from a path no one but root can
	# change, and jailsh (the jailed users' login shell) must be at one
	# path that sshd sees on the host and the session sees in the jail.
	# The build tree may be anywhere, /tmp or /root included.
	E2E_BIN=/var/lib/${E2E##*/}
	mkdir -m 0755 "$E2E_BIN" || fail "mkdir $E2E_BIN"
	_e2e_record dir "$E2E_BIN"
	on_exit rm -rf "$E2E_BIN"
	for f in pam_jail.so jail-init jailsh; do
		[ -f "$BUILD/$f" ] || fail "no $BUILD/$f: build first (make)"
		install -m 0755 "$BUILD/$f" "$E2E_BIN/$f" || fail "copy $f"
	done
	E2E_JAILSH=$E2E_BIN/jailsh

	_e2e_start_syslog
}

# The run's utmp is what the namespace of the next sshd_start has at
# /run/utmp even on a host without one (see the top of this file).
e2e_records_own_run() {
	e2e_system_sshd || : >"$E2E/records/own-run"
}

# The installed package's places (debian/, lib/policy.h, lib/jail_proto.h).
JAIL_DROPIN_DIR=/etc/security/jail.d
JAIL_SYSTEM_STATE=/run/pam_jail

# E2E_SSHD=system: the host must be set up as an administrator would have
# done it; anything missing fails (the caller asked for this mode).
_e2e_check_system() {
	local c f
	for c in systemctl journalctl logger; do
		command -v "$c" >/dev/null || fail "E2E_SSHD=system needs $c"
	done
	for f in "$E2E_JAILCTL" "$E2E_JAILSH"; do
		[ -x "$f" ] || fail "E2E_SSHD=system: no $f (install the pam-jail package)"
	done
	[ -d "$JAIL_DROPIN_DIR" ] || fail "E2E_SSHD=system: no $JAIL_DROPIN_DIR"
	grep -Eq '^[[:space:]]*session[[:space:]].*pam_jail\.so' /etc/pam.d/common-session ||
		fail "E2E_SSHD=system: pam_jail is not in /etc/pam.d/common-session (pam-auth-update --enable jail)"
	grep -q '^@include common-session$' /etc/pam.d/sshd ||
		fail "E2E_SSHD=system: /etc/pam.d/sshd does not include common-session"
	systemctl is-active --quiet ssh.service || fail "E2E_SSHD=system: ssh.service is not running"
}

# Every journal entry from now on, one line each ("-o short": time, host,
# identifier[pid]: message), appended to $E2E_SYSLOG: pam_jail's, the
# keepers' and sshd's lines, as the private instance's listener would have
# them. A marker logged after the follower started shows it is reading.
_e2e_follow_journal() {
	local pid marker
	: >"$E2E_SYSLOG"
	journalctl -f -n 0 -q -o short --no-pager >>"$E2E_SYSLOG" 2>&1 </dev/null &
	pid=$!
	_e2e_record proc "$pid"
	on_exit "kill $pid; wait $pid"
	marker="pj-e2e journal follower ${E2E##*/} $pid"
	_e2e_marker_seen() { logger -t pj-e2e "$marker"; wait_for 1 grep -qF "$marker" "$E2E_SYSLOG"; }
	wait_for 30 _e2e_marker_seen || fail "journalctl -f shows nothing: $(cat "$E2E_SYSLOG")"
}

# What a run made, one "kind value" a line in $E2E/created, so that
# e2e_clean_dir can undo it from another process after this one was killed
# (make demo-clean). The normal path undoes everything through on_exit.
_e2e_record() { echo "$*" >>"$E2E/created"; }

e2e_clean_dir() { # dir
	local dir=$1 kind arg
	[ -f "$dir/created" ] || { rm -rf -- "$dir"; return 0; }
	# Processes first: sshd (its sessions end, and with them the jails),
	# listeners. A recorded PID is only signalled while its command line
	# still names this dir, so a reused PID is never hit.
	while read -r kind arg; do
		[ "$kind" = proc ] && _e2e_same_proc "$arg" "$dir" && _e2e_stop_sshd "$arg"
	done <"$dir/created"
	e2e_end_jails "$dir/state"
	tac "$dir/created" | while read -r kind arg; do
		case $kind in
		user) id "$arg" >/dev/null 2>&1 && userdel -f "$arg" ;;
		group) getent group "$arg" >/dev/null && groupdel "$arg" ;;
		home | dir) rm -rf -- "$arg" ;;
		pamd) grep -qF "pam_jail end-to-end test service" "/etc/pam.d/$arg" 2>/dev/null &&
			rm -f "/etc/pam.d/$arg" ;;
		dropin) rm -f "$arg" ;;
		usermask) systemctl unmask --runtime --quiet "$arg" ;;
		esac
	done
	rm -rf -- "$dir"
}

# A syslog listener on a datagram socket; sshd's namespace sees it at
# /dev/log. One received message per line in $E2E_SYSLOG.
_e2e_start_syslog() {
	: >"$E2E_SYSLOG"
	python3 - "$E2E/log.sock" "$E2E_SYSLOG" <<'EOF' &
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(out, "ab", buffering=0) as f:
    while True:
        msg = s.recv(65536)
        f.write(msg.rstrip(b"\0\n") + b"\n")
EOF
	local pid=$!
	_e2e_record proc "$pid"
	on_exit "kill $pid; wait $pid"
	wait_for 60 test -S "$E2E/log.sock" || fail "syslog listener did not start"
}

# Lines the test's syslog listener received that contain STRING.
e2e_syslog_grep() { grep -F -- "$1" "$E2E_SYSLOG"; }

e2e_group() { make_group "$1" || fail "groupadd $1"; _e2e_record group "$1"; }

# Write the test policy from stdin (root-owned, 0644: the loader's rule).
# Renamed into place: a login meanwhile reads the old file or the new one,
# never half of one (the loader skips dot files).
e2e_policy() {
	local tmp=${E2E_POLICY%/*}/.${E2E_POLICY##*/}.new
	cat >"$tmp" || { rm -f "$tmp"; fail "write policy"; }
	chmod 0644 "$tmp"
	mv -f "$tmp" "$E2E_POLICY" || fail "rename policy"
}

# Jailed users get jailsh as their login shell, as an administrator would
# set it ("jailed or nothing"): the build's jailsh, copied by e2e_init to a
# path the jail shows through its read-only view of the host's /.
e2e_user() { # name [primary-group]
	local name=$1 group=${2:-}
	if [ -n "$group" ]; then
		make_user "$name" -s "$E2E_JAILSH" -g "$group" || fail "useradd $name"
		_e2e_record user "$name"
	else
		make_user "$name" -s /bin/bash -U || fail "useradd $name"
		_e2e_record user "$name"
		_e2e_record group "$name"
		on_exit groupdel "$name"
	fi
	install -m 0644 "$E2E_KEY.pub" "$E2E/keys/$name"
	E2E_USERS+=("$name")
	# A real home on the host with a file in it: inside a jail the home is
	# a tmpfs, so this file must never be seen there.
	install -d -m 0700 -o "$name" -g "$(id -g "$name")" "/home/$name" || fail "mkdir home"
	_e2e_record home "/home/$name"
	on_exit rm -rf "/home/$name"
	echo "host-home-of-$name" >"/home/$name/host-secret"
	chown "$name" "/home/$name/host-secret"
	E2E_UIDS+=("$(id -u "$name")")
	e2e_system_sshd || return 0
	# The stock AuthorizedKeysFile, in the real home (StrictModes: the
	# user owns home, .ssh and the file, none writable by others).
	install -d -m 0700 -o "$name" -g "$(id -g "$name")" "/home/$name/.ssh" &&
		install -m 0600 -o "$name" -g "$(id -g "$name")" "$E2E_KEY.pub" \
			"/home/$name/.ssh/authorized_keys" || fail "authorized_keys of $name"
	_E2E_MASK_PENDING+=("user@${E2E_UIDS[-1]}.service")
	# Before the first login; users made before sshd_start are masked
	# there, all in one go (each systemctl mask reloads systemd: slow).
	[ -z "${SSHD_PID[*]}" ] || _e2e_mask_user_managers
}

# systemctl --runtime masks of the test users' user@UID.service; undone
# by one unmask at exit (e2e_init registers it).
_E2E_MASK_PENDING=() _E2E_MASKED=()
_e2e_mask_user_managers() {
	local unit
	[ ${#_E2E_MASK_PENDING[@]} -gt 0 ] || return 0
	for unit in "${_E2E_MASK_PENDING[@]}"; do _e2e_record usermask "$unit"; done
	_E2E_MASKED+=("${_E2E_MASK_PENDING[@]}")
	systemctl mask --runtime --quiet "${_E2E_MASK_PENDING[@]}" ||
		fail "systemctl mask --runtime ${_E2E_MASK_PENDING[*]}"
	_E2E_MASK_PENDING=()
}
_e2e_unmask_user_managers() {
	[ ${#_E2E_MASKED[@]} -eq 0 ] || systemctl unmask --runtime --quiet "${_E2E_MASKED[@]}"
}

# A free TCP port on 127.0.0.1 (the kernel picks it; a race with another
# program is caught by sshd_start, which then tries another).
e2e_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The PAM stack of an instance. Both stacks are the same but for the last
# line, so that login-time figures compare pam_jail and nothing else. The
# pam_exec line is the service's mark in $E2E/pam-ran (e2e_check_service);
# the script is run by /bin/sh, not exec'd: $E2E is under /run, which is
# mounted noexec on Debian 13 (systemd 257), and an exec'd script there
# fails with EACCES, refusing every login in the account phase.
_e2e_pam_stack() { # jail|plain service
	cat <<EOF
# pam_jail end-to-end test service $2 (removed when the test ends)
auth     required pam_permit.so
account  required pam_unix.so
account  required pam_exec.so quiet /bin/sh $E2E/pam-mark
session  required pam_unix.so
session  required pam_env.so user_readenv=0 envfile=$E2E/pam_env.$2
EOF
	[ "$1" = plain ] || printf 'session  required %s\n' "$(e2e_jail_module_line)"
}

# pam_jail as the last session line, this build's copy (e2e_init).
e2e_jail_module_line() {
	printf '%s/pam_jail.so config=%s init=%s/jail-init statedir=%s' \
		"$E2E_BIN" "$E2E_POLICY" "$E2E_BIN" "$E2E_STATE"
}

sshd_start() { # instance jail|plain
	local inst=$1 mode=$2 svc port cfg log pid try logopt prog how
	if e2e_system_sshd; then
		_e2e_system_sshd "$inst" "$mode"
		return
	fi
	svc=$(uniq_name sshd)
	while [ -e "/etc/pam.d/$svc" ]; do svc=$(uniq_name sshd); done
	ln -s /usr/sbin/sshd "$E2E/$svc"
	printf 'PJ_E2E_SERVICE=%s\n' "$svc" >"$E2E/pam_env.$svc"
	_e2e_pam_mark_script
	_e2e_record pamd "$svc"
	_e2e_pam_stack "$mode" "$svc" >"/etc/pam.d/$svc"
	on_exit rm -f "/etc/pam.d/$svc"

	cfg=$E2E/sshd_config.$inst
	log=$E2E/sshd.$inst.log
	logopt=(-E "$log")
	if [ "$E2E_SSHD_LOG" = syslog ]; then
		log=$E2E_SYSLOG
		logopt=()
	fi
	for try in 1 2 3 4 5; do
		port=$(e2e_free_port)
		cat >"$cfg" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $E2E/ssh_host_ed25519_key
PidFile $E2E/sshd.$inst.pid
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile $E2E/keys/%u
StrictModes yes
X11Forwarding yes
X11UseLocalhost yes
XAuthLocation /usr/bin/xauth
AllowTcpForwarding yes
Subsystem sftp $E2E_SFTP_SUBSYSTEM
PrintMotd no
PrintLastLog no
Banner $E2E/banner
LogLevel VERBOSE
MaxStartups 100:30:200
MaxSessions 50
EOF
		echo "pam_jail e2e banner $inst" >"$E2E/banner"
		/usr/sbin/sshd -t -f "$cfg" || fail "sshd -t rejected $cfg"
		_e2e_select_pam_service "$cfg" "$svc"
		[ "$log" = "$E2E_SYSLOG" ] || : >"$log"
		unshare -m --propagation private -- /bin/sh -c "$_E2E_NS_SETUP" sh \
			"$E2E" "$prog" -D -f "$cfg" "${logopt[@]}" </dev/null &
		pid=$!
		if wait_for 60 grep -q "Server listening on 127.0.0.1 port $port" "$log"; then
			break
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
		grep -q 'Address already in use' "$log" || break
	done
	[ -n "$pid" ] || { cat "$log" >&2; fail "sshd $inst did not start"; }
	_e2e_record proc "$pid"
	SSHD_PORT[$inst]=$port
	SSHD_PID[$inst]=$pid
	SSHD_LOG[$inst]=$log
	SSHD_SERVICE[$inst]=$svc
	SSHD_PAM_HOW[$inst]=$how
	SSHD_BANNER[$inst]="pam_jail e2e banner $inst"
	# Undo in this order: the sshd tree first (the sessions' monitors; the
	# jails' keepers see them go), then any jail left over.
	[ "$mode" = plain ] || on_exit e2e_end_jails
	on_exit _e2e_stop_sshd "$pid"
	_e2e_client_host "$inst" "$port"
}

# Does this sshd take PAMServiceName? `sshd -T` prints every option it
# knows, set or not (OpenSSH 10: "pamservicename sshd"); an older one has no
# such line. Probed once a run, with the instance's own config.
_e2e_probe_pam_select() { # cfg
	local dump
	dump=$(/usr/sbin/sshd -T -f "$1" -C user=root,host=localhost,addr=127.0.0.1) ||
		fail "sshd -T -f $1 failed: $dump"
	if grep -qi '^pamservicename ' <<<"$dump"; then
		E2E_PAM_SELECT=pamservicename
	else
		E2E_PAM_SELECT=progname
	fi
}

# Point the instance at its PAM service: sets prog (what to exec) and how.
# With PAMServiceName, `sshd -T` must then name the service, or the config
# did not take (a Match block, an Include) and the test stops here.
_e2e_select_pam_service() { # cfg service
	local cfg=$1 svc=$2 got
	[ -n "$E2E_PAM_SELECT" ] || _e2e_probe_pam_select "$cfg"
	case $E2E_PAM_SELECT in
	pamservicename)
		echo "PAMServiceName $svc" >>"$cfg"
		got=$(/usr/sbin/sshd -T -f "$cfg" -C user=root,host=localhost,addr=127.0.0.1 |
			sed -n 's/^pamservicename //Ip')
		[ "$got" = "$svc" ] ||
			fail "sshd -T -f $cfg: pamservicename is '$got', not the test's service $svc"
		prog=/usr/sbin/sshd how=PAMServiceName ;;
	progname) prog=$E2E/$svc how="program name" ;;
	*) fail "E2E_PAM_SELECT=$E2E_PAM_SELECT: want pamservicename or progname" ;;
	esac
}

# The script the private stacks' account phase runs (pam_exec exports
# PAM_SERVICE, PAM_TYPE and PAM_USER): one line per login, written by the
# monitor process of any sshd version, as root, before the session opens.
_e2e_pam_mark_script() {
	[ ! -e "$E2E/pam-mark" ] || return 0
	cat >"$E2E/pam-mark" <<EOF
#!/bin/sh
printf '%s %s %s\n' "\$PAM_SERVICE" "\$PAM_TYPE" "\$PAM_USER" >>$E2E/pam-ran
EOF
	chmod 0755 "$E2E/pam-mark"
	: >"$E2E/pam-ran"
}

# After a login through INST (one that got past authentication): its PAM
# service must be the instance's private one. Fails loudly otherwise, here
# and (through the file $E2E/pam-mismatch, which a failure inside a $(...)
# subshell leaves behind) at every later check.
declare -A _E2E_SERVICE_SEEN=()
e2e_check_service() { # instance
	local inst=$1 svc
	e2e_system_sshd && return 0
	[ -n "$inst" ] || return 0
	svc=${SSHD_SERVICE[$inst]:-}
	[ -n "$svc" ] || return 0
	[ ! -e "$E2E/pam-mismatch" ] || fail "$(cat "$E2E/pam-mismatch")"
	[ -z "${_E2E_SERVICE_SEEN[$inst]:-}" ] || return 0
	if grep -q "^$svc account " "$E2E/pam-ran"; then
		_E2E_SERVICE_SEEN[$inst]=1
		return 0
	fi
	echo "sshd instance $inst logged a user in without its PAM service $svc" \
		"(selected by ${SSHD_PAM_HOW[$inst]}); private services that ran:" \
		"'$(cut -d' ' -f1 "$E2E/pam-ran" | sort -u | tr '\n' ' ')': sshd used another" \
		"service (the host's stock \"sshd\"?) and the test would not test pam_jail" \
		>"$E2E/pam-mismatch"
	fail "$(cat "$E2E/pam-mismatch")"
}

# The instance a ssh command line logs in through: the first USER@INST or
# INST argument that names one.
_e2e_instance_of() {
	local a
	for a in "$@"; do
		a=${a#*@}
		[ -z "${SSHD_SERVICE[$a]+set}" ] || { echo "$a"; return 0; }
	done
	return 0
}

# The client's "Host INST" entry: ssh USER@INST reaches that sshd.
_e2e_client_host() { # instance port
	cat >>"$E2E_SSH_CONFIG" <<EOF
Host $1
	HostName 127.0.0.1
	Port $2
	IdentityFile $E2E_KEY
	IdentitiesOnly yes
	BatchMode yes
	StrictHostKeyChecking no
	UserKnownHostsFile $E2E/client/known_hosts
	LogLevel ERROR
	ConnectTimeout 60
EOF
}

# E2E_SSHD=system: instance INST is the running ssh.service, as it is. Its
# log is the journal (sshd logs there), its PAM service "sshd", no banner.
_e2e_system_sshd() { # instance jail|plain
	local inst=$1 pid
	[ "$2" = jail ] ||
		skip "needs an sshd without pam_jail beside the one with it: only a private instance (E2E_SSHD=private) has one"
	pid=$(systemctl show -p MainPID --value ssh.service)
	[ -n "$pid" ] && [ "$pid" != 0 ] || fail "ssh.service has no main PID"
	ss -Hltn 'sport = :22' | grep -q . || fail "nothing listens on port 22"
	SSHD_PORT[$inst]=22
	SSHD_PID[$inst]=$pid
	SSHD_LOG[$inst]=$E2E_SYSLOG
	SSHD_SERVICE[$inst]=sshd
	SSHD_PAM_HOW[$inst]=stock
	SSHD_BANNER[$inst]=
	_e2e_mask_user_managers
	# Never stop it; only end this test's jails.
	on_exit e2e_end_jails
	_e2e_client_host "$inst" 22
}

# An extended regex that matches the command line (pgrep -f) of an
# instance's listening sshd and of no session's process.
sshd_listener_pattern() { # instance
	if e2e_system_sshd; then
		# setproctitle: "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"
		printf '^sshd: [^ ]*sshd .*\\[listener\\]'
	else
		printf '%s' "$E2E/sshd_config.$1"
	fi
}

# Run inside the private mount namespace, then become sshd. $1 = temp dir,
# the rest = the sshd command line.
_E2E_NS_SETUP='
set -e
t=$1; shift
hd=$t/hostdev.$$
mkdir "$hd"
mount --rbind /dev "$hd"
mount -t tmpfs -o mode=0755,nosuid tmpfs /dev
for n in null zero full random urandom tty console; do
	[ -e "$hd/$n" ] || continue
	touch "/dev/$n"
	mount --bind "$hd/$n" "/dev/$n"
done
mkdir /dev/pts /dev/shm
mount --bind "$hd/pts" /dev/pts
# A bound ptmx does not find the devpts beside it (open fails with ENOENT);
# a fresh node in this /dev does, like the host'"'"'s own.
mknod -m 0666 /dev/ptmx c 5 2
mount --bind "$hd/shm" /dev/shm
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
touch /dev/log
mount --bind "$t/log.sock" /dev/log
umount -l "$hd"
rmdir "$hd"
# The login records: the run'"'"'s files over the host'"'"'s.
r=$t/records
if [ -e "$r/own-run" ] && [ ! -e /run/utmp ]; then
	# No /run/utmp to cover: a /run of our own, the host'"'"'s entries
	# bound back in one by one (as /dev above), and utmp in it. The
	# old /run is reached through fd 8 only; -c keeps mount(8) from
	# turning /proc/self/fd/8/NAME back into /run/NAME, the new one.
	exec 8</run
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
	for e in /proc/self/fd/8/* /proc/self/fd/8/.[!.]*; do
		n=${e##*/}
		if [ -L "$e" ]; then
			ln -s "$(readlink "$e")" "/run/$n"
		elif [ -d "$e" ]; then
			mkdir -p "/run/$n" # (libmount may have made /run/mount)
			mount -c --rbind "$e" "/run/$n"
		elif [ -e "$e" ]; then
			touch "/run/$n"
			mount -c --bind "$e" "/run/$n"
		fi
	done
	exec 8<&-
	touch /run/utmp
fi
for f in /run/utmp /var/log/wtmp /var/log/btmp /var/log/lastlog; do
	if [ -f "$f" ]; then
		mount --bind "$r/${f##*/}" "$f"
	fi
done
exec "$@"
'

# PIDs of every descendant of PID (not PID itself), deepest last.
_e2e_descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			want[root] = 1
			do {
				changed = 0
				for (i in pids) {
					p = pids[i]
					if (!(p in want) && (parent[p] in want)) { want[p] = 1; changed = 1; print p }
				}
			} while (changed)
		}'
}

_e2e_stop_sshd() { # pid
	local pid=$1 kids
	kids=$(_e2e_descendants "$pid")
	kill -TERM "$pid" 2>/dev/null
	# shellcheck disable=SC2086
	[ -z "$kids" ] || kill -KILL $kids 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# The sshd monitor processes of an instance ("PROGNAME: USER [priv]";
# setproctitle names them after the program: the service symlink, or sshd,
# on OpenSSH 9.2; sshd-session on OpenSSH 10).
sshd_monitors() { # instance user
	local p
	for p in $(_e2e_descendants "${SSHD_PID[$1]}"); do
		# stderr first: a process gone since the listing fails the <.
		tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" |
			grep -Eq "^(${SSHD_SERVICE[$1]}|sshd|sshd-session): $2 \[priv\]" && echo "$p"
	done
	return 0
}

# Registry entries (jail keys) under the test's state dir. The system's
# state dir holds other users' jails too: only this test's users' count
# (keys are u<uid> or u<uid>-s<hex>, lib/jail_proto.h).
e2e_jail_keys() {
	[ -d "$E2E_STATE/jails" ] || return 0
	if e2e_system_sshd; then
		[ ${#E2E_UIDS[@]} -gt 0 ] || return 0
		local IFS='|'
		ls -1 "$E2E_STATE/jails" | grep -E "^u(${E2E_UIDS[*]})(-|\$)"
		return 0
	fi
	ls -1 "$E2E_STATE/jails"
}

# A value from a jail's info file.
e2e_jail_info() { # key field
	sed -n "s/^$2=//p" "$E2E_STATE/jails/$1/info" 2>/dev/null
}

# Ask a jail's keeper (lib/jail_proto.h) on its control socket; prints the
# reply, e.g. STATUS -> "OK id=... sessions=N ...".
e2e_jail_request() { # key request [state dir]
	python3 - "${3:-$E2E_STATE}/jails/$1/control" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(30)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
print(s.recv(4096).decode())
EOF
}
e2e_jail_status() { e2e_jail_request "$1" STATUS; }

# PID still runs the process it named when it was recorded: its command
# line contains NEEDLE (our temp dir), or its start time is START.
_e2e_same_proc() { # pid needle|start-ticks
	case $2 in
	*[!0-9]*) tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -qF -- "$2" ;;
	*) [ "$(awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null)" = "$2" ] ;;
	esac
}

# End every jail a state dir still lists: STOP to its keeper (which kills
# the jail and cleans up after it); a keeper that does not answer is killed,
# which kills its jail too (the init's parent-death signal).
e2e_end_jails() { # [state dir]
	local st=${1:-$E2E_STATE} key keeper start keys
	[ -d "$st/jails" ] || return 0
	if [ $# -eq 0 ]; then
		keys=$(e2e_jail_keys)
	else
		keys=$(ls -1 "$st/jails")
	fi
	for key in $keys; do
		keeper=$(sed -n 's/^keeper=//p' "$st/jails/$key/info" 2>/dev/null)
		start=$(sed -n 's/^keeper_start=//p' "$st/jails/$key/info" 2>/dev/null)
		e2e_jail_request "$key" STOP "$st" >/dev/null 2>&1
		if [ -n "$keeper" ] && [ -n "$start" ] && _e2e_same_proc "$keeper" "$start"; then
			wait_for 10 proc_gone "$keeper" || kill -KILL "$keeper" 2>/dev/null
		fi
	done
	return 0
}

# In the background, call ssh -F "$E2E_SSH_CONFIG" directly, not this
# function: $! must be ssh itself, so that killing it ends the connection.
# The first login through an instance checks its PAM service
# (e2e_check_service); 255 is ssh's own failure (no login happened).
e2e_ssh() {
	local rc=0 inst
	ssh -F "$E2E_SSH_CONFIG" "$@" || rc=$?
	if [ $rc -ne 255 ]; then
		inst=$(_e2e_instance_of "$@")
		[ -z "$inst" ] || e2e_check_service "$inst"
	fi
	return $rc
}
# For rsync -e.
e2e_rsh() { printf 'ssh -F %s' "$E2E_SSH_CONFIG"; }

# A client-side X server (Xvfb on a free display) with a cookie in
# $E2E/client/Xauthority. Sets E2E_DISPLAY (":N").
E2E_DISPLAY=
e2e_start_xvfb() {
	need_cmd Xvfb
	need_cmd xauth
	local fifo=$E2E/client/displayfd pid n cookie
	mkfifo "$fifo"
	cookie=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	: >"$E2E/client/Xauthority"
	Xvfb -displayfd 9 -auth "$E2E/client/Xauthority" -nolisten tcp -screen 0 640x480x24 \
		9>"$fifo" </dev/null >"$E2E/client/xvfb.log" 2>&1 &
	pid=$!
	on_exit "kill $pid; wait $pid"
	read -r -t 20 n <"$fifo" || fail "Xvfb did not start: $(cat "$E2E/client/xvfb.log")"
	E2E_DISPLAY=:$n
	XAUTHORITY=$E2E/client/Xauthority xauth add "$E2E_DISPLAY" . "$cookie" ||
		fail "xauth add"
}

# A session held open in the background (so the user's jail lives on while
# other logins come and go). Sets HELD_PID, HELD_FD and HELD_OUT (what the
# client printed); e2e_release ends it.
HELD_PID= HELD_FD= HELD_OUT=
e2e_hold() { # user@inst
	local n=$((${#_cleanups[@]}))
	local fifo=$E2E/client/hold.$n out=$E2E/client/hold.$n.out
	mkfifo "$fifo"
	: >"$out"
	# shellcheck disable=SC2016
	ssh -F "$E2E_SSH_CONFIG" "$1" 'echo held; exec cat >/dev/null' <"$fifo" >"$out" 2>&1 &
	HELD_PID=$!
	HELD_OUT=$out
	exec {HELD_FD}>"$fifo"
	on_exit "kill $HELD_PID; wait $HELD_PID"
	# Stop waiting as soon as ssh has ended: a refused login is then
	# reported at once, with sshd's own words, not after two minutes.
	wait_for 120 _e2e_held_or_gone "$out" "$HELD_PID"
	grep -q '^held$' "$out" || {
		local inst log
		inst=$(_e2e_instance_of "$1")
		log=${SSHD_LOG[$inst]:-}
		kill -0 "$HELD_PID" 2>/dev/null && out="ssh still running after 120 s: $(cat "$out")" ||
			out="ssh ended: $(cat "$out")"
		[ -z "$log" ] || out+="; sshd's log ends: $(tail -n 5 "$log" | tr '\n' ' ')"
		fail "held session did not start ($out)"
	}
	e2e_check_service "$(_e2e_instance_of "$1")"
}
_e2e_held_or_gone() { # out pid
	grep -q '^held$' "$1" || ! kill -0 "$2" 2>/dev/null
}
e2e_release() { # pid fd: close the session's stdin, wait for ssh to end
	eval "exec $2>&-"
	wait "$1"
}

# Wait until the test's registry lists no jail.
_e2e_no_jails() { [ -z "$(e2e_jail_keys)" ]; }
e2e_wait_no_jails() {
	wait_for "${1:-30}" _e2e_no_jails ||
		fail "a jail is still registered: $(e2e_jail_keys)"
}

# Namespace identities (type:[inode]) of a process, one "name=id" per line.
e2e_ns_of() { # pid
	local n
	for n in cgroup ipc mnt net pid uts; do
		echo "$n=$(readlink "/proc/$1/ns/$n")"
	done
}

# The usual cast: group GA (profile "sealed": every namespace, loopback
# network, tmpfs home), group GB (profile "lab": mount/pid/uts only, host
# network), users UA (in GA), UB (in GB) and UN (no rule: not jailed), and
# sshd instance "main" with pam_jail last in its session stack.
GA= GB= UA= UB= UN=
e2e_standard_setup() {
	e2e_init
	GA=$(uniq_name ga) GB=$(uniq_name gb)
	e2e_group "$GA"
	e2e_group "$GB"
	UA=$(uniq_name ua) UB=$(uniq_name ub) UN=$(uniq_name un)
	e2e_user "$UA" "$GA"
	e2e_user "$UB" "$GB"
	e2e_user "$UN"
	e2e_standard_policy
	sshd_start main jail
}

# Optional: extra profiles ($1) and extra rules ($2), as policy text.
e2e_standard_policy() {
	e2e_policy <<EOF
profiles = {
	sealed = {
		namespaces = [ "mount", "pid", "net", "ipc", "uts" ];
		hostname = "jail-%u";
		root = { type = "host"; hide = [ "/root", "/home", "/run", "/srv", "/var/mail" ]; };
		network = { mode = "loopback"; };
		home = { mode = "tmpfs"; size = "64M"; };
		x11 = true;
	};
	lab = {
		namespaces = [ "mount", "pid", "uts" ];
		hostname = "lab-%u";
		root = { type = "host"; hide = [ "/root", "/home", "/run" ]; };
		network = { mode = "host"; };
		home = { mode = "tmpfs"; size = "16M"; };
	};
${1:-}
};
rules = (
${2:-}
	{ group = "$GA"; profile = "sealed"; },
	{ group = "$GB"; profile = "lab"; }
);
EOF
}

# PID has ended: no such process, or a zombie its parent has yet to reap
# (PID 1 here reaps orphans only every ~2 s).
proc_gone() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$state" ] || [ "$state" = Z ]
}
