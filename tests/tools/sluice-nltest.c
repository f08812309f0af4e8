// SPDX-License-Identifier: GPL-2.0
/*
 * sluice-nltest: raw generic-netlink checks that sluicectl cannot make,
 * because sluicectl never sends malformed requests.
 *
 *   sluice-nltest badinput     send a table of malformed requests; each
 *                              must fail with the expected errno and an
 *                              extack message, and leave the config and
 *                              every list exactly as they were
 *   sluice-nltest hold SOURCE [LIST...]
 *                              open a replace transaction of SOURCE (on
 *                              each enum sluice_list number given, default
 *                              the white_list), staging 198.18.0.0/15;
 *                              print "open", and keep them until stdin
 *                              closes; then exit without commit (the
 *                              kernel must drop them with the socket)
 *   sluice-nltest verify FILE N IIF
 *                              N random addresses, half inside FILE's
 *                              prefixes: the data path's answer (CLASSIFY
 *                              of a TCP flow arriving on LAN device IIF)
 *                              must match a naive scan of FILE
 *   sluice-nltest reader FILE IIF
 *                              until stdin closes, classify random
 *                              addresses inside FILE's prefixes; every one
 *                              must be direct (prints lookups and misses)
 *
 *   sluice-nltest addrlat IF N
 *                              update latency of sluiced's address path:
 *                              N times, add 203.0.113.K/32 to IF, ask the
 *                              module (WL_LOOKUP) until the white_list has
 *                              it, delete it, ask until it is gone; print
 *                              "add USEC" / "del USEC" per change, from
 *                              just before the rtnetlink request (the
 *                              kernel's event is sent inside it) to the
 *                              first lookup that sees the change (looks
 *                              50 us apart, so the poller does not
 *                              compete with sluiced for a CPU)
 *
 *   sluice-nltest dumpintr entries-behind|entries-ahead|sources
 *                              a dump (WL_GET of 1200 hosts in source
 *                              "di", or WL_SOURCES of 250 sources
 *                              "sNNN") read 4 KiB at a time over 3 or more
 *                              datagrams; after the first, one entry is
 *                              deleted (one already received, or the last
 *                              one) or one source flushed away.  The dump
 *                              must be flagged NLM_F_DUMP_INTR or hold
 *                              exactly the set from before or from after
 *                              the change, each item once.  Run it in a
 *                              namespace of its own: it flushes the list
 *
 * verify and reader need sluice enabled with IIF as a lan interface;
 * addrlat needs sluiced running in the namespace with IF as an interface
 * whose addresses it lists (any but a lan one).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <time.h>
#include <linux/sluice.h>

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

static struct mnl_socket *nl;
static uint16_t family_id;
static unsigned int seq = 1;
static char extack_msg[256];
static char reply[8192];
static size_t reply_len;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static struct nlmsghdr *msg_start(char *buf, uint16_t type, uint8_t cmd,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq++;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = SLUICE_GENL_VERSION;
	return nlh;
}

static int err_attr_cb(const struct nlattr *a, void *data)
{
	(void)data;
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
		snprintf(extack_msg, sizeof(extack_msg), "%s",
			 mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* Send @nlh; return 0 or -errno; fill extack_msg and the reply. */
static int transact(struct nlmsghdr *nlh)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret, err = 0;
	bool done = false;

	extack_msg[0] = 0;
	reply_len = 0;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("sendto");
	while (!done) {
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *m;

		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			die("recvfrom");
		for (m = (struct nlmsghdr *)buf; mnl_nlmsg_ok(m, ret);
		     m = mnl_nlmsg_next(m, &ret)) {
			if (m->nlmsg_pid != portid)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
				unsigned int off = sizeof(*e);

				err = e->error;
				if (!(m->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len -
					       sizeof(struct nlmsghdr);
				if (m->nlmsg_flags & NLM_F_ACK_TLVS)
					mnl_attr_parse(m, off, err_attr_cb,
						       NULL);
				done = true;
			} else if (m->nlmsg_type == NLMSG_DONE) {
				done = true;
			} else if (m->nlmsg_len <= sizeof(reply)) {
				memcpy(reply, m, m->nlmsg_len);
				reply_len = m->nlmsg_len;
			}
		}
	}
	return err;
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static void open_family(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink");
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	nlh = msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SLUICE_GENL_NAME);
	if (transact(nlh)) {
		fprintf(stderr, "sluice family not found\n");
		exit(2);
	}
	mnl_attr_parse((struct nlmsghdr *)reply, sizeof(struct genlmsghdr),
		       family_attr_cb, &family_id);
	if (!family_id) {
		fprintf(stderr, "no family id\n");
		exit(2);
	}
}

/* ---- state snapshot ----------------------------------------------- */

struct snapshot {
	char config[4096];
	size_t config_len;
	uint32_t entries[SLUICE_LIST_MAX + 1];	/* per list */
};

static int mem_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == SLUICE_MEM_ENTRIES)
		*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int counters_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == SLUICE_A_MEMORY)
		mnl_attr_parse_nested(a, mem_cb, data);
	return MNL_CB_OK;
}

static void snapshot(struct snapshot *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t list;

	memset(s, 0, sizeof(*s));
	if (transact(msg_start(buf, family_id, SLUICE_CMD_GET_CONFIG, 0)))
		die("GET_CONFIG");
	s->config_len = reply_len - sizeof(struct nlmsghdr);
	if (s->config_len > sizeof(s->config))
		s->config_len = sizeof(s->config);
	/* Skip the header: its sequence number differs every time. */
	memcpy(s->config, reply + sizeof(struct nlmsghdr), s->config_len);
	for (list = 0; list <= SLUICE_LIST_MAX; list++) {
		nlh = msg_start(buf, family_id, SLUICE_CMD_GET_COUNTERS, 0);
		mnl_attr_put_u32(nlh, SLUICE_A_LIST, list);
		if (transact(nlh))
			die("GET_COUNTERS");
		mnl_attr_parse((struct nlmsghdr *)reply,
			       sizeof(struct genlmsghdr), counters_cb,
			       &s->entries[list]);
	}
}

