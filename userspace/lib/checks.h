/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Checks of the network namespace sluice runs in, for `sluicectl status`
 * and `sluicectl check` (and sluiced's start-up log):
 *  - sysctls that break redirection or direct flows (sysctl_check.c);
 *  - other transparent-proxy rules (TPROXY, REDIRECT) in nftables,
 *    iptables-nft and iptables-legacy that capture LAN traffic before or
 *    after sluice (rules_check.c);
 *  - a tunnel client the loop guard cannot tell apart (client_check.c).
 * docs/firewall.md has the measurements behind each check.
 */
#ifndef SLUICE_CHECKS_H
#define SLUICE_CHECKS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/sluice.h>

#include "warn.h"

struct sl_config;

/* What the checks need to know of sluice's configuration. */
struct sl_check_in {
	uint32_t mode;			/* SLUICE_MODE_* */
	unsigned n_lan;
	char lan[SLUICE_MAX_LAN_IFS][SLUICE_IFNAME_MAXLEN + 1];
	/* Where the sysctls are: "/proc/sys" (tests point elsewhere). */
	const char *sysctl_root;
	bool local;			/* `local on`: the loop guard matters */
	unsigned port, port6;		/* the client's listener */
	/* Where processes are: "/proc" (NULL: the same). */
	const char *proc_root;
};

/* Fill @in from a GET_CONFIG reply (fields it lacks keep their defaults). */
void sl_check_in_from_config(struct sl_check_in *in,
			     const struct sl_config *c);

/*
 * Each appends its warnings to @w.  0, or -1 when out of memory.  A check
 * that cannot run (a tool fails) says so as a warning of kind
 * "check-failed": an unverified namespace is never reported as clean.
 */
int sl_check_sysctls(const struct sl_check_in *in, struct sl_warns *w);
int sl_check_rules(const struct sl_check_in *in, struct sl_warns *w);
/*
 * With `local on` in tproxy mode: whether the loop guard can tell the
 * tunnel client (the process holding the listener) from other programs
 * (client_check.c).
 */
int sl_check_client(const struct sl_check_in *in, struct sl_warns *w);

/* All of them, in that order. */
int sl_check_all(const struct sl_check_in *in, struct sl_warns *w);

#endif /* SLUICE_CHECKS_H */
