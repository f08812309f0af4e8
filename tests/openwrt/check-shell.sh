#!/bin/bash
# The OpenWrt shell parts of dist/openwrt/sluice/files/:
#  - lint: shellcheck -s sh and busybox ash -n on the init, hotplug and
#    uci translation scripts (and the test doubles);
#  - keys: every key of sluiced's key table (userspace/sluiced/conf.c) is
#    translated and named in the shipped /etc/config/sluice;
#  - translation: the three setups of docs/openwrt.md, the shipped config
#    and one setting every key, run by busybox ash, give the expected lines
#    and pass `sluiced --check`; a redial, a device change, a boot with wan
#    down; a newline in a value and a bad value are refused;
#  - hotplug: the init script is called only when a lan/wan interface
#    comes up on another device;
#  - init: start/reload/devices/triggers against a test double of procd.
# uci, netifd and procd are test doubles (tests/openwrt/stub/ and the
# procd functions below), not OpenWrt's code.  Needs userspace/sluiced
# (built if missing), shellcheck and busybox (installed with apt if
# missing).  Ends with "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
# shellcheck source=tests/lib-count.sh
. "$ROOT/tests/lib-count.sh"

FILES=$ROOT/dist/openwrt/sluice/files
STUB=$ROOT/tests/openwrt/stub
SCRIPTS=("$FILES/sluice.init" "$FILES/sluice.hotplug" "$FILES/sluice-uci.sh")
SLUICED=$ROOT/userspace/sluiced/sluiced
DOC=$ROOT/docs/openwrt.md

# --- tools ---------------------------------------------------------------
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v busybox >/dev/null || missing+=(busybox)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]}"
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get -o DPkg::Lock::Timeout=900 install -y "${missing[@]}" >/dev/null
fi
for t in shellcheck busybox; do
	command -v "$t" >/dev/null || fail "$t is not installed"
