// SPDX-License-Identifier: GPL-2.0
/*
 * sluice-nlfuzz limits: the edges of every limit, sent raw, in a namespace
 * of its own with sluice loaded with a small max_entries (<= 4096).
 *
 *   - names: a source of SLUICE_SOURCE_MAXLEN characters works, one more
 *     is refused (add, begin, dump); interface names likewise (LAN, WAN,
 *     CLASSIFY's IIF); SLUICE_MAX_LAN_IFS LAN interfaces work, one more
 *     is refused; the same for SLUICE_MAX_SRC_MACS source MACs;
 *   - the entry limit: an add or a staged add that does not fit is
 *     refused whole (nothing of it is listed); a replace whose result
 *     fits works;
 *   - adding an entry again and deleting it removes it;
 *   - transaction abandonment: sockets closed mid-transaction leave no
 *     source, no entry, no staged entry counted against the limit; one
 *     socket opening transactions until the source limit, then closing,
 *     frees every one.
 * Every refusal must come with an extack message and change nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "errname.h"
#include "nlfuzz.h"

static struct nlf_sock *S;
static struct nlf_msg *M;
static unsigned int failed, checks;

static void __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	printf("%-4s ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failed++;
}

static void start(uint8_t cmd, uint16_t flags)
{
	nlf_msg_start(M, nlf_family(S), cmd, flags, nlf_next_seq());
}

/* Send M on @s; the answer's -errno (-ETIMEDOUT if none). */
static int send_on(struct nlf_sock *s, struct nlf_result *res)
{
	uint32_t seq = ((struct nlmsghdr *)M->buf)->nlmsg_seq;

	if (!nlf_request(s, M, seq, res))
		return -ETIMEDOUT;
	return res->err;
}

static struct nlf_result R;

static int send_m(void)
{
	return send_on(S, &R);
}

static const char *e_name(int err)
{
	return err ? errname(-err) : "ok";
}

/* A refusal: an error, with a message. */
static void refused(int err, const char *what)
{
	check(err != 0 && R.extack[0], "%s refused: %s (%s)", what, e_name(err),
	      R.extack[0] ? R.extack : "no extack message");
}

static void __attribute__((format(printf, 2, 3)))
worked(int err, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	check(err == 0, "%s: %s%s%s", what, e_name(err),
	      R.extack[0] ? ": " : "", R.extack);
}

/* ---- reading state ---------------------------------------------- */

struct mem {
	uint32_t entries, max;
	uint64_t entry_bytes;
};

static int mem_cb(const struct nlattr *a, void *data)
{
	struct mem *m = data;

	switch (mnl_attr_get_type(a)) {
	case SLUICE_MEM_ENTRIES:
		m->entries = mnl_attr_get_u32(a);
		break;
	case SLUICE_MEM_ENTRIES_MAX:
		m->max = mnl_attr_get_u32(a);
		break;
	case SLUICE_MEM_ENTRY_BYTES:
		m->entry_bytes = mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

static int counters_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == SLUICE_A_MEMORY)
		mnl_attr_parse_nested(a, mem_cb, data);
	return MNL_CB_OK;
}

static struct mem mem(void)
{
	struct mem m = { 0 };
	const uint8_t *rep;
	size_t len;

	start(SLUICE_CMD_GET_COUNTERS, 0);
	if (send_m()) {
		fprintf(stderr, "GET_COUNTERS failed\n");
		exit(2);
	}
	rep = nlf_last_reply(&len);
	mnl_attr_parse((const struct nlmsghdr *)rep, GENL_HDRLEN, counters_cb,
		       &m);
	return m;
}

/* The config as the kernel answers it, without the netlink header. */
static size_t config(uint8_t *buf, size_t cap)
{
	const uint8_t *rep;
	size_t len;

	start(SLUICE_CMD_GET_CONFIG, 0);
	if (send_m()) {
		fprintf(stderr, "GET_CONFIG failed\n");
		exit(2);
	}
	rep = nlf_last_reply(&len);
	len -= NLMSG_HDRLEN;
	if (len > cap)
		len = cap;
	memcpy(buf, rep + NLMSG_HDRLEN, len);
	return len;
}

