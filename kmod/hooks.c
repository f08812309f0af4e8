// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks: where LAN flows are split.
 *
 * tproxy mode: a PREROUTING hook at mangle priority, after conntrack and
 *   defrag, before NAT.  Every packet of a redirected flow must find its
 *   transparent socket (as nft's tproxy does), so the order is:
 *   the cheap "not for us" checks, then the reply direction of a conntrack
 *   (a flow that started elsewhere), then an established socket (an
 *   already redirected flow stays redirected whatever the white_list says
 *   now), then a TCP segment that is not a SYN belongs to a flow decided
 *   earlier and goes on as it was, then the decision of a new flow
 *   (decide.c), then the listener.  The packet gets the fwmark so policy
 *   routing delivers it locally.
 * redirect mode: a NAT PREROUTING hook registered through the NAT core,
 *   which calls it for the first packet of a flow only; it redirects TCP
 *   with nf_nat_redirect_ipv4/6 and lets UDP pass.
 * masquerade: a NAT POSTROUTING hook that masquerades whatever leaves the
 *   wan interface.  The NAT core's masquerade notifiers (registered at
 *   module load) flush those conntracks when the wan address changes.
 *
 * Hooks exist only in namespaces that need them: enabling registers them
 * and takes conntrack, disabling drops both.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_redirect.h>
#include <net/netfilter/nf_nat_masquerade.h>
#include <net/netfilter/nf_tproxy.h>

#include "hooks.h"
#include "decide.h"

enum {
	SLUICE_HOOK_TPROXY	= BIT(0),
	SLUICE_HOOK_REDIRECT	= BIT(1),
	SLUICE_HOOK_MASQ	= BIT(2),
};

/* Fill @t from the packet; false if it is not TCP/UDP we can read. */
static bool sluice_tuple4(struct sk_buff *skb, struct sluice_tuple *t,
			  int *thoff)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct udphdr _ports, *ports;

	t->family = AF_INET;
	t->proto = iph->protocol;
	t->saddr.v4 = iph->saddr;
	t->daddr.v4 = iph->daddr;
	t->mark = skb->mark;
	t->ifindex = skb->dev->ifindex;
	*thoff = ip_hdrlen(skb);
	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		return true;
	/* Defrag runs before us; a fragment here is not ours to judge. */
	if (ip_is_fragment(iph))
		return false;
	ports = skb_header_pointer(skb, *thoff, sizeof(_ports), &_ports);
	if (!ports)
		return false;
	t->sport = ports->source;
	t->dport = ports->dest;
	return true;
}

static bool sluice_tuple6(struct sk_buff *skb, struct sluice_tuple *t,
			  int *thoff)
{
	const struct ipv6hdr *iph = ipv6_hdr(skb);
	struct udphdr _ports, *ports;
	unsigned short frag_off = 0;
	int proto;

	*thoff = 0;
	t->family = AF_INET6;
	t->saddr.v6 = iph->saddr;
	t->daddr.v6 = iph->daddr;
	t->mark = skb->mark;
	t->ifindex = skb->dev->ifindex;
	proto = ipv6_find_hdr(skb, thoff, -1, &frag_off, NULL);
	if (proto < 0 || frag_off)
		return false;
	t->proto = proto;
	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		return true;
	ports = skb_header_pointer(skb, *thoff, sizeof(_ports), &_ports);
	if (!ports)
		return false;
	t->sport = ports->source;
	t->dport = ports->dest;
	return true;
}

static bool sluice_tcp_syn(struct sk_buff *skb, int thoff)
{
	struct tcphdr _th, *th;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	return th && th->syn && !th->ack;
}

static unsigned int sluice_pass(struct sluice_net *sn, enum sluice_rule rule,
				u8 family)
{
	enum sluice_counter c = sluice_rule_counter(rule, family);

	if (c != SLUICE_CTR_UNSPEC)
		sluice_count(sn, c);
	return NF_ACCEPT;
}

static enum sluice_counter sluice_redir_counter(const struct sluice_tuple *t)
{
	if (t->proto == IPPROTO_TCP)
		return t->family == AF_INET ? SLUICE_CTR_REDIR_TCP4 :
					      SLUICE_CTR_REDIR_TCP6;
	return t->family == AF_INET ? SLUICE_CTR_REDIR_UDP4 :
				      SLUICE_CTR_REDIR_UDP6;
}

