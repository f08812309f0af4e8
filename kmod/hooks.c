// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks: where LAN flows are split.
 *
 * tproxy mode: a PREROUTING hook at mangle priority, after conntrack and
 *   defrag, before NAT.  A flow is decided once, at its first packet, and
 *   the verdict is kept in its conntrack entry (flow.h).  So the order is:
 *   the kept verdict (direct: done; proxied: to the flow's transparent
 *   socket, or the listener, or dropped, never direct), then a frame the
 *   bridge forwards (not ours), then the reply direction of an entry
 *   without a verdict (a flow that started elsewhere, or one the tunnel
 *   client restarted after its entry went), then the decision of a new
 *   flow (decide.c) and its socket.  The packet gets the fwmark so policy
 *   routing delivers it locally.  The gateway's own redirected packets
 *   (local_out.c) come back in here on the loopback device.
 * NAT PREROUTING: a hook registered through the NAT core, which calls it
 *   for the first packet of a flow only.  It redirects DNS to the DNS port
 *   in both modes, and in redirect mode TCP to the listener with
 *   nf_nat_redirect_ipv4/6.
 * masquerade: a NAT POSTROUTING hook that masquerades whatever leaves the
 *   wan interface.  The NAT core's masquerade notifiers (registered at
 *   module load) flush those conntracks when the wan address changes.
 * guard: a FORWARD hook drops what must never be routed: a proxied flow's
 *   packets while redirection is off, and entries NAT never saw leave by
 *   the wan; see sluice_guard_hook().
 * local output: local_out.c.
 *
 * Hooks exist only in namespaces that need them: enabling registers them
 * and takes conntrack, disabling drops both.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/netfilter_bridge.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_redirect.h>
#include <net/netfilter/nf_nat_masquerade.h>
#include <net/netfilter/nf_tproxy.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>

#include "hooks.h"
#include "decide.h"
#include "local_out.h"
#include "flow.h"

enum {
	SLUICE_HOOK_TPROXY	= BIT(0),
	SLUICE_HOOK_REDIRECT	= BIT(1),	/* NAT PREROUTING */
	SLUICE_HOOK_MASQ	= BIT(2),
	SLUICE_HOOK_LOCAL	= BIT(3),	/* mangle LOCAL_OUT (tproxy) */
	SLUICE_HOOK_LOCAL_NAT	= BIT(4),	/* NAT LOCAL_OUT */
	SLUICE_HOOK_GUARD	= BIT(5),	/* FORWARD */
	SLUICE_HOOK_LAST	= SLUICE_HOOK_GUARD,
};

static bool sluice_tuple4(struct sk_buff *skb, struct sluice_tuple *t,
			  int *thoff)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct udphdr _ports, *ports;

	t->family = AF_INET;
	t->proto = iph->protocol;
	t->saddr.v4 = iph->saddr;
	t->daddr.v4 = iph->daddr;
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

bool sluice_tuple_fill(struct sk_buff *skb, const struct nf_hook_state *state,
		       struct sluice_tuple *t, int *thoff)
{
	const struct net_device *in = state->in;

	t->mark = skb->mark;
	/* The gateway's own packets have no input device: none is judged. */
	t->local_out = state->hook == NF_INET_LOCAL_OUT;
	if (in) {
		t->ifindex = in->ifindex;
		/*
		 * Only an Ethernet header names the LAN host that sent the
		 * packet; PPP, tunnels and loopback have no such address.
		 */
		if (in->type == ARPHRD_ETHER && skb_mac_header_was_set(skb) &&
		    skb_mac_header_len(skb) >= ETH_HLEN) {
			t->has_mac = true;
			memcpy(t->mac, eth_hdr(skb)->h_source, ETH_ALEN);
		}
	}
	if (state->pf == NFPROTO_IPV4)
		return sluice_tuple4(skb, t, thoff);
	return sluice_tuple6(skb, t, thoff);
}

bool sluice_tcp_syn(struct sk_buff *skb, int thoff)
{
	struct tcphdr _th, *th;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	return th && th->syn && !th->ack;
}

