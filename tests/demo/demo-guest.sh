#!/bin/bash
# `make demo`, guest side: run by tests/vm/run inside a QEMU guest (started
# by tests/demo.sh).  Builds the test topology of tests/vm/lib-gateway.sh,
# starts a real v2ray server (WAN side) and client (on the gateway), enables
# sluice in tproxy mode and shows the three flows.  Not part of the test
# suite (it lives outside tests/vm/t/), but it fails like a test if a flow
# does not behave as shown.
# timeout: 240
# shellcheck source=SCRIPTDIR/../vm/lib.sh
. "$SLUICE_REPO/tests/vm/lib.sh"
# shellcheck source=SCRIPTDIR/../vm/lib-gateway.sh
. "$SLUICE_REPO/tests/vm/lib-gateway.sh"

hdr() { printf '\n==== %s ====\n' "$*"; }
say() { printf '  %s\n' "$*"; }
show() { # NS CMD...: print and run a command in namespace NS
	local ns=$1
	shift
	printf '  %s# %s\n' "$ns" "$*"
	ip netns exec "$ns" "$@" 2>&1 | sed 's/^/      /'
}
counters() { # NAME...: the named counters, one line
	local n out=
	_gw_counters _DEMO_C
	for n in "$@"; do out+="$n=${_DEMO_C[$n]:-?} "; done
	echo "${out% }"
}
declare -A _DEMO_C=()
last_line() { # WHICH FIXED-STRING: the last line of WHICH's access log with it
	local l last=
	local -a lines=()
	[[ -f $GW_LOGDIR/$1-access.log ]] && mapfile -t lines <"$GW_LOGDIR/$1-access.log"
	for l in "${lines[@]}"; do
		[[ $l == *"$2"* ]] && last=$l
	done
	echo "$last"
}

hdr "sluice demo on $(uname -r)"
cat <<EOF
  Namespaces inside this guest (documentation addresses only):
    lan  192.0.2.2, 2001:db8:1::2            a LAN host
    gw   lan0 192.0.2.1 / wan0 198.51.100.1  the gateway: sluice + v2ray client
    wan  Internet hosts 203.0.113.10/.20/.30, 2001:db8:3::10/::20/::30
    svr  203.0.113.130, 2001:db8:4::2        the v2ray server
  Every Internet host runs an echo service on port $ECHO_PORT (TCP and UDP)
  that answers with the address it saw the query come from:
    $SVR4 / $SVR6   = the v2ray server: the flow was proxied
    $GW_WAN4 / $GW_WAN6   = the gateway's WAN address: the flow went direct
EOF

hdr "setting up"
gw_topology
gw_echo_servers
v2ray_server
say "v2ray server listening on $SVR4:$SVR_PORT (vmess)"
load_sluice
show gw "$SLUICECTL" set mode tproxy port "$GW_PORT" port6 "$GW_PORT6" lan lan0 wan wan0 masquerade on mark 0xff/0xff enabled on
show gw ip rule add fwmark 0x100/0x100 lookup 100
show gw ip route add local 0.0.0.0/0 dev lo table 100
show gw ip -6 rule add fwmark 0x100/0x100 lookup 100
show gw ip -6 route add local ::/0 dev lo table 100
v2ray_client tproxy
say "v2ray client on the gateway: dokodemo-door on 0.0.0.0:$GW_PORT and [::]:$GW_PORT6 (tproxy),"
say "  outbounds vmess -> $SVR4:$SVR_PORT and freedom (\"direct\"), both with sockopt.mark $V2RAY_MARK;"
say "  its routing sends $FREEDOM4 and $FREEDOM6 to freedom."
show gw "$SLUICECTL" add "$WLISTED4" "$WLISTED6"

# demo_flow TITLE EXPLANATION WANT-KIND PROTO DST COUNTERS...
demo_flow() {
	local title=$1 expl=$2 kind=$3 proto=$4 dst=$5 want got cl sv
	shift 5
	hdr "$title: $proto to $dst"
	say "$expl"
	case $kind in
	proxied) want=$(svr_of "$dst") ;;
	*) want=$(gwwan_of "$dst") ;;
	esac
	local cn sn
	cn=$(log_count client "$(acc "$proto" "$dst" "$ECHO_PORT")")
	sn=$(log_count server "$(acc "$proto" "$dst" "$ECHO_PORT")")
	say "counters before: $(counters "$@")"
	say "lan# echo query | socat - $(_lib_socat_addr "$proto" "$dst" "$ECHO_PORT" connect)"
	got=$(gw_query lan "$proto" "$dst" "$ECHO_PORT" "$GW_QUERY_TIMEOUT") || fail "$title: no reply"
	say "the Internet host $dst saw the query come from: $got"
	say "counters after:  $(counters "$@")"
	case $kind in
	proxied | freedom) wait_log client "$(acc "$proto" "$dst" "$ECHO_PORT")" $((cn + 1)) ;;
	esac
	[[ $kind == proxied ]] && wait_log server "$(acc "$proto" "$dst" "$ECHO_PORT")" $((sn + 1))
	cl=$(last_line client "$(acc "$proto" "$dst" "$ECHO_PORT")")
	sv=$(last_line server "$(acc "$proto" "$dst" "$ECHO_PORT")")
	say "v2ray client access log: ${cl:-(nothing: v2ray never saw this flow)}"
	say "v2ray server access log: ${sv:-(nothing)}"
	assert_eq "$want" "$got" "$title: peer address"
	case $kind in
	proxied) say "=> PROXIED: sluice handed the flow to v2ray, which tunnelled it to its server." ;;
	direct) say "=> DIRECT: white-listed, sluice let it pass; the gateway masqueraded it." ;;
	freedom) say "=> THROUGH THE CLIENT, THEN DIRECT: sluice handed it to v2ray, whose routing chose freedom." ;;
	esac
}

for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		demo_flow "Flow 1, proxied" "Not in the white_list: sluice redirects it to the v2ray client." \
			proxied "$proto" "$dst" "redirect_$proto$(fam "$dst")"
	done
done
for proto in tcp udp; do
	for dst in "$WLISTED4" "$WLISTED6"; do
		demo_flow "Flow 2, direct" "In the white_list: sluice lets it go straight out." \
			direct "$proto" "$dst" "white_list_v$(fam "$dst")" "redirect_$proto$(fam "$dst")"
	done
done
for proto in tcp udp; do
	for dst in "$FREEDOM4" "$FREEDOM6"; do
		demo_flow "Flow 3, through the client, then direct" \
			"Not white-listed, so redirected; v2ray's own routing sends it out its freedom outbound." \
			freedom "$proto" "$dst" "redirect_$proto$(fam "$dst")"
	done
done

hdr "White_list changes apply to the next new flow"
show gw "$SLUICECTL" add "$PROXIED4"
got=$(gw_query lan tcp "$PROXIED4" "$ECHO_PORT" "$GW_QUERY_TIMEOUT") || fail "no reply after add"
say "tcp to $PROXIED4 now seen from: $got (direct)"
assert_eq "$GW_WAN4" "$got" "after add"
show gw "$SLUICECTL" test "$PROXIED4"
show gw "$SLUICECTL" del "$PROXIED4"
got=$(gw_query lan tcp "$PROXIED4" "$ECHO_PORT" "$GW_QUERY_TIMEOUT") || fail "no reply after del"
say "tcp to $PROXIED4 now seen from: $got (proxied again)"
assert_eq "$SVR4" "$got" "after del"
show gw "$SLUICECTL" test "$PROXIED4"

hdr "sluicectl status"
show gw "$SLUICECTL" status
hdr "demo finished: all flows behaved as shown"
