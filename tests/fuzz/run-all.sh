#!/bin/bash
# `make fuzz`: the long fuzzing campaign, with totals at the end.
#
#  1. every libFuzzer target in tests/fuzz (ASan + UBSan) for FUZZ_SECONDS
#     (default 120) each;
#  2. the netlink fuzzer in a QEMU guest of each kernel (tests/vm/t/
#     80-nlfuzz.sh with NLFUZZ_N requests, default 1000000, seed
#     NLFUZZ_SEED, default the time): invalid-only, then mixed.
#
# Exit status 0 only if every fuzzer ran its budget without a failure.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
N=${NLFUZZ_N:-1000000}
SEED=${NLFUZZ_SEED:-$(date +%s)}
OUT=$ROOT/build/fuzz
mkdir -p "$OUT"
rc=0

# ---- libFuzzer ------------------------------------------------------
echo "fuzz: libFuzzer targets, ${FUZZ_SECONDS}s each"
if ! make -C tests/fuzz run FUZZ_SECONDS="$FUZZ_SECONDS" >"$OUT/libfuzzer.log" 2>&1; then
	echo "FAIL libFuzzer (log: build/fuzz/libfuzzer.log)"
	grep -E 'ERROR|SUMMARY|crash-|leak-|timeout-' "$OUT/libfuzzer.log" | head -n 10
	rc=1
fi
# libFuzzer ends each target with "Done N runs in S second(s)".
mapfile -t targets < <(make -s -C tests/fuzz -p 2>/dev/null |
	sed -n 's/^FUZZERS := //p' | tr ' ' '\n' | grep .)
runs_total=0
i=0
while read -r line; do
	runs=$(awk '{print $2}' <<<"$line")
	runs_total=$((runs_total + runs))
	echo "  ${targets[$i]:-target$i}: $line"
	i=$((i + 1))
done < <(grep -E '^Done [0-9]+ runs' "$OUT/libfuzzer.log")
echo "  libFuzzer: $i targets, $runs_total executions"
[[ $i -eq ${#targets[@]} && $i -gt 0 ]] || {
	echo "FAIL libFuzzer: $i of ${#targets[@]} targets finished"
	rc=1
}

# ---- netlink fuzzer in the guests -----------------------------------
mapfile -t KVERS < <("$ROOT/tests/kernels.sh")
make --no-print-directory userspace >"$OUT/build.log" 2>&1 || {
	echo "FAIL build (build/fuzz/build.log)"
	exit 1
}
for k in "${KVERS[@]}"; do
	make --no-print-directory modules KVER="$k" >>"$OUT/build.log" 2>&1 || {
		echo "FAIL module build for $k (build/fuzz/build.log)"
		exit 1
	}
done
# The guest sees only what its test sets: a wrapper carries the budget.
# (tests outside tests/vm/t must not live under /tmp: build/ is fine)
wrapper=$OUT/80-nlfuzz-$N.sh
cat >"$wrapper" <<EOF
#!/bin/bash
# timeout: $((900 + N / 150))
export SLUICE_NLFUZZ_N=$N SLUICE_NLFUZZ_SEED=$SEED
exec bash "\$SLUICE_REPO/tests/vm/t/80-nlfuzz.sh"
EOF
chmod +x "$wrapper"
echo "fuzz: netlink fuzzer, $N invalid and $((N / 5)) mixed requests on ${KVERS[*]}, seed $SEED"
pids=()
for k in "${KVERS[@]}"; do
	tests/vm/run -k "$k" "$wrapper" >"$OUT/vm-$k.log" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
total=0
for k in "${KVERS[@]}"; do
	grep -E '^(PASS|FAIL) ' "$OUT/vm-$k.log"
	dir=$(sed -n 's/.*logs in \([^ ]*\)$/\1/p' "$OUT/vm-$k.log" | tail -n1)
	res=$dir/000.out
	if [[ -f $res ]]; then
		grep -E '^(messages|answers|errno):' "$res" | sed "s/^/  $k: /"
		while read -r n; do
			total=$((total + n))
		done < <(sed -n 's/^messages: \([0-9]*\) sent.*/\1/p' "$res")
	else
		echo "FAIL $k: no guest output (build/fuzz/vm-$k.log)"
		rc=1
	fi
	grep -q "^PASS " "$OUT/vm-$k.log" || rc=1
done
echo "fuzz: $runs_total libFuzzer executions, $total netlink requests; $([[ $rc -eq 0 ]] && echo ok || echo FAILED)"
exit "$rc"
