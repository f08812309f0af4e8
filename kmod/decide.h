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

/* Did a packet come in on a LAN interface? */
static inline bool sluice_is_lan(const struct sluice_cfg *cfg, int ifindex)
{
	int i;

	for (i = 0; i < cfg->n_lan; i++)
		if (cfg->lan_ifindex[i] == ifindex && ifindex)
			return true;
	return false;
}

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
static inline enum sluice_verdict sluice_rule_verdict(enum sluice_rule rule)
{
	switch (rule) {
	case SLUICE_RULE_REDIRECT:
	case SLUICE_RULE_PROXY_LIST:
		return SLUICE_VERDICT_REDIRECT;
	case SLUICE_RULE_DNS:
		return SLUICE_VERDICT_DNS;
	case SLUICE_RULE_QUIC_REJECT:
		return SLUICE_VERDICT_REJECT;
	default:
		return SLUICE_VERDICT_PASS;
	}
}

/*
 * Counter of a rule, SLUICE_CTR_UNSPEC if none.  PROXY_LIST has one that
 * is counted on top of the redirect counter; REDIRECT and DNS have none
 * (the hooks count REDIR_* and DNS4/6 when the redirect succeeds).
 */
static inline enum sluice_counter sluice_rule_counter(enum sluice_rule rule,
						      u8 family)
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
	case SLUICE_RULE_SRC_EXCLUDED:
		return SLUICE_CTR_SRC_EXCLUDED;
	case SLUICE_RULE_SRC_NOT_LISTED:
		return SLUICE_CTR_SRC_NOT_LISTED;
	case SLUICE_RULE_DEFAULT_DIRECT:
		return SLUICE_CTR_DEFAULT_DIRECT;
	case SLUICE_RULE_PROXY_LIST:
		return SLUICE_CTR_PROXY_LIST;
	case SLUICE_RULE_QUIC_REJECT:
		return SLUICE_CTR_QUIC_REJECT;
	case SLUICE_RULE_LOCAL_DNS:
		return SLUICE_CTR_LOCAL_DNS;
	case SLUICE_RULE_LOOP_GUARD:
		return SLUICE_CTR_LOOP_GUARD;
	default:
		return SLUICE_CTR_UNSPEC;
	}
}

/* CLASSIFY: explain what the hooks would do with a new flow @t. */
int sluice_classify(struct sluice_net *sn, struct net *net,
		    struct sluice_tuple *t, struct sluice_decision *d);

#endif /* SLUICE_DECIDE_H */
