// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluicectl parsers for the lists and the issue-7 settings: the `set`
 * keys local, dns, dns-local, src-mode, src-mac, default and quic (good
 * and bad values, exact messages), MAC addresses, the -L option, the new
 * names, and their netlink encoding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "attrs.h"
#include "config.h"
#include "mac.h"
#include "names.h"
#include "genl_msg.h"

/* ---- set KEY VALUE ----------------------------------------------- */

static int parse_set(struct sl_config *c, int argc, const char **argv,
		     char *err)
{
	err[0] = '\0';
	return sl_config_parse_args(c, argc, (char *const *)argv, err,
				    SL_ERR_LEN);
}

#define OK_SET(c, ...) do { \
	const char *a_[] = { __VA_ARGS__ }; \
	char e_[SL_ERR_LEN]; \
	if (parse_set(c, (int)(sizeof(a_) / sizeof(a_[0])), a_, e_)) \
		fail_msg("rejected: %s", e_); \
} while (0)
#define BAD_SET(want, ...) do { \
	const char *a_[] = { __VA_ARGS__ }; \
	char e_[SL_ERR_LEN]; \
	struct sl_config c_; \
	if (parse_set(&c_, (int)(sizeof(a_) / sizeof(a_[0])), a_, e_) != -1) \
		fail_msg("accepted, wanted: %s", want); \
	assert_string_equal(e_, want); \
} while (0)

