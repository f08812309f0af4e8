/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The daemon's whole state, shared by main.c (loop, signals), client.c
 * (supervision and redirection) and sources.c (lists and servers).
 */
#ifndef SLUICED_DAEMON_H
#define SLUICED_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "hang.h"
#include "mod.h"
#include "proc.h"
#include "resolve.h"
#include "route.h"
#include "rtnl.h"
#include "servers.h"
#include "watch.h"

enum client_state {
	CL_IDLE,		/* not running, nothing scheduled */
	CL_WAIT,		/* restart scheduled at restart_at */
	CL_RUN,			/* running; healthy once the probe answers */
	CL_STOP,		/* SIGTERM sent; SIGKILL at kill_at */
};

struct sd {
	const char *conf_path;
	struct sd_conf conf;
	struct mod mod;
	struct watch watch;
	struct rtnl rt;
	struct routing routing;
	bool routing_on;

	enum client_state cl;
	pid_t pid;
	struct linebuf out, err;
	uint64_t started_ms, restart_at, kill_at, next_probe;
	unsigned failures;
	bool healthy;
	bool stopped;		/* SIGSTOPped (waitpid WUNTRACED) */
	struct hang hang;	/* accept-queue watchdog (hang.h) */
	bool diag_off;		/* sock_diag failed once: no watchdog */
	bool restart_now;	/* reload changed the client: no backoff */
	char cg_dir[512];	/* local on: the client's cgroup, or "" */
	int redir;		/* -1 unknown, else what the module has */

	struct resolver res;
	uint64_t next_resolve;
	struct name_list json_names;	/* last good read of client_config */

	bool stopping;
};

/* client.c */
void client_start(struct sd *d);
void client_stop(struct sd *d);
void client_exited(struct sd *d, int status, uint64_t t_signal_us);
/* waitpid(WUNTRACED | WCONTINUED) saw it stop / go on. */
void client_stopped(struct sd *d, int status);
void client_continued(struct sd *d);
void client_tick(struct sd *d, uint64_t now);
uint64_t client_deadline(const struct sd *d);
void redirect_apply(struct sd *d, const char *why);

/* sources.c */
int list_load(struct sd *d, const struct conf_list *l);
/* Every `list` and `proxy-list`: 0, or -1 if any kept its old contents. */
int lists_load_all(struct sd *d);
/* The `src` lines into the src list (source "conf"), atomically. 0 or -1. */
int src_load(struct sd *d);
void servers_resolve(struct sd *d);
void servers_done(struct sd *d);
int check_config_files(const struct sd_conf *c);

#endif /* SLUICED_DAEMON_H */
