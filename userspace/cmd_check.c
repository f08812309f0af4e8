// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * `sluicectl check`, and the warnings `sluicectl status` adds: sysctls
 * and other firewall rules of this namespace that break or bypass sluice
 * (lib/checks.h).  The checks need the configuration (mode, LAN
 * interfaces), so they run against the loaded module's.
 */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/sluice.h>

#include "attrs.h"
#include "checks.h"
#include "cli.h"
#include "config.h"

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	return sl_get_config(nlh, data);
}

static int run_checks(const struct sl_config *c, struct sl_warns *w)
{
	struct sl_check_in in;

	sl_check_in_from_config(&in, c);
	if (sl_check_all(&in, w) < 0)
		return cli_err("check: out of memory");
	return 0;
}

static struct json_object *warns_json(const struct sl_warns *w)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a && i < w->n; i++) {
		struct json_object *o = json_object_new_object();

		if (!o)
			break;
		json_object_object_add(o, "kind",
				       json_object_new_string(w->v[i].kind));
		json_object_object_add(o, "message",
				       json_object_new_string(w->v[i].msg));
		json_object_object_add(o, "fix",
				       json_object_new_string(w->v[i].fix));
		json_object_array_add(a, o);
	}
	return a;
}

static void warns_print(FILE *f, const struct sl_warns *w, const char *ind)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		fprintf(f, "%swarning: %s\n", ind, w->v[i].msg);
		if (w->v[i].fix[0])
			fprintf(f, "%s  fix: %s\n", ind, w->v[i].fix);
	}
}

void check_status_human(const struct sl_config *c)
{
	struct sl_warns w = { 0 };

	if (run_checks(c, &w) == 0 && w.n) {
		printf("warnings:\n");
		warns_print(stdout, &w, "  ");
	}
	sl_warns_free(&w);
}

struct json_object *check_status_json(const struct sl_config *c)
{
	struct sl_warns w = { 0 };
	struct json_object *a = NULL;

	if (run_checks(c, &w) == 0)
		a = warns_json(&w);
	sl_warns_free(&w);
	return a;
}

int cmd_check(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sl_nl_err e = { 0 };
	struct sl_warns w = { 0 };
	struct nlmsghdr *nlh;
	struct sl_config c;
	struct sl_nl nl;
	int ret;

	if (argc)
		return cli_err("check: unexpected argument '%s'", argv[0]);
	memset(&c, 0, sizeof(c));
	if (cli_open("check", &nl) < 0)
		return 1;
	nlh = sl_nl_req(&nl, buf, sizeof(buf), SLUICE_CMD_GET_CONFIG,
			NLM_F_ACK);
	ret = sl_nl_talk1(&nl, nlh, config_cb, &c, NULL, &e);
	sl_nl_close(&nl);
	if (ret < 0)
		return cli_nl_fail("check", &e);
	if (run_checks(&c, &w))
		return 1;
	if (opt_json) {
		struct json_object *o = json_object_new_object();

		if (!o) {
			sl_warns_free(&w);
			return cli_err("check: out of memory");
		}
		json_object_object_add(o, "warnings", warns_json(&w));
		if (cli_json_print(o)) {
			sl_warns_free(&w);
			return 1;
		}
	} else {
		warns_print(stdout, &w, "");
		if (!w.n && !opt_quiet)
			printf("no warnings\n");
	}
	ret = w.n ? 1 : 0;
	sl_warns_free(&w);
	return ret;
}
