// SPDX-License-Identifier: GPL-2.0
/*
 * One address list of a network namespace: the white_list (destinations
 * that go direct), the proxy list or the src list (enum sluice_list).  The
 * lists are independent instances of the same structure.
 *
 * Two structures answer the data path, both read under RCU only:
 *  - an rhashtable of nodes, one per distinct prefix; the hooks look up
 *    host nodes (/32, /128) in it by exact key, so a host is added or
 *    removed in O(1) without touching anything else;
 *  - a compiled cidr_set (cidr_set.c) of every shorter prefix, rebuilt
 *    from scratch in process context and published with one pointer swap.
 *
 * Behind the nodes sits the control plane, protected by wl->lock: every
 * node has a list of entries, one per owning source; a prefix stays listed
 * while any source owns it.  Entries may carry a timeout; a delayed work
 * expires them.
 *
 * Every change follows the same steps, so a failure changes nothing and a
 * prefix present before and after a change is never missing in between:
 * mark the entries that go ("doomed") and the ones that stay ("keep"),
 * check the limit, build the new cidr_set if the prefixes change, insert
 * the new entries (undone on failure), then set the timeouts of all added
 * entries, publish the set, and only then remove the doomed entries.
 *
 * Dumps resume from a cursor (struct wl_cursor): sources stay in the order
 * they were created and a source's entries in the order they were added,
 * each numbered, and every change a dump can see moves wl->gen.
 */
#include <linux/slab.h>
#include <linux/rhashtable.h>
#include <linux/jiffies.h>
#include <linux/netlink.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/mm.h>
#include <linux/hash.h>

#include "whitelist.h"
#include "cidr_set.h"

#define WL_MAX_SOURCES	256
/* Bound on timeouts so jiffies arithmetic cannot wrap. */
#define WL_MAX_TIMEOUT	(INT_MAX / HZ)

struct wl_source {
	struct list_head link;		/* in wl->sources, by id */
	char name[SLUICE_SOURCE_MAXLEN + 1];
	struct list_head entries;	/* struct wl_entry.src_link, by seq */
	u32 n4, n6;
	struct wl_txn *txn;
	u64 id;				/* from wl->src_ids, for dump cursors */
	u64 seqs;			/* last wl_entry.seq given out */
};

struct wl_node {
	struct rhash_head hnode;
	struct wl_key key;
	struct list_head owners;	/* struct wl_entry.node_link */
	struct list_head pfx_link;	/* in wl->pfx_nodes or wl->host_nodes */
	struct rcu_head rcu;
};

struct wl_entry {
	struct list_head node_link;
	struct list_head src_link;
	struct list_head timed_link;	/* empty if permanent */
	struct list_head doom_link;	/* on a change's doomed list */
	struct wl_node *node;
	struct wl_source *src;
	unsigned long expires;		/* jiffies, if timed */
	u64 seq;			/* order in its source, for dump cursors */
	bool keep;			/* doomed, but re-added by this change */
};

struct wl_staged {
	struct wl_key key;
	u32 timeout;
};

/* An open replace of one source, owned by one netlink socket. */
struct wl_txn {
	u32 portid;
	struct wl_staged *items;
	size_t n, cap;
};

static const struct rhashtable_params wl_ht_params = {
	.key_len = sizeof(struct wl_key),
	.key_offset = offsetof(struct wl_node, key),
	.head_offset = offsetof(struct wl_node, hnode),
	.automatic_shrinking = true,
};

static bool wl_key_is_host(const struct wl_key *k)
{
	return k->plen == wl_key_maxlen(k);
}

