#!/bin/bash
# Print the two kernels sluice is tested on, one per line: Debian 12's
# 6.1 kernel and its newest 6.12 kernel, as installed (tests/deps.sh).
set -euo pipefail
k61=$(ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | sort -V | tail -n1 || true)
k612=$(ls /boot/vmlinuz-6.12.*+deb12-amd64 2>/dev/null | sort -V | tail -n1 || true)
for k in "$k61" "$k612"; do
	[ -n "$k" ] && echo "${k#/boot/vmlinuz-}"
done
exit 0
