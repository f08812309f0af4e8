// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluiced's `local on` plumbing: finding its own cgroup v2 path in
 * /proc/self/cgroup text, the client cgroup's path, and proc_spawn's hook
 * that runs in the parent before the child execs (where sluiced moves
 * the client into its cgroup: sockets keep the cgroup they were made in).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../userspace/sluiced/cgroup.h"
#include "../../userspace/sluiced/proc.h"

static int self_path(const char *text, char *out, size_t len)
{
	return cgroup_parse_self(text, strlen(text), out, len);
}

static void test_parse_self(void **state)
{
	char p[CGROUP_PATH_MAX];

	(void)state;
	assert_int_equal(self_path("0::/system.slice/sluiced.service\n", p,
				   sizeof(p)), 0);
	assert_string_equal(p, "/system.slice/sluiced.service");
	assert_int_equal(self_path("0::/\n", p, sizeof(p)), 0);
	assert_string_equal(p, "/");
	/* Hybrid hierarchy: v1 lines first, no final newline. */
	assert_int_equal(self_path("12:pids:/x\n1:name=systemd:/y\n0::/z", p,
				   sizeof(p)), 0);
	assert_string_equal(p, "/z");
	/* v1 only: no "0::" line. */
	assert_int_equal(self_path("3:cpu,cpuacct:/\n1:name=systemd:/\n", p,
				   sizeof(p)), -1);
	assert_int_equal(self_path("", p, sizeof(p)), -1);
	assert_int_equal(self_path("0::\n", p, sizeof(p)), -1);
	assert_int_equal(self_path("10::/a\n", p, sizeof(p)), -1);
	/* Too long for the buffer. */
	assert_int_equal(self_path("0::/abcdefgh\n", p, 8), -1);
	assert_int_equal(self_path("0::/abcdef\n", p, 8), 0);
}

static void test_client_path(void **state)
{
	char p[64];

	(void)state;
	assert_int_equal(cgroup_client_path("/sys/fs/cgroup", "/", p,
					    sizeof(p)), 0);
	assert_string_equal(p, "/sys/fs/cgroup/sluice-client");
	assert_int_equal(cgroup_client_path("/sys/fs/cgroup", "/a/b.service",
					    p, sizeof(p)), 0);
	assert_string_equal(p, "/sys/fs/cgroup/a/b.service/sluice-client");
	assert_int_equal(cgroup_client_path("/sys/fs/cgroup",
					    "/01234567890123456789012345678901234567890",
					    p, sizeof(p)), -1);
}

static bool only_7_and_9(pid_t pid, void *arg)
{
	(void)arg;
	return pid == 7 || pid == 9;
}

/* sluiced alone in its cgroup (a service's own): the client may share it. */
static void test_procs_all(void **state)
{
	static const struct {
		const char *text;
		bool all;
	} cases[] = {
		{ "7\n", true },
		{ "7\n9\n", true },
		{ "9", true },			/* no final newline */
		{ "", true },
		{ "7\n8\n", false },		/* someone else */
		{ "7\n\n9\n", false },		/* not one pid per line */
		{ "7x\n", false },
		{ "-7\n", false },
		{ "0\n", false },
		{ "99999999999\n", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(cgroup_procs_all(cases[i].text,
						  strlen(cases[i].text),
						  only_7_and_9, NULL),
				 cases[i].all);
}

/* The hook leaves a file behind; the child only succeeds if it sees it. */
static void make_marker(pid_t pid, void *arg)
{
	FILE *f = fopen(arg, "w");

	assert_true(pid > 0);
	assert_non_null(f);
	fclose(f);
}

static void test_spawn_hook_first(void **state)
{
	char marker[] = "/tmp/sluiced-hook-XXXXXX";
	char *const argv[] = { "/bin/sh", "-c", "test -e \"$0\"", marker,
			       NULL };
	int status, fd, round;
	pid_t pid;

	(void)state;
	fd = mkstemp(marker);
	assert_true(fd >= 0);
	close(fd);
	/* Several rounds: an unordered spawn would lose the race at times. */
	for (round = 0; round < 20; round++) {
		unlink(marker);
		pid = proc_spawn(argv, NULL, NULL, make_marker, marker);
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	/* Without a hook the child does not wait, and finds no file. */
	unlink(marker);
	pid = proc_spawn(argv, NULL, NULL, NULL, NULL);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_self),
		cmocka_unit_test(test_client_path),
		cmocka_unit_test(test_procs_all),
		cmocka_unit_test(test_spawn_hook_first),
	};

	return cmocka_run_group_tests_name("sluiced_cgroup", tests, NULL, NULL);
}
