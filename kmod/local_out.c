// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway's own flows (`local on`).
 *
 * Locally generated packets never pass PREROUTING: a socket routes them
 * before any hook sees them.  So they are caught in LOCAL_OUT.
 *
 * tproxy mode: a LOCAL_OUT hook at mangle priority decides a new flow with
 *   the LAN decision (t->local_out set) and, to send it to the tunnel
 *   client, sets the fwmark and routes the packet again.  Policy routing
 *   (fwmark -> a table with "local default dev lo") then loops it through
 *   lo into PREROUTING, where hooks.c gives it the transparent socket.
 *   A socket caches its route, so every later packet of the flow needs the
 *   mark and the new route as well: a TCP segment that is not a SYN is
 *   recognised by an ESTABLISHED lookup of the transparent socket that
 *   accepted the flow (the packet's own tuple seen from that socket); UDP
 *   has no such socket and is decided per datagram.  A flow that was
 *   decided direct finds no transparent socket and is left alone.
 * redirect mode: a NAT LOCAL_OUT hook, called by the NAT core for the first
 *   packet of a flow, redirects TCP to the listener on loopback.
 * DNS (dns_local): the same NAT hook redirects it to the DNS port, in both
 *   modes, as LAN DNS is.
 *
 * Loop guard: the tunnel client runs on the gateway, so its own outgoing
 * connections pass here too.  Its bypass mark keeps them direct; but a
 * client without the mark (or with a wrong one) would be sent to itself,
 * connect out again, be sent to itself ...  So a flow whose sending socket
 * is in the same cgroup v2 as the socket it would be sent to is never
 * redirected, and neither is anything a transparent socket sends (a
 * proxy's own packets).
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_tproxy.h>

#include "hooks.h"
#include "decide.h"
#include "local_out.h"
#include "flow.h"
#include "compat.h"

union sluice_laddr {
	__be32 v4;
	struct in6_addr v6;
};

/*
 * Same cgroup v2: socket cgroups are pointers fixed when a socket is
 * created (accepted ones inherit the listener's).  The root cgroup does
 * not count: every process is in it on a system that makes no cgroups
 * (a client started by hand or by an init without them), so sharing it
 * tells nothing about who sent the packet.
 */
static bool sluice_same_cgroup(struct sock *sk, struct sock *lsk)
{
	struct cgroup *cg;

	if (!sk_fullsock(sk) || !sk_fullsock(lsk))
		return false;
	cg = sluice_sk_cgroup(sk);
	return cg && cgroup_parent(cg) && cg == sluice_sk_cgroup(lsk);
}

/* A proxy's own packet: sent by a transparent socket of this namespace. */
static struct sock *sluice_sender(struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct sock *sk = skb->sk;

	/* A tunnel's socket may live in another namespace: not ours. */
	if (!sk || !net_eq(sock_net(sk), state->net))
		return NULL;
	return sk;
}

/*
 * The socket a redirected flow @t would reach: @port on the listener
 * address, or on loopback (where NAT REDIRECT in LOCAL_OUT sends it, and
 * where lo's PREROUTING finds it).  Referenced; NULL if none.
 */
static struct sock *sluice_local_listener(struct sluice_net *sn,
					  const struct sluice_cfg *cfg,
					  struct sk_buff *skb,
					  const struct sluice_tuple *t,
					  int thoff, bool any_addr, u16 port)
{
	struct net_device *lo = sn->net->loopback_dev;
	union sluice_laddr laddr;

	if (t->family == AF_INET)
		laddr.v4 = !any_addr && cfg->listen4 ? cfg->listen4 :
						       htonl(INADDR_LOOPBACK);
	else if (!any_addr && !ipv6_addr_any(&cfg->listen6))
		laddr.v6 = cfg->listen6;
	else
		laddr.v6 = in6addr_loopback;
	return sluice_get_sock(sn->net, skb, t, thoff, lo, &laddr, htons(port),
			       NF_TPROXY_LOOKUP_LISTENER);
}

/*
 * The gateway's own DNS goes to the DNS port on the query's own address
 * (hooks.c, sluice_nat_to_self), unless the server listens on loopback
 * only: then to loopback, as NAT REDIRECT would.  @sk was found for
 * loopback, so it is bound there or to the wildcard address.
 */
static bool sluice_bound_to_loopback(const struct sock *sk, u8 family)
{
	if (family == AF_INET)
		return ipv4_is_loopback(sk->sk_rcv_saddr);
	return ipv6_addr_loopback(&sk->sk_v6_rcv_saddr);
}

/* Loop guard: @sender is the listener's own cgroup (see the top). */
static bool sluice_loop_guard(struct sluice_net *sn, struct sock *sender,
			      struct sock *lsk)
{
	if (!sender || !lsk || !sluice_same_cgroup(sender, lsk))
		return false;
	sluice_count(sn, SLUICE_CTR_LOOP_GUARD);
	return true;
}

static bool sluice_transparent_sender(struct sluice_net *sn,
				      struct sock *sender)
{
	if (!sender || !inet_sk_transparent(sender))
		return false;
	sluice_count(sn, SLUICE_CTR_LOOP_GUARD);
	return true;
}

/* Mark the packet for policy routing and route it again (to lo). */
static unsigned int sluice_local_mark(struct sluice_net *sn,
				      const struct sluice_cfg *cfg,
				      struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	int err;

	skb->mark = (skb->mark & ~cfg->fwmark_mask) ^ cfg->fwmark;
	if (state->pf == NFPROTO_IPV4)
		err = ip_route_me_harder(state->net, state->sk, skb,
					 RTN_UNSPEC);
	else
		err = nf_ip6_route_me_harder(state->net, state->sk, skb);
	if (err < 0) {
		sluice_count(sn, SLUICE_CTR_ERRORS);
		return NF_DROP;
	}
	sluice_count(sn, SLUICE_CTR_LOCAL_OUT);
	return NF_ACCEPT;
}

/*
 * A TCP segment that is not a SYN: part of a redirected flow if the
 * transparent socket that accepted it exists, else of a direct one.
 */
static unsigned int sluice_local_segment(struct sluice_net *sn,
					 const struct sluice_cfg *cfg,
					 struct sk_buff *skb,
					 const struct sluice_tuple *t,
					 int thoff,
					 const struct nf_hook_state *state,
					 struct nf_conn *ct)
{
	bool redirected = false;
	struct sock *sk;

	sk = sluice_get_sock(sn->net, skb, t, thoff, sn->net->loopback_dev,
			     &t->daddr, t->dport,
			     NF_TPROXY_LOOKUP_ESTABLISHED);
	if (sk) {
		redirected = inet_sk_transparent(sk);
		sock_gen_put(sk);
	}
	if (!redirected) {
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
		return sluice_pass(sn, SLUICE_RULE_EXISTING, t->family);
	}
	sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_PROXY);
	return sluice_local_mark(sn, cfg, skb, state);
}

/* A new flow (TCP SYN, UDP datagram) decided for the tunnel client. */
static unsigned int sluice_local_divert(struct sluice_net *sn,
					const struct sluice_cfg *cfg,
					struct sk_buff *skb,
					const struct sluice_tuple *t,
					int thoff,
					const struct nf_hook_state *state,
					struct nf_conn *ct, enum sluice_rule rule)
{
	struct sock *sender = sluice_sender(skb, state), *lsk;
	bool guard;

	if (sluice_transparent_sender(sn, sender))
		return NF_ACCEPT;
	lsk = sluice_local_listener(sn, cfg, skb, t, thoff, false,
				    t->family == AF_INET ?
				    cfg->port : sluice_cfg_port6(cfg));
	/* nf_tproxy_sk_is_transparent() drops the reference if not. */
	if (!lsk || !nf_tproxy_sk_is_transparent(lsk))
		/* Marked, it would reach no socket: decide here. */
		return sluice_no_listener(sn, cfg, ct);
	guard = sluice_loop_guard(sn, sender, lsk);
	sock_gen_put(lsk);
	if (guard) {
		/* The client's own flow: direct for its whole life. */
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
		return NF_ACCEPT;
	}
	if (rule == SLUICE_RULE_PROXY_LIST)
		sluice_count(sn, SLUICE_CTR_PROXY_LIST);
	sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_PROXY);
	return sluice_local_mark(sn, cfg, skb, state);
}

