// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "addrtab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void addrtab_init(struct addrtab *t)
{
	memset(t, 0, sizeof(*t));
}

void addrtab_free(struct addrtab *t)
{
	free(t->v);
	addrtab_init(t);
}

void prefix_mask(struct sl_prefix *p)
{
	unsigned bytes = p->family == AF_INET ? 4 : 16, i;

	for (i = 0; i < bytes; i++) {
		unsigned bits = p->plen > i * 8 ? p->plen - i * 8 : 0;

		if (bits < 8)
			p->addr[i] &= (uint8_t)(0xff00 >> bits);
	}
	for (; i < 16; i++)
		p->addr[i] = 0;
}

static struct sl_prefix host_of(const struct sl_prefix *a)
{
	struct sl_prefix h = *a;

	h.plen = (uint8_t)sl_prefix_maxlen(a);
	prefix_mask(&h);	/* clears bytes beyond the family */
	return h;
}

static struct sl_prefix net_of(const struct sl_prefix *a)
{
	struct sl_prefix n = *a;

	prefix_mask(&n);
	return n;
}

static bool same_host(const struct sl_prefix *a, const struct sl_prefix *b)
{
	struct sl_prefix x = host_of(a), y = host_of(b);

	return !sl_prefix_cmp(&x, &y);
}

static bool same_net(const struct sl_prefix *a, const struct sl_prefix *b)
{
	struct sl_prefix x = net_of(a), y = net_of(b);

	return !sl_prefix_cmp(&x, &y);
}

static bool same_rec(const struct addr_rec *a, const struct addr_rec *b)
{
	return a->ifindex == b->ifindex && a->addr.plen == b->addr.plen &&
	       same_host(&a->addr, &b->addr);
}

/* Does any record (but @skip) hold this host / this LAN prefix? */
static bool host_held(const struct addrtab *t, const struct addr_rec *r,
		      size_t skip)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (i != skip && same_host(&t->v[i].addr, &r->addr))
			return true;
	return false;
}

static bool net_held(const struct addrtab *t, const struct addr_rec *r,
		     size_t skip)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (i != skip && t->v[i].lan && same_net(&t->v[i].addr, &r->addr))
			return true;
	return false;
}

int addrtab_apply(struct addrtab *t, const struct addr_rec *rec, bool add,
		  struct addr_op ops[2])
{
	size_t i;
	int n = 0;

	for (i = 0; i < t->n; i++)
		if (same_rec(&t->v[i], rec))
			break;
	if (add) {
		if (i < t->n)
			return 0;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 16;
			struct addr_rec *v = realloc(t->v, cap * sizeof(*v));

			if (!v)
				return -1;
			t->v = v;
			t->cap = cap;
		}
		if (!host_held(t, rec, SIZE_MAX))
			ops[n++] = (struct addr_op){ OP_LOCAL_ADD,
						     host_of(&rec->addr) };
		if (rec->lan && !net_held(t, rec, SIZE_MAX))
			ops[n++] = (struct addr_op){ OP_LAN_ADD,
						     net_of(&rec->addr) };
		t->v[t->n++] = *rec;
		return n;
	}
	if (i == t->n)
		return 0;
	if (!host_held(t, &t->v[i], i))
		ops[n++] = (struct addr_op){ OP_LOCAL_DEL,
					     host_of(&t->v[i].addr) };
	if (t->v[i].lan && !net_held(t, &t->v[i], i))
		ops[n++] = (struct addr_op){ OP_LAN_DEL,
					     net_of(&t->v[i].addr) };
	t->v[i] = t->v[--t->n];
	return n;
}

void addrtab_drop_ifindex(struct addrtab *t, int ifindex)
{
	size_t i = 0;

	while (i < t->n) {
		if (t->v[i].ifindex == ifindex)
			t->v[i] = t->v[--t->n];
		else
			i++;
	}
}

void addrtab_set_lan(struct addrtab *t, int ifindex, bool lan)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].ifindex == ifindex)
			t->v[i].lan = lan;
}

static int build(const struct addrtab *t, struct sl_pfx_list *out, bool lan)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct sl_prefix p;

		if (lan && !t->v[i].lan)
			continue;
		p = lan ? net_of(&t->v[i].addr) : host_of(&t->v[i].addr);
		if (sl_pfx_list_push(out, &p) < 0)
			return -1;
	}
	sl_pfx_list_finish(out);
	return 0;
}

int addrtab_local_set(const struct addrtab *t, struct sl_pfx_list *out)
{
	return build(t, out, false);
}

int addrtab_lan_set(const struct addrtab *t, struct sl_pfx_list *out)
{
	return build(t, out, true);
}
