// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "probe.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Loopback answers at once; this only bounds a full accept backlog. */
#define PROBE_TIMEOUT_MS 200

static bool try(int family, const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool ok = false;

	if (fd < 0)
		return false;
	if (connect(fd, sa, len) == 0) {
		ok = true;
	} else if (errno == EINPROGRESS) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);

		if (poll(&p, 1, PROBE_TIMEOUT_MS) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 &&
		    err == 0)
			ok = true;
	}
	close(fd);
	return ok;
}

bool probe_listener(uint16_t port, uint16_t port6)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port6),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };

	return try(AF_INET, (struct sockaddr *)&a4, sizeof(a4)) ||
	       try(AF_INET6, (struct sockaddr *)&a6, sizeof(a6));
}
