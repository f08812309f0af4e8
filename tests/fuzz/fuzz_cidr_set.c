// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for kmod/cidr_set.c: the input is a list of prefixes
 * and query addresses; the set built from the prefixes must agree with the
 * naive model (tests/unit/cidr_model.c) on every query, on the first and
 * last address of every prefix and their neighbours, and on the number of
 * merged ranges.  Invalid prefixes must make the build fail with -EINVAL.
 *
 * Input: byte 0 = flags (bit 0: keep host bits as given), then records,
 * each a tag byte (low 2 bits: 0 = v4 prefix, 1 = v6 prefix, 2 = v4
 * query, 3 = v6 query) and its bytes:
 *   v4 prefix: addr (4, big endian), plen (1, mod 34)
 *   v6 prefix: plen (1, mod 130), then a v6 address (4)
 *   v4 query:  addr (4)
 *   v6 query:  a v6 address (4)
 * A v6 address is two halves of 2 bytes each: a selects one of 8 palette
 * values and a shift, b a byte added at that shift, so that prefixes and
 * queries often overlap, nest and touch.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr_set.h"
#include "cidr_model.h"

typedef unsigned __int128 u128;

static const u64 palette[8] = {
	0, ~0ULL, 0x2001000000000000ULL, 0x20010db800000000ULL,
	0x240e000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0x20010db8ffffffffULL,
};

struct in {
	const u8 *p;
	size_t n;
};

static int get(struct in *in, u8 *out, size_t n)
{
	if (in->n < n)
		return 0;
	memcpy(out, in->p, n);
	in->p += n;
	in->n -= n;
	return 1;
}

static u64 half(const u8 *b)
{
	return palette[b[0] & 7] + ((u64)b[1] << ((b[0] >> 3) & 31) * 2);
}

static void die(const char *what, u64 hi, u64 lo, int want, int got)
{
	fprintf(stderr, "cidr_set mismatch (%s) at %016llx:%016llx: want %d got %d\n",
		what, (unsigned long long)hi, (unsigned long long)lo, want, got);
	abort();
}

static void q4(const struct cidr_set *s, const struct cidr_model *m, u32 a)
{
	int want = model_lookup4(m, a), got = cidr_set_lookup4(s, a);

	if (want != got)
		die("v4", 0, a, want, got);
}

static void q6(const struct cidr_set *s, const struct cidr_model *m, u128 a)
{
	u64 hi = (u64)(a >> 64), lo = (u64)a;
	int want = model_lookup6(m, hi, lo), got = cidr_set_lookup6(s, hi, lo);

	if (want != got)
		die("v6", hi, lo, want, got);
}

static int valid4(const struct cidr_prefix4 *p)
{
	return p->plen <= 32 && !(p->addr & ~model_mask4(p->plen));
}

static int valid6(const struct cidr_prefix6 *p)
{
	u64 mh, ml;

	if (p->plen > 128)
		return 0;
	model_mask6(p->plen, &mh, &ml);
	return !(p->hi & ~mh) && !(p->lo & ~ml);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct in in = { data, size };
	struct cidr_model m;
	struct cidr_prefix4 *p4;
	struct cidr_prefix6 *p6;
	struct cidr_set *s;
	u32 *qa4 = NULL;
	u128 *qa6 = NULL;
	size_t nq4 = 0, nq6 = 0, i;
	int keep_host = 0, bad = 0;
	u8 flags, tag, b[5];

	if (get(&in, &flags, 1))
		keep_host = flags & 1;
	model_init(&m);
	qa4 = malloc((size / 2 + 1) * sizeof(*qa4));
	qa6 = malloc((size / 2 + 1) * sizeof(*qa6));
	while (get(&in, &tag, 1)) {
		switch (tag & 3) {
		case 0: {
			u32 a;
			u8 plen;

			if (!get(&in, b, 5))
				break;
			a = (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
			plen = b[4] % 34;
			if (!keep_host && plen <= 32)
				a &= model_mask4(plen);
			model_add4(&m, a, plen);
			bad |= !valid4(&m.p4[m.n4 - 1]);
			break;
		}
		case 1: {
			u64 hi, lo, mh, ml;
			u8 plen;

			if (!get(&in, b, 5))
				break;
			plen = b[0] % 130;
			hi = half(b + 1);
			lo = half(b + 3);
			if (!keep_host && plen <= 128) {
				model_mask6(plen, &mh, &ml);
				hi &= mh;
				lo &= ml;
			}
			model_add6(&m, hi, lo, plen);
			bad |= !valid6(&m.p6[m.n6 - 1]);
			break;
		}
		case 2:
			if (!get(&in, b, 4))
				break;
			qa4[nq4++] = (u32)b[0] << 24 | (u32)b[1] << 16 |
				     (u32)b[2] << 8 | b[3];
			break;
		default:
			if (!get(&in, b, 4))
				break;
			qa6[nq6++] = (u128)half(b) << 64 | half(b + 2);
			break;
		}
	}

	/* the build may reorder its input: give it copies */
	p4 = malloc((m.n4 + 1) * sizeof(*p4));
	p6 = malloc((m.n6 + 1) * sizeof(*p6));
	if (m.n4)
		memcpy(p4, m.p4, m.n4 * sizeof(*p4));
	if (m.n6)
		memcpy(p6, m.p6, m.n6 * sizeof(*p6));
	s = cidr_set_build(p4, m.n4, p6, m.n6);
	if (bad) {
		if (PTR_ERR(s) != -EINVAL)
			die("invalid prefix accepted", 0, 0, -EINVAL,
			    (int)PTR_ERR(s));
		goto out;
	}
	if (IS_ERR(s))
		die("build failed", 0, 0, 0, (int)PTR_ERR(s));
	if (cidr_set_ranges4(s) != model_ranges4(&m))
		die("ranges4", 0, 0, (int)model_ranges4(&m),
		    (int)cidr_set_ranges4(s));
	if (cidr_set_ranges6(s) != model_ranges6(&m))
		die("ranges6", 0, 0, (int)model_ranges6(&m),
		    (int)cidr_set_ranges6(s));

	for (i = 0; i < nq4; i++)
		q4(s, &m, qa4[i]);
	for (i = 0; i < nq6; i++)
		q6(s, &m, qa6[i]);
	for (i = 0; i < 8; i++) {
		q6(s, &m, (u128)palette[i] << 64);
		q6(s, &m, (u128)palette[i] << 64 | ~0ULL);
		q6(s, &m, (u128)palette[i] << 64 | palette[i]);
		q4(s, &m, (u32)(palette[i] >> 32));
	}
	for (i = 0; i < m.n4; i++) {
		u32 a = m.p4[i].addr, z = a | ~model_mask4(m.p4[i].plen);

		q4(s, &m, a);
		q4(s, &m, a - 1);
		q4(s, &m, z);
		q4(s, &m, z + 1);
	}
	for (i = 0; i < m.n6; i++) {
		u64 mh, ml;
		u128 a, z;

		model_mask6(m.p6[i].plen, &mh, &ml);
		a = (u128)m.p6[i].hi << 64 | m.p6[i].lo;
		z = (u128)(m.p6[i].hi | ~mh) << 64 | (m.p6[i].lo | ~ml);
		q6(s, &m, a);
		q6(s, &m, a - 1);
		q6(s, &m, z);
		q6(s, &m, z + 1);
	}
	cidr_set_free(s);
out:
	free(p4);
	free(p6);
	free(qa4);
	free(qa6);
	model_free(&m);
	return 0;
}
