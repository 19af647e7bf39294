#!/bin/bash
# The contrib/prometheus recipe against Debian's prometheus-node-exporter:
# after a jailed login (held open) and a refused one, `jailctl metrics
# --output` writes into a textfile directory of the test's, a node exporter
# started by the test (127.0.0.1, a port of its own, textfile collector
# only, as nobody: the file's mode must let it read) serves pam_jail's
# series with the right values at /metrics, and its textfile collector
# reports no error. The host's own node exporter service, if any, is never
# touched.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
exporter=$(command -v prometheus-node-exporter) || skip "needs prometheus-node-exporter (make deps)"
need_cmd curl
need_cmd setpriv
je_setup "$@"
je_policy "version = 1;
settings = { unmatched = \"deny\"; };
profiles = { student = {
$(je_default_profile)
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
je_service
other=$(uniq_name o)
make_user "$other" || fail "useradd $other"
textdir=$je/textfile
mkdir -m 0755 "$textdir"

# a jailed login, held open
mkfifo "$je/hold"
exec 7<>"$je/hold"
je_session -U "$je_user" -- sh -c 'echo READY; read -r _' <"$je/hold" >"$je/s.out" 2>"$je/s.err" &
session=$!
on_exit 'echo >&7; wait '"$session"
for _ in $(seq 300); do grep -q READY "$je/s.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/s.out" || { cat "$je/s.err"; fail "the session did not come up"; }
je_track "u$je_uid"
# a refused one
je_session "$other" -- true >/dev/null 2>&1 && fail "a user no rule names got a session"
je_wait_log "session refused: user=$other" || fail "no refusal logged"

"$BUILD/jailctl" metrics --statedir "$je/state" --config "$je/etc/jail.conf" \
    --output "$textdir/pam_jail.prom" || fail "jailctl metrics --output"
assert_eq 644 "$(stat -c %a "$textdir/pam_jail.prom")" "the textfile's mode"
[ -z "$(find "$textdir" -name 'pam_jail.prom.*')" ] || fail "a temporary file was left behind"

# The exporter on a free port of 127.0.0.1 (if another process takes the
# port in between, the next try gets another one).
up=
for _ in 1 2 3; do
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    setpriv --reuid=65534 --regid=65534 --clear-groups "$exporter" \
        --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
        --collector.textfile --collector.textfile.directory="$textdir" \
        >"$je/exporter.log" 2>&1 &
    exp_pid=$!
    on_exit kill "$exp_pid"
    for _ in $(seq 150); do
        curl -sf "http://127.0.0.1:$port/metrics" >"$je/scrape.txt" 2>/dev/null && { up=1; break; }
        kill -0 "$exp_pid" 2>/dev/null || break
        sleep 0.2
    done
    [ -n "$up" ] && break
    kill "$exp_pid" 2>/dev/null
done
[ -n "$up" ] || { cat "$je/exporter.log"; fail "the node exporter did not serve /metrics"; }
/usr/bin/python3 "$TESTS/fixtures/prom_text.py" "$je/scrape.txt" >"$je/scrape.series" ||
    fail "the exporter's /metrics is not valid exposition format"
value() { awk -v s="$1" '$1 == s { v = $2 } END { print (v == "" ? "absent" : v) }' "$je/scrape.series"; }

assert_eq 0 "$(value node_textfile_scrape_error)" "the textfile collector's error gauge"
assert_eq 1 "$(value 'pam_jail_jails{profile="student"}')" "served: jails of student"
assert_eq 1 "$(value 'pam_jail_sessions{profile="student"}')" "served: sessions of student"
assert_eq 1 "$(value 'pam_jail_refused_sessions_total{reason="unmatched"}')" "served: refused, unmatched"
assert_eq 0 "$(value 'pam_jail_refused_sessions_total{reason="jail_failed"}')" "served: refused, jail_failed"
last=$(value 'pam_jail_last_refusal_timestamp_seconds{reason="unmatched"}')
[ "$last" != absent ] || fail "served: no last refusal time"
grep -q '^# TYPE pam_jail_refused_sessions_total counter$' "$je/scrape.txt" ||
    fail "served: the counter's TYPE"
ok "the node exporter on 127.0.0.1:$port serves pam_jail's series: 1 jail, 1 session, 1 refusal (unmatched)"

# The next refresh replaces the file: the exporter serves the new values.
je_session "$other" -- true >/dev/null 2>&1
"$BUILD/jailctl" metrics --statedir "$je/state" --config "$je/etc/jail.conf" \
    --output "$textdir/pam_jail.prom" || fail "jailctl metrics --output, again"
curl -sf "http://127.0.0.1:$port/metrics" >"$je/scrape.txt" || fail "second scrape"
/usr/bin/python3 "$TESTS/fixtures/prom_text.py" "$je/scrape.txt" >"$je/scrape.series" ||
    fail "second scrape: not valid"
assert_eq 2 "$(value 'pam_jail_refused_sessions_total{reason="unmatched"}')" "served after a refresh"
ok "a refresh is served"
