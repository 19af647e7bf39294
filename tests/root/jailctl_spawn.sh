#!/bin/bash
# jailctl spawn USER -- CMD: a root daemon's way into USER's jail.
#   - the command runs as the user in the same jail as a PAM login of the
#     user (pj_session, as sshd would): same mount namespace, hostname, /tmp;
#   - the holder is one session in `jailctl list`, and the jail ends with
#     it when it was the last one; its log lines are pam_jail's usual ones;
#   - the command's exit status comes back, 128+N when killed by signal N;
#   - SIGTERM/SIGINT/SIGHUP sent to the holder reach the command;
#   - a holder killed with SIGKILL takes the command with it (the jail,
#     still held by the other login, goes on);
#   - a refused user: exit 1, pam_jail's reason on stderr, nothing ran;
#   - nothing of the caller reaches the command: no environment variable
#     but those named with --env, no fd above 2.
# The PAM service is a file of the test's, in a directory bound over
# /etc/pam.d in the test's private mount namespace only.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_default_policy
je_service
ctl() { "$BUILD/jailctl" "$1" --statedir "$je/state" "${@:2}"; }
# jailsh where the host (which execs it) and the jails both see it, before
# the first jail copies this namespace's mounts.
mount -t tmpfs -o mode=0755 pj-srv /srv || fail "tmpfs on /srv"
install -m 0755 "$BUILD/jailsh" /srv/jailsh || fail "install jailsh"

# The spawn service: like contrib/pam.d/jailctl-spawn, with the test's files.
spawn_svc=$(uniq_name p)
cat >"$je/pam/$spawn_svc" <<EOF
auth     required pam_permit.so
account  required pam_permit.so
session  required $BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state report_reason
EOF
cat "$je/pam/other" >/dev/null
mount --bind "$je/pam" /etc/pam.d || fail "bind the test's pam.d over /etc/pam.d"
spawn_cmd=("$BUILD/jailctl" spawn --service "$spawn_svc")
spawn() { "${spawn_cmd[@]}" "$@"; }
# In the background, the program itself (not a subshell running `spawn`):
# the tests signal its PID.

# The user must be able to reach the programs it runs (the checkout may be
# under a directory only root can enter): everything below runs /bin tools.

# ---- usage errors ----
out=$(spawn "$je_user" /bin/true 2>&1); rc=$?
assert_eq 2 "$rc" "no -- is a usage error"
out=$(spawn "$je_user" -- true 2>&1); rc=$?
assert_eq 2 "$rc" "a relative command is a usage error"
assert_contains "$out" "absolute path" "relative command: message"
out=$(spawn --env 'A=b' "$je_user" -- /bin/true 2>&1); rc=$?
assert_eq 2 "$rc" "--env NAME=VALUE is a usage error"
out=$(spawn --env HOME "$je_user" -- /bin/true 2>&1); rc=$?
assert_eq 2 "$rc" "--env HOME is a usage error"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/jailctl" spawn "$je_user" -- /bin/true 2>&1) &&
    fail "spawn as nobody succeeded"
assert_contains "$out" "only root" "non-root refused"
ok "usage errors and non-root are refused"

# ---- the same jail as a login of the user ----
mkfifo "$je/hold"
exec 7<>"$je/hold"
je_session -U "$je_user" -- sh -c 'echo from-login >/tmp/login-mark
    echo "READY $(hostname) $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/uts) $(readlink /proc/self/ns/net)"
    read -r _' <"$je/hold" >"$je/s.out" 2>"$je/s.err" &
login=$!
for _ in $(seq 300); do grep -q READY "$je/s.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/s.out" || { cat "$je/s.err"; fail "the login did not come up"; }
key=u$je_uid
je_track "$key"
init=$(je_info "$key" init)
read -r _ l_host l_mnt l_uts l_net <"$je/s.out"

out=$(spawn "$je_user" -- /bin/sh -c 'echo "$(id -un) $(hostname) $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/uts) $(readlink /proc/self/ns/net) $(cat /tmp/login-mark) $(ps -o pid= -p 1 | tr -d " ") $PWD"' 2>"$je/err") ||
    fail "spawn: $(cat "$je/err")"
read -r s_user s_host s_mnt s_uts s_net s_mark s_pid1 s_pwd <<<"$out"
assert_eq "$je_user" "$s_user" "spawn runs as the user"
assert_eq "jail-$je_user" "$s_host" "spawn: the jail's hostname"
assert_eq "$l_host" "$s_host" "spawn: the login's hostname"
assert_eq "$l_mnt" "$s_mnt" "spawn: the login's mount namespace"
assert_eq "$l_uts" "$s_uts" "spawn: the login's UTS namespace"
assert_eq "$l_net" "$s_net" "spawn: the login's network namespace"
assert_ne "$(readlink /proc/self/ns/mnt)" "$s_mnt" "spawn: not the host's mount namespace"
assert_eq from-login "$s_mark" "spawn sees the login's /tmp"
assert_eq 1 "$s_pid1" "spawn: the jail's PID namespace (PID 1 is the jail's init)"
assert_eq "/home/$je_user" "$s_pwd" "spawn starts in the home"
[ "$(je_jails)" = "$key" ] || fail "spawn made another jail: $(je_jails)"
ok "spawn runs in the login's jail: $s_host $s_mnt, /tmp shared"

