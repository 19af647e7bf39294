#!/bin/bash
# make bench: what a pam_jail login costs, beside what admins use instead,
# in one run on this machine. Not a test: it asserts no timing; it fails
# only when a measured thing does not work at all.
#
#   BUILD=... bench/bench.sh          (make bench runs it; root)
#
# Knobs (environment): BENCH_ROUNDS (session-cost rounds, default 150),
# BENCH_SCALE ("50 200 500 1000"), BENCH_PROBE_ROUNDS (logins measured at
# each scale step, 40), BENCH_STORM (100), BENCH_SSH_ROUNDS (40),
# BENCH_TRACE_RUNS (9). BENCH_QUICK=1: small counts, for debugging.
# BENCH_BASELINE=REV: build commit REV in a git worktree under $BUILD
# (removed once built) and time its pam_jail cases (cold, join, policy
# only) interleaved with the working tree's, in the same rounds: each
# case's ratio new/baseline comes from one run. BENCH_ONLY=session: the
# session-cost rounds only (no scale, storm, trace or ssh part), the
# quick way to measure one change; such a run does not refresh the docs.
#
# Everything it creates (a temp dir under /run, users and a group, one
# /etc/pam.d file per stack, named pjbench*) is removed at exit, even on
# failure; it runs in a private mount namespace, so the private
# namespace.conf it binds for pam_namespace is seen by nobody else.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$SRC/bench
BUILD=${BUILD:-$SRC/build}
export TESTS=$SRC/tests BUILD SRC
# shellcheck source=tests/lib.sh
. "$TESTS/lib.sh"

if [ "${BENCH_INNER:-}" != 1 ]; then
	need_root
	BENCH_INNER=1 exec unshare -m --propagation private bash "$0" "$@"
fi

if [ "${BENCH_QUICK:-}" = 1 ]; then
	: "${BENCH_ROUNDS:=8}" "${BENCH_SCALE:=10 30}" "${BENCH_PROBE_ROUNDS:=4}"
	: "${BENCH_STORM:=20}" "${BENCH_SSH_ROUNDS:=3}" "${BENCH_TRACE_RUNS:=2}"
fi
ROUNDS=${BENCH_ROUNDS:-150}
SCALE=${BENCH_SCALE:-50 200 500 1000}
PROBE_ROUNDS=${BENCH_PROBE_ROUNDS:-40}
STORM=${BENCH_STORM:-100}
SSH_ROUNDS=${BENCH_SSH_ROUNDS:-40}
TRACE_RUNS=${BENCH_TRACE_RUNS:-9}

for f in pam_jail.so jail-init bench_time bench_hold tests/bin/pj_session; do
	[ -e "$BUILD/$f" ] || fail "$BUILD/$f is missing: run make bench"
done
BASELINE=${BENCH_BASELINE:-}
ONLY=${BENCH_ONLY:-}
case "$ONLY" in "" | session) ;; *) fail "BENCH_ONLY: '$ONLY' is not 'session'" ;; esac

log() { printf '[bench %s] %s\n' "$(date -u +%T)" "$*" >&2; }

RESULTS=$SRC/bench/results
mkdir -p "$RESULTS"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
d=$(mktemp -d -p /run pjbench.XXXXXX) || fail "mktemp"
chmod 0755 "$d"
on_exit rm -rf "$d"
raw=$d/raw
mkdir -p "$raw" "$d/etc/jail.d" "$d/pam"
mkdir -m 0700 "$d/state"
chmod 0755 "$d/etc" "$d/etc/jail.d" "$d/pam"
echo "session required pam_deny.so" >"$d/pam/other"

