# shellcheck shell=sh
# TEST DOUBLE of OpenWrt's /lib/functions/network.sh (which asks netifd
# over ubus), written for tests/openwrt/check-shell.sh; not OpenWrt's code.
# STUB_NET names a file of "INTERFACE L3_DEVICE DEVICE" lines, '-' for a
# field netifd would not report (l3_device: the interface is down).
# Local names start with _sn_ (sh scoping is dynamic).
# shellcheck disable=SC3043

_stub_net() {
	local _sn_want="$2" _sn_field="$3" _sn_i _sn_l3 _sn_dev _sn_v
	while read -r _sn_i _sn_l3 _sn_dev; do
		[ "$_sn_i" = "$_sn_want" ] || continue
		if [ "$_sn_field" = l3 ]; then _sn_v=$_sn_l3; else _sn_v=$_sn_dev; fi
		[ "$_sn_v" != - ] || return 1
		eval "$1=\$_sn_v"
		return 0
	done <"$STUB_NET"
	return 1
}

# network_get_device VAR IFACE: the layer 3 device (l3_device), only while up
network_get_device() { _stub_net "$1" "$2" l3; }

# network_get_physdev VAR IFACE: the configured device (device)
network_get_physdev() { _stub_net "$1" "$2" dev; }
