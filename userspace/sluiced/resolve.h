/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Tunnel server addresses for the `server` source.  getaddrinfo() may
 * block for as long as DNS is down, and the loop must answer SIGCHLD
 * within a second, so names are resolved in a short-lived child process
 * that writes one line per result into a pipe:
 *   OK NAME ADDRESS     one per address found
 *   ERR NAME REASON     the lookup failed
 * A name whose lookup failed keeps its last good addresses.
 */
#ifndef SLUICED_RESOLVE_H
#define SLUICED_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "prefix.h"
#include "servers.h"

/* Give up on a resolver child after this long. */
#define RESOLVE_TIMEOUT_MS 30000
/* Retry after this long while some name has no address at all. */
#define RESOLVE_RETRY_MS 10000

struct name_addrs {
	char *name;
	struct sl_pfx_list addrs;
	bool pending_ok;		/* this round gave addresses */
	struct sl_pfx_list pending;
};

struct resolver {
	pid_t pid;			/* 0: none running */
	int fd;				/* -1: none */
	uint64_t started_ms;
	char *out;			/* the child's output so far */
	size_t len, cap;
	struct name_addrs *v;		/* the cache, one per name */
	size_t n;
	bool have_committed;
	struct sl_pfx_list committed;	/* what `server` holds */
};

void resolver_init(struct resolver *r);
void resolver_free(struct resolver *r);

/*
 * Start a round for @names (the cache is trimmed to them; literal
 * addresses are settled at once).  Returns 1 if a child was started,
 * 0 if nothing needs resolving (call resolver_finish()), -1 on error.
 */
int resolver_start(struct resolver *r, const struct name_list *names);
/* Read the pipe; 1 at EOF (then reap and call resolver_finish). */
int resolver_read(struct resolver *r);
/* Kill a child that ran too long (or on shutdown). */
void resolver_kill(struct resolver *r);

/*
 * Apply the round's output (may be called with partial output after a
 * kill).  *@changed tells whether the union of addresses differs from
 * the committed one; @out gets that union (caller frees).
 */
int resolver_finish(struct resolver *r, struct sl_pfx_list *out,
		    bool *changed);
/* The union was written to the module. */
void resolver_committed(struct resolver *r, const struct sl_pfx_list *l);

/* Parse one output line; pure.  0 ok, -1 malformed. */
int resolver_parse_line(char *line, const char **name, bool *ok,
			struct sl_prefix *addr, const char **reason);

#endif /* SLUICED_RESOLVE_H */