/* ---- the malformed requests --------------------------------------- */

static void put_pfx4(struct nlmsghdr *nlh, const char *addr, int plen)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_PREFIX);
	struct in_addr a;

	inet_pton(AF_INET, addr, &a);
	mnl_attr_put(nlh, SLUICE_PFX_ADDR4, 4, &a);
	if (plen >= 0)
		mnl_attr_put_u8(nlh, SLUICE_PFX_PLEN, plen);
	mnl_attr_nest_end(nlh, nest);
}

typedef void (*build_fn)(struct nlmsghdr *nlh);

#define CASE(name) static void name(struct nlmsghdr *nlh)

CASE(port_zero) { mnl_attr_put_u16(nlh, SLUICE_A_PORT, 0); }
CASE(mode_range) { mnl_attr_put_u32(nlh, SLUICE_A_MODE, 7); }
CASE(enabled_u32) { mnl_attr_put_u32(nlh, SLUICE_A_ENABLED, 1); }
CASE(enabled_2) { mnl_attr_put_u8(nlh, SLUICE_A_ENABLED, 2); }
CASE(listen4_16)
{
	char b[16] = { 0 };

	mnl_attr_put(nlh, SLUICE_A_LISTEN_ADDR4, 16, b);
}
CASE(wan_long) { mnl_attr_put_strz(nlh, SLUICE_A_WAN_IF, "abcdefghijklmnopqrst"); }
CASE(unknown_attr) { mnl_attr_put_u32(nlh, 200, 1); }
CASE(foreign_attr) { mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "static"); }
CASE(bypass_mask_zero)
{
	mnl_attr_put_u32(nlh, SLUICE_A_BYPASS_MARK, 0);
	mnl_attr_put_u32(nlh, SLUICE_A_BYPASS_MASK, 0);
}
CASE(mark_outside_mask)
{
	mnl_attr_put_u32(nlh, SLUICE_A_BYPASS_MARK, 0x1ff);
	mnl_attr_put_u32(nlh, SLUICE_A_BYPASS_MASK, 0xff);
}
CASE(fwmark_loops)
{
	mnl_attr_put_u32(nlh, SLUICE_A_FWMARK, 0x1);
	mnl_attr_put_u32(nlh, SLUICE_A_FWMARK_MASK, 0x1);
	mnl_attr_put_u32(nlh, SLUICE_A_BYPASS_MARK, 0xff);
	mnl_attr_put_u32(nlh, SLUICE_A_BYPASS_MASK, 0xff);
}
CASE(masq_no_wan)
{
	mnl_attr_put_strz(nlh, SLUICE_A_WAN_IF, "");
	mnl_attr_put_u8(nlh, SLUICE_A_MASQUERADE, 1);
}
CASE(lan_17)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, SLUICE_A_LAN_IFS);
	char name[16];
	int i;

	for (i = 0; i < 17; i++) {
		snprintf(name, sizeof(name), "lan%d", i);
		mnl_attr_put_strz(nlh, SLUICE_A_IFNAME, name);
	}
	mnl_attr_nest_end(nlh, n);
}
CASE(lan_dup)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, SLUICE_A_LAN_IFS);

	mnl_attr_put_strz(nlh, SLUICE_A_IFNAME, "eth9");
	mnl_attr_put_strz(nlh, SLUICE_A_IFNAME, "eth9");
	mnl_attr_nest_end(nlh, n);
}
CASE(lan_is_wan)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, SLUICE_A_LAN_IFS);

	mnl_attr_put_strz(nlh, SLUICE_A_IFNAME, "eth8");
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_strz(nlh, SLUICE_A_WAN_IF, "eth8");
}
CASE(no_prefix) { mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "static"); }
CASE(both_families)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_PREFIX);
	char b[16] = { 0 };

	mnl_attr_put(nlh, SLUICE_PFX_ADDR4, 4, b);
	mnl_attr_put(nlh, SLUICE_PFX_ADDR6, 16, b);
	mnl_attr_nest_end(nlh, nest);
}
CASE(plen_33) { put_pfx4(nlh, "10.0.0.0", 33); }
CASE(host_bits) { put_pfx4(nlh, "10.0.0.1", 8); }
CASE(no_addr)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_PREFIX);

	mnl_attr_put_u8(nlh, SLUICE_PFX_PLEN, 8);
	mnl_attr_nest_end(nlh, nest);
}
CASE(addr6_short)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_PREFIX);
	char b[4] = { 0 };

	mnl_attr_put(nlh, SLUICE_PFX_ADDR6, 4, b);
	mnl_attr_nest_end(nlh, nest);
}
CASE(source_chars)
{
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "a b");
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(source_long)
{
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE,
			  "abcdefghijklmnopqrstuvwxyz0123456789");
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(source_empty)
{
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "");
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(timeout_zero)
{
	mnl_attr_put_u32(nlh, SLUICE_A_TIMEOUT, 0);
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(timeout_huge)
{
	mnl_attr_put_u32(nlh, SLUICE_A_TIMEOUT, 0xffffffff);
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(good_then_bad)
{
	put_pfx4(nlh, "10.1.0.0", 16);
	put_pfx4(nlh, "10.2.0.1", 16);
}
CASE(del_timeout)
{
	mnl_attr_put_u32(nlh, SLUICE_A_TIMEOUT, 5);
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(del_missing) { put_pfx4(nlh, "10.99.0.0", 16); }
CASE(commit_none) { mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "nosuchtxn"); }
CASE(nothing) { (void)nlh; }
CASE(lookup_addr_plen_bad)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_ADDRESS);
	struct in_addr a = { 0 };

	mnl_attr_put(nlh, SLUICE_PFX_ADDR4, 4, &a);
	mnl_attr_put_u8(nlh, SLUICE_PFX_PLEN, 200);
	mnl_attr_nest_end(nlh, nest);
}
CASE(classify_no_dst)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_TUPLE);

	mnl_attr_put_u8(nlh, SLUICE_TUPLE_PROTO, 6);
	mnl_attr_nest_end(nlh, nest);
}
CASE(classify_bad_iif)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_TUPLE);
	struct nlattr *dst = mnl_attr_nest_start(nlh, SLUICE_TUPLE_DST);
	struct in_addr a = { htonl(0x01020304) };

	mnl_attr_put(nlh, SLUICE_PFX_ADDR4, 4, &a);
	mnl_attr_nest_end(nlh, dst);
	mnl_attr_put_strz(nlh, SLUICE_TUPLE_IIF, "nosuchif0");
	mnl_attr_nest_end(nlh, nest);
}
CASE(attr_on_get) { mnl_attr_put_u8(nlh, SLUICE_A_ENABLED, 1); }
CASE(truncated)
{
	struct nlattr *a;

	mnl_attr_put_u32(nlh, SLUICE_A_PORT, 80);
	/* Claim more payload than the message holds. */
	a = (struct nlattr *)((char *)nlh + nlh->nlmsg_len - 8);
	a->nla_len = 64;
}

