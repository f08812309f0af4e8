#!/bin/bash
# `local on`: the gateway's own traffic, with a real v2ray client on the
# gateway and a v2ray server on the WAN side (tests/vm/lib-gateway.sh).
# tproxy mode: the router's own curl (TCP) and socat (UDP) to a proxied
# destination go through the tunnel (the destination sees the v2ray
# server), to a white-listed one direct, IPv4 and IPv6; `local off` leaves
# them alone.  No loop with a wrong or a missing bypass mark on the
# client's sockets: the client runs in a cgroup of its own, its own flows
# are stopped by the loop guard (counter loop_guard) and go direct, and
# the client never accepts its own connections; a curl in the client's
# cgroup is not redirected either.  Redirect mode: the same for TCP over
# IPv4 (v2ray 4.34 cannot take IPv6 in redirect mode, see 41-v2ray-
# redirect.sh: the flow is redirected but the client drops it).
# timeout: 540
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"

T0=${EPOCHREALTIME/./}
step() { echo "== [$(((${EPOCHREALTIME/./} - T0) / 1000))ms] $*"; }
# shellcheck disable=SC2016 # expanded when it runs
on_exit '[[ ${rc:-1} == 0 ]] || gw_dump' # rc: the exit status, in lib.sh's exit handler

# no_self_accept: the client never accepted a connection to the v2ray
# server or to itself (what a loop would look like), and every connection
# it accepted came from the gateway's WAN address (its own curl/socat) or
# the LAN host
no_self_accept() {
	local bad
	bad=$(grep ' accepted ' "$GW_LOGDIR/client-access.log" |
		grep -vE "^[0-9/]+ [0-9:.]+ (tcp:|udp:)?($GW_WAN4|\[$GW_WAN6\]|$LAN_HOST4|\[$LAN_HOST6\]):[0-9]+ accepted " || true)
	[[ -z $bad ]] || fail "v2ray client accepted a connection it should not have: $bad"
	assert_eq 0 "$(log_count client "$(acc tcp "$SVR4" "$SVR_PORT")")" "client accepted its own connection to the server"
}
# accepted_exactly N_CLIENT N_SERVER MSG: the access logs grew to exactly these
accepted_exactly() {
	wait_log client ' accepted ' "$1"
	wait_log server ' accepted ' "$2"
	assert_eq "$1" "$(log_count client ' accepted ')" "$3: connections the client accepted"
	assert_eq "$2" "$(log_count server ' accepted ')" "$3: connections the server accepted"
}

step topology
gw_topology
gw_echo_servers
gw_http_servers
gw_sluice tproxy
ctl set local on
assert_match '"local": *true' "$(ctl status --json)" "status --json: .config.local"
step "v2ray server and client (client in a cgroup of its own)"
v2ray_server
gw_cgroup GW_CLIENT_CG v2ray-client
v2ray_client tproxy
ctl add "$WLISTED4" "$WLISTED6"

# ---- tproxy: the gateway's own TCP (curl) and UDP (socat)
for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst")
	step "local tcp (curl) to $dst: proxied"
	settled_snap
	expect_curl "$dst" "$(svr_of "$dst")" "local curl$f to $dst"
	moved local_out
	# the client's connection to the server is local too: it carries the
	# right mark and stays direct
	moved bypass_mark
	still loop_guard "white_list_v$f"
	wait_log client "$(acc tcp "$dst" "$HTTP_PORT") [proxy]" 1
	wait_log server "$(acc tcp "$dst" "$HTTP_PORT")" 1
done
for dst in "$WLISTED4" "$WLISTED6"; do
	f=$(fam "$dst")
	step "local tcp (curl) to $dst: white-listed, direct"
	settled_snap
	expect_curl "$dst" "$(gwwan_of "$dst")" "local curl$f to $dst"
	moved "white_list_v$f"
	still local_out loop_guard
	assert_eq 0 "$(log_count client "$(acc tcp "$dst" "$HTTP_PORT")")" "white-listed curl$f: the client must not see it"
done
for dst in "$PROXIED4" "$PROXIED6"; do
	f=$(fam "$dst")
	step "local udp (socat) to $dst: proxied"
	settled_snap
	GW_FROM=gw expect_peer udp "$dst" "$(svr_of "$dst")" "local udp$f to $dst"
	moved local_out
	still loop_guard
	wait_log server "$(acc udp "$dst" "$ECHO_PORT")" 1
done
step "local udp to $WLISTED6: white-listed, direct"
settled_snap
GW_FROM=gw expect_peer udp "$WLISTED6" "$GW_WAN6" "local udp6 to $WLISTED6"
moved white_list_v6
still local_out
step "local tcp to $FREEDOM4: through the client, out its freedom outbound"
settled_snap
expect_curl "$FREEDOM4" "$GW_WAN4" "local curl4 to $FREEDOM4"
moved local_out
wait_log client "$(acc tcp "$FREEDOM4" "$HTTP_PORT") [direct]" 1
assert_eq 0 "$(log_count server "$(acc tcp "$FREEDOM4" "$HTTP_PORT")")" "freedom: the server must not see it"
step "LAN flows unchanged"
settled_snap
expect_peer tcp "$PROXIED4" "$SVR4" "LAN tcp4"
moved redirect_tcp4
still local_out
assert_match '^proxy' "$(ctl test "$PROXIED4" dport "$HTTP_PORT" local)" "test: local to a proxied destination"
assert_match '^direct white_list' "$(ctl test "$WLISTED6" dport "$HTTP_PORT" local)" "test: local to a white-listed destination"
no_self_accept

