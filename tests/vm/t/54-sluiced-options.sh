#!/bin/bash
# timeout: 600
# The issue-7 options end to end, without traffic:
#   - sluicectl: every new `set` key in one request and read back, kernel
#     refusals (dns off under dns-local), -L proxy/src add/load/list/flush,
#     `test` with the new rules (proxy-list, src-excluded by address and
#     MAC, src-not-listed, quic-reject, dns, local-off, local-dns);
#   - sluiced: the new conf keys reach the module, proxy-list and src are
#     loaded and flushed at exit, `local on` puts the client in
#     <sluiced's cgroup>/sluice-client, and a reload to `local off`
#     restarts it outside and removes the cgroup;
#   - sluiced's client supervision: SIGSTOP -> down (policy open:
#     redirection off), SIGCONT -> up; a client that stops accepting ->
#     "hung" after the accept-queue watchdog's window, back once it
#     drains; an orphan left by a SIGKILLed sluiced (a wrapper's child,
#     which the parent-death signal does not reach) is stopped by the next
#     sluiced; someone else's listener on the port makes sluiced refuse to
#     start and change nothing; failure-policy closed keeps redirection on
#     across a SIGKILL and restart of sluiced (no "off" in between).
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

CTL=$SLUICECTL
SD=${SLUICED:-$SLUICE_REPO/userspace/sluiced/sluiced}
[[ -d $SD ]] && SD=$SD/sluiced
j() { $CTL status --json | jq -c "$1"; }

load_sluice
ip link add lanA type dummy
ip link set lanA up
ip addr add 192.0.2.1/24 dev lanA

# ---- set: every new key in one request, read back
$CTL set local on dns 5353 dns-local on src-mode only \
	src-mac 02:00:00:00:00:01,02:00:00:00:00:02 default direct quic reject
assert_eq true "$(j .config.local)" local
assert_eq 5353 "$(j .config.dns_port)" dns_port
assert_eq true "$(j .config.dns_local)" dns_local
assert_eq '"only"' "$(j .config.src_mode)" src_mode
assert_eq '["02:00:00:00:00:01","02:00:00:00:00:02"]' "$(j .config.src_macs)" src_macs
assert_eq '"direct"' "$(j .config.default)" default
assert_eq '"reject"' "$(j .config.quic)" quic
st=$($CTL status)
echo "$st" | head -30
assert_match 'src-mac: +02:00:00:00:00:01,02:00:00:00:00:02' "$st" "human src-mac"
assert_match 'dns: +5353' "$st" "human dns"
# dns off while dns-local stays on: the kernel refuses, nothing changes
out=$($CTL set dns off 2>&1) && fail "dns off with dns-local on accepted"
echo "kernel said: $out"
assert_eq 5353 "$(j .config.dns_port)" "dns_port unchanged"
$CTL set dns-local off dns off src-mac none local off src-mode exclude default proxy quic pass
assert_eq 0 "$(j .config.dns_port)" "dns off"
assert_eq '[]' "$(j .config.src_macs)" "src-mac none"
out=$($CTL set dns-local on 2>&1) && fail "dns-local without dns accepted"
echo "kernel said: $out"
out=$($CTL set src-mac 01:00:5e:00:00:01 2>&1) && fail "multicast accepted"
assert_eq "sluicectl: set: src-mac: '01:00:5e:00:00:01' is a multicast address" "$out" "multicast msg"

# ---- lists
$CTL -L proxy add 203.0.113.7 timeout 300 source dns
$CTL -L proxy add 2001:db8:7::/48
assert_eq 2 "$($CTL -L proxy list --json | jq length)" "proxy list entries"
tmo=$($CTL -L proxy list --json | jq '.[] | select(.prefix=="203.0.113.7") | .timeout')
(( tmo > 200 && tmo <= 300 )) || fail "proxy entry timeout $tmo"
assert_eq 0 "$($CTL list --json | jq length)" "white list untouched"
printf '192.0.2.20\n192.0.2.64/27\n' > src.txt
out=$($CTL -L src load nas src.txt)
assert_eq "loaded 2 prefixes (2 IPv4, 0 IPv6) into nas of the src list" "$out" "load msg"
assert_eq 2 "$(j .lists.proxy.entries)" ".lists.proxy.entries"
assert_eq 2 "$(j .lists.src.entries)" ".lists.src.entries"
assert_eq 0 "$(j .lists.white.entries)" ".lists.white.entries"
assert_eq '"nas"' "$(j '.lists.src.sources[0].name')" "src source name"
assert_eq 2 "$(j '[.lists.proxy.sources[].name] | length')" "proxy sources"
$CTL status | grep -A4 -E '^(proxy|src) (list|sources):'
out=$($CTL -L proxy set local on 2>&1) && fail "-L with set accepted"

