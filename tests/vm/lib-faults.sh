# shellcheck shell=bash
# Traffic and bookkeeping for the fault scenarios (tests/vm/t/82-89) and the
# soak (tests/soak).  Source after lib.sh and lib-gateway.sh.
#
# Traffic comes from tests/tools/sluice-flows (see its header): servers in
# "wan" answer with the peer address they saw, so each flow's outcome says
# which path it took.  Clients and streams run until SIGTERM.
#
#   fl_servers                    TCP (v4+v6 wildcard) and UDP (each Internet
#                                 host) servers in wan on FL_PORT
#   fl_client NAME NS PROTO DST WORKERS [TMO_MS] [PAUSE_MS]
#                                 new flows until fl_stop_all -> NAME.flows
#   fl_stream NAME NS PROTO DST [INTERVAL_MS] [TMO_MS] [GAP_MS]
#                                 one long flow -> NAME.stream
#   fl_stop NAME... / fl_stop_all stop clients and streams, wait for them
#   fl_count FILE FROM TO WHAT    flows started in [FROM, TO) ms that are
#                                 WHAT: ok | fail | ok:PEER | notok:PEER
#                                 (ok with another peer, or failed)
#   fl_summary FILE               "N flows: PEER=n ... fail=n"
#   now_ms                        CLOCK_REALTIME in ms (the clients' clock)

FLOWS=$SLUICE_REPO/tests/tools/sluice-flows
FL_PORT=${FL_PORT:-7001}
_FL_PIDS=()
_FL_NAMES=()

now_ms() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); }
# step MSG: progress line with the seconds since the test started
_FL_T0=$(now_ms)
step() { echo "== [$((($(now_ms) - _FL_T0) / 1000))s] $*"; }

_fl_listening() { # file...: each has said "listening"
	local f
	for f in "$@"; do
		[[ $(<"$f") == *listening* ]] || return 1
	done
}

