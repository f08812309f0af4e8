# shellcheck shell=bash
# Counting for the check drivers (tests/check.sh, tests/debug/check.sh,
# tests/vm/check-faults.sh is simpler): one PASS/FAIL line per count and
# a last line "N passed, N failed".  Needs ROOT and LOG (the directory for
# step logs) set by the caller.
PASSED=0
FAILED=0
FAILURES=()

pass() {
	PASSED=$((PASSED + 1))
	echo "PASS $1"
}

fail() {
	FAILED=$((FAILED + 1))
	FAILURES+=("$1")
	echo "FAIL $1"
}

# step NAME CMD...: run CMD with its output in $LOG/NAME.log; one count.
# Returns CMD's failure, so that a driver can stop where later steps need
# this one.
step() {
	local name=$1 t0=$SECONDS
	shift
	if "$@" >"$LOG/$name.log" 2>&1; then
		pass "$name ($((SECONDS - t0))s)"
	else
		fail "$name (log: ${LOG#"$ROOT"/}/$name.log)"
		tail -n 30 "$LOG/$name.log" | sed 's/^/    /'
		return 1
	fi
}

# summary: the failures, the count line; exits 0 only if nothing failed
summary() {
	echo
	if [ ${#FAILURES[@]} -gt 0 ]; then
		echo "failures:"
		printf '  %s\n' "${FAILURES[@]}"
	fi
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}
