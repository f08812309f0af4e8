// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "rtmsg.h"

#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

int rtmsg_addr(const struct nlmsghdr *nlh, struct addr_rec *rec)
{
	const struct ifaddrmsg *ifa;
	const struct nlattr *a, *local = NULL, *address = NULL, *use;
	unsigned alen;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return -1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -1;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family == AF_INET)
		alen = 4;
	else if (ifa->ifa_family == AF_INET6)
		alen = 16;
	else
		return -1;
	if (ifa->ifa_prefixlen > alen * 8)
		return -1;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_payload_len(a) != alen)
			continue;
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			local = a;
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			address = a;
	}
	use = local ? local : address;
	if (!use)
		return -1;
	memset(rec, 0, sizeof(*rec));
	rec->ifindex = (int)ifa->ifa_index;
	rec->addr.family = ifa->ifa_family;
	rec->addr.plen = ifa->ifa_prefixlen;
	memcpy(rec->addr.addr, mnl_attr_get_payload(use), alen);
	return 0;
}

int rtmsg_link(const struct nlmsghdr *nlh, int *ifindex, char *name)
{
	const struct ifinfomsg *ifi;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return -1;
	ifi = mnl_nlmsg_get_payload(nlh);
	*ifindex = ifi->ifi_index;
	name[0] = '\0';
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_IFNAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
		    mnl_attr_get_payload_len(a) <= IFNAMSIZ) {
			strcpy(name, mnl_attr_get_str(a));
			return 0;
		}
	}
	return -1;
}
