#!/bin/bash
# PPPoE WAN flapping under load: a real PPPoE link (pppoe-server in wan,
# pppd in gw, as in 52-sluiced-pppoe) is dropped FLAPS times, each time
# coming back with a new address, while the LAN host makes new flows
# (direct TCP and UDP over ppp0, proxied TCP through the real v2ray client
# run by sluiced, direct IPv6 over the untouched veth) and holds a long
# direct IPv6 TCP flow.  Asserted:
#   - after each flap, ppp0 gets an address of the new session's pool,
#     `local` holds it and not the old one, and from FAULT_BOUND after that
#     every new direct IPv4 flow is answered, masqueraded to the new
#     session's address (the peer the server saw);
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
# Session i's pool: pppoe-server -R addr_of(i) hands out 198.51.100.i0 first,
# but the next one (.i1, ...) when .i0 is still held by a session that died
# before the server reaped it.  On the debug kernel that happens at the
# reconnect itself (pppd: "LCP: timeout sending Config-Requests", then a
# second session got .51 while .50 was held) and within a window (session
# 4 went on as .51).  An address of another session's pool is always a
# failure.
addr_of() { echo "198.51.100.$((10 + 10 * $1))"; } # session i's first address
pool_re() { echo "^198[.]51[.]100[.]$((1 + $1))[0-9]$"; }
ppp_in_pool() { [[ $(ppp_addr gw ppp0) =~ $(pool_re "$1") ]]; }
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
pppoe_server_start "$(addr_of 0)"
pppoe_client_start
wait_for 60 ppp_in_pool 0 || fail "ppp0 did not get an address of $(addr_of 0)'s pool"
ADDRS=("$(ppp_addr gw ppp0)") # the address each session got
wait_for 10 ppp_route || fail "no default route over ppp0"

v2ray_render client.json "$GW_LOGDIR/client.json" tproxy
printf '%s/32\n%s/128\n' "$WLISTED4" "$WLISTED6" >direct.txt
fault_sluiced_conf "$v2" ppp0 "1s 10s" open
sd_start sluiced.conf
on_exit 'echo "--- sluiced.log (last 30 lines)"; tail -n 30 sluiced.log'
wait_for 90 _gw_v2ray_client_up || fail "v2ray client not listening"
wait_for 30 sd_enabled || fail "redirection not on"
wait_for 10 local_is "${ADDRS[0]}" "" || fail "PPP address not in local"

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
	old=${ADDRS[i - 1]}
	t0=$(now_ms)
	FLAPPED+=("$t0")
	pppoe_server_stop
	pppoe_server_start "$(addr_of "$i")"
	wait_for 90 ppp_in_pool "$i" || fail "flap $i: ppp0 did not get an address of $(addr_of "$i")'s pool (has: $(ppp_addr gw ppp0))"
	t1=$(now_ms)
	new=$(ppp_addr gw ppp0)
	ADDRS+=("$new")
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
# proxied through the client.  "That session's address": one of its pool
# (see pool_re): if the PPP session drops and comes back within the
# window, it may come back with the next address, and masquerade must
# follow that.
# pool_lines FILE FROM TO ok|notok I: flows started in [FROM, TO), done
# before TO, answered (ok) / not answered (notok) via session I's pool
pool_lines() {
	awk -v from="$2" -v to="$3" -v w="$4" -v re="$(pool_re "$5")" '
		$1 < from || $1 >= to || $1 + $4 >= to { next }
		{ ok = $2 == "ok" && $3 ~ re }
		(w == "ok" && ok) || (w == "notok" && !ok)' "$1"
}
for i in $(seq 0 "$FLAPS"); do
	from=$((SETTLED[i] + (i ? FAULT_BOUND : 0)))
	to=${FLAPPED[$i]}
	a=${ADDRS[i]}
	for n in dt4 du4; do
		bad=$(pool_lines "$n.flows" "$from" "$to" notok "$i")
		[[ -z $bad ]] || fail "session $i ($a): $n flows not answered via its pool $(addr_of "$i" | sed 's/0$/x/'): $(head -n 3 <<<"$bad" | tr '\n' ';')"
		good=$(pool_lines "$n.flows" "$from" "$to" ok "$i")
		[[ -n $good ]] || fail "session $i: no $n flow answered"
		awk -v a="$a" -v n="$n" -v i="$i" \
			'$3 != a { c[$3]++ } END { for (k in c) print "SESSION " i " " n ": " c[k] " flow(s) via " k " (the session came back with another address)" }' <<<"$good"
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

# No stale addresses: of every address a session had (also one it got when
# it came back within a window), only ppp0's current one is listed.
cur=$(ppp_addr gw ppp0)
wl=$(ctl list)
while read -r a; do
	[[ $a == "$cur" || $wl != *"$a"[/\ ]* ]] || fail "stale PPP address $a still in the white_list"
done < <({
	printf '%s\n' "${ADDRS[@]}"
	awk '$2 == "ok" && $3 ~ /^198[.]51[.]100[.]/ { print $3 }' dt4.flows du4.flows
} | sort -u)
[[ $cur =~ $(pool_re "$FLAPS") ]] || fail "ppp0 has $cur, not an address of the last session's pool"
local_is "$cur" "" || fail "current PPP address not in local"
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
