#!/bin/bash
# Proxied flows through the loss of their conntrack state (issue 16's
# fault scenario).  sluiced runs the real v2ray client (tproxy); the LAN
# host holds long proxied flows (TCP and UDP, v4 and v6, one exchange
# every 200 ms) and direct ones (a UDP v4 and a TCP v6 stream, new TCP v4
# and UDP v6 flows).  Once with failure-policy open (no-listener pass),
# then (SIGHUP) closed (no-listener drop), in sequence, each in a window
# of its own:
#   ct-delete  `conntrack -D` of the proxied flows' entries, 3 times
#   ct-flush   `conntrack -F`, twice
#   expiry     UDP and TCP-established timeouts cut to 2 s / 3 s; each
#              proxied flow idles 7 s twice: once the far end speaks
#              first after the gap (its answer is held back), once the
#              LAN host does; the entries are seen gone in each gap
#   ss-kill    `ss -K` of the tunnel client's sockets of those flows
#   kill       SIGKILL of the client, sluiced restarts it
#   icmp-error the proxied UDP flows close their sockets with an answer
#              outstanding: the LAN host's "port unreachable" for it is
#              an ICMP error related to the proxied flow's entry
# A capture on the WAN side (the WAN router's side of the gateway's WAN
# link), analysed afterwards, must hold ZERO packets to or from a proxied
# destination: those go only through the tunnel (the v2ray server's
# connection), never direct.  One exception, by policy: under policy open
# sluiced switches redirection off while the client is down, the FORWARD
# guard drops a proxied UDP flow's next datagram and ends its entry, and
# the flow starts again as a new, direct one (masqueraded, and direct for
# the rest of its life); those packets, UDP from the gateway's WAN address
# after the kill, are counted and reported, never a TCP one or one before
# the kill.  Also asserted: the proxied flows answered through the v2ray
# server; lost exchanges per window within the bounds below (TCP: none
# until its socket is killed, then a reset and a new flow through the
# tunnel); direct flows answered, masqueraded (a flush may cost a direct
# flow one exchange or its connection: Linux NAT state lost, not
# sluice's); `errors` 0; the kernel log is clean (harness).
# timeout: 900
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"
# shellcheck source=SCRIPTDIR/../lib-faults.sh
. "$(dirname "$0")/../lib-faults.sh"

# after a failure the captures go with fault_keep_logs' files
# shellcheck disable=SC2016 # rc: the exit status, in lib.sh's handler
on_exit '[[ ${rc:-1} == 0 ]] || keep_pcaps'
keep_pcaps() {
	local job
	job=$(sed -n 's/.*sluice_job=\([^ ]*\).*/\1/p' /proc/cmdline)
	[[ -n $job && -d $job ]] || return 0
	mkdir -p "$job/keep-$(basename "$0" .sh)"
	cp -- *.pcap "$job/keep-$(basename "$0" .sh)/" 2>/dev/null
}
command -v tcpdump >/dev/null || fail "tcpdump not installed (tests/deps.sh)"
command -v conntrack >/dev/null || fail "conntrack not installed (tests/deps.sh)"

# the idle gaps (ms): longer than the cut timeouts (2 s UDP, 3 s TCP) with
# room for the check that the entries are gone
GAP=${CT_GAP_MS:-7000}
CT_UDP_TMO=2 CT_TCP_TMO=3
# a UDP exchange's limit (ms): a lost datagram shows within it
UTMO=$((3000 * ${SLUICE_VM_TIMEOUT_MULT:-1}))
# Bounds on lost exchanges per window and proxied UDP flow: one per fault
# event (issue 16: "at most one datagram lost"); ct-delete has 3 events,
# ct-flush 2, expiry 2, ss-kill 1.  TCP: none (retransmission), but the
# ss-kill and kill windows reset the connection (the socket is gone).
declare -A UDP_BOUND=([baseline]=0 [ct-delete]=3 [ct-flush]=2 [expiry]=2 [ss-kill]=1 [after]=0 [icmp-error]=0)
PROXIED_UDP=(pu4 pu6)
PROXIED_TCP=(pt4 pt6)
declare -A ST_PROTO=([pu4]=udp [pu6]=udp [pt4]=tcp [pt6]=tcp [du4]=udp [dt6]=tcp)
declare -A ST_DST=([pu4]=$PROXIED4 [pu6]=$PROXIED6 [pt4]=$PROXIED4 [pt6]=$PROXIED6
	[du4]=$WLISTED4 [dt6]=$WLISTED6)