unsigned int sluice_pass(struct sluice_net *sn, enum sluice_rule rule,
			 u8 family)
{
	enum sluice_counter c = sluice_rule_counter(rule, family);

	if (c != SLUICE_CTR_UNSPEC)
		sluice_count(sn, c);
	return NF_ACCEPT;
}

void sluice_count_redirect(struct sluice_net *sn, const struct sluice_tuple *t,
			   enum sluice_rule rule)
{
	enum sluice_counter c;

	if (t->proto == IPPROTO_TCP)
		c = t->family == AF_INET ? SLUICE_CTR_REDIR_TCP4 :
					   SLUICE_CTR_REDIR_TCP6;
	else
		c = t->family == AF_INET ? SLUICE_CTR_REDIR_UDP4 :
					   SLUICE_CTR_REDIR_UDP6;
	sluice_count(sn, c);
	if (rule == SLUICE_RULE_PROXY_LIST)
		sluice_count(sn, SLUICE_CTR_PROXY_LIST);
}

/*
 * Socket lookups as nft_tproxy does them: @lookup ESTABLISHED on the
 * packet's own addresses, or LISTENER on the listener's.
 */
struct sock *sluice_get_sock(struct net *net, struct sk_buff *skb,
			     const struct sluice_tuple *t, int thoff,
			     const struct net_device *dev, const void *laddr,
			     __be16 lport, enum nf_tproxy_lookup_t lookup)
{
	/* nf_tproxy warns for any other protocol (6.1: WARN_ON). */
	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		return NULL;
	if (t->family == AF_INET)
		return nf_tproxy_get_sock_v4(net, skb, t->proto, t->saddr.v4,
					     *(const __be32 *)laddr, t->sport,
					     lport, dev, lookup);
	return nf_tproxy_get_sock_v6(net, skb, thoff, t->proto, &t->saddr.v6,
				     laddr, t->sport, lport, dev, lookup);
}

unsigned int sluice_nat_redirect(struct sk_buff *skb,
				 const struct nf_hook_state *state, u16 port)
{
	struct nf_nat_range2 range = {
		.flags = NF_NAT_RANGE_PROTO_SPECIFIED,
		.min_proto.all = htons(port),
		.max_proto.all = htons(port),
	};

	if (state->pf == NFPROTO_IPV4)
		return nf_nat_redirect_ipv4(skb, &range, state->hook);
	return nf_nat_redirect_ipv6(skb, &range, state->hook);
}

/*
 * DNAT of a new locally generated flow to its own source address, port
 * @port.  NAT REDIRECT would send it to loopback; a server on a wildcard
 * UDP socket (v2ray's DNS inbound) then answers from the address the
 * kernel picks for the querier, not from 127.0.0.1, and conntrack never
 * matches the reply.  To the querier's own address, the reply's source is
 * that address again: it matches.
 */
static unsigned int sluice_nat_to_self(struct sk_buff *skb,
				       const struct nf_hook_state *state,
				       u16 port)
{
	struct nf_nat_range2 range = {
		.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
		.min_proto.all = htons(port),
		.max_proto.all = htons(port),
	};
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW)
		return NF_DROP;
	if (state->pf == NFPROTO_IPV4)
		range.min_addr.ip = ip_hdr(skb)->saddr;
	else
		range.min_addr.in6 = ipv6_hdr(skb)->saddr;
	range.max_addr = range.min_addr;
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
}

unsigned int sluice_dns_redirect(struct sluice_net *sn,
				 const struct sluice_cfg *cfg,
				 struct sk_buff *skb,
				 const struct nf_hook_state *state, u8 family,
				 bool to_self)
{
	unsigned int verdict;

	if (to_self)
		verdict = sluice_nat_to_self(skb, state, cfg->dns_port);
	else
		verdict = sluice_nat_redirect(skb, state, cfg->dns_port);

	if (verdict != NF_ACCEPT)
		sluice_count(sn, SLUICE_CTR_ERRORS);
	else
		sluice_count(sn, family == AF_INET ? SLUICE_CTR_DNS4 :
						     SLUICE_CTR_DNS6);
	return verdict;
}

/*
 * Rejected rather than redirected (QUIC): the sender learns at once that
 * UDP 443 is closed and its browser falls back to TCP, which is proxied.
 * nf_reject builds the ICMP error from the packet, routing it if needed.
 */