# fl_servers [ADDR...]: servers in wan.  UDP is bound to each ADDR (default:
# the six Internet hosts of lib-gateway.sh) so that answers come from the
# address asked; TCP listens on the wildcards.
fl_servers() {
	local a i=0 f
	local -a files=()
	[[ -x $FLOWS ]] || fail "missing $FLOWS (make -C tests/tools)"
	(($#)) || set -- "$PROXIED4" "$PROXIED6" "$WLISTED4" "$WLISTED6" "$FREEDOM4" "$FREEDOM6"
	mkdir -p srv
	for a in 0.0.0.0 ::; do
		f=srv/tcp$i.out
		ip netns exec wan "$FLOWS" serve tcp "$a" "$FL_PORT" >"$f" 2>&1 </dev/null &
		track_pid $!
		files+=("$f")
		i=$((i + 1))
	done
	for a in "$@"; do
		f=srv/udp$i.out
		ip netns exec wan "$FLOWS" serve udp "$a" "$FL_PORT" >"$f" 2>&1 </dev/null &
		track_pid $!
		files+=("$f")
		i=$((i + 1))
	done
	wait_for 20 _fl_listening "${files[@]}" || fail "fl_servers: not all listening: $(cat "${files[@]}")"
}

# fl_client NAME NS PROTO DST WORKERS [TMO_MS=5000] [PAUSE_MS=50]
fl_client() {
	local name=$1 ns=$2 proto=$3 dst=$4 workers=$5 tmo=${6:-5000} pause=${7:-50}
	# ip netns exec execs: $! is the client itself, which SIGTERM stops.
	ip netns exec "$ns" "$FLOWS" client "$proto" "$dst" "$FL_PORT" "$workers" "$tmo" "$pause" \
		>"$name.flows" 2>"$name.err" </dev/null &
	_FL_PIDS+=($!)
	_FL_NAMES+=("$name")
	track_pid $!
}

# fl_stream NAME NS PROTO DST [INTERVAL_MS=200] [TMO_MS=5000] [GAP_MS]; returns
# once the flow answered its first exchange.  GAP_MS: the idle gaps that
# SIGUSR1/SIGUSR2 ask for (sluice-flows' header).
fl_stream() {
	local name=$1 ns=$2 proto=$3 dst=$4 iv=${5:-200} tmo=${6:-5000}
	ip netns exec "$ns" "$FLOWS" stream "$proto" "$dst" "$FL_PORT" "$iv" "$tmo" ${7:+"$7"} \
		>"$name.stream" 2>"$name.err" </dev/null &
	_FL_PIDS+=($!)
	_FL_NAMES+=("$name")
	track_pid $!
	wait_for 30 grep -q '^peer ' "$name.stream" ||
		fail "stream $name ($proto to $dst) never answered: $(cat "$name.stream" "$name.err")"
}

# fl_stop NAME...: stop these clients/streams (SIGTERM: they finish the
# flow at hand and report); FL_RC[NAME] = exit status.
declare -gA FL_RC=()
fl_stop() {
	local i n rc
	for n in "$@"; do
		for i in "${!_FL_NAMES[@]}"; do
			[[ ${_FL_NAMES[$i]} == "$n" ]] || continue
			kill -TERM "${_FL_PIDS[$i]}" 2>/dev/null || true
			rc=0
			wait "${_FL_PIDS[$i]}" || rc=$?
			# shellcheck disable=SC2034 # for the tests
			FL_RC[$n]=$rc
			unset '_FL_NAMES[i]' '_FL_PIDS[i]'
		done
	done
}
# fl_stop_all: every client and stream
fl_stop_all() {
	# shellcheck disable=SC2068
	fl_stop ${_FL_NAMES[@]}
	_FL_NAMES=()
	_FL_PIDS=()
}

# fl_lines FILE FROM_MS TO_MS WHAT [DONE_BY_MS]: the flows started in
# [FROM, TO) (and, with DONE_BY, over before it) that are WHAT: ok | fail |
# ok:PEER | notok:PEER (failed, or another peer)
fl_lines() {
	awk -v from="$2" -v to="$3" -v what="$4" -v by="${5:-0}" '
		BEGIN { w[1] = what; w[2] = ""; i = index(what, ":")
			if (i) { w[1] = substr(what, 1, i - 1); w[2] = substr(what, i + 1) } }
		$1 < from || $1 >= to { next }
		by > 0 && $1 + $4 >= by { next }
		w[1] == "ok" && w[2] == "" { if ($2 == "ok") print; next }
		w[1] == "fail" { if ($2 == "fail") print; next }
		w[1] == "ok" { if ($2 == "ok" && $3 == w[2]) print; next }
		w[1] == "notok" { if ($2 != "ok" || $3 != w[2]) print; next }' "$1"
}
# fl_count FILE FROM_MS TO_MS WHAT: how many
fl_count() { fl_lines "$@" | grep -c . || true; }

# fl_first FILE FROM WHAT: start time of the first flow from FROM that is
# WHAT (as fl_count); empty if none
fl_first() {
	awk -v from="$2" -v what="$3" '
		BEGIN { w[1] = what; w[2] = ""; i = index(what, ":")
			if (i) { w[1] = substr(what, 1, i - 1); w[2] = substr(what, i + 1) } }
		$1 < from { next }
		(w[1] == "ok" && $2 == "ok" && (w[2] == "" || $3 == w[2])) ||
		(w[1] == "fail" && $2 == "fail") { if (best == "" || $1 < best) best = $1 }
		END { print best }' "$1"
}

# fl_last FILE FROM WHAT: start time of the last such flow
fl_last() {
	awk -v from="$2" -v what="$3" '
		BEGIN { w[1] = what; w[2] = ""; i = index(what, ":")
			if (i) { w[1] = substr(what, 1, i - 1); w[2] = substr(what, i + 1) } }
		$1 < from { next }
		(w[1] == "ok" && $2 == "ok" && (w[2] == "" || $3 == w[2])) ||
		(w[1] == "fail" && $2 == "fail") { if ($1 > best) best = $1 }
		END { print best }' "$1"
}

# fl_summary FILE: "N flows: PEER=n ..., fail WHAT=n ..."
fl_summary() {
	awk '{ n++; if ($2 == "ok") c[$3]++; else c["fail-" $3]++ }
		END { printf "%d flows:", n; for (k in c) printf " %s=%d", k, c[k]; printf "\n" }' "$1"
}

# fl_show_fails FILE [N=10]: the first N failed flows, for a test's output
fl_show_fails() {
	grep ' fail ' "$1" | head -n "${2:-10}" || true
}

# stream_ok NAME: the stream ended with no failed exchange
stream_ok() {
	local s
	s=$(tail -n1 "$1.stream")
	[[ $s == "stream: "*" 0 failed "* ]] || fail "stream $1: $s; $(grep fail "$1.stream" | head -n 5 | tr '\n' ';')"
}

# ---- sluiced -------------------------------------------------------------------
SD=${SLUICED:-$SLUICE_REPO/userspace/sluiced/sluiced}
[[ -d $SD ]] && SD=$SD/sluiced

# sd_start CONF [LOG=sluiced.log]: sluiced -f in gw; each log line is
# prefixed with the ms (CLOCK_REALTIME) it was read.  SD_PID is sluiced.
SD_PID=
sd_start() {
	local conf=$1 log=${2:-sluiced.log}
	[[ -x $SD ]] || fail "sluiced not built ($SD): make -C userspace/sluiced"
	"$SD" -c "$conf" --check >/dev/null || fail "sluiced --check $conf failed"
	ip netns exec gw "$SD" -f -c "$conf" > >(_sd_stamp >>"$log") 2>&1 &
	SD_PID=$!
	track_pid "$SD_PID"
}
_sd_stamp() {
	local l t
	while IFS= read -r l; do
		t=${EPOCHREALTIME/./}
		echo "$((10#$t / 1000)) $l"
	done
}
# sd_client_pid [LOG]: pid of the client sluiced started last
# shellcheck disable=SC2120 # LOG is optional
sd_client_pid() {
	local l
	l=$(grep -o 'client started: .* (pid [0-9]*)' "${1:-sluiced.log}" | tail -n1)
	l=${l##*pid }
	echo "${l%)}"
}
# sd_logged_at PATTERN [LOG]: ms stamp of the last log line matching PATTERN
sd_logged_at() {
	awk -v p="$1" '$0 ~ p { t = $1 } END { print t }' "${2:-sluiced.log}"
}
sd_enabled() { [[ $(ctl status --json | jq -r .config.enabled) == true ]]; }
sd_disabled() { [[ $(ctl status --json | jq -r .config.enabled) == false ]]; }

# ---- kernel state --------------------------------------------------------------
# sluice_mem: the module's own figure of the white_list memory (bytes:
# compiled sets + entries), from `sluicectl status --json` in gw
sluice_mem() {
	ctl status --json | jq -r '(.memory.cidr_bytes // 0) + (.memory.entry_bytes // 0)'
}
# kmem_kb: Slab + VmallocUsed (kB), /proc/meminfo
kmem_kb() { awk '/^Slab:/ { s = $2 } /^VmallocUsed:/ { v = $2 } END { print s + v }' /proc/meminfo; }
mem_avail_kb() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }

# ---- gateway with sluiced and a real v2ray client --------------------------------
# fault_sluiced_conf V2RAY WAN RESTART_DELAY POLICY: write sluiced.conf for
# the fault tests: tproxy, the rendered v2ray client config, masquerade,
# list "direct" (direct.txt), a fast probe.
fault_sluiced_conf() {
	cat >sluiced.conf <<-CONF
		client $1 -config $GW_LOGDIR/client.json
		client-config $GW_LOGDIR/client.json
		mode tproxy
		port $GW_PORT
		port6 $GW_PORT6
		mark 0xff/0xff
		lan lan0
		wan $2
		masquerade on
		list direct $PWD/direct.txt
		restart-delay $3
		probe-interval 100ms
		failure-policy $4
		log-level debug
	CONF
}

# fault_gateway POLICY [RESTART_MIN]: gw_topology, the flow servers, the v2ray
# server, sluice loaded, and sluiced (tproxy) running the real v2ray client
# with list "direct" = the white-listed Internet hosts.  Returns once
# redirection is on and the client listens.
fault_gateway() {
	local policy=$1 rmin=${2:-15s} v2
	v2=$(command -v v2ray) || fail "v2ray not installed"
	step "topology"
	gw_topology
	load_sluice
	fl_servers
	step "v2ray server"
	v2ray_server
	v2ray_render client.json "$GW_LOGDIR/client.json" tproxy
	printf '# white-listed Internet hosts\n%s/32\n%s/128\n' "$WLISTED4" "$WLISTED6" >direct.txt
	# restart-delay: long enough that the time without a client is a
	# window the flows can be checked in (longer than a flow's time limit:
	# the flows under way at the fault take that long to fail).
	fault_sluiced_conf "$v2" wan0 "$rmin 30s" "$policy"
	step "sluiced, policy $policy"
	sd_start sluiced.conf
	on_exit 'echo "--- sluiced.log (last 40 lines)"; tail -n 40 sluiced.log'
	# shellcheck disable=SC2016 # rc: the exit status, in lib.sh's handler
	on_exit '[[ ${rc:-1} == 0 ]] || fault_keep_logs'
	wait_for 90 _gw_v2ray_client_up || fail "v2ray client (run by sluiced) not listening"
	wait_for 30 sd_enabled || fail "redirection not on with the client up"
	step "gateway up"
}

# fault_load: the standard mix, from the LAN host: new flows to the proxied
# and white-listed hosts, TCP and UDP, v4 and v6 (clients p*, d*), and
# long direct flows (streams sd*).  FAULT_TMO: a flow's time limit (ms).
# scaled like every timeout of the harness: a debug kernel (KASAN, lockdep)
# on a loaded host took longer than 10 s for 40% of the proxied TCP flows
# of 84-client-stop (2026-11-25), with no wrong path and no reset
FAULT_TMO=${FAULT_TMO:-$((10000 * ${SLUICE_VM_TIMEOUT_MULT:-1}))}
fault_load() {
	local p=${FAULT_PAUSE:-100}
	fl_stream sdt4 lan tcp "$WLISTED4" 200 "$FAULT_TMO"
	fl_stream sdt6 lan tcp "$WLISTED6" 200 "$FAULT_TMO"
	fl_stream sdu4 lan udp "$WLISTED4" 200 "$FAULT_TMO"
	fl_client pt4 lan tcp "$PROXIED4" 3 "$FAULT_TMO" "$p"
	fl_client pt6 lan tcp "$PROXIED6" 2 "$FAULT_TMO" "$p"
	fl_client pu4 lan udp "$PROXIED4" 2 "$FAULT_TMO" "$p"
	fl_client pu6 lan udp "$PROXIED6" 2 "$FAULT_TMO" "$p"
	fl_client dt4 lan tcp "$WLISTED4" 2 "$FAULT_TMO" "$p"
	fl_client dt6 lan tcp "$WLISTED6" 1 "$FAULT_TMO" "$p"
	fl_client du4 lan udp "$WLISTED4" 1 "$FAULT_TMO" "$p"
	fl_client du6 lan udp "$WLISTED6" 1 "$FAULT_TMO" "$p"
}
FAULT_PROXIED=(pt4 pt6 pu4 pu6)
FAULT_DIRECT=(dt4 dt6 du4 du6)
# peer a flow of client NAME sees on the proxied / direct path
fault_svr() { if [[ $1 == *6 ]]; then echo "$SVR6"; else echo "$SVR4"; fi; }
fault_wan() { if [[ $1 == *6 ]]; then echo "$GW_WAN6"; else echo "$GW_WAN4"; fi; }

# fault_check_direct FROM TO: every flow of the direct clients started in
# [FROM, TO) was answered, through the direct path
fault_check_direct() {
	local n bad
	for n in "${FAULT_DIRECT[@]}"; do
		bad=$(fl_lines "$n.flows" "$1" "$2" "notok:$(fault_wan "$n")")
		[[ -z $bad ]] || fail "$n: $(grep -c . <<<"$bad") direct flow(s) lost or not direct in [$1, $2): $(head -n 3 <<<"$bad" | tr '\n' ';')"
		(($(fl_count "$n.flows" "$1" "$2" ok) > 0)) || fail "$n: no direct flow at all in [$1, $2)"
	done
}
# fault_expect_proxied FROM TO WHAT: every flow of the proxied clients
# started in [FROM, TO) went WHAT: proxied (answered through the v2ray
# server; flows still under way at TO are left out: TO is a fault), direct (answered through the direct path), or none-direct
# (never answered through the direct path: blocked, or proxied)
fault_expect_proxied() {
	local from=$1 to=$2 what=$3 n bad
	((to > from)) || return 0
	for n in "${FAULT_PROXIED[@]}"; do
		case $what in
		proxied)
			bad=$(fl_lines "$n.flows" "$from" "$to" "notok:$(fault_svr "$n")" "$to")
			bad=$(fault_slow_ok "$n" "$from" "$to" "$bad")
			;;
		direct) bad=$(fl_lines "$n.flows" "$from" "$to" "notok:$(fault_wan "$n")") ;;
		none-direct) bad=$(fl_lines "$n.flows" "$from" "$to" "ok:$(fault_wan "$n")") ;;
		*) fail "fault_expect_proxied: bad WHAT $what" ;;
		esac
		[[ -z $bad ]] || fail "$n: $(grep -c . <<<"$bad") flow(s) started in [$from, $to) not $what: $(head -n 3 <<<"$bad" | tr '\n' ';')"
		[[ $what == none-direct ]] || (($(fl_count "$n.flows" "$from" "$to" ok) > 0)) ||
			fail "$n: no answered flow started in [$from, $to)"
	done
}
# fault_slow_ok NAME FROM TO BAD: BAD without the proxied flows that only
# timed out, as long as they are at most FAULT_SLOW_PCT % of the window's
# flows (at least 1).  Under TCG on a loaded host a flow through four
# user-space hops (client, v2ray client, v2ray server, server) now and
# then takes longer than its 10 s (long direct flows saw 6 s answers);
# a wrong path, a reset or more timeouts than that are never tolerated.
FAULT_SLOW_PCT=${FAULT_SLOW_PCT:-5}
FAULT_SLOW=0
fault_slow_ok() {
	local n=$1 from=$2 to=$3 bad=$4 slow rest total allow
	[[ -n $bad ]] || return 0
	slow=$(grep -c ' fail timeout ' <<<"$bad" || true)
	rest=$(grep -v ' fail timeout ' <<<"$bad" || true)
	total=$(fl_count "$n.flows" "$from" "$to" ok)
	allow=$(((total * FAULT_SLOW_PCT + 99) / 100))
	((allow >= 1)) || allow=1
	if ((slow > allow)); then
		echo "$bad"
		return 0
	fi
	((slow == 0)) || echo "SLOW $n: $slow of $((total + slow)) proxied flows in [$from, $to) timed out (tolerated: $allow)" >&2
	FAULT_SLOW=$((FAULT_SLOW + slow))
	[[ -z $rest ]] || echo "$rest"
}

