#!/bin/bash
# timeout: 180
# sluiced's `server` source follows DNS: a dnsmasq on the gw ns's loopback
# answers for a `server NAME` of sluiced.conf and for the vnext address (a
# name) of the client's v2ray JSON.  Both names' addresses enter `server`;
# when the answers change (hosts file rewritten, SIGHUP to dnsmasq) the
# source follows within a bound; when DNS fails (dnsmasq stopped) the last
# good addresses stay and sluiced logs the failure.
. "$(dirname "$0")/../lib.sh"

CTL=$SLUICECTL
SD=${SLUICED:-$SLUICE_REPO/userspace/sluiced/sluiced}
[[ -d $SD ]] && SD=$SD/sluiced
[[ -x $SD ]] || fail "sluiced not built ($SD): make -C userspace/sluiced"
command -v dnsmasq >/dev/null || fail "dnsmasq not installed (apt-get install dnsmasq-base)"

NAME=tunnel.example.net      # `server NAME` in sluiced.conf
JNAME=vmess.example.org      # outbounds[].settings.vnext[].address in the client JSON

ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
# the addresses in `server`, one per line, without /32 or /128 (no extra
# processes: under TCG each one costs 100s of ms and slows the polls)
servers() {
	local p _
	in_gw "$CTL" list source server | while read -r p _; do
		p=${p%/32}
		echo "${p%/128}"
	done
}
# server_is "ADDR..." ["ADDR..."]: every address of the first list is in
# `server` and none of the second (one sluicectl call)
server_is() {
	local a
	local -A have=()
	for a in $(servers); do have[$a]=1; done
	for a in $1; do [[ -n ${have[$a]:-} ]] || return 1; done
	for a in ${2:-}; do [[ -z ${have[$a]:-} ]] || return 1; done
	return 0
}
logged() { grep -q -- "$1" sluiced.log; }
n_logged() { grep -c -- "$1" sluiced.log || true; }
dns_listening() { [[ -n $(ip netns exec gw ss -Hlnu 'sport = :53') ]]; }
# logged_after T_US TEXT: µs time of the first line with TEXT logged after T_US
logged_after() { awk -v t="$1" -v re="$2" '$1 > t && index($0, re) { print $1; exit }' sluiced.log; }
more_rounds() { (($(n_logged "resolve $NAME: ") >= $1)); }

load_sluice
topo_basic

# ---- DNS: dnsmasq on 127.0.0.1 in the gw ns, gw's resolver pointed at it ------
# `ip netns exec gw` bind-mounts /etc/netns/gw/resolv.conf over
# /etc/resolv.conf (the guest's /etc is a throwaway overlay).
mkdir -p /etc/netns/gw
on_exit 'rm -rf /etc/netns/gw'
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >/etc/netns/gw/resolv.conf

write_hosts() { # ADDR4 ADDR6 for NAME, ADDR4 for JNAME
	printf '%s %s\n%s %s\n%s %s\n' "$1" "$NAME" "$2" "$NAME" "$3" "$JNAME" >hosts.new
	mv hosts.new hosts
}
write_hosts 203.0.113.10 2001:db8:3::10 203.0.113.30
ip netns exec gw dnsmasq --no-daemon --no-resolv --no-hosts --addn-hosts="$PWD/hosts" \
	--listen-address=127.0.0.1 --port=53 --bind-interfaces --user=root --group=root \
	--pid-file= --local-ttl=0 --log-facility=- --log-queries \
	--local=/example.net/example.org/ >dnsmasq.log 2>&1 &
dnspid=$!
track_pid "$dnspid"
on_exit 'echo "--- dnsmasq.log"; cat dnsmasq.log'
wait_for 10 dns_listening || fail "dnsmasq not listening"
assert_match "203.0.113.10" "$(in_gw getent ahostsv4 "$NAME")" "dnsmasq answers in the gw ns"