unsigned int sluice_reject(struct sluice_net *sn, struct sk_buff *skb,
			   const struct nf_hook_state *state)
{
	if (state->pf == NFPROTO_IPV4)
		nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
	else
		nf_send_unreach6(state->net, skb, ICMPV6_PORT_UNREACH,
				 state->hook);
	sluice_count(sn, SLUICE_CTR_QUIC_REJECT);
	return NF_DROP;
}

/*
 * The other way round from sluice_guard_hook()'s stale NAT: a UDP flow
 * that went direct, masqueraded, and is now to be redirected (its verdict
 * was cleared by FLOWS_FLUSH and its destination left the white_list)
 * would reach the tunnel client with the gateway's wan address as its
 * source.  Its entry is killed and the packet dropped; the next one
 * starts a fresh entry.
 */
static bool sluice_ct_kill_natted(struct sluice_net *sn, struct sk_buff *skb)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (!ct || nf_ct_protonum(ct) != IPPROTO_UDP ||
	    !nf_ct_is_confirmed(ct) || !(READ_ONCE(ct->status) & IPS_SRC_NAT))
		return false;
	nf_ct_kill(ct);
	sluice_count(sn, SLUICE_CTR_STALE_NAT);
	return true;
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

/* The client's transparent listening socket (referenced), or NULL. */
static struct sock *sluice_listener_sock(struct net *net,
					 struct sk_buff *skb,
					 const struct sluice_cfg *cfg,
					 const struct sluice_tuple *t, int thoff,
					 const struct net_device *in)
{
	struct in6_addr laddr6;
	struct sock *sk;
	__be32 laddr4;
	__be16 lport;

	lport = sluice_listener(skb, cfg, t, &laddr4, &laddr6);
	sk = sluice_get_sock(net, skb, t, thoff, in,
			     t->family == AF_INET ? (void *)&laddr4 :
						    (void *)&laddr6,
			     lport, NF_TPROXY_LOOKUP_LISTENER);
	/* nf_tproxy_sk_is_transparent() drops the reference if not. */
	return sk && nf_tproxy_sk_is_transparent(sk) ? sk : NULL;
}

/*
 * The transparent socket of a flow the client already holds: an
 * ESTABLISHED lookup of the packet's own addresses, as nft_tproxy does.
 * A socket that is not transparent (say a local DNS server bound to *:53)
 * only shares the port: ignored.  A SYN that reopens a TIME_WAIT pair of
 * the client gets the listener.  Referenced, or NULL.
 */
static struct sock *sluice_flow_sock(struct net *net, struct sk_buff *skb,
				     const struct sluice_cfg *cfg,
				     const struct sluice_tuple *t, int thoff,
				     const struct net_device *in)
{
	struct in6_addr laddr6;
	struct sock *sk;
	__be32 laddr4;
	__be16 lport;

	sk = sluice_get_sock(net, skb, t, thoff, in, &t->daddr, t->dport,
			     NF_TPROXY_LOOKUP_ESTABLISHED);
	if (sk && sk->sk_state == TCP_TIME_WAIT) {
		lport = sluice_listener(skb, cfg, t, &laddr4, &laddr6);
		if (t->family == AF_INET)
			sk = nf_tproxy_handle_time_wait4(net, skb, laddr4,
							 lport, sk);
		else
			sk = nf_tproxy_handle_time_wait6(skb, t->proto, thoff,
							 net, &laddr6, lport,
							 sk);
	}
	return sk && nf_tproxy_sk_is_transparent(sk) ? sk : NULL;
}

/*
 * The first UDP datagram of a flow: conntrack has not confirmed its entry
 * yet.  It goes to the listener without looking for a socket of its own
 * (docs/design.md, "Data path").
 */
static bool sluice_first_datagram(const struct nf_conn *ct,
				  const struct sluice_tuple *t)
{
	return ct && !nf_ct_is_confirmed(ct) && t->proto == IPPROTO_UDP;
}

/*
 * The socket a packet to redirect goes to: the flow's own (unless @own is
 * false), else the listener.  Referenced and transparent, or NULL (and
 * NULL for anything but TCP and UDP: sluice_get_sock()).
 */
