// SPDX-License-Identifier: GPL-2.0
/*
 * sluice-nlfuzz: the messages.  A valid request of every command is built
 * from the uapi enums, then changed: attributes dropped, duplicated,
 * reordered, retyped, resized, filled with garbage, nested garbage...
 * ("mutations", which may leave it valid), and, when it must be rejected,
 * one "poison": a change that no correct kernel may accept whatever the
 * command (an unknown attribute type, a broken length, a value outside
 * the range the uapi documents, a missing NLA_F_NESTED, ...).
 *
 * Attribute kinds come from the uapi comments; an attribute added to the
 * uapi later is fuzzed with random payloads until it gets a kind here.
 */
#include <string.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nlfuzz.h"

#define HDRS	(NLMSG_HDRLEN + GENL_HDRLEN)
#define MAXV	4096		/* attributes handled per stream */
#define DEPTH	3

const struct nlf_cmd nlf_cmds[__SLUICE_CMD_MAX] = {
	[SLUICE_CMD_GET_CONFIG]		= { "GET_CONFIG", NLF_READ },
	[SLUICE_CMD_SET_CONFIG]		= { "SET_CONFIG", NLF_CHANGE },
	[SLUICE_CMD_GET_COUNTERS]	= { "GET_COUNTERS", NLF_READ },
	[SLUICE_CMD_WL_ADD]		= { "WL_ADD", NLF_CHANGE },
	[SLUICE_CMD_WL_DEL]		= { "WL_DEL", NLF_CHANGE },
	[SLUICE_CMD_WL_GET]		= { "WL_GET", NLF_DUMP },
	[SLUICE_CMD_WL_FLUSH]		= { "WL_FLUSH", NLF_CHANGE },
	[SLUICE_CMD_WL_LOOKUP]		= { "WL_LOOKUP", NLF_READ },
	[SLUICE_CMD_WL_BEGIN]		= { "WL_BEGIN", NLF_CHANGE },
	[SLUICE_CMD_WL_COMMIT]		= { "WL_COMMIT", NLF_CHANGE },
	[SLUICE_CMD_WL_ABORT]		= { "WL_ABORT", NLF_CHANGE },
	[SLUICE_CMD_WL_SOURCES]		= { "WL_SOURCES", NLF_DUMP },
	[SLUICE_CMD_CLASSIFY]		= { "CLASSIFY", NLF_READ },
	[SLUICE_CMD_FLOWS_FLUSH]	= { "FLOWS_FLUSH", NLF_CHANGE },
};

/* ---- attribute kinds -------------------------------------------- */

enum kind {
	K_ANY,		/* unknown to this table: random bytes */
	K_U8, K_BOOL, K_PLEN,
	K_U16, K_PORT,
	K_U32, K_ENUM, K_TIMEOUT,
	K_U64,
	K_STR,		/* NUL-terminated, at most .max characters */
	K_BIN4, K_BIN16, K_MAC,
	K_FLAG,
	K_NEST,
};

enum level_id { L_TOP, L_PFX, L_TUPLE, L_RAW, N_LEVELS };

struct aspec {
	uint8_t kind;
	uint8_t nest;		/* enum level_id of a K_NEST */
	uint32_t max;		/* K_ENUM: largest value; K_STR: length */
};

struct level {
	const struct aspec *a;
	unsigned int max;	/* largest type */
};

#define ENUM(m)		{ .kind = K_ENUM, .max = (m) }
#define STR(m)		{ .kind = K_STR, .max = (m) }
#define NEST(l)		{ .kind = K_NEST, .nest = (l) }
#define KIND(k)		{ .kind = (k) }

static const struct aspec top_spec[__SLUICE_A_MAX] = {
	[SLUICE_A_PAD]		= KIND(K_ANY),
	[SLUICE_A_ENABLED]	= KIND(K_BOOL),
	[SLUICE_A_MODE]		= ENUM(SLUICE_MODE_MAX),
	[SLUICE_A_PORT]		= KIND(K_PORT),
	[SLUICE_A_PORT6]	= KIND(K_PORT),
	[SLUICE_A_LISTEN_ADDR4]	= KIND(K_BIN4),
	[SLUICE_A_LISTEN_ADDR6]	= KIND(K_BIN16),
	[SLUICE_A_BYPASS_MARK]	= KIND(K_U32),
	[SLUICE_A_BYPASS_MASK]	= KIND(K_U32),
	[SLUICE_A_FWMARK]	= KIND(K_U32),
	[SLUICE_A_FWMARK_MASK]	= KIND(K_U32),
	[SLUICE_A_LAN_IFS]	= NEST(L_TOP),
	[SLUICE_A_IFNAME]	= STR(SLUICE_IFNAME_MAXLEN),
	[SLUICE_A_WAN_IF]	= STR(SLUICE_IFNAME_MAXLEN),
	[SLUICE_A_MASQUERADE]	= KIND(K_BOOL),
	[SLUICE_A_NO_LISTENER]	= ENUM(SLUICE_NO_LISTENER_MAX),
	[SLUICE_A_COUNTERS]	= NEST(L_RAW),
	[SLUICE_A_MEMORY]	= NEST(L_RAW),
	[SLUICE_A_SOURCE]	= STR(SLUICE_SOURCE_MAXLEN),
	[SLUICE_A_TIMEOUT]	= KIND(K_TIMEOUT),
	[SLUICE_A_PREFIX]	= NEST(L_PFX),
	[SLUICE_A_ADDRESS]	= NEST(L_PFX),
	[SLUICE_A_MATCH]	= KIND(K_BOOL),
	[SLUICE_A_ENTRIES4]	= KIND(K_U32),
	[SLUICE_A_ENTRIES6]	= KIND(K_U32),
	[SLUICE_A_TXN_OPEN]	= KIND(K_FLAG),
	[SLUICE_A_TUPLE]	= NEST(L_TUPLE),
	[SLUICE_A_VERDICT]	= ENUM(SLUICE_VERDICT_MAX),
	[SLUICE_A_RULE]		= ENUM(SLUICE_RULE_MAX),
	[SLUICE_A_LOCAL]	= KIND(K_BOOL),
	[SLUICE_A_DNS_PORT]	= KIND(K_U16),
	[SLUICE_A_DNS_LOCAL]	= KIND(K_BOOL),
	[SLUICE_A_SRC_MODE]	= ENUM(SLUICE_SRC_MAX),
	[SLUICE_A_SRC_MACS]	= NEST(L_TOP),
	[SLUICE_A_MAC]		= KIND(K_MAC),
	[SLUICE_A_DEFAULT]	= ENUM(SLUICE_DEFAULT_MAX),
	[SLUICE_A_QUIC_REJECT]	= KIND(K_BOOL),
	[SLUICE_A_LIST]		= ENUM(SLUICE_LIST_MAX),
	[SLUICE_A_CT_MASK]	= KIND(K_U32),
	[SLUICE_A_FLOWS]	= KIND(K_U32),
};

