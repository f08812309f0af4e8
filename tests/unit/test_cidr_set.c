// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests for kmod/cidr_set.c against the naive model (cidr_model.c):
 * edge cases, random differential tests, rebuilds after deletions and the
 * real bypass lists.  SEED=n overrides the fixed default seed;
 * CIDR_DATA_DIR overrides the directory of china4.txt / china6.txt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cidr_set.h"
#include "cidr_model.h"
#include "u128.h"

#ifndef CIDR_DATA_DIR
#define CIDR_DATA_DIR "../../../shared/data/bypass"
#endif

static u64 rng_state;
static unsigned long long seed = 0x5eed5111ce2026ULL;
static unsigned long long n_lookups;

static u64 rnd(void)
{
	/* splitmix64 */
	u64 z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u32 rndn(u32 n)
{
	return (u32)(((rnd() >> 32) * (u64)n) >> 32);
}

/*
 * Note: never two rnd() calls in one expression or argument list, their
 * order is unspecified and SEED runs must repeat across compilers.
 */
static u128 rnd128(void)
{
	u64 hi = rnd();

	return u128_make(hi, rnd());
}

/* ---- helpers ---- */

static struct cidr_set *build_model(struct cidr_model *m)
{
	/* the build may reorder its input: give it copies */
	struct cidr_prefix4 *p4 = malloc((m->n4 + 1) * sizeof(*p4));
	struct cidr_prefix6 *p6 = malloc((m->n6 + 1) * sizeof(*p6));
	struct cidr_set *s;

	memcpy(p4, m->p4 ? (void *)m->p4 : (void *)p4, m->n4 * sizeof(*p4));
	memcpy(p6, m->p6 ? (void *)m->p6 : (void *)p6, m->n6 * sizeof(*p6));
	s = cidr_set_build(p4, m->n4, p6, m->n6);
	free(p4);
	free(p6);
	assert_false(IS_ERR(s));
	assert_non_null(s);
	assert_int_equal(cidr_set_ranges4(s), model_ranges4(m));
	assert_int_equal(cidr_set_ranges6(s), model_ranges6(m));
	assert_true(cidr_set_bytes(s) > 0);
	return s;
}

static void check4(const struct cidr_set *s, const struct cidr_model *m,
		   u32 a)
{
	bool want = model_lookup4(m, a), got = cidr_set_lookup4(s, a);

	n_lookups++;
	if (want != got) {
		fprintf(stderr, "v4 mismatch at %u.%u.%u.%u: want %d got %d (seed %llu)\n",
			a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
			want, got, seed);
		fail();
	}
}

static void check6(const struct cidr_set *s, const struct cidr_model *m,
		   u128 a)
{
	u64 hi = a.hi, lo = a.lo;
	bool want = model_lookup6(m, hi, lo), got = cidr_set_lookup6(s, hi, lo);

	n_lookups++;
	if (want != got) {
		fprintf(stderr, "v6 mismatch at %016llx:%016llx: want %d got %d (seed %llu)\n",
			(unsigned long long)hi, (unsigned long long)lo,
			want, got, seed);
		fail();
	}
}

static u128 first6(const struct cidr_prefix6 *p)
{
	return u128_make(p->hi, p->lo);
}

static u128 last6(const struct cidr_prefix6 *p)
{
	u64 mh, ml;

	model_mask6(p->plen, &mh, &ml);
	return u128_make(p->hi | ~mh, p->lo | ~ml);
}

/* first, last and both neighbours of every prefix */
static void check_edges(const struct cidr_set *s, const struct cidr_model *m)
{
	for (size_t i = 0; i < m->n4; i++) {
		u32 a = m->p4[i].addr;
		u32 b = a | ~model_mask4(m->p4[i].plen);

		check4(s, m, a);
		check4(s, m, a - 1);
		check4(s, m, b);
		check4(s, m, b + 1);
		check4(s, m, a + rndn(b - a + 1 ? b - a + 1 : 0xffffffffu));
	}
	for (size_t i = 0; i < m->n6; i++) {
		u128 a = first6(&m->p6[i]), b = last6(&m->p6[i]);

		check6(s, m, a);
		check6(s, m, u128_sub64(a, 1));
		check6(s, m, b);
		check6(s, m, u128_add64(b, 1));
		check6(s, m, u128_add(a, u128_and(rnd128(), u128_sub(b, a))));
	}
}

static struct cidr_set *build_raw4(u32 addr, unsigned int plen)
{
	struct cidr_prefix4 p = { .addr = addr, .plen = plen };

	return cidr_set_build(&p, 1, NULL, 0);
}

static struct cidr_set *build_raw6(u64 hi, u64 lo, unsigned int plen)
{
	struct cidr_prefix6 p = { .hi = hi, .lo = lo, .plen = plen };

	return cidr_set_build(NULL, 0, &p, 1);
}

/* parse a list of "prefix" strings into a model */
static void model_strs(struct cidr_model *m, const char *const *v)
{
	for (; *v; v++) {
		struct cidr_prefix4 p4;
		struct cidr_prefix6 p6;
		int fam = model_parse(*v, &p4, &p6);

		assert_true(fam == 4 || fam == 6);
		if (fam == 4)
			model_add4(m, p4.addr, p4.plen);
		else
			model_add6(m, p6.hi, p6.lo, p6.plen);
	}
}

static struct cidr_set *edge_set(struct cidr_model *m, const char *const *v,
				 size_t r4, size_t r6)
{
	struct cidr_set *s;

	model_init(m);
	model_strs(m, v);
	s = build_model(m);
	assert_int_equal(cidr_set_ranges4(s), r4);
	assert_int_equal(cidr_set_ranges6(s), r6);
	check_edges(s, m);
	return s;
}

static u128 rnd_addr6(int clustered);

/* ---- edge cases ---- */

static void test_empty(void **state)
{
	struct cidr_set *s = cidr_set_build(NULL, 0, NULL, 0);

	(void)state;
	assert_false(IS_ERR(s));
	assert_false(cidr_set_lookup4(s, 0));
	assert_false(cidr_set_lookup4(s, 0xffffffffu));
	assert_false(cidr_set_lookup6(s, 0, 0));
	assert_false(cidr_set_lookup6(s, ~0ULL, ~0ULL));
	assert_int_equal(cidr_set_ranges4(s), 0);
	assert_int_equal(cidr_set_ranges6(s), 0);
	assert_true(cidr_set_bytes(s) > 0);
	cidr_set_free(s);

	/* NULL set: no match */
	assert_false(cidr_set_lookup4(NULL, 1));
	assert_false(cidr_set_lookup6(NULL, 1, 1));
	assert_int_equal(cidr_set_bytes(NULL), 0);
	cidr_set_free(NULL);
}

static void test_zero_len(void **state)
{
	static const char *const v[] = { "0.0.0.0/0", "::/0", NULL };
	struct cidr_model m;
	struct cidr_set *s;

	(void)state;
	s = edge_set(&m, v, 1, 1);
	for (int i = 0; i < 10000; i++) {
		u128 x = u128_make(0, rnd());

		assert_true(cidr_set_lookup4(s, (u32)x.lo));
		x = rnd128();
		assert_true(cidr_set_lookup6(s, x.hi, x.lo));
	}
	assert_true(cidr_set_lookup4(s, 0xffffffffu));
	assert_true(cidr_set_lookup6(s, ~0ULL, ~0ULL));
	assert_true(cidr_set_lookup6(s, 0, 0));
	cidr_set_free(s);
	model_free(&m);
}

static void test_host_routes(void **state)
{
	static const char *const v[] = {
		"0.0.0.0/32", "255.255.255.255/32", "10.1.2.3/32",
		"::/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		"2001:db8::1/128", "2001:db8:0:1::/128",
		"2001:db8:0:1:ffff:ffff:ffff:ffff/128", NULL
	};
	struct cidr_model m;
	struct cidr_set *s;

	(void)state;
	s = edge_set(&m, v, 3, 5);
	assert_true(cidr_set_lookup4(s, 0));
	assert_false(cidr_set_lookup4(s, 1));
	assert_true(cidr_set_lookup4(s, 0xffffffffu));
	assert_false(cidr_set_lookup4(s, 0xfffffffeu));
	assert_true(cidr_set_lookup6(s, ~0ULL, ~0ULL));
	assert_false(cidr_set_lookup6(s, ~0ULL, ~0ULL - 1));
	assert_false(cidr_set_lookup6(s, ~0ULL - 1, ~0ULL));
	assert_true(cidr_set_lookup6(s, 0, 0));
	assert_false(cidr_set_lookup6(s, 0, 1));
	cidr_set_free(s);
	model_free(&m);
}

static void test_len_boundaries(void **state)
{
	static const char *const v[] = {
		"10.0.0.0/24", "10.0.2.0/25", "10.0.3.128/25", "10.0.4.6/31",
		"10.0.6.0/23", "10.1.0.0/16", "10.4.0.0/15", "10.0.255.0/24",
		"10.2.255.255/32", "11.0.0.0/25", "255.255.255.0/24",
		"2001:db8::/32", "2001:db9::/48", "2001:dba::/64",
		"2001:dbb::/65", "2001:dbb:0:0:8000::/66", "2001:dbc::/63",
		"2001:dbc:0:2::/96", "ffff:ffff:ffff:ffff::/64", NULL
	};
	struct cidr_model m;
	struct cidr_set *s;

	(void)state;
	/*
	 * 10.0.255/24 + 10.1/16, 2001:db8::/32 + 2001:db9::/48,
	 * 2001:dbb::/65 + /66 and 2001:dbc::/63 + ...:2::/96 merge
	 */
	s = edge_set(&m, v, 10, 5);
	cidr_set_free(s);
	model_free(&m);
}

static void test_merge_nest_dup(void **state)
{
	static const char *const v[] = {
		/* adjacent halves and quarters merging into one /16 */
		"192.168.0.0/17", "192.168.128.0/18", "192.168.192.0/19",
		"192.168.224.0/20", "192.168.240.0/21", "192.168.248.0/22",
		"192.168.252.0/23", "192.168.254.0/24", "192.168.255.0/25",
		"192.168.255.128/26", "192.168.255.192/27",
		"192.168.255.224/28", "192.168.255.240/29",
		"192.168.255.248/30", "192.168.255.252/31",
		"192.168.255.254/32", "192.168.255.255/32",
		/* nesting and duplicates */
		"172.16.0.0/12", "172.16.5.0/24", "172.20.0.0/16",
		"172.16.0.0/12", "172.31.255.255/32", "172.16.5.0/24",
		/* v6: two /65 make a /64, adjacent to a /64 and a /48 */
		"2001:db8:0:1::/65", "2001:db8:0:1:8000::/65",
		"2001:db8:0:2::/64", "2001:db8:0:3::/64", "2001:db8:1::/48",
		"2001:db8:1::/48", "2001:db8:1:5::/64", "2001:db8:1:6::/100",
		/* a /64 ending where a long prefix starts */
		"2001:db8:5::/64", "2001:db8:5:1::/72",
		NULL
	};
	struct cidr_model m;
	struct cidr_set *s;

	(void)state;
	s = edge_set(&m, v, 2, 3);
	assert_true(cidr_set_lookup4(s, 0xc0a8ffffu));
	assert_false(cidr_set_lookup4(s, 0xc0a90000u));
	cidr_set_free(s);
	model_free(&m);
}

static void test_full_space(void **state)
{
	static const char *const v[] = {
		"0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/3",
		"::/1", "8000::/2", "c000::/2", NULL
	};
	static const char *const w[] = {
		"0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", NULL
	};
	struct cidr_model m;
	struct cidr_set *s;

	(void)state;
	s = edge_set(&m, v, 1, 1);
	for (int i = 0; i < 10000; i++) {
		u128 x = u128_make(0, rnd());

		assert_true(cidr_set_lookup4(s, (u32)x.lo));
		x = rnd128();
		assert_true(cidr_set_lookup6(s, x.hi, x.lo));
	}
	cidr_set_free(s);
	model_free(&m);
	s = edge_set(&m, w, 1, 1);
	cidr_set_free(s);
	model_free(&m);
}

static void test_top_of_space(void **state)
{
	static const char *const v[] = {
		"255.255.255.254/31", "255.255.254.0/24", "255.254.0.0/16",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127",
		"ffff:ffff:ffff:fffe::/64", "ffff:ffff:ffff:fff0::/64",
		"ffff:ffff:ffff:ffff:8000::/65", NULL
	};
	struct cidr_model m;
	struct cidr_set *s;

	(void)state;
	s = edge_set(&m, v, 3, 3);
	for (u32 a = 0xfffffff0u; a; a++)
		check4(s, &m, a);
	for (u128 a = u128_sub64(u128_max(), 20); !u128_is_zero(a);
	     a = u128_add64(a, 1))
		check6(s, &m, a);
	for (u64 h = ~0ULL - 20; h; h++) {
		check6(s, &m, u128_make(h, 0));
		check6(s, &m, u128_make(h, ~0ULL));
		check6(s, &m, u128_make(h, 1ULL << 63));
	}
	cidr_set_free(s);
	model_free(&m);
}

/*
 * Prefixes starting and ending exactly on the buckets of the IPv6
 * directory (8 to 16 top bits), among enough others to make it exist.
 */
static void test_v6_buckets(void **state)
{
	struct cidr_model m;
	struct cidr_set *s;

	(void)state;
	for (int fill = 0; fill < 5; fill++) {
		model_init(&m);
		for (int i = 0; i < 300 << (fill % 3); i++)
			model_add6(&m, 0x2000000000000000ULL |
				   (rnd() >> 8 & 0x00ffffffffff0000ULL), 0, 48);
		/* boundaries from 2000:: up to the top of the space */
		for (int i = 0; fill >= 3 && i < 200; i++) {
			u64 top = 0x2000000000000000ULL +
				  rndn(0xe0) * 0x0100000000000000ULL;

			model_add6(&m, top | (rnd() >> 8 & 0x00ffffffffff0000ULL),
				   0, 48);
		}
		if (fill == 4)
			model_add6(&m, ~0ULL, 0, 64);
		for (int b = 8; b <= 16; b++) {
			for (int i = 0; i < 8; i++) {
				u64 t = (rnd() | 1) >> b;
				u64 l = t << (64 - b);

				model_add6(&m, l, 0, 64);
				model_add6(&m, l - 1, 0, 64);
				t = (rnd() | 1) >> b;
				l = t << (64 - b);
				model_add6(&m, l, 1ULL << 63, 65);
				model_add6(&m, l - 1, 0, 65);
				model_add6(&m, l - 1, ~0ULL, 128);
			}
		}
		s = build_model(&m);
		check_edges(s, &m);
		for (int i = 0; i < 20000; i++) {
			check6(s, &m, rnd_addr6(1));
			check6(s, &m, rnd_addr6(0));
		}
		cidr_set_free(s);
		model_free(&m);
	}
}

static void test_invalid(void **state)
{
	struct cidr_prefix4 good4 = { 0x0a000000, 8 };
	struct cidr_prefix6 good6 = { 0x20010db800000000ULL, 0, 32 };
	struct cidr_set *s;

	(void)state;
	assert_int_equal(PTR_ERR(build_raw4(0x0a000001, 24)), -EINVAL);
	assert_int_equal(PTR_ERR(build_raw4(0x80000000, 0)), -EINVAL);
	assert_int_equal(PTR_ERR(build_raw4(0x0a000001, 31)), -EINVAL);
	assert_int_equal(PTR_ERR(build_raw4(0, 33)), -EINVAL);
	assert_int_equal(PTR_ERR(build_raw4(0, 255)), -EINVAL);
	assert_int_equal(PTR_ERR(build_raw6(1, 0, 0)), -EINVAL);
	assert_int_equal(PTR_ERR(build_raw6(0x20010db800000001ULL, 0, 32)),
			 -EINVAL);
	assert_int_equal(PTR_ERR(build_raw6(0, 1, 64)), -EINVAL);
	assert_int_equal(PTR_ERR(build_raw6(0, 1, 127)), -EINVAL);
	assert_int_equal(PTR_ERR(build_raw6(0, 0x4000000000000000ULL, 65)),
			 -EINVAL);
	assert_int_equal(PTR_ERR(build_raw6(0, 0, 129)), -EINVAL);
	/* one bad prefix among good ones fails the whole build */
	{
		struct cidr_prefix4 p4[3] = { good4, { 0x0b000000, 8 },
					      { 0x0c000080, 24 } };
		struct cidr_prefix6 p6[2] = { good6, good6 };

		s = cidr_set_build(p4, 3, p6, 2);
		assert_int_equal(PTR_ERR(s), -EINVAL);
		p4[2].plen = 25;
		p6[1].plen = 200;
		s = cidr_set_build(p4, 3, p6, 2);
		assert_int_equal(PTR_ERR(s), -EINVAL);
		p6[1].plen = 128;
		s = cidr_set_build(p4, 3, p6, 2);
		assert_false(IS_ERR(s));
		assert_true(cidr_set_lookup4(s, 0x0c000080));
		assert_false(cidr_set_lookup4(s, 0x0c00007f));
		cidr_set_free(s);
	}
	/* valid extremes */
	s = build_raw4(0xffffffffu, 32);
	assert_false(IS_ERR(s));
	cidr_set_free(s);
	s = build_raw6(~0ULL, ~0ULL, 128);
	assert_false(IS_ERR(s));
	cidr_set_free(s);
}

/* ---- random differential tests ---- */

static const u32 clusters4[] = {
	0x00000000u, 0x0a000000u, 0x0a010000u, 0xc0a80000u, 0xffff0000u,
	0xfffffff0u, 0x7fff0000u, 0x80000000u,
};

static const u64 clusters6[] = {
	0, 0x20010db800000000ULL, 0x20010db800010000ULL, 0x240e000000000000ULL,
	~0ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
	0x20010db8ffffffffULL,
};

static unsigned int rnd_plen(unsigned int max, int profile)
{
	switch (profile) {
	case 0:			/* uniform */
		return rndn(max + 1);
	case 1:			/* mostly long */
		return max - rndn(max / 4 + 1);
	default:		/* mostly middle, rarely very short */
		if (rndn(16) == 0)
			return rndn(max / 4 + 1);
		return max / 4 + rndn(max - max / 4 + 1);
	}
}

static u32 rnd_addr4(int clustered)
{
	u32 a = (u32)rnd(), c;

	if (!clustered)
		return a;
	c = clusters4[rndn(sizeof(clusters4) / sizeof(clusters4[0]))];
	return c ^ (a >> (8 + rndn(24)));
}

static u128 rnd_addr6(int clustered)
{
	u64 hi = rnd(), lo = rnd(), c;

	if (clustered) {
		c = clusters6[rndn(sizeof(clusters6) / sizeof(clusters6[0]))];
		hi = c ^ (hi >> (16 + rndn(48)));
		if (rndn(2))
			lo = rndn(2) ? 0 : ~0ULL ^ (lo >> (rndn(64) & 63));
		else if (rndn(2))
			lo >>= rndn(64);
	}
	return u128_make(hi, lo);
}

static void random_model(struct cidr_model *m, size_t n4, size_t n6,
			 int profile, int clustered)
{
	model_init(m);
	for (size_t i = 0; i < n4; i++) {
		unsigned int plen = rnd_plen(32, profile);

		model_add4(m, rnd_addr4(clustered) & model_mask4(plen), plen);
	}
	for (size_t i = 0; i < n6; i++) {
		unsigned int plen = rnd_plen(128, profile);
		u128 a = rnd_addr6(clustered);
		u64 mh, ml;

		model_mask6(plen, &mh, &ml);
		model_add6(m, a.hi & mh, a.lo & ml, plen);
	}
}

static void check_random(const struct cidr_set *s, const struct cidr_model *m,
			 int nq)
{
	check_edges(s, m);
	for (int i = 0; i < nq; i++) {
		check4(s, m, rnd_addr4(i & 1));
		check6(s, m, rnd_addr6(i & 1));
	}
}

static void test_random_sets(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 8, 16, 40, 100, 300, 1000 };
	unsigned long long before = n_lookups;

	(void)state;
	for (int round = 0; round < 40; round++) {
		for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			size_t n = sizes[si], n4, n6;
			struct cidr_model m;
			struct cidr_set *s;

			n4 = rndn(n + 1);
			n6 = rndn(n + 1);
			random_model(&m, n4, n6, round % 3, round % 4 != 3);
			s = build_model(&m);
			check_random(s, &m, n >= 300 ? 2000 : 4000);
			cidr_set_free(s);
			model_free(&m);
		}
	}
	print_message("random sets: %llu lookups, 0 mismatches\n",
		      n_lookups - before);
}

