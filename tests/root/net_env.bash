# Shared setup for the network tests (sourced after tests/lib.sh, before
# tests/root/jail_env.bash).
#
#   net_enter "$@"    re-runs the calling script in a network namespace of its
#                     own: the test's "host". The PAM driver, the keeper it
#                     forks and every bridge the keeper makes live in it, so
#                     no address or link of this test touches the real host,
#                     and the namespace's end removes whatever a failed run
#                     left. Addresses are from 10.213.0.0/16, only in here.
#   net_start NAME USER CMD + net_ready NAME: net_hold in two steps, so
#                     several sessions can open at the same time
#   net_hold NAME USER CMD   opens a session of USER running `bash -c CMD`
#                     and returns once CMD printed READY; its output is in
#                     $je/NAME.out; CMD should end with `read -r _`, which
#                     net_release NAME answers (the session then closes).
#   net_wait_leases   waits until every address lease is released
#   net_links         the interfaces of the test's host namespace, sorted
#   net_addrs         its addresses, sorted

need_root
need_cmd ip

net_enter() {
    if [ "${NET_INNER:-}" != 1 ]; then
        NET_INNER=1 exec unshare -n bash "$0" "$@"
    fi
    ip link set lo up || fail "lo up in the test's namespace"
}

declare -A net_fds net_drv net_users
net_start() { # name user cmd
    local name=$1 user=$2 cmd=$3 fd
    mkfifo "$je/$name.hold"
    exec {fd}<>"$je/$name.hold"
    net_fds[$name]=$fd
    net_users[$name]=$user
    HOME=/home/$user je_session -U "$user" -- bash -c "$cmd" \
        <&"$fd" >"$je/$name.out" 2>"$je/$name.err" &
    net_drv[$name]=$!
}

net_ready() { # name
    local name=$1
    for _ in $(seq 100); do
        grep -q READY "$je/$name.out" 2>/dev/null && break
        je_dead "${net_drv[$name]}" && break
        sleep 0.1
    done
    grep -q READY "$je/$name.out" || {
        cat "$je/$name.out" "$je/$name.err"
        fail "session $name did not come up"
    }
    je_track "u$(id -u "${net_users[$name]}")"
}

net_hold() { # name user cmd
    net_start "$@"
    net_ready "$1"
}

net_release() { # name
    local fd=${net_fds[$1]}
    echo >&"$fd"
    wait "${net_drv[$1]}"
    exec {fd}>&-
}

# The registry entry goes before the keeper tears the network down: wait
# for the keepers' last step, the leases' release.
net_wait_leases() { # [timeout-seconds]
    local i
    for ((i = 0; i < ${1:-10} * 10; i++)); do
        ls "$je/state/net" 2>/dev/null | grep -q ^ip4- || return 0
        sleep 0.1
    done
    echo "leases left: $(ls "$je/state/net")" >&2
    return 1
}

net_links() { ip -o link show | awk -F': ' '{print $2}' | sort; }
net_addrs() { ip -o addr show | awk '{print $2, $4}' | sort; }
