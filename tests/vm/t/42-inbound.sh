#!/bin/bash
# Inbound connections are never redirected, with sluice enabled and the
# v2ray client listening: from the WAN to a service on the gateway itself,
# and from the WAN to a LAN host through a DNAT port forward (nft), TCP and
# UDP, IPv4 and IPv6, in tproxy and in redirect mode.  The replies of the
# forwarded flows enter on the LAN interface: they belong to the inbound
# flow and must go back to the WAN client untouched.
# timeout: 300
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || { gw_dump; in_gw nft list ruleset; }'

FWD_PORT=8080 SVC_PORT=8000
step topology
gw_topology
gw_sluice tproxy
v2ray_client tproxy # no server needed: a flow it wrongly got would fail
# svc NS ADDR: peer echo services (TCP and UDP) on ADDR port SVC_PORT in NS
svc() {
	local proto
	for proto in tcp udp; do
		ip netns exec "$1" socat -t 10 "$(_lib_socat_addr $proto "$2" "$SVC_PORT" listen)" \
			"$PEER_ANSWER" </dev/null >/dev/null 2>&1 &
		track_pid $!
	done
}
# on the gateway (its WAN addresses) and on the LAN host
svc gw "$GW_WAN4"
svc gw "$GW_WAN6"
svc lan "$LAN_HOST4"
svc lan "$LAN_HOST6"
_svc_up() {
	(($(in_gw ss -Hlntu "sport = :$SVC_PORT" | grep -c .) >= 4)) &&
		(($(in_lan ss -Hlntu "sport = :$SVC_PORT" | grep -c .) >= 4))
}
wait_for 10 _svc_up || fail "services not listening"
# the port forward: WAN port 8080 -> LAN host port 8000
in_gw nft -f - <<EOF
table inet portfwd {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "wan0" meta l4proto { tcp, udp } th dport $FWD_PORT dnat ip to $LAN_HOST4:$SVC_PORT
		iifname "wan0" meta l4proto { tcp, udp } th dport $FWD_PORT dnat ip6 to [$LAN_HOST6]:$SVC_PORT
	}
}
EOF

errs=()
# wan_query PROTO DST PORT WANT WHAT
wan_query() {
	local got
	if ! got=$(gw_query wan "$1" "$2" "$3" 8); then
		errs+=("$5: no reply")
		return 0
	fi
	[[ $got == "$4" ]] || errs+=("$5: peer $got, expected $4")
}

for mode in tproxy redirect; do
	ctl set mode "$mode"
	for proto in tcp udp; do
		for f in 4 6; do
			gwa=GW_WAN$f peer=WAN_RTR$f
			step "$mode: $proto$f WAN -> gateway"
			settled_snap
			wan_query "$proto" "${!gwa}" "$SVC_PORT" "${!peer}" "$mode $proto$f to the gateway"
			moved not_lan
			still redirect_tcp4 redirect_tcp6 redirect_udp4 redirect_udp6 \
				no_listener_pass no_listener_drop

			step "$mode: $proto$f WAN -> port forward -> LAN host"
			settled_snap
			wan_query "$proto" "${!gwa}" "$FWD_PORT" "${!peer}" "$mode $proto$f port forward"
			moved not_lan
			for c in redirect_tcp4 redirect_tcp6 redirect_udp4 redirect_udp6; do
				_gw_delta $c
				((DELTA == 0)) || errs+=("$mode $proto$f port forward: the reply from the LAN host was redirected ($c +$DELTA)")
			done
		done
	done
done
n=$(log_count client ' accepted ')
((n == 0)) || errs+=("v2ray client accepted $n connection(s)")
((${#errs[@]} == 0)) || fail "$(IFS=';'; echo "${errs[*]}")"
step finished
