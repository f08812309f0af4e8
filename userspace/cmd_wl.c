// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * List commands: add, del, list, flush, load.  They work on the list
 * that -L names (white by default): the lists share every operation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/sluice.h>

#include "cli.h"
#include "config.h"
#include "names.h"
#include "prefix.h"
#include "wl.h"

/* Timeouts the kernel accepts: 1..2^31-1 seconds. */
#define TIMEOUT_MAX 0x7fffffffu

static int check_source(const char *cmd, const char *s)
{
	if (sl_source_valid(s))
		return 0;
	cli_err("%s: bad source name '%s' (1-%d chars of A-Z a-z 0-9 _ . -)",
		cmd, s, SLUICE_SOURCE_MAXLEN);
	return -1;
}

/*
 * The kernel answers EBUSY without text if another socket is replacing
 * the source; say so plainly.
 */
static int wl_fail(const char *cmd, const char *source, struct sl_nl_err *e)
{
	if (e->code == EBUSY && !e->msg[0])
		snprintf(e->msg, sizeof(e->msg),
			 "source '%s' is being replaced by another process",
			 source ? source : "static");
	return cli_nl_fail(cmd, e);
}

/* add/del: PREFIX... with `source NAME` and (add) `timeout N` anywhere. */
static int add_del(const char *cmd, uint8_t op, bool timeout_ok,
		   int argc, char **argv)
{
	char err[SL_ERR_LEN];
	struct sl_nl_err e = { 0 };
	struct sl_pfx_list l;
	const char *source = NULL;
	uint32_t timeout = 0;
	struct sl_nl nl;
	int i, ret = 1;

	sl_pfx_list_init(&l);
	for (i = 0; i < argc; i++) {
		struct sl_prefix p;

		if (!timeout_ok && !strcmp(argv[i], "timeout")) {
			cli_err("%s: timeout is only for add", cmd);
			goto out;
		}
		if (!strcmp(argv[i], "source") ||
		    (timeout_ok && !strcmp(argv[i], "timeout"))) {
			if (i + 1 >= argc) {
				cli_err("%s: missing value for %s", cmd,
					argv[i]);
				goto out;
			}
			if (argv[i][0] == 's') {
				source = argv[++i];
				if (check_source(cmd, source) < 0)
					goto out;
			} else if (sl_parse_u32(argv[++i], 10, &timeout) < 0 ||
				   !timeout || timeout > TIMEOUT_MAX) {
				cli_err("%s: bad value '%s' for timeout "
					"(1-%u seconds)", cmd, argv[i],
					TIMEOUT_MAX);
				goto out;
			}
			continue;
		}
		if (sl_prefix_parse(argv[i], &p, err, sizeof(err)) < 0) {
			cli_err("%s: %s", cmd, err);
			goto out;
		}
		if (sl_pfx_list_push(&l, &p) < 0) {
			cli_err("%s: out of memory", cmd);
			goto out;
		}
	}
	if (!l.n) {
		cli_err("%s: no prefix given", cmd);
		goto out;
	}
	sl_pfx_list_finish(&l);
	if (cli_open(cmd, &nl) < 0)
		goto out;
	if (sl_wl_prefixes(&nl, op, opt_list, source, timeout, l.v, l.n,
			   &e) < 0)
		wl_fail(cmd, source, &e);
	else
		ret = 0;
	sl_nl_close(&nl);
out:
	sl_pfx_list_free(&l);
	return ret;
}

int cmd_add(int argc, char **argv)
{
	return add_del("add", SLUICE_CMD_WL_ADD, true, argc, argv);
}

int cmd_del(int argc, char **argv)
{
	return add_del("del", SLUICE_CMD_WL_DEL, false, argc, argv);
}

/* Parses "[source NAME]"; sets *source (NULL if absent). 0 or 1. */
static int source_arg(const char *cmd, const char *usage, int argc,
		      char **argv, const char **source)
{
	*source = NULL;
	if (argc == 0)
		return 0;
	if (argc == 2 && !strcmp(argv[0], "source"))
	{
		if (check_source(cmd, argv[1]) < 0)
			return 1;
		*source = argv[1];
		return 0;
	}
	return cli_err("%s: unexpected argument '%s' (usage: %s %s)",
		       cmd, argv[0], cmd, usage);
}

static int list_json(const struct sl_entry *v, size_t n)
{
	struct json_object *a = json_object_new_array();
	char p[SL_PREFIX_STRLEN];
	size_t i;

	if (!a)
		return cli_err("list: out of memory");
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		if (!o) {
			json_object_put(a);
			return cli_err("list: out of memory");
		}
		sl_prefix_format(&v[i].pfx, p, sizeof(p));
		json_object_object_add(o, "prefix", json_object_new_string(p));
		json_object_object_add(o, "source",
				       json_object_new_string(v[i].source));
		if (v[i].has_timeout)
			json_object_object_add(o, "timeout",
				json_object_new_int64(v[i].timeout));
		json_object_array_add(a, o);
	}
	return cli_json_print(a);
}