/*
 * Socket lookups as nft_tproxy does them: @lookup ESTABLISHED on the
 * packet's own addresses, or LISTENER on the listener's.
 */
static struct sock *sluice_get_sock(struct net *net, struct sk_buff *skb,
				    const struct sluice_tuple *t, int thoff,
				    const void *laddr, __be16 lport,
				    enum nf_tproxy_lookup_t lookup)
{
	if (t->family == AF_INET)
		return nf_tproxy_get_sock_v4(net, skb, t->proto, t->saddr.v4,
					     *(const __be32 *)laddr, t->sport,
					     lport, skb->dev, lookup);
	return nf_tproxy_get_sock_v6(net, skb, thoff, t->proto, &t->saddr.v6,
				     laddr, t->sport, lport, skb->dev,
				     lookup);
}

/*
 * Where the listener is: the configured address, or the input device's
 * (nf_tproxy_laddr4/6).  Only needed once a packet is to be redirected.
 */
static __be16 sluice_listener(struct sk_buff *skb,
			      const struct sluice_cfg *cfg,
			      const struct sluice_tuple *t, __be32 *laddr4,
			      struct in6_addr *laddr6)
{
	if (t->family == AF_INET) {
		*laddr4 = nf_tproxy_laddr4(skb, cfg->listen4, t->daddr.v4);
		return htons(cfg->port);
	}
	*laddr6 = *nf_tproxy_laddr6(skb, &cfg->listen6, &t->daddr.v6);
	return htons(sluice_cfg_port6(cfg));
}

static unsigned int sluice_tproxy(struct sluice_net *sn,
				  const struct sluice_cfg *cfg,
				  struct sk_buff *skb, struct sluice_tuple *t,
				  int thoff)
{
	struct net *net = sn->net;
	enum ip_conntrack_info ctinfo;
	struct in6_addr laddr6;
	enum sluice_rule rule;
	__be32 laddr4;
	__be16 lport;
	struct sock *sk;

	/*
	 * The reply direction of a flow that started elsewhere (a port
	 * forward to a LAN host, routed IPv6 inbound): it belongs to that
	 * flow, never to the tunnel.
	 */
	if (nf_ct_get(skb, &ctinfo) && CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY)
		return sluice_pass(sn, SLUICE_RULE_EXISTING, t->family);

	/*
	 * A flow already redirected keeps going to its socket.  A socket
	 * that is not transparent (say a local DNS server bound to *:53)
	 * only shares the port: ignore it.
	 */
	sk = sluice_get_sock(net, skb, t, thoff, &t->daddr, t->dport,
			     NF_TPROXY_LOOKUP_ESTABLISHED);
	if (sk && !inet_sk_transparent(sk)) {
		sock_gen_put(sk);
		sk = NULL;
	}

	if (sk && sk->sk_state == TCP_TIME_WAIT) {
		/* A SYN reopening a TIME_WAIT pair goes to the listener. */
		lport = sluice_listener(skb, cfg, t, &laddr4, &laddr6);
		if (t->family == AF_INET)
			sk = nf_tproxy_handle_time_wait4(net, skb, laddr4,
							 lport, sk);
		else
			sk = nf_tproxy_handle_time_wait6(skb, t->proto, thoff,
							 net, &laddr6, lport,
							 sk);
	} else if (!sk) {
		if (t->proto == IPPROTO_TCP && !sluice_tcp_syn(skb, thoff))
			return sluice_pass(sn, SLUICE_RULE_EXISTING, t->family);
		rule = sluice_decide_dest(sn, cfg, t);
		if (rule != SLUICE_RULE_REDIRECT)
			return sluice_pass(sn, rule, t->family);
		lport = sluice_listener(skb, cfg, t, &laddr4, &laddr6);
		sk = sluice_get_sock(net, skb, t, thoff,
				     t->family == AF_INET ? (void *)&laddr4 :
							    (void *)&laddr6,
				     lport, NF_TPROXY_LOOKUP_LISTENER);
	}

	if (sk && nf_tproxy_sk_is_transparent(sk)) {
		nf_tproxy_assign_sock(skb, sk);
		skb->mark = (skb->mark & ~cfg->fwmark_mask) ^ cfg->fwmark;
		sluice_count(sn, sluice_redir_counter(t));
		return NF_ACCEPT;
	}
	/* nf_tproxy_sk_is_transparent() dropped the reference if not. */
	if (cfg->no_listener == SLUICE_NO_LISTENER_DROP) {
		sluice_count(sn, SLUICE_CTR_NOLISTENER_DROP);
		return NF_DROP;
	}
	sluice_count(sn, SLUICE_CTR_NOLISTENER_PASS);
	return NF_ACCEPT;
}

