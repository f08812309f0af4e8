// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * `sluicectl test`: ask the kernel how it would classify a packet
 * (CLASSIFY), or, on a module without CLASSIFY, whether the destination
 * is in the white_list (WL_LOOKUP).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/sluice.h>

#include "attrs.h"
#include "cli.h"
#include "config.h"
#include "mac.h"
#include "names.h"
#include "prefix.h"

struct tuple {
	struct sl_prefix dst, src;
	bool has_src, has_proto, has_sport, has_dport, has_iif, has_mark;
	bool has_mac, local;
	uint8_t mac[SL_MAC_LEN];
	uint8_t proto;
	uint16_t sport, dport;
	char iif[SLUICE_IFNAME_MAXLEN + 1];
	uint32_t mark;
};

static int parse_proto(const char *v, uint8_t *out)
{
	uint32_t n;

	if (!strcmp(v, "tcp"))
		*out = IPPROTO_TCP;
	else if (!strcmp(v, "udp"))
		*out = IPPROTO_UDP;
	else if (!strcmp(v, "icmp"))
		*out = IPPROTO_ICMP;
	else if (!strcmp(v, "icmpv6"))
		*out = IPPROTO_ICMPV6;
	else if (sl_parse_u32(v, 10, &n) == 0 && n <= 255)
		*out = (uint8_t)n;
	else
		return -1;
	return 0;
}

static int parse_port(const char *v, uint16_t *out)
{
	uint32_t n;

	if (sl_parse_u32(v, 10, &n) < 0 || n > 65535)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

static int parse_tuple(int argc, char **argv, struct tuple *t)
{
	char err[SL_ERR_LEN];
	bool have_dst = false;
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char *syntax = NULL;
		int bad = 0;

		if (!strcmp(k, "proto")) {
			syntax = "tcp|udp|icmp|icmpv6|0-255";
			bad = !v || parse_proto(v, &t->proto);
			t->has_proto = true;
		} else if (!strcmp(k, "sport") || !strcmp(k, "dport")) {
			syntax = "0-65535";
			if (k[0] == 's') {
				bad = !v || parse_port(v, &t->sport);
				t->has_sport = true;
			} else {
				bad = !v || parse_port(v, &t->dport);
				t->has_dport = true;
			}
		} else if (!strcmp(k, "src")) {
			syntax = "an IPv4 or IPv6 address";
			bad = !v || sl_addr_parse(v, &t->src, NULL, 0);
			t->has_src = true;
		} else if (!strcmp(k, "iif")) {
			syntax = "an interface name";
			bad = !v || !sl_ifname_valid(v);
			if (!bad)
				snprintf(t->iif, sizeof(t->iif), "%s", v);
			t->has_iif = true;
		} else if (!strcmp(k, "local")) {
			/* A flag: no value follows. */
			if (t->local)
				return cli_err("test: local given twice");
			t->local = true;
			continue;
		} else if (!strcmp(k, "mac")) {
			syntax = "aa:bb:cc:dd:ee:ff";
			bad = !v || sl_mac_parse(v, t->mac);
			t->has_mac = true;
		} else if (!strcmp(k, "mark")) {
			syntax = "0-0xffffffff";
			bad = !v || sl_parse_u32(v, 0, &t->mark);
			t->has_mark = true;
		} else if (!have_dst) {
			if (sl_addr_parse(k, &t->dst, err, sizeof(err)) < 0)
				return cli_err("test: %s", err);
			have_dst = true;
			continue;
		} else {
			return cli_err("test: unexpected argument '%s'", k);
		}
		if (!v)
			return cli_err("test: missing value for %s (%s)", k,
				       syntax);
		if (bad)
			return cli_err("test: bad value '%s' for %s (%s)", v,
				       k, syntax);
		i++;
	}
	if (!have_dst)
		return cli_err("test: no ADDRESS given");
	if (t->has_src && t->src.family != t->dst.family)
		return cli_err("test: src and ADDRESS are of different "
			       "families");
	/* The gateway's own packets have no input interface nor LAN MAC. */
	if (t->local && (t->has_iif || t->has_mac))
		return cli_err("test: local excludes %s (the gateway's own "
			       "packets have none)",
			       t->has_iif ? "iif" : "mac");
	return 0;
}

static int match_cb(const struct nlmsghdr *nlh, void *data)
{
	return sl_get_match(nlh, data);
}

