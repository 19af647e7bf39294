#!/bin/bash
# The local-display passthrough end to end, and where the module may learn a
# display from (issue 17, item 4). Xvfb with cookie access control; pam_jail
# (x11 on) with jailsh as the shell.
#  - The display comes from PAM_XDISPLAY only, which the application sets (a
#    display manager: tests/bin/x11_session here). A DISPLAY the user
#    controls names nothing: neither su's environment
#    (`DISPLAY=:N su - USER`) nor the PAM environment that pam_env's
#    user_readenv fills from the user's ~/.pam_environment, even with the
#    server's right cookie in the user's ~/.Xauthority.
#  - A root-owned socket (a display manager's Xorg; Xvfb run by root here)
#    is passed only with the cookie the application handed over
#    (PAM_XAUTHDATA); the user's own display (Xvfb run as the user) with the
#    cookie from their host ~/.Xauthority.
#  - Inside, xdpyinfo works (own network namespace: only the bound path
#    socket reaches the server), and fails with a wrong cookie and with x11
#    off in the profile.
# /etc/pam.d is replaced in a private mount namespace only.
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

cookie() { # hex [display]: the user's own host ~/.Xauthority, written as the user
    rm -f "/home/$je_user/.Xauthority"
    setpriv --reuid="$je_user" --regid="$je_user" --init-groups \
        xauth -f "/home/$je_user/.Xauthority" add "$(hostname)/unix:${2:-$n}" MIT-MAGIC-COOKIE-1 "$1" 2>/dev/null ||
        fail "xauth as the user"
}
# What the jail shows: DISPLAY, whether the socket is there, whether X works.
probe='echo "DISPLAY=[$DISPLAY] XAUTHORITY=[$XAUTHORITY]"; ls -l /tmp/.X11-unix 2>&1; xdpyinfo >/dev/null && echo XOK; exit 0'
ended() { # wait until the last session's jail is gone
    for k in $(je_jails); do je_track "$k"; done
    je_wait_gone 15 || fail "jail did not end"
}
printf 'session required %s\n' \
    "$BUILD/pam_jail.so config=$je/etc/jail.conf init=$BUILD/jail-init statedir=$je/state" >"$je/pam/dm"
dm() { # display-or-- cookie-or-- : a display manager's session (PAM items)
    "$BUILD/tests/bin/x11_session" "$je/pam" "${3:-dm}" "$je_user" "$1" "$2" -- /srv/jailsh -c "$probe" 2>&1
}

policy true

# ---- a DISPLAY the user controls is never used ----------------------------
# The user's ~/.Xauthority holds the server's real cookie (the worst case:
# it leaked), so a bound socket would let them in.
cookie "$good"
out=$(DISPLAY=:$n XAUTHORITY=/somewhere/on/the/host su - "$je_user" -c "$probe" </dev/null 2>&1) ||
    fail "su login with DISPLAY=:$n failed: $out"
assert_contains "$out" "DISPLAY=[] XAUTHORITY=[]" "su's DISPLAY: the login goes on without X11"
assert_not_contains "$out" "X$n" "su's DISPLAY: root's socket bound into the jail"
assert_not_contains "$out" XOK "su's DISPLAY: xdpyinfo"
je_wait_log "DISPLAY=:$n of the environment is not passed into the jail" ||
    fail "no log line for su's DISPLAY"
ok "DISPLAY=:$n in su's environment: not passed, logged, the login goes on"
ended

# pam_env with user_readenv before pam_jail (Debian's sshd stack has it):
# the user's ~/.pam_environment puts DISPLAY into the PAM environment.
printf 'session required pam_env.so user_readenv=1 conffile=/dev/null envfile=/dev/null\n%s' \
    "$(cat "$je/pam/dm")" >"$je/pam/readenv"
