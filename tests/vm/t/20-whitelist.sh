#!/bin/bash
# timeout: 300
# The white_list: real bypass lists loaded atomically and checked against a
# naive model through the data path; replace under a reader that must never
# miss a prefix present before and after; timeouts; limits; transactions.
. "$(dirname "$0")/../lib.sh"

CTL=$SLUICECTL
NLTEST=$SLUICE_REPO/tests/tools/sluice-nltest
DATA=$SLUICE_REPO/../shared/data/bypass
[[ -x $NLTEST ]] || fail "missing $NLTEST (make -C tests/tools)"
[[ -f $DATA/china4.txt && -f $DATA/china6.txt ]] || fail "bypass lists missing in $DATA"

load_sluice
# CLASSIFY answers with the data path's structures once sluice is enabled
# for a LAN device; nothing is routed in this test.
ip link add lanT type dummy
ip link set lanT up
$CTL set lan lanT enabled on

n4=$(grep -c . "$DATA/china4.txt")
n6=$(grep -c . "$DATA/china6.txt")
out=$($CTL load china4 "$DATA/china4.txt")
echo "$out"
assert_match "$n4" "$out" "load reports the count"
$CTL load china6 "$DATA/china6.txt"
j=$($CTL status --json)
echo "$j" | jq -c '.sources, .memory'
assert_eq "$n4" "$(jq '.sources[] | select(.name=="china4") | .entries4' <<<"$j")" "china4 entries"
assert_eq "$n6" "$(jq '.sources[] | select(.name=="china6") | .entries6' <<<"$j")" "china6 entries"

# Sampled lookups through the data path against a naive scan of the files.
$NLTEST verify "$DATA/china4.txt" 20000 lanT || fail "IPv4 lookups disagree with the list"
$NLTEST verify "$DATA/china6.txt" 20000 lanT || fail "IPv6 lookups disagree with the list"

# sluicectl test names the matching prefix and source.
first4=$(head -n1 "$DATA/china4.txt")
out=$($CTL test "${first4%/*}")
assert_match "^direct .*${first4//./\\.}.*china4" "$out" "test of a listed address"
out=$($CTL test 203.0.113.99)
assert_match "^proxy" "$out" "test of an unlisted address"

# A bad line anywhere aborts the whole load and changes nothing.
cp "$DATA/china4.txt" bad.txt
echo "10.0.0.1/8" >>bad.txt
out=$($CTL load china4 bad.txt 2>&1) && fail "load of a bad file succeeded"
assert_match "bad.txt:$((n4 + 1)):" "$out" "FILE:LINE in the message"
assert_eq "$n4" "$($CTL status --json | jq '.sources[] | select(.name=="china4") | .entries4')" "bad load changed nothing"

# Replace under load.  v2 drops every 10th prefix of v1 and adds new ones;
# a reader classifies addresses of prefixes in both versions and must never
# see one go missing while the source flips between v1 and v2.
awk 'NR % 10 != 0' "$DATA/china4.txt" >both.txt
cp both.txt v2.txt
for i in $(seq 0 199); do echo "100.$((64 + i / 256)).$((i % 256)).0/24"; done >>v2.txt
# Helpers run with stdin on a fifo: closing our end tells them to stop.
mkfifo reader.in hold.in
"$NLTEST" reader both.txt lanT <reader.in >reader.out &
rpid=$!
exec {rw}>reader.in
wait_for 5 grep -q reading reader.out || fail "reader did not start"
start=$EPOCHREALTIME
for i in $(seq 1 10); do
	$CTL -q load china4 v2.txt
	$CTL -q load china4 "$DATA/china4.txt"
done
end=$EPOCHREALTIME
exec {rw}>&-
wait "$rpid" || fail "reader saw misses during replace: $(cat reader.out)"
result=$(tail -n1 reader.out)
echo "$result; 20 replaces of $n4 prefixes in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') s"
assert_match "0 misses" "$result" "no misses"

