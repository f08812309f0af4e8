# shellcheck shell=bash
# Gateway helpers for the end-to-end tests with a real v2ray (tests/vm/t/4x-*)
# and for `make demo`.  Source after tests/vm/lib.sh:
#
#   . "$(dirname "$0")/../lib.sh"
#   . "$(dirname "$0")/../lib-gateway.sh"
#
# Topology (gw_topology; topo_basic plus a v2ray server namespace "svr"):
#
#   lan 192.0.2.2         gw (sluice + v2ray client)          wan (router)
#   2001:db8:1::2 eth0 -- lan0 192.0.2.1     wan0 198.51.100.1 -- eth0 198.51.100.2
#                         2001:db8:1::1      2001:db8:2::1        2001:db8:2::2
#                                                                 inet0: "Internet hosts"
#                                                                 203.0.113.10/.20/.30
#                                                                 2001:db8:3::10/::20/::30
#                                                                 svr0 203.0.113.129/25
#                                                                 2001:db8:4::1/64
#                                                                   |
#                                            svr (v2ray server) eth0 203.0.113.130/25
#                                                                    2001:db8:4::2/64
#
# A host in "wan" that answers the peer echo (peer_server) tells who it saw:
#   203.0.113.130 / 2001:db8:4::2   the v2ray server     -> the flow was proxied
#   198.51.100.1  / 2001:db8:2::1   the gateway (masq.)  -> the flow went direct
#   192.0.2.2     / 2001:db8:1::2   the LAN host itself  -> not masqueraded (bug)