# fault_report: per client, flows by outcome
fault_report() {
	local n
	for n in "${FAULT_PROXIED[@]}" "${FAULT_DIRECT[@]}"; do
		echo "FLOWS $n: $(fl_summary "$n.flows")"
	done
}

# ---- client faults -----------------------------------------------------------------
# How long after a fault new flows must follow the failure policy, and after
# the client is back that they are proxied again (ms; generous: TCG).
FAULT_BOUND=${FAULT_BOUND:-5000}
# FAULT_ROUNDS: "T_FAULT T_RESTART T_UP T_GONE" per round, for
# fault_check_rounds.  T_GONE: when sluiced reaped the killed client.  The
# kernel closes a dying process's sockets before it tells the parent, so
# from then on no flow can reach it.  On the stock kernels that is a few
# ms after the SIGKILL; on the debug kernel the exit of the v2ray process
# took 16 s (2026-11-25), and flows that started in between were reset
# by the dying client, not sent direct.
FAULT_ROUNDS=()
_sd_started_more() { (($(grep -c 'client started' sluiced.log) > $1)); }
_sd_up_since() { awk -v t="$1" '$1 >= t && /client up:/ { f = 1 } END { exit !f }' sluiced.log; }

# fault_kill_round [SETTLE_S=8]: SIGKILL the client under load, wait until
# sluiced restarted it and it listens, let traffic run SETTLE_S more
fault_kill_round() {
	local pid n0 t_kill t_restart t_up t_gone
	pid=$(sd_client_pid)
	[[ -n $pid ]] || fail "no client pid in sluiced's log"
	kill -0 "$pid" || fail "client $pid not running"
	n0=$(grep -c 'client started' sluiced.log)
	step "SIGKILL client $pid"
	t_kill=$(now_ms)
	kill -KILL "$pid"
	wait_for 60 _sd_started_more "$n0" || fail "sluiced did not restart the client"
	t_restart=$(sd_logged_at 'client started')
	t_gone=$(sd_logged_at 'client down: killed')
	((t_gone >= t_kill)) || fail "sluiced did not log the client's death"
	wait_for 90 _sd_up_since "$t_restart" || fail "restarted client never listened"
	t_up=$(sd_logged_at 'client up:')
	echo "ROUND kill at $t_kill: gone +$((t_gone - t_kill)) ms, restarted +$((t_restart - t_kill)) ms, listening +$((t_up - t_kill)) ms"
	FAULT_ROUNDS+=("$t_kill $t_restart $t_up $t_gone")
	sleep "${1:-8}" # traffic through the recovered client
}

