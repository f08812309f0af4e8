// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "mac.h"

#include <stdio.h>
#include <string.h>

#include "prefix.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sl_mac_parse(const char *s, uint8_t mac[SL_MAC_LEN])
{
	char sep;
	int i;

	/* Exactly 17 characters: no short forms such as "a:b:c:d:e:f". */
	if (strlen(s) != SL_MAC_STRLEN - 1)
		return -1;
	sep = s[2];
	if (sep != ':' && sep != '-')
		return -1;
	for (i = 0; i < SL_MAC_LEN; i++) {
		const char *p = s + 3 * i;
		int hi = hexval(p[0]), lo = hexval(p[1]);

		if (hi < 0 || lo < 0)
			return -1;
		if (i < SL_MAC_LEN - 1 && p[2] != sep)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

void sl_mac_format(const uint8_t mac[SL_MAC_LEN], char *buf)
{
	snprintf(buf, SL_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

const char *sl_mac_unusable(const uint8_t mac[SL_MAC_LEN])
{
	static const uint8_t zero[SL_MAC_LEN];

	if (!memcmp(mac, zero, SL_MAC_LEN))
		return "the all-zero address";
	if (mac[0] & 1)
		return "a multicast address";
	return NULL;
}

int sl_mac_list_parse(const char *s, uint8_t (*v)[SL_MAC_LEN], unsigned max,
		      char *why, size_t whylen)
{
	char one[SL_MAC_STRLEN + 1], q[64];
	unsigned n = 0, i;
	const char *p = s;

	for (;;) {
		size_t len = strcspn(p, ",");
		const char *bad;

		if (len == 0 || len >= sizeof(one)) {
			sl_quote(p, len, q, sizeof(q));
			snprintf(why, whylen, "'%s' is not a MAC address "
				 "(aa:bb:cc:dd:ee:ff)", q);
			return -1;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		if (n == max) {
			snprintf(why, whylen, "more than %u MAC addresses",
				 max);
			return -1;
		}
		if (sl_mac_parse(one, v[n]) < 0) {
			sl_quote(one, len, q, sizeof(q));
			snprintf(why, whylen, "'%s' is not a MAC address "
				 "(aa:bb:cc:dd:ee:ff)", q);
			return -1;
		}
		bad = sl_mac_unusable(v[n]);
		if (bad) {
			snprintf(why, whylen, "'%s' is %s", one, bad);
			return -1;
		}
		for (i = 0; i < n; i++)
			if (!memcmp(v[i], v[n], SL_MAC_LEN)) {
				snprintf(why, whylen, "'%s' given twice", one);
				return -1;
			}
		n++;
		if (!p[len])
			return (int)n;
		p += len + 1;
	}
}