# shellcheck disable=SC2034 # used by the tests that source this file
# ---- addresses and ports --------------------------------------------------------
GW_LAN4=192.0.2.1 GW_LAN6=2001:db8:1::1
GW_WAN4=198.51.100.1 GW_WAN6=2001:db8:2::1
LAN_HOST4=192.0.2.2 LAN_HOST6=2001:db8:1::2
WAN_RTR4=198.51.100.2 WAN_RTR6=2001:db8:2::2
SVR4=203.0.113.130 SVR6=2001:db8:4::2
# Internet hosts: proxied (flow 1), white-listed (flow 2), via v2ray's
# freedom outbound (flow 3)
PROXIED4=203.0.113.10 PROXIED6=2001:db8:3::10
WLISTED4=203.0.113.20 WLISTED6=2001:db8:3::20
FREEDOM4=203.0.113.30 FREEDOM6=2001:db8:3::30
# v2ray client ports (sluice port / port6), v2ray server port, echo port
GW_PORT=12345 GW_PORT6=12346
SVR_PORT=10086
ECHO_PORT=7000
V2RAY_UUID=5b5f0b0e-5a1c-4c4e-9a39-5c1ce5a1ce00
# the bypass mark the v2ray client puts on its sockets (sockopt.mark)
V2RAY_MARK=255
GW_V2RAY_TEMPLATES=${SLUICE_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/vm/v2ray
# v2ray logs and rendered configs (the test's cwd is a fresh tmp dir)
GW_LOGDIR=${GW_LOGDIR:-$PWD/v2ray}

in_svr() { ip netns exec svr "$@"; }

# ctl ARGS...: sluicectl in the gateway namespace
ctl() { ip netns exec gw "$SLUICECTL" "$@"; }

# ---- topology ------------------------------------------------------------------
gw_topology() {
	topo_basic
	# batched: every `ip` process costs a lot under TCG
	ip netns add svr
	ip link add name svr0 netns wan type veth peer name eth0 netns svr
	ip -n svr -b - <<-EOF
		link set lo up
		addr add $SVR4/25 dev eth0
		addr add $SVR6/64 dev eth0 nodad
		link set eth0 up
		route add default via 203.0.113.129
		route add default via 2001:db8:4::1
	EOF
	ip -n wan -b - <<-EOF
		addr add 203.0.113.129/25 dev svr0
		addr add 2001:db8:4::1/64 dev svr0 nodad
		link set svr0 up
	EOF
	ip -n gw -6 route add 2001:db8:4::/64 via "$WAN_RTR6"
	in_wan sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	wait_for 5 _gw_svr_up || fail "gw_topology: svr link did not come up"
}
_gw_svr_up() {
	ip -n svr link show dev eth0 | grep -q 'state UP' &&
		ip -n wan link show dev svr0 | grep -q 'state UP'
}

# gw_policy_routing: what nft tproxy setups (and later sluiced) need: packets
# with sluice's fwmark are delivered locally, to the transparent socket.
gw_policy_routing() {
	in_gw ip rule add fwmark 0x100/0x100 lookup 100
	in_gw ip route add local 0.0.0.0/0 dev lo table 100
	in_gw ip -6 rule add fwmark 0x100/0x100 lookup 100
	in_gw ip -6 route add local ::/0 dev lo table 100
}

# gw_sluice MODE: load sluice.ko, configure the gateway namespace for MODE
# (tproxy|redirect): LAN lan0, WAN wan0 masqueraded, v2ray's ports.
gw_sluice() {
	local mode=$1
	[[ -d /sys/module/sluice ]] || load_sluice
	ctl set mode "$mode" port "$GW_PORT" port6 "$GW_PORT6" lan lan0 wan wan0 \
		masquerade on mark 0xff/0xff no-listener pass enabled on
	[[ $mode == tproxy ]] && gw_policy_routing
	return 0
}

# ---- counters --------------------------------------------------------------------
# Every process costs a lot under TCG: counters come from one
# `sluicectl status --json` per snapshot, parsed without jq.
# _gw_counters ARRAYNAME: fill the associative array with all counters
_gw_counters() {
	local -n _a=$1
	local j body kv
	j=$(ctl status --json) || fail "sluicectl status --json failed"
	[[ $j =~ \"counters\":[[:space:]]*\{([^\}]*)\} ]] || fail "no counters in sluicectl status --json: ${j:0:200}"
	body=${BASH_REMATCH[1]//\"/}
	body=${body//[[:space:]]/}
	_a=()
	local IFS=,
	for kv in $body; do
		_a[${kv%%:*}]=${kv#*:}
	done
}
# ctr NAME...: print the named counters now, one per line
ctr() {
	local -A c=()
	local n
	_gw_counters c
	for n in "$@"; do
		[[ -n ${c[$n]:-} ]] || fail "counter $n missing from sluicectl status --json"
		echo "${c[$n]}"
	done
}
# snap: remember all counters; delta/moved/still compare against them (the
# "after" values are read once, at the first delta/moved/still after snap)
declare -gA _GW_SNAP=() _GW_NOW=()
_GW_NOW_OK=0
snap() {
	_gw_counters _GW_SNAP
	_GW_NOW_OK=0
}
_gw_now() {
	if ((!_GW_NOW_OK)); then
		_gw_counters _GW_NOW
		_GW_NOW_OK=1
	fi
}
# _gw_delta NAME: set DELTA to counter NAME now minus at the last snap
_gw_delta() {
	_gw_now
	[[ -n ${_GW_NOW[$1]:-} ]] || fail "counter $1 missing from sluicectl status --json"
	DELTA=$((_GW_NOW[$1] - ${_GW_SNAP[$1]:-0}))
}
# delta NAME: print counter NAME now minus at the last snap
delta() {
	_gw_delta "$1"
	echo "$DELTA"
}
# moved NAME...: all named counters increased since the last snap
moved() {
	local n
	for n in "$@"; do
		_gw_delta "$n"
		((DELTA > 0)) || fail "counter $n did not move (delta $DELTA)"
	done
}
# still NAME...: none of the named counters changed since the last snap
still() {
	local n
	for n in "$@"; do
		_gw_delta "$n"
		((DELTA == 0)) || fail "counter $n moved by $DELTA, expected no change"
	done
}
# assert_delta N NAME [MSG]: counter NAME moved by exactly N since the last snap
assert_delta() {
	_gw_delta "$2"
	assert_eq "$1" "$DELTA" "${3:-counter $2}: delta"
}

# ---- v2ray -----------------------------------------------------------------------
# v2ray_render TEMPLATE OUT MODE: fill in a config template
v2ray_render() {
	local tpl=$1 out=$2 mode=${3:-tproxy}
	mkdir -p "$GW_LOGDIR"
	sed -e "s|@LOGDIR@|$GW_LOGDIR|g" -e "s|@MODE@|$mode|g" \
		-e "s|@PORT@|$GW_PORT|g" -e "s|@PORT6@|$GW_PORT6|g" \
		-e "s|@SERVER@|$SVR4|g" -e "s|@SERVER_PORT@|$SVR_PORT|g" \
		-e "s|@UUID@|$V2RAY_UUID|g" -e "s|@MARK@|$V2RAY_MARK|g" \
		-e "s|@DIRECT_IPS@|\"$FREEDOM4/32\", \"$FREEDOM6/128\"|g" \
		"$GW_V2RAY_TEMPLATES/$tpl" >"$out"
	! grep -q '@[A-Z_0-9]*@' "$out" || fail "v2ray_render: unfilled placeholder in $out"
}

_gw_listening() { # NS PROTO PORT
	local flag=-Hlnt
	[[ $2 == udp ]] && flag=-Hlnu
	[[ -n $(ip netns exec "$1" ss $flag "sport = :$3") ]]
}

# v2ray_server: start the v2ray server in svr; returns once it listens.
V2RAY_SERVER_PID=
v2ray_server() {
	local cfg=$GW_LOGDIR/server.json
	v2ray_render server.json "$cfg"
	ip netns exec svr v2ray -config "$cfg" >"$GW_LOGDIR/server.out" 2>&1 &
	V2RAY_SERVER_PID=$!
	track_pid "$V2RAY_SERVER_PID"
	wait_for 30 _gw_listening svr tcp "$SVR_PORT" ||
		fail "v2ray server not listening: $(tail -n 5 "$GW_LOGDIR/server.out")"
}

# v2ray_client MODE: start the v2ray client (dokodemo-door, tproxy or
# redirect) in gw; returns once both inbounds listen (TCP and UDP).
V2RAY_CLIENT_PID=
v2ray_client() {
	local mode=${1:-tproxy} cfg=$GW_LOGDIR/client-$1.json
	v2ray_render client.json "$cfg" "$mode"
	ip netns exec gw v2ray -config "$cfg" >>"$GW_LOGDIR/client.out" 2>&1 &
	V2RAY_CLIENT_PID=$!
	track_pid "$V2RAY_CLIENT_PID"
	wait_for 30 _gw_v2ray_client_up ||
		fail "v2ray client not listening: $(tail -n 5 "$GW_LOGDIR/client.out")"
}
_gw_v2ray_client_up() {
	_gw_listening gw tcp "$GW_PORT" && _gw_listening gw tcp "$GW_PORT6" &&
		_gw_listening gw udp "$GW_PORT" && _gw_listening gw udp "$GW_PORT6"
}

# v2ray_client_stop: stop the client and wait until it is gone.
v2ray_client_stop() {
	[[ -n $V2RAY_CLIENT_PID ]] || return 0
	kill "$V2RAY_CLIENT_PID" 2>/dev/null || true
	wait "$V2RAY_CLIENT_PID" 2>/dev/null || true
	V2RAY_CLIENT_PID=
	! _gw_listening gw tcp "$GW_PORT" || fail "v2ray client still listening after stop"
}

# log_count WHICH FIXED-STRING: lines of the access log of WHICH (client|
# server), or of log WHICH (client-error|server-error), that contain
# FIXED-STRING (bash only: no process per poll)
log_count() {
	local f=$GW_LOGDIR/$1-access.log l n=0
	[[ $1 == *-* ]] && f=$GW_LOGDIR/$1.log
	local -a lines=()
	[[ -f $f ]] && mapfile -t lines <"$f"
	for l in "${lines[@]}"; do
		[[ $l == *"$2"* ]] && n=$((n + 1))
	done
	echo "$n"
}
# acc PROTO ADDR PORT: how v2ray's access log names a destination
acc() {
	if [[ $2 == *:* ]]; then echo "accepted $1:[$2]:$3"; else echo "accepted $1:$2:$3"; fi
}
_gw_log_ge() { (($(log_count "$1" "$2") >= $3)); }
# wait_log WHICH FIXED-STRING N: wait until at least N matching lines (v2ray
# writes its logs asynchronously)
wait_log() {
	wait_for 10 _gw_log_ge "$1" "$2" "$3" ||
		fail "v2ray $1 log: expected $3 line(s) with '$2', have $(log_count "$1" "$2")"
}

# ---- peers -----------------------------------------------------------------------
# gw_echo_servers: peer echo servers (as lib.sh's peer_server) in wan on
# ECHO_PORT: TCP on the wildcard addresses (the accepted socket answers from
# the address the client asked for), UDP bound to each Internet host (a
# wildcard UDP socket would answer from the wrong source address).  Started
# all at once, then one wait: each process start is expensive under TCG.
# -t 10: once the query side is at EOF (the client half-closed, or the one
# UDP datagram was read), socat waits only -t seconds (default 0.5) for
# `echo` to answer and then kills it; under TCG on a busy host starting
# `sh` can take longer than that and the answer was lost ("sh: echo: I/O
# error" in the server's log, "no reply" in the test).
gw_echo_servers() {
	local a la
	local -a las=("TCP4-LISTEN:$ECHO_PORT,reuseaddr,fork" "TCP6-LISTEN:$ECHO_PORT,ipv6only=1,reuseaddr,fork")
	for a in "$PROXIED4" "$PROXIED6" "$WLISTED4" "$WLISTED6" "$FREEDOM4" "$FREEDOM6"; do
		las+=("$(_lib_socat_addr udp "$a" "$ECHO_PORT" listen)")
	done
	mkdir -p "$GW_LOGDIR"
	for la in "${las[@]}"; do
		# shellcheck disable=SC2016
		ip netns exec wan socat -d -d -t 10 "$la" SYSTEM:'echo "$SOCAT_PEERADDR"',pipes </dev/null >/dev/null 2>>"$GW_LOGDIR/echo-servers.log" &
		track_pid $!
	done
	wait_for 10 _gw_echo_up || fail "gw_echo_servers: not all listening: $(in_wan ss -Hlntu)"
}
_gw_echo_up() {
	local s n
	s=$(in_wan ss -Hlntu "sport = :$ECHO_PORT")
	n=$(grep -c . <<<"$s")
	((n >= 8))
}

# how long a query that must succeed may take (generous: TCG on a busy host)
GW_QUERY_TIMEOUT=${GW_QUERY_TIMEOUT:-15}
# gw_query NS PROTO ADDR PORT [TIMEOUT_S=5]: as lib.sh's peer_query, but
# socat's messages go to $GW_LOGDIR/query.log, and the last of them are
# printed if no reply came
gw_query() {
	local ns=$1 proto=${2,,} addr=$3 port=$4 tmo=${5:-5} ca fd reply="" t0=${EPOCHREALTIME/./}
	ca=$(_lib_socat_addr "$proto" "$addr" "$port" connect)
	mkdir -p "$GW_LOGDIR"
	echo "--- $EPOCHREALTIME $ns: $ca" >>"$GW_LOGDIR/query.log"
	exec {fd}< <(echo query | ip netns exec "$ns" socat -d -d -t "$tmo" -T "$tmo" - "$ca" 2>>"$GW_LOGDIR/query.log")
	if ! read -r -t "$tmo" -u "$fd" reply; then
		exec {fd}<&-
		echo "gw_query: no reply from $proto $addr port $port (from $ns) after $(((${EPOCHREALTIME/./} - t0) / 1000)) ms; socat said:" >&2
		tail -n 8 "$GW_LOGDIR/query.log" >&2
		return 1
	fi
	exec {fd}<&-
	canon_ip "$reply"
}

# expect_peer PROTO DST WANT [MSG]: a LAN host query to DST must be answered
# and the Internet host must have seen WANT as the peer address
expect_peer() {
	local proto=$1 dst=$2 want=$3 got
	got=$(gw_query lan "$proto" "$dst" "$ECHO_PORT" "$GW_QUERY_TIMEOUT") ||
		fail "${4:-$proto to $dst}: no reply (wanted peer $want)"
	assert_eq "$want" "$got" "${4:-$proto to $dst}: peer address seen by $dst"
}
# expect_no_reply PROTO DST [TIMEOUT]: the query must fail
expect_no_reply() {
	local got
	if got=$(gw_query lan "$1" "$2" "$ECHO_PORT" "${3:-3}" 2>/dev/null); then
		fail "$1 to $2: unexpected reply (peer $got)"
	fi
	return 0
}

# fam ADDR: 4 or 6
fam() { if [[ $1 == *:* ]]; then echo 6; else echo 4; fi; }
# svr_of ADDR / gwwan_of ADDR: the peer address expected for ADDR's family
svr_of() { if [[ $1 == *:* ]]; then echo "$SVR6"; else echo "$SVR4"; fi; }
gwwan_of() { if [[ $1 == *:* ]]; then echo "$GW_WAN6"; else echo "$GW_WAN4"; fi; }

# gw_dump: v2ray logs and sluice status, for the output of a failed test
gw_dump() {
	local f
	for f in client-access server-access client-error server-error echo-servers; do
		[[ -f $GW_LOGDIR/$f.log ]] || continue
		echo "--- v2ray $f.log (last 25 lines)"
		tail -n 25 "$GW_LOGDIR/$f.log"
	done
	echo "--- sluicectl status"
	ctl status 2>&1
}
