// SPDX-License-Identifier: GPL-2.0
/*
 * The decision of a new flow, from the LAN or (with `local on`) from the
 * gateway itself: direct, into the tunnel client, to the DNS port, or
 * rejected.
 *
 * Shared by the hooks (hooks.c) and by CLASSIFY, so that `sluicectl test`
 * explains exactly what the data path does.  The order (docs/design.md,
 * "Decision order") is cheapest first; every step that ends the decision
 * names itself (enum sluice_rule) so counters and explanations agree.
 */
#include <linux/in.h>
#include <linux/ipv6.h>
#include <linux/etherdevice.h>
#include <net/route.h>
#include <net/addrconf.h>

#include "decide.h"

/* Any address of this namespace, and broadcast/multicast: never proxied. */
static bool sluice_is_local(struct net *net, const struct sluice_tuple *t)
{
	if (t->family == AF_INET) {
		if (ipv4_is_multicast(t->daddr.v4) ||
		    ipv4_is_lbcast(t->daddr.v4))
			return true;
		switch (inet_addr_type(net, t->daddr.v4)) {
		case RTN_LOCAL:
		case RTN_BROADCAST:
		case RTN_MULTICAST:
			return true;
		default:
			return false;
		}
	}
	return ipv6_addr_is_multicast(&t->daddr.v6) ||
	       ipv6_chk_addr(net, &t->daddr.v6, NULL, 0);
}

/* Is @addr (family @family) in list @list of @sn?  Under RCU. */
static __always_inline bool sluice_list_has(struct sluice_net *sn,
					    enum sluice_list list, u8 family,
					    const void *addr)
{
	struct sluice_wl *wl = &sn->lists[list];

	if (family == AF_INET)
		return sluice_wl_lookup4(wl, *(const __be32 *)addr);
	return sluice_wl_lookup6(wl, addr);
}

static bool sluice_mac_listed(const struct sluice_cfg *cfg, const u8 *mac)
{
	int i;

	for (i = 0; i < cfg->n_macs; i++)
		if (ether_addr_equal(cfg->src_macs[i], mac))
			return true;
	return false;
}

/* Source selection of a LAN packet: SRC list by address, SRC_MACS by MAC. */
static enum sluice_rule sluice_decide_src(struct sluice_net *sn,
					  const struct sluice_cfg *cfg,
					  const struct sluice_tuple *t)
{
	bool listed;

	listed = sluice_list_has(sn, SLUICE_LIST_SRC, t->family, &t->saddr) ||
		 (t->has_mac && sluice_mac_listed(cfg, t->mac));
	if (cfg->src_mode == SLUICE_SRC_EXCLUDE && listed)
		return SLUICE_RULE_SRC_EXCLUDED;
	if (cfg->src_mode == SLUICE_SRC_ONLY && !listed)
		return SLUICE_RULE_SRC_NOT_LISTED;
	return SLUICE_RULE_REDIRECT;
}

enum sluice_rule sluice_decide_early(struct sluice_net *sn,
				     const struct sluice_cfg *cfg,
				     const struct sluice_tuple *t)
{
	enum sluice_rule rule;

	if (!cfg->enabled)
		return SLUICE_RULE_DISABLED;
	if (t->local_out) {
		if (!cfg->local)
			return SLUICE_RULE_LOCAL_OFF;
	} else if (!sluice_is_lan(cfg, t->ifindex)) {
		return SLUICE_RULE_NOT_LAN;
	}
	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		return SLUICE_RULE_NOT_TCPUDP;
	if ((t->mark & cfg->bypass_mask) == cfg->bypass_mark)
		return SLUICE_RULE_BYPASS_MARK;
	/* The gateway is one host: source selection is for LAN hosts. */
	if (!t->local_out) {
		rule = sluice_decide_src(sn, cfg, t);
		if (rule != SLUICE_RULE_REDIRECT)
			return rule;
	}
	/*
	 * DNS goes to DNS_PORT whatever its destination, before the
	 * white_list: a LAN resolver set to a listed server is redirected
	 * too.  The gateway's own resolver queries stay direct unless
	 * DNS_LOCAL asks otherwise, so the gateway keeps resolving while the
	 * tunnel client is down.  A server on the gateway itself (loopback,
	 * its own addresses) is never redirected: it may be the very
	 * resolver that forwards to DNS_PORT, and it is not leaving anyway.
	 */
	if (t->dport == htons(53)) {
		if (t->local_out) {
			if (!cfg->dns_local || !cfg->dns_port)
				return SLUICE_RULE_LOCAL_DNS;
			if (sluice_is_local(sn->net, t))
				return SLUICE_RULE_LOCAL;
			return SLUICE_RULE_DNS;
		}
		if (cfg->dns_port)
			return SLUICE_RULE_DNS;
	}
	return SLUICE_RULE_REDIRECT;
}

enum sluice_rule sluice_decide_dest(struct sluice_net *sn,
				    const struct sluice_cfg *cfg,
				    const struct sluice_tuple *t)
{
	enum sluice_rule rule = SLUICE_RULE_REDIRECT;

	/*
	 * All three let the flow go direct; the list lookups (a few ns)
	 * come first because they answer most direct flows, and sluiced
	 * lists the gateway's own addresses in the white_list too, while
	 * the local check is a FIB lookup.  So it only runs for a flow that
	 * would otherwise be redirected.
	 */
	if (sluice_list_has(sn, SLUICE_LIST_WHITE, t->family, &t->daddr))
		return SLUICE_RULE_WHITE_LIST;
	if (cfg->dflt == SLUICE_DEFAULT_DIRECT) {
		if (!sluice_list_has(sn, SLUICE_LIST_PROXY, t->family,
				     &t->daddr))
			return SLUICE_RULE_DEFAULT_DIRECT;
		rule = SLUICE_RULE_PROXY_LIST;
	}
	if (sluice_is_local(sn->net, t))
		return SLUICE_RULE_LOCAL;
	/* From here on the flow is one to redirect. */
	if (t->proto == IPPROTO_UDP) {
		/* Browsers fall back to TCP, which the tunnel carries well. */
		if (cfg->quic_reject && t->dport == htons(443))
			return SLUICE_RULE_QUIC_REJECT;
		if (cfg->mode == SLUICE_MODE_REDIRECT)
			return SLUICE_RULE_UDP_REDIRECT_MODE;
	}
	return rule;
}

enum sluice_rule sluice_decide(struct sluice_net *sn,
			       const struct sluice_cfg *cfg,
			       const struct sluice_tuple *t)
{
	enum sluice_rule rule = sluice_decide_early(sn, cfg, t);

	return rule == SLUICE_RULE_REDIRECT ? sluice_decide_dest(sn, cfg, t) :
					      rule;
}

int sluice_classify(struct sluice_net *sn, struct net *net,
		    struct sluice_tuple *t, struct sluice_decision *d)
{
	const struct sluice_cfg *cfg;
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	cfg = rcu_dereference(sn->cfg);
	if (t->local_out) {
		/* The gateway's own packets have no input device. */
		t->ifindex = 0;
	} else if (t->iif[0]) {
		dev = dev_get_by_name_rcu(net, t->iif);
		if (!dev) {
			err = -ENODEV;
			goto out;
		}
		t->ifindex = dev->ifindex;
	} else {
		/* Default: as if it came in on the first LAN interface. */
		t->ifindex = cfg->n_lan ? cfg->lan_ifindex[0] : 0;
	}
	d->rule = sluice_decide(sn, cfg, t);
	d->verdict = sluice_rule_verdict(d->rule);
out:
	rcu_read_unlock();
	return err;
}