/* Common entry: the early checks that do not need the packet's ports. */
static unsigned int sluice_prerouting(struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      u8 mode)
{
	struct sluice_net *sn = sluice_pernet(state->net);
	const struct sluice_cfg *cfg;
	struct sluice_tuple t;
	enum sluice_rule rule;
	unsigned int verdict;
	int thoff;
	bool ok;

	cfg = rcu_dereference(sn->cfg);
	/* During a mode switch both hook sets exist for a moment. */
	if (!cfg->enabled || cfg->mode != mode)
		return NF_ACCEPT;
	sluice_count(sn, SLUICE_CTR_PACKETS);

	ok = state->pf == NFPROTO_IPV4 ? sluice_tuple4(skb, &t, &thoff) :
					 sluice_tuple6(skb, &t, &thoff);
	if (!ok) {
		sluice_count(sn, SLUICE_CTR_ERRORS);
		return NF_ACCEPT;
	}

	if (mode == SLUICE_MODE_TPROXY) {
		/* The checks that need no socket lookup come first. */
		rule = sluice_decide_early(cfg, &t);
		if (rule != SLUICE_RULE_REDIRECT)
			return sluice_pass(sn, rule, t.family);
		return sluice_tproxy(sn, cfg, skb, &t, thoff);
	}

	/* NAT redirect: called once per new flow by the NAT core. */
	rule = sluice_decide(sn, cfg, &t);
	if (rule != SLUICE_RULE_REDIRECT)
		return sluice_pass(sn, rule, t.family);
	if (t.family == AF_INET) {
		struct nf_nat_range2 range = {
			.flags = NF_NAT_RANGE_PROTO_SPECIFIED,
			.min_proto.all = htons(cfg->port),
			.max_proto.all = htons(cfg->port),
		};

		verdict = nf_nat_redirect_ipv4(skb, &range, state->hook);
	} else {
		struct nf_nat_range2 range = {
			.flags = NF_NAT_RANGE_PROTO_SPECIFIED,
			.min_proto.all = htons(sluice_cfg_port6(cfg)),
			.max_proto.all = htons(sluice_cfg_port6(cfg)),
		};

		verdict = nf_nat_redirect_ipv6(skb, &range, state->hook);
	}
	sluice_count(sn, verdict == NF_ACCEPT ? sluice_redir_counter(&t) :
						SLUICE_CTR_ERRORS);
	return verdict;
}

static unsigned int sluice_tproxy_hook(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	return sluice_prerouting(skb, state, SLUICE_MODE_TPROXY);
}

static unsigned int sluice_redirect_hook(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	return sluice_prerouting(skb, state, SLUICE_MODE_REDIRECT);
}

static unsigned int sluice_masq_hook(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct sluice_net *sn = sluice_pernet(state->net);
	const struct sluice_cfg *cfg = rcu_dereference(sn->cfg);
	struct nf_nat_range2 range = {};

	if (!cfg->masquerade || !state->out ||
	    state->out->ifindex != cfg->wan_ifindex)
		return NF_ACCEPT;
	if (state->pf == NFPROTO_IPV4)
		return nf_nat_masquerade_ipv4(skb, state->hook, &range,
					      state->out);
	return nf_nat_masquerade_ipv6(skb, &range, state->out);
}

static const struct nf_hook_ops sluice_tproxy_ops[] = {
	{
		.hook = sluice_tproxy_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_MANGLE,
	},
	{
		.hook = sluice_tproxy_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_MANGLE,
	},
};

static const struct nf_hook_ops sluice_redirect_ops[] = {
	{
		.hook = sluice_redirect_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST,
	},
	{
		.hook = sluice_redirect_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST,
	},
};

static const struct nf_hook_ops sluice_masq_ops[] = {
	{
		.hook = sluice_masq_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_NAT_SRC,
	},
	{
		.hook = sluice_masq_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_NAT_SRC,
	},
};