/* Issue 7: lists, source selection, DNS, local, default, QUIC. */
CASE(local_2) { mnl_attr_put_u8(nlh, SLUICE_A_LOCAL, 2); }
CASE(local_u32) { mnl_attr_put_u32(nlh, SLUICE_A_LOCAL, 1); }
CASE(dns_port_u32) { mnl_attr_put_u32(nlh, SLUICE_A_DNS_PORT, 53); }
CASE(dns_port_u8) { mnl_attr_put_u8(nlh, SLUICE_A_DNS_PORT, 53); }
CASE(dns_local_2) { mnl_attr_put_u8(nlh, SLUICE_A_DNS_LOCAL, 2); }
CASE(dns_local_no_port)
{
	mnl_attr_put_u16(nlh, SLUICE_A_DNS_PORT, 0);
	mnl_attr_put_u8(nlh, SLUICE_A_DNS_LOCAL, 1);
}
CASE(src_mode_range) { mnl_attr_put_u32(nlh, SLUICE_A_SRC_MODE, 2); }
CASE(src_mode_u8) { mnl_attr_put_u8(nlh, SLUICE_A_SRC_MODE, 1); }
CASE(default_range) { mnl_attr_put_u32(nlh, SLUICE_A_DEFAULT, 2); }
CASE(default_u16) { mnl_attr_put_u16(nlh, SLUICE_A_DEFAULT, 1); }
CASE(quic_2) { mnl_attr_put_u8(nlh, SLUICE_A_QUIC_REJECT, 2); }
CASE(quic_u32) { mnl_attr_put_u32(nlh, SLUICE_A_QUIC_REJECT, 1); }

static void put_macs(struct nlmsghdr *nlh, const uint8_t (*macs)[6], int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_SRC_MACS);
	int i;

	for (i = 0; i < n; i++)
		mnl_attr_put(nlh, SLUICE_A_MAC, 6, macs[i]);
	mnl_attr_nest_end(nlh, nest);
}

static const uint8_t mac_good[6] = { 0x02, 0, 0, 0, 0, 0x10 };

CASE(mac_short)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_SRC_MACS);

	mnl_attr_put(nlh, SLUICE_A_MAC, 5, mac_good);
	mnl_attr_nest_end(nlh, nest);
}
CASE(mac_zero)
{
	static const uint8_t m[1][6];

	put_macs(nlh, m, 1);
}
CASE(mac_multicast)
{
	static const uint8_t m[1][6] = { { 0x01, 0x00, 0x5e, 0, 0, 1 } };

	put_macs(nlh, m, 1);
}
CASE(mac_broadcast)
{
	static const uint8_t m[1][6] = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

	put_macs(nlh, m, 1);
}
CASE(mac_dup)
{
	uint8_t m[3][6];

	memcpy(m[0], mac_good, 6);
	memcpy(m[1], mac_good, 6);
	memcpy(m[2], mac_good, 6);
	m[1][5] = 0x11;
	put_macs(nlh, (const uint8_t (*)[6])m, 3);
}
CASE(mac_65)
{
	uint8_t m[SLUICE_MAX_SRC_MACS + 1][6];
	int i;

	for (i = 0; i <= SLUICE_MAX_SRC_MACS; i++) {
		memcpy(m[i], mac_good, 6);
		m[i][5] = i;
	}
	put_macs(nlh, (const uint8_t (*)[6])m, SLUICE_MAX_SRC_MACS + 1);
}
CASE(mac_foreign_in_nest)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_SRC_MACS);

	mnl_attr_put_strz(nlh, SLUICE_A_IFNAME, "eth0");
	mnl_attr_nest_end(nlh, nest);
}
CASE(mac_top_level) { mnl_attr_put(nlh, SLUICE_A_MAC, 6, mac_good); }
/* Good MACs, rejected by the whole-config check: all or nothing. */
CASE(mac_good_then_bad)
{
	static const uint8_t m[1][6] = { { 0x02, 0, 0, 0, 0, 0x20 } };

	put_macs(nlh, m, 1);
	mnl_attr_put_u8(nlh, SLUICE_A_LOCAL, 1);
	mnl_attr_put_u8(nlh, SLUICE_A_DNS_LOCAL, 1);
	mnl_attr_put_u16(nlh, SLUICE_A_DNS_PORT, 0);
}
CASE(list_on_config) { mnl_attr_put_u32(nlh, SLUICE_A_LIST, 1); }
CASE(dns_on_add)
{
	mnl_attr_put_u16(nlh, SLUICE_A_DNS_PORT, 53);
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(list_range_add)
{
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, SLUICE_LIST_MAX + 1);
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(list_u8_add)
{
	mnl_attr_put_u8(nlh, SLUICE_A_LIST, 1);
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(list_big_add)
{
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, 0x80000000u);
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(source_chars_ok_pfx)
{
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "static");
	put_pfx4(nlh, "10.0.0.0", 8);
}
CASE(list_range) { mnl_attr_put_u32(nlh, SLUICE_A_LIST, SLUICE_LIST_MAX + 1); }
CASE(list_range_lookup)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_ADDRESS);
	struct in_addr a = { htonl(0x0a000001) };

	mnl_attr_put(nlh, SLUICE_PFX_ADDR4, 4, &a);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, 3);
}
CASE(list_range_txn)
{
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "x");
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, 3);
}
CASE(list_del_missing)
{
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, SLUICE_LIST_PROXY);
	put_pfx4(nlh, "10.99.0.0", 16);
}

