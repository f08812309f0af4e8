// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluiced.conf parser (see conf.h and sluiced.conf(5)).
 *
 * Every key is checked when it is read, so an operator gets the first
 * mistake as FILE:LINE: reason and sluiced never starts on a half-valid
 * file.  Single-valued keys may appear once: a second `port` is more
 * likely a copy-paste accident than an intended override.
 */
#include "conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mac.h"
#include "names.h"
#include "prefix.h"

#define MAX_TOKENS CONF_MAX_ARGS

void conf_init(struct sd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->stop_timeout_ms = 5000;
	c->restart_min_ms = 1000;
	c->restart_max_ms = 60000;
	c->probe_interval_ms = 100;
	c->mode = SLUICE_MODE_TPROXY;
	c->port = 12345;
	c->bypass_mark = 0xff;
	c->bypass_mask = 0xff;
	c->fwmark = 0x100;
	c->fwmark_mask = 0x100;
	c->routing = true;
	c->route_table = 100;
	c->rule_priority = 100;
	c->resolve_interval_s = 300;
	c->policy = POLICY_OPEN;
	c->log_level = LVL_INFO;
	c->src_mode = SLUICE_SRC_EXCLUDE;
	c->dflt = SLUICE_DEFAULT_PROXY;
	c->ct_mask = 0x30000000;
	sl_pfx_list_init(&c->src);
}

void conf_free(struct sd_conf *c)
{
	int i;
	unsigned u;

	if (c->client_argv)
		for (i = 0; i < c->client_argc; i++)
			free(c->client_argv[i]);
	free(c->client_argv);
	free(c->client_config);
	for (u = 0; u < c->n_lists; u++)
		free(c->lists[u].file);
	for (u = 0; u < c->n_servers; u++)
		free(c->servers[u]);
	sl_pfx_list_free(&c->src);
	conf_init(c);
}

bool conf_reserved_source(const char *name)
{
	return !strcmp(name, "local") || !strcmp(name, "lan") ||
	       !strcmp(name, "server");
}

static const char *const level_names[] = {
	[LVL_ERR] = "error", [LVL_WARN] = "warning", [LVL_NOTICE] = "notice",
	[LVL_INFO] = "info", [LVL_DEBUG] = "debug",
};

const char *conf_level_name(int level)
{
	if (level >= LVL_ERR && level <= LVL_DEBUG)
		return level_names[level];
	return "?";
}

static bool streq_null(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

bool conf_client_equal(const struct sd_conf *a, const struct sd_conf *b)
{
	int i;

	if (a->client_argc != b->client_argc || a->local != b->local ||
	    !streq_null(a->client_config, b->client_config))
		return false;
	for (i = 0; i < a->client_argc; i++)
		if (strcmp(a->client_argv[i], b->client_argv[i]))
			return false;
	return true;
}

/* ---- tokenizer ----------------------------------------------------- */

/*
 * Split @line (NUL terminated, modified in place) into words.  Words are
 * separated by blanks; '#' outside quotes starts a comment; "..." allows
 * \" and \\ escapes, '...' none, so a client argument may hold spaces.
 */
static int tokenize(char *line, char **tok, int max, int *n,
		    char *why, size_t whylen)
{
	char *r = line, *w;

	*n = 0;
	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r || *r == '#')
			return 0;
		if (*n == max) {
			snprintf(why, whylen, "too many words (at most %d)", max);
			return -1;
		}
		tok[(*n)++] = w = r;
		while (*r && *r != ' ' && *r != '\t') {
			char q = *r;

			if (q == '#') {
				break;
			} else if (q == '"' || q == '\'') {
				r++;
				while (*r && *r != q) {
					if (q == '"' && *r == '\\' &&
					    (r[1] == '"' || r[1] == '\\'))
						r++;
					*w++ = *r++;
				}
				if (!*r) {
					snprintf(why, whylen,
						 "unterminated %c quote", q);
					return -1;
				}
				r++;
			} else {
				*w++ = *r++;
			}
		}
		if (*r == '#') {
			*w = '\0';
			return 0;
		}
		if (*r)
			r++;
		*w = '\0';
	}
}

