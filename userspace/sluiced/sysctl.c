// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What sluiced does about sysctls: it logs, it sets nothing.
 *
 * Measured in QEMU guests on 6.1 and 6.12 (tests/vm/t/72-sysctl.sh,
 * docs/firewall.md): with the kernel's defaults tproxy and redirect need no
 * sysctl at all: not rp_filter (strict is fine: the reverse-path check
 * ignores the fwmark unless src_valid_mark is on), not route_localnet
 * (nothing is redirected to 127.0.0.1), not accept_local, not
 * ip_nonlocal_bind (the client uses IP_TRANSPARENT).  The only breakage is
 * src_valid_mark=1 (wg-quick sets it on "all"), and each of its fixes
 * (turning it off, or accept_local=1 on the LAN, which also lets LAN hosts
 * send with the gateway's own source address) is the operator's choice,
 * not the daemon's.  Forwarding is the router's business.  So: warn at
 * start and on SIGHUP, with the fix, as `sluicectl check` does.
 */
#include <string.h>

#include "checks.h"
#include "log.h"
#include "sysctl.h"

void sysctl_report(const struct sd_conf *c)
{
	struct sl_check_in in;
	struct sl_warns w = { 0 };
	size_t i;

	memset(&in, 0, sizeof(in));
	in.mode = c->mode;
	in.n_lan = c->n_lan;
	memcpy(in.lan, c->lan, sizeof(in.lan));
	in.sysctl_root = "/proc/sys";
	if (sl_check_all(&in, &w) < 0)
		log_err("namespace checks: out of memory");
	for (i = 0; i < w.n; i++)
		log_warn("%s (fix: %s)", w.v[i].msg,
			 w.v[i].fix[0] ? w.v[i].fix : "-");
	sl_warns_free(&w);
}
