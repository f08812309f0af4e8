#!/bin/bash
# The hooks of issue 7/9 against real traffic, both modes: the gateway's own
# TCP/UDP (`local on`) reaches the tunnel client's listener unless the
# destination is white-listed or the sender shares the listener's cgroup
# (loop guard); LAN DNS (UDP and TCP, v4 and v6) and, with dns-local, the
# gateway's own DNS reach the local DNS port; `quic reject` answers LAN UDP
# to port 443 with ICMP port unreachable, `quic pass` redirects it.
# The tunnel client is a small transparent listener (python3) that answers
# every TCP connection and UDP datagram with "proxied", UDP from the
# original destination as a tproxy client must.
# timeout: 600
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || gw_dump'

LDNS=5353 # the local DNS port (`dns LDNS`)
QUIC=443

# ---- the tunnel client: transparent TCP+UDP listener on GW_PORT/GW_PORT6
cat >tlisten.py <<'EOF'
import select, socket, struct, sys

IP_TRANSPARENT, IP_RECVORIGDSTADDR = 19, 20
IPV6_RECVORIGDSTADDR, IPV6_TRANSPARENT = 74, 75
SOL_IPV6 = socket.IPPROTO_IPV6


def transparent(s, fam):
    if fam == socket.AF_INET:
        s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    else:
        s.setsockopt(SOL_IPV6, IPV6_TRANSPARENT, 1)
        s.setsockopt(SOL_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)


def listener(fam, typ, port):
    s = socket.socket(fam, typ)
    transparent(s, fam)
    s.bind(("0.0.0.0" if fam == socket.AF_INET else "::", port))
    if typ == socket.SOCK_STREAM:
        s.listen(64)
    elif fam == socket.AF_INET:
        s.setsockopt(socket.SOL_IP, IP_RECVORIGDSTADDR, 1)
    else:
        s.setsockopt(SOL_IPV6, IPV6_RECVORIGDSTADDR, 1)
    return s


def origdst(fam, anc):
    for level, typ, data in anc:
        if fam == socket.AF_INET and typ == IP_RECVORIGDSTADDR:
            port, = struct.unpack("!H", data[2:4])
            return socket.inet_ntop(fam, data[4:8]), port
        if fam == socket.AF_INET6 and typ == IPV6_RECVORIGDSTADDR:
            port, = struct.unpack("!H", data[2:4])
            return socket.inet_ntop(fam, data[8:24]), port
    return None


p4, p6 = int(sys.argv[1]), int(sys.argv[2])
socks = [listener(f, t, p) for f, p in ((socket.AF_INET, p4), (socket.AF_INET6, p6))
         for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM)]
print("listening", flush=True)
while True:
    for s in select.select(socks, [], [])[0]:
        try:
            if s.type == socket.SOCK_STREAM:
                c, peer = s.accept()
                c.settimeout(10)
                dst = c.getsockname()
                c.recv(512)
                c.sendall(b"proxied\n")
                c.close()
                print("tcp", peer[0], "->", dst[0], dst[1], flush=True)
            else:
                data, anc, _, peer = s.recvmsg(512, socket.CMSG_SPACE(64))
                dst = origdst(s.family, anc)
                # answer from the original destination, as v2ray does
                r = socket.socket(s.family, socket.SOCK_DGRAM)
                transparent(r, s.family)
                r.bind(dst[:2])
                r.sendto(b"proxied\n", peer[:2] if s.family == socket.AF_INET else peer)
                r.close()
                print("udp", peer[0], "->", dst[0], dst[1], flush=True)
        except OSError as e:
            print("error", e, flush=True)
EOF

# The cgroup v2 of this test, and one inside it for the tunnel client.
CG=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
[[ -d $CG ]] || fail "no cgroup v2 for the test at $CG"
CLIENT_CG=$CG/tunnel-client
# the DNS servers, in a cgroup of their own too: the loop guard compares the
# sender's cgroup with the DNS listener's
DNS_CG=$CG/dns-server
mkdir "$CLIENT_CG" "$DNS_CG"
LISTENER_PID=
stop_listener() {
	[[ -n $LISTENER_PID ]] && kill "$LISTENER_PID" 2>/dev/null
	wait "$LISTENER_PID" 2>/dev/null
	LISTENER_PID=
}
_cg_empty() { grep -q '^populated 0' "$1/cgroup.events"; }
_cg_remove() {
	echo 1 >"$1/cgroup.kill"
	wait_for 10 _cg_empty "$1"
	rmdir "$1"
}
# shellcheck disable=SC2016 # expanded when it runs
on_exit 'stop_listener; _cg_remove "$CLIENT_CG"; _cg_remove "$DNS_CG"'