static void test_set_new_keys(void **state)
{
	static const uint8_t m1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t m2[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	struct sl_config c;

	(void)state;
	OK_SET(&c, "local", "on");
	assert_int_equal(c.have, SL_CFG_LOCAL);
	assert_int_equal(c.local, 1);
	OK_SET(&c, "local", "off");
	assert_int_equal(c.local, 0);
	OK_SET(&c, "dns", "5353");
	assert_int_equal(c.have, SL_CFG_DNS_PORT);
	assert_int_equal(c.dns_port, 5353);
	OK_SET(&c, "dns", "1");
	assert_int_equal(c.dns_port, 1);
	OK_SET(&c, "dns", "65535");
	assert_int_equal(c.dns_port, 65535);
	/* off is sent as port 0, which the kernel reads as off. */
	OK_SET(&c, "dns", "off");
	assert_int_equal(c.have, SL_CFG_DNS_PORT);
	assert_int_equal(c.dns_port, 0);
	OK_SET(&c, "dns-local", "on");
	assert_int_equal(c.have, SL_CFG_DNS_LOCAL);
	assert_int_equal(c.dns_local, 1);
	OK_SET(&c, "src-mode", "exclude");
	assert_int_equal(c.have, SL_CFG_SRC_MODE);
	assert_int_equal(c.src_mode, SLUICE_SRC_EXCLUDE);
	OK_SET(&c, "src-mode", "only");
	assert_int_equal(c.src_mode, SLUICE_SRC_ONLY);
	OK_SET(&c, "src-mac", "02:00:00:00:00:01");
	assert_int_equal(c.have, SL_CFG_SRC_MACS);
	assert_int_equal(c.n_src_macs, 1);
	assert_memory_equal(c.src_macs[0], m1, 6);
	OK_SET(&c, "src-mac", "02:00:00:00:00:01,AA-BB-CC-DD-EE-FF");
	assert_int_equal(c.n_src_macs, 2);
	assert_memory_equal(c.src_macs[1], m2, 6);
	OK_SET(&c, "src-mac", "none");
	assert_int_equal(c.have, SL_CFG_SRC_MACS);
	assert_int_equal(c.n_src_macs, 0);
	OK_SET(&c, "default", "proxy");
	assert_int_equal(c.have, SL_CFG_DEFAULT);
	assert_int_equal(c.dflt, SLUICE_DEFAULT_PROXY);
	OK_SET(&c, "default", "direct");
	assert_int_equal(c.dflt, SLUICE_DEFAULT_DIRECT);
	OK_SET(&c, "quic", "reject");
	assert_int_equal(c.have, SL_CFG_QUIC);
	assert_int_equal(c.quic_reject, 1);
	OK_SET(&c, "quic", "pass");
	assert_int_equal(c.quic_reject, 0);
	/* All of them in one request, with an old key. */
	OK_SET(&c, "local", "on", "dns", "53", "dns-local", "on",
	       "src-mode", "only", "src-mac", "aa:bb:cc:dd:ee:ff",
	       "default", "direct", "quic", "reject", "enabled", "on");
	assert_int_equal(c.have, SL_CFG_LOCAL | SL_CFG_DNS_PORT |
			 SL_CFG_DNS_LOCAL | SL_CFG_SRC_MODE | SL_CFG_SRC_MACS |
			 SL_CFG_DEFAULT | SL_CFG_QUIC | SL_CFG_ENABLED);
}

static void test_set_new_keys_bad(void **state)
{
	char many[65 * 18 + 1];
	int i, off = 0;

	(void)state;
	BAD_SET("bad value 'yes' for local (on|off)", "local", "yes");
	BAD_SET("missing value for local (on|off)", "local");
	BAD_SET("bad value '0' for dns (1-65535 or off)", "dns", "0");
	BAD_SET("bad value '65536' for dns (1-65535 or off)", "dns", "65536");
	BAD_SET("bad value 'on' for dns (1-65535 or off)", "dns", "on");
	BAD_SET("bad value '-53' for dns (1-65535 or off)", "dns", "-53");
	BAD_SET("bad value '1' for dns-local (on|off)", "dns-local", "1");
	BAD_SET("bad value 'all' for src-mode (exclude|only)",
		"src-mode", "all");
	BAD_SET("bad value 'Only' for src-mode (exclude|only)",
		"src-mode", "Only");
	BAD_SET("bad value 'tunnel' for default (proxy|direct)",
		"default", "tunnel");
	BAD_SET("bad value 'on' for quic (reject|pass)", "quic", "on");
	BAD_SET("bad value 'drop' for quic (reject|pass)", "quic", "drop");
	BAD_SET("src-mac: '01:00:5e:00:00:01' is a multicast address",
		"src-mac", "01:00:5e:00:00:01");
	BAD_SET("src-mac: 'ff:ff:ff:ff:ff:ff' is a multicast address",
		"src-mac", "ff:ff:ff:ff:ff:ff");
	BAD_SET("src-mac: '00:00:00:00:00:00' is the all-zero address",
		"src-mac", "00:00:00:00:00:00");
	BAD_SET("src-mac: '02:00:00:00:00:01' given twice",
		"src-mac", "02:00:00:00:00:01,02:00:00:00:00:01");
	/* Same address, other spelling: still the same MAC. */
	BAD_SET("src-mac: '02-00-00-00-00-01' given twice",
		"src-mac", "02:00:00:00:00:01,02-00-00-00-00-01");
	BAD_SET("src-mac: 'aa:bb:cc:dd:ee' is not a MAC address "
		"(aa:bb:cc:dd:ee:ff)", "src-mac", "aa:bb:cc:dd:ee");
	BAD_SET("src-mac: '' is not a MAC address (aa:bb:cc:dd:ee:ff)",
		"src-mac", "02:00:00:00:00:01,");
	BAD_SET("src-mac: '' is not a MAC address (aa:bb:cc:dd:ee:ff)",
		"src-mac", "");
	BAD_SET("src-mac: 'none' is not a MAC address (aa:bb:cc:dd:ee:ff)",
		"src-mac", "02:00:00:00:00:01,none");
	BAD_SET("local given twice", "local", "on", "local", "off");
	BAD_SET("src-mac given twice", "src-mac", "none",
		"src-mac", "02:00:00:00:00:01");
	/* 64 fit, the 65th does not. */
	for (i = 0; i < 65; i++)
		off += snprintf(many + off, sizeof(many) - (size_t)off,
				"%s02:00:00:00:01:%02x", i ? "," : "", i);
	BAD_SET("src-mac: more than 64 MAC addresses", "src-mac", many);
	many[64 * 18 - 1] = '\0';
	{
		struct sl_config c;

		OK_SET(&c, "src-mac", many);
		assert_int_equal(c.n_src_macs, 64);
	}
}

/* ---- MAC addresses ----------------------------------------------- */

static void test_mac_parse(void **state)
{
	static const char *const bad[] = {
		"", "a:b:c:d:e:f", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00",
		"aa:bb:cc:dd:ee:fg", "aa-bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee-ff",
		"aabb.ccdd.eeff", "aa:bb:cc:dd:ee:ff ", " aa:bb:cc:dd:ee:ff",
		"aa.bb.cc.dd.ee.ff", "aabbccddeeff", "+a:bb:cc:dd:ee:ff",
	};
	uint8_t m[6];
	char s[SL_MAC_STRLEN];
	size_t i;

	(void)state;
	assert_int_equal(sl_mac_parse("02:1A:b3:C4:d5:E6", m), 0);
	sl_mac_format(m, s);
	assert_string_equal(s, "02:1a:b3:c4:d5:e6");
	assert_int_equal(sl_mac_parse("02-1a-b3-c4-d5-e6", m), 0);
	sl_mac_format(m, s);
	assert_string_equal(s, "02:1a:b3:c4:d5:e6");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sl_mac_parse(bad[i], m) != -1)
			fail_msg("accepted '%s'", bad[i]);
	assert_int_equal(sl_mac_parse("00:00:00:00:00:00", m), 0);
	assert_string_equal(sl_mac_unusable(m), "the all-zero address");
	assert_int_equal(sl_mac_parse("33:33:00:00:00:01", m), 0);
	assert_string_equal(sl_mac_unusable(m), "a multicast address");
	/* Locally administered unicast (bit 1) is fine. */
	assert_int_equal(sl_mac_parse("02:00:00:00:00:00", m), 0);
	assert_null(sl_mac_unusable(m));
}

