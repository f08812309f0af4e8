#!/bin/bash
# Host-side self-test of the VM harness: runs tests/vm/run on throwaway guest
# tests that must PASS or FAIL in specific ways (failing exit status, kernel
# WARNING in the log, timeout, leftover processes/netns, guest crash) and
# checks the runner reports exactly that.
# usage: tests/vm/selftest.sh [-k KVER]...   (default: the runner's kernels)
set -euo pipefail
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
BUILD=${SLUICE_VM_BUILD:-$REPO/build/vm}
mkdir -p "$BUILD"
work=$(mktemp -d "$BUILD/selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT

w() { cat >"$work/$1"; }
w 1-pass.sh <<'T'
#!/bin/bash
. "$SLUICE_REPO/tests/vm/lib.sh"
assert_eq 0 "$(id -u)" root
T
w 2-fail.sh <<'T'
#!/bin/bash
echo "some output"
echo "deliberate failure" >&2
exit 3
T
w 3-warn.sh <<'T'
#!/bin/bash
echo "WARNING: CPU: 0 PID: 1 at fake" >/dev/kmsg
exit 0
T
w 4-timeout.sh <<'T'
#!/bin/bash
# timeout: 5
sleep 1000
T
w 5-leak.sh <<'T'
#!/bin/bash
# leaves a daemonized process, a netns and an nft table behind
setsid -f sleep 1001 </dev/null >/dev/null 2>&1
ip netns add leftover
nft add table inet leftover
ip link add leftover0 type dummy
exit 0
T
w 6-clean.sh <<'T'
#!/bin/bash
. "$SLUICE_REPO/tests/vm/lib.sh"
if pgrep -x -f 'sleep 1001' >/dev/null; then fail "leftover process survived"; fi
[[ -z $(ip netns list) ]] || fail "leftover netns: $(ip netns list)"
[[ -z $(nft list ruleset) ]] || fail "leftover nft ruleset"
if ip link show leftover0 >/dev/null 2>&1; then fail "leftover link"; fi
[[ -z $(ls -A) ]] || fail "cwd not fresh"
T
w 7-crash.sh <<'T'
#!/bin/bash
echo "crashing the guest"
echo c >/proc/sysrq-trigger
sleep 30
T
w 8-after-crash.sh <<'T'
#!/bin/bash
exit 0
T

args=()
while getopts 'k:' o; do
	case $o in
	k) args+=(-k "$OPTARG") ;;
	*) echo "usage: $0 [-k KVER]..." >&2; exit 2 ;;
	esac
done

rc=0
"$VM_DIR/run" "${args[@]}" -o "$work/results" "$work"/[1-8]-*.sh >"$work/stdout" 2>"$work/stderr" || rc=$?
cat "$work/stdout"

bad=0
check() { # REGEX: must match exactly one line of runner stdout per kernel
	local n
	n=$(grep -cE "$1" "$work/stdout" || true)
	if [[ $n != "$nk" ]]; then
		echo "SELFTEST FAIL: expected $nk line(s) matching /$1/, got $n" >&2
		bad=1
	fi
}
nk=$(grep -cE '^(PASS|FAIL) [^/]+/1-pass$' "$work/stdout" || true)
((nk > 0)) || { echo "SELFTEST FAIL: runner produced no result for 1-pass" >&2; cat "$work/stderr" >&2; exit 1; }
check '^PASS [^/]+/1-pass$'
check '^FAIL [^/]+/2-fail: exit 3: deliberate failure$'
check '^FAIL [^/]+/3-warn: kernel log: WARNING: CPU: 0 PID: 1 at fake$'
check '^FAIL [^/]+/4-timeout: timeout after 5s'
check '^PASS [^/]+/5-leak$'
check '^PASS [^/]+/6-clean$'
check '^FAIL [^/]+/7-crash: guest died .*during this test: Kernel panic'
check '^FAIL [^/]+/8-after-crash: not run: guest died'
[[ $(grep -cE '^(PASS|FAIL) ' "$work/stdout") == $((8 * nk)) ]] || { echo "SELFTEST FAIL: not exactly one line per test" >&2; bad=1; }
[[ $rc == 1 ]] || { echo "SELFTEST FAIL: runner exit status $rc, expected 1" >&2; bad=1; }
diff <(grep -E '^(PASS|FAIL) ' "$work/stdout") "$work/results" >/dev/null ||
	{ echo "SELFTEST FAIL: results file differs from stdout" >&2; bad=1; }
if ((bad)); then
	echo "--- runner stderr:" >&2
	cat "$work/stderr" >&2
	trap - EXIT
	echo "selftest: FAILED (kept $work)" >&2
	exit 1
fi
echo "selftest: OK ($nk kernel(s))"
