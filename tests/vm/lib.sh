# shellcheck shell=bash
# Helpers for sluice VM tests.  Source it from a guest test script:
#
#   #!/bin/bash
#   # timeout: 60            (optional; default 120 s)
#   . "$(dirname "$0")/../lib.sh"
#
# Sourcing enables errexit/nounset/pipefail and an ERR trap that prints
# "FAIL: <file>:<line>: ..." so that an unexpected failing command gives a
# useful reason.  The harness uses the first "FAIL: " line of the output as
# the failure reason (else the last line).
#
# Environment set by tests/vm/run: SLUICE_REPO SLUICE_KO SLUICECTL SLUICED KVER.
# The harness cleans up after every test (kills all processes the test
# started, `ip -all netns delete`, `nft flush ruleset`, `rmmod sluice`).

set -eEu -o pipefail

_lib_err() {
	local rc=$1 line=$2 cmd=$3
	[[ $cmd == return* ]] && return 0 # a function's status; callers report
	echo "FAIL: ${BASH_SOURCE[1]:-$0}:$line: command failed (exit $rc): $cmd" >&2
}
trap '_lib_err $? $LINENO "$BASH_COMMAND"' ERR

# ---- cleanup registry ------------------------------------------------------
_LIB_PIDS=()
_LIB_CLEANUP=()
# on_exit CMD...: run CMD (string, eval'd) when the script exits, LIFO.
on_exit() { _LIB_CLEANUP+=("$*"); }
_lib_exit() {
	local rc=$? i
	trap - ERR
	set +e
	for ((i = ${#_LIB_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${_LIB_CLEANUP[$i]}"
	done
	for i in "${_LIB_PIDS[@]}"; do
		kill "$i" 2>/dev/null
	done
	return "$rc"
}
trap _lib_exit EXIT

# track_pid PID: kill PID when the script exits.
track_pid() { _LIB_PIDS+=("$@"); }

# ---- assertions --------------------------------------------------------------
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

assert_eq() { # EXPECTED ACTUAL MSG
	[[ $1 == "$2" ]] || fail "${3:-assert_eq}: expected '$1', got '$2'"
}

assert_match() { # REGEX STRING MSG  (bash =~ extended regex)
	[[ $2 =~ $1 ]] || fail "${3:-assert_match}: '$2' does not match /$1/"
}

assert_fails() { # CMD...: CMD must exit non-zero
	if "$@"; then
		fail "command unexpectedly succeeded: $*"
	fi
	return 0
}

# wait_for TIMEOUT_S CMD...: poll CMD every 50 ms until it succeeds (return 0)
# or TIMEOUT_S (may be fractional; times SLUICE_VM_TIMEOUT_MULT) passes
# (return 1).  Only for states that cannot be awaited as an event.  Use as:
# wait_for 5 cond || fail "..."
wait_for() {
	local tmo=$1 now deadline
	shift
	now=${EPOCHREALTIME/./}
	local int=${tmo%%.*} frac=
	[[ $tmo == *.* ]] && frac=${tmo#*.}
	frac=${frac}000000
	# scaled like the harness's own timeouts (debug kernels: x4 or more)
	deadline=$((10#$now + (10#${int:-0} * 1000000 + 10#${frac:0:6}) * ${SLUICE_VM_TIMEOUT_MULT:-1}))
	while :; do
		if "$@"; then
			return 0
		fi
		now=${EPOCHREALTIME/./}
		((10#$now < deadline)) || break
		sleep 0.05
	done
	echo "wait_for: timed out after ${tmo}s: $*" >&2
	return 1
}

# Events, not states: a state such as "redirection off" may last less than
# one poll of `sluicectl status` (which took 800 ms in a loaded TCG guest),
# but the log line saying it happened stays in the log.  Wait on a log
# (a file that only grows) with wait_line, counting lines from before the
# action that causes the event:
#   n=$(count_lines sluiced.log 'redirection off')
#   kill -KILL "$client"
#   wait_line 3 sluiced.log 'redirection off' $((n + 1)) || fail "..."
# count_lines FILE ERE: how many lines of FILE match the extended regex ERE
# (bash =~; 0 if FILE does not exist).  No process is started.
count_lines() {
	local l n=0
	local -a lines=()
	[[ -f $1 ]] && mapfile -t lines <"$1"
	for l in "${lines[@]}"; do
		[[ $l =~ $2 ]] && n=$((n + 1))
	done
	echo "$n"
}
# wait_line TIMEOUT_S FILE ERE [N=1]: wait until FILE holds at least N lines
# matching ERE (return 0), or TIMEOUT_S passes (return 1, with a message);
# TIMEOUT_S as wait_for's.  Each poll reads only what was appended since
# the last one, from an open descriptor (no process per poll); a last line
# still being written counts once its newline is there.
wait_line() {
	local tmo=$1 rc=0
	_WL_FILE=$2 _WL_RE=$3 _WL_WANT=${4:-1} _WL_N=0 _WL_PART='' _WL_FD=''
	wait_for "$tmo" _wl_more 2>/dev/null || rc=1
	[[ -z $_WL_FD ]] || exec {_WL_FD}<&-
	((rc == 0)) ||
		echo "wait_line: timed out after ${tmo}s: $_WL_N of $_WL_WANT line(s) /$_WL_RE/ in $_WL_FILE" >&2
	return "$rc"
}
_WL_FILE='' _WL_RE='' _WL_WANT=1 _WL_N=0 _WL_PART='' _WL_FD=''
_wl_more() {
	local l
	if [[ -z $_WL_FD ]]; then
		[[ -f $_WL_FILE ]] || return 1
		exec {_WL_FD}<"$_WL_FILE"
	fi
	while :; do
		if IFS= read -r -u "$_WL_FD" l; then
			l=$_WL_PART$l
			_WL_PART=
			[[ $l =~ $_WL_RE ]] && _WL_N=$((_WL_N + 1))
		else
			_WL_PART+=$l # EOF: keep a line without its newline yet
			break
		fi
	done
	((_WL_N >= _WL_WANT))
}

# ---- module --------------------------------------------------------------------
# load_sluice [PARAM=VALUE...]: insmod $SLUICE_KO (after modprobing the
# modules it depends on).  Fails the test if the module is missing.
load_sluice() {
	local ko=${SLUICE_KO:-} dep
	[[ -n $ko ]] || fail "load_sluice: SLUICE_KO is not set"
	[[ -f $ko ]] || fail "load_sluice: module $ko not found (build it: make modules KVER=${KVER:-\$(uname -r)})"
	for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
		modprobe "$dep" || fail "load_sluice: modprobe $dep (dependency of sluice) failed"
	done
	insmod "$ko" "$@" || fail "load_sluice: insmod $ko $* failed"
	[[ -d /sys/module/sluice ]] || fail "load_sluice: /sys/module/sluice missing after insmod"
}

unload_sluice() {
	rmmod sluice || fail "unload_sluice: rmmod sluice failed"
}

# ---- topology ------------------------------------------------------------------
#   lan (192.0.2.2/24, 2001:db8:1::2/64) eth0 <-> lan0 gw wan0 <-> eth0 wan
#   gw:  lan0 192.0.2.1/24 2001:db8:1::1/64, wan0 198.51.100.1/24 2001:db8:2::1/64
#   wan: eth0 198.51.100.2/24 2001:db8:2::2/64, dummy "inet0" with the
#        "Internet hosts" 203.0.113.{10,20,30}/32, 2001:db8:3::{10,20,30}/128
in_lan() { ip netns exec lan "$@"; }
in_gw() { ip netns exec gw "$@"; }
in_wan() { ip netns exec wan "$@"; }

_lib_no_tentative() {
	local ns
	for ns in lan gw wan; do
		[[ -z $(ip -n "$ns" -6 addr show tentative) ]] || return 1
	done
}
_lib_links_up() {
	local l
	for l in "lan eth0" "gw lan0" "gw wan0" "wan eth0"; do
		# shellcheck disable=SC2086
		ip -n ${l% *} link show dev ${l#* } | grep -q 'state UP' || return 1
	done
}

topo_basic() {
	local ns
	for ns in lan gw wan; do
		ip netns add "$ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
		ip -n "$ns" link set lo up
	done
	ip link add name lan0 netns gw type veth peer name eth0 netns lan
	ip link add name wan0 netns gw type veth peer name eth0 netns wan
	ip -n wan link add inet0 type dummy

	ip -n lan addr add 192.0.2.2/24 dev eth0
	ip -n lan addr add 2001:db8:1::2/64 dev eth0 nodad
	ip -n gw addr add 192.0.2.1/24 dev lan0
	ip -n gw addr add 2001:db8:1::1/64 dev lan0 nodad
	ip -n gw addr add 198.51.100.1/24 dev wan0
	ip -n gw addr add 2001:db8:2::1/64 dev wan0 nodad
	ip -n wan addr add 198.51.100.2/24 dev eth0
	ip -n wan addr add 2001:db8:2::2/64 dev eth0 nodad
	for ns in 10 20 30; do
		ip -n wan addr add "203.0.113.$ns/32" dev inet0
		ip -n wan addr add "2001:db8:3::$ns/128" dev inet0 nodad
	done
	ip -n lan link set eth0 up
	ip -n gw link set lan0 up
	ip -n gw link set wan0 up
	ip -n wan link set eth0 up
	ip -n wan link set inet0 up

	in_gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n lan route add default via 192.0.2.1
	ip -n lan -6 route add default via 2001:db8:1::1
	ip -n wan route add default via 198.51.100.1
	ip -n wan -6 route add default via 2001:db8:2::1
	# the gateway reaches the "Internet hosts" via the wan ns
	ip -n gw route add 203.0.113.0/24 via 198.51.100.2
	ip -n gw -6 route add 2001:db8:3::/64 via 2001:db8:2::2

	wait_for 5 _lib_links_up || fail "topo_basic: links did not come up"
	wait_for 5 _lib_no_tentative || fail "topo_basic: IPv6 addresses still tentative"
}

topo_teardown() {
	local ns
	for ns in lan gw wan; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# ---- peer-address echo servers -------------------------------------------------
# socat address for PROTO (tcp|udp), ADDR, PORT; $4 = listen|connect
_lib_socat_addr() {
	local proto=${1,,} addr=$2 port=$3 mode=$4 fam=4 a=$2
	[[ $proto == tcp || $proto == udp ]] || fail "proto must be tcp or udp, got '$1'"
	if [[ $addr == *:* ]]; then
		fam=6
		a="[$addr]"
	fi
	if [[ $mode == listen ]]; then
		if [[ $proto == tcp ]]; then
			echo "TCP$fam-LISTEN:$port,bind=$a,reuseaddr,fork"
		else
			echo "UDP$fam-RECVFROM:$port,bind=$a,fork"
		fi
	else
		echo "${proto^^}$fam:$a:$port"
	fi
}

# What every peer server's child does: answer with the peer address, read
# the request line, exit.  Reading it matters: with socat's default
# socketpair, 6.12 reports ECONNRESET to socat when the child exits with the
# request unread, and the reply is lost.  Exiting after one line matters
# too: the child's exit is what makes socat send its FIN.  (",pipes" avoided
# the reset, but then socat waited its whole -t after the client's EOF; and
# reading to EOF waits for a half-close that a tunnel client such as v2ray
# never forwards.  Either way a connection stayed open 10 to 20 s and its
# last segments crossed the hooks during the next test step.)
# shellcheck disable=SC2016 # $SOCAT_PEERADDR is for the shell socat starts
PEER_ANSWER='SYSTEM:echo "$SOCAT_PEERADDR"; read -r line'
# peer_server NS PROTO ADDR PORT: background server in netns NS that answers
# every TCP connection / UDP datagram with one line: the peer address it saw
# (socat's SOCAT_PEERADDR, without brackets).  Returns once it listens.
peer_server() {
	local ns=$1 proto=${2,,} addr=$3 port=$4 la pid
	la=$(_lib_socat_addr "$proto" "$addr" "$port" listen)
	# -t 10: after EOF on one side socat waits only 0.5 s by default before
	# killing the echo child; a loaded TCG guest can be slower than that.
	ip netns exec "$ns" socat -t 10 "$la" "$PEER_ANSWER" </dev/null >/dev/null 2>&1 &
	pid=$!
	track_pid "$pid"
	local flag=-Hlnt
	[[ $proto == udp ]] && flag=-Hlnu
	wait_for 5 eval "[[ -n \$(ip netns exec $ns ss $flag 'sport = :$port') ]]" ||
		fail "peer_server: socat $la in $ns not listening"
	kill -0 "$pid" 2>/dev/null || fail "peer_server: socat $la in $ns died"
}

# canon_ip ADDR: print ADDR in canonical (RFC 5952) form; socat reports IPv6
# peers fully expanded (2001:0db8:0000:...).  IPv4 is printed unchanged.
canon_ip() {
	local a=${1#[} i best=-1 bestlen=0 run=-1 len=0 out=
	a=${a%]}
	if [[ $a != *:* ]]; then
		echo "$a"
		return
	fi
	local -a g
	if [[ $a == *::* ]]; then # expand "::"
		local head=${a%%::*} tail=${a#*::}
		local -a h=() t=()
		[[ -n $head ]] && IFS=: read -r -a h <<<"$head"
		[[ -n $tail ]] && IFS=: read -r -a t <<<"$tail"
		g=("${h[@]}")
		for ((i = ${#h[@]} + ${#t[@]}; i < 8; i++)); do g+=(0); done
		g+=("${t[@]}")
	else
		IFS=: read -r -a g <<<"$a"
	fi
	for i in "${!g[@]}"; do
		printf -v 'g[i]' '%x' "$((16#${g[i]}))"
		if [[ ${g[i]} == 0 ]]; then
			((run < 0)) && run=$i len=0
			len=$((len + 1))
			if ((len > bestlen)); then best=$run bestlen=$len; fi
		else
			run=-1
		fi
	done
	if ((bestlen < 2)); then
		(IFS=:; echo "${g[*]}")
		return
	fi
	for ((i = 0; i < best; i++)); do out+="${g[i]}:"; done
	[[ -n $out ]] || out=:
	out+=":"
	for ((i = best + bestlen; i < 8; i++)); do out+="${g[i]}:"; done
	[[ $out == *:: ]] || out=${out%:}
	echo "${out/:::/::}"
}

# peer_query NS PROTO ADDR PORT [TIMEOUT_S]: connect/send from netns NS and
# print the first reply line (the peer address the server saw, canonicalized).  Returns
# non-zero if no reply arrived in time.  The default timeout, 10 s, is
# multiplied by SLUICE_VM_TIMEOUT_MULT (debug kernels: the server forks a
# shell per query, which can take longer than 5 s there).  10, not 5: with
# seven TCG guests on the two cores a first IPv6 query of 00-harness took
# longer than 5 s on both kernels (2026-11-25).  Only a query that fails
# waits that long; checks that expect a failure pass a short timeout.
peer_query() {
	local ns=$1 proto=${2,,} addr=$3 port=$4 tmo=${5:-$((10 * ${SLUICE_VM_TIMEOUT_MULT:-1}))} ca fd reply=
	ca=$(_lib_socat_addr "$proto" "$addr" "$port" connect)
	exec {fd}< <(echo query | ip netns exec "$ns" socat -t "$tmo" -T "$tmo" - "$ca" 2>/dev/null)
	if ! read -r -t "$tmo" -u "$fd" reply; then
		exec {fd}<&-
		echo "peer_query: no reply from $proto $addr port $port (from $ns)" >&2
		return 1
	fi
	exec {fd}<&-
	canon_ip "$reply"
}