bool sluice_wl_source_valid(const char *name)
{
	size_t i, len = strnlen(name, SLUICE_SOURCE_MAXLEN + 1);

	if (len == 0 || len > SLUICE_SOURCE_MAXLEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* ---- host prefilter ----------------------------------------------- */

/*
 * A miss in the compiled set (most packets) would otherwise cost an
 * rhashtable lookup (a jhash of the key and a bucket walk) whenever the
 * list holds any host.  One bit per hash of a host address says "a host
 * may be here", so most misses cost one load.
 *
 * Bits are set before a host's node becomes visible and never cleared in
 * place: a removed host leaves a stale bit, which costs a probe but never
 * gives a wrong answer.  When the stale bits outnumber the hosts the map is
 * rebuilt from the host nodes and swapped in by RCU.  No map (no host yet,
 * or no memory for one) means "probe the table".
 */
#define WL_HOSTMAP_BITS	15
/* Rebuild only when it pays: a few stale bits do not matter. */
#define WL_HOSTMAP_SLACK	64

struct wl_hostmap {
	struct rcu_head rcu;
	unsigned long bits[BITS_TO_LONGS(1 << WL_HOSTMAP_BITS)];
};

static unsigned int wl_hostmap_idx4(__be32 addr)
{
	return hash_32((__force u32)addr, WL_HOSTMAP_BITS);
}

static unsigned int wl_hostmap_idx6(const struct in6_addr *addr)
{
	const u32 *w = addr->s6_addr32;

	return hash_64(((u64)w[0] << 32 | w[1]) ^ ((u64)w[2] << 32 | w[3]),
		       WL_HOSTMAP_BITS);
}

static unsigned int wl_hostmap_idx(const struct wl_key *key)
{
	if (key->family == AF_INET) {
		__be32 a;

		memcpy(&a, key->addr, 4);
		return wl_hostmap_idx4(a);
	}
	return wl_hostmap_idx6((const struct in6_addr *)key->addr);
}

static int wl_fam(u8 family)
{
	return family == AF_INET ? 0 : 1;
}

/* Under RCU: false only if no host of the list can have this hash. */
static __always_inline bool wl_hostmap_may(struct sluice_wl *wl, int fam,
					   unsigned int idx)
{
	const struct wl_hostmap *map = rcu_dereference(wl->hostmap[fam]);

	return !map || test_bit(idx, map->bits);
}

/*
 * Build a fresh map of @fam from the host nodes (plus @extra, a host about
 * to be inserted) and publish it.  Without memory the old map (a superset)
 * stays, with @extra's bit set in it.
 */
static void wl_hostmap_rebuild(struct sluice_wl *wl, int fam,
			       const struct wl_key *extra)
{
	u8 family = fam ? AF_INET6 : AF_INET;
	struct wl_hostmap *map, *old;
	struct wl_node *node;

	old = rcu_dereference_protected(wl->hostmap[fam],
					lockdep_is_held(&wl->lock));
	map = kvzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map) {
		if (old && extra)
			set_bit(wl_hostmap_idx(extra), old->bits);
		return;
	}
	list_for_each_entry(node, &wl->host_nodes, pfx_link)
		if (node->key.family == family)
			__set_bit(wl_hostmap_idx(&node->key), map->bits);
	if (extra)
		__set_bit(wl_hostmap_idx(extra), map->bits);
	rcu_assign_pointer(wl->hostmap[fam], map);
	wl->hostmap_stale[fam] = 0;
	if (old)
		kvfree_rcu(old, rcu);
}

/* A host node for @key is about to be inserted: readers must probe it. */
static void wl_hostmap_add(struct sluice_wl *wl, const struct wl_key *key)
{
	int fam = wl_fam(key->family);
	struct wl_hostmap *map;

	map = rcu_dereference_protected(wl->hostmap[fam],
					lockdep_is_held(&wl->lock));
	if (map)
		set_bit(wl_hostmap_idx(key), map->bits);
	else
		wl_hostmap_rebuild(wl, fam, key);
}

/* A host node of @family is gone (or was never inserted). */
static void wl_hostmap_del(struct sluice_wl *wl, u8 family, int hosts_left)
{
	int fam = wl_fam(family);
	struct wl_hostmap *map;

	if (!hosts_left) {
		/* The hosts counter gates every probe; free the memory. */
		map = rcu_replace_pointer(wl->hostmap[fam], NULL,
					  lockdep_is_held(&wl->lock));
		wl->hostmap_stale[fam] = 0;
		if (map)
			kvfree_rcu(map, rcu);
		return;
	}
	if (++wl->hostmap_stale[fam] > WL_HOSTMAP_SLACK &&
	    wl->hostmap_stale[fam] > hosts_left)
		wl_hostmap_rebuild(wl, fam, NULL);
}

/* ---- data path ---------------------------------------------------- */

static bool wl_host_listed(struct sluice_wl *wl, const void *addr, u8 family)
{
	struct wl_key key = { .family = family };

	key.plen = wl_key_maxlen(&key);
	memcpy(key.addr, addr, family == AF_INET ? 4 : 16);
	return rhashtable_lookup(&wl->nodes, &key, wl_ht_params);
}

/* Called under rcu_read_lock() (the hooks) or with wl->lock held. */
bool sluice_wl_lookup4(struct sluice_wl *wl, __be32 addr)
{
	if (cidr_set_lookup4(rcu_dereference(wl->cidr), ntohl(addr)))
		return true;
	return atomic_read(&wl->hosts4) &&
	       wl_hostmap_may(wl, 0, wl_hostmap_idx4(addr)) &&
	       wl_host_listed(wl, &addr, AF_INET);
}

bool sluice_wl_lookup6(struct sluice_wl *wl, const struct in6_addr *addr)
{
	u64 hi = (u64)ntohl(addr->s6_addr32[0]) << 32 |
		 ntohl(addr->s6_addr32[1]);
	u64 lo = (u64)ntohl(addr->s6_addr32[2]) << 32 |
		 ntohl(addr->s6_addr32[3]);

	if (cidr_set_lookup6(rcu_dereference(wl->cidr), hi, lo))
		return true;
	return atomic_read(&wl->hosts6) &&
	       wl_hostmap_may(wl, 1, wl_hostmap_idx6(addr)) &&
	       wl_host_listed(wl, addr, AF_INET6);
}

/* ---- sources and entries ------------------------------------------ */

/* Say which list is full: each has its own max_entries. */
static void wl_limit_msg(const struct sluice_wl *wl,
			 struct netlink_ext_ack *extack)
{
	switch (wl->id) {
	case SLUICE_LIST_PROXY:
		NL_SET_ERR_MSG_MOD(extack,
				   "proxy list entry limit reached (parameter max_entries)");
		break;
	case SLUICE_LIST_SRC:
		NL_SET_ERR_MSG_MOD(extack,
				   "src list entry limit reached (parameter max_entries)");
		break;
	default:
		NL_SET_ERR_MSG_MOD(extack,
				   "white_list entry limit reached (parameter max_entries)");
	}
}

/* Something a dump shows changed: a dump spanning it gets DUMP_INTR. */
static void wl_changed(struct sluice_wl *wl)
{
	/* Never 0: genl_dump_check_consistent() takes 0 as "not set". */
	if (!++wl->gen)
		wl->gen = 1;
}

static struct wl_source *wl_source_find(struct sluice_wl *wl, const char *name)
{
	struct wl_source *s;

	list_for_each_entry(s, &wl->sources, link)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static struct wl_source *wl_source_get(struct sluice_wl *wl, const char *name,
				       struct netlink_ext_ack *extack)
{
	struct wl_source *s = wl_source_find(wl, name);
	size_t count = 0;

	if (s)
		return s;
	list_for_each_entry(s, &wl->sources, link)
		count++;
	if (count >= WL_MAX_SOURCES) {
		NL_SET_ERR_MSG_MOD(extack, "too many sources in this list");
		return ERR_PTR(-ENOSPC);
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	strscpy(s->name, name, sizeof(s->name));
	INIT_LIST_HEAD(&s->entries);
	s->id = ++wl->src_ids;
	list_add_tail(&s->link, &wl->sources);
	wl_changed(wl);
	return s;
}

static void wl_txn_free(struct sluice_wl *wl, struct wl_txn *txn)
{
	if (txn) {
		kvfree(txn->items);
		kfree(txn);
		WRITE_ONCE(wl->txns, wl->txns - 1);
		wl_changed(wl);	/* WL_SOURCES shows open transactions */
	}
}

/* Forget a source once nothing refers to it. */
static void wl_source_put(struct sluice_wl *wl, struct wl_source *s)
{
	if (s && list_empty(&s->entries) && !s->txn) {
		list_del(&s->link);
		kfree(s);
		wl_changed(wl);
	}
}

/* After entries of any sources went: forget the sources left empty. */
static void wl_sources_put(struct sluice_wl *wl)
{
	struct wl_source *s, *tmp;

	list_for_each_entry_safe(s, tmp, &wl->sources, link)
		wl_source_put(wl, s);
}

static struct wl_entry *wl_entry_find(struct wl_node *node,
				      struct wl_source *src)
{
	struct wl_entry *e;

	list_for_each_entry(e, &node->owners, node_link)
		if (e->src == src)
			return e;
	return NULL;
}

static void wl_entry_set_timeout(struct sluice_wl *wl, struct wl_entry *e,
				 u32 timeout)
{
	if (!timeout) {
		list_del_init(&e->timed_link);
		return;
	}
	e->expires = jiffies + (unsigned long)timeout * HZ;
	if (list_empty(&e->timed_link))
		list_add_tail(&e->timed_link, &wl->timed);
}

static void wl_count(struct wl_entry *e, int delta)
{
	if (e->node->key.family == AF_INET)
		e->src->n4 += delta;
	else
		e->src->n6 += delta;
}

/* Unlink and free an entry, and its node if it was the last owner. */
static void wl_entry_remove(struct sluice_wl *wl, struct wl_entry *e)
{
	struct wl_node *node = e->node;

	list_del(&e->node_link);
	list_del(&e->src_link);
	list_del(&e->timed_link);
	wl_count(e, -1);
	wl->entries--;
	kfree(e);

	if (!list_empty(&node->owners))
		return;
	rhashtable_remove_fast(&wl->nodes, &node->hnode, wl_ht_params);
	list_del(&node->pfx_link);
	if (wl_key_is_host(&node->key))
		wl_hostmap_del(wl, node->key.family,
			       atomic_dec_return(node->key.family == AF_INET ?
						 &wl->hosts4 : &wl->hosts6));
	wl->nodes_count--;
	kfree_rcu(node, rcu);
}

/* Create the entry (and node) for @key owned by @src. */
static struct wl_entry *wl_entry_create(struct sluice_wl *wl,
					struct wl_source *src,
					const struct wl_key *key)
{
	struct wl_node *node;
	struct wl_entry *e;
	int err;

	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&e->timed_link);
	INIT_LIST_HEAD(&e->doom_link);

	node = rhashtable_lookup_fast(&wl->nodes, key, wl_ht_params);
	if (!node) {
		node = kzalloc(sizeof(*node), GFP_KERNEL_ACCOUNT);
		if (!node) {
			kfree(e);
			return ERR_PTR(-ENOMEM);
		}
		node->key = *key;
		INIT_LIST_HEAD(&node->owners);
		if (wl_key_is_host(key))
			wl_hostmap_add(wl, key);
		err = rhashtable_insert_fast(&wl->nodes, &node->hnode,
					     wl_ht_params);
		if (err) {
			/* A stale bit at worst; counted like a removal. */
			if (wl_key_is_host(key))
				wl_hostmap_del(wl, key->family,
					       atomic_read(key->family == AF_INET ?
							   &wl->hosts4 :
							   &wl->hosts6));
			kfree(node);
			kfree(e);
			return ERR_PTR(err);
		}
		wl->nodes_count++;
		if (wl_key_is_host(key)) {
			atomic_inc(key->family == AF_INET ? &wl->hosts4 :
							    &wl->hosts6);
			list_add_tail(&node->pfx_link, &wl->host_nodes);
		} else {
			list_add_tail(&node->pfx_link, &wl->pfx_nodes);
		}
	}
	e->node = node;
	e->src = src;
	e->seq = ++src->seqs;
	list_add_tail(&e->node_link, &node->owners);
	list_add_tail(&e->src_link, &src->entries);
	wl_count(e, 1);
	wl->entries++;
	return e;
}

/* ---- compiled prefix set ------------------------------------------ */

static bool wl_entry_survives(const struct wl_entry *e)
{
	return list_empty(&e->doom_link) || e->keep;
}

static bool wl_node_survives(const struct wl_node *node)
{
	const struct wl_entry *e;

	list_for_each_entry(e, &node->owners, node_link)
		if (wl_entry_survives(e))
			return true;
	return false;
}

static void wl_key_to_cidr(const struct wl_key *k, struct cidr_prefix4 *p4,
			   struct cidr_prefix6 *p6)
{
	__be64 half[2];
	__be32 a4;

	if (k->family == AF_INET) {
		memcpy(&a4, k->addr, sizeof(a4));
		p4->addr = be32_to_cpu(a4);
		p4->plen = k->plen;
	} else {
		memcpy(half, k->addr, sizeof(half));
		p6->hi = be64_to_cpu(half[0]);
		p6->lo = be64_to_cpu(half[1]);
		p6->plen = k->plen;
	}
}

/*
 * Build the set of every non-host prefix that survives the change under
 * way, plus the non-host prefixes of @adds.
 */
static struct cidr_set *wl_build(struct sluice_wl *wl,
				 const struct wl_staged *adds, size_t n_adds)
{
	struct cidr_prefix4 *p4 = NULL;
	struct cidr_prefix6 *p6 = NULL;
	size_t n4 = 0, n6 = 0, max4 = 0, max6 = 0;
	struct cidr_set *set;
	struct wl_node *node;
	size_t i;

	/* Sized per family: a list is often all IPv4 or all IPv6. */
	list_for_each_entry(node, &wl->pfx_nodes, pfx_link) {
		if (node->key.family == AF_INET)
			max4++;
		else
			max6++;
	}
	for (i = 0; i < n_adds; i++) {
		if (wl_key_is_host(&adds[i].key))
			continue;
		if (adds[i].key.family == AF_INET)
			max4++;
		else
			max6++;
	}
	p4 = kvmalloc_array(max4 ?: 1, sizeof(*p4), GFP_KERNEL_ACCOUNT);
	p6 = kvmalloc_array(max6 ?: 1, sizeof(*p6), GFP_KERNEL_ACCOUNT);
	if (!p4 || !p6) {
		set = ERR_PTR(-ENOMEM);
		goto out;
	}
	list_for_each_entry(node, &wl->pfx_nodes, pfx_link) {
		if (!wl_node_survives(node))
			continue;
		if (node->key.family == AF_INET)
			wl_key_to_cidr(&node->key, &p4[n4++], NULL);
		else
			wl_key_to_cidr(&node->key, NULL, &p6[n6++]);
	}
	for (i = 0; i < n_adds; i++) {
		const struct wl_key *k = &adds[i].key;

		if (wl_key_is_host(k))
			continue;
		if (k->family == AF_INET)
			wl_key_to_cidr(k, &p4[n4++], NULL);
		else
			wl_key_to_cidr(k, NULL, &p6[n6++]);
	}
	set = cidr_set_build(p4, n4, p6, n6);
out:
	kvfree(p4);
	kvfree(p6);
	return set;
}

/* ---- the one way to change the table ------------------------------ */

static void wl_gc_arm_at(struct sluice_wl *wl, unsigned long next);

static void wl_undoom(struct list_head *doomed)
{
	struct wl_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, doomed, doom_link) {
		list_del_init(&e->doom_link);
		e->keep = false;
	}
}

/*
 * Apply one change to @src: remove the entries on @doomed (any sources)
 * and add @adds to @src.  @doomed is emptied whatever the outcome.
 */
static int wl_change(struct sluice_wl *wl, struct wl_source *src,
		     struct list_head *doomed, const struct wl_staged *adds,
		     size_t n_adds, struct netlink_ext_ack *extack)
{
	struct cidr_set *set = NULL, *old;
	unsigned long next_expiry = 0;
	bool rebuild = false, timed = false;
	struct wl_entry **created = NULL, **ents = NULL;
	size_t n_new = 0, n_gone = 0, i;
	struct wl_entry *e, *tmp;
	int err;

	/* Which of the adds already exist (and so stay), which are new. */
	for (i = 0; i < n_adds; i++) {
		struct wl_node *node;

		node = rhashtable_lookup_fast(&wl->nodes, &adds[i].key,
					      wl_ht_params);
		e = node ? wl_entry_find(node, src) : NULL;
		if (e) {
			/*
			 * Only a doomed entry needs saving; a mark on any
			 * other would outlive this change and make the next
			 * one that dooms it keep it.
			 */
			if (!list_empty(&e->doom_link))
				e->keep = true;
			continue;
		}
		n_new++;
		if (!wl_key_is_host(&adds[i].key) && !node)
			rebuild = true;
	}
	list_for_each_entry(e, doomed, doom_link) {
		if (e->keep)
			continue;
		n_gone++;
		if (!wl_key_is_host(&e->node->key))
			rebuild = true;
	}

	if (wl->entries - n_gone + n_new > sluice_max_entries) {
		wl_limit_msg(wl, extack);
		err = -ENOSPC;
		goto undo_marks;
	}

	if (rebuild) {
		set = wl_build(wl, adds, n_adds);
		if (IS_ERR(set)) {
			err = PTR_ERR(set);
			NL_SET_ERR_MSG_MOD(extack,
					   "cannot build the prefix set");
			goto undo_marks;
		}
	}

	if (n_adds) {
		ents = kvmalloc_array(n_adds, sizeof(*ents),
				      GFP_KERNEL_ACCOUNT);
		created = n_new ? kvmalloc_array(n_new, sizeof(*created),
						 GFP_KERNEL_ACCOUNT) : NULL;
		if (!ents || (n_new && !created)) {
			err = -ENOMEM;
			goto free_arrays;
		}
	}
	/* Create every new entry first: this is the step that can fail. */
	n_new = 0;
	for (i = 0; i < n_adds; i++) {
		struct wl_node *node;

		node = rhashtable_lookup_fast(&wl->nodes, &adds[i].key,
					      wl_ht_params);
		e = node ? wl_entry_find(node, src) : NULL;
		if (!e) {
			e = wl_entry_create(wl, src, &adds[i].key);
			if (IS_ERR(e)) {
				err = PTR_ERR(e);
				goto undo_created;
			}
			created[n_new++] = e;
		}
		ents[i] = e;
	}
	/* Only now touch the entries that existed: nothing fails any more. */
	for (i = 0; i < n_adds; i++) {
		e = ents[i];
		wl_entry_set_timeout(wl, e, adds[i].timeout);
		if (adds[i].timeout &&
		    (!timed || time_before(e->expires, next_expiry))) {
			next_expiry = e->expires;
			timed = true;
		}
	}
	kvfree(created);
	kvfree(ents);

	if (rebuild) {
		struct sluice_net *sn = wl->sn;

		old = rcu_dereference_protected(wl->cidr,
						lockdep_is_held(&wl->lock));
		rcu_assign_pointer(wl->cidr, set);
		cidr_set_free_rcu(old);
		sluice_count(sn, SLUICE_CTR_WL_REBUILDS);
	}

	list_for_each_entry_safe(e, tmp, doomed, doom_link) {
		list_del_init(&e->doom_link);
		if (e->keep)
			e->keep = false;
		else
			wl_entry_remove(wl, e);
	}
	wl_changed(wl);
	/*
	 * Only new timeouts can move the gc earlier; one that fires with
	 * nothing expired (its entry was deleted) re-arms from the list.
	 */
	if (timed)
		wl_gc_arm_at(wl, next_expiry);
	return 0;

undo_created:
	while (n_new--)
		wl_entry_remove(wl, created[n_new]);
free_arrays:
	kvfree(created);
	kvfree(ents);
	if (set)
		cidr_set_free(set);
undo_marks:
	for (i = 0; i < n_adds; i++) {
		struct wl_node *node;

		node = rhashtable_lookup_fast(&wl->nodes, &adds[i].key,
					      wl_ht_params);
		e = node ? wl_entry_find(node, src) : NULL;
		if (e)
			e->keep = false;
	}
	wl_undoom(doomed);
	return err;
}

/* ---- timeouts ----------------------------------------------------- */

/* Make sure the gc runs no later than @next. */
static void wl_gc_arm_at(struct sluice_wl *wl, unsigned long next)
{
	if (wl->dying)
		return;
	if (wl->gc_armed && !time_before(next, wl->gc_next))
		return;
	wl->gc_next = next;
	wl->gc_armed = true;
	mod_delayed_work(system_wq, &wl->gc,
			 time_after(next, jiffies) ? next - jiffies : 0);
}

/* After the gc ran: arm it for the earliest expiry left, if any. */
static void wl_gc_arm(struct sluice_wl *wl)
{
	unsigned long next = 0;
	struct wl_entry *e;
	bool any = false;

	list_for_each_entry(e, &wl->timed, timed_link) {
		if (!any || time_before(e->expires, next))
			next = e->expires;
		any = true;
	}
	if (any)
		wl_gc_arm_at(wl, next);
}

static void wl_gc_work(struct work_struct *work)
{
	struct sluice_wl *wl = container_of(to_delayed_work(work),
					    struct sluice_wl, gc);
	struct sluice_net *sn = wl->sn;
	struct wl_entry *e;
	LIST_HEAD(doomed);
	unsigned int n = 0;

	mutex_lock(&wl->lock);
	wl->gc_armed = false;
	list_for_each_entry(e, &wl->timed, timed_link) {
		if (time_after_eq(jiffies, e->expires)) {
			list_add_tail(&e->doom_link, &doomed);
			n++;
		}
	}
	/*
	 * Removing entries only fails if the prefix set cannot be rebuilt
	 * (no memory): leave them listed and try again in a second.
	 */
	if (n && wl_change(wl, NULL, &doomed, NULL, 0, NULL)) {
		wl->gc_next = jiffies + HZ;
		wl->gc_armed = !wl->dying;
		if (wl->gc_armed)
			mod_delayed_work(system_wq, &wl->gc, HZ);
	} else {
		sluice_count_add(sn, SLUICE_CTR_WL_EXPIRED, n);
		/* A source whose last entry expired is gone, like a flushed one. */
		if (n)
			wl_sources_put(wl);
		wl_gc_arm(wl);
	}
	mutex_unlock(&wl->lock);
}

/* ---- control-plane operations ------------------------------------- */

static bool wl_txn_blocks(struct wl_source *s, u32 portid,
			  struct netlink_ext_ack *extack)
{
	if (s && s->txn && s->txn->portid != portid) {
		NL_SET_ERR_MSG_MOD(extack,
				   "source is being replaced by another client");
		return true;
	}
	return false;
}

static int wl_txn_stage(struct sluice_wl *wl, struct wl_txn *txn,
			const struct wl_key *keys, size_t n, u32 timeout,
			struct netlink_ext_ack *extack)
{
	size_t staged = 0, replaced = 0, i;
	struct wl_source *s;

	/*
	 * Staged entries count against the limit: they will be live.  The
	 * entries of the sources being replaced will not; the exact check
	 * is at commit.
	 */
	list_for_each_entry(s, &wl->sources, link) {
		if (s->txn) {
			staged += s->txn->n;
			replaced += s->n4 + s->n6;
		}
	}
	if (wl->entries - replaced + staged + n > sluice_max_entries) {
		wl_limit_msg(wl, extack);
		return -ENOSPC;
	}
	if (txn->n + n > txn->cap) {
		size_t cap = max(txn->cap * 2, txn->n + n);
		struct wl_staged *items;

		cap = max_t(size_t, cap, 256);
		items = kvmalloc_array(cap, sizeof(*items), GFP_KERNEL_ACCOUNT);
		if (!items)
			return -ENOMEM;
		if (txn->n)
			memcpy(items, txn->items, txn->n * sizeof(*items));
		kvfree(txn->items);
		txn->items = items;
		txn->cap = cap;
	}
	for (i = 0; i < n; i++) {
		txn->items[txn->n].key = keys[i];
		txn->items[txn->n].timeout = timeout;
		txn->n++;
	}
	return 0;
}

static int wl_check_timeout(u32 timeout, struct netlink_ext_ack *extack)
{
	if (timeout > WL_MAX_TIMEOUT) {
		NL_SET_ERR_MSG_MOD(extack, "timeout too long");
		return -ERANGE;
	}
	return 0;
}

int sluice_wl_add(struct sluice_wl *wl, const char *source,
		  const struct wl_key *keys, size_t n, u32 timeout,
		  u32 portid, struct netlink_ext_ack *extack)
{
	struct wl_staged *adds;
	struct wl_source *s;
	LIST_HEAD(doomed);
	size_t i;
	int err;

	err = wl_check_timeout(timeout, extack);
	if (err)
		return err;

	mutex_lock(&wl->lock);
	s = wl_source_get(wl, source, extack);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out_unlock;
	}
	if (wl_txn_blocks(s, portid, extack)) {
		err = -EBUSY;
		goto out_put;
	}
	if (s->txn) {
		err = wl_txn_stage(wl, s->txn, keys, n, timeout, extack);
		goto out_put;
	}
	adds = kvmalloc_array(n, sizeof(*adds), GFP_KERNEL_ACCOUNT);
	if (!adds) {
		err = -ENOMEM;
		goto out_put;
	}
	for (i = 0; i < n; i++) {
		adds[i].key = keys[i];
		adds[i].timeout = timeout;
	}
	err = wl_change(wl, s, &doomed, adds, n, extack);
	kvfree(adds);
out_put:
	wl_source_put(wl, s);
out_unlock:
	mutex_unlock(&wl->lock);
	return err;
}

