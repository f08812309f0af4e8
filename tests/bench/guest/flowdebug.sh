#!/bin/bash
# Debug helper (not part of make bench): sluice tproxy flows, state dumps.
# timeout: 300
# shellcheck source=SCRIPTDIR/../../vm/lib.sh
. "$SLUICE_REPO/tests/vm/lib.sh"
JOB=$(sed -n 's/.*sluice_job=\([^ ]*\).*/\1/p' /proc/cmdline)
OUT=$JOB/bench; mkdir -p "$OUT"
B=$SLUICE_REPO/build/bench
T=$SLUICE_REPO/tests/bench/tools
CTL=$SLUICECTL
exec >"$OUT/debug.txt" 2>&1
set -x
load_sluice
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
sleep 1
"$T/tlisten" 12345 &
sleep 0.5
$CTL -q load syn "$B/syn1000.txt"
$CTL set mode tproxy port 12345 lan lan0 no-listener pass enabled on
ip netns exec lan "$T/connflood" 3 1 198.18.0.1 131000 80
ss -tan | awk '{print $1}' | sort | uniq -c
ip netns exec lan ss -tan | awk '{print $1}' | sort | uniq -c
$CTL status | sed -n '/counters/,/memory/p'
ip netns exec lan "$T/connflood" 3 1 203.0.113.1 250 80
$CTL status | sed -n '/counters/,/memory/p'
ss -tan | head -20
nstat -az | grep -i -E 'Tcp|Listen|Drop' | grep -v ' 0 ' | head -40
ip netns exec lan nstat -az | grep -v ' 0 ' | head -40
$CTL set enabled off
nft -f - <<'EON'
table ip bench {
	chain pre {
		type filter hook prerouting priority -150;
		iif != "lan0" accept
		meta l4proto { tcp, udp } tproxy to :12345 meta mark set 0x100 accept
	}
}
EON
ip netns exec lan "$T/connflood" 3 1 198.18.0.1 131000 80
ss -tan | awk '{print $1}' | sort | uniq -c