int cmd_list(int argc, char **argv)
{
	struct sl_nl_err e = { 0 };
	char p[SL_PREFIX_STRLEN];
	const char *source;
	struct sl_entry *v;
	bool inconsistent;
	struct sl_nl nl;
	size_t n, i;
	int ret;

	if (source_arg("list", "[source NAME]", argc, argv, &source))
		return 1;
	if (cli_open("list", &nl) < 0)
		return 1;
	ret = sl_wl_dump(&nl, opt_list, source, &v, &n, &inconsistent, &e);
	sl_nl_close(&nl);
	if (ret < 0)
		return cli_nl_fail("list", &e);
	/* Warn first so it is seen even if stdout is piped to `head`. */
	if (inconsistent)
		cli_err("list: warning: %s list kept changing during the "
			"dump; output may be inconsistent",
			sl_list_name(opt_list));
	if (opt_json) {
		ret = list_json(v, n);
	} else {
		for (i = 0; i < n; i++) {
			sl_prefix_format(&v[i].pfx, p, sizeof(p));
			if (v[i].has_timeout)
				printf("%s source %s timeout %u\n", p,
				       v[i].source, v[i].timeout);
			else
				printf("%s source %s\n", p, v[i].source);
		}
		if (fflush(stdout) == EOF)
			ret = cli_err("list: write error: %s", strerror(errno));
	}
	free(v);
	return ret ? 1 : 0;
}

int cmd_flush(int argc, char **argv)
{
	struct sl_nl_err e = { 0 };
	const char *source = NULL;
	struct sl_nl nl;
	int ret = 0;

	/* Like ipset: a bare flush empties everything; `all` says so too. */
	if (!(argc == 1 && !strcmp(argv[0], "all")) &&
	    source_arg("flush", "[all | source NAME]", argc, argv, &source))
		return 1;
	if (cli_open("flush", &nl) < 0)
		return 1;
	if (sl_wl_simple(&nl, SLUICE_CMD_WL_FLUSH, opt_list, source, &e) < 0)
		ret = wl_fail("flush", source, &e);
	sl_nl_close(&nl);
	return ret;
}

/* Read and parse the whole file; prints FILE:LINE: reason on error. */
static int load_file(const char *path, struct sl_pfx_list *l)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	char err[SL_ERR_LEN + 512];
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	size_t len;
	char *buf;
	int rc;

	if (!f)
		return cli_err("load: %s: %s", path, strerror(errno));
	rc = sl_read_file(f, &buf, &len);
	if (rc < 0)
		cli_err("load: %s: %s", name, strerror(errno));
	if (!is_stdin)
		fclose(f);
	if (rc < 0)
		return 1;
	rc = sl_listfile_parse(buf, len, name, l, err, sizeof(err));
	free(buf);
	if (rc < 0) {
		/* Compiler style, so editors can jump to the line. */
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	return 0;
}

int cmd_load(int argc, char **argv)
{
	struct sl_nl_err e = { 0 };
	struct sl_pfx_list l;
	struct sl_nl nl;
	int ret = 1;

	if (argc != 2)
		return cli_err("load: usage: load NAME FILE|-");
	if (check_source("load", argv[0]) < 0)
		return 1;
	/* Nothing is sent until the whole file is known good. */
	if (load_file(argv[1], &l))
		return 1;
	if (cli_open("load", &nl) < 0)
		goto out;
	if (sl_wl_replace(&nl, opt_list, argv[0], l.v, l.n, &e) < 0) {
		wl_fail("load", argv[0], &e);
	} else {
		ret = 0;
		if (!opt_quiet)
			printf("loaded %zu prefixes (%zu IPv4, %zu IPv6) "
			       "into %s%s%s%s\n", l.n, l.n4, l.n6, argv[0],
			       opt_list == SLUICE_LIST_WHITE ? "" : " of the ",
			       opt_list == SLUICE_LIST_WHITE ? "" :
			       sl_list_name(opt_list),
			       opt_list == SLUICE_LIST_WHITE ? "" : " list");
	}
	sl_nl_close(&nl);
out:
	sl_pfx_list_free(&l);
	return ret;
}

/*
 * After a list change, the flows already decided keep their path (the
 * verdict is in their conntrack entry); this decides them again.
 */
int cmd_flush_flows(int argc, char **argv)
{
	char err[SL_ERR_LEN];
	struct sl_nl_err e = { 0 };
	struct sl_prefix pfx;
	struct json_object *o;
	bool have_pfx;
	uint32_t n;
	struct sl_nl nl;
	int ret;

	if (sl_flows_args_parse(argc, argv, &pfx, &have_pfx, err,
				sizeof(err)) < 0)
		return cli_err("flush-flows: %s", err);
	if (cli_open("flush-flows", &nl) < 0)
		return 1;
	ret = sl_flows_flush(&nl, have_pfx ? &pfx : NULL, &n, &e);
	sl_nl_close(&nl);
	if (ret < 0) {
		/* A module without per-flow verdicts lacks the command. */
		if (e.code == EOPNOTSUPP && !e.msg[0])
			snprintf(e.msg, sizeof(e.msg), "the loaded sluice "
				 "module keeps no per-flow verdicts (too old)");
		return cli_nl_fail("flush-flows", &e);
	}
	if (opt_json) {
		o = json_object_new_object();
		if (!o)
			return cli_err("flush-flows: out of memory");
		json_object_object_add(o, "flows", json_object_new_int64(n));
		return cli_json_print(o);
	}
	if (!opt_quiet)
		printf("%u flows will be decided again\n", n);
	return 0;
}