int sluice_wl_del(struct sluice_wl *wl, const char *source,
		  const struct wl_key *keys, size_t n, u32 portid,
		  size_t *bad, struct netlink_ext_ack *extack)
{
	struct wl_source *s;
	LIST_HEAD(doomed);
	size_t i;
	int err = 0;

	mutex_lock(&wl->lock);
	s = wl_source_find(wl, source);
	if (wl_txn_blocks(s, portid, extack)) {
		err = -EBUSY;
		goto out_unlock;
	}
	if (s && s->txn) {
		NL_SET_ERR_MSG_MOD(extack,
				   "delete is not part of a replace transaction");
		err = -EINVAL;
		goto out_unlock;
	}
	for (i = 0; i < n; i++) {
		struct wl_node *node;
		struct wl_entry *e;

		node = rhashtable_lookup_fast(&wl->nodes, &keys[i],
					      wl_ht_params);
		e = (node && s) ? wl_entry_find(node, s) : NULL;
		if (!e) {
			NL_SET_ERR_MSG_MOD(extack,
					   "prefix is not listed in this source");
			*bad = i;
			wl_undoom(&doomed);
			err = -ENOENT;
			goto out_unlock;
		}
		if (list_empty(&e->doom_link))
			list_add_tail(&e->doom_link, &doomed);
	}
	err = wl_change(wl, s, &doomed, NULL, 0, extack);
	wl_source_put(wl, s);
out_unlock:
	mutex_unlock(&wl->lock);
	return err;
}

