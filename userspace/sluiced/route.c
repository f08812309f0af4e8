// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "route.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "log.h"

static const int fams[2] = { AF_INET, AF_INET6 };
static const char *const fam_name[2] = { "IPv4", "IPv6" };

/* What a dump found in the way. */
struct scan {
	const struct routing *st;
	int family;
	bool foreign;			/* someone else's: refuse */
	bool ours;			/* a previous sluiced's: reclaim */
	char what[160];
};

static uint32_t attr_u32(const struct nlattr *a)
{
	return mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : 0;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct scan *s = data;
	const struct fib_rule_hdr *h;
	const struct nlattr *a;
	uint32_t mark = 0, mask = UINT32_MAX, prio = 0, table;
	bool has_mark = false;
	uint8_t proto = 0;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*h))
		return MNL_CB_OK;
	h = mnl_nlmsg_get_payload(nlh);
	table = h->table;
	mnl_attr_for_each(a, nlh, sizeof(*h)) {
		switch (mnl_attr_get_type(a)) {
		case FRA_FWMARK: mark = attr_u32(a); has_mark = true; break;
		case FRA_FWMASK: mask = attr_u32(a); break;
		case FRA_PRIORITY: prio = attr_u32(a); break;
		case FRA_TABLE: table = attr_u32(a); break;
		case FRA_PROTOCOL:
			if (mnl_attr_get_payload_len(a) >= 1)
				proto = mnl_attr_get_u8(a);
			break;
		}
	}
	if (!has_mark || mark != s->st->fwmark || mask != s->st->mask)
		return MNL_CB_OK;
	if (proto == RTPROT_SLUICED) {
		s->ours = true;
		return MNL_CB_OK;
	}
	s->foreign = true;
	snprintf(s->what, sizeof(s->what),
		 "an %s rule with fwmark 0x%x/0x%x exists already (priority "
		 "%u, table %u)", fam_name[s->family == AF_INET6], mark, mask,
		 prio, table);
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct scan *s = data;
	const struct rtmsg *rt;
	const struct nlattr *a;
	uint32_t table;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rt))
		return MNL_CB_OK;
	rt = mnl_nlmsg_get_payload(nlh);
	table = rt->rtm_table;
	mnl_attr_for_each(a, nlh, sizeof(*rt))
		if (mnl_attr_get_type(a) == RTA_TABLE)
			table = attr_u32(a);
	if (table != s->st->table)
		return MNL_CB_OK;
	if (rt->rtm_protocol == RTPROT_SLUICED) {
		s->ours = true;
		return MNL_CB_OK;
	}
	s->foreign = true;
	snprintf(s->what, sizeof(s->what), "routing table %u already has %s "
		 "routes", s->st->table, fam_name[s->family == AF_INET6]);
	return MNL_CB_OK;
}

static int talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *d,
		const char *what)
{
	char msg[256];
	int err = rtnl_talk(r, nlh, cb, d, msg, sizeof(msg));

	if (err < 0 && what)
		log_err("%s: %s%s%s", what, strerror(-err), msg[0] ? ": " : "",
			msg);
	return err;
}

static int scan(struct rtnl *r, int family, bool rules, struct scan *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = rtnl_req(r, buf, rules ? RTM_GETRULE
						     : RTM_GETROUTE,
					NLM_F_DUMP);
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	int err;

	/* fib_rule_hdr and rtmsg share the layout of their first bytes. */
	rt->rtm_family = (uint8_t)family;
	s->family = family;
	err = talk(r, nlh, rules ? rule_cb : route_cb, s, NULL);
	/* No IPv6 in this kernel: nothing can be in the way there. */
	if (err == -EAFNOSUPPORT || err == -EOPNOTSUPP)
		return 1;
	if (err < 0) {
		log_err("dump %s %s: %s", fam_name[family == AF_INET6],
			rules ? "rules" : "routes", strerror(-err));
		return -1;
	}
	return 0;
}

/* The rule / route request, for NEW (add) or DEL. */
static struct nlmsghdr *rule_msg(struct rtnl *r, char *buf, int family,
				 const struct routing *st, bool add)
{
	struct nlmsghdr *nlh = rtnl_req(r, buf, add ? RTM_NEWRULE : RTM_DELRULE,
					NLM_F_ACK | (add ? NLM_F_CREATE |
						     NLM_F_EXCL : 0));
	struct fib_rule_hdr *h = mnl_nlmsg_put_extra_header(nlh, sizeof(*h));

	h->family = (uint8_t)family;
	h->action = FR_ACT_TO_TBL;
	h->table = st->table < 256 ? (uint8_t)st->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_TABLE, st->table);
	mnl_attr_put_u32(nlh, FRA_FWMARK, st->fwmark);
	mnl_attr_put_u32(nlh, FRA_FWMASK, st->mask);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, st->priority);
	if (add)
		mnl_attr_put_u8(nlh, FRA_PROTOCOL, RTPROT_SLUICED);
	return nlh;
}