# ---- one session while it runs; counted out after ----
mkfifo "$je/hold2"
exec 6<>"$je/hold2"
"${spawn_cmd[@]}" "$je_user" -- /bin/sh -c 'echo READY; read -r _' <"$je/hold2" >"$je/h.out" 2>"$je/h.err" &
holder=$!
for _ in $(seq 300); do grep -q READY "$je/h.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/h.out" || { cat "$je/h.err"; fail "the spawned command did not come up"; }
line=$(ctl list | grep " $key\$")
read -r _ _ n_sessions _ <<<"$line"
assert_eq 2 "$n_sessions" "the login and the spawn are two sessions"
echo >&6
wait "$holder"; rc=$?
assert_eq 0 "$rc" "the held command ended"
for _ in $(seq 100); do
    read -r _ _ n_sessions _ <<<"$(ctl list | grep " $key\$")"
    [ "$n_sessions" = 1 ] && break; sleep 0.1
done
assert_eq 1 "$n_sessions" "the spawn's session is closed when the command ends"
je_wait_log "session closed: user=$je_user" || fail "no 'session closed' log line: $(cat "$je_log")"
ok "the holder is one session, closed when the command ends"

# ---- exit status ----
spawn "$je_user" -- /bin/sh -c 'exit 7' 2>/dev/null
assert_eq 7 $? "the command's exit status"
spawn "$je_user" -- /bin/sh -c 'kill -USR1 $$' 2>/dev/null
assert_eq $((128 + 10)) $? "killed by SIGUSR1: 128+10"
spawn "$je_user" -- /nonexistent/cmd 2>"$je/err"
assert_eq 127 $? "a command that does not exist: the shell's 127"
ok "exit status: the command's, 128+N when killed"

# ---- signals are passed on ----
for sig in TERM INT HUP; do
    : >"$je/sig.out"
    "${spawn_cmd[@]}" "$je_user" -- /bin/bash -c "trap 'echo got-$sig; exit 3' $sig; echo READY; while :; do sleep 0.1; done" \
        >"$je/sig.out" 2>"$je/err" &
    holder=$!
    for _ in $(seq 300); do grep -q READY "$je/sig.out" && break; sleep 0.1; done
    grep -q READY "$je/sig.out" || fail "SIG$sig: the command did not come up: $(cat "$je/err")"
    kill -"$sig" "$holder"
    wait "$holder"; rc=$?
    assert_eq 3 "$rc" "SIG$sig: the command's trap ran and its status came back"
    assert_contains "$(cat "$je/sig.out")" "got-$sig" "SIG$sig reached the command"
done
"${spawn_cmd[@]}" "$je_user" -- /bin/sleep 600 2>/dev/null &
holder=$!
for _ in $(seq 300); do pgrep -u "$je_user" -x sleep >/dev/null && break; sleep 0.1; done
kill -TERM "$holder"
wait "$holder"; rc=$?
assert_eq $((128 + 15)) "$rc" "a command killed by the forwarded SIGTERM: 143"
ok "SIGTERM, SIGINT, SIGHUP reach the command"

# ---- a killed holder takes the command with it ----
"${spawn_cmd[@]}" "$je_user" -- /bin/sh -c 'echo READY $$; exec sleep 600' >"$je/k.out" 2>/dev/null &
holder=$!
for _ in $(seq 300); do grep -q READY "$je/k.out" && break; sleep 0.1; done
cmdpid=$(pgrep -u "$je_user" -x sleep | head -1)
[ -n "$cmdpid" ] || fail "the command of the holder to kill is not running"
kill -KILL "$holder"
wait "$holder" 2>/dev/null
for _ in $(seq 100); do je_dead "$cmdpid" && break; sleep 0.1; done
je_dead "$cmdpid" || fail "the command outlived its SIGKILLed holder"
je_dead "$init" && fail "the jail ended although the login still holds it"
ok "the command does not outlive a SIGKILLed holder; the jail goes on"

# ---- nothing of the caller leaks in ----
exec 9<"$je/etc/jail.conf"
out=$(PJ_SECRET=hunter2 PJ_KEEP=kept LD_PRELOAD= spawn --env PJ_KEEP --env PJ_UNSET "$je_user" -- \
    /usr/bin/env 2>"$je/err") || fail "spawn env: $(cat "$je/err")"
