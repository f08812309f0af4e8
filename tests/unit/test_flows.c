// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The userspace side of the per-flow verdicts: `sluicectl set ct-mask`
 * (exactly two bits, exact messages), the `flush-flows [PREFIX]`
 * arguments, the FLOWS_FLUSH request and its reply, the counters that
 * came with them, and sluiced.conf's `ct-mask` and
 * `flush-flows-on-reload`.
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
#include "names.h"
#include "../../userspace/sluiced/conf.h"
#include "genl_msg.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int parse_set(struct sl_config *c, int argc, const char **argv,
		     char *err)
{
	err[0] = '\0';
	return sl_config_parse_args(c, argc, (char *const *)argv, err,
				    SL_ERR_LEN);
}

/* `set ct-mask V` is accepted and gives mask @want, alone. */
static void ok_mask(const char *v, uint32_t want)
{
	const char *a[] = { "ct-mask", v };
	char err[SL_ERR_LEN];
	struct sl_config c;

	if (parse_set(&c, 2, a, err))
		fail_msg("ct-mask %s rejected: %s", v, err);
	assert_int_equal(c.have, SL_CFG_CT_MASK);
	assert_int_equal(c.ct_mask, want);
}

static void bad_set(const char *want, int argc, const char **argv)
{
	char err[SL_ERR_LEN];
	struct sl_config c;

	if (parse_set(&c, argc, argv, err) != -1)
		fail_msg("accepted, wanted: %s", want);
	assert_string_equal(err, want);
}

static void bad_mask(const char *v, const char *want)
{
	const char *a[] = { "ct-mask", v };

	bad_set(want, 2, a);
}

static void test_set_ct_mask(void **state)
{
	(void)state;
	ok_mask("0x30000000", 0x30000000);
	ok_mask("3", 3);
	ok_mask("0xc0000000", 0xc0000000);	/* the top bits */
	ok_mask("0x80000001", 0x80000001);	/* need not be adjacent */
	ok_mask("805306368", 0x30000000);	/* decimal */
}

static void test_set_ct_mask_bad(void **state)
{
	const char *twice[] = { "ct-mask", "3", "ct-mask", "0x30" };
	const char *missing[] = { "ct-mask" };

	(void)state;
	bad_mask("0", "ct-mask: 0x0 has 0 bits set; the mask needs exactly "
		 "two (the lower marks a flow direct, the higher proxied)");
	bad_mask("0x10000000", "ct-mask: 0x10000000 has 1 bit set; the mask "
		 "needs exactly two (the lower marks a flow direct, the "
		 "higher proxied)");
	bad_mask("0x70000000", "ct-mask: 0x70000000 has 3 bits set; the mask "
		 "needs exactly two (the lower marks a flow direct, the "
		 "higher proxied)");
	bad_mask("0xffffffff", "ct-mask: 0xffffffff has 32 bits set; the "
		 "mask needs exactly two (the lower marks a flow direct, the "
		 "higher proxied)");
	bad_mask("0x100000000", "ct-mask: '0x100000000' is not a 32-bit "
		 "number (two bits of the ct mark, e.g. 0x30000000)");
	bad_mask("-3", "ct-mask: '-3' is not a 32-bit number (two bits of "
		 "the ct mark, e.g. 0x30000000)");
	bad_mask("0x3/0x3", "ct-mask: '0x3/0x3' is not a 32-bit number "
		 "(two bits of the ct mark, e.g. 0x30000000)");
	bad_mask("", "ct-mask: '' is not a 32-bit number (two bits of the "
		 "ct mark, e.g. 0x30000000)");
	bad_set("ct-mask given twice", ARGC(twice), twice);
	bad_set("missing value for ct-mask (MASK with exactly two bits set)",
		ARGC(missing), missing);
}

/* ---- encoding ---------------------------------------------------- */

