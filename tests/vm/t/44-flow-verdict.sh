#!/bin/bash
# The per-flow verdict (issue 16), tproxy mode, with a real v2ray client on
# the gateway and a real v2ray server (topology: tests/vm/lib-gateway.sh),
# IPv4 and IPv6.  An nft counter in the wan namespace counts every packet
# that reaches the Internet host straight from the gateway (iif eth0, to a
# proxied host on the test's port); the tunnel reaches it through the
# v2ray server (iif svr0), so for a proxied flow that count must be 0.
#   a. A proxied flow whose conntrack entry is deleted (conntrack -D) or
#      flushed (conntrack -F) while the far end answers late: the client's
#      transparent socket sends first and starts a new entry on the
#      gateway (counter flow_adopted); early demux off (see there).  UDP:
#      later datagrams still go through the tunnel, none leaves direct.
#      TCP: the server pushes first after the flush; the LAN host's
#      segments still go through the tunnel, none direct.
#   b. A proxied TCP flow whose client is SIGKILLed (its sockets on the
#      gateway gone, the LAN host never told): the LAN host's later
#      segments are dropped (counter flow_drop), none leaves by the wan,
#      with no-listener pass and with no-listener drop.
#   c. A direct UDP flow keeps its path when its destination leaves the
#      white_list; `sluicectl flush-flows DEST` makes its next datagram
#      (after at most one lost) go through the tunnel.  A direct TCP flow
#      survives white_list changes.
#   d. The verdict in `conntrack -L` (mark=268435456 direct, 536870912
#      proxied); `set ct-mask` with one bit refused, config unchanged;
#      rmmod/insmod keeps a live direct flow direct although its
#      destination is no longer white-listed (with a firewall that
#      masquerades too: see there).
#   e. A 10-datagram direct UDP flow moves white_list_v4/v6 by exactly 1
#      and `packets` by less than 10: the decision is made once, later
#      packets are not even counted.
# timeout: 420
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || { gw_dump; echo "--- peer server"; tail -n 20 srv.out; in_gw conntrack -L 2>&1 | tail -n 20; }'

FT_PORT=7002
# a destination of its own for part c (flush-flows by prefix counts it alone)
C4=203.0.113.40 C6=2001:db8:3::40
MARK_DIRECT=268435456 MARK_PROXY=536870912

# ---- the peer (in wan) and the LAN client, both small python programs
cat >ft.py <<'EOF'
import os, select, signal, socket, sys, threading


def fam(a):
    return socket.AF_INET6 if ":" in a else socket.AF_INET


def say(*a):
    print(*a, flush=True)


