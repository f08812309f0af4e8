// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Compiled, immutable prefix sets for the white_list.
 *
 * IPv4: a /16 directory of 65536 u32 leaf indexes.  A leaf (one cache line)
 * has a 256-bit map of the fully covered /24s and a 256-bit map of the
 * partly covered ("mixed") /24s; leaf 0 is all empty and leaf 1 all full,
 * so a lookup always reads one directory entry and one leaf, without a
 * data-dependent branch.  Each mixed /24 has a 256-bit map of its /32s; a
 * leaf's maps are stored in order, so the map of a /24 is found at the
 * leaf's base index plus the number of mixed /24s below it.
 *
 * IPv6: prefixes up to /64 are merged into disjoint intervals of the high
 * 64 bits.  Their sorted boundaries (start, end + 1) are kept in a static
 * B+-tree (an S+-tree: implicit layout, 8 keys = one cache line per node,
 * 9 children); an address is inside iff the number of boundaries <= its
 * high half is odd.  A directory of equal buckets over the range of the
 * boundaries gives, per bucket, that count directly (no boundary inside),
 * or the first boundary of the bucket (at most 8 inside: one unaligned
 * 8-key window is counted), or the deepest tree node that covers the
 * bucket, where the descent starts.
 * Longer prefixes turn the high halves they live in into one-value
 * "partial" intervals (flagged in a bitmap) and go to a small sorted table
 * of (high half, low-half range) entries, searched only for those.
 *
 * Everything lives in one allocation; see docs/white_list-structure.md.
 */
#include "cidr_set.h"

#define CS_LINE		64
#define CS_MAX_PREFIXES	(1U << 24)	/* per family */

#define LEAF_EMPTY	0
#define LEAF_FULL	1
#define LEAF_FIRST	2	/* first real leaf */

#ifndef CIDR_V6_B
#define CIDR_V6_B	8	/* keys per S+-tree node */
#endif
#define V6_B		CIDR_V6_B
#define V6_MAXH		14
#define V6_DIR_RANK	15U	/* dir6 tag: the value is the rank */
#define V6_DIR_WIN	14U	/* dir6 tag: count a window of V6_B keys */
#define V6_DIR_VAL	0x0fffffff
#define V6_DIR_MIN_H	3	/* smaller trees have no directory */
#define V6_DIR_MIN	256	/* buckets */
#define V6_DIR_MAX	65536

struct cidr_leaf4 {
	u64 full[4];		/* /24s fully covered */
	u64 mixed[4];		/* /24s partly covered: see cidr_set->bm4 */
};

struct cidr_bm32 {
	u64 w[4];		/* the /32s of one mixed /24 */
};

struct cidr_long6 {
	u64 hi;			/* high half */
	u64 lo, end;		/* inclusive range of low halves */
};

struct cidr_set {
#ifdef __KERNEL__
	struct rcu_head rcu;
#endif
	u32 *dir4;		/* 65536 leaf indexes; NULL without IPv4 */
	struct cidr_leaf4 *leaf4;
	u32 *base4;		/* per leaf: index of its first bm4 */
	struct cidr_bm32 *bm4;
	u64 *tree6;		/* S+-tree, root first */
	u32 *dir6;		/* tag << 28 | value; may be NULL */
	u64 *part6;		/* per interval: has long entries; may be NULL */
	struct cidr_long6 *long6;
	size_t bytes;
	size_t ranges4, ranges6;
	u32 nleaf4, nbm4;	/* including the two constant leaves */
	u32 m6;			/* boundaries (keys) in tree6 */
	u32 height6;		/* layers; 0 if m6 == 0 */
	u32 off6[V6_MAXH];	/* key offset of each layer, 0 = leaves */
	u32 shift6;		/* dir6 index = (hi - base6) >> shift6 */
	u64 base6, span6;	/* dir6 covers base6 .. base6 + span6 */
	u32 nlong6;
};

/* A sortable record: key and value (interval start and inclusive end). */
struct cs_rec {
	u64 k, v;
};

/* ---- lookups ---- */

