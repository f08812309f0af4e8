/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A generic netlink request header for the unit tests that encode and
 * decode sluice messages without a kernel (the family id is made up).
 */
#ifndef SLUICE_TEST_GENL_MSG_H
#define SLUICE_TEST_GENL_MSG_H

#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/sluice.h>

static inline struct nlmsghdr *genl_msg(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = 0x20;
	g->cmd = cmd;
	g->version = SLUICE_GENL_VERSION;
	return nlh;
}

#endif /* SLUICE_TEST_GENL_MSG_H */