int sluice_wl_flush(struct sluice_wl *wl, const char *source, u32 portid,
		    struct netlink_ext_ack *extack)
{
	struct wl_source *s;
	struct wl_entry *e;
	LIST_HEAD(doomed);
	int err;

	mutex_lock(&wl->lock);
	list_for_each_entry(s, &wl->sources, link) {
		if (source && strcmp(s->name, source))
			continue;
		if (wl_txn_blocks(s, portid, extack)) {
			err = -EBUSY;
			goto out_unlock;
		}
	}
	list_for_each_entry(s, &wl->sources, link) {
		if (source && strcmp(s->name, source))
			continue;
		list_for_each_entry(e, &s->entries, src_link)
			list_add_tail(&e->doom_link, &doomed);
	}
	err = wl_change(wl, NULL, &doomed, NULL, 0, extack);
	wl_sources_put(wl);
out_unlock:
	mutex_unlock(&wl->lock);
	return err;
}

int sluice_wl_begin(struct sluice_wl *wl, const char *source, u32 portid,
		    struct netlink_ext_ack *extack)
{
	struct wl_source *s;
	int err = 0;

	mutex_lock(&wl->lock);
	s = wl_source_get(wl, source, extack);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out_unlock;
	}
	if (s->txn) {
		if (s->txn->portid == portid)
			NL_SET_ERR_MSG_MOD(extack,
					   "a replace of this source is already open");
		else
			NL_SET_ERR_MSG_MOD(extack,
					   "source is being replaced by another client");
		err = -EBUSY;
		goto out_unlock;
	}
	s->txn = kzalloc(sizeof(*s->txn), GFP_KERNEL_ACCOUNT);
	if (!s->txn) {
		err = -ENOMEM;
		wl_source_put(wl, s);
		goto out_unlock;
	}
	s->txn->portid = portid;
	WRITE_ONCE(wl->txns, wl->txns + 1);
	wl_changed(wl);
