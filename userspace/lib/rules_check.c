// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Run the tools that show this namespace's rulesets and scan their output
 * (rules_scan.c): nft (native nftables rules and iptables-nft's, which
 * live in nftables tables too), else iptables-nft-save; and the legacy
 * x_tables, which nft cannot see, with iptables-legacy-save when the
 * namespace has legacy tables at all (/proc/net/ip*_tables_names).
 *
 * nft costs a process and a full ruleset dump (0.7 s in a loaded TCG
 * guest), and `status` runs these checks every time.  No such rule can
 * exist while none of the kernel modules that implement them is loaded
 * or built in, which is the common case; then nft is not run at all.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "checks.h"
#include "rules_scan.h"
#include "runcmd.h"

#define MAX_OUT (64u << 20)

/* The tool ran and failed: say so, the namespace is unverified. */
static int failed(struct sl_warns *w, const char *tool,
		  const struct sl_spawn_out *r, int err)
{
	char why[320];
	size_t l;

	if (err)
		snprintf(why, sizeof(why), "%s", strerror(err));
	else
		snprintf(why, sizeof(why), "exit %d: %s", r->status, r->err);
	l = strlen(why);
	while (l && (why[l - 1] == '\n' || why[l - 1] == ' '))
		why[--l] = '\0';
	return sl_warn_add(w, "check-failed",
			   "run as root (CAP_NET_ADMIN) in the namespace",
			   "cannot check for other transparent-proxy rules: "
			   "%s: %s", tool, why);
}

/* 0 ran, 1 not installed, -1 oom. */
static int run_scan(const char *const argv[], const char *tool,
		    uint32_t mode, bool json, struct sl_warns *w)
{
	struct sl_spawn_out r;
	int ret;

	ret = sl_spawn(argv, MAX_OUT, &r);
	if (ret == 1)
		return 1;
	if (ret < 0)
		return failed(w, argv[0], &r, errno ? errno : EIO);
	if (r.status) {
		ret = failed(w, argv[0], &r, 0);
	} else if (json) {
		ret = sl_scan_nft_json(r.out, mode, w);
		ret = ret == -2 ? 0 : ret;
	} else {
		ret = sl_scan_ipt_save(r.out, tool, mode, w);
	}
	sl_spawn_free(&r);
	return ret;
}

static const char *const proxy_mods[] = { "nft_tproxy", "nft_redir",
					  "xt_TPROXY", "xt_REDIRECT" };

/* false only if provably no module that can hold such a rule is there */
static bool proxy_rules_possible(void)
{
	char path[320], line[512];
	struct utsname u;
	bool found = false;
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(proxy_mods) / sizeof(proxy_mods[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", proxy_mods[i]);
		if (!access(path, F_OK))
			return true;
	}
	/* Built-in ones need not appear in /sys/module. */
	if (uname(&u) < 0)
		return true;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin",
		 u.release);
	f = fopen(path, "re");
	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *base = strrchr(line, '/');

		base = base ? base + 1 : line;
		for (i = 0; i < sizeof(proxy_mods) / sizeof(proxy_mods[0]); i++)
			if (!strncmp(base, proxy_mods[i],
				     strlen(proxy_mods[i])) &&
			    base[strlen(proxy_mods[i])] == '.')
				found = true;
	}
	fclose(f);
	return found;
}

/* Does /proc/net/NAMES list any table?  (Absent: module not loaded.) */
static bool has_legacy_tables(const char *names)
{
	char path[64];
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "/proc/net/%s", names);
	f = fopen(path, "re");
	if (!f)
		return false;
	c = fgetc(f);
	fclose(f);
	return c != EOF;
}

int sl_check_rules(const struct sl_check_in *in, struct sl_warns *w)
{
	static const char *const nft[] = { "nft", "-j", "list", "ruleset",
					   NULL };
	static const struct {
		const char *names, *save, *tool;
	} legacy[] = {
		{ "ip_tables_names", "iptables-legacy-save", "iptables-legacy" },
		{ "ip6_tables_names", "ip6tables-legacy-save",
		  "ip6tables-legacy" },
	};
	static const struct {
		const char *save, *tool;
	} nftsave[] = {
		{ "iptables-nft-save", "iptables-nft" },
		{ "ip6tables-nft-save", "ip6tables-nft" },
	};
	size_t i;
	int ret = 0;

	if (proxy_rules_possible())
		ret = run_scan(nft, "nft", in->mode, true, w);
	if (ret < 0)
		return -1;
	/* No nft: iptables-nft's own view of its tables, at least. */
	for (i = 0; ret == 1 && i < 2; i++) {
		const char *argv[] = { nftsave[i].save, NULL };

		if (run_scan(argv, nftsave[i].tool, in->mode, false, w) < 0)
			return -1;
	}
	for (i = 0; i < 2; i++) {
		const char *argv[] = { legacy[i].save, NULL };

		if (!has_legacy_tables(legacy[i].names))
			continue;
		ret = run_scan(argv, legacy[i].tool, in->mode, false, w);
		if (ret < 0)
			return -1;
		if (ret == 1 &&
		    sl_warn_add(w, "check-failed",
				"install iptables (it has the -legacy tools)",
				"this namespace has legacy %s tables but %s is "
				"not installed: cannot check them for "
				"TPROXY/REDIRECT rules",
				i ? "ip6tables" : "iptables",
				legacy[i].save) < 0)
			return -1;
	}
	return 0;
}

int sl_check_all(const struct sl_check_in *in, struct sl_warns *w)
{
	if (sl_check_sysctls(in, w) < 0 || sl_check_rules(in, w) < 0)
		return -1;
	return sl_check_client(in, w);
}
