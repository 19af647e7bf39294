# Shared setup for the pam_jail tier-3 tests (sourced after tests/lib.sh).
#
#   je_setup "$@"     re-runs the calling script in a private mount namespace
#                     whose /dev carries a syslog listener as /dev/log (the
#                     host has none, and its /dev stays untouched), then
#                     makes a private test dir: $je (policy, PAM confdir,
#                     state dir), a group $je_group and a user $je_user in it.
#   je_policy TEXT    writes $je/etc/jail.conf (root-owned 0644)
#   je_service [ARG...]  writes the PAM service $je_svc: pam_jail.so with
#                     config=, init=, statedir= pointing at the test's files
#   je_session [pj_session options] USER [-- CMD...]: runs the driver
#   je_wait_log TEXT  waits (5 s at most) for a log line containing TEXT
#   je_wait_gone      waits until no jail of this test is left: registry
#                     empty, every init and keeper we saw exited
#   je_jails          lists the registry keys

need_root
need_cmd python3
need_cmd unshare
[ -x "$BUILD/pam_jail.so" ] || [ -f "$BUILD/pam_jail.so" ] || skip "pam_jail.so not built"
[ -x "$BUILD/jail-init" ] || skip "jail-init not built"
[ -x "$BUILD/tests/bin/pj_session" ] || skip "pj_session not built"

je_setup() {
    if [ "${JE_INNER:-}" != 1 ]; then
        JE_INNER=1 exec unshare -m --propagation private bash "$0" "$@"
    fi
    je=$(mktemp -d -p /run pjtest.XXXXXX) || fail "mktemp"
    chmod 0755 "$je"
    on_exit rm -rf "$je"
    mkdir -p "$je/etc/jail.d" "$je/pam" "$je/dev"
    chmod 0755 "$je/etc" "$je/etc/jail.d" "$je/pam"
    echo "session required pam_deny.so" >"$je/pam/other" # libpam wants one

    # The syslog listener, then a /dev for this namespace only with it as
    # /dev/log (same device nodes as the host's, bound).
    je_log=$je/syslog
    : >"$je_log"
    python3 - "$je/log.sock" "$je_log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
PY
    je_listener=$!
    on_exit kill "$je_listener"
    for _ in $(seq 50); do [ -S "$je/log.sock" ] && break; sleep 0.1; done
    [ -S "$je/log.sock" ] || fail "syslog listener did not start"
    chmod 0666 "$je/log.sock"
    mount -t tmpfs -o mode=0755 je-dev "$je/dev" || fail "tmpfs for /dev"
    for n in null zero full random urandom tty; do
        touch "$je/dev/$n" && mount --bind "/dev/$n" "$je/dev/$n" || fail "bind /dev/$n"
    done
    mkdir "$je/dev/pts" "$je/dev/shm"
    mount --rbind /dev/pts "$je/dev/pts" || fail "bind /dev/pts"
    ln -s /proc/self/fd "$je/dev/fd"
    touch "$je/dev/log" && mount --bind "$je/log.sock" "$je/dev/log" || fail "bind /dev/log"
    mount --move "$je/dev" /dev || fail "move the new /dev into place"

    je_group=$(uniq_name g)
    je_user=$(uniq_name u)
    make_group "$je_group" || fail "groupadd"
    make_user "$je_user" -G "$je_group" || fail "useradd"
    je_uid=$(id -u "$je_user")
    je_svc=$(uniq_name s)
    je_keepers=()
    je_inits=()
    on_exit je_kill_leftovers
}

# The default test profile: host root, every namespace the issue names.
je_default_profile() {
    cat <<EOF
    namespaces = ["mount", "pid", "net", "ipc", "uts", "cgroup"];
    hostname = "jail-%u";
    root = { type = "host"; hide = ["/home", "/root", "/var/mail", "/run", "/work"]; };
    home = { mode = "tmpfs"; size = "16M"; };
    tmp = { size = "32M"; };
EOF
}

je_policy() {
    printf '%s\n' "$1" >"$je/etc/jail.conf"
    chmod 0644 "$je/etc/jail.conf"
}

# A policy jailing $je_group with the default profile (plus extra lines).
je_default_policy() {
    je_policy "version = 1;
profiles = { student = {
$(je_default_profile)
${1:-}
}; };
rules = ( { group = \"$je_group\"; profile = \"student\"; } );"
}

je_service() {
    echo "session required $BUILD/pam_jail.so config=$je/etc/jail.conf" \
        "init=$BUILD/jail-init statedir=$je/state $*" >"$je/pam/$je_svc"
}

je_session() {
    "$BUILD/tests/bin/pj_session" -c "$je/pam" -s "$je_svc" "$@"
}

je_jails() {
    ls "$je/state/jails" 2>/dev/null
}

je_info() { # key field
    sed -n "s/^$2=//p" "$je/state/jails/$1/info" 2>/dev/null
}

# Remember a jail's processes (for je_wait_gone and the final cleanup).
je_track() { # key
    local k i
    k=$(je_info "$1" keeper)
    i=$(je_info "$1" init)
    [ -n "$k" ] && je_keepers+=("$k")
    [ -n "$i" ] && je_inits+=("$i")
}

je_wait_log() { # text [timeout-seconds]
    local i
    for ((i = 0; i < ${2:-5} * 10; i++)); do
        grep -qF -- "$1" "$je_log" && return 0
        sleep 0.1
    done
    return 1
}

# A process we started is gone (or a zombie nobody will run again).
je_dead() {
    local st
    st=$(sed -n 's/^State:\s*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
    [ -z "$st" ] || [ "$st" = Z ]
}

je_wait_gone() { # [timeout-seconds]
    local i p alive
    for ((i = 0; i < ${1:-10} * 10; i++)); do
        alive=
        [ -z "$(je_jails)" ] || alive=registry
        for p in "${je_keepers[@]}" "${je_inits[@]}"; do
            je_dead "$p" || alive="$alive $p"
        done
        [ -z "$alive" ] && return 0
        sleep 0.1
    done
    echo "still there: $alive" >&2
    return 1
}

# Whatever a failed test left: only the processes it recorded, by PID.
je_kill_leftovers() {
    local p
    for p in "${je_keepers[@]}" "${je_inits[@]}"; do
        kill -9 "$p" 2>/dev/null
    done
}

# Is a process of this test still in the namespace `ns` ("net:[4026532188]")?
# Inode numbers are reused (DESIGN.md fact 10) and other tests create
# namespaces concurrently, so only processes that hold the jail marker of
# this jail id, or run as the user, or run our jail-init, count.
je_ns_in_use() { # type ns-link user
    local f p
    for f in /proc/[0-9]*/ns/"$1"; do
        [ "$(readlink "$f" 2>/dev/null)" = "$2" ] || continue
        p=${f#/proc/}
        p=${p%%/*}
        if [ "$(stat -c %U "/proc/$p" 2>/dev/null)" = "$3" ] ||
            [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$BUILD/jail-init" ]; then
            echo "namespace $2 is held by $p: $(tr '\0' ' ' <"/proc/$p/cmdline")" >&2
            return 0
        fi
    done
    return 1
}
