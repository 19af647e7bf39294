#!/bin/bash
# One jailed session, looked at from inside and from the host while it is
# open, and after it closed: namespaces, root, /proc, lo, hostname, home,
# /dev, no host fd, escapes, the log lines, and nothing left behind.
. "$TESTS/lib.sh"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
je_default_policy
je_service

# ---- the session stays open while the command waits for a line on a fifo ----
mkfifo "$je/hold"
exec 7<>"$je/hold"
on_exit "exec 7>&-"
inside='
echo "uid=$(id -u) JAIL_ID=$JAIL_ID JAIL_PROFILE=$JAIL_PROFILE"
echo "hostname=$(cat /proc/sys/kernel/hostname)"
echo "pid1=$(tr "\0" " " </proc/1/cmdline)"
echo "procs=$(cd /proc && echo [0-9]* | wc -w)"
echo "ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\n" " ")"
echo "lo=$(ip -o link show lo 2>&1 | grep -o "<[^>]*>")"
echo "home=$(stat -c "%U %a" "$HOME") size=$(df -B1 --output=size "$HOME" | tail -1 | tr -d " ")"
echo "homefs=$(stat -f -c %T "$HOME")"
echo "dev=$(ls -A /dev | tr "\n" " ")"
echo "tmp=$(stat -c %a /tmp) $(stat -f -c %T /tmp)"
echo "hidden_root=$(ls -A /root 2>&1 | wc -l) hidden_home=$(ls -A /home | tr "\n" " ")"
echo "hide_dev=$(stat -c %d /root) $(stat -c %d /work) $(stat -c %d /home) $(stat -f -c %T /root)"
echo "hide_opts=$(awk "\$5 == \"/root\" || \$5 == \"/work\" { print \$5, \$6 }" /proc/self/mountinfo | tr "\n" " ")"
echo "dotdot=$(cd /.. && pwd -P) $(cd /../.. && ls -di . | cut -d" " -f1) $(ls -di / | cut -d" " -f1)"
touch /etc/pj_escape 2>/dev/null && echo "WROTE_ETC"
touch /pj_escape 2>/dev/null && echo "WROTE_ROOT"
touch /tmp/ok && echo "tmp_writable"
echo "vartmp=$(stat -c %a /var/tmp) $(stat -f -c %T /var/tmp)" \
    "size=$(df -B1 --output=size /var/tmp | tail -1 | tr -d " ")" \
    "own_fs=$([ "$(stat -c %d /var/tmp)" != "$(stat -c %d /tmp)" ] && echo yes)"
echo "left by session one" >"/var/tmp/pj-of-$(id -un)" && echo "vartmp_writable"
head -c 33554433 /dev/zero >/var/tmp/pj-big 2>/dev/null && echo "VARTMP_OVER_SIZE"
rm -f /var/tmp/pj-big
echo "marker=$(stat -c "%U %a" /run/pam_jail/jail) $(grep -c "^id=$JAIL_ID$" /run/pam_jail/jail)"
echo READY
read -r _
'
HOME=/home/$je_user je_session -p -e -U "$je_user" -- sh -c "$inside" \
    <&7 >"$je/out" 2>"$je/err" &
drv=$!
for _ in $(seq 100); do grep -q READY "$je/out" 2>/dev/null && break; sleep 0.1; done
grep -q READY "$je/out" || { cat "$je/out" "$je/err"; fail "the session did not come up"; }
cat "$je/out"

key=u$je_uid
je_track "$key"
init=$(je_info "$key" init)
keeper=$(je_info "$key" keeper)
id=$(je_info "$key" id)
child=$(sed -n 's/^CHILD //p' "$je/err")
[ -n "$init" ] && [ -n "$child" ] && [ -n "$keeper" ] || fail "no init/keeper/child pid"
# Not a systemd host: the keeper has no D-Bus call to make, so it must not
# have loaded libsystemd and its libraries (init/keeper_sdbus.h).
if [ ! -d /run/systemd/system ]; then
    ! grep -q 'libsystemd\.so' "/proc/$keeper/maps" "/proc/$init/maps" ||
        fail "the keeper or the jail's PID 1 loaded libsystemd on a host without systemd"
