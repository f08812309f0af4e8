// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rtnetlink address handling of sluiced as pure functions: decoding of
 * RTM_NEWADDR/DELADDR/NEWLINK messages, and which white_list operations
 * each address event produces (local hosts, lan prefixes, shared holders,
 * PPP reconnects).  Also the resolver's result lines and merge.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "../../userspace/sluiced/addrtab.h"
#include "../../userspace/sluiced/resolve.h"
#include "../../userspace/sluiced/rtmsg.h"

static struct addr_rec rec(int ifindex, bool lan, const char *a, int plen)
{
	struct addr_rec r = { .ifindex = ifindex, .lan = lan };
	char err[SL_ERR_LEN];

	if (sl_addr_parse(a, &r.addr, err, sizeof(err)))
		fail_msg("%s: %s", a, err);
	r.addr.plen = (uint8_t)plen;
	return r;
}

static void op_is(const struct addr_op *op, enum addr_op_kind k,
		  const char *pfx)
{
	char buf[SL_PREFIX_STRLEN];

	assert_int_equal(op->kind, k);
	sl_prefix_format_len(&op->pfx, buf, sizeof(buf));
	assert_string_equal(buf, pfx);
}

static void test_wan_address(void **state)
{
	struct addrtab t;
	struct addr_op ops[2];
	struct addr_rec r = rec(3, false, "198.51.100.7", 24);

	(void)state;
	addrtab_init(&t);
	assert_int_equal(addrtab_apply(&t, &r, true, ops), 1);
	op_is(&ops[0], OP_LOCAL_ADD, "198.51.100.7/32");
	/* The kernel re-announces on flag changes: nothing to do. */
	assert_int_equal(addrtab_apply(&t, &r, true, ops), 0);
	assert_int_equal(addrtab_apply(&t, &r, false, ops), 1);
	op_is(&ops[0], OP_LOCAL_DEL, "198.51.100.7/32");
	/* Unknown delete: nothing. */
	assert_int_equal(addrtab_apply(&t, &r, false, ops), 0);
	addrtab_free(&t);
}

static void test_lan_address(void **state)
{
	struct addrtab t;
	struct addr_op ops[2];
	struct addr_rec a = rec(2, true, "192.168.1.1", 24);
	struct addr_rec b = rec(2, true, "192.168.1.2", 24);
	struct addr_rec c = rec(2, true, "2001:db8:1::1", 64);

	(void)state;
	addrtab_init(&t);
	assert_int_equal(addrtab_apply(&t, &a, true, ops), 2);
	op_is(&ops[0], OP_LOCAL_ADD, "192.168.1.1/32");
	op_is(&ops[1], OP_LAN_ADD, "192.168.1.0/24");
	/* Second address in the same subnet: the prefix is already in. */
	assert_int_equal(addrtab_apply(&t, &b, true, ops), 1);
	op_is(&ops[0], OP_LOCAL_ADD, "192.168.1.2/32");
	assert_int_equal(addrtab_apply(&t, &c, true, ops), 2);
	op_is(&ops[1], OP_LAN_ADD, "2001:db8:1::/64");
	/* First one leaves: the prefix stays while .2 holds it. */
	assert_int_equal(addrtab_apply(&t, &a, false, ops), 1);
	op_is(&ops[0], OP_LOCAL_DEL, "192.168.1.1/32");
	assert_int_equal(addrtab_apply(&t, &b, false, ops), 2);
	op_is(&ops[0], OP_LOCAL_DEL, "192.168.1.2/32");
	op_is(&ops[1], OP_LAN_DEL, "192.168.1.0/24");
	addrtab_free(&t);
}

static void test_same_address_two_links(void **state)
{
	struct addrtab t;
	struct addr_op ops[2];
	struct addr_rec a = rec(4, false, "10.0.0.1", 32);
	struct addr_rec b = rec(5, false, "10.0.0.1", 8);

	(void)state;
	addrtab_init(&t);
	assert_int_equal(addrtab_apply(&t, &a, true, ops), 1);
	assert_int_equal(addrtab_apply(&t, &b, true, ops), 0);
	assert_int_equal(addrtab_apply(&t, &a, false, ops), 0);
	assert_int_equal(addrtab_apply(&t, &b, false, ops), 1);
	op_is(&ops[0], OP_LOCAL_DEL, "10.0.0.1/32");
	addrtab_free(&t);
}

static void test_ppp_reconnect(void **state)
{
	struct addrtab t;
	struct addr_op ops[2];
	struct addr_rec old = rec(9, false, "100.64.1.2", 32);
	struct addr_rec new = rec(10, false, "100.64.7.9", 32);

	(void)state;
	addrtab_init(&t);
	assert_int_equal(addrtab_apply(&t, &old, true, ops), 1);
	/* ppp0 goes down: the old address leaves... */
	assert_int_equal(addrtab_apply(&t, &old, false, ops), 1);
	op_is(&ops[0], OP_LOCAL_DEL, "100.64.1.2/32");
	/* ...and the new link's address comes in. */
	assert_int_equal(addrtab_apply(&t, &new, true, ops), 1);
	op_is(&ops[0], OP_LOCAL_ADD, "100.64.7.9/32");
	addrtab_free(&t);
}

