#!/bin/bash
# Print the path of checkpatch.pl, extracting it once from Debian's
# linux-source-6.12 (tests/deps.sh installs it) into a cache outside the
# repository.
set -euo pipefail
CACHE=${SLUICE_CACHE:-/var/cache/sluice}/checkpatch
if [ -x "$CACHE/scripts/checkpatch.pl" ]; then
	echo "$CACHE/scripts/checkpatch.pl"
	exit 0
fi
tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | head -n1 || true)
if [ -z "$tarball" ]; then
	echo "checkpatch: /usr/src/linux-source-6.12.tar.xz missing (apt-get install linux-source-6.12)" >&2
	exit 1
fi
mkdir -p "$CACHE"
tar -xJf "$tarball" -C "$CACHE" --strip-components=1 --wildcards \
	'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch'
echo "$CACHE/scripts/checkpatch.pl"
