/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SLUICE_HOOKS_H
#define SLUICE_HOOKS_H

#include <linux/netfilter.h>
#include <net/netfilter/nf_tproxy.h>

#include "sluice.h"

struct sluice_tuple;
struct nf_conn;

/*
 * Register, re-register or unregister the namespace's netfilter hooks so
 * they match @cfg (enabled, mode, masquerade, local, dns).  Called with
 * sn->cfg_lock held, before @cfg is published; on error nothing changed.
 */
int sluice_hooks_apply(struct sluice_net *sn, const struct sluice_cfg *cfg,
		       struct netlink_ext_ack *extack);
/* After @cfg is published: drop the hooks it no longer needs. */
void sluice_hooks_prune(struct sluice_net *sn, const struct sluice_cfg *cfg);
/* Namespace exit: drop whatever is registered. */
void sluice_hooks_exit_net(struct sluice_net *sn);

int sluice_hooks_init(void);
void sluice_hooks_exit(void);

/* Packet helpers shared by hooks.c and local_out.c. */

/*
 * Fill @t, which the caller zeroed, from the packet (input device, MAC,
 * local_out from @state); false if it is TCP/UDP we cannot read.
 * *@thoff: transport header.
 */
bool sluice_tuple_fill(struct sk_buff *skb, const struct nf_hook_state *state,
		       struct sluice_tuple *t, int *thoff);
/* A TCP SYN (no ACK): the only segment that starts a flow. */
bool sluice_tcp_syn(struct sk_buff *skb, int thoff);
/* Count the pass rule @rule (if it has a counter) and accept. */
unsigned int sluice_pass(struct sluice_net *sn, enum sluice_rule rule,
			 u8 family);
/* Count a packet sent to the tunnel client by @rule. */
void sluice_count_redirect(struct sluice_net *sn, const struct sluice_tuple *t,
			   enum sluice_rule rule);
/* Socket lookup as nft_tproxy does it, @dev standing for the input device. */
struct sock *sluice_get_sock(struct net *net, struct sk_buff *skb,
			     const struct sluice_tuple *t, int thoff,
			     const struct net_device *dev, const void *laddr,
			     __be16 lport, enum nf_tproxy_lookup_t lookup);
/* NAT REDIRECT of a new flow to local port @port (host order). */
unsigned int sluice_nat_redirect(struct sk_buff *skb,
				 const struct nf_hook_state *state, u16 port);
/*
 * DNS flow to cfg->dns_port: NAT REDIRECT, or with @to_self (the
 * gateway's own, from LOCAL_OUT) to the sender's own address; counted
 * DNS4/DNS6.
 */
unsigned int sluice_dns_redirect(struct sluice_net *sn,
				 const struct sluice_cfg *cfg,
				 struct sk_buff *skb,
				 const struct nf_hook_state *state, u8 family,
				 bool to_self);
/*
 * A flow to redirect that no socket takes: dropped (kill switch) or let
 * out direct, and then kept direct in @ct (may be NULL), by no-listener.
 */
unsigned int sluice_no_listener(struct sluice_net *sn,
				const struct sluice_cfg *cfg,
				struct nf_conn *ct);
/* QUIC reject: ICMP port unreachable to the sender, drop, count. */
unsigned int sluice_reject(struct sluice_net *sn, struct sk_buff *skb,
			   const struct nf_hook_state *state);

#endif /* SLUICE_HOOKS_H */
