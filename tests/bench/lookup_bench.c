// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Userspace microbenchmark of the white_list prefix set (kmod/cidr_set.c),
 * with two reference structures for comparison:
 *  - hashnet: ipset hash:net as described in its documentation, one hash
 *    probe per distinct prefix length present, longest first (open
 *    addressing, a multiplicative hash: cheaper than ipset's jhash);
 *  - sorted:  merged disjoint intervals in a sorted array, binary search.
 *
 * Environment: BENCH_RUNS (default 11), BENCH_N (lookups per timed run for
 * cidr_set, default 1 << 18; sorted uses a quarter, hashnet 1/32),
 * BENCH_QUICK=1 (skip the 100k lists), CIDR_DATA_DIR (the real lists).
 *
 * Times are the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so
 * that other work on the machine preempting the benchmark does not count;
 * cache interference from it still does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cidr_set.h"
#include "cidr_model.h"

#ifndef CIDR_DATA_DIR
#define CIDR_DATA_DIR "../../../shared/data/bypass"
#endif

typedef unsigned __int128 u128;

static int runs = 11;
static size_t nlook = 1 << 18;
static volatile u64 vzero;	/* 0, unknown to the compiler */
static volatile u64 sink;

static u64 rng = 0x5eedbe7c4ULL;

static u64 rnd(void)
{
	u64 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u32 rndn(u32 n)
{
	return (u32)(((rnd() >> 32) * (u64)n) >> 32);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- sorted intervals ---- */

struct sorted4 {
	u32 *start, *end;
	size_t n;
};

struct sorted6 {
	u128 *start, *end;
	size_t n;
};

struct iv128 {
	u128 a, b;
};

static int cmp_iv128(const void *pa, const void *pb)
{
	const struct iv128 *x = pa, *y = pb;

	return x->a < y->a ? -1 : x->a > y->a;
}

static size_t merge_ivs(struct iv128 *v, size_t n, u128 max)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), cmp_iv128);
	for (size_t i = 0; i < n; i++) {
		if (out && (v[out - 1].b == max || v[i].a <= v[out - 1].b + 1)) {
			if (v[i].b > v[out - 1].b)
				v[out - 1].b = v[i].b;
		} else {
			v[out++] = v[i];
		}
	}
	return out;
}

