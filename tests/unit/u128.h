/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A 128-bit unsigned integer (an IPv6 address as a number) for the unit
 * tests, as two 64-bit halves: GCC's unsigned __int128 exists only on
 * 64-bit targets, and the tests also run on 32-bit MIPS.  Arithmetic is
 * modulo 2^128, like the built-in type's.
 */
#ifndef SLUICE_TEST_U128_H
#define SLUICE_TEST_U128_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint64_t hi, lo;
} u128;

static inline u128 u128_make(uint64_t hi, uint64_t lo)
{
	u128 r = { .hi = hi, .lo = lo };

	return r;
}

/* The largest value, all bits set. */
static inline u128 u128_max(void)
{
	return u128_make(~0ULL, ~0ULL);
}

static inline bool u128_is_zero(u128 a)
{
	return !(a.hi | a.lo);
}

static inline bool u128_eq(u128 a, u128 b)
{
	return a.hi == b.hi && a.lo == b.lo;
}

/* -1, 0 or 1 as a < b, a == b, a > b. */
static inline int u128_cmp(u128 a, u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static inline u128 u128_add(u128 a, u128 b)
{
	u128 r = { .hi = a.hi + b.hi, .lo = a.lo + b.lo };

	r.hi += r.lo < a.lo;	/* carry */
	return r;
}

static inline u128 u128_sub(u128 a, u128 b)
{
	u128 r = { .hi = a.hi - b.hi, .lo = a.lo - b.lo };

	r.hi -= a.lo < b.lo;	/* borrow */
	return r;
}

static inline u128 u128_add64(u128 a, uint64_t b)
{
	return u128_add(a, u128_make(0, b));
}

static inline u128 u128_sub64(u128 a, uint64_t b)
{
	return u128_sub(a, u128_make(0, b));
}

static inline u128 u128_and(u128 a, u128 b)
{
	return u128_make(a.hi & b.hi, a.lo & b.lo);
}

static inline u128 u128_or(u128 a, u128 b)
{
	return u128_make(a.hi | b.hi, a.lo | b.lo);
}

#endif /* SLUICE_TEST_U128_H */