static const struct aspec pfx_spec[__SLUICE_PFX_MAX] = {
	[SLUICE_PFX_ADDR4]	= KIND(K_BIN4),
	[SLUICE_PFX_ADDR6]	= KIND(K_BIN16),
	[SLUICE_PFX_PLEN]	= KIND(K_PLEN),
};

static const struct aspec tuple_spec[__SLUICE_TUPLE_MAX] = {
	[SLUICE_TUPLE_PROTO]	= KIND(K_U8),
	[SLUICE_TUPLE_SRC]	= NEST(L_PFX),
	[SLUICE_TUPLE_DST]	= NEST(L_PFX),
	[SLUICE_TUPLE_SPORT]	= KIND(K_U16),
	[SLUICE_TUPLE_DPORT]	= KIND(K_U16),
	[SLUICE_TUPLE_IIF]	= STR(SLUICE_IFNAME_MAXLEN),
	[SLUICE_TUPLE_MARK]	= KIND(K_U32),
	[SLUICE_TUPLE_MAC]	= KIND(K_MAC),
	[SLUICE_TUPLE_LOCAL]	= KIND(K_FLAG),
};

static const struct aspec raw_spec[1];

static const struct level levels[N_LEVELS] = {
	[L_TOP]		= { top_spec, SLUICE_A_MAX },
	[L_PFX]		= { pfx_spec, SLUICE_PFX_MAX },
	[L_TUPLE]	= { tuple_spec, SLUICE_TUPLE_MAX },
	[L_RAW]		= { raw_spec, 0 },
};

static const struct aspec any_spec = KIND(K_ANY);

static const struct aspec *spec_of(const struct level *lv, unsigned int type)
{
	if (type == 0 || type > lv->max)
		return &any_spec;
	return &lv->a[type];
}

static bool kind_fixed(uint8_t k)
{
	return (k >= K_U8 && k <= K_U64) || k == K_BIN4 || k == K_BIN16 ||
	       k == K_MAC;
}

static size_t kind_len(uint8_t k)
{
	switch (k) {
	case K_U8: case K_BOOL: case K_PLEN: return 1;
	case K_U16: case K_PORT: return 2;
	case K_U32: case K_ENUM: case K_TIMEOUT: case K_BIN4: return 4;
	case K_MAC: return 6;
	case K_U64: return 8;
	case K_BIN16: return 16;
	}
	return 0;
}

/* ---- building ----------------------------------------------------- */

struct out {
	uint8_t *p;
	size_t len, cap;
};

static bool out_room(const struct out *o, size_t n)
{
	return o->len + n <= o->cap;
}

static void out_bytes(struct out *o, const void *d, size_t n)
{
	if (!n || !out_room(o, n))
		return;
	memcpy(o->p + o->len, d, n);
	o->len += n;
}

static void out_pad(struct out *o)
{
	while (o->len & 3 && out_room(o, 1))
		o->p[o->len++] = 0;
}

/* Header now, length when the payload is written: see out_end(). */
static size_t out_start(struct out *o, uint16_t type)
{
	struct nlattr a = { .nla_len = NLA_HDRLEN, .nla_type = type };
	size_t at = o->len;

	if (!out_room(o, NLA_HDRLEN))
		return (size_t)-1;
	out_bytes(o, &a, sizeof(a));
	return at;
}

static void out_end(struct out *o, size_t at)
{
	struct nlattr *a;

	if (at == (size_t)-1)
		return;
	a = (struct nlattr *)(o->p + at);
	a->nla_len = (uint16_t)(o->len - at > 0xffff ? 0xffff : o->len - at);
	out_pad(o);
}

static void out_attr(struct out *o, uint16_t type, const void *d, size_t n)
{
	size_t at;

	if (n > 0xffff - NLA_HDRLEN || !out_room(o, NLA_ALIGN(NLA_HDRLEN + n)))
		return;
	at = out_start(o, type);
	out_bytes(o, d, n);
	out_end(o, at);
}

static struct out msg_out(struct nlf_msg *m)
{
	struct out o = { .p = m->buf, .len = m->len, .cap = NLF_MSG_MAX };

	return o;
}

static void msg_sync(struct nlf_msg *m, const struct out *o)
{
	m->len = o->len;
	((struct nlmsghdr *)m->buf)->nlmsg_len = (uint32_t)o->len;
}

void nlf_msg_start(struct nlf_msg *m, uint16_t family, uint8_t cmd,
		   uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);

	memset(m->buf, 0, HDRS);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = SLUICE_GENL_VERSION;
	m->len = HDRS;
	nlh->nlmsg_len = HDRS;
	m->poison = NULL;
	m->may_vanish = false;
}

void nlf_put(struct nlf_msg *m, uint16_t type, const void *data, size_t len)
{
	struct out o = msg_out(m);

	out_attr(&o, type, data, len);
	msg_sync(m, &o);
}

void nlf_put_str(struct nlf_msg *m, uint16_t type, const char *s)
{
	nlf_put(m, type, s, strlen(s) + 1);
}

size_t nlf_nest_start(struct nlf_msg *m, uint16_t type)
{
	struct out o = msg_out(m);
	size_t at = out_start(&o, type | NLA_F_NESTED);

	msg_sync(m, &o);
	return at;
}

void nlf_nest_end(struct nlf_msg *m, size_t at)
{
	struct out o = msg_out(m);

	out_end(&o, at);
	msg_sync(m, &o);
}

void nlf_put_pfx(struct nlf_msg *m, uint16_t type, int family,
		 const void *addr, int plen)
{
	size_t at = nlf_nest_start(m, type);
	uint8_t p = (uint8_t)plen;

	nlf_put(m, family == AF_INET ? SLUICE_PFX_ADDR4 : SLUICE_PFX_ADDR6,
		addr, family == AF_INET ? 4 : 16);
	if (plen >= 0)
		nlf_put(m, SLUICE_PFX_PLEN, &p, 1);
	nlf_nest_end(m, at);
}

