/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * sluiced.conf: one `key value...` per line, '#' comments (see
 * sluiced.conf(5)).  Pure code: parsing only, no I/O besides reading the
 * file in conf_load(), so unit tests and the fuzzer run exactly this.
 */
#ifndef SLUICED_CONF_H
#define SLUICED_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/sluice.h>

#include "prefix.h"

#define CONF_ERR_LEN 512
#define CONF_MAX_LISTS 64
#define CONF_MAX_SERVERS 64
#define CONF_MAX_ARGS 64

enum policy { POLICY_OPEN, POLICY_CLOSED };

/* syslog priorities, so they can be passed straight to syslog(3). */
enum { LVL_ERR = 3, LVL_WARN = 4, LVL_NOTICE = 5, LVL_INFO = 6, LVL_DEBUG = 7 };

/* `list NAME FILE` (white list) or `proxy-list NAME FILE`. */
struct conf_list {
	char name[SLUICE_SOURCE_MAXLEN + 1];
	char *file;
	uint32_t list;			/* SLUICE_LIST_WHITE or _PROXY */
};

/* The source that `src` lines fill in the src list. */
#define CONF_SRC_SOURCE "conf"

struct sd_conf {
	/* tunnel client */
	char **client_argv;		/* NULL-terminated; NULL if no client */
	int client_argc;
	char *client_config;		/* JSON to read servers from, or NULL */
	unsigned stop_timeout_ms;
	unsigned restart_min_ms, restart_max_ms;
	unsigned probe_interval_ms;
	/* module */
	uint32_t mode;
	uint16_t port, port6;
	uint32_t bypass_mark, bypass_mask;
	uint32_t fwmark, fwmark_mask;
	unsigned n_lan;
	char lan[SLUICE_MAX_LAN_IFS][SLUICE_IFNAME_MAXLEN + 1];
	char wan[SLUICE_IFNAME_MAXLEN + 1];	/* "" = none */
	bool masquerade;
	bool local;			/* the gateway's own flows too */
	uint16_t dns_port;		/* 0 = off */
	bool dns_local;
	uint32_t src_mode;		/* enum sluice_src_mode */
	unsigned n_src_macs;
	uint8_t src_macs[SLUICE_MAX_SRC_MACS][6];
	uint32_t dflt;			/* enum sluice_default */
	bool quic_reject;
	uint32_t ct_mask;		/* per-flow verdict bits of the ct mark */
	/* policy routing (tproxy) */
	bool routing;
	uint32_t route_table;
	uint32_t rule_priority;
	/* white_list and proxy list files; the src list's `src` lines */
	unsigned n_lists;
	struct conf_list lists[CONF_MAX_LISTS];
	struct sl_pfx_list src;		/* sorted, deduplicated */
	unsigned n_servers;
	char *servers[CONF_MAX_SERVERS];
	unsigned resolve_interval_s;
	/* behaviour */
	enum policy policy;
	bool flush_flows_on_reload;	/* flows decided again after SIGHUP */
	int log_level;
};

/* Defaults, every pointer NULL. */
void conf_init(struct sd_conf *c);
void conf_free(struct sd_conf *c);

/*
 * Parse @len bytes of @buf (need not be NUL terminated; NUL bytes are an
 * error).  @name is used in messages.  Returns 0, or -1 with
 * "NAME:LINE: reason" in @err; @c is then freed and re-initialised.
 */
int conf_parse(struct sd_conf *c, const char *buf, size_t len,
	       const char *name, char *err, size_t errlen);

/* Read and parse @path; errors as conf_parse, or "PATH: strerror". */
int conf_load(struct sd_conf *c, const char *path, char *err, size_t errlen);

/* Is @name one of the sources sluiced keeps itself (local, lan, server)? */
bool conf_reserved_source(const char *name);

/*
 * Settings of the client; equal ones need no restart on reload.  `local`
 * counts: it decides whether the client runs in a cgroup of its own.
 */
bool conf_client_equal(const struct sd_conf *a, const struct sd_conf *b);

const char *conf_level_name(int level);

#endif /* SLUICED_CONF_H */