static struct nlmsghdr *route_msg(struct rtnl *r, char *buf, int family,
				  const struct routing *st, bool add)
{
	struct nlmsghdr *nlh = rtnl_req(r, buf,
					add ? RTM_NEWROUTE : RTM_DELROUTE,
					NLM_F_ACK | (add ? NLM_F_CREATE |
						     NLM_F_EXCL : 0));
	struct rtmsg *rt = mnl_nlmsg_put_extra_header(nlh, sizeof(*rt));
	unsigned lo = if_nametoindex("lo");

	rt->rtm_family = (uint8_t)family;
	rt->rtm_table = st->table < 256 ? (uint8_t)st->table : RT_TABLE_UNSPEC;
	rt->rtm_protocol = RTPROT_SLUICED;
	rt->rtm_scope = RT_SCOPE_HOST;
	rt->rtm_type = RTN_LOCAL;
	mnl_attr_put_u32(nlh, RTA_TABLE, st->table);
	mnl_attr_put_u32(nlh, RTA_OIF, lo ? lo : 1);
	return nlh;
}

/* Remove leftovers of a previous sluiced (protocol RTPROT_SLUICED). */
static void reclaim(struct rtnl *r, int family, const struct routing *st,
		    bool rules)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int i;

	/* Deleting by the same keys; loops in case of duplicates. */
	for (i = 0; i < 8; i++) {
		struct nlmsghdr *nlh = rules ? rule_msg(r, buf, family, st, false)
					     : route_msg(r, buf, family, st, false);
		if (talk(r, nlh, NULL, NULL, NULL) < 0)
			break;
	}
}

int route_setup(struct rtnl *r, const struct sd_conf *c, struct routing *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[96];
	int f, k, ret;

	memset(st, 0, sizeof(*st));
	st->table = c->route_table;
	st->priority = c->rule_priority;
	st->fwmark = c->fwmark;
	st->mask = c->fwmark_mask;

	for (f = 0; f < 2; f++)
		for (k = 0; k < 2; k++) {
			struct scan s = { .st = st };

			ret = scan(r, fams[f], k == 0, &s);
			if (ret < 0)
				return -1;
			if (s.foreign) {
				log_err("policy routing: %s: someone else's "
					"policy routing is in the way; choose "
					"another fwmark / route-table in the "
					"config or remove it", s.what);
				return -1;
			}
			if (s.ours) {
				log_notice("policy routing: reclaiming %s %s "
					   "left by a previous sluiced",
					   fam_name[f], k ? "routes" : "rules");
				reclaim(r, fams[f], st, k == 0);
			}
		}
	for (f = 0; f < 2; f++) {
		snprintf(what, sizeof(what), "add %s rule fwmark 0x%x/0x%x "
			 "lookup %u", fam_name[f], st->fwmark, st->mask,
			 st->table);
		ret = talk(r, rule_msg(r, buf, fams[f], st, true), NULL, NULL,
			   f ? NULL : what);
		if (ret == 0)
			st->rule[f] = true;
		else if (f && (ret == -EAFNOSUPPORT || ret == -EOPNOTSUPP))
			log_warn("no IPv6 in this kernel: IPv4 policy "
				 "routing only");
		else
			goto undo;
		snprintf(what, sizeof(what), "add %s route local default dev "
			 "lo table %u", fam_name[f], st->table);
		ret = talk(r, route_msg(r, buf, fams[f], st, true), NULL, NULL,
			   what);
		if (ret == 0)
			st->route[f] = true;
		else if (st->rule[f])
			goto undo;
	}
	log_info("policy routing: fwmark 0x%x/0x%x lookup table %u "
		 "(priority %u)%s", st->fwmark, st->mask, st->table,
		 st->priority, st->rule[1] ? "" : ", IPv4 only");
	return 0;
undo:
	if (f && ret < 0 && !st->rule[f])
		log_err("%s: %s", what, strerror(-ret));
	route_teardown(r, st);
	return -1;
}

void route_teardown(struct rtnl *r, struct routing *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], what[64];
	int f;

	for (f = 0; f < 2; f++) {
		if (st->route[f]) {
			snprintf(what, sizeof(what), "delete %s route table %u",
				 fam_name[f], st->table);
			talk(r, route_msg(r, buf, fams[f], st, false), NULL,
			     NULL, what);
			st->route[f] = false;
		}
		if (st->rule[f]) {
			snprintf(what, sizeof(what), "delete %s fwmark rule",
				 fam_name[f]);
			talk(r, rule_msg(r, buf, fams[f], st, false), NULL,
			     NULL, what);
			st->rule[f] = false;
		}
	}
}
