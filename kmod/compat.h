/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel API differences live.  The SLUICE_HAVE_*
 * flags come from compat-probe.sh, which reads the target's headers:
 * Debian backports change signatures inside a stable series, so version
 * numbers alone would lie.
 */
#ifndef SLUICE_COMPAT_H
#define SLUICE_COMPAT_H

#include <net/genetlink.h>

/* Parsed request attributes of a dump, as set up by the genl core. */
static inline struct nlattr **sluice_dump_attrs(struct netlink_callback *cb)
{
#ifdef SLUICE_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* SLUICE_COMPAT_H */
