/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * White-list operations built on nl.c, shared by sluicectl and sluiced:
 * batched ADD/DEL, atomic replace of a source, and dumps that restart
 * when the kernel flags them as interrupted.  Every call names its list
 * (enum sluice_list): the white_list, the proxy list or the src list
 * share all of this.
 */
#ifndef SLUICE_WL_H
#define SLUICE_WL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attrs.h"
#include "nl.h"
#include "prefix.h"

/* How many times a dump is tried before giving up on a clean snapshot. */
#define SL_DUMP_TRIES 4

/*
 * WL_ADD or WL_DEL of @n prefixes for @source (NULL: kernel default,
 * "static"), @timeout seconds (0: none; ADD only).  Requests are packed
 * up to SL_NL_MSG_MAX bytes each and sent SL_NL_SEND_MAX bytes per
 * sendmsg; stops after the first sendmsg whose requests saw an error.
 */
int sl_wl_prefixes(struct sl_nl *nl, uint8_t cmd, uint32_t list,
		   const char *source, uint32_t timeout, const struct sl_prefix *v, size_t n,
		   struct sl_nl_err *e);

/* A request carrying only an optional SOURCE (FLUSH, BEGIN, COMMIT...). */
int sl_wl_simple(struct sl_nl *nl, uint8_t cmd, uint32_t list,
		 const char *source, struct sl_nl_err *e);

/*
 * FLOWS_FLUSH: clear the verdict kept in the conntrack entry of every
 * flow (of those whose original destination is in @p, if not NULL), so
 * that each is decided again at its next packet.  *@flows gets how many
 * entries the kernel cleared.  0, or -1 with @e filled.
 */
int sl_flows_flush(struct sl_nl *nl, const struct sl_prefix *p,
		   uint32_t *flows, struct sl_nl_err *e);

/*
 * Replace the whole of @source by @v: BEGIN, ADD..., COMMIT on @nl's one
 * socket (the kernel ties the transaction to it).  On any failure sends
 * ABORT and returns -1 with the first error.
 */
int sl_wl_replace(struct sl_nl *nl, uint32_t list, const char *source,
		  const struct sl_prefix *v, size_t n, struct sl_nl_err *e);

/*
 * Dump all entries (of @source only, if not NULL) into a malloc'd array.
 * *@inconsistent is set if every try was interrupted; the last try's
 * result is returned then.
 */
int sl_wl_dump(struct sl_nl *nl, uint32_t list, const char *source,
	       struct sl_entry **v, size_t *n, bool *inconsistent,
	       struct sl_nl_err *e);
int sl_wl_sources(struct sl_nl *nl, uint32_t list, struct sl_source_info **v,
		  size_t *n, bool *inconsistent, struct sl_nl_err *e);

#endif /* SLUICE_WL_H */