static void put_tuple_dst(struct nlmsghdr *nlh)
{
	struct nlattr *dst = mnl_attr_nest_start(nlh, SLUICE_TUPLE_DST);
	struct in_addr a = { htonl(0xcb007107) };

	mnl_attr_put(nlh, SLUICE_PFX_ADDR4, 4, &a);
	mnl_attr_nest_end(nlh, dst);
}

CASE(list_on_classify)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_TUPLE);

	put_tuple_dst(nlh);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, 1);
}
CASE(tuple_mac_short)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_TUPLE);

	put_tuple_dst(nlh);
	mnl_attr_put(nlh, SLUICE_TUPLE_MAC, 4, mac_good);
	mnl_attr_nest_end(nlh, nest);
}
CASE(tuple_local_value)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_TUPLE);

	put_tuple_dst(nlh);
	mnl_attr_put_u8(nlh, SLUICE_TUPLE_LOCAL, 1);
	mnl_attr_nest_end(nlh, nest);
}

struct bad_case {
	const char *name;
	uint8_t cmd;
	build_fn build;
	int err;		/* expected -errno; 0: any error */
	bool need_msg;		/* an extack message is expected */
};

static const struct bad_case cases[] = {
	{ "port 0", SLUICE_CMD_SET_CONFIG, port_zero, 0, true },
	{ "mode out of range", SLUICE_CMD_SET_CONFIG, mode_range, 0, true },
	{ "enabled as u32", SLUICE_CMD_SET_CONFIG, enabled_u32, -EINVAL, true },
	{ "enabled = 2", SLUICE_CMD_SET_CONFIG, enabled_2, 0, true },
	{ "listen4 of 16 bytes", SLUICE_CMD_SET_CONFIG, listen4_16, 0, true },
	{ "wan name too long", SLUICE_CMD_SET_CONFIG, wan_long, 0, true },
	{ "unknown attribute", SLUICE_CMD_SET_CONFIG, unknown_attr, -EINVAL, true },
	{ "attribute of another command", SLUICE_CMD_SET_CONFIG, foreign_attr, -EINVAL, true },
	{ "bypass mask 0", SLUICE_CMD_SET_CONFIG, bypass_mask_zero, -EINVAL, true },
	{ "mark outside mask", SLUICE_CMD_SET_CONFIG, mark_outside_mask, -EINVAL, true },
	{ "fwmark catches bypass", SLUICE_CMD_SET_CONFIG, fwmark_loops, -EINVAL, true },
	{ "masquerade without wan", SLUICE_CMD_SET_CONFIG, masq_no_wan, -EINVAL, true },
	{ "17 lan interfaces", SLUICE_CMD_SET_CONFIG, lan_17, -E2BIG, true },
	{ "lan listed twice", SLUICE_CMD_SET_CONFIG, lan_dup, -EINVAL, true },
	{ "lan is wan", SLUICE_CMD_SET_CONFIG, lan_is_wan, -EINVAL, true },
	{ "add without prefix", SLUICE_CMD_WL_ADD, no_prefix, -EINVAL, true },
	{ "prefix of both families", SLUICE_CMD_WL_ADD, both_families, -EINVAL, true },
	{ "prefix length 33", SLUICE_CMD_WL_ADD, plen_33, -EINVAL, true },
	{ "host bits set", SLUICE_CMD_WL_ADD, host_bits, -EINVAL, true },
	{ "prefix without address", SLUICE_CMD_WL_ADD, no_addr, -EINVAL, true },
	{ "IPv6 address of 4 bytes", SLUICE_CMD_WL_ADD, addr6_short, 0, true },
	{ "source with a space", SLUICE_CMD_WL_ADD, source_chars, -EINVAL, true },
	{ "source too long", SLUICE_CMD_WL_ADD, source_long, 0, true },
	{ "empty source", SLUICE_CMD_WL_ADD, source_empty, -EINVAL, true },
	{ "timeout 0", SLUICE_CMD_WL_ADD, timeout_zero, 0, true },
	{ "timeout too long", SLUICE_CMD_WL_ADD, timeout_huge, -ERANGE, true },
	{ "good prefix then bad", SLUICE_CMD_WL_ADD, good_then_bad, -EINVAL, true },
	{ "delete with timeout", SLUICE_CMD_WL_DEL, del_timeout, -EINVAL, true },
	{ "delete missing", SLUICE_CMD_WL_DEL, del_missing, -ENOENT, true },
	{ "commit without begin", SLUICE_CMD_WL_COMMIT, commit_none, -ENOENT, true },
	{ "begin without source", SLUICE_CMD_WL_BEGIN, nothing, -EINVAL, true },
	{ "lookup without address", SLUICE_CMD_WL_LOOKUP, nothing, -EINVAL, true },
	{ "lookup plen 200", SLUICE_CMD_WL_LOOKUP, lookup_addr_plen_bad, 0, true },
	{ "classify without tuple", SLUICE_CMD_CLASSIFY, nothing, -EINVAL, true },
	{ "classify without dst", SLUICE_CMD_CLASSIFY, classify_no_dst, -EINVAL, true },
	{ "classify unknown iif", SLUICE_CMD_CLASSIFY, classify_bad_iif, -ENODEV, true },
	{ "attribute on GET_CONFIG", SLUICE_CMD_GET_CONFIG, attr_on_get, -EINVAL, true },
	{ "local = 2", SLUICE_CMD_SET_CONFIG, local_2, 0, true },
	{ "local as u32", SLUICE_CMD_SET_CONFIG, local_u32, -EINVAL, true },
	{ "dns port as u32", SLUICE_CMD_SET_CONFIG, dns_port_u32, -EINVAL, true },
	{ "dns port as u8", SLUICE_CMD_SET_CONFIG, dns_port_u8, -EINVAL, true },
	{ "dns-local = 2", SLUICE_CMD_SET_CONFIG, dns_local_2, 0, true },
	{ "dns-local without dns port", SLUICE_CMD_SET_CONFIG, dns_local_no_port, -EINVAL, true },
	{ "src-mode out of range", SLUICE_CMD_SET_CONFIG, src_mode_range, 0, true },
	{ "src-mode as u8", SLUICE_CMD_SET_CONFIG, src_mode_u8, -EINVAL, true },
	{ "default out of range", SLUICE_CMD_SET_CONFIG, default_range, 0, true },
	{ "default as u16", SLUICE_CMD_SET_CONFIG, default_u16, -EINVAL, true },
	{ "quic = 2", SLUICE_CMD_SET_CONFIG, quic_2, 0, true },
	{ "quic as u32", SLUICE_CMD_SET_CONFIG, quic_u32, -EINVAL, true },
	{ "MAC of 5 bytes", SLUICE_CMD_SET_CONFIG, mac_short, 0, true },
	{ "zero MAC", SLUICE_CMD_SET_CONFIG, mac_zero, -EINVAL, true },
	{ "multicast MAC", SLUICE_CMD_SET_CONFIG, mac_multicast, -EINVAL, true },
	{ "broadcast MAC", SLUICE_CMD_SET_CONFIG, mac_broadcast, -EINVAL, true },
	{ "MAC listed twice", SLUICE_CMD_SET_CONFIG, mac_dup, -EINVAL, true },
	{ "65 MACs", SLUICE_CMD_SET_CONFIG, mac_65, -E2BIG, true },
	{ "IFNAME inside SRC_MACS", SLUICE_CMD_SET_CONFIG, mac_foreign_in_nest, -EINVAL, true },
	{ "MAC outside SRC_MACS", SLUICE_CMD_SET_CONFIG, mac_top_level, -EINVAL, true },
	{ "good MACs, then dns-local alone", SLUICE_CMD_SET_CONFIG, mac_good_then_bad, -EINVAL, true },
	{ "LIST on SET_CONFIG", SLUICE_CMD_SET_CONFIG, list_on_config, -EINVAL, true },
	{ "DNS_PORT on WL_ADD", SLUICE_CMD_WL_ADD, dns_on_add, -EINVAL, true },
	{ "add to list 3", SLUICE_CMD_WL_ADD, list_range_add, 0, true },
	{ "add to list 2^31", SLUICE_CMD_WL_ADD, list_big_add, 0, true },
	{ "LIST as u8", SLUICE_CMD_WL_ADD, list_u8_add, -EINVAL, true },
	{ "delete from list 3", SLUICE_CMD_WL_DEL, list_range_add, 0, true },
	{ "delete missing from proxy", SLUICE_CMD_WL_DEL, list_del_missing, -ENOENT, true },
	{ "flush list 3", SLUICE_CMD_WL_FLUSH, list_range, 0, true },
	{ "flush with a prefix", SLUICE_CMD_WL_FLUSH, source_chars_ok_pfx, -EINVAL, true },
	{ "flush with a timeout", SLUICE_CMD_WL_FLUSH, timeout_huge, -EINVAL, true },
	{ "begin with a prefix", SLUICE_CMD_WL_BEGIN, source_chars_ok_pfx, -EINVAL, true },
	{ "begin on list 3", SLUICE_CMD_WL_BEGIN, list_range_txn, 0, true },
	{ "commit on list 3", SLUICE_CMD_WL_COMMIT, list_range_txn, 0, true },
	{ "lookup in list 3", SLUICE_CMD_WL_LOOKUP, list_range_lookup, 0, true },
	{ "counters of list 3", SLUICE_CMD_GET_COUNTERS, list_range, 0, true },
	{ "LIST on CLASSIFY", SLUICE_CMD_CLASSIFY, list_on_classify, -EINVAL, true },
	{ "tuple MAC of 4 bytes", SLUICE_CMD_CLASSIFY, tuple_mac_short, 0, true },
	{ "tuple LOCAL with a value", SLUICE_CMD_CLASSIFY, tuple_local_value, 0, true },
	{ "truncated attribute", SLUICE_CMD_SET_CONFIG, truncated, -EINVAL, false },
	{ "unknown command", 99, nothing, -EOPNOTSUPP, false },
};

