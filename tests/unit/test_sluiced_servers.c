// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Tunnel server extraction from the client's JSON config: v2ray vnext and
 * servers, xray, sing-box, and configs that are broken or odd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../userspace/sluiced/servers.h"

static int extract(const char *json, struct name_list *l, char *err)
{
	memset(l, 0, sizeof(*l));
	err[0] = '\0';
	return servers_from_json(json, strlen(json), l, err, 256);
}

static void test_v2ray_vnext(void **state)
{
	static const char json[] =
		"{ // v2ray allows comments\n"
		" \"inbounds\": [{\"port\": 12345, \"protocol\": \"dokodemo-door\"}],\n"
		" \"outbounds\": [\n"
		"  {\"protocol\": \"vmess\", \"settings\": {\"vnext\": [\n"
		"    {\"address\": \"v1.example.com\", \"port\": 443},\n"
		"    {\"address\": \"203.0.113.5\", \"port\": 443}]}},\n"
		"  {\"protocol\": \"freedom\", \"settings\": {}},\n"
		"  {\"protocol\": \"blackhole\"}\n"
		" ]}\n";
	struct name_list l;
	char err[256];

	(void)state;
	assert_int_equal(extract(json, &l, err), 2);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "v1.example.com");
	assert_string_equal(l.v[1], "203.0.113.5");
	name_list_free(&l);
}

static void test_v2ray_servers(void **state)
{
	static const char json[] =
		"{\"outbounds\": [{\"protocol\": \"shadowsocks\", \"settings\":"
		" {\"servers\": [{\"address\": \"ss.example.net\", \"port\": 8388},"
		" {\"address\": \"2001:db8::5\"}, {\"port\": 1}, {\"address\": 7}]}}]}";
	struct name_list l;
	char err[256];

	(void)state;
	assert_int_equal(extract(json, &l, err), 2);
	assert_string_equal(l.v[0], "ss.example.net");
	assert_string_equal(l.v[1], "2001:db8::5");
	name_list_free(&l);
}

static void test_xray(void **state)
{
	/* xray: same layout, VLESS/trojan; duplicates are listed once. */
	static const char json[] =
		"{\"log\": {\"loglevel\": \"warning\"}, \"outbounds\": ["
		"{\"tag\": \"proxy\", \"protocol\": \"vless\", \"settings\": {\"vnext\":"
		" [{\"address\": \"x.example.org\", \"port\": 443, \"users\": []}]},"
		" \"streamSettings\": {\"network\": \"tcp\", \"security\": \"reality\"}},"
		"{\"protocol\": \"trojan\", \"settings\": {\"servers\": ["
		" {\"address\": \"x.example.org\", \"port\": 443, \"password\": \"p\"}]}},"
		"{\"tag\": \"direct\", \"protocol\": \"freedom\"}]}";
	struct name_list l;
	char err[256];

	(void)state;
	assert_int_equal(extract(json, &l, err), 1);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "x.example.org");
	name_list_free(&l);
}

static void test_sing_box(void **state)
{
	static const char json[] =
		"{\"inbounds\": [{\"type\": \"tproxy\", \"listen_port\": 12345}],"
		" \"outbounds\": ["
		"  {\"type\": \"vless\", \"tag\": \"proxy\", \"server\": \"sb.example.com\","
		"   \"server_port\": 443},"
		"  {\"type\": \"hysteria2\", \"server\": \"198.51.100.9\"},"
		"  {\"type\": \"direct\", \"tag\": \"direct\"},"
		"  {\"type\": \"dns\", \"server\": \"\"}]}";
	struct name_list l;
	char err[256];

	(void)state;
	assert_int_equal(extract(json, &l, err), 2);
	assert_string_equal(l.v[0], "sb.example.com");
	assert_string_equal(l.v[1], "198.51.100.9");
	name_list_free(&l);
}

static void test_missing_fields(void **state)
{
	static const char *const none[] = {
		"{}",
		"{\"outbounds\": {}}",
		"{\"outbounds\": []}",
		"{\"outbounds\": [1, \"x\", null, []]}",
		"{\"outbounds\": [{\"settings\": []}]}",
		"{\"outbounds\": [{\"settings\": {\"vnext\": {}}}]}",
		"{\"outbounds\": [{\"settings\": {\"vnext\": [1, null]}}]}",
		"{\"outbounds\": [{\"server\": 5, \"settings\": {\"servers\": [{\"address\": null}]}}]}",
		"{\"outbounds\": [{\"server\": \"a\\u0000b\"}]}",
	};
	struct name_list l;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		if (extract(none[i], &l, err) != 0)
			fail_msg("%s: %s", none[i], err);
		assert_int_equal(l.n, 0);
		name_list_free(&l);
	}
}

static void test_malformed(void **state)
{
	static const struct { const char *json, *err; } bad[] = {
		{ "", "not valid JSON: unexpected end of file" },
		{ "{\"outbounds\": [", "not valid JSON: unexpected end of file" },
		{ "{\"a\": tru}", NULL },
		{ "[1, 2]", "not a JSON object" },
		{ "\"x\"", "not a JSON object" },
		{ "{} {}", "not valid JSON: trailing data at offset 3" },
		{ "{\"a\" 1}", NULL },
	};
	struct name_list l;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (extract(bad[i].json, &l, err) != -1)
			fail_msg("accepted: %s", bad[i].json);
		if (bad[i].err)
			assert_string_equal(err, bad[i].err);
		else
			assert_int_equal(strncmp(err, "not valid JSON: ", 16), 0);
		assert_int_equal(l.n, 0);
		name_list_free(&l);
	}
}

static void test_name_list(void **state)
{
	struct name_list l = { 0 };
	char name[16];
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "h%d", i % 50);
		assert_int_equal(name_list_add(&l, name), 0);
	}
	assert_int_equal(l.n, 50);
	name_list_free(&l);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2ray_vnext),
		cmocka_unit_test(test_v2ray_servers),
		cmocka_unit_test(test_xray),
		cmocka_unit_test(test_sing_box),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_name_list),
	};

	return cmocka_run_group_tests_name("sluiced_servers", tests, NULL, NULL);
}
