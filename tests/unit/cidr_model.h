/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Naive reference model of a white_list prefix set, for the cidr_set unit
 * tests, fuzzer and benchmark: a plain list of prefixes, looked up by a
 * linear scan.  Also a tiny inet_pton based prefix parser.
 */
#ifndef SLUICE_CIDR_MODEL_H
#define SLUICE_CIDR_MODEL_H

#include "cidr_set.h"

struct cidr_model {
	struct cidr_prefix4 *p4;
	size_t n4, cap4;
	struct cidr_prefix6 *p6;
	size_t n6, cap6;
};

void model_init(struct cidr_model *m);
void model_free(struct cidr_model *m);
void model_add4(struct cidr_model *m, u32 addr, u8 plen);
void model_add6(struct cidr_model *m, u64 hi, u64 lo, u8 plen);

bool model_lookup4(const struct cidr_model *m, u32 addr);
bool model_lookup6(const struct cidr_model *m, u64 hi, u64 lo);

/* Maximal disjoint ranges of the union (adjacent ranges merged). */
size_t model_ranges4(const struct cidr_model *m);
size_t model_ranges6(const struct cidr_model *m);

/* Masks for a prefix length (host bits zero). */
u32 model_mask4(unsigned int plen);
void model_mask6(unsigned int plen, u64 *hi, u64 *lo);

/*
 * Parse "a.b.c.d/len" or "x:y::/len" (a bare address is a host route).
 * Returns 4 or 6 on success with *p4 or *p6 filled (host bits are kept
 * as written), -1 on a syntax error.
 */
int model_parse(const char *s, struct cidr_prefix4 *p4,
		struct cidr_prefix6 *p6);

/*
 * Add every prefix of a list file (one per line; '#' comments and blank
 * lines ignored) to @m.  Returns the number of prefixes read, or -1 if the
 * file cannot be opened or a line does not parse.
 */
long model_load(struct cidr_model *m, const char *path);

#endif /* SLUICE_CIDR_MODEL_H */
