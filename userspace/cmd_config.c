// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * `sluicectl status` and `sluicectl set`.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/genetlink.h>
#include <linux/sluice.h>

#include "attrs.h"
#include "cli.h"
#include "config.h"
#include "names.h"
#include "out.h"
#include "prefix.h"
#include "wl.h"

/* Everything `status` shows, gathered before printing anything. */
struct status {
	struct sl_config cfg;
	bool have_ctr[SLUICE_CTR_MAX + 1];
	uint64_t ctr[SLUICE_CTR_MAX + 1];
	bool have_mem[SLUICE_MEM_MAX + 1];
	uint64_t mem[SLUICE_MEM_MAX + 1];
	struct sl_source_info *src;
	size_t n_src;
	bool src_inconsistent;
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
	struct status *st = data;
	const struct nlattr *a, *b;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t t = mnl_attr_get_type(a);

		if (t != SLUICE_A_COUNTERS && t != SLUICE_A_MEMORY)
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
				st->mem[i] = v;
				st->have_mem[i] = true;
			}
		}
	}
	return 0;
}

static int get_status(struct sl_nl *nl, struct status *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sl_nl_err e = { 0 };
	struct nlmsghdr *nlh;

	nlh = sl_nl_req(nl, buf, sizeof(buf), SLUICE_CMD_GET_CONFIG,
			NLM_F_ACK);
	if (sl_nl_talk1(nl, nlh, config_cb, &st->cfg, NULL, &e) < 0)
		return cli_nl_fail("status", &e);
	nlh = sl_nl_req(nl, buf, sizeof(buf), SLUICE_CMD_GET_COUNTERS,
			NLM_F_ACK);
	if (sl_nl_talk1(nl, nlh, counters_cb, st, NULL, &e) < 0)
		return cli_nl_fail("status", &e);
	if (sl_wl_sources(nl, &st->src, &st->n_src, &st->src_inconsistent,
			  &e) < 0)
		return cli_nl_fail("status", &e);
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

static void print_human(const struct status *st)
{
	const struct sl_config *c = &st->cfg;
	char a[INET6_ADDRSTRLEN], tmp[32], lan[SL_KV_VLEN];
	static struct sl_kv_group g;	/* big: keep it off the stack */
	size_t i;
	uint16_t t;

	sl_kv_init(&g, "config");
	if (c->have & SL_CFG_ENABLED)
		sl_kv_add(&g, "enabled", "%s", c->enabled ? "on" : "off");
	if (c->have & SL_CFG_MODE)
		sl_kv_add(&g, "mode", "%s", enum_name(sl_mode_name(c->mode),
						c->mode, tmp, sizeof(tmp)));
	if (c->have & SL_CFG_PORT)
		sl_kv_add(&g, "port", "%u", c->port);
	if (c->have & SL_CFG_PORT6)
		sl_kv_add(&g, "port6", "%u", c->port6);
	if (c->have & SL_CFG_LISTEN4)
		sl_kv_add(&g, "listen", "%s",
			  inet_ntop(AF_INET, c->listen4, a, sizeof(a)));
	if (c->have & SL_CFG_LISTEN6)
		sl_kv_add(&g, "listen6", "%s",
			  inet_ntop(AF_INET6, c->listen6, a, sizeof(a)));
	if (c->have & SL_CFG_MARK)
		sl_kv_add(&g, "mark", "0x%x/0x%x", c->bypass_mark,
			  c->bypass_mask);
	if (c->have & SL_CFG_FWMARK)
		sl_kv_add(&g, "fwmark", "0x%x/0x%x", c->fwmark,
			  c->fwmark_mask);
	if (c->have & SL_CFG_LAN) {
		lan_str(c, lan, sizeof(lan));
		sl_kv_add(&g, "lan", "%s", lan);
	}
	sl_kv_add(&g, "wan", "%s",
		  (c->have & SL_CFG_WAN) && c->wan[0] ? c->wan : "none");
	if (c->have & SL_CFG_MASQUERADE)
		sl_kv_add(&g, "masquerade", "%s", c->masquerade ? "on" : "off");
	if (c->have & SL_CFG_NO_LISTENER)
		sl_kv_add(&g, "no-listener", "%s",
			  enum_name(sl_no_listener_name(c->no_listener),
				    c->no_listener, tmp, sizeof(tmp)));
	sl_kv_print(stdout, &g);

	sl_kv_init(&g, "counters");
	for (t = 0; t <= SLUICE_CTR_MAX; t++)
		if (st->have_ctr[t])
			sl_kv_add(&g, sl_counter_name(t), "%llu",
				  (unsigned long long)st->ctr[t]);
	sl_kv_print(stdout, &g);

	sl_kv_init(&g, "memory");
	for (t = 0; t <= SLUICE_MEM_MAX; t++)
		if (st->have_mem[t])
			sl_kv_add(&g, sl_mem_name(t), "%llu",
				  (unsigned long long)st->mem[t]);
	sl_kv_print(stdout, &g);

	sl_kv_init(&g, "sources");
	for (i = 0; i < st->n_src; i++)
		sl_kv_add(&g, st->src[i].name, "%u IPv4, %u IPv6%s",
			  st->src[i].entries4, st->src[i].entries6,
			  st->src[i].txn_open ? ", replacing" : "");
	sl_kv_print(stdout, &g);
}

static struct json_object *jstr_or_null(bool have, const char *s)
{
	return have ? json_object_new_string(s) : NULL;
}

static int print_json(const struct status *st)
{
	const struct sl_config *c = &st->cfg;
	struct json_object *o = json_object_new_object();
	struct json_object *jc = json_object_new_object();
	struct json_object *jn = json_object_new_object();
	struct json_object *jm = json_object_new_object();
	struct json_object *js = json_object_new_array();
	char a[INET6_ADDRSTRLEN], tmp[32];
	size_t i;
	uint16_t t;

	if (!o || !jc || !jn || !jm || !js) {
		json_object_put(o);
		json_object_put(jc);
		json_object_put(jn);
		json_object_put(jm);
		json_object_put(js);
		return cli_err("status: out of memory");
	}
#define ADD(obj, k, v) json_object_object_add(obj, k, v)
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

	for (t = 0; t <= SLUICE_CTR_MAX; t++)
		if (st->have_ctr[t])
			ADD(jn, sl_counter_name(t),
			    json_object_new_uint64(st->ctr[t]));
	for (t = 0; t <= SLUICE_MEM_MAX; t++)
		if (st->have_mem[t])
			ADD(jm, sl_mem_name(t),
			    json_object_new_uint64(st->mem[t]));
	for (i = 0; i < st->n_src; i++) {
		struct json_object *s = json_object_new_object();

		if (!s)
			continue;
		ADD(s, "name", json_object_new_string(st->src[i].name));
		ADD(s, "entries4", json_object_new_int64(st->src[i].entries4));
		ADD(s, "entries6", json_object_new_int64(st->src[i].entries6));
		ADD(s, "replacing", json_object_new_boolean(st->src[i].txn_open));
		json_object_array_add(js, s);
	}
	ADD(o, "config", jc);
	ADD(o, "counters", jn);
	ADD(o, "memory", jm);
	ADD(o, "sources", js);
#undef ADD
	return cli_json_print(o);
}

int cmd_status(int argc, char **argv)
{
	struct status *st;
	struct sl_nl nl;
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
		if (st->src_inconsistent)
			cli_err("status: warning: sources changed during dump");
		ret = opt_json ? print_json(st) : (print_human(st), 0);
	}
	free(st->src);
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