fi
out=$(cat "$je/out")

# ---- inside ----
assert_contains "$out" "JAIL_PROFILE=student" "PAM env JAIL_PROFILE"
assert_contains "$out" "JAIL_ID=$id" "PAM env JAIL_ID is the registry's id"
assert_contains "$out" "uid=$je_uid JAIL_ID=$id" "the command runs as the user"
assert_contains "$out" "hostname=jail-$je_user" "hostname from the profile"
assert_contains "$out" "pid1=jail-init" "PID 1 is the jail's init"
assert_contains "$out" "ifaces=lo " "lo is the only interface"
assert_contains "$out" "lo=<LOOPBACK,UP,LOWER_UP>" "lo is up"
assert_contains "$out" "home=$je_user 700 size=16777216" "home: owner, mode, size"
assert_contains "$out" "homefs=tmpfs" "home is a tmpfs"
assert_contains "$out" "dev=fd full log null ptmx pts random shm stderr stdin stdout tty urandom zero " \
    "/dev holds only the minimal set (log: the keeper's socket, tests/root/jail_syslog.sh)"
assert_contains "$out" "tmp=1777 tmpfs" "/tmp is a fresh tmpfs"
assert_contains "$out" "hidden_root=0 hidden_home=$je_user " "/root empty, /home only the user's"
assert_not_contains "$out" WROTE_ "the jail root is read-only"
assert_contains "$out" "tmp_writable" "/tmp is writable"
assert_contains "$out" "vartmp=1777 tmpfs size=33554432 own_fs=yes" \
    "/var/tmp: its own tmpfs, sticky, tmp.size"
assert_contains "$out" "vartmp_writable" "/var/tmp is writable"
assert_not_contains "$out" "VARTMP_OVER_SIZE" "/var/tmp holds no more than tmp.size"
assert_contains "$out" "marker=root 444 1" "marker: root-owned 0444 with this jail's id"
# Hidden directories with no mount below them share one empty read-only
# tmpfs (one open_tree clone each) where the kernel clones a detached mount
# (6.15 and later; probed); elsewhere each has an empty tmpfs of its own.
# /home, with the user's home below it, always has its own (init/jail_mounts.c,
# hide_paths).
hide_dev=$(sed -n 's/^hide_dev=//p' "$je/out")
set -- $hide_dev
"$BUILD/tests/bin/probe_clone_detached" >/dev/null
case $? in
0) [ "$1" = "$2" ] || fail "hidden /root and /work are not one shared tmpfs: $hide_dev"
   shared="one shared" ;;
1) [ "$1" != "$2" ] || fail "hidden /root and /work share a mount on a kernel that refuses clones: $hide_dev"
   shared="each its own (this kernel clones no detached mount)" ;;
*) fail "probe_clone_detached failed" ;;
esac
[ "$1" != "$3" ] || fail "hidden /home shares the empty tmpfs, yet the home is mounted below it"
assert_eq tmpfs "$4" "hidden /root is a tmpfs"
for d in /root /work; do
    assert_contains "$out" "$d ro,nosuid,nodev,noexec" "hidden $d: read-only, nosuid, nodev, noexec"
done
ok "hidden paths: $shared empty read-only tmpfs where nothing is mounted below"
dotdot=$(sed -n 's/^dotdot=//p' "$je/out")
set -- $dotdot
assert_eq / "$1" "/.. is /"
assert_eq "$3" "$2" "/../.. is / (the old root is gone)"
# Only the jail's processes in its /proc: init, sh, (the subshells that ran)
procs=$(sed -n 's/^procs=//p' "$je/out")
[ "$procs" -ge 2 ] && [ "$procs" -le 6 ] || fail "/proc shows $procs processes"
ok "inside: ids, hostname, lo, home, /dev, /tmp, /var/tmp, hidden paths, read-only root, marker"