static void test_mac_list(void **state)
{
	uint8_t v[3][SL_MAC_LEN];
	char why[SL_ERR_LEN];

	(void)state;
	assert_int_equal(sl_mac_list_parse("02:00:00:00:00:01", v, 3, why,
					   sizeof(why)), 1);
	assert_int_equal(sl_mac_list_parse("02:00:00:00:00:01,"
					   "02:00:00:00:00:02,"
					   "02:00:00:00:00:03", v, 3, why,
					   sizeof(why)), 3);
	assert_int_equal(v[2][5], 3);
	assert_int_equal(sl_mac_list_parse("02:00:00:00:00:01,"
					   "02:00:00:00:00:02,"
					   "02:00:00:00:00:03,"
					   "02:00:00:00:00:04", v, 3, why,
					   sizeof(why)), -1);
	assert_string_equal(why, "more than 3 MAC addresses");
	assert_int_equal(sl_mac_list_parse(",", v, 3, why, sizeof(why)), -1);
	assert_string_equal(why, "'' is not a MAC address (aa:bb:cc:dd:ee:ff)");
	/* Garbage is quoted, not printed raw. */
	assert_int_equal(sl_mac_list_parse("a\x01", v, 3, why, sizeof(why)),
			 -1);
	assert_string_equal(why,
			    "'a\\x01' is not a MAC address (aa:bb:cc:dd:ee:ff)");
}

/* ---- -L LIST ----------------------------------------------------- */

static int list_opt(const char *a, const char *b, uint32_t *l, char *err)
{
	const char *argv[] = { a, b };

	err[0] = '\0';
	return sl_list_opt(b ? 2 : 1, (char *const *)argv, 0, l, err,
			   SL_ERR_LEN);
}

static void test_list_opt(void **state)
{
	char err[SL_ERR_LEN];
	uint32_t l = 99;

	(void)state;
	assert_int_equal(list_opt("-L", "proxy", &l, err), 2);
	assert_int_equal(l, SLUICE_LIST_PROXY);
	assert_int_equal(list_opt("--list", "src", &l, err), 2);
	assert_int_equal(l, SLUICE_LIST_SRC);
	assert_int_equal(list_opt("--list=white", NULL, &l, err), 1);
	assert_int_equal(l, SLUICE_LIST_WHITE);
	assert_int_equal(list_opt("-Lproxy", "x", &l, err), 1);
	assert_int_equal(l, SLUICE_LIST_PROXY);
	/* Not the option: left to the command. */
	assert_int_equal(list_opt("list", "proxy", &l, err), 0);
	assert_int_equal(list_opt("--lis", "proxy", &l, err), 0);
	assert_int_equal(list_opt("-j", NULL, &l, err), 0);
	assert_int_equal(list_opt("-L", NULL, &l, err), -1);
	assert_string_equal(err, "-L needs a list: white, proxy or src");
	assert_int_equal(list_opt("--list", NULL, &l, err), -1);
	assert_string_equal(err, "--list needs a list: white, proxy or src");
	assert_int_equal(list_opt("-L", "Proxy", &l, err), -1);
	assert_string_equal(err, "bad list 'Proxy' (white, proxy or src)");
	assert_int_equal(list_opt("-L", "", &l, err), -1);
	assert_string_equal(err, "bad list '' (white, proxy or src)");
	assert_int_equal(list_opt("--list=", NULL, &l, err), -1);
	assert_int_equal(list_opt("-Lwhitelist", NULL, &l, err), -1);
	assert_string_equal(err, "bad list 'whitelist' (white, proxy or src)");
	assert_int_equal(sl_list_parse("src", &l), 0);
	assert_int_equal(l, SLUICE_LIST_SRC);
	assert_string_equal(sl_list_name(SLUICE_LIST_WHITE), "white");
	assert_string_equal(sl_list_name(SLUICE_LIST_PROXY), "proxy");
	assert_null(sl_list_name(__SLUICE_LIST_MAX));
}

