// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the namespace checks behind `sluicectl check`: which
 * rules of a ruleset are reported (reachable from prerouting/output, and
 * how they rank against sluice's hook), which sysctl combinations are
 * reported (the ones measured to break flows in tests/vm/t/72-sysctl.sh),
 * and the command runner.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <linux/sluice.h>

#include "checks.h"
#include "rules_scan.h"
#include "runcmd.h"
#include "warn.h"

/* ---- nft -j list ruleset --------------------------------------------- */

#define META "{\"metainfo\":{\"version\":\"1.0.6\",\"json_schema_version\":1}}"
#define CHAIN(fam, tbl, name) \
	"{\"chain\":{\"family\":\"" fam "\",\"table\":\"" tbl "\"," \
	"\"name\":\"" name "\",\"handle\":1}}"
#define BASE(fam, tbl, name, hook, prio) \
	"{\"chain\":{\"family\":\"" fam "\",\"table\":\"" tbl "\"," \
	"\"name\":\"" name "\",\"handle\":1,\"type\":\"filter\"," \
	"\"hook\":\"" hook "\",\"prio\":" #prio ",\"policy\":\"accept\"}}"
#define RULE(fam, tbl, chain, handle, expr) \
	"{\"rule\":{\"family\":\"" fam "\",\"table\":\"" tbl "\"," \
	"\"chain\":\"" chain "\",\"handle\":" #handle ",\"expr\":[" expr "]}}"
#define TPROXY "{\"tproxy\":{\"family\":\"ip\",\"port\":12345}}"
#define XT(name) "{\"xt\":{\"type\":\"target\",\"name\":\"" name "\"}}"
#define JUMP(t) "{\"jump\":{\"target\":\"" t "\"}}"
#define RS(...) "{\"nftables\":[" META "," __VA_ARGS__ "]}"

static struct sl_warns scan_nft(const char *json, uint32_t mode)
{
	struct sl_warns w = { 0 };

	assert_int_equal(sl_scan_nft_json(json, mode, &w), 0);
	return w;
}

static void nft_native_tproxy_via_jump(void **state)
{
	struct sl_warns w = scan_nft(RS(
		BASE("inet", "proxy", "pre", "prerouting", -150) ","
		CHAIN("inet", "proxy", "divert") ","
		RULE("inet", "proxy", "pre", 3, JUMP("divert")) ","
		RULE("inet", "proxy", "divert", 7,
		     "{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":"
		     "\"l4proto\"}},\"right\":\"tcp\"}}," TPROXY)),
		SLUICE_MODE_TPROXY);

	(void)state;
	assert_int_equal(w.n, 1);
	assert_string_equal(w.v[0].kind, "proxy-rule");
	assert_string_equal(w.v[0].msg,
		"nftables: tproxy rule in table inet proxy, chain divert "
		"(reached from pre), hook prerouting priority -150 (sluice: "
		"prerouting -150): it runs at sluice's priority: which of the "
		"two acts first is undefined");
	assert_string_equal(w.v[0].fix,
			    "nft delete rule inet proxy divert handle 7");
	sl_warns_free(&w);
}

static void nft_iptables_nft_and_redirect(void **state)
{
	struct sl_warns w = scan_nft(RS(
		BASE("ip", "mangle", "PREROUTING", "prerouting", -150) ","
		BASE("ip", "nat", "PREROUTING", "prerouting", -100) ","
		BASE("ip6", "nat", "OUTPUT", "output", -100) ","
		RULE("ip", "mangle", "PREROUTING", 4, XT("TPROXY")) ","
		RULE("ip", "nat", "PREROUTING", 5,
		     "{\"redirect\":{\"port\":12345}}") ","
		RULE("ip6", "nat", "OUTPUT", 6, "{\"redirect\":null}")),
		SLUICE_MODE_TPROXY);

	(void)state;
	assert_int_equal(w.n, 3);
	assert_non_null(strstr(w.v[0].msg, "TPROXY (iptables-nft) rule in "
				"table ip mangle, chain PREROUTING, hook "
				"prerouting priority -150"));
	assert_non_null(strstr(w.v[1].msg, "redirect rule in table ip nat, "
			       "chain PREROUTING, hook prerouting priority "
			       "-100 (sluice: prerouting -150): it runs after "
			       "sluice's hook and redirects flows sluice let "
			       "go direct"));
	assert_non_null(strstr(w.v[2].msg, "captures the gateway's own "
			       "outgoing flows"));
	assert_string_equal(w.v[2].fix,
			    "nft delete rule ip6 nat OUTPUT handle 6");
	sl_warns_free(&w);

	/* In redirect mode sluice's hook is at -100: mangle comes first. */
	w = scan_nft(RS(
		BASE("ip", "mangle", "PREROUTING", "prerouting", -150) ","
		RULE("ip", "mangle", "PREROUTING", 4, XT("TPROXY"))),
		SLUICE_MODE_REDIRECT);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.v[0].msg, "runs before sluice's hook"));
	sl_warns_free(&w);
}

