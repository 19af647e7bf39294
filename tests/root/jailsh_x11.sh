#!/bin/bash
# X11 passthrough with a real X server: Xvfb on a free display with cookie
# access control, a hand-built jail with its own mount AND network namespace
# (so the abstract X socket is out of reach), the display socket bound in by
# tests/bin/x11_bind (the module's two calls around setns), the cookie handed
# to jailsh the way the module does (PAM_JAIL_X11). xdpyinfo must work with
# the right cookie and fail with a wrong one, without the socket, and with
# x11 off; the library must refuse a third user's socket, a root-owned one
# unless the caller vouches for it (the session's own cookie came with the
# display), and a jail entry it did not make.
. "$TESTS/lib.sh"
need_root
need_cmd unshare
need_cmd setpriv
need_cmd Xvfb
need_cmd xauth
need_cmd xdpyinfo
bind=$BUILD/tests/bin/x11_bind
[ -x "$bind" ] || fail "no $bind"

if [ "${1:-}" = inner ]; then
    # ---- the fake jail: private mount + network namespace ----------------
    . "$TESTS/fixtures/jailsh_fakejail.bash"
    user=$2 n=$3 good=$4 bad=$5
    exec 3<>"$6" 4<>"$7" # control fifos (<>: never blocks), opened before /tmp is replaced
    fj_setup "$user"
    fj_marker x11=yes
    xd() { # cookie-or-empty -> runs xdpyinfo through jailsh
        local envs=()
        [ -n "$1" ] && envs=(PAM_JAIL_X11="$n MIT-MAGIC-COOKIE-1 $1")
        fj_run "${envs[@]}" -- -jailsh -c 'echo "DISPLAY=[$DISPLAY]"; xdpyinfo >/dev/null && echo XOK'
    }

    # Before the bind: the display is unreachable, even with the right cookie.
    fj_run -- -jailsh -c "XAUTHORITY=/nonexistent xdpyinfo -display :$n >/dev/null 2>&1 && echo XOK"
    assert_not_contains "$(cat "$fj_out")" XOK "display reachable before the bind"
    ok "jail without the bind: display :$n unreachable (own netns: no abstract socket)"

    echo ready >&4
    read -r _ <&3 # the outer side binds the socket into this namespace
    [ -S "/tmp/.X11-unix/X$n" ] || fail "socket not bound into the jail"
    assert_eq "0:1777" "$(stat -c %u:%a /tmp/.X11-unix)" "jail's /tmp/.X11-unix"

    xd "$good"
    assert_contains "$(cat "$fj_out")" "DISPLAY=[:$n]" "DISPLAY exported"
    assert_contains "$(cat "$fj_out")" XOK "xdpyinfo with the right cookie ($(cat "$fj_err"))"
    ok "xdpyinfo in the jail with the user's cookie"

    rm -f "$fj_home/.Xauthority"
    xd "$bad"
    assert_not_contains "$(cat "$fj_out")" XOK "xdpyinfo with a wrong cookie"
    ok "wrong cookie: refused by the X server"

    rm -f "$fj_home/.Xauthority"
    fj_marker x11=no
    xd "$good"
    assert_contains "$(cat "$fj_out")" "DISPLAY=[]" "x11 off: DISPLAY"
    assert_not_contains "$(cat "$fj_out")" XOK "xdpyinfo with x11 off"
    ok "x11 off: no DISPLAY, no cookie, xdpyinfo fails"

    # A jailed user's own entry at another display's name is not replaced.
    setpriv --reuid="$fj_uid" --regid="$fj_gid" --init-groups /usr/bin/python3 -c \
        'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "/tmp/.X11-unix/X$((n + 1))"
    echo ready >&4
    read -r _ <&3
    # The X server was restarted (a new socket) and the outer side bound
    # it again: the old bind was replaced, and the display works.
    echo ready >&4
    read -r _ <&3
    rm -f "$fj_home/.Xauthority"
    fj_marker x11=yes
    xd "$good"
    assert_contains "$(cat "$fj_out")" XOK "xdpyinfo after the X server restarted ($(cat "$fj_err"))"
    ok "a restarted X server's new socket replaces the old bind"
    echo done >&4
    exit 0
fi

user=$(uniq_name x) user2=$(uniq_name y)
make_user "$user" || fail "useradd"
make_user "$user2" || fail "useradd"
uid=$(id -u "$user")
tmp=$(mktemp -d /tmp/pj-x11.XXXXXX) && on_exit rm -rf "$tmp"

