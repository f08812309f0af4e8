#!/bin/bash
# sluice beside an OpenWrt fw4-style nftables ruleset (tests/vm/fw4/fw4.nft:
# zones, policies, established/related accept, IPv4 masquerade on wan,
# software flow offload), tproxy mode, real v2ray (tests/vm/lib-gateway.sh):
#  - the three flows pass, TCP and UDP, IPv4 and IPv6;
#  - 9 flushes and reloads of the ruleset (flush ruleset + load, atomic
#    reload, delete table + load) while long TCP flows run through the
#    proxy and direct, and new flows start between them: every long flow
#    survives, decisions and sluice's config/white_list are unchanged;
#  - flow offload: direct flows are offloaded ([OFFLOAD] in conntrack, their
#    packets counted by the flowtable and no longer by sluice), redirected
#    flows never are (sluice's counters see every exchange);
#  - masquerade: fw4 alone, then fw4 plus sluice `masquerade on` in both
#    hook orders: one NAT, the same peer address, one conntrack entry.
# timeout: 1500
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

FW4=$SLUICE_REPO/tests/vm/fw4/fw4.nft
LONG_PORT=7001
RELOADS=${RELOADS:-9}
T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || { gw_dump; in_gw conntrack -L 2>/dev/null | tail -n 30; in_gw nft list ruleset | tail -n 40; }'

fw4_load() { in_gw nft -f "$FW4" || fail "loading $FW4 failed"; }
# the peer a direct flow shows with fw4 alone: IPv4 masqueraded by fw4,
# IPv6 routed (fw4 does not masquerade IPv6 by default)
direct_peer() { if [[ $1 == *:* ]]; then echo "$LAN_HOST6"; else echo "$GW_WAN4"; fi; }

# ---- long-running TCP flows: LAN socat <-> `cat` on the Internet host ----------
# long_open NAME DST: a TCP connection from lan to DST:LONG_PORT, kept open;
# fds LW_NAME (write) and LR_NAME (read)
declare -A LW=() LR=() LN=()
long_open() {
	local name=$1 dst=$2 a=$2 w r
	[[ $dst == *:* ]] && a="[$dst]"
	mkfifo "long-$name.in" "long-$name.out"
	ip netns exec lan socat -T 1200 - "TCP:$a:$LONG_PORT" <"long-$name.in" >"long-$name.out" 2>>"$GW_LOGDIR/long.log" &
	track_pid $!
	exec {w}>"long-$name.in" {r}<"long-$name.out"
	LW[$name]=$w LR[$name]=$r
	LN[$name]=0
	long_ping "$name"
}
# long_ping NAME: one line there and back on the open connection
long_ping() {
	local name=$1 line
	LN[$name]=$((LN[$name] + 1))
	echo "$name ${LN[$name]}" >&"${LW[$name]}" || fail "long flow $name: write failed (connection gone)"
	read -r -t "$GW_QUERY_TIMEOUT" -u "${LR[$name]}" line || fail "long flow $name: no echo of line ${LN[$name]}"
	assert_eq "$name ${LN[$name]}" "$line" "long flow $name: echo"
}
long_ping_all() { local n; for n in P4 P6 D4 D6; do long_ping "$n"; done; }

# conntrack lines of the long flow NAME (by destination and port)
long_ct() {
	local dst=$1 fam=ipv4
	[[ $dst == *:* ]] && fam=ipv6
	in_gw conntrack -L -f "$fam" -p tcp --orig-dst "$dst" --dport "$LONG_PORT" 2>/dev/null
}
declare -A LDST=([P4]=$PROXIED4 [P6]=$PROXIED6 [D4]=$WLISTED4 [D6]=$WLISTED6)
# no proxied long flow has ever been offloaded
proxied_not_offloaded() {
	local n l
	for n in P4 P6; do
		l=$(long_ct "${LDST[$n]}")
		[[ -n $l ]] || fail "no conntrack entry for long flow $n"
		[[ $l != *OFFLOAD* ]] || fail "redirected flow $n is offloaded: $l"
	done
}