/* ---- value parsers --------------------------------------------------- */

/* DURATION: N, Ns, Nms, Nm; bare numbers are seconds. */
static int parse_duration(const char *s, unsigned *ms)
{
	char num[16];
	const char *u = s;
	uint32_t n, mult;
	size_t len;

	while (*u >= '0' && *u <= '9')
		u++;
	len = (size_t)(u - s);
	if (!len || len >= sizeof(num))
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	if (sl_parse_u32(num, 10, &n) < 0)
		return -1;
	if (!*u || !strcmp(u, "s"))
		mult = 1000;
	else if (!strcmp(u, "ms"))
		mult = 1;
	else if (!strcmp(u, "m"))
		mult = 60000;
	else
		return -1;
	if (n > 86400000u / mult)	/* a day is plenty for any of these */
		return -1;
	*ms = n * mult;
	return 0;
}

static int parse_onoff(const char *s, bool *out)
{
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true"))
		*out = true;
	else if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false"))
		*out = false;
	else
		return -1;
	return 0;
}

static int parse_port(const char *s, uint16_t *out)
{
	uint32_t n;

	if (sl_parse_u32(s, 10, &n) < 0 || n < 1 || n > 65535)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

/* ---- keys ------------------------------------------------------------ */

struct pstate {
	struct sd_conf *c;
	char *why;
	size_t whylen;
	bool have_port6;
	unsigned lineno;
	unsigned dns_local_line;	/* `dns-local on`, checked at the end */
};

#define BAD(...) (snprintf(st->why, st->whylen, __VA_ARGS__), -1)
#define BADVAL(key, val, syntax) \
	BAD("bad value '%s' for %s (%s)", (val), (key), (syntax))

typedef int (*key_fn)(struct pstate *st, int argc, char **argv);

static int k_client(struct pstate *st, int argc, char **argv)
{
	struct sd_conf *c = st->c;
	int i;

	c->client_argv = calloc((size_t)argc, sizeof(char *));
	if (!c->client_argv)
		return BAD("out of memory");
	for (i = 1; i < argc; i++) {
		c->client_argv[i - 1] = strdup(argv[i]);
		if (!c->client_argv[i - 1])
			return BAD("out of memory");
		c->client_argc = i;
	}
	return 0;
}

static int dup_path(struct pstate *st, char **dst, const char *v)
{
	if (v[0] != '/')
		return BAD("'%s' is not an absolute path", v);
	*dst = strdup(v);
	return *dst ? 0 : BAD("out of memory");
}

static int k_client_config(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	return dup_path(st, &st->c->client_config, argv[1]);
}

static int k_duration(struct pstate *st, const char *key, const char *v,
		      unsigned min_ms, unsigned *out)
{
	if (parse_duration(v, out) < 0 || *out < min_ms)
		return BADVAL(key, v, "a duration such as 5, 5s, 500ms, 2m"
			      " of at least 1ms, at most a day");
	(void)min_ms;
	return 0;
}

static int k_stop_timeout(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	return k_duration(st, argv[0], argv[1], 1, &st->c->stop_timeout_ms);
}

static int k_probe_interval(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	return k_duration(st, argv[0], argv[1], 1, &st->c->probe_interval_ms);
}

static int k_restart_delay(struct pstate *st, int argc, char **argv)
{
	struct sd_conf *c = st->c;

	if (k_duration(st, argv[0], argv[1], 1, &c->restart_min_ms) < 0)
		return -1;
	c->restart_max_ms = c->restart_min_ms;
	if (argc == 3 &&
	    k_duration(st, argv[0], argv[2], 1, &c->restart_max_ms) < 0)
		return -1;
	if (c->restart_max_ms < c->restart_min_ms)
		return BAD("restart-delay: maximum %s is below minimum %s",
			   argv[2], argv[1]);
	return 0;
}

static int k_resolve_interval(struct pstate *st, int argc, char **argv)
{
	unsigned ms;

	(void)argc;
	/* 0 is allowed: resolve at start and client restarts only. */
	if (parse_duration(argv[1], &ms) < 0 || (ms && ms < 1000) ||
	    ms % 1000)
		return BADVAL(argv[0], argv[1],
			      "whole seconds, 0 (never) or at least 1s");
	st->c->resolve_interval_s = ms / 1000;
	return 0;
}

static int k_mode(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[1], "tproxy"))
		st->c->mode = SLUICE_MODE_TPROXY;
	else if (!strcmp(argv[1], "redirect"))
		st->c->mode = SLUICE_MODE_REDIRECT;
	else
		return BADVAL(argv[0], argv[1], "tproxy or redirect");
	return 0;
}

