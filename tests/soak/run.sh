#!/bin/bash
# `make soak`: the long-running load test, in one QEMU guest
# (tests/soak/guest.sh through tests/vm/run).  Ends with one line,
# "PASS soak: ..." or "FAIL soak: ...", and exits 0 or 1.
#
# Environment:
#   SOAK_SECONDS   how long the load runs (default 600)
#   SOAK_KVER      guest kernel (default 6.12: the newest 6.12.*+deb12 in /boot)
#   RELOAD_EVERY   seconds between list reloads (default 5)
#   ADDR_EVERY     seconds between WAN address changes (default 20)
# Needs: make modules KVER=..., make userspace (as for tests/vm/run).
# The figures (SOAK lines) are also written to build/soak/result.txt.
set -euo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
W=$REPO/build/soak
SOAK_SECONDS=${SOAK_SECONDS:-600}
RELOAD_EVERY=${RELOAD_EVERY:-5}
ADDR_EVERY=${ADDR_EVERY:-20}
KVER=${SOAK_KVER:-6.12}
for v in SOAK_SECONDS RELOAD_EVERY ADDR_EVERY; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || {
		echo "soak: $v must be a positive number of seconds" >&2
		exit 2
	}
done
mkdir -p "$W"
printf 'SOAK_SECONDS=%s\nRELOAD_EVERY=%s\nADDR_EVERY=%s\n' \
	"$SOAK_SECONDS" "$RELOAD_EVERY" "$ADDR_EVERY" >"$W/params"
# The guest test's timeout: the soak, plus setup, teardown and a slow host.
sed "s/@TIMEOUT@/$((SOAK_SECONDS + 900))/" "$HERE/guest.sh" >"$W/soak.sh"
chmod +x "$W/soak.sh"
echo "soak: $SOAK_SECONDS s on kernel $KVER (reload every $RELOAD_EVERY s, address change every $ADDR_EVERY s)" >&2
rc=0
SLUICE_VM_SMP=${SLUICE_VM_SMP:-2} "$REPO/tests/vm/run" -k "$KVER" "$W/soak.sh" >"$W/vm-stdout.txt" 2>"$W/vm-stderr.txt" || rc=$?
cat "$W/vm-stdout.txt" >&2
job=$(sed -n 's/.*logs in \(.*\)$/\1/p' "$W/vm-stderr.txt" | tail -n1)
out=$job/000.out
if [[ -z $job || ! -f $out ]]; then
	echo "FAIL soak: the guest produced no output (see $W/vm-stderr.txt)"
	exit 1
fi
grep '^SOAK ' "$out" | sed 's/^SOAK //' | tee "$W/result.txt" >&2
fig() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "$W/result.txt"; }
summary="kernel $(fig kernel), $(fig seconds) s: flows proxied $(fig flows_proxied), direct $(fig flows_direct), client-direct $(fig flows_client_direct), failed open by the hang watchdog: $(fig flows_failed_open), failed $(fig flows_failed) (taken and lost by the tunnel client: $(fig flows_failed_in_client)); module errors $(fig module_errors)"
if ((rc == 0)); then
	echo "PASS soak: $summary"
	exit 0
fi
echo "FAIL soak: $(sed -n 's/^FAIL [^:]*: //p' "$W/vm-stdout.txt" | head -n1); $summary (log: $out)"
exit 1
