#!/bin/bash
# jailsh's user-side work in a hand-built jail (tests/fixtures/jailsh_fakejail.bash):
# login-shell conventions and exit codes, the clean environment, seeding the
# tmpfs home once (modes, links, specials, persistent dirs, a full tmpfs),
# and DISPLAY/cookie handling.
. "$TESTS/lib.sh"
need_root
need_cmd setpriv
need_cmd unshare

if [ "${1:-}" != inner ]; then
    user=$(uniq_name s)
    make_user "$user" || fail "useradd"
    unshare -m --propagation private bash "$0" inner "$user"
    exit $?
fi

. "$TESTS/fixtures/jailsh_fakejail.bash"
fj_setup "$2"
out() { cat "$fj_out"; }

# ---- command line ----------------------------------------------------------
fj_run -- jailsh -c 'exit 7'
assert_eq 7 "$fj_rc" "-c: exit status"
fj_run -- jailsh -c 'kill -TERM $$'
assert_eq 143 "$fj_rc" "-c: killed by a signal (the shell's status, as sshd reports it)"
fj_run -- jailsh -c 'printf "%s|" "$0" "$1" "$2"' zero one 'two words'
assert_eq "zero|one|two words|" "$(out)" "-c: extra arguments become \$0 \$1 ..."
fj_run -- jailsh -c 'echo "$0"'
assert_eq bash "$(out)" "argv[0] of a non-login shell"
fj_run -- -jailsh -c 'echo "$0"; shopt -q login_shell && echo login'
assert_eq "-bash login" "$(out | tr '\n' ' ' | sed 's/ $//')" "argv[0] of a login shell"
fj_run -- jailsh -lc 'echo "$0"'
assert_eq -bash "$(out)" "-lc"
fj_run -- jailsh --login -c 'echo "$0"'
assert_eq -bash "$(out)" "--login"
fj_run -- jailsh -i -c 'echo "$-"'
assert_contains "$(out)" i "-i is passed on"
printf 'echo from-stdin; exit 4\n' >"$fj_dir/stdin"
env -i setpriv --reuid="$fj_uid" --regid="$fj_gid" --init-groups "$BUILD/jailsh" \
    <"$fj_dir/stdin" >"$fj_out" 2>&1
assert_eq "4 from-stdin" "$? $(out)" "no arguments: the real shell reads stdin"
fj_run -- jailsh -x
assert_eq 2 "$fj_rc" "unknown option: status"
assert_contains "$(cat "$fj_err")" "unsupported option '-x'" "unknown option: message"
fj_run -- jailsh /tmp/script.sh
assert_eq 2 "$fj_rc" "script file: status"
assert_contains "$(cat "$fj_err")" "runs no script files" "script file: message"
fj_run -- jailsh -c
assert_eq 2 "$fj_rc" "-c without a command"
ok "command line: -c, exit codes, argv[0], -l/-i, refusals"

# jailsh hands the shell nothing but stdin/stdout/stderr: neither its own
# fds (marker, home, skeleton, syslog) nor what the caller left open (here
# fd 7 on a host directory) survive the exec.
exec 7</etc
fj_run -- -jailsh -c 'cd /proc/self/fd && echo *'
exec 7<&-
assert_eq "0 1 2 3" "$(cat "$fj_out")" "open fds in the shell (3 is echo's own listing)"
ok "no file descriptor leaks into the shell"

# sshd's sftp subsystem: `shell -c /usr/lib/openssh/sftp-server` (speaks SFTP
# on stdin/stdout; an SSH_FXP_INIT v3 must get an SSH_FXP_VERSION back).
if [ -x /usr/lib/openssh/sftp-server ]; then
    # (stdin stays open a moment: sftp-server drops pending output at EOF)
    { printf '\0\0\0\5\1\0\0\0\3'; sleep 0.5; } | env -i setpriv --reuid="$fj_uid" \
        --regid="$fj_gid" --init-groups "$BUILD/jailsh" -c /usr/lib/openssh/sftp-server \
        >"$fj_out" 2>"$fj_err"
    assert_eq 2 "$(od -An -tu1 -j4 -N1 "$fj_out" | tr -d ' ')" "sftp-server answers VERSION"
    ok "sftp-server runs through -c"
fi