# fault_check_rounds POLICY T_LOAD T_END: the flows of each window
#   [T_LOAD, first fault)          proxied, direct flows fine
#   [gone + BOUND, restart)        open: direct
#   [fault, restart)               closed: never direct
#   [up + BOUND, next fault)       proxied again
#   direct clients: every flow of the whole run answered, directly
#   closed: no flow to a proxied host ever went direct
fault_check_rounds() {
	local policy=$1 t_load=$2 t_end=$3 i prev=$2 r f rs up g n
	local -a x
	for i in "${!FAULT_ROUNDS[@]}"; do
		read -r -a x <<<"${FAULT_ROUNDS[$i]}"
		f=${x[0]} rs=${x[1]} up=${x[2]} g=${x[3]}
		fault_expect_proxied "$prev" "$f" proxied
		if [[ $policy == open ]]; then
			fault_expect_proxied $((g + FAULT_BOUND)) "$rs" direct
		else
			fault_expect_proxied "$f" "$rs" none-direct
			r=0
			for n in "${FAULT_PROXIED[@]}"; do
				r=$((r + $(fl_count "$n.flows" "$f" "$rs" fail)))
			done
			((r > 0)) || fail "closed policy: no proxied flow was blocked while the client was down"
		fi
		prev=$((up + FAULT_BOUND))
	done
	fault_expect_proxied "$prev" "$t_end" proxied
	fault_check_direct "$t_load" "$t_end"
	if [[ $policy == closed ]]; then
		fault_expect_proxied "$t_load" "$t_end" none-direct
	fi
}

