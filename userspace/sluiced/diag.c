// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "diag.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* include/net/tcp_states.h: not exported to userspace. */
#define DIAG_TCP_LISTEN 10

int diag_parse(const void *buf, size_t len, uint16_t port, uint16_t port6,
	       struct listen_info *li)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct inet_diag_msg *m;
		uint16_t sport;

		if (nlh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
				return -EBADMSG;
			return e->error ? e->error : 1;
		}
		if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*m)))
			continue;
		m = mnl_nlmsg_get_payload(nlh);
		sport = ntohs(m->id.idiag_sport);
		if (m->idiag_state != DIAG_TCP_LISTEN ||
		    (m->idiag_family != AF_INET && m->idiag_family != AF_INET6) ||
		    !sport || (sport != port && sport != port6))
			continue;
		if (!li->n++)
			li->inode = m->idiag_inode;
		if (m->idiag_rqueue > li->rqueue)
			li->rqueue = m->idiag_rqueue;
	}
	return 0;
}

static int dump(struct mnl_socket *sk, uint8_t family, uint16_t port,
		uint16_t port6, struct listen_info *li)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	int ret;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = 1u << DIAG_TCP_LISTEN;
	if (mnl_socket_sendto(sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(sk, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		ret = diag_parse(buf, (size_t)n, port, port6, li);
		if (ret)
			return ret < 0 ? ret : 0;
	}
}

int diag_listeners(uint16_t port, uint16_t port6, struct listen_info *li)
{
	struct mnl_socket *sk = mnl_socket_open2(NETLINK_SOCK_DIAG,
						 SOCK_CLOEXEC);
	int ret;

	memset(li, 0, sizeof(*li));
	if (!sk)
		return -errno;
	if (mnl_socket_bind(sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(sk);
		return ret;
	}
	ret = dump(sk, AF_INET, port, port6, li);
	if (!ret)
		ret = dump(sk, AF_INET6, port, port6, li);
	mnl_socket_close(sk);
	return ret;
}
