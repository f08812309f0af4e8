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
# DNS (gw_dns_servers): the client's DNS inbound (dokodemo-door + dns
# outbound) listens on [::]:DNS_PORT.  Two resolvers know DNS_NAME with
# different answers, so an answer tells which one it came from:
#   ISP_DNS4/6 in wan (any plain resolver on the Internet) -> ISP_ANS4/6
#   TUN_DNS on the svr namespace's loopback, reachable only through the
#   v2ray server                                           -> TUN_ANS4/6
DNS_PORT=5353
DNS_NAME=probe.example
ISP_DNS4=203.0.113.53 ISP_DNS6=2001:db8:3::53
ISP_ANS4=203.0.113.66 ISP_ANS6=2001:db8:3::66
TUN_DNS=127.0.0.1
TUN_ANS4=203.0.113.77 TUN_ANS6=2001:db8:3::77
# a second LAN host (gw_lan2): a macvlan of the LAN host's eth0, on the same
# Ethernet segment as lan0, with a fixed (locally administered) MAC
LAN2_HOST4=192.0.2.3 LAN2_HOST6=2001:db8:1::3 LAN2_MAC=02:00:00:00:02:03
# HTTP peer echo (gw_http_servers): the body is the peer address
HTTP_PORT=8080
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
		-e "s|@DNS_PORT@|$DNS_PORT|g" -e "s|@TUNNEL_DNS@|$TUN_DNS|g" \
		"$GW_V2RAY_TEMPLATES/$tpl" >"$out"
	! grep -q '@[A-Z_0-9]*@' "$out" || fail "v2ray_render: unfilled placeholder in $out"
}

