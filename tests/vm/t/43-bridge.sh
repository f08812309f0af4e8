#!/bin/bash
# Issue 16, finding 6: frames the bridge forwards are not sluice's.  The
# gateway's LAN side is a bridge (br0) with two LAN hosts (h1, h2) on two
# ports, br_netfilter loaded and net.bridge.bridge-nf-call-iptables=1 and
# -ip6tables=1 (so the bridge calls the IPv4/IPv6 PREROUTING hooks for
# bridged frames).  sluice in tproxy mode, LAN br0, no tunnel client and
# `no-listener drop`: TCP and UDP, v4 and v6, from h1 to h2 through the
# bridge are answered, and sluice counts them as `bridged`, never as
# redirect or no-listener.  A flow from h1 to an Internet host (routed by
# the gateway) is still decided and dropped (no_listener_drop): sluice is
# there, and only bridged frames are left alone.
# timeout: 180
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || { echo "--- sluicectl status"; ctl status 2>&1; }'

H1_4=192.0.2.2 H1_6=2001:db8:1::2
H2_4=192.0.2.3 H2_6=2001:db8:1::3
PORT=7000

step "br_netfilter"
modprobe br_netfilter || fail "modprobe br_netfilter failed: the guest kernel has no br_netfilter"

step topology
for ns in gw h1 h2; do
	ip netns add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	ip -n "$ns" link set lo up
done
ip link add name p1 netns gw type veth peer name eth0 netns h1
ip link add name p2 netns gw type veth peer name eth0 netns h2
ip -n gw -b - <<-EOF
	link add br0 type bridge
	link set p1 master br0
	link set p2 master br0
	addr add $GW_LAN4/24 dev br0
	addr add $GW_LAN6/64 dev br0 nodad
	link add wan0 type dummy
	addr add $GW_WAN4/24 dev wan0
	link set p1 up
	link set p2 up
	link set br0 up
	link set wan0 up
EOF
in_gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
in_gw sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 ||
	fail "net.bridge.bridge-nf-call-iptables not settable in the gateway's namespace"
assert_eq 1 "$(in_gw sysctl -n net.bridge.bridge-nf-call-iptables)" "bridge-nf-call-iptables"
assert_eq 1 "$(in_gw sysctl -n net.bridge.bridge-nf-call-ip6tables)" "bridge-nf-call-ip6tables"
for h in "h1 $H1_4 $H1_6" "h2 $H2_4 $H2_6"; do
	read -r ns a4 a6 <<<"$h"
	ip -n "$ns" -b - <<-EOF
		addr add $a4/24 dev eth0
		addr add $a6/64 dev eth0 nodad
		link set eth0 up
		route add default via $GW_LAN4
		route add default via $GW_LAN6
	EOF
done
_up() {
	local l
	for l in "gw br0" "gw p1" "gw p2" "h1 eth0" "h2 eth0"; do
		# shellcheck disable=SC2086
		ip -n ${l% *} link show dev ${l#* } | grep -q 'state UP' || return 1
	done
	for l in gw h1 h2; do
		[[ -z $(ip -n "$l" -6 addr show tentative) ]] || return 1
	done
}
wait_for 10 _up || fail "bridge topology did not come up: $(ip -n gw -br link)"

step "sluice: tproxy on br0, no client, no-listener drop"
# shellcheck disable=SC2119 # no module parameters
load_sluice
ctl set mode tproxy port "$GW_PORT" port6 "$GW_PORT6" lan br0 wan wan0 \
	mark 0xff/0xff no-listener drop enabled on
gw_policy_routing
for a in "$H2_4" "$H2_6"; do
	peer_server h2 tcp "$a" "$PORT"
	peer_server h2 udp "$a" "$PORT"
done

for proto in tcp udp; do
	for dst in "$H2_4" "$H2_6"; do
		want=$H1_4
		[[ $dst == *:* ]] && want=$H1_6
		step "h1 to h2 through the bridge: $proto to $dst"
		snap
		got=$(peer_query h1 "$proto" "$dst" "$PORT") || fail "bridged $proto to $dst: no reply (sluice took the frames)"
		assert_eq "$want" "$got" "bridged $proto to $dst: peer seen by h2"
		moved bridged
		still redirect_tcp4 redirect_tcp6 redirect_udp4 redirect_udp6 no_listener_drop no_listener_pass flow_drop
	done
done

step "h1 to an Internet host: routed, decided, dropped"
snap
if got=$(peer_query h1 udp "$PROXIED4" "$PORT" 2 2>/dev/null); then
	fail "routed udp to $PROXIED4: unexpected reply $got"
fi
moved no_listener_drop
# (not `still bridged`: other LAN-to-LAN frames, such as IPv6 neighbour
# probes between h1 and h2, may cross the bridge meanwhile)
still no_listener_pass
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
