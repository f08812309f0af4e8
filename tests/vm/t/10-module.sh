#!/bin/bash
# timeout: 360
# Foundation: load/unload, config round trip over netlink, rejected values
# change nothing, CAP_NET_ADMIN needed, namespaces independent, clean
# teardown with namespaces coming and going.
. "$(dirname "$0")/../lib.sh"

CTL=$SLUICECTL
NLTEST=$SLUICE_REPO/tests/tools/sluice-nltest
[[ -x $NLTEST ]] || fail "missing $NLTEST (make -C tests/tools)"

# Without the module: a clear message and a non-zero exit.
out=$($CTL status 2>&1) && fail "status succeeded without the module"
assert_match "not loaded" "$out" "status without module"

load_sluice
# Parameters are visible in sysfs with their defaults; max_entries scales
# with the RAM (docs/design.md): 1/32 of it at 200 bytes an entry,
# 16384..1000000.  MemTotal is the kernel's totalram_pages.
ram_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
want=$((ram_kb * 1024 / 32 / 200))
((want < 16384)) && want=16384
((want > 1000000)) && want=1000000
assert_eq "$want" "$(cat /sys/module/sluice/parameters/max_entries)" "max_entries from ${ram_kb} kB of RAM"
assert_eq 12345 "$(cat /sys/module/sluice/parameters/default_port)" "default_port"

cfg() { $CTL status --json | jq -c ".config.$1"; }

# A fresh namespace does nothing: disabled, defaults from the parameters.
assert_eq false "$(cfg enabled)" "fresh module is disabled"
assert_eq '"tproxy"' "$(cfg mode)" "default mode"
assert_eq 12345 "$(cfg port)" "default port"
assert_eq 12345 "$(cfg port6)" "port6 follows port"
# ... and none of the later features is on.
assert_eq false "$(cfg local)" "default local"
assert_eq 0 "$(cfg dns_port)" "default dns"
assert_eq false "$(cfg dns_local)" "default dns-local"
assert_eq '"exclude"' "$(cfg src_mode)" "default src-mode"
assert_eq '[]' "$(cfg src_macs)" "default src-mac"
assert_eq '"proxy"' "$(cfg default)" "default default"
assert_eq '"pass"' "$(cfg quic)" "default quic"

# Round trip of every key.
ip link add lanA type dummy
ip link add lanB type dummy
ip link add wanX type dummy
$CTL set enabled on mode redirect port 1080 port6 1081 listen 127.0.0.1 \
	listen ::1 mark 0x40/0xc0 fwmark 0x1/0x1 lan lanA,lanB wan wanX \
	masquerade on no-listener drop
j=$($CTL status --json)
assert_eq true "$(jq .config.enabled <<<"$j")" enabled
assert_eq '"redirect"' "$(jq .config.mode <<<"$j")" mode
assert_eq 1080 "$(jq .config.port <<<"$j")" port
assert_eq 1081 "$(jq .config.port6 <<<"$j")" port6
assert_eq '"127.0.0.1"' "$(jq .config.listen4 <<<"$j")" listen4
assert_eq '"::1"' "$(jq .config.listen6 <<<"$j")" listen6
assert_eq 64 "$(jq .config.bypass_mark <<<"$j")" bypass_mark
assert_eq 192 "$(jq .config.bypass_mask <<<"$j")" bypass_mask
assert_eq 1 "$(jq .config.fwmark <<<"$j")" fwmark
assert_eq '["lanA","lanB"]' "$(jq -c .config.lan <<<"$j")" lan
assert_eq '"wanX"' "$(jq .config.wan <<<"$j")" wan
assert_eq true "$(jq .config.masquerade <<<"$j")" masquerade
assert_eq '"drop"' "$(jq .config.no_listener <<<"$j")" no_listener
$CTL set local on dns 5353 dns-local on src-mode only \
	src-mac 02:00:00:00:00:01,02:00:00:00:00:0a default direct quic reject
j=$($CTL status --json)
assert_eq true "$(jq .config.local <<<"$j")" local
assert_eq 5353 "$(jq .config.dns_port <<<"$j")" dns
assert_eq true "$(jq .config.dns_local <<<"$j")" dns-local
assert_eq '"only"' "$(jq .config.src_mode <<<"$j")" src-mode
assert_eq '["02:00:00:00:00:01","02:00:00:00:00:0a"]' \
	"$(jq -c .config.src_macs <<<"$j")" src-mac
assert_eq '"direct"' "$(jq .config.default <<<"$j")" default
assert_eq '"reject"' "$(jq .config.quic <<<"$j")" quic
# Setting one key leaves the others, the MAC set included.
$CTL set port 1080
assert_eq '["02:00:00:00:00:01","02:00:00:00:00:0a"]' "$(cfg src_macs)" "src-mac kept"