declare -A ST_SEG=()

VIOL=()
# check CMD...: run an assertion in a subshell; note its failure, go on
check() {
	local out
	if ! out=$("$@" 2>&1); then
		VIOL+=("$(grep -m1 '^FAIL: ' <<<"$out" | sed 's/^FAIL: //')")
		echo "VIOLATION: ${VIOL[-1]}"
	fi
	[[ -z $out ]] || grep -v '^FAIL: ' <<<"$out" || true
}

# ---- long flows: logical stream NAME = segments NAME.1, NAME.2, ... (a new
# connection after a reset) ----------------------------------------------------
# PH: the phase (policy); segment files are PH.NAME.I.stream
PH=
st_cur() { echo "$PH.$1.${ST_SEG[$1]}"; }
st_start() { # NAME
	local n=$1 i=$((${ST_SEG[$1]:-0} + 1)) tmo=$FAULT_TMO
	[[ ${ST_PROTO[$n]} == udp ]] && tmo=$UTMO
	ST_SEG[$n]=$i
	fl_stream "$PH.$n.$i" lan "${ST_PROTO[$n]}" "${ST_DST[$n]}" 200 "$tmo" "$GAP"
	echo "STREAM $PH.$n.$i: $(head -n1 "$PH.$n.$i.stream") (started $(now_ms))"
}
st_pid() { # NAME: pid of its current segment
	local i c
	c=$(st_cur "$1")
	for i in "${!_FL_NAMES[@]}"; do
		[[ ${_FL_NAMES[$i]} == "$c" ]] && echo "${_FL_PIDS[$i]}"
	done
	return 0
}
st_restart() { # NAME: end its current segment, start the next
	local c
	c=$(st_cur "$1")
	fl_stop "$c"
	echo "STREAM $c ended: $(tail -n1 "$c.stream")"
	st_start "$1"
}
st_broken() { grep -q ' fail seq [0-9]* \(broken\|reset\|eof\|pipe\|error\)' "$(st_cur "$1").stream"; }
_gaps_done() { # COUNT NAME...: each current segment logged COUNT "gap done"
	local c=$1 n
	shift
	for n in "$@"; do
		(($(grep -c ' gap done$' "$(st_cur "$n").stream" || true) >= c)) || return 1
	done
}

_gaps_late() { # COUNT NAME...: each current segment asked COUNT late answers
	local c=$1 n
	shift
	for n in "$@"; do
		(($(grep -c ' gap late ' "$(st_cur "$n").stream" || true) >= c)) || return 1
	done
}
# lan_unreach: "V4 V6", the destination unreachables the LAN host sent
# shellcheck disable=SC2016 # awk, not shell
lan_unreach() {
	ip netns exec lan awk '$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) if ($i == "OutDestUnreachs") c = i; h = 1; next }
		$1 == "Icmp:" && h { v4 = $c }
		$1 == "Icmp6OutDestUnreachs" { v6 = $2 }
		END { print v4 + 0, v6 + 0 }' /proc/net/snmp /proc/net/snmp6
}
_lan_unreach_both() { # "V4 V6" before: both grew
	local a b c d
	read -r a b <<<"$1"
	read -r c d <<<"$(lan_unreach)"
	((c > a && d > b))
}

# ---- windows ---------------------------------------------------------------
WIN_N=() WIN_T=()
win() {
	WIN_N+=("$1")
	WIN_T+=("$(now_ms)")
	step "window $1"
}

