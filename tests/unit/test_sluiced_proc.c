// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * proc_spawn: the client is told when sluiced dies (PR_SET_PDEATHSIG),
 * so a SIGKILLed sluiced leaves no orphan to share the client's port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../userspace/sluiced/proc.h"

/*
 * A "sluiced" (an intermediate child) spawns `sleep 100` and is
 * SIGKILLed.  We are the subreaper, so the orphan comes to us: it must
 * end by SIGTERM (or by itself, if it saw the parent die before it armed
 * the death signal), long before its 100 s.
 */
static void test_parent_death(void **state)
{
	char *const argv[] = { "sleep", "100", NULL };
	int p[2], status;
	pid_t mid, client = 0;

	(void)state;
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(p), 0);
	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		pid_t c = proc_spawn(argv, NULL, NULL, NULL, NULL);

		if (write(p[1], &c, sizeof(c)) != sizeof(c))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &client, sizeof(client)),
			 (ssize_t)sizeof(client));
	close(p[0]);
	assert_true(client > 0);
	assert_int_equal(kill(mid, SIGKILL), 0);
	assert_int_equal(waitpid(mid, &status, 0), mid);
	alarm(20);	/* a missing death signal fails, not hangs */
	assert_int_equal(waitpid(client, &status, 0), client);
	alarm(0);
	/*
	 * Either the death signal ended it, or "sluiced" died before the
	 * child had armed it and the child saw itself orphaned at once
	 * (exit 127 before exec): both mean no orphan outlives its parent.
	 */
	if (WIFEXITED(status))
		assert_int_equal(WEXITSTATUS(status), 127);
	else
		assert_int_equal(WTERMSIG(status), SIGTERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parent_death),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
