#!/bin/bash
# End to end, tproxy mode, with a real v2ray client on the gateway and a real
# v2ray server on the WAN side (topology: tests/vm/lib-gateway.sh):
#   flow 1 proxied, flow 2 white-listed (direct), flow 3 through the client
#   and out its freedom outbound; TCP and UDP, IPv4 and IPv6;
#   white_list changes at run time; the client's own traffic is never
#   redirected (right and wrong bypass mark); no-listener pass and drop
#   after the client stops.
# timeout: 600
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || gw_dump' # rc: the exit status, in lib.sh's exit handler

step topology
gw_topology
gw_echo_servers
gw_sluice tproxy
step "v2ray server and client"
v2ray_server
v2ray_client tproxy
ctl add "$WLISTED4" "$WLISTED6"
step "v2ray up"

# ---- flow 2 first: nothing has been proxied yet, so the redirect counters
# must not move at all while it runs.
for proto in tcp udp; do
	for dst in "$WLISTED4" "$WLISTED6"; do
		f=$(fam "$dst")
		step "flow 2 (white_list, direct): $proto to $dst"
		settled_snap
		expect_peer "$proto" "$dst" "$(gwwan_of "$dst")" "flow 2 $proto$f"
		moved "white_list_v$f"
		still redirect_tcp4 redirect_tcp6 redirect_udp4 redirect_udp6 no_listener_pass
		assert_eq 0 "$(log_count client "$(acc "$proto" "$dst" "$ECHO_PORT")")" \
			"flow 2 $proto$f: v2ray client must not see it"
	done
done

# ---- flows 1 and 3
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		step "flow 1 (proxied): $proto to $dst"
		settled_snap
		expect_peer "$proto" "$dst" "$(svr_of "$dst")" "flow 1 $proto$f"
		moved "redirect_$proto$f"
		still "white_list_v$f" no_listener_pass
		wait_log client "$(acc "$proto" "$dst" "$ECHO_PORT") [proxy]" 1
		wait_log server "$(acc "$proto" "$dst" "$ECHO_PORT")" 1
	done
	for dst in "$FREEDOM4" "$FREEDOM6"; do
		f=$(fam "$dst")
		step "flow 3 (client, then freedom): $proto to $dst"
		settled_snap
		expect_peer "$proto" "$dst" "$(gwwan_of "$dst")" "flow 3 $proto$f"
		moved "redirect_$proto$f"
		wait_log client "$(acc "$proto" "$dst" "$ECHO_PORT") [direct]" 1
		assert_eq 0 "$(log_count server "$(acc "$proto" "$dst" "$ECHO_PORT")")" \
			"flow 3 $proto$f: v2ray server must not see it"
	done
done
assert_eq 0 "$(ctr errors)" "errors counter"

# ---- white_list changes at run time: the next new flow follows them
step "runtime white_list add"
ctl add "$PROXIED4" "$PROXIED6" source runtime
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		settled_snap
		expect_peer "$proto" "$dst" "$(gwwan_of "$dst")" "after add: $proto$f"
		moved "white_list_v$f"
		still "redirect_$proto$f"
	done
done
# still exactly one proxied flow per (proto, dst) in the server's log
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		assert_eq 1 "$(log_count server "$(acc "$proto" "$dst" "$ECHO_PORT")")" \
			"after add: server log $proto $dst"
	done
done
step "runtime white_list del"
ctl del "$PROXIED4" "$PROXIED6" source runtime
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		f=$(fam "$dst")
		settled_snap
		expect_peer "$proto" "$dst" "$(svr_of "$dst")" "after del: $proto$f"
		moved "redirect_$proto$f"
		still "white_list_v$f"
		wait_log server "$(acc "$proto" "$dst" "$ECHO_PORT")" 2
	done
done