static int match_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == SLUICE_A_MATCH)
		*(int *)data = mnl_attr_get_u8(a);
	return MNL_CB_OK;
}

static bool listed(int family, const char *addr)
{
	uint8_t a[16];
	const uint8_t *rep;
	size_t len;
	int match = -1;

	inet_pton(family, addr, a);
	start(SLUICE_CMD_WL_LOOKUP, 0);
	nlf_put_pfx(M, SLUICE_A_ADDRESS, family, a, -1);
	if (send_m()) {
		fprintf(stderr, "WL_LOOKUP failed\n");
		exit(2);
	}
	rep = nlf_last_reply(&len);
	mnl_attr_parse((const struct nlmsghdr *)rep, GENL_HDRLEN, match_cb,
		       &match);
	return match == 1;
}

struct src_count {
	const char *prefix;
	unsigned int all, named, replacing;
};

static int src_attr_cb(const struct nlattr *a, void *data)
{
	struct src_count *c = data;

	if (mnl_attr_get_type(a) == SLUICE_A_SOURCE &&
	    !strncmp(mnl_attr_get_str(a), c->prefix, strlen(c->prefix)))
		c->named++;
	if (mnl_attr_get_type(a) == SLUICE_A_TXN_OPEN)
		c->replacing++;
	return MNL_CB_OK;
}

static void src_reply(const struct nlmsghdr *m, void *arg)
{
	struct src_count *c = arg;

	c->all++;
	mnl_attr_parse(m, GENL_HDRLEN, src_attr_cb, c);
}

/* Sources in the table; those named PREFIX*; those being replaced. */
static struct src_count sources(const char *prefix)
{
	struct src_count c = { .prefix = prefix };

	nlf_on_reply = src_reply;
	nlf_on_reply_arg = &c;
	start(SLUICE_CMD_WL_SOURCES, NLM_F_DUMP);
	if (send_m()) {
		fprintf(stderr, "WL_SOURCES failed\n");
		exit(2);
	}
	nlf_on_reply = NULL;
	return c;
}

/* ---- building ----------------------------------------------------- */

static void put_host6(uint16_t group, uint32_t n)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };

	a[4] = (uint8_t)(group >> 8);
	a[5] = (uint8_t)group;
	a[12] = (uint8_t)(n >> 24);
	a[13] = (uint8_t)(n >> 16);
	a[14] = (uint8_t)(n >> 8);
	a[15] = (uint8_t)n;
	nlf_put_pfx(M, SLUICE_A_PREFIX, AF_INET6, a, -1);
}

/* WL_ADD of hosts 2001:db8:GROUP::FIRST.. to @src, in one request. */
static int add_hosts(struct nlf_sock *s, const char *src, uint16_t group,
		     uint32_t first, uint32_t n)
{
	uint32_t i;

	start(SLUICE_CMD_WL_ADD, 0);
	nlf_put_str(M, SLUICE_A_SOURCE, src);
	for (i = 0; i < n; i++)
		put_host6(group, first + i);
	return send_on(s, &R);
}

static int src_cmd(struct nlf_sock *s, uint8_t cmd, const char *src)
{
	start(cmd, 0);
	nlf_put_str(M, SLUICE_A_SOURCE, src);
	return send_on(s, &R);
}

static void put_pfx4(const char *addr, int plen)
{
	uint8_t a[4];

	inet_pton(AF_INET, addr, a);
	nlf_put_pfx(M, SLUICE_A_PREFIX, AF_INET, a, plen);
}

/* ---- the checks --------------------------------------------------- */

