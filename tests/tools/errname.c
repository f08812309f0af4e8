// SPDX-License-Identifier: GPL-2.0
/*
 * errno names: see errname.h.  The values come from <errno.h>, so they are
 * right on every architecture (MIPS numbers many of them differently).
 * Listed: what the kernel's netlink, generic netlink and sluice.ko answer,
 * and what the tools' own socket calls report.
 */
#include <errno.h>
#include <stdio.h>

#include "errname.h"

#define E(x) { x, #x }

static const struct {
	int e;
	const char *name;
} names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY),
	E(EEXIST), E(ENODEV), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOSPC),
	E(EPIPE), E(ERANGE), E(EPROTO), E(EBADMSG), E(EOVERFLOW),
	E(EMSGSIZE), E(EPROTONOSUPPORT), E(EOPNOTSUPP), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
	E(ECONNRESET), E(ENOBUFS), E(ENOTCONN), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS),
};

const char *errname(int e)
{
	static char buf[8][16];
	static unsigned int next;
	char *b;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	b = buf[next++ % 8];
	snprintf(b, sizeof(buf[0]), "%d", e);
	return b;
}
