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
	assert_false(c.local);
	assert_int_equal(c.dns_port, 0);
	assert_false(c.dns_local);
	assert_int_equal(c.src_mode, SLUICE_SRC_EXCLUDE);
	assert_int_equal(c.n_src_macs, 0);
	assert_int_equal(c.src.n, 0);
	assert_int_equal(c.dflt, SLUICE_DEFAULT_PROXY);
	assert_false(c.quic_reject);
	conf_free(&c);
}

static void test_issue7_keys(void **state)
{
	static const char text[] =
		"lan br-lan\n"
		"local on\n"
		"dns 5353\n"
		"dns-local yes\n"
		"src-mode only\n"
		"src 192.0.2.10 192.0.2.64/27\n"
		"src 2001:db8::/64   # a whole /64\n"
		"src 192.0.2.10\n"			/* duplicate: merged */
		"src-mac 02:00:00:00:00:01\n"
		"src-mac AA-BB-CC-DD-EE-FF 02:00:00:00:00:02\n"
		"default direct\n"
		"quic reject\n"
		"list gfw /etc/sluice/direct.txt\n"
		"proxy-list gfw /etc/sluice/gfw.txt\n"
		"proxy-list extra /etc/sluice/extra.txt\n";
	struct sd_conf c;
	char err[CONF_ERR_LEN], pb[SL_PREFIX_STRLEN];

	(void)state;
	if (parse(&c, text, err))
		fail_msg("%s", err);
	assert_true(c.local);
	assert_int_equal(c.dns_port, 5353);
	assert_true(c.dns_local);
	assert_int_equal(c.src_mode, SLUICE_SRC_ONLY);
	assert_int_equal(c.src.n, 3);
	assert_int_equal(c.src.n4, 2);
	assert_int_equal(c.src.n6, 1);
	sl_prefix_format(&c.src.v[0], pb, sizeof(pb));
	assert_string_equal(pb, "192.0.2.10");
	sl_prefix_format(&c.src.v[1], pb, sizeof(pb));
	assert_string_equal(pb, "192.0.2.64/27");
	assert_int_equal(c.n_src_macs, 3);
	assert_memory_equal(c.src_macs[1], "\xaa\xbb\xcc\xdd\xee\xff", 6);
	assert_int_equal(c.dflt, SLUICE_DEFAULT_DIRECT);
	assert_true(c.quic_reject);
	/* The same name in two lists is two sources. */
	assert_int_equal(c.n_lists, 3);
	assert_int_equal(c.lists[0].list, SLUICE_LIST_WHITE);
	assert_int_equal(c.lists[1].list, SLUICE_LIST_PROXY);
	assert_string_equal(c.lists[1].name, "gfw");
	assert_string_equal(c.lists[1].file, "/etc/sluice/gfw.txt");
	assert_int_equal(c.lists[2].list, SLUICE_LIST_PROXY);
	conf_free(&c);
	assert_int_equal(c.src.n, 0);
	assert_null(c.src.v);

	/* Off values, and dns-local off needs no dns. */
	assert_int_equal(parse(&c, "lan a\nlocal off\ndns off\n"
			       "dns-local off\nsrc-mode exclude\n"
			       "default proxy\nquic pass\n", err), 0);
	assert_false(c.local);
	assert_int_equal(c.dns_port, 0);
	assert_int_equal(c.src_mode, SLUICE_SRC_EXCLUDE);
	assert_int_equal(c.dflt, SLUICE_DEFAULT_PROXY);
	assert_false(c.quic_reject);
	conf_free(&c);
}