static void nft_not_reported(void **state)
{
	/* Unreachable chain, other hooks, other xt targets, masquerade. */
	struct sl_warns w = scan_nft(RS(
		BASE("inet", "fw4", "forward", "forward", 0) ","
		BASE("inet", "fw4", "srcnat", "postrouting", 100) ","
		BASE("ip", "mangle", "PREROUTING", "prerouting", -150) ","
		CHAIN("inet", "fw4", "orphan") ","
		CHAIN("ip", "other", "V2RAY") ","
		RULE("inet", "fw4", "forward", 2,
		     "{\"flow\":{\"op\":\"add\",\"flowtable\":\"@ft\"}}") ","
		RULE("inet", "fw4", "srcnat", 3, "{\"masquerade\":null}") ","
		RULE("inet", "fw4", "orphan", 4, TPROXY) ","
		RULE("ip", "mangle", "PREROUTING", 5, XT("MARK")) ","
		RULE("ip", "mangle", "PREROUTING", 6, JUMP("V2RAY")) ","
		RULE("ip", "other", "V2RAY", 7, XT("REDIRECT"))),
		SLUICE_MODE_TPROXY);

	(void)state;
	assert_int_equal(w.n, 0);
	sl_warns_free(&w);
}

static void nft_bad_json(void **state)
{
	struct sl_warns w = { 0 };

	(void)state;
	assert_int_equal(sl_scan_nft_json("{\"nope\":1}", 0, &w), -2);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.v[0].kind, "check-failed");
	sl_warns_free(&w);
	assert_int_equal(sl_scan_nft_json("not json", 0, &w), -2);
	sl_warns_free(&w);
}

/* ---- iptables-save --------------------------------------------------- */

