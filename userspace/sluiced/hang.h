/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Hang watchdog for the tunnel client.  A client that is alive but no
 * longer accepts (deadlocked, stopped behind a wrapper, swapped to death)
 * still passes the connect probe: the kernel completes handshakes into
 * the listener's accept queue on its own.  What gives it away is that
 * queue: sock_diag's idiag_rqueue of a listening socket is its current
 * accept backlog.  A working client empties it at once; a hung one lets
 * it sit.  So the client counts as hung when the backlog was above zero
 * and never shrank for HANG_SAMPLES samples in a row, and as working
 * again as soon as it shrinks.  Pure: the caller samples (diag.c).
 */
#ifndef SLUICED_HANG_H
#define SLUICED_HANG_H

#include <stdbool.h>
#include <stdint.h>

/* Samples (one per HANG_SAMPLE_MS while healthy) before "hung". */
#define HANG_SAMPLES 5
#define HANG_SAMPLE_MS 1000

struct hang {
	int64_t last;		/* previous sample, -1 = none */
	unsigned stuck;		/* samples in a row with a backlog not shrinking */
	bool hung;
};

enum hang_event {
	HANG_NONE,
	HANG_STUCK,		/* just became hung */
	HANG_DRAINED,		/* was hung, accepts again */
};

void hang_reset(struct hang *h);

/*
 * One sample of the accept backlog (@q >= 0), or @q < 0 when it could not
 * be read (no listener, sock_diag failed): that forgets the streak but
 * does not end a hang (the connect probe judges a missing listener).
 */
enum hang_event hang_sample(struct hang *h, int64_t q, unsigned limit);

#endif /* SLUICED_HANG_H */
