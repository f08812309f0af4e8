#!/bin/bash
# End to end, redirect (NAT) mode, with a real v2ray client (dokodemo-door,
# sockopt.tproxy "redirect") on the gateway and a v2ray server on the WAN
# side: TCP flows 1 (proxied), 2 (white-listed) and 3 (client, then its
# freedom outbound) over IPv4 and IPv6; UDP is never redirected in this
# mode and goes direct (counted as udp_redirect_mode); white_list changes
# at run time; the client stopped: new TCP flows are refused (nothing
# listens on the redirect port), nothing hangs.
# timeout: 360
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
gw_sluice redirect
step "v2ray server and client"
v2ray_server
v2ray_client redirect
ctl add "$WLISTED4" "$WLISTED6"
step "v2ray up"

for dst in "$WLISTED4" "$WLISTED6"; do
	f=$(fam "$dst")
	step "flow 2 (white_list, direct): tcp to $dst"
	settled_snap
	expect_peer tcp "$dst" "$(gwwan_of "$dst")" "flow 2 tcp$f"
	moved "white_list_v$f"
	still redirect_tcp4 redirect_tcp6
	assert_eq 0 "$(log_count client "$(acc tcp "$dst" "$ECHO_PORT")")" "flow 2 tcp$f: v2ray client must not see it"
done
step "flow 1 (proxied): tcp to $PROXIED4"
settled_snap
expect_peer tcp "$PROXIED4" "$SVR4" "flow 1 tcp4"
# NAT mode: the hook sees the first packet of a flow only
assert_delta 1 redirect_tcp4 "flow 1 tcp4: redirect_tcp4 counts the flow once"
wait_log client "$(acc tcp "$PROXIED4" "$ECHO_PORT") [proxy]" 1
wait_log server "$(acc tcp "$PROXIED4" "$ECHO_PORT")" 1

step "flow 3 (client, then freedom): tcp to $FREEDOM4"
settled_snap
expect_peer tcp "$FREEDOM4" "$GW_WAN4" "flow 3 tcp4"
assert_delta 1 redirect_tcp4 "flow 3 tcp4: redirected once"
wait_log client "$(acc tcp "$FREEDOM4" "$ECHO_PORT") [direct]" 1
assert_eq 0 "$(log_count server "$(acc tcp "$FREEDOM4" "$ECHO_PORT")")" "flow 3 tcp4: v2ray server must not see it"
# IPv6: sluice redirects (the flow reaches the client's [::]:port6 inbound),
# but v2ray 4.34 reads the original destination with SO_ORIGINAL_DST at
# SOL_IP only (transport/internet/tcp/sockopt_linux.go), which fails for
# IPv6 ("failed to get original destination"): the client closes the
# connection.  Use tproxy mode for IPv6 with v2ray.
for dst in "$PROXIED6" "$FREEDOM6"; do
	step "flows 1/3 over IPv6: tcp to $dst reaches v2ray, which cannot proxy it"
	n=$(log_count client-error 'failed to get original destination')
	settled_snap
	expect_no_reply tcp "$dst" "$GW_QUERY_TIMEOUT"
	assert_delta 1 redirect_tcp6 "tcp6 to $dst redirected once"
	wait_log client-error 'failed to get original destination' $((n + 1))
	assert_eq 0 "$(log_count server "$(acc tcp "$dst" "$ECHO_PORT")")" "tcp6 to $dst: v2ray server must not see it"
done
# UDP: never redirected in this mode, whatever the destination
for dst in "$PROXIED4" "$PROXIED6" "$FREEDOM4" "$FREEDOM6"; do
	step "udp in redirect mode: $dst goes direct"
	settled_snap
	expect_peer udp "$dst" "$(gwwan_of "$dst")" "redirect mode udp to $dst"
	moved udp_redirect_mode
	still redirect_udp4 redirect_udp6 redirect_tcp4 redirect_tcp6
done
assert_eq 0 "$(log_count client 'accepted udp:')" "v2ray client saw no UDP"
assert_match '^direct udp-redirect-mode' "$(ctl test "$PROXIED4" proto udp dport "$ECHO_PORT")" "test: udp in redirect mode"

step "runtime white_list add/del"
ctl add "$PROXIED4" "$PROXIED6"
for dst in "$PROXIED4" "$PROXIED6"; do
	settled_snap
	expect_peer tcp "$dst" "$(gwwan_of "$dst")" "after add: tcp to $dst"
	still redirect_tcp4 redirect_tcp6
done
ctl del "$PROXIED4" "$PROXIED6"
settled_snap
expect_peer tcp "$PROXIED4" "$SVR4" "after del: tcp to $PROXIED4"
assert_delta 1 redirect_tcp4 "after del: tcp to $PROXIED4 redirected"
wait_log server "$(acc tcp "$PROXIED4" "$ECHO_PORT")" 2
settled_snap
expect_no_reply tcp "$PROXIED6" "$GW_QUERY_TIMEOUT"
assert_delta 1 redirect_tcp6 "after del: tcp to $PROXIED6 redirected"

# The client's own connections are not LAN traffic: never redirected.
assert_eq 0 "$(ctr bypass_mark)" "bypass_mark"
grep ' accepted ' "$GW_LOGDIR/client-access.log" |
	grep -vE "^[0-9/]+ [0-9:.]+ (tcp:)?($LAN_HOST4|\[$LAN_HOST6\]):[0-9]+ accepted " &&
	fail "v2ray client accepted a connection not from the LAN host"

# The client stops: NAT still redirects (the module cannot know), the
# gateway answers the SYN with a RST: the flow fails at once, no hang.
step "client stopped"
v2ray_client_stop
settled_snap
expect_no_reply tcp "$PROXIED4" 3
expect_no_reply tcp "$PROXIED6" 3
moved redirect_tcp4 redirect_tcp6
expect_peer tcp "$WLISTED4" "$GW_WAN4" "client stopped: white-listed tcp4 still direct"
assert_eq 0 "$(ctr errors)" "errors counter"
step finished