# ---- conntrack in the gateway ----------------------------------------------
# CT_LEFT: the entries of the proxied flows at the last _ct_none
CT_LEFT=
_ct_none() { # no entry of a proxied destination
	CT_LEFT=$(in_gw sh -c 'conntrack -L -f ipv4; conntrack -L -f ipv6' 2>/dev/null |
		grep -F -e "=$PROXIED4 " -e "=$PROXIED6 " || true)
	[[ -z $CT_LEFT ]]
}
# ct_gap_expired N: the entries of the proxied flows went while their Nth
# gap lasted (polled: gone from the timeout to the gap's end, 4 s or more)
ct_gap_expired() {
	local nth=$1 t n d
	if ! wait_for $((GAP / 1000)) _ct_none; then
		check fail "$PH: entries of the proxied flows still there in idle gap $nth: $(tr -s ' ' <<<"$CT_LEFT" | head -n 4 | tr '\n' ';')"
		return 0
	fi
	t=$(now_ms)
	for n in "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}"; do
		d=$(grep ' gap done$' "$(st_cur "$n").stream" | sed -n "${nth}p" | cut -d' ' -f1 || true)
		[[ -z $d ]] || ((d > t)) || check fail "$PH: gap $nth of $n ended before its entry was seen gone"
	done
	echo "expiry: gap $nth: no entry of the proxied flows at $t"
}
ct_del_proxied() { # delete every entry of a proxied destination; echo the count
	local a f d sum=0 out
	for a in "$PROXIED4" "$PROXIED6"; do
		f=ipv4
		[[ $a == *:* ]] && f=ipv6
		for d in -d -s; do
			out=$(in_gw conntrack -D -f "$f" "$d" "$a" 2>&1 >/dev/null || true)
			[[ $out =~ ([0-9]+)\ flow\ entr ]] && sum=$((sum + BASH_REMATCH[1]))
		done
	done
	echo "$sum"
}
CT_SYSCTLS=(net.netfilter.nf_conntrack_udp_timeout net.netfilter.nf_conntrack_udp_timeout_stream
	net.netfilter.nf_conntrack_tcp_timeout_established)
declare -A CT_SAVED=()
ct_timeouts_short() {
	local s
	for s in "${CT_SYSCTLS[@]}"; do CT_SAVED[$s]=$(in_gw sysctl -n "$s"); done
	in_gw sysctl -qw net.netfilter.nf_conntrack_udp_timeout=$CT_UDP_TMO \
		net.netfilter.nf_conntrack_udp_timeout_stream=$CT_UDP_TMO \
		net.netfilter.nf_conntrack_tcp_timeout_established=$CT_TCP_TMO
}
ct_timeouts_restore() {
	local s
	for s in "${CT_SYSCTLS[@]}"; do in_gw sysctl -qw "$s=${CT_SAVED[$s]}"; done
}

# ---- the WAN capture ------------------------------------------------------------
CAP_PID=
cap_start() { # FILE
	ip netns exec wan tcpdump -i eth0 -n -s 128 -B 8192 -U -Z root -w "$1" \
		>"$1.out" 2>&1 </dev/null &
	CAP_PID=$!
	track_pid "$CAP_PID"
	wait_for 20 grep -q 'listening on' "$1.out" || fail "tcpdump not capturing: $(cat "$1.out")"
}
cap_stop() { # FILE
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	CAP_PID=
	grep -E 'captured|dropped by kernel' "$1.out" | sed 's/^/CAPTURE /'
	grep -q '^0 packets dropped by kernel' "$1.out" || fail "the capture lost packets: $(cat "$1.out")"
}
# cap_lines FILE FILTER: "EPOCH_MS rest" per packet
cap_lines() {
	tcpdump -n -tt -r "$1" "$2" 2>/dev/null |
		awk '{ split($1, t, "."); $1 = sprintf("%.0f", t[1] * 1000 + int(substr(t[2] "000", 1, 3))); print }'
}
cap_count() { cap_lines "$@" | grep -c . || true; }
hosts() { local f="" a; for a in "$@"; do f+="${f:+ or }host $a"; done; echo "$f"; }

