// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the sluicectl parsers in userspace/lib: addresses and
 * prefixes, the list-file format of `sluicectl load`, the `set` KEY VALUE
 * parser, names, and the attribute/extack codecs.  Every error message is
 * checked verbatim: they are the user interface.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "attrs.h"
#include "config.h"
#include "names.h"
#include "nl.h"
#include "prefix.h"
#include "genl_msg.h"

/* ---- prefixes ---------------------------------------------------- */

static void ok_prefix(const char *in, int family, unsigned plen,
		      const char *out)
{
	char err[SL_ERR_LEN] = "", buf[SL_PREFIX_STRLEN];
	struct sl_prefix p;

	if (sl_prefix_parse(in, &p, err, sizeof(err)) != 0)
		fail_msg("'%s' rejected: %s", in, err);
	assert_int_equal(p.family, family);
	assert_int_equal(p.plen, plen);
	sl_prefix_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, out);
}

static void bad_prefix(const char *in, const char *want)
{
	char err[SL_ERR_LEN] = "";
	struct sl_prefix p;

	if (sl_prefix_parse(in, &p, err, sizeof(err)) != -1)
		fail_msg("'%s' accepted", in);
	assert_string_equal(err, want);
}

static void test_prefix_good(void **state)
{
	(void)state;
	ok_prefix("1.2.3.0/24", AF_INET, 24, "1.2.3.0/24");
	ok_prefix("1.2.3.4", AF_INET, 32, "1.2.3.4");
	ok_prefix("1.2.3.4/32", AF_INET, 32, "1.2.3.4");
	ok_prefix("0.0.0.0/0", AF_INET, 0, "0.0.0.0/0");
	ok_prefix("10.0.0.0/8", AF_INET, 8, "10.0.0.0/8");
	ok_prefix("10.0.0.0/08", AF_INET, 8, "10.0.0.0/8");
	ok_prefix("255.255.255.254/31", AF_INET, 31, "255.255.255.254/31");
	ok_prefix("2001:db8::/32", AF_INET6, 32, "2001:db8::/32");
	ok_prefix("2001:DB8::/32", AF_INET6, 32, "2001:db8::/32");
	ok_prefix("::1", AF_INET6, 128, "::1");
	ok_prefix("::/0", AF_INET6, 0, "::/0");
	ok_prefix("2001:db8::1/128", AF_INET6, 128, "2001:db8::1");
	ok_prefix("2001:db8:0:0:0:0:0:0/64", AF_INET6, 64, "2001:db8::/64");
	ok_prefix("::ffff:1.2.3.4", AF_INET6, 128, "::ffff:1.2.3.4");
	ok_prefix("fe80::/10", AF_INET6, 10, "fe80::/10");
}

static void test_prefix_bad(void **state)
{
	(void)state;
	bad_prefix("1.2.3", "bad address '1.2.3'");
	bad_prefix("1.2.3/24", "bad address '1.2.3/24'");
	bad_prefix("", "bad address ''");
	bad_prefix("/24", "bad address '/24'");
	bad_prefix("256.1.1.1", "bad address '256.1.1.1'");
	bad_prefix("1.2.3.4.5", "bad address '1.2.3.4.5'");
	bad_prefix("01.2.3.4", "bad address '01.2.3.4'");	/* no octal */
	bad_prefix("0x1.2.3.4", "bad address '0x1.2.3.4'");
	bad_prefix(" 1.2.3.4", "bad address ' 1.2.3.4'");
	bad_prefix("1.2.3.4 ", "bad address '1.2.3.4 '");
	bad_prefix("fe80::1%eth0", "bad address 'fe80::1%eth0'");
	bad_prefix("2001:db8:::1", "bad address '2001:db8:::1'");
	bad_prefix("example.com", "bad address 'example.com'");
	bad_prefix("it's", "bad address 'it\\x27s'");
	bad_prefix("1.2.3.4/33", "prefix length 33 out of range");
	bad_prefix("1.2.3.4/999", "prefix length 999 out of range");
	bad_prefix("::/129", "prefix length 129 out of range");
	bad_prefix("1.2.3.0/", "bad prefix length ''");
	bad_prefix("1.2.3.0/x", "bad prefix length 'x'");
	bad_prefix("1.2.3.0/-1", "bad prefix length '-1'");
	bad_prefix("1.2.3.0/+8", "bad prefix length '+8'");
	bad_prefix("1.2.3.0/ 24", "bad prefix length ' 24'");
	bad_prefix("1.2.3.0/0024", "bad prefix length '0024'");
	bad_prefix("1.2.3.0/24/8", "bad prefix length '24/8'");
	bad_prefix("1.2.3.0/255.255.255.0",
		   "bad prefix length '255.255.255.0'");
	bad_prefix("10.0.0.1/8",
		   "host bits set in 10.0.0.1/8 (did you mean 10.0.0.0/8?)");
	bad_prefix("1.2.3.4/0",
		   "host bits set in 1.2.3.4/0 (did you mean 0.0.0.0/0?)");
	bad_prefix("1.2.3.129/25",
		   "host bits set in 1.2.3.129/25 (did you mean 1.2.3.128/25?)");
	bad_prefix("2001:db8::1/32", "host bits set in 2001:db8::1/32 "
		   "(did you mean 2001:db8::/32?)");
	bad_prefix("::1/127", "host bits set in ::1/127 (did you mean ::/127?)");
}