printf 'DISPLAY DEFAULT=:%s\n' "$n" >"/home/$je_user/.pam_environment"
chown "$je_user:" "/home/$je_user/.pam_environment"
: >"$je_log"
out=$(dm - - readenv) || fail "login with DISPLAY in ~/.pam_environment failed: $out"
assert_not_contains "$out" "X$n" "~/.pam_environment's DISPLAY: root's socket bound into the jail"
assert_not_contains "$out" XOK "~/.pam_environment's DISPLAY: xdpyinfo"
je_wait_log "DISPLAY=:$n of the environment is not passed into the jail" ||
    fail "no log line for the PAM environment's DISPLAY (did pam_env set it?)"
rm -f "/home/$je_user/.pam_environment"
ok "DISPLAY=:$n from ~/.pam_environment (pam_env user_readenv): not passed, logged"
ended

# The application names root's display but hands over no cookie: the
# user's ~/.Xauthority proves nothing about whose display it is.
: >"$je_log"
out=$(dm ":$n" -) || fail "login with PAM_XDISPLAY and no PAM_XAUTHDATA failed: $out"
assert_not_contains "$out" "X$n" "root's socket without PAM_XAUTHDATA bound into the jail"
assert_not_contains "$out" XOK "root's socket without PAM_XAUTHDATA: xdpyinfo"
je_wait_log "belongs to root, and the session did not hand over its cookie" ||
    fail "no log line for root's socket without the session's cookie"
ok "PAM_XDISPLAY of a root-owned display without PAM_XAUTHDATA: not passed, logged"
ended

# ---- a display manager's session: PAM_XDISPLAY + PAM_XAUTHDATA ------------
rm -f "/home/$je_user/.Xauthority"
out=$(dm ":$n" "$good")
assert_contains "$out" "DISPLAY=[:$n]" "PAM items: DISPLAY"
assert_contains "$out" XOK "PAM items: xdpyinfo with PAM_XAUTHDATA's cookie"
ok "display manager session: PAM_XDISPLAY + PAM_XAUTHDATA reach the jail"
ended
out=$(dm ":$n" "$bad")
assert_contains "$out" "DISPLAY=[:$n]" "wrong cookie: display still passed"
assert_not_contains "$out" XOK "PAM items: xdpyinfo with a wrong PAM_XAUTHDATA"
ok "a wrong cookie is refused by the X server"
ended

policy false
out=$(dm ":$n" "$good")
assert_contains "$out" "DISPLAY=[] XAUTHORITY=[]" "x11 off: no DISPLAY"
assert_not_contains "$out" "X$n" "x11 off: socket in the jail"
assert_not_contains "$out" XOK "xdpyinfo with x11 off"
ok "x11 off: no DISPLAY, no socket, no X"
ended
policy true

# ---- the user's own display: their socket, the cookie from ~/.Xauthority --
m=
for d in $(seq $((n + 1)) 160); do
    [ -e "/tmp/.X11-unix/X$d" ] || [ -e "/tmp/.X$d-lock" ] || { m=$d; break; }
done
[ -n "$m" ] || skip "no second free display number"
own=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
setpriv --reuid="$je_user" --regid="$je_user" --init-groups \
    xauth -f "/home/$je_user/.serverauth" add ":$m" MIT-MAGIC-COOKIE-1 "$own" 2>/dev/null || fail "xauth for the user's server"
setpriv --reuid="$je_user" --regid="$je_user" --init-groups \
    Xvfb ":$m" -nolisten tcp -auth "/home/$je_user/.serverauth" >"$je/xvfb-user.log" 2>&1 &
uxvfb=$!
on_exit kill "$uxvfb"
on_exit rm -f "/tmp/.X11-unix/X$m" "/tmp/.X$m-lock"
for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$m" ] && break; sleep 0.05; done
[ -S "/tmp/.X11-unix/X$m" ] || fail "the user's Xvfb did not start: $(cat "$je/xvfb-user.log")"
assert_eq "$je_user" "$(stat -c %U "/tmp/.X11-unix/X$m")" "owner of the user's display socket"
cookie "$own" "$m"
out=$(dm ":$m" -)
assert_contains "$out" "DISPLAY=[:$m]" "the user's own display: DISPLAY"
assert_contains "$out" XOK "the user's own display: xdpyinfo with the cookie of ~/.Xauthority"
ok "the user's own display (PAM_XDISPLAY, cookie from ~/.Xauthority) reaches the jail"