out_unlock:
	mutex_unlock(&wl->lock);
	return err;
}

/* Find @source's transaction owned by @portid, or say why not. */
static struct wl_source *wl_txn_owned(struct sluice_wl *wl, const char *source,
				      u32 portid,
				      struct netlink_ext_ack *extack)
{
	struct wl_source *s = wl_source_find(wl, source);

	if (!s || !s->txn) {
		NL_SET_ERR_MSG_MOD(extack, "no replace of this source is open");
		return ERR_PTR(-ENOENT);
	}
	if (wl_txn_blocks(s, portid, extack))
		return ERR_PTR(-EBUSY);
	return s;
}

int sluice_wl_commit(struct sluice_wl *wl, const char *source, u32 portid,
		     struct netlink_ext_ack *extack)
{
	struct wl_source *s;
	struct wl_entry *e;
	struct wl_txn *txn;
	LIST_HEAD(doomed);
	int err;

	mutex_lock(&wl->lock);
	s = wl_txn_owned(wl, source, portid, extack);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out_unlock;
	}
	txn = s->txn;
	list_for_each_entry(e, &s->entries, src_link)
		list_add_tail(&e->doom_link, &doomed);
	err = wl_change(wl, s, &doomed, txn->items, txn->n, extack);
	/* A failed commit leaves the transaction open: abort or retry. */
	if (!err) {
		s->txn = NULL;
		wl_txn_free(wl, txn);
		wl_source_put(wl, s);
	}
