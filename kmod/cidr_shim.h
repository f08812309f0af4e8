/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The few kernel facilities cidr_set.c uses, so that the same source builds
 * into sluice.ko and into the userspace tests, fuzzers and benchmarks.
 */
#ifndef SLUICE_CIDR_SHIM_H
#define SLUICE_CIDR_SHIM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/limits.h>
#include <linux/errno.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/sort.h>
#include <linux/bitops.h>
#include <linux/string.h>
#include <linux/rcupdate.h>

#else /* !__KERNEL__ */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#ifndef U32_MAX
#define U32_MAX UINT32_MAX
#endif
#ifndef U64_MAX
#define U64_MAX UINT64_MAX
#endif

#define GFP_KERNEL 0
#define GFP_KERNEL_ACCOUNT 0
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

static inline void *kvmalloc(size_t n, int gfp)
{
	(void)gfp;
	return malloc(n);
}

static inline void *kvzalloc(size_t n, int gfp)
{
	(void)gfp;
	return calloc(1, n);
}

static inline void kvfree(const void *p)
{
	free((void *)p);
}

/* The kernel's sort() is a heapsort; qsort is close enough here. */
#define sort(base, num, size, cmp, swap) \
	((void)(swap), qsort(base, num, size, cmp))

#define hweight64(w) ((unsigned int)__builtin_popcountll(w))

#define MAX_ERRNO 4095
static inline void *ERR_PTR(long err)
{
	return (void *)err;
}

static inline long PTR_ERR(const void *p)
{
	return (long)p;
}

static inline bool IS_ERR(const void *p)
{
	return (unsigned long)p >= (unsigned long)-MAX_ERRNO;
}

#endif /* __KERNEL__ */

#endif /* SLUICE_CIDR_SHIM_H */