# ---- setup ---------------------------------------------------------------------
step topology
gw_topology
gw_echo_servers
for l in "TCP4-LISTEN:$LONG_PORT,reuseaddr,fork" "TCP6-LISTEN:$LONG_PORT,ipv6only=1,reuseaddr,fork"; do
	ip netns exec wan socat "$l" EXEC:cat </dev/null >/dev/null 2>>"$GW_LOGDIR/long.log" &
	track_pid $!
done
# shellcheck disable=SC2016
wait_for 10 eval '(($(in_wan ss -Hlnt "sport = :$LONG_PORT" | grep -c .) == 2))' || fail "long echo servers not listening"
gw_sluice tproxy
# fw4 owns NAT on this gateway: sluice's masquerade off (see docs/firewall.md)
ctl set masquerade off
in_gw sysctl -qw net.netfilter.nf_conntrack_acct=1
fw4_load
step "v2ray"
v2ray_server
v2ray_client tproxy
ctl add "$WLISTED4" "$WLISTED6"
# fw4 has nothing sluice's checks object to (no proxy rules; sysctls fine)
assert_eq "no warnings" "$(ctl check)" "sluicectl check beside fw4"

# ---- the three flows with fw4 --------------------------------------------------
# flow_check PROTO DST: one new flow and the path it must take
flow_check() {
	local proto=$1 dst=$2 f
	f=$(fam "$dst")
	snap
	case $dst in
	"$PROXIED4" | "$PROXIED6")
		expect_peer "$proto" "$dst" "$(svr_of "$dst")" "flow 1 $proto$f"
		moved "redirect_$proto$f"
		;;
	"$WLISTED4" | "$WLISTED6")
		expect_peer "$proto" "$dst" "$(direct_peer "$dst")" "flow 2 $proto$f"
		moved "white_list_v$f"
		# (the redirect counters can move: late packets of earlier
		# proxied flows; the client's log is the proof)
		assert_eq 0 "$(log_count client "$(acc "$proto" "$dst" "$ECHO_PORT")")" \
			"flow 2 $proto$f: the v2ray client must never see it"
		;;
	*)
		expect_peer "$proto" "$dst" "$(gwwan_of "$dst")" "flow 3 $proto$f"
		moved "redirect_$proto$f"
		;;
	esac
}
ALL_FLOWS=()
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6" "$WLISTED4" "$WLISTED6" "$FREEDOM4" "$FREEDOM6"; do
		ALL_FLOWS+=("$proto $dst")
	done
done
step "three flows beside fw4"
for fl in "${ALL_FLOWS[@]}"; do
	# shellcheck disable=SC2086
	flow_check $fl
done
assert_eq 0 "$(ctr errors)" "errors counter"

