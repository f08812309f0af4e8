// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the server extraction from v2ray / xray /
 * sing-box JSON configs.  Checks: -1 leaves the list empty with a reason;
 * otherwise the count matches, names are non-empty and distinct.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/sluiced/servers.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct name_list l = { 0 };
	char err[256] = "";
	size_t i, j;
	int n;

	n = servers_from_json((const char *)data, size, &l, err, sizeof(err));
	if (n < 0) {
		check(l.n == 0 && err[0]);
	} else {
		check((size_t)n == l.n);
		for (i = 0; i < l.n; i++) {
			check(l.v[i][0] != '\0');
			for (j = i + 1; j < l.n; j++)
				check(strcmp(l.v[i], l.v[j]));
		}
	}
	name_list_free(&l);
	return 0;
}
