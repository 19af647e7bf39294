#!/bin/bash
# A display server restarted between two logins of one jail (issue 17,
# item 5). The first login binds the server's socket into the jail's
# /tmp/.X11-unix; the restarted server has a new socket at the same name, so
# the second login must replace the old bind. The module does that after
# setns() into the jail's mount namespace but outside its PID namespace,
# where the jail's /proc has no "self": the replacement must not depend on
# it. Real logins (a display manager's PAM items, tests/bin/x11_session)
# into a jail kept alive between them (lifetime "keep"); xdpyinfo inside
# must work both times, against the server that runs then.
. "$TESTS/lib.sh"
need_cmd Xvfb
need_cmd xauth
need_cmd xdpyinfo
. "$TESTS/root/jail_env.bash"
je_setup "$@"

mount -t tmpfs -o mode=0755 pj-srv /srv || fail "tmpfs on /srv"
install -m 0755 "$BUILD/jailsh" /srv/jailsh || fail "install jailsh"
usermod -s /srv/jailsh "$je_user" || fail "usermod -s"
mount -t tmpfs -o mode=0755 pj-home /home || fail "tmpfs on /home"
install -d -m 0700 -o "$je_user" "/home/$je_user"
key=u$je_uid

je_policy "version = 1;
profiles = { t = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\"];
    hostname = \"jail-%u\";
    root = { type = \"host\"; hide = [\"/home\", \"/root\", \"/run\", \"/work\"]; };
    home = { mode = \"tmpfs\"; size = \"8M\"; };
    x11 = true;
    lifetime = { mode = \"keep\"; idle = \"10m\"; };
}; };
rules = ( { group = \"$je_group\"; profile = \"t\"; } );"
printf 'session required %s\n' \
    "$BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state" >"$je/pam/dm"

n=
for d in $(seq 141 180); do
    [ -e "/tmp/.X11-unix/X$d" ] || [ -e "/tmp/.X$d-lock" ] || { n=$d; break; }
done
[ -n "$n" ] || skip "no free display number"
good=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
xauth -f "$je/server" add ":$n" MIT-MAGIC-COOKIE-1 "$good" 2>/dev/null
on_exit rm -f "/tmp/.X11-unix/X$n" "/tmp/.X$n-lock"
xvfb=
start_xvfb() {
    Xvfb ":$n" -nolisten tcp -auth "$je/server" >"$je/xvfb.log" 2>&1 &
    xvfb=$!
    on_exit kill "$xvfb"
    for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$n" ] && break; sleep 0.05; done
    [ -S "/tmp/.X11-unix/X$n" ] || fail "Xvfb did not start: $(cat "$je/xvfb.log")"
}
login() { # -> output of the probe in a new session of the user's jail
    "$BUILD/tests/bin/x11_session" "$je/pam" dm "$je_user" ":$n" "$good" -- /srv/jailsh -c \
        'sed -n "s/^id=/jail=/p" /run/pam_jail/jail
         echo "binds=$(grep -c " /tmp/.X11-unix/X$0 " /proc/self/mountinfo)"
         xdpyinfo >/dev/null && echo XOK; exit 0' "$n" 2>&1
}

start_xvfb
out=$(login)
assert_contains "$out" XOK "first login: xdpyinfo"
assert_contains "$out" "binds=1" "first login: one bind of the socket"
first=$(sed -n 's/^jail=//p' <<<"$out")
[ -n "$first" ] || fail "first login: no jail id in: $out"
je_track "$key"
[ -d "$je/state/jails/$key" ] || fail "the jail did not outlive its session (lifetime keep)"
ok "first login: display :$n works in the jail"

# The same display number, a new server and a new socket.
old_ino=$(stat -c %i "/tmp/.X11-unix/X$n")
kill "$xvfb" && wait "$xvfb" 2>/dev/null
for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$n" ] || break; sleep 0.05; done
start_xvfb
assert_ne "$old_ino" "$(stat -c %i "/tmp/.X11-unix/X$n")" "the restarted server's socket inode"

: >"$je_log"
out=$(login)
assert_eq "$first" "$(sed -n 's/^jail=//p' <<<"$out")" "second login: the same jail"
if ! grep -q XOK <<<"$out"; then
    cat "$je_log" >&2
    fail "second login after the X server restarted: xdpyinfo failed: $out"
fi
assert_contains "$out" "binds=1" "second login: the old bind replaced, not stacked under the new one"
ok "second login of the same jail after the X server restarted: display :$n works"

# A third login finds the bind current: nothing to replace.
out=$(login)
assert_contains "$out" XOK "third login: xdpyinfo"
grep -F "X11:" "$je_log" && fail "a login of the same jail logged an X11 problem"
ok "a later login of the same jail keeps the current bind"

python3 - "$je/state/jails/$key/control" <<'PY' || fail "STOP the kept jail"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.send(b"STOP")
print(s.recv(4096).decode())
PY
je_wait_gone 15 || fail "the kept jail did not end after STOP"