# _gw_nsockets NS PORT: how many TCP and UDP sockets listen on PORT in NS
# (no grep -c: it fails on 0 inside $(), which the ERR trap would report)
_gw_nsockets() {
	local -a l=()
	mapfile -t l < <(ip netns exec "$1" ss -Hlntu "sport = :$2")
	echo "${#l[@]}"
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
# redirect) in gw; returns once both inbounds listen (TCP and UDP), and
# the DNS inbound.  With GW_CLIENT_CG set (a cgroup v2 directory, see
# gw_cgroup) the client runs in that cgroup: its sockets belong to it.
V2RAY_CLIENT_PID=
GW_CLIENT_CG=${GW_CLIENT_CG:-}
v2ray_client() {
	local mode=${1:-tproxy} cfg=$GW_LOGDIR/client-$1.json
	v2ray_render client.json "$cfg" "$mode"
	if [[ -n $GW_CLIENT_CG ]]; then
		# one process: $! must be v2ray's PID
		(
			echo "$BASHPID" >"$GW_CLIENT_CG/cgroup.procs" || exit 125
			exec ip netns exec gw v2ray -config "$cfg"
		) >>"$GW_LOGDIR/client.out" 2>&1 &
	else
		ip netns exec gw v2ray -config "$cfg" >>"$GW_LOGDIR/client.out" 2>&1 &
	fi
	V2RAY_CLIENT_PID=$!
	track_pid "$V2RAY_CLIENT_PID"
	wait_for 30 _gw_v2ray_client_up ||
		fail "v2ray client not listening: $(tail -n 5 "$GW_LOGDIR/client.out")"
}
_gw_v2ray_client_up() {
	_gw_listening gw tcp "$GW_PORT" && _gw_listening gw tcp "$GW_PORT6" &&
		_gw_listening gw udp "$GW_PORT" && _gw_listening gw udp "$GW_PORT6" &&
		_gw_listening gw udp "$DNS_PORT" && _gw_listening gw tcp "$DNS_PORT"
}

# v2ray_client_stop: stop the client and wait until it is gone.
v2ray_client_stop() {
	[[ -n $V2RAY_CLIENT_PID ]] || return 0
	kill "$V2RAY_CLIENT_PID" 2>/dev/null || true
	wait "$V2RAY_CLIENT_PID" 2>/dev/null || true
	V2RAY_CLIENT_PID=
	! _gw_listening gw tcp "$GW_PORT" || fail "v2ray client still listening after stop"
	# its connections to the server close after it: their last packets
	# (with the client's mark) would count in the next step's counters
	wait_for 30 _gw_no_server_conns || fail "the stopped client's connections to the server stay open: $(in_gw ss -Htn)"
}
_gw_no_server_conns() {
	local -a l=()
	mapfile -t l < <(ip netns exec gw ss -Htn state established state syn-sent state fin-wait-1 \
		state fin-wait-2 state close-wait state last-ack state closing "( dport = :$SVR_PORT )")
	((${#l[@]} == 0))
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
# client_took ADDR PORT FROM_MS TO_MS [PROTO DST DPORT]: the client's
# access-log lines for a flow from ADDR:PORT (to PROTO DST:DPORT) logged in
# [FROM_MS, TO_MS], to the second (ports are reused over a long run); v2ray
# names a flow there when its inbound hands it on, so a flow listed
# reached the client: sluice's part, the redirection, was done.  Fails
# when there is none.
client_took() {
	local pat l ts n=0 t0=$(($3 / 1000 - 1)) t1=$(($4 / 1000 + 1))
	if [[ $1 == *:* ]]; then pat=" [$1]:$2 "; else pat=" $1:$2 "; fi
	if (($# >= 7)); then pat+=$(acc "$5" "$6" "$7"); else pat+="accepted "; fi
	while read -r l; do
		ts=$(date -u -d "$(cut -d' ' -f1,2 <<<"$l" | tr / -)" +%s) || continue
		((ts >= t0 && ts <= t1)) || continue
		echo "$l"
		n=$((n + 1))
	done < <(grep -F -- "$pat" "$GW_LOGDIR/client-access.log")
	((n > 0))
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
# gw_echo_servers [PORT]: the same on another port than ECHO_PORT.
# shellcheck disable=SC2120 # PORT is optional
gw_echo_servers() {
	local a la port=${1:-$ECHO_PORT}
	local -a las=("TCP4-LISTEN:$port,reuseaddr,fork" "TCP6-LISTEN:$port,ipv6only=1,reuseaddr,fork")
	for a in "$PROXIED4" "$PROXIED6" "$WLISTED4" "$WLISTED6" "$FREEDOM4" "$FREEDOM6"; do
		las+=("$(_lib_socat_addr udp "$a" "$port" listen)")
	done
	mkdir -p "$GW_LOGDIR"
	for la in "${las[@]}"; do
		ip netns exec wan socat -d -d -t 10 "$la" "$PEER_ANSWER" </dev/null >/dev/null 2>>"$GW_LOGDIR/echo-servers.log" &
		track_pid $!
	done
	wait_for 10 _gw_echo_up "$port" || fail "gw_echo_servers: not all listening: $(in_wan ss -Hlntu)"
}
_gw_echo_up() { (($(_gw_nsockets wan "$1") >= 8)); }

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

# Where expect_peer and expect_no_reply query from, and to which port: set
# them for one call (`GW_FROM=lan2 expect_peer ...`, `GW_FROM=gw` for the
# gateway's own traffic).
GW_FROM=${GW_FROM:-lan}
GW_TO_PORT=${GW_TO_PORT:-$ECHO_PORT}
# expect_peer PROTO DST WANT [MSG]: a LAN host query to DST must be answered
# and the Internet host must have seen WANT as the peer address
expect_peer() {
	local proto=$1 dst=$2 want=$3 got
	got=$(gw_query "$GW_FROM" "$proto" "$dst" "$GW_TO_PORT" "$GW_QUERY_TIMEOUT") ||
		fail "${4:-$proto to $dst}: no reply (wanted peer $want)"
	assert_eq "$want" "$got" "${4:-$proto to $dst}: peer address seen by $dst"
}
# expect_no_reply PROTO DST [TIMEOUT]: the query must fail
expect_no_reply() {
	local got
	if got=$(gw_query "$GW_FROM" "$1" "$2" "$GW_TO_PORT" "${3:-3}" 2>/dev/null); then
		fail "$1 to $2: unexpected reply (peer $got)"
	fi
	return 0
}
# expect_refused PROTO DST [TIMEOUT]: the query must fail with "Connection
# refused" (for UDP: an ICMP port unreachable came back), not time out
expect_refused() {
	local proto=${1,,} dst=$2 tmo=${3:-$GW_QUERY_TIMEOUT} ca err rc=0
	ca=$(_lib_socat_addr "$proto" "$dst" "$GW_TO_PORT" connect)
	err=$GW_LOGDIR/refused.$BASHPID.log
	echo "--- $EPOCHREALTIME $GW_FROM: $ca (expect refused)" >>"$GW_LOGDIR/query.log"
	echo query | ip netns exec "$GW_FROM" socat -d -d -t "$tmo" -T "$tmo" - "$ca" >"$err.out" 2>"$err" || rc=$?
	cat "$err" >>"$GW_LOGDIR/query.log"
	((rc != 0)) || fail "$proto to $dst port $GW_TO_PORT: not refused (socat exit 0, reply '$(cat "$err.out")')"
	grep -q 'Connection refused' "$err" ||
		fail "$proto to $dst port $GW_TO_PORT: failed, but not refused: $(tail -n 3 "$err")"
	rm -f "$err" "$err.out"
}

# ---- cgroups (the loop guard compares the cgroup v2 of sockets) -------------------
# Every test runs in a cgroup of its own (tests/vm/guest/guest.sh); these
# make child cgroups of it.  No controllers are enabled below the test's
# cgroup, so processes may sit in the parent and the children alike.
# gw_cgroup VAR NAME: create a child cgroup NAME of the test's one, set VAR
# to its path; removed (its processes killed first) when the test exits.
# (Not through $(...): the cleanup must be registered in the test's shell.)
gw_cgroup() {
	local cg l
	read -r l </proc/self/cgroup
	cg=${l#0::}
	[[ $l == 0::/* ]] || fail "gw_cgroup: not in a cgroup v2 hierarchy: $l"
	cg=/sys/fs/cgroup${cg%/}/$2
	mkdir "$cg" || fail "gw_cgroup: mkdir $cg"
	on_exit "_gw_cgroup_rm $cg"
	printf -v "$1" %s "$cg"
}
_gw_cg_empty() { grep -q '^populated 0' "$1/cgroup.events"; }
_gw_cgroup_rm() {
	[[ -d $1 ]] || return 0
	_gw_cg_empty "$1" || echo 1 >"$1/cgroup.kill"
	wait_for 10 _gw_cg_empty "$1" || echo "gw_cgroup: $1 not empty" >&2
	rmdir "$1" || echo "gw_cgroup: rmdir $1 failed" >&2
}
# in_cgroup DIR CMD...: run CMD in cgroup DIR (a subshell moves itself, then
# execs CMD, so that CMD and whatever it starts belong to DIR)
in_cgroup() {
	(
		echo "$BASHPID" >"$1/cgroup.procs" || exit 125
		shift
		exec "$@"
	)
}

# ---- HTTP peer echo, for curl --------------------------------------------------------
# gw_http_servers: HTTP/1.0 servers in wan on HTTP_PORT (all addresses, v4
# and v6) whose body is the peer address they saw.  The responder reads the
# whole request before it answers: socat would otherwise write the request
# into a pipe nobody reads any more.  Content-Length lets curl end the
# transfer and close at once (else it waits for socat's close, which comes
# only after socat's -t).
gw_http_servers() {
	local la r=$GW_LOGDIR/http-peer.sh
	mkdir -p "$GW_LOGDIR"
	# shellcheck disable=SC2016 # for the responder's shell
	printf '%s\n' 'cr=$(printf "\r")' \
		'while IFS= read -r l; do [ -z "${l%"$cr"}" ] && break; done' \
		'printf "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s\n" $((${#SOCAT_PEERADDR} + 1)) "$SOCAT_PEERADDR"' >"$r"
	for la in "TCP4-LISTEN:$HTTP_PORT,reuseaddr,fork" "TCP6-LISTEN:$HTTP_PORT,ipv6only=1,reuseaddr,fork"; do
		ip netns exec wan socat -d -t 10 "$la" SYSTEM:"sh $r",pipes </dev/null >/dev/null 2>>"$GW_LOGDIR/http-servers.log" &
		track_pid $!
	done
	wait_for 10 _gw_http_up || fail "gw_http_servers: not listening: $(in_wan ss -Hlnt)"
}
_gw_http_up() { (($(_gw_nsockets wan "$HTTP_PORT") >= 2)); }
# gw_curl NS ADDR: curl http://ADDR:HTTP_PORT/ from netns NS, print the peer
# address the server saw (canonical form); non-zero status if curl failed.
# curl runs in cgroup GW_CURL_CG if that is set, else in the test's.
GW_CURL_CG=${GW_CURL_CG:-}
gw_curl() {
	local a=$2 out
	local -a pre=()
	[[ $a == *:* ]] && a="[$a]"
	[[ -n $GW_CURL_CG ]] && pre=(in_cgroup "$GW_CURL_CG")
	echo "--- $EPOCHREALTIME $1: curl http://$a:$HTTP_PORT/ ${GW_CURL_CG:+(cgroup $GW_CURL_CG)}" >>"$GW_LOGDIR/query.log"
	out=$("${pre[@]}" ip netns exec "$1" curl -sS -g --noproxy '*' --max-time "$GW_QUERY_TIMEOUT" \
		"http://$a:$HTTP_PORT/" 2>>"$GW_LOGDIR/query.log") || return 1
	echo "--- $EPOCHREALTIME curl done: $out" >>"$GW_LOGDIR/query.log"
	canon_ip "$out"
}
# gw_settle: wait until the TCP connections of the LAN hosts and of the
# gateway to the echo, HTTP, QUIC and DNS ports are closed or in TIME_WAIT,
# and so are the tunnel client's sockets for them (tproxy: the client's
# socket has the original destination's address and port).
# A query returns with the first line of the answer; the connection's last
# segments (FINs, the last ACK, sent by an orphaned socket after socat or
# curl exited) pass the hooks later, and per-packet counters (the redirect
# counters, src_excluded, local_out, ...) move for them.
gw_settle() {
	local t0=${EPOCHREALTIME/./} first
	_gw_settled && return 0
	first=$_GW_OPEN
	wait_for 30 _gw_settled || fail "gw_settle: connections still open: $_GW_OPEN"
	echo "gw_settle: waited $(((${EPOCHREALTIME/./} - t0) / 1000)) ms for: $first" >&2
}
_GW_OPEN=
_gw_settled() {
	local ns f
	local -a l=()
	f="dport = :$HTTP_PORT or dport = :$ECHO_PORT or dport = :$GW_TO_PORT or dport = :53"
	f+=" or sport = :$HTTP_PORT or sport = :$ECHO_PORT or sport = :$GW_TO_PORT"
	for ns in lan gw ${GW_LAN2:+lan2}; do
		mapfile -t -O "${#l[@]}" l < <(ip netns exec "$ns" ss -Htn state established state syn-sent \
			state syn-recv state fin-wait-1 state fin-wait-2 state close-wait state last-ack state closing \
			"( $f )")
	done
	_GW_OPEN=${l[*]}
	((${#l[@]} == 0))
}
# settled_snap: snap once the previous flows have ended (gw_settle)
settled_snap() {
	gw_settle
	snap
}
# expect_curl DST WANT [MSG]: the gateway's own curl to DST must get an
# answer, and DST must have seen WANT as the peer
expect_curl() {
	local got
	got=$(gw_curl gw "$1") || fail "${3:-curl to $1}: failed (wanted peer $2): $(tail -n 2 "$GW_LOGDIR/query.log")"
	assert_eq "$2" "$got" "${3:-curl to $1}: peer address seen by $1"
}
# expect_curl_fails DST [MSG]: the gateway's own curl to DST must fail
expect_curl_fails() {
	local got
	if got=$(gw_curl gw "$1"); then
		fail "${2:-curl to $1}: unexpected answer (peer $got)"
	fi
	return 0
}

# ---- DNS -----------------------------------------------------------------------------
# gw_dns_servers: the ISP resolver (wan, on ISP_DNS4/6, added to inet0) and
# the tunnel-side resolver (svr, on its loopback), both dnsmasq with a fixed
# answer for DNS_NAME; returns once both listen (UDP and TCP).
gw_dns_servers() {
	ip -n wan addr add "$ISP_DNS4/32" dev inet0
	ip -n wan addr add "$ISP_DNS6/128" dev inet0 nodad
	_gw_dnsmasq wan isp "$ISP_DNS4,$ISP_DNS6" "$ISP_ANS4" "$ISP_ANS6"
	_gw_dnsmasq svr tun "$TUN_DNS" "$TUN_ANS4" "$TUN_ANS6"
	wait_for 10 _gw_dns_up || fail "gw_dns_servers: not listening: $(tail -n 5 "$GW_LOGDIR"/dnsmasq-*.log)"
}
_gw_dnsmasq() { # NS NAME LISTEN-ADDRS ANS4 ANS6
	command -v dnsmasq >/dev/null || fail "dnsmasq not installed (apt-get install dnsmasq-base)"
	mkdir -p "$GW_LOGDIR"
	ip netns exec "$1" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
		--listen-address="$3" --bind-interfaces --port=53 --user=root --group=root \
		--pid-file= --log-facility=- --log-queries \
		--address="/$DNS_NAME/$4" --address="/$DNS_NAME/$5" >"$GW_LOGDIR/dnsmasq-$2.log" 2>&1 &
	track_pid $!
}
_gw_dns_up() { (($(_gw_nsockets wan 53) >= 4 && $(_gw_nsockets svr 53) >= 2)); }
# gw_dig NS SERVER TYPE [tcp]: ask SERVER (any address) for DNS_NAME's
# TYPE (A|AAAA) record from netns NS, over UDP or TCP; print the answer
gw_dig() {
	local t=+notcp out
	[[ ${4:-} == tcp ]] && t=+tcp
	echo "--- $EPOCHREALTIME $1: dig $t @$2 $DNS_NAME $3" >>"$GW_LOGDIR/query.log"
	out=$(ip netns exec "$1" dig +short +time="$GW_QUERY_TIMEOUT" +tries=1 $t "@$2" "$DNS_NAME" "$3" 2>&1) || {
		echo "$out" >>"$GW_LOGDIR/query.log"
		return 1
	}
	echo "$out" >>"$GW_LOGDIR/query.log"
	echo "$out"
}
# expect_dns NS SERVER TYPE WANT [tcp]: the answer must be WANT
expect_dns() {
	local got what="dig from $1 @$2 $3 ${5:-udp}"
	got=$(gw_dig "$1" "$2" "$3" "${5:-}") || fail "$what: failed: $got"
	assert_eq "$4" "$got" "$what: answer"
}

# ---- a second LAN host ----------------------------------------------------------------
# gw_lan2: netns "lan2", LAN2_HOST4/6 with MAC LAN2_MAC, on the same segment
# as the LAN host (a macvlan of lan's eth0: its frames reach lan0 with their
# own source MAC); sets LAN_MAC to the LAN host's MAC.
LAN_MAC='' GW_LAN2=''
gw_lan2() {
	GW_LAN2=1
	ip netns add lan2
	ip netns exec lan2 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	ip -n lan link add link eth0 name mv0 address "$LAN2_MAC" type macvlan mode bridge
	ip -n lan link set mv0 netns lan2
	ip -n lan2 -b - <<-EOF
		link set lo up
		link set mv0 name eth0
		addr add $LAN2_HOST4/24 dev eth0
		addr add $LAN2_HOST6/64 dev eth0 nodad
		link set eth0 up
		route add default via $GW_LAN4
		route add default via $GW_LAN6
	EOF
	[[ $(ip -n lan -o link show dev eth0) =~ link/ether\ ([0-9a-f:]{17}) ]] ||
		fail "gw_lan2: no MAC on lan's eth0"
	LAN_MAC=${BASH_REMATCH[1]}
	wait_for 5 _gw_lan2_up || fail "gw_lan2: eth0 of lan2 not up"
}
_gw_lan2_up() {
	ip -n lan2 link show dev eth0 | grep -q 'state UP' &&
		[[ -z $(ip -n lan2 -6 addr show tentative) ]]
}

# fam ADDR: 4 or 6
fam() { if [[ $1 == *:* ]]; then echo 6; else echo 4; fi; }
# svr_of ADDR / gwwan_of ADDR: the peer address expected for ADDR's family
svr_of() { if [[ $1 == *:* ]]; then echo "$SVR6"; else echo "$SVR4"; fi; }
gwwan_of() { if [[ $1 == *:* ]]; then echo "$GW_WAN6"; else echo "$GW_WAN4"; fi; }

# gw_dump: v2ray logs and sluice status, for the output of a failed test
gw_dump() {
	local f
	for f in client-access server-access client-error server-error echo-servers \
		http-servers dnsmasq-isp dnsmasq-tun query; do
		[[ -f $GW_LOGDIR/$f.log ]] || continue
		echo "--- $f.log (last 25 lines)"
		tail -n 25 "$GW_LOGDIR/$f.log"
	done
	echo "--- sluicectl status"
	ctl status 2>&1
}