def serve(port, addrs):
    # UDP: "N" is answered at once with "PEER N"; "h N" is held until
    # SIGUSR1 (a far end that answers late).  TCP: each line "N" is
    # answered with "PEER N"; SIGUSR1 pushes "push PEER" on every open
    # connection (a server that speaks first).
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    signal.set_wakeup_fd(w)
    signal.signal(signal.SIGUSR1, lambda *a: None)
    udp, lst, conns, held = [], [], {}, []
    for a in addrs:
        u = socket.socket(fam(a), socket.SOCK_DGRAM)
        u.bind((a, port))
        udp.append(u)
        t = socket.socket(fam(a), socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((a, port))
        t.listen(16)
        lst.append(t)
    say("listening")
    while True:
        for s in select.select([r] + udp + lst + list(conns), [], [])[0]:
            if s is r:
                os.read(r, 64)
                for u, peer, n in held:
                    u.sendto(("%s %s\n" % (peer[0], n)).encode(), peer)
                say("released", len(held))
                held = []
                for c, st in conns.items():
                    try:
                        c.sendall(("push %s\n" % st[0]).encode())
                    except OSError as e:
                        say("push error", e)
                say("pushed", len(conns))
            elif s in udp:
                data, peer = s.recvfrom(512)
                line = data.decode(errors="replace").split("\n")[0]
                if line.startswith("h "):
                    held.append((s, peer, line[2:]))
                    say("held", peer[0], line[2:])
                else:
                    s.sendto(("%s %s\n" % (peer[0], line)).encode(), peer)
                    say("udp", peer[0], line)
            elif s in lst:
                c, peer = s.accept()
                conns[c] = [peer[0], b""]
                say("tcp", peer[0])
            else:
                try:
                    d = s.recv(512)
                except OSError:
                    d = b""
                if not d:
                    del conns[s]
                    s.close()
                    continue
                st = conns[s]
                st[1] += d
                while b"\n" in st[1]:
                    line, st[1] = st[1].split(b"\n", 1)
                    try:
                        s.sendall(("%s %s\n" % (st[0], line.decode())).encode())
                    except OSError as e:
                        say("send error", e)


def client(proto, dst, port):
    # one socket (one flow); every line on stdin is sent; every line
    # received is printed as "recv LINE"
    s = socket.socket(fam(dst), socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.connect((dst, port))
    say("sport", s.getsockname()[1])

    def rx():
        buf = b""
        while True:
            try:
                d = s.recv(512)
            except OSError as e:
                say("err", e.errno)
                if proto == "tcp":
                    return
                continue
            if proto == "udp":
                say("recv", d.decode(errors="replace").split("\n")[0])
                continue
            if not d:
                say("closed")
                return
            buf += d
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                say("recv", line.decode(errors="replace"))

    threading.Thread(target=rx, daemon=True).start()
    buf = b""
    while True:
        d = os.read(0, 512)
        if not d:
            break
        buf += d
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            try:
                s.send(line + b"\n")
            except OSError as e:
                say("senderr", e.errno)
    os._exit(0)


if sys.argv[1] == "serve":
    serve(int(sys.argv[2]), sys.argv[3:])
else:
    client(sys.argv[2], sys.argv[3], int(sys.argv[4]))
EOF

# has_line FILE LINE / has_prefix FILE PREFIX (bash only: no process per poll)
has_line() {
	local l
	local -a ls=()
	mapfile -t ls <"$1"
	for l in "${ls[@]}"; do [[ $l == "$2" ]] && return 0; done
	return 1
}
has_prefix() {
	local l
	local -a ls=()
	mapfile -t ls <"$1"
	for l in "${ls[@]}"; do [[ $l == "$2"* ]] && return 0; done
	return 1
}

SRV_PID=
start_server() {
	ip netns exec wan python3 -u ft.py serve "$FT_PORT" "$PROXIED4" "$PROXIED6" "$WLISTED4" "$WLISTED6" \
		"$C4" "$C6" >srv.out 2>&1 </dev/null &
	SRV_PID=$!
	track_pid "$SRV_PID"
	wait_for 30 has_line srv.out listening || fail "peer server not up: $(cat srv.out)"
}

# cli_open NAME PROTO DST: a LAN client with one socket to DST:FT_PORT;
# cli_send NAME LINE; cli_close NAME
declare -A CLI_FD=() CLI_PID=()
cli_open() {
	local n=$1 fd
	rm -f "$n.in" "$n.out"
	mkfifo "$n.in"
	ip netns exec "${CLI_NS:-lan}" python3 -u ft.py client "$2" "$3" "$FT_PORT" <"$n.in" >"$n.out" 2>&1 &
	CLI_PID[$n]=$!
	track_pid $!
	exec {fd}>"$n.in"
	CLI_FD[$n]=$fd
	wait_for 30 has_prefix "$n.out" "sport " || fail "client $n ($2 to $3) did not start: $(cat "$n.out")"
}
cli_send() { echo "$2" >&"${CLI_FD[$1]}"; }
cli_close() {
	local fd=${CLI_FD[$1]}
	exec {fd}>&-
	kill "${CLI_PID[$1]}" 2>/dev/null || true
	wait "${CLI_PID[$1]}" 2>/dev/null || true
}
# _cli_reply NAME N: set REPLY_PEER to the peer of the answer to line N
_cli_reply() {
	local l
	local -a ls=()
	mapfile -t ls <"$1.out"
	for l in "${ls[@]}"; do
		if [[ $l == "recv "*" $2" ]]; then
			REPLY_PEER=${l#recv }
			REPLY_PEER=${REPLY_PEER% "$2"}
			return 0
		fi
	done
	return 1
}
# cli_ask NAME N [TMO]: send line N, wait for its answer; REPLY_PEER
cli_ask() {
	REPLY_PEER=
	cli_send "$1" "$2"
	wait_for "${3:-$GW_QUERY_TIMEOUT}" _cli_reply "$1" "$2" 2>/dev/null
}
# expect_ask NAME N WANT MSG
expect_ask() {
	cli_ask "$1" "$2" || fail "$4: no answer to $2 (wanted peer $3); client: $(tail -n 5 "$1.out" | tr '\n' ';')"
	assert_eq "$3" "$REPLY_PEER" "$4: peer address seen by the Internet host"
}

# ---- the leak counter: packets that reach a proxied host from the gateway
leak_counters() {
	in_wan nft -f - <<-EOF
		table inet leak {
			counter u4 {}
			counter u6 {}
			counter t4 {}
			counter t6 {}
			chain pre {
				type filter hook prerouting priority -300; policy accept;
				iifname "eth0" ip daddr { $PROXIED4, $C4 } udp dport $FT_PORT counter name u4
				iifname "eth0" ip6 daddr { $PROXIED6, $C6 } udp dport $FT_PORT counter name u6
				iifname "eth0" ip daddr $PROXIED4 tcp dport $FT_PORT counter name t4
				iifname "eth0" ip6 daddr $PROXIED6 tcp dport $FT_PORT counter name t6
			}
		}
	EOF
}
# leaked NAME: packets counted so far
leaked() {
	local out
	out=$(in_wan nft list counter inet leak "$1")
	[[ $out =~ packets\ ([0-9]+) ]] || fail "nft counter $1: $out"
	echo "${BASH_REMATCH[1]}"
}

# ct_del FAM PROTO SRC DST: conntrack -D of exactly that flow's entry
ct_del() {
	local out
	out=$(in_gw conntrack -D -f "$1" -p "$2" -s "$3" -d "$4" --dport "$FT_PORT" 2>&1) ||
		fail "conntrack -D $*: $out"
	[[ $out == *"1 flow entries have been deleted"* ]] || fail "conntrack -D $*: $out"
}
# ct_mark PROTO SRC DST: the mark of the one entry from SRC to DST
ct_mark() {
	local out
	out=$(in_gw conntrack -L -p "$1" -s "$2" -d "$3" 2>/dev/null)
	[[ $out =~ mark=([0-9]+) ]] || fail "conntrack -L -p $1 -s $2 -d $3: no mark: $out"
	echo "${BASH_REMATCH[1]}"
}
ipfam() { if [[ $1 == *:* ]]; then echo ipv6; else echo ipv4; fi; }
lan_of() { if [[ $1 == *:* ]]; then echo "$LAN_HOST6"; else echo "$LAN_HOST4"; fi; }

step topology
gw_topology
ip -n wan addr add "$C4/32" dev inet0
ip -n wan addr add "$C6/128" dev inet0 nodad
leak_counters
start_server
gw_sluice tproxy
step "v2ray server and client"
v2ray_server
v2ray_client tproxy
ctl add "$WLISTED4" "$WLISTED6"

# ==== d. the verdict in conntrack, ct-mask ==================================
step "d: ct-mask with one bit is refused, config unchanged"
assert_match '"ct_mask": *805306368' "$(ctl status --json)" "default ct_mask"
if out=$(ctl set ct-mask 0x10000000 2>&1); then fail "set ct-mask 0x10000000 accepted: $out"; fi
assert_match 'exactly two' "$out" "set ct-mask with one bit: error"
assert_match '"ct_mask": *805306368' "$(ctl status --json)" "ct_mask after the refused set"

# ==== e. a direct flow is decided once ======================================
for dst in "$WLISTED4" "$WLISTED6"; do
	f=$(fam "$dst")
	step "e: 10 datagrams of one direct UDP flow to $dst"
	cli_open "e$f" udp "$dst"
	settled_snap
	for i in 1 2 3 4 5 6 7 8 9 10; do
		expect_ask "e$f" $i "$(gwwan_of "$dst")" "e: direct udp$f"
	done
	assert_delta 1 "white_list_v$f" "e: 10 datagrams of a direct flow"
	still redirect_udp4 redirect_udp6 existing no_listener_pass flow_drop flow_adopted
	# the later 19 packets (datagrams and answers) are not even counted:
	# the verdict test is all they cost (what else moves `packets` here is
	# the first datagram and IPv6 neighbour discovery)
	_gw_delta packets
	((DELTA < 10)) || fail "e: packets counter moved by $DELTA for a 20-packet direct flow (later packets counted)"
	assert_eq "$MARK_DIRECT" "$(ct_mark udp "$(lan_of "$dst")" "$dst")" "d: ct mark of a direct flow"
	cli_close "e$f"
done

# ==== a. a proxied flow whose entry vanished, the far end answering late ====
# Without early demux (routers often switch it off: it costs forwarding
# performance), nothing but sluice sends the LAN host's packets of such a
# flow to the client's socket: with it, the stack delivers them to a
# connected socket of the flow by itself (UDP: the client's reply socket,
# TCP: the accepted one), and a data path that let them out would not be
# seen here.
in_gw sysctl -qw net.ipv4.ip_early_demux=0
u4=$(leaked u4) u6=$(leaked u6) t4=$(leaked t4) t6=$(leaked t6)
for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst") lan=$(lan_of "$dst") svr=$(svr_of "$dst")
	how=-D
	[[ $f == 6 ]] && how=-F
	step "a: UDP$f to $dst: conntrack $how while the far end holds the answer"
	cli_open "a$f" udp "$dst"
	snap
	expect_ask "a$f" 1 "$svr" "a: udp$f before"
	assert_eq "$MARK_PROXY" "$(ct_mark udp "$lan" "$dst")" "d: ct mark of a proxied flow"
	cli_send "a$f" "h 2"
	wait_for 15 has_line srv.out "held $svr 2" || fail "a: udp$f: the held datagram did not arrive: $(tail -n 3 srv.out)"
	if [[ $how == -D ]]; then
		ct_del "$(ipfam "$dst")" udp "$lan" "$dst"
	else
		in_gw conntrack -F 2>/dev/null || fail "conntrack -F failed"
	fi
	kill -USR1 "$SRV_PID"
	wait_for 15 _cli_reply "a$f" 2 || fail "a: udp$f: the late answer did not come: $(tail -n 5 "a$f".out | tr '\n' ';')"
	assert_eq "$svr" "$REPLY_PEER" "a: udp$f late answer"
	moved flow_adopted
	# the new entry starts on the gateway: original direction from dst
	assert_eq "$MARK_PROXY" "$(ct_mark udp "$dst" "$lan")" "a: ct mark of the adopted entry"
	lost=0
	for i in 3 4 5 6 7 8; do
		if cli_ask "a$f" $i 5; then
			assert_eq "$svr" "$REPLY_PEER" "a: udp$f datagram $i after conntrack $how"
		else
			lost=$((lost + 1))
			echo "a: udp$f datagram $i lost"
		fi
	done
	((lost <= 1)) || fail "a: udp$f: $lost of 6 datagrams lost after conntrack $how (at most 1)"
	cli_close "a$f"
done
assert_eq "$u4" "$(leaked u4)" "a: UDP v4 packets that left by the wan to the proxied host"
assert_eq "$u6" "$(leaked u6)" "a: UDP v6 packets that left by the wan to the proxied host"

for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst") lan=$(lan_of "$dst") svr=$(svr_of "$dst")
	how=-F
	[[ $f == 6 ]] && how=-D
	step "a: TCP$f to $dst: conntrack $how, then the server pushes first"
	cli_open "at$f" tcp "$dst"
	snap
	expect_ask "at$f" 1 "$svr" "a: tcp$f before"
	if [[ $how == -D ]]; then
		ct_del "$(ipfam "$dst")" tcp "$lan" "$dst"
	else
		in_gw conntrack -F 2>/dev/null || fail "conntrack -F failed"
	fi
	kill -USR1 "$SRV_PID"
	wait_for 15 has_line "at$f".out "recv push $svr" || fail "a: tcp$f: the push did not come: $(tail -n 5 "at$f".out | tr '\n' ';')"
	moved flow_adopted
	expect_ask "at$f" 2 "$svr" "a: tcp$f after conntrack $how"
	expect_ask "at$f" 3 "$svr" "a: tcp$f after conntrack $how"
	cli_close "at$f"
done
assert_eq "$t4" "$(leaked t4)" "a: TCP v4 packets that left by the wan to the proxied host"
assert_eq "$t6" "$(leaked t6)" "a: TCP v6 packets that left by the wan to the proxied host"
in_gw sysctl -qw net.ipv4.ip_early_demux=1

# ==== b. orphaned segments of a proxied TCP flow ============================
# The LAN host must not learn that the flow ended: while the client is
# killed and its sockets on the gateway destroyed, the LAN host drops what
# the gateway sends it for the flow (FIN, RST).
for policy in pass drop; do
	step "b: no-listener $policy: proxied TCP flows, client SIGKILLed"
	ctl set no-listener "$policy"
	[[ -n $V2RAY_CLIENT_PID ]] || v2ray_client tproxy
	cli_open b4 tcp "$PROXIED4"
	cli_open b6 tcp "$PROXIED6"
	expect_ask b4 1 "$SVR4" "b: tcp4 before"
	expect_ask b6 1 "$SVR6" "b: tcp6 before"
	in_lan nft -f - <<-EOF
		table inet blk {
			chain in {
				type filter hook input priority 0; policy accept;
				ip saddr $PROXIED4 tcp sport $FT_PORT drop
				ip6 saddr $PROXIED6 tcp sport $FT_PORT drop
			}
		}
	EOF
	kill -KILL "$V2RAY_CLIENT_PID"
	wait "$V2RAY_CLIENT_PID" 2>/dev/null || true
	V2RAY_CLIENT_PID=
	in_gw ss -K -tan "( dst $LAN_HOST4 or dst [$LAN_HOST6] )" >/dev/null
	[[ -z $(in_gw ss -Htan "( dst $LAN_HOST4 or dst [$LAN_HOST6] )") ]] ||
		fail "b: sockets of the flows left on the gateway: $(in_gw ss -Htan)"
	in_lan nft delete table inet blk
	u4=$(leaked t4) u6=$(leaked t6)
	snap
	cli_send b4 2
	cli_send b6 2
	# the LAN hosts retransmit; each segment must be dropped on the gateway
	_drops_ge() {
		_GW_NOW_OK=0
		_gw_delta flow_drop
		((DELTA >= $1))
	}
	wait_for 30 _drops_ge 6 || fail "b ($policy): flow_drop moved by $DELTA only (want >= 6: 3 segments per flow)"
	assert_eq "$u4" "$(leaked t4)" "b ($policy): TCP v4 segments of the orphaned flow that left by the wan"
	assert_eq "$u6" "$(leaked t6)" "b ($policy): TCP v6 segments of the orphaned flow that left by the wan"
	still no_listener_pass no_listener_drop redirect_tcp4 redirect_tcp6
	! _cli_reply b4 2 || fail "b ($policy): tcp4 answered without a client (peer $REPLY_PEER)"
	! _cli_reply b6 2 || fail "b ($policy): tcp6 answered without a client (peer $REPLY_PEER)"
	cli_close b4
	cli_close b6
done
ctl set no-listener pass
v2ray_client tproxy

# ==== c. a direct flow keeps its path; flush-flows =========================
for dst in "$C4" "$C6"; do
	f=$(fam "$dst") wan=$(gwwan_of "$dst") svr=$(svr_of "$dst")
	step "c: direct UDP$f and TCP$f flows to $dst, which leaves the white_list"
	ctl add "$dst" source runtime
	cli_open "c$f" udp "$dst"
	cli_open "ct$f" tcp "$dst"
	expect_ask "c$f" 1 "$wan" "c: udp$f white-listed"
	expect_ask "ct$f" 1 "$wan" "c: tcp$f white-listed"
	assert_eq "$MARK_DIRECT" "$(ct_mark udp "$(lan_of "$dst")" "$dst")" "c: ct mark of the direct UDP flow"
	ctl del "$dst" source runtime
	assert_match '^proxy' "$(ctl test "$dst" dport "$FT_PORT")" "c: $dst no longer white-listed"
	snap
	expect_ask "c$f" 2 "$wan" "c: udp$f after it left the white_list"
	expect_ask "c$f" 3 "$wan" "c: udp$f after it left the white_list"
	expect_ask "ct$f" 2 "$wan" "c: tcp$f after it left the white_list"
	still stale_nat "redirect_udp$f" "redirect_tcp$f"
	out=$(ctl flush-flows "$dst")
	assert_eq "2 flows will be decided again" "$out" "c: flush-flows $dst (the UDP and the TCP flow)"
	assert_match '"flows": *0' "$(ctl flush-flows "$dst" --json)" "c: flush-flows again"
	lost=0
	for i in 4 5; do
		if cli_ask "c$f" $i 4; then break; fi
		lost=$((lost + 1))
	done
	[[ -n $REPLY_PEER ]] || fail "c: udp$f: no answer to 2 datagrams after flush-flows"
	assert_eq "$svr" "$REPLY_PEER" "c: udp$f after flush-flows (lost before: $lost)"
	expect_ask "c$f" 6 "$svr" "c: udp$f after flush-flows"
	echo "c: udp$f: $lost datagram(s) lost after flush-flows"
	# the masqueraded entry of the direct flow is killed (stale_nat) and
	# the datagram that found it dropped; the next one starts afresh
	_GW_NOW_OK=0
	assert_delta "$lost" stale_nat "c: udp$f after flush-flows"
	moved "redirect_udp$f"
	assert_eq "$MARK_PROXY" "$(ct_mark udp "$(lan_of "$dst")" "$dst")" "c: ct mark of the flow after flush-flows"
	cli_close "c$f"
	cli_close "ct$f"
done
assert_eq 0 "$(ctr errors)" "errors counter"

# ==== d. rmmod/insmod keeps a live direct flow direct =======================
step "d: rmmod/insmod with a live direct flow"
# A firewall masquerades as well (fw4 does), so the kernel's masquerade
# notifiers have another user: when sluice's `masquerade on` is their only
# user, unregistering them at rmmod replays NETDEV_DOWN for every device
# and conntrack deletes every masqueraded entry (the flow is then decided
# again as new).  This masquerades nothing (no such interface).
in_gw nft -f - <<-EOF
	table inet fw {
		chain post {
			type nat hook postrouting priority 100; policy accept;
			oifname "nosuchif" masquerade
		}
	}
EOF
cli_open r4 udp "$WLISTED4"
cli_open r6 udp "$WLISTED6"
expect_ask r4 1 "$GW_WAN4" "d: udp4 white-listed"
expect_ask r6 1 "$GW_WAN6" "d: udp6 white-listed"
v2ray_client_stop
unload_sluice
# shellcheck disable=SC2119 # no module parameters
load_sluice
ctl set mode tproxy port "$GW_PORT" port6 "$GW_PORT6" lan lan0 wan wan0 \
	masquerade on mark 0xff/0xff no-listener pass enabled on
v2ray_client tproxy
assert_match '^proxy' "$(ctl test "$WLISTED4" dport "$FT_PORT")" "d: the new module's white_list is empty"
snap
expect_ask r4 2 "$GW_WAN4" "d: udp4 after rmmod/insmod"
expect_ask r6 2 "$GW_WAN6" "d: udp6 after rmmod/insmod"
still redirect_udp4 redirect_udp6 stale_nat
# a new flow to the same host is proxied: the old one's path came from its entry
cli_open n4 udp "$WLISTED4"
expect_ask n4 1 "$SVR4" "d: a new udp4 flow after rmmod/insmod"
cli_close n4
cli_close r4
cli_close r6
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