static int classify(struct sl_nl *nl, const struct tuple *t,
		    struct sl_match *m, struct sl_nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = sl_nl_req(nl, buf, sizeof(buf),
					 SLUICE_CMD_CLASSIFY, NLM_F_ACK);
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_TUPLE);

	/* Only what the user gave: the kernel fills in its defaults. */
	if (t->has_proto)
		mnl_attr_put_u8(nlh, SLUICE_TUPLE_PROTO, t->proto);
	if (t->has_src)
		sl_put_prefix(nlh, sizeof(buf), SLUICE_TUPLE_SRC, &t->src,
			      false);
	sl_put_prefix(nlh, sizeof(buf), SLUICE_TUPLE_DST, &t->dst, false);
	if (t->has_sport)
		mnl_attr_put_u16(nlh, SLUICE_TUPLE_SPORT, t->sport);
	if (t->has_dport)
		mnl_attr_put_u16(nlh, SLUICE_TUPLE_DPORT, t->dport);
	if (t->has_iif)
		mnl_attr_put_strz(nlh, SLUICE_TUPLE_IIF, t->iif);
	if (t->has_mark)
		mnl_attr_put_u32(nlh, SLUICE_TUPLE_MARK, t->mark);
	if (t->has_mac)
		mnl_attr_put(nlh, SLUICE_TUPLE_MAC, SL_MAC_LEN, t->mac);
	if (t->local)
		mnl_attr_put(nlh, SLUICE_TUPLE_LOCAL, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
	return sl_nl_talk1(nl, nlh, match_cb, m, NULL, e);
}

static int lookup(struct sl_nl *nl, const struct tuple *t,
		  struct sl_match *m, struct sl_nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = sl_nl_req(nl, buf, sizeof(buf),
					 SLUICE_CMD_WL_LOOKUP, NLM_F_ACK);

	sl_put_prefix(nlh, sizeof(buf), SLUICE_A_ADDRESS, &t->dst, false);
	if (sl_nl_talk1(nl, nlh, match_cb, m, NULL, e) < 0)
		return -1;
	/* Express the answer as CLASSIFY would, for one output path. */
	m->has_verdict = true;
	m->verdict = m->match ? SLUICE_VERDICT_PASS : SLUICE_VERDICT_REDIRECT;
	m->rule = m->match ? SLUICE_RULE_WHITE_LIST : SLUICE_RULE_REDIRECT;
	return 0;
}

static void print_human(const struct sl_match *m)
{
	const char *verb = sl_verdict_name(m->verdict);
	const char *rule = sl_rule_name(m->rule);
	char p[SL_PREFIX_STRLEN];
	unsigned i;

	if (verb)
		fputs(verb, stdout);
	else
		printf("verdict-%u", m->verdict);
	/* "proxy redirect" says nothing more than "proxy". */
	if (m->rule != SLUICE_RULE_REDIRECT || !verb) {
		if (rule)
			printf(" %s", rule);
		else
			printf(" rule-%u", m->rule);
	}
	if (m->match) {
		sl_prefix_format(&m->pfx, p, sizeof(p));
		printf(" %s", p);
		for (i = 0; i < m->n_sources; i++)
			printf("%s%s", i ? "," : " source ", m->sources[i]);
	}
	putchar('\n');
}

static int print_json(const struct sl_match *m, bool classified)
{
	struct json_object *o = json_object_new_object();
	const char *verb = sl_verdict_name(m->verdict);
	const char *rule = sl_rule_name(m->rule);
	char p[SL_PREFIX_STRLEN];
	unsigned i;

	if (!o)
		return cli_err("test: out of memory");
	json_object_object_add(o, "verdict", verb ?
		json_object_new_string(verb) : json_object_new_int64(m->verdict));
	/* A lookup that found nothing does not know which rule would decide. */
	if (!classified && !m->match)
		json_object_object_add(o, "rule", NULL);
	else
		json_object_object_add(o, "rule", rule ?
			json_object_new_string(rule) :
			json_object_new_int64(m->rule));
	if (m->match) {
		struct json_object *a = json_object_new_array();

		sl_prefix_format(&m->pfx, p, sizeof(p));
		json_object_object_add(o, "prefix", json_object_new_string(p));
		if (m->has_list && sl_list_name(m->list))
			json_object_object_add(o, "list", json_object_new_string(
				sl_list_name(m->list)));
		for (i = 0; a && i < m->n_sources; i++)
			json_object_array_add(a,
				json_object_new_string(m->sources[i]));
		json_object_object_add(o, "sources", a);
	}
	json_object_object_add(o, "method", json_object_new_string(
		classified ? "classify" : "lookup"));
	return cli_json_print(o);
}

int cmd_test(int argc, char **argv)
{
	struct sl_nl_err e = { 0 };
	bool classified = true;
	struct sl_match m;
	struct tuple t;
	struct sl_nl nl;
	int ret;

	if (parse_tuple(argc, argv, &t))
		return 1;
	if (cli_open("test", &nl) < 0)
		return 1;
	ret = classify(&nl, &t, &m, &e);
	if (ret < 0 && e.code == EOPNOTSUPP) {
		/* An older module: the white_list is all we can ask about. */
		classified = false;
		memset(&e, 0, sizeof(e));
		ret = lookup(&nl, &t, &m, &e);
		if (ret == 0 && (t.has_proto || t.has_src || t.has_sport ||
				 t.has_dport || t.has_iif || t.has_mark ||
				 t.has_mac || t.local))
			cli_err("test: warning: module has no CLASSIFY; only "
				"the white_list was consulted");
	}
	sl_nl_close(&nl);
	if (ret < 0)
		return cli_nl_fail("test", &e);
	if (classified && !m.has_verdict)
		return cli_err("test: kernel reply has no verdict");
	if (opt_json)
		return print_json(&m, classified);
	print_human(&m);
	return 0;
}
