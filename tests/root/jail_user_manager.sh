#!/bin/bash
# systemd --user and XDG_RUNTIME_DIR for jailed users (docs/pam_jail.8,
# USER MANAGER):
#  - the PAM service "systemd-user" (user@UID.service's) is refused for a
#    jailed user with one log line, before any jail is built; a user no rule
#    names is not refused under it, and any other service name is jailed;
#  - the jail has its own /run/user/UID: the user's, 0700, empty, the only
#    entry of /run/user, shared by the jail's sessions, not the host's;
#  - jailctl user-manager (user@.service's ExecCondition=) answers "skip"
#    (1) only for users the policy jails or refuses, 0 otherwise and when
#    it cannot tell.
# The guest's real user@.service is checked by tests/vm/checks/40-logind.sh.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_default_policy

assert_no_jail() { # what
    local f
    assert_eq "" "$(je_jails)" "$1: registry entry left"
    for f in /proc/[0-9]*/fd/*; do
        case $(readlink "$f" 2>/dev/null) in
        "$je/state"*) fail "$1: process ${f#/proc/} still holds $(readlink "$f")" ;;
        esac
    done
}

# The user manager's PAM service, in the test's private confdir: the same
# module line as every other service (what pam-auth-update's profile gives
# it through common-session-noninteractive), pam_permit for the unjailed.
usermgr_service() {
    printf '%s\n' "session required $BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state" \
        "session required pam_permit.so" >"$je/pam/systemd-user"
}
usermgr_service

# ---- the jailed user's user manager: refused, one line, nothing built ----
: >"$je_log"
"$BUILD/tests/bin/pj_session" -c "$je/pam" -s systemd-user "$je_user" -- sh -c 'echo RAN' \
    >"$je/out" 2>"$je/err"
assert_eq 10 "$?" "systemd-user for a jailed user: pam_open_session must fail"
assert_contains "$(cat "$je/err")" "Cannot make/remove an entry for the specified session" \
    "systemd-user: PAM_SESSION_ERR"
assert_not_contains "$(cat "$je/out")" RAN "systemd-user: the command ran"
text="pam_jail(systemd-user:session): session refused: user=$je_user profile=student: systemd --user is not run for jailed users"
je_wait_log "$text" 3 || fail "systemd-user: no line '$text' in: $(cat "$je_log")"
assert_eq 1 "$(grep -c 'pam_jail' "$je_log")" "systemd-user: one log line"
assert_no_jail "systemd-user"
ok "systemd-user is refused for a jailed user: $(grep -o 'pam_jail.*' "$je_log")"

# ---- a user no rule names: their user manager is none of our business ----
free=$(uniq_name f)
make_user "$free" || fail "useradd $free"
: >"$je_log"
out=$("$BUILD/tests/bin/pj_session" -c "$je/pam" -s systemd-user "$free" -- \
    sh -c 'test -e /run/pam_jail/jail || echo NOT_JAILED' 2>&1) ||
    fail "systemd-user for an unjailed user failed: $out"
assert_eq NOT_JAILED "$out" "systemd-user for an unjailed user"
assert_not_contains "$(cat "$je_log")" "session refused" "systemd-user for an unjailed user"
assert_no_jail "systemd-user, unjailed user"
ok "systemd-user is not refused for a user no rule names"

# ---- /run/user/UID in the jail ----
je_service
mkfifo "$je/hold"
exec 7<>"$je/hold"
on_exit "exec 7>&-"
inside='
echo "rt=$(stat -c "%U %G %a" /run/user/$(id -u)) fs=$(stat -f -c %T /run/user/$(id -u))"
echo "parent=$(stat -c "%U %a" /run/user) entries=$(ls -A /run/user | tr "\n" " ")"
echo "empty=$(ls -A /run/user/$(id -u) | wc -l)"
echo hello >/run/user/$(id -u)/pj-note && echo "writable"
mkdir /run/user/0 2>/dev/null && echo "MADE_OTHER"
echo READY
read -r _
'
je_session -U "$je_user" -- sh -c "$inside" <&7 >"$je/out" 2>"$je/err" &
drv=$!
for _ in $(seq 100); do grep -q READY "$je/out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/out" || { cat "$je/out" "$je/err" "$je_log"; fail "the session did not come up"; }
cat "$je/out"
key=u$je_uid
je_track "$key"
out=$(cat "$je/out")
assert_contains "$out" "rt=$je_user $(id -gn "$je_user") 700 fs=tmpfs" "/run/user/UID: owner, group, mode"
assert_contains "$out" "parent=root 755 entries=$je_uid " "/run/user: root's, only this user's entry"
assert_contains "$out" "empty=0" "/run/user/UID starts empty"
assert_contains "$out" "writable" "/run/user/UID is writable by the user"
assert_not_contains "$out" "MADE_OTHER" "the user cannot add to /run/user"
[ -e "/run/user/$je_uid/pj-note" ] && fail "the jail's runtime dir is the host's"

# A second session of the same user: the same jail, the same runtime dir.
out2=$(je_session -U "$je_user" -- sh -c 'cat /run/user/$(id -u)/pj-note' 2>&1)
assert_eq hello "$out2" "a second session sees the first one's runtime dir"
assert_eq 1 "$(je_jails | wc -l)" "one jail for both sessions"

# The user manager's service is refused even while the jail runs, and
# leaves the running jail alone.
: >"$je_log"
"$BUILD/tests/bin/pj_session" -c "$je/pam" -s systemd-user "$je_user" -- true >/dev/null 2>&1
assert_eq 10 "$?" "systemd-user while the jail runs"
je_wait_log "$text" 3 || fail "systemd-user while the jail runs: $(cat "$je_log")"
echo go >&7
wait "$drv"
assert_eq 0 "$?" "driver exit status"
je_wait_gone 10 || fail "the jail did not end after its last session"
ok "/run/user/UID: the user's 0700 tmpfs dir, alone in /run/user, shared by the jail's sessions, not the host's"

# ---- jailctl user-manager: user@.service's ExecCondition= ----
# (contrib/systemd/user@.service.d/pam-jail.conf): exit 1 "skip" only when
# the policy jails or refuses the user; 0 otherwise, and 0 with a reason
# when it cannot tell, so PAM (above) decides.
usermgr() { # expected-rc expected-output what args...
    local want_rc=$1 want=$2 what=$3 out rc
    shift 3
    out=$("$BUILD/jailctl" user-manager --config "$je/etc/jail.conf" "$@" 2>&1)
    rc=$?
    assert_eq "$want_rc" "$rc" "jailctl user-manager: $what: exit status ($out)"
    assert_contains "$out" "$want" "jailctl user-manager: $what"
}
usermgr 1 "user=$je_user profile=student: jailed, so no systemd --user" "a jailed user" "$je_user"
usermgr 1 "user=$je_user profile=student: jailed" "a jailed user's UID (user@UID's %i)" "$je_uid"
usermgr 0 "user=$free: not jailed; systemd --user may run" "a user no rule names" "$free"
usermgr 0 "user=$free: not jailed" "that user's UID" "$(id -u "$free")"
usermgr 0 "no user 'pj-no-such-user'; pam_jail decides at login" "an unknown user" pj-no-such-user
usermgr 0 "no user '4000000000'; pam_jail decides at login" "an unknown UID" 4000000000
cp "$je/etc/jail.conf" "$je/good.conf"
je_policy "version = 1; profiles = { student = { no_such_key = 1; }; };"
usermgr 0 "user=$je_user: the policy is not valid; pam_jail decides at login" \
    "an invalid policy (PAM refuses then)" "$je_user"
je_policy "version = 1;
settings = { unmatched = \"deny\"; };
$(sed -n '/^profiles/,$p' "$je/good.conf")"
usermgr 1 "user=$free: no rule names this user and the policy refuses unmatched users" \
    "unmatched = deny" "$free"
usermgr 1 "user=$je_user profile=student: jailed" "a jailed user under unmatched = deny" "$je_user"
"$BUILD/jailctl" user-manager --config "$je/etc/jail.conf" >/dev/null 2>&1
assert_eq 2 "$?" "jailctl user-manager without a user: usage"
ok "jailctl user-manager: 1 for jailed/refused users, 0 for others and when it cannot tell"