static bool lookup4_mixed(const struct cidr_set *set, u32 d, u32 addr)
{
	const struct cidr_leaf4 *lf = &set->leaf4[d];
	u32 b = (addr >> 8) & 0xff, w = b >> 6, idx, i;

	idx = set->base4[d] + hweight64(lf->mixed[w] & ((1ULL << (b & 63)) - 1));
	for (i = 0; i < w; i++)
		idx += hweight64(lf->mixed[i]);
	return (set->bm4[idx].w[(addr >> 6) & 3] >> (addr & 63)) & 1;
}

bool cidr_set_lookup4(const struct cidr_set *set, u32 addr)
{
	const struct cidr_leaf4 *lf;
	u32 d, w, sh;

	if (unlikely(!set || !set->dir4))
		return false;
	d = set->dir4[addr >> 16];
	lf = &set->leaf4[d];
	w = (addr >> 14) & 3;
	sh = (addr >> 8) & 63;
	if (unlikely((lf->mixed[w] >> sh) & 1))
		return lookup4_mixed(set, d, addr);
	return (lf->full[w] >> sh) & 1;
}

static inline u32 v6_node_count(const u64 *n, u64 x)
{
	u32 c = 0;
	int j;

	for (j = 0; j < V6_B; j++)
		c += n[j] <= x;
	return c;
}

/* Number of boundaries <= x, descending from node @k of layer @h. */
static size_t v6_rank_from(const struct cidr_set *set, int h, size_t k, u64 x)
{
	const u64 *t = set->tree6;

	for (; h > 0; h--)
		k = k * (V6_B + 1) + v6_node_count(t + set->off6[h] + k * V6_B, x);
	return k * V6_B + v6_node_count(t + set->off6[0] + k * V6_B, x);
}

static size_t v6_rank(const struct cidr_set *set, u64 x)
{
	u32 e;

	if (unlikely(x == U64_MAX))	/* keys are padded with U64_MAX */
		return set->m6;
	if (!set->dir6)
		return set->height6 ?
			v6_rank_from(set, set->height6 - 1, 0, x) : 0;
	if (unlikely(x - set->base6 > set->span6))	/* x < base6 too */
		return x < set->base6 ? 0 : set->m6;
	e = set->dir6[(x - set->base6) >> set->shift6];
	switch (e >> 28) {
	case V6_DIR_RANK:
		return e & V6_DIR_VAL;
	case V6_DIR_WIN:
		/* keys before the window are <= x, those after it > x */
		return (e & V6_DIR_VAL) + v6_node_count(set->tree6 +
				set->off6[0] + (e & V6_DIR_VAL), x);
	default:
		return v6_rank_from(set, e >> 28, e & V6_DIR_VAL, x);
	}
}

static bool v6_long_lookup(const struct cidr_set *set, u64 hi, u64 lo)
{
	const struct cidr_long6 *e;
	u32 a = 0, b = set->nlong6;

	/* first entry above (hi, lo) */
	while (a < b) {
		u32 mid = a + (b - a) / 2;

		e = &set->long6[mid];
		if (e->hi < hi || (e->hi == hi && e->lo <= lo))
			a = mid + 1;
		else
			b = mid;
	}
	if (!a)
		return false;
	e = &set->long6[a - 1];
	return e->hi == hi && lo <= e->end;
}

bool cidr_set_lookup6(const struct cidr_set *set, u64 hi, u64 lo)
{
	size_t r, i;

	if (unlikely(!set))
		return false;
	r = v6_rank(set, hi);
	i = r / 2;
	if (unlikely(set->part6 && (r & 1) &&
		     ((set->part6[i / 64] >> (i % 64)) & 1)))
		return v6_long_lookup(set, hi, lo);
	return r & 1;
}

size_t cidr_set_bytes(const struct cidr_set *set)
{
	return set ? set->bytes : 0;
}

size_t cidr_set_ranges4(const struct cidr_set *set)
{
	return set ? set->ranges4 : 0;
}

size_t cidr_set_ranges6(const struct cidr_set *set)
{
	return set ? set->ranges6 : 0;
}

void cidr_set_free(struct cidr_set *set)
{
	kvfree(set);
}

#ifdef __KERNEL__
void cidr_set_free_rcu(struct cidr_set *set)
{
	if (set)
		kvfree_rcu(set, rcu);
}
#endif

/* ---- build helpers ---- */