static void names(void)
{
	char src[SLUICE_SOURCE_MAXLEN + 2], ifn[SLUICE_IFNAME_MAXLEN + 2];
	uint8_t before[4096], after[4096];
	uint32_t e0 = mem().entries;
	size_t lb, t;
	int err;

	memset(src, 's', sizeof(src));
	src[SLUICE_SOURCE_MAXLEN] = 0;
	start(SLUICE_CMD_WL_ADD, 0);
	nlf_put_str(M, SLUICE_A_SOURCE, src);
	put_pfx4("192.0.2.0", 24);
	worked(send_m(), "source of 31 characters");
	worked(src_cmd(S, SLUICE_CMD_WL_FLUSH, src), "flush of it");

	src[SLUICE_SOURCE_MAXLEN] = 's';
	src[SLUICE_SOURCE_MAXLEN + 1] = 0;
	start(SLUICE_CMD_WL_ADD, 0);
	nlf_put_str(M, SLUICE_A_SOURCE, src);
	put_pfx4("192.0.2.0", 24);
	refused(send_m(), "add to a source of 32 characters");
	refused(src_cmd(S, SLUICE_CMD_WL_BEGIN, src), "begin of it");
	start(SLUICE_CMD_WL_GET, NLM_F_DUMP);
	nlf_put_str(M, SLUICE_A_SOURCE, src);
	refused(send_m(), "dump of it");
	check(mem().entries == e0 && sources(src).named == 0,
	      "entries and sources unchanged");

	/* Interface names: 15 characters work, 16 do not. */
	memset(ifn, 'i', sizeof(ifn));
	ifn[SLUICE_IFNAME_MAXLEN] = 0;
	ifn[0] = 'l';
	start(SLUICE_CMD_SET_CONFIG, 0);
	t = nlf_nest_start(M, SLUICE_A_LAN_IFS);
	nlf_put_str(M, SLUICE_A_IFNAME, ifn);
	nlf_nest_end(M, t);
	ifn[0] = 'w';
	nlf_put_str(M, SLUICE_A_WAN_IF, ifn);
	worked(send_m(), "lan and wan names of 15 characters");
	lb = config(before, sizeof(before));

	ifn[SLUICE_IFNAME_MAXLEN] = 'i';
	ifn[SLUICE_IFNAME_MAXLEN + 1] = 0;
	start(SLUICE_CMD_SET_CONFIG, 0);
	t = nlf_nest_start(M, SLUICE_A_LAN_IFS);
	nlf_put_str(M, SLUICE_A_IFNAME, ifn);
	nlf_nest_end(M, t);
	refused(send_m(), "lan name of 16 characters");
	start(SLUICE_CMD_SET_CONFIG, 0);
	nlf_put_str(M, SLUICE_A_WAN_IF, ifn);
	refused(send_m(), "wan name of 16 characters");
	start(SLUICE_CMD_CLASSIFY, 0);
	t = nlf_nest_start(M, SLUICE_A_TUPLE);
	{
		uint8_t a[4] = { 203, 0, 113, 1 };

		nlf_put_pfx(M, SLUICE_TUPLE_DST, AF_INET, a, -1);
	}
	nlf_put_str(M, SLUICE_TUPLE_IIF, ifn);
	nlf_nest_end(M, t);
	refused(send_m(), "classify with an iif of 16 characters");

	/* As many LAN interfaces as allowed, then one more. */
	for (err = 0; err < 2; err++) {
		unsigned int i, n = SLUICE_MAX_LAN_IFS + (unsigned int)err;
		char name[16];

		start(SLUICE_CMD_SET_CONFIG, 0);
		t = nlf_nest_start(M, SLUICE_A_LAN_IFS);
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "lim%u", i);
			nlf_put_str(M, SLUICE_A_IFNAME, name);
		}
		nlf_nest_end(M, t);
		if (!err) {
			worked(send_m(), "16 lan interfaces");
			lb = config(before, sizeof(before));
		} else {
			refused(send_m(), "17 lan interfaces");
		}
	}
	check(config(after, sizeof(after)) == lb && !memcmp(before, after, lb),
	      "config unchanged by the refused names and lists");
}

static int put_macs(unsigned int n)
{
	unsigned int i;
	size_t t;

	start(SLUICE_CMD_SET_CONFIG, 0);
	t = nlf_nest_start(M, SLUICE_A_SRC_MACS);
	for (i = 0; i < n; i++) {
		uint8_t mac[6] = { 0x02, 0, 0, 0, (uint8_t)(i >> 8),
				   (uint8_t)i };

		nlf_put(M, SLUICE_A_MAC, mac, sizeof(mac));
	}
	nlf_nest_end(M, t);
	return send_m();
}

