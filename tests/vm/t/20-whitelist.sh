#!/bin/bash
# timeout: 600
# The white_list: real bypass lists loaded atomically and checked against a
# naive model through the data path; replace under a reader that must never
# miss a prefix present before and after; timeouts; limits; transactions.
# The proxy and src lists: independent, per-list timeouts, transactions and
# limits; the decision order through CLASSIFY (source selection, default
# direct + proxy list, DNS, QUIC reject, the gateway's own flows).
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

# Timeouts: a host and a prefix disappear by themselves.  A sluicectl run
# takes about a second in a loaded TCG guest: timeouts leave room for the
# checks that they are listed first.
$CTL add 203.0.113.9 source dns timeout 4
$CTL add 198.51.100.0/25 2001:db8:77::/48 source dns timeout 6
assert_match "^direct" "$($CTL test 203.0.113.9)" "timed host listed"
assert_match "^direct" "$($CTL test 198.51.100.7)" "timed prefix listed"
$CTL list source dns | grep -q timeout || fail "list shows no timeout"
expired() { [[ $($CTL test 203.0.113.9) == proxy* ]]; }
wait_for 10 expired || fail "host entry did not expire"
expired2() { [[ $($CTL test 198.51.100.7) == proxy* && $($CTL test 2001:db8:77::1) == proxy* ]]; }
wait_for 10 expired2 || fail "prefix entries did not expire"
[[ $($CTL status --json | jq ".counters.white_list_expired") -ge 3 ]] || fail "wl_expired counter"

# A source whose entries all expired goes too (else it would count toward
# the 256 sources for ever), unless a replace of it is open: "held" keeps
# an open (empty) replace through the expiry of its only entry.
$CTL add 203.0.113.11 198.51.100.128/25 source gone timeout 8
$CTL add 203.0.113.10 source held timeout 8
mkfifo hold3.in
"$NLTEST" hold held <hold3.in >hold3.out &
h3pid=$!
exec {h3w}>hold3.in
wait_for 5 grep -q open hold3.out || fail "transaction of held did not open"
srcs() { $CTL status --json | jq -c '[.sources[] | select(.name == "gone" or .name == "held") | [.name, .entries4 + .entries6, .replacing]]'; }
assert_eq '[["gone",2,false],["held",1,true]]' "$(srcs)" "timed sources listed"
expired3() { [[ $($CTL test 203.0.113.10) == proxy* && $($CTL test 203.0.113.11) == proxy* && $($CTL test 198.51.100.130) == proxy* ]]; }
wait_for 20 expired3 || fail "entries of gone and held did not expire"
assert_eq '[["held",0,true]]' "$(srcs)" "expired source gone, the one being replaced kept"
exec {h3w}>&-
wait "$h3pid" || fail "holder of held failed"
assert_eq '[]' "$(srcs)" "held gone with its replace"

# A dump that spans a change (a delete between two recv calls) ends
# flagged NLM_F_DUMP_INTR or holds exactly the set from before or after;
# in a namespace of its own, as it flushes the list.
ip netns add di
for m in entries-behind entries-ahead sources; do
	ip netns exec di "$NLTEST" dumpintr "$m" || fail "dump consistency ($m)"
done
ip netns del di

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

# Many hosts come and go (DNS-learned entries): the host prefilter keeps
# answering for the ones that stay, and forgets the ones that went once it
# is rebuilt (more removed than left).
$CTL add $(seq -f '203.0.113.%g' 1 200) source hm
$CTL add $(seq -f '2001:db8:4::%g' 1 100) source hm
assert_match "^direct white_list" "$($CTL test 203.0.113.150)" "one of 200 hosts"
assert_match "^direct white_list" "$($CTL test 2001:db8:4::99)" "one of 100 v6 hosts"
$CTL del $(seq -f '203.0.113.%g' 11 200) source hm
$CTL del $(seq -f '2001:db8:4::%g' 11 100) source hm
for i in 1 5 10; do
	assert_match "^direct white_list" "$($CTL test 203.0.113.$i)" "host $i kept"
	assert_match "^direct white_list" "$($CTL test 2001:db8:4::$i)" "v6 host $i kept"
done
for i in 11 150 200; do
	assert_match "^proxy" "$($CTL test 203.0.113.$i)" "host $i removed"
	assert_match "^proxy" "$($CTL test 2001:db8:4::$i)" "v6 host $i removed"
done
$CTL flush source hm
assert_match "^proxy" "$($CTL test 203.0.113.5)" "hosts flushed"

