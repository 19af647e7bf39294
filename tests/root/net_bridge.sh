#!/bin/bash
# Bridged jails (network.mode = "bridge"), all inside a network namespace
# this test makes (net_env.bash): the bridge is created on the first login
# with its gateway address; a jail gets eth0 with an address of the pool,
# the default route via the gateway, the profile's DNS in resolv.conf, and
# reaches a server on the gateway; two jails on an isolating bridge can't
# reach each other, and can on a bridge whose profile allows it; after
# logout no veth, address, bridge port or lease is left.
. "$TESTS/lib.sh"
. "$TESTS/root/net_env.bash"
net_enter "$@"
. "$TESTS/root/jail_env.bash"
je_setup "$@"
need_cmd timeout

u2=$(uniq_name v)
make_user "$u2" -G "$je_group" || fail "useradd $u2"

GW_PORT=7000
JAIL_PORT=7001
# The "host's" server, on every address of the test namespace.
python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", '$GW_PORT'))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(b"hello-gw\n")
    c.close()
' &
srv=$!
on_exit kill "$srv"
for _ in $(seq 50); do
    (exec 3<>/dev/tcp/127.0.0.1/$GW_PORT) 2>/dev/null && break
    sleep 0.1
done

bridge_policy() { # bridge pool gateway isolate
    je_default_policy "network = { mode = \"bridge\"; bridge = \"$1\"; pool4 = \"$2\";
        gateway4 = \"$3\"; dns = [\"10.213.9.53\", \"10.213.9.54\"]; isolate = $4; };"
}

# jail 1: report what it sees, then serve on its own address
jail1='
echo "addr=$(ip -o -4 addr show dev eth0 | awk "{print \$4}")"
echo "route=$(ip -4 route show default)"
echo "ifaces=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " ")"
echo "resolv=$(grep ^nameserver /etc/resolv.conf | tr "\n" " ")"
echo "gw=$(timeout 3 bash -c "exec 3<>/dev/tcp/$GW/'$GW_PORT'; head -1 <&3" 2>&1)"
echo x >>/etc/resolv.conf 2>/dev/null && echo "WROTE_RESOLV"
python3 -c "
import socket, os
s = socket.socket()
s.bind((\"0.0.0.0\", '$JAIL_PORT'))
s.listen(4)
open(\"/tmp/listening\", \"w\").close()
while True:
    c, _ = s.accept()
    c.sendall(b\"hello-jail1\n\")
    c.close()
" &
for _ in $(seq 50); do [ -e /tmp/listening ] && break; sleep 0.1; done
echo READY
read -r _
kill $!
'
# jail 2: one shot, the gateway and jail 1
probe='
echo "gw=$(timeout 3 bash -c "exec 3<>/dev/tcp/$GW/'$GW_PORT'; head -1 <&3" 2>&1)"
echo "peer=$(timeout 4 bash -c "exec 3<>/dev/tcp/$PEER/'$JAIL_PORT'; head -1 <&3" 2>/dev/null || echo unreachable)"
'

je_service

round() { # bridge net isolate expect-peer
    local br=$1 net=$2 isolate=$3 expect=$4 key=u$je_uid veth addr out links0
    links0=$(net_links)
    bridge_policy "$br" "$net.0/24" "$net.1" "$isolate"
    GW=$net.1 net_hold j1 "$je_user" "GW=$net.1; $jail1"
    out=$(cat "$je/j1.out")
    echo "$out"
    addr=$(sed -n 's/^net4=//p' "$je/state/jails/$key/info")
    veth=$(je_info "$key" veth)
    assert_contains "$out" "addr=$addr" "eth0 has the address the registry records"
    assert_contains "$addr" "$net." "the address is from the pool"
    assert_contains "$addr" "/24" "with the pool's prefix"
    assert_ne "$net.1/24" "$addr" "not the gateway's"
    assert_contains "$out" "route=default via $net.1 dev eth0" "default route via the gateway"
    assert_contains "$out" "ifaces=eth0 lo " "the jail has lo and eth0 only"
    assert_contains "$out" "resolv=nameserver 10.213.9.53 nameserver 10.213.9.54 " \
        "resolv.conf lists the profile's DNS"
    assert_not_contains "$out" WROTE_RESOLV "the jail's resolv.conf is read-only"
    assert_contains "$out" "gw=hello-gw" "a server on the gateway is reachable"
    ok "$br: eth0 $addr, route, resolv.conf, gateway reachable"

    # host side
    ip -o -4 addr show dev "$br" | grep -qF " $net.1/24 " || fail "$br lacks its gateway address"
    ip -o link show dev "$br" | grep -q "state UP\|,UP" || fail "$br is not up"
    ip -o link show master "$br" | grep -qF "$veth@" || fail "$veth is not a port of $br"
    if [ "$isolate" = true ]; then
        ip -d link show dev "$veth" | grep -q "isolated on" || fail "$veth is not isolated"
    else
        ip -d link show dev "$veth" | grep -q "isolated off" || fail "$veth is isolated"
    fi
    [ -e "$je/state/net/ip4-${addr%/*}" ] || fail "no lease for $addr"
    ok "$br: bridge with gateway, $veth its port (isolated=$isolate), lease recorded"

    out=$(HOME=/home/$u2 je_session -U "$u2" -- bash -c "GW=$net.1; PEER=${addr%/*}; $probe" 2>&1)
    echo "$out"
    assert_contains "$out" "gw=hello-gw" "the second jail reaches the gateway"
    assert_contains "$out" "peer=$expect" "the second jail and the first (isolate=$isolate)"
    ok "$br: second jail reaches the gateway; the first: $expect"

    net_release j1
    je_wait_gone || fail "jails did not end"
    [ -z "$(ip -o link show master "$br")" ] || fail "$br still has ports"
    net_wait_leases || fail "leases left"
    assert_eq "$( (echo "$links0"; echo "$br") | sort -u)" "$(net_links)" \
        "no link is left but the bridge"
    ok "$br: after logout no veth, port or lease is left"
}

round pjbr0 10.213.0 true unreachable
round pjbr1 10.213.1 false hello-jail1
