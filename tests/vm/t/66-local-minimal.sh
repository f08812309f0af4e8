#!/bin/bash
# Issue 16, finding 9: the gateway's own flows with `local on` in tproxy
# mode in a minimal policy-routing setup, every process in the same (root)
# cgroup, as on a router where the tunnel client was started by hand or by
# an init without cgroups: bypass mark 0x2/0x2, fwmark 0x1/0x1,
# `ip rule add fwmark 1 table 100` and only `ip route add local DEST dev lo
# table 100` for the one destination (v4 and v6), a transparent
# `socat tcp-listen:12345,fork,ip-transparent` (and a transparent UDP
# listener that answers from the original destination, as a tproxy client
# must) on the gateway.  A plain TCP/UDP client on the gateway connecting
# to DEST reaches the listener, not DEST: loop_guard stays 0 and
# redirect_tcp4/6, redirect_udp4/6 grow.  The loop guard still works for a
# non-root cgroup shared by the client and the listener: such a client
# goes direct, loop_guard grows.
# timeout: 240
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || { gw_dump; tail -n 5 tcp-listener.log udp-listener.log; }'

LPORT=12345
ROOT_CG=/sys/fs/cgroup
[[ -f $ROOT_CG/cgroup.procs ]] || fail "no cgroup v2 at $ROOT_CG"
# only the root cgroup has no cgroup.events
[[ ! -e $ROOT_CG/cgroup.events ]] || fail "$ROOT_CG is not the root of the cgroup v2 hierarchy"

# The UDP listener: transparent, learns each datagram's original
# destination and answers from it ("proxied").
cat >udp-listen.py <<'EOF'
import select, socket, struct, sys

IP_TRANSPARENT, IP_RECVORIGDSTADDR = 19, 20
IPV6_RECVORIGDSTADDR, IPV6_TRANSPARENT = 74, 75
SOL_IPV6 = socket.IPPROTO_IPV6