static void ipt_legacy(void **state)
{
	static const char save[] =
		"# Generated by iptables-save v1.8.9 on Mon\n"
		"*mangle\n"
		":PREROUTING ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		":V2RAY - [0:0]\n"
		":UNUSED - [0:0]\n"
		"-A PREROUTING -i lan0 -j V2RAY\n"
		"-A V2RAY -p tcp -j TPROXY --on-port 12345 --on-ip 0.0.0.0 "
		"--tproxy-mark 0x1/0x1\n"
		"-A UNUSED -p udp -j TPROXY --on-port 1\n"
		"COMMIT\n"
		"*nat\n"
		":PREROUTING ACCEPT [0:0]\n"
		":POSTROUTING ACCEPT [0:0]\n"
		"-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 3128\n"
		"-A POSTROUTING -o wan0 -j MASQUERADE\n"
		"COMMIT\n";
	struct sl_warns w = { 0 };

	(void)state;
	assert_int_equal(sl_scan_ipt_save(save, "iptables-legacy",
					  SLUICE_MODE_TPROXY, &w), 0);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.v[0].msg,
		"iptables-legacy: TPROXY rule in table ip mangle, chain V2RAY "
		"(reached from PREROUTING), hook prerouting priority -150 "
		"(sluice: prerouting -150): it runs at sluice's priority: "
		"which of the two acts first is undefined");
	assert_string_equal(w.v[0].fix,
		"iptables-legacy -t mangle -D V2RAY -p tcp -j TPROXY "
		"--on-port 12345 --on-ip 0.0.0.0 --tproxy-mark 0x1/0x1");
	assert_string_equal(w.v[1].fix, "iptables-legacy -t nat -D PREROUTING "
			    "-p tcp --dport 80 -j REDIRECT --to-ports 3128");
	sl_warns_free(&w);

	assert_int_equal(sl_scan_ipt_save("", "ip6tables-legacy",
					  SLUICE_MODE_TPROXY, &w), 0);
	assert_int_equal(w.n, 0);
	assert_int_equal(sl_scan_ipt_save("*nat\n:PREROUTING ACCEPT [0:0]\n"
					  "-A PREROUTING -j REDIRECT\n",
					  "ip6tables-legacy",
					  SLUICE_MODE_REDIRECT, &w), 0);
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.v[0].msg, "table ip6 nat"));
	sl_warns_free(&w);
}

/* ---- sysctls ----------------------------------------------------------- */

static char root[64];

static void put(const char *rel, int v)
{
	char path[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d\n", v);
	fclose(f);
}

/* A sane router: forwarding on, everything else at its default. */
static void sane(void)
{
	static const char *const ifs[] = { "all", "default", "lan0", "wan0" };
	char rel[128];
	size_t i;

	put("net/ipv4/ip_forward", 1);
	put("net/ipv6/conf/all/forwarding", 1);
	for (i = 0; i < 4; i++) {
		snprintf(rel, sizeof(rel), "net/ipv4/conf/%s/src_valid_mark",
			 ifs[i]);
		put(rel, 0);
		snprintf(rel, sizeof(rel), "net/ipv4/conf/%s/accept_local",
			 ifs[i]);
		put(rel, 0);
		snprintf(rel, sizeof(rel), "net/ipv4/conf/%s/rp_filter", ifs[i]);
		put(rel, 2);
		snprintf(rel, sizeof(rel), "net/ipv4/conf/%s/forwarding",
			 ifs[i]);
		put(rel, 1);
		snprintf(rel, sizeof(rel), "net/ipv6/conf/%s/disable_ipv6",
			 ifs[i]);
		put(rel, 0);
	}
}

static int sys_setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/sluice-test-checks.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	sane();
	return 0;
}

static int sys_teardown(void **state)
{
	char cmd[96];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* The kinds reported, space-separated. */
#define expect(m, k) expect_at(__LINE__, m, k)
static void expect_at(int line, uint32_t mode, const char *kinds)
{
	struct sl_check_in in = { .mode = mode, .n_lan = 1, .lan = { "lan0" },
				  .sysctl_root = root };
	struct sl_warns w = { 0 };
	char got[256] = "";
	size_t i;

	assert_int_equal(sl_check_sysctls(&in, &w), 0);
	for (i = 0; i < w.n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, w.v[i].kind);
		assert_true(w.v[i].fix[0] != '\0');
	}
	if (strcmp(got, kinds))
		fail_msg("line %d: got \"%s\", want \"%s\"", line, got, kinds);
	sl_warns_free(&w);
}