static void test_ct_mask_roundtrip(void **state)
{
	const char *a[] = { "ct-mask", "0x30000000", "fwmark", "0x100/0x100" };
	char buf[4096], err[SL_ERR_LEN];
	struct sl_config in, out;
	const struct nlattr *at;
	struct nlmsghdr *nlh;
	int n_mask = 0;

	(void)state;
	assert_int_equal(parse_set(&in, ARGC(a), a, err), 0);
	nlh = genl_msg(buf, SLUICE_CMD_SET_CONFIG);
	assert_true(sl_put_config(nlh, sizeof(buf), &in));
	/* A u32, as the uapi says. */
	mnl_attr_for_each(at, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(at) != SLUICE_A_CT_MASK)
			continue;
		n_mask++;
		assert_int_equal(mnl_attr_get_payload_len(at), 4);
		assert_int_equal(mnl_attr_get_u32(at), 0x30000000);
	}
	assert_int_equal(n_mask, 1);
	assert_int_equal(sl_get_config(nlh, &out), 0);
	assert_memory_equal(&in, &out, sizeof(in));

	/* A GET_CONFIG reply with a CT_MASK of the wrong size is refused. */
	nlh = genl_msg(buf, SLUICE_CMD_GET_CONFIG);
	mnl_attr_put_u16(nlh, SLUICE_A_CT_MASK, 3);
	assert_int_equal(sl_get_config(nlh, &out), -1);

	/* Without CT_MASK (an older module), `have` does not claim it. */
	nlh = genl_msg(buf, SLUICE_CMD_GET_CONFIG);
	mnl_attr_put_u32(nlh, SLUICE_A_FWMARK, 1);
	assert_int_equal(sl_get_config(nlh, &out), 0);
	assert_int_equal(out.have & SL_CFG_CT_MASK, 0);
}

/* ---- flush-flows [PREFIX] ---------------------------------------- */

static int parse_flows(int argc, const char **argv, struct sl_prefix *p,
		       bool *have, char *err)
{
	err[0] = '\0';
	return sl_flows_args_parse(argc, (char *const *)argv, p, have, err,
				   SL_ERR_LEN);
}

static void test_flows_args(void **state)
{
	const char *v4[] = { "198.51.100.0/24" };
	const char *host[] = { "203.0.113.7" };
	const char *v6[] = { "2001:db8::/32" };
	const char *host6[] = { "2001:db8::1" };
	const char *all4[] = { "0.0.0.0/0" };
	char err[SL_ERR_LEN];
	struct sl_prefix p;
	bool have = true;

	(void)state;
	/* No argument: every flow. */
	assert_int_equal(parse_flows(0, NULL, &p, &have, err), 0);
	assert_false(have);

	assert_int_equal(parse_flows(1, v4, &p, &have, err), 0);
	assert_true(have);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.plen, 24);
	assert_memory_equal(p.addr, "\xc6\x33\x64\x00", 4);

	assert_int_equal(parse_flows(1, host, &p, &have, err), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.plen, 32);
	assert_memory_equal(p.addr, "\xcb\x00\x71\x07", 4);

	assert_int_equal(parse_flows(1, v6, &p, &have, err), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.plen, 32);

	assert_int_equal(parse_flows(1, host6, &p, &have, err), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.plen, 128);
	assert_int_equal(p.addr[15], 1);

	assert_int_equal(parse_flows(1, all4, &p, &have, err), 0);
	assert_int_equal(p.plen, 0);
}

static void bad_flows(const char *want, int argc, const char **argv)
{
	char err[SL_ERR_LEN], ref[SL_ERR_LEN];
	struct sl_prefix p;
	bool have = true;

	if (parse_flows(argc, argv, &p, &have, err) != -1)
		fail_msg("accepted, wanted: %s", want);
	assert_false(have);
	if (want) {
		assert_string_equal(err, want);
		return;
	}
	/* The same message as `add` gives for the same word. */
	assert_int_equal(sl_prefix_parse(argv[0], &p, ref, sizeof(ref)), -1);
	assert_string_equal(err, ref);
}

