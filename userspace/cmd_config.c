// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * `sluicectl status` and `sluicectl set`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/genetlink.h>
#include <linux/sluice.h>

#include "attrs.h"
#include "cli.h"
#include "config.h"
#include "mac.h"
#include "names.h"
#include "out.h"
#include "prefix.h"
#include "wl.h"

/* What `status` shows of one list: memory and sources. */
struct list_status {
	bool have;		/* the module answered for this list */
	bool have_mem[SLUICE_MEM_MAX + 1];
	uint64_t mem[SLUICE_MEM_MAX + 1];
	struct sl_source_info *src;
	size_t n_src;
	bool src_inconsistent;
};

/* Everything `status` shows, gathered before printing anything. */
struct status {
	struct sl_config cfg;
	bool have_ctr[SLUICE_CTR_MAX + 1];
	uint64_t ctr[SLUICE_CTR_MAX + 1];
	struct list_status list[SLUICE_LIST_MAX + 1];
};

/* counters_cb fills the counters (once) and the memory of one list. */
struct counters_arg {
	struct status *st;
	struct list_status *ls;
};

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	return sl_get_config(nlh, data);
}

/* A u64 (counters, byte counts) or u32 (counts) inside a nest. */
static int get_num(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_get_payload_len(a) == 8)
		*v = mnl_attr_get_u64(a);
	else if (mnl_attr_get_payload_len(a) == 4)
		*v = mnl_attr_get_u32(a);
	else
		return -1;
	return 0;
}

static int counters_cb(const struct nlmsghdr *nlh, void *data)
{
	struct counters_arg *ca = data;
	struct status *st = ca->st;
	struct list_status *ls = ca->ls;
	const struct nlattr *a, *b;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t t = mnl_attr_get_type(a);

		if (t != SLUICE_A_COUNTERS && t != SLUICE_A_MEMORY)
			continue;
		/* Counters once, from the white list's request (the first). */
		if (t == SLUICE_A_COUNTERS && ls != &st->list[SLUICE_LIST_WHITE])
			continue;
		mnl_attr_for_each_nested(b, a) {
			uint16_t i = mnl_attr_get_type(b);
			uint64_t v;

			/* Pads and counters newer than us are skipped. */
			if (t == SLUICE_A_COUNTERS) {
				if (!sl_counter_name(i) || i > SLUICE_CTR_MAX)
					continue;
				if (get_num(b, &v) < 0)
					return -1;
				st->ctr[i] = v;
				st->have_ctr[i] = true;
			} else {
				if (!sl_mem_name(i) || i > SLUICE_MEM_MAX)
					continue;
				if (get_num(b, &v) < 0)
					return -1;
				ls->mem[i] = v;
				ls->have_mem[i] = true;
			}
		}
	}
	return 0;
}

/*
 * Memory and sources of one list.  A module older than the lists
 * rejects LIST as an unknown attribute (EINVAL): the proxy and src
 * lists are then left out rather than failing the whole status.
 */
static int get_list(struct sl_nl *nl, struct status *st, uint32_t list)
{
	struct list_status *ls = &st->list[list];
	struct counters_arg ca = { st, ls };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sl_nl_err e = { 0 };
	struct nlmsghdr *nlh;

	nlh = sl_nl_req(nl, buf, sizeof(buf), SLUICE_CMD_GET_COUNTERS,
			NLM_F_ACK);
	if (list != SLUICE_LIST_WHITE)
		mnl_attr_put_u32(nlh, SLUICE_A_LIST, list);
	if (sl_nl_talk1(nl, nlh, counters_cb, &ca, NULL, &e) < 0) {
		if (list != SLUICE_LIST_WHITE && e.code == EINVAL)
			return 0;
		return cli_nl_fail("status", &e);
	}
	if (sl_wl_sources(nl, list, &ls->src, &ls->n_src,
			  &ls->src_inconsistent, &e) < 0)
		return cli_nl_fail("status", &e);
	ls->have = true;
	return 0;
}

