#!/bin/bash
# `dns PORT`: LAN DNS (UDP and TCP port 53, IPv4 and IPv6 transport, to any
# server address) is answered by the v2ray client's DNS inbound
# (dokodemo-door on DNS_PORT, dns outbound, v2ray's DNS asking a resolver
# on the tunnel side).  Two resolvers know DNS_NAME (tests/vm/lib-gateway.sh):
# the ISP's in wan answers ISP_ANS, the tunnel side's, on the v2ray server's
# loopback, answers TUN_ANS: a TUN_ANS answer can only have come through the
# client and the tunnel.  DNS is redirected before the white_list decision.
# The gateway's own DNS: with `local on` and dns-local off it stays direct
# (counter local_dns); dns-local on redirects it too; `local off` leaves it
# alone.  Both modes (the DNS redirect is NAT in both); `dns off` ends it.
# timeout: 480
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || gw_dump'

ans_of() { # TYPE FAMILY-OF-ANSWER: the tunnel's answer
	if [[ $1 == AAAA ]]; then echo "$TUN_ANS6"; else echo "$TUN_ANS4"; fi
}
# lan_dns_redirected SERVER TYPE [tcp]: a LAN dig to SERVER gets the
# tunnel's answer; the DNS counter of SERVER's family moves, no redirect
# counter does
lan_dns_redirected() {
	local f
	f=$(fam "$1")
	settled_snap
	expect_dns lan "$1" "$2" "$(ans_of "$2")" "${3:-}"
	moved "dns$f"
	still redirect_tcp4 redirect_tcp6 redirect_udp4 redirect_udp6 "white_list_v$f"
}

# isp_queries: how many queries the ISP resolver has logged
isp_queries() { log_count dnsmasq-isp "query["; }

step topology
gw_topology
gw_dns_servers
gw_sluice tproxy
v2ray_server
# in a cgroup of its own, as sluiced puts it: the loop guard never
# redirects the gateway's own flows from the client's cgroup (the test's
# dig would share the client's cgroup otherwise)
gw_cgroup GW_CLIENT_CG v2ray-client
v2ray_client tproxy
step "dns off: LAN DNS goes to the server it asks"
settled_snap
expect_dns lan "$ISP_DNS4" A "$ISP_ANS4"
expect_dns lan "$ISP_DNS6" AAAA "$ISP_ANS6" tcp
still dns4 dns6
n_isp=$(isp_queries)
((n_isp >= 2)) || fail "the ISP resolver logged $n_isp queries, expected 2"

step "dns $DNS_PORT: LAN DNS answered through the client"
ctl set dns "$DNS_PORT"
assert_match "\"dns_port\": *$DNS_PORT" "$(ctl status --json)" "status --json: .config.dns_port"
for srv in "$ISP_DNS4" "$ISP_DNS6"; do
	for proto in udp tcp; do
		step "LAN dig @$srv over $proto"
		lan_dns_redirected "$srv" A "$proto"
		lan_dns_redirected "$srv" AAAA "$proto"
	done
done
# the tunnel-side resolver was asked, through the v2ray server
wait_for 10 grep -q "query\[A\] $DNS_NAME from $TUN_DNS" "$GW_LOGDIR/dnsmasq-tun.log" ||
	fail "the tunnel-side resolver was never asked"
wait_log server "$(acc udp "$TUN_DNS" 53)" 1
assert_eq "$n_isp" "$(isp_queries)" "queries the ISP resolver got while LAN DNS was redirected"

step "any server address, even one without a resolver"
lan_dns_redirected "$WAN_RTR4" A
lan_dns_redirected "$PROXIED6" AAAA tcp
step "before the white_list"
ctl add "$ISP_DNS4" "$ISP_DNS6"
lan_dns_redirected "$ISP_DNS4" A
lan_dns_redirected "$ISP_DNS6" A tcp
assert_match '^dns' "$(ctl test "$ISP_DNS4" proto udp dport 53 src "$LAN_HOST4" iif lan0)" "test: LAN DNS"
ctl del "$ISP_DNS4" "$ISP_DNS6"

# ---- the gateway's own DNS
step "local on, dns-local off: the gateway's own DNS stays direct"
ctl set local on dns-local off
for proto in udp tcp; do
	settled_snap
	expect_dns gw "$ISP_DNS4" A "$ISP_ANS4" "$proto"
	expect_dns gw "$ISP_DNS6" AAAA "$ISP_ANS6" "$proto"
	moved local_dns
	still dns4 dns6 local_out
done
assert_match '^direct local-dns' "$(ctl test "$ISP_DNS4" proto udp dport 53 local)" "test: gateway DNS, dns-local off"
step "dns-local on: the gateway's own DNS through the client"
ctl set dns-local on
for srv in "$ISP_DNS4" "$ISP_DNS6"; do
	f=$(fam "$srv")
	for proto in udp tcp; do
		settled_snap
		expect_dns gw "$srv" A "$TUN_ANS4" "$proto"
		expect_dns gw "$srv" AAAA "$TUN_ANS6" "$proto"
		moved "dns$f"
		still local_dns
	done
done
assert_match '^dns' "$(ctl test "$ISP_DNS6" proto tcp dport 53 local)" "test: gateway DNS, dns-local on"
step "local off: dns-local alone does not touch the gateway's own DNS"
ctl set local off
settled_snap
expect_dns gw "$ISP_DNS4" A "$ISP_ANS4"
expect_dns gw "$ISP_DNS6" A "$ISP_ANS4" tcp
still dns4 dns6
# and LAN DNS is still redirected
lan_dns_redirected "$ISP_DNS4" AAAA

# ---- redirect mode: the same NAT redirect
step "redirect mode"
v2ray_client_stop
ctl set mode redirect local on
v2ray_client redirect
for srv in "$ISP_DNS4" "$ISP_DNS6"; do
	lan_dns_redirected "$srv" A
	lan_dns_redirected "$srv" AAAA tcp
done
settled_snap
expect_dns gw "$ISP_DNS4" A "$TUN_ANS4"
expect_dns gw "$ISP_DNS6" AAAA "$TUN_ANS6" tcp
moved dns4 dns6
ctl set dns-local off
settled_snap
expect_dns gw "$ISP_DNS4" A "$ISP_ANS4"
moved local_dns
still dns4

# (still redirect mode: UDP goes direct, TCP over IPv4 through v2ray, TCP
# over IPv6 to v2ray, which cannot proxy it; see 41-v2ray-redirect.sh)
step "dns off"
ctl set dns off
settled_snap
expect_dns lan "$ISP_DNS4" A "$ISP_ANS4"
expect_dns lan "$ISP_DNS6" AAAA "$ISP_ANS6"
expect_dns lan "$ISP_DNS4" AAAA "$ISP_ANS6" tcp
still dns4 dns6
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