# what must not change across reloads
cfg_before=$(ctl status --json)
cfg_before=${cfg_before%%\"counters\"*}
list_before=$(ctl list)
tests_before=$(for a in "$PROXIED4" "$PROXIED6" "$WLISTED4" "$WLISTED6"; do ctl test "$a"; done)

# ---- long flows, and offload -----------------------------------------------------
step "long flows"
long_open P4 "$PROXIED4"
long_open P6 "$PROXIED6"
long_open D4 "$WLISTED4"
long_open D6 "$WLISTED6"
long_ping_all
wait_log server "$(acc tcp "$PROXIED4" "$LONG_PORT")" 1
wait_log server "$(acc tcp "$PROXIED6" "$LONG_PORT")" 1

# offload_report: the evidence, once with fw4 loaded and the flows warm
offload_check() {
	local n l ct0 ct1 pk0 pk1 N=10 i
	for n in D4 D6; do
		# shellcheck disable=SC2016
		wait_for 20 eval '[[ $(long_ct "${LDST[$n]}") == *OFFLOAD* ]]' ||
			fail "direct flow $n not offloaded: $(long_ct "${LDST[$n]}")"
	done
	proxied_not_offloaded
	# the short flows of the steps before end first: their last segments
	# pass the forward chain (they were never offloaded)
	gw_settle
	# direct: the flowtable counts the packets, sluice and the forward
	# chain do not see them
	ct0=$(long_ct "$WLISTED4")
	pk0=$(in_gw nft list chain inet fw4 forward | grep -o 'counter packets [0-9]*' | head -n1)
	snap
	for ((i = 0; i < N; i++)); do long_ping D4; long_ping D6; done
	ct1=$(long_ct "$WLISTED4")
	pk1=$(in_gw nft list chain inet fw4 forward | grep -o 'counter packets [0-9]*' | head -n1)
	echo "direct D4 before: $ct0"
	echo "direct D4 after $N exchanges: $ct1"
	echo "fw4 'flow add' rule: before '$pk0', after '$pk1'"
	echo "sluice existing +$(delta existing), packets +$(delta packets)"
	# not offloaded, each exchange would count >= 2 LAN segments per flow
	# as `existing`; allow a few late packets of earlier flows
	_gw_delta existing
	((DELTA <= 3)) || fail "sluice saw $DELTA non-SYN segments during $N exchanges on offloaded D4/D6"
	still white_list_v4 white_list_v6
	# not offloaded, the rule would count >= 40 (2 flows, >= 2 segments
	# per exchange); the same few late packets as above are allowed
	pk0=${pk0##* } pk1=${pk1##* }
	((pk1 - pk0 <= 3)) || fail "forward chain's flow-add rule saw $((pk1 - pk0)) packets during $N exchanges on offloaded D4/D6"
	[[ $ct0 =~ packets=([0-9]+) ]] || fail "no accounting in conntrack: $ct0"
	local a0=${BASH_REMATCH[1]}
	[[ $ct1 =~ packets=([0-9]+) ]] || fail "no accounting in conntrack: $ct1"
	((BASH_REMATCH[1] - a0 >= N)) || fail "flowtable counted $((BASH_REMATCH[1] - a0)) packets of D4, expected >= $N"
	# redirected: every exchange passes sluice's hook
	snap
	for ((i = 0; i < N; i++)); do long_ping P4; long_ping P6; done
	_gw_delta redirect_tcp4
	((DELTA >= N)) || fail "redirect_tcp4 moved by $DELTA for $N exchanges on P4"
	echo "proxied P4: redirect_tcp4 +$DELTA for $N exchanges"
	_gw_delta redirect_tcp6
	((DELTA >= N)) || fail "redirect_tcp6 moved by $DELTA for $N exchanges on P6"
	echo "proxied P6: redirect_tcp6 +$DELTA for $N exchanges"
	proxied_not_offloaded
	echo "proxied P4 conntrack: $(long_ct "$PROXIED4")"
}
step "offload"
offload_check

# ---- reloads while flows run -----------------------------------------------------------
reload() { # variant
	case $1 in
	0) in_gw nft flush ruleset && in_gw nft -f "$FW4" ;;
	1) in_gw nft -f "$FW4" ;;
	2) in_gw nft delete table inet fw4 && in_gw nft -f "$FW4" ;;
	esac
}
step "$RELOADS reloads"
for ((i = 0; i < RELOADS; i++)); do
	reload $((i % 3)) &
	rp=$!
	long_ping_all # while the reload runs
	wait "$rp" || fail "reload $i (variant $((i % 3))) failed"
	long_ping_all
	# shellcheck disable=SC2086
	flow_check ${ALL_FLOWS[i % ${#ALL_FLOWS[@]}]}
	proxied_not_offloaded
done
step "after the reloads"
cfg_after=$(ctl status --json)
assert_eq "$cfg_before" "${cfg_after%%\"counters\"*}" "sluice config after reloads"
assert_eq "$list_before" "$(ctl list)" "white_list after reloads"
assert_eq "$tests_before" "$(for a in "$PROXIED4" "$PROXIED6" "$WLISTED4" "$WLISTED6"; do ctl test "$a"; done)" \
	"decisions after reloads"
for fl in "${ALL_FLOWS[@]}"; do
	# shellcheck disable=SC2086
	flow_check $fl
	# the v2ray client closes a connection idle for 60 s (connIdle)
	long_ping_all
done
offload_check
assert_eq 0 "$(ctr errors)" "errors counter"
# one v2ray server connection per long proxied flow: none was re-opened
assert_eq 1 "$(log_count server "$(acc tcp "$PROXIED4" "$LONG_PORT")")" "P4 opened once"
assert_eq 1 "$(log_count server "$(acc tcp "$PROXIED6" "$LONG_PORT")")" "P6 opened once"

# ---- masquerade: fw4 alone, then fw4 + sluice ----------------------------------------
# masq_flow FAM SPORT: a direct TCP flow from a fixed source port; prints
# the number of conntrack entries of that port and their reply destination
masq_flow() {
	local dst=$WLISTED4 a=$WLISTED4 want=$1 sport=$2 got l
	if [[ $want == *:* ]]; then dst=$WLISTED6 a="[$WLISTED6]"; fi
	got=$(echo query | ip netns exec lan socat -t 10 -T 10 - "TCP:$a:$ECHO_PORT,sourceport=$sport" 2>>"$GW_LOGDIR/query.log") ||
		fail "masquerade: no reply from $dst (sport $sport)"
	assert_eq "$want" "$(canon_ip "$got")" "masquerade: peer seen by $dst (sport $sport)"
	l=$(in_gw conntrack -L -p tcp --orig-port-src "$sport" 2>/dev/null)
	assert_eq 1 "$(grep -c . <<<"$l")" "masquerade: conntrack entries for sport $sport: $l"
	[[ $l =~ dst=([^ ]+)\ sport=$ECHO_PORT\ dport=([0-9]+) ]] || fail "masquerade: no reply tuple in: $l"
	assert_eq "$want" "$(canon_ip "${BASH_REMATCH[1]}")" "masquerade: reply destination in conntrack"
	echo "sport $sport: $l"
}
masq_ctr() { in_gw nft list chain inet fw4 srcnat_wan | grep -o 'counter packets [0-9]*' | grep -o '[0-9]*$'; }
step "masquerade: fw4 alone"
masq_flow "$GW_WAN4" 40001
masq_flow "$LAN_HOST6" 40002
long_ping_all
step "masquerade: fw4 and sluice (sluice's hook registered last: runs first)"
ctl set masquerade on
m0=$(masq_ctr)
masq_flow "$GW_WAN4" 40003
masq_flow "$GW_WAN6" 40004 # fw4 has no NAT66: sluice's
m1=$(masq_ctr)
long_ping_all
# `fw4 restart`: the table is deleted and created again, so its srcnat
# chain's hook is registered anew (an atomic reload only flushes rules and
# keeps the chain's registration, and with it the order)
step "masquerade: after a fw4 restart (fw4's chain registered last: runs first)"
reload 2 || fail "fw4 restart failed"
m2=$(masq_ctr)
masq_flow "$GW_WAN4" 40005
masq_flow "$GW_WAN6" 40006
m3=$(masq_ctr)
echo "fw4 masquerade rule: +$((m1 - m0)) with sluice's hook first, +$((m3 - m2)) with fw4's first"
# The NAT core binds once: whichever hook runs first does it, the other is
# not called for that flow.  The two orders show both cases.
assert_eq 0 "$((m1 - m0))" "fw4 masquerade rule with sluice's NAT hook first"
assert_eq 1 "$((m3 - m2))" "fw4 masquerade rule with fw4's chain first"
long_ping_all
step finished