static struct sock *sluice_client_sock(struct sluice_net *sn,
				       const struct sluice_cfg *cfg,
				       struct sk_buff *skb,
				       const struct sluice_tuple *t, int thoff,
				       const struct net_device *in, bool own)
{
	struct sock *sk = NULL;

	if (own)
		sk = sluice_flow_sock(sn->net, skb, cfg, t, thoff, in);
	if (!sk)
		sk = sluice_listener_sock(sn->net, skb, cfg, t, thoff, in);
	return sk;
}

/* Hand the packet to @sk (referenced); policy routing delivers it. */
static unsigned int sluice_divert(struct sluice_net *sn,
				  const struct sluice_cfg *cfg,
				  struct sk_buff *skb,
				  const struct sluice_tuple *t, struct sock *sk,
				  enum sluice_rule rule)
{
	nf_tproxy_assign_sock(skb, sk);
	skb->mark = (skb->mark & ~cfg->fwmark_mask) ^ cfg->fwmark;
	sluice_count_redirect(sn, t, rule);
	return NF_ACCEPT;
}

unsigned int sluice_no_listener(struct sluice_net *sn,
				const struct sluice_cfg *cfg,
				struct nf_conn *ct)
{
	if (cfg->no_listener == SLUICE_NO_LISTENER_DROP) {
		sluice_count(sn, SLUICE_CTR_NOLISTENER_DROP);
		return NF_DROP;
	}
	/* Out direct, and for good: a flow is not moved once it started. */
	sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
	sluice_count(sn, SLUICE_CTR_NOLISTENER_PASS);
	return NF_ACCEPT;
}

/*
 * A later packet of a proxied flow, in either direction of its entry:
 * to its socket, or to the listener (which resets an orphaned TCP
 * segment).  With neither, dropped: whatever no-listener says for new
 * flows, a flow that went into the tunnel never leaves any other way.
 */
static unsigned int sluice_tproxy_proxied(struct sluice_net *sn,
					  const struct sluice_cfg *cfg,
					  struct sk_buff *skb,
					  const struct sluice_tuple *t,
					  int thoff,
					  const struct net_device *in)
{
	/*
	 * An ICMP error a LAN host sends about a proxied flow (conntrack
	 * relates it to the flow's entry) finds no socket, and routed it
	 * would leave direct with the LAN address: dropped too.
	 */
	struct sock *sk = sluice_client_sock(sn, cfg, skb, t, thoff, in, true);

	if (sk)
		return sluice_divert(sn, cfg, skb, t, sk, SLUICE_RULE_REDIRECT);
	sluice_count(sn, SLUICE_CTR_FLOW_DROP);
	return NF_DROP;
}

/*
 * A flow without a verdict whose early checks said REDIRECT: its first
 * packet, or the next one of a flow whose verdict was cleared
 * (FLOWS_FLUSH, a new ct-mask) or that predates sluice.
 */
static unsigned int sluice_tproxy_new(struct sluice_net *sn,
				      const struct sluice_cfg *cfg,
				      struct sk_buff *skb,
				      const struct sluice_tuple *t, int thoff,
				      const struct nf_hook_state *state,
				      struct nf_conn *ct)
{
	enum sluice_rule rule = SLUICE_RULE_REDIRECT;
	struct sock *sk = NULL;

	/*
	 * The first UDP datagram of a flow (conntrack has not confirmed its
	 * entry yet) is decided before any socket lookup, so a direct flow
	 * costs none (docs/design.md, "Data path").  Anything else looks for
	 * the client's socket of the flow first: a SYN may reopen a
	 * TIME_WAIT pair, and a flow whose entry was deleted or flushed while
	 * its socket lives goes on through that socket.
	 */
	if (!sluice_first_datagram(ct, t))
		sk = sluice_flow_sock(sn->net, skb, cfg, t, thoff, state->in);
	if (!sk) {
		rule = sluice_decide_dest(sn, cfg, t);
		switch (sluice_rule_verdict(rule)) {
		case SLUICE_VERDICT_REDIRECT:
			break;
		case SLUICE_VERDICT_REJECT:
			return sluice_reject(sn, skb, state);
		default:
			sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
			return sluice_pass(sn, rule, t->family);
		}
		sk = sluice_listener_sock(sn->net, skb, cfg, t, thoff,
					  state->in);
		if (!sk)
			return sluice_no_listener(sn, cfg, ct);
	}
	if (sluice_ct_kill_natted(sn, skb)) {
		sock_gen_put(sk);
		return NF_DROP;
	}
	sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_PROXY);
	return sluice_divert(sn, cfg, skb, t, sk, rule);
}

