# shellcheck shell=bash
# A real directory for the tests: OpenLDAP slapd on 127.0.0.1 and NSS
# pointed at it through nslcd + libnss-ldapd. Source after tests/lib.sh:
#   . "$TESTS/lib.sh"; . "$TESTS/ldap/lib-ldap.sh"
#
#   ldap_init            lock, recover a crashed run, start slapd, load the
#                        base entries, start nslcd (needs root)
#   ldap_add <<EOF       add LDIF entries (as the directory's root DN)
#   ldap_modify <<EOF    apply an LDIF change
#   ldap_user NAME UID GID SHELL HOME [GECOS]
#   ldap_group NAME GID [MEMBER...]   posixGroup, members as memberUid
#   ldap_nss_on          NSS asks LDAP after the local files (passwd, group)
#   ldap_nss_off         /etc/nsswitch.conf back as it was, byte for byte
#   ldap_slapd_stop / ldap_slapd_start   take the directory away / back
#   ldap_searches        how many SRCH operations slapd has served so far
#   ldap_nss_requests KEY...   how many NSS requests for these keys nslcd
#                        has served so far
#   ldap_free_id         a uid/gid number that NSS knows nothing of
#   ldap_nss_assert_restored   /etc/nsswitch.conf and /etc/nslcd.conf are
#                        byte for byte (and mode, owner, mtime) what they
#                        were before ldap_init changed anything
#
# Why it is built this way:
# - nslcd reads only /etc/nslcd.conf and talks to libnss_ldap over the
#   fixed socket /run/nslcd/socket, and NSS reads only /etc/nsswitch.conf:
#   none of them can be pointed elsewhere. So this harness owns those
#   paths for the length of a run: one run at a time (a lock), the
#   originals backed up under a persistent guard dir before anything is
#   changed and put back on every exit path (on_exit); a run that was
#   killed leaves the guard dir behind and the next run restores from it
#   before it does anything else.
# - Other test runs on the machine create local users and look them up
#   while this runs. "files" stays first on every line, nsswitch.conf is
#   replaced by rename (a reader never sees a half-written file), and it
#   names ldap only between ldap_nss_on and ldap_nss_off: while slapd is
#   stopped, every getgrouplist() on the machine asks nslcd, so the
#   harness keeps that window short and nslcd fails fast (reconnect_*).
# - /etc/nslcd.conf is only read when nslcd starts: it is put back as
#   soon as nslcd is up.
# - Daemons are ended by the PIDs we started, never by name. A host that
#   already runs an nslcd of its own (its directory is real) is left alone:
#   the tier skips.

LDAP=
LDAP_PORT=
LDAP_URI=
LDAP_BASE="dc=pam-jail-test,dc=invalid"
LDAP_ROOTDN="cn=admin,$LDAP_BASE"
LDAP_ROOTPW=
LDAP_SLAPD_PID=
LDAP_NSLCD_PID=
LDAP_SLAPD_LOG=
LDAP_NSLCD_LOG=
LDAP_GUARD=/var/lib/pam_jail-ldap-test
LDAP_LOCK=/run/pam_jail-ldap-test.lock.d
LDAP_NSS_FILES=(/etc/nsswitch.conf /etc/nslcd.conf)
_LDAP_CREATED_NSLCD_RUN=
LDAP_NSS_BEFORE=

_ldap_slapd=/usr/sbin/slapd
_ldap_nslcd=/usr/sbin/nslcd

ldap_need() {
	need_root
	[ -x "$_ldap_slapd" ] || skip "needs slapd (contrib/install-deps.sh)"
	[ -x "$_ldap_nslcd" ] || skip "needs nslcd (contrib/install-deps.sh)"
	need_cmd ldapadd
	need_cmd ldapmodify
	need_cmd ldapsearch
	need_cmd getent
	need_cmd flock
	local m found=
	for m in /lib/*/libnss_ldap.so.2 /usr/lib/*/libnss_ldap.so.2; do
		[ -e "$m" ] && found=1
	done
	[ -n "$found" ] || skip "needs libnss-ldapd (libnss_ldap.so.2)"
	[ -d /etc/ldap/schema ] || skip "needs the OpenLDAP schema files (/etc/ldap/schema)"
}

# Poll CMD... every 50 ms until it succeeds or SECS pass.
ldap_wait_for() { # secs cmd...
	local secs=$1 deadline
	shift
	deadline=$((SECONDS + secs))
	until "$@"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.05
	done
}

