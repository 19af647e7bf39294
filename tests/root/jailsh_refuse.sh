#!/bin/bash
# jailsh is "jailed or nothing": outside a jail, with a forged marker (user
# owned, writable, symlinked, garbage), another jail's marker or another
# user's, it prints one line, logs it, exits 1 and runs nothing. The same
# command with a good marker runs, so every refusal below is a real one.
. "$TESTS/lib.sh"
need_root
need_cmd setpriv
need_cmd unshare

if [ "${1:-}" != inner ]; then
    user=$(uniq_name r)
    make_user "$user" || fail "useradd"
    # Outside any jail (the host's own namespaces): refused.
    out=$(setpriv --reuid="$user" --regid="$user" --init-groups env -i \
        "$BUILD/jailsh" -c 'echo RAN' 2>&1)
    rc=$?
    assert_eq 1 "$rc" "exit status outside a jail"
    assert_contains "$out" "jailsh: refusing to run: no jail marker" "message outside a jail"
    assert_not_contains "$out" RAN "command outside a jail"
    ok "outside a jail: refused"
    host_mntns=$(stat -L -c '%d %i' /proc/self/ns/mnt)
    unshare -m --propagation private bash "$0" inner "$user" "$host_mntns"
    exit $?
fi

# ---- inside a private mount namespace ----
. "$TESTS/fixtures/jailsh_fakejail.bash"
fj_setup "$2"

# A syslog listener bound over /dev/log in this namespace only.
need_cmd python3
log=$fj_dir/syslog
python3 - "$fj_dir/log.sock" "$log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(4096) + b"\n")
PY
listener=$!
on_exit kill "$listener"
for _ in $(seq 50); do [ -S "$fj_dir/log.sock" ] && break; sleep 0.1; done
[ -S "$fj_dir/log.sock" ] || fail "syslog listener did not start"
chmod 0666 "$fj_dir/log.sock" # jailsh logs as the user
# This host has no /dev/log; creating one would touch the host's /dev. So
# this namespace gets its own small /dev with the listener as /dev/log.
mkdir /run/fj-dev && mount -t tmpfs -o mode=0755 fj-dev /run/fj-dev || fail "tmpfs for /dev"
for n in null zero full random urandom tty; do
    touch "/run/fj-dev/$n" && mount --bind "/dev/$n" "/run/fj-dev/$n" || fail "bind /dev/$n"
done
ln -s /proc/self/fd /run/fj-dev/fd
touch /run/fj-dev/log && mount --bind "$fj_dir/log.sock" /run/fj-dev/log || fail "bind /dev/log"
mount --move /run/fj-dev /dev || fail "move the new /dev into place"

expect_refusal() { # what message-part
    fj_run -- -jailsh -c 'touch /tmp/fj/RAN; echo RAN'
    assert_eq 1 "$fj_rc" "$1: exit status"
    assert_eq "" "$(cat "$fj_out")" "$1: stdout"
    [ ! -e "$fj_dir/RAN" ] || fail "$1: the command ran"
    assert_eq 1 "$(wc -l <"$fj_err")" "$1: one line on stderr"
    assert_contains "$(cat "$fj_err")" "jailsh: refusing to run: " "$1"
    assert_contains "$(cat "$fj_err")" "$2" "$1"
    ok "$1: refused ($(cat "$fj_err"))"
}

# Good marker: runs (proves the harness, so the refusals mean something).
fj_marker
fj_run -- -jailsh -c 'echo RAN; exit 3'
assert_eq 3 "$fj_rc" "good marker: exit status of the command"
assert_eq RAN "$(cat "$fj_out")" "good marker: output"
ok "good marker: the command ran"

rm -f /run/pam_jail/jail
expect_refusal "no marker" "no jail marker"

# The log line (LOG_AUTHPRIV|LOG_WARNING = <84>, ident jailsh).
for _ in $(seq 50); do grep -q "refusing to run" "$log" && break; sleep 0.1; done
grep -q '<84>.*jailsh\[[0-9]*\]: refusing to run for uid '"$fj_uid"': no jail marker' "$log" ||
    fail "no syslog line: $(cat "$log")"
ok "refusal logged to authpriv.warning"

# On a host where pam_jail runs, /run/pam_jail is its private 0700 state dir.
chmod 0700 /run/pam_jail
expect_refusal "the host's private state dir" "this session is not inside a pam_jail jail"
chmod 0755 /run/pam_jail

fj_marker
chown "$fj_uid" /run/pam_jail/jail
expect_refusal "user-owned marker" "is owned by uid $fj_uid, not root"

fj_marker
chmod 0646 /run/pam_jail/jail
expect_refusal "world-writable marker" "is writable by others"

fj_marker
chmod 0757 /run/pam_jail
expect_refusal "writable marker directory" "'/run/pam_jail' is writable by others"
chmod 0755 /run/pam_jail

fj_marker
mv /run/pam_jail/jail /run/pam_jail/real
ln -s real /run/pam_jail/jail
expect_refusal "symlinked marker" "symbolic link"
rm -f /run/pam_jail/jail /run/pam_jail/real

# A marker planted by a user in a directory they own.
fj_marker
mv /run/pam_jail /run/pam_jail.real
install -d -m 0755 -o "$fj_uid" /run/pam_jail
cp -p /run/pam_jail.real/jail /run/pam_jail/jail
expect_refusal "marker in a user-owned directory" "'/run/pam_jail' is owned by uid"
rm -rf /run/pam_jail && mv /run/pam_jail.real /run/pam_jail

# Another jail's marker: the host's mount namespace, and a namespace of its own.
host=$3
fj_marker mntns_dev="${host% *}" mntns_ino="${host#* }"
expect_refusal "another namespace's marker (the host's)" "belongs to another mount namespace"
other=$(unshare -m stat -L -c '%d %i' /proc/self/ns/mnt)
fj_marker mntns_dev="${other% *}" mntns_ino="${other#* }"
expect_refusal "another namespace's marker (a sibling's)" "belongs to another mount namespace"

# Another user's marker.
fj_marker uid=$((fj_uid + 1))
expect_refusal "another user's marker" "the jail marker is for uid $((fj_uid + 1))"

# Garbage and a marker of a future version (unknown key).
fj_marker
chmod 0644 /run/pam_jail/jail && echo "colour=blue" >>/run/pam_jail/jail
expect_refusal "unknown key" "unknown key 'colour'"
printf 'hello\n' >/run/pam_jail/jail
expect_refusal "garbage" "bad jail marker"
rm -f /run/pam_jail/jail && mkdir /run/pam_jail/jail
expect_refusal "a directory as marker" "not a regular file"
rmdir /run/pam_jail/jail

# A set-user-ID copy would check the marker for the wrong uid: refused.
fj_marker
cp "$BUILD/jailsh" "$fj_dir/jailsh-suid" && chmod 4755 "$fj_dir/jailsh-suid"
fj_jailsh=$fj_dir/jailsh-suid
expect_refusal "set-user-ID jailsh" "must not be set-user-ID"
fj_jailsh=$BUILD/jailsh

# The refusal comes before option parsing: even a bad option gets it.
rm -f /run/pam_jail/jail
fj_run -- jailsh --bogus
assert_eq 1 "$fj_rc" "refusal before options"
ok "refusal precedes everything else"
