/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Warnings about the namespace around sluice (sysctls, other firewall
 * rules), as `sluicectl status` and `sluicectl check` print them.  Each
 * has a stable kind (for scripts and --json), a message saying what breaks,
 * and the fix as a command line or an instruction.
 */
#ifndef SLUICE_WARN_H
#define SLUICE_WARN_H

#include <stddef.h>

#define SL_WARN_KIND_LEN 24
#define SL_WARN_MSG_LEN 384
#define SL_WARN_FIX_LEN 384

struct sl_warn {
	char kind[SL_WARN_KIND_LEN];
	char msg[SL_WARN_MSG_LEN];
	char fix[SL_WARN_FIX_LEN];
};

struct sl_warns {
	struct sl_warn *v;
	size_t n, cap;
};

/*
 * Append one warning; @fix may be NULL.  Returns 0, or -1 when out of
 * memory (the list is left as it was).  Over-long text is truncated.
 */
int sl_warn_add(struct sl_warns *w, const char *kind, const char *fix,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void sl_warns_free(struct sl_warns *w);

#endif /* SLUICE_WARN_H */
