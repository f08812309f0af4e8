// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The list sources that come from files and names: one white_list source
 * per `list NAME FILE`, one proxy-list source per `proxy-list NAME FILE`,
 * the `src` lines (source "conf" of the src list) and `server` (the
 * tunnel servers, resolved, white list).  Each is replaced atomically; a
 * bad file or a failed lookup keeps the old contents and says why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"

static int read_path(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "re");
	int ret;

	if (!f)
		return -1;
	ret = sl_read_file(f, buf, len);
	fclose(f);
	return ret;
}

/* Parse a list file; 0, or -1 with FILE:LINE: reason in @err. */
static int parse_list(const struct conf_list *l, struct sl_pfx_list *out,
		      char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int ret;

	sl_pfx_list_init(out);
	if (read_path(l->file, &buf, &len) < 0) {
		snprintf(err, errlen, "%s: %s", l->file, strerror(errno));
		return -1;
	}
	ret = sl_listfile_parse(buf, len, l->file, out, err, errlen);
	free(buf);
	return ret;
}

int list_load(struct sd *d, const struct conf_list *l)
{
	struct sl_pfx_list pl;
	char err[SL_ERR_LEN];
	int ret;

	const char *word = mod_list_word(l->list);

	if (parse_list(l, &pl, err, sizeof(err)) < 0) {
		log_err("%s %s: %s; old contents kept", word, l->name, err);
		return -1;
	}
	ret = mod_replace(&d->mod, l->list, l->name, &pl);
	if (ret == 0)
		log_info("%s %s loaded: %zu prefixes (%zu IPv4, %zu IPv6) "
			 "from %s", word, l->name, pl.n, pl.n4, pl.n6, l->file);
	else
		log_err("%s %s: not loaded; old contents kept", word,
			l->name);
	sl_pfx_list_free(&pl);
	return ret;
}

int src_load(struct sd *d)
{
	const struct sl_pfx_list *l = &d->conf.src;

	/* An empty replace is a flush: `src` lines removed on reload. */
	if (mod_replace(&d->mod, SLUICE_LIST_SRC, CONF_SRC_SOURCE, l) < 0) {
		log_err("src: not loaded; old contents kept");
		return -1;
	}
	log_info("src: %zu prefixes (%zu IPv4, %zu IPv6), src-mode %s",
		 l->n, l->n4, l->n6,
		 d->conf.src_mode == SLUICE_SRC_ONLY ? "only" : "exclude");
	return 0;
}

int lists_load_all(struct sd *d)
{
	unsigned i;
	int ret = 0;

	for (i = 0; i < d->conf.n_lists; i++)
		if (list_load(d, &d->conf.lists[i]) < 0)
			ret = -1;
	return ret;
}

/* Names from the client's JSON; on failure the last good read stays. */
static void read_client_names(struct sd *d)
{
	struct name_list fresh = { 0 };
	char err[256];
	char *buf;
	size_t len;
	int n;

	if (!d->conf.client_config) {
		name_list_free(&d->json_names);
		return;
	}
	if (read_path(d->conf.client_config, &buf, &len) < 0) {
		log_err("client config %s: %s; using %zu server name(s) read "
			"before", d->conf.client_config, strerror(errno),
			d->json_names.n);
		return;
	}
	n = servers_from_json(buf, len, &fresh, err, sizeof(err));
	free(buf);
	if (n < 0) {
		log_err("client config %s: %s; using %zu server name(s) read "
			"before", d->conf.client_config, err, d->json_names.n);
		name_list_free(&fresh);
		return;
	}
	if (!n)
		log_warn("client config %s names no server (outbounds[]."
			 "settings.vnext/servers[].address, outbounds[]."
			 "server)", d->conf.client_config);
	name_list_free(&d->json_names);
	d->json_names = fresh;
}

void servers_resolve(struct sd *d)
{
	struct name_list names = { 0 };
	size_t i;
	int ret;

	if (d->res.pid > 0)
		return;		/* a round is running already */
	read_client_names(d);
	for (i = 0; i < d->conf.n_servers; i++)
		if (name_list_add(&names, d->conf.servers[i]) < 0)
			goto nomem;
	for (i = 0; i < d->json_names.n; i++)
		if (name_list_add(&names, d->json_names.v[i]) < 0)
			goto nomem;
	/* Before the round: servers_done() may bring it forward. */
	if (d->conf.resolve_interval_s)
		d->next_resolve = now_ms() +
				  (uint64_t)d->conf.resolve_interval_s * 1000;
	else
		d->next_resolve = UINT64_MAX;
	ret = resolver_start(&d->res, &names);
	name_list_free(&names);
	if (ret == 0)
		servers_done(d);	/* literals only: settle now */
	return;
nomem:
	name_list_free(&names);
	log_err("resolve: out of memory");
}

void servers_done(struct sd *d)
{
	struct sl_pfx_list all;
	bool changed;

	if (resolver_finish(&d->res, &all, &changed) < 0) {
		log_err("resolve: out of memory");
		sl_pfx_list_free(&all);
		return;
	}
	if (changed && mod_replace(&d->mod, SLUICE_LIST_WHITE, "server", &all) == 0) {
		resolver_committed(&d->res, &all);
		log_info("servers: %zu address(es) (%zu IPv4, %zu IPv6) for "
			 "%zu name(s)", all.n, all.n4, all.n6, d->res.n);
	}
	sl_pfx_list_free(&all);
	/*
	 * At boot DNS is often not up yet: a name with no address at all
	 * is retried soon rather than after a whole resolve-interval.
	 */
	for (size_t i = 0; i < d->res.n; i++)
		if (!d->res.v[i].addrs.n) {
			uint64_t soon = now_ms() + RESOLVE_RETRY_MS;

			if (soon < d->next_resolve)
				d->next_resolve = soon;
			break;
		}
}

int check_config_files(const struct sd_conf *c)
{
	struct name_list names = { 0 };
	int bad = 0;
	unsigned i;

	for (i = 0; i < c->n_lists; i++) {
		struct sl_pfx_list pl;
		char err[SL_ERR_LEN];

		if (parse_list(&c->lists[i], &pl, err, sizeof(err)) < 0) {
			fprintf(stderr, "sluiced: %s\n", err);
			bad = 1;
			continue;
		}
		printf("%s %s: %zu prefixes (%zu IPv4, %zu IPv6)\n",
		       mod_list_word(c->lists[i].list), c->lists[i].name,
		       pl.n, pl.n4, pl.n6);
		sl_pfx_list_free(&pl);
	}
	if (c->src.n || c->n_src_macs)
		printf("src (%s): %zu prefixes (%zu IPv4, %zu IPv6), %u MAC "
		       "address(es)\n",
		       c->src_mode == SLUICE_SRC_ONLY ? "only" : "exclude",
		       c->src.n, c->src.n4, c->src.n6, c->n_src_macs);
	if (c->client_config) {
		char err[256], *buf;
		size_t len;
		int n;

		if (read_path(c->client_config, &buf, &len) < 0) {
			fprintf(stderr, "sluiced: %s: %s\n", c->client_config,
				strerror(errno));
			return 1;
		}
		n = servers_from_json(buf, len, &names, err, sizeof(err));
		free(buf);
		if (n < 0) {
			fprintf(stderr, "sluiced: %s: %s\n", c->client_config,
				err);
			bad = 1;
		} else {
			printf("client config %s: %d server name(s)",
			       c->client_config, n);
			for (i = 0; i < names.n; i++)
				printf(" %s", names.v[i]);
			printf("\n");
		}
		name_list_free(&names);
	}
	return bad;
}