# ---- environment -------------------------------------------------------------
fj_run TERM=xterm-test LANG=C.UTF-8 LC_TIME=C TZ=UTC LD_PRELOAD=/nonexistent.so \
    BASH_ENV=/tmp/evil XDG_RUNTIME_DIR=/run/user/1 MAIL=/var/mail/x FOO=bar \
    XAUTHORITY=/home/host/.Xauthority DISPLAY=:0 SSH_CONNECTION="1 2 3 4" \
    SSH_AUTH_SOCK=/tmp/ssh-host/agent.1 PAM_JAIL_X11="0 MIT-MAGIC-COOKIE-1 00" \
    JAIL_ID=forged JAIL_PROFILE=forged HOME=/root PATH=/sbin -- jailsh -c 'env; echo "PWD=$(pwd)"'
env_out=$(out)
for want in "HOME=$fj_home" "USER=$fj_user" "LOGNAME=$fj_user" SHELL=/bin/bash \
    PATH=/usr/local/bin:/usr/bin:/bin TERM=xterm-test LANG=C.UTF-8 LC_TIME=C TZ=UTC \
    "SSH_CONNECTION=1 2 3 4" "PWD=$fj_home" JAIL_ID=0123456789abcdef0123456789abcdef \
    JAIL_PROFILE=test; do
    grep -qxF "$want" <<<"$env_out" || fail "environment lacks '$want': $env_out"
done
for bad in LD_PRELOAD BASH_ENV XDG_RUNTIME_DIR MAIL FOO XAUTHORITY DISPLAY SSH_AUTH_SOCK PAM_JAIL_X11; do
    grep -q "^$bad=" <<<"$env_out" && fail "environment keeps $bad: $env_out"
done
ok "environment: clean, from the marker, host paths dropped"

# The agent socket of ssh -A is kept when it is a socket of ours in the jail.
install -d -o "$fj_uid" -m 0700 "$fj_dir/ssh-agent"
setpriv --reuid="$fj_uid" --regid="$fj_gid" --init-groups /usr/bin/python3 -c \
    'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$fj_dir/ssh-agent/a.1"
fj_run SSH_AUTH_SOCK="$fj_dir/ssh-agent/a.1" -- jailsh -c 'echo "$SSH_AUTH_SOCK"'
assert_eq "$fj_dir/ssh-agent/a.1" "$(out)" "SSH_AUTH_SOCK of a socket in the jail"
ok "SSH_AUTH_SOCK kept only for a socket in the jail"

# ---- home seeding ----------------------------------------------------------------
skel=$fj_dir/skel
printf 'profile\n' >"$skel/.profile" && touch -d '2001-02-03 04:05:06' "$skel/.profile"
printf 'secret-ish\n' >"$skel/group-readable" && chmod 0640 "$skel/group-readable"
install -d -m 0750 "$skel/dir/sub" && printf 'deep\n' >"$skel/dir/sub/file"
install -d -m 0555 "$skel/readonly" && : >"$skel/readonly/inside"
printf '#!/bin/sh\n' >"$skel/suid" && chmod 4755 "$skel/suid"
printf '#!/bin/sh\n' >"$skel/sgid" && chmod 2750 "$skel/sgid"
ln -s /etc/shadow "$skel/shadow-link"
ln -s dir/sub "$skel/dirlink"
mkfifo "$skel/fifo"
install -d "$skel/work" && printf 'from skel\n' >"$skel/work/skelfile"
printf 'root only\n' >"$skel/rootonly" && chmod 0600 "$skel/rootonly"
# The user reads the skeleton with their own rights: group-only entries are
# given the user's group, so they are readable (and the modes are kept).
chgrp "$fj_gid" "$skel/group-readable" "$skel/dir" "$skel/dir/sub" "$skel/sgid"
chmod 2750 "$skel/sgid" && chmod 0750 "$skel/dir"
# A persistent dir as the module binds it: a mount point with real content.
install -d -o "$fj_uid" "$fj_dir/realwork" && echo real >"$fj_dir/realwork/mine"
install -d -o "$fj_uid" "$fj_home/work" && mount --bind "$fj_dir/realwork" "$fj_home/work"
# sshd's xauth (ssh -X) may have written a cookie before the shell starts.
setpriv --reuid="$fj_uid" --regid="$fj_gid" --init-groups touch "$fj_home/.Xauthority"
fj_marker persist=work