static int badinput(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct snapshot before, after;
	unsigned int i, j, failed = 0;

	snapshot(&before);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		struct nlmsghdr *nlh = msg_start(buf, family_id, c->cmd, 0);
		const char *why = NULL;
		int err;

		c->build(nlh);
		err = transact(nlh);
		if (err == 0)
			why = "accepted";
		else if (c->err && err != c->err)
			why = "wrong errno";
		else if (c->need_msg && !extack_msg[0])
			why = "no extack message";
		printf("%-4s %-30s errno %-4d %s\n", why ? "FAIL" : "ok",
		       c->name, -err, extack_msg[0] ? extack_msg : "-");
		if (why) {
			printf("     -> %s (expected errno %d)\n", why, -c->err);
			failed++;
		}
	}
	snapshot(&after);
	if (before.config_len != after.config_len ||
	    memcmp(before.config, after.config, before.config_len)) {
		printf("FAIL config changed by rejected requests\n");
		failed++;
	}
	for (j = 0; j <= SLUICE_LIST_MAX; j++) {
		if (before.entries[j] != after.entries[j]) {
			printf("FAIL list %u changed: %u -> %u entries\n", j,
			       before.entries[j], after.entries[j]);
			failed++;
		}
	}
	printf("%u cases, %u failed\n", i, failed);
	return failed ? 1 : 0;
}