/*
 * The reply direction of an entry without a verdict: a flow that started
 * on the gateway or beyond the wan (a port forward, routed IPv6), and
 * stays direct; or, if the LAN host's packet belongs to a transparent
 * socket, a proxied flow whose entry went (deleted, flushed, expired) and
 * that the tunnel client's socket restarted by sending first, so that
 * the entry starts on the gateway and the LAN host's packets are its
 * replies.  That one stays proxied.
 */
static unsigned int sluice_tproxy_reply(struct sluice_net *sn,
					const struct sluice_cfg *cfg,
					struct sk_buff *skb,
					const struct sluice_tuple *t, int thoff,
					const struct net_device *in,
					struct nf_conn *ct)
{
	struct sock *sk = NULL;

	if (sluice_is_lan(cfg, t->ifindex) &&
	    (t->proto == IPPROTO_TCP || t->proto == IPPROTO_UDP))
		sk = sluice_flow_sock(sn->net, skb, cfg, t, thoff, in);
	if (!sk) {
		/*
		 * Only the LAN side decides: a flow that went direct while
		 * redirection was off is decided at its next LAN packet,
		 * whichever side speaks first now.
		 */
		if (sluice_is_lan(cfg, t->ifindex))
			sluice_flow_set(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
		return sluice_pass(sn, SLUICE_RULE_EXISTING, t->family);
	}
	sluice_flow_set(ct, cfg->ct_mask, SLUICE_FLOW_PROXY);
	sluice_count(sn, SLUICE_CTR_FLOW_ADOPTED);
	return sluice_divert(sn, cfg, skb, t, sk, SLUICE_RULE_REDIRECT);
}

/*
 * The gateway's own packet that LOCAL_OUT marked for the tunnel client:
 * policy routing (fwmark -> "local default dev lo") looped it through lo.
 * Only `local on` makes such packets ours; anything else on lo is not.
 */
static bool sluice_local_loop(const struct sluice_cfg *cfg,
			      const struct sk_buff *skb,
			      const struct net_device *in)
{
	return cfg->local && (in->flags & IFF_LOOPBACK) &&
	       (skb->mark & cfg->fwmark_mask) == cfg->fwmark;
}

/* Such a packet was decided in LOCAL_OUT: it only needs its socket. */
static unsigned int sluice_tproxy_local(struct sluice_net *sn,
					const struct sluice_cfg *cfg,
					struct sk_buff *skb,
					const struct sluice_tuple *t, int thoff,
					const struct nf_hook_state *state,
					struct nf_conn *ct,
					enum ip_conntrack_info ctinfo)
{
	struct sock *sk;