out_unlock:
	mutex_unlock(&wl->lock);
	return err;
}

int sluice_wl_abort(struct sluice_wl *wl, const char *source, u32 portid,
		    struct netlink_ext_ack *extack)
{
	struct wl_source *s;
	int err = 0;

	mutex_lock(&wl->lock);
	s = wl_txn_owned(wl, source, portid, extack);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out_unlock;
	}
	wl_txn_free(wl, s->txn);
	s->txn = NULL;
	wl_source_put(wl, s);
out_unlock:
	mutex_unlock(&wl->lock);
	return err;
}

void sluice_wl_release(struct sluice_wl *wl, u32 portid)
{
	struct wl_source *s, *tmp;

	/*
	 * Every generic netlink socket of the system ends up here: most have
	 * no transaction, and a transaction opened by this socket was
	 * counted before the socket could close.
	 */
	if (!READ_ONCE(wl->txns))
		return;
	mutex_lock(&wl->lock);
	list_for_each_entry_safe(s, tmp, &wl->sources, link) {
		if (s->txn && s->txn->portid == portid) {
			wl_txn_free(wl, s->txn);
			s->txn = NULL;
			wl_source_put(wl, s);
		}
	}
	mutex_unlock(&wl->lock);
}

/* ---- reading ------------------------------------------------------ */

