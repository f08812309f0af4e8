// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Both parsers fill one graph per ruleset: chains (base chains with their
 * hook and priority), jump/goto edges, and the rules that capture traffic.
 * A capturing rule matters when a base chain at prerouting or output
 * reaches its chain; its priority against sluice's own hook says whether
 * it takes LAN flows before sluice decides, or redirects the ones sluice
 * let go direct.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/sluice.h>

#include "rules_scan.h"

#define NAME_LEN 128
#define SPEC_LEN 256

struct g_chain {
	char fam[8];
	char table[NAME_LEN];
	char name[NAME_LEN];
	char hook[16];		/* "" for a regular chain */
	int prio;
};

struct g_edge {
	size_t from;
	char fam[8];
	char table[NAME_LEN];
	char to[NAME_LEN];
};

struct g_capture {
	size_t chain;
	char what[32];		/* "tproxy", "TPROXY (iptables-nft)" ... */
	char fix[SPEC_LEN];
};

struct graph {
	struct g_chain *c;
	size_t nc, capc;
	struct g_edge *e;
	size_t ne, cape;
	struct g_capture *k;
	size_t nk, capk;
	const char *src;	/* "nftables", "iptables-legacy" ... */
};

/*
 * Append one zeroed element to a growing array whose pointer is at
 * @arrp; NULL when out of memory.  The pointer is copied with memcpy: it
 * is a typed pointer, not a void *.
 */
static void *push(void *arrp, size_t *n, size_t *cap, size_t sz)
{
	char *base, *p;

	memcpy(&base, arrp, sizeof(base));
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;

		p = realloc(base, c * sz);
		if (!p)
			return NULL;
		base = p;
		memcpy(arrp, &base, sizeof(base));
		*cap = c;
	}
	p = base + *n * sz;
	memset(p, 0, sz);
	(*n)++;
	return p;
}

#define PUSH(arr, n, cap) push(&(arr), &(n), &(cap), sizeof(*(arr)))

static void graph_free(struct graph *g)
{
	free(g->c);
	free(g->e);
	free(g->k);
}

static long find_chain(const struct graph *g, const char *fam,
		       const char *table, const char *name)
{
	size_t i;

	for (i = 0; i < g->nc; i++)
		if (!strcmp(g->c[i].fam, fam) && !strcmp(g->c[i].table, table) &&
		    !strcmp(g->c[i].name, name))
			return (long)i;
	return -1;
}

/* sluice's own hook: PREROUTING, mangle (tproxy) or dstnat (redirect). */
static int sluice_prio(uint32_t mode)
{
	return mode == SLUICE_MODE_REDIRECT ? -100 : -150;
}

static int report(const struct graph *g, const struct g_capture *k,
		  const struct g_chain *base, uint32_t mode, struct sl_warns *w)
{
	const struct g_chain *c = &g->c[k->chain];
	int sp = sluice_prio(mode);
	char via[NAME_LEN + 24] = "";
	const char *rel;

	if (strcmp(base->hook, "output") == 0)
		rel = "captures the gateway's own outgoing flows";
	else if (base->prio < sp)
		rel = "runs before sluice's hook and takes LAN flows before "
		      "sluice decides";
	else if (base->prio == sp)
		rel = "runs at sluice's priority: which of the two acts first "
		      "is undefined";
	else
		rel = "runs after sluice's hook and redirects flows sluice "
		      "let go direct";
	if (base != c)
		snprintf(via, sizeof(via), " (reached from %s)", base->name);
	return sl_warn_add(w, "proxy-rule", k->fix,
			   "%s: %s rule in table %s %s, chain %s%s, hook %s "
			   "priority %d (sluice: prerouting %d): it %s",
			   g->src, k->what, c->fam, c->table, c->name, via,
			   base->hook, base->prio, sp, rel);
}

/* One warning per capturing rule, for the first hook that reaches it. */
static int graph_report(struct graph *g, uint32_t mode, struct sl_warns *w)
{
	size_t nc = g->nc, i, j, head, tail;
	long *from = NULL;
	size_t *queue = NULL;
	int ret = -1;

	from = malloc((nc ? nc : 1) * sizeof(*from));
	queue = malloc((nc ? nc : 1) * sizeof(*queue));
	if (!from || !queue)
		goto out;
	for (i = 0; i < nc; i++)
		from[i] = -1;
	/* Breadth-first from each base chain at prerouting or output. */
	for (i = 0; i < nc; i++) {
		if (strcmp(g->c[i].hook, "prerouting") &&
		    strcmp(g->c[i].hook, "output"))
			continue;
		if (from[i] >= 0)
			continue;
		from[i] = (long)i;
		head = tail = 0;
		queue[tail++] = i;
		while (head < tail) {
			size_t at = queue[head++];

			for (j = 0; j < g->ne; j++) {
				long to;

				if (g->e[j].from != at)
					continue;
				to = find_chain(g, g->e[j].fam, g->e[j].table,
						g->e[j].to);
				if (to < 0 || from[to] >= 0)
					continue;
				from[to] = (long)i;
				queue[tail++] = (size_t)to;
			}
		}
	}
	for (i = 0; i < g->nk; i++) {
		long b = from[g->k[i].chain];

		if (b >= 0 && report(g, &g->k[i], &g->c[b], mode, w) < 0)
			goto out;
	}
	ret = 0;
out:
	free(from);
	free(queue);
	return ret;
}

