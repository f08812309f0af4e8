/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Policy routing for tproxy mode, over rtnetlink:
 *   ip rule add fwmark F/M lookup T priority P proto sluiced
 *   ip route add local default dev lo table T proto sluiced
 * for IPv4 and IPv6.  Only what was added is removed.  Rules and routes
 * carry protocol RTPROT_SLUICED so that leftovers of a sluiced that died
 * are recognised as ours and reclaimed, while anybody else's make
 * sluiced refuse to start.
 */
#ifndef SLUICED_ROUTE_H
#define SLUICED_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "rtnl.h"

/* Our rtm_protocol / FRA_PROTOCOL (free in iproute2's rt_protos). */
#define RTPROT_SLUICED 193

struct routing {
	bool rule[2], route[2];		/* [0] IPv4, [1] IPv6: added by us */
	uint32_t table, priority, fwmark, mask;
};

/* Check for conflicts, then add.  0, or -1 after logging (and undoing). */
int route_setup(struct rtnl *r, const struct sd_conf *c, struct routing *st);
/* Remove what route_setup added.  Errors are logged, not fatal. */
void route_teardown(struct rtnl *r, struct routing *st);

#endif /* SLUICED_ROUTE_H */