static void sorted4_build(struct sorted4 *s, const struct cidr_prefix4 *p,
			  size_t n)
{
	struct iv128 *v = malloc((n + 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		v[i].a = p[i].addr;
		v[i].b = p[i].addr | ~model_mask4(p[i].plen);
	}
	s->n = merge_ivs(v, n, 0xffffffffu);
	s->start = malloc((s->n + 1) * sizeof(u32));
	s->end = malloc((s->n + 1) * sizeof(u32));
	for (size_t i = 0; i < s->n; i++) {
		s->start[i] = (u32)v[i].a;
		s->end[i] = (u32)v[i].b;
	}
	free(v);
}

static void sorted6_build(struct sorted6 *s, const struct cidr_prefix6 *p,
			  size_t n)
{
	struct iv128 *v = malloc((n + 1) * sizeof(*v));

	for (size_t i = 0; i < n; i++) {
		u64 mh, ml;

		model_mask6(p[i].plen, &mh, &ml);
		v[i].a = (u128)p[i].hi << 64 | p[i].lo;
		v[i].b = (u128)(p[i].hi | ~mh) << 64 | (p[i].lo | ~ml);
	}
	s->n = merge_ivs(v, n, ~(u128)0);
	s->start = malloc((s->n + 1) * sizeof(u128));
	s->end = malloc((s->n + 1) * sizeof(u128));
	for (size_t i = 0; i < s->n; i++) {
		s->start[i] = v[i].a;
		s->end[i] = v[i].b;
	}
	free(v);
}

static void sorted4_free(struct sorted4 *s)
{
	free(s->start);
	free(s->end);
}

static void sorted6_free(struct sorted6 *s)
{
	free(s->start);
	free(s->end);
}

static __attribute__((noinline)) bool sorted4_lookup(const struct sorted4 *s,
						    u32 a)
{
	const u32 *base = s->start;
	size_t n = s->n;

	if (!n || a < base[0])
		return false;
	while (n > 1) {
		size_t half = n / 2;

		base = base[half] <= a ? base + half : base;
		n -= half;
	}
	return a <= s->end[base - s->start];
}

static __attribute__((noinline)) bool sorted6_lookup(const struct sorted6 *s,
						    u64 hi, u64 lo)
{
	const u128 *base = s->start;
	u128 a = (u128)hi << 64 | lo;
	size_t n = s->n;

	if (!n || a < base[0])
		return false;
	while (n > 1) {
		size_t half = n / 2;

		base = base[half] <= a ? base + half : base;
		n -= half;
	}
	return a <= s->end[base - s->start];
}

/* ---- ipset hash:net, port by description ---- */

struct hn_ent {
	u64 hi, lo;
	u8 plen, used;
};

struct hashnet {
	struct hn_ent *tab;
	u64 mask;
	u8 plens[129];		/* distinct lengths present, longest first */
	int nplens;
	int v6;
};

static inline u64 hn_hash(u64 hi, u64 lo, unsigned int plen)
{
	/* murmur3 fmix64 over a cheap combination */
	u64 h = hi ^ (lo * 0x9e3779b97f4a7c15ULL) ^ ((u64)plen << 56);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static void hn_mask(const struct hashnet *h, unsigned int plen,
		    u64 *mh, u64 *ml)
{
	if (h->v6) {
		model_mask6(plen, mh, ml);
	} else {
		*mh = 0;
		*ml = model_mask4(plen);
	}
}

static void hn_build(struct hashnet *h, const void *prefixes, size_t n,
		     int v6)
{
	bool seen[129] = { false };
	size_t size = 16;

	memset(h, 0, sizeof(*h));
	h->v6 = v6;
	while (size < 2 * n)
		size *= 2;
	h->tab = calloc(size, sizeof(*h->tab));
	h->mask = size - 1;
	for (size_t i = 0; i < n; i++) {
		u64 hi, lo;
		unsigned int plen;
		u64 k;

		if (v6) {
			const struct cidr_prefix6 *p = prefixes;

			hi = p[i].hi;
			lo = p[i].lo;
			plen = p[i].plen;
		} else {
			const struct cidr_prefix4 *p = prefixes;

			hi = 0;
			lo = p[i].addr;
			plen = p[i].plen;
		}
		seen[plen] = true;
		for (k = hn_hash(hi, lo, plen) & h->mask; h->tab[k].used;
		     k = (k + 1) & h->mask)
			if (h->tab[k].hi == hi && h->tab[k].lo == lo &&
			    h->tab[k].plen == plen)
				break;
		h->tab[k].hi = hi;
		h->tab[k].lo = lo;
		h->tab[k].plen = plen;
		h->tab[k].used = 1;
	}
	for (int l = 128; l >= 0; l--)
		if (seen[l])
			h->plens[h->nplens++] = l;
}

static __attribute__((noinline)) bool hn_lookup(const struct hashnet *h,
					       u64 hi, u64 lo)
{
	for (int i = 0; i < h->nplens; i++) {
		unsigned int plen = h->plens[i];
		u64 mh, ml, k;

		hn_mask(h, plen, &mh, &ml);
		mh &= hi;
		ml &= lo;
		for (k = hn_hash(mh, ml, plen) & h->mask; h->tab[k].used;
		     k = (k + 1) & h->mask)
			if (h->tab[k].hi == mh && h->tab[k].lo == ml &&
			    h->tab[k].plen == plen)
				return true;
	}
	return false;
}

/* ---- synthetic lists ---- */

static unsigned int pick_len(const unsigned int *w, const unsigned int *lo,
			     const unsigned int *hi, int n)
{
	unsigned int r = rndn(10000);

	for (int i = 0; i < n; i++) {
		if (r < w[i])
			return lo[i] + rndn(hi[i] - lo[i] + 1);
		r -= w[i];
	}
	return lo[n - 1];
}

/* weights per 10000 */
static const unsigned int w4[] = { 5, 100, 800, 1000, 2500, 1000, 4095, 500 };
static const unsigned int lo4[] = { 8, 12, 16, 17, 20, 23, 24, 25 };
static const unsigned int hi4[] = { 11, 15, 16, 19, 22, 23, 24, 32 };
static const unsigned int w6[] = { 3000, 5800, 1000, 200 };
static const unsigned int lo6[] = { 20, 33, 49, 65 };
static const unsigned int hi6[] = { 32, 48, 64, 128 };

static void synth(struct cidr_model *m, size_t n4, size_t n6)
{
	rng = 0x5eedbe7c4ULL ^ (n4 * 0x9e3779b97f4a7c15ULL);	/* same lists each run */
	for (size_t i = 0; i < n4; i++) {
		unsigned int plen = pick_len(w4, lo4, hi4, 8);

		model_add4(m, (u32)rnd() & model_mask4(plen), plen);
	}
	for (size_t i = 0; i < n6; i++) {
		unsigned int plen = pick_len(w6, lo6, hi6, 4);
		u64 mh, ml;

		model_mask6(plen, &mh, &ml);
		model_add6(m, (0x2000000000000000ULL | (rnd() >> 3)) & mh,
			   rnd() & ml, plen);
	}
}

/* ---- timing ---- */

struct addr6 {
	u64 hi, lo;
};

enum { M_CIDR, M_HASH, M_SORT, M_NUM };
static const char *const mname[] = { "cidr_set", "hashnet", "sorted" };

struct ctx4 {
	struct cidr_set *set;
	struct hashnet hn;
	struct sorted4 so;
};

struct ctx6 {
	struct cidr_set *set;
	struct hashnet hn;
	struct sorted6 so;
};

static inline bool look4(const struct ctx4 *c, int m, u32 a)
{
	switch (m) {
	case M_CIDR:
		return cidr_set_lookup4(c->set, a);
	case M_HASH:
		return hn_lookup(&c->hn, 0, a);
	default:
		return sorted4_lookup(&c->so, a);
	}
}

static inline bool look6(const struct ctx6 *c, int m, u64 hi, u64 lo)
{
	switch (m) {
	case M_CIDR:
		return cidr_set_lookup6(c->set, hi, lo);
	case M_HASH:
		return hn_lookup(&c->hn, hi, lo);
	default:
		return sorted6_lookup(&c->so, hi, lo);
	}
}

static size_t n_for(int m)
{
	return m == M_CIDR ? nlook : m == M_SORT ? nlook / 4 : nlook / 32;
}

/*
 * One timed run: ns per lookup; dep: the next address depends on this one.
 * Always inlined into run4()/run6() with a constant method, so each method
 * gets its own loop.
 */
static inline __attribute__((always_inline)) double run4_m(const struct ctx4 *c, int m, const u32 *a, int dep)
{
	size_t n = n_for(m), hits = 0;
	u32 z = (u32)vzero;
	double t0 = now_ns();

	if (dep) {
		u32 r = 0;

		for (size_t i = 0; i < n; i++) {
			r = look4(c, m, a[i] ^ (r & z));
			hits += r;
		}
	} else {
		for (size_t i = 0; i < n; i++)
			hits += look4(c, m, a[i]);
	}
	t0 = now_ns() - t0;
	sink += hits;
	return t0 / n;
}

static inline __attribute__((always_inline)) double
run6_m(const struct ctx6 *c, int m, const struct addr6 *a, int dep)
{
	size_t n = n_for(m), hits = 0;
	u64 z = vzero;
	double t0 = now_ns();

	if (dep) {
		u64 r = 0;

		for (size_t i = 0; i < n; i++) {
			r = look6(c, m, a[i].hi ^ (r & z), a[i].lo);
			hits += r;
		}
	} else {
		for (size_t i = 0; i < n; i++)
			hits += look6(c, m, a[i].hi, a[i].lo);
	}
	t0 = now_ns() - t0;
	sink += hits;
	return t0 / n;
}

static double run4(const struct ctx4 *c, int m, const u32 *a, int dep)
{
	switch (m) {
	case M_CIDR:
		return run4_m(c, M_CIDR, a, dep);
	case M_HASH:
		return run4_m(c, M_HASH, a, dep);
	default:
		return run4_m(c, M_SORT, a, dep);
	}
}

static double run6(const struct ctx6 *c, int m, const struct addr6 *a,
		   int dep)
{
	switch (m) {
	case M_CIDR:
		return run6_m(c, M_CIDR, a, dep);
	case M_HASH:
		return run6_m(c, M_HASH, a, dep);
	default:
		return run6_m(c, M_SORT, a, dep);
	}
}

struct result {
	double build_ms[M_NUM];
	size_t bytes[M_NUM];
	double ns[3][M_NUM][2];	/* hit rate, method, dep */
};

static double ms_since(double t0)
{
	return (now_ns() - t0) / 1e6;
}

static const int hit_pct[3] = { 0, 50, 100 };

static void bench4(const struct cidr_model *m, struct result *res)
{
	struct cidr_prefix4 *tmp = malloc((m->n4 + 1) * sizeof(*tmp));
	u32 *addr[3];
	double t[64];
	struct ctx4 c;

	/* build times */
	for (int r = 0; r < runs; r++) {
		double t0;

		memcpy(tmp, m->p4, m->n4 * sizeof(*tmp));
		t0 = now_ns();
		c.set = cidr_set_build(tmp, m->n4, NULL, 0);
		t[r] = ms_since(t0);
		if (IS_ERR(c.set))
			abort();
		if (r < runs - 1)
			cidr_set_free(c.set);
	}
	res->build_ms[M_CIDR] = median(t, runs);
	res->bytes[M_CIDR] = cidr_set_bytes(c.set);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ns();

		hn_build(&c.hn, m->p4, m->n4, 0);
		t[r] = ms_since(t0);
		if (r < runs - 1)
			free(c.hn.tab);
	}
	res->build_ms[M_HASH] = median(t, runs);
	res->bytes[M_HASH] = (c.hn.mask + 1) * sizeof(struct hn_ent);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ns();

		sorted4_build(&c.so, m->p4, m->n4);
		t[r] = ms_since(t0);
		if (r < runs - 1)
			sorted4_free(&c.so);
	}
	res->build_ms[M_SORT] = median(t, runs);
	res->bytes[M_SORT] = c.so.n * 2 * sizeof(u32);

	/* addresses: 0%, 50%, 100% hits, cross-checked over all methods */
	for (int h = 0; h < 3; h++) {
		addr[h] = malloc(nlook * sizeof(u32));
		for (size_t i = 0; i < nlook; i++) {
			bool want = rndn(100) < (u32)hit_pct[h];
			u32 a;

			if (want) {
				const struct cidr_prefix4 *p = &m->p4[rndn(m->n4)];

				a = p->addr | ((u32)rnd() & ~model_mask4(p->plen));
			} else {
				do
					a = (u32)rnd();
				while (sorted4_lookup(&c.so, a));
			}
			addr[h][i] = a;
			/* hashnet is slow: check it where it is timed */
			if (cidr_set_lookup4(c.set, a) != want ||
			    (i < n_for(M_HASH) && hn_lookup(&c.hn, 0, a) != want) ||
			    sorted4_lookup(&c.so, a) != want ||
			    (i < 256 && model_lookup4(m, a) != want)) {
				fprintf(stderr, "v4 methods disagree\n");
				exit(1);
			}
		}
	}
	for (int h = 0; h < 3; h++)
		for (int me = 0; me < M_NUM; me++)
			for (int dep = 0; dep < 2; dep++) {
				run4(&c, me, addr[h], dep);	/* warm up */
				for (int r = 0; r < runs; r++)
					t[r] = run4(&c, me, addr[h], dep);
				res->ns[h][me][dep] = median(t, runs);
			}
	for (int h = 0; h < 3; h++)
		free(addr[h]);
	cidr_set_free(c.set);
	free(c.hn.tab);
	sorted4_free(&c.so);
	free(tmp);
}