/* ---- nft -j list ruleset ----------------------------------------------- */

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

struct rule_ctx {
	struct graph *g;
	size_t chain;
	const char *fam, *table;
	char what[32];
	int oom;
};

/* Walk a rule's expressions for capturing statements and jumps. */
static void walk(struct json_object *o, struct rule_ctx *r)
{
	size_t i, n;

	if (json_object_is_type(o, json_type_array)) {
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			walk(json_object_array_get_idx(o, i), r);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, key, val) {
		if (!strcmp(key, "tproxy") || !strcmp(key, "redirect")) {
			snprintf(r->what, sizeof(r->what), "%s", key);
		} else if (!strcmp(key, "xt")) {
			const char *name = val ? jstr(val, "name") : NULL;

			if (name && (!strcmp(name, "TPROXY") ||
				     !strcmp(name, "REDIRECT")))
				snprintf(r->what, sizeof(r->what),
					 "%s (iptables-nft)", name);
		} else if ((!strcmp(key, "jump") || !strcmp(key, "goto")) &&
			   val && jstr(val, "target")) {
			struct g_edge *e = PUSH(r->g->e, r->g->ne, r->g->cape);

			if (!e) {
				r->oom = 1;
				return;
			}
			e->from = r->chain;
			snprintf(e->fam, sizeof(e->fam), "%s", r->fam);
			snprintf(e->table, sizeof(e->table), "%s", r->table);
			snprintf(e->to, sizeof(e->to), "%s",
				 jstr(val, "target"));
		}
		if (val)
			walk(val, r);
	}
}

static int nft_chain(struct graph *g, struct json_object *c)
{
	const char *fam = jstr(c, "family"), *table = jstr(c, "table");
	const char *name = jstr(c, "name"), *hook = jstr(c, "hook");
	struct json_object *prio;
	struct g_chain *gc;

	if (!fam || !table || !name)
		return 0;
	gc = PUSH(g->c, g->nc, g->capc);
	if (!gc)
		return -1;
	snprintf(gc->fam, sizeof(gc->fam), "%s", fam);
	snprintf(gc->table, sizeof(gc->table), "%s", table);
	snprintf(gc->name, sizeof(gc->name), "%s", name);
	snprintf(gc->hook, sizeof(gc->hook), "%s", hook ? hook : "");
	if (json_object_object_get_ex(c, "prio", &prio))
		gc->prio = json_object_get_int(prio);
	return 0;
}

static int nft_rule(struct graph *g, struct json_object *rl)
{
	struct rule_ctx r = { .g = g };
	const char *chain = jstr(rl, "chain");
	struct json_object *expr, *h;
	struct g_capture *k;
	long ci;

	r.fam = jstr(rl, "family");
	r.table = jstr(rl, "table");
	if (!r.fam || !r.table || !chain ||
	    !json_object_object_get_ex(rl, "expr", &expr))
		return 0;
	ci = find_chain(g, r.fam, r.table, chain);
	if (ci < 0)
		return 0;
	r.chain = (size_t)ci;
	walk(expr, &r);
	if (r.oom)
		return -1;
	if (!r.what[0])
		return 0;
	k = PUSH(g->k, g->nk, g->capk);
	if (!k)
		return -1;
	k->chain = r.chain;
	snprintf(k->what, sizeof(k->what), "%s", r.what);
	if (json_object_object_get_ex(rl, "handle", &h))
		snprintf(k->fix, sizeof(k->fix),
			 "nft delete rule %s %s %s handle %d", r.fam, r.table,
			 chain, json_object_get_int(h));
	return 0;
}

