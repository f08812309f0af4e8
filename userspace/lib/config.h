/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The sluice configuration as userspace holds it: filled either from
 * `sluicectl set KEY VALUE...` arguments (sl_config_parse_args) or from a
 * GET_CONFIG reply (attrs.c).  `have` says which fields are meaningful,
 * so a SET_CONFIG request carries exactly the keys the user named.
 * Pure code: no netlink here.
 */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/sluice.h>

#include "prefix.h"

enum {
	SL_CFG_ENABLED		= 1u << 0,
	SL_CFG_MODE		= 1u << 1,
	SL_CFG_PORT		= 1u << 2,
	SL_CFG_PORT6		= 1u << 3,
	SL_CFG_LISTEN4		= 1u << 4,
	SL_CFG_LISTEN6		= 1u << 5,
	SL_CFG_MARK		= 1u << 6,	/* bypass mark + mask */
	SL_CFG_FWMARK		= 1u << 7,	/* fwmark + mask */
	SL_CFG_LAN		= 1u << 8,
	SL_CFG_WAN		= 1u << 9,
	SL_CFG_MASQUERADE	= 1u << 10,
	SL_CFG_NO_LISTENER	= 1u << 11,
	SL_CFG_LOCAL		= 1u << 12,
	SL_CFG_DNS_PORT		= 1u << 13,
	SL_CFG_DNS_LOCAL	= 1u << 14,
	SL_CFG_SRC_MODE		= 1u << 15,
	SL_CFG_SRC_MACS		= 1u << 16,
	SL_CFG_DEFAULT		= 1u << 17,
	SL_CFG_QUIC		= 1u << 18,
	SL_CFG_CT_MASK		= 1u << 19,
};

struct sl_config {
	unsigned have;
	uint8_t enabled;
	uint32_t mode;
	uint16_t port, port6;
	uint8_t listen4[4];
	uint8_t listen6[16];
	uint32_t bypass_mark, bypass_mask;
	uint32_t fwmark, fwmark_mask;
	unsigned n_lan;
	char lan[SLUICE_MAX_LAN_IFS][SLUICE_IFNAME_MAXLEN + 1];
	char wan[SLUICE_IFNAME_MAXLEN + 1];	/* "" = none */
	uint8_t masquerade;
	uint32_t no_listener;
	uint8_t local;			/* the gateway's own flows too */
	uint16_t dns_port;		/* 0 = off */
	uint8_t dns_local;
	uint32_t src_mode;		/* enum sluice_src_mode */
	unsigned n_src_macs;
	uint8_t src_macs[SLUICE_MAX_SRC_MACS][6];
	uint32_t dflt;			/* enum sluice_default */
	uint8_t quic_reject;
	uint32_t ct_mask;		/* two bits: direct (low), proxied */
};

/*
 * Parse "KEY VALUE [KEY VALUE...]" into @c (zeroed first).  Returns 0, or
 * -1 with a reason in @err such as "unknown key 'foo'",
 * "bad value 'x' for port (1-65535)" or, where the value has a structure
 * of its own, "src-mac: '01:00:5e:00:00:01' is a multicast address".
 */
int sl_config_parse_args(struct sl_config *c, int argc, char *const *argv,
			 char *err, size_t errlen);

/* Strict unsigned parsing: whole string, no sign, no spaces. 0 or -1. */
int sl_parse_u32(const char *s, int base, uint32_t *out);
/* VALUE[/MASK], C notation (0x.. hex, decimal); mask defaults to ~0. */
int sl_parse_mark(const char *s, uint32_t *val, uint32_t *mask);
/*
 * The ct mark bits of the per-flow verdicts: a number in C notation with
 * exactly two bits set (the lower marks a flow direct, the higher
 * proxied), as the kernel wants.  0, or -1 with the reason in @why
 * ("0x10000000 has 1 bit set, ct-mask needs exactly two").
 */
int sl_parse_ct_mask(const char *s, uint32_t *mask, char *why,
		     size_t whylen);

/*
 * `sluicectl flush-flows [PREFIX]`: no argument (every flow) or one
 * address or prefix, as `add` takes them.  *@have_pfx says which.
 * 0, or -1 with a reason in @err.
 */
int sl_flows_args_parse(int argc, char *const *argv, struct sl_prefix *p,
			bool *have_pfx, char *err, size_t errlen);

#endif /* SLUICE_CONFIG_H */