static void bench6(const struct cidr_model *m, struct result *res)
{
	struct cidr_prefix6 *tmp = malloc((m->n6 + 1) * sizeof(*tmp));
	struct addr6 *addr[3];
	double t[64];
	struct ctx6 c;

	for (int r = 0; r < runs; r++) {
		double t0;

		memcpy(tmp, m->p6, m->n6 * sizeof(*tmp));
		t0 = now_ns();
		c.set = cidr_set_build(NULL, 0, tmp, m->n6);
		t[r] = ms_since(t0);
		if (IS_ERR(c.set))
			abort();
		if (r < runs - 1)
			cidr_set_free(c.set);
	}
	res->build_ms[M_CIDR] = median(t, runs);
	res->bytes[M_CIDR] = cidr_set_bytes(c.set);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ns();

		hn_build(&c.hn, m->p6, m->n6, 1);
		t[r] = ms_since(t0);
		if (r < runs - 1)
			free(c.hn.tab);
	}
	res->build_ms[M_HASH] = median(t, runs);
	res->bytes[M_HASH] = (c.hn.mask + 1) * sizeof(struct hn_ent);
	for (int r = 0; r < runs; r++) {
		double t0 = now_ns();

		sorted6_build(&c.so, m->p6, m->n6);
		t[r] = ms_since(t0);
		if (r < runs - 1)
			sorted6_free(&c.so);
	}
	res->build_ms[M_SORT] = median(t, runs);
	res->bytes[M_SORT] = c.so.n * 2 * sizeof(u128);

	for (int h = 0; h < 3; h++) {
		addr[h] = malloc(nlook * sizeof(struct addr6));
		for (size_t i = 0; i < nlook; i++) {
			bool want = rndn(100) < (u32)hit_pct[h];
			struct addr6 a;

			if (want) {
				const struct cidr_prefix6 *p = &m->p6[rndn(m->n6)];
				u64 mh, ml;

				model_mask6(p->plen, &mh, &ml);
				a.hi = p->hi | (rnd() & ~mh);
				a.lo = p->lo | (rnd() & ~ml);
			} else {
				/* misses where the prefixes are: 2000::/3 */
				do {
					a.hi = 0x2000000000000000ULL |
					       (rnd() >> 3);
					a.lo = rnd();
				} while (sorted6_lookup(&c.so, a.hi, a.lo));
			}
			addr[h][i] = a;
			if (cidr_set_lookup6(c.set, a.hi, a.lo) != want ||
			    (i < n_for(M_HASH) &&
			     hn_lookup(&c.hn, a.hi, a.lo) != want) ||
			    sorted6_lookup(&c.so, a.hi, a.lo) != want ||
			    (i < 256 && model_lookup6(m, a.hi, a.lo) != want)) {
				fprintf(stderr, "v6 methods disagree\n");
				exit(1);
			}
		}
	}
	for (int h = 0; h < 3; h++)
		for (int me = 0; me < M_NUM; me++)
			for (int dep = 0; dep < 2; dep++) {
				run6(&c, me, addr[h], dep);
				for (int r = 0; r < runs; r++)
					t[r] = run6(&c, me, addr[h], dep);
				res->ns[h][me][dep] = median(t, runs);
			}
	for (int h = 0; h < 3; h++)
		free(addr[h]);
	cidr_set_free(c.set);
	free(c.hn.tab);
	sorted6_free(&c.so);
	free(tmp);
}