fj_run -- -jailsh -c 'echo seeded'
assert_eq 0 "$fj_rc" "first session: status"
assert_eq seeded "$(out)" "first session: output"
assert_contains "$(cat "$fj_err")" "skeleton: '$skel/fifo' is not a file, directory or link: skipped" "fifo note"
h=$fj_home
assert_eq "profile" "$(cat "$h/.profile")" ".profile copied"
assert_eq "$(stat -c %Y "$skel/.profile")" "$(stat -c %Y "$h/.profile")" "modification time kept"
assert_eq "$(stat -c %Y "$skel/dir")" "$(stat -c %Y "$h/dir")" "directory time kept"
assert_eq "$fj_uid:640" "$(stat -c %u:%a "$h/group-readable")" "owner and mode kept"
assert_eq "750 deep" "$(stat -c %a "$h/dir") $(cat "$h/dir/sub/file")" "directories copied"
assert_eq "555" "$(stat -c %a "$h/readonly")" "read-only dir gets its mode after its contents"
[ -e "$h/readonly/inside" ] || fail "read-only dir: contents"
assert_eq 755 "$(stat -c %a "$h/suid")" "setuid bit dropped"
assert_eq 750 "$(stat -c %a "$h/sgid")" "setgid bit dropped"
[ -L "$h/shadow-link" ] || fail "symlink not copied as a symlink"
assert_eq /etc/shadow "$(readlink "$h/shadow-link")" "symlink target"
assert_eq "$fj_uid" "$(stat -c %u "$h/shadow-link")" "symlink owner"
[ -L "$h/dirlink" ] || fail "dir symlink copied as a symlink"
[ -e "$h/fifo" ] && fail "fifo copied"
[ -e "$h/rootonly" ] && fail "a file the user cannot read was copied"
assert_contains "$(cat "$fj_err")" "skeleton: cannot read '$skel/rootonly': Permission denied" \
    "unreadable skeleton file: note"
[ -e "$h/work/skelfile" ] && fail "skeleton poured into a persistent dir"
assert_eq real "$(cat "$h/work/mine")" "persistent dir untouched"
assert_eq "$fj_uid" "$(find "$h" -xdev ! -uid "$fj_uid" | wc -l | sed "s/^0$/$fj_uid/")" \
    "every seeded entry belongs to the user"
ok "first session: skeleton copied as the user (modes, links, specials, persistent dir)"

# Later sessions of the same jail find the home as the earlier ones left it.
fj_run -- -jailsh -c 'rm .profile; echo changed >group-readable'
fj_run -- -jailsh -c 'ls -a; cat group-readable'
[ -e "$h/.profile" ] && fail "second session re-seeded a deleted file"
assert_eq changed "$(cat "$h/group-readable")" "second session keeps changes"
ok "second session: no re-seeding"

# Two sessions starting at once seed once (flock on the home).
umount "$h/work"
umount "$h" && mount -t tmpfs -o "mode=0700,uid=$fj_uid,gid=$fj_gid,size=4m" fj-home "$h"
for i in 1 2 3 4; do (fj_tag=$i; fj_run -- -jailsh -c true; echo $fj_rc >"$fj_dir/rc$i") & done
wait
for i in 1 2 3 4; do assert_eq 0 "$(cat "$fj_dir/rc$i")" "parallel session $i"; done
assert_eq profile "$(cat "$h/.profile")" "parallel first sessions: seeded"
# Only the seeding session meets the skeleton's fifo: exactly one note.
assert_eq 1 "$(cat "$fj_dir"/err[1-4] | grep -c "fifo' is not a file")" "seeded exactly once"
ok "parallel first sessions: seeded once, all logins fine"

# A bind home (the real home) is never seeded, even when empty.
umount "$h" && mount -t tmpfs -o "mode=0700,uid=$fj_uid,gid=$fj_gid,size=4m" fj-home "$h"
fj_marker home_mode=bind skeleton=-
fj_run -- -jailsh -c 'ls -A | wc -l'
assert_eq 0 "$(out)" "bind home: not seeded"
# ... and a home that is not a tmpfs is not seeded whatever the marker says.
realhome=$(mktemp -d /var/tmp/pj-jailsh-home.XXXXXX) || fail "mktemp"
on_exit rm -rf "$realhome"
chown "$fj_uid:$fj_gid" "$realhome" && chmod 0755 "$realhome"
if [ "$(stat -f -c %T "$realhome")" != tmpfs ]; then
    fj_marker home="$realhome"
    fj_run -- -jailsh -c 'ls -A | wc -l'
    assert_eq 0 "$(out)" "non-tmpfs home: not seeded"
fi
fj_marker
ok "only an empty tmpfs home is seeded"

