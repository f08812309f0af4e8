#!/bin/bash
# sluiced itself SIGKILLed (no chance to clean up) under load, then started
# again.  Prints exactly what a SIGKILL leaves behind (STATE lines) and
# asserts it, so that docs/reliability.md stays true:
#   module config unchanged (redirection still on, no-listener as the
#   policy set it), every source's entries still in the white_list, the
#   policy routing rules and routes still there; the tunnel client ends
#   (sluiced gives it PR_SET_PDEATHSIG SIGTERM, so that no orphan shares
#   the port with the next sluiced's client), and with policy open and
#   no listener the module passes proxied flows direct; traffic goes on.
# While sluiced is dead the world changes: an address is added to the
# gateway and the list file grows.  The next start must recover: it
# reclaims its own rules (no refusal, no duplicates), `local` and the list
# match the new world, exactly one client runs (the one it supervises) and
# proxies, direct flows never missed during all of it, and a final SIGTERM
# leaves nothing running and nothing configured.
# timeout: 1200
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=SCRIPTDIR/../lib-gateway.sh
. "$(dirname "$0")/../lib-gateway.sh"
# shellcheck source=SCRIPTDIR/../lib-faults.sh
. "$(dirname "$0")/../lib-faults.sh"

NEWADDR=198.51.100.77
srcs() { ctl status --json | jq -c '[.sources[] | {(.name): (.entries4 + .entries6)}] | add'; }
rules() { { ip -n gw rule show; ip -n gw -6 rule show; } | grep -c 'lookup 100' || true; }
routes() { { ip -n gw route show table 100; ip -n gw -6 route show table 100; } | grep -c 'local default' || true; }
# v2ray processes in the gateway namespace
clients() {
	local p
	for p in $(ip netns pids gw); do
		[[ $(cat "/proc/$p/comm" 2>/dev/null) == v2ray ]] && echo "$p"
	done
	return 0
}
in_local() { ctl list source local | grep -q "^$1[/ ]"; }

fault_gateway open 1s
t_load=$(now_ms)
fault_load
fl_stream spt4 lan tcp "$PROXIED4" 200 "$FAULT_TMO"
sleep 8
cfg0=$(ctl status --json | jq -c .config)
src0=$(srcs)
cl0=$(sd_client_pid)
echo "BEFORE config $cfg0"
echo "BEFORE sources $src0; rules $(rules), routes $(routes), client pid $cl0"

# ---- SIGKILL
t_kill=$(now_ms)
kill -KILL "$SD_PID"
wait "$SD_PID" 2>/dev/null || true
# The client ends on its parent-death signal.  Its sockets close before it
# is a zombie, so from then on flows cannot reach it: the window for
# "direct" starts there.  (On the debug kernel v2ray took seconds to end,
# and a flow started in between was cut by the dying client.)
gone() { local st; st=$(awk '{ print $3 }' "/proc/$cl0/stat" 2>/dev/null) || return 0; [[ -z $st || $st == Z ]]; }
wait_for $((30 * ${SLUICE_VM_TIMEOUT_MULT:-1})) gone || fail "the client (pid $cl0) outlived sluiced's SIGKILL (parent-death signal)"
t_gone=$(now_ms)
echo "STATE after SIGKILL: client $cl0 gone +$((t_gone - t_kill)) ms"
sleep 10 # traffic with no sluiced (longer than FAULT_BOUND)
cfg1=$(ctl status --json | jq -c .config)
src1=$(srcs)
echo "STATE after SIGKILL: config $cfg1"
echo "STATE after SIGKILL: sources $src1"
echo "STATE after SIGKILL: policy rules $(rules) (IPv4+IPv6), local routes in table 100 $(routes)"
echo "STATE after SIGKILL: v2ray processes in gw: $(clients | tr '\n' ' ')(client $cl0 gone)"
assert_eq "$cfg0" "$cfg1" "module config after sluiced's SIGKILL"
assert_eq true "$(jq -r .enabled <<<"$cfg1")" "redirection left on"
assert_eq "$src0" "$src1" "sources after sluiced's SIGKILL"
assert_eq 2 "$(rules)" "policy rules left"
assert_eq 2 "$(routes)" "policy routes left"
assert_eq "" "$(clients | tr '\n' ' ')" "v2ray processes left after sluiced's SIGKILL"
t=$(now_ms)
fault_expect_proxied $((t_gone + FAULT_BOUND)) $((t - 1000)) direct
echo "STATE after SIGKILL: proxied flows go direct (no listener, no-listener pass)"

# ---- the world changes while nobody watches
ip -n gw addr add "$NEWADDR/32" dev wan0
echo "$FREEDOM4/32" >>direct.txt

# ---- restart
sd_start sluiced.conf sluiced2.log
wait_for 90 in_local "$NEWADDR" || fail "$NEWADDR (added while sluiced was dead) not in local: $(tail -n 5 sluiced2.log)"
wait_for 30 grep -q 'list direct loaded: 3 prefixes' sluiced2.log || fail "list not reloaded: $(tail -n 5 sluiced2.log)"
grep -q 'refuse\|someone else' sluiced2.log && fail "restart refused: $(grep -m1 'refuse\|someone else' sluiced2.log)"
wait_for 60 grep -q 'client up:' sluiced2.log || fail "restarted sluiced never saw its client listening: $(tail -n 8 sluiced2.log)"
wait_for 30 sd_enabled || fail "redirection not on after the restart"
sleep 8 # traffic under the new sluiced
t_end=$(now_ms)
fl_stop_all
fault_report
echo "STREAM spt4 (proxied, across the kill and restart): $(tail -n1 spt4.stream)"
echo "AFTER restart: config $(ctl status --json | jq -c .config)"
echo "AFTER restart: sources $(srcs); rules $(rules), routes $(routes)"
echo "AFTER restart: v2ray processes in gw: $(clients | tr '\n' ' ')(sluiced's: $(sd_client_pid sluiced2.log))"
sed 's/^/NEW /' sluiced2.log | grep -E 'client|redirection|routing' | head -n 20

for s in sdt4 sdt6 sdu4; do stream_ok "$s"; done
fault_check_direct "$t_load" "$t_end"
assert_eq 2 "$(rules)" "policy rules after the restart (reclaimed, not doubled)"
assert_eq 2 "$(routes)" "policy routes after the restart"
new_cl=$(sd_client_pid sluiced2.log)
mapfile -t running < <(clients)
assert_eq "$new_cl" "${running[*]}" "v2ray processes in gw after the restart: only the one sluiced supervises"
fault_expect_proxied $((t_end - 5000)) "$t_end" proxied

# ---- a clean stop leaves nothing behind
kill -TERM "$SD_PID"
rc=0
wait "$SD_PID" || rc=$?
assert_eq 0 "$rc" "sluiced exit status"
assert_eq false "$(ctl status --json | jq -r .config.enabled)" "module after SIGTERM"
assert_eq 0 "$(rules)" "rules after SIGTERM"
assert_eq "" "$(clients | tr '\n' ' ')" "v2ray processes left after SIGTERM"
echo PASS