static int get_status(struct sl_nl *nl, struct status *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sl_nl_err e = { 0 };
	struct nlmsghdr *nlh;
	uint32_t l;

	nlh = sl_nl_req(nl, buf, sizeof(buf), SLUICE_CMD_GET_CONFIG,
			NLM_F_ACK);
	if (sl_nl_talk1(nl, nlh, config_cb, &st->cfg, NULL, &e) < 0)
		return cli_nl_fail("status", &e);
	for (l = 0; l <= SLUICE_LIST_MAX; l++)
		if (get_list(nl, st, l))
			return 1;
	return 0;
}

static const char *enum_name(const char *name, uint32_t v, char *tmp,
			     size_t len)
{
	if (name)
		return name;
	snprintf(tmp, len, "unknown(%u)", v);
	return tmp;
}

static void lan_str(const struct sl_config *c, char *buf, size_t len)
{
	size_t off = 0;
	unsigned i;

	if (!c->n_lan) {
		snprintf(buf, len, "none");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < c->n_lan && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "", c->lan[i]);
}

static void macs_str(const struct sl_config *c, char *buf, size_t len)
{
	char m[SL_MAC_STRLEN];
	size_t off = 0;
	unsigned i;

	if (!c->n_src_macs) {
		snprintf(buf, len, "none");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < c->n_src_macs && off < len; i++) {
		sl_mac_format(c->src_macs[i], m);
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "", m);
	}
}

static void print_config(const struct sl_config *c, struct sl_kv_group *g)
{
	char a[INET6_ADDRSTRLEN], tmp[32], lan[SL_KV_VLEN];

	sl_kv_init(g, "config");
	if (c->have & SL_CFG_ENABLED)
		sl_kv_add(g, "enabled", "%s", c->enabled ? "on" : "off");
	if (c->have & SL_CFG_MODE)
		sl_kv_add(g, "mode", "%s", enum_name(sl_mode_name(c->mode),
						c->mode, tmp, sizeof(tmp)));
	if (c->have & SL_CFG_PORT)
		sl_kv_add(g, "port", "%u", c->port);
	if (c->have & SL_CFG_PORT6)
		sl_kv_add(g, "port6", "%u", c->port6);
	if (c->have & SL_CFG_LISTEN4)
		sl_kv_add(g, "listen", "%s",
			  inet_ntop(AF_INET, c->listen4, a, sizeof(a)));
	if (c->have & SL_CFG_LISTEN6)
		sl_kv_add(g, "listen6", "%s",
			  inet_ntop(AF_INET6, c->listen6, a, sizeof(a)));
	if (c->have & SL_CFG_MARK)
		sl_kv_add(g, "mark", "0x%x/0x%x", c->bypass_mark,
			  c->bypass_mask);
	if (c->have & SL_CFG_FWMARK)
		sl_kv_add(g, "fwmark", "0x%x/0x%x", c->fwmark,
			  c->fwmark_mask);
	if (c->have & SL_CFG_LAN) {
		lan_str(c, lan, sizeof(lan));
		sl_kv_add(g, "lan", "%s", lan);
	}
	sl_kv_add(g, "wan", "%s",
		  (c->have & SL_CFG_WAN) && c->wan[0] ? c->wan : "none");
	if (c->have & SL_CFG_MASQUERADE)
		sl_kv_add(g, "masquerade", "%s", c->masquerade ? "on" : "off");
	if (c->have & SL_CFG_NO_LISTENER)
		sl_kv_add(g, "no-listener", "%s",
			  enum_name(sl_no_listener_name(c->no_listener),
				    c->no_listener, tmp, sizeof(tmp)));
	/* The names and values are those `set` takes. */
	if (c->have & SL_CFG_LOCAL)
		sl_kv_add(g, "local", "%s", c->local ? "on" : "off");
	if (c->have & SL_CFG_DNS_PORT) {
		if (c->dns_port)
			sl_kv_add(g, "dns", "%u", c->dns_port);
		else
			sl_kv_add(g, "dns", "off");
	}
	if (c->have & SL_CFG_DNS_LOCAL)
		sl_kv_add(g, "dns-local", "%s", c->dns_local ? "on" : "off");
	if (c->have & SL_CFG_SRC_MODE)
		sl_kv_add(g, "src-mode", "%s",
			  enum_name(sl_src_mode_name(c->src_mode),
				    c->src_mode, tmp, sizeof(tmp)));
	if (c->have & SL_CFG_SRC_MACS) {
		macs_str(c, lan, sizeof(lan));
		sl_kv_add(g, "src-mac", "%s", lan);
	}
	if (c->have & SL_CFG_DEFAULT)
		sl_kv_add(g, "default", "%s",
			  enum_name(sl_default_name(c->dflt), c->dflt, tmp,
				    sizeof(tmp)));
	if (c->have & SL_CFG_QUIC)
		sl_kv_add(g, "quic", "%s", c->quic_reject ? "reject" : "pass");
	if (c->have & SL_CFG_CT_MASK)
		sl_kv_add(g, "ct-mask", "0x%x", c->ct_mask);
	sl_kv_print(stdout, g);
}

