// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * `sluicectl set` argument parser (see config.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mac.h"
#include "names.h"
#include "prefix.h"

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int sl_parse_u32(const char *s, int base, uint32_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull would skip spaces and accept "-1": refuse both. */
	if (!*s || !(s[0] >= '0' && s[0] <= '9'))
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int sl_parse_mark(const char *s, uint32_t *val, uint32_t *mask)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sl_parse_u32(buf, 0, val) < 0)
		return -1;
	*mask = UINT32_MAX;
	if (slash && sl_parse_u32(slash + 1, 0, mask) < 0)
		return -1;
	/* A mark with bits outside its mask can never match. */
	if (*val & ~*mask)
		return -1;
	return 0;
}

static unsigned bits_set(uint32_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

int sl_parse_ct_mask(const char *s, uint32_t *mask, char *why,
		     size_t whylen)
{
	char q[64];
	uint32_t v;
	unsigned n;

	if (sl_parse_u32(s, 0, &v) < 0) {
		sl_quote(s, strlen(s), q, sizeof(q));
		seterr(why, whylen, "'%s' is not a 32-bit number (two bits "
		       "of the ct mark, e.g. 0x30000000)", q);
		return -1;
	}
	n = bits_set(v);
	if (n != 2) {
		seterr(why, whylen, "0x%x has %u bit%s set; the mask needs "
		       "exactly two (the lower marks a flow direct, the higher "
		       "proxied)", v, n, n == 1 ? "" : "s");
		return -1;
	}
	*mask = v;
	return 0;
}

int sl_flows_args_parse(int argc, char *const *argv, struct sl_prefix *p,
			bool *have_pfx, char *err, size_t errlen)
{
	char tmp[SL_ERR_LEN];

	*have_pfx = false;
	if (argc == 0)
		return 0;
	if (argc > 1) {
		sl_quote(argv[1], strlen(argv[1]), tmp, sizeof(tmp));
		seterr(err, errlen, "unexpected argument '%s' (usage: "
		       "flush-flows [PREFIX], one address or prefix at most)",
		       tmp);
		return -1;
	}
	if (sl_prefix_parse(argv[0], p, tmp, sizeof(tmp)) < 0) {
		seterr(err, errlen, "%s", tmp);
		return -1;
	}
	*have_pfx = true;
	return 0;
}

/*
 * One `set` key: the value syntax shown on error, a parser.  A parser may
 * explain a bad value better than the syntax can (src-mac: which address
 * and why) by writing into @why.
 */
struct key {
	const char *name;
	const char *syntax;
	int (*parse)(struct sl_config *c, const char *v, char *why,
		     size_t whylen);
};

/* Most keys never need @why: marked unused rather than cast away. */
#define KEY_FN(fn) static int fn(struct sl_config *c, const char *v,	\
				 char *why __attribute__((unused)),	\
				 size_t whylen __attribute__((unused)))