# ---- The proxy and src lists: same structure, independent tables. ----
white_before=$($CTL status --json | jq .memory.entries)
$CTL -L proxy add 203.0.113.7 198.51.100.0/24 2001:db8:7::/48
j=$($CTL status --json)
assert_eq 3 "$(jq .lists.proxy.entries <<<"$j")" "proxy list entries"
assert_eq 0 "$(jq .lists.src.entries <<<"$j")" "src list untouched"
assert_eq "$white_before" "$(jq .lists.white.entries <<<"$j")" "white_list untouched by proxy adds"
assert_eq 3 "$($CTL -L proxy list | wc -l)" "proxy list shows its entries"
$CTL list | grep -q '203\.0\.113\.7' && fail "proxy entry visible in the white_list"
# default proxy: the proxy list changes nothing.
assert_match "^proxy" "$($CTL test 203.0.113.8)" "default proxy, unlisted"
assert_match "^proxy" "$($CTL test 203.0.113.7)" "default proxy, proxy-listed"

# default direct: only what the proxy list holds is redirected.
$CTL set default direct
assert_match "^proxy proxy-list .*203\.0\.113\.7" "$($CTL test 203.0.113.7)" "proxy-listed host"
assert_match "^proxy proxy-list .*198\.51\.100\.0/24" "$($CTL test 198.51.100.9)" "proxy-listed prefix"
assert_match "^proxy proxy-list" "$($CTL test 2001:db8:7::1)" "proxy-listed v6 prefix"
assert_match "^direct default-direct" "$($CTL test 203.0.113.8)" "unlisted goes direct"
assert_match "^direct default-direct" "$($CTL test 2001:db8:8::1)" "unlisted v6 goes direct"
# The white_list still comes first.
$CTL add 203.0.113.7 source w
assert_match "^direct white_list" "$($CTL test 203.0.113.7)" "white_list before proxy list"
$CTL flush source w

# QUIC reject: only flows that would be redirected, UDP 443 only.
$CTL set quic reject
assert_match "^reject quic-reject" "$($CTL test 203.0.113.7 proto udp dport 443)" "QUIC to a proxy-listed host"
assert_match "^direct default-direct" "$($CTL test 203.0.113.8 proto udp dport 443)" "QUIC to a direct host"
assert_match "^proxy proxy-list" "$($CTL test 203.0.113.7 proto tcp dport 443)" "TCP 443 not rejected"
$CTL set default proxy
assert_match "^reject quic-reject" "$($CTL test 203.0.113.8 proto udp dport 443)" "QUIC, default proxy"
assert_match "^proxy" "$($CTL test 203.0.113.8 proto udp dport 4433)" "other UDP redirected"
$CTL set quic pass
assert_match "^proxy" "$($CTL test 203.0.113.8 proto udp dport 443)" "quic pass"

# Timeouts work per list: a timed proxy-list host stops being proxied.
$CTL set default direct
$CTL -L proxy add 203.0.113.50 source dns timeout 4
assert_match "^proxy proxy-list .*dns" "$($CTL test 203.0.113.50)" "timed proxy-list host"
$CTL -L proxy list source dns | grep -q timeout || fail "proxy list shows no timeout"
pexpired() { [[ $($CTL test 203.0.113.50) == "direct default-direct"* ]]; }
wait_for 10 pexpired || fail "proxy-list host entry did not expire"
assert_eq 3 "$($CTL status --json | jq .lists.proxy.entries)" "only the timed entry expired"
$CTL set default proxy