# ---- test: decisions with the new rules
$CTL set lan lanA enabled on default direct
assert_eq "proxy proxy-list 203.0.113.7 source dns" "$($CTL test 203.0.113.7)" "proxy-list"
assert_eq "direct default-direct" "$($CTL test 203.0.113.8)" "default-direct"
assert_eq "direct src-excluded 192.0.2.20 source nas" "$($CTL test 203.0.113.7 src 192.0.2.20)" "src-excluded"
$CTL set src-mac 02:00:00:00:00:09
assert_match '^direct src-excluded' "$($CTL test 203.0.113.7 src 192.0.2.30 mac 02:00:00:00:00:09)" "src-excluded by mac"
assert_eq "proxy proxy-list 203.0.113.7 source dns" "$($CTL test 203.0.113.7 src 192.0.2.30 mac 02:00:00:00:00:08)" "other mac"
$CTL set src-mode only
assert_eq "direct src-not-listed" "$($CTL test 203.0.113.7 src 192.0.2.30)" "src-not-listed"
$CTL set src-mode exclude quic reject
assert_eq "reject quic-reject" "$($CTL test 203.0.113.7 proto udp dport 443)" "quic-reject"
$CTL set dns 5353
assert_eq "dns dns" "$($CTL test 198.51.100.1 proto udp dport 53)" "dns"
assert_eq "direct local-off" "$($CTL test 203.0.113.7 local)" "local-off"
$CTL set local on
assert_eq "direct local-dns" "$($CTL test 198.51.100.1 proto udp dport 53 local)" "local-dns"
echo "local proxy-listed: $($CTL test 203.0.113.7 local)"
$CTL test 203.0.113.7 --json
$CTL -L proxy flush
assert_eq 0 "$(j .lists.proxy.entries)" "proxy flushed"
$CTL -L src flush source nas
$CTL set enabled off local off dns off default proxy quic pass src-mac none

# ---- sluiced: new keys applied, client in its own cgroup
printf '203.0.113.0/25\n' > gfw.txt
cat >sluiced.conf <<CONF
client socat TCP-LISTEN:12345,fork,reuseaddr /dev/null
lan lanA
mode tproxy
port 12345
local on
dns 5353
dns-local on
src-mode only
src 192.0.2.20 2001:db8:1::20
src-mac 02:00:00:00:00:01
default direct
quic reject
proxy-list gfw $PWD/gfw.txt
restart-delay 500ms 5s
probe-interval 50ms
log-level debug
CONF
"$SD" -c sluiced.conf --check
"$SD" -f -c sluiced.conf >sluiced.log 2>&1 &
sdpid=$!
track_pid "$sdpid"
on_exit 'echo "--- sluiced.log"; cat sluiced.log'
up() { [[ $(j .config.enabled) == true ]]; }
wait_for 20 up || fail "redirection not on"
assert_eq true "$(j .config.local)" "sluiced local"
assert_eq 5353 "$(j .config.dns_port)" "sluiced dns"
assert_eq '"only"' "$(j .config.src_mode)" "sluiced src-mode"
assert_eq '["02:00:00:00:00:01"]' "$(j .config.src_macs)" "sluiced src-mac"
assert_eq '"direct"' "$(j .config.default)" "sluiced default"
assert_eq '"reject"' "$(j .config.quic)" "sluiced quic"
assert_eq 2 "$(j '.lists.src.sources[] | select(.name=="conf") | .entries4 + .entries6')" "src conf"
assert_eq 1 "$(j '.lists.proxy.sources[] | select(.name=="gfw") | .entries4')" "proxy-list gfw"
pid=$(grep -o 'client started: .* (pid [0-9]*)' sluiced.log | tail -n1 | grep -o '[0-9]*)$' | tr -d ')')
sdcg=$(sed -n 's/^0:://p' /proc/$sdpid/cgroup)
echo "sluiced in cgroup $sdcg (non-root, with processes)"
cgdir=/sys/fs/cgroup${sdcg%/}/sluice-client
assert_eq "0::${sdcg%/}/sluice-client" "$(cat /proc/"$pid"/cgroup)" "client cgroup"
grep -q "client in cgroup ${sdcg%/}/sluice-client" sluiced.log || fail "no cgroup log line"
assert_eq "$pid" "$(cat "$cgdir"/cgroup.procs)" "only the client in it"
# reload without local: client restarted outside the cgroup, cgroup gone
sed -i 's/^local on/local off/; s/^dns-local on/dns-local off/' sluiced.conf
kill -HUP "$sdpid"
cg_gone() { [[ ! -d $cgdir ]]; }
wait_for 20 cg_gone || fail "client cgroup not removed after local off"
newpid() { p=$(grep -o 'client started: .* (pid [0-9]*)' sluiced.log | tail -n1 | grep -o '[0-9]*)$' | tr -d ')'); [[ $p != "$pid" ]]; }
wait_for 20 newpid || fail "client not restarted"
assert_eq false "$(j .config.local)" "reload local off"
kill -TERM "$sdpid"
wait "$sdpid" || true
assert_eq 0 "$(j .lists.src.entries)" "src conf flushed at exit"
assert_eq 0 "$(j .lists.proxy.entries)" "proxy-list flushed at exit"

