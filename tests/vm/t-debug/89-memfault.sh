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
#     [sluice]), so the sweep did reach the table build.
# Then the same per function of sluice (the transaction's begin, the
# staging of adds, the commit, the prefix set's build, the host map):
# with the stack filter set to that function, N = 1, 2, 3, ... fail its
# allocations (and those of the functions it calls) one by one, up to past
# its last one, on a smaller source "small" (V1s -> V2s).
# Then the per-entry allocations of the commit, slab only, every N, on a
# tiny source (phase 3).
#   - kmemleak (if built in) finds nothing new after the rounds; kernel log
#     otherwise clean (harness).
# timeout: 3600
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
NS=${MEMFAULT_N:-"1 3 30 3000 200000"}
TIMES0=1000000000

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
# source "small" (~1,600 prefixes), for the per-function sweeps: the same
# code paths as a 20k table, a round of it is quicker under KASAN
{
	awk 'NR % 5 == 1' "$DATA/china4.txt" "$DATA/china6.txt"
	for ((i = 0; i < 200; i++)); do printf '2001:db8:%x::/48\n' $((0x9000 + i)); done
	echo 100.66.0.0/24
} >V1s.txt
{
	awk 'NR % 5 == 1' "$DATA/china4.txt" "$DATA/china6.txt"
	for ((i = 0; i < 300; i++)); do printf '2001:db8:%x::/48\n' $((0xa000 + i)); done
	echo 100.67.0.0/24
	# hosts, so that the commit rebuilds the host map (wl_hostmap_rebuild)
	echo 100.68.0.1
	echo 2001:db8:b::1
} >V2s.txt
V1SONLY=100.66.0.1 V2SONLY=100.67.0.1
ns1=$(grep -c . V1s.txt) ns2=$(grep -c . V2s.txt)
echo "small: V1s $ns1 prefixes, V2s $ns2"

load_sluice
ip link add lanT type dummy
ip link set lanT up
$CTL set lan lanT enabled on
$CTL -q load big V1.txt
entries() { $CTL status --json | jq --arg s "${1:-big}" '[.sources[] | select(.name == $s) | .entries4 + .entries6] | add'; }
mem() { $CTL status --json | jq '.memory.cidr_bytes + .memory.entry_bytes'; }
verdict() { $CTL test "$1" | cut -d' ' -f1; }
assert_eq "$n1" "$(entries)" "V1 loaded"
$CTL -q load small V1s.txt
assert_eq "$ns1" "$(entries small)" "V1s loaded"
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