assert_not_contains "$out" "PJ_SECRET" "the caller's environment leaked"
assert_not_contains "$out" "LD_PRELOAD" "the caller's LD_PRELOAD leaked"
assert_not_contains "$out" "PJ_UNSET" "an unset --env variable appeared"
assert_contains "$out" "PJ_KEEP=kept" "--env NAME is passed"
assert_contains "$out" "HOME=/home/$je_user" "HOME"
assert_contains "$out" "USER=$je_user" "USER"
assert_contains "$out" "LOGNAME=$je_user" "LOGNAME"
assert_contains "$out" "JAIL_PROFILE=student" "the module's variables"
# the fds of the command (the shell), listed by a child of it
fds=$(spawn "$je_user" -- /bin/sh -c 'ls /proc/$$/fd | tr "\n" " "' 2>"$je/err")
fds=${fds% }
assert_eq "0 1 2" "$fds" "only fds 0-2 reach the command (fd 9 was open in the caller)"
exec 9<&-
ok "no caller environment (but --env) and no fd above 2 reach the command"

# ---- --ready-fd ----
out=$(spawn --ready-fd 8 "$je_user" -- /bin/sh -c 'ls /proc/self/fd/8 2>&1 >/dev/null; exit 0' 8>"$je/ready")
assert_contains "$(cat "$je/ready")" "jail=$(je_info "$key" id) profile=student network=jail address4=" \
    "--ready-fd reports the jail"
assert_contains "$out" "No such file" "the ready fd is closed before the command"
ok "--ready-fd: $(cat "$je/ready")"

# ---- through jailsh, when that is the user's login shell (as sshd does) ----
usermod -s /srv/jailsh "$je_user" || fail "usermod -s"
out=$(PJ_SECRET=hunter2 PJ_KEEP=kept spawn --env PJ_KEEP "$je_user" -- /usr/bin/env 2>"$je/err") ||
    fail "spawn through jailsh: $(cat "$je/err")"
assert_contains "$out" "SHELL=/bin/bash" "jailsh ran (SHELL is the profile's shell)"
assert_contains "$out" "PJ_KEEP=kept" "--env NAME gets through jailsh"
assert_not_contains "$out" "PJ_SECRET" "through jailsh: the caller's environment leaked"
assert_not_contains "$out" "JAILSH_KEEP_ENV" "jailsh's own request variable reached the command"
spawn "$je_user" -- /bin/sh -c 'exit 5' 2>/dev/null
assert_eq 5 $? "through jailsh: the command's exit status"
usermod -s /bin/sh "$je_user" || fail "usermod -s /bin/sh"
ok "through jailsh as the login shell: --env variables pass, nothing else"

echo >&7
wait "$login"

# ---- the last session: the jail ends with the spawn ----
spawn "$je_user" -- /bin/true || fail "spawn alone"
for k in $(je_jails); do je_track "$k"; done
je_wait_gone 15 || fail "the jail outlived its only session (the spawn)"
ok "a spawn that was the jail's only session ends it"

# ---- a refused user: the reason, and nothing runs ----
refused=$(uniq_name r)
make_user "$refused" || fail "useradd $refused"
je_policy "version = 1;
settings = { unmatched = \"deny\"; };
profiles = { student = {
$(je_default_profile)
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
: >"$je_log"
spawn "$refused" -- /bin/sh -c 'echo RAN; touch /run/pj-spawn-ran' >"$je/out" 2>"$je/err"; rc=$?
assert_eq 1 "$rc" "a refused session: exit 1"
assert_contains "$(cat "$je/err")" "no rule names this user and the policy refuses unmatched users" \
    "the refusal's reason on stderr"
assert_contains "$(cat "$je/err")" "nothing was started" "stderr says nothing started"
assert_not_contains "$(cat "$je/out")" RAN "the refused command ran"
[ -e /run/pj-spawn-ran ] && { rm -f /run/pj-spawn-ran; fail "the refused command ran"; }
je_wait_log "session refused: user=$refused" || fail "no refusal log line: $(cat "$je_log")"
assert_eq "" "$(je_jails)" "a refusal left a registry entry"
ok "a refused user: exit 1, '$(grep -o 'pam_jail: .*' "$je/err" | head -1)'"

# ---- without report_reason the module tells the application nothing ----
# (sshd, su and login would show the reason to the user; only jailctl-spawn's
# stanza asks for it)
quiet_svc=$(uniq_name q)
sed 's/ report_reason$//' "$je/pam/$spawn_svc" >"$je/pam/$quiet_svc"
"$BUILD/jailctl" spawn --service "$quiet_svc" "$refused" -- /bin/true 2>"$je/err"; rc=$?
assert_eq 1 "$rc" "refused, service without report_reason: exit 1"
assert_not_contains "$(cat "$je/err")" "pam_jail:" "the reason reached the application without report_reason"
assert_contains "$(cat "$je/err")" "nothing was started" "still says that nothing started"
ok "without report_reason the reason stays in the log"