/*
 * A packet the gateway sends while its flow has no verdict, `local off`:
 * not ours to divert, so kept direct, unless a transparent socket (the
 * tunnel client answering a LAN host) starts the entry.  That happens
 * when a proxied flow's entry went (deleted, flushed, expired) and the
 * client's socket sends before the LAN host does: the new entry is that
 * proxied flow, and the LAN host's packets are its replies, which must
 * reach the client again (hooks.c), never the wan.
 */
static unsigned int sluice_local_keep(struct sluice_net *sn,
				      const struct sluice_cfg *cfg,
				      struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      struct nf_conn *ct,
				      enum ip_conntrack_info ctinfo)
{
	struct sock *sender = sluice_sender(skb, state);

	if (sender && inet_sk_transparent(sender)) {
		if (ctinfo == IP_CT_NEW) {
			sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_PROXY);
			sluice_count(sn, SLUICE_CTR_FLOW_ADOPTED);
		}
		return NF_ACCEPT;
	}
	if (CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL)
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
	return NF_ACCEPT;
}

static unsigned int sluice_local_hook(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct sluice_net *sn = sluice_pernet_rcu(state->net);
	enum sluice_flow flow = SLUICE_FLOW_NONE;
	const struct sluice_cfg *cfg;
	enum ip_conntrack_info ctinfo;
	struct sluice_tuple t = {};
	enum sluice_rule rule;
	struct sock *sender;
	struct nf_conn *ct;
	int thoff;

	cfg = rcu_dereference(sn->cfg);
	/* During a mode switch both hook sets exist for a moment. */
	if (!cfg->enabled || cfg->mode != SLUICE_MODE_TPROXY)
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	if (ct) {
		flow = sluice_flow_get(ct, cfg->ct_mask);
		if (flow == SLUICE_FLOW_DIRECT)
			return NF_ACCEPT;
		if (!cfg->local && flow == SLUICE_FLOW_NONE)
			return sluice_local_keep(sn, cfg, skb, state, ct,
						 ctinfo);
	}
	if (!cfg->local)
		return NF_ACCEPT;
	sluice_count(sn, SLUICE_CTR_PACKETS);
	if (!sluice_tuple_fill(skb, state, &t, &thoff)) {
		sluice_count(sn, SLUICE_CTR_ERRORS);
		return NF_ACCEPT;
	}
	/*
	 * Replies (a local server answering the LAN, a transparent socket
	 * answering a redirected flow) are never a flow of their own.
	 */
	if (ct && CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY)
		return sluice_pass(sn, SLUICE_RULE_EXISTING, t.family);
	sender = sluice_sender(skb, state);
	if (flow == SLUICE_FLOW_PROXY) {
		/* A proxy's own packet of an entry it started: as it is. */
		if (sender && inet_sk_transparent(sender))
			return NF_ACCEPT;
		/* The socket's cached route needs the mark every time. */
		return sluice_local_mark(sn, cfg, skb, state);
	}
	/* A transparent socket starting an entry: see sluice_local_keep(). */
	if (ct && ctinfo == IP_CT_NEW && sender &&
	    inet_sk_transparent(sender))
		return sluice_local_keep(sn, cfg, skb, state, ct, ctinfo);

	rule = sluice_decide_early(sn, cfg, &t);
	/* DNS is the NAT LOCAL_OUT hook's, which comes next. */
	if (rule == SLUICE_RULE_DNS)
		return NF_ACCEPT;
	if (rule != SLUICE_RULE_REDIRECT) {
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
		return sluice_pass(sn, rule, t.family);
	}
	/*
	 * Routed to lo: for a local address (a redirected flow's packets
	 * still carry the socket's own route here).  Saves the lookups.
	 */
	if (state->out && (state->out->flags & IFF_LOOPBACK)) {
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
		return sluice_pass(sn, SLUICE_RULE_LOCAL, t.family);
	}
	if (t.proto == IPPROTO_TCP && !sluice_tcp_syn(skb, thoff))
		return sluice_local_segment(sn, cfg, skb, &t, thoff, state,
					    ct);

	rule = sluice_decide_dest(sn, cfg, &t);
	switch (sluice_rule_verdict(rule)) {
	case SLUICE_VERDICT_REDIRECT:
		return sluice_local_divert(sn, cfg, skb, &t, thoff, state, ct,
					   rule);
	case SLUICE_VERDICT_REJECT:
		return sluice_reject(sn, skb, state);
	default:
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
		return sluice_pass(sn, rule, t.family);
	}
}

