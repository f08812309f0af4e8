#!/bin/bash
# timeout: 360
# sluiced with failure-policy closed (kill switch), redirect mode (so no
# policy routing), and no `client` key: the client is run by someone else
# and sluiced only probes its port.  Runs under valgrind when available, so
# the daemon's real paths (netlink, rtnetlink, signals, reload) are checked
# for leaks and invalid accesses too.
# shellcheck source=SCRIPTDIR/../lib.sh
. "$(dirname "$0")/../lib.sh"

CTL=$SLUICECTL
SD=${SLUICED:-$SLUICE_REPO/userspace/sluiced/sluiced}
[[ -d $SD ]] && SD=$SD/sluiced
[[ -x $SD ]] || fail "sluiced not built ($SD): make -C userspace/sluiced"

cfg() { in_gw "$CTL" status --json | jq -r ".config.$1"; }
is_enabled() { [[ $(cfg enabled) == true ]]; }
is_disabled() { [[ $(cfg enabled) == false ]]; }
logged() { grep -q -- "$1" sluiced.log; }

load_sluice
topo_basic

mkdir -p lists
printf '# private\n10.0.0.0/8\n172.16.0.0/12\nfd00::/8\n' >lists/private.txt
cat >sluiced.conf <<CONF
lan lan0
wan wan0
mode redirect
port 12345
probe-interval 50ms
failure-policy closed
list private $PWD/lists/private.txt
log-level debug
CONF

VG=()
if command -v valgrind >/dev/null; then
	# shellcheck disable=SC2054 # the commas are valgrind's
	VG=(valgrind -q --leak-check=full --show-leak-kinds=definite,indirect
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99
	    --log-file=vg.log)
fi
ip netns exec gw "${VG[@]}" "$SD" -f -c sluiced.conf >sluiced.log 2>&1 &
sdpid=$!
track_pid "$sdpid"
on_exit 'echo "--- sluiced.log"; cat sluiced.log; [[ -f vg.log ]] && { echo "--- vg.log"; cat vg.log; }'

# Kill switch: on from the start, dropping what finds no listener.
# valgrind under TCG on a busy host: its start alone took over a minute
wait_for 150 is_enabled || fail "closed policy: redirection not on at start"
assert_eq drop "$(cfg no_listener)" "no-listener with failure-policy closed"
assert_eq redirect "$(cfg mode)" "mode"
[[ $(ip -n gw rule show) != *"lookup 100"* ]] || fail "redirect mode installed policy routing"
wait_for 30 logged 'list private loaded: 3 prefixes' || fail "list not loaded"

# The external client comes up, then dies: redirection stays on.
ip netns exec gw socat TCP-LISTEN:12345,fork,reuseaddr /dev/null &
spid=$!
track_pid "$spid"
wait_for 30 logged 'client up: port 12345' || fail "external client not seen"
kill "$spid"
wait "$spid" 2>/dev/null || true
wait_for 30 logged 'no longer accepts' || fail "external client death not seen"
is_enabled || fail "closed policy turned redirection off"
# an "off" shorter than a status poll leaves its line in sluiced's log
! logged 'redirection off' || fail "closed policy turned redirection off: $(grep 'redirection off' sluiced.log)"

# SIGHUP: a list with a bad line keeps the old contents.
echo "10.0.0.1/8" >>lists/private.txt
kill -HUP "$sdpid"
wait_for 30 logged "private.txt:5: .*old contents kept" || fail "bad list not reported with FILE:LINE"
assert_match 'private' "$(in_gw "$CTL" list source private)" "old list contents still there"
[[ $(in_gw "$CTL" list source private | grep -c .) -ge 3 ]] || fail "list shrank"

kill -TERM "$sdpid"
rc=0
wait "$sdpid" || rc=$?
assert_eq 0 "$rc" "sluiced exit status (99 = valgrind errors)"
is_disabled || fail "module still enabled after SIGTERM"
echo PASS
