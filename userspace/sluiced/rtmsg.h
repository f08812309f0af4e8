/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Decoding of RTM_NEWADDR/DELADDR and RTM_NEWLINK/DELLINK messages into
 * plain structs.  Pure (libmnl attribute walking only): unit tested.
 */
#ifndef SLUICED_RTMSG_H
#define SLUICED_RTMSG_H

#include <stdbool.h>
#include <linux/netlink.h>

#include "addrtab.h"

/*
 * An address message: which interface, which address (IFA_LOCAL when
 * present, the peer is IFA_ADDRESS on point-to-point links like ppp0),
 * and its prefix length.  Returns 0, or -1 if the message is not one we
 * use (other family, truncated, no address).
 */
int rtmsg_addr(const struct nlmsghdr *nlh, struct addr_rec *rec);

/* A link message: index and name (@name gets IFNAMSIZ bytes). 0 or -1. */
int rtmsg_link(const struct nlmsghdr *nlh, int *ifindex, char *name);

#endif /* SLUICED_RTMSG_H */
