# shellcheck shell=sh
# 'local' is not POSIX but busybox ash has it, and OpenWrt's own
# /lib/functions.sh depends on it.
# shellcheck disable=SC3043
# /usr/share/sluice/sluice-uci.sh: /etc/config/sluice -> sluiced.conf.
# Sourced by /etc/init.d/sluice.
#
# Each UCI option is one sluiced.conf key (underscores for hyphens: UCI
# names allow no '-'); each list item is one line of that key.  Values are
# copied as they are: sluiced --check is the one place that validates them.
# Only three things are done here: '1'/'0' become on/off, netifd interface
# names (lan, wan) become the Linux devices netifd runs them on, and a value
# holding a newline is refused (it would make a second line).

# shellcheck source=/dev/null
. "${IPKG_INSTROOT}/lib/functions.sh"
# shellcheck source=/dev/null
. "${IPKG_INSTROOT}/lib/functions/network.sh"

# (SLUICE_DIR is set only by tests/openwrt/check-shell.sh)
SLUICE_DIR=${SLUICE_DIR:-/var/etc/sluice}
# shellcheck disable=SC2034 # used by sluice.init
SLUICE_CONF=$SLUICE_DIR/sluiced.conf
# "INTERFACE DEVICE" for each lan/wan interface of the last config: a down
# interface keeps that device; the hotplug script compares with it.
SLUICE_DEVICES=$SLUICE_DIR/devices

_sluice_nl='
'

# _sluice_line KEY VALUE: one sluiced.conf line
_sluice_line() {
	case "$2" in
	*"$_sluice_nl"*)
		echo "sluice: option '$1' holds a newline" >&2
		_sluice_bad=1
		return 1 ;;
	esac
	printf '%s %s\n' "$1" "$2"
}

# _sluice_uci_name KEY: the UCI option name of KEY, in _sluice_name
_sluice_uci_name() {
	_sluice_name=$1
	while :; do
		case "$_sluice_name" in
		*-*) _sluice_name=${_sluice_name%%-*}_${_sluice_name#*-} ;;
		*) return 0 ;;
		esac
	done
}

# options copied as they are
_sluice_opt() {
	local key val
	for key in "$@"; do
		_sluice_uci_name "$key"
		config_get val main "$_sluice_name"
		[ -z "$val" ] || _sluice_line "$key" "$val"
	done
}

# on/off options: UCI's '1'/'0' or sluiced's own words
_sluice_bool() {
	local key val
	for key in "$@"; do
		_sluice_uci_name "$key"
		config_get val main "$_sluice_name"
		case "$val" in
		1) val=on ;;
		0) val=off ;;
		esac
		[ -z "$val" ] || _sluice_line "$key" "$val"
	done
}

# lists: one line per item; an option where a list was meant is one line
_sluice_item() {
	_sluice_n=$((_sluice_n + 1))
	_sluice_line "$2" "$1"
}
_sluice_list() {
	local key
	for key in "$@"; do
		_sluice_uci_name "$key"
		_sluice_n=0
		config_list_foreach main "$_sluice_name" _sluice_item "$key"
		[ "$_sluice_n" -gt 0 ] || _sluice_opt "$key"
	done
}

# _sluice_dev IFACE KEY: the device netifd runs IFACE on (l3_device: br-lan,
# pppoe-wan); while IFACE is down, the device it had in the last config (a
# PPPoE redial changes nothing); down since boot, its configured device;
# not a netifd interface at all: IFACE itself, taken as a device name.
_sluice_dev() {
	local dev=
	network_get_device dev "$1" && [ -n "$dev" ] ||
		dev=$(sed -n "/^$1 /{s///p;q;}" "$SLUICE_DEVICES" 2>/dev/null)
	[ -n "$dev" ] || network_get_physdev dev "$1" || dev=
	[ -n "$dev" ] || dev=$1
	echo "$1 $dev" >>"$SLUICE_DEVICES.$$"
	_sluice_line "$2" "$dev"
}

# lan (list) and wan (option): netifd names, written either way
_sluice_ifaces() {
	local key val iface
	for key in "$@"; do
		config_get val main "$key"
		for iface in $val; do
			_sluice_dev "$iface" "$key"
		done
	done
}

# sluice_uci_conf FILE: write the sluiced.conf of /etc/config/sluice to FILE
# (through FILE.PID, renamed when complete); also updates SLUICE_DEVICES.
sluice_uci_conf() {
	_sluice_bad=
	mkdir -p "$SLUICE_DIR" "${1%/*}" || return 1
	: >"$SLUICE_DEVICES.$$"
	config_load sluice
	{
		echo "# generated from /etc/config/sluice by /etc/init.d/sluice: edit that"
		_sluice_opt client client-config stop-timeout restart-delay \
			probe-interval mode port port6 mark fwmark ct-mask dns \
			src-mode default quic route-table rule-priority \
			resolve-interval failure-policy log-level
		_sluice_bool masquerade local dns-local routing flush-flows-on-reload
		_sluice_ifaces lan wan
		_sluice_list src src-mac list proxy-list server
	} >"$1.$$"
	if [ -n "$_sluice_bad" ]; then
		rm -f "$1.$$" "$SLUICE_DEVICES.$$"
		return 1
	fi
	mv "$SLUICE_DEVICES.$$" "$SLUICE_DEVICES" && mv "$1.$$" "$1"
}