# Bytes, mode, owner and mtime of the files the harness changes.
ldap_nss_state() {
	local f
	for f in "${LDAP_NSS_FILES[@]}"; do
		if [ -e "$f" ]; then
			printf '%s %s %s\n' "$f" "$(stat -c '%a %U:%G %Y %s' "$f")" \
				"$(sha256sum <"$f" | cut -d' ' -f1)"
		else
			printf '%s absent\n' "$f"
		fi
	done
}
ldap_nss_assert_restored() {
	assert_eq "$LDAP_NSS_BEFORE" "$(ldap_nss_state)" "NSS configuration after the test"
}

# Put a file back from the guard dir: same bytes, mode, owner and times,
# by rename so a concurrent reader sees either the old or the new file.
# "name.absent" in the guard dir means there was no such file.
_ldap_restore_one() { # /etc/path
	local f=$1 b=$LDAP_GUARD/${1##*/} tmp
	if [ -e "$b.absent" ]; then
		rm -f -- "$f"
		rm -f -- "$b.absent"
		return 0
	fi
	[ -f "$b" ] || return 0
	tmp=$(mktemp "$f.pj-restore.XXXXXX") || return 1
	cp -p -- "$b" "$tmp" && mv -f -- "$tmp" "$f" || { rm -f -- "$tmp"; return 1; }
	cmp -s -- "$b" "$f" || return 1
	rm -f -- "$b"
}

_ldap_restore_all() {
	local f rc=0
	[ -d "$LDAP_GUARD" ] || return 0
	for f in "${LDAP_NSS_FILES[@]}"; do
		_ldap_restore_one "$f" || {
			echo "lib-ldap: could not restore $f from $LDAP_GUARD" >&2
			rc=1
		}
	done
	[ $rc -eq 0 ] && rm -rf -- "$LDAP_GUARD"
	return $rc
}

# Back up the files we are about to change into the guard dir. The guard
# dir exists exactly as long as a run may have changed them.
_ldap_backup_all() {
	local f
	mkdir -m 0700 "$LDAP_GUARD" || fail "cannot create $LDAP_GUARD"
	echo "$$" >"$LDAP_GUARD/owner"
	for f in "${LDAP_NSS_FILES[@]}"; do
		if [ -e "$f" ]; then
			cp -p -- "$f" "$LDAP_GUARD/${f##*/}" || fail "back up $f"
		else
			: >"$LDAP_GUARD/${f##*/}.absent"
		fi
	done
	sync -f "$LDAP_GUARD" 2>/dev/null || true
}

# Replace an /etc file by rename (mode 0644, root-owned).
_ldap_install_etc() { # path (content on stdin)
	local tmp
	tmp=$(mktemp "$1.pj-new.XXXXXX") || fail "mktemp for $1"
	cat >"$tmp" && chmod 0644 "$tmp" && mv -f -- "$tmp" "$1" || {
		rm -f -- "$tmp"
		fail "write $1"
	}
}

_ldap_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A host nslcd that we did not start: its socket answers.
_ldap_foreign_nslcd() {
	[ -S /run/nslcd/socket ] || return 1
	python3 - <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("/run/nslcd/socket")
except OSError:
    sys.exit(1)
EOF
}

# The start time of a process (clock ticks since boot): with the PID, an
# identity that a reused PID does not share.
_ldap_start_time() { awk '{ print $22 }' "/proc/$1/stat" 2>/dev/null; }
_ldap_same_proc() { # pid start-time
	[ -n "$2" ] && [ "$(_ldap_start_time "$1")" = "$2" ]
}

# One run at a time owns /etc/nsswitch.conf, /etc/nslcd.conf and
# /run/nslcd/socket. The lock is a directory naming its owner (PID and
# start time), not an flock: the daemons and sshd a run starts would
# inherit a lock fd and hold it after a killed run. An owner that is gone
# leaves a stale lock, which the next run takes over.
_ldap_lock() {
	local deadline=$((SECONDS + 240)) pid start
	until mkdir -m 0700 "$LDAP_LOCK" 2>/dev/null; do
		read -r pid start <"$LDAP_LOCK/owner" 2>/dev/null
		if [ -n "${pid:-}" ] && ! _ldap_same_proc "$pid" "${start:-}"; then
			# Rename first: of two runs that found it stale, one wins.
			mv "$LDAP_LOCK" "$LDAP_LOCK.stale.$$" 2>/dev/null &&
				rm -rf "$LDAP_LOCK.stale.$$"
			continue
		fi
		[ $SECONDS -lt $deadline ] || fail "another run of the ldap tier holds $LDAP_LOCK"
		sleep 0.5
	done
	echo "$$ $(_ldap_start_time $$)" >"$LDAP_LOCK/owner.new" &&
		mv "$LDAP_LOCK/owner.new" "$LDAP_LOCK/owner" || fail "write $LDAP_LOCK/owner"
	on_exit _ldap_unlock
}
_ldap_unlock() {
	local pid start
	read -r pid start <"$LDAP_LOCK/owner" 2>/dev/null
	[ "${pid:-}" = "$$" ] && rm -rf "$LDAP_LOCK"
}

# What this run started or made, one "kind value..." a line in the guard
# dir, so that the next run can undo it if this one is killed.
_ldap_record() { echo "$*" >>"$LDAP_GUARD/created"; }

# Undo what a killed run left: its daemons (only while the recorded PID
# still is the process we started), its temp dir, then the files.
_ldap_recover() {
	local kind a b
	echo "lib-ldap: a previous run did not finish; undoing what it left" >&2
	if [ -f "$LDAP_GUARD/created" ]; then
		while read -r kind a b; do
			case $kind in
			proc) _ldap_same_proc "$a" "$b" && kill -KILL "$a" 2>/dev/null ;;
			esac
		done <"$LDAP_GUARD/created"
		while read -r kind a b; do
			case $kind in
			proc) ldap_wait_for 10 _ldap_proc_gone "$a" "$b" ;;
			dir) case $a in /run/pj-ldap-*) rm -rf -- "$a" ;; esac ;;
			nslcd-run) rm -f /run/nslcd/socket /run/nslcd/nslcd.pid
				rmdir /run/nslcd 2>/dev/null ;;
			sssd-pid) _ldap_remove_sssd_pid "$a" ;;
			esac
		done <"$LDAP_GUARD/created"
	fi
	_ldap_restore_all || fail "could not restore the files in $LDAP_GUARD"
}
# sssd_groups.sh's sssd writes /run/sssd.pid (SSSD's one path outside its
# own directories): removed only while it names that sssd.
_ldap_remove_sssd_pid() { # pid
	local p
	read -r p </run/sssd.pid 2>/dev/null || return 0
	[ "$p" = "$1" ] && rm -f /run/sssd.pid
	return 0
}
_ldap_proc_gone() { ! _ldap_same_proc "$1" "$2" || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

ldap_init() {
	ldap_need
	need_cmd python3

	_ldap_lock
	[ ! -d "$LDAP_GUARD" ] || _ldap_recover
	if grep -Eq '^[[:space:]]*(passwd|group)[[:space:]]*:.*[[:space:]]ldap([[:space:]]|$)' \
		/etc/nsswitch.conf; then
		skip "/etc/nsswitch.conf already uses ldap: this host has a directory of its own"
	fi
	_ldap_foreign_nslcd && skip "an nslcd is already running on this host"
	LDAP_NSS_BEFORE=$(ldap_nss_state)
	# nscd would answer from its cache, not from the directory: none runs
	# here; if one does, the membership tests flush it (ldap_flush_caches).

	# From here on a killed run leaves the guard dir for the next one.
	_ldap_backup_all
	LDAP=$(mktemp -d /run/pj-ldap-XXXXXX) || fail "mktemp"
	chmod 0755 "$LDAP"
	_ldap_record dir "$LDAP"
	on_exit rm -rf "$LDAP"
	on_exit _ldap_teardown
	_ldap_start_slapd
	_ldap_start_nslcd
}

_ldap_slapd_conf() {
	cat <<EOF
# pam_jail test directory (removed when the test ends)
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $LDAP/slapd.pid
argsfile $LDAP/slapd.args
# stats: one line per operation, so a test can count the searches NSS makes
loglevel stats

database mdb
maxsize 67108864
suffix "$LDAP_BASE"
rootdn "$LDAP_ROOTDN"
rootpw $LDAP_ROOTPW
directory $LDAP/db
index objectClass eq
index uid,uidNumber,gidNumber,memberUid,cn eq
access to attrs=userPassword by * none
access to * by * read
EOF
}

_ldap_start_slapd() {
	LDAP_ROOTPW=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	mkdir -m 0700 "$LDAP/db"
	LDAP_SLAPD_LOG=$LDAP/slapd.log
	for _ in 1 2 3 4 5; do
		LDAP_PORT=$(_ldap_free_port)
		LDAP_URI=ldap://127.0.0.1:$LDAP_PORT/
		_ldap_slapd_conf >"$LDAP/slapd.conf"
		chmod 0600 "$LDAP/slapd.conf"
		"$_ldap_slapd" -Tt -u -f "$LDAP/slapd.conf" >"$LDAP/slaptest.log" 2>&1 ||
			{ cat "$LDAP/slaptest.log" >&2; fail "slaptest rejected slapd.conf"; }
		_ldap_slapd_run
		ldap_wait_for 15 ldap_slapd_up && break
		grep -q 'Address already in use' "$LDAP_SLAPD_LOG" || break
		_ldap_stop_pid "$LDAP_SLAPD_PID"
		LDAP_SLAPD_PID=
	done
	ldap_slapd_up || { tail -n 20 "$LDAP_SLAPD_LOG" >&2; fail "slapd did not start"; }
	ldap_add <<EOF || fail "load the base entries"
dn: $LDAP_BASE
objectClass: dcObject
objectClass: organization
dc: pam-jail-test
o: pam_jail test directory

dn: ou=people,$LDAP_BASE
objectClass: organizationalUnit
ou: people

dn: ou=groups,$LDAP_BASE
objectClass: organizationalUnit
ou: groups
EOF
}

# slapd in the foreground (-d), so $! is slapd itself and stats go to its log.
_ldap_slapd_run() {
	"$_ldap_slapd" -d stats -h "$LDAP_URI" -f "$LDAP/slapd.conf" \
		</dev/null >>"$LDAP_SLAPD_LOG" 2>&1 &
	LDAP_SLAPD_PID=$!
	_ldap_record_proc "$LDAP_SLAPD_PID"
}

# A PID with its start time (a child's exec keeps the fork's start time,
# so it is right from the moment $! is known).
_ldap_record_proc() { _ldap_record proc "$1" "$(_ldap_start_time "$1")"; }

# slapd answers a search (not just: the process exists).
ldap_slapd_up() {
	[ -n "$LDAP_SLAPD_PID" ] && kill -0 "$LDAP_SLAPD_PID" 2>/dev/null &&
		ldapsearch -x -H "$LDAP_URI" -b "" -s base -o nettimeout=2 \
			namingContexts >/dev/null 2>&1
}

ldap_slapd_stop() {
	_ldap_stop_pid "$LDAP_SLAPD_PID"
	LDAP_SLAPD_PID=
}

ldap_slapd_start() {
	_ldap_slapd_run
	ldap_wait_for 15 ldap_slapd_up || fail "slapd did not come back"
}

_ldap_stop_pid() { # pid
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

ldap_add() { ldapadd -x -H "$LDAP_URI" -D "$LDAP_ROOTDN" -w "$LDAP_ROOTPW" -o nettimeout=5 >/dev/null; }
ldap_modify() { ldapmodify -x -H "$LDAP_URI" -D "$LDAP_ROOTDN" -w "$LDAP_ROOTPW" -o nettimeout=5 >/dev/null; }

ldap_user() { # name uid gid shell home [gecos]
	ldap_add <<EOF
dn: uid=$1,ou=people,$LDAP_BASE
objectClass: account
objectClass: posixAccount
uid: $1
cn: ${6:-$1}
uidNumber: $2
gidNumber: $3
homeDirectory: $5
loginShell: $4
gecos: ${6:-$1}
EOF
}

ldap_group() { # name gid [member...]
	local name=$1 gid=$2 m
	shift 2
	{
		printf 'dn: cn=%s,ou=groups,%s\nobjectClass: posixGroup\ncn: %s\ngidNumber: %s\n' \
			"$name" "$LDAP_BASE" "$name" "$gid"
		for m in "$@"; do printf 'memberUid: %s\n' "$m"; done
	} | ldap_add
}

ldap_group_del_member() { # group member
	ldap_modify <<EOF
dn: cn=$1,ou=groups,$LDAP_BASE
changetype: modify
delete: memberUid
memberUid: $2
EOF
}

ldap_group_add_member() { # group member
	ldap_modify <<EOF
dn: cn=$1,ou=groups,$LDAP_BASE
changetype: modify
add: memberUid
memberUid: $2
EOF
}

# A number no local or LDAP user or group has (well above useradd's range).
ldap_free_id() {
	local id
	while :; do
		id=$((3000000 + (RANDOM << 8 | RANDOM & 0xff)))
		getent passwd "$id" >/dev/null || getent group "$id" >/dev/null || break
	done
	echo "$id"
}

# The SRCH operations slapd logged so far ("conn=N op=M SRCH base=...").
# Every process on the host that asks NSS for something the files lack
# (getgrouplist() always does) adds to this while NSS is on LDAP.
ldap_searches() { grep -c ' SRCH base=' "$LDAP_SLAPD_LOG"; }

# The NSS requests nslcd has served so far whose key is one of KEYs (user
# names, group names, numeric ids): nslcd -d tags each request's lines
# with its id and key ("[3c9869] <passwd="alice">", "<group=1234>",
# "<group/member="alice">"). Keys unique to a test make the count
# immune to the lookups other programs on the host make meanwhile.
ldap_nss_requests() { # key...
	local IFS='|'
	grep -E "^nslcd: \[[0-9a-f]+\] <[a-z/]+=\"?($*)\"?> " "$LDAP_NSLCD_LOG" |
		sed -E 's/^nslcd: \[([0-9a-f]+)\].*/\1/' | sort -u | wc -l
}

_ldap_nslcd_conf() {
	cat <<EOF
# pam_jail test directory (this file is put back as soon as nslcd runs)
uid nslcd
gid nslcd
uri $LDAP_URI
base $LDAP_BASE
# Fail fast when the directory is down: nslcd otherwise sleeps and retries
# for up to 10 s per lookup, and while the test has NSS pointed at it
# every getgrouplist() on the host waits for that.
bind_timelimit 2
timelimit 5
reconnect_sleeptime 1
reconnect_retrytime 1
EOF
}

_ldap_start_nslcd() {
	on_exit _ldap_restore_all
	if [ ! -d /run/nslcd ]; then
		install -d -m 0755 -o nslcd -g nslcd /run/nslcd || fail "mkdir /run/nslcd"
		_LDAP_CREATED_NSLCD_RUN=1
		_ldap_record nslcd-run
	fi
	_ldap_nslcd_conf | _ldap_install_etc /etc/nslcd.conf
	LDAP_NSLCD_LOG=$LDAP/nslcd.log
	# -d: stay in the foreground ($! is nslcd) and log every request.
	"$_ldap_nslcd" -d </dev/null >"$LDAP_NSLCD_LOG" 2>&1 &
	LDAP_NSLCD_PID=$!
	_ldap_record_proc "$LDAP_NSLCD_PID"
	ldap_wait_for 15 _ldap_nslcd_up ||
		{ tail -n 20 "$LDAP_NSLCD_LOG" >&2; fail "nslcd did not start"; }
	# nslcd has read its configuration: the host's file goes back now.
	_ldap_restore_one /etc/nslcd.conf || fail "restore /etc/nslcd.conf"
}

_ldap_nslcd_up() {
	kill -0 "$LDAP_NSLCD_PID" 2>/dev/null || return 1
	[ -S /run/nslcd/socket ] || return 1
	# The base entry exists in LDAP, not in files: asking the ldap service
	# alone (getent -s) proves socket, nslcd and slapd, with nsswitch.conf
	# untouched.
	getent -s ldap group nslcd-probe-that-does-not-exist >/dev/null 2>&1
	[ $? -eq 2 ] # 2: not found, i.e. nslcd answered
}

# From here on passwd and group also come from LDAP, after the local files.
ldap_nss_on() {
	[ -n "$LDAP_NSLCD_PID" ] || fail "ldap_nss_on before ldap_init"
	# A dead slapd would make every lookup on the host wait for nslcd.
	ldap_slapd_up || fail "slapd does not answer: NSS stays off LDAP"
	# (the original is in the guard dir since _ldap_backup_all)
	sed -E 's/^([[:space:]]*(passwd|group)[[:space:]]*:.*[^[:space:]])[[:space:]]*$/\1 ldap/' \
		"$LDAP_GUARD/nsswitch.conf" | _ldap_install_etc /etc/nsswitch.conf
	# ldap last, after the host's own sources, on both lines.
	[ "$(grep -Ec '^[[:space:]]*(passwd|group)[[:space:]]*:[[:space:]]*[^[:space:]].*[[:space:]]ldap$' \
		/etc/nsswitch.conf)" = 2 ] ||
		{ ldap_nss_off; fail "nsswitch.conf: cannot put ldap after the local sources"; }
	ldap_flush_caches
}

ldap_nss_off() {
	_ldap_restore_one /etc/nsswitch.conf || fail "restore /etc/nsswitch.conf"
	ldap_flush_caches
}

# nscd (if one runs on this host) must not answer from before a change.
ldap_flush_caches() {
	[ -S /run/nscd/socket ] && command -v nscd >/dev/null &&
		{ nscd -i passwd; nscd -i group; } 2>/dev/null
	return 0
}

_ldap_teardown() {
	_ldap_restore_all
	_ldap_stop_pid "$LDAP_NSLCD_PID"
	LDAP_NSLCD_PID=
	_ldap_stop_pid "$LDAP_SLAPD_PID"
	LDAP_SLAPD_PID=
	if [ -n "$_LDAP_CREATED_NSLCD_RUN" ]; then
		rm -f /run/nslcd/socket /run/nslcd/nslcd.pid
		rmdir /run/nslcd 2>/dev/null
	fi
	return 0
}
