#!/bin/bash
# timeout: 240
# sluiced on a real PPPoE WAN: pppoe-server in the wan ns, pppd (kernel
# PPPoE plugin) in the gw ns as ppp0, sluiced with `wan ppp0` and a fake
# client.  The PPP address is in `local`; a reconnect that changes the
# address moves `local` to the new one (measured from the address's
# appearance on ppp0), and a white-listed LAN->Internet TCP flow goes out
# direct, masqueraded to the new address, over the new ppp0.
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-pppoe.sh
. "$(dirname "$0")/../lib-pppoe.sh"

CTL=$SLUICECTL
SD=${SLUICED:-$SLUICE_REPO/userspace/sluiced/sluiced}
[[ -d $SD ]] && SD=$SD/sluiced
[[ -x $SD ]] || fail "sluiced not built ($SD): make -C userspace/sluiced"

ADDR1=198.51.100.10
ADDR2=198.51.100.20
DIRECT=203.0.113.20

ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
T_START=$(ms)
step() { echo "step +$(($(ms) - T_START)) ms: $*"; }
in_source() { in_gw "$CTL" list source "$1" | grep -qw -- "$2"; }
not_in_source() { ! in_source "$@"; }
enabled() { in_gw "$CTL" status --json | jq -r .config.enabled; }
is_enabled() { [[ $(enabled) == true ]]; }
ctr() { in_gw "$CTL" status --json | jq -r ".counters.$1"; }
ppp_has() { [[ $(ppp_addr gw ppp0) == "$1" ]]; }
ppp_route() { [[ $(ip -n gw route show default) == *"dev ppp0"* ]]; }
# PID is `ip monitor` (exec'd by ip netns exec) with its netlink socket open
monitor_listening() {
	[[ $(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) == "ip -ts -4 monitor"* ]] &&
		[[ -n $(find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null) ]]
}
# the new local address on ppp0, seen by the kernel and by sluicectl
local_moved() {
	local s
	s=$(in_gw "$CTL" list source local)
	s=$'\n'${s//\/32 / } # a host is listed as "ADDR source local"
	[[ $s == *$'\n'"$ADDR2 "* && $s != *$'\n'"$ADDR1 "* ]]
}

load_sluice
topo_basic
pppoe_setup
step "topology and PPPoE set up"
on_exit pppoe_logs

step "PPPoE server and client"
pppoe_server_start "$ADDR1"
pppoe_client_start
t0=$(ms)
wait_for 40 ppp_has "$ADDR1" || fail "ppp0 did not get $ADDR1"
wait_for 10 ppp_route || fail "no default route over ppp0"
echo "MEASURE pppd start -> ppp0 has $ADDR1: $(($(ms) - t0)) ms"

printf '# direct\n%s/32\n' "$DIRECT" >direct.txt
cat >sluiced.conf <<CONF
client socat TCP-LISTEN:12345,fork,reuseaddr /dev/null
lan lan0
wan ppp0
masquerade on
mode tproxy
port 12345
restart-delay 500ms 5s
probe-interval 50ms
list direct $PWD/direct.txt
failure-policy open
log-level debug
CONF
step "sluiced"
"$SD" -c sluiced.conf --check
# Each log line gets the time it was read (µs since the epoch).
stamp() { local l; while IFS= read -r l; do echo "${EPOCHREALTIME/./} $l"; done; }
# Not through in_gw: ip netns exec execs, so $! is sluiced itself.
ip netns exec gw "$SD" -f -c sluiced.conf > >(stamp >sluiced.log) 2>&1 &
sdpid=$!
track_pid "$sdpid"
on_exit 'echo "--- sluiced.log"; cat sluiced.log'

wait_for 30 is_enabled || fail "redirection not enabled after the client came up"
in_source local "$ADDR1" || fail "PPP address $ADDR1 not in local"
assert_eq ppp0 "$(in_gw "$CTL" status --json | jq -r .config.wan)" "module wan"
in_source direct "$DIRECT" || fail "list direct not loaded"

step "direct flow, first session"
# The direct flow works over the first session.
peer_server wan tcp "$DIRECT" 7000
assert_eq "$ADDR1" "$(peer_query lan tcp "$DIRECT" 7000 10)" "direct flow before the reconnect (masqueraded)"

# ---- reconnect with a new address ---------------------------------------------
# Address events on ppp0 with timestamps, to measure from the kernel's
# RTM_NEWADDR to sluicectl seeing the entry.
ip netns exec gw ip -ts -4 monitor address >ipmon.log 2>&1 &
monpid=$!
track_pid "$monpid"
wait_for 5 monitor_listening "$monpid" || fail "ip monitor not running"
step "reconnect: server restarted with a new pool"
pppoe_server_stop
pppoe_server_start "$ADDR2"
wait_for 60 ppp_has "$ADDR2" || fail "ppp0 did not get $ADDR2 after the reconnect"
t_seen=$(ms)
step "ppp0 has $ADDR2"
wait_for 30 local_moved || fail "local did not follow: $(in_gw "$CTL" list source local | tr '\n' ' ')"
t1=$(ms)
# When the kernel announced the new address (ip monitor's timestamp).
line=$(grep -m1 "inet $ADDR2" ipmon.log) || fail "no RTM_NEWADDR for $ADDR2 in ip monitor: $(cat ipmon.log)"
ts=${line#\[}
ts=${ts%%\]*}
t_ev_us=$(date -d "$ts" +%s%6N)
t_ev=$((t_ev_us / 1000))
# sluiced's log line for the new address (the first one: pppd's ioctls
# make the kernel delete and re-add it once more right after).
t_sd_us=$(awk -v a="address + $ADDR2/32 local" 'index($0, a) { print $1; exit }' sluiced.log)
[[ -n $t_sd_us ]] || fail "no log line for $ADDR2 entering local"
inner=$(((t_sd_us - t_ev_us) / 1000))
# Both are receivers of the same event: ip monitor's timestamp is when it
# read the event, so sluiced (which reads, then waits for the module's ack
# before logging) can come out a few ms earlier under TCG scheduling.
echo "MEASURE ppp0 new address $ADDR2 (RTM_NEWADDR read by ip monitor at $ts) -> sluiced logged it in local after the module's ack: $inner ms (negative: sluiced was first)"
echo "MEASURE same, until sluicectl list shows $ADDR2 in local and $ADDR1 gone: $((t1 - t_ev)) ms (upper bound: sluicectl polls; ppp0's address seen by polling ip addr after $((t_seen - t_ev)) ms)"
grep -E "local (add|del) ($ADDR1|$ADDR2)" sluiced.log | sed 's/^[0-9]* /MEASURE /'
((inner < 2000)) || fail "sluiced took $inner ms to put the new PPP address into local"
((t1 - t_ev < 20000)) || fail "local took $((t1 - t_ev)) ms to follow the new address (as seen by sluicectl)"
grep -q "address - $ADDR1/32 local" sluiced.log || fail "no log line for $ADDR1 leaving local"
grep -q "address + $ADDR2/32 local" sluiced.log || fail "no log line for $ADDR2 entering local"

step "flows after the reconnect"
# ---- flows after the reconnect ----------------------------------------------------
wait_for 10 ppp_route || fail "no default route over the new ppp0"
is_enabled || fail "redirection went off during the reconnect"
# an "off" shorter than a status poll leaves its line in sluiced's log
! grep -q 'redirection off' sluiced.log || fail "redirection went off during the reconnect: $(grep 'redirection off' sluiced.log)"
before=$(ctr white_list_v4)
assert_eq "$ADDR2" "$(peer_query lan tcp "$DIRECT" 7000 10)" "direct flow after the reconnect (masqueraded to the new address)"
after=$(ctr white_list_v4)
((after > before)) || fail "white_list_v4 did not count the direct flow ($before -> $after)"
assert_eq direct "$(in_gw "$CTL" test "$DIRECT" proto tcp dport 7000 iif lan0 src 192.0.2.2 --json | jq -r '.sources | join(",")')" "sluicectl test: source of the match"

step "stopping sluiced"
kill -TERM "$sdpid"
rc=0
wait "$sdpid" || rc=$?
assert_eq 0 "$rc" "sluiced exit status"
echo PASS
