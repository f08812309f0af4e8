// SPDX-License-Identifier: GPL-2.0
/*
 * sluice: split a gateway's LAN traffic between a tunnel client and the
 * direct path, per flow, with an RCU white_list.
 *
 * This file holds the module's parameters, per-namespace state and the
 * order in which the parts come up and go down.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "sluice.h"
#include "hooks.h"

/* 0 until set: sluice_init() derives it from the RAM (see below). */
unsigned int sluice_max_entries;
module_param_named(max_entries, sluice_max_entries, uint, 0644);
MODULE_PARM_DESC(max_entries,
		 "Most entries per list and network namespace (default: 1/32 of RAM at ~200 bytes an entry, 16384..1000000)");

/*
 * Like nf_conntrack_max, the default scales with the RAM: an entry costs
 * about 200 bytes with its node and the rebuild arrays, so one list full
 * uses at most 1/32 of the RAM.  64 MiB gives 16384 (the floor), 128 MiB
 * 20971, 1 GiB 167772, 6 GiB and more 1000000 (the ceiling).
 */
#define SLUICE_ENTRY_COST	200
#define SLUICE_ENTRIES_MIN	16384
#define SLUICE_ENTRIES_MAX	1000000

static unsigned int sluice_default_max_entries(void)
{
	u64 bytes = (u64)totalram_pages() << PAGE_SHIFT;

	return clamp_t(u64, div_u64(bytes / 32, SLUICE_ENTRY_COST),
		       SLUICE_ENTRIES_MIN, SLUICE_ENTRIES_MAX);
}

/* Defaults a namespace starts with; read when the namespace appears. */
static unsigned short default_port = 12345;
module_param(default_port, ushort, 0644);
MODULE_PARM_DESC(default_port, "Listener port of new namespaces (default 12345)");

static unsigned int default_mode = SLUICE_MODE_TPROXY;
module_param(default_mode, uint, 0644);
MODULE_PARM_DESC(default_mode, "Mode of new namespaces: 0 tproxy (default), 1 redirect");

static unsigned int default_bypass_mark = 0xff;
module_param(default_bypass_mark, uint, 0644);
MODULE_PARM_DESC(default_bypass_mark,
		 "Mark of the tunnel client's sockets, never redirected (default 0xff)");

static unsigned int default_bypass_mask = 0xff;
module_param(default_bypass_mask, uint, 0644);
MODULE_PARM_DESC(default_bypass_mask, "Mask of the bypass mark (default 0xff)");

static unsigned int default_fwmark = 0x100;
module_param(default_fwmark, uint, 0644);
MODULE_PARM_DESC(default_fwmark,
		 "Mark given to redirected packets for policy routing (default 0x100)");

static unsigned int default_fwmark_mask = 0x100;
module_param(default_fwmark_mask, uint, 0644);
MODULE_PARM_DESC(default_fwmark_mask, "Mask of the fwmark (default 0x100)");

static bool default_drop_no_listener;
module_param(default_drop_no_listener, bool, 0644);
MODULE_PARM_DESC(default_drop_no_listener,
		 "New namespaces drop, not pass, flows that find no listener (default N)");

/*
 * Parameters can be written at any time, so a bad value is replaced by the
 * built-in default rather than trusted: a namespace must always start with
 * a config that sluice_cfg_check() accepts.
 */
void sluice_cfg_defaults(struct sluice_cfg *cfg)
{
	cfg->enabled = false;
	cfg->mode = READ_ONCE(default_mode) <= SLUICE_MODE_MAX ?
		    READ_ONCE(default_mode) : SLUICE_MODE_TPROXY;
	cfg->port = READ_ONCE(default_port);
	cfg->bypass_mark = READ_ONCE(default_bypass_mark);
	cfg->bypass_mask = READ_ONCE(default_bypass_mask);
	cfg->fwmark = READ_ONCE(default_fwmark);
	cfg->fwmark_mask = READ_ONCE(default_fwmark_mask);
	cfg->ct_mask = SLUICE_DEFAULT_CT_MASK;
	cfg->no_listener = READ_ONCE(default_drop_no_listener) ?
			   SLUICE_NO_LISTENER_DROP : SLUICE_NO_LISTENER_PASS;
	if (sluice_cfg_check(cfg, NULL)) {
		pr_warn_once("sluice: default_* parameters rejected, using built-in defaults\n");
		cfg->port = 12345;
		cfg->bypass_mark = 0xff;
		cfg->bypass_mask = 0xff;
		cfg->fwmark = 0x100;
		cfg->fwmark_mask = 0x100;
	}
}