static void wl_entry_info(const struct wl_entry *e, struct wl_entry_info *info)
{
	info->key = &e->node->key;
	info->source = e->src->name;
	info->timed = !list_empty(&e->timed_link);
	info->timeout_left = 0;
	if (info->timed && time_after(e->expires, jiffies))
		info->timeout_left = DIV_ROUND_UP(e->expires - jiffies, HZ);
}

/* The first entry of @s after the cursor's (the first if @cur is NULL). */
static struct wl_entry *wl_cursor_next(struct sluice_wl *wl,
				       struct wl_source *s,
				       const struct wl_cursor *cur)
{
	struct wl_node *node;
	struct wl_entry *e;

	if (!cur)
		return list_first_entry_or_null(&s->entries, struct wl_entry,
						src_link);
	/* Usually the last entry visited is still there: one lookup. */
	node = rhashtable_lookup_fast(&wl->nodes, &cur->key, wl_ht_params);
	e = node ? wl_entry_find(node, s) : NULL;
	if (e && e->seq == cur->seq) {
		if (list_is_last(&e->src_link, &s->entries))
			return NULL;
		return list_next_entry(e, src_link);
	}
	/* It went (the dump will say DUMP_INTR): resume after its place. */
	list_for_each_entry(e, &s->entries, src_link)
		if (e->seq > cur->seq)
			return e;
	return NULL;
}

int sluice_wl_walk(struct sluice_wl *wl, const char *source,
		   struct wl_cursor *cur, wl_visit_fn fn, void *arg,
		   unsigned int *gen)
{
	struct wl_entry_info info;
	struct wl_source *s;
	struct wl_entry *e;
	bool resume;
	int ret = 0;

	mutex_lock(&wl->lock);
	*gen = wl->gen;
	list_for_each_entry(s, &wl->sources, link) {
		if (s->id < cur->src_id)
			continue;
		if (source && strcmp(s->name, source))
			continue;
		resume = s->id == cur->src_id;
		e = wl_cursor_next(wl, s, resume ? cur : NULL);
		if (!e)
			continue;
		list_for_each_entry_from(e, &s->entries, src_link) {
			wl_entry_info(e, &info);
			ret = fn(&info, arg);
			if (ret)
				goto out;
			cur->key = e->node->key;
			cur->seq = e->seq;
			cur->src_id = s->id;
		}
	}
out:
	mutex_unlock(&wl->lock);
	return ret;
}