# ---- no routing loop.  The client runs on the gateway: its own packets
# (to the v2ray server, and freedom's) are locally generated, leave through
# OUTPUT/POSTROUTING and never enter PREROUTING on a LAN interface, so
# sluice never even classifies them: bypass_mark stays 0 and every
# connection the client accepted came from the LAN host.
step "no loop"
from_lan_only() {
	local bad
	bad=$(grep ' accepted ' "$GW_LOGDIR/client-access.log" |
		grep -vE "^[0-9/]+ [0-9:.]+ (tcp:|udp:)?($LAN_HOST4|\[$LAN_HOST6\]):[0-9]+ accepted " || true)
	[[ -z $bad ]] || fail "v2ray client accepted a connection not from the LAN host: $bad"
}
from_lan_only
assert_eq 0 "$(ctr bypass_mark)" "bypass_mark (client traffic never enters on lan0)"
# The classification the client's packets would get if they did enter there:
assert_match '^direct bypass-mark' "$(ctl test "$SVR4" dport "$SVR_PORT" mark "$V2RAY_MARK")" \
	"test: client's packet with the right mark"
# Wrong bypass mark (v2ray marks 255, sluice expects 0x7f), the server's
# address not white-listed: a classification would now say "proxy"...
ctl set mark 0x7f
assert_match '^proxy' "$(ctl test "$SVR4" dport "$SVR_PORT" mark "$V2RAY_MARK")" \
	"test: client's packet with a wrong mark"
# ... but nothing loops: flows still work, within the usual timeout, and
# the client still only ever accepts LAN connections.
n_srv=$(log_count server ' accepted ')
n_cli=$(log_count client ' accepted ')
settled_snap
expect_peer tcp "$PROXIED4" "$SVR4" "wrong mark: tcp4"
expect_peer udp "$PROXIED6" "$SVR6" "wrong mark: udp6"
expect_peer tcp "$FREEDOM6" "$GW_WAN6" "wrong mark: flow 3 tcp6"
moved redirect_tcp4 redirect_udp6 redirect_tcp6
still bypass_mark errors
wait_log client ' accepted ' $((n_cli + 3))
wait_log server ' accepted ' $((n_srv + 2))
assert_eq $((n_cli + 3)) "$(log_count client ' accepted ')" "wrong mark: client accepted exactly the 3 LAN flows"
assert_eq $((n_srv + 2)) "$(log_count server ' accepted ')" "wrong mark: server saw exactly the 2 proxied flows"
from_lan_only
ctl set mark 0xff/0xff

# ---- the client stops: no-listener pass, then drop
step "client stopped: no-listener pass"
v2ray_client_stop
settled_snap
for proto in tcp udp; do
	for dst in "$PROXIED4" "$PROXIED6"; do
		expect_peer "$proto" "$dst" "$(gwwan_of "$dst")" "no listener (pass): $proto $dst"
	done
done
moved no_listener_pass
still redirect_tcp4 redirect_tcp6 redirect_udp4 redirect_udp6 no_listener_drop

step "client stopped: no-listener drop"
ctl set no-listener drop
settled_snap
expect_no_reply tcp "$PROXIED4" 2 &
p1=$!
expect_no_reply udp "$PROXIED6" 2 &
p2=$!
expect_no_reply tcp "$PROXIED6" 2 &
p3=$!
expect_no_reply udp "$PROXIED4" 2 &
p4=$!
for p in $p1 $p2 $p3 $p4; do wait "$p" || fail "no-listener drop: a flow got through"; done
moved no_listener_drop
still no_listener_pass redirect_tcp4 redirect_tcp6 redirect_udp4 redirect_udp6
# the kill switch leaves white-listed destinations alone
expect_peer tcp "$WLISTED4" "$GW_WAN4" "drop: white-listed tcp4"
expect_peer udp "$WLISTED6" "$GW_WAN6" "drop: white-listed udp6"

# ---- the client comes back: proxied again
step "client restarted"
v2ray_client tproxy
expect_peer tcp "$PROXIED6" "$SVR6" "client back: tcp6"
expect_peer udp "$PROXIED4" "$SVR4" "client back: udp4"
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
