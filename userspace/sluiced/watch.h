/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Real-time addresses: the `local` source (every address of the gateway)
 * and the `lan` source (prefixes of the LAN interfaces' addresses), kept
 * in step with rtnetlink events.  One initial dump, then events only; a
 * lost event (ENOBUFS) means a fresh dump and a wholesale replace.
 */
#ifndef SLUICED_WATCH_H
#define SLUICED_WATCH_H

#include <net/if.h>

#include "addrtab.h"
#include "conf.h"
#include "mod.h"
#include "rtnl.h"

struct link_name {
	int ifindex;
	char name[IFNAMSIZ];
};

struct watch {
	struct rtnl ev;			/* subscribed, non-blocking */
	struct rtnl dump;		/* synchronous dumps */
	struct addrtab tab;
	struct link_name *links;
	size_t n_links, cap_links;
	const struct sd_conf *conf;	/* for the lan interface names */
	struct mod *mod;
};

int watch_open(struct watch *w, const struct sd_conf *conf, struct mod *mod);
void watch_close(struct watch *w);
int watch_fd(const struct watch *w);

/* Dump links and addresses, replace `local` and `lan`.  0 or -1. */
int watch_sync(struct watch *w);
/* Read and apply every pending event.  0 or -1 (fatal socket error). */
int watch_handle(struct watch *w);
/* The lan interface names changed (reload): recompute `lan`. */
int watch_conf_changed(struct watch *w, const struct sd_conf *conf);

#endif /* SLUICED_WATCH_H */
