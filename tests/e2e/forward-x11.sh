#!/bin/bash
# ssh -X into a jail: an X client run inside the jail reaches the client's
# own X server (Xvfb here) through sshd's X11 listener, which lives on the
# jail's loopback (DESIGN.md fact 5).
. "$TESTS/lib.sh"
. "$TESTS/e2e/lib-sshd.sh"
need_cmd xdpyinfo

e2e_standard_setup
e2e_start_xvfb
x11ssh() { # user cmd
	DISPLAY=$E2E_DISPLAY XAUTHORITY=$E2E/client/Xauthority e2e_ssh -X "$1@main" "$2"
}

# The display is 640x480 (e2e_start_xvfb): seeing that size inside the jail
# proves the X client talked to this Xvfb.
out=$(x11ssh "$UA" 'echo "host=$(hostname) display=$DISPLAY"; xdpyinfo') ||
	fail "xdpyinfo in the jail failed: $out"
assert_contains "$out" "host=jail-$UA" "ran inside the jail"
assert_contains "$out" "display=localhost:" "DISPLAY set by sshd"
assert_contains "$out" "640x480 pixels" "xdpyinfo sees the client's Xvfb"
ok "ssh -X: an X client in the jail reaches the client's X server"

# Profile "lab" leaves x11 at its default (off): jailsh hands the session no
# DISPLAY, so X clients do not find the forwarded display. (This is not a
# wall: sshd still forwards X11 if its config allows, and a user who sets
# DISPLAY by hand reaches it. To forbid ssh -X, sshd_config must say
# X11Forwarding no for those users.)
out=$(x11ssh "$UB" 'echo "display=[$DISPLAY]"; xdpyinfo >/dev/null 2>&1; echo "xdpyinfo=$?"') ||
	fail "$UB: login with -X failed: $out"
assert_contains "$out" "display=[]" "$UB (x11 off): DISPLAY in the session"
assert_contains "$out" "xdpyinfo=1" "$UB (x11 off): X client without a display"
ok "x11 off in the profile: no DISPLAY in the session"

# The forwarded display is on the jail's loopback, not the host's: hold an
# -X session open and look for sshd's X11 listener (port 6000 + display) on
# both sides.
e2e_wait_no_jails
DISPLAY=$E2E_DISPLAY XAUTHORITY=$E2E/client/Xauthority ssh -F "$E2E_SSH_CONFIG" -X "$UA@main" \
	'echo "$DISPLAY"; exec sleep 60' >"$E2E/client/x11.out" 2>&1 &
x_pid=$!
on_exit "kill $x_pid; wait $x_pid"
wait_for 30 grep -q localhost: "$E2E/client/x11.out" || fail "second -X session"
display=$(sed -n 's/^localhost:\([0-9]*\).*/\1/p' "$E2E/client/x11.out")
port=$((6000 + display))
inside=$(e2e_ssh "$UA@main" "ss -Hltn 'sport = :$port'")
assert_contains "$inside" "127.0.0.1:$port" "X11 listener inside the jail"
outside=$(ss -Hltn "sport = :$port" | wc -l)
assert_eq 0 "$outside" "X11 listener on port $port on the host"
ok "the X11 listener lives on the jail's loopback"
kill "$x_pid"
wait "$x_pid"
e2e_wait_no_jails