static int hold_one(const char *source, uint32_t list)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = msg_start(buf, family_id, SLUICE_CMD_WL_BEGIN, 0);
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, source);
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, list);
	err = transact(nlh);
	if (err) {
		fprintf(stderr, "begin: %s%s%s\n", strerror(-err),
			extack_msg[0] ? ": " : "", extack_msg);
		return 1;
	}
	nlh = msg_start(buf, family_id, SLUICE_CMD_WL_ADD, 0);
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, source);
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, list);
	put_pfx4(nlh, "198.18.0.0", 15);
	err = transact(nlh);
	if (err) {
		fprintf(stderr, "add: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}

/* Replace transactions of SOURCE on each list of @lists, one socket. */
static int hold(const char *source, char **lists, int n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int i;

	if (!n && hold_one(source, SLUICE_LIST_WHITE))
		return 1;
	for (i = 0; i < n; i++)
		if (hold_one(source, strtoul(lists[i], NULL, 0)))
			return 1;
	printf("open\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}

/* ---- data-path checks through CLASSIFY ---------------------------- */

struct pfx {
	int family;
	unsigned int plen;
	uint8_t addr[16];
};

static struct pfx *pfxs;
static size_t n_pfxs;

static void load_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t cap = 0;

	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		char *slash, *end = line + strcspn(line, " \t\r\n#");
		struct pfx p = { 0 };

		*end = 0;
		if (!line[0])
			continue;
		slash = strchr(line, '/');
		if (slash)
			*slash++ = 0;
		p.family = strchr(line, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(p.family, line, p.addr) != 1) {
			fprintf(stderr, "%s: bad line %s\n", path, line);
			exit(2);
		}
		p.plen = slash ? (unsigned int)atoi(slash) :
				 (p.family == AF_INET ? 32 : 128);
		if (n_pfxs == cap) {
			cap = cap ? cap * 2 : 1024;
			pfxs = realloc(pfxs, cap * sizeof(*pfxs));
			if (!pfxs)
				die("realloc");
		}
		pfxs[n_pfxs++] = p;
	}
	fclose(f);
	if (!n_pfxs) {
		fprintf(stderr, "%s: no prefixes\n", path);
		exit(2);
	}
}

static bool in_prefix(const struct pfx *p, int family, const uint8_t *a)
{
	unsigned int i, bits = p->plen;

	if (p->family != family)
		return false;
	for (i = 0; bits; i++) {
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		if ((a[i] & m) != (p->addr[i] & m))
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

static bool naive_listed(int family, const uint8_t *a)
{
	size_t i;

	for (i = 0; i < n_pfxs; i++)
		if (in_prefix(&pfxs[i], family, a))
			return true;
	return false;
}

/* A random address inside prefix @p. */
static void random_inside(const struct pfx *p, uint8_t *a)
{
	unsigned int len = p->family == AF_INET ? 4 : 16, i, bits = p->plen;

	for (i = 0; i < len; i++) {
		uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		a[i] = (p->addr[i] & m) | ((uint8_t)random() & ~m);
		bits = bits >= 8 ? bits - 8 : 0;
	}
}

static int rule_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == SLUICE_A_RULE)
		*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* The data path's decision for a new TCP flow to @a: its rule. */
static uint32_t classify(int family, const uint8_t *a, const char *iif)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *t, *d;
	uint32_t rule = ~0u;
	int err;

	nlh = msg_start(buf, family_id, SLUICE_CMD_CLASSIFY, 0);
	t = mnl_attr_nest_start(nlh, SLUICE_A_TUPLE);
	d = mnl_attr_nest_start(nlh, SLUICE_TUPLE_DST);
	mnl_attr_put(nlh, family == AF_INET ? SLUICE_PFX_ADDR4 :
			  SLUICE_PFX_ADDR6, family == AF_INET ? 4 : 16, a);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_put_u8(nlh, SLUICE_TUPLE_PROTO, 6);
	mnl_attr_put_strz(nlh, SLUICE_TUPLE_IIF, iif);
	mnl_attr_nest_end(nlh, t);
	err = transact(nlh);
	if (err) {
		fprintf(stderr, "classify: %s %s\n", strerror(-err),
			extack_msg);
		exit(2);
	}
	mnl_attr_parse((struct nlmsghdr *)reply, sizeof(struct genlmsghdr),
		       rule_cb, &rule);
	return rule;
}

static int verify(const char *path, long count, const char *iif)
{
	long i, bad = 0, hits = 0;

	load_file(path);
	srandom(1);
	for (i = 0; i < count; i++) {
		const struct pfx *p = &pfxs[random() % n_pfxs];
		uint8_t a[16];
		bool want, got;
		uint32_t rule;

		random_inside(p, a);
		/* Every other address: scramble the network part too. */
		if (i & 1) {
			unsigned int k, len = p->family == AF_INET ? 4 : 16;

			for (k = 0; k < len; k++)
				a[k] = (uint8_t)random();
			if (p->family == AF_INET &&
			    (a[0] == 0 || a[0] == 127 || a[0] >= 224))
				a[0] = 100;
			if (p->family == AF_INET6)
				a[0] = 0x20;
		}
		want = naive_listed(p->family, a);
		rule = classify(p->family, a, iif);
		got = rule == SLUICE_RULE_WHITE_LIST;
		if (!got && rule != SLUICE_RULE_REDIRECT) {
			fprintf(stderr, "unexpected rule %u\n", rule);
			return 1;
		}
		hits += want;
		if (want != got) {
			char s[64];

			inet_ntop(p->family, a, s, sizeof(s));
			printf("mismatch: %s listed=%d kernel=%d\n", s, want,
			       got);
			bad++;
		}
	}
	printf("verify: %ld lookups (%ld listed), %ld mismatches\n", count,
	       hits, bad);
	return bad ? 1 : 0;
}

/*
 * A miss is a lookup that did not end in the white_list.  The one
 * exception: redirection switched off for a moment (rule DISABLED, as
 * when sluiced's hang watchdog fails open) is decided before the
 * white_list and tested nothing; it is counted apart.
 */
static int reader(const char *path, const char *iif)
{
	long lookups = 0, misses = 0, undecided = 0;
	uint32_t rule;
	char c;

	load_file(path);
	srandom(2);
	/* Non-blocking check of stdin between lookups. */
	if (fcntl(0, F_SETFL, O_NONBLOCK) < 0)
		die("fcntl");
	printf("reading\n");
	fflush(stdout);
	for (;;) {
		const struct pfx *p = &pfxs[random() % n_pfxs];
		uint8_t a[16];
		ssize_t r;

		random_inside(p, a);
		rule = classify(p->family, a, iif);
		if (rule == SLUICE_RULE_DISABLED) {
			undecided++;
		} else if (rule != SLUICE_RULE_WHITE_LIST) {
			char s[64];

			inet_ntop(p->family, a, s, sizeof(s));
			if (misses < 10)
				printf("miss: %s\n", s);
			misses++;
		}
		lookups++;
		r = read(0, &c, 1);
		if (r == 0 || (r < 0 && errno != EAGAIN))
			break;
	}
	if (undecided)
		printf("reader: %ld lookups decided before the white_list (redirection off)\n",
		       undecided);
	printf("reader: %ld lookups, %ld misses\n", lookups, misses);
	return misses ? 1 : 0;
}

/* ---- addrlat ------------------------------------------------------- */

#define ADDRLAT_POLL_US 50

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int match_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == SLUICE_A_MATCH)
		*(int *)data = mnl_attr_get_u8(a);
	return MNL_CB_OK;
}

