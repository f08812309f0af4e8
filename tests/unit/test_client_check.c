// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * userspace/lib/client_check.c against a fake /proc: which processes hold
 * the listener, in which cgroup, and what the loop guard can tell apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "checks.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* Process @pid in cgroup @cg holding socket inode @inode (0: none). */
static void proc(const char *pid, const char *comm, const char *cg,
		 unsigned long inode)
{
	char rel[64], text[256], path[256];

	dir(pid);
	snprintf(rel, sizeof(rel), "%s/fd", pid);
	dir(rel);
	snprintf(rel, sizeof(rel), "%s/comm", pid);
	snprintf(text, sizeof(text), "%s\n", comm);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%s/cgroup", pid);
	snprintf(text, sizeof(text), "0::%s\n", cg);
	put(rel, text);
	if (inode) {
		snprintf(path, sizeof(path), "%s/%s/fd/3", root, pid);
		snprintf(text, sizeof(text), "socket:[%lu]", inode);
		assert_int_equal(symlink(text, path), 0);
	}
}

#define TCP_HDR "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/sluice-client-check.XXXXXX");
	assert_non_null(mkdtemp(root));
	dir("net");
	/* a listener on 12345 (0x3039), inode 4711; a connection on 80 */
	put("net/tcp", TCP_HDR
	    "   0: 00000000:3039 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4711 1 0000000000000000 100 0 0 10 0\n"
	    "   1: 0100007F:0050 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4712 1 0000000000000000 100 0 0 10 0\n");
	put("net/tcp6", TCP_HDR);
	put("net/udp", TCP_HDR);
	put("net/udp6", TCP_HDR);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static size_t run(bool local, struct sl_warns *w)
{
	struct sl_check_in in = { .mode = SLUICE_MODE_TPROXY, .local = local,
				  .port = 12345, .port6 = 12345,
				  .proc_root = root };

	assert_int_equal(sl_check_client(&in, w), 0);
	return w->n;
}

static void root_cgroup(void **state)
{
	struct sl_warns w = { 0 };

	(void)state;
	proc("100", "v2ray", "/", 4711);
	proc("200", "curl", "/", 0);
	assert_int_equal(run(false, &w), 0);	/* local off: no matter */
	assert_int_equal(run(true, &w), 1);
	assert_string_equal(w.v[0].kind, "loop-guard");
	assert_non_null(strstr(w.v[0].msg, "v2ray, pid 100) is in the root cgroup"));
	sl_warns_free(&w);
}

static void shared_cgroup(void **state)
{
	struct sl_warns w = { 0 };

	(void)state;
	proc("100", "v2ray", "/system.slice/ssh.service", 4711);
	proc("200", "bash", "/system.slice/ssh.service", 0);
	proc("300", "sshd", "/system.slice/ssh.service", 0);
	proc("400", "dnsmasq", "/system.slice/dnsmasq.service", 0);
	assert_int_equal(run(true, &w), 1);
	assert_non_null(strstr(w.v[0].msg,
			       "shares cgroup /system.slice/ssh.service with 2 other process(es)"));
	sl_warns_free(&w);
}

static void own_cgroup(void **state)
{
	struct sl_warns w = { 0 };

	(void)state;
	/* the client and a thread-group sibling holding the same socket */
	proc("100", "v2ray", "/sluiced/sluice-client", 4711);
	proc("101", "v2ray", "/sluiced/sluice-client", 4711);
	proc("200", "sluiced", "/sluiced", 0);
	/* a process holding only the other socket is not a listener */
	proc("300", "curl", "/", 4712);
	assert_int_equal(run(true, &w), 0);
	sl_warns_free(&w);
}

static void no_listener(void **state)
{
	struct sl_warns w = { 0 };

	(void)state;
	proc("300", "curl", "/", 4712);
	assert_int_equal(run(true, &w), 0);
	sl_warns_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(root_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(shared_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(own_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(no_listener, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