/* ---- values ------------------------------------------------------- */

static const char *const names[] = {
	"static", "dns", "lan", "local", "server", "china4", "china6",
	"a", "A.b-c_9", "fzl0", "fzl1", "lo", "eth0", "nosuchif0",
	"abcdefghijklmno",				/* 15: IFNAME max */
	"abcdefghijklmnopqrstuvwxyz01234",		/* 31: SOURCE max */
};

static void rand_bytes(struct rng *r, uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next(r);
}

static uint32_t interesting32(struct rng *r)
{
	static const uint32_t v[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};

	if (rng_pct(r, 30))
		return (uint32_t)rng_next(r);
	return v[rng_below(r, sizeof(v) / sizeof(v[0]))];
}

/* A random address: mostly documentation ranges, sometimes anything. */
static void rand_addr(struct rng *r, int family, uint8_t *a, int plen)
{
	static const uint8_t v4[][3] = {
		{ 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 },
	};
	int len = family == AF_INET ? 4 : 16, i;

	rand_bytes(r, a, (size_t)len);
	if (rng_pct(r, 80)) {
		if (family == AF_INET) {
			memcpy(a, v4[rng_below(r, 3)], 3);
		} else {
			a[0] = 0x20;
			a[1] = 0x01;
			a[2] = 0x0d;
			a[3] = 0xb8;
		}
	}
	/* Clear host bits: a valid prefix. */
	for (i = 0; i < len; i++) {
		int bits = plen - i * 8;

		if (bits <= 0)
			a[i] = 0;
		else if (bits < 8)
			a[i] &= (uint8_t)(0xff00 >> bits);
	}
}

static size_t gen_stream(struct rng *r, const struct level *lv, int depth,
			 uint8_t *p, size_t cap);

/*
 * Payload of an attribute of @s.  @bad: a value the uapi rules out, where
 * the kind has one (else a wrong length).  Returns the length; *flags
 * gets NLA_F_NESTED for nests.
 */
static size_t gen_value(struct rng *r, const struct aspec *s, bool bad,
			int depth, uint8_t *p, size_t cap, uint16_t *flags)
{
	size_t n = kind_len(s->kind);
	uint32_t v = interesting32(r);

	*flags = 0;
	if (cap < 64)
		return 0;
	switch (s->kind) {
	case K_BOOL:
		v = bad ? 2 + rng_below(r, 254) : rng_below(r, 2);
		break;
	case K_PLEN:
		v = bad ? 129 + rng_below(r, 127) : rng_below(r, 129);
		break;
	case K_ENUM:
		v = bad ? s->max + 1 + (rng_pct(r, 80) ? rng_below(r, 4) :
					rng_below(r, 1000)) :
			  rng_below(r, s->max + 1);
		break;
	case K_PORT:
		v = bad ? 0 : 1 + rng_below(r, 65535);
		break;
	case K_TIMEOUT:
		v = bad ? 0 : (rng_pct(r, 80) ? 1 + rng_below(r, 5) : v);
		break;
	case K_STR: {
		size_t len;

		if (bad) {
			/* Too long, or no NUL within the allowed length. */
			len = s->max + 1 + rng_below(r, 40);
			if (len + 1 > cap)
				len = cap - 1;
			memset(p, 'x', len);
			p[len] = 0;
			return rng_pct(r, 50) ? len + 1 : len;
		}
		if (rng_pct(r, 10)) {
			len = rng_below(r, s->max + 1);
			rand_bytes(r, p, len);
			p[len] = 0;
			return len + 1;
		}
		do {
			const char *nm = names[rng_below(r, sizeof(names) /
							  sizeof(names[0]))];

			len = strlen(nm);
			memcpy(p, nm, len + 1);
		} while (len > s->max);
		return len + 1;
	}
	case K_BIN4:
	case K_BIN16:
		rand_addr(r, s->kind == K_BIN4 ? AF_INET : AF_INET6, p,
			  (int)n * 8);
		break;
	case K_FLAG:
		if (!bad)
			return 0;
		n = 1 + rng_below(r, 8);
		rand_bytes(r, p, n);
		return n;
	case K_NEST:
		*flags = NLA_F_NESTED;
		if (bad || depth >= DEPTH) {
			n = rng_below(r, 24);
			rand_bytes(r, p, n);
			return n;
		}
		return gen_stream(r, &levels[s->nest], depth + 1, p,
				  cap > 4096 ? 4096 : cap);
	case K_ANY:
		n = rng_below(r, 24);
		rand_bytes(r, p, n);
		return n;
	}
	if (s->kind == K_MAC || s->kind == K_U64)
		rand_bytes(r, p, n);
	else if (n == 1)
		p[0] = (uint8_t)v;
	else if (n == 2)
		memcpy(p, &(uint16_t){ (uint16_t)v }, 2);
	else if (n == 4 && s->kind != K_BIN4)
		memcpy(p, &v, 4);
	if (bad && kind_fixed(s->kind) &&
	    !(s->kind == K_BOOL || s->kind == K_PLEN || s->kind == K_ENUM ||
	      s->kind == K_PORT || s->kind == K_TIMEOUT)) {
		/* No value is out of range: a wrong length instead. */
		static const size_t lens[] = { 0, 1, 2, 3, 5, 8, 16, 17 };
		size_t l;

		do
			l = lens[rng_below(r, 8)];
		while (l == n);
		memset(p + n, 0xa5, l > n ? l - n : 0);
		return l;
	}
	return n;
}

/* One random attribute of level @lv, appended to @o. */
static void gen_attr(struct rng *r, const struct level *lv, int depth,
		     struct out *o)
{
	uint16_t type, flags;
	const struct aspec *s;
	size_t at, n;

	if (lv->max && rng_pct(r, 85))
		type = (uint16_t)(1 + rng_below(r, lv->max));
	else
		type = (uint16_t)rng_below(r, NLF_TYPE_MAX + 1);
	s = spec_of(lv, type);
	at = out_start(o, type);
	if (at == (size_t)-1)
		return;
	n = gen_value(r, s, rng_pct(r, 15), depth, o->p + o->len,
		      o->cap - o->len, &flags);
	o->len += n;
	((struct nlattr *)(o->p + at))->nla_type |= flags;
	out_end(o, at);
}