static void delete_random(struct cidr_model *m, size_t k4, size_t k6)
{
	size_t i;

	for (; k4 && m->n4; k4--) {
		i = rndn(m->n4);
		m->p4[i] = m->p4[--m->n4];
	}
	for (; k6 && m->n6; k6--) {
		i = rndn(m->n6);
		m->p6[i] = m->p6[--m->n6];
	}
}

/* rebuild after deleting prefixes: intervals split and un-merge */
static void test_rebuild_deletes(void **state)
{
	unsigned long long before = n_lookups;

	(void)state;
	for (int round = 0; round < 12; round++) {
		struct cidr_model m;

		random_model(&m, 400, 400, round % 3, 1);
		while (m.n4 || m.n6) {
			struct cidr_set *s = build_model(&m);
			check_random(s, &m, 500);
			cidr_set_free(s);
			/* delete a random share of each family */
			delete_random(&m, m.n4 / 3 + 1, m.n6 / 3 + 1);
		}
		model_free(&m);
	}
	print_message("rebuilds: %llu lookups, 0 mismatches\n",
		      n_lookups - before);
}

/* ---- the real lists ---- */

static const char *data_dir(void)
{
	const char *d = getenv("CIDR_DATA_DIR");

	return d && *d ? d : CIDR_DATA_DIR;
}