static void macs(void)
{
	uint8_t before[4096], after[4096];
	size_t lb;
	int err = put_macs(1);

	if (err == -EINVAL) {
		/* Not a skip of the refusal below: that is still checked. */
		printf("note: this module does not take SLUICE_A_SRC_MACS (%s): "
		       "only the refusal of %d MACs is checked\n",
		       R.extack[0] ? R.extack : "EINVAL",
		       SLUICE_MAX_SRC_MACS + 1);
	} else {
		worked(put_macs(SLUICE_MAX_SRC_MACS), "64 source MACs");
	}
	lb = config(before, sizeof(before));
	refused(put_macs(SLUICE_MAX_SRC_MACS + 1), "65 source MACs");
	check(config(after, sizeof(after)) == lb && !memcmp(before, after, lb),
	      "config unchanged by 65 MACs");
}

static void entry_limit(void)
{
	struct mem m0 = mem();
	uint32_t room, i, fill;
	struct mem m;
	int err;

	if (!m0.max || m0.max > 4096 || m0.max < m0.entries + 16) {
		check(false, "max_entries %u (entries %u): load sluice with "
		      "max_entries=64 for this check", m0.max, m0.entries);
		return;
	}
	room = m0.max - m0.entries;
	fill = room - 2;
	for (i = 0, err = 0; i < fill && !err; i += 200)
		err = add_hosts(S, "fill", 0xf, i + 1,
				fill - i < 200 ? fill - i : 200);
	worked(err, "filled to the limit minus 2");

	err = add_hosts(S, "fill2", 0xe, 1, 5);
	check(err == -ENOSPC && R.extack[0], "add of 5 over the limit: %s (%s)",
	      e_name(err), R.extack);
	m = mem();
	check(m.entries == m0.max - 2 && !listed(AF_INET6, "2001:db8:e::1") &&
	      !listed(AF_INET6, "2001:db8:e::5"),
	      "nothing of it added (%u entries)", m.entries);

	worked(src_cmd(S, SLUICE_CMD_WL_BEGIN, "fill3"), "begin");
	worked(add_hosts(S, "fill3", 0xd, 1, 1), "staged add of 1");
	err = add_hosts(S, "fill3", 0xd, 16, 5);
	check(err == -ENOSPC && R.extack[0],
	      "staged add of 5 over the limit: %s (%s)", e_name(err), R.extack);
	worked(src_cmd(S, SLUICE_CMD_WL_COMMIT, "fill3"), "commit");
	m = mem();
	check(m.entries == m0.max - 1 && listed(AF_INET6, "2001:db8:d::1") &&
	      !listed(AF_INET6, "2001:db8:d::10"),
	      "only the staged add that fit is listed (%u entries)", m.entries);

	/*
	 * Replacing "fill" with as many other hosts: the result fits.
	 * (A replace that once failed here: docs/reliability.md, findings.)
	 */
	worked(src_cmd(S, SLUICE_CMD_WL_BEGIN, "fill"), "begin replace of fill");
	for (i = 0, err = 0; i < fill && !err; i += 200)
		err = add_hosts(S, "fill", 0xc, i + 1,
				fill - i < 200 ? fill - i : 200);
	if (!err)
		err = src_cmd(S, SLUICE_CMD_WL_COMMIT, "fill");
	else
		src_cmd(S, SLUICE_CMD_WL_ABORT, "fill");
	worked(err, "replace of a source holding most of max_entries by as many");
	check(!listed(AF_INET6, "2001:db8:f::1") ==
	      listed(AF_INET6, "2001:db8:c::1"),
	      "either the old or the new version of fill is listed");

	worked(src_cmd(S, SLUICE_CMD_WL_FLUSH, "fill"), "flush fill");
	worked(src_cmd(S, SLUICE_CMD_WL_FLUSH, "fill3"), "flush fill3");
	check(mem().entries == m0.entries, "back to %u entries", m0.entries);
}

/*
 * An entry added again, then deleted or its source flushed, is gone.
 * (An entry that once stayed: docs/reliability.md, findings.)
 */