# in_client_cg / in_dns_cg CMD...: run CMD in the tunnel client's / the DNS
# server's cgroup
in_client_cg() (
	echo "$BASHPID" >"$CLIENT_CG/cgroup.procs"
	"$@"
)
in_dns_cg() (
	echo "$BASHPID" >"$DNS_CG/cgroup.procs"
	"$@"
)

step topology
topo_basic
gw_policy_routing
gw_echo_servers
load_sluice
step "sluice and the listener"
ctl set mode tproxy port "$GW_PORT" port6 "$GW_PORT6" lan lan0 wan wan0 \
	masquerade on mark 0xff/0xff no-listener pass enabled on local on
ctl add "$WLISTED4" "$WLISTED6"

(
	echo "$BASHPID" >"$CLIENT_CG/cgroup.procs"
	exec ip netns exec gw python3 -u tlisten.py "$GW_PORT" "$GW_PORT6"
) >tlisten.log 2>&1 &
LISTENER_PID=$!
_listener_up() {
	_gw_listening gw tcp "$GW_PORT" && _gw_listening gw tcp "$GW_PORT6" &&
		_gw_listening gw udp "$GW_PORT" && _gw_listening gw udp "$GW_PORT6"
}
wait_for 60 _listener_up || fail "listener not up: $(cat tlisten.log)"

# gw_expect NS PROTO DST PORT WANT MSG
gw_expect() {
	local got
	got=$(gw_query "$1" "$2" "$3" "$4" "$GW_QUERY_TIMEOUT") ||
		fail "$6: no reply (wanted $5); listener log: $(tail -n 3 tlisten.log)"
	assert_eq "$5" "$got" "$6"
}
# expect_refused NS PROTO DST PORT MSG [REGEX]: socat must fail with the ICMP
# error (the gateway's own socket: the send itself fails, EPERM, as with
# iptables REJECT in OUTPUT; the ICMP error arrives after that)
expect_refused() {
	local out fam=4 a=$3
	if [[ $3 == *:* ]]; then
		fam=6
		a="[$3]"
	fi
	if out=$(echo query | ip netns exec "$1" socat -t 5 -T 5 - "UDP$fam:$a:$4" 2>&1); then
		fail "$5: socat succeeded: $out"
	fi
	assert_match "${6:-Connection refused}" "$out" "$5"
}
# no_reply NS PROTO DST PORT MSG: no answer.  socat runs to its end (not a
# read with a timeout): under load the query may leave late, and the
# counters are read right after.
no_reply() {
	local out
	out=$(echo query | ip netns exec "$1" socat -t 3 -T 3 - \
		"$(_lib_socat_addr "$2" "$3" "$4" connect)" 2>/dev/null) || true
	[[ -z $out ]] || fail "$5: unexpected reply '$out'"
}

# ==== tproxy mode =====================================================
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		step "tproxy local: $proto$f to a proxied address reaches the listener"
		settled_snap
		gw_expect gw "$proto" "$dst" "$ECHO_PORT" proxied "local $proto$f"
		moved local_out "redirect_$proto$f"
		still loop_guard no_listener_pass "white_list_v$f"
	done
	for dst in "$WLISTED4" "$WLISTED6"; do
		f=$(fam "$dst")
		step "tproxy local: $proto$f to a white-listed address goes direct"
		settled_snap
		gw_expect gw "$proto" "$dst" "$ECHO_PORT" "$(gwwan_of "$dst")" "local white $proto$f"
		moved "white_list_v$f"
		still local_out "redirect_$proto$f"
	done
done

for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		step "tproxy loop guard: $proto$f from the listener's cgroup goes direct"
		settled_snap
		got=$(in_client_cg gw_query gw "$proto" "$dst" "$ECHO_PORT" "$GW_QUERY_TIMEOUT") ||
			fail "loop guard $proto$f: no reply"
		assert_eq "$(gwwan_of "$dst")" "$got" "loop guard $proto$f: peer seen"
		moved loop_guard
		still local_out "redirect_$proto$f"
	done
done

step "tproxy LAN flows still redirected"
settled_snap
gw_expect lan tcp "$PROXIED4" "$ECHO_PORT" proxied "lan tcp4"
gw_expect lan udp "$PROXIED6" "$ECHO_PORT" proxied "lan udp6"
moved redirect_tcp4 redirect_udp6
still local_out loop_guard

