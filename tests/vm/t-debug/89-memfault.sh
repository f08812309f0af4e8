#!/bin/bash
# Memory allocation failures during table builds (debug kernel only: the
# Debian kernels have no CONFIG_FAULT_INJECTION; see docs/reliability.md).
# Source "big" holds version V1 (~20,000 prefixes).  Each round loads V2
# with /proc/thread-self/fail-nth set to N in the sluicectl process (the
# N-th fault-injectable call of that task fails: slab or page allocation,
# failslab and fail_page_alloc armed with task-filter so nothing else is
# hit), for N from 1 (exec itself) to past the end of the load (nothing
# fails).  Asserted for every round:
#   - sluicectl either succeeded (then V2 is in force, complete) or exited
#     non-zero with a one-line error (then V1 is in force, complete: the
#     entry count, a V2-only and a V1-only address classify as before);
#   - no transaction is left open; after restoring V1 the module's memory
#     figure is exactly what it was;
#   - a reader classifying addresses present in both versions never
#     misses, all along;
#   - at least one injected failure hit sluice's own code (its stack shows
#     [sluice]), so the sweep did reach the table build;
#   - kmemleak (if built in) finds nothing new after the rounds; kernel log
#     otherwise clean (harness).
# timeout: 2400
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

DBG=/sys/kernel/debug
if [[ ! -d $DBG/failslab || ! -d $DBG/fail_page_alloc || ! -e /proc/self/fail-nth ]]; then
	fail "not run: kernel $(uname -r) has no fault injection (needs CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_DEBUG_FS); this test is for the debug kernel (make check-debug)"
fi
CTL=$SLUICECTL
NLTEST=$SLUICE_REPO/tests/tools/sluice-nltest
DATA=$SLUICE_REPO/../shared/data/bypass
[[ -x $NLTEST ]] || fail "missing $NLTEST (make -C tests/tools)"
[[ -f $DATA/china4.txt && -f $DATA/china6.txt ]] || fail "bypass lists missing in $DATA"
NS=${MEMFAULT_N:-"1 3 10 30 100 300 1000 3000 6000 10000 15000 20000 25000 30000 40000 60000 100000 200000"}

# ---- the versions: V1 and V2 share "both"; V1ONLY / V2ONLY addresses
{
	awk 'NR % 10 != 0' "$DATA/china4.txt" "$DATA/china6.txt"
	for ((i = 0; i < 12000; i++)); do printf '2001:db8:%x::/48\n' $((0x1000 + i)); done
} >both.txt
{ cat both.txt; awk 'NR % 10 == 0' "$DATA/china4.txt" "$DATA/china6.txt"; echo 100.64.0.0/24; } >V1.txt
{ cat both.txt; for ((i = 0; i < 1000; i++)); do printf '2001:db8:%x::/48\n' $((0x8000 + i)); done; echo 100.65.0.0/24; } >V2.txt
V1ONLY=100.64.0.1 V2ONLY=100.65.0.1
n1=$(grep -c . V1.txt) n2=$(grep -c . V2.txt)
echo "V1 $n1 prefixes, V2 $n2, both $(grep -c . both.txt)"

load_sluice
ip link add lanT type dummy
ip link set lanT up
$CTL set lan lanT enabled on
$CTL -q load big V1.txt
entries() { $CTL status --json | jq '[.sources[] | select(.name == "big") | .entries4 + .entries6] | add'; }
mem() { $CTL status --json | jq '.memory.cidr_bytes + .memory.entry_bytes'; }
verdict() { $CTL test "$1" | cut -d' ' -f1; }
assert_eq "$n1" "$(entries)" "V1 loaded"
mem1=$(mem)

# ---- fault injection: only fail-nth tasks (task-filter, nobody has
# make-it-fail), GFP_KERNEL allocations included, user pages excluded.
knob() { echo "$2" >"$DBG/$1" || fail "cannot set $DBG/$1"; }
for f in failslab fail_page_alloc; do
	knob $f/task-filter Y
	knob $f/interval 1
	knob $f/times -1
	knob $f/space 0
	knob $f/verbose 2
	knob $f/ignore-gfp-wait N
	knob $f/probability 100
done
knob fail_page_alloc/ignore-gfp-highmem Y
knob fail_page_alloc/min-order 0
on_exit 'for f in failslab fail_page_alloc; do echo 0 >$DBG/$f/probability; done'
if [[ -e $DBG/kmemleak ]]; then
	echo clear >"$DBG/kmemleak"
