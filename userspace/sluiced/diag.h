/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * TCP listeners on the client's ports, from sock_diag (NETLINK_SOCK_DIAG,
 * inet_diag): whether there is one, its accept backlog (for the hang
 * watchdog, hang.h) and its socket inode (to name the process that holds
 * a port at start).  In sluiced's own network namespace.
 */
#ifndef SLUICED_DIAG_H
#define SLUICED_DIAG_H

#include <stddef.h>
#include <stdint.h>

struct listen_info {
	unsigned n;		/* listening sockets on port or port6 */
	uint32_t rqueue;	/* largest accept backlog among them */
	uint32_t inode;		/* socket inode of the first one */
};

/*
 * Fold one buffer of inet_diag dump replies into @li: listeners of either
 * family whose local port is @port or @port6 (a dual-stack [::] socket
 * serves both).  1 when the dump's end was seen, 0 if more follows, or
 * -errno from an NLMSG_ERROR.  Pure.
 */
int diag_parse(const void *buf, size_t len, uint16_t port, uint16_t port6,
	       struct listen_info *li);

/* Dump TCP listeners (IPv4 and IPv6) into @li.  0, or -errno. */
int diag_listeners(uint16_t port, uint16_t port6, struct listen_info *li);

#endif /* SLUICED_DIAG_H */
