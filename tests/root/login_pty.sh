#!/bin/bash
# Web terminals such as shellinabox run /bin/login on a pty for each visitor
# (shellinaboxd -s /:LOGIN). That is a login session: with pam_jail in the
# `login` stanza it lands in the user's jail, the same one a concurrent
# login of the user (pj_session, as sshd would) is in; without pam_jail in
# the stanza, the same login lands on the host (the control). The `login`
# service is a file of the test's, in a directory bound over /etc/pam.d in
# the test's private mount namespace; utmp, wtmp, btmp and lastlog are
# covered by files of the run there.
. "$TESTS/lib.sh"
need_cmd login
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_default_policy
je_service

for f in /run/utmp /var/log/wtmp /var/log/btmp /var/log/lastlog; do
    [ -f "$f" ] || continue
    : >"$je/$(basename "$f")"
    mount --bind "$je/$(basename "$f")" "$f" || fail "cover $f"
done
pamd=$je/pamd
mkdir -m 0755 "$pamd"
printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n' >"$pamd/other"
login_stack() { # [session line]
    printf 'auth required pam_permit.so\naccount required pam_permit.so\n%s\n' "$1" >"$pamd/login"
}
mount --bind "$pamd" /etc/pam.d || fail "bind the test's pam.d"
# The test's /dev (jail_env.bash) has the host's /dev/pts; a pty needs ptmx.
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx || fail "/dev/ptmx"

# `login -f USER` on a pty (what shellinabox does after its own password
# prompt, and what it would do with the prompt: the session is the same),
# one command line typed in, its output read back.
pty_login() {
    /usr/bin/python3 - "$je_user" <<'PY'
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv("/bin/login", ["login", "-f", sys.argv[1]])
cmd = b'echo "M1 $(hostname) $(readlink /proc/self/ns/mnt) $(id -un) $(cat /tmp/login-mark 2>/dev/null || echo none) M2"; exit\n'
out, sent, end = b"", False, time.monotonic() + 60
while time.monotonic() < end:
    r, _, _ = select.select([fd], [], [], 0.5)
    # typed at the shell's prompt: login flushes (vhangup) what comes earlier
    if not sent and out.rstrip().endswith((b"$", b"#")):
        os.write(fd, cmd); sent = True
    if r:
        try:
            b = os.read(fd, 4096)
        except OSError:
            break
        if not b:
            break
        out += b
_, status = os.waitpid(pid, 0)
for line in out.decode(errors="replace").splitlines():
    if line.startswith("M1 ") and line.rstrip().endswith(" M2"):
        print(line.strip())
print("STATUS", os.waitstatus_to_exitcode(status))
if not sent:
    print("NO PROMPT:", out.decode(errors="replace"))
PY
}

# ---- a login of the user holds the jail ----
mkfifo "$je/hold"
exec 7<>"$je/hold"
je_session -U "$je_user" -- sh -c 'echo from-ssh >/tmp/login-mark
    echo "READY $(hostname) $(readlink /proc/self/ns/mnt)"; read -r _' \
    <"$je/hold" >"$je/s.out" 2>"$je/s.err" &
held=$!
for _ in $(seq 300); do grep -q READY "$je/s.out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/s.out" || { cat "$je/s.err"; fail "the login did not come up"; }
je_track "u$je_uid"
read -r _ s_host s_mnt <"$je/s.out"

# ---- login(1) with pam_jail in its stanza: the same jail ----
login_stack "session required $BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state"
out=$(pty_login)
echo "$out"
assert_contains "$out" "M1 $s_host $s_mnt $je_user from-ssh M2" "login on a pty: the user's jail (hostname, mount ns, /tmp)"
assert_contains "$out" "STATUS 0" "login's exit status"
ok "login(1) on a pty lands in the jail the other login is in: $s_host $s_mnt"

# ---- the control: the same login without pam_jail is on the host ----
login_stack "session required pam_permit.so"
out=$(pty_login)
echo "$out"
assert_contains "$out" "M1 $(hostname) $(readlink /proc/self/ns/mnt) $je_user none M2" \
    "control: without pam_jail login runs on the host"
ok "control: without pam_jail in the stanza, the same login is on the host"
echo >&7
wait "$held"
