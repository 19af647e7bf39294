#!/bin/bash
# jailctl metrics against real jails: the text is valid exposition format
# (a strict reader, tests/fixtures/prom_text.py, and promtool when there);
# a running jail shows up per profile with its sessions, and with its
# cgroup's memory and processes against the profile's limits; a fork bomb's
# refused forks are counted while the jail runs and, once it has ended, in
# the counters since boot; refused sessions are counted by reason with the
# time of the last one, 20 refused at once count 20 (the counters' lock);
# and a user can neither read, forge nor reset the counters, while a
# counters file that is not root's own is refused, not trusted.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
need_cmd setpriv
je_setup "$@"
# v1 or v2, the pids and memory controllers must be somewhere (limits_cgroup.sh)
[ -e /sys/fs/cgroup/pids/pids.max ] || [ -e /sys/fs/cgroup/pids ] ||
    grep -qw pids /sys/fs/cgroup/cgroup.controllers /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
    skip "no pids controller"
je_policy "version = 1;
settings = { unmatched = \"deny\"; };
profiles = {
  student = {
$(je_default_profile)
    limits = { memory = \"64M\"; pids = 20; };
  };
  idle = { extends = \"student\"; };
};
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
je_service
other=$(uniq_name o) # in no group the policy names: refused (unmatched = deny)
make_user "$other" || fail "useradd $other"

metrics() { # -> $je/m.txt (raw) and $je/m.series (one "series value" a line)
    "$BUILD/jailctl" metrics --statedir "$je/state" --config "$je/etc/jail.conf" >"$je/m.txt" ||
        fail "jailctl metrics failed"
    /usr/bin/python3 "$TESTS/fixtures/prom_text.py" "$je/m.txt" >"$je/m.series" ||
        { cat "$je/m.txt"; fail "jailctl metrics: not valid exposition format"; }
    if command -v promtool >/dev/null; then
        promtool check metrics <"$je/m.txt" || fail "promtool check metrics"
    fi
}
value() { # series -> its value, or "absent"
    awk -v s="$1" '$1 == s { v = $2 } END { print (v == "" ? "absent" : v) }' "$je/m.series"
}
jl() { echo "{key=\"u$je_uid\",profile=\"student\",user=\"$je_user\"}"; }
jle() { echo "{event=\"$1\",key=\"u$je_uid\",profile=\"student\",user=\"$je_user\"}"; }

# ---- before anything ran: zeros for every profile and reason ----
metrics
assert_eq 0 "$(value 'pam_jail_jails{profile="student"}')" "no jail yet: student"
assert_eq 0 "$(value 'pam_jail_jails{profile="idle"}')" "no jail yet: idle (from the policy)"
assert_eq 0 "$(value 'pam_jail_refused_sessions_total{reason="unmatched"}')" "no refusal yet"
assert_eq absent "$(value pam_jail_last_refusal_timestamp_seconds'{reason="unmatched"}')" \
    "no last refusal yet"
ok "an empty registry: valid, with zeros"

# ---- a running jail with a session, and a fork bomb in it ----
mkfifo "$je/hold"
exec 7<>"$je/hold"
je_session -U "$je_user" -- sh -c 'echo READY; read -r _' <"$je/hold" >"$je/s.out" 2>"$je/s.err" &
session=$!
for _ in $(seq 300); do grep -q READY "$je/s.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/s.out" || { cat "$je/s.err"; fail "the session did not come up"; }
je_track "u$je_uid"
# 30 forks against pids = 20: some are refused; the jail stays up (held)
bomb='import os, time
kids = []
refused = 0
for i in range(30):
    try:
        pid = os.fork()
    except OSError:
        refused += 1
        continue
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    kids.append(pid)
for k in kids:
    os.waitpid(k, 0)
print("REFUSED", refused)'
je_session -U "$je_user" -- python3 -c "$bomb" >"$je/bomb.out" 2>"$je/bomb.err" ||
    { cat "$je/bomb.err"; fail "the fork bomb session failed"; }
refused=$(sed -n 's/^REFUSED //p' "$je/bomb.out")
[ "${refused:-0}" -gt 0 ] || fail "no fork was refused at pids = 20: $(cat "$je/bomb.out")"
metrics
assert_eq 1 "$(value 'pam_jail_jails{profile="student"}')" "jails: student"
assert_eq 0 "$(value 'pam_jail_jails{profile="idle"}')" "jails: idle"
assert_eq 1 "$(value 'pam_jail_sessions{profile="student"}')" "sessions: student (the held one)"
assert_eq 67108864 "$(value "pam_jail_jail_memory_limit_bytes$(jl)")" "memory limit"
assert_eq 20 "$(value "pam_jail_jail_pids_limit$(jl)")" "pids limit"
mem=$(value "pam_jail_jail_memory_bytes$(jl)")
[ "$mem" != absent ] && [ "$mem" -gt 0 ] && [ "$mem" -le 67108864 ] ||
    fail "memory of the jail: '$mem'"
pids=$(value "pam_jail_jail_pids$(jl)")
[ "$pids" != absent ] && [ "$pids" -ge 2 ] && [ "$pids" -le 20 ] ||
    fail "processes of the jail (init, the held shell): '$pids'"
hits=$(value "pam_jail_jail_limit_events_total$(jle pids.max)")
[ "$hits" != absent ] && [ "$hits" -ge "$refused" ] ||
    fail "pids.max events of the jail: '$hits', $refused forks were refused"
ok "a running jail: 1 jail, 1 session, memory $mem of 64M, $pids of 20 processes, $hits forks refused"

# ---- the jail ends: its limit events move to the counters since boot ----
echo >&7
wait "$session"
je_wait_gone 30 || fail "the jail did not end"
metrics
assert_eq 0 "$(value 'pam_jail_jails{profile="student"}')" "jails after the end"
assert_eq absent "$(value "pam_jail_jail_pids$(jl)")" "no per-jail series after the end"
assert_eq 1 "$(value pam_jail_ended_jails_total)" "ended jails"
ended=$(value 'pam_jail_ended_jails_limit_events_total{event="pids.max"}')
[ "$ended" -ge "$hits" ] || fail "ended jails' pids.max events: $ended, the jail had $hits"
ok "the ended jail's $ended refused forks are counted since boot"

# ---- refused sessions: by reason, with the time of the last one ----
t0=$(date +%s)
je_session "$other" -- true >"$je/r.out" 2>&1 && fail "a user no rule names got a session"
je_wait_log "session refused: user=$other" || fail "no refusal logged"
metrics
assert_eq 1 "$(value 'pam_jail_refused_sessions_total{reason="unmatched"}')" "refused: unmatched"
assert_eq 0 "$(value 'pam_jail_refused_sessions_total{reason="jail_failed"}')" "refused: jail_failed"
last=$(value 'pam_jail_last_refusal_timestamp_seconds{reason="unmatched"}')
[ "$last" != absent ] && [ "$last" -ge "$t0" ] && [ "$last" -le "$(date +%s)" ] ||
    fail "the last refusal's time: '$last' (the test refused at $t0)"
# the alert pam_jail(8) gives ("Forwarding the log") catches the line
re=$(sed -n 's/\\e/\\/g; /^pam_jail\\(.*session refused|jail policy changed/p' "$SRC/docs/pam_jail.8")
[ -n "$re" ] || fail "no alert expression in pam_jail(8)"
grep -E -- "$re" "$je_log" | grep -q "session refused: user=$other profile=-: " ||
    fail "pam_jail(8)'s alert expression '$re' misses: $(grep "$other" "$je_log")"
ok "a refused session: counted as unmatched at $last; pam_jail(8)'s alert expression matches its line"

# 20 refused at once: each counts (read-modify-write under the lock)
pids=()
for _ in $(seq 20); do
    je_session "$other" -- true >/dev/null 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
metrics
assert_eq 21 "$(value 'pam_jail_refused_sessions_total{reason="unmatched"}')" \
    "20 refusals at once, after 1"
ok "20 refusals at once count 20"

# a broken policy: counted as such, and the per-profile zeros are gone
cp "$je/etc/jail.conf" "$je/jail.conf.good"
printf 'version = 1;\nprofiles = { student = { tmp = { size = "lots"; }; }; };\n' >"$je/etc/jail.conf"
je_session "$je_user" -- true >/dev/null 2>&1 && fail "a session with a broken policy"
metrics
assert_eq 1 "$(value 'pam_jail_refused_sessions_total{reason="policy_invalid"}')" \
    "refused: policy_invalid"
assert_contains "$(cat "$je/m.series")" 'pam_jail_last_refusal_timestamp_seconds{reason="policy_invalid"}' \
    "the last refusal's reason"
cp "$je/jail.conf.good" "$je/etc/jail.conf"
ok "a broken policy's refusals are counted as policy_invalid"

# ---- a user can neither read, forge nor reset the counters ----
stats=$je/state/stats
[ "$(stat -c '%u %a' "$stats")" = "0 700" ] || fail "stats dir: $(stat -c '%u %a' "$stats")"
[ "$(stat -c '%u %a' "$stats/counters")" = "0 600" ] || fail "counters: $(stat -c '%u %a' "$stats/counters")"
chmod 0755 "$je/state" # even with the state dir opened up, stats/ stays shut
as_user() { setpriv --reuid="$je_uid" --regid="$je_uid" --clear-groups "$@"; }
as_user cat "$stats/counters" 2>/dev/null && fail "the user read the counters"
as_user sh -c "echo 'refused.unmatched 0' >'$stats/counters'" 2>/dev/null &&
    fail "the user wrote the counters"
as_user rm -rf "$stats" 2>/dev/null
[ -f "$stats/counters" ] || fail "the user removed the counters"
chmod 0700 "$je/state"
as_user "$BUILD/jailctl" metrics --statedir "$je/state" >/dev/null 2>&1 &&
    fail "jailctl metrics ran for a user"
metrics
assert_eq 21 "$(value 'pam_jail_refused_sessions_total{reason="unmatched"}')" "after the user's tries"
# a counters file that is not root's own (as if planted): refused by the
# reader and the module alike, never trusted or silently replaced
chown "$je_uid" "$stats/counters"
out=$("$BUILD/jailctl" metrics --statedir "$je/state" 2>&1) && fail "metrics trusted a user's counters file"
assert_contains "$out" "stats/counters must be root's own file" "metrics: why"
je_session "$other" -- true >/dev/null 2>&1
assert_eq "$je_uid" "$(stat -c %u "$stats/counters")" "the module replaced a planted counters file"
chown 0 "$stats/counters"
metrics
assert_eq 21 "$(value 'pam_jail_refused_sessions_total{reason="unmatched"}')" \
    "a refusal while the file was not root's was not counted into it"
ok "the counters are root's alone: not readable, writable or removable by a user; a planted file is refused"
