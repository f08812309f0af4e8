#!/bin/bash
# `quic reject` (issue 9), real v2ray client and server (tests/vm/
# lib-gateway.sh), peer echo services on port 443 and ECHO_PORT (TCP and
# UDP): LAN UDP to port 443 of a proxied destination is answered with ICMP
# port unreachable (socat reports "Connection refused" at once, counter
# quic_reject), IPv4 and IPv6; TCP 443 and UDP to other ports of the same
# destination are still proxied; UDP 443 to a white-listed destination
# still goes direct (only flows that would be redirected are rejected), as
# does UDP 443 under `default direct` to a destination not in the proxy
# list; `quic pass` (the default) redirects UDP 443 like any other UDP.
# timeout: 300
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || gw_dump'

QUIC=443
GW_TO_PORT=$QUIC

step topology
gw_topology
gw_echo_servers "$QUIC"
gw_echo_servers
gw_sluice tproxy
v2ray_server
v2ray_client tproxy
ctl add "$WLISTED4" "$WLISTED6"
assert_match '"quic": *"pass"' "$(ctl status --json)" "status --json: .config.quic (default)"

step "quic pass (default): UDP 443 proxied"
for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst")
	settled_snap
	expect_peer udp "$dst" "$(svr_of "$dst")" "quic pass: udp$f to $dst"
	moved "redirect_udp$f"
	still quic_reject
	wait_log server "$(acc udp "$dst" "$QUIC")" 1
done

step "quic reject"
ctl set quic reject
assert_match '"quic": *"reject"' "$(ctl status --json)" "status --json: .config.quic"
for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst")
	step "quic reject: udp$f to $dst refused"
	n=$(log_count client ' accepted ')
	settled_snap
	expect_refused udp "$dst"
	moved quic_reject
	still "redirect_udp$f"
	assert_eq "$n" "$(log_count client ' accepted ')" "rejected udp$f: the client must not see it"
	step "quic reject: tcp$f to $dst port $QUIC still proxied"
	settled_snap
	expect_peer tcp "$dst" "$(svr_of "$dst")" "quic reject: tcp$f to $dst"
	moved "redirect_tcp$f"
	still quic_reject
	wait_log server "$(acc tcp "$dst" "$QUIC")" 1
	step "quic reject: udp$f to $dst, another port, still proxied"
	settled_snap
	GW_TO_PORT=$ECHO_PORT expect_peer udp "$dst" "$(svr_of "$dst")" "quic reject: udp$f to $dst port $ECHO_PORT"
	moved "redirect_udp$f"
	still quic_reject
done
assert_match '^reject quic-reject' "$(ctl test "$PROXIED4" proto udp dport "$QUIC" src "$LAN_HOST4" iif lan0)" "test: udp 443"
assert_match '^proxy' "$(ctl test "$PROXIED4" proto tcp dport "$QUIC" src "$LAN_HOST4" iif lan0)" "test: tcp 443"

step "quic reject: white-listed destinations are not rejected"
for dst in "$WLISTED4" "$WLISTED6"; do
	f=$(fam "$dst")
	settled_snap
	expect_peer udp "$dst" "$(gwwan_of "$dst")" "quic reject: white-listed udp$f to $dst"
	moved "white_list_v$f"
	still quic_reject
done
step "quic reject, default direct: only proxy-listed destinations are rejected"
ctl set default direct
ctl -L proxy add "$PROXIED6"
settled_snap
expect_peer udp "$PROXIED4" "$GW_WAN4" "default direct: udp4 to $PROXIED4 (not in the proxy list)"
moved default_direct
still quic_reject
settled_snap
expect_refused udp "$PROXIED6"
moved quic_reject
ctl set default proxy

step "quic pass again: UDP 443 proxied"
ctl set quic pass
for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst")
	n=$(log_count server "$(acc udp "$dst" "$QUIC")")
	settled_snap
	expect_peer udp "$dst" "$(svr_of "$dst")" "quic pass: udp$f to $dst"
	moved "redirect_udp$f"
	still quic_reject
	wait_log server "$(acc udp "$dst" "$QUIC")" $((n + 1))
done
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
