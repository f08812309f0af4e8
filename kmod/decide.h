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
 * The decision order for the first packet of a flow, cheapest first
 * (docs/design.md, "Decision order").  Called under rcu_read_lock();
 * @cfg is the namespace's current config.  Each half returns
 * SLUICE_RULE_REDIRECT when it lets the packet on to the next step.
 *
 * sluice_decide_early(): what needs nothing but the packet and the config:
 *   enabled, lan (or local for t->local_out), protocol, bypass mark, source
 *   selection (SRC list, SRC_MACS), DNS.  May return SLUICE_RULE_DNS.
 * sluice_decide_dest(): the destination: white_list, local address,
 *   default and PROXY list, QUIC reject, UDP in redirect mode.  Returns
 *   SLUICE_RULE_REDIRECT or SLUICE_RULE_PROXY_LIST for a flow to redirect.
 * sluice_decide(): both; early first, dest only if early said REDIRECT.
 *
 * The loop guard (LOOP_GUARD) needs the sending socket and is the hooks'.
 */
enum sluice_rule sluice_decide(struct sluice_net *sn,
			       const struct sluice_cfg *cfg,
			       const struct sluice_tuple *t);
enum sluice_rule sluice_decide_early(struct sluice_net *sn,
				     const struct sluice_cfg *cfg,
				     const struct sluice_tuple *t);
enum sluice_rule sluice_decide_dest(struct sluice_net *sn,
				    const struct sluice_cfg *cfg,
				    const struct sluice_tuple *t);

/*
 * What a rule means for the packet: REDIRECT and PROXY_LIST redirect, DNS
 * goes to DNS_PORT, QUIC_REJECT rejects, every other rule passes.
 */
enum sluice_verdict sluice_rule_verdict(enum sluice_rule rule);

/*
 * Counter of a rule, SLUICE_CTR_UNSPEC if none.  PROXY_LIST has one that
 * is counted on top of the redirect counter; REDIRECT and DNS have none
 * (the hooks count REDIR_* and DNS4/6 when the redirect succeeds).
 */
enum sluice_counter sluice_rule_counter(enum sluice_rule rule, u8 family);

/* Is @addr (family @family) in list @list of @sn?  Under RCU. */
bool sluice_list_has(struct sluice_net *sn, enum sluice_list list,
		     u8 family, const void *addr);

/* CLASSIFY: explain what the hooks would do with a new flow @t. */
int sluice_classify(struct sluice_net *sn, struct net *net,
		    struct sluice_tuple *t, struct sluice_decision *d);

#endif /* SLUICE_DECIDE_H */