# ---- client supervision (mode redirect: no policy routing needed)
down() { [[ $(j .config.enabled) == false ]]; }
client_pid() { grep -o 'client started: .* (pid [0-9]*)' "$1" | tail -n1 | grep -o '[0-9]*)$' | tr -d ')'; }
n_started() { grep -c 'client started' "$1" || true; }
# sd_run CONF LOG: sluiced in the background; SDPID
sd_run() {
	"$SD" -f -c "$1" >"$2" 2>&1 &
	SDPID=$!
	track_pid "$SDPID"
}
sd_kill() { kill -KILL "$SDPID"; wait "$SDPID" 2>/dev/null || true; }
sd_term() {
	local rc=0
	kill -TERM "$SDPID"
	wait "$SDPID" || rc=$?
	assert_eq 0 "$rc" "sluiced exit status after SIGTERM"
}
# gone PID: ended (a zombie not yet reaped by init counts as ended)
gone() { local st; st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0; [[ -z $st || $st == Z ]]; }
sup_conf() { # FILE POLICY CLIENT...
	local f=$1 pol=$2
	shift 2
	cat >"$f" <<-CONF
		client $*
		lan lanA
		mode redirect
		port 12345
		restart-delay 500ms 5s
		probe-interval 50ms
		stop-timeout 2s
		failure-policy $pol
		log-level debug
	CONF
}
sup_conf open.conf open socat TCP-LISTEN:12345,fork,reuseaddr /dev/null
# shellcheck disable=SC2016 # expanded at exit
on_exit 'for f in s*.log; do echo "--- $f"; tail -n 30 "$f"; done'

# SIGSTOP: down at once (the listener still completes handshakes, so the
# connect probe alone would never notice); SIGCONT: up, same process.
sd_run open.conf s1.log
wait_for 20 up || fail "s1: redirection not on"
cpid=$(client_pid s1.log)
kill -STOP "$cpid"
wait_for 10 grep -q 'client down: stopped by signal 19' s1.log || fail "SIGSTOP not noticed"
wait_for 10 down || fail "redirection still on with the client stopped (policy open)"
kill -CONT "$cpid"
wait_for 10 grep -q 'client continued' s1.log || fail "SIGCONT not noticed"
wait_for 20 up || fail "redirection not back on after SIGCONT"
assert_eq 1 "$(n_started s1.log)" "client starts (a stop is no restart)"

# sluiced SIGKILLed: the client gets the parent-death signal.
ls /run/sluiced/client.*.pid >/dev/null || fail "no client pidfile in /run/sluiced"
sd_kill
wait_for 10 gone "$cpid" || fail "client $cpid outlived sluiced's SIGKILL"
assert_eq true "$(j .config.enabled)" "module left as it was by the SIGKILL"