static void load_list(struct cidr_model *m, const char *name, long want)
{
	char path[4096];
	long n;

	snprintf(path, sizeof(path), "%s/%s", data_dir(), name);
	n = model_load(m, path);
	if (n < 0)
		fprintf(stderr, "cannot read %s\n", path);
	assert_true(n >= 0);
	assert_int_equal(n, want);
}

static void test_real_lists(void **state)
{
	unsigned long long before = n_lookups;
	struct cidr_model m;
	struct cidr_set *s;

	(void)state;
	model_init(&m);
	load_list(&m, "china4.txt", 4604);
	load_list(&m, "china6.txt", 1641);
	assert_int_equal(m.n4, 4604);
	assert_int_equal(m.n6, 1641);
	s = build_model(&m);
	print_message("real lists: %zu+%zu prefixes -> %zu+%zu ranges, %zu bytes\n",
		      m.n4, m.n6, cidr_set_ranges4(s), cidr_set_ranges6(s),
		      cidr_set_bytes(s));
	check_edges(s, &m);
	for (int i = 0; i < 40000; i++) {
		/* random, and random inside a random prefix */
		const struct cidr_prefix4 *p = &m.p4[rndn(m.n4)];
		const struct cidr_prefix6 *q = &m.p6[rndn(m.n6)];

		check4(s, &m, (u32)rnd());
		check4(s, &m, p->addr | ((u32)rnd() & ~model_mask4(p->plen)));
		check6(s, &m, rnd_addr6(0));
		check6(s, &m, u128_or(first6(q),
				      u128_and(rnd_addr6(0),
					       u128_sub(last6(q), first6(q)))));
	}
	cidr_set_free(s);

	/* and once more after deleting a third of each list */
	delete_random(&m, m.n4 / 3, m.n6 / 3);
	s = build_model(&m);
	check_random(s, &m, 10000);
	cidr_set_free(s);
	model_free(&m);
	print_message("real lists: %llu lookups, 0 mismatches\n",
		      n_lookups - before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_zero_len),
		cmocka_unit_test(test_host_routes),
		cmocka_unit_test(test_len_boundaries),
		cmocka_unit_test(test_merge_nest_dup),
		cmocka_unit_test(test_full_space),
		cmocka_unit_test(test_top_of_space),
		cmocka_unit_test(test_v6_buckets),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_random_sets),
		cmocka_unit_test(test_rebuild_deletes),
		cmocka_unit_test(test_real_lists),
	};
	const char *e = getenv("SEED");
	int rc;

	if (e && *e)
		seed = strtoull(e, NULL, 0);
	rng_state = seed;
	printf("test_cidr_set: SEED=%llu data=%s\n", seed, data_dir());
	fflush(stdout);
	rc = cmocka_run_group_tests_name("cidr_set", tests, NULL, NULL);
	printf("test_cidr_set: %llu lookups compared with the model\n",
	       n_lookups);
	return rc;
}
