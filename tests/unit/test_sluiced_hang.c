// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The tunnel client's hang watchdog: accept backlog samples -> hung. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../userspace/sluiced/hang.h"

/* Feed @n samples of @q; the events, one per sample. */
static void feed(struct hang *h, int64_t q, unsigned n, unsigned limit,
		 enum hang_event *ev)
{
	for (unsigned i = 0; i < n; i++)
		ev[i] = hang_sample(h, q, limit);
}

static void test_empty_queue_never_hangs(void **state)
{
	struct hang h;
	enum hang_event ev[100];

	(void)state;
	hang_reset(&h);
	feed(&h, 0, 100, 5, ev);
	for (int i = 0; i < 100; i++)
		assert_int_equal(ev[i], HANG_NONE);
	assert_false(h.hung);
}

static void test_stuck_after_limit(void **state)
{
	struct hang h;
	enum hang_event ev[8];

	(void)state;
	hang_reset(&h);
	/* 1, 1, 2, 2, 3: never shrinking, above zero: hung on the 5th. */
	ev[0] = hang_sample(&h, 1, 5);
	ev[1] = hang_sample(&h, 1, 5);
	ev[2] = hang_sample(&h, 2, 5);
	ev[3] = hang_sample(&h, 2, 5);
	assert_false(h.hung);
	ev[4] = hang_sample(&h, 3, 5);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ev[i], HANG_NONE);
	assert_int_equal(ev[4], HANG_STUCK);
	assert_true(h.hung);
	/* Reported once, not per sample. */
	feed(&h, 3, 3, 5, ev);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ev[i], HANG_NONE);
	assert_true(h.hung);
	/* Shrinks: accepts again. */
	assert_int_equal(hang_sample(&h, 2, 5), HANG_DRAINED);
	assert_false(h.hung);
	/* And a new streak starts from zero. */
	feed(&h, 2, 4, 5, ev);
	assert_false(h.hung);
	assert_int_equal(hang_sample(&h, 2, 5), HANG_STUCK);
}

static void test_busy_but_accepting(void **state)
{
	static const int64_t q[] = { 3, 4, 2, 5, 6, 1, 1, 7, 0, 2, 3, 3, 1 };
	struct hang h;

	(void)state;
	hang_reset(&h);
	/* Any shrink or zero restarts the streak: a working client. */
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		assert_int_equal(hang_sample(&h, q[i], 4), HANG_NONE);
	assert_false(h.hung);
}

static void test_unknown_sample(void **state)
{
	struct hang h;
	enum hang_event ev[4];

	(void)state;
	hang_reset(&h);
	feed(&h, 1, 4, 5, ev);
	/* No listener / no sock_diag: the streak is forgotten. */
	assert_int_equal(hang_sample(&h, -1, 5), HANG_NONE);
	feed(&h, 1, 4, 5, ev);
	assert_false(h.hung);
	assert_int_equal(hang_sample(&h, 1, 5), HANG_STUCK);
	/* ... but a hang is not ended by it, only by a drain. */
	assert_int_equal(hang_sample(&h, -1, 5), HANG_NONE);
	assert_true(h.hung);
	assert_int_equal(hang_sample(&h, 0, 5), HANG_DRAINED);
}

static void test_drain_to_zero_first_sample(void **state)
{
	struct hang h;

	(void)state;
	hang_reset(&h);
	assert_int_equal(hang_sample(&h, 5, 1), HANG_STUCK);
	assert_int_equal(hang_sample(&h, 0, 1), HANG_DRAINED);
	assert_int_equal(hang_sample(&h, 0, 1), HANG_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_queue_never_hangs),
		cmocka_unit_test(test_stuck_after_limit),
		cmocka_unit_test(test_busy_but_accepting),
		cmocka_unit_test(test_unknown_sample),
		cmocka_unit_test(test_drain_to_zero_first_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
