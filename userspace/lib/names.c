// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "names.h"

#include <stdio.h>
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
		[SLUICE_VERDICT_REJECT] = "reject",
		[SLUICE_VERDICT_DNS] = "dns",
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
		[SLUICE_RULE_SRC_EXCLUDED] = "src-excluded",
		[SLUICE_RULE_SRC_NOT_LISTED] = "src-not-listed",
		[SLUICE_RULE_DNS] = "dns",
		[SLUICE_RULE_DEFAULT_DIRECT] = "default-direct",
		[SLUICE_RULE_PROXY_LIST] = "proxy-list",
		[SLUICE_RULE_QUIC_REJECT] = "quic-reject",
		[SLUICE_RULE_LOCAL_OFF] = "local-off",
		[SLUICE_RULE_LOCAL_DNS] = "local-dns",
		[SLUICE_RULE_LOOP_GUARD] = "loop-guard",
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

const char *sl_src_mode_name(uint32_t m)
{
	static const char *const t[] = {
		[SLUICE_SRC_EXCLUDE] = "exclude",
		[SLUICE_SRC_ONLY] = "only",
	};
	return pick(t, ARRAY_SIZE(t), m);
}

const char *sl_default_name(uint32_t d)
{
	static const char *const t[] = {
		[SLUICE_DEFAULT_PROXY] = "proxy",
		[SLUICE_DEFAULT_DIRECT] = "direct",
	};
	return pick(t, ARRAY_SIZE(t), d);
}

static const char *const list_names[] = {
	[SLUICE_LIST_WHITE] = "white",
	[SLUICE_LIST_PROXY] = "proxy",
	[SLUICE_LIST_SRC] = "src",
};

const char *sl_list_name(uint32_t l)
{
	return pick(list_names, ARRAY_SIZE(list_names), l);
}

int sl_list_parse(const char *s, uint32_t *list)
{
	uint32_t i;

	for (i = 0; i < ARRAY_SIZE(list_names); i++)
		if (!strcmp(s, list_names[i])) {
			*list = i;
			return 0;
		}
	return -1;
}

int sl_list_opt(int argc, char *const *argv, int i, uint32_t *list,
		char *err, size_t errlen)
{
	const char *a = argv[i], *v;
	int used = 1;

	if (!strcmp(a, "-L") || !strcmp(a, "--list")) {
		if (i + 1 >= argc) {
			snprintf(err, errlen, "%s needs a list: white, proxy "
				 "or src", a);
			return -1;
		}
		v = argv[i + 1];
		used = 2;
	} else if (!strncmp(a, "--list=", 7)) {
		v = a + 7;
	} else if (!strncmp(a, "-L", 2)) {
		v = a + 2;
	} else {
		return 0;
	}
	if (sl_list_parse(v, list) < 0) {
		snprintf(err, errlen, "bad list '%.40s' (white, proxy or src)",
			 v);
		return -1;
	}
	return used;
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
		[SLUICE_CTR_SRC_EXCLUDED] = "src_excluded",
		[SLUICE_CTR_SRC_NOT_LISTED] = "src_not_listed",
		[SLUICE_CTR_DNS4] = "dns4",
		[SLUICE_CTR_DNS6] = "dns6",
		[SLUICE_CTR_DEFAULT_DIRECT] = "default_direct",
		[SLUICE_CTR_PROXY_LIST] = "proxy_list",
		[SLUICE_CTR_QUIC_REJECT] = "quic_reject",
		[SLUICE_CTR_LOCAL_OUT] = "local_out",
		[SLUICE_CTR_LOCAL_DNS] = "local_dns",
		[SLUICE_CTR_LOOP_GUARD] = "loop_guard",
		[SLUICE_CTR_STALE_NAT] = "stale_nat",
		[SLUICE_CTR_BRIDGED] = "bridged",
		[SLUICE_CTR_FLOW_ADOPTED] = "flow_adopted",
		[SLUICE_CTR_FLOW_DROP] = "flow_drop",
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