static void test_flows_args_bad(void **state)
{
	const char *two[] = { "10.0.0.0/8", "192.168.0.0/16" };
	const char *hostbits[] = { "10.0.0.1/8" };
	const char *word[] = { "all" };
	const char *plen[] = { "10.0.0.0/33" };
	const char *empty[] = { "" };

	(void)state;
	bad_flows("unexpected argument '192.168.0.0/16' (usage: flush-flows "
		  "[PREFIX], one address or prefix at most)", ARGC(two), two);
	bad_flows(NULL, ARGC(hostbits), hostbits);
	bad_flows(NULL, ARGC(word), word);
	bad_flows(NULL, ARGC(plen), plen);
	bad_flows(NULL, ARGC(empty), empty);
}

static void test_flows_request(void **state)
{
	struct sl_prefix p = { .family = AF_INET6, .plen = 48,
			       .addr = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 } };
	struct sl_prefix got;
	const struct nlattr *a;
	char buf[4096];
	struct nlmsghdr *nlh;
	int n = 0;

	(void)state;
	/* Every flow: the request carries no attribute at all. */
	nlh = genl_msg(buf, SLUICE_CMD_FLOWS_FLUSH);
	assert_true(sl_put_flows_flush(nlh, sizeof(buf), NULL));
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);

	/* A prefix: one ADDRESS nest, ADDR6 + PLEN, as WL_ADD's PREFIX. */
	nlh = genl_msg(buf, SLUICE_CMD_FLOWS_FLUSH);
	assert_true(sl_put_flows_flush(nlh, sizeof(buf), &p));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		const struct nlattr *b;
		int inner = 0;

		n++;
		assert_int_equal(mnl_attr_get_type(a), SLUICE_A_ADDRESS);
		mnl_attr_for_each_nested(b, a) {
			inner++;
			if (mnl_attr_get_type(b) == SLUICE_PFX_ADDR6)
				assert_int_equal(mnl_attr_get_payload_len(b),
						 16);
			else if (mnl_attr_get_type(b) == SLUICE_PFX_PLEN)
				assert_int_equal(mnl_attr_get_u8(b), 48);
			else
				fail_msg("unexpected nested attribute %u",
					 mnl_attr_get_type(b));
		}
		assert_int_equal(inner, 2);
		assert_int_equal(sl_get_prefix(a, &got), 0);
		assert_memory_equal(&got, &p, sizeof(p));
	}
	assert_int_equal(n, 1);

	/* No room: false, nothing half written. */
	nlh = genl_msg(buf, SLUICE_CMD_FLOWS_FLUSH);
	assert_false(sl_put_flows_flush(nlh, NLMSG_HDRLEN + GENL_HDRLEN + 8,
					&p));
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
}

static void test_flows_reply(void **state)
{
	char buf[4096];
	struct nlmsghdr *nlh;
	uint32_t n = 7;

	(void)state;
	nlh = genl_msg(buf, SLUICE_CMD_FLOWS_FLUSH);
	mnl_attr_put_u32(nlh, SLUICE_A_FLOWS, 1234);
	assert_int_equal(sl_get_flows(nlh, &n), 0);
	assert_int_equal(n, 1234);

	/* Zero is an answer too. */
	nlh = genl_msg(buf, SLUICE_CMD_FLOWS_FLUSH);
	mnl_attr_put_u32(nlh, SLUICE_A_FLOWS, 0);
	assert_int_equal(sl_get_flows(nlh, &n), 0);
	assert_int_equal(n, 0);

	/* Missing or malformed: an error, not a count. */
	nlh = genl_msg(buf, SLUICE_CMD_FLOWS_FLUSH);
	assert_int_equal(sl_get_flows(nlh, &n), -1);
	nlh = genl_msg(buf, SLUICE_CMD_FLOWS_FLUSH);
	mnl_attr_put_u16(nlh, SLUICE_A_FLOWS, 5);
	assert_int_equal(sl_get_flows(nlh, &n), -1);
}

static void test_counter_names(void **state)
{
	(void)state;
	assert_string_equal(sl_counter_name(SLUICE_CTR_BRIDGED), "bridged");
	assert_string_equal(sl_counter_name(SLUICE_CTR_FLOW_ADOPTED),
			    "flow_adopted");
	assert_string_equal(sl_counter_name(SLUICE_CTR_FLOW_DROP),
			    "flow_drop");
	assert_null(sl_counter_name(__SLUICE_CTR_MAX));
}