static int k_port(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (parse_port(argv[1], &st->c->port) < 0)
		return BADVAL(argv[0], argv[1], "1-65535");
	return 0;
}

static int k_port6(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (parse_port(argv[1], &st->c->port6) < 0)
		return BADVAL(argv[0], argv[1], "1-65535");
	st->have_port6 = true;
	return 0;
}

static int k_mark(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (sl_parse_mark(argv[1], &st->c->bypass_mark,
			  &st->c->bypass_mask) < 0)
		return BADVAL(argv[0], argv[1],
			      "VALUE[/MASK], no bits outside the mask");
	return 0;
}

static int k_fwmark(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (sl_parse_mark(argv[1], &st->c->fwmark, &st->c->fwmark_mask) < 0 ||
	    !st->c->fwmark)
		return BADVAL(argv[0], argv[1],
			      "nonzero VALUE[/MASK], no bits outside the mask");
	return 0;
}

static int k_ct_mask(struct pstate *st, int argc, char **argv)
{
	char why[SL_ERR_LEN];

	(void)argc;
	if (sl_parse_ct_mask(argv[1], &st->c->ct_mask, why, sizeof(why)) < 0)
		return BAD("%s: %s", argv[0], why);
	return 0;
}

static int k_lan(struct pstate *st, int argc, char **argv)
{
	struct sd_conf *c = st->c;
	unsigned j;
	int i;

	for (i = 1; i < argc; i++) {
		if (!sl_ifname_valid(argv[i]))
			return BAD("bad interface name '%s'", argv[i]);
		for (j = 0; j < c->n_lan; j++)
			if (!strcmp(c->lan[j], argv[i]))
				return BAD("interface '%s' listed twice",
					   argv[i]);
		if (c->n_lan == SLUICE_MAX_LAN_IFS)
			return BAD("too many lan interfaces (at most %d)",
				   SLUICE_MAX_LAN_IFS);
		snprintf(c->lan[c->n_lan++], sizeof(c->lan[0]), "%s", argv[i]);
	}
	return 0;
}

static int k_wan(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (!sl_ifname_valid(argv[1]))
		return BAD("bad interface name '%s'", argv[1]);
	snprintf(st->c->wan, sizeof(st->c->wan), "%s", argv[1]);
	return 0;
}

static int k_masquerade(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (parse_onoff(argv[1], &st->c->masquerade) < 0)
		return BADVAL(argv[0], argv[1], "on or off");
	return 0;
}

static int k_routing(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (parse_onoff(argv[1], &st->c->routing) < 0)
		return BADVAL(argv[0], argv[1], "on or off");
	return 0;
}

static int k_route_table(struct pstate *st, int argc, char **argv)
{
	uint32_t n;

	(void)argc;
	/* 0 (unspec), 253-255 (default, main, local) are the system's. */
	if (sl_parse_u32(argv[1], 10, &n) < 0 || n == 0 ||
	    (n >= 253 && n <= 255))
		return BADVAL(argv[0], argv[1],
			      "1-4294967295 except 253, 254, 255");
	st->c->route_table = n;
	return 0;
}

static int k_rule_priority(struct pstate *st, int argc, char **argv)
{
	uint32_t n;

	(void)argc;
	/* 0 is the local-table rule; 32766+ are main and default. */
	if (sl_parse_u32(argv[1], 10, &n) < 0 || n == 0 || n >= 32766)
		return BADVAL(argv[0], argv[1], "1-32765");
	st->c->rule_priority = n;
	return 0;
}