static void print_rows(const char *list, int fam, size_t n, size_t ranges,
		       const struct result *r)
{
	for (int me = 0; me < M_NUM; me++)
		for (int h = 0; h < 3; h++)
			printf("%-8s v%d %7zu %7zu  %-8s %8.3f %8.1f  %3d%%  %7.1f %7.1f\n",
			       list, fam, n, ranges, mname[me],
			       r->build_ms[me], (double)r->bytes[me] / n,
			       hit_pct[h], r->ns[h][me][0], r->ns[h][me][1]);
	fflush(stdout);
}

static void bench_list(const char *name, struct cidr_model *m)
{
	struct result r;
	struct cidr_set *s;

	s = cidr_set_build(m->p4, m->n4, m->p6, m->n6);
	if (IS_ERR(s))
		abort();
	if (m->n4) {
		memset(&r, 0, sizeof(r));
		bench4(m, &r);
		print_rows(name, 4, m->n4, cidr_set_ranges4(s), &r);
	}
	if (m->n6) {
		memset(&r, 0, sizeof(r));
		bench6(m, &r);
		print_rows(name, 6, m->n6, cidr_set_ranges6(s), &r);
	}
	cidr_set_free(s);
}

/* build of one set holding both families, as the module reloads it */
static void bench_combined(const char *name, const struct cidr_model *m)
{
	struct cidr_prefix4 *p4 = malloc((m->n4 + 1) * sizeof(*p4));
	struct cidr_prefix6 *p6 = malloc((m->n6 + 1) * sizeof(*p6));
	struct cidr_set *s = NULL;
	double t[64];

	for (int r = 0; r < runs; r++) {
		double t0;

		cidr_set_free(s);
		memcpy(p4, m->p4, m->n4 * sizeof(*p4));
		memcpy(p6, m->p6, m->n6 * sizeof(*p6));
		t0 = now_ns();
		s = cidr_set_build(p4, m->n4, p6, m->n6);
		t[r] = ms_since(t0);
		if (IS_ERR(s))
			abort();
	}
	printf("%-8s v4+v6 %zu+%zu prefixes: build %.3f ms (median of %d), %zu bytes = %.1f B/prefix\n",
	       name, m->n4, m->n6, median(t, runs), runs, cidr_set_bytes(s),
	       (double)cidr_set_bytes(s) / (m->n4 + m->n6));
	cidr_set_free(s);
	free(p4);
	free(p6);
}