n=
for d in $(seq 70 99); do
    [ -e "/tmp/.X11-unix/X$d" ] || [ -e "/tmp/.X$d-lock" ] || [ -e "/tmp/.X11-unix/X$((d + 1))" ] ||
        { n=$d; break; }
done
[ -n "$n" ] || skip "no free display number"
good=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
bad=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
xauth -f "$tmp/server" add ":$n" MIT-MAGIC-COOKIE-1 "$good" 2>/dev/null
Xvfb ":$n" -nolisten tcp -auth "$tmp/server" >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
on_exit kill "$xvfb"
on_exit rm -f "/tmp/.X11-unix/X$n" "/tmp/.X$n-lock" "/tmp/.X11-unix/X$((n + 1))"
for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$n" ] && break; sleep 0.05; done
[ -S "/tmp/.X11-unix/X$n" ] || fail "Xvfb did not start: $(cat "$tmp/xvfb.log")"

# The server really checks cookies (else the negative tests prove nothing).
XAUTHORITY=$tmp/server xdpyinfo -display ":$n" >/dev/null 2>&1 || fail "xdpyinfo on the host"
XAUTHORITY=$tmp/none xdpyinfo -display ":$n" >/dev/null 2>&1 && fail "Xvfb accepts clients without a cookie"
ok "Xvfb :$n with cookie access control"

# A third user's display is never handed out.
setpriv --reuid="$user2" --regid="$user2" --init-groups /usr/bin/python3 -c \
    'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "/tmp/.X11-unix/X$((n + 1))"
out=$("$bind" $((n + 1)) "$uid" $$ 2>&1) && fail "bound another user's display socket"
assert_contains "$out" "belongs to uid $(id -u "$user2"), not to uid $uid" "foreign socket"
out=$("$bind" $((n + 1)) "$uid" $$ root 2>&1) && fail "bound another user's display socket (root ok)"
assert_contains "$out" "belongs to uid $(id -u "$user2"), not to uid $uid" "foreign socket"
rm -f "/tmp/.X11-unix/X$((n + 1))"
ok "another user's display socket refused"

# Root's display (Xvfb here, a display manager's Xorg in life) only when
# the caller vouches for it: never on the word of the user's environment.
out=$("$bind" "$n" "$uid" $$ 2>&1) && fail "bound root's display socket without the session's cookie"
assert_contains "$out" "belongs to root, and the session did not hand over its cookie" "root socket"
ok "root's display socket refused unless the session carries its cookie"

mkfifo "$tmp/go" "$tmp/ready"
unshare -m -n --propagation private bash "$0" inner "$user" "$n" "$good" "$bad" \
    "$tmp/go" "$tmp/ready" &
inner=$!
exec 5<>"$tmp/ready" 6<>"$tmp/go"
read -r -t 30 line <&5 || fail "fake jail did not get ready"
"$bind" "$n" "$uid" "$inner" root || fail "x11_bind"
"$bind" "$n" "$uid" "$inner" root || fail "x11_bind a second time (second session) must be fine"
echo go >&6
read -r -t 30 line <&5 || fail "fake jail tests did not finish"
# The user made their own X$((n+1)) in the jail: a bind there is refused.
setpriv --reuid="$user" --regid="$user" --init-groups /usr/bin/python3 -c \
    'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "/tmp/.X11-unix/X$((n + 1))"
out=$("$bind" $((n + 1)) "$uid" "$inner" root 2>&1) && fail "replaced a jailed user's own socket"
assert_contains "$out" "already exists in the jail and is not the display's socket" "jail entry"
ok "an entry in the jail that is not ours is refused"
echo go >&6
read -r -t 30 line <&5 || fail "fake jail did not get ready again"
# Restart the X server: same display, new socket inode.
old_ino=$(stat -c %i "/tmp/.X11-unix/X$n")
kill "$xvfb" && wait "$xvfb" 2>/dev/null
Xvfb ":$n" -nolisten tcp -auth "$tmp/server" >"$tmp/xvfb.log" 2>&1 &
xvfb=$!
on_exit kill "$xvfb"
for _ in $(seq 100); do [ -S "/tmp/.X11-unix/X$n" ] && break; sleep 0.05; done
[ -S "/tmp/.X11-unix/X$n" ] || fail "Xvfb did not restart: $(cat "$tmp/xvfb.log")"
assert_ne "$old_ino" "$(stat -c %i "/tmp/.X11-unix/X$n")" "restarted server's socket inode"
"$bind" "$n" "$uid" "$inner" root || fail "x11_bind after the X server restarted"
echo go >&6
read -r -t 30 line <&5
wait "$inner" || fail "fake jail checks failed"
ok "all X11 checks passed"