	if (t->proto != IPPROTO_TCP && t->proto != IPPROTO_UDP)
		return NF_ACCEPT;
	if (ct && CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY)
		return sluice_pass(sn, SLUICE_RULE_EXISTING, t->family);
	sk = sluice_client_sock(sn, cfg, skb, t, thoff, state->in,
				!sluice_first_datagram(ct, t));
	if (sk)
		return sluice_divert(sn, cfg, skb, t, sk, SLUICE_RULE_REDIRECT);
	/* The listener went between LOCAL_OUT and here. */
	return sluice_no_listener(sn, cfg, NULL);
}

/*
 * A frame the bridge forwards from one LAN port to another: never routed,
 * not ours.  br_netfilter calls this hook for it with PACKET_OTHERHOST
 * turned into PACKET_HOST (setup_pre_routing()), and remembers the truth
 * in pkt_otherhost.  Frames for the gateway's own MAC are PACKET_HOST.
 */
static bool sluice_bridged(const struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	const struct nf_bridge_info *nf_bridge = nf_bridge_info_get(skb);

	if (nf_bridge && nf_bridge->pkt_otherhost)
		return true;
#endif
	return skb->pkt_type == PACKET_OTHERHOST;
}

/*
 * tproxy mode, PREROUTING at mangle priority.  A flow's kept verdict is
 * read first: a direct flow is done after one test.  See the top.
 */
static unsigned int sluice_tproxy_hook(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct sluice_net *sn = sluice_pernet_rcu(state->net);
	enum sluice_flow flow = SLUICE_FLOW_NONE;
	const struct sluice_cfg *cfg;
	enum ip_conntrack_info ctinfo;
	struct sluice_tuple t = {};
	enum sluice_rule rule;
	struct nf_conn *ct;
	int thoff;

	cfg = rcu_dereference(sn->cfg);
	/* During a mode switch both hook sets exist for a moment. */
	if (!cfg->enabled || cfg->mode != SLUICE_MODE_TPROXY)
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	if (ct) {
		flow = sluice_flow_get(ct, cfg->ct_mask);
		/* A direct flow's later packets: this test is all they cost. */
		if (flow == SLUICE_FLOW_DIRECT)
			return NF_ACCEPT;
	}
	sluice_count(sn, SLUICE_CTR_PACKETS);

	if (!sluice_tuple_fill(skb, state, &t, &thoff)) {
		sluice_count(sn, SLUICE_CTR_ERRORS);
		return NF_ACCEPT;
	}
	if (sluice_local_loop(cfg, skb, state->in))
		return sluice_tproxy_local(sn, cfg, skb, &t, thoff, state, ct,
					   ctinfo);
	if (flow == SLUICE_FLOW_PROXY) {
		/* Only its LAN side is the flow's: not a packet from the wan. */
		if (!sluice_is_lan(cfg, t.ifindex))
			return sluice_pass(sn, SLUICE_RULE_NOT_LAN, t.family);
		return sluice_tproxy_proxied(sn, cfg, skb, &t, thoff,
					     state->in);
	}
	if (sluice_bridged(skb)) {
		sluice_count(sn, SLUICE_CTR_BRIDGED);
		return NF_ACCEPT;
	}
	if (ct && CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY)
		return sluice_tproxy_reply(sn, cfg, skb, &t, thoff, state->in,
					   ct);

	/* The checks that need no socket lookup come first. */
	rule = sluice_decide_early(sn, cfg, &t);
	if (rule == SLUICE_RULE_REDIRECT)
		return sluice_tproxy_new(sn, cfg, skb, &t, thoff, state, ct);
	sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
	/* DNS is the NAT hook's, which redirects the flow's first packet. */
	if (rule == SLUICE_RULE_DNS)
		return NF_ACCEPT;
	return sluice_pass(sn, rule, t.family);
}

/*
 * NAT PREROUTING, first packet of a flow only.  In tproxy mode it exists
 * for DNS alone (the tproxy hook counted and judged everything else).
 */
static unsigned int sluice_redirect_hook(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	struct sluice_net *sn = sluice_pernet_rcu(state->net);
	const struct sluice_cfg *cfg;
	enum ip_conntrack_info ctinfo;
	struct sluice_tuple t = {};
	enum sluice_rule rule;
	unsigned int verdict;
	struct nf_conn *ct;
	bool redirect_mode;
	int thoff;

	cfg = rcu_dereference(sn->cfg);
	if (!cfg->enabled)
		return NF_ACCEPT;
	redirect_mode = cfg->mode == SLUICE_MODE_REDIRECT;
	if (!redirect_mode && !cfg->dns_port)
		return NF_ACCEPT;
	if (redirect_mode)
		sluice_count(sn, SLUICE_CTR_PACKETS);

	if (!sluice_tuple_fill(skb, state, &t, &thoff)) {
		if (redirect_mode)
			sluice_count(sn, SLUICE_CTR_ERRORS);
		return NF_ACCEPT;
	}
	if (!redirect_mode) {
		if (t.dport != htons(53) ||
		    sluice_decide_early(sn, cfg, &t) != SLUICE_RULE_DNS)
			return NF_ACCEPT;
		return sluice_dns_redirect(sn, cfg, skb, state, t.family,
					   false);
	}

	ct = nf_ct_get(skb, &ctinfo);
	rule = sluice_decide(sn, cfg, &t);
	switch (sluice_rule_verdict(rule)) {
	case SLUICE_VERDICT_DNS:
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
		return sluice_dns_redirect(sn, cfg, skb, state, t.family,
					   false);
	case SLUICE_VERDICT_REJECT:
		return sluice_reject(sn, skb, state);
	case SLUICE_VERDICT_REDIRECT:
		break;
	default:
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_DIRECT);
		return sluice_pass(sn, rule, t.family);
	}
	verdict = sluice_nat_redirect(skb, state,
				      t.family == AF_INET ? cfg->port :
							    sluice_cfg_port6(cfg));
	if (verdict == NF_ACCEPT) {
		/* Bound to the listener by NAT; the mark is for the guard. */
		sluice_flow_keep(ct, cfg->ct_mask, SLUICE_FLOW_PROXY);
		sluice_count_redirect(sn, &t, rule);
	} else {
		sluice_count(sn, SLUICE_CTR_ERRORS);
	}
	return verdict;
}

