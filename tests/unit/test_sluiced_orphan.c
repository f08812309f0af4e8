// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluiced's orphan handling (orphan.c: /proc/PID/stat and pidfile
 * parsing, which process counts as our previous client) and the
 * sock_diag reply parser of the listener check (diag.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../../userspace/sluiced/diag.h"
#include "../../userspace/sluiced/orphan.h"

#define STAT_TAIL " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 4242 18 19\n"

static void test_parse_stat(void **state)
{
	/* Fields 3.. after the comm: state ppid pgrp ... starttime (22). */
	static const char plain[] =
		"1234 (v2ray) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 6 0 0 "
		"20 0 9 0 987654321 1000 10\n";
	/* A comm with ") (" and spaces: only the last ')' ends it. */
	static const char odd[] = "77 (a) b (c) R 5 70" STAT_TAIL;
	struct pstat ps;

	(void)state;
	assert_int_equal(orphan_parse_stat(plain, strlen(plain), &ps), 0);
	assert_int_equal(ps.pid, 1234);
	assert_int_equal(ps.ppid, 1);
	assert_int_equal(ps.pgrp, 1234);
	assert_true(ps.start == 987654321ULL);
	assert_string_equal(ps.comm, "v2ray");
	assert_int_equal(orphan_parse_stat(odd, strlen(odd), &ps), 0);
	assert_int_equal(ps.pid, 77);
	assert_int_equal(ps.ppid, 5);
	assert_int_equal(ps.pgrp, 70);
	assert_string_equal(ps.comm, "a) b (c");
	/* Fields 6..21 are 1..16, so field 22, starttime, is 4242. */
	assert_true(ps.start == 4242ULL);
}

static void test_parse_stat_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"1234 v2ray S 1 1234",			/* no parentheses */
		"1234 (v2ray) S 1 1234 1234",		/* too short */
		"x (v2ray) S 1 1 1" STAT_TAIL,		/* no pid */
		"0 (v2ray) S 1 1 1" STAT_TAIL,		/* pid 0 */
		"12 (v2ray) S 1 x 1" STAT_TAIL,		/* pgrp not a number */
	};
	struct pstat ps;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(orphan_parse_stat(bad[i], strlen(bad[i]), &ps),
				 -1);
}

static void test_read_own_stat(void **state)
{
	struct pstat a, b;

	(void)state;
	assert_int_equal(orphan_read_stat(getpid(), &a), 0);
	assert_int_equal(a.pid, getpid());
	assert_int_equal(a.ppid, getppid());
	assert_int_equal(a.pgrp, getpgrp());
	assert_true(a.start > 0);
	/* The start time is what tells a recycled pid apart: stable. */
	assert_int_equal(orphan_read_stat(getpid(), &b), 0);
	assert_true(a.start == b.start);
	assert_int_equal(orphan_read_stat(0, &a), -1);
}

static void test_parse_rec(void **state)
{
	struct orphan_rec r;

	(void)state;
	assert_int_equal(orphan_parse_rec("321 99887766\n", 13, &r), 0);
	assert_int_equal(r.pid, 321);
	assert_true(r.start == 99887766ULL);
	assert_int_equal(orphan_parse_rec("321 5", 5, &r), 0);
	assert_int_equal(orphan_parse_rec("", 0, &r), -1);
	assert_int_equal(orphan_parse_rec("321\n", 4, &r), -1);
	assert_int_equal(orphan_parse_rec("0 5\n", 4, &r), -1);
	assert_int_equal(orphan_parse_rec("-3 5\n", 5, &r), -1);
	assert_int_equal(orphan_parse_rec("3 5 junk\n", 9, &r), -1);
	assert_int_equal(orphan_parse_rec("99999999999 5\n", 14, &r), -1);
}

static void test_is_ours(void **state)
{
	const struct orphan_rec r = { .pid = 500, .start = 1000 };
	struct pstat ps = { 0 };

	(void)state;
	/* The leader itself: pid and start time must both match. */
	ps.pid = 500;
	ps.pgrp = 500;
	ps.start = 1000;
	assert_true(orphan_is_ours(&r, &ps));
	ps.start = 1001;	/* pid recycled */
	assert_false(orphan_is_ours(&r, &ps));
	/* A member of that group, started later: a wrapper's child. */
	ps.pid = 510;
	ps.start = 1200;
	assert_true(orphan_is_ours(&r, &ps));
	ps.start = 999;		/* older than our client: not ours */
	assert_false(orphan_is_ours(&r, &ps));
	/* Another group altogether. */
	ps.start = 1200;
	ps.pgrp = 510;
	assert_false(orphan_is_ours(&r, &ps));
}