# ---- analysis ---------------------------------------------------------------------
# win_of MS: the window a time falls in
win_of() {
	local t=$1 i w=before
	for i in "${!WIN_T[@]}"; do ((t >= WIN_T[i])) && w=${WIN_N[$i]}; done
	echo "$w"
}
# losses NAME TMO: "WINDOW" per failed exchange of every segment of NAME,
# by the time the exchange was sent (a timeout shows TMO later)
losses() {
	local n=$1 tmo=$2 f t what
	for f in "$PH.$n".*.stream; do
		while read -r t _ _ _ what; do
			[[ $what == timeout ]] && t=$((t - tmo))
			win_of "$t"
		done < <(grep ' fail seq ' "$f" || true)
	done
}
# loss_report POLICY T_END: per window and proxied stream, the lost
# exchanges; checks the bounds
loss_report() {
	local policy=$1 t_end=$2 n w c tmo i from to
	local -A got=()
	for n in "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}" du4 dt6; do
		tmo=$FAULT_TMO
		[[ ${ST_PROTO[$n]} == udp ]] && tmo=$UTMO
		while read -r w; do got[$n/$w]=$((${got[$n/$w]:-0} + 1)); done < <(losses "$n" "$tmo")
	done
	for i in "${!WIN_N[@]}"; do
		w=${WIN_N[$i]} from=${WIN_T[$i]}
		to=$t_end
		((i + 1 < ${#WIN_T[@]})) && to=${WIN_T[$((i + 1))]}
		local line="LOSS $policy $w ($(((to - from) / 1000)) s):"
		for n in "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}" du4 dt6; do
			line+=" $n=${got[$n/$w]:-0}"
		done
		echo "$line"
		for n in "${PROXIED_UDP[@]}"; do
			c=${got[$n/$w]:-0}
			[[ -z ${UDP_BOUND[$w]:-} ]] || ((c <= UDP_BOUND[$w])) ||
				check fail "$policy/$w: proxied UDP flow $n lost $c exchanges (bound ${UDP_BOUND[$w]})"
		done
		for n in "${PROXIED_TCP[@]}"; do
			c=${got[$n/$w]:-0}
			case $w in
			ss-kill | kill) ;;
			*) ((c == 0)) || check fail "$policy/$w: proxied TCP flow $n failed $c exchanges: $(grep -h ' fail ' "$PH.$n".*.stream | head -n 3 | tr '\n' ';')" ;;
			esac
		done
		# direct long flows: only a flush may cost them (NAT state lost
		# with an answer in flight); the TCP one is then restarted
		for n in du4 dt6; do
			c=${got[$n/$w]:-0}
			[[ $w == ct-flush ]] || ((c == 0)) || check fail "$policy/$w: direct flow $n failed $c exchanges"
		done
	done
	for n in "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}" du4 dt6; do
		c=${got[$n/before]:-0}
		((c == 0)) || check fail "$policy: $n failed $c exchanges before the first window"
	done
}

# phase POLICY: the windows, the capture, the checks
phase() {
	local policy=$1 pcap=wan-$1.pcap n i t_end t_kill t_up t_gone k c
	local -A before=()
	local -a x
	PH=$policy
	ST_SEG=()
	cap_start "$pcap"
	_gw_counters before
	WIN_N=() WIN_T=() FAULT_ROUNDS=()
	for n in pu4 pu6 pt4 pt6 du4 dt6; do st_start "$n"; done
	fl_client dt4."$policy" lan tcp "$WLISTED4" 1 "$FAULT_TMO" 300
	fl_client du6."$policy" lan udp "$WLISTED6" 1 "$FAULT_TMO" 300

	win baseline
	sleep 4

	win ct-delete
	for i in 1 2 3; do
		k=$(ct_del_proxied)
		echo "ct-delete $i: $k entries deleted"
		((k > 0)) || check fail "$policy: conntrack -D found no entry of the proxied flows"
		sleep 2
	done

	win ct-flush
	FLUSH_T=()
	for i in 1 2; do
		# "FROM TO": the flush happened somewhere in between
		k=$(now_ms)
		in_gw conntrack -F 2>&1 | sed 's/^/ct-flush: /'
		FLUSH_T+=("$k $(now_ms)")
		sleep 3
	done
	st_broken dt6 && { echo "direct TCP flow broken by the flush"; st_restart dt6; }

	win expiry
	ct_timeouts_short
	# far end first: the answer is held back GAP ms
	for n in "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}"; do kill -USR1 "$(st_pid "$n")"; done
	ct_gap_expired 1
	wait_for $((GAP / 1000 + 30)) _gaps_done 1 "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}" ||
		fail "late gap never ended"
	# LAN host first
	for n in "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}"; do kill -USR2 "$(st_pid "$n")"; done
	ct_gap_expired 2
	wait_for $((GAP / 1000 + 30)) _gaps_done 2 "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}" ||
		fail "idle gap never ended"
	ct_timeouts_restore
	sleep 2

	win ss-kill
	c=$(in_gw ss -K -Htun "( src $PROXIED4 or src [$PROXIED6] )" | tee ss-kill-"$policy".txt | grep -c . || true)
	echo "ss-kill: $c sockets: $(tr -s ' ' <ss-kill-"$policy".txt | tr '\n' ';')"
	((c > 0)) || check fail "$policy: ss -K found no socket of the proxied flows"
	sleep 3
	for n in "${PROXIED_TCP[@]}"; do
		st_broken "$n" || check fail "$policy: proxied TCP flow $n not reset after its socket was killed"
		st_restart "$n"
	done
	sleep 2

	win kill
	fault_kill_round 1
	read -r -a x <<<"${FAULT_ROUNDS[0]}"
	t_kill=${x[0]} t_up=${x[2]} t_gone=${x[3]}
	wait_for 30 sd_enabled || fail "redirection not back on with the client up"
	for n in "${PROXIED_TCP[@]}"; do st_restart "$n"; done
	st_broken dt6 && check fail "$policy: direct TCP flow broken in the kill window"

	win after
	sleep 4

	# The LAN host's ICMP errors about a proxied UDP flow: each proxied
	# UDP flow asks for a late answer and closes its socket; the answer
	# (through the tunnel, or direct for a flow that policy open sent
	# direct) finds the port closed, the LAN host answers "port
	# unreachable", which conntrack relates to the flow's entry.  It must
	# not leave by the WAN either (the capture), nor upset the kernel.
	win icmp-error
	local u0 u1
	u0=$(lan_unreach)
	for n in "${PROXIED_UDP[@]}"; do kill -USR1 "$(st_pid "$n")"; done
	wait_for 20 _gaps_late 2 "${PROXIED_UDP[@]}" || fail "no late exchange asked"
	for n in "${PROXIED_UDP[@]}"; do fl_stop "$(st_cur "$n")"; done
	wait_for $((GAP / 1000 + 30)) _lan_unreach_both "$u0" ||
		check fail "$policy: the LAN host sent no port unreachable for a late answer (v4 v6 before: $u0, now: $(lan_unreach))"
	u1=$(lan_unreach)
	echo "icmp-error: port unreachable sent by the LAN host (v4 v6): before $u0, after $u1"
	t_end=$(now_ms)
	fl_stop_all
	cap_stop "$pcap"
	for n in pu4 pu6 pt4 pt6 du4 dt6; do
		for i in $(seq 1 "${ST_SEG[$n]}"); do echo "STREAM $PH.$n.$i: $(tail -n1 "$PH.$n.$i.stream")"; done
	done
	echo "FLOWS dt4: $(fl_summary dt4."$policy".flows)"
	echo "FLOWS du6: $(fl_summary du6."$policy".flows)"
	grep -E 'redirection (on|off)|client (up|down)' sluiced.log | awk -v t="${WIN_T[0]}" '$1 >= t' | sed 's/^/SLUICED /'

	# -- the capture
	local all lan tun dir ph pu po early
	ph=$(hosts "$PROXIED4" "$PROXIED6")
	all=$(cap_count "$pcap" "")
	lan=$(cap_count "$pcap" "$(hosts "$LAN_HOST4" "$LAN_HOST6")")
	tun=$(cap_count "$pcap" "$(hosts "$SVR4" "$SVR6")")
	dir=$(cap_count "$pcap" "$(hosts "$WLISTED4" "$WLISTED6")")
	pu=$(cap_lines "$pcap" "udp and ($ph)")
	po=$(cap_lines "$pcap" "not udp and ($ph)")
	echo "CAPTURE $policy: $all packets; tunnel $tun, direct $dir, un-NATed LAN $lan, proxied destinations: UDP $(grep -c . <<<"$pu" || true), other $(grep -c . <<<"$po" || true)"
	((tun > 0 && dir > 0)) || check fail "$policy: the capture saw no tunnel ($tun) or no direct ($dir) traffic"
	# (also direct flows: masquerade must cover every packet that leaves)
	((lan == 0)) || check fail "$policy: $lan packets with a LAN host's address left by the WAN (not masqueraded): $(cap_lines "$pcap" "$(hosts "$LAN_HOST4" "$LAN_HOST6")" | head -n 3 | tr '\n' ';')"
	[[ -z $po ]] || check fail "$policy: $(grep -c . <<<"$po") TCP (or other) packets of proxied flows left by the WAN: $(head -n 5 <<<"$po" | tr '\n' ';')"
	early=$pu
	[[ $policy == open ]] && early=$(awk -v t="$t_kill" '$1 < t' <<<"$pu")
	[[ -z $early ]] || check fail "$policy: $(grep -c . <<<"$early") UDP packets of proxied flows left by the WAN: $(head -n 5 <<<"$early" | tr '\n' ';')"
	if [[ $policy == open ]]; then
		# by policy: redirection off while the client is down; the UDP
		# flows start again as new ones, direct and masqueraded
		c=$(awk -v a="$GW_WAN4." -v b="$GW_WAN6." 'index($0, a) == 0 && index($0, b) == 0' <<<"$pu")
		[[ -z $c ]] || check fail "open: proxied-destination packets not masqueraded: $(head -n 3 <<<"$c" | tr '\n' ';')"
		echo "MEASURE open: UDP packets of the proxied destinations direct (masqueraded): $(awk -v t="$t_kill" -v u="$t_up" '$1 >= t && $1 < u' <<<"$pu" | grep -c . || true) while the client was down, $(awk -v u="$t_up" '$1 >= u' <<<"$pu" | grep -c . || true) after it listened again$([[ -z $pu ]] || echo "; first at kill +$(($(head -n1 <<<"$pu" | cut -d' ' -f1) - t_kill)) ms"); client gone +$((t_gone - t_kill)) ms, listening +$((t_up - t_kill)) ms"
		for n in "${PROXIED_UDP[@]}"; do
			echo "PATH open $n after the kill: $(awk -v t="$t_kill" '$1 >= t && ($2 == "peer" || $2 == "fail")' "$PH.$n".*.stream | tr '\n' ';')"
		done
	fi

	# -- the paths the proxied flows' answers took
	local want f
	for n in "${PROXIED_UDP[@]}" "${PROXIED_TCP[@]}"; do
		want=$(svr_of "${ST_DST[$n]}")
		for f in "$PH.$n".*.stream; do
			[[ $(head -n1 "$f") == "peer $want" ]] || check fail "$f: $(head -n1 "$f"), not through the tunnel ($want)"
		done
	done
	for n in "${PROXIED_UDP[@]}"; do
		# UDP reports each change of the answering peer
		c=$(awk -v t="$t_kill" -v w="$(svr_of "${ST_DST[$n]}")" '$2 == "peer" && $3 != w && ($1 < t || "'"$policy"'" == "closed")' "$PH.$n".*.stream)
		[[ -z $c ]] || check fail "$policy: $n answered by another peer than the tunnel: $(head -n 3 <<<"$c" | tr '\n' ';')"
	done
	for n in du4 dt6; do
		want=$(gwwan_of "${ST_DST[$n]}")
		for f in "$PH.$n".*.stream; do
			[[ $(head -n1 "$f") == "peer $want" ]] || check fail "$f: $(head -n1 "$f"), not direct ($want)"
		done
	done
	# new direct flows: answered, masqueraded; a flush may cost the flows
	# in flight at that moment
	for n in dt4 du6; do
		f=$n.$policy.flows
		want=$GW_WAN4
		[[ $n == du6 ]] && want=$GW_WAN6
		c=$(awk -v w="$want" -v f="${FLUSH_T[*]}" '
			BEGIN { n = split(f, t, " ") }
			function flushed(   i) { for (i = 1; i < n; i += 2) if ($1 <= t[i + 1] && $1 + $4 >= t[i]) return 1; return 0 }
			!($2 == "ok" && $3 == w) && !flushed()' "$f")
		[[ -z $c ]] || check fail "$policy: new direct flows $n lost or not masqueraded: $(head -n 3 <<<"$c" | tr '\n' ';')"
		(($(fl_count "$f" 0 "$t_end" "ok:$want") > 0)) || check fail "$policy: no new direct flow $n answered"
	done

	loss_report "$policy" "$t_end"
	# kill window: losses only until the client listens again (+bound)
	for n in "${PROXIED_UDP[@]}"; do
		c=$( (grep -h ' fail seq ' "$PH.$n".*.stream || true) | awk -v t="$((t_up + FAULT_BOUND))" -v tmo="$UTMO" '($5 == "timeout" ? $1 - tmo : $1) >= t' | head -n 3)
		[[ -z $c ]] || check fail "$policy: $n lost exchanges later than ${FAULT_BOUND} ms after the client listened again: $(tr '\n' ';' <<<"$c")"
	done

	# counters
	_GW_SNAP=()
	for k in "${!before[@]}"; do _GW_SNAP[$k]=${before[$k]}; done
	_GW_NOW_OK=0
	for k in flow_drop flow_adopted no_listener_drop no_listener_pass redirect_udp4 redirect_udp6 redirect_tcp4 redirect_tcp6; do
		echo "COUNTER $policy $k +$(delta "$k")"
	done
	check assert_delta 0 errors
}

# restart-delay: longer than a UDP exchange's limit, so that under policy
# open the proxied UDP flows send while redirection is off (and go direct,
# by policy) before the client is back
fault_gateway open "$((UTMO / 1000 + 1))s"
phase open

step "policy closed (SIGHUP)"
sed -i 's/^failure-policy open$/failure-policy closed/' sluiced.conf
n0=$(grep -c 'SIGHUP' sluiced.log || true)
kill -HUP "$SD_PID"
# shellcheck disable=SC2016 # expanded by eval
wait_for 30 eval '(($(grep -c SIGHUP sluiced.log) > n0))' || fail "SIGHUP not logged"
_closed() { [[ $(ctl status --json | jq -r .config.no_listener) == drop ]] && sd_enabled; }
wait_for 30 _closed || fail "policy closed not in force after SIGHUP"
phase closed

kill -TERM "$SD_PID"
s=0
wait "$SD_PID" || s=$?
assert_eq 0 "$s" "sluiced exit status"
if ((${#VIOL[@]})); then
	printf 'VIOLATION %s\n' "${VIOL[@]}"
	fail "${#VIOL[@]} violation(s), first: ${VIOL[0]}"
fi
echo PASS