/* NAT REDIRECT to loopback of a flow decided REDIRECT or DNS. */
static unsigned int sluice_local_nat(struct sluice_net *sn,
				     const struct sluice_cfg *cfg,
				     struct sk_buff *skb,
				     const struct sluice_tuple *t, int thoff,
				     const struct nf_hook_state *state,
				     enum sluice_rule rule)
{
	struct sock *sender = sluice_sender(skb, state), *lsk;
	unsigned int verdict;
	bool dns = rule == SLUICE_RULE_DNS;
	bool guard, on_lo;
	u16 port;

	if (sluice_transparent_sender(sn, sender))
		return NF_ACCEPT;
	if (dns)
		port = cfg->dns_port;
	else
		port = t->family == AF_INET ? cfg->port : sluice_cfg_port6(cfg);
	/* No listener: NAT redirects anyway, as for the LAN (no guard). */
	lsk = sluice_local_listener(sn, cfg, skb, t, thoff, true, port);
	guard = lsk && sluice_loop_guard(sn, sender, lsk);
	on_lo = lsk && sluice_bound_to_loopback(lsk, t->family);
	if (lsk)
		sock_gen_put(lsk);
	if (guard)
		return NF_ACCEPT;

	if (dns) {
		verdict = sluice_dns_redirect(sn, cfg, skb, state, t->family,
					      !on_lo);
	} else {
		verdict = sluice_nat_redirect(skb, state, port);
		if (verdict == NF_ACCEPT)
			sluice_count_redirect(sn, t, rule);
		else
			sluice_count(sn, SLUICE_CTR_ERRORS);
	}
	if (verdict == NF_ACCEPT)
		sluice_count(sn, SLUICE_CTR_LOCAL_OUT);
	return verdict;
}