static size_t gen_stream(struct rng *r, const struct level *lv, int depth,
			 uint8_t *p, size_t cap)
{
	struct out o = { .p = p, .cap = cap };
	unsigned int i, n = rng_below(r, 5);

	for (i = 0; i < n; i++)
		gen_attr(r, lv, depth, &o);
	return o.len;
}

/* ---- the valid corpus --------------------------------------------- */

static void put_u8(struct nlf_msg *m, uint16_t t, uint8_t v)
{
	nlf_put(m, t, &v, 1);
}

static void put_u16(struct nlf_msg *m, uint16_t t, uint16_t v)
{
	nlf_put(m, t, &v, 2);
}

static void put_u32(struct nlf_msg *m, uint16_t t, uint32_t v)
{
	nlf_put(m, t, &v, 4);
}

/*
 * Half the prefixes come from a pool of 64, so that adds meet existing
 * entries, deletes find them, and lookups hit.
 */
static void pool_pfx(struct rng *r, int *family, uint8_t *a, int *plen)
{
	unsigned int k = rng_below(r, 64);

	memset(a, 0, 16);
	if (k < 32) {
		*family = AF_INET;
		a[0] = k & 1 ? 198 : 192;
		a[1] = k & 1 ? 51 : 0;
		a[2] = k & 1 ? 100 : 2;
		*plen = k < 8 ? 24 : 32;
		a[3] = *plen == 32 ? (uint8_t)k : 0;
		if (k < 4)
			*plen = 23 + (int)k;
		if (*plen < 24)
			a[2] &= (uint8_t)(0xff00 >> (*plen - 16));
	} else {
		*family = AF_INET6;
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[5] = (uint8_t)k;
		*plen = k < 48 ? 48 : 128;
		a[15] = *plen == 128 ? (uint8_t)k : 0;
	}
}

static void rand_pfx(struct rng *r, struct nlf_msg *m, uint16_t type,
		     bool host_only)
{
	int family = rng_pct(r, 60) ? AF_INET : AF_INET6;
	int max = family == AF_INET ? 32 : 128;
	int plen = host_only || rng_pct(r, 40) ? max :
		   (rng_pct(r, 80) ? max - 8 - (int)rng_below(r, 9) :
				     (int)rng_below(r, (uint32_t)max + 1));
	uint8_t a[16];

	if (rng_pct(r, 50)) {
		pool_pfx(r, &family, a, &plen);
		max = family == AF_INET ? 32 : 128;
		if (host_only)
			plen = max;
		nlf_put_pfx(m, type, family, a, plen);
		return;
	}
	rand_addr(r, family, a, plen);
	nlf_put_pfx(m, type, family, a,
		    plen == max && rng_pct(r, 50) ? -1 : plen);
}

void nlf_add_prefixes(struct rng *r, struct nlf_msg *m, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && m->len < NLF_MSG_MAX - 512; i++)
		rand_pfx(r, m, SLUICE_A_PREFIX, false);
}

static const char *rand_source(struct rng *r, const struct nlf_env *env)
{
	if (env->n_sources && rng_pct(r, 85))
		return env->sources[rng_below(r, env->n_sources)];
	return names[rng_below(r, 9)];
}

static void valid_config(struct rng *r, struct nlf_msg *m)
{
	static const char *const ifs[] = { "fzl0", "fzl1", "lo", "nosuchif0" };
	uint8_t a[16];

	if (rng_pct(r, 30))
		put_u8(m, SLUICE_A_ENABLED, (uint8_t)rng_below(r, 2));
	if (rng_pct(r, 30))
		put_u32(m, SLUICE_A_MODE, rng_below(r, SLUICE_MODE_MAX + 1));
	if (rng_pct(r, 30))
		put_u16(m, SLUICE_A_PORT, (uint16_t)(1 + rng_below(r, 65535)));
	if (rng_pct(r, 20))
		put_u16(m, SLUICE_A_PORT6, (uint16_t)(1 + rng_below(r, 65535)));
	if (rng_pct(r, 20)) {
		rand_addr(r, AF_INET, a, 32);
		nlf_put(m, SLUICE_A_LISTEN_ADDR4, a, 4);
	}
	if (rng_pct(r, 20)) {
		rand_addr(r, AF_INET6, a, 128);
		nlf_put(m, SLUICE_A_LISTEN_ADDR6, a, 16);
	}
	if (rng_pct(r, 20)) {
		put_u32(m, SLUICE_A_BYPASS_MARK, rng_pct(r, 50) ? 0xff : 0x40);
		put_u32(m, SLUICE_A_BYPASS_MASK, rng_pct(r, 50) ? 0xff : 0xc0);
	}
	if (rng_pct(r, 20)) {
		put_u32(m, SLUICE_A_FWMARK, 0x100);
		put_u32(m, SLUICE_A_FWMARK_MASK, 0x100);
	}
	if (rng_pct(r, 25)) {
		size_t at = nlf_nest_start(m, SLUICE_A_LAN_IFS);
		unsigned int i, n = rng_below(r, 4);

		for (i = 0; i < n; i++)
			nlf_put_str(m, SLUICE_A_IFNAME, ifs[rng_below(r, 4)]);
		nlf_nest_end(m, at);
	}
	if (rng_pct(r, 20))
		nlf_put_str(m, SLUICE_A_WAN_IF, rng_pct(r, 50) ? "" : "lo");
	if (rng_pct(r, 15))
		put_u8(m, SLUICE_A_MASQUERADE, (uint8_t)rng_below(r, 2));
	if (rng_pct(r, 20))
		put_u32(m, SLUICE_A_NO_LISTENER,
			rng_below(r, SLUICE_NO_LISTENER_MAX + 1));
	/* Later attributes: refused by a module that predates them. */
	if (rng_pct(r, 10))
		put_u8(m, SLUICE_A_LOCAL, (uint8_t)rng_below(r, 2));
	if (rng_pct(r, 10))
		put_u16(m, SLUICE_A_DNS_PORT, (uint16_t)rng_below(r, 65536));
	if (rng_pct(r, 10))
		put_u8(m, SLUICE_A_DNS_LOCAL, (uint8_t)rng_below(r, 2));
	if (rng_pct(r, 10))
		put_u32(m, SLUICE_A_SRC_MODE, rng_below(r, SLUICE_SRC_MAX + 1));
	if (rng_pct(r, 10)) {
		size_t at = nlf_nest_start(m, SLUICE_A_SRC_MACS);
		unsigned int i, n = rng_below(r, 4);

		for (i = 0; i < n; i++) {
			rand_bytes(r, a, 6);
			a[0] &= 0xfe;
			nlf_put(m, SLUICE_A_MAC, a, 6);
		}
		nlf_nest_end(m, at);
	}
	if (rng_pct(r, 10))
		put_u32(m, SLUICE_A_DEFAULT, rng_below(r, SLUICE_DEFAULT_MAX + 1));
	if (rng_pct(r, 10))
		put_u8(m, SLUICE_A_QUIC_REJECT, (uint8_t)rng_below(r, 2));
	if (rng_pct(r, 5)) {
		/* two distinct bits: the lower direct, the higher proxied */
		uint32_t lo = rng_below(r, 31);

		put_u32(m, SLUICE_A_CT_MASK, 1u << lo |
			1u << (lo + 1 + rng_below(r, 31 - lo)));
	}
}

