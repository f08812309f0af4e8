#!/bin/bash
# Guest-side test driver: runs as PID 1 inside the QEMU guest (after the
# initramfs switched into the overlay of the host root).  Usage: guest.sh JOBDIR
#
# JOBDIR (writable 9p share, same absolute path as on the host) contains:
#   env    bash-sourceable: exports SLUICE_REPO SLUICE_KO SLUICECTL SLUICED KVER
#          (custom kernels also: SLUICE_KMODDIR SLUICE_VM_TIMEOUT_MULT
#          SLUICE_KMEMLEAK)
#   tests  one line per test: "<index> <timeout-seconds> <absolute path>";
#          the path "@kmemleak" runs the kmemleak check instead of a script
# and receives per test <index>.start, <index>.out (stdout+stderr),
# <index>.kmsg (kernel log during test + cleanup), <index>.result
# ("PASS" or "FAIL: reason"), plus "booted" and "done".
set -u
JOB=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8 LC_ALL=C.UTF-8

say() {
	local up rest
	read -r up rest </proc/uptime
	echo "sluice-vm: [$up] $*" >/dev/console
}

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 10
	echo b >/proc/sysrq-trigger
	sleep 100
}

read -r BOOT_UP rest </proc/uptime
say "guest.sh started"

# The harness itself uses static busybox applets where possible: every
# dynamically linked host binary costs a lot of 9p lookups under TCG.
BB=/run/sluice-vm-bb
if [ -x /usr/bin/busybox ]; then
	/usr/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /run
	/usr/bin/busybox mkdir -p "$BB"
	for a in awk cat cut dmesg grep hostname ln mkdir mktemp mount mv rm rmdir sed seq sleep sync tail; do
		/usr/bin/busybox ln -s /usr/bin/busybox "$BB/$a"
	done
	PATH=$BB:$PATH
else
	mount -t tmpfs -o mode=0755 tmpfs /run
fi

mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir -p /dev/pts /dev/shm /run/lock
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null
hostname sluice-vm
ip link set lo up

# shellcheck disable=SC1091
. "$JOB/env"
export SLUICE_REPO SLUICE_KO SLUICECTL SLUICED KVER
export -n KLOG_BAD_RE
# tests may scale their own waits on slow (debug) kernels
[ -z "${SLUICE_VM_TIMEOUT_MULT:-}" ] || export SLUICE_VM_TIMEOUT_MULT
# A custom kernel's modules (or just its modules.builtin, so that modprobe of
# a built-in driver succeeds) live in its build tree, not in /lib/modules.
if [ -n "${SLUICE_KMODDIR:-}" ] && [ ! -e "/lib/modules/$(uname -r)" ]; then
	mkdir -p /lib/modules && ln -s "$SLUICE_KMODDIR" "/lib/modules/$(uname -r)"
fi

TOKEN=$(cat /proc/sys/kernel/random/uuid)
# Kernel log lines that turn a test into a FAIL (KLOG_BAD_RE from env).
BAD_RE=$KLOG_BAD_RE
# taint bits: D (die, 128), W (warn, 512), L (soft lockup, 16384)
TAINT_MASK=$((128 | 512 | 16384))

kmsg() { echo "<6>$*" >/dev/kmsg; }

# Print the first line in $1 that matches the bad-pattern list (if any).
first_bad_line() { grep -E -m1 "$BAD_RE" "$1" | sed -E 's/^\[ *[0-9.]+\] //'; }

# Reason text from test output: the first "FAIL:" line, else the last line.
output_reason() {
	local r
	r=$(grep -m1 '^FAIL: ' "$1" | sed 's/^FAIL: //')
	[ -n "$r" ] || r=$(grep -v '^[[:space:]]*$' "$1" | tail -n1)
	printf '%s' "${r:0:300}"
}

# Kill every process in cgroup $1 and remove it.
cg_kill() {
	local cg=$1 _
	[ -d "$cg" ] || return 0
	for _ in $(seq 50); do
		grep -q 'populated 0' "$cg/cgroup.events" && break
		echo 1 >"$cg/cgroup.kill"
		sleep 0.1
	done
	rmdir "$cg" 2>/dev/null || say "could not remove cgroup $cg"
}