static void test_sets_and_relabel(void **state)
{
	struct addrtab t;
	struct addr_op ops[2];
	struct sl_pfx_list l;
	struct addr_rec r[] = {
		rec(1, false, "127.0.0.1", 8), rec(1, false, "::1", 128),
		rec(2, false, "192.0.2.1", 24), rec(3, false, "198.51.100.1", 24),
		rec(2, false, "fe80::1", 64),
	};
	char buf[SL_PREFIX_STRLEN];
	size_t i;

	(void)state;
	addrtab_init(&t);
	for (i = 0; i < 5; i++)
		assert_true(addrtab_apply(&t, &r[i], true, ops) >= 0);
	sl_pfx_list_init(&l);
	assert_int_equal(addrtab_local_set(&t, &l), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.n4, 3);
	sl_pfx_list_free(&l);
	sl_pfx_list_init(&l);
	assert_int_equal(addrtab_lan_set(&t, &l), 0);
	assert_int_equal(l.n, 0);
	sl_pfx_list_free(&l);
	/* Interface 2 becomes a LAN interface (config reload, rename). */
	addrtab_set_lan(&t, 2, true);
	sl_pfx_list_init(&l);
	assert_int_equal(addrtab_lan_set(&t, &l), 0);
	assert_int_equal(l.n, 2);
	sl_prefix_format_len(&l.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.0/24");
	sl_prefix_format_len(&l.v[1], buf, sizeof(buf));
	assert_string_equal(buf, "fe80::/64");
	sl_pfx_list_free(&l);
	addrtab_drop_ifindex(&t, 2);
	assert_int_equal(t.n, 3);
	addrtab_free(&t);
}

static void test_mask(void **state)
{
	struct addr_rec r = rec(1, false, "2001:db8:ffff:ffff::1", 35);
	char buf[SL_PREFIX_STRLEN];

	(void)state;
	prefix_mask(&r.addr);
	sl_prefix_format_len(&r.addr, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8:e000::/35");
	r = rec(1, false, "10.1.2.3", 0);
	prefix_mask(&r.addr);
	sl_prefix_format_len(&r.addr, buf, sizeof(buf));
	assert_string_equal(buf, "0.0.0.0/0");
}

/* ---- message decoding ------------------------------------------------ */

static struct nlmsghdr *addr_msg(char *buf, uint16_t type, int family,
				 int plen, int ifindex, const char *local,
				 const char *address)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	unsigned char a[16];

	nlh->nlmsg_type = type;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_index = (uint32_t)ifindex;
	if (address) {
		assert_int_equal(inet_pton(family, address, a), 1);
		mnl_attr_put(nlh, IFA_ADDRESS, family == AF_INET ? 4 : 16, a);
	}
	if (local) {
		assert_int_equal(inet_pton(family, local, a), 1);
		mnl_attr_put(nlh, IFA_LOCAL, family == AF_INET ? 4 : 16, a);
	}
	mnl_attr_put_strz(nlh, IFA_LABEL, "x");
	return nlh;
}

static void test_decode_addr(void **state)
{
	char buf[512], pb[SL_PREFIX_STRLEN];
	struct addr_rec r;
	struct nlmsghdr *nlh;

	(void)state;
	/* ppp0: IFA_LOCAL is ours, IFA_ADDRESS the peer. */
	nlh = addr_msg(buf, RTM_NEWADDR, AF_INET, 32, 7, "100.64.1.2",
		       "10.255.0.1");
	assert_int_equal(rtmsg_addr(nlh, &r), 0);
	assert_int_equal(r.ifindex, 7);
	sl_prefix_format_len(&r.addr, pb, sizeof(pb));
	assert_string_equal(pb, "100.64.1.2/32");
	/* IPv6 has only IFA_ADDRESS. */
	nlh = addr_msg(buf, RTM_DELADDR, AF_INET6, 64, 2, NULL, "2001:db8::7");
	assert_int_equal(rtmsg_addr(nlh, &r), 0);
	sl_prefix_format_len(&r.addr, pb, sizeof(pb));
	assert_string_equal(pb, "2001:db8::7/64");
	/* Rejected: no address, wrong type, bad prefix length, truncated. */
	nlh = addr_msg(buf, RTM_NEWADDR, AF_INET, 24, 2, NULL, NULL);
	assert_int_equal(rtmsg_addr(nlh, &r), -1);
	nlh = addr_msg(buf, RTM_NEWLINK, AF_INET, 24, 2, "1.2.3.4", NULL);
	assert_int_equal(rtmsg_addr(nlh, &r), -1);
	nlh = addr_msg(buf, RTM_NEWADDR, AF_INET, 33, 2, "1.2.3.4", NULL);
	assert_int_equal(rtmsg_addr(nlh, &r), -1);
	nlh = addr_msg(buf, RTM_NEWADDR, AF_PACKET, 0, 2, NULL, NULL);
	assert_int_equal(rtmsg_addr(nlh, &r), -1);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(rtmsg_addr(nlh, &r), -1);
}

static void test_decode_link(void **state)
{
	char buf[512], name[16];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	int ifindex;

	(void)state;
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi->ifi_index = 12;
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "br-lan");
	assert_int_equal(rtmsg_link(nlh, &ifindex, name), 0);
	assert_int_equal(ifindex, 12);
	assert_string_equal(name, "br-lan");
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	assert_int_equal(rtmsg_link(nlh, &ifindex, name), -1);
}