# ---- rounds
# The injected failures are counted with each attribute's `times` (it
# drops by one per failure, also for the __GFP_NOWARN allocations that
# print nothing: kvmalloc's first try, skbs).
knob failslab/times "$TIMES0"
knob fail_page_alloc/times "$TIMES0"
injected_total() { echo $((2 * TIMES0 - $(cat $DBG/failslab/times) - $(cat $DBG/fail_page_alloc/times))); }
# only(START END): count and fail only allocations with a frame in
# [START, END) on their stack; only 0 0xffffffffffffffff: all of them
only() {
	local f
	for f in failslab fail_page_alloc; do
		knob $f/require-start "$1"
		knob $f/require-end "$2"
	done
}
# sym_range NAME: "0xSTART 0xEND" of sluice's function NAME (kallsyms for
# the address, the module's own symbol table for the size)
sym_range() {
	local a sz
	a=$(awk -v n="$1" '$3 == n && $4 == "[sluice]" { print $1; exit }' /proc/kallsyms)
	# (awk reads to the end: an early exit would kill nm with SIGPIPE)
	sz=$(nm -S --defined-only "$SLUICE_KO" | awk -v n="$1" '$4 == n && $3 ~ /^[tT]$/ && !s { s = $2 } END { print s }')
	[[ -n $a && -n $sz && $a != 0000000000000000 ]] || fail "sym_range: no function $1 in sluice (kallsyms '$a', size '$sz')"
	printf '0x%s 0x%x\n' "$a" $((16#$a + 16#$sz))
}

ok=0 failed=0 hits=0 sluice_hits=0 round=0
# fault_round N SRC NEW N_NEW N_OLD NEW_ONLY OLD_ONLY OLD: load file NEW
# (N_NEW prefixes) into source SRC, which holds OLD (N_OLD prefixes), with
# the N-th counted allocation failing; assert all-or-nothing, restore OLD.
# Sets INJ (failures injected) and RC (sluicectl's exit status).
fault_round() {
	local n=$1 src=$2 new=$3 n_new=$4 n_old=$5 new_only=$6 old_only=$7 old=$8 out i0 klog shit where e
	round=$((round + 1))
	echo "<6>memfault round $round n=$n" >/dev/kmsg
	RC=0
	i0=$(injected_total)
	# The N-th counted fault-injectable call of this task from the write
	# on fails (the write's own close, the exec, sluicectl's syscalls, the
	# table build it causes in the kernel).
	out=$(bash -c 'echo "$0" >/proc/thread-self/fail-nth && exec "$@"' "$n" "$CTL" -q load "$src" "$new" 2>&1) || RC=$?
	INJ=$(($(injected_total) - i0))
	klog=$(dmesg | awk -v m="memfault round $round n=$n" 'index($0, m) { on = 1; next } on')
	shit=$(grep -c '\[sluice\]' <<<"$klog" || true)
	where=$(grep -m1 -E '^\[ *[0-9.]+\] +(sluice_|[a-z_]+\+0x[0-9a-f]+/0x[0-9a-f]+ \[sluice\])' <<<"$klog" | sed -E 's/^\[ *[0-9.]+\] +//' || true)
	((INJ > 0)) && hits=$((hits + 1))
	((shit > 0)) && sluice_hits=$((sluice_hits + 1))
	e=$(entries "$src")
	if ((RC == 0)); then
		ok=$((ok + 1))
		echo "ROUND $round $src n=$n: load succeeded (injected: $INJ${where:+, in $where}); entries $e"
		assert_eq "$n_new" "$e" "round $round: load succeeded but the new version is incomplete"
		assert_eq direct "$(verdict "$new_only")" "round $round: new-only address"
		assert_eq proxy "$(verdict "$old_only")" "round $round: old-only address"
		$CTL -q load "$src" "$old"
	else
		failed=$((failed + 1))
		echo "ROUND $round $src n=$n: load failed, exit $RC: ${out:0:160} (injected: $INJ${shit:+, sluice frames $shit}${where:+, first: $where})"
		[[ -n $out ]] || fail "round $round: sluicectl failed without a message"
		((INJ > 0)) || fail "round $round: sluicectl failed but no fault was injected: $out"
		assert_eq "$n_old" "$e" "round $round: the old version must be in force after a failed load"
		assert_eq proxy "$(verdict "$new_only")" "round $round: new-only address after a failed load"
		assert_eq direct "$(verdict "$old_only")" "round $round: old-only address after a failed load"
	fi
	[[ $($CTL status) != *replacing* ]] || fail "round $round: a transaction is left open: $($CTL status | grep replacing)"
	assert_eq "$mem1" "$(mem)" "round $round: module memory with the old versions"
}

# Phase 1: every fault-injectable call of the task counts (the exec,
# sluicectl's own allocations, netlink skbs, the table build).
only 0 0xffffffffffffffff
for n in $NS; do
	fault_round "$n" big V2.txt "$n2" "$n1" "$V2ONLY" "$V1ONLY" V1.txt
done
phases="phase 1 (whole task, big): $round rounds"

# Phase 2: only allocations under one function of sluice count, so N = 1,
# 2, 3, ... fail that function's allocations one after the other, dense at
# first, then spread, up to past its last one (a round that succeeds with
# nothing injected ends the function's sweep; one must come).
DENSE=${MEMFAULT_DENSE:-"1 2 3 4 5 6 8 12 16 32 64 128 256 512 1024 2048 4096 8192 16384"}
# (MEMFAULT_FUNCS="" skips phase 2)
for fn in ${MEMFAULT_FUNCS-sluice_wl_begin sluice_wl_add sluice_wl_commit cidr_set_build wl_hostmap_rebuild}; do
	# an assignment, so that a failing sym_range ends the test here
	range=$(sym_range "$fn")
	# shellcheck disable=SC2086 # two words
	only $range
	r0=$round first=1 past=0
	for n in $DENSE; do
		fault_round "$n" small V2s.txt "$ns2" "$ns1" "$V2SONLY" "$V1SONLY" V1s.txt
		if ((first)); then
			((INJ > 0)) || fail "$fn: N=1 injected nothing: the stack filter matched no allocation"
			first=0
		fi
		if ((RC == 0 && INJ == 0)); then
			past=$n
			break
		fi
	done
	((past)) || fail "$fn: no round got past its last allocation (raise MEMFAULT_DENSE)"
	echo "PHASE $fn: $((round - r0)) rounds, past the last allocation at N=$past"
	phases+="; $fn: $((round - r0)) rounds (N=1..$past)"
done
only 0 0xffffffffffffffff
exec {rw}>&-
wait "$rpid" || fail "reader saw misses: $(cat reader.out)"
cat reader.out
assert_match '0 misses' "$(tail -n1 reader.out)" "reader"
$CTL -q load big V2.txt
$CTL flush source big
assert_eq 0 "$($CTL status --json | jq '[.sources[] | select(.name == "big")] | length')" "big flushed"

# Phase 3: the per-entry allocations of a commit (an entry, and a node
# for a new key), which the earlier phases never failed: one failure per
# round mostly lands where the kernel has a fallback (kvmalloc's kmalloc
# try, vmalloc's bulk page allocation).  Here slab allocations only
# (fail_page_alloc counts nothing: its stack filter matches no frame),
# under wl_change (the entry creation is inlined there), every N from 1
# on, on a source "tiny" with the other sources flushed, so that the
# counted calls are few and the rounds quick.  A round that fails must
# leave V1t whole, as in every round above; and some round must fail.
$CTL flush source small
{ echo 100.70.0.0/24; echo 2001:db8:c::/48; echo 100.72.1.1; } >V1t.txt
{
	echo 100.71.0.0/24; echo 2001:db8:d::/48; echo 2001:db8:e::/48
	echo 100.72.1.1; echo 100.71.1.1; echo 2001:db8:f::1
} >V2t.txt
$CTL -q load tiny V1t.txt
assert_eq 3 "$(entries tiny)" "V1t loaded"
mem1=$(mem)
range=$(sym_range wl_change)
# shellcheck disable=SC2086 # two words
knob failslab/require-start "${range% *}"
knob failslab/require-end "${range#* }"
knob fail_page_alloc/require-start 0
knob fail_page_alloc/require-end 1
r0=$round f0=$failed past=0
for ((n = 1; n <= ${MEMFAULT_TINY_MAX:-200}; n++)); do
	fault_round "$n" tiny V2t.txt 6 3 100.71.0.1 100.70.0.1 V1t.txt
	if ((RC == 0 && INJ == 0)); then
		past=$n
		break
	fi
done
only 0 0xffffffffffffffff
((past)) || fail "wl_change, tiny: no round got past its last slab allocation (raise MEMFAULT_TINY_MAX)"
echo "PHASE wl_change (slab only, tiny): $((round - r0)) rounds, $((failed - f0)) failed cleanly, past the last allocation at N=$past"
((failed > f0)) || fail "wl_change, tiny: no round failed: the per-entry allocations were never failed"
phases+="; wl_change slab-only tiny: $((round - r0)) rounds (N=1..$past), $((failed - f0)) failed"
$CTL flush source tiny
echo "SUMMARY $round rounds ($phases): $ok loads succeeded, $failed failed cleanly; a fault was injected in $hits, with a printed stack in sluice's code in $sluice_hits"
((sluice_hits > 0)) || fail "no injected failure reached sluice's code: the sweep missed the table build"
((ok > 0)) || fail "no round got past the end of the load (raise the largest N)"

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