static size_t cs_roundup(size_t n)
{
	return (n + CS_LINE - 1) & ~(size_t)(CS_LINE - 1);
}

/*
 * Stable LSD radix sort of @n records by key, RADIX_BITS per pass; passes
 * where all keys share the digit are skipped.  @cnt has RADIX_CNT entries.
 * Returns whichever of @a and @tmp holds the result.
 */
#define RADIX_BITS	11
#define RADIX_SIZE	(1 << RADIX_BITS)
#define RADIX_PASSES	((64 + RADIX_BITS - 1) / RADIX_BITS)
#define RADIX_CNT	(RADIX_PASSES * RADIX_SIZE)
#define RADIX_DIGIT(k, d) (((k) >> (RADIX_BITS * (d))) & (RADIX_SIZE - 1))

static struct cs_rec *cs_radix_sort(struct cs_rec *a, struct cs_rec *tmp,
				    size_t n, u32 *cnt)
{
	size_t i;
	int d;

	if (n < 2)
		return a;
	memset(cnt, 0, RADIX_CNT * sizeof(*cnt));
	for (i = 0; i < n; i++) {
		u64 k = a[i].k;

		for (d = 0; d < RADIX_PASSES; d++)
			cnt[d * RADIX_SIZE + RADIX_DIGIT(k, d)]++;
	}
	for (d = 0; d < RADIX_PASSES; d++) {
		u32 *c = cnt + d * RADIX_SIZE;
		u32 sum = 0, t;
		struct cs_rec *swap;
		int j;

		if (c[RADIX_DIGIT(a[0].k, d)] == n)
			continue;
		for (j = 0; j < RADIX_SIZE; j++) {
			t = c[j];
			c[j] = sum;
			sum += t;
		}
		for (i = 0; i < n; i++)
			tmp[c[RADIX_DIGIT(a[i].k, d)]++] = a[i];
		swap = a;
		a = tmp;
		tmp = swap;
	}
	return a;
}

/* Merge sorted, possibly overlapping [k, v] records in place. */
static size_t cs_merge(struct cs_rec *a, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		struct cs_rec *last = out ? &a[out - 1] : NULL;

		if (last && (last->v == U64_MAX || a[i].k <= last->v + 1)) {
			if (a[i].v > last->v)
				last->v = a[i].v;
		} else {
			a[out++] = a[i];
		}
	}
	return out;
}

/* Set bits lo..hi (inclusive, < 256) of a 256-bit map. */
static void cs_set_bits(u64 *bm, u32 lo, u32 hi)
{
	while (lo <= hi) {
		u32 w = lo >> 6, e = (w << 6) | 63, n;

		if (e > hi)
			e = hi;
		n = e - lo + 1;
		bm[w] |= (n == 64 ? U64_MAX : (1ULL << n) - 1) << (lo & 63);
		lo = e + 1;
	}
}

/*
 * Walks the sorted, merged IPv4 intervals twice: to count leaves and /32
 * maps (set == NULL), then to fill them in.
 */
struct cs_walk4 {
	struct cidr_set *set;
	u32 nleaf, nbm;
	u32 last16, last24;
};

static void cs_fill24(struct cs_walk4 *w, u32 lo, u32 hi)
{
	u32 i24 = lo >> 8;

	if (w->last24 != i24) {
		w->last24 = i24;
		w->nbm++;
		if (w->set)
			cs_set_bits(w->set->leaf4[w->nleaf - 1].mixed,
				    i24 & 0xff, i24 & 0xff);
	}
	if (w->set)
		cs_set_bits(w->set->bm4[w->nbm - 1].w, lo & 0xff, hi & 0xff);
}

