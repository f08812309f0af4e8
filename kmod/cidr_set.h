/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Compiled, immutable prefix sets for the white_list.
 *
 * This file and cidr_set.c have no kernel dependency beyond cidr_shim.h,
 * so the very same source is built into sluice.ko and into the userspace
 * unit tests, fuzzers and benchmarks.
 *
 * A set is built in process context from an unordered list of prefixes
 * (duplicates, nesting and overlap allowed) and never changes afterwards.
 * The whole set (IPv4 and IPv6 parts) lives in one allocation, so one
 * RCU pointer swap publishes both families together and one
 * cidr_set_free() (or kvfree_rcu() on ->rcu) releases it.
 */
#ifndef SLUICE_CIDR_SET_H
#define SLUICE_CIDR_SET_H

#include "cidr_shim.h"

struct cidr_prefix4 {
	u32 addr;		/* host byte order; host bits must be zero */
	u8 plen;		/* 0..32 */
};

struct cidr_prefix6 {
	u64 hi, lo;		/* host byte order halves of the address */
	u8 plen;		/* 0..128 */
};

struct cidr_set;

/*
 * Build a set from @n4 IPv4 and @n6 IPv6 prefixes.  The input arrays may be
 * reordered (sorted) in place.  Prefixes with host bits set or an
 * out-of-range length make the build fail with -EINVAL.  Returns the set,
 * or an ERR_PTR (-ENOMEM, -EINVAL).  An empty input gives a valid set
 * that matches nothing.  In the kernel the set and the build's scratch
 * memory are charged to the caller's memory cgroup (GFP_KERNEL_ACCOUNT):
 * their size is the caller's input.
 */
struct cidr_set *cidr_set_build(struct cidr_prefix4 *p4, size_t n4,
				struct cidr_prefix6 *p6, size_t n6);

/* Free a set immediately (no readers may remain). */
void cidr_set_free(struct cidr_set *set);

/* Lookups: safe from any context, lockless; @set may be NULL (no match). */
bool cidr_set_lookup4(const struct cidr_set *set, u32 addr);
bool cidr_set_lookup6(const struct cidr_set *set, u64 hi, u64 lo);

/* Bytes held by the set, for the memory counters. */
size_t cidr_set_bytes(const struct cidr_set *set);

/* Disjoint ranges after merging, for statistics and tests. */
size_t cidr_set_ranges4(const struct cidr_set *set);
size_t cidr_set_ranges6(const struct cidr_set *set);

#ifdef __KERNEL__
/* Free after an RCU grace period; for writers that just swapped it out. */
void cidr_set_free_rcu(struct cidr_set *set);
#endif

#endif /* SLUICE_CIDR_SET_H */