/*
 * The machine's dependent-load latency at a few working-set sizes: a
 * pointer chase through a random cycle of cache lines.  A lookup in the
 * dependent mode cannot beat the loads it chains (IPv4: the /16
 * directory, then its leaf), so this is the floor the "dep" column is
 * read against.
 */
static void mem_latency(void)
{
	static const size_t kib[] = { 32, 256, 1024, 2048, 8192 };
	size_t k;

	printf("# memory: dependent load latency (pointer chase over a random cycle of 64 B lines, median of 5):");
	for (k = 0; k < sizeof(kib) / sizeof(kib[0]); k++) {
		size_t n = kib[k] * 1024 / 64, i, steps = 2000000;
		u32 *next = malloc(n * 64), *perm = malloc(n * sizeof(u32));
		double t[5];
		u32 p = 0;
		int r;

		if (!next || !perm) {
			free(next);
			free(perm);
			return;
		}
		for (i = 0; i < n; i++)
			perm[i] = i;
		for (i = n - 1; i > 0; i--) {
			u32 j = rndn(i + 1), x = perm[i];

			perm[i] = perm[j];
			perm[j] = x;
		}
		for (i = 0; i < n; i++)
			next[perm[i] * 16] = perm[(i + 1) % n] * 16;
		for (i = 0; i < steps; i++)	/* warm */
			p = next[p];
		for (r = 0; r < 5; r++) {
			double t0 = now_ns();

			for (i = 0; i < steps; i++)
				p = next[p];
			t[r] = (now_ns() - t0) / steps;
		}
		sink += p;
		printf(" %zu KiB %.1f ns%s", kib[k], median(t, 5),
		       k + 1 < sizeof(kib) / sizeof(kib[0]) ? "," : "\n");
		free(next);
		free(perm);
	}
}

