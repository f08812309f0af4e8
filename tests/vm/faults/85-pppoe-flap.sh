#!/bin/bash
# PPPoE WAN flapping under load: a real PPPoE link (pppoe-server in wan,
# pppd in gw, as in 52-sluiced-pppoe) is dropped FLAPS times, each time
# coming back with a new address, while the LAN host makes new flows
# (direct TCP and UDP over ppp0, proxied TCP through the real v2ray client
# run by sluiced, direct IPv6 over the untouched veth) and holds a long
# direct IPv6 TCP flow.  Asserted:
#   - after each flap, `local` holds the new PPP address and not the old
#     one, and from FAULT_BOUND after that every new direct IPv4 flow is
#     answered, masqueraded to the new address (the peer the server saw);
#   - proxied flows work again through the client after each flap;
#   - IPv6 flows (not on the PPP link, so not masqueraded) never miss,
#     new or long;
#   - at the end no old PPP address is left in the white_list, the module
#     still tracks ppp0, errors 0; kernel log clean (harness).
# timeout: 1500
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"
# shellcheck source=SCRIPTDIR/../lib-pppoe.sh
. "$(dirname "$0")/../lib-pppoe.sh"
# shellcheck source=SCRIPTDIR/../lib-faults.sh
. "$(dirname "$0")/../lib-faults.sh"

FLAPS=${FLAPS:-6}
ppp_has() { [[ $(ppp_addr gw ppp0) == "$1" ]]; }
ppp_route() { [[ $(ip -n gw route show default) == *"dev ppp0"* ]]; }
local_is() { # ADDR OLD: ADDR in local, OLD not
	local s
	s=$'\n'$(ctl list source local)
	[[ $s == *$'\n'"$1"[/\ ]* ]] && { [[ -z $2 ]] || [[ $s != *$'\n'"$2"[/\ ]* ]]; }
}

v2=$(command -v v2ray) || fail "v2ray not installed"
gw_topology
load_sluice
pppoe_setup
on_exit pppoe_logs
fl_servers
v2ray_server
addr_of() { echo "198.51.100.$((10 + 10 * $1))"; } # flap i's PPP address
pppoe_server_start "$(addr_of 0)"
pppoe_client_start
wait_for 60 ppp_has "$(addr_of 0)" || fail "ppp0 did not get $(addr_of 0)"
wait_for 10 ppp_route || fail "no default route over ppp0"

v2ray_render client.json "$GW_LOGDIR/client.json" tproxy
printf '%s/32\n%s/128\n' "$WLISTED4" "$WLISTED6" >direct.txt
fault_sluiced_conf "$v2" ppp0 "1s 10s" open
sd_start sluiced.conf
on_exit 'echo "--- sluiced.log (last 30 lines)"; tail -n 30 sluiced.log'
wait_for 90 _gw_v2ray_client_up || fail "v2ray client not listening"
wait_for 30 sd_enabled || fail "redirection not on"
wait_for 10 local_is "$(addr_of 0)" "" || fail "PPP address not in local"

t_load=$(now_ms)
fl_stream s6 lan tcp "$WLISTED6" 200 "$FAULT_TMO"
fl_client dt4 lan tcp "$WLISTED4" 2 "$FAULT_TMO" 100
fl_client du4 lan udp "$WLISTED4" 1 "$FAULT_TMO" 100
fl_client dt6 lan tcp "$WLISTED6" 1 "$FAULT_TMO" 100
fl_client pt4 lan tcp "$PROXIED4" 2 "$FAULT_TMO" 100
sleep 6

SETTLED=("$t_load")
FLAPPED=()
for i in $(seq 1 "$FLAPS"); do
	old=$(addr_of $((i - 1)))
	new=$(addr_of "$i")
	t0=$(now_ms)
	FLAPPED+=("$t0")
	pppoe_server_stop
	pppoe_server_start "$new"
	wait_for 90 ppp_has "$new" || fail "flap $i: ppp0 did not get $new"
	t1=$(now_ms)
	wait_for 30 local_is "$new" "$old" || fail "flap $i: local did not follow $old -> $new: $(ctl list source local | tr '\n' ' ')"
	t2=$(now_ms)
	wait_for 10 ppp_route || fail "flap $i: no default route over ppp0"
	t3=$(now_ms)
	SETTLED+=("$t3")
	echo "FLAP $i: $old -> $new: ppp0 has it after $((t1 - t0)) ms, local followed (seen by polling sluicectl) after $((t2 - t0)) ms, default route after $((t3 - t0)) ms"
	sleep 12 # traffic over the new session
