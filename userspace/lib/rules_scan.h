/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Find transparent-proxy rules (tproxy/redirect statements, xt TPROXY/
 * REDIRECT targets) that a packet can reach from a prerouting or output
 * hook, in `nft -j list ruleset` output or in iptables-save text.  Pure
 * parsing, no I/O: rules_check.c runs the tools.
 */
#ifndef SLUICE_RULES_SCAN_H
#define SLUICE_RULES_SCAN_H

#include <stdint.h>

#include "warn.h"

/*
 * @json: the whole output of `nft -j list ruleset`.  @mode: sluice's
 * SLUICE_MODE_* (its hook priority is what a rule is compared with).
 * 0, -1 when out of memory, -2 when @json is not a ruleset (a warning of
 * kind "check-failed" is added then).
 */
int sl_scan_nft_json(const char *json, uint32_t mode, struct sl_warns *w);

/*
 * @text: iptables-save or ip6tables-save output; @tool: the command that
 * deletes a rule (e.g. "iptables-legacy"), named in the messages and fixes.
 * 0 or -1 when out of memory.
 */
int sl_scan_ipt_save(const char *text, const char *tool, uint32_t mode,
		     struct sl_warns *w);

#endif /* SLUICE_RULES_SCAN_H */