/* Is @a in the white_list?  -1 on error. */
static int wl_has4(const struct in_addr *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int match = 0;

	nlh = msg_start(buf, family_id, SLUICE_CMD_WL_LOOKUP, 0);
	nest = mnl_attr_nest_start(nlh, SLUICE_A_ADDRESS);
	mnl_attr_put(nlh, SLUICE_PFX_ADDR4, 4, a);
	mnl_attr_nest_end(nlh, nest);
	if (transact(nlh) || !reply_len)
		return -1;
	mnl_attr_parse((struct nlmsghdr *)reply, sizeof(struct genlmsghdr),
		       match_cb, &match);
	return match;
}

/* Add or delete @a/32 on @ifindex over rtnetlink; 0 or -errno. */
static int rt_addr(struct mnl_socket *rt, int add, int ifindex,
		   const struct in_addr *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;
	int ret;

	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			   (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	nlh->nlmsg_seq = seq++;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, 4, a);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, a);
	if (mnl_socket_sendto(rt, nlh, nlh->nlmsg_len) < 0)
		die("rtnetlink sendto");
	ret = mnl_socket_recvfrom(rt, buf, sizeof(buf));
	if (ret < 0)
		die("rtnetlink recvfrom");
	nlh = (struct nlmsghdr *)buf;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
	return 0;
}

static int addrlat(const char *ifname, long n)
{
	int ifindex = if_nametoindex(ifname), err;
	struct mnl_socket *rt;
	long i, polls = 0;
	uint64_t pollns = 0;

	if (!ifindex) {
		fprintf(stderr, "addrlat: no interface %s\n", ifname);
		return 2;
	}
	rt = mnl_socket_open(NETLINK_ROUTE);
	if (!rt || mnl_socket_bind(rt, 0, MNL_SOCKET_AUTOPID) < 0)
		die("rtnetlink");
	for (i = 0; i < 2 * n; i++) {
		struct in_addr a;
		int add = !(i & 1), has;
		uint64_t t0, t1;

		/* 203.0.113.10 .. .209, one per change pair */
		a.s_addr = htonl(0xcb007100 | (10 + (i / 2) % 200));
		t0 = now_ns();
		err = rt_addr(rt, add, ifindex, &a);
		if (err) {
			fprintf(stderr, "addrlat: address %s: %s\n",
				add ? "add" : "del", strerror(-err));
			return 1;
		}
		for (;;) {
			uint64_t p0 = now_ns();

			has = wl_has4(&a);
			pollns += now_ns() - p0;
			polls++;
			if (has < 0) {
				fprintf(stderr, "addrlat: lookup failed\n");
				return 1;
			}
			if (has == add)
				break;
			/* leave the CPU to sluiced between two looks */
			usleep(ADDRLAT_POLL_US);
			if (now_ns() - t0 > 5000000000ULL) {
				fprintf(stderr, "addrlat: change %ld not seen in 5 s\n",
					i);
				return 1;
			}
		}
		t1 = now_ns();
		printf("%s %.1f\n", add ? "add" : "del", (t1 - t0) / 1e3);
	}
	printf("poll %.1f\n", pollns / 1e3 / polls);
	mnl_socket_close(rt);
	return 0;
}

/* ---- dump consistency --------------------------------------------- */

#define DI_HOSTS	1200
#define DI_SOURCES	250

static void di_host(unsigned int i, char *out, size_t len)
{
	snprintf(out, len, "198.18.%u.%u", i / 256, i % 256);
}

static void di_check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "%s: %s%s%s\n", what, strerror(-err),
			extack_msg[0] ? ": " : "", extack_msg);
		exit(2);
	}
}

static void di_flush(const char *source)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = msg_start(buf, family_id, SLUICE_CMD_WL_FLUSH, 0);
	if (source)
		mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, source);
	di_check(transact(nlh), "flush");
}

/* Add hosts @from..@to-1 to @source, 100 to a request. */
static void di_add(const char *source, unsigned int from, unsigned int to)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], a[32];
	struct nlmsghdr *nlh = NULL;
	unsigned int i;

	for (i = from; i < to; i++) {
		if (!nlh)
			nlh = msg_start(buf, family_id, SLUICE_CMD_WL_ADD, 0);
		di_host(i, a, sizeof(a));
		put_pfx4(nlh, a, -1);
		if (i + 1 == to || (i - from) % 100 == 99) {
			mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, source);
			di_check(transact(nlh), "add");
			nlh = NULL;
		}
	}
}