static unsigned int sluice_masq_hook(void *priv, struct sk_buff *skb,
				     const struct nf_hook_state *state)
{
	struct sluice_net *sn = sluice_pernet_rcu(state->net);
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

/*
 * FORWARD: what must never leave by routing.
 *
 * A proxied flow's packet: its way is the tunnel client's socket, so
 * routed it would leave direct, with the LAN source address.  That
 * happens only while sluice does not take it (redirection switched off
 * by the operator or by sluiced failing open, a mode switch): it is
 * dropped.  A UDP flow's entry is killed too, so that its next datagram
 * starts a fresh entry, decided (or masqueraded) as new.  A TCP flow
 * cannot change path mid-stream: it stays dropped until its entry ends.
 *
 * Stale NAT: NAT binds a conntrack entry once, at its first packet.  A
 * UDP flow that was delivered to the tunnel client got the null binding
 * of local delivery; when the same flow later goes direct, its packets
 * keep that binding and would leave by the wan with the LAN source
 * address.  The same holds for entries made before masquerade was turned
 * on.  So a forwarded packet leaving by the wan whose confirmed entry has
 * no source NAT kills the entry and is dropped: the sender's next packet
 * starts a fresh entry, which is masqueraded.  Entries the firewall
 * source-NATed are left alone.  UDP only: a routed, unmasqueraded TCP
 * flow that predates `masquerade on` keeps working as it did.
 */
static unsigned int sluice_guard_hook(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	struct sluice_net *sn = sluice_pernet_rcu(state->net);
	const struct sluice_cfg *cfg = rcu_dereference(sn->cfg);
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
	bool udp;

	bool to_wan;

	to_wan = cfg->masquerade && state->out &&
		 state->out->ifindex == cfg->wan_ifindex;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct) {
		/*
		 * No entry (a lone FIN after `conntrack -F`: conntrack makes
		 * none), so NAT never sees it: it would leave unmasqueraded.
		 * fw4 drops these too ("ct state invalid" on the wan).  A
		 * packet the operator chose not to track is left alone.
		 */
		if (!to_wan || ctinfo == IP_CT_UNTRACKED)
			return NF_ACCEPT;
		sluice_count(sn, SLUICE_CTR_STALE_NAT);
		return NF_DROP;
	}
	udp = nf_ct_protonum(ct) == IPPROTO_UDP;
	if (to_wan && udp && CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL &&
	    ctinfo != IP_CT_RELATED && nf_ct_is_confirmed(ct) &&
	    !(READ_ONCE(ct->status) & IPS_SRC_NAT)) {
		nf_ct_kill(ct);
		sluice_count(sn, SLUICE_CTR_STALE_NAT);
		return NF_DROP;
	}
	if (sluice_flow_get(ct, cfg->ct_mask) != SLUICE_FLOW_PROXY)
		return NF_ACCEPT;
	/* An ICMP error about the flow is dropped; the flow lives on. */
	if (udp && ctinfo != IP_CT_RELATED && ctinfo != IP_CT_RELATED_REPLY)
		nf_ct_kill(ct);
	sluice_count(sn, SLUICE_CTR_FLOW_DROP);
	return NF_DROP;
}

