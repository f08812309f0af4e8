// SPDX-License-Identifier: GPL-2.0
/*
 * Per-flow verdicts in the ct mark (flow.h says what the bits mean).
 *
 * Why the ct mark and not a connlabel: the mark is in every conntrack
 * entry already (no extension to allocate per flow, which a small router
 * feels), OpenWrt's and Debian's kernels both have it, and an operator
 * can keep sluice's two bits apart from fw4, mwan3 or SQM, which use
 * others, with the ct-mask setting.  Connlabels need
 * CONFIG_NF_CONNTRACK_LABELS, which OpenWrt does not enable.
 */
#include <linux/netfilter.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_ecache.h>

#include "flow.h"

/*
 * Other rulesets may own other bits of the same mark and write them at
 * the same time: only sluice's bits change, atomically.
 */
void sluice_flow_set(struct nf_conn *ct, u32 ct_mask, enum sluice_flow flow)
{
	u32 bit = sluice_flow_direct_bit(ct_mask), old, new;

	if (flow == SLUICE_FLOW_PROXY)
		bit = ct_mask & ~bit;
	else if (flow == SLUICE_FLOW_NONE)
		bit = 0;
	/* A flow's first packet: see sluice_flow_keep(). */
	if (!nf_ct_is_confirmed(ct)) {
		ct->mark = (ct->mark & ~ct_mask) | bit;
		return;
	}
	old = READ_ONCE(ct->mark);
	do {
		new = (old & ~ct_mask) | bit;
		if (new == old)
			return;
	} while (!try_cmpxchg(&ct->mark, &old, new));
	nf_conntrack_event_cache(IPCT_MARK, ct);
}

struct sluice_flow_match {
	u32 ct_mask;
	u8 family;
	u8 plen;
	union nf_inet_addr pfx;
	u32 count;
};

static bool sluice_flow_in_prefix(const struct nf_conn *ct,
				  const struct sluice_flow_match *m)
{
	const struct nf_conntrack_tuple *t =
		&ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	const union nf_inet_addr *a = &t->dst.u3;

	if (!m->family)
		return true;
	if (nf_ct_l3num(ct) != m->family)
		return false;
	if (m->family == NFPROTO_IPV4)
		return !m->plen ||
		       !((a->ip ^ m->pfx.ip) &
			 htonl(~0U << (32 - m->plen)));
	return ipv6_prefix_equal(&a->in6, &m->pfx.in6, m->plen);
}

/*
 * Clears the verdict and keeps the entry (returns 0), except for a
 * proxied UDP flow: its entry has the null NAT binding of local delivery,
 * so decided direct again it would leave unmasqueraded.  That entry is
 * deleted (returns 1), and the flow's next datagram starts a fresh one.
 * A TCP flow cannot change path mid-stream: a proxied one finds its
 * socket again, a direct one moved into the tunnel meets the listener.
 */
static int sluice_flow_clear(struct nf_conn *ct, void *data)
{
	struct sluice_flow_match *m = data;
	enum sluice_flow flow = sluice_flow_get(ct, m->ct_mask);

	if (flow == SLUICE_FLOW_NONE || !sluice_flow_in_prefix(ct, m))
		return 0;
	m->count++;
	if (flow == SLUICE_FLOW_PROXY && nf_ct_protonum(ct) == IPPROTO_UDP)
		return 1;
	sluice_flow_set(ct, m->ct_mask, SLUICE_FLOW_NONE);
	return 0;
}

u32 sluice_flow_flush(struct net *net, u32 ct_mask, u8 family,
		      const union nf_inet_addr *pfx, u8 plen)
{
	struct sluice_flow_match m = {
		.ct_mask = ct_mask,
		.family = family,
		.plen = plen,
	};
	struct nf_ct_iter_data iter = {
		.net = net,
		.data = &m,
	};

	if (pfx)
		m.pfx = *pfx;
	nf_ct_iterate_cleanup_net(sluice_flow_clear, &iter);
	return m.count;
}