/*
 * `list` and `proxy-list`: the same files, the same source rules, into
 * the white list or the proxy list.  Names are unique per list.
 */
static int add_list(struct pstate *st, char **argv, uint32_t list)
{
	struct sd_conf *c = st->c;
	struct conf_list *l;
	unsigned j;

	if (!sl_source_valid(argv[1]))
		return BAD("bad %s name '%s' (1-31 of A-Z a-z 0-9 _ . -)",
			   argv[0], argv[1]);
	if (conf_reserved_source(argv[1]))
		return BAD("%s name '%s' is reserved for sluiced's own "
			   "source", argv[0], argv[1]);
	for (j = 0; j < c->n_lists; j++)
		if (c->lists[j].list == list &&
		    !strcmp(c->lists[j].name, argv[1]))
			return BAD("%s '%s' defined twice", argv[0], argv[1]);
	if (c->n_lists == CONF_MAX_LISTS)
		return BAD("too many lists (at most %d list and proxy-list "
			   "lines)", CONF_MAX_LISTS);
	l = &c->lists[c->n_lists];
	if (dup_path(st, &l->file, argv[2]) < 0)
		return -1;
	snprintf(l->name, sizeof(l->name), "%s", argv[1]);
	l->list = list;
	c->n_lists++;
	return 0;
}

static int k_list(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	return add_list(st, argv, SLUICE_LIST_WHITE);
}

static int k_proxy_list(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	return add_list(st, argv, SLUICE_LIST_PROXY);
}

static int k_local(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (parse_onoff(argv[1], &st->c->local) < 0)
		return BADVAL(argv[0], argv[1], "on or off");
	return 0;
}

static int k_dns(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[1], "off")) {
		st->c->dns_port = 0;
		return 0;
	}
	if (parse_port(argv[1], &st->c->dns_port) < 0)
		return BADVAL(argv[0], argv[1], "1-65535 or off");
	return 0;
}

static int k_dns_local(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (parse_onoff(argv[1], &st->c->dns_local) < 0)
		return BADVAL(argv[0], argv[1], "on or off");
	st->dns_local_line = st->c->dns_local ? st->lineno : 0;
	return 0;
}

static int k_src_mode(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[1], "exclude"))
		st->c->src_mode = SLUICE_SRC_EXCLUDE;
	else if (!strcmp(argv[1], "only"))
		st->c->src_mode = SLUICE_SRC_ONLY;
	else
		return BADVAL(argv[0], argv[1], "exclude or only");
	return 0;
}

static int k_src(struct pstate *st, int argc, char **argv)
{
	char err[SL_ERR_LEN];
	struct sl_prefix p;
	int i;

	for (i = 1; i < argc; i++) {
		if (sl_prefix_parse(argv[i], &p, err, sizeof(err)) < 0)
			return BAD("%s", err);
		if (sl_pfx_list_push(&st->c->src, &p) < 0)
			return BAD("out of memory");
	}
	return 0;
}

static int k_src_mac(struct pstate *st, int argc, char **argv)
{
	struct sd_conf *c = st->c;
	uint8_t mac[SL_MAC_LEN];
	const char *why;
	unsigned j;
	int i;

	for (i = 1; i < argc; i++) {
		if (sl_mac_parse(argv[i], mac) < 0)
			return BADVAL(argv[0], argv[i], "aa:bb:cc:dd:ee:ff");
		why = sl_mac_unusable(mac);
		if (why)
			return BAD("src-mac '%s' is %s", argv[i], why);
		for (j = 0; j < c->n_src_macs; j++)
			if (!memcmp(c->src_macs[j], mac, SL_MAC_LEN))
				return BAD("src-mac '%s' listed twice",
					   argv[i]);
		if (c->n_src_macs == SLUICE_MAX_SRC_MACS)
			return BAD("too many src-mac addresses (at most %d)",
				   SLUICE_MAX_SRC_MACS);
		memcpy(c->src_macs[c->n_src_macs++], mac, SL_MAC_LEN);
	}
	return 0;
}

