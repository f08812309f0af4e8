// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluiced.conf parser: every key, defaults, and every kind of bad line
 * with its exact FILE:LINE message (the operator's only clue).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../userspace/sluiced/conf.h"

static int parse(struct sd_conf *c, const char *text, char *err)
{
	err[0] = '\0';
	return conf_parse(c, text, strlen(text), "t.conf", err, CONF_ERR_LEN);
}

static void test_defaults(void **state)
{
	struct sd_conf c;
	char err[CONF_ERR_LEN];

	(void)state;
	assert_int_equal(parse(&c, "lan br-lan\n", err), 0);
	assert_null(c.client_argv);
	assert_null(c.client_config);
	assert_int_equal(c.mode, SLUICE_MODE_TPROXY);
	assert_int_equal(c.port, 12345);
	assert_int_equal(c.port6, 12345);
	assert_int_equal(c.bypass_mark, 0xff);
	assert_int_equal(c.fwmark, 0x100);
	assert_int_equal(c.fwmark_mask, 0x100);
	assert_int_equal(c.n_lan, 1);
	assert_string_equal(c.lan[0], "br-lan");
	assert_string_equal(c.wan, "");
	assert_false(c.masquerade);
	assert_true(c.routing);
	assert_int_equal(c.route_table, 100);
	assert_int_equal(c.rule_priority, 100);
	assert_int_equal(c.resolve_interval_s, 300);
	assert_int_equal(c.policy, POLICY_OPEN);
	assert_int_equal(c.log_level, LVL_INFO);
	assert_int_equal(c.stop_timeout_ms, 5000);
	assert_int_equal(c.restart_min_ms, 1000);
	assert_int_equal(c.restart_max_ms, 60000);
	assert_int_equal(c.probe_interval_ms, 100);
	conf_free(&c);
}

static void test_every_key(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf# full example\r\n"
		"client /usr/bin/xray run -c \"/etc/x ray/c.json\" 'a b' x\\y\n"
		"client-config /etc/xray/config.json   # trailing comment\n"
		"stop-timeout 2500ms\n"
		"restart-delay 2 2m\n"
		"probe-interval 50ms\n"
		"mode tproxy\n"
		"port 7000\n"
		"port6 7001\n"
		"mark 0x10/0xf0\n"
		"fwmark 0x1\n"
		"lan br-lan wlan0\n"
		"lan eth1\n"
		"wan pppoe-wan\n"
		"masquerade on\n"
		"routing on\n"
		"route-table 1000\n"
		"rule-priority 50\n"
		"list cn /etc/sluice/cn.txt\n"
		"list private-4 /etc/sluice/p4.txt\n"
		"server a.example.com 192.0.2.7\n"
		"server 2001:db8::1\n"
		"resolve-interval 10m\n"
		"failure-policy closed\n"
		"log-level debug";	/* no final newline */
	struct sd_conf c;
	char err[CONF_ERR_LEN];

	(void)state;
	if (parse(&c, text, err))
		fail_msg("%s", err);
	assert_int_equal(c.client_argc, 6);
	assert_string_equal(c.client_argv[0], "/usr/bin/xray");
	assert_string_equal(c.client_argv[3], "/etc/x ray/c.json");
	assert_string_equal(c.client_argv[4], "a b");
	assert_string_equal(c.client_argv[5], "x\\y");
	assert_null(c.client_argv[6]);
	assert_string_equal(c.client_config, "/etc/xray/config.json");
	assert_int_equal(c.stop_timeout_ms, 2500);
	assert_int_equal(c.restart_min_ms, 2000);
	assert_int_equal(c.restart_max_ms, 120000);
	assert_int_equal(c.probe_interval_ms, 50);
	assert_int_equal(c.port, 7000);
	assert_int_equal(c.port6, 7001);
	assert_int_equal(c.bypass_mark, 0x10);
	assert_int_equal(c.bypass_mask, 0xf0);
	assert_int_equal(c.fwmark, 1);
	assert_int_equal(c.fwmark_mask, 0xffffffff);
	assert_int_equal(c.n_lan, 3);
	assert_string_equal(c.lan[2], "eth1");
	assert_string_equal(c.wan, "pppoe-wan");
	assert_true(c.masquerade);
	assert_int_equal(c.route_table, 1000);
	assert_int_equal(c.rule_priority, 50);
	assert_int_equal(c.n_lists, 2);
	assert_string_equal(c.lists[1].name, "private-4");
	assert_string_equal(c.lists[1].file, "/etc/sluice/p4.txt");
	assert_int_equal(c.n_servers, 3);
	assert_string_equal(c.servers[2], "2001:db8::1");
	assert_int_equal(c.resolve_interval_s, 600);
	assert_int_equal(c.policy, POLICY_CLOSED);
	assert_int_equal(c.log_level, LVL_DEBUG);
	conf_free(&c);
}

static void test_redirect_mode(void **state)
{
	struct sd_conf c;
	char err[CONF_ERR_LEN];

	(void)state;
	assert_int_equal(parse(&c, "mode redirect\nlan a\nrouting on\n"
			       "resolve-interval 0\nmasquerade off\n", err), 0);
	assert_int_equal(c.mode, SLUICE_MODE_REDIRECT);
	assert_false(c.routing);	/* no routes in redirect mode */
	assert_int_equal(c.resolve_interval_s, 0);
	conf_free(&c);
}

static void test_client_equal(void **state)
{
	struct sd_conf a, b;
	char err[CONF_ERR_LEN];

	(void)state;
	assert_int_equal(parse(&a, "lan x\nclient v2ray run\n", err), 0);
	assert_int_equal(parse(&b, "client v2ray  run # c\nlan y\n", err), 0);
	assert_true(conf_client_equal(&a, &b));
	conf_free(&b);
	assert_int_equal(parse(&b, "client v2ray run -c x\nlan y\n", err), 0);
	assert_false(conf_client_equal(&a, &b));
	conf_free(&a);
	conf_free(&b);
}

/* One bad input, one exact message. */
static const struct {
	const char *text, *msg;
} bad[] = {
	{ "lan a\nfoo bar\n", "t.conf:2: unknown key 'foo'" },
	{ "lan a\n\n  Port 1\n", "t.conf:3: unknown key 'Port'" },
	{ "port\nlan a\n", "t.conf:1: 'port' needs 1 value" },
	{ "port 1 2\n", "t.conf:1: 'port' takes at most 1 value" },
	{ "list a\n", "t.conf:1: 'list' needs 2 values" },
	{ "client\n", "t.conf:1: 'client' needs at least 1 value" },
	{ "restart-delay 1 2 3\n", "t.conf:1: 'restart-delay' takes at most 2 values" },
	{ "port 0\n", "t.conf:1: bad value '0' for port (1-65535)" },
	{ "port 65536\n", "t.conf:1: bad value '65536' for port (1-65535)" },
	{ "port6 -1\n", "t.conf:1: bad value '-1' for port6 (1-65535)" },
	{ "port 12x\n", "t.conf:1: bad value '12x' for port (1-65535)" },
	{ "port 1\nport 2\n", "t.conf:2: duplicate key 'port' (first on line 1)" },
	{ "mode nat\n", "t.conf:1: bad value 'nat' for mode (tproxy or redirect)" },
	{ "mark 0x100/0xff\n", "t.conf:1: bad value '0x100/0xff' for mark (VALUE[/MASK], no bits outside the mask)" },
	{ "fwmark 0\n", "t.conf:1: bad value '0' for fwmark (nonzero VALUE[/MASK], no bits outside the mask)" },
	{ "lan a b a\n", "t.conf:1: interface 'a' listed twice" },
	{ "lan a/b\n", "t.conf:1: bad interface name 'a/b'" },
	{ "lan 0123456789abcdef\n", "t.conf:1: bad interface name '0123456789abcdef'" },
	{ "lan a b c d e f g h i j k l m n o p\nlan q\n", "t.conf:2: too many lan interfaces (at most 16)" },
	{ "wan a:b c\n", "t.conf:1: 'wan' takes at most 1 value" },
	{ "wan ..\n", "t.conf:1: bad interface name '..'" },
	{ "masquerade maybe\n", "t.conf:1: bad value 'maybe' for masquerade (on or off)" },
	{ "routing 1\n", "t.conf:1: bad value '1' for routing (on or off)" },
	{ "route-table 254\n", "t.conf:1: bad value '254' for route-table (1-4294967295 except 253, 254, 255)" },
	{ "route-table 0\n", "t.conf:1: bad value '0' for route-table (1-4294967295 except 253, 254, 255)" },
	{ "rule-priority 32766\n", "t.conf:1: bad value '32766' for rule-priority (1-32765)" },
	{ "list local /x\n", "t.conf:1: list name 'local' is reserved for sluiced's own source" },
	{ "list a!b /x\n", "t.conf:1: bad list name 'a!b' (1-31 of A-Z a-z 0-9 _ . -)" },
	{ "list a x.txt\n", "t.conf:1: 'x.txt' is not an absolute path" },
	{ "list a /x\nlist a /y\n", "t.conf:2: list 'a' defined twice" },
	{ "client-config rel.json\n", "t.conf:1: 'rel.json' is not an absolute path" },
	{ "server exa$mple.com\n", "t.conf:1: bad server name 'exa$mple.com'" },
	{ "server -x\n", "t.conf:1: bad server name '-x'" },
	{ "resolve-interval 500ms\n", "t.conf:1: bad value '500ms' for resolve-interval (whole seconds, 0 (never) or at least 1s)" },
	{ "stop-timeout 5h\n", "t.conf:1: bad value '5h' for stop-timeout (a duration such as 5, 5s, 500ms, 2m of at least 1ms, at most a day)" },
	{ "stop-timeout 0\n", "t.conf:1: bad value '0' for stop-timeout (a duration such as 5, 5s, 500ms, 2m of at least 1ms, at most a day)" },
	{ "probe-interval 99999999999\n", "t.conf:1: bad value '99999999999' for probe-interval (a duration such as 5, 5s, 500ms, 2m of at least 1ms, at most a day)" },
	{ "restart-delay 10 5\n", "t.conf:1: restart-delay: maximum 5 is below minimum 10" },
	{ "failure-policy shut\n", "t.conf:1: bad value 'shut' for failure-policy (open or closed)" },
	{ "log-level loud\n", "t.conf:1: bad value 'loud' for log-level (error, warning, notice, info, debug)" },
	{ "client \"v2ray\n", "t.conf:1: unterminated \" quote" },
	{ "client 'v2ray\n", "t.conf:1: unterminated ' quote" },
	{ "port 1\n\n", "t.conf: no 'lan' interface given" },
	{ "", "t.conf: no 'lan' interface given" },
};

static void test_bad_lines(void **state)
{
	char err[CONF_ERR_LEN];
	struct sd_conf c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&c, bad[i].text, err) != -1)
			fail_msg("accepted: %s", bad[i].text);
		if (strcmp(err, bad[i].msg))
			fail_msg("'%s':\n got  %s\n want %s", bad[i].text, err,
				 bad[i].msg);
		/* A failed parse leaves nothing to free. */
		assert_null(c.client_argv);
		assert_int_equal(c.n_lists, 0);
	}
}

static void test_nul_and_long(void **state)
{
	static const char nul[] = "lan a\nport 1\0\n";
	char err[CONF_ERR_LEN], line[400];
	struct sd_conf c;

	(void)state;
	assert_int_equal(conf_parse(&c, nul, sizeof(nul) - 1, "t.conf", err,
				    sizeof(err)), -1);
	assert_string_equal(err, "t.conf:2: NUL byte in line");
	/* Garbage keys are quoted and cut short. */
	memset(line, 'k', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[3] = '\x01';
	assert_int_equal(parse(&c, line, err), -1);
	assert_string_equal(err, "t.conf:1: unknown key 'kkk\\x01kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...'");
}

static void test_load(void **state)
{
	char path[] = "/tmp/sluiced-conf-XXXXXX", err[CONF_ERR_LEN];
	struct sd_conf c;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "lan x\nport 99999\n", 17), 17);
	close(fd);
	assert_int_equal(conf_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: bad value '99999' for port"));
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	unlink(path);
	assert_int_equal(conf_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ": No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_redirect_mode),
		cmocka_unit_test(test_client_equal),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_nul_and_long),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests_name("sluiced_conf", tests, NULL, NULL);
}