static void sysctl_src_valid_mark(void **state)
{
	(void)state;
	sane();
	expect(SLUICE_MODE_TPROXY, "");
	/* strict rp_filter alone changes nothing (measured) */
	put("net/ipv4/conf/all/rp_filter", 1);
	put("net/ipv4/conf/lan0/rp_filter", 1);
	expect(SLUICE_MODE_TPROXY, "");
	sane();
	put("net/ipv4/conf/all/src_valid_mark", 1);
	expect(SLUICE_MODE_TPROXY, "src_valid_mark");
	expect(SLUICE_MODE_REDIRECT, "");	/* no fwmark there */
	put("net/ipv4/conf/lan0/accept_local", 1);
	expect(SLUICE_MODE_TPROXY, "");
	/* the kernel uses max(all, lan0): 2 in all makes lan0's 1 loose */
	put("net/ipv4/conf/lan0/rp_filter", 1);
	expect(SLUICE_MODE_TPROXY, "");
	put("net/ipv4/conf/all/rp_filter", 0);
	expect(SLUICE_MODE_TPROXY, "src_valid_mark");
	put("net/ipv4/conf/lan0/rp_filter", 0);
	put("net/ipv4/conf/all/rp_filter", 1);	/* max(all, lan0) */
	expect(SLUICE_MODE_TPROXY, "src_valid_mark");
	sane();
	put("net/ipv4/conf/lan0/src_valid_mark", 1);
	expect(SLUICE_MODE_TPROXY, "src_valid_mark");
	put("net/ipv4/conf/all/accept_local", 1);	/* all OR lan0 */
	expect(SLUICE_MODE_TPROXY, "");
	sane();
}

static void sysctl_forwarding(void **state)
{
	struct sl_check_in in = { .mode = SLUICE_MODE_TPROXY, .n_lan = 1,
				  .lan = { "lan0" }, .sysctl_root = root };
	struct sl_warns w = { 0 };

	(void)state;
	sane();
	put("net/ipv4/ip_forward", 0);
	expect(SLUICE_MODE_TPROXY, "ip_forward");
	put("net/ipv4/ip_forward", 1);
	put("net/ipv4/conf/lan0/forwarding", 0);
	expect(SLUICE_MODE_REDIRECT, "forwarding");
	put("net/ipv4/conf/lan0/forwarding", 1);
	put("net/ipv6/conf/all/forwarding", 0);
	expect(SLUICE_MODE_TPROXY, "ipv6_forwarding");
	put("net/ipv6/conf/lan0/disable_ipv6", 1);	/* no IPv6 on the LAN */
	expect(SLUICE_MODE_TPROXY, "");
	sane();
	/* A LAN interface that does not exist (yet): nothing to say. */
	snprintf(in.lan[0], sizeof(in.lan[0]), "ppp9");
	assert_int_equal(sl_check_sysctls(&in, &w), 0);
	assert_int_equal(w.n, 0);
	sl_warns_free(&w);
}

/* ---- runcmd ------------------------------------------------------------ */

static void run_cmd(void **state)
{
	const char *const sh[] = { "sh", "-c", "echo out; echo err >&2; exit 3",
				   NULL };
	const char *const big[] = { "sh", "-c", "seq 100000", NULL };
	const char *const none[] = { "sluice-no-such-program", NULL };
	struct sl_spawn_out r;

	(void)state;
	assert_int_equal(sl_spawn(sh, 1 << 20, &r), 0);
	assert_int_equal(r.status, 3);
	assert_string_equal(r.out, "out\n");
	assert_string_equal(r.err, "err\n");
	sl_spawn_free(&r);
	assert_int_equal(sl_spawn(big, 10, &r), 0);	/* capped, drained */
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "1\n2\n3\n4\n5\n");
	sl_spawn_free(&r);
	assert_int_equal(sl_spawn(none, 10, &r), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nft_native_tproxy_via_jump),
		cmocka_unit_test(nft_iptables_nft_and_redirect),
		cmocka_unit_test(nft_not_reported),
		cmocka_unit_test(nft_bad_json),
		cmocka_unit_test(ipt_legacy),
		cmocka_unit_test_setup_teardown(sysctl_src_valid_mark,
						sys_setup, sys_teardown),
		cmocka_unit_test_setup_teardown(sysctl_forwarding, sys_setup,
						sys_teardown),
		cmocka_unit_test(run_cmd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