/* ---- names ------------------------------------------------------- */

static void test_new_names(void **state)
{
	(void)state;
	assert_string_equal(sl_verdict_name(SLUICE_VERDICT_REJECT), "reject");
	assert_string_equal(sl_verdict_name(SLUICE_VERDICT_DNS), "dns");
	assert_null(sl_verdict_name(__SLUICE_VERDICT_MAX));
	assert_string_equal(sl_rule_name(SLUICE_RULE_SRC_EXCLUDED),
			    "src-excluded");
	assert_string_equal(sl_rule_name(SLUICE_RULE_SRC_NOT_LISTED),
			    "src-not-listed");
	assert_string_equal(sl_rule_name(SLUICE_RULE_DNS), "dns");
	assert_string_equal(sl_rule_name(SLUICE_RULE_DEFAULT_DIRECT),
			    "default-direct");
	assert_string_equal(sl_rule_name(SLUICE_RULE_PROXY_LIST),
			    "proxy-list");
	assert_string_equal(sl_rule_name(SLUICE_RULE_QUIC_REJECT),
			    "quic-reject");
	assert_string_equal(sl_rule_name(SLUICE_RULE_LOCAL_OFF), "local-off");
	assert_string_equal(sl_rule_name(SLUICE_RULE_LOCAL_DNS), "local-dns");
	assert_string_equal(sl_rule_name(SLUICE_RULE_LOOP_GUARD),
			    "loop-guard");
	assert_string_equal(sl_counter_name(SLUICE_CTR_SRC_EXCLUDED),
			    "src_excluded");
	assert_string_equal(sl_counter_name(SLUICE_CTR_SRC_NOT_LISTED),
			    "src_not_listed");
	assert_string_equal(sl_counter_name(SLUICE_CTR_DNS4), "dns4");
	assert_string_equal(sl_counter_name(SLUICE_CTR_DNS6), "dns6");
	assert_string_equal(sl_counter_name(SLUICE_CTR_DEFAULT_DIRECT),
			    "default_direct");
	assert_string_equal(sl_counter_name(SLUICE_CTR_PROXY_LIST),
			    "proxy_list");
	assert_string_equal(sl_counter_name(SLUICE_CTR_QUIC_REJECT),
			    "quic_reject");
	assert_string_equal(sl_counter_name(SLUICE_CTR_LOCAL_OUT),
			    "local_out");
	assert_string_equal(sl_counter_name(SLUICE_CTR_LOCAL_DNS),
			    "local_dns");
	assert_string_equal(sl_counter_name(SLUICE_CTR_LOOP_GUARD),
			    "loop_guard");
	assert_string_equal(sl_src_mode_name(SLUICE_SRC_ONLY), "only");
	assert_string_equal(sl_src_mode_name(SLUICE_SRC_EXCLUDE), "exclude");
	assert_null(sl_src_mode_name(__SLUICE_SRC_MAX));
	assert_string_equal(sl_default_name(SLUICE_DEFAULT_DIRECT), "direct");
	assert_string_equal(sl_default_name(SLUICE_DEFAULT_PROXY), "proxy");
	assert_null(sl_default_name(__SLUICE_DEFAULT_MAX));
}

/* ---- encoding ---------------------------------------------------- */

