#!/bin/bash
# `make check-faults`: the fault scenarios of docs/reliability.md
# (tests/vm/faults/*.sh: the tunnel client killed and stopped under load
# with both failure policies, PPPoE flapping, sluiced SIGKILLed) on both
# Debian kernels, one guest per kernel at once, with 2 vCPUs per guest
# (these are about concurrency).  Ends with "N passed, N failed" like
# `make check`; they take longer than make check's budget allows
# (docs/testing.md), which is why they have a target of their own.
#
# Environment: FAULT_TESTS (default: all of tests/vm/faults/), and as for
# tests/vm/run.  Needs the module built for both kernels and userspace
# (make modules-all userspace), as make check leaves them.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
LOG=$ROOT/build/check-faults
mkdir -p "$LOG"

mapfile -t KVERS < <("$ROOT/tests/kernels.sh")
if [ ${#KVERS[@]} -ne 2 ]; then
	echo "check-faults: expected a 6.1 and a 6.12 kernel, found: ${KVERS[*]}" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
# shellcheck disable=SC2206 # word splitting of the list is wanted
TESTS=(${FAULT_TESTS:-$ROOT/tests/vm/faults/*.sh})

pids=()
for k in "${KVERS[@]}"; do
	: >"$LOG/vm-$k.txt"
	SLUICE_VM_SMP=${SLUICE_VM_SMP:-2} "$ROOT/tests/vm/run" -k "$k" \
		-o "$LOG/vm-$k.txt" "${TESTS[@]}" >"$LOG/vm-$k.log" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || true
done

passed=0
failed=0
for k in "${KVERS[@]}"; do
	cat "$LOG/vm-$k.log"
	if [ ! -s "$LOG/vm-$k.txt" ]; then
		echo "FAIL vm $k reported no result (log: $LOG/vm-$k.log)"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + $(grep -c '^PASS ' "$LOG/vm-$k.txt")))
	failed=$((failed + $(grep -c '^FAIL ' "$LOG/vm-$k.txt")))
done
echo
grep -h '^FAIL ' "$LOG"/vm-*.txt | sed 's/^/  /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
