/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The gateway's addresses as rtnetlink reports them, and what each change
 * means for the white_list.  Pure: given a parsed address event, say
 * which `local` hosts and `lan` prefixes appear or disappear.
 *
 * The same address may sit on two interfaces, and two LAN addresses may
 * share a prefix; an entry leaves the white_list only when its last
 * holder goes, so the table counts holders implicitly by keeping every
 * (ifindex, address, plen) it has seen.
 */
#ifndef SLUICED_ADDRTAB_H
#define SLUICED_ADDRTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

struct addr_rec {
	int ifindex;
	bool lan;			/* on a LAN interface */
	struct sl_prefix addr;		/* the address, plen = its prefix */
};

struct addrtab {
	struct addr_rec *v;
	size_t n, cap;
};

enum addr_op_kind {
	OP_LOCAL_ADD,		/* host address into `local` */
	OP_LOCAL_DEL,
	OP_LAN_ADD,		/* prefix into `lan` */
	OP_LAN_DEL,
};

struct addr_op {
	enum addr_op_kind kind;
	struct sl_prefix pfx;	/* host (full length) or masked prefix */
};

void addrtab_init(struct addrtab *t);
void addrtab_free(struct addrtab *t);

/*
 * Apply RTM_NEWADDR (@add) or RTM_DELADDR for @rec.  Writes at most 2
 * operations into @ops and returns their number, or -1 on ENOMEM.  A
 * repeated NEWADDR (the kernel re-announces on flag changes) or a DELADDR
 * for an unknown address gives none.
 */
int addrtab_apply(struct addrtab *t, const struct addr_rec *rec, bool add,
		  struct addr_op ops[2]);

/* Forget every address of @ifindex (link gone) without producing ops. */
void addrtab_drop_ifindex(struct addrtab *t, int ifindex);

/* Set the lan flag of every record of @ifindex. */
void addrtab_set_lan(struct addrtab *t, int ifindex, bool lan);

/* The whole `local` and `lan` sources as the table implies them. */
int addrtab_local_set(const struct addrtab *t, struct sl_pfx_list *out);
int addrtab_lan_set(const struct addrtab *t, struct sl_pfx_list *out);

/* @p with host bits cleared to its plen. */
void prefix_mask(struct sl_prefix *p);

#endif /* SLUICED_ADDRTAB_H */
