/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SLUICE_LOCAL_OUT_H
#define SLUICE_LOCAL_OUT_H

#include <linux/netfilter.h>

/*
 * The gateway's own flows (local_out.c), IPv4 then IPv6 in each array:
 * the mangle LOCAL_OUT hook of tproxy mode (nf_register_net_hooks) and
 * the NAT LOCAL_OUT hook of redirect mode and DNS (through the NAT core).
 */
#define SLUICE_LOCAL_OPS 2
extern const struct nf_hook_ops sluice_local_ops[SLUICE_LOCAL_OPS];
extern const struct nf_hook_ops sluice_local_nat_ops[SLUICE_LOCAL_OPS];

#endif /* SLUICE_LOCAL_OUT_H */
