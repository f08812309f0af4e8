#!/bin/bash
# A UDP flow that was proxied must go out masqueraded once redirection is
# switched off (what sluiced does when the client dies under failure-policy
# open), and a direct one must keep working when it is switched on.
# Found by 82-client-kill-open on 6.1: two UDP flows to the proxied host
# reached it from 192.0.2.2, the LAN address, while redirection was off.
# A LAN host that keeps one UDP socket (VoIP, QUIC, a VPN) keeps its
# conntrack entry; the entry of a redirected flow has a null SNAT binding
# (the packets were delivered locally), so when the same flow later goes
# direct it leaves unmasqueraded: on a real WAN the answers never come
# back, for as long as the host keeps sending.
#   stream 1 (one UDP socket to the proxied host): proxied; redirection
#   off -> its answers must come through the gateway's WAN address;
#   new flows meanwhile: direct, masqueraded.
#   stream 2, client and redirection back: direct by the white_list; it
#   keeps that path when its destination leaves the white_list (a flow's
#   verdict is kept in its conntrack entry), until `sluicectl flush-flows`
#   clears the verdict: then one datagram is lost and the flow is
#   proxied (its masqueraded entry must not reach the client with the
#   gateway's address).
# The kernel kills such entries and counts them (stale_nat): in the first
# half the FORWARD guard (a proxied flow's confirmed entry without source
# NAT leaving by the wan), in the second the tproxy hook (a flow to be
# redirected whose entry was masqueraded).
# timeout: 600
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"
# shellcheck source=SCRIPTDIR/../lib-faults.sh
. "$(dirname "$0")/../lib-faults.sh"

# stream_peer NAME: the peer of the last answer of stream NAME
stream_peer() { awk '$1 == "peer" { p = $2 } $2 == "peer" { p = $3 } END { print p }' "$1.stream"; }
peer_is() { [[ $(stream_peer "$1") == "$2" ]]; }
# fl_fails_since NAME MS: the stream's lost exchanges reported at or after MS
fl_fails_since() { awk -v t="$2" '$2 == "fail" && $1 >= t' "$1.stream"; }

step topology
gw_topology
gw_sluice tproxy
fl_servers
v2ray_server
v2ray_client tproxy
# datagrams that reach the proxied hosts straight from the gateway
in_wan nft -f - <<-EOF
	table inet direct {
		counter d4 {}
		counter d6 {}
		chain pre {
			type filter hook prerouting priority -300; policy accept;
			iifname "eth0" ip daddr $PROXIED4 udp dport $FL_PORT counter name d4
			iifname "eth0" ip6 daddr $PROXIED6 udp dport $FL_PORT counter name d6
		}
	}
EOF
direct_count() {
	local out
	out=$(in_wan nft list counter inet direct "$1")
	[[ $out =~ packets\ ([0-9]+) ]] || fail "nft counter $1: $out"
	echo "${BASH_REMATCH[1]}"
}
step "UDP streams, proxied"
fl_stream su4 lan udp "$PROXIED4" 200 "$FAULT_TMO"
fl_stream su6 lan udp "$PROXIED6" 200 "$FAULT_TMO"
assert_eq "$SVR4" "$(stream_peer su4)" "UDP v4 stream proxied at first"
assert_eq "$SVR6" "$(stream_peer su6)" "UDP v6 stream proxied at first"

# What sluiced does when the client dies under failure-policy open: the
# client's sockets go (while they live, the stack itself keeps delivering
# a redirected UDP flow to them, module or not), then redirection goes off.
step "client stopped, redirection off"
v2ray_client_stop
ctl set enabled off
t_off=$(now_ms)
# a new flow goes direct, masqueraded
fl_client nu4 lan udp "$PROXIED4" 1 "$FAULT_TMO" 100
# the old flow: its next answers (it never stopped sending) must come via
# the gateway's WAN address as well
ok4=0 ok6=0
wait_for 30 peer_is su4 "$GW_WAN4" && ok4=1
wait_for 10 peer_is su6 "$GW_WAN6" && ok6=1
fl_stop_all
echo "STREAM su4: $(grep -v '^stream' su4.stream | tail -n 3 | tr '\n' ' ') $(tail -n1 su4.stream)"
echo "STREAM su6: $(grep -v '^stream' su6.stream | tail -n 3 | tr '\n' ' ') $(tail -n1 su6.stream)"
echo "FLOWS nu4: $(fl_summary nu4.flows)"
bad=$(fl_lines nu4.flows "$t_off" 99999999999999 "notok:$GW_WAN4")
[[ -z $bad ]] || fail "new UDP flows with redirection off not direct and masqueraded: $(head -n 3 <<<"$bad" | tr '\n' ';')"
((ok4)) || fail "the proxied UDP v4 flow, redirection off: answered through $(stream_peer su4), not the gateway's WAN address $GW_WAN4 (its conntrack entry kept the binding of the redirected flow)"
((ok6)) || fail "the proxied UDP v6 flow, redirection off: answered through $(stream_peer su6), not $GW_WAN6"
stale=$(ctr stale_nat)
# exactly one per flow: the guard kills the entry and drops the datagram
# that found it, the next one starts a masqueraded entry
assert_eq 2 "$stale" "stale_nat after two proxied flows switched to direct"