static void di_del(const char *source, unsigned int i)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], a[32];
	struct nlmsghdr *nlh;

	nlh = msg_start(buf, family_id, SLUICE_CMD_WL_DEL, 0);
	di_host(i, a, sizeof(a));
	put_pfx4(nlh, a, -1);
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, source);
	di_check(transact(nlh), "del");
}

struct di_item {
	int index;			/* -1: not ours */
};

static int di_pfx_cb(const struct nlattr *a, void *data)
{
	struct di_item *it = data;
	const uint8_t *b;

	if (mnl_attr_get_type(a) != SLUICE_PFX_ADDR4 ||
	    mnl_attr_get_payload_len(a) != 4)
		return MNL_CB_OK;
	b = mnl_attr_get_payload(a);
	if (b[0] == 198 && b[1] == 18)
		it->index = b[2] * 256 + b[3];
	return MNL_CB_OK;
}

static int di_attr_cb(const struct nlattr *a, void *data)
{
	struct di_item *it = data;
	const char *name;

	switch (mnl_attr_get_type(a)) {
	case SLUICE_A_PREFIX:
		mnl_attr_parse_nested(a, di_pfx_cb, data);
		break;
	case SLUICE_A_SOURCE:
		name = mnl_attr_get_str(a);
		/* WL_SOURCES: "sNNN"; a WL_GET entry's is "di". */
		if (name[0] == 's' && strlen(name) == 4)
			it->index = atoi(name + 1);
		break;
	}
	return MNL_CB_OK;
}

static int dumpintr(const char *mode)
{
	bool sources = !strcmp(mode, "sources");
	bool ahead = !strcmp(mode, "entries-ahead");
	unsigned int n = sources ? DI_SOURCES : DI_HOSTS, i, dgrams = 0;
	unsigned int got = 0, dups = 0, foreign = 0, gone;
	struct mnl_socket *d;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	unsigned char *seen;
	bool done = false, intr = false, changed = false;
	const char *verdict;

	if (!sources && !ahead && strcmp(mode, "entries-behind")) {
		fprintf(stderr, "dumpintr: unknown mode %s\n", mode);
		return 2;
	}
	seen = calloc(n, 1);
	if (!seen)
		die("calloc");
	di_flush(NULL);
	if (sources) {
		for (i = 0; i < n; i++) {
			char name[8];

			snprintf(name, sizeof(name), "s%03u", i);
			di_add(name, i, i + 1);
		}
	} else {
		di_add("di", 0, n);
	}

	d = mnl_socket_open(NETLINK_GENERIC);
	if (!d || mnl_socket_bind(d, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink");
	nlh = msg_start(buf, family_id, sources ? SLUICE_CMD_WL_SOURCES :
			SLUICE_CMD_WL_GET, NLM_F_DUMP);
	if (!sources)
		mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "di");
	if (mnl_socket_sendto(d, nlh, nlh->nlmsg_len) < 0)
		die("sendto");
	/* The first deleted item: received already, or the last one. */
	gone = ahead ? n - 1 : 0;
	while (!done) {
		/* 4 KiB reads keep the kernel's dump skbs small. */
		char rb[4096];
		int len = mnl_socket_recvfrom(d, rb, sizeof(rb));
		struct nlmsghdr *m;

		if (len < 0)
			die("recv");
		dgrams++;
		for (m = (struct nlmsghdr *)rb; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			struct di_item it = { -1 };

			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (m->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (m->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "dump failed: %s\n",
					strerror(-((struct nlmsgerr *)
						   mnl_nlmsg_get_payload(m))->error));
				return 2;
			}
			mnl_attr_parse(m, sizeof(struct genlmsghdr),
				       di_attr_cb, &it);
			if (it.index < 0 || (unsigned int)it.index >= n) {
				foreign++;
				continue;
			}
			if (seen[it.index]++)
				dups++;
			got++;
		}
		if (!changed) {
			/* Between the first recv and the second. */
			changed = true;
			if (sources) {
				char name[8];

				snprintf(name, sizeof(name), "s%03u", gone);
				di_flush(name);
			} else {
				di_del("di", gone);
			}
		}
	}
	mnl_socket_close(d);

	if (intr) {
		verdict = "NLM_F_DUMP_INTR";
	} else {
		bool before = !dups && !foreign, after = before;

		for (i = 0; i < n; i++) {
			before = before && seen[i];
			after = after && seen[i] == (i != gone);
		}
		verdict = before ? "exactly the set before the change" :
			  after ? "exactly the set after the change" : NULL;
	}
	printf("dumpintr %s: %u datagrams, %u items (%u twice, %u foreign): %s\n",
	       mode, dgrams, got, dups, foreign,
	       verdict ? verdict : "neither flagged nor consistent");
	di_flush(NULL);
	free(seen);
	if (dgrams < 3) {
		printf("FAIL the dump took %u datagrams: no callback after the change\n",
		       dgrams);
		return 1;
	}
	if (!verdict) {
		printf("FAIL inconsistent dump not flagged NLM_F_DUMP_INTR\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "dumpintr")) {
		open_family();
		return dumpintr(argv[2]);
	}
	if (argc == 4 && !strcmp(argv[1], "addrlat")) {
		open_family();
		return addrlat(argv[2], atol(argv[3]));
	}
	if (argc == 5 && !strcmp(argv[1], "verify")) {
		open_family();
		return verify(argv[2], atol(argv[3]), argv[4]);
	}
	if (argc == 4 && !strcmp(argv[1], "reader")) {
		open_family();
		return reader(argv[2], argv[3]);
	}
	if (argc == 2 && !strcmp(argv[1], "badinput")) {
		open_family();
		return badinput();
	}
	if (argc >= 3 && !strcmp(argv[1], "hold")) {
		open_family();
		return hold(argv[2], argv + 3, argc - 3);
	}
	fprintf(stderr, "usage: sluice-nltest badinput | hold SOURCE [LIST...] |\n"
		"       verify FILE N IIF | reader FILE IIF | addrlat IF N |\n"
		"       dumpintr entries-behind|entries-ahead|sources\n");
	return 2;
}
