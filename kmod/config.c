// SPDX-License-Identifier: GPL-2.0
/*
 * Per-namespace configuration: validated as a whole, published by RCU.
 *
 * The hooks read one immutable struct sluice_cfg per packet.  A writer
 * copies the current one, changes the copy, checks it, and swaps it in
 * under sn->cfg_lock; so a reader never sees half of a change, and a
 * rejected change leaves nothing behind.
 *
 * Interfaces are configured by name (ppp0 comes and goes) and resolved to
 * ifindexes here, again whenever a device appears, leaves or is renamed.
 */
#include <linux/bitops.h>
#include <linux/slab.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>
#include <net/netlink.h>

#include "sluice.h"
#include "hooks.h"

static bool cfg_mark_ok(u32 mark, u32 mask)
{
	return mask && !(mark & ~mask);
}

int sluice_cfg_check(const struct sluice_cfg *cfg,
		     struct netlink_ext_ack *extack)
{
	int i, j;

	if (!cfg->port) {
		NL_SET_ERR_MSG_MOD(extack, "listener port must be 1-65535");
		return -EINVAL;
	}
	if (!cfg_mark_ok(cfg->bypass_mark, cfg->bypass_mask)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "bypass mark needs a non-zero mask covering all its bits");
		return -EINVAL;
	}
	if (!cfg_mark_ok(cfg->fwmark, cfg->fwmark_mask) || !cfg->fwmark) {
		NL_SET_ERR_MSG_MOD(extack,
				   "fwmark must be non-zero with a mask covering all its bits");
		return -EINVAL;
	}
	/*
	 * The policy-routing rule "fwmark F/M lookup T" must not catch the
	 * tunnel client's own packets, or they would loop back to it.
	 */
	if ((cfg->bypass_mark & cfg->fwmark_mask) == cfg->fwmark) {
		NL_SET_ERR_MSG_MOD(extack,
				   "fwmark/mask also matches the bypass mark: the client's packets would loop");
		return -EINVAL;
	}
	if (hweight32(cfg->ct_mask) != 2) {
		NL_SET_ERR_MSG_MOD(extack,
				   "ct-mask needs exactly two bits (direct, proxied)");
		return -EINVAL;
	}
	for (i = 0; i < cfg->n_lan; i++) {
		if (cfg->wan[0] && !strcmp(cfg->lan[i], cfg->wan)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "an interface cannot be both lan and wan");
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(cfg->lan[i], cfg->lan[j])) {
				NL_SET_ERR_MSG_MOD(extack,
						   "lan interface listed twice");
				return -EINVAL;
			}
		}
	}
	if (cfg->masquerade && !cfg->wan[0]) {
		NL_SET_ERR_MSG_MOD(extack, "masquerade needs a wan interface");
		return -EINVAL;
	}
	/*
	 * Not cleared behind the user's back when the port goes: "dns off"
	 * with dns-local still on is refused, so both are turned off on
	 * purpose.
	 */
	if (cfg->dns_local && !cfg->dns_port) {
		NL_SET_ERR_MSG_MOD(extack,
				   "dns-local needs a DNS port (set dns PORT, or dns-local off)");
		return -EINVAL;
	}
	if (cfg->n_macs > SLUICE_MAX_SRC_MACS ||
	    cfg->src_mode > SLUICE_SRC_MAX || cfg->dflt > SLUICE_DEFAULT_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "invalid source or default setting");
		return -EINVAL;
	}
	return 0;
}

static int cfg_ifindex(struct net *net, const char *name)
{
	struct net_device *dev;
	int ifindex = 0;

	if (!name[0])
		return 0;
	rcu_read_lock();
	dev = dev_get_by_name_rcu(net, name);
	if (dev)
		ifindex = dev->ifindex;
	rcu_read_unlock();
	return ifindex;
}

void sluice_cfg_resolve_ifs(struct net *net, struct sluice_cfg *cfg)
{
	int i;

	for (i = 0; i < cfg->n_lan; i++)
		cfg->lan_ifindex[i] = cfg_ifindex(net, cfg->lan[i]);
	cfg->wan_ifindex = cfg_ifindex(net, cfg->wan);
}

/* A private copy of the current config; caller holds sn->cfg_lock. */
struct sluice_cfg *sluice_cfg_dup(struct sluice_net *sn)
{
	const struct sluice_cfg *cur;

	cur = rcu_dereference_protected(sn->cfg,
					lockdep_is_held(&sn->cfg_lock));
	return kmemdup(cur, sizeof(*cur), GFP_KERNEL);
}

/* Swap @cfg in; caller holds sn->cfg_lock and has checked @cfg. */
void sluice_cfg_publish(struct sluice_net *sn, struct sluice_cfg *cfg)
{
	struct sluice_cfg *old;

	old = rcu_replace_pointer(sn->cfg, cfg,
				  lockdep_is_held(&sn->cfg_lock));
	kfree_rcu(old, rcu);
}

int sluice_cfg_init(struct sluice_net *sn)
{
	struct sluice_cfg *cfg;

	mutex_init(&sn->cfg_lock);
	cfg = kzalloc(sizeof(*cfg), GFP_KERNEL);
	if (!cfg)
		return -ENOMEM;
	sluice_cfg_defaults(cfg);
	RCU_INIT_POINTER(sn->cfg, cfg);
	return 0;
}

void sluice_cfg_exit(struct sluice_net *sn)
{
	kfree(rcu_dereference_protected(sn->cfg, true));
	mutex_destroy(&sn->cfg_lock);
}

static bool cfg_names_dev(const struct sluice_cfg *cfg, const char *name)
{
	int i;

	if (!strcmp(cfg->wan, name))
		return true;
	for (i = 0; i < cfg->n_lan; i++)
		if (!strcmp(cfg->lan[i], name))
			return true;
	return false;
}

static bool cfg_uses_ifindex(const struct sluice_cfg *cfg, int ifindex)
{
	int i;

	if (cfg->wan_ifindex == ifindex)
		return true;
	for (i = 0; i < cfg->n_lan; i++)
		if (cfg->lan_ifindex[i] == ifindex)
			return true;
	return false;
}

static int sluice_netdev_event(struct notifier_block *nb,
			       unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct sluice_net *sn = sluice_pernet(dev_net(dev));
	struct sluice_cfg *cfg;
	bool relevant;

	if (event != NETDEV_REGISTER && event != NETDEV_UNREGISTER &&
	    event != NETDEV_CHANGENAME)
		return NOTIFY_DONE;

	mutex_lock(&sn->cfg_lock);
	cfg = rcu_dereference_protected(sn->cfg,
					lockdep_is_held(&sn->cfg_lock));
	relevant = cfg_names_dev(cfg, dev->name) ||
		   cfg_uses_ifindex(cfg, dev->ifindex);
	if (relevant) {
		cfg = sluice_cfg_dup(sn);
		if (cfg) {
			sluice_cfg_resolve_ifs(dev_net(dev), cfg);
			sluice_cfg_publish(sn, cfg);
		} else {
			/* Keep the stale index; nothing safer to do. */
			net_warn_ratelimited("sluice: no memory to track %s\n",
					     dev->name);
		}
	}
	mutex_unlock(&sn->cfg_lock);
	return NOTIFY_DONE;
}

static struct notifier_block sluice_netdev_nb = {
	.notifier_call = sluice_netdev_event,
};

int sluice_netdev_init(void)
{
	return register_netdevice_notifier(&sluice_netdev_nb);
}

void sluice_netdev_exit(void)
{
	unregister_netdevice_notifier(&sluice_netdev_nb);
}