static void test_prefix_long(void **state)
{
	char in[300], err[SL_ERR_LEN];
	struct sl_prefix p;

	(void)state;
	memset(in, '1', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(sl_prefix_parse(in, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "bad address '"
		"111111111111111111111111111111111111111111111111...'");
	/* A tiny error buffer truncates, never overflows. */
	assert_int_equal(sl_prefix_parse("1.2.3", &p, err, 8), -1);
	assert_string_equal(err, "bad add");
	/* NULL err is allowed. */
	assert_int_equal(sl_prefix_parse("1.2.3", &p, NULL, 0), -1);
}

static void test_addr(void **state)
{
	char err[SL_ERR_LEN];
	struct sl_prefix p;

	(void)state;
	assert_int_equal(sl_addr_parse("192.0.2.1", &p, err, sizeof(err)), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.plen, 32);
	assert_memory_equal(p.addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(sl_addr_parse("2001:db8::2", &p, err, sizeof(err)), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.plen, 128);
	assert_int_equal(sl_addr_parse("1.2.3.0/24", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "bad address '1.2.3.0/24'");
}

static void test_quote(void **state)
{
	char buf[SL_ERR_LEN];

	(void)state;
	sl_quote("a\tb\x01\xff", 5, buf, sizeof(buf));
	assert_string_equal(buf, "a\\x09b\\x01\\xff");
	sl_quote("x\0y", 3, buf, sizeof(buf));
	assert_string_equal(buf, "x\\x00y");
	sl_quote("abc", 3, buf, 3);	/* too small: cut, NUL-terminated */
	assert_true(strlen(buf) < 3);
}

static void test_list_dedupe(void **state)
{
	struct sl_pfx_list l;
	struct sl_prefix p;
	char buf[SL_PREFIX_STRLEN];

	(void)state;
	sl_pfx_list_init(&l);
	assert_int_equal(sl_prefix_parse("2001:db8::/32", &p, NULL, 0), 0);
	assert_int_equal(sl_pfx_list_push(&l, &p), 0);
	assert_int_equal(sl_prefix_parse("10.0.0.0/8", &p, NULL, 0), 0);
	assert_int_equal(sl_pfx_list_push(&l, &p), 0);
	assert_int_equal(sl_pfx_list_push(&l, &p), 0);
	assert_int_equal(sl_prefix_parse("10.0.0.0/16", &p, NULL, 0), 0);
	assert_int_equal(sl_pfx_list_push(&l, &p), 0);
	sl_pfx_list_finish(&l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.n4, 2);
	assert_int_equal(l.n6, 1);
	sl_prefix_format(&l.v[0], buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/8");
	sl_prefix_format(&l.v[1], buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/16");
	sl_prefix_format(&l.v[2], buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::/32");
	sl_pfx_list_free(&l);
	assert_null(l.v);
}

/* ---- list files -------------------------------------------------- */

static size_t ok_file_n(const char *buf, size_t len, size_t n4, size_t n6)
{
	char err[SL_ERR_LEN + 64] = "";
	struct sl_pfx_list l;
	size_t n;

	if (sl_listfile_parse(buf, len, "f", &l, err, sizeof(err)) != 0)
		fail_msg("rejected: %s", err);
	assert_int_equal(l.n4, n4);
	assert_int_equal(l.n6, n6);
	n = l.n;
	sl_pfx_list_free(&l);
	return n;
}

static void ok_file(const char *s, size_t n4, size_t n6)
{
	assert_int_equal(ok_file_n(s, strlen(s), n4, n6), n4 + n6);
}

static void bad_file_n(const char *buf, size_t len, const char *want)
{
	char err[SL_ERR_LEN + 64] = "";
	struct sl_pfx_list l;

	if (sl_listfile_parse(buf, len, "f", &l, err, sizeof(err)) != -1)
		fail_msg("accepted, wanted: %s", want);
	assert_string_equal(err, want);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
}

static void bad_file(const char *s, const char *want)
{
	bad_file_n(s, strlen(s), want);
}

static void test_file_good(void **state)
{
	(void)state;
	ok_file("", 0, 0);
	ok_file("\n", 0, 0);
	ok_file("# only a comment\n\n   \n\t\n", 0, 0);
	ok_file("1.0.1.0/24\n", 1, 0);
	ok_file("1.0.1.0/24", 1, 0);			/* no final newline */
	ok_file("1.0.1.0/24\r\n1.0.2.0/23\r\n", 2, 0);	/* CRLF */
	ok_file("1.0.1.0/24\r\n1.0.2.0/23", 2, 0);
	ok_file("  1.0.1.0/24  \n\t2001:db8::/32\t\n", 1, 1);
	ok_file("1.0.1.0/24 # china\n# 2.0.0.0/8\n", 1, 0);
	ok_file("1.0.1.0/24#no space before comment\n", 1, 0);
	ok_file("1.2.3.4\n::1\n10.0.0.0/8\n2001:db8::/32\n", 2, 2);
	/* Duplicates are merged. */
	ok_file("1.2.3.4\n1.2.3.4/32\n1.2.3.4\n", 1, 0);
	ok_file("\xef\xbb\xbf# BOM then a comment\n", 0, 0);
	ok_file("1.0.1.0/24\r\r\n\v\f\n", 1, 0);
}

static void test_file_bad(void **state)
{
	(void)state;
	bad_file("1.2.3\n", "f:1: bad address '1.2.3'");
	bad_file("1.0.1.0/24\n\n# c\n1.2.3\n", "f:4: bad address '1.2.3'");
	bad_file("1.0.1.0/24\r\n1.2.3.4/33\r\n",
		 "f:2: prefix length 33 out of range");
	bad_file("::/0\n2001:db8::/200",
		 "f:2: prefix length 200 out of range");
	bad_file("10.0.0.1/8\n",
		 "f:1: host bits set in 10.0.0.1/8 (did you mean 10.0.0.0/8?)");
	bad_file("1.0.1.0/24 1.0.2.0/24\n",
		 "f:1: unexpected '1.0.2.0/24' after prefix");
	bad_file("1.0.1.0/24 china\r\n",
		 "f:1: unexpected 'china' after prefix");
	bad_file("1.0.1.0/24,\n", "f:1: bad prefix length '24,'");
	bad_file("1.0.1.0,\n", "f:1: bad address '1.0.1.0,'");
	bad_file("1.0.1.0 /24\n", "f:1: unexpected '/24' after prefix");
	bad_file("1.0.1.0/x\n", "f:1: bad prefix length 'x'");
	bad_file("\n\n\n\nfoo", "f:5: bad address 'foo'");
	/* CR alone is not a line break. */
	bad_file("1.0.1.0/24\r1.0.2.0/24\n",
		 "f:1: unexpected '1.0.2.0/24' after prefix");
	/* A BOM is skipped only at the very start of the file. */
	ok_file("\xef\xbb\xbf" "1.0.1.0/24\n", 1, 0);
	bad_file("\n\xef\xbb\xbf" "1.0.1.0/24\n",
		 "f:2: bad address '\\xef\\xbb\\xbf1.0.1.0/24'");
	bad_file_n("1.0.1.0/24\n1.2.\0.4\n", 19,
		   "f:2: bad address '1.2.\\x00.4'");
	bad_file_n("\0", 1, "f:1: bad address '\\x00'");
}

static void test_file_long_lines(void **state)
{
	size_t len = 1 << 20, i;
	char *buf = malloc(len);

	(void)state;
	assert_non_null(buf);
	/* One 1 MiB line of garbage: short message, no overflow. */
	memset(buf, 'a', len);
	bad_file_n(buf, len, "f:1: bad address '"
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
	/* A prefix padded by 1 MiB of blanks and a long comment is fine. */
	memset(buf, ' ', len);
	memcpy(buf + len / 2, "1.0.1.0/24 #", 12);
	assert_int_equal(ok_file_n(buf, len, 1, 0), 1);
	/* Many lines: line numbers past 100000 are right. */
	for (i = 0; i + 1 < len; i += 2)
		memcpy(buf + i, "\n\n", 2);
	memcpy(buf + 200000, "x\n", 2);
	bad_file_n(buf, len, "f:200001: bad address 'x'");
	free(buf);
}

static void test_file_many(void **state)
{
	size_t n = 70000, i, off = 0;
	char *buf = malloc(n * 20);

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(buf + off, "10.%zu.%zu.0/24\n",
				       (i >> 8) & 0xff, i & 0xff);
	/* 65536 distinct, the rest repeat. */
	assert_int_equal(ok_file_n(buf, off, 65536, 0), 65536);
	free(buf);
}

/* ---- set KEY VALUE ----------------------------------------------- */

static void ok_set(struct sl_config *c, int argc, const char **argv)
{
	char err[SL_ERR_LEN] = "";

	if (sl_config_parse_args(c, argc, (char *const *)argv, err,
				 sizeof(err)) != 0)
		fail_msg("rejected: %s", err);
}

static void bad_set(int argc, const char **argv, const char *want)
{
	char err[SL_ERR_LEN] = "";
	struct sl_config c;

	if (sl_config_parse_args(&c, argc, (char *const *)argv, err,
				 sizeof(err)) != -1)
		fail_msg("accepted, wanted: %s", want);
	assert_string_equal(err, want);
}

#define OK_SET(c, ...) do { \
	const char *a_[] = { __VA_ARGS__ }; \
	ok_set(c, (int)(sizeof(a_) / sizeof(a_[0])), a_); \
} while (0)
#define BAD_SET(want, ...) do { \
	const char *a_[] = { __VA_ARGS__ }; \
	bad_set((int)(sizeof(a_) / sizeof(a_[0])), a_, want); \
} while (0)

static void test_set_good(void **state)
{
	struct sl_config c;

	(void)state;
	OK_SET(&c, "enabled", "on");
	assert_int_equal(c.have, SL_CFG_ENABLED);
	assert_int_equal(c.enabled, 1);
	OK_SET(&c, "enabled", "off", "masquerade", "on");
	assert_int_equal(c.have, SL_CFG_ENABLED | SL_CFG_MASQUERADE);
	assert_int_equal(c.enabled, 0);
	assert_int_equal(c.masquerade, 1);
	OK_SET(&c, "mode", "tproxy");
	assert_int_equal(c.mode, SLUICE_MODE_TPROXY);
	OK_SET(&c, "mode", "redirect");
	assert_int_equal(c.mode, SLUICE_MODE_REDIRECT);
	OK_SET(&c, "port", "1", "port6", "65535");
	assert_int_equal(c.have, SL_CFG_PORT | SL_CFG_PORT6);
	assert_int_equal(c.port, 1);
	assert_int_equal(c.port6, 65535);
	OK_SET(&c, "listen", "127.0.0.1");
	assert_int_equal(c.have, SL_CFG_LISTEN4);
	assert_memory_equal(c.listen4, "\x7f\0\0\x01", 4);
	OK_SET(&c, "listen", "::1", "listen", "10.0.0.1");
	assert_int_equal(c.have, SL_CFG_LISTEN4 | SL_CFG_LISTEN6);
	assert_int_equal(c.listen6[15], 1);
	OK_SET(&c, "mark", "0x100");
	assert_int_equal(c.have, SL_CFG_MARK);
	assert_int_equal(c.bypass_mark, 0x100);
	assert_int_equal(c.bypass_mask, 0xffffffff);
	OK_SET(&c, "mark", "256/0xff00");
	assert_int_equal(c.bypass_mark, 0x100);
	assert_int_equal(c.bypass_mask, 0xff00);
	OK_SET(&c, "fwmark", "0x1/0x1");
	assert_int_equal(c.have, SL_CFG_FWMARK);
	assert_int_equal(c.fwmark, 1);
	assert_int_equal(c.fwmark_mask, 1);
	OK_SET(&c, "fwmark", "0xffffffff");
	assert_int_equal(c.fwmark, 0xffffffff);
	OK_SET(&c, "lan", "br-lan");
	assert_int_equal(c.n_lan, 1);
	assert_string_equal(c.lan[0], "br-lan");
	OK_SET(&c, "lan", "eth1,eth2.100,wlan0");
	assert_int_equal(c.n_lan, 3);
	assert_string_equal(c.lan[1], "eth2.100");
	assert_string_equal(c.lan[2], "wlan0");
	OK_SET(&c, "lan", "none");
	assert_int_equal(c.have, SL_CFG_LAN);
	assert_int_equal(c.n_lan, 0);
	OK_SET(&c, "lan", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p");
	assert_int_equal(c.n_lan, 16);
	OK_SET(&c, "lan", "abcdefghijklmno");	/* 15 chars */
	OK_SET(&c, "wan", "eth0");
	assert_int_equal(c.have, SL_CFG_WAN);
	assert_string_equal(c.wan, "eth0");
	OK_SET(&c, "wan", "none");
	assert_int_equal(c.have, SL_CFG_WAN);
	assert_string_equal(c.wan, "");
	OK_SET(&c, "no-listener", "pass");
	assert_int_equal(c.no_listener, SLUICE_NO_LISTENER_PASS);
	OK_SET(&c, "no-listener", "drop");
	assert_int_equal(c.no_listener, SLUICE_NO_LISTENER_DROP);
	OK_SET(&c, "enabled", "on", "mode", "tproxy", "port", "12345",
	       "port6", "12346", "listen", "127.0.0.1", "listen", "::1",
	       "mark", "0x1", "fwmark", "0x2/0x2", "lan", "br0",
	       "wan", "eth0", "masquerade", "off", "no-listener", "drop");
	assert_int_equal(c.have, 0xfff);
}

static void test_set_bad(void **state)
{
	(void)state;
	bad_set(0, NULL, "no KEY VALUE given");
	BAD_SET("unknown key 'foo'", "foo", "1");
	BAD_SET("unknown key 'Port'", "Port", "1");
	BAD_SET("missing value for port (1-65535)", "port");
	BAD_SET("missing value for mode (tproxy|redirect)", "enabled", "on",
		"mode");
	BAD_SET("bad value 'yes' for enabled (on|off)", "enabled", "yes");
	BAD_SET("bad value '' for enabled (on|off)", "enabled", "");
	BAD_SET("bad value 'proxy' for mode (tproxy|redirect)", "mode", "proxy");
	BAD_SET("bad value 'x' for port (1-65535)", "port", "x");
	BAD_SET("bad value '0' for port (1-65535)", "port", "0");
	BAD_SET("bad value '65536' for port (1-65535)", "port", "65536");
	BAD_SET("bad value '-1' for port (1-65535)", "port", "-1");
	BAD_SET("bad value ' 80' for port (1-65535)", "port", " 80");
	BAD_SET("bad value '80 ' for port (1-65535)", "port", "80 ");
	BAD_SET("bad value '0x50' for port (1-65535)", "port", "0x50");
	BAD_SET("bad value '99999999999999999999' for port6 (1-65535)",
		"port6", "99999999999999999999");
	BAD_SET("bad value '1.2.3' for listen (IPv4 or IPv6 address)",
		"listen", "1.2.3");
	BAD_SET("bad value '1.2.3.0/24' for listen (IPv4 or IPv6 address)",
		"listen", "1.2.3.0/24");
	BAD_SET("bad value '0x100000000' for mark (VALUE[/MASK], mark within "
		"mask)", "mark", "0x100000000");
	BAD_SET("bad value '0x1/0x2' for mark (VALUE[/MASK], mark within mask)",
		"mark", "0x1/0x2");
	BAD_SET("bad value '1/' for mark (VALUE[/MASK], mark within mask)",
		"mark", "1/");
	BAD_SET("bad value 'on' for fwmark (VALUE[/MASK], mark within mask)",
		"fwmark", "on");
	BAD_SET("bad value '-1' for fwmark (VALUE[/MASK], mark within mask)",
		"fwmark", "-1");
	BAD_SET("bad value '' for lan (IF[,IF...] up to 16, or none)",
		"lan", "");
	BAD_SET("bad value 'eth0,' for lan (IF[,IF...] up to 16, or none)",
		"lan", "eth0,");
	BAD_SET("bad value ',eth0' for lan (IF[,IF...] up to 16, or none)",
		"lan", ",eth0");
	BAD_SET("bad value 'eth0,eth0' for lan (IF[,IF...] up to 16, or none)",
		"lan", "eth0,eth0");
	BAD_SET("bad value 'eth0,none' for lan (IF[,IF...] up to 16, or none)",
		"lan", "eth0,none");
	BAD_SET("bad value 'abcdefghijklmnop' for lan (IF[,IF...] up to 16, "
		"or none)", "lan", "abcdefghijklmnop");
	BAD_SET("bad value 'a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q' for lan "
		"(IF[,IF...] up to 16, or none)",
		"lan", "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q");
	BAD_SET("bad value 'a b' for lan (IF[,IF...] up to 16, or none)",
		"lan", "a b");
	BAD_SET("bad value 'a/b' for wan (IF or none)", "wan", "a/b");
	BAD_SET("bad value '..' for wan (IF or none)", "wan", "..");
	BAD_SET("bad value '' for wan (IF or none)", "wan", "");
	BAD_SET("bad value 'maybe' for masquerade (on|off)",
		"masquerade", "maybe");
	BAD_SET("bad value 'reject' for no-listener (pass|drop)",
		"no-listener", "reject");
	BAD_SET("port given twice", "port", "1", "port", "2");
	BAD_SET("listen given twice", "listen", "1.1.1.1", "listen", "2.2.2.2");
	BAD_SET("mark given twice", "mark", "1", "mark", "2");
	/* The first bad pair is reported even if later ones are good. */
	BAD_SET("bad value 'x' for port (1-65535)", "port", "x", "mode",
		"tproxy");
	BAD_SET("unknown key 'it\\x27s'", "it's", "1");
}

static void test_parse_u32(void **state)
{
	uint32_t v, m;

	(void)state;
	assert_int_equal(sl_parse_u32("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sl_parse_u32("4294967295", 10, &v), 0);
	assert_int_equal(v, 4294967295u);
	assert_int_equal(sl_parse_u32("4294967296", 10, &v), -1);
	assert_int_equal(sl_parse_u32("0x10", 0, &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(sl_parse_u32("", 0, &v), -1);
	assert_int_equal(sl_parse_u32("1a", 10, &v), -1);
	assert_int_equal(sl_parse_mark("0xff/0xff", &v, &m), 0);
	assert_int_equal(v, 0xff);
	assert_int_equal(m, 0xff);
	assert_int_equal(sl_parse_mark("0/0", &v, &m), 0);
	assert_int_equal(sl_parse_mark("0x1234567890123456789/1", &v, &m), -1);
}

/* ---- names ------------------------------------------------------- */

static void test_names(void **state)
{
	(void)state;
	assert_true(sl_source_valid("static"));
	assert_true(sl_source_valid("china"));
	assert_true(sl_source_valid("A-Z_a.z-09"));
	assert_true(sl_source_valid("a"));
	assert_true(sl_source_valid("abcdefghijklmnopqrstuvwxyz01234"));
	assert_false(sl_source_valid("abcdefghijklmnopqrstuvwxyz012345"));
	assert_false(sl_source_valid(""));
	assert_false(sl_source_valid("a b"));
	assert_false(sl_source_valid("a/b"));
	assert_false(sl_source_valid("caf\xc3\xa9"));
	assert_true(sl_ifname_valid("eth0"));
	assert_true(sl_ifname_valid("br-lan.10"));
	assert_false(sl_ifname_valid("."));
	assert_false(sl_ifname_valid("a:b"));
	assert_string_equal(sl_verdict_name(SLUICE_VERDICT_PASS), "direct");
	assert_string_equal(sl_verdict_name(SLUICE_VERDICT_REDIRECT), "proxy");
	assert_string_equal(sl_verdict_name(SLUICE_VERDICT_DROP), "drop");
	assert_null(sl_verdict_name(99));
	assert_string_equal(sl_rule_name(SLUICE_RULE_WHITE_LIST), "white_list");
	assert_string_equal(sl_attr_name(SLUICE_A_SOURCE), "source");
	assert_null(sl_attr_name(SLUICE_A_PAD));
	assert_string_equal(sl_rule_name(SLUICE_RULE_BYPASS_MARK),
			    "bypass-mark");
	assert_null(sl_rule_name(__SLUICE_RULE_MAX));
	assert_null(sl_counter_name(SLUICE_CTR_PAD));
	assert_null(sl_counter_name(__SLUICE_CTR_MAX));
	assert_string_equal(sl_counter_name(SLUICE_CTR_PACKETS), "packets");
	assert_null(sl_mem_name(SLUICE_MEM_PAD));
	assert_string_equal(sl_mem_name(SLUICE_MEM_CIDR_BYTES), "cidr_bytes");
	for (uint32_t i = 0; i < __SLUICE_RULE_MAX; i++)
		assert_non_null(sl_rule_name(i));
	for (uint16_t i = SLUICE_CTR_PACKETS; i < __SLUICE_CTR_MAX; i++)
		assert_non_null(sl_counter_name(i));
	for (uint16_t i = SLUICE_MEM_ENTRIES; i < __SLUICE_MEM_MAX; i++)
		assert_non_null(sl_mem_name(i));
}

/* ---- attributes and acks ----------------------------------------- */

static void test_config_roundtrip(void **state)
{
	char buf[4096];
	struct sl_config in, out;
	struct nlmsghdr *nlh;
	const char *argv[] = {
		"enabled", "on", "mode", "redirect", "port", "12345",
		"port6", "12346", "listen", "127.0.0.1", "listen", "::1",
		"mark", "0x1/0xff", "fwmark", "0x2", "lan", "br0,eth1",
		"wan", "eth0", "masquerade", "on", "no-listener", "drop",
	};

	(void)state;
	ok_set(&in, (int)(sizeof(argv) / sizeof(argv[0])), argv);
	nlh = genl_msg(buf, SLUICE_CMD_SET_CONFIG);
	assert_true(sl_put_config(nlh, sizeof(buf), &in));
	assert_int_equal(sl_get_config(nlh, &out), 0);
	assert_memory_equal(&in, &out, sizeof(in));

	/* Only the named keys are encoded; an empty LAN nest clears. */
	OK_SET(&in, "lan", "none");
	nlh = genl_msg(buf, SLUICE_CMD_SET_CONFIG);
	assert_true(sl_put_config(nlh, sizeof(buf), &in));
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN + 4);
	assert_int_equal(sl_get_config(nlh, &out), 0);
	assert_int_equal(out.have, SL_CFG_LAN);
	assert_int_equal(out.n_lan, 0);

	/* "wan none" is an empty string attribute. */
	OK_SET(&in, "wan", "none");
	nlh = genl_msg(buf, SLUICE_CMD_SET_CONFIG);
	assert_true(sl_put_config(nlh, sizeof(buf), &in));
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN + 8);

	/* Too small a buffer fails cleanly. */
	ok_set(&in, (int)(sizeof(argv) / sizeof(argv[0])), argv);
	nlh = genl_msg(buf, SLUICE_CMD_SET_CONFIG);
	assert_false(sl_put_config(nlh, 64, &in));
}

static void test_prefix_roundtrip(void **state)
{
	static const char *const in[] = {
		"1.2.3.0/24", "1.2.3.4", "::/0", "2001:db8::1",
	};
	char buf[4096], s[SL_PREFIX_STRLEN];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct sl_prefix p, q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_int_equal(sl_prefix_parse(in[i], &p, NULL, 0), 0);
		nlh = genl_msg(buf, SLUICE_CMD_WL_ADD);
		assert_true(sl_put_prefix(nlh, sizeof(buf), SLUICE_A_PREFIX,
					  &p, i % 2));
		a = mnl_nlmsg_get_payload_offset(nlh, GENL_HDRLEN);
		assert_int_equal(mnl_attr_get_type(a), SLUICE_A_PREFIX);
		assert_int_equal(sl_get_prefix(a, &q), 0);
		sl_prefix_format(&q, s, sizeof(s));
		/* Without PLEN the decoder reads a host. */
		if (i % 2 || p.plen == sl_prefix_maxlen(&p))
			assert_string_equal(s, in[i]);
		else
			assert_int_equal(q.plen, sl_prefix_maxlen(&q));
	}
	/* A full message refuses the nest and leaves no half of it. */
	nlh = genl_msg(buf, SLUICE_CMD_WL_ADD);
	assert_false(sl_put_prefix(nlh, NLMSG_HDRLEN + GENL_HDRLEN + 8,
				   SLUICE_A_PREFIX, &p, true));
	assert_int_equal(nlh->nlmsg_len, NLMSG_HDRLEN + GENL_HDRLEN);
}

static void test_entry_decode(void **state)
{
	char buf[4096];
	struct nlmsghdr *nlh = genl_msg(buf, SLUICE_CMD_WL_GET);
	struct sl_entry en;
	struct sl_match m;
	struct sl_prefix p;

	(void)state;
	assert_int_equal(sl_prefix_parse("1.0.1.0/24", &p, NULL, 0), 0);
	sl_put_prefix(nlh, sizeof(buf), SLUICE_A_PREFIX, &p, true);
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "china");
	mnl_attr_put_u32(nlh, SLUICE_A_TIMEOUT, 42);
	mnl_attr_put_u32(nlh, 200, 1);	/* unknown: skipped */
	assert_int_equal(sl_get_entry(nlh, &en), 0);
	assert_string_equal(en.source, "china");
	assert_true(en.has_timeout);
	assert_int_equal(en.timeout, 42);
	assert_int_equal(en.pfx.plen, 24);

	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "static");
	mnl_attr_put_u8(nlh, SLUICE_A_MATCH, 1);
	assert_int_equal(sl_get_match(nlh, &m), 0);
	assert_true(m.match);
	assert_int_equal(m.n_sources, 2);
	assert_string_equal(m.sources[1], "static");

	/* A source name longer than the kernel allows is refused. */
	nlh = genl_msg(buf, SLUICE_CMD_WL_GET);
	sl_put_prefix(nlh, sizeof(buf), SLUICE_A_PREFIX, &p, true);
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE,
			  "abcdefghijklmnopqrstuvwxyz0123456789");
	assert_int_equal(sl_get_entry(nlh, &en), -1);
	/* A prefix with a bad length is refused. */
	nlh = genl_msg(buf, SLUICE_CMD_WL_GET);
	p.plen = 40;
	sl_put_prefix(nlh, sizeof(buf), SLUICE_A_PREFIX, &p, true);
	mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, "x");
	assert_int_equal(sl_get_entry(nlh, &en), -1);
}

/* Build an NLMSG_ERROR as the kernel does with CAP_ACK + EXT_ACK. */
static void test_extack(void **state)
{
	char buf[4096], msg[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;
	uint32_t off;
	int code;

	(void)state;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -ENOENT;
	err->msg.nlmsg_len = 5000;	/* original length: capped, ignored */
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "prefix not in source");
	assert_int_equal(sl_nl_parse_status(nlh, &code, msg, sizeof(msg), &off), 0);
	assert_int_equal(code, ENOENT);
	assert_string_equal(msg, "prefix not in source");
	assert_int_equal(off, 20);

	/* Not capped: the request echo (24 bytes) precedes the TLVs. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err) + 8);
	err->error = -EINVAL;
	err->msg.nlmsg_len = sizeof(struct nlmsghdr) + 8;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "bad mode");
	assert_int_equal(sl_nl_parse_status(nlh, &code, msg, sizeof(msg), &off), 0);
	assert_int_equal(code, EINVAL);
	assert_string_equal(msg, "bad mode");
	assert_int_equal(off, 0);

	/* Missing-attribute report without text. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -EINVAL;
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, SLUICE_A_SOURCE);
	assert_int_equal(sl_nl_parse_status(nlh, &code, msg, sizeof(msg), &off), 0);
	assert_string_equal(msg, "missing attribute source");
	/* ... and with an offset into the request. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = -EINVAL;
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, SLUICE_PFX_ADDR4);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_NEST, 20);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 36);
	assert_int_equal(sl_nl_parse_status(nlh, &code, msg, sizeof(msg),
					    &off), 0);
	assert_string_equal(msg, "missing nested attribute 1");
	assert_int_equal(off, 36);

	/* Plain ack. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	assert_int_equal(sl_nl_parse_status(nlh, &code, msg, sizeof(msg), &off), 0);
	assert_int_equal(code, 0);
	assert_string_equal(msg, "");

	/* Truncated error message. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 4);
	assert_int_equal(sl_nl_parse_status(nlh, &code, msg, sizeof(msg), &off), -1);

	/* A dump that ended in error, with text after the int. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -EBUSY;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "busy");
	assert_int_equal(sl_nl_parse_status(nlh, &code, msg, sizeof(msg), &off), 0);
	assert_int_equal(code, EBUSY);
	assert_string_equal(msg, "busy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_good),
		cmocka_unit_test(test_prefix_bad),
		cmocka_unit_test(test_prefix_long),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_list_dedupe),
		cmocka_unit_test(test_file_good),
		cmocka_unit_test(test_file_bad),
		cmocka_unit_test(test_file_long_lines),
		cmocka_unit_test(test_file_many),
		cmocka_unit_test(test_set_good),
		cmocka_unit_test(test_set_bad),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_config_roundtrip),
		cmocka_unit_test(test_prefix_roundtrip),
		cmocka_unit_test(test_entry_decode),
		cmocka_unit_test(test_extack),
	};

	return cmocka_run_group_tests_name("sluicectl parsers", tests,
					   NULL, NULL);
}
