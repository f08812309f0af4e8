// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Sysctls of the current namespace that break sluice's flows.  Measured
 * in QEMU guests on 6.1 and 6.12 (docs/firewall.md, tests/vm/t/72-sysctl.sh):
 *
 *  - src_valid_mark (all or a LAN interface), tproxy mode: the reverse-path
 *    check of a LAN packet then uses the fwmark sluice put on it, which
 *    policy routing sends to the "local default dev lo" table: the source
 *    looks local and the packet is dropped as a martian.  IPv4 only (IPv6
 *    has no such check).  accept_local=1 on the interface lets it through,
 *    unless rp_filter is strict (1) there, which then fails on the device.
 *  - ip_forward / conf.LAN.forwarding 0: redirected flows still work
 *    (they are local deliveries), direct ones do not; ipv6 all.forwarding
 *    0: direct IPv6 flows fail (and the gateway stops being a router).
 *
 * Not checked, because they measurably change nothing for sluice: strict
 * rp_filter alone, route_localnet (sluice never redirects to 127.0.0.1),
 * accept_local alone, ip_nonlocal_bind, ipv6 per-interface forwarding.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "config.h"

void sl_check_in_from_config(struct sl_check_in *in,
			     const struct sl_config *c)
{
	unsigned i;

	memset(in, 0, sizeof(*in));
	in->mode = SLUICE_MODE_TPROXY;
	in->sysctl_root = "/proc/sys";
	if (c->have & SL_CFG_MODE)
		in->mode = c->mode;
	if (c->have & SL_CFG_LAN) {
		for (i = 0; i < c->n_lan && i < SLUICE_MAX_LAN_IFS; i++)
			snprintf(in->lan[i], sizeof(in->lan[i]), "%s",
				 c->lan[i]);
		in->n_lan = i;
	}
	in->local = (c->have & SL_CFG_LOCAL) && c->local;
	if (c->have & SL_CFG_PORT)
		in->port = c->port;
	in->port6 = (c->have & SL_CFG_PORT6) ? c->port6 : in->port;
}

/* The integer in ROOT/PATH; -1 if it cannot be read (no such interface). */
static int rd(const struct sl_check_in *in, const char *fmt, const char *a)
{
	char path[256], rel[160], buf[32], *end;
	long v;
	FILE *f;

	snprintf(rel, sizeof(rel), fmt, a ? a : "");
	snprintf(path, sizeof(path), "%s/%s", in->sysctl_root, rel);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || v < 0 || v > 1000000)
		return -1;
	return (int)v;
}

#define CONF4 "net/ipv4/conf/%s/"

static int max2(int a, int b)
{
	return a > b ? a : b;
}

/* tproxy: the martian drop of marked packets, per LAN interface. */
static int check_src_valid_mark(const struct sl_check_in *in, const char *lan,
				struct sl_warns *w)
{
	int svm_all = rd(in, CONF4 "src_valid_mark", "all");
	int svm = rd(in, CONF4 "src_valid_mark", lan);
	int al = max2(rd(in, CONF4 "accept_local", "all"),
		      rd(in, CONF4 "accept_local", lan));
	int rpf_all = rd(in, CONF4 "rp_filter", "all");
	int rpf = max2(rpf_all, rd(in, CONF4 "rp_filter", lan));
	char fix[SL_WARN_FIX_LEN];
	const char *which;

	if (svm < 0)		/* no such interface (yet) */
		return 0;
	if (svm_all <= 0 && svm <= 0)
		return 0;
	if (al > 0 && rpf != 1)
		return 0;
	which = svm_all > 0 ? "all" : lan;
	if (al > 0)	/* accept_local is on; strict rp_filter still drops */
		snprintf(fix, sizeof(fix),
			 "sysctl -w net.ipv4.conf.%s.rp_filter=2%s",
			 rpf_all == 1 ? "all" : lan,
			 rpf_all == 1 ? " (and any interface left at 1)" : "");
	else
		snprintf(fix, sizeof(fix),
			 "sysctl -w net.ipv4.conf.%s.src_valid_mark=0; or, if "
			 "something needs it (wg-quick sets it on all): sysctl "
			 "-w net.ipv4.conf.%s.accept_local=1%s",
			 which, lan, rpf == 1 ? " and rp_filter=2 (not 1)" : "");
	return sl_warn_add(w, "src_valid_mark", fix,
			   "net.ipv4.conf.%s.src_valid_mark=1%s: tproxy'd IPv4 "
			   "packets from %s fail the reverse-path check (their "
			   "fwmark routes to the local table) and are dropped "
			   "as martians",
			   which, al > 0 ? " with strict rp_filter" : "", lan);
}

static int check_forwarding(const struct sl_check_in *in, struct sl_warns *w)
{
	int fwd4 = rd(in, "net/ipv4/ip_forward", NULL);
	int fwd6 = rd(in, "net/ipv6/conf/all/forwarding", NULL);
	bool v6_lan = false;
	unsigned i;

	if (fwd4 == 0 &&
	    sl_warn_add(w, "ip_forward", "sysctl -w net.ipv4.ip_forward=1",
			"net.ipv4.ip_forward=0: direct IPv4 flows from the LAN "
			"are not forwarded (redirected ones still work)") < 0)
		return -1;
	for (i = 0; i < in->n_lan; i++) {
		char fix[SL_WARN_FIX_LEN];

		if (rd(in, "net/ipv6/conf/%s/disable_ipv6", in->lan[i]) == 0)
			v6_lan = true;
		if (fwd4 != 1 ||
		    rd(in, CONF4 "forwarding", in->lan[i]) != 0)
			continue;
		snprintf(fix, sizeof(fix),
			 "sysctl -w net.ipv4.conf.%s.forwarding=1", in->lan[i]);
		if (sl_warn_add(w, "forwarding", fix,
				"net.ipv4.conf.%s.forwarding=0: direct IPv4 "
				"flows from %s are not forwarded",
				in->lan[i], in->lan[i]) < 0)
			return -1;
	}
	if (fwd6 == 0 && v6_lan &&
	    sl_warn_add(w, "ipv6_forwarding",
			"sysctl -w net.ipv6.conf.all.forwarding=1",
			"net.ipv6.conf.all.forwarding=0: direct IPv6 flows "
			"from the LAN are not forwarded (and the gateway is an "
			"IPv6 host, not a router)") < 0)
		return -1;
	return 0;
}

int sl_check_sysctls(const struct sl_check_in *in, struct sl_warns *w)
{
	unsigned i;

	if (check_forwarding(in, w) < 0)
		return -1;
	if (in->mode != SLUICE_MODE_TPROXY)
		return 0;
	for (i = 0; i < in->n_lan; i++)
		if (check_src_valid_mark(in, in->lan[i], w) < 0)
			return -1;
	return 0;
}
