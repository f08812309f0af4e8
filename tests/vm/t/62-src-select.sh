#!/bin/bash
# Source selection with two LAN hosts on the same segment (tests/vm/
# lib-gateway.sh: lan = host A, lan2 = host B, a macvlan with its own MAC)
# and a real v2ray client/server: `sluicectl -L src add A` excludes host A
# (direct, counter src_excluded) while B is proxied; `src-mode only`
# inverts it (A proxied, B direct, src_not_listed); `src-mac MAC` excludes
# by MAC address, for both families.  TCP and UDP, IPv4 and IPv6 (all four
# for the first two cases, two of them for the others).
# timeout: 480
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || gw_dump'

# the proxied destination for an address family
dst_of() { if [[ $1 == 6 ]]; then echo "$PROXIED6"; else echo "$PROXIED4"; fi; }
# how the client's access log names source host NS (lan|lan2), family F
src_of() {
	case $1$2 in
	lan4) echo "$LAN_HOST4" ;;
	lan6) echo "[$LAN_HOST6]" ;;
	lan24) echo "$LAN2_HOST4" ;;
	lan26) echo "[$LAN2_HOST6]" ;;
	esac
}
# n_from NS: connections the client has accepted from host NS
n_from() { echo $(($(log_count client "$(src_of "$1" 4):") + $(log_count client "$(src_of "$1" 6):"))); }
_n_from_ge() { (($(n_from "$1") >= $2)); }
# flow NS PROTO FAMILY WANT: NS's query to the proxied destination goes
# WANT (proxied|direct): the destination sees the server or the gateway
flow() {
	local dst want
	dst=$(dst_of "$3")
	if [[ $4 == proxied ]]; then want=$(svr_of "$dst"); else want=$(gwwan_of "$dst"); fi
	GW_FROM=$1 expect_peer "$2" "$dst" "$want" "$1 $2$3: $4"
}
# expect_from NS N: the client has accepted exactly N connections from NS
expect_from() {
	wait_for 10 _n_from_ge "$1" "$2" || true
	assert_eq "$2" "$(n_from "$1")" "connections the client accepted from $1"
}
# both WANT_A WANT_B [COUNTER]: the flows of host A (lan) and host B (lan2)
# go as wanted (proxied|direct): TCP and UDP over IPv4 and IPv6, or, with
# FLOWS set, only those ("tcp4 udp6").  Then COUNTER (the rule that kept
# the direct host's flows direct) and the redirect counters of the flows
# moved, and the client saw every flow of a proxied host and none of a
# direct one.  (Counters are only checked for moving: a flow's last packets
# may pass the hooks after the query returned, in the next flow's window.)
both() {
	local fl na nb k=0
	na=$(n_from lan)
	nb=$(n_from lan2)
	settled_snap
	for fl in ${FLOWS:-tcp4 udp4 tcp6 udp6}; do
		flow lan "${fl%?}" "${fl: -1}" "$1"
		flow lan2 "${fl%?}" "${fl: -1}" "$2"
		k=$((k + 1))
	done
	for fl in ${FLOWS:-tcp4 udp4 tcp6 udp6}; do
		moved "redirect_$fl"
	done
	[[ -z ${3:-} ]] || moved "$3"
	[[ $1 == proxied ]] && na=$((na + k))
	[[ $2 == proxied ]] && nb=$((nb + k))
	expect_from lan "$na"
	expect_from lan2 "$nb"
}

step topology
gw_topology
gw_lan2
gw_echo_servers
gw_sluice tproxy
v2ray_server
v2ray_client tproxy
echo "host A (lan): $LAN_HOST4 $LAN_HOST6 $LAN_MAC; host B (lan2): $LAN2_HOST4 $LAN2_HOST6 $LAN2_MAC"

step "no selection: both proxied"
FLOWS="tcp4 udp6" both proxied proxied

step "src list, exclude: A direct, B proxied"
ctl -L src add "$LAN_HOST4" "$LAN_HOST6"
assert_match "$LAN_HOST4" "$(ctl -L src list)" "src list"
both direct proxied src_excluded
assert_match '^direct src-excluded' "$(ctl test "$PROXIED4" src "$LAN_HOST4" iif lan0)" "test: A excluded"
assert_match '^proxy' "$(ctl test "$PROXIED4" src "$LAN2_HOST4" iif lan0)" "test: B proxied"
# the white_list stays empty: the source list is a list of its own
assert_eq 0 "$(ctl list | grep -c . || true)" "white_list entries"

step "src-mode only: A proxied, B direct"
ctl set src-mode only
assert_match '"src_mode": *"only"' "$(ctl status --json)" "status --json: .config.src_mode"
FLOWS="tcp6 udp4" both proxied direct src_not_listed
assert_match '^direct src-not-listed' "$(ctl test "$PROXIED6" src "$LAN2_HOST6" iif lan0)" "test: B not listed"

step "src-mac: B excluded by its MAC"
ctl -L src flush
ctl set src-mode exclude src-mac "$LAN2_MAC"
assert_match "\"src_macs\": *\[ *\"$LAN2_MAC\" *\]" "$(ctl status --json)" "status --json: .config.src_macs"
both proxied direct src_excluded
assert_match '^direct src-excluded' "$(ctl test "$PROXIED4" src "$LAN2_HOST4" iif lan0 mac "$LAN2_MAC")" "test: B's MAC"
assert_match '^proxy' "$(ctl test "$PROXIED4" src "$LAN2_HOST4" iif lan0 mac "$LAN_MAC")" "test: A's MAC"

step "src-mac and src-mode only: only B proxied"
ctl set src-mode only
FLOWS="tcp4 udp6" both direct proxied src_not_listed

step "src-mac none: both proxied again"
ctl set src-mode exclude src-mac none
FLOWS="tcp6 udp4" both proxied proxied
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