static void test_src_mac_limit(void **state)
{
	char text[64 * 32 + 64], err[CONF_ERR_LEN];
	struct sd_conf c;
	size_t off;
	int i;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text), "lan a\n");
	for (i = 0; i < 64; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
					"src-mac 02:00:00:00:00:%02x\n", i);
	assert_int_equal(parse(&c, text, err), 0);
	assert_int_equal(c.n_src_macs, 64);
	conf_free(&c);
	snprintf(text + off, sizeof(text) - off, "src-mac 02:00:00:00:01:00\n");
	assert_int_equal(parse(&c, text, err), -1);
	assert_string_equal(err, "t.conf:66: too many src-mac addresses "
			    "(at most 64)");
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
	conf_free(&b);
	/* local moves the client into a cgroup: a restart is needed. */
	assert_int_equal(parse(&b, "client v2ray run\nlan y\nlocal on\n",
			       err), 0);
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
	{ "lan a\nlocal maybe\n", "t.conf:2: bad value 'maybe' for local (on or off)" },
	{ "lan a\nlocal on\nlocal off\n", "t.conf:3: duplicate key 'local' (first on line 2)" },
	{ "lan a\ndns 0\n", "t.conf:2: bad value '0' for dns (1-65535 or off)" },
	{ "lan a\ndns 65536\n", "t.conf:2: bad value '65536' for dns (1-65535 or off)" },
	{ "lan a\ndns on\n", "t.conf:2: bad value 'on' for dns (1-65535 or off)" },
	{ "lan a\ndns-local 2\n", "t.conf:2: bad value '2' for dns-local (on or off)" },
	{ "lan a\n\ndns-local on\n", "t.conf:3: 'dns-local on' needs 'dns PORT'" },
	{ "lan a\ndns-local on\ndns off\n", "t.conf:2: 'dns-local on' needs 'dns PORT'" },
	{ "lan a\nsrc-mode all\n", "t.conf:2: bad value 'all' for src-mode (exclude or only)" },
	{ "lan a\nsrc 192.0.2.1/24\n", "t.conf:2: host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)" },
	{ "lan a\nsrc 192.0.2.1 lan\n", "t.conf:2: bad address 'lan'" },
	{ "lan a\nsrc\n", "t.conf:2: 'src' needs at least 1 value" },
	{ "lan a\nsrc-mac 02:00:00:00:00\n", "t.conf:2: bad value '02:00:00:00:00' for src-mac (aa:bb:cc:dd:ee:ff)" },
	{ "lan a\nsrc-mac 01:00:5e:00:00:01\n", "t.conf:2: src-mac '01:00:5e:00:00:01' is a multicast address" },
	{ "lan a\nsrc-mac 00:00:00:00:00:00\n", "t.conf:2: src-mac '00:00:00:00:00:00' is the all-zero address" },
	{ "lan a\nsrc-mac 02:00:00:00:00:01\nsrc-mac 02-00-00-00-00-01\n", "t.conf:3: src-mac '02-00-00-00-00-01' listed twice" },
	{ "lan a\ndefault tunnel\n", "t.conf:2: bad value 'tunnel' for default (proxy or direct)" },
	{ "lan a\nquic on\n", "t.conf:2: bad value 'on' for quic (reject or pass)" },
	{ "lan a\nproxy-list gfw\n", "t.conf:2: 'proxy-list' needs 2 values" },
	{ "lan a\nproxy-list gfw rel.txt\n", "t.conf:2: 'rel.txt' is not an absolute path" },
	{ "lan a\nproxy-list a!b /x\n", "t.conf:2: bad proxy-list name 'a!b' (1-31 of A-Z a-z 0-9 _ . -)" },
	{ "lan a\nproxy-list server /x\n", "t.conf:2: proxy-list name 'server' is reserved for sluiced's own source" },
	{ "lan a\nproxy-list g /x\nlist g /y\nproxy-list g /z\n", "t.conf:4: proxy-list 'g' defined twice" },
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
		assert_null(c.src.v);
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
		cmocka_unit_test(test_issue7_keys),
		cmocka_unit_test(test_src_mac_limit),
		cmocka_unit_test(test_redirect_mode),
		cmocka_unit_test(test_client_equal),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_nul_and_long),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests_name("sluiced_conf", tests, NULL, NULL);
}