static int k_default(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[1], "proxy"))
		st->c->dflt = SLUICE_DEFAULT_PROXY;
	else if (!strcmp(argv[1], "direct"))
		st->c->dflt = SLUICE_DEFAULT_DIRECT;
	else
		return BADVAL(argv[0], argv[1], "proxy or direct");
	return 0;
}

static int k_quic(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[1], "reject"))
		st->c->quic_reject = true;
	else if (!strcmp(argv[1], "pass"))
		st->c->quic_reject = false;
	else
		return BADVAL(argv[0], argv[1], "reject or pass");
	return 0;
}

/* A host name or literal address: RFC 1123 characters, or an IP. */
static bool server_name_valid(const char *s)
{
	struct sl_prefix p;
	char err[SL_ERR_LEN];
	size_t n = strlen(s), i;

	if (sl_addr_parse(s, &p, err, sizeof(err)) == 0)
		return true;
	if (!n || n > 253 || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '.' || s[i] == '_'))
			return false;
	return true;
}

static int k_server(struct pstate *st, int argc, char **argv)
{
	struct sd_conf *c = st->c;
	int i;

	for (i = 1; i < argc; i++) {
		if (!server_name_valid(argv[i]))
			return BAD("bad server name '%s'", argv[i]);
		if (c->n_servers == CONF_MAX_SERVERS)
			return BAD("too many servers (at most %d)",
				   CONF_MAX_SERVERS);
		c->servers[c->n_servers] = strdup(argv[i]);
		if (!c->servers[c->n_servers])
			return BAD("out of memory");
		c->n_servers++;
	}
	return 0;
}

static int k_failure_policy(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[1], "open"))
		st->c->policy = POLICY_OPEN;
	else if (!strcmp(argv[1], "closed"))
		st->c->policy = POLICY_CLOSED;
	else
		return BADVAL(argv[0], argv[1], "open or closed");
	return 0;
}

static int k_log_level(struct pstate *st, int argc, char **argv)
{
	int l;

	(void)argc;
	for (l = LVL_ERR; l <= LVL_DEBUG; l++)
		if (!strcmp(argv[1], level_names[l])) {
			st->c->log_level = l;
			return 0;
		}
	return BADVAL(argv[0], argv[1], "error, warning, notice, info, debug");
}

static int k_flush_flows_on_reload(struct pstate *st, int argc, char **argv)
{
	(void)argc;
	if (parse_onoff(argv[1], &st->c->flush_flows_on_reload) < 0)
		return BADVAL(argv[0], argv[1], "on or off");
	return 0;
}

