/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sluice: internal interfaces between the parts of sluice.ko.
 */
#ifndef SLUICE_H
#define SLUICE_H

#include <linux/types.h>
#include <linux/netdevice.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <linux/in6.h>
#include <linux/if_ether.h>
#include <linux/sluice.h>
#include <net/netns/generic.h>

struct cidr_set;
struct wl_hostmap;
struct netlink_ext_ack;

/*
 * Configuration of one namespace.  Immutable once published: writers copy,
 * modify and swap it under sn->cfg_lock; readers (the hooks) only
 * rcu_dereference() it.
 */
struct sluice_cfg {
	struct rcu_head rcu;
	bool enabled;
	bool masquerade;
	u8 mode;			/* enum sluice_mode */
	u8 no_listener;			/* enum sluice_no_listener */
	u16 port;
	u16 port6;			/* 0: same as port */
	__be32 listen4;			/* 0: address of the input device */
	struct in6_addr listen6;	/* ::: likewise */
	u32 bypass_mark, bypass_mask;
	u32 fwmark, fwmark_mask;
	u32 ct_mask;			/* two ct mark bits: flow.h */
	u8 n_lan;
	char lan[SLUICE_MAX_LAN_IFS][IFNAMSIZ];
	/* ifindex of each LAN name, 0 while no such device exists */
	int lan_ifindex[SLUICE_MAX_LAN_IFS];
	char wan[IFNAMSIZ];		/* "" : none */
	int wan_ifindex;
	bool local;			/* redirect the gateway's own flows */
	bool dns_local;			/* ... and its DNS, to dns_port */
	bool quic_reject;		/* UDP 443 rejected, not redirected */
	u8 src_mode;			/* enum sluice_src_mode */
	u8 dflt;			/* enum sluice_default */
	u16 dns_port;			/* 0: no DNS redirect */
	u8 n_macs;
	u8 src_macs[SLUICE_MAX_SRC_MACS][ETH_ALEN];
};

static inline u16 sluice_cfg_port6(const struct sluice_cfg *cfg)
{
	return cfg->port6 ? cfg->port6 : cfg->port;
}

/* Two bits of the ct mark that fw4, mwan3 and SQM leave alone: flow.h */
#define SLUICE_DEFAULT_CT_MASK 0x30000000

/*
 * Per CPU.  On a 64-bit CPU a counter is one this_cpu_add() and a load
 * never tears; on a 32-bit one the writer holds the u64_stats sequence so
 * that a reader never sees half of a carry.
 */
struct sluice_counters {
	u64 ctr[__SLUICE_CTR_MAX];
	struct u64_stats_sync syncp;
};

struct sluice_net;

/* One address list of a namespace (enum sluice_list); see whitelist.c. */
struct sluice_wl {
	struct sluice_net *sn;		/* owner, for its counters */
	enum sluice_list id;		/* which list, for messages */
	struct mutex lock;		/* serialises every writer */
	struct rhashtable nodes;	/* struct wl_node, one per prefix */
	struct cidr_set __rcu *cidr;	/* compiled non-host prefixes */
	struct list_head sources;	/* struct wl_source */
	struct list_head pfx_nodes;	/* nodes with a non-host prefix */
	struct list_head host_nodes;	/* nodes of a host (/32, /128) */
	/* [0] IPv4, [1] IPv6: hosts may be here; NULL: probe the table */
	struct wl_hostmap __rcu *hostmap[2];
	u32 hostmap_stale[2];		/* hosts removed since the map's build */
	struct list_head timed;		/* entries with a timeout */
	struct delayed_work gc;		/* expires timed entries */
	unsigned long gc_next;		/* jiffies the gc is due, if armed */
	bool gc_armed;
	bool dying;			/* namespace exit: no more gc */
	atomic_t hosts4, hosts6;	/* let lookups skip an empty table */
	u32 entries;			/* all (prefix, source) pairs */
	unsigned int gen;		/* bumped by every change, for dumps */
	u64 src_ids;			/* last wl_source.id given out */
	unsigned int txns;		/* open transactions */
	u32 nodes_count;
};

struct sluice_net {
	struct net *net;
	struct sluice_cfg __rcu *cfg;
	struct mutex cfg_lock;		/* serialises config writers */
	struct sluice_counters __percpu *counters;
	struct sluice_wl lists[__SLUICE_LIST_MAX];
	unsigned int hooks;		/* registered SLUICE_HOOK_* */
	bool ct_held;			/* we hold nf_ct_netns_get() */
	bool was_enabled;		/* redirection was on once: hooks.c */
};

extern unsigned int sluice_net_id;

struct sluice_net *sluice_pernet(const struct net *net);

/*
 * The same for the netfilter hooks, which run under rcu_read_lock():
 * net_generic() would take and drop it again, two calls per packet with
 * preemptible RCU.
 */
static inline struct sluice_net *sluice_pernet_rcu(const struct net *net)
{
	return rcu_dereference(net->gen)->ptr[sluice_net_id];
}

/*
 * Any context: the hooks run in softirq and, for the gateway's own
 * packets, in process context, so a writer on a 32-bit CPU keeps
 * interrupts off while it holds the sequence (a no-op on 64-bit).
 */
static inline void sluice_count_add(struct sluice_net *sn,
				    enum sluice_counter c, u32 n)
{
#if BITS_PER_LONG == 64
	this_cpu_add(sn->counters->ctr[c], n);
#else
	struct sluice_counters *pc = get_cpu_ptr(sn->counters);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&pc->syncp);
	pc->ctr[c] += n;
	u64_stats_update_end_irqrestore(&pc->syncp, flags);
	put_cpu_ptr(sn->counters);
#endif
}

static inline void sluice_count(struct sluice_net *sn, enum sluice_counter c)
{
	sluice_count_add(sn, c, 1);
}

void sluice_counters_sum(struct sluice_net *sn, u64 *out);

/* Module parameters (main.c). */
extern unsigned int sluice_max_entries;
void sluice_cfg_defaults(struct sluice_cfg *cfg);

/* config.c */
int sluice_cfg_init(struct sluice_net *sn);
void sluice_cfg_exit(struct sluice_net *sn);
struct sluice_cfg *sluice_cfg_dup(struct sluice_net *sn);
int sluice_cfg_check(const struct sluice_cfg *cfg,
		     struct netlink_ext_ack *extack);
void sluice_cfg_publish(struct sluice_net *sn, struct sluice_cfg *cfg);
void sluice_cfg_resolve_ifs(struct net *net, struct sluice_cfg *cfg);
int sluice_netdev_init(void);
void sluice_netdev_exit(void);

/* whitelist.c */
int sluice_wl_init(struct sluice_wl *wl, struct sluice_net *sn,
		   enum sluice_list id);
void sluice_wl_exit(struct sluice_wl *wl);
bool sluice_wl_lookup4(struct sluice_wl *wl, __be32 addr);
bool sluice_wl_lookup6(struct sluice_wl *wl, const struct in6_addr *addr);

/* netlink.c */
int sluice_genl_init(void);
void sluice_genl_exit(void);

#endif /* SLUICE_H */