step "client and redirection back: a direct UDP flow stays direct until flush-flows"
v2ray_client tproxy
ctl set enabled on
ctl add "$PROXIED4" "$PROXIED6" source runtime
fl_stream sw4 lan udp "$PROXIED4" 200 "$FAULT_TMO"
fl_stream sw6 lan udp "$PROXIED6" 200 "$FAULT_TMO"
wait_for 30 peer_is sw4 "$GW_WAN4" || fail "white-listed UDP v4 flow not direct: $(stream_peer sw4)"
wait_for 30 peer_is sw6 "$GW_WAN6" || fail "white-listed UDP v6 flow not direct: $(stream_peer sw6)"
ctl del "$PROXIED4" "$PROXIED6" source runtime
t_del=$(now_ms)
snap
# the streams go on: 10 more datagrams each reach the Internet host
# straight from the gateway (an nft counter in wan), and the path has not
# changed
d4=$(direct_count d4) d6=$(direct_count d6)
_direct_ge() { (($(direct_count d4) >= d4 + $1 && $(direct_count d6) >= d6 + $1)); }
wait_for 30 _direct_ge 10 || fail "the streams stopped after the white_list change: direct datagrams v4 $d4 -> $(direct_count d4), v6 $d6 -> $(direct_count d6)"
peer_is sw4 "$GW_WAN4" || fail "UDP v4 flow changed path when its destination left the white_list: $(stream_peer sw4)"
peer_is sw6 "$GW_WAN6" || fail "UDP v6 flow changed path when its destination left the white_list: $(stream_peer sw6)"
[[ -z $(fl_fails_since sw4 "$t_del") && -z $(fl_fails_since sw6 "$t_del") ]] ||
	fail "datagrams lost after the white_list change: $(fl_fails_since sw4 "$t_del") $(fl_fails_since sw6 "$t_del")"
still stale_nat redirect_udp4 redirect_udp6
step "flush-flows: the flows are decided again, proxied"
# the streams' entries are the only ones to these hosts with a verdict (the
# first half's were made with redirection off)
assert_eq "1 flows will be decided again" "$(ctl flush-flows "$PROXIED4")" "flush-flows $PROXIED4"
assert_eq "1 flows will be decided again" "$(ctl flush-flows "$PROXIED6")" "flush-flows $PROXIED6"
t_flush=$(now_ms)
wait_for 30 peer_is sw4 "$SVR4" || fail "UDP v4 flow not proxied after flush-flows: answered through $(stream_peer sw4)"
wait_for 30 peer_is sw6 "$SVR6" || fail "UDP v6 flow not proxied after flush-flows: answered through $(stream_peer sw6)"
fl_stop_all
echo "STREAM sw4: $(tail -n1 sw4.stream)"
echo "STREAM sw6: $(tail -n1 sw6.stream)"
lost4=$(fl_fails_since sw4 "$t_flush" | grep -c . || true)
lost6=$(fl_fails_since sw6 "$t_flush" | grep -c . || true)
echo "lost after flush-flows: v4 $lost4, v6 $lost6"
((lost4 <= 1 && lost6 <= 1)) || fail "datagrams lost after flush-flows: v4 $lost4, v6 $lost6 (at most 1 each)"
stale2=$(ctr stale_nat)
echo "stale_nat: $stale after the client stopped, $stale2 at the end"
# one per flow: its masqueraded entry killed when the flow was redirected
assert_eq $((stale + 2)) "$stale2" "stale_nat after two direct flows were decided again"
assert_eq 0 "$(ctr errors)" "errors counter"
echo PASS