# Timeouts: a host and a prefix disappear by themselves.
$CTL add 203.0.113.9 source dns timeout 1
$CTL add 198.51.100.0/25 2001:db8:77::/48 source dns timeout 2
assert_match "^direct" "$($CTL test 203.0.113.9)" "timed host listed"
assert_match "^direct" "$($CTL test 198.51.100.7)" "timed prefix listed"
$CTL list source dns | grep -q timeout || fail "list shows no timeout"
expired() { [[ $($CTL test 203.0.113.9) == proxy* ]]; }
wait_for 3 expired || fail "host entry did not expire"
expired2() { [[ $($CTL test 198.51.100.7) == proxy* && $($CTL test 2001:db8:77::1) == proxy* ]]; }
wait_for 4 expired2 || fail "prefix entries did not expire"
[[ $($CTL status --json | jq ".counters.white_list_expired") -ge 3 ]] || fail "wl_expired counter"

# The same prefix in two sources: deleting from one leaves the other.
$CTL add 192.0.2.128/25 source a
$CTL add 192.0.2.128/25 source b
$CTL del 192.0.2.128/25 source a
assert_match "^direct" "$($CTL test 192.0.2.200)" "still listed by source b"
out=$($CTL del 192.0.2.128/25 source a 2>&1) && fail "double delete succeeded"
assert_match "not listed" "$out" "delete of a missing entry"
$CTL flush source b
assert_match "^proxy" "$($CTL test 192.0.2.200)" "gone after flush of b"

# An address of the gateway goes direct as "local"; once it is also in the
# white_list, the white_list (checked first, it is cheaper) names it.
ip addr add 192.0.2.77/32 dev lanT
assert_match "^direct local" "$($CTL test 192.0.2.77)" "gateway address"
$CTL add 192.0.2.77 source local
assert_match "^direct white_list .*local" "$($CTL test 192.0.2.77)" "listed gateway address"
$CTL flush source local
ip addr del 192.0.2.77/32 dev lanT

# Hosts: the host table answers /32 and /128 entries.
$CTL add 203.0.113.77 2001:db8:3::77
assert_match "^direct" "$($CTL test 203.0.113.77)" "v4 host"
assert_match "^direct" "$($CTL test 2001:db8:3::77)" "v6 host"
assert_match "^proxy" "$($CTL test 203.0.113.78)" "v4 neighbour"
$CTL del 203.0.113.77 2001:db8:3::77
assert_match "^proxy" "$($CTL test 203.0.113.77)" "v4 host removed"

# Transactions: one per source; another client gets EBUSY; closing the
# socket of an open transaction discards it.
"$NLTEST" hold china6 <hold.in >hold.out &
hpid=$!
exec {hw}>hold.in
wait_for 5 grep -q open hold.out || fail "transaction did not open"
assert_eq true "$($CTL status --json | jq '.sources[] | select(.name=="china6") | .replacing')" "status shows the open replace"
out=$($CTL load china6 "$DATA/china6.txt" 2>&1) && fail "concurrent load succeeded"
assert_match "another client" "$out" "EBUSY message"
out=$($CTL add 2001:db8:99::/48 source china6 2>&1) && fail "add during replace succeeded"
exec {hw}>&-
wait "$hpid" || fail "holder failed"
# The staged 198.18.0.0/15 of the dead transaction must not appear.
assert_match "^proxy" "$($CTL test 198.18.0.1)" "abandoned transaction discarded"
$CTL -q load china6 "$DATA/china6.txt" || fail "load after the holder closed"

# Dumps of many entries span many messages and stay complete.
total=$($CTL list | wc -l)
assert_eq "$($CTL status --json | jq '.memory.entries')" "$total" "list shows every entry"

# rmmod with everything loaded frees it (the harness checks the kernel log).
$CTL set enabled off
unload_sluice

# The entry limit returns ENOSPC with a message and changes nothing.
load_sluice max_entries=1000
$CTL add 10.0.0.0/8
out=$($CTL load china4 "$DATA/china4.txt" 2>&1) && fail "load over the limit succeeded"
assert_match "limit" "$out" "ENOSPC message"
assert_eq 1 "$($CTL status --json | jq '.memory.entries')" "nothing changed by the failed load"
head -n 998 "$DATA/china4.txt" | $CTL -q load part - || fail "load within the limit"
out=$($CTL add 203.0.113.1 203.0.113.2 2>&1) && fail "add over the limit succeeded"
assert_match "limit" "$out" "ENOSPC on add"
unload_sluice
ip link del lanT
echo ok
