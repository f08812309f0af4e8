#!/bin/bash
# Dump the guest kernel's text symbols to <job>/bench/kallsyms.txt (the
# guest boots with nokaslr, so they are valid for every guest of this
# kernel): tests/bench/run.sh resolves the perf profiles with them when
# perf in the guest could not (Debian's System.map is a placeholder).
# timeout: 60
# shellcheck source=SCRIPTDIR/../../vm/lib.sh
. "$SLUICE_REPO/tests/vm/lib.sh"
JOB=$(sed -n 's/.*sluice_job=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p "$JOB/bench"
sysctl -qw kernel.kptr_restrict=0
grep -i ' t ' /proc/kallsyms >"$JOB/bench/kallsyms.txt"
