/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Run a program (found in PATH, plus the sbin directories, which a
 * non-root PATH often lacks) and collect what it prints.
 */
#ifndef SLUICE_RUNCMD_H
#define SLUICE_RUNCMD_H

#include <stddef.h>

struct sl_spawn_out {
	char *out;		/* stdout, NUL-terminated (malloc'd) */
	size_t out_len;
	char err[256];		/* start of stderr, NUL-terminated */
	int status;		/* exit status, or 128 + signal */
};

/*
 * 0: it ran (see @r->status); 1: no such program; -1: could not run it
 * (errno set).  Free @r->out with sl_spawn_free().  Output is capped at
 * @max bytes (more is read and discarded).
 */
int sl_spawn(const char *const argv[], size_t max, struct sl_spawn_out *r);
void sl_spawn_free(struct sl_spawn_out *r);

#endif /* SLUICE_RUNCMD_H */