int sl_scan_nft_json(const char *json, uint32_t mode, struct sl_warns *w)
{
	struct json_object *root, *list, *it, *o;
	struct graph g = { .src = "nftables" };
	size_t i, n;
	int pass, ret = -1;

	root = json_tokener_parse(json);
	if (!root || !json_object_object_get_ex(root, "nftables", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		json_object_put(root);
		if (sl_warn_add(w, "check-failed", NULL,
				"cannot read the output of 'nft -j list "
				"ruleset': not a ruleset") < 0)
			return -1;
		return -2;
	}
	n = json_object_array_length(list);
	/* Chains first: a rule needs its chain's index. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			it = json_object_array_get_idx(list, i);
			if (pass == 0 &&
			    json_object_object_get_ex(it, "chain", &o) &&
			    nft_chain(&g, o) < 0)
				goto out;
			if (pass == 1 &&
			    json_object_object_get_ex(it, "rule", &o) &&
			    nft_rule(&g, o) < 0)
				goto out;
		}
	}
	ret = graph_report(&g, mode, w);
out:
	graph_free(&g);
	json_object_put(root);
	return ret;
}

/* ---- iptables-save ---------------------------------------------------- */

static const char *const builtin[] = { "PREROUTING", "INPUT", "FORWARD",
				       "OUTPUT", "POSTROUTING" };

/* Hook and priority of a built-in chain of a table (iptables' values). */
static void ipt_base(struct g_chain *c)
{
	static const struct { const char *t; int prio; } tp[] = {
		{ "raw", -300 }, { "mangle", -150 }, { "nat", -100 },
		{ "filter", 0 }, { "security", 50 },
	};
	size_t i;

	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		if (strcmp(c->name, builtin[i]))
			continue;
		snprintf(c->hook, sizeof(c->hook), "%s", builtin[i]);
		for (char *p = c->hook; *p; p++)
			*p = (char)(*p - 'A' + 'a');
	}
	for (i = 0; i < sizeof(tp) / sizeof(tp[0]); i++)
		if (!strcmp(c->table, tp[i].t))
			c->prio = tp[i].prio;
	/* nat OUTPUT and POSTROUTING: -100 and 100 */
	if (!strcmp(c->table, "nat") && !strcmp(c->name, "POSTROUTING"))
		c->prio = 100;
}

/* The target of "-j X", "-g X", "--jump X" or "--goto X" in @args. */
static bool ipt_target(const char *args, char *out, size_t len)
{
	const char *p = args;

	while ((p = strstr(p, " -")) != NULL) {
		const char *a = p + 1;
		size_t skip = 0;

		if (!strncmp(a, "-j ", 3) || !strncmp(a, "-g ", 3))
			skip = 3;
		else if (!strncmp(a, "--jump ", 7))
			skip = 7;
		else if (!strncmp(a, "--goto ", 7))
			skip = 7;
		p = a;
		if (!skip)
			continue;
		a += skip;
		snprintf(out, len, "%.*s", (int)strcspn(a, " \n"), a);
		return true;
	}
	return false;
}

static int ipt_line(struct graph *g, char *table, const char *line,
		    const char *tool)
{
	char chain[NAME_LEN], target[NAME_LEN];
	struct g_capture *k;
	struct g_chain *c;
	const char *args;
	size_t cl;
	long ci;

	if (line[0] == '*') {
		snprintf(table, NAME_LEN, "%s", line + 1);
		return 0;
	}
	if (line[0] == ':') {
		c = PUSH(g->c, g->nc, g->capc);
		if (!c)
			return -1;
		snprintf(c->fam, sizeof(c->fam), "%s",
			 strstr(tool, "ip6") ? "ip6" : "ip");
		snprintf(c->table, sizeof(c->table), "%s", table);
		snprintf(c->name, sizeof(c->name), "%.*s",
			 (int)strcspn(line + 1, " "), line + 1);
		ipt_base(c);
		return 0;
	}
	if (strncmp(line, "-A ", 3))
		return 0;
	cl = strcspn(line + 3, " ");
	snprintf(chain, sizeof(chain), "%.*s", (int)cl, line + 3);
	args = line + 3 + cl;
	ci = find_chain(g, strstr(tool, "ip6") ? "ip6" : "ip", table, chain);
	if (ci < 0 || !ipt_target(args, target, sizeof(target)))
		return 0;
	if (!strcmp(target, "TPROXY") || !strcmp(target, "REDIRECT")) {
		k = PUSH(g->k, g->nk, g->capk);
		if (!k)
			return -1;
		k->chain = (size_t)ci;
		snprintf(k->what, sizeof(k->what), "%s",
			 target[0] == 'T' ? "TPROXY" : "REDIRECT");
		/* A fix cut short would delete another rule: none then. */
		if (snprintf(k->fix, sizeof(k->fix), "%s -t %s -D %s%s", tool,
			     table, chain, args) >= (int)sizeof(k->fix))
			k->fix[0] = 0;
		return 0;
	}
	{
		struct g_edge *e = PUSH(g->e, g->ne, g->cape);

		if (!e)
			return -1;
		e->from = (size_t)ci;
		snprintf(e->fam, sizeof(e->fam), "%s", g->c[ci].fam);
		snprintf(e->table, sizeof(e->table), "%s", table);
		snprintf(e->to, sizeof(e->to), "%s", target);
	}
	return 0;
}

int sl_scan_ipt_save(const char *text, const char *tool, uint32_t mode,
		     struct sl_warns *w)
{
	struct graph g = { .src = tool };
	char table[NAME_LEN] = "", *copy, *line, *save = NULL;
	int ret = -1;

	copy = strdup(text);
	if (!copy)
		return -1;
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (ipt_line(&g, table, line, tool) < 0)
			goto out;
	ret = graph_report(&g, mode, w);
out:
	graph_free(&g);
	free(copy);
	return ret;
}
