/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SLUICE_DECIDE_H
#define SLUICE_DECIDE_H

#include "sluice.h"

/* What the decision of a new flow looks at. */
struct sluice_tuple {
	u8 family;			/* AF_INET or AF_INET6 */
	u8 proto;
	__be16 sport, dport;
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr, daddr;
	u32 mark;
	int ifindex;			/* input device */
	char iif[IFNAMSIZ];		/* CLASSIFY only: name of it */
	bool local_out;			/* sent by the gateway itself */
	bool has_mac;			/* came in on Ethernet: mac is set */
	u8 mac[ETH_ALEN];		/* source MAC */
};

struct sluice_decision {
	enum sluice_verdict verdict;
	enum sluice_rule rule;
};

/*
 * The decision order for the first packet of a flow, cheapest first.
 * Called under rcu_read_lock(); @cfg is the namespace's current config.
 * sluice_decide() is both halves: the early checks that need nothing but
 * the packet (enabled, lan, protocol, bypass mark), then the destination
 * (white_list, then local address: both pass, the cheaper first).  Each
 * half returns SLUICE_RULE_REDIRECT when it lets the packet through to the
 * next step.
 */
enum sluice_rule sluice_decide(struct sluice_net *sn,
			       const struct sluice_cfg *cfg,
			       const struct sluice_tuple *t);
enum sluice_rule sluice_decide_early(const struct sluice_cfg *cfg,
				     const struct sluice_tuple *t);
enum sluice_rule sluice_decide_dest(struct sluice_net *sn,
				    const struct sluice_cfg *cfg,
				    const struct sluice_tuple *t);

/* Counter of a pass decision, SLUICE_CTR_UNSPEC if none. */
enum sluice_counter sluice_rule_counter(enum sluice_rule rule, u8 family);

/* CLASSIFY: explain what the hooks would do with a new flow @t. */
int sluice_classify(struct sluice_net *sn, struct net *net,
		    struct sluice_tuple *t, struct sluice_decision *d);

#endif /* SLUICE_DECIDE_H */
