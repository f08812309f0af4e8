// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "names.h"

#include <string.h>
#include <linux/sluice.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

bool sl_source_valid(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > SLUICE_SOURCE_MAXLEN)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_.-") == n;
}

bool sl_ifname_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > SLUICE_IFNAME_MAXLEN)
		return false;
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* ',' is our list separator, the rest is dev_valid_name(). */
		if (c <= 0x20 || c == 0x7f || c == '/' || c == ':' || c == ',')
			return false;
	}
	return true;
}

static const char *pick(const char *const *tab, size_t n, uint32_t i)
{
	return i < n ? tab[i] : NULL;
}

const char *sl_verdict_name(uint32_t v)
{
	static const char *const t[] = {
		[SLUICE_VERDICT_PASS] = "direct",
		[SLUICE_VERDICT_REDIRECT] = "proxy",
		[SLUICE_VERDICT_DROP] = "drop",
	};
	return pick(t, ARRAY_SIZE(t), v);
}

const char *sl_rule_name(uint32_t r)
{
	static const char *const t[] = {
		[SLUICE_RULE_DISABLED] = "disabled",
		[SLUICE_RULE_NOT_LAN] = "not-lan",
		[SLUICE_RULE_NOT_TCPUDP] = "not-tcp-udp",
		[SLUICE_RULE_BYPASS_MARK] = "bypass-mark",
		[SLUICE_RULE_LOCAL] = "local",
		[SLUICE_RULE_WHITE_LIST] = "white_list",
		[SLUICE_RULE_REDIRECT] = "redirect",
		[SLUICE_RULE_UDP_REDIRECT_MODE] = "udp-redirect-mode",
		[SLUICE_RULE_EXISTING] = "existing",
	};
	return pick(t, ARRAY_SIZE(t), r);
}

const char *sl_mode_name(uint32_t m)
{
	static const char *const t[] = {
		[SLUICE_MODE_TPROXY] = "tproxy",
		[SLUICE_MODE_REDIRECT] = "redirect",
	};
	return pick(t, ARRAY_SIZE(t), m);
}

const char *sl_no_listener_name(uint32_t n)
{
	static const char *const t[] = {
		[SLUICE_NO_LISTENER_PASS] = "pass",
		[SLUICE_NO_LISTENER_DROP] = "drop",
	};
	return pick(t, ARRAY_SIZE(t), n);
}

const char *sl_counter_name(uint16_t type)
{
	static const char *const t[] = {
		[SLUICE_CTR_PACKETS] = "packets",
		[SLUICE_CTR_NOT_LAN] = "not_lan",
		[SLUICE_CTR_NOT_TCPUDP] = "not_tcpudp",
		[SLUICE_CTR_BYPASS_MARK] = "bypass_mark",
		[SLUICE_CTR_LOCAL] = "local",
		[SLUICE_CTR_WL_V4] = "white_list_v4",
		[SLUICE_CTR_WL_V6] = "white_list_v6",
		[SLUICE_CTR_REDIR_TCP4] = "redirect_tcp4",
		[SLUICE_CTR_REDIR_TCP6] = "redirect_tcp6",
		[SLUICE_CTR_REDIR_UDP4] = "redirect_udp4",
		[SLUICE_CTR_REDIR_UDP6] = "redirect_udp6",
		[SLUICE_CTR_NOLISTENER_PASS] = "no_listener_pass",
		[SLUICE_CTR_NOLISTENER_DROP] = "no_listener_drop",
		[SLUICE_CTR_ERRORS] = "errors",
		[SLUICE_CTR_WL_REBUILDS] = "white_list_rebuilds",
		[SLUICE_CTR_WL_EXPIRED] = "white_list_expired",
		[SLUICE_CTR_EXISTING] = "existing",
		[SLUICE_CTR_UDP_REDIRECT_MODE] = "udp_redirect_mode",
	};
	return pick(t, ARRAY_SIZE(t), type);
}

const char *sl_mem_name(uint16_t type)
{
	static const char *const t[] = {
		[SLUICE_MEM_ENTRIES] = "entries",
		[SLUICE_MEM_ENTRIES_MAX] = "entries_max",
		[SLUICE_MEM_HOSTS] = "hosts",
		[SLUICE_MEM_CIDR_BYTES] = "cidr_bytes",
		[SLUICE_MEM_ENTRY_BYTES] = "entry_bytes",
	};
	return pick(t, ARRAY_SIZE(t), type);
}

const char *sl_attr_name(uint16_t type)
{
	static const char *const t[] = {
		[SLUICE_A_SOURCE] = "source",
		[SLUICE_A_TIMEOUT] = "timeout",
		[SLUICE_A_PREFIX] = "prefix",
		[SLUICE_A_ADDRESS] = "address",
		[SLUICE_A_TUPLE] = "tuple",
	};
	return pick(t, ARRAY_SIZE(t), type);
}
