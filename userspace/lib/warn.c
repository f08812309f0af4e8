// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warn.h"

int sl_warn_add(struct sl_warns *w, const char *kind, const char *fix,
		const char *fmt, ...)
{
	struct sl_warn *e;
	va_list ap;

	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		struct sl_warn *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -1;
		w->v = v;
		w->cap = cap;
	}
	e = &w->v[w->n++];
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	snprintf(e->fix, sizeof(e->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return 0;
}

void sl_warns_free(struct sl_warns *w)
{
	free(w->v);
	w->v = NULL;
	w->n = w->cap = 0;
}
