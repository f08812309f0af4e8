// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * genprefix N SEED: N synthetic IPv4 prefixes for the kernel benchmarks.
 *
 * Lengths follow the mix of tests/bench/lookup_bench.c (/8-11 0.05%,
 * /12-15 1%, /16 8%, /17-19 10%, /20-22 25%, /23 10%, /24 41%, /25-32 5%).
 * The prefixes are laid out from 1.0.0.0 upwards, largest first, each
 * followed by a gap of its own size, so they never overlap or touch and
 * cover exactly half of the range [first, last] printed in the header
 * line: random destinations drawn uniformly from that range hit with
 * probability 0.5.  The output order is shuffled (insertion order of a
 * real list is arbitrary).
 *
 * Output: "# range A.B.C.D E.F.G.H covered N" then one prefix a line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int rndn(unsigned int n)
{
	return (unsigned int)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

static const unsigned int w4[] = { 5, 100, 800, 1000, 2500, 1000, 4095, 500 };
static const unsigned int lo4[] = { 8, 12, 16, 17, 20, 23, 24, 25 };
static const unsigned int hi4[] = { 11, 15, 16, 19, 22, 23, 24, 32 };

static unsigned int pick_len(void)
{
	unsigned int r = rndn(10000);

	for (int i = 0; i < 8; i++) {
		if (r < w4[i])
			return lo4[i] + rndn(hi4[i] - lo4[i] + 1);
		r -= w4[i];
	}
	return 24;
}

static int cmp_len(const void *a, const void *b)
{
	return (int)*(const unsigned char *)a - (int)*(const unsigned char *)b;
}

static void pr(uint32_t a)
{
	printf("%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

int main(int argc, char **argv)
{
	size_t n, i;
	unsigned char *len;
	uint32_t *addr;
	uint64_t cur = 1ULL << 24, covered = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: genprefix N SEED\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 0);
	rng = strtoull(argv[2], NULL, 0) * 0x2545f4914f6cdd1dULL + n;
	len = malloc(n);
	addr = malloc(n * sizeof(*addr));
	if (!len || !addr)
		return 1;
	for (i = 0; i < n; i++)
		len[i] = (unsigned char)pick_len();
	qsort(len, n, 1, cmp_len);	/* shortest (largest) first */
	for (i = 0; i < n; i++) {
		uint64_t sz = 1ULL << (32 - len[i]);

		cur = (cur + sz - 1) & ~(sz - 1);
		addr[i] = (uint32_t)cur;
		cur += 2 * sz;
		covered += sz;
	}
	if (cur > 0xe0000000ULL) {
		fprintf(stderr, "genprefix: range too large\n");
		return 1;
	}
	for (i = n; i > 1; i--) {	/* Fisher-Yates */
		size_t j = rndn((unsigned int)i);
		unsigned char tl = len[i - 1];
		uint32_t ta = addr[i - 1];

		len[i - 1] = len[j];
		addr[i - 1] = addr[j];
		len[j] = tl;
		addr[j] = ta;
	}
	printf("# range ");
	pr(1U << 24);
	printf(" ");
	pr((uint32_t)(cur - 1));
	printf(" covered %llu\n", (unsigned long long)covered);
	for (i = 0; i < n; i++) {
		pr(addr[i]);
		printf("/%u\n", len[i]);
	}
	return 0;
}
