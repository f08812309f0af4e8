// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the `sluicectl load` list-file parser.  Besides
 * memory safety (ASan/UBSan), it checks the parser's contract:
 *  - success leaves a sorted, duplicate-free list with n4 + n6 == n,
 *    every prefix in range and without host bits, and every prefix
 *    formats to text that parses back to itself;
 *  - failure leaves an empty list and a one-line "NAME:LINE: reason".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[SL_ERR_LEN + 64], txt[SL_PREFIX_STRLEN];
	struct sl_pfx_list l;
	struct sl_prefix back;
	size_t i;

	if (sl_listfile_parse((const char *)data, size, "fuzz", &l, err,
			      sizeof(err)) < 0) {
		check(l.n == 0 && l.v == NULL);
		check(strncmp(err, "fuzz:", 5) == 0);
		check(strchr(err, '\n') == NULL);
		return 0;
	}
	check(l.n4 + l.n6 == l.n);
	for (i = 0; i < l.n; i++) {
		const struct sl_prefix *p = &l.v[i];

		check(p->plen <= sl_prefix_maxlen(p));
		if (i)
			check(sl_prefix_cmp(&l.v[i - 1], p) < 0);
		sl_prefix_format(p, txt, sizeof(txt));
		check(sl_prefix_parse(txt, &back, NULL, 0) == 0);
		check(sl_prefix_cmp(&back, p) == 0);
	}
	sl_pfx_list_free(&l);
	return 0;
}