int sluice_wl_walk_sources(struct sluice_wl *wl, u64 *cur,
			   wl_source_fn fn, void *arg, unsigned int *gen)
{
	struct wl_source_info info;
	struct wl_source *s;
	int ret = 0;

	mutex_lock(&wl->lock);
	*gen = wl->gen;
	list_for_each_entry(s, &wl->sources, link) {
		if (s->id <= *cur)
			continue;
		info.name = s->name;
		info.n4 = s->n4;
		info.n6 = s->n6;
		info.txn_open = s->txn;
		ret = fn(&info, arg);
		if (ret)
			break;
		*cur = s->id;
	}
	mutex_unlock(&wl->lock);
	return ret;
}

static void wl_key_mask(struct wl_key *k, unsigned int plen)
{
	unsigned int i, max = wl_key_maxlen(k) / 8;

	k->plen = plen;
	for (i = 0; i < max; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		k->addr[i] &= (u8)(0xff00 >> plen);
		plen = 0;
	}
}

int sluice_wl_explain(struct sluice_wl *wl, const struct wl_key *addr,
		      wl_visit_fn fn, void *arg)
{
	struct wl_entry_info info;
	struct wl_node *node;
	struct wl_entry *e;
	struct wl_key key;
	int plen, ret = -ENOENT;

	mutex_lock(&wl->lock);
	for (plen = wl_key_maxlen(addr); plen >= 0; plen--) {
		key = *addr;
		key.zero = 0;
		wl_key_mask(&key, plen);
		node = rhashtable_lookup_fast(&wl->nodes, &key, wl_ht_params);
		if (!node)
			continue;
		list_for_each_entry(e, &node->owners, node_link) {
			wl_entry_info(e, &info);
			ret = fn(&info, arg);
			if (ret)
				goto out;
		}
		ret = 0;
		break;
	}
out:
	mutex_unlock(&wl->lock);
	return ret;
}

void sluice_wl_mem(struct sluice_wl *wl, struct wl_mem *mem)
{
	const struct cidr_set *set;
	int fam;

	mutex_lock(&wl->lock);
	set = rcu_dereference_protected(wl->cidr, lockdep_is_held(&wl->lock));
	mem->entries = wl->entries;
	mem->hosts = atomic_read(&wl->hosts4) + atomic_read(&wl->hosts6);
	mem->cidr_bytes = set ? cidr_set_bytes(set) : 0;
	/* Bucket array estimated at one pointer per node (load <= 75%). */
	mem->entry_bytes = (u64)wl->entries * sizeof(struct wl_entry) +
			   (u64)wl->nodes_count * (sizeof(struct wl_node) +
						   sizeof(void *));
	for (fam = 0; fam < 2; fam++)
		if (rcu_access_pointer(wl->hostmap[fam]))
			mem->entry_bytes += sizeof(struct wl_hostmap);
	mutex_unlock(&wl->lock);
}

/* ---- lifetime ----------------------------------------------------- */

int sluice_wl_init(struct sluice_wl *wl, struct sluice_net *sn,
		   enum sluice_list id)
{
	int err;

	/* The rhashtable hashes keys with jhash2(): whole, aligned u32s. */
	BUILD_BUG_ON(sizeof(struct wl_key) % sizeof(u32));
	BUILD_BUG_ON(__alignof__(struct wl_key) < __alignof__(u32));
	BUILD_BUG_ON(offsetof(struct wl_node, key) % sizeof(u32));

	wl->sn = sn;
	wl->id = id;
	wl->gen = 1;
	wl->src_ids = 0;
	mutex_init(&wl->lock);
	INIT_LIST_HEAD(&wl->sources);
	INIT_LIST_HEAD(&wl->pfx_nodes);
	INIT_LIST_HEAD(&wl->host_nodes);
	INIT_LIST_HEAD(&wl->timed);
	INIT_DELAYED_WORK(&wl->gc, wl_gc_work);
	RCU_INIT_POINTER(wl->cidr, NULL);
	RCU_INIT_POINTER(wl->hostmap[0], NULL);
	RCU_INIT_POINTER(wl->hostmap[1], NULL);
	wl->hostmap_stale[0] = 0;
	wl->hostmap_stale[1] = 0;
	err = rhashtable_init(&wl->nodes, &wl_ht_params);
	if (err)
		mutex_destroy(&wl->lock);
	return err;
}

static void wl_node_free(void *ptr, void *arg)
{
	struct wl_node *node = ptr;
	struct wl_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, &node->owners, node_link)
		kfree(e);
	kfree(node);
}

/* The namespace is gone and its hooks unregistered: no reader remains. */
void sluice_wl_exit(struct sluice_wl *wl)
{
	struct wl_source *s, *tmp;

	mutex_lock(&wl->lock);
	wl->dying = true;
	mutex_unlock(&wl->lock);
	cancel_delayed_work_sync(&wl->gc);

	list_for_each_entry_safe(s, tmp, &wl->sources, link) {
		wl_txn_free(wl, s->txn);
		kfree(s);
	}
	rhashtable_free_and_destroy(&wl->nodes, wl_node_free, NULL);
	cidr_set_free(rcu_dereference_protected(wl->cidr, true));
	kvfree(rcu_dereference_protected(wl->hostmap[0], true));
	kvfree(rcu_dereference_protected(wl->hostmap[1], true));
	mutex_destroy(&wl->lock);
}