static int p_onoff(const char *v, uint8_t *out)
{
	if (!strcmp(v, "on"))
		*out = 1;
	else if (!strcmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int p_port(const char *v, uint16_t *out)
{
	uint32_t n;

	if (sl_parse_u32(v, 10, &n) < 0 || n < 1 || n > 65535)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

KEY_FN(k_enabled)
{
	c->have |= SL_CFG_ENABLED;
	return p_onoff(v, &c->enabled);
}

KEY_FN(k_masquerade)
{
	c->have |= SL_CFG_MASQUERADE;
	return p_onoff(v, &c->masquerade);
}

KEY_FN(k_mode)
{
	c->have |= SL_CFG_MODE;
	if (!strcmp(v, "tproxy"))
		c->mode = SLUICE_MODE_TPROXY;
	else if (!strcmp(v, "redirect"))
		c->mode = SLUICE_MODE_REDIRECT;
	else
		return -1;
	return 0;
}

KEY_FN(k_port)
{
	c->have |= SL_CFG_PORT;
	return p_port(v, &c->port);
}

KEY_FN(k_port6)
{
	c->have |= SL_CFG_PORT6;
	return p_port(v, &c->port6);
}

KEY_FN(k_listen)
{
	struct sl_prefix p;

	if (sl_addr_parse(v, &p, NULL, 0) < 0)
		return -1;
	if (p.family == AF_INET) {
		c->have |= SL_CFG_LISTEN4;
		memcpy(c->listen4, p.addr, 4);
	} else {
		c->have |= SL_CFG_LISTEN6;
		memcpy(c->listen6, p.addr, 16);
	}
	return 0;
}

KEY_FN(k_mark)
{
	c->have |= SL_CFG_MARK;
	return sl_parse_mark(v, &c->bypass_mark, &c->bypass_mask);
}

KEY_FN(k_fwmark)
{
	c->have |= SL_CFG_FWMARK;
	return sl_parse_mark(v, &c->fwmark, &c->fwmark_mask);
}

KEY_FN(k_lan)
{
	const char *p = v;
	unsigned i;

	c->have |= SL_CFG_LAN;
	c->n_lan = 0;
	if (!strcmp(v, "none"))
		return 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		char *name;

		if (c->n_lan == SLUICE_MAX_LAN_IFS ||
		    n == 0 || n > SLUICE_IFNAME_MAXLEN)
			return -1;
		name = c->lan[c->n_lan];
		memcpy(name, p, n);
		name[n] = '\0';
		if (!sl_ifname_valid(name) || !strcmp(name, "none"))
			return -1;
		for (i = 0; i < c->n_lan; i++)
			if (!strcmp(c->lan[i], name))
				return -1;
		c->n_lan++;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

KEY_FN(k_wan)
{
	c->have |= SL_CFG_WAN;
	if (!strcmp(v, "none")) {
		c->wan[0] = '\0';
		return 0;
	}
	if (!sl_ifname_valid(v))
		return -1;
	snprintf(c->wan, sizeof(c->wan), "%s", v);
	return 0;
}

KEY_FN(k_no_listener)
{
	c->have |= SL_CFG_NO_LISTENER;
	if (!strcmp(v, "pass"))
		c->no_listener = SLUICE_NO_LISTENER_PASS;
	else if (!strcmp(v, "drop"))
		c->no_listener = SLUICE_NO_LISTENER_DROP;
	else
		return -1;
	return 0;
}

static int p_word(const char *v, const char *a, const char *b,
		  uint32_t va, uint32_t vb, uint32_t *out)
{
	if (!strcmp(v, a))
		*out = va;
	else if (!strcmp(v, b))
		*out = vb;
	else
		return -1;
	return 0;
}

KEY_FN(k_local)
{
	c->have |= SL_CFG_LOCAL;
	return p_onoff(v, &c->local);
}

KEY_FN(k_dns)
{
	c->have |= SL_CFG_DNS_PORT;
	if (!strcmp(v, "off")) {
		c->dns_port = 0;
		return 0;
	}
	return p_port(v, &c->dns_port);
}

KEY_FN(k_dns_local)
{
	c->have |= SL_CFG_DNS_LOCAL;
	return p_onoff(v, &c->dns_local);
}

KEY_FN(k_src_mode)
{
	c->have |= SL_CFG_SRC_MODE;
	return p_word(v, "exclude", "only", SLUICE_SRC_EXCLUDE,
		      SLUICE_SRC_ONLY, &c->src_mode);
}

KEY_FN(k_src_mac)
{
	int n;

	c->have |= SL_CFG_SRC_MACS;
	c->n_src_macs = 0;
	if (!strcmp(v, "none"))
		return 0;
	n = sl_mac_list_parse(v, c->src_macs, SLUICE_MAX_SRC_MACS, why,
			      whylen);
	if (n < 0)
		return -1;
	c->n_src_macs = (unsigned)n;
	return 0;
}

KEY_FN(k_default)
{
	c->have |= SL_CFG_DEFAULT;
	return p_word(v, "proxy", "direct", SLUICE_DEFAULT_PROXY,
		      SLUICE_DEFAULT_DIRECT, &c->dflt);
}

KEY_FN(k_quic)
{
	uint32_t r;

	c->have |= SL_CFG_QUIC;
	if (p_word(v, "reject", "pass", 1, 0, &r) < 0)
		return -1;
	c->quic_reject = (uint8_t)r;
	return 0;
}

KEY_FN(k_ct_mask)
{
	c->have |= SL_CFG_CT_MASK;
	return sl_parse_ct_mask(v, &c->ct_mask, why, whylen);
}

static const struct key keys[] = {
	{ "enabled", "on|off", k_enabled },
	{ "mode", "tproxy|redirect", k_mode },
	{ "port", "1-65535", k_port },
	{ "port6", "1-65535", k_port6 },
	{ "listen", "IPv4 or IPv6 address", k_listen },
	{ "mark", "VALUE[/MASK], mark within mask", k_mark },
	{ "fwmark", "VALUE[/MASK], mark within mask", k_fwmark },
	{ "lan", "IF[,IF...] up to 16, or none", k_lan },
	{ "wan", "IF or none", k_wan },
	{ "masquerade", "on|off", k_masquerade },
	{ "no-listener", "pass|drop", k_no_listener },
	{ "local", "on|off", k_local },
	{ "dns", "1-65535 or off", k_dns },
	{ "dns-local", "on|off", k_dns_local },
	{ "src-mode", "exclude|only", k_src_mode },
	{ "src-mac", "MAC[,MAC...] up to 64, or none", k_src_mac },
	{ "default", "proxy|direct", k_default },
	{ "quic", "reject|pass", k_quic },
	{ "ct-mask", "MASK with exactly two bits set", k_ct_mask },
};

int sl_config_parse_args(struct sl_config *c, int argc, char *const *argv,
			 char *err, size_t errlen)
{
	char tmp[SL_ERR_LEN], why[SL_ERR_LEN];
	int i;

	memset(c, 0, sizeof(*c));
	if (argc == 0) {
		seterr(err, errlen, "no KEY VALUE given");
		return -1;
	}
	for (i = 0; i < argc; i += 2) {
		const struct key *k = NULL;
		unsigned before = c->have;
		size_t j;

		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
			if (!strcmp(argv[i], keys[j].name))
				k = &keys[j];
		if (!k) {
			sl_quote(argv[i], strlen(argv[i]), tmp, sizeof(tmp));
			seterr(err, errlen, "unknown key '%s'", tmp);
			return -1;
		}
		if (i + 1 >= argc) {
			seterr(err, errlen, "missing value for %s (%s)",
			       k->name, k->syntax);
			return -1;
		}
		why[0] = '\0';
		if (k->parse(c, argv[i + 1], why, sizeof(why)) < 0) {
			sl_quote(argv[i + 1], strlen(argv[i + 1]), tmp,
				 sizeof(tmp));
			if (why[0])
				seterr(err, errlen, "%s: %s", k->name, why);
			else
				seterr(err, errlen, "bad value '%s' for %s (%s)",
				       tmp, k->name, k->syntax);
			return -1;
		}
		/*
		 * The same key twice is ambiguous; refuse it.  (`listen` may
		 * appear once per address family.)
		 */
		if (c->have == before) {
			seterr(err, errlen, "%s given twice", k->name);
			return -1;
		}
	}
	return 0;
}