# Every invalid value is refused with a message, and nothing changes.
before=$($CTL status --json | jq -c .config)
bad() {
	local out
	if out=$($CTL set "$@" 2>&1); then
		fail "accepted: set $*"
	fi
	[[ -n $out ]] || fail "no message for: set $*"
	echo "rejected: set $* -> $out"
}
bad port 0
bad port 65536
bad port -1
bad mode nat
bad enabled maybe
bad mark 0x1ff/0xff
bad mark 0/0
bad fwmark 0
bad fwmark 0x40/0xc0 # would catch the bypass mark: loop
bad listen 1.2.3
bad lan a,a
bad lan wanX
bad masquerade on wan none
bad no-listener sometimes
bad lan lan0,lan1,lan2,lan3,lan4,lan5,lan6,lan7,lan8,lan9,lan10,lan11,lan12,lan13,lan14,lan15,lan16
bad wan abcdefghijklmnopq
bad colour blue
bad port 1 mode nat # one bad pair spoils the whole request
bad local maybe
bad dns 65536
bad dns-local yes
bad src-mode all
bad src-mac 00:00:00:00:00:00
bad src-mac 01:00:5e:00:00:01
bad src-mac ff:ff:ff:ff:ff:ff
bad src-mac 02:00:00:00:00:01,02:00:00:00:00:01
bad src-mac 02:00:00:00:00
bad src-mac "$(for i in $(seq 1 65); do printf '02:00:00:00:01:%02x,' "$i"; done | sed 's/,$//')"
bad default tunnel
bad quic drop
# The kernel's own check: dns-local needs the DNS port it redirects to.
out=$($CTL set dns off 2>&1) && fail "dns off accepted with dns-local on"
assert_match "dns-local" "$out" "dns off while dns-local on: message"
assert_eq "$before" "$($CTL status --json | jq -c .config)" "config unchanged by rejected sets"

# Raw netlink: malformed attributes, each rejected with an extack message.
$NLTEST badinput || fail "raw bad input was not rejected cleanly"
assert_eq "$before" "$($CTL status --json | jq -c .config)" "config unchanged by raw bad input"

# The new keys switch back off.
$CTL set dns off dns-local off src-mac none src-mode exclude default proxy \
	quic pass local off
j=$($CTL status --json)
assert_eq 0 "$(jq .config.dns_port <<<"$j")" "dns off"
assert_eq false "$(jq .config.dns_local <<<"$j")" "dns-local off"
assert_eq '[]' "$(jq -c .config.src_macs <<<"$j")" "src-mac none"
assert_eq '"exclude"' "$(jq .config.src_mode <<<"$j")" "src-mode exclude"
assert_eq '"proxy"' "$(jq .config.default <<<"$j")" "default proxy"
assert_eq '"pass"' "$(jq .config.quic <<<"$j")" "quic pass"
assert_eq false "$(jq .config.local <<<"$j")" "local off"
before=$($CTL status --json | jq -c .config)

# Unprivileged: neither reading nor changing, each said clearly.
$CTL add 192.0.2.0/24 source priv
unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
denied="sluicectl: permission denied: sluice needs CAP_NET_ADMIN \(run as root\)"
for c in status list "list source priv" "test 192.0.2.1" "set port 4000" "add 10.0.0.0/8"; do
	# shellcheck disable=SC2086 # one word per argument
	out=$(unpriv "$CTL" $c 2>&1) && fail "unprivileged '$c' succeeded: $out"
	assert_match "^$denied\$" "$out" "unprivileged '$c' message"
done
assert_eq "192.0.2.0/24 source priv" "$($CTL list)" "list unchanged by EPERM"
$CTL flush
assert_eq "$before" "$($CTL status --json | jq -c .config)" "config unchanged by EPERM"

# Namespaces are independent.
ip netns add a
ip netns add b
ip netns exec a "$CTL" set port 2000
ip netns exec b "$CTL" set port 3000 enabled on
assert_eq 2000 "$(ip netns exec a "$CTL" status --json | jq .config.port)" "ns a port"
assert_eq 3000 "$(ip netns exec b "$CTL" status --json | jq .config.port)" "ns b port"
assert_eq false "$(ip netns exec a "$CTL" status --json | jq .config.enabled)" "ns a disabled"
assert_eq 1080 "$(cfg port)" "init ns untouched"
ip netns exec a "$CTL" add 10.0.0.0/8
assert_eq 0 "$(ip netns exec b "$CTL" list | wc -l)" "ns b has no entries"

# Interfaces are tracked by name: ifindex follows a device that comes back.
ip link del lanA
ip link add lanA type dummy
assert_eq '["lanA","lanB"]' "$(cfg lan)" "lan kept across device re-creation"

# Teardown: namespaces with enabled hooks and entries go away, then rmmod.
ip netns exec b "$CTL" add 192.0.2.0/24 203.0.113.7
ip netns del a
ip netns del b
for i in 1 2 3; do
	ip netns add "tmp$i"
	ip netns exec "tmp$i" "$CTL" set enabled on masquerade on wan lo
	ip netns exec "tmp$i" "$CTL" add 198.51.100.0/24 timeout 60
	# Every list holds entries, timed ones included, at namespace exit.
	ip netns exec "tmp$i" "$CTL" -L proxy add 203.0.113.0/24 203.0.113.9 timeout 60
	ip netns exec "tmp$i" "$CTL" -L proxy add 2001:db8:5::/48
	ip netns exec "tmp$i" "$CTL" -L src add 192.0.2.10 timeout 60
	ip netns exec "tmp$i" "$CTL" -L src add 192.0.2.128/25
done
ip -all netns delete
$CTL set enabled off masquerade off
ip link del lanA
ip link del lanB
ip link del wanX
unload_sluice
[[ ! -d /sys/module/sluice ]] || fail "module still loaded"

# Load and unload again with namespaces created and destroyed in between.
load_sluice max_entries=10 default_port=4242
assert_eq 4242 "$(cfg port)" "default_port parameter applies"
ip netns add c
assert_eq 4242 "$(ip netns exec c "$CTL" status --json | jq .config.port)" "new ns gets default_port"
ip netns del c
unload_sluice
echo "ok"
