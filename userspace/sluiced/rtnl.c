// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "rtnl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nl.h"

int rtnl_open(struct rtnl *r, unsigned groups)
{
	int one = 1;

	memset(r, 0, sizeof(*r));
	r->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->sk)
		return -errno;
	/* Best effort: older kernels simply give no extack text. */
	mnl_socket_setsockopt(r->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(r->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(r->sk, groups, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(r->sk);
		r->sk = NULL;
		return err;
	}
	r->portid = mnl_socket_get_portid(r->sk);
	r->seq = (uint32_t)time(NULL);
	return 0;
}

void rtnl_close(struct rtnl *r)
{
	if (r->sk)
		mnl_socket_close(r->sk);
	r->sk = NULL;
}

struct nlmsghdr *rtnl_req(struct rtnl *r, void *buf, uint16_t type,
			  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++r->seq;
	return nlh;
}

struct talk {
	mnl_cb_t cb;
	void *data;
	char *msg;
	size_t msglen;
	int code;
};

static int on_status(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int code;

	if (sl_nl_parse_status(nlh, &code, t->msg, t->msglen, NULL) < 0)
		return MNL_CB_ERROR;
	t->code = code;
	return MNL_CB_STOP;
}

static int on_data(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

int rtnl_talk(struct rtnl *r, const struct nlmsghdr *req, mnl_cb_t cb,
	      void *data, char *msg, size_t msglen)
{
	/* Dumps of a busy table come in up to 32 KiB pieces. */
	static char buf[65536];
	struct talk t = { cb, data, msg, msglen, 0 };
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { 0 };
	int ret;

	msg[0] = '\0';
	ctl[NLMSG_ERROR] = on_status;
	ctl[NLMSG_DONE] = on_status;
	if (mnl_socket_sendto(r->sk, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(r->sk, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ret = mnl_cb_run2(buf, (size_t)n, req->nlmsg_seq, r->portid,
				  on_data, &t, ctl, NLMSG_MIN_TYPE);
	} while (ret == MNL_CB_OK);
	if (ret == MNL_CB_ERROR && !t.code)
		return errno ? -errno : -EIO;
	return -t.code;
}