/* lo..hi lie in one /16 and do not cover it */
static void cs_fill16(struct cs_walk4 *w, u32 lo, u32 hi)
{
	u32 i16 = lo >> 16, a = lo >> 8, b = hi >> 8;
	bool tail;

	if (w->last16 != i16) {
		w->last16 = i16;
		if (w->set) {
			w->set->dir4[i16] = w->nleaf;
			w->set->base4[w->nleaf] = w->nbm;
		}
		w->nleaf++;
	}
	if (a == b) {
		if ((lo & 0xff) == 0 && (hi & 0xff) == 0xff) {
			if (w->set)
				cs_set_bits(w->set->leaf4[w->nleaf - 1].full,
					    a & 0xff, a & 0xff);
		} else {
			cs_fill24(w, lo, hi);
		}
		return;
	}
	if (lo & 0xff) {
		cs_fill24(w, lo, lo | 0xff);
		a++;
	}
	tail = (hi & 0xff) != 0xff;
	if (tail)
		b--;
	if (a <= b && w->set)
		cs_set_bits(w->set->leaf4[w->nleaf - 1].full, a & 0xff, b & 0xff);
	if (tail)
		cs_fill24(w, hi & ~0xffU, hi);
}

static void cs_walk4(struct cs_walk4 *w, const struct cs_rec *iv, size_t n)
{
	size_t i;
	u32 j;

	w->nleaf = LEAF_FIRST;
	w->nbm = 0;
	w->last16 = U32_MAX;
	w->last24 = U32_MAX;
	for (i = 0; i < n; i++) {
		u32 lo = iv[i].k, hi = iv[i].v;
		u32 a = lo >> 16, b = hi >> 16;
		bool tail;

		if (a == b && ((lo & 0xffff) || (hi & 0xffff) != 0xffff)) {
			cs_fill16(w, lo, hi);
			continue;
		}
		if (lo & 0xffff) {
			cs_fill16(w, lo, lo | 0xffff);
			a++;
		}
		tail = (hi & 0xffff) != 0xffff;
		if (tail)
			b--;
		for (j = a; w->set && j <= b && b != U32_MAX; j++)
			w->set->dir4[j] = LEAF_FULL;
		if (tail)
			cs_fill16(w, hi & ~0xffffU, hi);
	}
}

