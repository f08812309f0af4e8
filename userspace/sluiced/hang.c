// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "hang.h"

void hang_reset(struct hang *h)
{
	h->last = -1;
	h->stuck = 0;
	h->hung = false;
}

enum hang_event hang_sample(struct hang *h, int64_t q, unsigned limit)
{
	bool shrank = h->last >= 0 && q >= 0 && q < h->last;

	if (q < 0) {
		h->last = -1;
		h->stuck = 0;
		return HANG_NONE;
	}
	h->last = q;
	if (q == 0 || shrank) {
		h->stuck = 0;
		if (!h->hung)
			return HANG_NONE;
		h->hung = false;
		return HANG_DRAINED;
	}
	if (h->stuck < limit)
		h->stuck++;
	if (h->hung || h->stuck < limit)
		return HANG_NONE;
	h->hung = true;
	return HANG_STUCK;
}
