#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print -D flags for compat.h by looking at the target kernel's headers.
# We probe signatures instead of comparing version numbers because Debian
# backports API changes inside a stable series.
#
# Usage: compat-probe.sh SRCTREE [OBJTREE]
src=$1
obj=${2:-$1}

hdr() {
	for d in "$obj/include" "$src/include"; do
		if [ -f "$d/$1" ]; then
			echo "$d/$1"
			return
		fi
	done
	echo /dev/null
}

flag() {
	printf ' -D%s' "$1"
}

genl=$(hdr net/genetlink.h)

# 6.7+: dumpit gets its parsed attributes from genl_info_dump(cb)->attrs.
grep -q 'genl_info_dump' "$genl" && flag SLUICE_HAVE_GENL_INFO_DUMP
echo
