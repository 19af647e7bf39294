#!/bin/bash
# Address pool of bridged jails, in a network namespace of the test's own:
# 10.213.4.0/29 with the gateway .1 leaves .2 to .6, five addresses (the
# network and broadcast addresses and the gateway are never handed out).
# Five users logging in at once get five different addresses; the sixth is refused
# with a log line that names the pool. A keeper killed with SIGKILL frees
# its address (its lease's flock dies with it) and the next jail that takes
# the address deletes the veth the dead keeper left behind. At the end no
# lease, veth or bridge port is left.
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"

je_default_policy 'network = { mode = "bridge"; bridge = "pjpool0"; pool4 = "10.213.4.0/29";
    gateway4 = "10.213.4.1"; };'
je_service
users=("$je_user")
for i in 1 2 3 4 5; do
    u=$(uniq_name "p$i")
    make_user "$u" -G "$je_group" || fail "useradd $u"
    users+=("$u")
done
hold='echo "addr=$(ip -o -4 addr show dev eth0 | awk "{print \$4}")"; echo READY; read -r _'

# five logins at the same time: the pool lock keeps their addresses apart
for i in 0 1 2 3 4; do net_start "s$i" "${users[$i]}" "$hold"; done
addrs=()
for i in 0 1 2 3 4; do
    net_ready "s$i"
    addrs+=("$(sed -n 's/^addr=//p' "$je/s$i.out")")
done
echo "addresses: ${addrs[*]}"
assert_eq "10.213.4.2/29 10.213.4.3/29 10.213.4.4/29 10.213.4.5/29 10.213.4.6/29" \
    "$(printf '%s\n' "${addrs[@]}" | sort -V | tr '\n' ' ' | sed 's/ $//')" \
    "five users, the five host addresses of the pool, none twice"
ok "five concurrent jails: five distinct addresses of the pool"

HOME=/home/${users[5]} je_session -U "${users[5]}" -- true >"$je/s5.out" 2>&1
assert_eq 10 "$?" "the sixth login must be refused"
je_wait_log "address pool 10.213.4.0/29 is exhausted: all 5 addresses are in use" ||
    { cat "$je_log"; fail "no log line about the exhausted pool"; }
grep -F "exhausted" "$je_log"
ok "the sixth login is refused: the pool is exhausted, and the log says so"

# ---- a killed keeper frees its address; its veth goes with the next lease ----
key=u$(id -u "${users[2]}")
keeper=$(je_info "$key" keeper)
init=$(je_info "$key" init)
dead_veth=$(je_info "$key" veth)
dead_addr=$(sed -n 's/^net4=//p' "$je/state/jails/$key/info")
# Something may outlive the jail in its network namespace (an sshd monitor
# that joined it): the test stands in for it with an fd of the namespace.
exec {nsfd}</proc/"$init"/ns/net || fail "the jail's network namespace"
kill -9 "$keeper"
for _ in $(seq 100); do je_dead "$init" && break; sleep 0.1; done
je_dead "$init" || fail "the jail init outlived its keeper"
# So the dead jail's veth is still there: the next lease of the address
# must remove it.
ip link show dev "$dead_veth" >/dev/null 2>&1 || fail "expected $dead_veth to outlive its keeper"
net_hold s5 "${users[5]}" "$hold"
got=$(sed -n 's/^addr=//p' "$je/s5.out")
assert_eq "$dead_addr" "$got" "the killed keeper's address is leased again"
ip link show dev "$dead_veth" >/dev/null 2>&1 && fail "the dead jail's veth $dead_veth is still there"
ok "a killed keeper's address is free again ($got), its veth removed"
exec {nsfd}<&-

# ---- a killed init: the keeper ends the jail and frees its network ----
key=u$(id -u "${users[0]}")
init=$(je_info "$key" init)
veth=$(je_info "$key" veth)
addr=$(sed -n 's/^net4=//p' "$je/state/jails/$key/info")
kill -9 "$init"
for _ in $(seq 100); do
    [ -e "$je/state/net/ip4-${addr%/*}" ] || break
    sleep 0.1
done
[ -e "$je/state/net/ip4-${addr%/*}" ] && fail "the lease of $addr outlived its jail's init"
ip link show dev "$veth" >/dev/null 2>&1 && fail "$veth outlived its jail's init"
ok "a killed init: its keeper removed $veth and freed $addr"

for i in 0 1 2 3 4 5; do net_release "s$i"; done
# the killed keeper's registry entry is cleaned by its user's next login
HOME=/home/${users[2]} je_session -U "${users[2]}" -- true || fail "login after the kill"
je_wait_gone 15 || fail "jails did not end"
net_wait_leases || fail "leases left"
[ -z "$(ip -o link show master pjpool0)" ] || fail "ports left on pjpool0"
[ -z "$(ip -o link show | grep -o ' pj[0-9a-f]\{13\}')" ] || fail "veths left: $(ip -o link show)"
ok "after logout: no lease, port or veth left"

# ---- refused logins leave nothing behind ----
refused() { # what log-text policy-network
    je_default_policy "network = { mode = \"bridge\"; $3 };"
    HOME=/home/$je_user je_session -U "$je_user" -- true >/dev/null 2>&1
    assert_eq 10 "$?" "$1: the login must be refused"
    je_wait_log "$2" || { tail -3 "$je_log"; fail "$1: no log line '$2'"; }
    je_wait_gone 10 || fail "$1: the jail did not end"
    net_wait_leases || fail "$1: leases left"
    [ -z "$(ip -o link show | grep -o ' pj[0-9a-f]\{13\}')" ] || fail "$1: a veth is left"
    ok "$1: refused ('$2'), no lease or veth left"
}
# "lo" is no bridge: enslaving the veth fails after the address was leased
# and the veth made; both must be undone
refused "a bridge that is not one" "joining the bridge" \
    'bridge = "lo"; pool4 = "10.213.4.0/29";'
refused "IPv6 pool" "network.pool6 (IPv6) is not supported yet" \
    'bridge = "pjpool0"; pool4 = "10.213.4.0/29"; pool6 = "fd00:213::/64";'