# ---- processes we start: recorded, ended by PID at exit ----
pids_started=()
kill_started() {
	local p
	for p in "${pids_started[@]}"; do kill -KILL "$p" 2>/dev/null; done
}
# Jails left by an interrupted run: ask each keeper to stop (it kills its
# jail), then kill the keepers and inits the registry names.
end_jails() {
	local k keeper init
	for k in "$d"/state/jails/* "$d"/state-base/jails/*; do
		[ -d "$k" ] || continue
		keeper=$(sed -n 's/^keeper=//p' "$k/info" 2>/dev/null)
		init=$(sed -n 's/^init=//p' "$k/info" 2>/dev/null)
		[ -n "$keeper" ] && kill -KILL "$keeper" 2>/dev/null
		[ -n "$init" ] && kill -KILL "$init" 2>/dev/null
	done
	return 0
}

# ---- users and groups, made in bulk with newusers ----
# /etc/passwd is shared with other jobs that run useradd/userdel: retry
# while another holds the lock. Removing an account (userdel) takes about
# 0.2 s here, so the scale part does not make one account per jail: POOL
# users in group $gs, whose profile gives every session a jail of its own
# (lifetime "session"), hold the 50..1000 jails, several sessions each.
# Every such jail is complete (namespaces, tmpfs home and /tmp, /proc,
# /dev, its own init), as for a user of its own.
retry_lock() {
	local i
	for i in $(seq 50); do
		"$@" 2>"$d/lock.err" && return 0
		grep -q 'lock' "$d/lock.err" || { cat "$d/lock.err" >&2; return 1; }
		sleep 0.2
	done
	cat "$d/lock.err" >&2
	return 1
}
group=$(uniq_name bg)
gs=$(uniq_name bs)
retry_lock groupadd "$group" || fail "groupadd"
on_exit retry_lock groupdel "$group"
retry_lock groupadd "$gs" || fail "groupadd"
on_exit retry_lock groupdel "$gs"
gid=$(getent group "$group" | cut -d: -f3)
gid_s=$(getent group "$gs" | cut -d: -f3)
prefix=$(uniq_name b)
POOL=$STORM
[ "$POOL" -ge 1 ] || POOL=1
user_list=$d/users.all
{
	echo "${prefix}c"  # cold: a new jail each time
	echo "${prefix}j"  # join: another session holds the jail
	echo "${prefix}k"  # jailkit
} >"$d/users.a"
echo "${prefix}n" >"$d/users.n" # in no group a rule names: not jailed
seq -f "${prefix}%04g" "$POOL" >"$d/users.pool"
cat "$d/users.a" "$d/users.n" "$d/users.pool" >"$user_list"
del_users() {
	local u
	while read -r u; do
		id "$u" >/dev/null 2>&1 && retry_lock userdel -f "$u"
	done <"$user_list"
	return 0
}
on_exit del_users
# newusers: NAME:PASSWORD:UID:GID:GECOS:HOME:SHELL, empty UID = next free.
# Homes are paths under a directory that does not exist: newusers cannot
# make them (it says so, and goes on), the jail mounts a tmpfs there.
[ -e "/home/${prefix}-nohome" ] && fail "/home/${prefix}-nohome exists"
on_exit rmdir "/home/${prefix}-nohome"
# An empty password field leaves the account locked ("!" in shadow); PAM's
# password change then complains for each user, which is what we want.
{
	awk -v gid="$gid" -v h="/home/${prefix}-nohome" '{ printf "%s::%s:%s:pam_jail bench:%s/%s:/usr/sbin/nologin\n", $1, "", gid, h, $1 }' "$d/users.a"
	awk -v gid="$(getent group users | cut -d: -f3)" -v h="/home/${prefix}-nohome" '{ printf "%s::%s:%s:pam_jail bench:%s/%s:/usr/sbin/nologin\n", $1, "", gid, h, $1 }' "$d/users.n"
	awk -v gid="$gid_s" -v h="/home/${prefix}-nohome" '{ printf "%s::%s:%s:pam_jail bench:%s/%s:/usr/sbin/nologin\n", $1, "", gid, h, $1 }' "$d/users.pool"
} >"$d/newusers.in"
log "creating $(wc -l <"$user_list") users"
retry_lock newusers <"$d/newusers.in" >/dev/null 2>&1
while read -r u; do
	[ "$(getent shadow "$u" | cut -d: -f2)" = "!" ] || fail "newusers: $u missing or not locked"
done <"$user_list"
uid_of() { id -u "$1"; }
UC=${prefix}c UJ=${prefix}j UK=${prefix}k UN=${prefix}n

# ---- the pam_jail policy: the default profile of the tests ----
profile_body='
	namespaces = ["mount", "pid", "net", "ipc", "uts", "cgroup"];
	hostname = "jail-%u";
	root = { type = "host"; hide = ["/home", "/root", "/var/mail", "/run", "/work"]; };
	home = { mode = "tmpfs"; size = "16M"; };
	tmp = { size = "32M"; };'
cat >"$d/etc/jail.conf" <<EOF
version = 1;
profiles = {
	student = { $profile_body
	};
	student_session = { $profile_body
		lifetime = { mode = "session"; };
	};
};
rules = (
	{ group = "$group"; profile = "student"; },
	{ group = "$gs"; profile = "student_session"; }
);
EOF
chmod 0644 "$d/etc/jail.conf"
# pam_jail runs jail-init only from a path no one but root can change, and
# the build tree may be anywhere (a clone under /tmp): the module and
# jail-init run from a copy in the run's root-owned dir.
mkdir -m 0755 "$d/bin"
install -m 0755 "$BUILD/pam_jail.so" "$BUILD/jail-init" "$d/bin/" || fail "copy pam_jail.so, jail-init"
jail_line="session required $d/bin/pam_jail.so config=$d/etc/jail.conf init=$d/bin/jail-init statedir=$d/state"
echo "$jail_line" >"$d/pam/jail"

# ---- the baseline: commit $BASELINE built in a worktree of its own ----
# Built before anything is timed, with the same compiler and flags; only
# its module and jail-init are kept (copied beside ours, root-owned), and
# the worktree is removed at once. It gets a registry of its own, so its
# jails and ours never meet.
if [ -n "$BASELINE" ]; then
	base_rev=$(git -C "$SRC" rev-parse --verify --quiet "$BASELINE^{commit}") ||
		fail "BENCH_BASELINE: '$BASELINE' is not a commit of $SRC"
	base_wt=$(mktemp -d -p "$BUILD" bench-baseline.XXXXXX) || fail "mktemp"
	rmdir "$base_wt"
	on_exit rm -rf "$base_wt"
	on_exit git -C "$SRC" worktree remove --force "$base_wt"
	log "baseline: building ${base_rev:0:10} in $base_wt"
	git -C "$SRC" worktree add --detach --quiet "$base_wt" "$base_rev" || fail "git worktree add $base_rev"
	# `programs` (no tests) where the baseline's Makefile has it.
	target=programs
	grep -q '^programs:' "$base_wt/Makefile" || target=all
	make -C "$base_wt" -j2 BUILD="$base_wt/build" "$target" >"$d/baseline-build.log" 2>&1 ||
		fail "baseline ${base_rev:0:10} does not build: $(tail -5 "$d/baseline-build.log")"
	mkdir -m 0755 "$d/bin-base"
	install -m 0755 "$base_wt/build/pam_jail.so" "$base_wt/build/jail-init" "$d/bin-base/" ||
		fail "copy the baseline's pam_jail.so, jail-init"
	git -C "$SRC" worktree remove --force "$base_wt" || fail "git worktree remove $base_wt"
	mkdir -m 0700 "$d/state-base"
	base_line="session required $d/bin-base/pam_jail.so config=$d/etc/jail.conf init=$d/bin-base/jail-init statedir=$d/state-base"
	echo "$base_line" >"$d/pam/jail-base"
	git -C "$SRC" rev-parse --short "$base_rev" >"$raw/baseline"
fi

# ---- pamtester services: /etc/pam.d/pjbench<id>-<stack>, ours only ----
svc=$(uniq_name bench)
services=()
add_service() { # stack line
	local f=/etc/pam.d/$svc-$1
	[ -e "$f" ] && fail "$f exists"
	printf '# pam_jail benchmark (removed when it ends)\n%s\n' "$2" >"$f"
	services+=("$f")
	on_exit rm -f "$f"
}
add_service permit "session required pam_permit.so"
add_service jail "$jail_line"
# A user no rule names gets PAM_IGNORE; a stack of that alone is refused
# by libpam, so here pam_permit comes first, as in a real stack.
add_service jailp "session required pam_permit.so
$jail_line"
add_service ns "session required pam_namespace.so"
if [ -n "$BASELINE" ]; then
	add_service bjail "$base_line"
	add_service bjailp "session required pam_permit.so
$base_line"
fi
mkdir -m 0755 "$d/chroot"
add_service chroot "session required pam_chroot.so chroot_dir=$d/chroot onerr=fail"

# pam_namespace reads /etc/security/namespace.conf: ours is bound over it in
# this mount namespace only. Three tmpfs instances, like the jail's
# /tmp, /var/tmp and /dev/shm.
mkdir -p "$d/nsconf.d"
cat >"$d/namespace.conf" <<EOF
/tmp      /tmp-inst/      tmpfs root
/var/tmp  /var/tmp-inst/  tmpfs root
/dev/shm  /dev/shm-inst/  tmpfs root
EOF
mount --bind "$d/namespace.conf" /etc/security/namespace.conf || fail "bind namespace.conf"
[ -d /etc/security/namespace.d ] && mount --bind "$d/nsconf.d" /etc/security/namespace.d

# ---- jailkit: a minimal jail whose shell is /bin/true ----
jk_ok=0
if command -v jk_chrootsh >/dev/null; then
	jk=$d/jk
	mkdir -p "$jk/etc" "$jk/bin" "$jk/home/$UK"
	cp /bin/true "$jk/bin/true"
	for l in $(ldd /bin/true | grep -o "/[^ ]*"); do mkdir -p "$jk${l%/*}"; cp "$l" "$jk$l"; done
	echo "$UK:x:$(uid_of "$UK"):$gid::/home/$UK:/bin/true" >"$jk/etc/passwd"
	echo "$group:x:$gid:" >"$jk/etc/group"
	chown "$UK:$gid" "$jk/home/$UK"
	chmod -R go-w "$jk"
	retry_lock usermod -d "$jk/./home/$UK" -s "$(command -v jk_chrootsh)" "$UK" || fail "usermod"
	jk_cmd=(setpriv --reuid="$UK" --regid="$gid" --clear-groups "$(command -v jk_chrootsh)" -c true)
	if "${jk_cmd[@]}" </dev/null >"$d/jk.out" 2>&1; then
		jk_ok=1
	else
		log "jk_chrootsh does not run here: $(head -c 300 "$d/jk.out")"
	fi
fi

# Cleanups run last-registered first: processes go before the accounts
# and files they use (the holders first, then any jail left).
on_exit end_jails
on_exit kill_started

# ---- the join case: a session of $UJ held open for the whole run ----
hold_fifo=$d/hold.fifo
mkfifo "$hold_fifo"
"$BUILD/tests/bin/pj_session" -c "$d/pam" -s jail "$UJ" -- sh -c 'echo up; read -r _' \
	<"$hold_fifo" >"$d/hold.out" 2>&1 &
pids_started+=($!)
hold_pid=$!
exec {hold_fd}>"$hold_fifo"
for _ in $(seq 200); do grep -q up "$d/hold.out" && break; sleep 0.05; done
grep -q up "$d/hold.out" || fail "held session of $UJ did not start: $(cat "$d/hold.out")"
if [ -n "$BASELINE" ]; then
	mkfifo "$d/hold-base.fifo"
	"$BUILD/tests/bin/pj_session" -c "$d/pam" -s jail-base "$UJ" -- sh -c 'echo up; read -r _' \
		<"$d/hold-base.fifo" >"$d/hold-base.out" 2>&1 &
	pids_started+=($!)
	hold_base_pid=$!
	exec {hold_base_fd}>"$d/hold-base.fifo"
	for _ in $(seq 200); do grep -q up "$d/hold-base.out" && break; sleep 0.05; done
	grep -q up "$d/hold-base.out" ||
		fail "held baseline session of $UJ did not start: $(cat "$d/hold-base.out")"
fi

# ---- 1. session cost, interleaved ----
init_exe=$d/bin/jail-init
T=$(printf '\t')
{
	echo "floor_pam_permit${T}pamtester${T}$svc-permit${T}$UC${T}open_session${T}close_session"
	echo "pam_jail_cold${T}exe:$init_exe${T}pamtester${T}$svc-jail${T}$UC${T}open_session${T}close_session"
	echo "pam_jail_join${T}pamtester${T}$svc-jail${T}$UJ${T}open_session${T}close_session"
	echo "pam_jail_ignored${T}pamtester${T}$svc-jailp${T}$UN${T}open_session${T}close_session"
	if [ -n "$BASELINE" ]; then
		echo "base_pam_jail_cold${T}exe:$d/bin-base/jail-init${T}pamtester${T}$svc-bjail${T}$UC${T}open_session${T}close_session"
		echo "base_pam_jail_join${T}pamtester${T}$svc-bjail${T}$UJ${T}open_session${T}close_session"
		echo "base_pam_jail_ignored${T}pamtester${T}$svc-bjailp${T}$UN${T}open_session${T}close_session"
	fi
	# BENCH_ONLY=session: pam_jail, its baseline, the floor, bwrap and
	# unshare(1) only (more rounds of what a change moves, in the time).
	if [ -z "$ONLY" ]; then
		echo "pam_namespace${T}pamtester${T}$svc-ns${T}$UC${T}open_session${T}close_session"
		echo "pam_chroot${T}pamtester${T}$svc-chroot${T}$UC${T}open_session${T}close_session"
	fi
	command -v bwrap >/dev/null &&
		echo "bwrap${T}bwrap${T}--unshare-all${T}--ro-bind${T}/${T}/${T}--tmpfs${T}/tmp${T}--tmpfs${T}/home${T}--proc${T}/proc${T}--dev${T}/dev${T}true"
	command -v firejail >/dev/null && [ -z "$ONLY" ] &&
		echo "firejail${T}firejail${T}--quiet${T}--noprofile${T}--private${T}--private-tmp${T}--net=none${T}true"
	echo "unshare${T}unshare${T}--mount${T}--pid${T}--net${T}--ipc${T}--uts${T}--cgroup${T}--fork${T}--mount-proc${T}true"
	if [ "$jk_ok" = 1 ] && [ -z "$ONLY" ]; then
		echo "jk_chrootsh${T}$(printf '%s\t' "${jk_cmd[@]}" | sed 's/\t$//')"
		echo "setpriv_true${T}setpriv${T}--reuid=$UK${T}--regid=$gid${T}--clear-groups${T}true"
	fi
} >"$d/session.spec"
# Each must work once before it is timed: a failing tool is not a fast one.
while IFS=$T read -r name rest; do
	cmd=${rest#exe:*"$T"}
	IFS=$T read -r -a argv <<<"$cmd"
	"${argv[@]}" </dev/null >"$d/probe.out" 2>&1 ||
		fail "$name does not work here: ${argv[*]}: $(head -c 400 "$d/probe.out")"
done <"$d/session.spec"
uptime >"$raw/uptime.start"
[ -n "$ONLY" ] && echo "$ONLY" >"$raw/only"
# Which code was measured: the commit, and whether the module's sources
# differed from it (other work in progress in the tree).
{
	git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown
	git -C "$SRC" status --porcelain -- lib init pam_module 2>/dev/null | grep -q . && echo dirty
} | paste -sd' ' >"$raw/commit"
log "session cost: $ROUNDS interleaved rounds of $(wc -l <"$d/session.spec") cases"
"$BUILD/bench_time" -n "$ROUNDS" -w 2 "$d/session.spec" >"$raw/session.txt" ||
	fail "bench_time"

# The rest is skipped with BENCH_ONLY=session.
if [ -z "$ONLY" ]; then
	# pam_namespace's time is mostly Debian's stock namespace.init (a shell
	# script run for every polydir): once more without it. pam_namespace runs
	# the script if the file exists, and refuses one that is not executable,
	# so a copy of /etc/security without it is bound over /etc/security in a
	# mount namespace of this run only; the floor runs again beside it.
	mkdir -m 0755 "$d/security"
	cp -a /etc/security/. "$d/security/"
	rm -f "$d/security/namespace.init"
	cp "$d/namespace.conf" "$d/security/namespace.conf"
	rm -rf "$d/security/namespace.d" && mkdir -m 0755 "$d/security/namespace.d"
	{
		grep '^floor_pam_permit' "$d/session.spec" | sed 's/^floor_pam_permit/floor_pam_permit_2/'
		grep '^pam_namespace' "$d/session.spec" | sed 's/^pam_namespace/pam_namespace_noinit/'
	} >"$d/ns-noinit.spec"
	log "pam_namespace without namespace.init: $((ROUNDS / 2 + 1)) interleaved rounds"
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m --propagation private -- sh -c 'mount --bind "$1" /etc/security && exec "$2" -n "$3" -w 2 "$4"' \
		sh "$d/security" "$BUILD/bench_time" "$((ROUNDS / 2 + 1))" "$d/ns-noinit.spec" >>"$raw/session.txt" ||
		fail "bench_time"

	# What each kind of namespace costs to make (and end) on this kernel:
	# unshare(1) with one flag against unshare(1) with none. pam_jail makes
	# them all in one clone3, which strace cannot split.
	{
		echo "ns_none${T}unshare${T}true"
		for f in mount pid net ipc uts cgroup; do
			if [ "$f" = pid ]; then
				echo "ns_pid${T}unshare${T}--pid${T}--fork${T}true"
			else
				echo "ns_$f${T}unshare${T}--$f${T}true"
			fi
		done
	} >"$d/ns.spec"
	log "namespaces: $((ROUNDS / 2 + 1)) interleaved rounds"
	"$BUILD/bench_time" -n "$((ROUNDS / 2 + 1))" -w 2 "$d/ns.spec" >"$raw/ns.txt" || fail "bench_time"

	# ---- 2. where the time goes: strace of cold sessions ----
	if command -v strace >/dev/null; then
		log "breakdown: $TRACE_RUNS traced cold, join and floor sessions"
		for i in $(seq "$TRACE_RUNS"); do
			strace -f -ttt -T -qq -o "$raw/trace.cold.$i" \
				pamtester "$svc-jail" "$UC" open_session close_session >/dev/null 2>&1 ||
				log "traced session $i failed"
			for _ in $(seq 2000); do [ -e "$d/state/jails/u$(uid_of "$UC")" ] || break; sleep 0.005; done
			strace -f -ttt -T -qq -o "$raw/trace.join.$i" \
				pamtester "$svc-jail" "$UJ" open_session close_session >/dev/null 2>&1 ||
				log "traced join $i failed"
			strace -f -ttt -T -qq -o "$raw/trace.floor.$i" \
				pamtester "$svc-permit" "$UC" open_session close_session >/dev/null 2>&1 ||
				log "traced floor $i failed"
		done
	fi

	# ---- 3. scale: N users with a live jail each ----
	snap() { # label
		python3 "$BENCH/benchlib.py" memsnap "$d/state" "$@" >>"$raw/mem.jsonl"
	}
	probe() { # live-jail count
		"$BUILD/bench_time" -n "$PROBE_ROUNDS" -w 1 <(head -n 3 "$d/session.spec") |
			sed "s/^/live=$1 /" >>"$raw/probe.txt"
	}
	holders=()
	holder_fds=()
	snap base 0
	probe 0
	have=0
	level_i=0
	for n in $SCALE; do
		[ "$n" -gt "$have" ] || continue
		level_i=$((level_i + 1))
		# Sessions have..n-1, over the pool's users in turn.
		awk -v a="$have" -v b="$n" '{ u[NR - 1] = $0 } END { for (i = a; i < b; i++) print u[i % NR] }' \
			"$d/users.pool" >"$d/level.$level_i"
		mkfifo "$d/level.$level_i.fifo"
		log "scale: $have -> $n live jails"
		"$BUILD/bench_hold" -c "$d/pam" -s jail "$d/level.$level_i" \
			<"$d/level.$level_i.fifo" >"$raw/hold.$level_i" 2>"$d/hold.$level_i.err" &
		pids_started+=($!)
		holders+=($!)
		exec {fd}>"$d/level.$level_i.fifo"
		holder_fds+=("$fd")
		for _ in $(seq 6000); do grep -q '^opened' "$raw/hold.$level_i" && break; sleep 0.05; done
		grep -q '^opened' "$raw/hold.$level_i" || fail "holder $level_i: $(tail -3 "$d/hold.$level_i.err")"
		have=$n
		# Let the kernel's deferred work (RCU frees, slab) settle before
		# reading memory.
		sleep 1
		snap "live" "$have" "${holders[@]}"
		probe "$have"
	done

	# End them all at once: logouts return (bench_hold's "closed"), then the
	# registry empties, then the kernel has freed the network namespaces.
	if [ ${#holders[@]} -gt 0 ]; then
		log "ending $have jails"
		fifos=()
		for ((i = 1; i <= level_i; i++)); do fifos+=("$d/level.$i.fifo"); done
		python3 "$BENCH/benchlib.py" teardown "$d/state" "u$(uid_of "$UJ")" "$have" "$raw/teardown.json" \
			"${fifos[@]}" -- "${holders[@]}" || log "teardown measurement failed"
		for p in "${holders[@]}"; do wait "$p" || log "holder $p: some session failed"; done
		snap after 0
	fi

	# ---- 4. login storm: STORM users log in at the same moment ----
	if [ "$STORM" -gt 0 ]; then
		log "storm: $STORM simultaneous logins"
		head -n "$STORM" "$d/users.pool" >"$d/storm"
		mkfifo "$d/storm.fifo"
		"$BUILD/bench_hold" -P -c "$d/pam" -s jail "$d/storm" <"$d/storm.fifo" \
			>"$raw/storm.txt" 2>"$d/storm.err" &
		pids_started+=($!)
		storm_pid=$!
		exec {storm_fd}>"$d/storm.fifo"
		for _ in $(seq 2400); do grep -q '^opened' "$raw/storm.txt" && break; sleep 0.05; done
		echo end >&"$storm_fd"
		wait "$storm_pid" || log "storm: some session failed: $(tail -3 "$d/storm.err")"
	fi
fi

# The held join session ends here.
eval "exec $hold_fd>&-"
wait "$hold_pid"
if [ -n "$BASELINE" ]; then
	eval "exec $hold_base_fd>&-"
	wait "$hold_base_pid"
fi

# ---- 5. real logins through a private sshd (tests/e2e/lib-sshd.sh) ----
if [ "$SSH_ROUNDS" -gt 0 ] && [ -z "$ONLY" ]; then
	log "ssh: $SSH_ROUNDS interleaved rounds"
	bash "$BENCH/ssh.sh" "$SSH_ROUNDS" "$raw/ssh.txt" >"$d/ssh.log" 2>&1 ||
		log "ssh part failed: $(tail -5 "$d/ssh.log")"
fi
uptime >"$raw/uptime.end"

# ---- results (the raw measurements are kept beside them) ----
cp -r "$raw" "$RESULTS/raw-$stamp"
# Only a full run refreshes the table and plot in docs/PERFORMANCE.md.
docs=$SRC/docs
[ "${BENCH_QUICK:-}" = 1 ] || [ -n "$ONLY" ] && docs=
python3 "$BENCH/benchlib.py" report "$raw" "$RESULTS" "$stamp" "$docs" || fail "report"
log "results: $RESULTS/bench-$stamp.json, $RESULTS/table.md"
cat "$RESULTS/table.md"