run_test() {
	local idx=$1 tmo=$2 path=$3
	local p="$JOB/$idx" cg="/sys/fs/cgroup/sluice-test-$idx" tmp
	local rc timed_out=0 taint0 taint1 sp pid bad reasons=()
	: >"$p.start"
	say "==== [$idx] $path (timeout ${tmo}s)"
	kmsg "sluice-vm-$TOKEN begin $idx"
	taint0=$(cat /proc/sys/kernel/tainted)
	tmp=$(mktemp -d /tmp/sluice-test.XXXXXX)
	mkdir -p "$cg"
	(
		PATH=${PATH#"$BB":}
		echo "$BASHPID" >"$cg/cgroup.procs"
		cd "$tmp" || exit 99
		exec setsid bash "$path"
	) >"$p.out" 2>&1 </dev/null &
	pid=$!
	sleep "$tmo" &
	sp=$!
	wait -n "$pid" "$sp"
	if kill -0 "$pid" 2>/dev/null; then
		timed_out=1
		say "[$idx] timeout after ${tmo}s, killing"
		echo 1 >"$cg/cgroup.kill"
	fi
	wait "$pid"
	rc=$?
	kill "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null

	# --- harness cleanup (its kernel messages are checked too) ---
	cg_kill "$cg"
	ip -all netns delete 2>>"$p.out"
	# the guest has no NICs: any link in the initial netns but lo is the test's
	local l
	for l in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
		[ "$l" = lo ] || ip link del "$l" 2>/dev/null
	done
	nft flush ruleset 2>/dev/null
	local cleanup_err='' out
	if [ -d /sys/module/sluice ]; then
		if ! out=$(rmmod sluice 2>&1); then
			cleanup_err="cleanup: rmmod sluice failed: ${out:0:200}"
		fi
	fi
	cd / && rm -rf "$tmp"
	sleep 0.3
	kmsg "sluice-vm-$TOKEN end $idx"
	dmesg | awk -v b="sluice-vm-$TOKEN begin $idx" -v e="sluice-vm-$TOKEN end $idx" '
		index($0, e) { exit }
		on { print }
		index($0, b) { on = 1 }' >"$p.kmsg"
	taint1=$(cat /proc/sys/kernel/tainted)

	bad=$(first_bad_line "$p.kmsg")
	if [ "$timed_out" = 1 ]; then
		reasons+=("timeout after ${tmo}s")
	elif [ "$rc" != 0 ]; then
		reasons+=("exit $rc: $(output_reason "$p.out")")
	fi
	[ -n "$bad" ] && reasons+=("kernel log: ${bad:0:300}")
	if [ -z "$bad" ] && (((taint1 & ~taint0) & TAINT_MASK)); then
		reasons+=("kernel taint changed $taint0 -> $taint1")
	fi
	[ -n "$cleanup_err" ] && reasons+=("$cleanup_err")
	local res=PASS
	if ((${#reasons[@]})); then
		local IFS=';'
		res="FAIL: ${reasons[*]}"
		res=${res//;/; }
	fi
	printf '%s\n' "$res" >"$p.result.tmp"
	mv "$p.result.tmp" "$p.result"
	say "[$idx] $res"
}

# ---- kmemleak (debug kernel) --------------------------------------------------
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ "${SLUICE_KMEMLEAK:-0}" = 1 ] && [ -w "$KMEMLEAK" ]; then
	# Whatever kmemleak suspects right after boot predates every test:
	# scan once and "clear" (mark as known) so that the check after the last
	# test reports only objects that became unreferenced during the run.
	say "kmemleak: initial scan"
	echo scan >"$KMEMLEAK" && echo clear >"$KMEMLEAK"
fi

# kmemleak_check IDX: after the last test.  Two scans (kmemleak reports only
# objects older than 5 s that stayed unreferenced), then every report fails
# the check; reports naming sluice (module frames "[sluice]", comm
# sluicectl/sluiced) are counted separately.  Also fails on a bad line in the
# boot log or lockdep having switched itself off.  Output: $IDX.out (full
# report, then the first sluice record), $IDX.kmsg, $IDX.result.
kmemleak_check() {
	local idx=$1 p="$JOB/$1" n s bad res reasons=()
	: >"$p.start"
	say "==== [$idx] kmemleak check"
	kmsg "sluice-vm-$TOKEN begin $idx"
	if [ ! -w "$KMEMLEAK" ]; then
		reasons+=("$KMEMLEAK not available (kmemleak off or disabled itself: see dmesg)")
	elif ! { echo scan >"$KMEMLEAK" && echo scan >"$KMEMLEAK"; } 2>"$p.out"; then
		# e.g. kmemleak disabled itself after an internal error
		reasons+=("kmemleak scan failed: $(head -n1 "$p.out") (see dmesg)")
	else
		cat "$KMEMLEAK" >"$p.report"
		n=$(grep -c '^unreferenced object' "$p.report")
		s=$(awk '/^unreferenced object/ { if (rec ~ /sluice/) c++; rec = "" }
			{ rec = rec $0 "\n" } END { if (rec ~ /sluice/) c++; print c + 0 }' "$p.report")
		{
			cat "$p.report"
			if [ "$s" -gt 0 ]; then
				echo "--- first report mentioning sluice ---"
				awk '/^unreferenced object/ { if (rec ~ /sluice/) { printf "%s", rec; exit } rec = "" }
					{ rec = rec $0 "\n" } END { if (rec ~ /sluice/) printf "%s", rec }' "$p.report"
			fi
		} >"$p.out"
		rm -f "$p.report"
		[ "$n" -eq 0 ] ||
			reasons+=("kmemleak: $n unreferenced object(s) from the run, $s mentioning sluice (report in $p.out)")
	fi
	kmsg "sluice-vm-$TOKEN end $idx"
	dmesg | awk -v b="sluice-vm-$TOKEN begin $idx" -v e="sluice-vm-$TOKEN end $idx" '
		index($0, e) { exit }
		on { print }
		index($0, b) { on = 1 }' >"$p.kmsg"
	# the scan's own "N new suspected memory leaks" line is counted above
	bad=$(grep -v 'kmemleak: .* new suspected memory leaks' "$p.kmsg" | grep -E -m1 "$BAD_RE" | sed -E 's/^\[ *[0-9.]+\] //')
	[ -n "$bad" ] && reasons+=("kernel log: ${bad:0:300}")
	# A report before the first test is in no test's window, and lockdep
	# switches itself off after its first report: either way the run was
	# not fully checked.
	# (kmemleak's own "Kernel memory leak detector initialized" is no report)
	bad=$(dmesg | awk -v b="sluice-vm-$TOKEN begin " 'index($0, b) { exit } { print }' |
		grep -v 'kmemleak: Kernel memory leak detector initialized' |
		grep -E -m1 "$BAD_RE" | sed -E 's/^\[ *[0-9.]+\] //')
	[ -n "$bad" ] && reasons+=("boot log: ${bad:0:300}")
	if grep -q '^ *debug_locks: *0' /proc/lockdep_stats 2>/dev/null; then
		reasons+=("lockdep switched itself off during the run (see the first lockdep report in dmesg.txt)")
	fi
	res=PASS
	if ((${#reasons[@]})); then
		res="FAIL: $(IFS=';' && echo "${reasons[*]}")"
		res=${res//;/; }
	fi
	printf '%s\n' "$res" >"$p.result.tmp"
	mv "$p.result.tmp" "$p.result"
	say "[$idx] $res"
}

say "harness up (kernel $(uname -r))"
read -r up rest </proc/uptime
echo "$BOOT_UP $up" >"$JOB/booted.tmp" && mv "$JOB/booted.tmp" "$JOB/booted"
while read -r -u 3 idx tmo path; do
	[ -n "$idx" ] || continue
	if [ "$path" = @kmemleak ]; then
		kmemleak_check "$idx"
		continue
	fi
	run_test "$idx" "$tmo" "$path"
done 3<"$JOB/tests"
dmesg >"$JOB/dmesg.txt"
: >"$JOB/done"
say "all tests done, powering off"
poweroff_now