# ---- DNS: servers bound to the addresses NAT REDIRECT picks, so that UDP
# answers leave from the address the query was sent to (peer_server answers
# with the peer address it saw).  Nothing in wan answers port 53: a reply
# proves the redirect.
dns_tests() {
	local mode=$1 proto dst f
	for proto in udp tcp; do
		for dst in "$PROXIED4" "$PROXIED6"; do
			f=$(fam "$dst")
			step "$mode: LAN DNS $proto$f to $dst reaches port $LDNS"
			settled_snap
			if [[ $f == 4 ]]; then want=$LAN_HOST4; else want=$LAN_HOST6; fi
			gw_expect lan "$proto" "$dst" 53 "$want" "$mode lan dns $proto$f"
			moved "dns$f"
			still "redirect_${proto}4" "redirect_${proto}6"
		done
	done
	ctl set dns-local off
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		step "$mode: the gateway's DNS stays direct with dns-local off ($f)"
		settled_snap
		no_reply gw udp "$dst" 53 "$mode local dns, dns-local off, $f"
		moved local_dns
		still "dns$f" local_out
	done
	ctl set dns-local on
	for proto in udp tcp; do
		for dst in "$PROXIED4" "$PROXIED6"; do
			f=$(fam "$dst")
			step "$mode: the gateway's DNS $proto$f reaches port $LDNS with dns-local on"
			settled_snap
			gw_expect gw "$proto" "$dst" 53 "$(gwwan_of "$dst")" "$mode local dns $proto$f"
			moved "dns$f" local_out
			still local_dns
		done
	done
	# a DNS server asking upstream must not be sent to itself
	step "$mode: DNS loop guard: a query from the DNS server's cgroup goes direct"
	settled_snap
	in_dns_cg no_reply gw udp "$PROXIED6" 53 "$mode dns loop guard"
	moved loop_guard
	still dns6 local_out
	ctl set dns-local off
}

step "DNS servers"
(
	echo "$BASHPID" >"$DNS_CG/cgroup.procs"
	for a in "$GW_LAN4" "$GW_LAN6" 127.0.0.1 ::1; do
		peer_server gw udp "$a" "$LDNS"
		peer_server gw tcp "$a" "$LDNS"
	done
)
step "no dns: LAN DNS is proxied as any other flow"
settled_snap
gw_expect lan udp "$PROXIED4" 53 proxied "dns off"
moved redirect_udp4
still dns4
ctl set dns "$LDNS"
dns_tests tproxy

# ---- QUIC
quic_tests() {
	local mode=$1 dst f
	ctl set quic reject
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		step "$mode: quic reject: LAN UDP$f to port $QUIC is refused"
		settled_snap
		expect_refused lan udp "$dst" "$QUIC" "$mode quic reject lan $f"
		moved quic_reject
		still "redirect_udp$f"
	done
	step "$mode: quic reject: the gateway's own UDP to port $QUIC is refused"
	settled_snap
	expect_refused gw udp "$PROXIED4" "$QUIC" "$mode quic reject local" \
		'Connection refused|Operation not permitted'
	moved quic_reject
	step "$mode: quic reject leaves white-listed destinations alone"
	settled_snap
	no_reply lan udp "$WLISTED4" "$QUIC" "$mode quic white-listed"
	still quic_reject
	ctl set quic pass
}
quic_tests tproxy
for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst")
	step "tproxy: quic pass: LAN UDP$f to port $QUIC is redirected"
	settled_snap
	gw_expect lan udp "$dst" "$QUIC" proxied "quic pass $f"
	moved "redirect_udp$f"
	still quic_reject
done

# ==== redirect mode ===================================================
step "switch to redirect mode"
ctl set mode redirect
for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst")
	step "redirect local: tcp$f to a proxied address reaches the listener"
	settled_snap
	gw_expect gw tcp "$dst" "$ECHO_PORT" proxied "redirect local tcp$f"
	moved local_out "redirect_tcp$f"
	step "redirect local: tcp$f white-listed goes direct"
	settled_snap
	w=$WLISTED4
	[[ $f == 6 ]] && w=$WLISTED6
	gw_expect gw tcp "$w" "$ECHO_PORT" "$(gwwan_of "$dst")" "redirect local white tcp$f"
	moved "white_list_v$f"
	still local_out
	step "redirect loop guard: tcp$f from the listener's cgroup goes direct"
	settled_snap
	got=$(in_client_cg gw_query gw tcp "$dst" "$ECHO_PORT" "$GW_QUERY_TIMEOUT") ||
		fail "redirect loop guard tcp$f: no reply"
	assert_eq "$(gwwan_of "$dst")" "$got" "redirect loop guard tcp$f: peer seen"
	moved loop_guard
	still local_out "redirect_tcp$f"
	step "redirect local: udp$f is not redirected"
	settled_snap
	gw_expect gw udp "$dst" "$ECHO_PORT" "$(gwwan_of "$dst")" "redirect local udp$f"
	moved udp_redirect_mode
	still local_out
done
dns_tests redirect
quic_tests redirect

step "local off: the gateway's own flows go direct"
ctl set local off
settled_snap
gw_expect gw tcp "$PROXIED4" "$ECHO_PORT" "$GW_WAN4" "local off tcp4"
still local_out redirect_tcp4 loop_guard
ctl set mode tproxy
settled_snap
gw_expect gw udp "$PROXIED6" "$ECHO_PORT" "$GW_WAN6" "local off tproxy udp6"
still local_out redirect_udp6 loop_guard
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
