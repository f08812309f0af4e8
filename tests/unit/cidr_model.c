// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Naive reference model for cidr_set: see cidr_model.h. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr_model.h"
#include "u128.h"

void model_init(struct cidr_model *m)
{
	memset(m, 0, sizeof(*m));
}

void model_free(struct cidr_model *m)
{
	free(m->p4);
	free(m->p6);
	model_init(m);
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * size);
	if (!p)
		abort();
	return p;
}

void model_add4(struct cidr_model *m, u32 addr, u8 plen)
{
	m->p4 = grow(m->p4, &m->cap4, m->n4, sizeof(*m->p4));
	m->p4[m->n4].addr = addr;
	m->p4[m->n4++].plen = plen;
}

void model_add6(struct cidr_model *m, u64 hi, u64 lo, u8 plen)
{
	m->p6 = grow(m->p6, &m->cap6, m->n6, sizeof(*m->p6));
	m->p6[m->n6].hi = hi;
	m->p6[m->n6].lo = lo;
	m->p6[m->n6++].plen = plen;
}

u32 model_mask4(unsigned int plen)
{
	return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

void model_mask6(unsigned int plen, u64 *hi, u64 *lo)
{
	*hi = plen == 0 ? 0 : plen >= 64 ? ~0ULL : ~0ULL << (64 - plen);
	*lo = plen <= 64 ? 0 : ~0ULL << (128 - plen);
}

bool model_lookup4(const struct cidr_model *m, u32 addr)
{
	for (size_t i = 0; i < m->n4; i++)
		if ((addr & model_mask4(m->p4[i].plen)) == m->p4[i].addr)
			return true;
	return false;
}

bool model_lookup6(const struct cidr_model *m, u64 hi, u64 lo)
{
	for (size_t i = 0; i < m->n6; i++) {
		u64 mh, ml;

		model_mask6(m->p6[i].plen, &mh, &ml);
		if ((hi & mh) == m->p6[i].hi && (lo & ml) == m->p6[i].lo)
			return true;
	}
	return false;
}

struct iv {
	u128 a, b;	/* inclusive */
};

static int cmp_iv(const void *pa, const void *pb)
{
	const struct iv *x = pa, *y = pb;

	return u128_cmp(x->a, y->a);
}

static size_t count_ranges(struct iv *v, size_t n, u128 max)
{
	size_t r = 0;
	u128 end = u128_make(0, 0);

	qsort(v, n, sizeof(*v), cmp_iv);
	for (size_t i = 0; i < n; i++) {
		if (r == 0 || (!u128_eq(end, max) &&
			       u128_cmp(v[i].a, u128_add64(end, 1)) > 0)) {
			r++;
			end = v[i].b;
		} else if (u128_cmp(v[i].b, end) > 0) {
			end = v[i].b;
		}
	}
	free(v);
	return r;
}

size_t model_ranges4(const struct cidr_model *m)
{
	struct iv *v = calloc(m->n4 + 1, sizeof(*v));

	for (size_t i = 0; i < m->n4; i++) {
		v[i].a = u128_make(0, m->p4[i].addr);
		v[i].b = u128_make(0, m->p4[i].addr |
				   ~model_mask4(m->p4[i].plen));
	}
	return count_ranges(v, m->n4, u128_make(0, 0xffffffffu));
}

size_t model_ranges6(const struct cidr_model *m)
{
	struct iv *v = calloc(m->n6 + 1, sizeof(*v));

	for (size_t i = 0; i < m->n6; i++) {
		u64 mh, ml;

		model_mask6(m->p6[i].plen, &mh, &ml);
		v[i].a = u128_make(m->p6[i].hi, m->p6[i].lo);
		v[i].b = u128_make(m->p6[i].hi | ~mh, m->p6[i].lo | ~ml);
	}
	return count_ranges(v, m->n6, u128_max());
}

int model_parse(const char *s, struct cidr_prefix4 *p4,
		struct cidr_prefix6 *p6)
{
	char buf[64], *slash, *end;
	unsigned char a[16];
	long plen = -1;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		plen = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || plen < 0 || plen > 255)
			return -1;
	}
	if (inet_pton(AF_INET, buf, a) == 1) {
		p4->addr = (u32)a[0] << 24 | (u32)a[1] << 16 |
			   (u32)a[2] << 8 | a[3];
		p4->plen = plen < 0 ? 32 : (u8)plen;
		return 4;
	}
	if (inet_pton(AF_INET6, buf, a) == 1) {
		p6->hi = 0;
		p6->lo = 0;
		for (int i = 0; i < 8; i++) {
			p6->hi = p6->hi << 8 | a[i];
			p6->lo = p6->lo << 8 | a[8 + i];
		}
		p6->plen = plen < 0 ? 128 : (u8)plen;
		return 6;
	}
	return -1;
}

long model_load(struct cidr_model *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct cidr_prefix4 p4;
		struct cidr_prefix6 p6;
		char *s = line, *e;
		int fam;

		e = strchr(s, '#');
		if (e)
			*e = 0;
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = 0;
		if (!*s)
			continue;
		fam = model_parse(s, &p4, &p6);
		if (fam == 4)
			model_add4(m, p4.addr, p4.plen);
		else if (fam == 6)
			model_add6(m, p6.hi, p6.lo, p6.plen);
		else {
			fclose(f);
			return -1;
		}
		n++;
	}
	fclose(f);
	return n;
}
