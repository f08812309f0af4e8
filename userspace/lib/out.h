/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Human output: groups of "key: value" lines with the values aligned, as
 *	config:
 *	  enabled:     on
 *	  mode:        tproxy
 * A group is collected first, then printed, so the width fits its keys.
 */
#ifndef SLUICE_OUT_H
#define SLUICE_OUT_H

#include <stdio.h>

#define SL_KV_MAX 40
/* Long enough for 64 src-mac addresses or 16 LAN interface names. */
#define SL_KV_VLEN 1200

struct sl_kv_group {
	const char *title;
	unsigned n;
	const char *key[SL_KV_MAX];
	char val[SL_KV_MAX][SL_KV_VLEN];
};

void sl_kv_init(struct sl_kv_group *g, const char *title);
/* Add one line; silently ignored past SL_KV_MAX. @key must outlive g. */
void sl_kv_add(struct sl_kv_group *g, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sl_kv_print(FILE *f, const struct sl_kv_group *g);

#endif /* SLUICE_OUT_H */
