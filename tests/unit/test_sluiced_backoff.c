// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Restart backoff of the tunnel client. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../userspace/sluiced/backoff.h"

static void test_doubling(void **state)
{
	(void)state;
	assert_int_equal(backoff_delay(0, 1000, 60000), 1000);
	assert_int_equal(backoff_delay(1, 1000, 60000), 2000);
	assert_int_equal(backoff_delay(2, 1000, 60000), 4000);
	assert_int_equal(backoff_delay(5, 1000, 60000), 32000);
	assert_int_equal(backoff_delay(6, 1000, 60000), 60000);	/* capped */
	assert_int_equal(backoff_delay(7, 1000, 60000), 60000);
}

static void test_extremes(void **state)
{
	(void)state;
	/* Huge failure counts neither overflow nor loop forever. */
	assert_int_equal(backoff_delay(4000000000u, 1000, 60000), 60000);
	assert_int_equal(backoff_delay(100, 1, UINT32_MAX), UINT32_MAX);
	assert_int_equal(backoff_delay(31, 1, UINT32_MAX), 1u << 31);
	/* min == max: constant; min 0 is treated as 1 ms; max < min: max. */
	assert_int_equal(backoff_delay(3, 500, 500), 500);
	assert_int_equal(backoff_delay(0, 0, 100), 1);
	assert_int_equal(backoff_delay(2, 0, 100), 4);
	assert_int_equal(backoff_delay(0, 1000, 10), 10);
}

static void test_after_exit(void **state)
{
	unsigned f = 0;
	int i;

	(void)state;
	f = backoff_after_exit(f, 10);
	assert_int_equal(f, 1);
	f = backoff_after_exit(f, BACKOFF_STABLE_MS - 1);
	assert_int_equal(f, 2);
	/* A healthy run forgives earlier crashes. */
	f = backoff_after_exit(f, BACKOFF_STABLE_MS);
	assert_int_equal(f, 0);
	for (i = 0; i < 1000; i++)
		f = backoff_after_exit(f, 0);
	assert_int_equal(f, 64);	/* saturates */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubling),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_after_exit),
	};

	return cmocka_run_group_tests_name("sluiced_backoff", tests, NULL, NULL);
}