static void print_header(void)
{
	char line[256], cpu[256] = "unknown", load[128];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(cpu, sizeof(cpu), "%s", c + 2);
			cpu[strcspn(cpu, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	f = fopen("/proc/loadavg", "r");
	if (!f || !fgets(load, sizeof(load), f))
		strcpy(load, "?");
	load[strcspn(load, "\n")] = 0;
	if (f)
		fclose(f);
	printf("# lookup_bench: cidr_set vs ipset-like hash:net vs sorted intervals\n");
	printf("# cpu: %s; %ld online cpus, load average %s; pinned to the cpu it started on (%d)\n",
	       cpu, sysconf(_SC_NPROCESSORS_ONLN), load, sched_getcpu());
	printf("# clock: CLOCK_THREAD_CPUTIME_ID around each run; ns = run time / lookups; median of %d runs after 1 warm-up\n",
	       runs);
	printf("# lookups per run: %zu for cidr_set, %zu for sorted, %zu for hashnet; addresses random: hit%% = share inside the set,\n",
	       nlook, nlook / 4, nlook / 32);
	printf("#   misses drawn uniformly (v4) or from 2000::/3 (v6); the methods are checked against each other on every address they time\n");
	printf("# indep = independent lookups (throughput); dep = next address depends on the previous result (latency)\n");
	printf("# build = median ms for one family alone; B/pfx = bytes held / input prefixes\n");
	printf("# synthetic v4: /8-11 0.05%%, /12-15 1%%, /16 8%%, /17-19 10%%, /20-22 25%%, /23 10%%, /24 41%%, /25-32 5%%\n");
	printf("# synthetic v6 (in 2000::/3): /20-32 30%%, /33-48 58%%, /49-64 10%%, /65-128 2%%\n");
	mem_latency();
	printf("%-8s %-2s %7s %7s  %-8s %8s %8s  %4s  %7s %7s\n", "list", "af",
	       "pfx", "ranges", "method", "build_ms", "B/pfx", "hit", "indep",
	       "dep");
}

int main(void)
{
	static const size_t sizes[] = { 1000, 20000, 100000 };
	const char *e, *dir;
	char path[4096];
	struct cidr_model m;
	cpu_set_t cs;
	int quick;

	e = getenv("BENCH_RUNS");
	if (e && atoi(e) > 0)
		runs = atoi(e) < 63 ? atoi(e) : 63;
	e = getenv("BENCH_N");
	if (e && atol(e) >= 1024)
		nlook = atol(e);
	e = getenv("BENCH_QUICK");
	quick = e && *e == '1';
	dir = getenv("CIDR_DATA_DIR");
	if (!dir || !*dir)
		dir = CIDR_DATA_DIR;

	/* stay on the CPU we started on */
	CPU_ZERO(&cs);
	CPU_SET(sched_getcpu(), &cs);
	sched_setaffinity(0, sizeof(cs), &cs);
	print_header();

	model_init(&m);
	snprintf(path, sizeof(path), "%s/china4.txt", dir);
	if (model_load(&m, path) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/china6.txt", dir);
	if (model_load(&m, path) < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	bench_list("china", &m);
	model_free(&m);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char name[32];

		if (quick && sizes[i] > 20000)
			continue;
		snprintf(name, sizeof(name), "syn%zuk", sizes[i] / 1000);
		model_init(&m);
		synth(&m, sizes[i], sizes[i]);
		bench_list(name, &m);
		model_free(&m);
	}
	printf("# build of one set with both families:\n");
	model_init(&m);
	snprintf(path, sizeof(path), "%s/china4.txt", dir);
	model_load(&m, path);
	snprintf(path, sizeof(path), "%s/china6.txt", dir);
	model_load(&m, path);
	bench_combined("china", &m);
	model_free(&m);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char name[32];

		snprintf(name, sizeof(name), "syn%zuk", sizes[i] / 1000);
		model_init(&m);
		synth(&m, sizes[i], sizes[i]);
		bench_combined(name, &m);
		model_free(&m);
	}
	return 0;
}