# fault_client_kill POLICY: the body of 82/83 (see their headers)
fault_client_kill() {
	local policy=$1 t_load t_end c0 s
	local -A before=()
	fault_gateway "$policy"
	_gw_counters before
	t_load=$(now_ms)
	fault_load
	sleep 10 # traffic through the healthy client
	fault_kill_round 8
	fault_kill_round 8
	t_end=$(now_ms)
	fl_stop_all
	fault_report
	for s in sdt4 sdt6 sdu4; do
		tail -n1 "$s.stream"
		stream_ok "$s"
	done
	grep -E 'client exit to redirection update|redirection (on|off)' sluiced.log | sed 's/^/MEASURE /'
	fault_check_rounds "$policy" "$t_load" "$t_end"
	# Counters: per packet for UDP and redirected TCP, per SYN for direct
	# TCP, so they are at least the flows each path answered.
	_GW_SNAP=()
	for c0 in "${!before[@]}"; do _GW_SNAP[$c0]=${before[$c0]}; done
	_GW_NOW_OK=0
	assert_delta 0 errors
	# Policy open switches redirection off while the client is down, and
	# the hooks count nothing then: only flows of the "on" windows count.
	local -a on=("0 $t_end")
	[[ $policy == open ]] && _fault_on_windows "$t_load" "$t_end" on
	fault_ctr_covers white_list_v4 "$(_fault_on_count dt4 "$GW_WAN4" "${on[@]}")" "$(_fault_on_count du4 "$GW_WAN4" "${on[@]}")"
	fault_ctr_covers white_list_v6 "$(_fault_on_count dt6 "$GW_WAN6" "${on[@]}")" "$(_fault_on_count du6 "$GW_WAN6" "${on[@]}")"
	fault_ctr_covers redirect_tcp4 "$(_fault_on_count pt4 "$SVR4" "${on[@]}")"
	fault_ctr_covers redirect_tcp6 "$(_fault_on_count pt6 "$SVR6" "${on[@]}")"
	fault_ctr_covers redirect_udp4 "$(_fault_on_count pu4 "$SVR4" "${on[@]}")"
	fault_ctr_covers redirect_udp6 "$(_fault_on_count pu6 "$SVR6" "${on[@]}")"
	if [[ $policy == closed ]]; then
		moved no_listener_drop
		still no_listener_pass
	fi
	kill -TERM "$SD_PID"
	s=0
	wait "$SD_PID" || s=$?
	assert_eq 0 "$s" "sluiced exit status"
	echo PASS
}
# _fault_on_windows T_LOAD T_END ARRAY: "FROM TO" of the times redirection
# was on (before the first fault, and from each "client up" to the next)
_fault_on_windows() {
	local -n _w=$3
	local from=$1 i
	local -a x
	_w=()
	for i in "${!FAULT_ROUNDS[@]}"; do
		read -r -a x <<<"${FAULT_ROUNDS[$i]}"
		_w+=("$from ${x[0]}")
		from=${x[2]}
	done
	_w+=("$from $2")
}
# _fault_on_count NAME PEER "FROM TO"...: flows of NAME answered by PEER,
# started and done inside one of the windows
_fault_on_count() {
	local n=$1 p=$2 w sum=0
	shift 2
	for w in "$@"; do
		# shellcheck disable=SC2086 # "FROM TO"
		set -- $w
		sum=$((sum + $(fl_count "$n.flows" "$1" "$2" "ok:$p" "$2")))
	done
	echo "$sum"
}

