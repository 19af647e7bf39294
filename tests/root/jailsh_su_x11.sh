#!/bin/bash
# The local-display passthrough end to end: Xvfb with cookie access control,
# `DISPLAY=:N su - USER` with pam_jail.so (x11 on) and jailsh as the shell,
# the user's cookie in their host ~/.Xauthority. xdpyinfo inside the jail
# (own network namespace: only the bound path socket can reach the server)
# must work; with a wrong cookie, and with x11 off in the profile, it must
# fail. /etc/pam.d is replaced in a private mount namespace only.
. "$TESTS/lib.sh"
need_cmd su
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

policy() { # x11 true|false
    je_policy "version = 1;
profiles = { t = {
    namespaces = [\"mount\", \"pid\", \"net\", \"ipc\", \"uts\"];
    hostname = \"jail-%u\";
    root = { type = \"host\"; hide = [\"/home\", \"/root\", \"/run\", \"/work\"]; };
    home = { mode = \"tmpfs\"; size = \"8M\"; };
    x11 = $1;
}; };
rules = ( { group = \"$je_group\"; profile = \"t\"; } );"
}
pamd=$je/pamd
mkdir -m 0755 "$pamd"
for s in su su-l; do
    printf 'auth sufficient pam_rootok.so\nauth required pam_deny.so\naccount required pam_permit.so\nsession required %s\n' \
        "$BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state" >"$pamd/$s"
done
printf 'auth required pam_deny.so\naccount required pam_deny.so\nsession required pam_deny.so\n' >"$pamd/other"
mount --bind "$pamd" /etc/pam.d || fail "bind the test pam.d"

# Xvfb on a free display (stopped by PID at exit).
n=
for d in $(seq 100 140); do
    [ -e "/tmp/.X11-unix/X$d" ] || [ -e "/tmp/.X$d-lock" ] || { n=$d; break; }
done
[ -n "$n" ] || skip "no free display number"
good=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
bad=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
xauth -f "$je/server" add ":$n" MIT-MAGIC-COOKIE-1 "$good" 2>/dev/null
Xvfb ":$n" -nolisten tcp -auth "$je/server" >"$je/xvfb.log" 2>&1 &
xvfb=$!
on_exit kill "$xvfb"
on_exit rm -f "/tmp/.X11-unix/X$n" "/tmp/.X$n-lock"
for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$n" ] && break; sleep 0.05; done
[ -S "/tmp/.X11-unix/X$n" ] || fail "Xvfb did not start: $(cat "$je/xvfb.log")"
XAUTHORITY=$je/none xdpyinfo -display ":$n" >/dev/null 2>&1 && fail "Xvfb accepts clients without a cookie"

cookie() { # hex: the user's own host ~/.Xauthority, written as the user
    rm -f "/home/$je_user/.Xauthority"
    setpriv --reuid="$je_user" --regid="$je_user" --init-groups \
        xauth -f "/home/$je_user/.Xauthority" add "$(hostname)/unix:$n" MIT-MAGIC-COOKIE-1 "$1" 2>/dev/null ||
        fail "xauth as the user"
}
x_in_jail() {
    DISPLAY=:$n XAUTHORITY=/somewhere/on/the/host su - "$je_user" -c \
        'echo "DISPLAY=[$DISPLAY] XAUTHORITY=[$XAUTHORITY]"; xdpyinfo >/dev/null && echo XOK' \
        </dev/null 2>&1
}

policy true
cookie "$good"
out=$(x_in_jail)
assert_contains "$out" "DISPLAY=[:$n] XAUTHORITY=[/home/$je_user/.Xauthority]" "environment"
assert_contains "$out" XOK "xdpyinfo in the jail with the user's cookie"
ok "local display :$n works in the jail with the user's cookie"

for k in $(je_jails); do je_track "$k"; done
je_wait_gone 15 || fail "jail did not end"
cookie "$bad"
out=$(x_in_jail)
assert_contains "$out" "DISPLAY=[:$n]" "wrong cookie: display still passed"
assert_not_contains "$out" XOK "xdpyinfo with a wrong cookie"
ok "a wrong cookie is refused by the X server"

for k in $(je_jails); do je_track "$k"; done
je_wait_gone 15 || fail "jail did not end"
cookie "$good"
policy false
out=$(x_in_jail)
assert_contains "$out" "DISPLAY=[] XAUTHORITY=[]" "x11 off: no DISPLAY"
assert_not_contains "$out" XOK "xdpyinfo with x11 off"
out=$(DISPLAY=:$n su - "$je_user" -c "test -e /tmp/.X11-unix/X$n && echo SOCKET" </dev/null 2>&1)
assert_not_contains "$out" SOCKET "x11 off: no socket in the jail"
ok "x11 off: no DISPLAY, no socket, no X"

# A display manager's session: the display and cookie come as PAM items
# (PAM_XDISPLAY, PAM_XAUTHDATA); there is no DISPLAY in the environment and
# no cookie in the user's host ~/.Xauthority.
for k in $(je_jails); do je_track "$k"; done
je_wait_gone 15 || fail "jail did not end"
policy true
rm -f "/home/$je_user/.Xauthority"
printf 'session required %s\n' \
    "$BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state" >"$je/pam/dm"
dm() { # cookie
    "$BUILD/tests/bin/x11_session" "$je/pam" dm "$je_user" ":$n" "$1" -- /srv/jailsh -c \
        'echo "DISPLAY=[$DISPLAY]"; xdpyinfo >/dev/null && echo XOK' 2>&1
}
out=$(dm "$good")
assert_contains "$out" "DISPLAY=[:$n]" "PAM items: DISPLAY"
assert_contains "$out" XOK "PAM items: xdpyinfo with PAM_XAUTHDATA's cookie"
for k in $(je_jails); do je_track "$k"; done
je_wait_gone 15 || fail "jail did not end"
out=$(dm "$bad")
assert_not_contains "$out" XOK "PAM items: xdpyinfo with a wrong PAM_XAUTHDATA"
ok "display manager session: PAM_XDISPLAY + PAM_XAUTHDATA reach the jail"