/* ---- resolver lines and merge ----------------------------------------- */

static void test_resolver_lines(void **state)
{
	char l1[] = "OK a.example 192.0.2.9", l2[] = "ERR b.example Name or service not known";
	char l3[] = "OK a.example not-an-ip", l4[] = "MAYBE x y", l5[] = "OK";
	const char *name, *reason;
	struct sl_prefix p;
	bool ok;

	(void)state;
	assert_int_equal(resolver_parse_line(l1, &name, &ok, &p, &reason), 0);
	assert_true(ok);
	assert_string_equal(name, "a.example");
	assert_int_equal(p.plen, 32);
	assert_int_equal(resolver_parse_line(l2, &name, &ok, &p, &reason), 0);
	assert_false(ok);
	assert_string_equal(reason, "Name or service not known");
	assert_int_equal(resolver_parse_line(l3, &name, &ok, &p, &reason), -1);
	assert_int_equal(resolver_parse_line(l4, &name, &ok, &p, &reason), -1);
	assert_int_equal(resolver_parse_line(l5, &name, &ok, &p, &reason), -1);
}

/* Literal addresses settle without a child; a change is detected once. */
static void test_resolver_literals(void **state)
{
	struct name_list names = { 0 };
	struct resolver r;
	struct sl_pfx_list out;
	bool changed;

	(void)state;
	resolver_init(&r);
	assert_int_equal(name_list_add(&names, "192.0.2.1"), 0);
	assert_int_equal(name_list_add(&names, "2001:db8::1"), 0);
	assert_int_equal(resolver_start(&r, &names), 0);
	assert_int_equal(resolver_finish(&r, &out, &changed), 0);
	assert_true(changed);
	assert_int_equal(out.n, 2);
	resolver_committed(&r, &out);
	sl_pfx_list_free(&out);
	assert_int_equal(resolver_start(&r, &names), 0);
	assert_int_equal(resolver_finish(&r, &out, &changed), 0);
	assert_false(changed);
	sl_pfx_list_free(&out);
	name_list_free(&names);
	resolver_free(&r);
}

/* A failed lookup keeps the name's last good addresses. */
static void test_resolver_keeps_last_good(void **state)
{
	struct name_list names = { 0 };
	struct resolver r;
	struct sl_pfx_list out;
	bool changed;
	const char *good = "OK s.example 192.0.2.5\nOK s.example 2001:db8::5\n";
	const char *bad = "ERR s.example Temporary failure in name resolution\n";

	(void)state;
	resolver_init(&r);
	assert_int_equal(name_list_add(&names, "s.example"), 0);
	/* Feed the round's output as the child would have written it. */
	r.pid = 0;
	assert_int_equal(resolver_start(&r, &names) >= 0, 1);
	resolver_kill(&r);	/* no real lookup in a unit test */
	r.out = strdup(good);
	r.len = strlen(good);
	r.cap = r.len + 1;
	assert_int_equal(resolver_finish(&r, &out, &changed), 0);
	assert_true(changed);
	assert_int_equal(out.n, 2);
	resolver_committed(&r, &out);
	sl_pfx_list_free(&out);

	free(r.out);
	r.out = strdup(bad);
	r.len = strlen(bad);
	r.cap = r.len + 1;
	assert_int_equal(resolver_finish(&r, &out, &changed), 0);
	assert_false(changed);
	assert_int_equal(out.n, 2);
	sl_pfx_list_free(&out);
	name_list_free(&names);
	resolver_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wan_address),
		cmocka_unit_test(test_lan_address),
		cmocka_unit_test(test_same_address_two_links),
		cmocka_unit_test(test_ppp_reconnect),
		cmocka_unit_test(test_sets_and_relabel),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_decode_addr),
		cmocka_unit_test(test_decode_link),
		cmocka_unit_test(test_resolver_lines),
		cmocka_unit_test(test_resolver_literals),
		cmocka_unit_test(test_resolver_keeps_last_good),
	};

	return cmocka_run_group_tests_name("sluiced_addr", tests, NULL, NULL);
}
