/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Restart delays for the tunnel client: exponential, capped, and reset
 * once a run lasted long enough to count as healthy.  Pure arithmetic.
 */
#ifndef SLUICED_BACKOFF_H
#define SLUICED_BACKOFF_H

#include <stdint.h>

/* A run at least this long resets the backoff (ms). */
#define BACKOFF_STABLE_MS 30000u

/* Delay before restart number @failures (0 = first): min * 2^n <= max. */
uint32_t backoff_delay(unsigned failures, uint32_t min_ms, uint32_t max_ms);

/*
 * The failure count after a run of @ran_ms ended: back to 0 after a
 * stable run, else one more (saturating).
 */
unsigned backoff_after_exit(unsigned failures, uint64_t ran_ms);

#endif /* SLUICED_BACKOFF_H */