static const struct key {
	const char *name;
	key_fn fn;
	int min_args, max_args;	/* values after the key */
	bool repeat;		/* may appear on several lines */
} keys[] = {
	{ "client",		k_client,		1, MAX_TOKENS, false },
	{ "client-config",	k_client_config,	1, 1, false },
	{ "stop-timeout",	k_stop_timeout,		1, 1, false },
	{ "restart-delay",	k_restart_delay,	1, 2, false },
	{ "probe-interval",	k_probe_interval,	1, 1, false },
	{ "mode",		k_mode,			1, 1, false },
	{ "port",		k_port,			1, 1, false },
	{ "port6",		k_port6,		1, 1, false },
	{ "mark",		k_mark,			1, 1, false },
	{ "fwmark",		k_fwmark,		1, 1, false },
	{ "ct-mask",		k_ct_mask,		1, 1, false },
	{ "lan",		k_lan,			1, SLUICE_MAX_LAN_IFS, true },
	{ "wan",		k_wan,			1, 1, false },
	{ "masquerade",		k_masquerade,		1, 1, false },
	{ "local",		k_local,		1, 1, false },
	{ "dns",		k_dns,			1, 1, false },
	{ "dns-local",		k_dns_local,		1, 1, false },
	{ "src-mode",		k_src_mode,		1, 1, false },
	{ "src",		k_src,			1, MAX_TOKENS, true },
	{ "src-mac",		k_src_mac,		1, SLUICE_MAX_SRC_MACS, true },
	{ "default",		k_default,		1, 1, false },
	{ "quic",		k_quic,			1, 1, false },
	{ "routing",		k_routing,		1, 1, false },
	{ "route-table",	k_route_table,		1, 1, false },
	{ "rule-priority",	k_rule_priority,	1, 1, false },
	{ "list",		k_list,			2, 2, true },
	{ "proxy-list",		k_proxy_list,		2, 2, true },
	{ "server",		k_server,		1, CONF_MAX_SERVERS, true },
	{ "resolve-interval",	k_resolve_interval,	1, 1, false },
	{ "failure-policy",	k_failure_policy,	1, 1, false },
	{ "log-level",		k_log_level,		1, 1, false },
	{ "flush-flows-on-reload", k_flush_flows_on_reload,	1, 1, false },
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static int parse_line(struct pstate *st, char *line, unsigned *seen_on,
		      unsigned lineno)
{
	char *tok[MAX_TOKENS + 1];
	char qbuf[64];
	size_t k;
	int n;

	if (tokenize(line, tok, MAX_TOKENS + 1, &n, st->why, st->whylen) < 0)
		return -1;
	if (!n)
		return 0;
	for (k = 0; k < N_KEYS; k++)
		if (!strcmp(tok[0], keys[k].name))
			break;
	if (k == N_KEYS) {
		sl_quote(tok[0], strlen(tok[0]), qbuf, sizeof(qbuf));
		return BAD("unknown key '%s'", qbuf);
	}
	if (!keys[k].repeat && seen_on[k])
		return BAD("duplicate key '%s' (first on line %u)",
			   keys[k].name, seen_on[k]);
	seen_on[k] = lineno;
	if (n - 1 < keys[k].min_args)
		return BAD("'%s' needs %s%d value%s", keys[k].name,
			   keys[k].min_args == keys[k].max_args ? "" : "at least ",
			   keys[k].min_args, keys[k].min_args > 1 ? "s" : "");
	if (n - 1 > keys[k].max_args)
		return BAD("'%s' takes at most %d value%s", keys[k].name,
			   keys[k].max_args, keys[k].max_args > 1 ? "s" : "");
	return keys[k].fn(st, n, tok);
}

int conf_parse(struct sd_conf *c, const char *buf, size_t len,
	       const char *name, char *err, size_t errlen)
{
	unsigned seen_on[N_KEYS] = { 0 };
	char why[CONF_ERR_LEN / 2];
	struct pstate st = { .c = c, .why = why, .whylen = sizeof(why) };
	unsigned lineno = 0;
	size_t pos = 0;
	char *line = NULL;

	conf_init(c);
	/* A UTF-8 byte-order mark from a Windows editor is harmless. */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;

		lineno++;
		if (memchr(buf + pos, '\0', n)) {
			snprintf(why, sizeof(why), "NUL byte in line");
			goto bad;
		}
		if (n && buf[pos + n - 1] == '\r')
			n--;
		line = malloc(n + 1);
		if (!line) {
			snprintf(why, sizeof(why), "out of memory");
			goto bad;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		st.lineno = lineno;
		if (parse_line(&st, line, seen_on, lineno) < 0)
			goto bad;
		free(line);
		line = NULL;
		pos = end + 1;
	}
	if (!c->n_lan) {
		snprintf(err, errlen, "%s: no 'lan' interface given", name);
		goto fail;
	}
	/* The module would refuse it; say so where the operator wrote it. */
	if (st.dns_local_line && !c->dns_port) {
		snprintf(err, errlen, "%s:%u: 'dns-local on' needs 'dns PORT'",
			 name, st.dns_local_line);
		goto fail;
	}
	sl_pfx_list_finish(&c->src);
	if (!st.have_port6)
		c->port6 = c->port;
	if (c->mode != SLUICE_MODE_TPROXY)
		c->routing = false;	/* redirect mode needs no routes */
	return 0;
bad:
	free(line);
	snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
fail:
	conf_free(c);
	return -1;
}

int conf_load(struct sd_conf *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t len;
	int ret;

	conf_init(c);
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (sl_read_file(f, &buf, &len) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	fclose(f);
	ret = conf_parse(c, buf, len, path, err, errlen);
	free(buf);
	return ret;
}