# A full tmpfs: a clear ENOSPC message, and the login goes on.
mount -t tmpfs -o "mode=0700,uid=$fj_uid,gid=$fj_gid,size=64k" fj-home "$h"
head -c 1048576 /dev/zero >"$skel/big" && chmod 0644 "$skel/big"
fj_run -- -jailsh -c 'echo still-here'
assert_eq 0 "$fj_rc" "full home: status"
assert_eq still-here "$(out)" "full home: the login goes on"
assert_contains "$(cat "$fj_err")" "the home is full (No space left on device)" "full home: message"
ok "full tmpfs home: ENOSPC reported, login continues"
umount "$h" && mount -t tmpfs -o "mode=0700,uid=$fj_uid,gid=$fj_gid,size=4m" fj-home "$h"
rm -f "$skel/big"

# ---- X11 ------------------------------------------------------------------------------
# x11 off: nothing, whatever comes in.
fj_marker x11=no
fj_run DISPLAY=:5 XAUTHORITY=/x PAM_JAIL_X11="5 MIT-MAGIC-COOKIE-1 0011" -- -jailsh -c 'echo "[$DISPLAY][$XAUTHORITY]"'
assert_eq "[][]" "$(out)" "x11 off: no DISPLAY/XAUTHORITY"
# ssh -X: sshd's DISPLAY is kept, XAUTHORITY stays the default.
fj_marker x11=yes
fj_run DISPLAY=localhost:10.0 XAUTHORITY=/host/.Xauthority -- -jailsh -c 'echo "[$DISPLAY][$XAUTHORITY]"'
assert_eq "[localhost:10.0][]" "$(out)" "ssh -X display kept"
# A local display the module bound, with its cookie.
install -d -m 1777 /tmp/.X11-unix
python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("/tmp/.X11-unix/X42")'
cookie=00112233445566778899aabbccddeeff
need_cmd xauth
fj_run PAM_JAIL_X11="42 MIT-MAGIC-COOKIE-1 $cookie" DISPLAY=:0 -- -jailsh -c \
    'echo "[$DISPLAY][$XAUTHORITY]"; xauth -f "$XAUTHORITY" list'
assert_eq 0 "$fj_rc" "local display: status ($(cat "$fj_err"))"
assert_contains "$(out)" "[:42][$h/.Xauthority]" "local display: DISPLAY and XAUTHORITY"
assert_contains "$(out)" "$(hostname)/unix:42  MIT-MAGIC-COOKIE-1  $cookie" "cookie written"
assert_eq "$fj_uid:600" "$(stat -c %u:%a "$h/.Xauthority")" ".Xauthority owner/mode"
# A second session with a new cookie replaces the entry, keeps the others.
setpriv --reuid="$fj_uid" --regid="$fj_gid" --init-groups xauth -f "$h/.Xauthority" \
    add otherhost/unix:7 MIT-MAGIC-COOKIE-1 ffffffffffffffffffffffffffffffff
fj_run PAM_JAIL_X11="42 MIT-MAGIC-COOKIE-1 0123456789abcdef0123456789abcdef" -- -jailsh -c \
    'xauth -f "$XAUTHORITY" list'
assert_eq 2 "$(out | wc -l)" "entries after the second cookie: $(out)"
assert_contains "$(out)" "unix:42  MIT-MAGIC-COOKIE-1  0123456789abcdef0123456789abcdef" "new cookie"
assert_contains "$(out)" "otherhost/unix:7" "other entries kept"
# No socket in the jail: no DISPLAY, a note.
fj_run PAM_JAIL_X11="43 MIT-MAGIC-COOKIE-1 $cookie" -- -jailsh -c 'echo "[$DISPLAY]"'
assert_eq "[]" "$(out)" "display without a socket"
assert_contains "$(cat "$fj_err")" "display :43 is not available in this jail" "no socket: note"
# A symlinked ~/.Xauthority is not followed.
rm -f "$h/.Xauthority" && ln -s /tmp/fj/elsewhere "$h/.Xauthority"
fj_run PAM_JAIL_X11="42 MIT-MAGIC-COOKIE-1 $cookie" -- -jailsh -c 'echo "[$DISPLAY][$XAUTHORITY]"'
assert_contains "$(cat "$fj_err")" "cannot write the cookie" "symlinked .Xauthority refused"
[ -e /tmp/fj/elsewhere ] && fail "followed a symlinked .Xauthority"
ok "X11: off, ssh -X, local display cookie, missing socket, symlinked file"

# ---- the profile's shell --------------------------------------------------------------
fj_marker shell="$BUILD/jailsh"
fj_run -- -jailsh -c true
assert_eq 1 "$fj_rc" "jailsh as its own shell"
assert_contains "$(cat "$fj_err")" "is jailsh itself" "loop refused"
fj_marker shell=/nonexistent/sh
fj_run -- -jailsh -c true
assert_eq 127 "$fj_rc" "missing shell"
ok "a bad profile shell is refused"