step "local off: the gateway's own flows go direct"
ctl set local off
assert_match '^direct local-off' "$(ctl test "$PROXIED4" dport "$HTTP_PORT" local)" "test: local off"
settled_snap
expect_curl "$PROXIED6" "$GW_WAN6" "local off: curl6"
GW_FROM=gw expect_peer udp "$PROXIED4" "$GW_WAN4" "local off: udp4"
still local_out redirect_tcp6 redirect_udp4
ctl set local on

# ---- no loop.  Wrong bypass mark: v2ray marks 255, sluice now expects
# 0x7f, so the client's connections to the server (and freedom's) look
# like any other local flow to a proxied destination.  The loop guard
# sees them come from the listener's cgroup and leaves them direct.
step "wrong bypass mark: no loop"
ctl set mark 0x7f
n_cli=$(log_count client ' accepted ')
n_srv=$(log_count server ' accepted ')
settled_snap
expect_curl "$PROXIED4" "$SVR4" "wrong mark: curl4"
moved loop_guard local_out
still bypass_mark errors
expect_curl "$PROXIED6" "$SVR6" "wrong mark: curl6"
GW_FROM=gw expect_peer udp "$PROXIED4" "$SVR4" "wrong mark: udp4"
expect_curl "$FREEDOM6" "$GW_WAN6" "wrong mark: curl6 through freedom"
accepted_exactly $((n_cli + 4)) $((n_srv + 3)) "wrong mark"
no_self_accept
ctl set mark 0xff/0xff

step "missing bypass mark (client without sockopt.mark): no loop"
v2ray_client_stop
V2RAY_MARK=0 v2ray_client tproxy
grep -q '"mark": 0' "$GW_LOGDIR/client-tproxy.json" || fail "client config still has a mark"
n_cli=$(log_count client ' accepted ')
n_srv=$(log_count server ' accepted ')
settled_snap
expect_curl "$PROXIED6" "$SVR6" "no mark: curl6"
GW_FROM=gw expect_peer udp "$PROXIED6" "$SVR6" "no mark: udp6"
moved loop_guard local_out
still bypass_mark errors
accepted_exactly $((n_cli + 2)) $((n_srv + 2)) "no mark"
no_self_accept
v2ray_client_stop
v2ray_client tproxy

# The same guard, seen from the other side: a program in the client's
# cgroup (a client that dials without any mark) is never redirected.
step "curl in the client's cgroup: not redirected"
n_cli=$(log_count client ' accepted ')
settled_snap
GW_CURL_CG=$GW_CLIENT_CG expect_curl "$PROXIED4" "$GW_WAN4" "curl4 in the client's cgroup"
GW_CURL_CG=$GW_CLIENT_CG expect_curl "$PROXIED6" "$GW_WAN6" "curl6 in the client's cgroup"
moved loop_guard
still local_out
assert_eq "$n_cli" "$(log_count client ' accepted ')" "curl in the client's cgroup: the client must not see it"
# and from the test's cgroup it is proxied again
settled_snap
expect_curl "$PROXIED4" "$SVR4" "curl4 after the client's cgroup"
moved local_out
assert_eq 0 "$(ctr errors)" "errors counter"

# ---- redirect mode: NAT at local output, TCP only
step "redirect mode"
v2ray_client_stop
ctl set mode redirect
v2ray_client redirect
n_srv=$(log_count server "$(acc tcp "$PROXIED4" "$HTTP_PORT")")
settled_snap
expect_curl "$PROXIED4" "$SVR4" "redirect mode: curl4"
moved local_out
wait_log server "$(acc tcp "$PROXIED4" "$HTTP_PORT")" $((n_srv + 1))
settled_snap
expect_curl "$WLISTED4" "$GW_WAN4" "redirect mode: white-listed curl4"
moved white_list_v4
still local_out
settled_snap
GW_FROM=gw expect_peer udp "$PROXIED4" "$GW_WAN4" "redirect mode: local udp4 goes direct"
still local_out
step "redirect mode: tcp6 is redirected, v2ray cannot proxy it"
n=$(log_count client-error 'failed to get original destination')
settled_snap
expect_curl_fails "$PROXIED6" "redirect mode: curl6"
moved local_out
wait_log client-error 'failed to get original destination' $((n + 1))
step "redirect mode: wrong bypass mark, no loop"
ctl set mark 0x7f
n_cli=$(log_count client ' accepted ')
n_srv=$(log_count server ' accepted ')
settled_snap
expect_curl "$PROXIED4" "$SVR4" "redirect mode, wrong mark: curl4"
moved loop_guard local_out
still bypass_mark
accepted_exactly $((n_cli + 1)) $((n_srv + 1)) "redirect mode, wrong mark"
no_self_accept
step "redirect mode: curl in the client's cgroup"
settled_snap
GW_CURL_CG=$GW_CLIENT_CG expect_curl "$PROXIED4" "$GW_WAN4" "redirect mode: curl4 in the client's cgroup"
moved loop_guard
still local_out
ctl set mark 0xff/0xff
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