done
t_end=$(now_ms)
FLAPPED+=("$t_end")
fl_stop_all
for n in dt4 du4 dt6 pt4; do echo "FLOWS $n: $(fl_summary "$n.flows")"; done
echo "STREAM s6: $(tail -n1 s6.stream)"

# Per settled window: direct IPv4 masqueraded to that session's address,
# proxied through the client.  "That session's address": one of the
# pool pppoe-server hands out from addr_of i (198.51.100.i0 to .i9).  If
# the PPP session drops and comes back within the window, the server
# still holds the first address and gives the next one (seen on the debug
# kernel: session 4 went on as .51), and masquerade must follow that.
# An address of an earlier session is always a failure.
# pool_lines FILE FROM TO ok|notok I: flows started in [FROM, TO), done
# before TO, answered (ok) / not answered (notok) via session I's pool
pool_lines() {
	awk -v from="$2" -v to="$3" -v w="$4" -v re="^198[.]51[.]100[.]$((1 + $5))[0-9]$" '
		$1 < from || $1 >= to || $1 + $4 >= to { next }
		{ ok = $2 == "ok" && $3 ~ re }
		(w == "ok" && ok) || (w == "notok" && !ok)' "$1"
}
for i in $(seq 0 "$FLAPS"); do
	from=$((SETTLED[i] + (i ? FAULT_BOUND : 0)))
	to=${FLAPPED[$i]}
	a=$(addr_of "$i")
	for n in dt4 du4; do
		bad=$(pool_lines "$n.flows" "$from" "$to" notok "$i")
		[[ -z $bad ]] || fail "session $i ($a): $n flows not answered via ${a%0}x: $(head -n 3 <<<"$bad" | tr '\n' ';')"
		good=$(pool_lines "$n.flows" "$from" "$to" ok "$i")
		[[ -n $good ]] || fail "session $i: no $n flow answered"
		awk -v a="$a" -v n="$n" -v i="$i" \
			'$3 != a { c[$3]++ } END { for (k in c) print "SESSION " i " " n ": " c[k] " flow(s) via " k " (the session came back with the next address)" }' <<<"$good"
	done
	bad=$(fl_lines pt4.flows "$from" "$to" "notok:$SVR4" "$to")
	bad=$(fault_slow_ok pt4 "$from" "$to" "$bad")
	[[ -z $bad ]] || fail "session $i: proxied flows not through the client: $(head -n 3 <<<"$bad" | tr '\n' ';')"
done
# IPv6 does not use the PPP link (the module's wan, so no masquerade): never
# a miss
bad=$(fl_lines dt6.flows "$t_load" "$t_end" "notok:$LAN_HOST6")
[[ -z $bad ]] || fail "IPv6 direct flows missed: $(head -n 3 <<<"$bad" | tr '\n' ';')"
stream_ok s6

# No stale addresses: only the last PPP address of them all is listed.
wl=$(ctl list)
for i in $(seq 0 $((FLAPS - 1))); do
	[[ $wl != *"$(addr_of "$i")"[/\ ]* ]] || fail "stale PPP address $(addr_of "$i") still in the white_list"
done
local_is "$(addr_of "$FLAPS")" "" || fail "current PPP address not in local"
# `local` is exactly the gateway's addresses now (loopback included)
have=$(ctl list source local | awk '{ sub(/\/(32|128)$/, "", $1); print $1 }' | sort)
want=$(ip -n gw -o addr show | awk '{ sub(/\/.*/, "", $4); print $4 }' | while read -r a; do canon_ip "$a"; done | sort)
echo "local: $(tr '\n' ' ' <<<"$have")"
assert_eq "$want" "$have" "local = the gateway's addresses"
assert_eq ppp0 "$(ctl status --json | jq -r .config.wan)" "module wan"
assert_eq 0 "$(ctr errors)" "errors counter"
grep -E "address [+-] 198\.51\.100\." sluiced.log | sed 's/^/MEASURE /' | tail -n 20
kill -TERM "$SD_PID"
rc=0
wait "$SD_PID" || rc=$?
assert_eq 0 "$rc" "sluiced exit status"
echo PASS