done
[ -x "$SLUICED" ] || make --no-print-directory userspace >/dev/null 2>&1
[ -x "$SLUICED" ] || fail "no $SLUICED (make userspace)"
[ "$FAILED" -eq 0 ] || summary

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# --- lint ----------------------------------------------------------------
for f in "${SCRIPTS[@]}" "$STUB/lib/functions.sh" "$STUB/lib/functions/network.sh"; do
	name=${f#"$ROOT"/}
	if out=$(shellcheck -s sh -x "$f" 2>&1); then
		pass "shellcheck -s sh $name"
	else
		fail "shellcheck -s sh $name"
		while IFS= read -r l; do echo "    $l"; done <<<"$out"
	fi
	if out=$(busybox ash -n "$f" 2>&1); then
		pass "busybox ash -n $name"
	else
		fail "busybox ash -n $name: $out"
	fi
done

# --- the test root: what IPKG_INSTROOT points at --------------------------
# lib/ (uci and netifd doubles), usr/share/sluice/sluice-uci.sh, the
# files the configs name under etc/, an init script double for the hotplug
# test, and a `sluiced` that checks a file with its /etc/ paths moved here.
R=$TMP/root
mkdir -p "$R/usr/share/sluice" "$R/etc/init.d" "$R/etc/sluice" \
	"$R/etc/xray" "$R/etc/sing-box" "$R/etc/config" "$TMP/bin" "$TMP/var"
cp -r "$STUB/lib" "$R/"
cp "$FILES/sluice-uci.sh" "$R/usr/share/sluice/"
for l in country4:1.0.1.0/24 country6:2001:250::/35 private:10.0.0.0/8 \
	proxy-static:149.154.160.0/20 telegram:91.108.4.0/22 cn:1.0.1.0/24 \
	gfw:203.0.113.0/24; do
	echo "${l#*:}" >"$R/etc/sluice/${l%%:*}.txt"
done
cat >"$R/etc/xray/config.json" <<'EOF'
{ "outbounds": [ { "protocol": "vless",
  "settings": { "vnext": [ { "address": "proxy.example.net", "port": 443 } ] } } ] }
EOF
cat >"$R/etc/sing-box/config.json" <<'EOF'
{ "outbounds": [ { "type": "vless", "server": "proxy.example.net", "server_port": 443 } ] }
EOF
cat >"$R/etc/init.d/sluice" <<EOF
#!/bin/sh
echo "\$*" >>"$TMP/init-calls"
EOF
chmod +x "$R/etc/init.d/sluice"
# logger double for the hotplug script
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$TMP/logger" >"$TMP/bin/logger"
chmod +x "$TMP/bin/logger"
CHECK=$TMP/bin/sluiced-check
cat >"$CHECK" <<EOF
#!/bin/sh
# sluiced --check -c FILE, with the /etc/ paths of FILE under the test root
[ "\$1" = --check ] && [ "\$2" = -c ] || exit 99
sed 's# /etc/# $R/etc/#g' "\$3" >"\$3.t" && exec "$SLUICED" --check -c "\$3.t"
EOF
chmod +x "$CHECK"

# translate UCI NET OUT: /etc/config/sluice = UCI, netifd state = NET
# ("IFACE L3_DEVICE DEVICE" lines), sluiced.conf written to OUT
translate() {
	cp "$1" "$R/etc/config/sluice"
	# shellcheck disable=SC2016 # for busybox ash to expand
	IPKG_INSTROOT=$R STUB_UCI_DIR=$R/etc/config STUB_NET=$2 \
		SLUICE_DIR=$TMP/var busybox ash -c \
		'. "$IPKG_INSTROOT/usr/share/sluice/sluice-uci.sh" && sluice_uci_conf "$1"' \
		sh "$3"
}

# expect NAME OUT LINE...: OUT has each LINE; then sluiced --check accepts it
expect() {
	local name=$1 out=$2 line ok=1 msg
	shift 2
	for line in "$@"; do
		grep -Fxq -- "$line" "$out" || {
			fail "$name: no line '$line' in the generated file"
			ok=
		}
	done
	if msg=$("$CHECK" --check -c "$out" 2>&1); then
		[ -z "$ok" ] || pass "$name: expected lines, sluiced --check ok"
	else
		fail "$name: sluiced --check refused it: $(echo "$msg" | tail -n 1)"
		sed 's/^/    /' "$out"
	fi
}

# --- keys ----------------------------------------------------------------
mapfile -t KEYS < <(sed -n 's/^\t{ "\([a-z0-9-]*\)",.*/\1/p' userspace/sluiced/conf.c)
if [ ${#KEYS[@]} -lt 20 ]; then
	fail "read only ${#KEYS[@]} keys from userspace/sluiced/conf.c's table"
fi
# A value sluiced accepts for each key; a new key fails here until it is
# added to the translation, the shipped config and this table.
declare -A SAMPLE=(
	[client]="/usr/bin/xray run -c /etc/xray/config.json"
	[client-config]=/etc/xray/config.json [stop-timeout]=5s
	[restart-delay]="1s 60s" [probe-interval]=100ms [mode]=tproxy
	[port]=12345 [port6]=12346 [mark]=0xff/0xff [fwmark]=0x100/0x100
	[ct-mask]=0x30000000 [lan]=lan [wan]=wan [masquerade]=1 [local]=1
	[dns]=5353 [dns-local]=1 [src-mode]=exclude [src]=192.168.1.20
	[src-mac]=02:00:00:00:00:01 [default]=proxy [quic]=reject [routing]=1
	[route-table]=100 [rule-priority]=100 [list]="cn /etc/sluice/cn.txt"
	[proxy-list]="gfw /etc/sluice/gfw.txt" [server]=vpn.example.net
	[resolve-interval]=300s [failure-policy]=open [log-level]=info
	[flush-flows-on-reload]=0
)
# The value each key has in the generated file
declare -A WANT=([masquerade]=on [local]=on [dns-local]=on [routing]=on
	[flush-flows-on-reload]=off [lan]=br-lan [wan]=pppoe-wan)
LISTS=" lan src src-mac list proxy-list server "

printf 'lan br-lan br-lan\nwan pppoe-wan wan\n' >"$TMP/net-up"
{
	echo "config sluice 'main'"
	for k in "${KEYS[@]}"; do
		if [ -z "${SAMPLE[$k]+x}" ]; then
			fail "sluiced key '$k' has no sample value here (is it in sluice-uci.sh and sluice.config?)"
			continue
		fi
		kind=option
		[[ $LISTS == *" $k "* ]] && kind=list
		echo "	$kind ${k//-/_} '${SAMPLE[$k]}'"
	done
} >"$TMP/all.uci"
if translate "$TMP/all.uci" "$TMP/net-up" "$TMP/all.conf"; then
	lines=()
	for k in "${KEYS[@]}"; do
		lines+=("$k ${WANT[$k]:-${SAMPLE[$k]-}}")
	done
	expect "every key (${#KEYS[@]}) translated" "$TMP/all.conf" "${lines[@]}"
else
	fail "translating a config with every key failed"
fi

missing=()
for k in "${KEYS[@]}"; do
	grep -Eq "^[[:space:]]*#?(option|list) ${k//-/_} " "$FILES/sluice.config" ||
		missing+=("${k//-/_}")
done
if [ ${#missing[@]} -eq 0 ]; then
	pass "the shipped /etc/config/sluice names every key"
else
	fail "the shipped /etc/config/sluice lacks: ${missing[*]}"
fi

# the shipped file, as installed (enabled 0 still translates)
if translate "$FILES/sluice.config" "$TMP/net-up" "$TMP/shipped.conf"; then
	expect "shipped /etc/config/sluice" "$TMP/shipped.conf" \
		"lan br-lan" "wan pppoe-wan" "masquerade off" "quic reject"
else
	fail "translating the shipped /etc/config/sluice failed"
fi

# --- the three setups of docs/openwrt.md ---------------------------------
# doc_setup NAME: the fenced block after "<!-- check-shell: NAME -->"
doc_setup() {
	awk -v mark="<!-- check-shell: $1 -->" '
		$0 == mark { found = 1; next }
		found == 1 && /^```/ { found = 2; next }
		found == 2 && /^```/ { exit }
		found == 2 { print }' "$DOC"
}
declare -A NET=(
	[country]=$'lan br-lan br-lan\nwan pppoe-wan wan'
	[proxy-list]=$'lan br-lan br-lan\nwan eth1 eth1'
	[per-device]=$'lan br-lan br-lan\niot br-iot br-iot\nwan pppoe-wan wan'
)
declare -A LINES=(
	[country]=$'lan br-lan\nwan pppoe-wan\nmasquerade off\ndefault proxy\nlist country4 /etc/sluice/country4.txt\nlist country6 /etc/sluice/country6.txt\ndns 5353\nquic reject'
	[proxy-list]=$'lan br-lan\nwan eth1\ndefault direct\nproxy-list static /etc/sluice/proxy-static.txt\nproxy-list telegram /etc/sluice/telegram.txt\nport 7893\nclient-config /etc/sing-box/config.json'
	[per-device]=$'lan br-lan\nlan br-iot\nsrc-mode only\nsrc 192.168.1.20\nsrc 192.168.1.64/27\nsrc 2001:db8:1::/64\nsrc-mac 02:00:00:00:00:01\nfailure-policy closed'
)
for s in country proxy-list per-device; do
	doc_setup "$s" >"$TMP/$s.uci"
	if ! grep -q "^config sluice 'main'" "$TMP/$s.uci"; then
		fail "setup $s: no '<!-- check-shell: $s -->' block in docs/openwrt.md"
		continue
	fi
	echo "${NET[$s]}" >"$TMP/$s.net"
	rm -f "$TMP/var/devices"
	if translate "$TMP/$s.uci" "$TMP/$s.net" "$TMP/$s.conf"; then
		mapfile -t l <<<"${LINES[$s]}"
		expect "setup $s (docs/openwrt.md)" "$TMP/$s.conf" "${l[@]}"
	else
		fail "setup $s: translation failed"
	fi
done

# --- following netifd ----------------------------------------------------
# the country setup, wan up on pppoe-wan: then a redial (wan down: no
# l3_device), a move to dhcp on eth1, and a boot with wan never up
u=$TMP/country.uci
rm -f "$TMP/var/devices"
translate "$u" "$TMP/country.net" "$TMP/up.conf"
printf 'lan br-lan br-lan\nwan - wan\n' >"$TMP/net-down"
translate "$u" "$TMP/net-down" "$TMP/redial.conf"
if cmp -s "$TMP/up.conf" "$TMP/redial.conf"; then
	pass "PPPoE redial (wan down): the same file (wan pppoe-wan kept)"
else
	fail "PPPoE redial changed the file: $(diff "$TMP/up.conf" "$TMP/redial.conf" | tr '\n' ' ')"
fi
printf 'lan br-lan br-lan\nwan eth1 eth1\n' >"$TMP/net-dhcp"
translate "$u" "$TMP/net-dhcp" "$TMP/moved.conf"
expect "wan moved to eth1" "$TMP/moved.conf" "wan eth1"
if grep -Fxq "wan eth1" "$TMP/var/devices"; then
	pass "devices file follows: wan eth1"
else
	fail "devices file: $(tr '\n' ' ' <"$TMP/var/devices")"
fi
rm -f "$TMP/var/devices"
translate "$u" "$TMP/net-down" "$TMP/boot.conf"
expect "boot with wan never up: its configured device" "$TMP/boot.conf" "wan wan"
printf 'lan br-lan br-lan\n' >"$TMP/net-nowan"
rm -f "$TMP/var/devices"
sed "s/option wan 'wan'/option wan 'eth9'/" "$u" >"$TMP/rawdev.uci"
translate "$TMP/rawdev.uci" "$TMP/net-nowan" "$TMP/rawdev.conf"
expect "wan given as a device name" "$TMP/rawdev.conf" "wan eth9"

# --- bad input -----------------------------------------------------------
# (the uci double reads $'...' as a shell does)
printf "config sluice 'main'\n\tlist lan 'lan'\n\toption port \$'12345\\\\nlocal on'\n" >"$TMP/nl.uci"
echo "old" >"$TMP/nl.conf"
if translate "$TMP/nl.uci" "$TMP/net-up" "$TMP/nl.conf" 2>"$TMP/nl.err"; then
	fail "a value with a newline was translated"
elif [ "$(cat "$TMP/nl.conf")" = old ] && grep -q "newline" "$TMP/nl.err"; then
	pass "a value with a newline: refused with a message, the old file kept"
else
	fail "a value with a newline: file changed or no message ($(cat "$TMP/nl.err"))"
fi
sed "s/option port '12345'/option port '123456'/" "$u" >"$TMP/badport.uci"
if translate "$TMP/badport.uci" "$TMP/country.net" "$TMP/badport.conf" &&
	grep -Fxq "port 123456" "$TMP/badport.conf"; then
	if msg=$("$CHECK" --check -c "$TMP/badport.conf" 2>&1); then
		fail "port 123456 passed sluiced --check"
	else
		pass "port 123456: copied as it is, sluiced --check refuses it ($(echo "$msg" | tail -n 1 | sed "s#$TMP/##"))"
	fi
else
	fail "port 123456 was not copied as it is"
fi

# --- hotplug -------------------------------------------------------------
printf 'lan br-lan\nwan pppoe-wan\n' >"$TMP/var/devices"
# hotplug ACTION INTERFACE DEVICE: run it as hotplug-call does (sourced)
hotplug() {
	: >"$TMP/init-calls"
	# shellcheck disable=SC2016 # for busybox ash to expand
	PATH=$TMP/bin:$PATH IPKG_INSTROOT=$R SLUICE_DIR=$TMP/var \
		ACTION=$1 INTERFACE=$2 DEVICE=${3-} \
		busybox ash -c '( . "$1" )' sh "$FILES/sluice.hotplug"
	cat "$TMP/init-calls"
}
for c in "ifup wan pppoe-wan:" "ifdown wan :" "ifdown wan eth1:" "ifupdate wan eth1:" \
	"ifup guest br-guest:" "ifup lan br-lan:" "ifup wan eth1:devices"; do
	args=${c%%:*} want=${c#*:}
	# shellcheck disable=SC2086 # three words
	got=$(hotplug $args)
	if [ "$got" = "$want" ]; then
		pass "hotplug $args: ${want:-nothing}"
	else
		fail "hotplug $args: init script called with '${got}', expected '${want}'"
	fi
done

# --- init script against a procd double ----------------------------------
# run_init NET ACTION: source the init script as rc.common would, with
# procd's shell API replaced by functions that log to $TMP/procd; a file
# $TMP/running says procd has a running instance.
cat >"$TMP/procd-double.sh" <<'EOF'
# TEST DOUBLE of rc.common and procd.sh (the functions sluice.init uses)
procd_log() { echo "$*" >>"$STUB_PROCD"; }
procd_open_instance() { procd_log open_instance; }
procd_set_param() { procd_log "param $*"; }
procd_close_instance() { procd_log close_instance; }
procd_running() { [ -f "$STUB_RUNNING" ]; }
procd_send_signal() { procd_log "signal $*"; }
procd_kill() { procd_log "kill $*"; }
procd_open_trigger() { :; }
procd_close_trigger() { :; }
procd_add_reload_trigger() { procd_log "reload_trigger $*"; }
procd_add_interface_trigger() { procd_log "interface_trigger $*"; }
start() { start_service; }
stop() { stop_service; procd_kill sluice; }
reload() { reload_service; }
EOF
run_init() {
	: >"$TMP/procd"
	cp "$1" "$TMP/net-now"
	# shellcheck disable=SC2016 # for busybox ash to expand
	IPKG_INSTROOT=$R STUB_UCI_DIR=$R/etc/config STUB_NET=$TMP/net-now \
		SLUICE_DIR=$TMP/var STUB_PROCD=$TMP/procd STUB_RUNNING=$TMP/running \
		CHECK=$CHECK busybox ash -c \
		'. "$1"; . "$2"; PROG=$CHECK; "$3"; echo "rc=$?" >>"$STUB_PROCD"' \
		sh "$TMP/procd-double.sh" "$FILES/sluice.init" "$2" 2>"$TMP/init.err"
}
# procd_has NAME TEXT...: the procd log is exactly TEXT (one line each)
procd_has() {
	local name=$1 want
	shift
	want=$(printf '%s\n' "$@")
	if [ "$(cat "$TMP/procd")" = "$want" ]; then
		pass "init: $name"
	else
		fail "init: $name: procd saw $(tr '\n' '|' <"$TMP/procd") expected $(echo "$want" | tr '\n' '|')"
		sed 's/^/    /' "$TMP/init.err"
	fi
}
C=$TMP/var/sluiced.conf
# (PROG, /usr/sbin/sluiced, is replaced by $CHECK: it checks, and it is
# what the instance's command line then shows)
rm -f "$TMP/var/devices" "$C" "$TMP/running"
cp "$FILES/sluice.config" "$R/etc/config/sluice"
run_init "$TMP/country.net" start_service
procd_has "start with enabled 0: no instance" "rc=0"

cp "$TMP/country.uci" "$R/etc/config/sluice"
run_init "$TMP/country.net" start_service
procd_has "start: one instance, respawn, term_timeout 30" open_instance \
	"param command $CHECK -c $C" "param respawn" \
	"param term_timeout 30" close_instance rc=0
if grep -Fxq "wan pppoe-wan" "$C"; then
	pass "init: start wrote sluiced.conf"
else
	fail "init: start did not write $C"
fi

run_init "$TMP/country.net" service_triggers
procd_has "triggers: uci config sluice, interfaces lan and wan" \
	"reload_trigger sluice" \
	"interface_trigger interface.* lan /etc/init.d/sluice devices" \
	"interface_trigger interface.* wan /etc/init.d/sluice devices" rc=0

touch "$TMP/running"
run_init "$TMP/country.net" reload_service
procd_has "reload while running: checked, then SIGHUP" "signal sluice * HUP" rc=0

cp "$C" "$TMP/good.conf"
cp "$TMP/badport.uci" "$R/etc/config/sluice"
run_init "$TMP/country.net" reload_service
if [ "$(cat "$TMP/procd")" = "rc=1" ] && cmp -s "$C" "$TMP/good.conf"; then
	pass "init: reload of a bad config: no signal, running file kept, rc 1 ($(tail -n 1 "$TMP/init.err"))"
else
	fail "init: reload of a bad config: procd saw $(tr '\n' '|' <"$TMP/procd"); file changed: $(cmp -s "$C" "$TMP/good.conf" && echo no || echo yes)"
fi

cp "$TMP/country.uci" "$R/etc/config/sluice"
run_init "$TMP/net-down" devices
procd_has "devices on a redial (wan down): nothing signalled" rc=0
run_init "$TMP/country.net" devices
procd_has "devices on wan up again, same device: nothing signalled" rc=0
run_init "$TMP/net-dhcp" devices
procd_has "devices on wan moved to eth1: SIGHUP" "signal sluice * HUP" rc=0
if grep -Fxq "wan eth1" "$C"; then
	pass "init: devices wrote wan eth1"
else
	fail "init: devices did not write wan eth1"
fi

rm -f "$TMP/running"
run_init "$TMP/country.net" reload_service
procd_has "reload with no instance running: starts it" open_instance \
	"param command $CHECK -c $C" "param respawn" \
	"param term_timeout 30" close_instance rc=0
run_init "$TMP/net-dhcp" devices
procd_has "devices with no instance running: nothing" rc=0

cp "$FILES/sluice.config" "$R/etc/config/sluice"
touch "$TMP/running"
run_init "$TMP/country.net" reload_service
procd_has "reload after enabled 0: stopped" "kill sluice" rc=0

summary