static void test_config_roundtrip_new(void **state)
{
	char buf[4096];
	struct sl_config in, out;
	struct nlmsghdr *nlh;
	const struct nlattr *a;
	int n_attr = 0;

	(void)state;
	OK_SET(&in, "local", "on", "dns", "5353", "dns-local", "on",
	       "src-mode", "only",
	       "src-mac", "02:00:00:00:00:01,02:00:00:00:00:02",
	       "default", "direct", "quic", "reject");
	nlh = genl_msg(buf, SLUICE_CMD_SET_CONFIG);
	assert_true(sl_put_config(nlh, sizeof(buf), &in));
	/* The kernel's types: u8, u16, u8, u32, nest of 6-byte MACs, ... */
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		n_attr++;
		switch (mnl_attr_get_type(a)) {
		case SLUICE_A_LOCAL:
		case SLUICE_A_DNS_LOCAL:
		case SLUICE_A_QUIC_REJECT:
			assert_int_equal(mnl_attr_get_payload_len(a), 1);
			assert_int_equal(mnl_attr_get_u8(a), 1);
			break;
		case SLUICE_A_DNS_PORT:
			assert_int_equal(mnl_attr_get_payload_len(a), 2);
			assert_int_equal(mnl_attr_get_u16(a), 5353);
			break;
		case SLUICE_A_SRC_MODE:
			assert_int_equal(mnl_attr_get_u32(a), SLUICE_SRC_ONLY);
			break;
		case SLUICE_A_DEFAULT:
			assert_int_equal(mnl_attr_get_u32(a),
					 SLUICE_DEFAULT_DIRECT);
			break;
		case SLUICE_A_SRC_MACS:
			assert_int_equal(mnl_attr_get_payload_len(a),
					 2 * (4 + 8));
			break;
		default:
			fail_msg("unexpected attribute %u",
				 mnl_attr_get_type(a));
		}
	}
	assert_int_equal(n_attr, 7);
	assert_int_equal(sl_get_config(nlh, &out), 0);
	assert_memory_equal(&in, &out, sizeof(in));

	/* `src-mac none` is an empty nest: it clears the kernel's set. */
	OK_SET(&in, "src-mac", "none", "dns", "off");
	nlh = genl_msg(buf, SLUICE_CMD_SET_CONFIG);
	assert_true(sl_put_config(nlh, sizeof(buf), &in));
	assert_int_equal(nlh->nlmsg_len,
			 NLMSG_HDRLEN + GENL_HDRLEN + 4 + 8);
	assert_int_equal(sl_get_config(nlh, &out), 0);
	assert_int_equal(out.have, SL_CFG_SRC_MACS | SL_CFG_DNS_PORT);
	assert_int_equal(out.n_src_macs, 0);
	assert_int_equal(out.dns_port, 0);
}

static void test_config_decode_bad_mac(void **state)
{
	char buf[4096];
	struct sl_config out;
	struct nlmsghdr *nlh = genl_msg(buf, SLUICE_CMD_GET_CONFIG);
	struct nlattr *nest = mnl_attr_nest_start(nlh, SLUICE_A_SRC_MACS);

	(void)state;
	mnl_attr_put(nlh, SLUICE_A_MAC, 5, "\x02\0\0\0\0");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(sl_get_config(nlh, &out), -1);
}

static void test_match_list(void **state)
{
	char buf[4096];
	struct sl_match m;
	struct sl_prefix p = { .family = AF_INET, .plen = 24,
			       .addr = { 203, 0, 113, 0 } };
	struct nlmsghdr *nlh = genl_msg(buf, SLUICE_CMD_CLASSIFY);

	(void)state;
	mnl_attr_put_u32(nlh, SLUICE_A_VERDICT, SLUICE_VERDICT_REDIRECT);
	mnl_attr_put_u32(nlh, SLUICE_A_RULE, SLUICE_RULE_PROXY_LIST);
	mnl_attr_put_u32(nlh, SLUICE_A_LIST, SLUICE_LIST_PROXY);
	assert_true(sl_put_prefix(nlh, sizeof(buf), SLUICE_A_PREFIX, &p, true));
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "dns");
	assert_int_equal(sl_get_match(nlh, &m), 0);
	assert_true(m.has_verdict);
	assert_int_equal(m.rule, SLUICE_RULE_PROXY_LIST);
	assert_true(m.has_list);
	assert_int_equal(m.list, SLUICE_LIST_PROXY);
	assert_true(m.match);
	assert_int_equal(m.pfx.plen, 24);
	assert_string_equal(m.sources[0], "dns");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_new_keys),
		cmocka_unit_test(test_set_new_keys_bad),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_list),
		cmocka_unit_test(test_list_opt),
		cmocka_unit_test(test_new_names),
		cmocka_unit_test(test_config_roundtrip_new),
		cmocka_unit_test(test_config_decode_bad_mac),
		cmocka_unit_test(test_match_list),
	};

	return cmocka_run_group_tests_name("cli_keys", tests, NULL, NULL);
}
