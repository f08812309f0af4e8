/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Ethernet (MAC) addresses as sluicectl and sluiced read and print them:
 * six pairs of hex digits separated by ':' (or, as Windows prints them,
 * by '-', the same separator throughout).  Pure code.
 */
#ifndef SLUICE_MAC_H
#define SLUICE_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SL_MAC_LEN 6
/* "aa:bb:cc:dd:ee:ff" plus NUL. */
#define SL_MAC_STRLEN 18

/* Parse "aa:bb:cc:dd:ee:ff" (any case).  0 or -1. */
int sl_mac_parse(const char *s, uint8_t mac[SL_MAC_LEN]);
/* Lower case, ':' separated; @buf holds SL_MAC_STRLEN bytes. */
void sl_mac_format(const uint8_t mac[SL_MAC_LEN], char *buf);

/*
 * Why @mac cannot name one LAN host, or NULL if it can: a source MAC is
 * never all zeros, and a group (multicast/broadcast) address never sends.
 */
const char *sl_mac_unusable(const uint8_t mac[SL_MAC_LEN]);

/*
 * Parse "MAC[,MAC...]" into @v (room for @max), rejecting unusable and
 * repeated addresses.  Returns the count, or -1 with a reason in @why
 * ("'01:00:5e:00:00:01' is a multicast address", ...).
 */
int sl_mac_list_parse(const char *s, uint8_t (*v)[SL_MAC_LEN], unsigned max,
		      char *why, size_t whylen);

#endif /* SLUICE_MAC_H */