# fault_ctr_covers COUNTER N...: the counter moved by at least the sum of N
fault_ctr_covers() {
	local c=$1 sum=0 n
	shift
	for n in "$@"; do sum=$((sum + n)); done
	_gw_delta "$c"
	echo "COUNTER $c +$DELTA (flows answered on that path: $sum)"
	((DELTA >= sum)) || fail "counter $c moved by $DELTA, fewer than the $sum flows it decided"
	((sum > 0)) || fail "no flow answered on the path of $c"
}

# in_local_only ADDR [GONE]: ADDR is in sluiced's `local` source, GONE not
in_local_only() {
	local s
	s=$'\n'$(ctl list source local)
	[[ $s == *$'\n'"$1"[/\ ]* ]] || return 1
	[[ -z ${2:-} || $s != *$'\n'"$2"[/\ ]* ]]
}

# fault_keep_logs: after a failure, copy the flow records, sluiced's and
# v2ray's logs to the run's job directory (kept on the host:
# build/vm/runs/<run>/keep-<test>/), for a look at what happened.
fault_keep_logs() {
	local job d
	job=$(sed -n 's/.*sluice_job=\([^ ]*\).*/\1/p' /proc/cmdline)
	[[ -n $job && -d $job ]] || return 0
	d=$job/keep-$(basename "$0" .sh)
	mkdir -p "$d"
	cp -- *.flows *.stream *.log "$d/" 2>/dev/null
	cp -r -- "$GW_LOGDIR" "$d/v2ray" 2>/dev/null
	ctl status >"$d/status.txt" 2>&1
	echo "logs kept in $d"
}