static void test_path(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(orphan_path(4026531840ULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/run/sluiced/client.4026531840.pid");
	assert_int_equal(orphan_path(4026531840ULL, buf, 20), -1);
}

/* One inet_diag_msg into @buf at @off; returns the new offset. */
static size_t put_msg(char *buf, size_t off, uint8_t family, uint8_t st,
		      uint16_t sport, uint32_t rq, uint32_t ino)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + off);
	struct inet_diag_msg *m;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));
	m->idiag_family = family;
	m->idiag_state = st;
	m->id.idiag_sport = htons(sport);
	m->idiag_rqueue = rq;
	m->idiag_inode = ino;
	return off + nlh->nlmsg_len;
}

static size_t put_done(char *buf, size_t off, int error)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf + off);

	if (error) {
		struct nlmsgerr *e;

		nlh->nlmsg_type = NLMSG_ERROR;
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		e->error = error;
	} else {
		nlh->nlmsg_type = NLMSG_DONE;
		mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	}
	return off + nlh->nlmsg_len;
}

static void test_diag_parse(void **state)
{
	static char buf[4096] __attribute__((aligned(4)));
	struct listen_info li = { 0 };
	size_t n = 0;

	(void)state;
	n = put_msg(buf, n, AF_INET, 10, 22, 7, 1);		/* other port */
	n = put_msg(buf, n, AF_INET, 1, 12345, 9, 2);		/* not LISTEN */
	n = put_msg(buf, n, AF_INET, 10, 12345, 2, 3);
	n = put_msg(buf, n, AF_INET6, 10, 12346, 5, 4);		/* port6 */
	n = put_msg(buf, n, AF_UNIX, 10, 12345, 50, 5);		/* family */
	assert_int_equal(diag_parse(buf, n, 12345, 12346, &li), 0);
	assert_int_equal(li.n, 2);
	assert_int_equal(li.rqueue, 5);
	assert_int_equal(li.inode, 3);
	/* The end of the dump. */
	n = put_done(buf, 0, 0);
	assert_int_equal(diag_parse(buf, n, 12345, 12346, &li), 1);
	assert_int_equal(li.n, 2);
	n = put_done(buf, 0, -EPERM);
	assert_int_equal(diag_parse(buf, n, 12345, 12346, &li), -EPERM);
	/* Truncated: nothing read past the buffer. */
	n = put_msg(buf, 0, AF_INET, 10, 12345, 1, 9);
	memset(&li, 0, sizeof(li));
	assert_int_equal(diag_parse(buf, n - 4, 12345, 12345, &li), 0);
	assert_int_equal(li.n, 0);
}

/* The real dump, on a loopback listener of our own (host netns). */
static void test_diag_live(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	struct listen_info li;
	int l, c, ret;
	uint16_t port;

	(void)state;
	l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(l, 8), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&a, &al), 0);
	port = ntohs(a.sin_port);
	ret = diag_listeners(port, port, &li);
	if (ret == -EPROTONOSUPPORT || ret == -ENOENT) {
		close(l);
		skip();	/* no inet_diag here: reported as skipped */
	}
	assert_int_equal(ret, 0);
	assert_int_equal(li.n, 1);
	assert_int_equal(li.rqueue, 0);
	/* One connection nobody accepts: the backlog the watchdog sees. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(diag_listeners(port, port, &li), 0);
	assert_int_equal(li.rqueue, 1);
	close(c);
	close(l);
	assert_int_equal(diag_listeners(port, port, &li), 0);
	assert_int_equal(li.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_stat),
		cmocka_unit_test(test_parse_stat_bad),
		cmocka_unit_test(test_read_own_stat),
		cmocka_unit_test(test_parse_rec),
		cmocka_unit_test(test_is_ours),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_diag_parse),
		cmocka_unit_test(test_diag_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
