#!/bin/bash
# Proves the VM harness itself: environment, topology, peer echo helpers and
# that the assertion helpers fail when they should.
# timeout: 240
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

# ---- environment from tests/vm/run ----
assert_eq "$(uname -r)" "$KVER" "KVER matches the running kernel"
for v in SLUICE_REPO SLUICE_KO SLUICECTL SLUICED; do
	[[ -n ${!v:-} ]] || fail "$v not set"
done
[[ -f $SLUICE_REPO/tests/vm/lib.sh ]] || fail "SLUICE_REPO=$SLUICE_REPO is not the repo"
assert_eq "$(id -u)" 0 "runs as root"
assert_match '^/tmp/' "$PWD" "cwd is a fresh tmp dir"
[[ -z $(ls -A .) ]] || fail "cwd not empty"
[[ -z $(ip netns list) ]] || fail "netns left over from an earlier test: $(ip netns list)"
[[ ! -d /sys/module/sluice ]] || fail "sluice loaded at test start"

# ---- assertion helpers must fail when they should ----
expect_fail() { # NAME CMD...: CMD (run in a subshell) must exit non-zero and print FAIL:
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$name did not fail"
	fi
	assert_match '^FAIL: ' "$out" "$name failure message"
}
export SLUICE_VM_LIB_PATH="$SLUICE_REPO/tests/vm/lib.sh"
in_fresh_lib() { # CODE: run CODE in a new bash that sourced lib.sh; exit 0 at the end
	bash -c ". \"\$SLUICE_VM_LIB_PATH\"; $1; exit 0"
}
expect_fail "assert_eq" in_fresh_lib 'assert_eq a b "mismatch"'
expect_fail "assert_match" in_fresh_lib 'assert_match "^x[0-9]+$" x1y "no match"'
expect_fail "assert_fails" in_fresh_lib 'assert_fails true'
expect_fail "fail" in_fresh_lib 'fail boom'
expect_fail "errexit" in_fresh_lib 'false'
expect_fail "load_sluice(missing)" in_fresh_lib 'SLUICE_KO=/nonexistent/sluice.ko load_sluice'
in_fresh_lib 'assert_eq a a same; assert_fails false' || fail "in_fresh_lib baseline failed"
# ... and pass when they should (in this shell)
assert_eq a a "assert_eq equal"
assert_match '^x[0-9]+$' x12 "assert_match"
assert_fails false
assert_fails test 1 = 2
( assert_eq 1 2 "in subshell" ) 2>/dev/null && fail "assert_eq in subshell passed"
t0=${EPOCHREALTIME/./}
if wait_for 0.3 false 2>/dev/null; then fail "wait_for false succeeded"; fi
dt=$(((${EPOCHREALTIME/./} - t0) / 1000))
# upper bound: each poll forks a sleep, which a debug kernel makes slow
((dt >= 250 && dt < 3000 * ${SLUICE_VM_TIMEOUT_MULT:-1})) || fail "wait_for 0.3 took ${dt}ms"
wait_for 1 true || fail "wait_for true failed"
touch flag-later
wait_for 2 test -e flag-later || fail "wait_for file"
# count_lines / wait_line: lines of a growing log
printf 'a\nstate on\n' >ev.log
assert_eq 1 "$(count_lines ev.log '^state (on|off)$')" "count_lines"
assert_eq 0 "$(count_lines no-such.log x)" "count_lines, no file"
wait_line 1 ev.log '^state on$' || fail "wait_line, line already there"
if wait_line 0.3 ev.log '^state on$' 2 2>/dev/null; then fail "wait_line counted a line twice"; fi
# half a line (no newline yet) is not a line; once completed, it is one
printf 'state o' >>ev.log
if wait_line 0.3 ev.log '^state o$' 2>/dev/null; then fail "wait_line matched half a line"; fi
(sleep 0.3; printf 'ff\n' >>ev.log) &
wait_line 5 ev.log '^state off$' || fail "wait_line: line completed after the first poll"
assert_eq 2 "$(count_lines ev.log '^state (on|off)$')" "count_lines after append"
(sleep 0.3; echo late >late.log) &
wait_line 5 late.log '^late$' || fail "wait_line: file created after the first poll"

# ---- topology ----
topo_basic
assert_eq "gw lan wan" "$(ip netns list | awk '{print $1}' | sort | xargs)" "netns list"
ping_ok() { # NS ADDR
	ip netns exec "$1" ping -q -c1 -W2 "$2" >/dev/null || fail "ping $2 from $1 failed"
}
ping_ok lan 192.0.2.1
ping_ok lan 2001:db8:1::1
ping_ok gw 192.0.2.2
ping_ok gw 2001:db8:1::2
ping_ok gw 198.51.100.2
ping_ok gw 2001:db8:2::2
ping_ok gw 203.0.113.20
ping_ok gw 2001:db8:3::20
ping_ok wan 198.51.100.1
ping_ok wan 2001:db8:2::1
# forwarded through gw (no masquerade; wan has a default route back)
ping_ok lan 198.51.100.2
ping_ok lan 203.0.113.10
ping_ok lan 2001:db8:3::30
assert_eq 1 "$(in_gw sysctl -n net.ipv4.ip_forward)" "gw v4 forwarding"
assert_eq 1 "$(in_gw sysctl -n net.ipv6.conf.all.forwarding)" "gw v6 forwarding"
assert_eq 0 "$(in_lan sysctl -n net.ipv4.ip_forward)" "lan does not forward"
assert_match 'default via 198\.51\.100\.1' "$(ip -n wan route)" "wan default route"
[[ -z $(ip -n wan route show 192.0.2.0/24) ]] || fail "wan must not have a route to the LAN"

# ---- peer_server / peer_query ----
peer_server wan tcp 203.0.113.10 8080
peer_server wan udp 203.0.113.10 8053
peer_server wan tcp 2001:db8:3::10 8080
peer_server wan udp 2001:db8:3::10 8053
peer_server gw tcp 192.0.2.1 7000
assert_eq 192.0.2.2 "$(peer_query lan tcp 203.0.113.10 8080)" "tcp4 peer lan->wan"
assert_eq 192.0.2.2 "$(peer_query lan udp 203.0.113.10 8053)" "udp4 peer lan->wan"
assert_eq 2001:db8:1::2 "$(peer_query lan tcp 2001:db8:3::10 8080)" "tcp6 peer lan->wan"
assert_eq 2001:db8:1::2 "$(peer_query lan udp 2001:db8:3::10 8053)" "udp6 peer lan->wan"
assert_eq 198.51.100.1 "$(peer_query gw tcp 203.0.113.10 8080)" "tcp4 peer gw->wan"
assert_eq 192.0.2.2 "$(peer_query lan tcp 192.0.2.1 7000)" "tcp4 peer lan->gw"
# repeated queries work (fork per connection/datagram)
assert_eq 192.0.2.2 "$(peer_query lan udp 203.0.113.10 8053)" "udp4 second query"
# nothing listens here: must fail quickly
if peer_query lan tcp 203.0.113.20 9 2 2>/dev/null; then fail "peer_query to closed port succeeded"; fi

topo_teardown
[[ -z $(ip netns list) ]] || fail "topo_teardown left netns"
echo "harness OK"