cat >client.json <<JSON
{
  "inbounds": [ { "port": 12345, "protocol": "dokodemo-door",
                  "settings": { "network": "tcp,udp", "followRedirect": true } } ],
  "outbounds": [
    { "tag": "proxy", "protocol": "vmess",
      "settings": { "vnext": [ { "address": "$JNAME", "port": 10086,
                                 "users": [ { "id": "b831381d-6324-4d53-ad4f-8cda48b30811" } ] } ] } },
    { "tag": "direct", "protocol": "freedom" }
  ]
}
JSON
cat >sluiced.conf <<CONF
client socat TCP-LISTEN:12345,fork,reuseaddr /dev/null
client-config $PWD/client.json
lan lan0
wan wan0
port 12345
probe-interval 50ms
server $NAME
resolve-interval 1s
log-level debug
CONF
check=$("$SD" -c sluiced.conf --check)
echo "$check"
assert_match "client config .*: 1 server name\(s\) $JNAME" "$check" "--check reads the JSON's server name"
# the parser's minimum: whole seconds, at least 1s
printf 'lan lan0\nresolve-interval 500ms\n' >bad.conf
assert_fails "$SD" -c bad.conf --check

# Each log line gets the time it was read (µs since the epoch): the log
# says when sluiced replaced `server`, independent of how slowly
# sluicectl polls under TCG.
stamp() { local l; while IFS= read -r l; do echo "${EPOCHREALTIME/./} $l"; done; }
# Not through in_gw: ip netns exec execs, so $! is sluiced itself.
t0=$(ms)
t0us=${EPOCHREALTIME/./}
ip netns exec gw "$SD" -f -c sluiced.conf > >(stamp >sluiced.log) 2>&1 &
sdpid=$!
track_pid "$sdpid"
on_exit 'echo "--- sluiced.log"; cat sluiced.log'

wait_for 30 server_is "203.0.113.10 2001:db8:3::10 203.0.113.30" ||
	fail "server source incomplete at start: $(servers | tr '\n' ' ')"
echo "MEASURE sluiced start -> both names resolved into server, seen by sluicectl: $(($(ms) - t0)) ms; sluiced's log line after $((($(logged_after "$t0us" "servers: 3 address(es)") - t0us) / 1000)) ms"
t0=$(ms)
servers >/dev/null
poll=$(($(ms) - t0))
echo "MEASURE one sluicectl list poll: $poll ms"
logged "servers: 3 address(es) (2 IPv4, 1 IPv6) for 2 name(s)" || fail "no 'servers:' log line"

# ---- the answers change ---------------------------------------------------------
write_hosts 203.0.113.20 2001:db8:3::20 203.0.113.40
t0=$(ms)
t0us=${EPOCHREALTIME/./}
kill -HUP "$dnspid"
wait_for 30 server_is "203.0.113.20 2001:db8:3::20 203.0.113.40" "203.0.113.10 2001:db8:3::10 203.0.113.30" ||
	fail "server source did not follow DNS: $(servers | tr '\n' ' ')"
dt=$(($(ms) - t0))
t1us=$(logged_after "$t0us" "servers: 3 address(es)")
[[ -n $t1us ]] || fail "no 'servers:' line after the change"
dl=$(((t1us - t0us) / 1000))
echo "MEASURE DNS answer changed (SIGHUP dnsmasq) -> sluiced replaced server (its log line): $dl ms; seen by sluicectl polls (~$poll ms each): $dt ms (resolve-interval 1s)"
# A round every second; the new answers are in after the next one.
((dl < 5000)) || fail "sluiced took $dl ms to follow DNS (resolve-interval 1s)"

# ---- DNS fails: the last good addresses stay ------------------------------------
t0=$(ms)
t0us=${EPOCHREALTIME/./}
kill "$dnspid"
wait "$dnspid" 2>/dev/null || true
wait_for 15 logged "resolve $NAME: .*keeping 2 last good address(es)" ||
	fail "no resolve failure logged for $NAME"
wait_for 15 logged "resolve $JNAME: .*keeping 1 last good address(es)" ||
	fail "no resolve failure logged for $JNAME"
echo "MEASURE dnsmasq stopped -> failure logged: $((($(logged_after "$t0us" "resolve $NAME: ") - t0us) / 1000)) ms (log line), seen by polling after $(($(ms) - t0)) ms"
grep -m1 "resolve $NAME: " sluiced.log | sed 's/^/failure: /'
# Several more failed rounds (resolve-interval 1s) change nothing.
n=$(n_logged "resolve $NAME: ")
wait_for 15 more_rounds $((n + 2)) || fail "no further resolve rounds"
server_is "203.0.113.20 2001:db8:3::20 203.0.113.40" || fail "last good addresses lost: $(servers | tr '\n' ' ')"
kill -0 "$sdpid" || fail "sluiced died"

kill -TERM "$sdpid"
rc=0
wait "$sdpid" || rc=$?
assert_eq 0 "$rc" "sluiced exit status"
echo PASS