unsigned int sluice_net_id __read_mostly;

struct sluice_net *sluice_pernet(const struct net *net)
{
	return net_generic(net, sluice_net_id);
}

void sluice_counters_sum(struct sluice_net *sn, u64 *out)
{
	u64 v[__SLUICE_CTR_MAX];
	unsigned int start;
	int cpu, i;

	memset(out, 0, sizeof(u64) * __SLUICE_CTR_MAX);
	for_each_possible_cpu(cpu) {
		const struct sluice_counters *c = per_cpu_ptr(sn->counters, cpu);

		do {
			start = u64_stats_fetch_begin(&c->syncp);
			for (i = 0; i < __SLUICE_CTR_MAX; i++)
				v[i] = READ_ONCE(c->ctr[i]);
		} while (u64_stats_fetch_retry(&c->syncp, start));
		for (i = 0; i < __SLUICE_CTR_MAX; i++)
			out[i] += v[i];
	}
}

static int __net_init sluice_net_init(struct net *net)
{
	struct sluice_net *sn = sluice_pernet(net);
	int err, i, cpu;

	sn->net = net;
	sn->counters = alloc_percpu(struct sluice_counters);
	if (!sn->counters)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(sn->counters, cpu)->syncp);
	err = sluice_cfg_init(sn);
	if (err)
		goto free_counters;
	for (i = 0; i < __SLUICE_LIST_MAX; i++) {
		err = sluice_wl_init(&sn->lists[i], sn, i);
		if (err)
			goto exit_lists;
	}
	return 0;

exit_lists:
	while (i--)
		sluice_wl_exit(&sn->lists[i]);
	sluice_cfg_exit(sn);
free_counters:
	free_percpu(sn->counters);
	return err;
}

/*
 * nf_unregister_net_hook() does not wait for CPUs still inside a hook, so
 * the hooks go here: the netns core (and unregister_pernet_subsys() on
 * module unload) runs every .pre_exit, then synchronize_rcu(), then every
 * .exit, which may free what the hooks read.
 */
static void __net_exit sluice_net_pre_exit(struct net *net)
{
	sluice_hooks_exit_net(sluice_pernet(net));
}

/* No hook runs any more (sluice_net_pre_exit and a grace period). */
static void __net_exit sluice_net_exit(struct net *net)
{
	struct sluice_net *sn = sluice_pernet(net);
	int i;

	for (i = 0; i < __SLUICE_LIST_MAX; i++)
		sluice_wl_exit(&sn->lists[i]);
	sluice_cfg_exit(sn);
	free_percpu(sn->counters);
}

static struct pernet_operations sluice_net_ops = {
	.init = sluice_net_init,
	.pre_exit = sluice_net_pre_exit,
	.exit = sluice_net_exit,
	.id = &sluice_net_id,
	.size = sizeof(struct sluice_net),
};

static int __init sluice_init(void)
{
	int err;

	if (!sluice_max_entries)
		sluice_max_entries = sluice_default_max_entries();
	err = sluice_hooks_init();
	if (err)
		return err;
	err = register_pernet_subsys(&sluice_net_ops);
	if (err)
		goto exit_hooks;
	err = sluice_netdev_init();
	if (err)
		goto unregister_pernet;
	err = sluice_genl_init();
	if (err)
		goto unregister_netdev;
	pr_info("sluice: loaded\n");
	return 0;

unregister_netdev:
	sluice_netdev_exit();
unregister_pernet:
	unregister_pernet_subsys(&sluice_net_ops);
exit_hooks:
	sluice_hooks_exit();
	return err;
}

static void __exit sluice_exit(void)
{
	sluice_genl_exit();
	sluice_netdev_exit();
	unregister_pernet_subsys(&sluice_net_ops);
	sluice_hooks_exit();
	/* Compiled sets and configs may still wait for a grace period. */
	rcu_barrier();
	pr_info("sluice: unloaded\n");
}

module_init(sluice_init);
module_exit(sluice_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("sluice developers");
MODULE_DESCRIPTION("Transparent-proxy gateway: per-flow split between tunnel client and direct path");
MODULE_VERSION(SLUICE_VERSION);
