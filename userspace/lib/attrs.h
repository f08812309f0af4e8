/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Encoding and decoding of sluice attributes: prefixes, the config set,
 * white_list entries.  Decoders validate lengths and skip attributes they
 * do not know, so a newer kernel does not break an older CLI.
 */
#ifndef SLUICE_ATTRS_H
#define SLUICE_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/sluice.h>

#include "config.h"
#include "prefix.h"

/* Most SOURCE attributes one LOOKUP/CLASSIFY reply can name that we keep. */
#define SL_MAX_SOURCES 16

/* Nest @type holding a prefix; plen is sent only when @with_plen. */
bool sl_put_prefix(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
		   const struct sl_prefix *p, bool with_plen);
/* Decode a prefix nest (PLEN absent = host). 0 or -1. */
int sl_get_prefix(const struct nlattr *nest, struct sl_prefix *p);

/* Put every field of @c marked in c->have.  false if it does not fit. */
bool sl_put_config(struct nlmsghdr *nlh, size_t buflen,
		   const struct sl_config *c);
/* Decode a GET_CONFIG reply. 0 or -1. */
int sl_get_config(const struct nlmsghdr *nlh, struct sl_config *c);

/* A white_list entry as WL_GET gives it. */
struct sl_entry {
	struct sl_prefix pfx;
	char source[SLUICE_SOURCE_MAXLEN + 1];
	bool has_timeout;
	uint32_t timeout;
};

/* What LOOKUP and CLASSIFY replies carry. */
struct sl_match {
	bool has_verdict;
	uint32_t verdict, rule;
	bool match;			/* LOOKUP: MATCH; CLASSIFY: PREFIX given */
	bool has_list;			/* CLASSIFY: which list @pfx is in */
	uint32_t list;
	struct sl_prefix pfx;
	unsigned n_sources;
	char sources[SL_MAX_SOURCES][SLUICE_SOURCE_MAXLEN + 1];
};

int sl_get_entry(const struct nlmsghdr *nlh, struct sl_entry *en);
int sl_get_match(const struct nlmsghdr *nlh, struct sl_match *m);

/* A source as WL_SOURCES gives it. */
struct sl_source_info {
	char name[SLUICE_SOURCE_MAXLEN + 1];
	uint32_t entries4, entries6;
	bool txn_open;
};
int sl_get_source_info(const struct nlmsghdr *nlh, struct sl_source_info *s);

/*
 * FLOWS_FLUSH: @p (NULL: every flow) as the ADDRESS nest, so that only
 * flows whose original destination is in it are decided again.  false
 * if it does not fit.  The reply's FLOWS (entries cleared) is decoded by
 * sl_get_flows: 0, or -1 if absent or malformed.
 */
bool sl_put_flows_flush(struct nlmsghdr *nlh, size_t buflen,
			const struct sl_prefix *p);
int sl_get_flows(const struct nlmsghdr *nlh, uint32_t *flows);

/* Copy a string attribute into @buf if valid and fits. 0 or -1. */
int sl_get_str(const struct nlattr *a, char *buf, size_t len);

#endif /* SLUICE_ATTRS_H */
