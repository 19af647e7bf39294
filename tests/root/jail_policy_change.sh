#!/bin/bash
# A changed policy applies at the next login (issue 16, part 2): a login
# whose resolved policy is not the one a live jail was built from is never
# joined to it; it is refused with a log line naming `jailctl stop`, the
# kept jail is left as it is (its sessions count stays 0, so its idle limit
# still ends it), and once it has ended the next login gets a jail of the
# new policy. A comment above a rule (which moves `matched_rule`) changes
# nothing; another user name with the same uid never joins.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_service
key=u$je_uid

mkfifo "$je/hold"
exec 7<>"$je/hold"
hold='grep "^id=" /run/pam_jail/jail; hostname; echo READY; read -r _'
start_held() { # name [user]
    (exec "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "${2:-$je_user}" -- sh -c "$hold") \
        <"$je/hold" >"$je/$1.out" 2>"$je/$1.err" &
    eval "pid_$1=$!"
    for _ in $(seq 100); do grep -q READY "$je/$1.out" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$je/$1.out" || { cat "$je/$1.err"; fail "session $1 did not come up"; }
}
end_held() { # name
    echo go >&7
    eval "wait \$pid_$1"
}
jail_id() { sed -n 's/^id=//p' "$je/$1.out"; }
control() { # key request
    python3 - "$je/state/jails/$1/control" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(sys.argv[2].encode())
print(s.recv(4096).decode())
PY
}
# A kept jail (long idle limit: only a STOP or the test ends it).
keep='lifetime = { mode = "keep"; idle = "10m"; };'
# The same, with another hostname: another jail.
exam_policy() {
    je_default_policy "$keep"
    sed -i 's/hostname = "jail-%u"/hostname = "exam-%u"/' "$je/etc/jail.conf"
    grep -q exam- "$je/etc/jail.conf" || fail "could not change the policy"
}

je_default_policy "$keep"
start_held a
je_track "$key"
end_held a
status=$(control "$key" STATUS)
assert_contains "$status" "sessions=0" "the jail is kept with no session"
digest=$(sed -n 's/.* policy=\([0-9a-f]*\).*/\1/p' <<<"$status")
assert_eq 64 "${#digest}" "STATUS names the policy digest: $status"

# ---- the same policy, a comment above the rule: joined ----
je_default_policy "$keep
# an admin's note: moves the rule down a line"
start_held b
assert_eq "$(jail_id a)" "$(jail_id b)" "an unchanged policy joins the kept jail"
end_held b
ok "the same policy (rule moved by a comment) joins the kept jail"

# ---- another profile: refused, the kept jail untouched ----
exam_policy
: >"$je_log"
rc=0
je_session "$je_user" -- true >"$je/c.out" 2>&1 || rc=$?
assert_ne 0 "$rc" "a login under a changed policy was not refused"
je_wait_log "jail policy changed: user=$je_user" || fail "no 'jail policy changed' line"
line=$(grep -F "jail policy changed: user=$je_user" "$je_log")
assert_contains "$line" "old=${digest:0:8} " "the line names the jail's digest: $line"
assert_contains "$line" "action=refused" "the line names the action: $line"
assert_contains "$line" "jailctl stop $je_user" "the line says how to end the jail: $line"
assert_contains "$line" "id=$(jail_id a)" "the line names the jail: $line"
assert_contains "$(control "$key" STATUS)" "sessions=0" "a refused login counted no session"
assert_contains "$(control "$key" STATUS)" "id=$(jail_id a)" "the kept jail is still there"
ok "a changed policy is refused while the old jail lives, with a log line"

# ---- the keeper itself refuses a JOIN with another digest ----
assert_contains "$(control "$key" "JOIN policy=0000")" "ERR POLICY policy=$digest" \
    "a JOIN with another digest"
assert_contains "$(control "$key" JOIN)" "ERR POLICY" "a JOIN without a digest"
assert_contains "$(control "$key" STATUS)" "sessions=0" "refused JOINs counted no session"
ok "the keeper refuses a JOIN for another policy, and counts nothing"

# ---- another user name with the same uid: refused ----
twin=$(uniq_name t)
make_user "$twin" -o -u "$je_uid" -G "$je_group" || fail "useradd (same uid)"
je_default_policy "$keep"
: >"$je_log"
rc=0
je_session "$twin" -- true >"$je/t.out" 2>&1 || rc=$?
assert_ne 0 "$rc" "another user name with the same uid was not refused"
je_wait_log "jail policy changed: user=$twin" || fail "no 'jail policy changed' line for the twin"
ok "a reused uid with another name never joins the jail"

# ---- once the old jail is stopped, the new policy applies ----
exam_policy
assert_eq "OK stopped" "$(control "$key" STOP)" "STOP"
start_held d
je_track "$key"
assert_ne "$(jail_id a)" "$(jail_id d)" "a new jail after the old one ended"
assert_eq "exam-$je_user" "$(sed -n 2p "$je/d.out")" "the new jail has the new policy's hostname"
assert_contains "$(control "$key" STATUS)" "sessions=1" "the new jail counts the session"
end_held d
assert_eq "OK stopped" "$(control "$key" STOP)" "STOP"
je_wait_gone 10 || fail "jails left"
ok "after jailctl stop, the next login gets a jail of the new policy"