/* ---- sluiced.conf ------------------------------------------------ */

static int parse_conf(struct sd_conf *c, const char *text, char *err)
{
	err[0] = '\0';
	return conf_parse(c, text, strlen(text), "t.conf", err, CONF_ERR_LEN);
}

static void bad_conf(const char *text, const char *want)
{
	char err[CONF_ERR_LEN];
	struct sd_conf c;

	if (parse_conf(&c, text, err) != -1)
		fail_msg("accepted, wanted: %s", want);
	assert_string_equal(err, want);
	/* A refused file leaves the defaults, not half of it. */
	assert_int_equal(c.ct_mask, 0x30000000);
	assert_false(c.flush_flows_on_reload);
}

static void test_conf_flows(void **state)
{
	char err[CONF_ERR_LEN];
	struct sd_conf c;

	(void)state;
	assert_int_equal(parse_conf(&c, "lan br-lan\n", err), 0);
	assert_int_equal(c.ct_mask, 0x30000000);
	assert_false(c.flush_flows_on_reload);
	conf_free(&c);

	assert_int_equal(parse_conf(&c, "lan br-lan\nct-mask 0x00000003\n"
				    "flush-flows-on-reload on\n", err), 0);
	assert_int_equal(c.ct_mask, 3);
	assert_true(c.flush_flows_on_reload);
	conf_free(&c);

	assert_int_equal(parse_conf(&c, "lan br-lan\nct-mask 0xc0000000\n"
				    "flush-flows-on-reload off\n", err), 0);
	assert_int_equal(c.ct_mask, 0xc0000000);
	assert_false(c.flush_flows_on_reload);
	conf_free(&c);
}

static void test_conf_flows_bad(void **state)
{
	(void)state;
	bad_conf("lan br-lan\nct-mask 0\n",
		 "t.conf:2: ct-mask: 0x0 has 0 bits set; the mask needs "
		 "exactly two (the lower marks a flow direct, the higher "
		 "proxied)");
	bad_conf("lan br-lan\nct-mask 0x20000000\n",
		 "t.conf:2: ct-mask: 0x20000000 has 1 bit set; the mask needs "
		 "exactly two (the lower marks a flow direct, the higher "
		 "proxied)");
	bad_conf("lan br-lan\nct-mask 0x70000000\n",
		 "t.conf:2: ct-mask: 0x70000000 has 3 bits set; the mask needs "
		 "exactly two (the lower marks a flow direct, the higher "
		 "proxied)");
	bad_conf("ct-mask mark\nlan br-lan\n",
		 "t.conf:1: ct-mask: 'mark' is not a 32-bit number (two bits "
		 "of the ct mark, e.g. 0x30000000)");
	bad_conf("lan br-lan\nct-mask 3\nct-mask 3\n",
		 "t.conf:3: duplicate key 'ct-mask' (first on line 2)");
	bad_conf("lan br-lan\nct-mask 3 12\n",
		 "t.conf:2: 'ct-mask' takes at most 1 value");
	bad_conf("lan br-lan\nflush-flows-on-reload maybe\n",
		 "t.conf:2: bad value 'maybe' for flush-flows-on-reload "
		 "(on or off)");
	bad_conf("lan br-lan\nflush-flows-on-reload\n",
		 "t.conf:2: 'flush-flows-on-reload' needs 1 value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_ct_mask),
		cmocka_unit_test(test_set_ct_mask_bad),
		cmocka_unit_test(test_ct_mask_roundtrip),
		cmocka_unit_test(test_flows_args),
		cmocka_unit_test(test_flows_args_bad),
		cmocka_unit_test(test_flows_request),
		cmocka_unit_test(test_flows_reply),
		cmocka_unit_test(test_counter_names),
		cmocka_unit_test(test_conf_flows),
		cmocka_unit_test(test_conf_flows_bad),
	};

	return cmocka_run_group_tests_name("flows", tests, NULL, NULL);
}
