// SPDX-License-Identifier: GPL-2.0
/*
 * The decision of a new LAN flow: direct, or into the tunnel client.
 *
 * Shared by the hooks (hooks.c) and by CLASSIFY, so that `sluicectl test`
 * explains exactly what the data path does.  The order is cheapest first;
 * every step that lets a packet go direct names itself (enum sluice_rule)
 * so counters and explanations agree.
 */
#include <linux/in.h>
#include <linux/ipv6.h>
#include <net/route.h>
#include <net/addrconf.h>

#include "decide.h"

static bool sluice_is_lan(const struct sluice_cfg *cfg, int ifindex)
{
	int i;

	for (i = 0; i < cfg->n_lan; i++)
		if (cfg->lan_ifindex[i] == ifindex && ifindex)
			return true;
	return false;
}

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

enum sluice_rule sluice_decide_early(const struct sluice_cfg *cfg,
				     const struct sluice_tuple *t)
{
	if (!cfg->enabled)
		return SLUICE_RULE_DISABLED;
	if (!sluice_is_lan(cfg, t->ifindex))
		return SLUICE_RULE_NOT_LAN;
	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		return SLUICE_RULE_NOT_TCPUDP;
	if ((t->mark & cfg->bypass_mask) == cfg->bypass_mark)
		return SLUICE_RULE_BYPASS_MARK;
	return SLUICE_RULE_REDIRECT;
}

enum sluice_rule sluice_decide_dest(struct sluice_net *sn,
				    const struct sluice_cfg *cfg,
				    const struct sluice_tuple *t)
{
	/*
	 * Both let the flow go direct; the white_list lookup (a few ns) comes
	 * first because it answers most direct flows, and sluiced lists the
	 * gateway's own addresses in it too, while the local check is a FIB
	 * lookup.
	 */
	if (t->family == AF_INET ? sluice_wl_lookup4(&sn->wl, t->daddr.v4) :
				   sluice_wl_lookup6(&sn->wl, &t->daddr.v6))
		return SLUICE_RULE_WHITE_LIST;
	if (sluice_is_local(sn->net, t))
		return SLUICE_RULE_LOCAL;
	if (cfg->mode == SLUICE_MODE_REDIRECT && t->proto == IPPROTO_UDP)
		return SLUICE_RULE_UDP_REDIRECT_MODE;
	return SLUICE_RULE_REDIRECT;
}

enum sluice_rule sluice_decide(struct sluice_net *sn,
			       const struct sluice_cfg *cfg,
			       const struct sluice_tuple *t)
{
	enum sluice_rule rule = sluice_decide_early(cfg, t);

	return rule == SLUICE_RULE_REDIRECT ? sluice_decide_dest(sn, cfg, t) :
					      rule;
}

enum sluice_counter sluice_rule_counter(enum sluice_rule rule, u8 family)
{
	switch (rule) {
	case SLUICE_RULE_NOT_LAN:
		return SLUICE_CTR_NOT_LAN;
	case SLUICE_RULE_NOT_TCPUDP:
		return SLUICE_CTR_NOT_TCPUDP;
	case SLUICE_RULE_BYPASS_MARK:
		return SLUICE_CTR_BYPASS_MARK;
	case SLUICE_RULE_LOCAL:
		return SLUICE_CTR_LOCAL;
	case SLUICE_RULE_WHITE_LIST:
		return family == AF_INET ? SLUICE_CTR_WL_V4 : SLUICE_CTR_WL_V6;
	case SLUICE_RULE_UDP_REDIRECT_MODE:
		return SLUICE_CTR_UDP_REDIRECT_MODE;
	case SLUICE_RULE_EXISTING:
		return SLUICE_CTR_EXISTING;
	default:
		return SLUICE_CTR_UNSPEC;
	}
}

int sluice_classify(struct sluice_net *sn, struct net *net,
		    struct sluice_tuple *t, struct sluice_decision *d)
{
	const struct sluice_cfg *cfg;
	struct net_device *dev;
	int err = 0;

	rcu_read_lock();
	cfg = rcu_dereference(sn->cfg);
	if (t->iif[0]) {
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
	d->verdict = SLUICE_VERDICT_PASS;
	if (d->rule == SLUICE_RULE_REDIRECT)
		d->verdict = SLUICE_VERDICT_REDIRECT;
out:
	rcu_read_unlock();
	return err;
}
