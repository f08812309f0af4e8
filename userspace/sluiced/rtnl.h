/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A synchronous NETLINK_ROUTE socket: one request (or dump) at a time,
 * acked, with the kernel's extack text on error.  Used for the address
 * dumps and for policy routing; events come on their own socket
 * (watch.c) so a dump never interleaves with them.
 */
#ifndef SLUICED_RTNL_H
#define SLUICED_RTNL_H

#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

struct rtnl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
};

/* @groups: RTMGRP_* to subscribe to (0 for none).  0 or -errno. */
int rtnl_open(struct rtnl *r, unsigned groups);
void rtnl_close(struct rtnl *r);

/* Fill in flags/seq for a request built in @buf.  Returns the header. */
struct nlmsghdr *rtnl_req(struct rtnl *r, void *buf, uint16_t type,
			  uint16_t flags);

/*
 * Send @req and read until its ack / NLMSG_DONE; @cb (may be NULL) sees
 * every data message.  0, or -errno with the extack text in @msg.
 */
int rtnl_talk(struct rtnl *r, const struct nlmsghdr *req, mnl_cb_t cb,
	      void *data, char *msg, size_t msglen);

#endif /* SLUICED_RTNL_H */