# ---- from the host, while open ----
for ns in mnt pid net ipc uts cgroup; do
    c=$(readlink "/proc/$child/ns/$ns")
    i=$(readlink "/proc/$init/ns/$ns")
    h=$(readlink "/proc/$$/ns/$ns")
    assert_eq "$i" "$c" "session child's $ns namespace is the init's"
    assert_ne "$h" "$c" "session child's $ns namespace is not the host's"
done
assert_eq "$(readlink /proc/$$/ns/user)" "$(readlink /proc/$child/ns/user)" \
    "no user namespace for the session"
# jail-init's PID 1 holds no fd at all; the command only its stdio.
assert_eq "" "$(ls /proc/$init/fd)" "the jail init has no open fd"
for p in $init $child; do
    for fd in /proc/$p/fd/*; do
        [ -e "$fd" ] || continue
        t=$(readlink "$fd")
        case ${fd##*/} in 0|1|2) ;; *) fail "jailed process $p has fd ${fd##*/} -> $t" ;; esac
        case $t in *:\[*\]) [[ $t == pipe:* || $t == socket:* ]] ||
            fail "jailed process $p fd ${fd##*/} -> $t" ;;
        esac
        [ -d "$fd" ] && fail "jailed process $p fd ${fd##*/} is a directory ($t)"
    done
done
# The root of the jail's processes is the jail's (hidden /home, own home).
assert_eq "$je_user" "$(ls -A /proc/$init/root/home)" "init's root is the jail root"
assert_eq "$je_user" "$(ls -A /proc/$child/root/home)" "the command's root is the jail root"
ok "host view: the session's children share the init's namespaces; no host fd inside"
# The jail's /var/tmp is its own: another session of the jail sees the file
# the first one left there; the host's /var/tmp and another user's jail do not.
vt=/var/tmp/pj-of-$je_user
[ -e "$vt" ] && fail "the file written in the jail's /var/tmp is in the host's"
out=$(HOME=/home/$je_user je_session -U "$je_user" -- cat "$vt" 2>&1)
assert_eq "left by session one" "$out" "another session of the jail sees its /var/tmp"
user2=$(uniq_name v)
make_user "$user2" -G "$je_group" || fail "useradd $user2"
out=$(HOME=/home/$user2 je_session -U "$user2" -- sh -c \
    'echo "n=$(ls -A /var/tmp | wc -l)"; cat "$0" 2>/dev/null && echo SEEN' "$vt" 2>&1)
assert_eq "n=0" "$out" "another user's jail has an empty /var/tmp of its own"
ok "/var/tmp: shared by the jail's sessions, not the host's, not another user's"
mntns=$(readlink /proc/$init/ns/mnt)
netns=$(readlink /proc/$init/ns/net)
[ "$(stat -c %a "$je/state/jails/$key")" = 700 ] || fail "registry entry is not 0700"
assert_eq "socket" "$(stat -c %F "$je/state/jails/$key/control")" "control socket"

# ---- close: the command ends, the driver closes the session ----
echo go >&7
wait "$drv"
rc=$?
assert_eq 0 "$rc" "driver exit status"
je_wait_gone 10 || fail "the jail did not end after its last session"
for p in $init $keeper; do je_dead "$p" || fail "process $p still there"; done
[ -z "$(pgrep -u "$je_user")" ] || fail "a process of the user is left: $(pgrep -au "$je_user")"
je_ns_in_use mnt "$mntns" "$je_user" && fail "the jail's mount namespace is still in use"
je_ns_in_use net "$netns" "$je_user" && fail "the jail's network namespace is still in use"
grep -q "/home/$je_user" /proc/self/mountinfo && fail "the jail's home is mounted on the host"
assert_eq "" "$(je_jails)" "registry is empty"
ok "after the last close: no init, keeper, process, namespace, mount or registry entry"