# Source selection: the src list (addresses) and src-mac.
$CTL -L src add 192.0.2.10 192.0.2.128/25 2001:db8:1::10 source conf
assert_match "^direct src-excluded .*192\.0\.2\.10.*conf" "$($CTL test 203.0.113.8 src 192.0.2.10)" "excluded host"
assert_match "^direct src-excluded .*192\.0\.2\.128/25" "$($CTL test 203.0.113.8 src 192.0.2.200)" "excluded prefix"
assert_match "^proxy" "$($CTL test 203.0.113.8 src 192.0.2.11)" "neighbour proxied"
assert_match "^direct src-excluded" "$($CTL test 2001:db8:2::1 src 2001:db8:1::10)" "excluded v6 host"
$CTL set src-mac 02:00:00:00:00:aa
assert_match "^direct src-excluded" "$($CTL test 203.0.113.8 src 192.0.2.11 mac 02:00:00:00:00:aa)" "excluded MAC"
assert_match "^proxy" "$($CTL test 203.0.113.8 src 192.0.2.11 mac 02:00:00:00:00:bb)" "other MAC proxied"
$CTL set src-mode only
assert_match "^proxy" "$($CTL test 203.0.113.8 src 192.0.2.10)" "only: listed host proxied"
assert_match "^proxy" "$($CTL test 203.0.113.8 src 192.0.2.11 mac 02:00:00:00:00:aa)" "only: listed MAC proxied"
assert_match "^direct src-not-listed" "$($CTL test 203.0.113.8 src 192.0.2.11 mac 02:00:00:00:00:bb)" "only: unlisted MAC"
assert_match "^direct src-not-listed" "$($CTL test 203.0.113.8 src 192.0.2.11)" "only: unlisted host"
# The white_list is still checked after source selection.
assert_match "^direct white_list" "$($CTL test "${first4%/*}" src 192.0.2.10)" "only: listed host, white-listed dst"
# The gateway's own flows: local off, then not subject to source selection.
assert_match "^direct local-off" "$($CTL test 203.0.113.8 local)" "local off"
$CTL set local on
assert_match "^proxy" "$($CTL test 203.0.113.8 local)" "local on: the gateway is no LAN source"
assert_match "^direct local-dns" "$($CTL test 203.0.113.8 proto udp dport 53 local)" "gateway's own DNS"
$CTL set src-mode exclude src-mac none

# DNS: dport 53 to any destination, before the white_list.
assert_match "^proxy" "$($CTL test 203.0.113.8 proto udp dport 53)" "dns off: an ordinary flow"
$CTL set dns 5353
assert_match "^dns dns" "$($CTL test 203.0.113.8 proto udp dport 53)" "UDP DNS"
assert_match "^dns dns" "$($CTL test 2001:db8:2::53 proto tcp dport 53)" "TCP DNS over IPv6"
assert_match "^dns dns" "$($CTL test "${first4%/*}" proto udp dport 53)" "DNS to a white-listed server"
assert_match "^direct src-excluded" "$($CTL test 203.0.113.8 proto udp dport 53 src 192.0.2.10)" "excluded host's DNS"
assert_match "^direct local-dns" "$($CTL test 203.0.113.8 proto udp dport 53 local)" "gateway DNS, dns-local off"
$CTL set dns-local on
assert_match "^dns dns" "$($CTL test 203.0.113.8 proto udp dport 53 local)" "gateway DNS, dns-local on"
$CTL set dns-local off dns off local off

# Transactions per list: one socket holds a replace of "pl" on the proxy
# and src lists; the white_list's "pl" is free; closing the socket drops
# both.
mkfifo hold2.in
"$NLTEST" hold pl 1 2 <hold2.in >hold2.out &
hpid=$!
exec {hw}>hold2.in
wait_for 5 grep -q open hold2.out || fail "transactions did not open"
j=$($CTL status --json)
assert_eq true "$(jq '.lists.proxy.sources[] | select(.name=="pl") | .replacing' <<<"$j")" "proxy replace open"
assert_eq true "$(jq '.lists.src.sources[] | select(.name=="pl") | .replacing' <<<"$j")" "src replace open"
echo 203.0.113.60 >pl.txt
$CTL -q load pl pl.txt || fail "white_list load of a source replaced in another list"
out=$($CTL -L proxy load pl pl.txt 2>&1) && fail "concurrent proxy-list load succeeded"
assert_match "another client" "$out" "EBUSY on the proxy list"
exec {hw}>&-
wait "$hpid" || fail "holder failed"
$CTL -L proxy load pl pl.txt || fail "proxy-list load after the holder closed"
$CTL -L src load pl pl.txt || fail "src-list load after the holder closed"
assert_match "^proxy" "$($CTL test 198.18.0.1 src 198.18.0.1)" "abandoned src-list replace discarded"
$CTL set default direct
assert_match "^direct default-direct" "$($CTL test 198.18.0.1)" "abandoned proxy-list replace discarded"
$CTL set default proxy
$CTL flush source pl
assert_eq 1 "$($CTL -L proxy list source pl | wc -l)" "flush of the white_list leaves the proxy list"

# Leave timed entries in every list for the unload below.
$CTL -L proxy add 203.0.113.0/24 2001:db8:9::9 source dns timeout 600
$CTL -L src add 192.0.2.64/26 source dns timeout 600

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
# A failed add (one request) changes nothing, not even the timeout of an
# entry it would refresh: 10/8 stays permanent.
out=$($CTL add 10.0.0.0/8 203.0.113.1 203.0.113.2 timeout 60 2>&1) &&
	fail "refreshing add over the limit succeeded"
assert_match "limit" "$out" "ENOSPC on an add that refreshes"
assert_eq "10.0.0.0/8 source static" "$($CTL list source static)" "permanent entry still permanent"
# max_entries is per list: the proxy list has its own 1000.
head -n 1000 "$DATA/china4.txt" | $CTL -q -L proxy load big - || fail "proxy list within its own limit"
out=$($CTL -L proxy add 203.0.113.1 2>&1) && fail "proxy-list add over the limit succeeded"
assert_match "proxy list entry limit" "$out" "ENOSPC names the list"
assert_eq 1000 "$($CTL status --json | jq .lists.proxy.entries)" "proxy list unchanged by the failed add"
unload_sluice
ip link del lanT
echo ok
