#!/bin/bash
# `sluicectl load` of ~20,000 prefixes in a loop while traffic flows.  Two
# versions A and B of source "big" share most entries ("both": the real
# bypass lists minus every tenth line, ~13,000 generated 2001:db8::/48s,
# and the white-listed Internet hosts) and differ in the rest.  While the
# source flips A, B, A, ... (LOOPS times each):
#   - a reader (tests/tools/sluice-nltest reader) classifies random
#     addresses of "both" through the data path's CLASSIFY, all the time:
#     zero misses;
#   - new TCP and UDP flows, v4 and v6, to the white-listed hosts are all
#     answered directly, and to the proxied hosts through the real v2ray
#     client, with zero failures; a long direct TCP flow never misses;
#   - the module's memory figure is the same for the same version at the
#     start and the end (nothing piles up); errors 0; every load a rebuild.
# timeout: 1500
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"
# shellcheck source=SCRIPTDIR/../lib-faults.sh
. "$(dirname "$0")/../lib-faults.sh"

LOOPS=${LOOPS:-10}
NLTEST=$SLUICE_REPO/tests/tools/sluice-nltest
DATA=$SLUICE_REPO/../shared/data/bypass
[[ -x $NLTEST ]] || fail "missing $NLTEST (make -C tests/tools)"
[[ -f $DATA/china4.txt && -f $DATA/china6.txt ]] || fail "bypass lists missing in $DATA"

# ---- the two versions
{
	awk 'NR % 10 != 0' "$DATA/china4.txt" "$DATA/china6.txt"
	for ((i = 0; i < 13000; i++)); do printf '2001:db8:%x::/48\n' $((0x1000 + i)); done
	echo "$WLISTED4/32"
	echo "$WLISTED6/128"
} >both.txt
{
	cat both.txt
	awk 'NR % 10 == 0' "$DATA/china4.txt" "$DATA/china6.txt"
	for ((i = 0; i < 600; i++)); do echo "100.$((64 + i / 256)).$((i % 256)).0/24"; done
} >A.txt
{
	cat both.txt
	for ((i = 0; i < 600; i++)); do echo "100.$((96 + i / 256)).$((i % 256)).0/24"; done
	for ((i = 0; i < 600; i++)); do printf '2001:db8:%x::/48\n' $((0x8000 + i)); done
} >B.txt
nA=$(grep -c . A.txt) nB=$(grep -c . B.txt) nboth=$(grep -c . both.txt)
echo "versions: A $nA, B $nB prefixes, $nboth in both"

gw_topology
gw_sluice tproxy
fl_servers
v2ray_server
v2ray_client tproxy
ctl -q load big A.txt
mem0=$(sluice_mem)
kmem0=$(kmem_kb)
avail0=$(mem_avail_kb)
rb0=$(ctr white_list_rebuilds)
snap

t_load=$(now_ms)
fl_stream sdt4 lan tcp "$WLISTED4" 200 "$FAULT_TMO"
fl_client dt4 lan tcp "$WLISTED4" 2 "$FAULT_TMO" 50
fl_client dt6 lan tcp "$WLISTED6" 1 "$FAULT_TMO" 50
fl_client du4 lan udp "$WLISTED4" 1 "$FAULT_TMO" 50
fl_client du6 lan udp "$WLISTED6" 1 "$FAULT_TMO" 50
fl_client pt4 lan tcp "$PROXIED4" 1 "$FAULT_TMO" 100
fl_client pu6 lan udp "$PROXIED6" 1 "$FAULT_TMO" 100

# The reader stops when its stdin (a fifo) closes; started last, so no
# other background process holds the fifo's write end.
mkfifo reader.in
ip netns exec gw "$NLTEST" reader both.txt lan0 <reader.in >reader.out 2>&1 &
rpid=$!
track_pid "$rpid"
exec {rw}>reader.in
wait_for 10 grep -q reading reader.out || fail "reader did not start: $(cat reader.out)"

ms_total=0
for i in $(seq 1 "$LOOPS"); do
	for v in B A; do
		t0=$(now_ms)
		ctl -q load big "$v.txt" || fail "load $v (round $i) failed"
		t1=$(now_ms)
		ms_total=$((ms_total + t1 - t0))
	done
done
echo "MEASURE $((2 * LOOPS)) loads of ~20k prefixes under traffic: $ms_total ms ($((ms_total / (2 * LOOPS))) ms each)"
exec {rw}>&-
rrc=0
wait "$rpid" || rrc=$?
t_end=$(now_ms)
fl_stop_all
cat reader.out
for n in dt4 dt6 du4 du6 pt4 pu6; do echo "FLOWS $n: $(fl_summary "$n.flows")"; done
echo "STREAM sdt4: $(tail -n1 sdt4.stream)"

assert_match '^reader: [0-9]+ lookups, 0 misses$' "$(tail -n1 reader.out)" "reader during the reloads"
((rrc == 0)) || fail "reader exit status $rrc"
stream_ok sdt4
FAULT_DIRECT=(dt4 dt6 du4 du6)
fault_check_direct "$t_load" "$t_end"
FAULT_PROXIED=(pt4 pu6)
fault_expect_proxied "$t_load" "$t_end" proxied
still errors
rb=$(ctr white_list_rebuilds)
echo "white_list_rebuilds: +$((rb - rb0))"
((rb - rb0 >= 2 * LOOPS)) || fail "only $((rb - rb0)) rebuilds for $((2 * LOOPS)) loads"
mem1=$(sluice_mem)
echo "MEASURE sluice memory (cidr+entry bytes) with A: $mem0 at the start, $mem1 at the end"
echo "MEASURE kernel Slab+VmallocUsed: $kmem0 kB before, $(kmem_kb) kB after; MemAvailable $avail0 -> $(mem_avail_kb) kB"
assert_eq "$mem0" "$mem1" "module memory for version A, start vs end"
assert_eq "$nA" "$(ctl status --json | jq '[.sources[] | select(.name == "big") | .entries4 + .entries6] | add')" "entries of big"
echo PASS
