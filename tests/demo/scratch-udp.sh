#!/bin/bash
# SCRATCH (to be deleted): UDP direct flow debugging
# timeout: 200
. "$SLUICE_REPO/tests/vm/lib.sh"
. "$SLUICE_REPO/tests/vm/lib-gateway.sh"
T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
step topo
gw_topology
step echo
gw_echo_servers
step "baseline no sluice"
q() { local r; r=$(peer_query lan "$@" 4) && echo "OK $* -> $r" || echo "FAILED $*"; }
q udp $WLISTED4 $ECHO_PORT
q udp $WLISTED6 $ECHO_PORT
gw_sluice tproxy
ctl add "$WLISTED4" "$WLISTED6"
step "with sluice"
dbg() {
	for ns in lan gw wan; do echo "[$ns]"; ip netns exec $ns nstat -az 'Udp*' 'Ip6InNoRoutes' 'IpInAddrErrors' 'IpOutNoRoutes' 'Ip6OutNoRoutes' 'Udp6*' 2>&1 | grep -v ' 0 ' ; done
	ip netns exec gw cat /proc/net/nf_conntrack 2>&1 | grep -i udp
	ip netns exec gw conntrack -L 2>&1 | head
}
for i in 1 2 3; do
	q udp $WLISTED4 $ECHO_PORT
	q udp $WLISTED6 $ECHO_PORT
	q tcp $WLISTED4 $ECHO_PORT
done
dbg
ctl status
in_wan ss -anu
