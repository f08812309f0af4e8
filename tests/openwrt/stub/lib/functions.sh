# shellcheck shell=sh
# TEST DOUBLE of OpenWrt's /lib/functions.sh: only the uci config API that
# dist/openwrt/sluice/files/ uses, written for tests/openwrt/check-shell.sh.
# Not OpenWrt's code.  Reads STUB_UCI_DIR/PACKAGE in uci's file syntax
# (config/option/list lines), each line read as a shell reads words: so
# quotes work as in uci, and $'...' can put a newline into a value.
# Values land where OpenWrt's config_load puts them: CONFIG_<section>_<name>;
# a list also in CONFIG_<section>_<name>_ITEM<n> and _LENGTH, and joined
# with blanks in CONFIG_<section>_<name>.  Like uci_load, a new load first
# empties the lists of the previous one (options are only overwritten).  Local names start with _st_ so
# that no caller's variable is shadowed (sh scoping is dynamic).
# shellcheck disable=SC3043

config_load() {
	local _st_file="$STUB_UCI_DIR/$1" _st_line _st_sec='' _st_n
	[ -f "$_st_file" ] || return 1
	for _st_n in $_ST_LISTS; do
		eval "CONFIG_$_st_n= CONFIG_${_st_n}_LENGTH="
	done
	_ST_LISTS=
	while IFS= read -r _st_line || [ -n "$_st_line" ]; do
		case "$_st_line" in
		'' | \#* | [[:space:]]\#*) continue ;;
		esac
		eval "set -- $_st_line"
		[ $# -gt 0 ] || continue
		case "$1" in
		config) _st_sec=$3 ;;
		option) eval "CONFIG_${_st_sec}_$2=\$3" ;;
		list)
			eval "_st_n=\${CONFIG_${_st_sec}_${2}_LENGTH:-0}"
			[ "$_st_n" != 0 ] || _ST_LISTS="$_ST_LISTS ${_st_sec}_$2"
			_st_n=$((_st_n + 1))
			eval "CONFIG_${_st_sec}_${2}_ITEM$_st_n=\$3"
			eval "CONFIG_${_st_sec}_${2}_LENGTH=$_st_n"
			eval "CONFIG_${_st_sec}_$2=\"\${CONFIG_${_st_sec}_$2:+\$CONFIG_${_st_sec}_$2 }\$3\""
			;;
		*) echo "stub config_load: bad line: $_st_line" >&2; return 1 ;;
		esac
	done <"$_st_file"
}

# config_get VAR SECTION OPTION [DEFAULT]
config_get() {
	eval "$1=\${CONFIG_$2_$3:-\${4-}}"
}

# config_get_bool VAR SECTION OPTION [DEFAULT]
config_get_bool() {
	local _st_b
	config_get _st_b "$2" "$3" "${4-}"
	case "$_st_b" in
	1 | on | true | yes | enabled) _st_b=1 ;;
	0 | off | false | no | disabled) _st_b=0 ;;
	*) _st_b=${4-} ;;
	esac
	eval "$1=\$_st_b"
}

# config_list_foreach SECTION OPTION FUNCTION [ARGS...]: FUNCTION ITEM ARGS...
config_list_foreach() {
	local _st_sec="$1" _st_opt="$2" _st_fn="$3" _st_len _st_c=1 _st_val
	shift 3
	eval "_st_len=\${CONFIG_${_st_sec}_${_st_opt}_LENGTH:-}"
	[ -n "$_st_len" ] || return 0
	while [ "$_st_c" -le "$_st_len" ]; do
		eval "_st_val=\$CONFIG_${_st_sec}_${_st_opt}_ITEM$_st_c"
		"$_st_fn" "$_st_val" "$@"
		_st_c=$((_st_c + 1))
	done
}
