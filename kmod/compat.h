/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel API differences live.  The SLUICE_HAVE_*
 * flags come from compat-probe.sh, which reads the target's headers:
 * Debian backports change signatures inside a stable series, so version
 * numbers alone would lie.
 */
#ifndef SLUICE_COMPAT_H
#define SLUICE_COMPAT_H

#include <linux/cgroup.h>
#include <net/genetlink.h>
#include <net/sock.h>

/* Parsed request attributes of a dump, as set up by the genl core. */
static inline struct nlattr **sluice_dump_attrs(struct netlink_callback *cb)
{
#ifdef SLUICE_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * The cgroup v2 a full socket was created in (the loop guard compares
 * them); NULL when the kernel keeps no cgroup per socket, which turns the
 * guard off rather than matching every socket.
 */
static inline struct cgroup *sluice_sk_cgroup(struct sock *sk)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	return sock_cgroup_ptr(&sk->sk_cgrp_data);
#else
	return NULL;
#endif
}

#endif /* SLUICE_COMPAT_H */
