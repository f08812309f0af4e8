# shellcheck shell=bash
# PPPoE helpers for VM tests (source after lib.sh, after topo_basic).
#
# The gw<->wan veth becomes a bare Ethernet carrying PPPoE only (its IPv4
# addresses are removed): the wan ns runs pppoe-server (user-space PPPoE,
# one pppd per session on a pty), the gw ns runs pppd with the kernel
# PPPoE plugin and gets its address and default route over ppp0.
#
#   gw  ppp0 198.51.100.<pool>  <-- PPPoE over wan0/eth0 -->  wan pppN 198.51.100.1
#
# Everything pppd reads lives in the test's cwd, except /etc/ppp/options
# (always read) and /etc/ppp/pap-secrets, which are overwritten in the
# guest's throwaway overlay root and restored when the test exits.

PPPOE_USER=sluice
PPPOE_PASS=sluice-secret
PPPOE_LOCAL=198.51.100.1
_PPPOE_SRV_PID=

pppoe_setup() {
	local f
	modprobe ppp_generic
	modprobe ppp_async # the server's pppd runs on a pty
	modprobe pppoe
	mkdir -p /run/lock /var/run
	for f in options pap-secrets; do
		if [[ -e /etc/ppp/$f ]]; then
			cp -a "/etc/ppp/$f" "$PWD/etc-ppp-$f.orig"
			on_exit "cp -a '$PWD/etc-ppp-$f.orig' /etc/ppp/$f"
		else
			on_exit "rm -f /etc/ppp/$f"
		fi
	done
	# The host's /etc/ppp/options (auth, lock, modem, crtscts) is for a
	# serial dial-up; every option we want is given explicitly.
	echo "# sluice VM test: all options on the command line" >/etc/ppp/options
	printf '"%s" * "%s" *\n' "$PPPOE_USER" "$PPPOE_PASS" >/etc/ppp/pap-secrets
	chmod 600 /etc/ppp/pap-secrets
	# The server's pppd options (pppoe-server -O).
	cat >pppoe-server-options <<-EOF
		require-pap
		name pppoe-test-server
		lcp-echo-interval 1
		lcp-echo-failure $PPP_ECHO_FAILURE
		noipdefault
		nodefaultroute
		noccp
		novj
		ip-up-script /bin/true
		ip-down-script /bin/true
	EOF
	# Ethernet only between gw and wan: PPPoE carries the IP traffic.
	ip -n gw -4 addr flush dev wan0
	ip -n wan -4 addr flush dev eth0
}

# pppoe_server_start FIRST_REMOTE: (re)start pppoe-server in the wan ns,
# handing out FIRST_REMOTE (and up) to clients.
pppoe_server_start() {
	ip netns exec wan pppoe-server -F -I eth0 -L "$PPPOE_LOCAL" -R "$1" \
		-O "$PWD/pppoe-server-options" -N 4 >>pppoe-server.log 2>&1 &
	_PPPOE_SRV_PID=$!
	track_pid "$_PPPOE_SRV_PID"
}

# pppoe_server_stop: stop pppoe-server and every session it runs (all
# pppd/pppoe processes in the wan ns are its children).
pppoe_server_stop() {
	local pid comm
	# A session process may end between the listing and the kill (its
	# server went first): a kill that finds nobody is not an error.
	if [[ -n $_PPPOE_SRV_PID ]]; then
		kill "$_PPPOE_SRV_PID" 2>/dev/null || true
	fi
	for pid in $(ip netns pids wan); do
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
		if [[ $comm == pppd || $comm == pppoe ]]; then
			kill "$pid" 2>/dev/null || true
		fi
	done
	if [[ -n $_PPPOE_SRV_PID ]]; then
		wait "$_PPPOE_SRV_PID" 2>/dev/null || true
	fi
	_PPPOE_SRV_PID=
	return 0
}

# LCP echo: a dead peer is seen after this many unanswered 1 s echoes: 5
# on the stock kernels, scaled on a slow one (the debug kernel under load
# missed 5 echoes again and again, and its sessions dropped by
# themselves: "No response to 5 echo-requests", 2026-11-25).
PPP_ECHO_FAILURE=$((5 * ${SLUICE_VM_TIMEOUT_MULT:-1}))
# pppoe_client_start: pppd with the kernel PPPoE plugin in the gw ns, as
# ppp0, redialling at once whenever the session ends.
pppoe_client_start() {
	ip netns exec gw pppd plugin pppoe.so nic-wan0 user "$PPPOE_USER" \
		ifname ppp0 nodetach noauth persist maxfail 0 holdoff 0 \
		noipdefault defaultroute lcp-echo-interval 1 lcp-echo-failure "$PPP_ECHO_FAILURE" \
		pppoe-padi-timeout 1 pppoe-padi-attempts 10 \
		noccp novj ip-up-script /bin/true ip-down-script /bin/true \
		>>pppd.log 2>&1 &
	PPPD_PID=$!
	track_pid "$PPPD_PID"
}

# ppp_addr NS IF: the IPv4 local address of a point-to-point link, or nothing.
ppp_addr() {
	local out
	out=$(ip -n "$1" -4 -o addr show dev "$2" 2>/dev/null) || return 0
	[[ $out =~ \ inet\ ([0-9.]+)\ peer\  ]] && echo "${BASH_REMATCH[1]}"
	return 0
}

pppoe_logs() {
	echo "--- pppd.log"
	cat pppd.log 2>/dev/null
	echo "--- pppoe-server.log"
	cat pppoe-server.log 2>/dev/null
}