static void valid_tuple(struct rng *r, struct nlf_msg *m)
{
	size_t at = nlf_nest_start(m, SLUICE_A_TUPLE);
	int family = rng_pct(r, 60) ? AF_INET : AF_INET6;
	uint8_t a[16];

	if (rng_pct(r, 80))
		put_u8(m, SLUICE_TUPLE_PROTO, rng_pct(r, 50) ? 6 :
			  (rng_pct(r, 80) ? 17 : (uint8_t)rng_next(r)));
	if (rng_pct(r, 50)) {
		rand_addr(r, family, a, family == AF_INET ? 32 : 128);
		nlf_put_pfx(m, SLUICE_TUPLE_SRC, family, a, -1);
	}
	rand_addr(r, family, a, family == AF_INET ? 32 : 128);
	nlf_put_pfx(m, SLUICE_TUPLE_DST, family, a, -1);
	if (rng_pct(r, 50))
		put_u16(m, SLUICE_TUPLE_SPORT, (uint16_t)rng_next(r));
	if (rng_pct(r, 50))
		put_u16(m, SLUICE_TUPLE_DPORT, rng_pct(r, 30) ? 53 :
			  (uint16_t)rng_next(r));
	if (rng_pct(r, 30))
		nlf_put_str(m, SLUICE_TUPLE_IIF, rng_pct(r, 80) ? "lo" : "fzl0");
	if (rng_pct(r, 30))
		put_u32(m, SLUICE_TUPLE_MARK, interesting32(r));
	if (rng_pct(r, 5)) {
		rand_bytes(r, a, 6);
		nlf_put(m, SLUICE_TUPLE_MAC, a, 6);
	}
	if (rng_pct(r, 5))
		nlf_put(m, SLUICE_TUPLE_LOCAL, NULL, 0);
	nlf_nest_end(m, at);
}

void nlf_put_valid(struct rng *r, struct nlf_msg *m, uint16_t type)
{
	struct out o = msg_out(m);
	uint16_t flags;
	size_t at;

	/* Nests: a valid content, not random children. */
	switch (type) {
	case SLUICE_A_PREFIX:
	case SLUICE_A_ADDRESS:
		rand_pfx(r, m, type, type == SLUICE_A_ADDRESS);
		return;
	case SLUICE_A_TUPLE:
		valid_tuple(r, m);
		return;
	case SLUICE_A_LAN_IFS:
		at = nlf_nest_start(m, type);
		nlf_put_str(m, SLUICE_A_IFNAME, "fzl0");
		nlf_nest_end(m, at);
		return;
	case SLUICE_A_SRC_MACS:
		at = nlf_nest_start(m, type);
		nlf_put(m, SLUICE_A_MAC, "\x02\0\0\0\0\x01", 6);
		nlf_nest_end(m, at);
		return;
	}
	at = out_start(&o, type);
	if (at == (size_t)-1)
		return;
	o.len += gen_value(r, spec_of(&levels[L_TOP], type), false, 1,
			   o.p + o.len, o.cap - o.len, &flags);
	((struct nlattr *)(o.p + at))->nla_type |= flags;
	out_end(&o, at);
	msg_sync(m, &o);
}

void nlf_valid(struct rng *r, const struct nlf_env *env, struct nlf_msg *m,
	       uint8_t cmd, uint32_t seq)
{
	enum nlf_cmd_kind kind = nlf_kind(cmd);
	uint16_t flags = 0;

	if (kind == NLF_DUMP || (kind == NLF_UNKNOWN && rng_pct(r, 50)))
		flags = NLM_F_DUMP;
	nlf_msg_start(m, env->family, cmd, flags, seq);
	/* Lists are new: a module that predates them refuses LIST. */
	if (cmd >= SLUICE_CMD_GET_COUNTERS && cmd <= SLUICE_CMD_WL_ABORT &&
	    cmd != SLUICE_CMD_SET_CONFIG && rng_pct(r, 5))
		put_u32(m, SLUICE_A_LIST, rng_below(r, SLUICE_LIST_MAX + 1));
	switch (cmd) {
	case SLUICE_CMD_SET_CONFIG:
		valid_config(r, m);
		break;
	case SLUICE_CMD_WL_ADD:
	case SLUICE_CMD_WL_DEL:
		if (rng_pct(r, 85))
			nlf_put_str(m, SLUICE_A_SOURCE, rand_source(r, env));
		if (cmd == SLUICE_CMD_WL_ADD && rng_pct(r, 30))
			put_u32(m, SLUICE_A_TIMEOUT, 1 + rng_below(r, 5));
		nlf_add_prefixes(r, m, rng_pct(r, 3) ?
				 100 + rng_below(r, 1900) : 1 + rng_below(r, 8));
		break;
	case SLUICE_CMD_WL_GET:
	case SLUICE_CMD_WL_FLUSH:
		if (rng_pct(r, cmd == SLUICE_CMD_WL_FLUSH ? 90 : 50))
			nlf_put_str(m, SLUICE_A_SOURCE, rand_source(r, env));
		break;
	case SLUICE_CMD_WL_BEGIN:
	case SLUICE_CMD_WL_COMMIT:
	case SLUICE_CMD_WL_ABORT:
		nlf_put_str(m, SLUICE_A_SOURCE, rand_source(r, env));
		break;
	case SLUICE_CMD_WL_LOOKUP:
		rand_pfx(r, m, SLUICE_A_ADDRESS, true);
		break;
	case SLUICE_CMD_CLASSIFY:
		valid_tuple(r, m);
		break;
	case SLUICE_CMD_FLOWS_FLUSH:
		if (rng_pct(r, 50))
			rand_pfx(r, m, SLUICE_A_ADDRESS, false);
		break;
	case SLUICE_CMD_GET_CONFIG:
	case SLUICE_CMD_GET_COUNTERS:
	case SLUICE_CMD_WL_SOURCES:
		break;
	default: {
		struct out o = msg_out(m);

		o.len += gen_stream(r, &levels[L_TOP], 0, o.p + o.len,
				    o.cap - o.len);
		msg_sync(m, &o);
	}
	}
}

