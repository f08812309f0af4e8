#!/bin/bash
# Kernel benchmarks of `make bench`, run inside one QEMU guest by
# tests/bench/run.sh through tests/vm/run.  Inputs (prepared on the host):
# $SLUICE_REPO/build/bench/params and the prefix files next to it.
# Results: lines appended to <job dir>/bench/results (the job directory is
# the writable share; its path is on the kernel command line).
#   pkt SIZE SETUP ROUND PPS
#   ctr SIZE ROUND packets white_list_v4 no_listener_pass
#   est KIND SETUP ROUND PPS
#   estctr KIND packets white_list_v4 white_list_v6 redirect_udp4 redirect_udp6 flow_drop no_listener_pass
#   flow SETUP ROUND FLOWS FAILED SECONDS BUSY_JIFFIES
#   reload TOOL REP MS
#   mem TOOL PREFIXES DELTA_KB [CIDR_BYTES ENTRY_BYTES]
#   upd add|del USEC, upd poll USEC, upd inner add|del MS
#   info KEY VALUE...
# timeout: 3000
# With instruction counting and sleep=off (run.sh), guest time jumps to the
# next timer whenever the vCPU idles, e.g. while it waits for the 9p share on
# a busy host: with no timer near, one slow file read jumps ahead to the
# harness's own timeout.  A builtin read with a timeout, looping in the
# background, keeps a timer at most 20 ms ahead, so an idle wait skips no
# more than that.  (It wakes 50 times per guest second, the same in every
# setup; the timed runs never idle.)
mkfifo /tmp/kbench-tick
(
	exec 3<>/tmp/kbench-tick
	while :; do read -r -t 0.02 -u 3 _ || true; done
) &
TICK_PID=$!

# shellcheck source=SCRIPTDIR/../../vm/lib.sh
. "$SLUICE_REPO/tests/vm/lib.sh"
track_pid "$TICK_PID"

JOB=$(sed -n 's/.*sluice_job=\([^ ]*\).*/\1/p' /proc/cmdline)
[[ -n $JOB && -d $JOB ]] || fail "no job directory on the kernel command line"
OUT=$JOB/bench
mkdir -p "$OUT"
RES=$OUT/results
: >"$RES"
B=$SLUICE_REPO/build/bench
T=$SLUICE_REPO/tests/bench/tools
# shellcheck disable=SC1091
. "$B/params" # SIZES ROUNDS PKT_MS FLOW_SECS FLOW_ROUNDS FLOW_WORKERS RELOAD_REPS UPD_N PARTS EST_*
CTL=$SLUICECTL

T0=${EPOCHREALTIME/./}
log() { echo "[$(((${EPOCHREALTIME/./} - T0) / 1000000))s] $*" | tee -a "$OUT/log"; }
res() { echo "$*" >>"$RES"; }
# Marks for the host (tests/bench/tools/vcpumon), which records the CPU time
# QEMU got at each change of this file: a builtin write, no fork.
mark() { echo "$*" >"$OUT/mark"; }
ms_now() { local t=${EPOCHREALTIME/./}; echo $((10#$t / 1000)); }
# kernel memory in kB: Slab + VmallocUsed
kmem() { awk '/^Slab:/ { s = $2 } /^VmallocUsed:/ { v = $2 } END { print s + v }' /proc/meminfo; }
settle() { sync; echo 2 >/proc/sys/vm/drop_caches; sleep 1; }

res info kernel "$(uname -r)"
res info cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" x "$(nproc)"
res info mem_kb "$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
log "guest up, kernel $(uname -r), parts: $PARTS"
# text symbols, to resolve the perf profiles on the host (nokaslr)
sysctl -qw kernel.kptr_restrict=0 || true
grep -i ' t ' /proc/kallsyms >"$OUT/kallsyms.txt" || true

load_sluice
modprobe nf_conntrack
sysctl -qw net.netfilter.nf_conntrack_max=524288 2>/dev/null || true
modprobe ip_set_hash_net
modprobe xt_set
modprobe nft_tproxy
modprobe nft_fib_ipv4
modprobe nft_fib_ipv6
modprobe nft_fib_inet 2>/dev/null || true
modprobe nft_socket 2>/dev/null || true
$CTL set mode tproxy port 12345 lan lan0 no-listener pass enabled off >/dev/null

# nft table that only holds conntrack for the namespace (a ct expression in
# a chain received packets never traverse): every "ct" setup has conntrack
# on, exactly as sluice's own hook has it.
ct_on() {
	nft -f - <<-'EOF'
		table ip cthold {
			chain out { type filter hook output priority 0; ct state invalid drop; }
		}
	EOF
}
ct_off() { nft delete table ip cthold; }

# ---- per-packet cost: pktgen into lan0's receive path --------------------
pg() { echo "$2" >"/proc/net/pktgen/$1"; }
pg_setup() { # DST_MIN DST_MAX COUNT
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device lan0"
	local d=lan0 c
	for c in "xmit_mode netif_receive" "clone_skb 0" "burst 1" "count $3" \
		"pkt_size 60" "delay 0" "dst_mac $MAC" "src_min 192.0.2.2" "src_max 192.0.2.2" \
		"dst_min $1" "dst_max $2" "flag IPDST_RND" "udp_src_min 1024" "udp_src_max 65535" \
		"flag UDPSRC_RND" "udp_dst_min 443" "udp_dst_max 443"; do
		pg $d "$c"
	done
}
pg_count() { pg lan0 "count $1"; }
pg_run() { # prints pps
	echo start >/proc/net/pktgen/pgctrl
	sed -n 's/^ *\([0-9]*\)pps.*/\1/p' /proc/net/pktgen/lan0
}

setup_on() {
	case $1 in
	base_noct) ct_off ;;
	base) ;;
	nft) nft -f - <<-'EOF' ;;
		table ip bench {
			chain pre { type filter hook prerouting priority -150; ip daddr @bypass accept; }
		}
	EOF
	ipset) iptables -t mangle -A PREROUTING -m set --match-set bypass dst -j ACCEPT ;;
	nfttp) nft -f - <<-'EOF' ;;
		table ip bench {
			chain pre {
				type filter hook prerouting priority -150;
				meta mark & 0xff == 0xff accept
				fib daddr type { local, broadcast, multicast } accept
				ip daddr @bypass accept
				meta l4proto { tcp, udp } tproxy to :12345 meta mark set 0x100 accept
			}
		}
	EOF
	sluice) $CTL set enabled on >/dev/null ;;
	sluicecls) $CTL set default direct enabled on >/dev/null ;;
	esac
}
setup_off() {
	case $1 in
	base_noct) ct_on ;;
	base) ;;
	nft | nfttp) nft delete chain ip bench pre ;;
	ipset) nft delete table ip mangle ;;
	sluice) $CTL set enabled off >/dev/null ;;
	sluicecls) $CTL set default proxy enabled off >/dev/null ;;
	esac
}