/* "memory" + "sources" for the white list (as always), else per list. */
static void print_list(const struct list_status *ls, uint32_t list,
		       struct sl_kv_group *g)
{
	static const char *const mem_title[] = {
		[SLUICE_LIST_WHITE] = "memory",
		[SLUICE_LIST_PROXY] = "proxy list",
		[SLUICE_LIST_SRC] = "src list",
	};
	static const char *const src_title[] = {
		[SLUICE_LIST_WHITE] = "sources",
		[SLUICE_LIST_PROXY] = "proxy sources",
		[SLUICE_LIST_SRC] = "src sources",
	};
	size_t i;
	uint16_t t;

	if (!ls->have)
		return;
	sl_kv_init(g, mem_title[list]);
	for (t = 0; t <= SLUICE_MEM_MAX; t++)
		if (ls->have_mem[t])
			sl_kv_add(g, sl_mem_name(t), "%llu",
				  (unsigned long long)ls->mem[t]);
	sl_kv_print(stdout, g);

	sl_kv_init(g, src_title[list]);
	for (i = 0; i < ls->n_src; i++)
		sl_kv_add(g, ls->src[i].name, "%u IPv4, %u IPv6%s",
			  ls->src[i].entries4, ls->src[i].entries6,
			  ls->src[i].txn_open ? ", replacing" : "");
	sl_kv_print(stdout, g);
}

static void print_human(const struct status *st)
{
	static struct sl_kv_group g;	/* big: keep it off the stack */
	uint32_t l;
	uint16_t t;

	print_config(&st->cfg, &g);

	sl_kv_init(&g, "counters");
	for (t = 0; t <= SLUICE_CTR_MAX; t++)
		if (st->have_ctr[t])
			sl_kv_add(&g, sl_counter_name(t), "%llu",
				  (unsigned long long)st->ctr[t]);
	sl_kv_print(stdout, &g);

	for (l = 0; l <= SLUICE_LIST_MAX; l++)
		print_list(&st->list[l], l, &g);
	check_status_human(&st->cfg);
}

static struct json_object *jstr_or_null(bool have, const char *s)
{
	return have ? json_object_new_string(s) : NULL;
}

#define ADD(obj, k, v) json_object_object_add(obj, k, v)