/* ---- mutations ---------------------------------------------------- */

struct span {
	size_t off, len;
};

/* The well-formed attributes at the start of @p; *end: where they stop. */
static size_t split(const uint8_t *p, size_t len, struct span *v, size_t max,
		    size_t *end)
{
	size_t off = 0, n = 0;

	while (n < max && len - off >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)(p + off);
		size_t al;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			break;
		al = NLA_ALIGN(a->nla_len);
		if (al > len - off)
			al = len - off;
		v[n].off = off;
		v[n].len = al;
		n++;
		off += al;
	}
	*end = off;
	return n;
}

static size_t mutate_stream(struct rng *r, const struct level *lv,
			    const uint8_t *in, size_t inlen, uint8_t *out,
			    size_t cap, int depth);

/* Copy attribute @a to @o with one change. */
static void mutate_attr(struct rng *r, const struct level *lv,
			const struct nlattr *a, struct out *o, int depth)
{
	uint16_t type = a->nla_type, t = type & NLA_TYPE_MASK, flags;
	const struct aspec *s = spec_of(lv, t);
	const uint8_t *pl = (const uint8_t *)a + NLA_HDRLEN;
	size_t plen = a->nla_len - NLA_HDRLEN, at, n;
	uint8_t *dst;

	at = out_start(o, type);
	if (at == (size_t)-1)
		return;
	dst = o->p + o->len;
	switch (rng_below(r, 10)) {
	case 0:		/* another type, same payload */
		t = (uint16_t)(rng_pct(r, 70) ? rng_below(r, lv->max + 3) :
					       rng_below(r, NLF_TYPE_MAX + 1));
		type = (uint16_t)((type & ~NLA_TYPE_MASK) | t);
		out_bytes(o, pl, plen);
		break;
	case 1:
		type ^= NLA_F_NESTED;
		out_bytes(o, pl, plen);
		break;
	case 2:
		type ^= NLA_F_NET_BYTEORDER;
		out_bytes(o, pl, plen);
		break;
	case 3:		/* inside a nest */
		if (s->kind == K_NEST && depth < DEPTH) {
			o->len += mutate_stream(r, &levels[s->nest], pl, plen,
						dst, o->cap - o->len,
						depth + 1);
			break;
		}
		/* fall through */
	case 4:		/* truncated */
		out_bytes(o, pl, rng_below(r, (uint32_t)plen + 1));
		break;
	case 5:		/* longer, sometimes much longer */
		n = rng_pct(r, 10) ? 1000 + rng_below(r, 7000) :
				     1 + rng_below(r, 16);
		if (plen + n > 0xffff - NLA_HDRLEN || !out_room(o, plen + n))
			n = 0;
		out_bytes(o, pl, plen);
		if (n) {
			rand_bytes(r, o->p + o->len, n);
			o->len += n;
		}
		break;
	case 6:		/* flipped bits */
		out_bytes(o, pl, plen);
		for (n = 0; plen && n < 1 + rng_below(r, 4); n++)
			dst[rng_below(r, (uint32_t)plen)] ^=
				(uint8_t)(1u << rng_below(r, 8));
		break;
	case 7:
	case 8:		/* another value of its kind, maybe out of range */
		n = gen_value(r, s, rng_pct(r, 50), depth, dst,
			      o->cap - o->len, &flags);
		o->len += n;
		type = (uint16_t)((type & ~NLA_F_NESTED) | flags);
		break;
	default:	/* garbage */
		n = rng_below(r, 40);
		if (out_room(o, n)) {
			rand_bytes(r, dst, n);
			o->len += n;
		}
	}
	((struct nlattr *)(o->p + at))->nla_type = type;
	out_end(o, at);
}

enum { HOW_COPY, HOW_MUTATE, HOW_GEN };

static size_t mutate_stream(struct rng *r, const struct level *lv,
			    const uint8_t *in, size_t inlen, uint8_t *out,
			    size_t cap, int depth)
{
	static struct span v[DEPTH + 1][MAXV];
	static struct { int i; int how; } ord[DEPTH + 1][MAXV + 1];
	struct out o = { .p = out, .cap = cap };
	size_t n, end, k, i, j;
	int op;

	n = split(in, inlen, v[depth], MAXV, &end);
	for (k = 0; k < n; k++) {
		ord[depth][k].i = (int)k;
		ord[depth][k].how = HOW_COPY;
	}
	op = n ? (int)rng_below(r, 10) : 4;
	i = rng_below(r, (uint32_t)n);
	j = rng_below(r, (uint32_t)n + 1);
	switch (op) {
	case 0:		/* dropped */
		memmove(&ord[depth][i], &ord[depth][i + 1],
			(n - i - 1) * sizeof(ord[0][0]));
		n--;
		break;
	case 1:		/* duplicated, somewhere */
		if (n >= MAXV)
			break;
		memmove(&ord[depth][j + 1], &ord[depth][j],
			(n - j) * sizeof(ord[0][0]));
		ord[depth][j].i = ord[depth][i < j ? i : i + 1].i;
		ord[depth][j].how = HOW_COPY;
		n++;
		break;
	case 2:		/* two swapped */
		j = rng_below(r, (uint32_t)n);
		k = (size_t)ord[depth][i].i;
		ord[depth][i].i = ord[depth][j].i;
		ord[depth][j].i = (int)k;
		break;
	case 3:		/* all shuffled */
		for (k = n; k > 1; k--) {
			int tmp;

			j = rng_below(r, (uint32_t)k);
			tmp = ord[depth][k - 1].i;
			ord[depth][k - 1].i = ord[depth][j].i;
			ord[depth][j].i = tmp;
		}
		break;
	case 4:		/* a new one, anywhere */
		if (n >= MAXV)
			break;
		memmove(&ord[depth][j + 1], &ord[depth][j],
			(n - j) * sizeof(ord[0][0]));
		ord[depth][j].how = HOW_GEN;
		n++;
		break;
	default:
		ord[depth][i].how = HOW_MUTATE;
	}
	for (k = 0; k < n; k++) {
		const struct span *sp = &v[depth][ord[depth][k].i];
		const struct nlattr *a = (const struct nlattr *)(in + sp->off);

		if (ord[depth][k].how == HOW_GEN)
			gen_attr(r, lv, depth, &o);
		else if (ord[depth][k].how == HOW_MUTATE)
			mutate_attr(r, lv, a, &o, depth);
		else if (out_room(&o, sp->len))
			out_bytes(&o, a, sp->len);
	}
	/* Whatever did not parse stays as it was. */
	if (inlen > end && out_room(&o, inlen - end))
		out_bytes(&o, in + end, inlen - end);
	return o.len;
}