sluice_ctr() { # prints "packets white_list_v4 no_listener_pass"
	local j
	j=$($CTL status --json)
	local p w n
	p=$(grep -o '"packets": *[0-9]*' <<<"$j" | grep -o '[0-9]*$')
	w=$(grep -o '"white_list_v4": *[0-9]*' <<<"$j" | grep -o '[0-9]*$')
	n=$(grep -o '"no_listener_pass": *[0-9]*' <<<"$j" | grep -o '[0-9]*$')
	echo "${p:-0} ${w:-0} ${n:-0}"
}

# One network namespace per setup, all built before measuring, so that a
# run of one setup is a builtin write in a shell that lives in that
# namespace: the setups alternate every ~0.3 s without starting a process,
# and the rounds are adjacent in time (the host's load varies slowly).
# Hooks, conntrack, nft tables, ipsets and sluice are all per namespace.
declare -A NSIN NSOUT NSPID
ns_start() { # SETUP: namespace p_SETUP with dummy lan0 and a command shell
	local s=$1 ns=p_$1 fdi fdo
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add lan0 type dummy
	ip -n "$ns" link set lan0 address "$MAC" up
	ip -n "$ns" addr add 192.0.2.1/24 dev lan0
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.lan0.rp_filter=0 net.netfilter.nf_conntrack_max=524288 2>/dev/null || true
	mkfifo "/tmp/ns-$s.in" "/tmp/ns-$s.out"
	ip netns exec "$ns" bash -c 'while read -r l; do eval "$l"; echo ok; done' \
		<"/tmp/ns-$s.in" >"/tmp/ns-$s.out" 2>>"$OUT/ns-$s.err" &
	NSPID[$s]=$!
	track_pid $!
	exec {fdi}>"/tmp/ns-$s.in"
	exec {fdo}<"/tmp/ns-$s.out"
	NSIN[$s]=$fdi
	NSOUT[$s]=$fdo
}
ns_do() { # SETUP COMMAND-STRING: run in the namespace's shell, wait for it
	local _
	echo "$2" >&"${NSIN[$1]}"
	read -r _ <&"${NSOUT[$1]}"
}
ns_pps() { # SETUP: pktgen's last result in that namespace
	local l
	while read -r l; do
		if [[ $l =~ ^([0-9]+)pps ]]; then
			echo "${BASH_REMATCH[1]}"
			return
		fi
	done <"/proc/${NSPID[$1]}/net/pktgen/lan0"
	echo 0
}
ns_pg() { # SETUP DST_MIN DST_MAX COUNT
	local s=$1 c cmd="echo rem_device_all >/proc/net/pktgen/kpktgend_0; echo add_device lan0 >/proc/net/pktgen/kpktgend_0"
	for c in "xmit_mode netif_receive" "clone_skb 0" "burst 1" "count $4" \
		"pkt_size 60" "delay 0" "dst_mac $MAC" "src_min 192.0.2.2" "src_max 192.0.2.2" \
		"dst_min $2" "dst_max $3" "flag IPDST_RND" "udp_src_min 1024" "udp_src_max 65535" \
		"flag UDPSRC_RND" "udp_dst_min 443" "udp_dst_max 443"; do
		cmd+="; echo '$c' >/proc/net/pktgen/lan0"
	done
	ns_do "$s" "$cmd"
}