static void json_config(const struct sl_config *c, struct json_object *jc)
{
	char a[INET6_ADDRSTRLEN], tmp[32], m[SL_MAC_STRLEN];
	size_t i;

	if (c->have & SL_CFG_ENABLED)
		ADD(jc, "enabled", json_object_new_boolean(c->enabled));
	if (c->have & SL_CFG_MODE)
		ADD(jc, "mode", json_object_new_string(enum_name(
			sl_mode_name(c->mode), c->mode, tmp, sizeof(tmp))));
	if (c->have & SL_CFG_PORT)
		ADD(jc, "port", json_object_new_int(c->port));
	if (c->have & SL_CFG_PORT6)
		ADD(jc, "port6", json_object_new_int(c->port6));
	if (c->have & SL_CFG_LISTEN4)
		ADD(jc, "listen4", json_object_new_string(
			inet_ntop(AF_INET, c->listen4, a, sizeof(a))));
	if (c->have & SL_CFG_LISTEN6)
		ADD(jc, "listen6", json_object_new_string(
			inet_ntop(AF_INET6, c->listen6, a, sizeof(a))));
	if (c->have & SL_CFG_MARK) {
		ADD(jc, "bypass_mark", json_object_new_int64(c->bypass_mark));
		ADD(jc, "bypass_mask", json_object_new_int64(c->bypass_mask));
	}
	if (c->have & SL_CFG_FWMARK) {
		ADD(jc, "fwmark", json_object_new_int64(c->fwmark));
		ADD(jc, "fwmark_mask", json_object_new_int64(c->fwmark_mask));
	}
	if (c->have & SL_CFG_LAN) {
		struct json_object *l = json_object_new_array();

		for (i = 0; l && i < c->n_lan; i++)
			json_object_array_add(l,
				json_object_new_string(c->lan[i]));
		ADD(jc, "lan", l);
	}
	ADD(jc, "wan", jstr_or_null((c->have & SL_CFG_WAN) && c->wan[0],
				    c->wan));
	if (c->have & SL_CFG_MASQUERADE)
		ADD(jc, "masquerade", json_object_new_boolean(c->masquerade));
	if (c->have & SL_CFG_NO_LISTENER)
		ADD(jc, "no_listener", json_object_new_string(enum_name(
			sl_no_listener_name(c->no_listener), c->no_listener,
			tmp, sizeof(tmp))));
	if (c->have & SL_CFG_LOCAL)
		ADD(jc, "local", json_object_new_boolean(c->local));
	if (c->have & SL_CFG_DNS_PORT)
		ADD(jc, "dns_port", json_object_new_int(c->dns_port));
	if (c->have & SL_CFG_DNS_LOCAL)
		ADD(jc, "dns_local", json_object_new_boolean(c->dns_local));
	if (c->have & SL_CFG_SRC_MODE)
		ADD(jc, "src_mode", json_object_new_string(enum_name(
			sl_src_mode_name(c->src_mode), c->src_mode, tmp,
			sizeof(tmp))));
	if (c->have & SL_CFG_SRC_MACS) {
		struct json_object *l = json_object_new_array();

		for (i = 0; l && i < c->n_src_macs; i++) {
			sl_mac_format(c->src_macs[i], m);
			json_object_array_add(l, json_object_new_string(m));
		}
		ADD(jc, "src_macs", l);
	}
	if (c->have & SL_CFG_DEFAULT)
		ADD(jc, "default", json_object_new_string(enum_name(
			sl_default_name(c->dflt), c->dflt, tmp, sizeof(tmp))));
	if (c->have & SL_CFG_QUIC)
		ADD(jc, "quic", json_object_new_string(
			c->quic_reject ? "reject" : "pass"));
	if (c->have & SL_CFG_CT_MASK)
		ADD(jc, "ct_mask", json_object_new_int64(c->ct_mask));
}

static struct json_object *json_sources(const struct list_status *ls)
{
	struct json_object *js = json_object_new_array();
	size_t i;

	for (i = 0; js && i < ls->n_src; i++) {
		struct json_object *s = json_object_new_object();

		if (!s)
			continue;
		ADD(s, "name", json_object_new_string(ls->src[i].name));
		ADD(s, "entries4", json_object_new_int64(ls->src[i].entries4));
		ADD(s, "entries6", json_object_new_int64(ls->src[i].entries6));
		ADD(s, "replacing", json_object_new_boolean(ls->src[i].txn_open));
		json_object_array_add(js, s);
	}
	return js;
}

