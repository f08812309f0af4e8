/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A flow's verdict, kept in its conntrack entry (flow.c).
 *
 * The first packet of a flow is decided (decide.c); the decision is
 * written into two bits of the entry's ct mark, cfg->ct_mask: the lower
 * bit "direct", the higher one "proxied".  Every later packet, in either
 * direction, reads it back instead of deciding again, so a direct flow
 * costs one field test and a proxied one is never passed direct.
 */
#ifndef SLUICE_FLOW_H
#define SLUICE_FLOW_H

#include <linux/bitops.h>
#include <net/netfilter/nf_conntrack.h>

#include "sluice.h"

#if !IS_ENABLED(CONFIG_NF_CONNTRACK_MARK)
#error "sluice keeps each flow's verdict in its ct mark: CONFIG_NF_CONNTRACK_MARK is needed"
#endif

enum sluice_flow {
	SLUICE_FLOW_NONE,		/* not decided (yet, or any more) */
	SLUICE_FLOW_DIRECT,		/* passed: never looked at again */
	SLUICE_FLOW_PROXY,		/* the tunnel client's, in both ways */
};

static inline u32 sluice_flow_direct_bit(u32 ct_mask)
{
	return ct_mask & -ct_mask;
}

/*
 * Both bits set (only another ruleset writing the mark can do that)
 * reads as proxied: a flow of doubtful verdict is never let out direct.
 */
static inline enum sluice_flow sluice_flow_get(const struct nf_conn *ct,
					       u32 ct_mask)
{
	u32 v = READ_ONCE(ct->mark) & ct_mask;

	if (!v)
		return SLUICE_FLOW_NONE;
	return v == sluice_flow_direct_bit(ct_mask) ? SLUICE_FLOW_DIRECT :
						      SLUICE_FLOW_PROXY;
}

void sluice_flow_set(struct nf_conn *ct, u32 ct_mask, enum sluice_flow flow);

/*
 * The same for a packet that may have no entry (untracked).  A flow's
 * first packet, the common case, is written in place: its entry is not
 * in the table yet, so only this CPU sees it, and the NEW event at
 * confirmation carries the mark (docs/benchmarks.md, section 2b).
 */
static inline void sluice_flow_keep(struct nf_conn *ct, u32 ct_mask,
				    enum sluice_flow flow)
{
	u32 bit = sluice_flow_direct_bit(ct_mask);

	if (!ct)
		return;
	if (nf_ct_is_confirmed(ct)) {
		sluice_flow_set(ct, ct_mask, flow);
		return;
	}
	if (flow == SLUICE_FLOW_PROXY)
		bit = ct_mask & ~bit;
	else if (flow == SLUICE_FLOW_NONE)
		bit = 0;
	ct->mark = (ct->mark & ~ct_mask) | bit;
}

/*
 * FLOWS_FLUSH: clear the verdict of every entry of @net (or of those whose
 * original destination is in @pfx/@plen of @family, if @family is not 0)
 * so that their next packet is decided again; a proxied UDP flow's entry
 * is deleted instead (flow.c).  Returns how many.
 */
u32 sluice_flow_flush(struct net *net, u32 ct_mask, u8 family,
		      const union nf_inet_addr *pfx, u8 plen);

#endif /* SLUICE_FLOW_H */