static int cs_cmp_long6(const void *pa, const void *pb)
{
	const struct cidr_long6 *a = pa, *b = pb;

	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

/*
 * Sort the long IPv6 entries, drop those inside a short interval and merge
 * the rest; returns the number kept.
 */
static size_t cs_long6_prepare(struct cidr_long6 *l, size_t nl,
			       const struct cs_rec *iv, size_t ni)
{
	size_t i, p = 0, out = 0;

	sort(l, nl, sizeof(*l), cs_cmp_long6, NULL);
	for (i = 0; i < nl; i++) {
		struct cidr_long6 *last = out ? &l[out - 1] : NULL;

		while (p < ni && iv[p].v < l[i].hi)
			p++;
		if (p < ni && iv[p].k <= l[i].hi)
			continue;
		if (last && last->hi == l[i].hi &&
		    (last->end == U64_MAX || l[i].lo <= last->end + 1)) {
			if (l[i].end > last->end)
				last->end = l[i].end;
		} else {
			l[out++] = l[i];
		}
	}
	return out;
}

/*
 * Maximal ranges of the whole IPv6 set: short intervals and long entries
 * are disjoint, but may touch in the 128-bit space.
 */
static size_t cs_ranges6(const struct cs_rec *iv, size_t ni,
			 const struct cidr_long6 *l, size_t nl)
{
	size_t i = 0, j = 0, n = 0;
	u64 ehi = 0, elo = 0;	/* end of the previous range */
	bool any = false;

	while (i < ni || j < nl) {
		u64 shi, slo, nhi, nlo;

		if (j == nl || (i < ni && iv[i].k < l[j].hi)) {
			shi = iv[i].k;
			slo = 0;
			nhi = iv[i].v;
			nlo = U64_MAX;
			i++;
		} else {
			shi = l[j].hi;
			slo = l[j].lo;
			nhi = l[j].hi;
			nlo = l[j].end;
			j++;
		}
		/* touching: previous end + 1 == start */
		if (!any || !(elo == U64_MAX ? ehi + 1 == shi && slo == 0 :
			      ehi == shi && elo + 1 == slo))
			n++;
		any = true;
		ehi = nhi;
		elo = nlo;
	}
	return n;
}

static int cs_check4(const struct cidr_prefix4 *p)
{
	u32 mask;

	if (p->plen > 32)
		return -EINVAL;
	mask = p->plen ? U32_MAX << (32 - p->plen) : 0;
	return p->addr & ~mask ? -EINVAL : 0;
}

static int cs_check6(const struct cidr_prefix6 *p)
{
	u64 mask;

	if (p->plen > 128)
		return -EINVAL;
	if (p->plen <= 64) {
		mask = p->plen ? U64_MAX << (64 - p->plen) : 0;
		return (p->hi & ~mask) || p->lo ? -EINVAL : 0;
	}
	mask = U64_MAX << (128 - p->plen);
	return p->lo & ~mask ? -EINVAL : 0;
}

/*
 * Merge the short intervals with one-value "partial" intervals for the
 * high halves of the long entries; write the boundaries to @keys and the
 * partial flags to @part unless NULL.  Returns the number of intervals
 * and sets *@m to the number of boundaries.
 */
static size_t cs_combine6(const struct cs_rec *iv, size_t ni,
			  const struct cidr_long6 *l, size_t nl,
			  u64 *keys, u64 *part, size_t *m)
{
	size_t i = 0, j = 0, n = 0;

	*m = 0;
	while (i < ni || j < nl) {
		u64 start, end;

		if (j == nl || (i < ni && iv[i].k < l[j].hi)) {
			start = iv[i].k;
			end = iv[i].v;
			i++;
		} else {
			start = l[j].hi;
			end = start;
			while (j < nl && l[j].hi == start)
				j++;
			if (part)
				part[n / 64] |= 1ULL << (n % 64);
		}
		if (keys) {
			keys[*m] = start;
			if (end != U64_MAX)
				keys[*m + 1] = end + 1;
		}
		*m += end == U64_MAX ? 1 : 2;
		n++;
	}
	return n;
}

/* Pad the leaf layer (already holding the keys) and fill the others. */
static void cs_build_tree6(struct cidr_set *set, const u32 *nodes)
{
	u64 *leaf = set->tree6 + set->off6[0];
	size_t i, m = set->m6, nkeys = ((size_t)nodes[0] + 1) * V6_B;
	size_t span = 1;	/* leaves under one node of layer h - 1 */
	u32 h, c;
	int j;

	for (i = m; i < nkeys; i++)
		leaf[i] = U64_MAX;
	for (h = 1; h < set->height6; h++) {
		u64 *layer = set->tree6 + set->off6[h];

		for (c = 0; c < nodes[h]; c++) {
			for (j = 0; j < V6_B; j++) {
				size_t child = (size_t)c * (V6_B + 1) + j + 1;
				size_t k = child * span * V6_B;

				layer[(size_t)c * V6_B + j] =
					k < m ? leaf[k] : U64_MAX;
			}
		}
		span *= V6_B + 1;
	}
}

/*
 * Per bucket of the directory: the rank if no boundary falls inside the
 * bucket, the first boundary if at most V6_B do, else the deepest node
 * whose subtree every address of the bucket descends to.
 */
static void cs_build_dir6(struct cidr_set *set, size_t nb)
{
	const u64 *t = set->tree6, *keys = t + set->off6[0];
	size_t b, p = 0, q = 0, m = set->m6;
	u64 base = 0, mask;
	u32 shift;

	/* smallest buckets that cover all the boundaries */
	for (shift = 0; shift < 63; shift++) {
		base = keys[0] & ~((1ULL << shift) - 1);
		if ((keys[m - 1] - base) >> shift < nb)
			break;
	}
	mask = (1ULL << shift) - 1;
	set->base6 = base;
	set->shift6 = shift;
	/* buckets past U64_MAX are never used */
	/* nb is a size_t: 32 bits on a 32-bit CPU, widened before the shift */
	set->span6 = (U64_MAX - base) >> shift < nb - 1 ? U64_MAX - base :
		     ((u64)(nb - 1) << shift) | mask;
	for (b = 0; b < nb; b++) {
		u64 lo = base + ((u64)b << shift), hi = lo | mask;
		size_t k = 0;
		int h;

		if (lo < base)		/* past U64_MAX: not used */
			break;
		while (p < m && keys[p] <= lo)
			p++;
		while (q < m && keys[q] <= hi)
			q++;
		if (p == q) {
			set->dir6[b] = V6_DIR_RANK << 28 | p;
			continue;
		}
		if (q - p <= V6_B) {
			set->dir6[b] = V6_DIR_WIN << 28 | p;
			continue;
		}
		for (h = set->height6 - 1; h > 0; h--) {
			const u64 *node = t + set->off6[h] + k * V6_B;
			u32 a = v6_node_count(node, lo);

			if (a != v6_node_count(node, hi))
				break;
			k = k * (V6_B + 1) + a;
		}
		set->dir6[b] = (u32)h << 28 | k;
	}
}

struct cs_plan {
	size_t ni4, ni6, nl6, nint6, m6;
	u32 nleaf, nbm;
	u32 nodes6[V6_MAXH];
	u32 height6;
	size_t dir6;
	size_t nodes6_total;
};

struct cidr_set *cidr_set_build(struct cidr_prefix4 *p4, size_t n4,
				struct cidr_prefix6 *p6, size_t n6)
{
	struct cs_rec *r4, *r6, *tmp, *iv4 = NULL, *iv6 = NULL;
	struct cidr_long6 *l6;
	struct cidr_set *set = NULL;
	struct cs_walk4 walk;
	struct cs_plan pl;
	size_t i, ns = 0, nl = 0, size, tsize;
	void *tbuf;
	char *p;
	u32 *cnt;
	int err = 0;

	if (n4 > CS_MAX_PREFIXES || n6 > CS_MAX_PREFIXES)
		return ERR_PTR(-EINVAL);
	for (i = 0; i < n4 && !err; i++)
		err = cs_check4(&p4[i]);
	for (i = 0; i < n6 && !err; i++)
		err = cs_check6(&p6[i]);
	if (err)
		return ERR_PTR(err);

	/* scratch: records, radix buffer, counters, long entries */
	tsize = (n4 + n6) * sizeof(struct cs_rec) +
		(n4 > n6 ? n4 : n6) * sizeof(struct cs_rec) +
		RADIX_CNT * sizeof(u32) + n6 * sizeof(struct cidr_long6);
	tbuf = kvmalloc(tsize, GFP_KERNEL_ACCOUNT);
	if (!tbuf)
		return ERR_PTR(-ENOMEM);
	r4 = tbuf;
	r6 = r4 + n4;
	tmp = r6 + n6;
	cnt = (u32 *)(tmp + (n4 > n6 ? n4 : n6));
	l6 = (struct cidr_long6 *)(cnt + RADIX_CNT);

	memset(&pl, 0, sizeof(pl));

	/* IPv4: intervals, then count leaves and /32 maps */
	for (i = 0; i < n4; i++) {
		u32 mask = p4[i].plen ? U32_MAX << (32 - p4[i].plen) : 0;

		r4[i].k = p4[i].addr;
		r4[i].v = p4[i].addr | ~mask;
	}
	if (n4) {
		iv4 = cs_radix_sort(r4, tmp, n4, cnt);
		pl.ni4 = cs_merge(iv4, n4);
		memset(&walk, 0, sizeof(walk));
		cs_walk4(&walk, iv4, pl.ni4);
		pl.nleaf = walk.nleaf;
		pl.nbm = walk.nbm;
		if (iv4 != r4) {	/* keep it out of the way of IPv6 */
			memcpy(r4, iv4, pl.ni4 * sizeof(*r4));
			iv4 = r4;
		}
	}

	/* IPv6: short prefixes to intervals, long ones to the table */
	for (i = 0; i < n6; i++) {
		if (p6[i].plen <= 64) {
			u64 mask = p6[i].plen ?
				U64_MAX << (64 - p6[i].plen) : 0;

			r6[ns].k = p6[i].hi;
			r6[ns++].v = p6[i].hi | ~mask;
		} else {
			u64 mask = U64_MAX << (128 - p6[i].plen);

			l6[nl].hi = p6[i].hi;
			l6[nl].lo = p6[i].lo;
			l6[nl++].end = p6[i].lo | ~mask;
		}
	}
	if (ns) {
		iv6 = cs_radix_sort(r6, tmp, ns, cnt);
		pl.ni6 = cs_merge(iv6, ns);
	}
	pl.nl6 = cs_long6_prepare(l6, nl, iv6, pl.ni6);
	pl.nint6 = cs_combine6(iv6, pl.ni6, l6, pl.nl6, NULL, NULL, &pl.m6);
	if (pl.m6) {
		size_t n = (pl.m6 + V6_B - 1) / V6_B;

		do {
			pl.nodes6[pl.height6++] = n;
			pl.nodes6_total += n;
			n = (n + V6_B) / (V6_B + 1);
		} while (pl.nodes6[pl.height6 - 1] > 1);
	}
	if (pl.height6 >= V6_DIR_MIN_H) {
		/* four buckets per boundary */
		for (pl.dir6 = V6_DIR_MIN; pl.dir6 < V6_DIR_MAX &&
		     pl.dir6 < 4 * pl.m6; pl.dir6 *= 2)
			;
	}

	/* one allocation, every part on its own cache lines */
	size = cs_roundup(sizeof(*set)) + CS_LINE;
	if (pl.ni4)
		size += cs_roundup(65536 * sizeof(u32)) +
			cs_roundup(pl.nleaf * sizeof(struct cidr_leaf4)) +
			cs_roundup(pl.nleaf * sizeof(u32)) +
			cs_roundup(pl.nbm * sizeof(struct cidr_bm32));
	/* one more leaf: a window may be read from any boundary on */
	if (pl.m6)
		size += cs_roundup((pl.nodes6_total + 1) * V6_B * sizeof(u64));
	size += cs_roundup(pl.dir6 * sizeof(u32));
	if (pl.nl6)
		size += cs_roundup(pl.nl6 * sizeof(struct cidr_long6)) +
			cs_roundup((pl.nint6 / 64 + 1) * sizeof(u64));
	set = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!set) {
		kvfree(tbuf);
		return ERR_PTR(-ENOMEM);
	}
	set->bytes = size;
	p = (char *)set + sizeof(*set);
	p += (CS_LINE - ((unsigned long)p & (CS_LINE - 1))) & (CS_LINE - 1);

	if (pl.ni4) {
		set->dir4 = (u32 *)p;
		p += cs_roundup(65536 * sizeof(u32));
		set->leaf4 = (struct cidr_leaf4 *)p;
		p += cs_roundup(pl.nleaf * sizeof(struct cidr_leaf4));
		set->base4 = (u32 *)p;
		p += cs_roundup(pl.nleaf * sizeof(u32));
		set->bm4 = (struct cidr_bm32 *)p;
		p += cs_roundup(pl.nbm * sizeof(struct cidr_bm32));
		set->nleaf4 = pl.nleaf;
		set->nbm4 = pl.nbm;
		set->ranges4 = pl.ni4;
		memset(set->leaf4[LEAF_FULL].full, 0xff,
		       sizeof(set->leaf4[LEAF_FULL].full));
		memset(&walk, 0, sizeof(walk));
		walk.set = set;
		cs_walk4(&walk, iv4, pl.ni4);
	}

	if (pl.m6) {
		size_t off = 0;
		int h;

		set->tree6 = (u64 *)p;
		p += cs_roundup((pl.nodes6_total + 1) * V6_B * sizeof(u64));
		set->m6 = pl.m6;
		set->height6 = pl.height6;
		for (h = pl.height6 - 1; h >= 0; h--) {
			set->off6[h] = off;
			off += (size_t)pl.nodes6[h] * V6_B;
		}
		if (pl.nl6) {
			set->long6 = (struct cidr_long6 *)p;
			p += cs_roundup(pl.nl6 * sizeof(struct cidr_long6));
			set->part6 = (u64 *)p;
			p += cs_roundup((pl.nint6 / 64 + 1) * sizeof(u64));
			set->nlong6 = pl.nl6;
			memcpy(set->long6, l6, pl.nl6 * sizeof(*l6));
		}
		cs_combine6(iv6, pl.ni6, l6, pl.nl6, set->tree6 + set->off6[0],
			    set->part6, &pl.m6);
		cs_build_tree6(set, pl.nodes6);
		if (pl.dir6) {
			set->dir6 = (u32 *)p;
			p += cs_roundup(pl.dir6 * sizeof(u32));
			cs_build_dir6(set, pl.dir6);
		}
	}
	set->ranges6 = cs_ranges6(iv6, pl.ni6, l6, pl.nl6);

	kvfree(tbuf);
	return set;
}