void nlf_mutate(struct rng *r, struct nlf_msg *m)
{
	static uint8_t in[NLF_MSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	size_t alen = m->len - HDRS;

	switch (rng_below(r, 20)) {
	case 0:		/* header fields the family does not use */
		g->version = (uint8_t)rng_next(r);
		return;
	case 1:
		nlh->nlmsg_flags ^= (uint16_t)(1u << (2 + rng_below(r, 10)));
		nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
		return;
	case 2:
		nlh->nlmsg_pid = (uint32_t)rng_next(r);
		return;
	}
	memcpy(in, m->buf + HDRS, alen);
	m->len = HDRS + mutate_stream(r, &levels[L_TOP], in, alen,
				      m->buf + HDRS, NLF_MSG_MAX - HDRS, 0);
	nlh->nlmsg_len = (uint32_t)m->len;
}

/* ---- poisons: rejected by any correct kernel ---------------------- */

/* Insert the attribute in @a (already encoded) at a random top position. */
static void insert_top(struct rng *r, struct nlf_msg *m, const uint8_t *a,
		       size_t alen)
{
	static struct span v[MAXV];
	size_t n, end, at;

	if (m->len + alen > NLF_MSG_MAX)
		m->len = HDRS;	/* no room: this attribute alone */
	n = split(m->buf + HDRS, m->len - HDRS, v, MAXV, &end);
	at = HDRS + (n ? (rng_pct(r, 50) ? v[rng_below(r, (uint32_t)n)].off :
				      end) : 0);
	memmove(m->buf + at + alen, m->buf + at, m->len - at);
	memcpy(m->buf + at, a, alen);
	m->len += alen;
	((struct nlmsghdr *)m->buf)->nlmsg_len = (uint32_t)m->len;
}

/* Top-level attribute types of one kind class. */
static uint16_t pick_top(struct rng *r, bool (*ok)(const struct aspec *))
{
	uint16_t t;

	do
		t = (uint16_t)(1 + rng_below(r, SLUICE_A_MAX));
	while (!ok(&top_spec[t]));
	return t;
}

static bool is_fixed(const struct aspec *s)
{
	return kind_fixed(s->kind);
}

static bool is_nest(const struct aspec *s)
{
	return s->kind == K_NEST;
}

static bool is_leaf(const struct aspec *s)
{
	return s->kind != K_NEST && s->kind != K_ANY;
}

static bool has_bad_value(const struct aspec *s)
{
	switch (s->kind) {
	case K_BOOL: case K_ENUM: case K_PORT: case K_TIMEOUT: case K_STR:
	case K_FLAG:
		return true;
	}
	return false;
}

static void poison_attr(struct rng *r, struct nlf_msg *m, int what)
{
	uint8_t buf[512];
	struct out o = { .p = buf, .cap = sizeof(buf) };
	uint16_t t, flags;
	size_t at, n;
	uint8_t *pl;

	switch (what) {
	case 0:
		m->poison = "unknown-attr";
		t = (uint16_t)(SLUICE_A_MAX + 1 +
			       rng_below(r, NLF_TYPE_MAX - SLUICE_A_MAX));
		n = rng_below(r, 16);
		at = out_start(&o, t | (rng_pct(r, 20) ? NLA_F_NESTED : 0));
		rand_bytes(r, o.p + o.len, n);
		o.len += n;
		out_end(&o, at);
		break;
	case 1:
		m->poison = "attr-type-0";
		n = rng_below(r, 16);
		at = out_start(&o, 0);
		rand_bytes(r, o.p + o.len, n);
		o.len += n;
		out_end(&o, at);
		break;
	case 2:		/* fixed-size attribute of the wrong size */
		m->poison = "wrong-length";
		if (rng_pct(r, 70)) {
			static const size_t lens[] = { 0, 1, 2, 3, 5, 7, 8, 9,
						       15, 17, 32 };
			t = pick_top(r, is_fixed);
			do
				n = lens[rng_below(r, 11)];
			while (n == kind_len(top_spec[t].kind));
			at = out_start(&o, t);
			memset(o.p + o.len, 0x5a, n);
			o.len += n;
			out_end(&o, at);
		} else {
			/* Inside a prefix or tuple nest. */
			bool tuple = rng_pct(r, 30);
			size_t in;

			at = out_start(&o, NLA_F_NESTED | (tuple ?
				SLUICE_A_TUPLE : (rng_pct(r, 50) ?
				SLUICE_A_PREFIX : SLUICE_A_ADDRESS)));
			in = tuple ? out_start(&o, NLA_F_NESTED |
					       SLUICE_TUPLE_DST) : (size_t)-1;
			t = (uint16_t)(1 + rng_below(r, SLUICE_PFX_MAX));
			n = kind_len(pfx_spec[t].kind) + 1 +
			    rng_below(r, 3);
			out_attr(&o, t, "\xff\x01\x02\x03\x04\x05\x06\x07"
				 "\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12",
				 n);
			out_end(&o, in);
			out_end(&o, at);
		}
		break;
	case 3:		/* NLA_F_NESTED missing on a nest, or set on a leaf */
		m->poison = "nested-flag";
		if (rng_pct(r, 50)) {
			t = pick_top(r, is_nest);
			at = out_start(&o, t);
			o.len += gen_value(r, &top_spec[t], false, 1,
					   o.p + o.len, o.cap - o.len, &flags);
		} else {
			t = pick_top(r, is_leaf);
			at = out_start(&o, t | NLA_F_NESTED);
			o.len += gen_value(r, &top_spec[t], false, 1,
					   o.p + o.len, o.cap - o.len, &flags);
		}
		out_end(&o, at);
		break;
	case 4:		/* a value the uapi rules out */
		m->poison = "out-of-range";
		if (rng_pct(r, 70)) {
			t = pick_top(r, has_bad_value);
			at = out_start(&o, t);
			o.len += gen_value(r, &top_spec[t], true, 1,
					   o.p + o.len, o.cap - o.len, &flags);
			out_end(&o, at);
		} else {
			static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
			uint8_t plen = (uint8_t)(129 + rng_below(r, 127));
			bool v4 = rng_pct(r, 50);

			at = out_start(&o, NLA_F_NESTED | (rng_pct(r, 50) ?
				SLUICE_A_PREFIX : SLUICE_A_ADDRESS));
			out_attr(&o, v4 ? SLUICE_PFX_ADDR4 : SLUICE_PFX_ADDR6,
				 v4 ? (const uint8_t *)"\xc0\0\2\0" : a,
				 v4 ? 4 : 16);
			out_attr(&o, SLUICE_PFX_PLEN, &plen, 1);
			out_end(&o, at);
		}
		break;
	default:	/* a nest holding what no policy takes */
		m->poison = "nest-garbage";
		t = pick_top(r, is_nest);
		at = out_start(&o, t | NLA_F_NESTED);
		pl = o.p + o.len;
		switch (rng_below(r, 4)) {
		case 0:		/* too short for an attribute */
			n = 1 + rng_below(r, 3);
			rand_bytes(r, pl, n);
			break;
		case 1:		/* a child longer than the nest */
			((struct nlattr *)pl)->nla_len =
				(uint16_t)(NLA_HDRLEN + 8 + rng_below(r, 200));
			((struct nlattr *)pl)->nla_type = 1;
			n = NLA_HDRLEN + rng_below(r, 8);
			break;
		case 2:		/* a child of type 0 */
			((struct nlattr *)pl)->nla_len = NLA_HDRLEN;
			((struct nlattr *)pl)->nla_type = 0;
			n = NLA_HDRLEN;
			break;
		default:	/* a child of an unknown type */
			((struct nlattr *)pl)->nla_len = NLA_HDRLEN + 4;
			((struct nlattr *)pl)->nla_type = (uint16_t)
				(SLUICE_A_MAX + 1 + rng_below(r, 1000));
			memset(pl + NLA_HDRLEN, 0, 4);
			n = NLA_HDRLEN + 4;
		}
		o.len += n;
		out_end(&o, at);
		/* out_end() wrote the nest's length; a short child stays. */
	}
	insert_top(r, m, buf, o.len);
}

/*
 * The generator's own check, for the poisons that leave one top-level
 * attribute behind: "unknown-attr" must hold a type above SLUICE_A_MAX,
 * "attr-type-0" one of type 0.  A generator that drew a valid type here
 * once made a valid SET_CONFIG that the kernel rightly accepted.
 */
bool nlf_poison_visible(const struct nlf_msg *m)
{
	static struct span v[MAXV];
	size_t n, end, i;
	bool unknown;

	if (!m->poison)
		return true;
	unknown = !strcmp(m->poison, "unknown-attr");
	if (!unknown && strcmp(m->poison, "attr-type-0"))
		return true;
	n = split(m->buf + HDRS, m->len - HDRS, v, MAXV, &end);
	for (i = 0; i < n; i++) {
		const struct nlattr *a = (const struct nlattr *)
			(m->buf + HDRS + v[i].off);
		uint16_t t = a->nla_type & NLF_TYPE_MAX;

		if (unknown ? t > SLUICE_A_MAX : t == 0)
			return true;
	}
	return false;
}

void nlf_poison(struct rng *r, struct nlf_msg *m, bool allow_vanish)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	static struct span v[MAXV];
	enum nlf_cmd_kind kind = nlf_kind(g->cmd);
	size_t n, end;
	unsigned int what = rng_below(r, allow_vanish ? 16 : 15);

	switch (what) {
	case 0:
		m->poison = "cmd-unknown";
		g->cmd = (uint8_t)(rng_pct(r, 25) ? 0 : rng_pct(r, 50) ?
			 SLUICE_CMD_MAX + 1 + rng_below(r, 2) :
			 SLUICE_CMD_MAX + 1 + rng_below(r, 255 - SLUICE_CMD_MAX));
		return;
	case 1:
		if (kind == NLF_UNKNOWN)
			break;
		m->poison = "wrong-flavour";
		if (kind == NLF_DUMP)
			nlh->nlmsg_flags &= (uint16_t)~NLM_F_DUMP;
		else
			nlh->nlmsg_flags |= NLM_F_DUMP;
		return;
	case 2:
		m->poison = "genl-hdr-truncated";
		m->len = NLMSG_HDRLEN + rng_below(r, GENL_HDRLEN);
		nlh->nlmsg_len = (uint32_t)m->len;
		return;
	case 3:
		m->poison = "trailing-bytes";
		n = 1 + rng_below(r, 3);
		if (m->len + n > NLF_MSG_MAX)
			m->len = HDRS;
		rand_bytes(r, m->buf + m->len, n);
		m->len += n;
		nlh->nlmsg_len = (uint32_t)m->len;
		return;
	case 4:
	case 5:		/* an attribute longer than what is left, or < 4 */
		n = split(m->buf + HDRS, m->len - HDRS, v, MAXV, &end);
		if (!n)
			break;
		{
			size_t i = rng_below(r, (uint32_t)n);
			struct nlattr *a = (struct nlattr *)
				(m->buf + HDRS + v[i].off);
			size_t left = m->len - HDRS - v[i].off;

			m->poison = what == 4 ? "attr-len-overrun" :
						"attr-len-short";
			if (what == 5 || left + 1 > 0xffff)
				a->nla_len = (uint16_t)rng_below(r, NLA_HDRLEN);
			else
				a->nla_len = (uint16_t)(left + 1 +
					rng_below(r, (uint32_t)(0xffff - left)));
		}
		return;
	case 15:	/* vanishes: netlink drops it without an answer */
		m->may_vanish = true;
		if (rng_pct(r, 50)) {
			m->poison = "nlmsg-len-long";
			nlh->nlmsg_len = (uint32_t)m->len + 1 +
					 rng_below(r, 100);
		} else {
			m->poison = "nlmsg-len-short";
			nlh->nlmsg_len = rng_below(r, NLMSG_HDRLEN);
		}
		return;
	}
	poison_attr(r, m, (int)rng_below(r, 6));
}
