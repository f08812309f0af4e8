/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The white_list's control-plane interface, used by netlink.c.
 * Every function here sleeps and takes wl->lock.
 */
#ifndef SLUICE_WHITELIST_H
#define SLUICE_WHITELIST_H

#include "sluice.h"

/*
 * A prefix as the table keys it: 20 bytes, a multiple of 4 and 4-byte
 * aligned, because the rhashtable hashes it with jhash2() (u32 loads,
 * which must be aligned on MIPS and ARMv5).  The address is in network
 * byte order on every CPU.
 */
struct wl_key {
	u8 addr[16];			/* IPv4 in the first 4 bytes */
	u8 family;			/* AF_INET or AF_INET6 */
	u8 plen;
	u16 zero;
} __aligned(4);

static inline unsigned int wl_key_maxlen(const struct wl_key *k)
{
	return k->family == AF_INET ? 32 : 128;
}

/* What a dump or an explanation sees of one (prefix, source) pair. */
struct wl_entry_info {
	const struct wl_key *key;
	const char *source;
	u32 timeout_left;		/* seconds, 0: permanent */
	bool timed;
};

/*
 * Where a dump stopped: the last entry it visited.  Sources are walked in
 * the order they were created and a source's entries in the order they
 * were added, so the walk resumes after that entry with one hash lookup,
 * or, if it is gone, after the place it had.  All zero: from the start.
 */
struct wl_cursor {
	struct wl_key key;		/* the entry's prefix */
	u64 seq;			/* its number in its source */
	u64 src_id;			/* its source's number; 0: none yet */
};

/*
 * Visit the entries after @cur, advancing @cur past each one @fn accepts
 * (returns 0); stop at the first it refuses (non-zero).  *@gen is the
 * list's generation, set before any visit.
 */
typedef int (*wl_visit_fn)(const struct wl_entry_info *e, void *arg);
int sluice_wl_walk(struct sluice_wl *wl, const char *source,
		   struct wl_cursor *cur, wl_visit_fn fn, void *arg,
		   unsigned int *gen);

struct wl_source_info {
	const char *name;
	u32 n4, n6;
	bool txn_open;
};

/* The same for sources; *@cur is the number of the last one visited. */
typedef int (*wl_source_fn)(const struct wl_source_info *s, void *arg);
int sluice_wl_walk_sources(struct sluice_wl *wl, u64 *cur,
			   wl_source_fn fn, void *arg, unsigned int *gen);

int sluice_wl_add(struct sluice_wl *wl, const char *source,
		  const struct wl_key *keys, size_t n, u32 timeout,
		  u32 portid, struct netlink_ext_ack *extack);
int sluice_wl_del(struct sluice_wl *wl, const char *source,
		  const struct wl_key *keys, size_t n, u32 portid,
		  size_t *bad, struct netlink_ext_ack *extack);
int sluice_wl_flush(struct sluice_wl *wl, const char *source, u32 portid,
		    struct netlink_ext_ack *extack);
int sluice_wl_begin(struct sluice_wl *wl, const char *source, u32 portid,
		    struct netlink_ext_ack *extack);
int sluice_wl_commit(struct sluice_wl *wl, const char *source, u32 portid,
		     struct netlink_ext_ack *extack);
int sluice_wl_abort(struct sluice_wl *wl, const char *source, u32 portid,
		    struct netlink_ext_ack *extack);
/* The netlink socket @portid closed: drop its open transactions. */
void sluice_wl_release(struct sluice_wl *wl, u32 portid);

/*
 * Longest listed prefix containing @addr (its plen is ignored).  Calls @fn
 * once per owning source; returns 0 if found, -ENOENT if not listed.
 */
int sluice_wl_explain(struct sluice_wl *wl, const struct wl_key *addr,
		      wl_visit_fn fn, void *arg);

struct wl_mem {
	u32 entries, hosts;
	u64 cidr_bytes, entry_bytes;
};

void sluice_wl_mem(struct sluice_wl *wl, struct wl_mem *mem);

/* Source names: 1..SLUICE_SOURCE_MAXLEN of [A-Za-z0-9_.-]. */
bool sluice_wl_source_valid(const char *name);

#endif /* SLUICE_WHITELIST_H */