# ---- the log ----
je_wait_log "jail ended: user=$je_user" || fail "no 'jail ended' line"
log=$(cat "$je_log")
assert_contains "$log" "jail created: user=$je_user profile=student id=$id init=" "created line"
assert_contains "$log" "session opened: user=$je_user profile=student id=$id init=" "opened line"
assert_contains "$log" "session closed: user=$je_user profile=student id=$id" "closed line"
assert_contains "$log" "pam_jail(jail-init)" "the keeper logs under its own ident"
assert_contains "$log" "jail ended: user=$je_user profile=student id=$id" "ended line"
assert_contains "$log" "reason=last session ended" "ended reason"
ok "log: created, opened, closed, ended"

# ---- root inside the jail (as sshd's monitor is) tries the chroot escape ----
# With chroot() as the jail, chroot into a subdir and chdir("..") past it
# reaches the host. After pivot_root with the old root detached there is
# nothing above the jail's / to reach.
escape='
import os
os.makedirs("/tmp/e", exist_ok=True)
fd = os.open("/", os.O_RDONLY)
try:
    os.chroot("/tmp/e")
except PermissionError:
    print("chroot=denied")
    raise SystemExit(0)
os.fchdir(fd)
for _ in range(64):
    os.chdir("..")
os.chroot(".")
print("home=" + " ".join(sorted(os.listdir("/home"))))
print("marker=" + str(os.path.exists("/run/pam_jail/jail")))
print("state=" + str(os.path.exists("'"$je"'/state")))
print("pids=" + str(max(int(p) for p in os.listdir("/proc") if p.isdigit()) < 100))
try:
    open("/proc/sys/kernel/hostname", "w").write("escaped")
    print("sysctl=written")
except OSError as e:
    print("sysctl=" + e.strerror)
'
out=$(je_session "$je_user" -- /usr/bin/python3 -c "$escape" 2>&1) || fail "escape attempt: $out"
# The session's privileges (lib/privs.h, on by default) leave root inside
# no capabilities: chroot itself is refused.
assert_eq chroot=denied "$out" "root inside has no CAP_SYS_CHROOT"
je_wait_gone 10 || fail "escape-test jail did not end"
ok "root inside: no capabilities, chroot refused"
# A profile that keeps cap_sys_chroot: the escape must still end at the
# jail's / (pivot_root, the old root detached).
je_default_policy 'capabilities = ["cap_sys_chroot"];'
out=$(je_session "$je_user" -- /usr/bin/python3 -c "$escape" 2>&1) || fail "escape attempt: $out"
assert_contains "$out" "home=$je_user" "after the escape attempt: still the jail's /home"
assert_contains "$out" "marker=True" "after the escape attempt: still the jail's /run"
assert_contains "$out" "state=False" "after the escape attempt: the host's state dir is unreachable"
assert_contains "$out" "pids=True" "after the escape attempt: only the jail's PIDs"
assert_contains "$out" "sysctl=Read-only file system" "root inside cannot write /proc/sys"
je_wait_gone 10 || fail "escape-test jail did not end"
ok "root inside: the chroot escape ends at the jail's /"

# ---- a profile that wants a /var/tmp that outlives the jail binds one there ----
# (jail.conf(5), tmp.size): the bind goes on top of the jail's own tmpfs.
mkdir -m 0700 "$je/vartmp" && chown "$je_user" "$je/vartmp" || fail "mkdir"
je_default_policy "binds = ( { source = \"$je/vartmp\"; target = \"/var/tmp\"; writable = true; } );"
out=$(HOME=/home/$je_user je_session -U "$je_user" -- sh -c 'echo kept >/var/tmp/kept && echo wrote' 2>&1)
assert_eq wrote "$out" "writing to the bound /var/tmp"
assert_eq kept "$(cat "$je/vartmp/kept" 2>&1)" "the file is in the bound directory"
je_wait_gone 10 || fail "the jail did not end"
ok "a bind at /var/tmp goes on top of the jail's own"
