#!/bin/bash
# `make demo`: install what is missing (tests/deps.sh), build sluice.ko for
# the newest Debian 6.12 kernel and the userspace tools, boot a QEMU guest
# (tests/vm/run) and run tests/demo/demo-guest.sh in it: a LAN host, a
# gateway with sluice and a real v2ray client, a v2ray server and
# "Internet hosts", all in network namespaces inside the guest.  Nothing
# touches the host's network.
#
# The harness prints a test's output only when it fails; the demo's output
# is streamed here from the job directory while the guest runs.
#
# Environment: SLUICE_DEMO_KVER (kernel to boot; default the newest
# 6.12.*+deb12-amd64 in /boot), SLUICE_DEMO_NODEPS=1 (skip tests/deps.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '\033[1m%s\033[0m\n' "$*" 2>/dev/null || echo "$*"; }
[[ -t 1 ]] || say() { echo "$*"; }

say "==> sluice demo"
if [[ ${SLUICE_DEMO_NODEPS:-0} != 1 ]]; then
	say "==> installing missing packages (tests/deps.sh)"
	"$ROOT/tests/deps.sh"
fi
KVER=${SLUICE_DEMO_KVER:-$("$ROOT/tests/kernels.sh" | grep '^6\.12\.' | tail -n1 || true)}
[[ -n $KVER ]] || { echo "demo: no 6.12.*+deb12-amd64 kernel in /boot (run tests/deps.sh)" >&2; exit 1; }

say "==> building sluice.ko for $KVER and the userspace tools"
make -s -C "$ROOT" modules KVER="$KVER"
make -s -C "$ROOT" userspace

say "==> booting a QEMU guest with kernel $KVER (TCG: this takes a minute or two)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$ROOT/tests/vm/run" -k "$KVER" "$ROOT/tests/demo/demo-guest.sh" >"$tmp/result" 2>"$tmp/vm.err" &
run=$!

# The harness names its job directory on stderr; the guest writes the
# demo's output to <job>/000.out as it goes.
job=
while kill -0 "$run" 2>/dev/null && [[ -z $job ]]; do
	job=$(sed -n 's/.*logs in \([^ ]*\)$/\1/p' "$tmp/vm.err" | head -n1)
	[[ -n $job ]] || sleep 0.5
done
if [[ -n $job ]]; then
	while kill -0 "$run" 2>/dev/null && [[ ! -e $job/000.out ]]; do sleep 0.5; done
	if [[ -e $job/000.out ]]; then
		tail -n +1 -f --pid="$run" "$job/000.out" 2>/dev/null || true
	fi
fi
rc=0
wait "$run" || rc=$?
echo
if ((rc == 0)) && grep -q '^PASS ' "$tmp/result"; then
	say "==> demo passed ($(cat "$tmp/result"))"
	[[ -n $job ]] && echo "    guest logs: $job"
else
	say "==> demo FAILED"
	cat "$tmp/result" "$tmp/vm.err" >&2
	exit 1
fi