def sock(fam, port=None, addr=None):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    else:
        s.setsockopt(SOL_IPV6, IPV6_TRANSPARENT, 1)
        s.setsockopt(SOL_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if port is not None:
        s.bind(("0.0.0.0" if fam == socket.AF_INET else "::", port))
        if fam == socket.AF_INET:
            s.setsockopt(socket.SOL_IP, IP_RECVORIGDSTADDR, 1)
        else:
            s.setsockopt(SOL_IPV6, IPV6_RECVORIGDSTADDR, 1)
    return s


def origdst(fam, anc):
    for level, typ, data in anc:
        port, = struct.unpack("!H", data[2:4])
        if fam == socket.AF_INET and typ == IP_RECVORIGDSTADDR:
            return socket.inet_ntop(fam, data[4:8]), port
        if fam == socket.AF_INET6 and typ == IPV6_RECVORIGDSTADDR:
            return socket.inet_ntop(fam, data[8:24]), port
    return None


port = int(sys.argv[1])
socks = [sock(socket.AF_INET, port), sock(socket.AF_INET6, port)]
print("listening", flush=True)
while True:
    for s in select.select(socks, [], [])[0]:
        data, anc, _, peer = s.recvmsg(512, socket.CMSG_SPACE(64))
        dst = origdst(s.family, anc)
        r = sock(s.family)
        r.bind(dst)
        r.sendto(b"proxied\n", peer)
        r.close()
        print("udp", peer[0], "->", dst[0], dst[1], flush=True)
EOF

# in_cg DIR CMD...: run CMD (a function too) in cgroup DIR
in_cg() (
	echo "$BASHPID" >"$1/cgroup.procs" || exit 125
	shift
	"$@"
)

# The listeners, in cgroup $1: TCP is the issue's socat, which answers
# every connection with "proxied"
TCP_PIDS=() UDP_PID=
listeners_start() {
	local cg=$1
	(
		echo "$BASHPID" >"$cg/cgroup.procs" || exit 125
		exec ip netns exec gw socat -d TCP4-LISTEN:$LPORT,fork,ip-transparent,reuseaddr \
			SYSTEM:'echo proxied; read -r line' </dev/null
	) >>tcp-listener.log 2>&1 &
	TCP_PIDS=($!)
	(
		echo "$BASHPID" >"$cg/cgroup.procs" || exit 125
		exec ip netns exec gw socat -d TCP6-LISTEN:$LPORT,fork,ip-transparent,reuseaddr,ipv6only=1 \
			SYSTEM:'echo proxied; read -r line' </dev/null
	) >>tcp-listener.log 2>&1 &
	TCP_PIDS+=($!)
	(
		echo "$BASHPID" >"$cg/cgroup.procs" || exit 125
		exec ip netns exec gw python3 -u udp-listen.py "$LPORT"
	) >>udp-listener.log 2>&1 &
	UDP_PID=$!
	track_pid "${TCP_PIDS[@]}" "$UDP_PID"
	wait_for 30 _listening || fail "listeners not up: $(tail -n 3 tcp-listener.log udp-listener.log)"
}
_listening() {
	local -a l=()
	mapfile -t l < <(ip netns exec gw ss -Hlntu "sport = :$LPORT")
	((${#l[@]} >= 4))
}
# stop them (their children in the root cgroup too: the harness only
# kills what is in the test's cgroup)
listeners_stop() {
	local p
	for p in "${TCP_PIDS[@]}" "$UDP_PID"; do
		[[ -n $p ]] || continue
		pkill -P "$p" 2>/dev/null || true
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	TCP_PIDS=() UDP_PID=
	wait_for 10 _none_listening || fail "listeners still there: $(in_gw ss -Hlntu)"
}
_none_listening() { [[ -z $(ip netns exec gw ss -Hlntu "sport = :$LPORT") ]]; }
on_exit listeners_stop

# gw_expect CG PROTO DST WANT MSG: a query from the gateway, in cgroup CG
gw_expect() {
	local got
	got=$(in_cg "$1" gw_query gw "$2" "$3" "$ECHO_PORT" "$GW_QUERY_TIMEOUT") ||
		fail "$5: no reply (wanted $4)"
	assert_eq "$4" "$got" "$5"
}

step topology
topo_basic
gw_echo_servers
# shellcheck disable=SC2119 # no module parameters
load_sluice
ctl set mode tproxy port "$LPORT" port6 "$LPORT" lan lan0 wan wan0 \
	masquerade on mark 0x2/0x2 fwmark 0x1/0x1 no-listener pass enabled on local on
in_gw ip rule add fwmark 1 table 100
in_gw ip -6 rule add fwmark 1 table 100
in_gw ip route add local "$PROXIED4" dev lo table 100
in_gw ip -6 route add local "$PROXIED6" dev lo table 100

step "listeners in the root cgroup"
listeners_start "$ROOT_CG"
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		step "root cgroup: local $proto$f to $dst reaches the listener"
		settled_snap
		gw_expect "$ROOT_CG" "$proto" "$dst" proxied "root cgroup: $proto$f"
		moved local_out "redirect_$proto$f"
		still loop_guard
	done
done
assert_eq 0 "$(ctr loop_guard)" "loop_guard with every process in the root cgroup"

step "listeners and client in one child cgroup: the loop guard"
listeners_stop
gw_cgroup CG shared
listeners_start "$CG"
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		step "child cgroup: local $proto$f to $dst goes direct"
		settled_snap
		gw_expect "$CG" "$proto" "$dst" "$(gwwan_of "$dst")" "shared child cgroup: $proto$f"
		moved loop_guard
		still local_out "redirect_$proto$f"
	done
done
step "a client outside that cgroup is still proxied"
settled_snap
gw_expect "$ROOT_CG" tcp "$PROXIED4" proxied "root-cgroup client, listener in a child cgroup: tcp4"
moved redirect_tcp4
still loop_guard
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