static void readd_delete(void)
{
	uint32_t e0 = mem().entries;
	int round;

	for (round = 0; round < 3; round++) {
		const char *a = round == 1 ? "203.0.113.5" : "203.0.113.0";
		int plen = round == 1 ? -1 : 24, k;

		for (k = 0; k < 2; k++) {
			start(SLUICE_CMD_WL_ADD, 0);
			nlf_put_str(M, SLUICE_A_SOURCE, "twice");
			put_pfx4(a, plen);
			worked(send_m(), "add");
		}
		if (round < 2) {
			start(SLUICE_CMD_WL_DEL, 0);
			nlf_put_str(M, SLUICE_A_SOURCE, "twice");
			put_pfx4(a, plen);
			worked(send_m(), "delete");
		} else {
			worked(src_cmd(S, SLUICE_CMD_WL_FLUSH, "twice"),
			       "flush");
		}
		check(!listed(AF_INET, "203.0.113.5") && mem().entries == e0,
		      "%s added twice, then %s: no longer listed",
		      round == 1 ? "a host" : "a prefix",
		      round < 2 ? "deleted" : "its source flushed");
		src_cmd(S, SLUICE_CMD_WL_FLUSH, "twice");
	}
}

static void abandonment(void)
{
	struct nlf_sock *socks[32];
	struct mem m0 = mem(), m;
	struct src_count c0 = sources("ab"), c;
	/* Staged entries count against the limit: stay below it. */
	uint32_t per = (m0.max - m0.entries) / 32;
	unsigned int i;
	char name[32];
	int err = 0;

	per = per > 4 ? 4 : per ? per : 1;
	for (i = 0; i < 32; i++) {
		socks[i] = nlf_sock_open(true);
		snprintf(name, sizeof(name), "ab%02u", i);
		err |= src_cmd(socks[i], SLUICE_CMD_WL_BEGIN, name);
		err |= add_hosts(socks[i], name, 0xab, i * 4 + 1, per);
	}
	worked(err, "32 sockets each opened a transaction with %u staged entries",
	       per);
	c = sources("ab");
	check(c.named == 32 && c.replacing >= 32,
	      "32 sources being replaced (%u, %u)", c.named, c.replacing);
	for (i = 0; i < 32; i++)
		nlf_sock_close(socks[i]);
	c = sources("ab");
	m = mem();
	check(c.named == c0.named && c.all == c0.all &&
	      m.entries == m0.entries && m.entry_bytes == m0.entry_bytes,
	      "closing them left nothing: %u sources, %u entries, %llu bytes",
	      c.all, m.entries, (unsigned long long)m.entry_bytes);

	/* Staged entries of a closed socket no longer count: fill again. */
	if (m0.max <= 4096 && m0.max > m0.entries) {
		socks[0] = nlf_sock_open(true);
		src_cmd(socks[0], SLUICE_CMD_WL_BEGIN, "stage");
		err = add_hosts(socks[0], "stage", 0xa, 1,
				m0.max - m0.entries);
		worked(err, "staged up to the limit");
		nlf_sock_close(socks[0]);
		socks[0] = nlf_sock_open(true);
		src_cmd(socks[0], SLUICE_CMD_WL_BEGIN, "stage");
		err = add_hosts(socks[0], "stage", 0xa, 1,
				m0.max - m0.entries);
		worked(err, "again after the first socket closed");
		nlf_sock_close(socks[0]);
	}

	/* One socket, transactions until the source limit. */
	socks[0] = nlf_sock_open(true);
	for (i = 0, err = 0; i < 10000 && !err; i++) {
		snprintf(name, sizeof(name), "many%u", i);
		err = src_cmd(socks[0], SLUICE_CMD_WL_BEGIN, name);
	}
	check(err == -ENOSPC && R.extack[0],
	      "source limit after %u transactions: %s (%s)", i - 1,
	      e_name(err), R.extack);
	nlf_sock_close(socks[0]);
	c = sources("many");
	m = mem();
	check(c.named == 0 && c.all == c0.all && m.entries == m0.entries,
	      "closing the socket freed them (%u sources)", c.all);
}

int nlf_limits(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: sluice-nlfuzz limits\n");
		return 2;
	}
	S = nlf_sock_open(true);
	M = malloc(sizeof(*M));
	if (!M)
		return 2;
	names();
	macs();
	entry_limit();
	readd_delete();
	abandonment();
	printf("limits: %u checks, %u failed\n", checks, failed);
	nlf_sock_close(S);
	free(M);
	return failed ? 1 : 0;
}
