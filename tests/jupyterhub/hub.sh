#!/bin/bash
# A real JupyterHub (Debian 12's jupyterhub 3.0, python3-notebook) whose
# servers start through contrib/jupyterhub's JailSpawner (jailctl spawn):
#   - a student's server starts; code run in its kernel sees the same jail
#     (hostname, mount namespace, /tmp, no_new_privs, seccomp, capability
#     bounding set, rlimits) as a PAM login of the student (pj_session, the
#     way sshd opens it);
#   - a student's kernel cannot read another student's files (their real
#     home, their jail's /tmp);
#   - stopping the server from the hub ends its session, and the jail with
#     it when that was the last one;
#   - a user the policy refuses gets a failed spawn, with pam_jail's reason
#     in the hub's log.
# Everything in a network namespace of the test's own (the hub on its
# 127.0.0.1, the jails' bridge) and a private mount namespace (the test's
# /etc/pam.d and /home); the hub is driven through its REST API with a token.
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
. "$TESTS/jupyterhub/lib-hub.sh"
hub_setup

# ---- a login of student 1 holds the jail, marks its /tmp ----
mkfifo "$je/login.hold"
exec 7<>"$je/login.hold"
je_session -U "$je_user" -- sh -c 'echo from-login >/tmp/login-mark
    echo "READY host=$(hostname) mnt=$(readlink /proc/self/ns/mnt)" \
        "$(grep -E "^(NoNewPrivs|Seccomp|CapBnd):" /proc/self/status | tr -d "\t" | tr ":" "=" | tr "\n" " ")" \
        "nproc=$(grep "Max processes" /proc/self/limits | tr -s " " | cut -d" " -f3)"
    read -r _' <"$je/login.hold" >"$je/login.out" 2>"$je/login.err" &
login=$!
for _ in $(seq 300); do grep -q READY "$je/login.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/login.out" || { cat "$je/login.err"; fail "the login did not come up"; }
je_track "u$je_uid"
login_view=$(sed 's/^READY //' "$je/login.out")
ok "login of $je_user: $login_view"

# ---- student 1's server, in that jail ----
out=$(hub start "$je_user" 240)
[ "$out" = ready ] || { hub_log_tail; fail "start $je_user's server: $out"; }
ok "the hub started $je_user's server"

kernel_code="import os, socket
st = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)
lim = [l for l in open('/proc/self/limits') if l.startswith('Max processes')][0].split()
print('host=%s mnt=%s CapBnd=%s NoNewPrivs=%s Seccomp=%s nproc=%s' % (socket.gethostname(),
    os.readlink('/proc/self/ns/mnt'), st['CapBnd'].strip(), st['NoNewPrivs'].strip(),
    st['Seccomp'].strip(), lim[2]))
print('user=%s uid=%d' % (os.environ.get('USER'), os.getuid()))
print('tmp=' + (open('/tmp/login-mark').read().strip() if os.path.exists('/tmp/login-mark') else 'none'))
try:
    open('/home/$u2/secret').read(); print('other-home=READ')
except OSError as e:
    print('other-home=' + type(e).__name__)
print('other-tmp=%s' % os.path.exists('/tmp/u2-mark'))
print('jailed-env=%s' % ('JUPYTERHUB_API_TOKEN' in os.environ))
"
out=$(hub run "$je_user" "$kernel_code" 120)
echo "$out"
k_view=$(sed -n 's/^host=/host=/p' <<<"$out")
# the login's line has the same fields in the same order
assert_eq "$(tr -s ' ' <<<"$login_view" | sed 's/ $//')" "$k_view" \
    "the kernel's jail (hostname, mount ns, no_new_privs, seccomp, bounding set, nproc)"
assert_contains "$out" "user=$je_user uid=$je_uid" "the kernel runs as the student"
assert_contains "$out" "tmp=from-login" "the kernel sees the login's /tmp"
assert_contains "$out" "jailed-env=True" "the server got the hub's variables"
assert_contains "$k_view" "host=jail-$je_user" "the jail's hostname"
ok "the kernel runs in the login's jail: $k_view"

# ---- another student's files ----
[ "$(cat "/home/$u2/secret")" = secret-of-u2 ] || fail "control: the host cannot read $u2's file"
assert_contains "$out" "other-home=FileNotFoundError" "student 1's kernel and student 2's home"
out2=$(hub start "$u2" 240)
[ "$out2" = ready ] || { hub_log_tail; fail "start $u2's server: $out2"; }
je_track "u$(id -u "$u2")"
out2=$(hub run "$u2" "open('/tmp/u2-mark', 'w').write('x'); import os, socket
print(socket.gethostname(), os.environ['SHELL'], os.path.exists('/run/pam_jail/jail'), os.path.exists('/tmp/u2-mark'))" 120)
# student 2's login shell is jailsh: the server went through it (SHELL is
# the profile's shell, the marker jailsh proved is there); the mark it left
# in its /tmp is the file student 1 must not see
assert_eq "jail-$u2 /bin/bash True True" "$out2" "student 2's kernel runs in student 2's jail, via jailsh"
out=$(hub run "$je_user" "$kernel_code" 120)
assert_contains "$out" "other-tmp=False" "student 1 sees student 2's /tmp"
ok "a student's kernel cannot read another student's home or /tmp"

# ---- stopping the server ends its session (and the jail, once the login is gone) ----
echo >&7
wait "$login"
: >"$je/stop-mark"
out=$(hub stop "$je_user" 120)
[ "$out" = stopped ] || { hub_log_tail; fail "stop $je_user's server: $out"; }
je_wait_log "session closed: user=$je_user" 30 || fail "no 'session closed' line for $je_user's server"
for _ in $(seq 300); do [ -e "$je/state/jails/u$je_uid" ] || break; sleep 0.1; done
[ -e "$je/state/jails/u$je_uid" ] && fail "$je_user's jail outlived its last session (the server)"
ok "stopping the server from the hub closed its session; the jail ended"
out=$(hub stop "$u2" 120)
[ "$out" = stopped ] || fail "stop $u2's server: $out"

# ---- a refused user ----
out=$(hub adduser "$refused")
[ "$out" = ok ] || fail "add $refused to the hub: $out"
out=$(hub start "$refused" 120)
assert_contains "$out" "failed" "the refused user's spawn"
for _ in $(seq 100); do grep -q "session refused: user=$refused" "$hub_log" && break; sleep 0.1; done
grep "session refused: user=$refused" "$hub_log" | head -1 ||
    { hub_log_tail; fail "no refusal reason in the hub's log"; }
assert_contains "$(cat "$hub_log")" "no rule names this user and the policy refuses unmatched users" \
    "pam_jail's reason in the hub's log"
assert_eq "" "$(ls "$je/state/jails" | grep "^u$(id -u "$refused")" || true)" "a refused user's jail"
ok "a refused user: the spawn failed, the reason is in the hub's log"