static const struct nf_hook_ops sluice_guard_ops[] = {
	{
		.hook = sluice_guard_hook,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP_PRI_FILTER - 1,
	},
	{
		.hook = sluice_guard_hook,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_FORWARD,
		.priority = NF_IP6_PRI_FILTER - 1,
	},
};

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
	case SLUICE_HOOK_MASQ:
		return sluice_nat_register(net, sluice_masq_ops);
	case SLUICE_HOOK_LOCAL:
		return nf_register_net_hooks(net, sluice_local_ops,
					     SLUICE_LOCAL_OPS);
	case SLUICE_HOOK_GUARD:
		return nf_register_net_hooks(net, sluice_guard_ops,
					     ARRAY_SIZE(sluice_guard_ops));
	default:
		return sluice_nat_register(net, sluice_local_nat_ops);
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
	case SLUICE_HOOK_MASQ:
		sluice_nat_unregister(net, sluice_masq_ops);
		break;
	case SLUICE_HOOK_LOCAL:
		nf_unregister_net_hooks(net, sluice_local_ops,
					SLUICE_LOCAL_OPS);
		break;
	case SLUICE_HOOK_GUARD:
		nf_unregister_net_hooks(net, sluice_guard_ops,
					ARRAY_SIZE(sluice_guard_ops));
		break;
	default:
		sluice_nat_unregister(net, sluice_local_nat_ops);
	}
}

static unsigned int sluice_hooks_wanted(const struct sluice_net *sn,
					const struct sluice_cfg *cfg)
{
	bool tproxy = cfg->mode == SLUICE_MODE_TPROXY;
	unsigned int want = 0;

	if (cfg->enabled) {
		want |= tproxy ? SLUICE_HOOK_TPROXY : SLUICE_HOOK_REDIRECT;
		/* DNS is redirected by NAT in both modes. */
		if (cfg->dns_port)
			want |= SLUICE_HOOK_REDIRECT;
		/*
		 * tproxy: LOCAL_OUT keeps the verdict of flows the gateway
		 * starts (the tunnel client's answers included); it diverts
		 * them only with `local on`.
		 */
		if (tproxy)
			want |= SLUICE_HOOK_LOCAL;
		if ((cfg->local && !tproxy) ||
		    (cfg->dns_local && cfg->dns_port))
			want |= SLUICE_HOOK_LOCAL_NAT;
	}
	/* Masquerade is independent of redirection: fail-open needs it. */
	if (cfg->masquerade)
		want |= SLUICE_HOOK_MASQ;
	/*
	 * The guard, only where a proxied flow can reach FORWARD: once
	 * redirection was on, while it is off (by hand, or sluiced failing
	 * open: proxied flows outlive it), and in redirect mode (flows
	 * proxied in tproxy mode have no NAT binding there).  In tproxy
	 * mode the PREROUTING hook takes every proxied packet, so forwarded
	 * packets pay nothing.  With masquerade it also does the stale-NAT
	 * part, in every state.
	 */
	if (cfg->masquerade || (cfg->enabled && !tproxy) ||
	    (!cfg->enabled && sn->was_enabled))
		want |= SLUICE_HOOK_GUARD;
	return want;
}

static void sluice_hooks_set(struct sluice_net *sn, unsigned int want)
{
	unsigned int hook;

	for (hook = 1; hook <= SLUICE_HOOK_LAST; hook <<= 1) {
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
	unsigned int want = sluice_hooks_wanted(sn, cfg), added = 0, hook;
	int err;

	if (cfg->enabled)
		sn->was_enabled = true;
	if (want && !sn->ct_held) {
		err = nf_ct_netns_get(sn->net, NFPROTO_INET);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "cannot enable conntrack");
			return err;
		}
		sn->ct_held = true;
	}
	/* New hooks first: a mode switch never leaves a gap. */
	for (hook = 1; hook <= SLUICE_HOOK_LAST; hook <<= 1) {
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
	sluice_hooks_set(sn, sluice_hooks_wanted(sn, cfg));
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