fi

mkfifo reader.in
"$NLTEST" reader both.txt lanT <reader.in >reader.out 2>&1 &
rpid=$!
track_pid "$rpid"
exec {rw}>reader.in
wait_for 30 grep -q reading reader.out || fail "reader did not start"

ok=0 failed=0 hits=0 sluice_hits=0 round=0
for n in $NS; do
	round=$((round + 1))
	echo "<6>memfault round $round n=$n" >/dev/kmsg
	rc=0
	# The N-th fault-injectable call of this task from the write on fails
	# (the write's own close, the exec, sluicectl's syscalls, the table
	# build it causes in the kernel).
	out=$(bash -c 'echo "$0" >/proc/thread-self/fail-nth && exec "$@"' "$n" "$CTL" -q load big V2.txt 2>&1) || rc=$?
	klog=$(dmesg | awk -v m="memfault round $round n=$n" 'index($0, m) { on = 1; next } on')
	hit=$(grep -c 'FAULT_INJECTION: forcing a failure' <<<"$klog" || true)
	shit=$(grep -c '\[sluice\]' <<<"$klog" || true)
	where=$(grep -m1 -E '^\[ *[0-9.]+\] +(sluice_|[a-z_]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[sluice\])' <<<"$klog" | sed -E 's/^\[ *[0-9.]+\] +//' || true)
	hits=$((hits + (hit > 0)))
	((shit > 0)) && sluice_hits=$((sluice_hits + 1))
	e=$(entries)
	if ((rc == 0)); then
		ok=$((ok + 1))
		echo "ROUND $round n=$n: load succeeded (fault injected: $hit${where:+, in $where}); entries $e"
		assert_eq "$n2" "$e" "round $round: load succeeded but V2 incomplete"
		assert_eq direct "$(verdict $V2ONLY)" "round $round: V2-only address"
		assert_eq proxy "$(verdict $V1ONLY)" "round $round: V1-only address"
		$CTL -q load big V1.txt
	else
		failed=$((failed + 1))
		echo "ROUND $round n=$n: load failed, exit $rc: ${out:0:160} (fault injected: $hit${shit:+, sluice frames $shit}${where:+, first: $where})"
		[[ -n $out ]] || fail "round $round: sluicectl failed without a message"
		((hit > 0)) || fail "round $round: sluicectl failed but no fault was injected: $out"
		assert_eq "$n1" "$e" "round $round: V1 must be in force after a failed load"
		assert_eq proxy "$(verdict $V2ONLY)" "round $round: V2-only address after a failed load"
		assert_eq direct "$(verdict $V1ONLY)" "round $round: V1-only address after a failed load"
	fi
	[[ $($CTL status) != *replacing* ]] || fail "round $round: a transaction is left open: $($CTL status | grep replacing)"
	assert_eq "$mem1" "$(mem)" "round $round: module memory with V1"
done
exec {rw}>&-
wait "$rpid" || fail "reader saw misses: $(cat reader.out)"
cat reader.out
echo "SUMMARY $round rounds: $ok loads succeeded, $failed failed cleanly; a fault was injected in $hits, in sluice's code in $sluice_hits"
((sluice_hits > 0)) || fail "no injected failure reached sluice's code: the sweep missed the table build"
((ok > 0)) || fail "no round got past the end of the load (raise the largest N)"
assert_match '0 misses' "$(tail -n1 reader.out)" "reader"
$CTL -q load big V2.txt
$CTL flush source big
assert_eq 0 "$($CTL status --json | jq '[.sources[] | select(.name == "big")] | length')" "big flushed"

if [[ -e $DBG/kmemleak ]]; then
	# Objects younger than ~5 s are not reported: let the last ones age
	# (RCU frees included), then scan twice as kmemleak advises.
	sleep 8
	echo scan >"$DBG/kmemleak"
	sleep 6
	echo scan >"$DBG/kmemleak"
	leaks=$(cat "$DBG/kmemleak")
	if [[ -n $leaks ]]; then
		echo "$leaks" | head -n 60
		fail "kmemleak: $(grep -c unreferenced <<<"$leaks") suspected leak(s) after the fault rounds"
	fi
	echo "kmemleak: nothing new"
else
	echo "kmemleak: not in this kernel"
fi
echo PASS
