// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluicectl: configure and inspect the sluice kernel module over generic
 * netlink.  This file holds option handling, help and error reporting;
 * the commands live in cmd_*.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/sluice.h>

#include "cli.h"
#include "names.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "0.0"
#endif

bool opt_json;
bool opt_quiet;
uint32_t opt_list = SLUICE_LIST_WHITE;
static bool opt_list_given;

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	bool json;		/* takes --json */
	bool list;		/* takes -L LIST */
	const char *usage;
	const char *help;	/* after the usage line in `help CMD` */
};

static const struct command commands[] = {
	{ "status", cmd_status, true, false, "status [--json]",
	  "Show the configuration, counters, and per list (white, proxy,\n"
	  "src) the memory use and the entry counts of every source.\n" },
	{ "set", cmd_set, false, false, "set KEY VALUE [KEY VALUE...]",
	  "Change the configuration.  All pairs go to the kernel in one\n"
	  "request, applied all or nothing.  Keys:\n"
	  "  enabled on|off           mode tproxy|redirect\n"
	  "  port 1-65535             port6 1-65535\n"
	  "  listen ADDRESS           (IPv4 or IPv6; sets that family's)\n"
	  "  mark VALUE[/MASK]        bypass mark (mask default 0xffffffff)\n"
	  "  fwmark VALUE[/MASK]      mark for redirected packets\n"
	  "  lan IF[,IF...]|none      wan IF|none\n"
	  "  masquerade on|off        no-listener pass|drop\n"
	  "  local on|off             redirect the gateway's own TCP/UDP too\n"
	  "  dns PORT|off             LAN port-53 traffic to this local port\n"
	  "  dns-local on|off         the gateway's own DNS too (needs dns)\n"
	  "  src-mode exclude|only    src list: never / only these redirected\n"
	  "  src-mac MAC[,MAC...]|none  source MACs, counted as src listed\n"
	  "  default proxy|direct     direct: only the proxy list is redirected\n"
	  "  quic reject|pass         UDP 443 that would be redirected: reject\n"
	  "  ct-mask MASK             two ct mark bits keeping each flow's\n"
	  "                           verdict: lower direct, higher proxied\n" },
	{ "add", cmd_add, false, true,
	  "add PREFIX... [source NAME] [timeout SECONDS]",
	  "Add prefixes to the list (-L, default white; source default:\n"
	  "static).  Adding an existing prefix again only refreshes its\n"
	  "timeout.\n" },
	{ "del", cmd_del, false, true, "del PREFIX... [source NAME]",
	  "Remove prefixes of one source (default: static) of the list.\n" },
	{ "list", cmd_list, true, true, "list [source NAME] [--json]",
	  "One line per entry: PREFIX source NAME [timeout SECONDS-LEFT].\n" },
	{ "flush", cmd_flush, false, true, "flush [all | source NAME]",
	  "Remove every entry of one source, or of all sources (the default)\n"
	  "of the list.\n" },
	{ "load", cmd_load, false, true, "load NAME FILE|-",
	  "Atomically replace source NAME of the list with the prefixes in\n"
	  "FILE ('-': stdin): one per line, '#' comments.  The whole file is\n"
	  "checked before anything is sent.\n" },
	{ "flush-flows", cmd_flush_flows, true, false,
	  "flush-flows [PREFIX] [--json]",
	  "Forget the verdict kept in the conntrack entry of every flow (or of\n"
	  "those whose original destination is in PREFIX), so that each is\n"
	  "decided again at its next packet.  For after a list change, to\n"
	  "apply it to live flows at once: a TCP flow moved into the tunnel is\n"
	  "reset by the client's listener; a UDP flow changes path at its next\n"
	  "datagram.  Prints how many flows were cleared.\n" },
	{ "test", cmd_test, true, false,
	  "test ADDRESS [proto tcp|udp|icmp|icmpv6|N] [sport N] [dport N]\n"
	  "            [src ADDRESS] [iif IF] [mac MAC] [mark N] [local] [--json]",
	  "Ask the kernel what it would do with such a packet: VERDICT RULE\n"
	  "[PREFIX source NAME[,NAME...]].  VERDICT is direct, proxy, drop,\n"
	  "reject (ICMP port unreachable) or dns (to the dns port); RULE is\n"
	  "the step that decided (white_list, src-excluded, proxy-list, ...;\n"
	  "left out for a plain redirect).  `local` asks about a packet sent\n"
	  "by the gateway itself (iif is then ignored), `mac` gives the LAN\n"
	  "source MAC for src-mac.\n" },
	{ "check", cmd_check, true, false, "check [--json]",
	  "Warn about what in this namespace breaks or bypasses sluice: sysctls\n"
	  "(forwarding off, src_valid_mark in tproxy mode) and TPROXY/REDIRECT\n"
	  "rules of nftables, iptables-nft or iptables-legacy.  Each warning\n"
	  "comes with its fix.  Exit status 1 if there is any (status shows\n"
	  "them too).\n" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

int cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("sluicectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cli_nl_fail(const char *cmd, const struct sl_nl_err *e)
{
	const char *msg;

	if (e->no_family)
		return cli_err("sluice module not loaded (modprobe sluice)");
	if (e->code == EPERM)
		return cli_err("permission denied: sluice needs CAP_NET_ADMIN (run as root)");
	msg = e->msg[0] ? e->msg : strerror(e->code ? e->code : EIO);
	/* NL_SET_ERR_MSG_MOD prefixes "sluice: "; our own prefix says it. */
	if (!strncmp(msg, SLUICE_GENL_NAME ": ", strlen(SLUICE_GENL_NAME) + 2))
		msg += strlen(SLUICE_GENL_NAME) + 2;
	if (e->what[0])
		return cli_err("%s: %s: %s", cmd, e->what, msg);
	return cli_err("%s: %s", cmd, msg);
}

int cli_open(const char *cmd, struct sl_nl *nl)
{
	struct sl_nl_err e;

	if (sl_nl_open(nl, &e) < 0) {
		cli_nl_fail(cmd, &e);
		return -1;
	}
	return 0;
}

int cli_json_print(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	int ret = 0;

	if (!s || puts(s) == EOF)
		ret = cli_err("cannot write JSON output");
	json_object_put(o);
	return ret;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: sluicectl [-q] [-j] [-L LIST] COMMAND [ARGS...]\n\n"
		   "Commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "  help [COMMAND]\n\n"
		   "Options:\n"
		   "  -j, --json     JSON output (status, list, flush-flows, test,\n"
		   "                 check)\n"
		   "  -q, --quiet    no success message (load, flush-flows)\n"
		   "  -L, --list LIST  the list add, del, list, flush and load\n"
		   "                 work on: white (default), proxy or src\n"
		   "  -h, --help     this help; COMMAND --help for one command\n"
		   "  -V, --version  print the version\n\n"
		   "Per network namespace: run under `ip netns exec NAME`.\n"
		   "See sluicectl(8).\n");
}

static const struct command *find(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int help(const char *name)
{
	const struct command *c;

	if (!name) {
		usage(stdout);
		return 0;
	}
	c = find(name);
	if (!c)
		return cli_err("help: unknown command '%s'", name);
	printf("Usage: sluicectl %s\n\n%s", c->usage, c->help);
	return 0;
}

/* -L LIST and its spellings (names.c).  Consumed args, or -1. */
static int list_flag(int argc, char **argv, int i)
{
	char err[96];
	uint32_t list;
	int used = sl_list_opt(argc, argv, i, &list, err, sizeof(err));

	if (used < 0) {
		cli_err("%s", err);
		return -1;
	}
	if (used && opt_list_given) {
		cli_err("-L given twice");
		return -1;
	}
	if (used) {
		opt_list = list;
		opt_list_given = true;
	}
	return used;
}

/*
 * Global flags may appear anywhere; they never collide with values (no
 * value of any command starts with '-').
 */
static int flag(const char *a, bool *want_help)
{
	if (!strcmp(a, "-j") || !strcmp(a, "--json"))
		opt_json = true;
	else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
		opt_quiet = true;
	else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
		*want_help = true;
	else
		return 0;
	return 1;
}

int main(int argc, char **argv)
{
	const struct command *c;
	bool want_help = false;
	int i, n = 0;

	/* Compact argv in place, dropping the global flags. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("sluicectl %s (netlink family %s v%d)\n",
			       SLUICE_VERSION, SLUICE_GENL_NAME,
			       SLUICE_GENL_VERSION);
			return 0;
		}
		int used = list_flag(argc, argv, i);

		if (used < 0)
			return 1;
		if (used) {
			i += used - 1;
			continue;
		}
		if (!flag(argv[i], &want_help))
			argv[1 + n++] = argv[i];
	}
	if (n == 0) {
		if (want_help) {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "help"))
		return help(n > 1 ? argv[2] : NULL);
	c = find(argv[1]);
	if (!c) {
		if (argv[1][0] == '-')
			return cli_err("unknown option '%s' (try --help)",
				       argv[1]);
		return cli_err("unknown command '%s' (try --help)", argv[1]);
	}
	if (want_help)
		return help(c->name);
	if (opt_json && !c->json)
		return cli_err("%s: --json not supported", c->name);
	if (opt_list_given && !c->list)
		return cli_err("%s: -L not supported (add, del, list, flush, "
			       "load take it)", c->name);
	return c->fn(n - 1, argv + 2);
}