part_pkt() {
	local size a z count pps setups r s i n0 n1 t p0 w0 l0 p1 w1 l1 in
	MAC=02:00:00:00:00:01
	modprobe pktgen
	setups=(base_noct base nft ipset nfttp sluice sluicecls)
	for s in "${setups[@]}"; do
		ns_start "$s"
	done
	for s in base nft ipset nfttp; do
		ip netns exec "p_$s" nft -f - <<-'EOF'
			table ip cthold {
				chain out { type filter hook output priority 0; ct state invalid drop; }
			}
		EOF
	done
	ip netns exec p_sluice $CTL set mode tproxy port 12345 lan lan0 no-listener pass enabled on >/dev/null
	# classification alone: white_list, local check, then `default direct`
	# (empty proxy list) passes the rest, so no packet is redirected
	ip netns exec p_sluicecls $CTL set mode tproxy port 12345 lan lan0 no-listener pass \
		default direct enabled on >/dev/null
	for size in $SIZES; do
		read -r _ _ a z _ _ <"$B/syn$size.txt"
		log "pkt: size $size: loading (range $a - $z)"
		t=$(ms_now)
		ip netns exec p_nft nft -f "$B/syn$size.nft"
		res reload_initial nft "$size" $(($(ms_now) - t))
		ip netns exec p_nft nft -f - <<-'EOF'
			table ip bench {
				chain pre { type filter hook prerouting priority -150; ip daddr @bypass accept; }
			}
		EOF
		ip netns exec p_nfttp nft -f "$B/syn$size.nft"
		ip netns exec p_nfttp nft -f - <<-'EOF'
			table ip bench {
				chain pre {
					type filter hook prerouting priority -150;
					meta mark & 0xff == 0xff accept
					fib daddr type { local, broadcast, multicast } accept
					ip daddr @bypass accept
					meta l4proto { tcp, udp } tproxy to :12345 meta mark set 0x100 accept
				}
			}
		EOF
		t=$(ms_now)
		ip netns exec p_ipset ipset restore -f "$B/syn$size.ipset"
		res reload_initial ipset "$size" $(($(ms_now) - t))
		ip netns exec p_ipset iptables -t mangle -A PREROUTING -m set --match-set bypass dst -j ACCEPT
		t=$(ms_now)
		ip netns exec p_sluice $CTL -q load syn "$B/syn$size.txt"
		res reload_initial sluice "$size" $(($(ms_now) - t))
		ip netns exec p_sluicecls $CTL -q load syn "$B/syn$size.txt"
		for s in "${setups[@]}"; do
			ns_pg "$s" "$a" "$z" 20000
		done
		# calibrate the packet count on the baseline: about PKT_MS each
		ns_do base "echo start >/proc/net/pktgen/pgctrl"
		pps=$(ns_pps base)
		count=$(((pps * PKT_MS / 1000 + 999) / 1000 * 1000))
		((count >= 5000)) || count=5000
		for s in "${setups[@]}"; do
			ns_do "$s" "echo 'count $count' >/proc/net/pktgen/lan0"
		done
		log "pkt: size $size: calibration $pps pps, $count packets per run"
		n0=$(ip netns exec p_sluice bash -c "$(declare -f sluice_ctr); CTL=$CTL sluice_ctr")
		for ((r = 0; r < ROUNDS; r++)); do
			in=
			for ((i = 0; i < ${#setups[@]}; i++)); do
				s=${setups[$(((i + r) % ${#setups[@]}))]}
				ns_do "$s" "echo 'start pkt $size $s $r' >$OUT/mark; echo start >/proc/net/pktgen/pgctrl; echo 'stop pkt $size $s $r $count' >$OUT/mark"
				pps=$(ns_pps "$s")
				res pkt "$size" "$s" "$r" "$pps"
				in+=" $s=$pps"
			done
			log "pkt: size $size round $r:$in"
		done
		n1=$(ip netns exec p_sluice bash -c "$(declare -f sluice_ctr); CTL=$CTL sluice_ctr")
		read -r p0 w0 l0 <<<"$n0"
		read -r p1 w1 l1 <<<"$n1"
		res ctr "$size" all $((p1 - p0)) $((w1 - w0)) $((l1 - l0))
		ip netns exec p_nft nft delete table ip bench
		ip netns exec p_nfttp nft delete table ip bench
		ip netns exec p_ipset nft delete table ip mangle
		ip netns exec p_ipset ipset destroy bypass
	done
	for s in "${setups[@]}"; do
		ns_do "$s" "echo rem_device_all >/proc/net/pktgen/kpktgend_0"
		eval "exec ${NSIN[$s]}>&- ${NSOUT[$s]}<&-"
		# (the shells of later namespaces inherited this fifo's write end,
		# so EOF alone does not end it)
		kill "${NSPID[$s]}" 2>/dev/null || true
		wait "${NSPID[$s]}" 2>/dev/null || true
		ip netns del "p_$s"
		rm -f "/tmp/ns-$s.in" "/tmp/ns-$s.out"
	done
}

# ---- established flows, and first packets over IPv6: part est ---------------
# Same method as part_pkt (one namespace per setup, pktgen into the receive
# path of lan0, builtin writes between runs), with lan0 a veth (its peer in
# g_SETUP, for tcpgen), a dummy wan0 and a default route through it in both
# families, and fwmark 0x100 routed to lo.  Kinds:
#   u4d u6d  one UDP flow (fixed 5-tuple) to an address in the list: after its
#            first packet every packet is a later packet of a direct flow,
#            forwarded out of wan0 (forwarding on)
#   u4p u6p  one UDP flow to an address outside the list: a proxied flow, every
#            later packet diverted to the transparent socket on :12345
#            (tests/bench/tools/ulisten, never read: queued, then dropped by
#            the full receive buffer, the same in every setup)
#   first6   random IPv6 destinations, half in the list, random source ports:
#            every packet a flow's first, forwarding off and no listener, as
#            part_pkt does for IPv4
#   t4d t6d  one TCP flow to an address in the list, forwarding on: the same
#            ACK segment over and over (conntrack picks the flow up mid-
#            stream), sent by tests/bench/tools/tcpgen from namespace g_SETUP
#            through the veth peer of lan0 (pktgen builds UDP only)
# Setups (namespace p_SETUP):
#   base       no rules (conntrack on, held by an inet output-chain rule)
#   nft        the bare sets (first6 only)
#   nftnull    two empty base chains, PREROUTING and FORWARD, where sluice has
#              its hooks (direct kinds only): what any two hooks cost
#   nfttp      the nft tproxy recipe: bypass mark, socket transparent, fib,
#              the sets, tproxy to :12345
#   nftct      the same with a ct mark shortcut first (and the mark written
#              when a flow goes direct): the best a careful nft user writes
#   sluice     tproxy mode, lan lan0, port 12345, no-listener pass
#   sluicecls  the same with default direct (first6 only)
#   sluiceguard  sluice enabled once, then disabled: its FORWARD guard alone
#              (direct kinds only)
est_rules() { # SETUP: the chain of an nft setup, in table inet bench
	case $1 in
	nft) cat <<-'EOR' ;;
		table inet bench {
			chain pre {
				type filter hook prerouting priority -150;
				ip daddr @bypass4 accept
				ip6 daddr @bypass6 accept
			}
		}
	EOR
	nftnull) cat <<-'EOR' ;;
		table inet bench {
			chain pre { type filter hook prerouting priority -150; }
			chain fw_guard { type filter hook forward priority -1; }
		}
	EOR
	nfttp) cat <<-'EOR' ;;
		table inet bench {
			chain pre {
				type filter hook prerouting priority -150;
				meta mark & 0xff == 0xff accept
				socket transparent 1 meta mark set 0x100 accept
				fib daddr type { local, broadcast, multicast } accept
				ip daddr @bypass4 accept
				ip6 daddr @bypass6 accept
				meta l4proto { tcp, udp } tproxy to :12345 meta mark set 0x100 accept
			}
		}
	EOR
	nftct) cat <<-'EOR' ;;
		table inet bench {
			chain pre {
				type filter hook prerouting priority -150;
				ct mark 0x10000000 accept
				meta mark & 0xff == 0xff accept
				socket transparent 1 meta mark set 0x100 accept
				fib daddr type { local, broadcast, multicast } accept
				ip daddr @bypass4 ct mark set 0x10000000 accept
				ip6 daddr @bypass6 ct mark set 0x10000000 accept
				meta l4proto { tcp, udp } tproxy to :12345 meta mark set 0x100 accept
			}
		}
	EOR
	esac
}

est_ctr() { # prints the sluice counters of estctr (in the current namespace)
	local j
	j=$($CTL status --json)
	local k v out=
	for k in packets white_list_v4 white_list_v6 redirect_udp4 redirect_udp6 flow_drop no_listener_pass; do
		v=$(grep -o "\"$k\": *[0-9]*" <<<"$j" | head -n1 | grep -o '[0-9]*$')
		out+=" ${v:-0}"
	done
	echo "$out"
}

est_pg() { # SETUP KIND COUNT: configure pktgen of that namespace for KIND
	local s=$1 k=$2 c cmd opts=()
	cmd="echo rem_device_all >/proc/net/pktgen/kpktgend_0; echo add_device lan0 >/proc/net/pktgen/kpktgend_0"
	case $k in
	u4d | u4p)
		local d=$EST_D4 sp=40001
		[[ $k == u4p ]] && d=198.18.0.1 sp=40002
		opts=("pkt_size 60" "src_min 192.0.2.2" "src_max 192.0.2.2" "dst_min $d" "dst_max $d"
			"udp_src_min $sp" "udp_src_max $sp")
		;;
	u6d | u6p)
		local d=$EST_D6 sp=40003
		[[ $k == u6p ]] && d=2001:db8:c612:1:: sp=40004
		opts=("pkt_size 78" "src6 fd00::2" "dst6 $d" "udp_src_min $sp" "udp_src_max $sp")
		;;
	first6)
		opts=("pkt_size 78" "src6 fd00::2" "dst6 $EST_R6MIN" "dst6_min $EST_R6MIN" "dst6_max $EST_R6MAX"
			"udp_src_min 1024" "udp_src_max 65535" "flag UDPSRC_RND")
		;;
	esac
	for c in "xmit_mode netif_receive" "clone_skb 0" "burst 1" "count $3" "delay 0" \
		"dst_mac $MAC" "udp_dst_min 443" "udp_dst_max 443" "${opts[@]}"; do
		cmd+="; echo '$c' >/proc/net/pktgen/lan0"
	done
	ns_do "$s" "$cmd"
}

part_est() {
	local n=$EST_SIZE s k r i pps count setups in c0 c1 a fd line pid
	local all=(base nft nftnull nfttp nftct sluice sluicecls sluiceguard)
	MAC=02:00:00:00:00:01
	modprobe pktgen
	modprobe nft_socket
	modprobe nf_tproxy_ipv6 2>/dev/null || true
	EST_D4=$(awk '!/^#/ { sub(/\/.*/, ""); print; exit }' "$B/syn$n.txt")
	EST_D6=$(awk '!/^#/ { sub(/\/.*/, ""); print; exit }' "$B/syn$n-6.txt")
	read -r _ _ EST_R6MIN EST_R6MAX _ <"$B/syn$n-6.txt"
	log "est: $n prefixes per family; direct flow to $EST_D4 and $EST_D6; v6 range $EST_R6MIN - $EST_R6MAX"
	res info est_size "$n"
	res info est_flows "$EST_D4" "$EST_D6"
	for s in "${all[@]}"; do
		ns_start "$s"
		# lan0 a veth here (pktgen injects into its receive path all the
		# same); its peer eth0 in g_SETUP, for tcpgen
		ip -n "p_$s" link del lan0
		ip netns add "g_$s"
		ip netns exec "g_$s" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
		ip -n "p_$s" link add lan0 type veth peer name eth0 netns "g_$s"
		ip -n "p_$s" link set lan0 address "$MAC"
		ip netns exec "p_$s" sysctl -qw net.ipv4.conf.lan0.rp_filter=0 net.ipv6.conf.lan0.accept_ra=0 \
			net.netfilter.nf_conntrack_tcp_be_liberal=1
		ip -n "p_$s" addr add 192.0.2.1/24 dev lan0
		ip -n "p_$s" addr add fd00::1/64 dev lan0 nodad
		ip -n "g_$s" link set lo up
		ip -n "g_$s" link set eth0 up
		ip -n "p_$s" link set lan0 up
		ip -n "p_$s" link add wan0 type dummy
		ip -n "p_$s" link set wan0 up
		ip -n "p_$s" route add default dev wan0
		ip -n "p_$s" -6 route add default dev wan0
		ip netns exec "p_$s" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=600 \
			net.netfilter.nf_conntrack_udp_timeout_stream=600
		# diverted packets (fwmark 0x100) are delivered locally
		ip -n "p_$s" rule add fwmark 0x100/0x100 lookup 100
		ip -n "p_$s" route add local 0.0.0.0/0 dev lo table 100
		ip -n "p_$s" -6 rule add fwmark 0x100/0x100 lookup 100
		ip -n "p_$s" -6 route add local ::/0 dev lo table 100
		case $s in
		sluice*)
			ip netns exec "p_$s" "$CTL" -q load syn "$B/syn$n.txt"
			ip netns exec "p_$s" "$CTL" -q load syn6 "$B/syn$n-6.txt"
			;;
		*)
			ip netns exec "p_$s" nft -f - <<-'EOR'
				table inet cthold {
					chain out { type filter hook output priority 0; ct state invalid drop; }
				}
			EOR
			;;
		esac
		[[ $s == nft* ]] && ip netns exec "p_$s" nft -f "$B/syn$n-inet.nft"
		[[ $s == nft* ]] && est_rules "$s" | ip netns exec "p_$s" nft -f -
	done
	ip netns exec p_sluice "$CTL" set mode tproxy port 12345 lan lan0 no-listener pass enabled on >/dev/null
	ip netns exec p_sluicecls "$CTL" set mode tproxy port 12345 lan lan0 no-listener pass \
		default direct enabled on >/dev/null
	# sluice's FORWARD guard alone: it stays registered after the first
	# enable (kmod/hooks.c), the tproxy hooks go with `enabled off`
	ip netns exec p_sluiceguard "$CTL" set mode tproxy port 12345 lan lan0 no-listener pass enabled on >/dev/null
	ip netns exec p_sluiceguard "$CTL" set enabled off >/dev/null
	for k in $EST_KINDS; do
		if [[ $k == first* ]]; then
			setups=(base nft nfttp sluice sluicecls)
			a=0
		elif [[ $k == *d ]]; then
			setups=(base nftnull nfttp nftct sluice sluiceguard)
			a=1
		else
			setups=(base nfttp nftct sluice)
			a=1
		fi
		if [[ $k == t* ]]; then
			est_tcp "$k" "${setups[@]}"
			continue
		fi
		for s in "${setups[@]}"; do
			ns_do "$s" "echo $a >/proc/sys/net/ipv4/ip_forward; echo $a >/proc/sys/net/ipv6/conf/all/forwarding"
		done
		if [[ $k == *p ]]; then
			for s in "${setups[@]}"; do
				# its "listening" line, read as it comes (no timeout: guest
				# time may jump while the binary is read from the share)
				exec {fd}< <(exec ip netns exec "p_$s" "$T/ulisten" 12345 2>>"$OUT/ulisten.err")
				read -r line pid <&"$fd" || true
				exec {fd}<&-
				[[ $line == listening ]] || fail "ulisten in p_$s did not start: $(cat "$OUT/ulisten.err")"
				NSUL[$s]=$pid
				track_pid "$pid"
			done
		fi
		# first packets (the flow's verdict), then calibration on base
		for s in "${setups[@]}"; do
			est_pg "$s" "$k" 1000
			ns_do "$s" "echo start >/proc/net/pktgen/pgctrl"
		done
		ns_do base "echo 'count 20000' >/proc/net/pktgen/lan0; echo start >/proc/net/pktgen/pgctrl"
		pps=$(ns_pps base)
		count=$(((pps * EST_MS / 1000 + 999) / 1000 * 1000))
		((count >= 5000)) || count=5000
		for s in "${setups[@]}"; do
			ns_do "$s" "echo 'count $count' >/proc/net/pktgen/lan0"
		done
		log "est: $k: calibration $pps pps, $count packets per run"
		c0=$(ip netns exec p_sluice bash -c "$(declare -f est_ctr); CTL=$CTL est_ctr")
		for ((r = 0; r < EST_ROUNDS; r++)); do
			in=
			for ((i = 0; i < ${#setups[@]}; i++)); do
				s=${setups[$(((i + r) % ${#setups[@]}))]}
				ns_do "$s" "echo start >/proc/net/pktgen/pgctrl"
				pps=$(ns_pps "$s")
				res est "$k" "$s" "$r" "$pps"
				in+=" $s=$pps"
			done
			log "est: $k round $r:$in"
		done
		c1=$(ip netns exec p_sluice bash -c "$(declare -f est_ctr); CTL=$CTL est_ctr")
		# shellcheck disable=SC2046
		res estctr "$k" $(awk -v a="$c0" -v b="$c1" 'BEGIN { n = split(a, x); split(b, y); for (i = 1; i <= n; i++) printf "%d ", y[i] - x[i] }')
		for s in "${setups[@]}"; do
			ip netns exec "p_$s" conntrack -L 2>/dev/null | grep -c . | sed "s/^/est-ct $k $s /" >>"$OUT/est-diag.txt" || true
		done
		if [[ $k == *p ]]; then
			for s in "${setups[@]}"; do
				kill "${NSUL[$s]}" 2>/dev/null || true
				# gone (its port free) before the next kind binds it again
				while [[ -e /proc/${NSUL[$s]} ]]; do read -r -t 0.01 _ <>/tmp/kbench-tick || true; done
			done
		fi
	done
	ip netns exec p_sluice "$CTL" status >"$OUT/est-sluice-status.txt" 2>&1 || true
	for s in "${all[@]}"; do
		ns_do "$s" "echo rem_device_all >/proc/net/pktgen/kpktgend_0"
		eval "exec ${NSIN[$s]}>&- ${NSOUT[$s]}<&-"
		kill "${NSPID[$s]}" 2>/dev/null || true
		wait "${NSPID[$s]}" 2>/dev/null || true
		ip netns del "p_$s"
		ip netns del "g_$s"
		rm -f "/tmp/ns-$s.in" "/tmp/ns-$s.out"
	done
}
declare -A NSUL

# the TCP kinds: tcpgen from g_SETUP instead of pktgen; the rest as above
est_tcp() { # KIND SETUP...
	local k=$1 s r i pps count src dst in c0 c1 out
	shift
	local setups=("$@")
	case $k in
	t4d) src=192.0.2.2 dst=$EST_D4 ;;
	t6d) src=fd00::2 dst=$EST_D6 ;;
	esac
	for s in "${setups[@]}"; do
		ns_do "$s" "echo 1 >/proc/sys/net/ipv4/ip_forward; echo 1 >/proc/sys/net/ipv6/conf/all/forwarding"
		# the flow's first packets (its verdict)
		ip netns exec "g_$s" "$T/tcpgen" eth0 "$MAC" "$src" "$dst" 40005 443 1000 >/dev/null ||
			fail "tcpgen in g_$s failed"
	done
	out=$(ip netns exec g_base "$T/tcpgen" eth0 "$MAC" "$src" "$dst" 40005 443 20000)
	pps=${out%% *}
	count=$(((pps * EST_MS / 1000 + 999) / 1000 * 1000))
	((count >= 5000)) || count=5000
	log "est: $k: calibration $pps pps, $count packets per run"
	c0=$(ip netns exec p_sluice bash -c "$(declare -f est_ctr); CTL=$CTL est_ctr")
	for ((r = 0; r < EST_ROUNDS; r++)); do
		in=
		for ((i = 0; i < ${#setups[@]}; i++)); do
			s=${setups[$(((i + r) % ${#setups[@]}))]}
			out=$(ip netns exec "g_$s" "$T/tcpgen" eth0 "$MAC" "$src" "$dst" 40005 443 "$count")
			pps=${out%% *}
			[[ ${out#* } == "$count" ]] || fail "tcpgen in g_$s sent ${out#* } of $count"
			res est "$k" "$s" "$r" "$pps"
			in+=" $s=$pps"
		done
		log "est: $k round $r:$in"
	done
	c1=$(ip netns exec p_sluice bash -c "$(declare -f est_ctr); CTL=$CTL est_ctr")
	# shellcheck disable=SC2046
	res estctr "$k" $(awk -v a="$c0" -v b="$c1" 'BEGIN { n = split(a, x); split(b, y); for (i = 1; i <= n; i++) printf "%d ", y[i] - x[i] }')
	for s in "${setups[@]}"; do
		{
			echo "== $k $s"
			ip netns exec "p_$s" conntrack -L -p tcp 2>/dev/null
			ip -n "p_$s" -s link show lan0
			ip -n "p_$s" -s link show wan0
		} >>"$OUT/est-diag.txt" 2>&1 || true
	done
}

# ---- reload of a 20k source -----------------------------------------------
part_reload() {
	local n=$RELOAD_SIZE k0 k1 rep t j cb eb f
	log "reload: $n prefixes"
	# memory held: create each structure from empty, Slab+Vmalloc delta
	settle
	k0=$(kmem)
	nft -f "$B/syn$n.nft"
	settle
	k1=$(kmem)
	res mem nft "$n" $((k1 - k0))
	settle
	k0=$(kmem)
	ipset restore -f "$B/syn$n.ipset"
	settle
	k1=$(kmem)
	res mem ipset "$n" $((k1 - k0))
	$CTL -q flush all || true
	settle
	k0=$(kmem)
	$CTL -q load syn "$B/syn$n.txt"
	settle
	k1=$(kmem)
	j=$($CTL status --json)
	# the namespace's totals (the per-list objects repeat the same keys)
	cb=$(jq -r '.memory.cidr_bytes' <<<"$j")
	eb=$(jq -r '.memory.entry_bytes' <<<"$j")
	res mem sluice "$n" $((k1 - k0)) "${cb:-0}" "${eb:-0}"
	echo "$j" >"$OUT/sluice-status-$n.json"
	# replace the 20k list by another 20k list and back, interleaved
	for ((rep = 0; rep < RELOAD_REPS; rep++)); do
		f=$([[ $((rep % 2)) == 0 ]] && echo b || echo a)
		t=$(ms_now)
		mark start reload sluice "$rep"
		$CTL -q load syn "$B/reload-$f.txt"
		mark stop reload sluice "$rep"
		res reload sluice "$rep" $(($(ms_now) - t))
		t=$(ms_now)
		mark start reload ipset "$rep"
		ipset restore -f "$B/reload-$f.ipset"
		ipset swap bypass_new bypass
		ipset destroy bypass_new
		mark stop reload ipset "$rep"
		res reload ipset "$rep" $(($(ms_now) - t))
		t=$(ms_now)
		mark start reload nft "$rep"
		nft -f "$B/reload-$f.nft"
		mark stop reload nft "$rep"
		res reload nft "$rep" $(($(ms_now) - t))
		log "reload: rep $rep done"
	done
	nft delete table ip bench
	ipset destroy bypass
}

# ---- new flows per second through redirection -------------------------------
part_flow() {
	local r s i b0 b1 out
	log "flow: setting up"
	ip netns add lan
	ip link add lan0 type veth peer name eth0 netns lan
	ip addr add 192.0.2.1/24 dev lan0
	ip link set lan0 up
	ip -n lan link set lo up
	ip -n lan addr add 192.0.2.2/24 dev eth0
	ip -n lan link set eth0 up
	ip -n lan route add default via 192.0.2.1
	sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lan0.rp_filter=0
	ip netns exec lan sysctl -qw net.ipv4.ip_local_port_range="10000 65001" net.ipv4.tcp_tw_reuse=1
	ip rule add fwmark 0x100/0x100 lookup 100
	ip route add local 0.0.0.0/0 dev lo table 100
	wait_for 5 bash -c 'ip link show lan0 | grep -q "state UP"' || fail "lan0 not up"
	"$T/tlisten" 12345 >"$OUT/tlisten.log" 2>&1 &
	TLPID=$!
	track_pid $TLPID
	wait_for 5 bash -c 'ss -ltn | grep -q ":12345 "' || fail "tlisten did not start"
	nft -f "$B/syn$FLOW_SIZE.nft"
	$CTL -q load syn "$B/syn$FLOW_SIZE.txt"
	# destinations: 198.18.0.1 + 0..131000, not in the set (which lies below
	# 47.0.0.0 at 20k): every flow is redirected
	# nfttp: nft tproxy ruleset with conntrack on (held by the cthold table,
	# as sluice holds it); nfttp_noct: the same without conntrack
	local fsetups=(nfttp sluice nfttp_noct) i
	for ((r = 0; r < FLOW_ROUNDS; r++)); do
		for ((i = 0; i < 3; i++)); do
			s=${fsetups[$(((i + r) % 3))]}
			[[ $s == nfttp ]] && ct_on
			if [[ $s == nfttp* ]]; then
				nft -f - <<-'EOF'
					table ip bench {
						chain pre {
							type filter hook prerouting priority -150;
							iif != "lan0" accept
							meta mark & 0xff == 0xff accept
							fib daddr type { local, broadcast, multicast } accept
							ip daddr @bypass accept
							meta l4proto { tcp, udp } tproxy to :12345 meta mark set 0x100 accept
						}
					}
				EOF
			else
				$CTL set enabled on >/dev/null
			fi
			b0=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
			mark start flow "$s" "${FLOW_PASS:-}$r"
			out=$(ip netns exec lan "$T/connflood" "$FLOW_SECS" "$FLOW_WORKERS" 198.18.0.1 131000 80)
			mark stop flow "$s" "${FLOW_PASS:-}$r" "${out#flows }"
			b1=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat)
			if [[ $s == nfttp* ]]; then nft delete chain ip bench pre; else $CTL set enabled off >/dev/null; fi
			[[ $s == nfttp ]] && ct_off
			read -r _ fl _ fa _ sec <<<"$out"
			res flow "$s" "${FLOW_PASS:-}$r" "$fl" "$fa" "$sec" $((b1 - b0))
			log "flow: round $r $s: $out busy $((b1 - b0)) jiffies"
			# diagnostics: gateway socket states, sluice counters, TCP stats
			{
				echo "== flow${FLOW_PASS:-} round $r $s: $out"
				ss -tan | awk 'NR > 1 { print $1 }' | sort | uniq -c | tr '\n' ' '
				echo
				$CTL status | sed -n '/^counters/,/^memory/p' | grep -E 'packets|redirect_tcp4|existing|no_listener|white_list_v4' | tr -s ' ' | tr '\n' ' '
				echo
				nstat -a 2>/dev/null | grep -E 'TcpExtListen|TcpRetransSegs|TcpExtTCPTimeouts|TcpExtPAWS|TcpExtTW|TcpPassiveOpens|TcpExtTCPAbort|TcpExtSyncookies' | tr -s ' ' | tr '\n' ';'
				echo
			} >>"$OUT/flow-diag.txt" 2>&1 || true
			sleep 1
		done
	done
	# one extra, profiled run per setup (not in the results): where the
	# gateway's CPU goes per flow
	if [[ -z ${FLOW_PASS:-} && ${PERF_FLOW:-0} == 1 ]] && command -v perf >/dev/null; then
		sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1 || true
		for s in nfttp sluice; do
			[[ $s == nfttp ]] && ct_on
			if [[ $s == nfttp ]]; then
				nft -f - <<-'EOF'
					table ip bench {
						chain pre {
							type filter hook prerouting priority -150;
							iif != "lan0" accept
							meta mark & 0xff == 0xff accept
							fib daddr type { local, broadcast, multicast } accept
							ip daddr @bypass accept
							meta l4proto { tcp, udp } tproxy to :12345 meta mark set 0x100 accept
						}
					}
				EOF
			else
				$CTL set enabled on >/dev/null
			fi
			timeout 120 perf record -q -a -e cpu-clock -o "$OUT/perfflow-$s.data" -- \
				ip netns exec lan "$T/connflood" 3 "$FLOW_WORKERS" 198.18.0.1 131000 80 >"$OUT/perfflow-$s.run" 2>&1 || true
			if [[ $s == nfttp ]]; then nft delete chain ip bench pre; else $CTL set enabled off >/dev/null; fi
			[[ $s == nfttp ]] && ct_off
			perf report -q -i "$OUT/perfflow-$s.data" --sort sym --stdio 2>/dev/null |
				grep -v '^$' | head -60 >"$OUT/perfflow-$s.txt" || true
			rm -f "$OUT/perfflow-$s.data"
			log "perf flow: $s done: $(cat "$OUT/perfflow-$s.run")"
			sleep 1
		done
	fi
	$CTL status >"$OUT/sluice-status-flow${FLOW_PASS:-}.txt" || true
	pkill -P "$TLPID" 2>/dev/null || true
	kill "$TLPID" 2>/dev/null || true
	nft delete table ip bench
	ip rule del fwmark 0x100/0x100 lookup 100
	ip route del local 0.0.0.0/0 dev lo table 100
	ip netns del lan
	ip link del lan0 2>/dev/null || true
	sleep 1
}
# the same again after the other parts ran (rounds named a0, a1, ...):
# checks that the flow rates do not depend on what ran before
part_flowagain() { FLOW_PASS=a part_flow; }

# ---- sluiced update latency: address event -> entry in the module ----------
# sluiced in its own namespace (a socat "client" so that it enables
# redirection), wan0 a dummy; sluice-nltest addrlat adds and deletes
# 203.0.113.K/32 on wan0 and asks the module until the white_list's `local`
# source follows.  Results: "upd add|del USEC", "upd poll USEC" (the cost of
# one lookup, the resolution), "upd inner add|del MS" (sluiced's own log:
# its receipt of the event to the module's ack).
part_update() {
	local d=$OUT/upd sd=$SLUICE_REPO/userspace/sluiced/sluiced i
	mkdir -p "$d"
	ip netns add upd
	ip -n upd link set lo up
	ip -n upd link add wan0 type dummy
	ip -n upd link add lan0 type dummy
	ip -n upd link set wan0 up
	ip -n upd link set lan0 up
	ip -n upd addr add 198.51.100.2/24 dev wan0
	ip -n upd addr add 192.0.2.1/24 dev lan0
	cat >"$d/sluiced.conf" <<-CONF
		client socat TCP-LISTEN:12345,fork,reuseaddr /dev/null
		lan lan0
		wan wan0
		mode tproxy
		port 12345
		route-table 100
		probe-interval 50ms
		server 203.0.113.250
		failure-policy open
		log-level debug
	CONF
	ip netns exec upd "$sd" -f -c "$d/sluiced.conf" >"$d/sluiced.log" 2>&1 &
	local pid=$!
	for i in $(seq 300); do
		[[ $(ip netns exec upd "$CTL" status --json 2>/dev/null | jq -r .config.enabled) == true ]] && break
		sleep 0.1
	done
	log "update: sluiced up after $i polls; $UPD_N changes"
	ip netns exec upd "$SLUICE_REPO/tests/tools/sluice-nltest" addrlat wan0 "$UPD_N" >"$d/addrlat.txt" 2>"$d/addrlat.err" ||
		log "update: addrlat failed: $(cat "$d/addrlat.err")"
	awk '{ print "upd", $1, $2 }' "$d/addrlat.txt" >>"$RES"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sed -n 's/.* local \(add\|del\) 203\.0\.113\.[0-9]*\(\/32\)\{0,1\}: event to ack \([0-9.]*\) ms.*/upd inner \1 \3/p' "$d/sluiced.log" >>"$RES"
	ip netns del upd
	log "update: done ($(grep -c '^upd add' "$RES") adds)"
}

# ---- optional profile of the sluice setup ----------------------------------
part_perf() {
	local size=$PERF_SIZE a z
	command -v perf >/dev/null || { log "perf: not installed"; return 0; }
	modprobe pktgen
	ip link add lan0 type dummy
	ip link set lan0 address 02:00:00:00:00:01 up
	MAC=02:00:00:00:00:01
	ip addr add 192.0.2.1/24 dev lan0
	read -r _ _ a z _ _ <"$B/syn$size.txt"
	$CTL -q load syn "$B/syn$size.txt"
	nft -f "$B/syn$size.nft"
	ipset restore -f "$B/syn$size.ipset"
	pg_setup "$a" "$z" 30000
	sysctl -qw kernel.kptr_restrict=0 kernel.perf_event_paranoid=-1 || true
	for s in sluice sluicecls nft ipset nfttp base; do
		setup_on "$s"
		timeout 120 perf record -q -a -e cpu-clock -o "$OUT/perf-$s.data" -- \
			sh -c 'echo start >/proc/net/pktgen/pgctrl' >/dev/null 2>&1 || true
		setup_off "$s"
		perf report -q -i "$OUT/perf-$s.data" --sort sym --stdio 2>/dev/null |
			grep -v '^$' | head -40 >"$OUT/perf-$s.txt" || true
		rm -f "$OUT/perf-$s.data"
		log "perf: $s done"
	done
	nft delete table ip bench
	ipset destroy bypass
	pg kpktgend_0 rem_device_all
	ip link del lan0
}

for p in $PARTS; do
	"part_$p"
done
log "all done"
res end