/* NAT hooks go through the NAT core so that NAT really happens, once. */
static int sluice_nat_register(struct net *net, const struct nf_hook_ops *ops)
{
	int err;

	err = nf_nat_ipv4_register_fn(net, &ops[0]);
	if (err)
		return err;
	err = nf_nat_ipv6_register_fn(net, &ops[1]);
	if (err)
		nf_nat_ipv4_unregister_fn(net, &ops[0]);
	return err;
}

static void sluice_nat_unregister(struct net *net,
				  const struct nf_hook_ops *ops)
{
	nf_nat_ipv6_unregister_fn(net, &ops[1]);
	nf_nat_ipv4_unregister_fn(net, &ops[0]);
}

static int sluice_hook_register(struct net *net, unsigned int hook)
{
	switch (hook) {
	case SLUICE_HOOK_TPROXY:
		return nf_register_net_hooks(net, sluice_tproxy_ops,
					     ARRAY_SIZE(sluice_tproxy_ops));
	case SLUICE_HOOK_REDIRECT:
		return sluice_nat_register(net, sluice_redirect_ops);
	default:
		return sluice_nat_register(net, sluice_masq_ops);
	}
}

static void sluice_hook_unregister(struct net *net, unsigned int hook)
{
	switch (hook) {
	case SLUICE_HOOK_TPROXY:
		nf_unregister_net_hooks(net, sluice_tproxy_ops,
					ARRAY_SIZE(sluice_tproxy_ops));
		break;
	case SLUICE_HOOK_REDIRECT:
		sluice_nat_unregister(net, sluice_redirect_ops);
		break;
	default:
		sluice_nat_unregister(net, sluice_masq_ops);
	}
}

static unsigned int sluice_hooks_wanted(const struct sluice_cfg *cfg)
{
	unsigned int want = 0;

	if (cfg->enabled)
		want |= cfg->mode == SLUICE_MODE_TPROXY ? SLUICE_HOOK_TPROXY :
							  SLUICE_HOOK_REDIRECT;
	/* Masquerade is independent of redirection: fail-open needs it. */
	if (cfg->masquerade)
		want |= SLUICE_HOOK_MASQ;
	return want;
}

static void sluice_hooks_set(struct sluice_net *sn, unsigned int want)
{
	unsigned int hook;

	for (hook = SLUICE_HOOK_TPROXY; hook <= SLUICE_HOOK_MASQ; hook <<= 1) {
		if ((sn->hooks & hook) && !(want & hook)) {
			sluice_hook_unregister(sn->net, hook);
			sn->hooks &= ~hook;
		}
	}
	if (!sn->hooks && sn->ct_held) {
		nf_ct_netns_put(sn->net, NFPROTO_INET);
		sn->ct_held = false;
	}
}

int sluice_hooks_apply(struct sluice_net *sn, const struct sluice_cfg *cfg,
		       struct netlink_ext_ack *extack)
{
	unsigned int want = sluice_hooks_wanted(cfg), added = 0, hook;
	int err;

	if (want && !sn->ct_held) {
		err = nf_ct_netns_get(sn->net, NFPROTO_INET);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "cannot enable conntrack");
			return err;
		}
		sn->ct_held = true;
	}
	/* New hooks first: a mode switch never leaves a gap. */
	for (hook = SLUICE_HOOK_TPROXY; hook <= SLUICE_HOOK_MASQ; hook <<= 1) {
		if (!(want & hook) || (sn->hooks & hook))
			continue;
		err = sluice_hook_register(sn->net, hook);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack,
					   "cannot register netfilter hooks");
			sluice_hooks_set(sn, sn->hooks & ~added);
			return err;
		}
		sn->hooks |= hook;
		added |= hook;
	}
	return 0;
}

void sluice_hooks_prune(struct sluice_net *sn, const struct sluice_cfg *cfg)
{
	sluice_hooks_set(sn, sluice_hooks_wanted(cfg));
}

void sluice_hooks_exit_net(struct sluice_net *sn)
{
	sluice_hooks_set(sn, 0);
}

int sluice_hooks_init(void)
{
	return nf_nat_masquerade_inet_register_notifiers();
}

void sluice_hooks_exit(void)
{
	nf_nat_masquerade_inet_unregister_notifiers();
}