# A wrapper's child is not told: the next sluiced stops that group.
sup_conf wrap.conf open sh -c "'socat TCP-LISTEN:12345,fork,reuseaddr /dev/null & wait'"
sd_run wrap.conf s2.log
wait_for 20 up || fail "s2: redirection not on"
shpid=$(client_pid s2.log)
sd_kill
wait_for 10 gone "$shpid" || fail "wrapper $shpid outlived sluiced's SIGKILL"
orphan=$(pgrep -o -g "$shpid" socat) || fail "the wrapper's socat did not outlive it (test premise)"
echo "orphan socat $orphan in group $shpid"
sd_run wrap.conf s3.log
wait_for 20 grep -q 'client started' s3.log || fail "s3: client not started: $(tail -n 5 s3.log)"
grep -q "previous client's group still listens on port 12345 (pid $orphan" s3.log ||
	fail "orphan not recognised: $(head -n 5 s3.log)"
gone "$orphan" || fail "orphan $orphan still running"
wait_for 20 up || fail "s3: redirection not on"
sd_term
grp_gone() { ! pgrep -g "$1" >/dev/null; }
wait_for 10 grp_gone "$(client_pid s3.log)" || fail "client group left after SIGTERM: $(pgrep -a -g "$(client_pid s3.log)")"

# Someone else's listener on the port: refuse, change nothing.
$CTL set enabled on
cfg0=$($CTL status --json | jq -c .config)
socat TCP-LISTEN:12345,fork,reuseaddr /dev/null &
fpid=$!
track_pid "$fpid"
wait_for 10 eval "ss -Hltn 'sport = :12345' | grep -q ."
rc=0
"$SD" -f -c open.conf >s4.log 2>&1 || rc=$?
assert_eq 1 "$rc" "sluiced exit status with a foreign listener"
grep -q "already has a listener that sluiced did not start: pid $fpid (socat)" s4.log ||
	fail "no clear message: $(cat s4.log)"
assert_eq "$cfg0" "$($CTL status --json | jq -c .config)" "module config after the refusal"
gone "$fpid" && fail "sluiced killed someone else's listener"
kill "$fpid"
wait "$fpid" 2>/dev/null || true
$CTL set enabled off

# failure-policy closed: on from the first request, also across a crash.
sup_conf closed.conf closed socat TCP-LISTEN:12345,fork,reuseaddr /dev/null
sd_run closed.conf s5.log
wait_for 20 grep -q 'client up' s5.log || fail "s5: client not up"
sd_kill
sd_run closed.conf s6.log
wait_for 20 grep -q 'client up' s6.log || fail "s6: client not up: $(tail -n 5 s6.log)"
grep -q 'redirection off' s6.log && fail "restart under policy closed turned redirection off: $(grep 'redirection off' s6.log)"
on=$(grep -n 'redirection on (failure-policy closed' s6.log | head -n1 | cut -d: -f1)
st=$(grep -n 'client started' s6.log | head -n1 | cut -d: -f1)
[[ -n $on && $on -lt $st ]] || fail "redirection not on before the client started (lines $on, $st)"
assert_eq true "$(j .config.enabled)" "closed: enabled"
assert_eq '"drop"' "$(j .config.no_listener)" "closed: no-listener"
sd_term
down || fail "module enabled after SIGTERM"

# A client that stops accepting: "hung" once its accept queue has sat
# for the watchdog's window (the probe's own connection is enough), up
# again once it drains.
cat >hang.py <<'PY'
import os, socket, sys, time
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 12345))
s.listen(64)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
while True:
    c, _ = s.accept()
    c.close()
PY
rm -f accept.go
sup_conf hang.conf open python3 "$PWD/hang.py" "$PWD/accept.go"
sd_run hang.conf s7.log
wait_for 20 grep -q 'client up' s7.log || fail "s7: client not up"
wait_for 60 grep -q 'client down: hung' s7.log || fail "hang not noticed: $(tail -n 5 s7.log)"
wait_for 10 down || fail "redirection on with a hung client (policy open)"
touch accept.go
wait_for 20 grep -q 'client accepts again' s7.log || fail "drain not noticed"
wait_for 20 up || fail "redirection not back on after the drain"
assert_eq 1 "$(n_started s7.log)" "client starts (a hang is no restart)"
sd_term
echo PASS
