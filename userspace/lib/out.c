// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "out.h"

#include <stdarg.h>
#include <string.h>

void sl_kv_init(struct sl_kv_group *g, const char *title)
{
	g->title = title;
	g->n = 0;
}

void sl_kv_add(struct sl_kv_group *g, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (g->n == SL_KV_MAX)
		return;
	g->key[g->n] = key;
	va_start(ap, fmt);
	vsnprintf(g->val[g->n], SL_KV_VLEN, fmt, ap);
	va_end(ap);
	g->n++;
}

void sl_kv_print(FILE *f, const struct sl_kv_group *g)
{
	size_t w = 0;
	unsigned i;

	if (!g->n)
		return;
	for (i = 0; i < g->n; i++)
		if (strlen(g->key[i]) > w)
			w = strlen(g->key[i]);
	fprintf(f, "%s:\n", g->title);
	for (i = 0; i < g->n; i++)
		fprintf(f, "  %s:%*s %s\n", g->key[i],
			(int)(w - strlen(g->key[i])), "", g->val[i]);
}