/* Memory keys of one list; with @sources, its "sources" array too. */
static struct json_object *json_list(const struct list_status *ls,
				     bool sources)
{
	struct json_object *o = json_object_new_object();
	uint16_t t;

	if (!o)
		return NULL;
	for (t = 0; t <= SLUICE_MEM_MAX; t++)
		if (ls->have_mem[t])
			ADD(o, sl_mem_name(t),
			    json_object_new_uint64(ls->mem[t]));
	if (sources)
		ADD(o, "sources", json_sources(ls));
	return o;
}

static int print_json(const struct status *st)
{
	struct json_object *o = json_object_new_object();
	struct json_object *jc = json_object_new_object();
	struct json_object *jn = json_object_new_object();
	struct json_object *jl = json_object_new_object();
	const struct list_status *white = &st->list[SLUICE_LIST_WHITE];
	uint32_t l;
	uint16_t t;

	if (!o || !jc || !jn || !jl) {
		json_object_put(o);
		json_object_put(jc);
		json_object_put(jn);
		json_object_put(jl);
		return cli_err("status: out of memory");
	}
	json_config(&st->cfg, jc);
	for (t = 0; t <= SLUICE_CTR_MAX; t++)
		if (st->have_ctr[t])
			ADD(jn, sl_counter_name(t),
			    json_object_new_uint64(st->ctr[t]));
	for (l = 0; l <= SLUICE_LIST_MAX; l++)
		if (st->list[l].have)
			ADD(jl, sl_list_name(l), json_list(&st->list[l], true));
	ADD(o, "config", jc);
	ADD(o, "counters", jn);
	/* .memory and .sources: the white list, as before the lists. */
	ADD(o, "memory", json_list(white, false));
	ADD(o, "sources", json_sources(white));
	ADD(o, "lists", jl);
	ADD(o, "warnings", check_status_json(&st->cfg));
	return cli_json_print(o);
}

#undef ADD

int cmd_status(int argc, char **argv)
{
	struct status *st;
	struct sl_nl nl;
	uint32_t l;
	int ret;

	if (argc)
		return cli_err("status: unexpected argument '%s'", argv[0]);
	st = calloc(1, sizeof(*st));
	if (!st)
		return cli_err("status: out of memory");
	if (cli_open("status", &nl) < 0) {
		free(st);
		return 1;
	}
	ret = get_status(&nl, st);
	sl_nl_close(&nl);
	if (!ret) {
		for (l = 0; l <= SLUICE_LIST_MAX; l++)
			if (st->list[l].src_inconsistent)
				cli_err("status: warning: %s list sources "
					"changed during dump", sl_list_name(l));
		ret = opt_json ? print_json(st) : (print_human(st), 0);
	}
	for (l = 0; l <= SLUICE_LIST_MAX; l++)
		free(st->list[l].src);
	free(st);
	return ret;
}

int cmd_set(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[SL_ERR_LEN];
	struct sl_nl_err e = { 0 };
	struct sl_config c;
	struct nlmsghdr *nlh;
	struct sl_nl nl;
	int ret = 0;

	/* Parse everything first: a bad pair means nothing is sent. */
	if (sl_config_parse_args(&c, argc, argv, err, sizeof(err)) < 0)
		return cli_err("set: %s", err);
	if (cli_open("set", &nl) < 0)
		return 1;
	nlh = sl_nl_req(&nl, buf, sizeof(buf), SLUICE_CMD_SET_CONFIG,
			NLM_F_ACK);
	if (!sl_put_config(nlh, sizeof(buf), &c))
		ret = cli_err("set: request too large");
	else if (sl_nl_talk1(&nl, nlh, NULL, NULL, NULL, &e) < 0)
		ret = cli_nl_fail("set", &e);
	sl_nl_close(&nl);
	return ret;
}
