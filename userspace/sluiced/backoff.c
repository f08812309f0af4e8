// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "backoff.h"

uint32_t backoff_delay(unsigned failures, uint32_t min_ms, uint32_t max_ms)
{
	uint64_t d = min_ms ? min_ms : 1;

	if (max_ms < d)
		return max_ms;
	/* Shift one step at a time: no overflow however large @failures. */
	while (failures-- && d < max_ms)
		d <<= 1;
	return d > max_ms ? max_ms : (uint32_t)d;
}

unsigned backoff_after_exit(unsigned failures, uint64_t ran_ms)
{
	if (ran_ms >= BACKOFF_STABLE_MS)
		return 0;
	return failures < 64 ? failures + 1 : failures;
}