/*
 * NAT LOCAL_OUT, first packet of a flow only.  Redirect mode with `local
 * on`: the whole decision.  Otherwise it is there for DNS alone (the
 * mangle hook judged and counted the rest).
 */
static unsigned int sluice_local_nat_hook(void *priv, struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	struct sluice_net *sn = sluice_pernet_rcu(state->net);
	const struct sluice_cfg *cfg;
	struct sluice_tuple t = {};
	enum sluice_rule rule;
	bool all;
	int thoff;

	cfg = rcu_dereference(sn->cfg);
	if (!cfg->enabled)
		return NF_ACCEPT;
	all = cfg->local && cfg->mode == SLUICE_MODE_REDIRECT;
	if (!all && !(cfg->dns_local && cfg->dns_port))
		return NF_ACCEPT;
	if (all)
		sluice_count(sn, SLUICE_CTR_PACKETS);
	if (!sluice_tuple_fill(skb, state, &t, &thoff)) {
		if (all)
			sluice_count(sn, SLUICE_CTR_ERRORS);
		return NF_ACCEPT;
	}
	if (!all) {
		if (t.dport != htons(53) ||
		    sluice_decide_early(sn, cfg, &t) != SLUICE_RULE_DNS)
			return NF_ACCEPT;
		return sluice_local_nat(sn, cfg, skb, &t, thoff, state,
					SLUICE_RULE_DNS);
	}

	rule = sluice_decide(sn, cfg, &t);
	switch (sluice_rule_verdict(rule)) {
	case SLUICE_VERDICT_REDIRECT:
	case SLUICE_VERDICT_DNS:
		return sluice_local_nat(sn, cfg, skb, &t, thoff, state, rule);
	case SLUICE_VERDICT_REJECT:
		return sluice_reject(sn, skb, state);
	default:
		return sluice_pass(sn, rule, t.family);
	}
}

const struct nf_hook_ops sluice_local_ops[SLUICE_LOCAL_OPS] = {
	{
		.hook = sluice_local_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_MANGLE,
	},
	{
		.hook = sluice_local_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_MANGLE,
	},
};

const struct nf_hook_ops sluice_local_nat_ops[SLUICE_LOCAL_OPS] = {
	{
		.hook = sluice_local_nat_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_NAT_DST,
	},
	{
		.hook = sluice_local_nat_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_NAT_DST,
	},
};
