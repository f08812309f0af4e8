// SPDX-License-Identifier: GPL-2.0
/*
 * The "sluice" generic netlink family: the module's only control plane.
 *
 * Each command has its own policy, so an attribute a command does not
 * take is rejected by the core, and the family validates strictly from
 * command 0 on.  Semantic checks that a policy cannot express end in an
 * extack message pointing at the offending attribute.  Every command,
 * reads too, needs CAP_NET_ADMIN in the namespace's user namespace: the
 * lists and the config (source MACs) say what the LAN's users do.
 */
#include <linux/kernel.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/etherdevice.h>
#include <linux/nospec.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "sluice.h"
#include "compat.h"
#include "hooks.h"
#include "whitelist.h"
#include "decide.h"
#include "flow.h"

static struct genl_family sluice_family;

/* ---- policies ------------------------------------------------------ */

static const struct nla_policy sluice_pfx_policy[SLUICE_PFX_MAX + 1] = {
	[SLUICE_PFX_ADDR4]	= NLA_POLICY_EXACT_LEN(4),
	[SLUICE_PFX_ADDR6]	= NLA_POLICY_EXACT_LEN(16),
	[SLUICE_PFX_PLEN]	= NLA_POLICY_MAX(NLA_U8, 128),
};

static const struct nla_policy sluice_lan_policy[SLUICE_A_IFNAME + 1] = {
	[SLUICE_A_IFNAME]	= { .type = NLA_NUL_STRING,
				    .len = SLUICE_IFNAME_MAXLEN },
};

static const struct nla_policy sluice_mac_policy[SLUICE_A_MAC + 1] = {
	[SLUICE_A_MAC]		= NLA_POLICY_EXACT_LEN(ETH_ALEN),
};

static const struct nla_policy sluice_config_policy[SLUICE_A_CT_MASK + 1] = {
	[SLUICE_A_ENABLED]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SLUICE_A_MODE]		= NLA_POLICY_MAX(NLA_U32, SLUICE_MODE_MAX),
	[SLUICE_A_PORT]		= NLA_POLICY_MIN(NLA_U16, 1),
	[SLUICE_A_PORT6]	= NLA_POLICY_MIN(NLA_U16, 1),
	[SLUICE_A_LISTEN_ADDR4]	= NLA_POLICY_EXACT_LEN(4),
	[SLUICE_A_LISTEN_ADDR6]	= NLA_POLICY_EXACT_LEN(16),
	[SLUICE_A_BYPASS_MARK]	= { .type = NLA_U32 },
	[SLUICE_A_BYPASS_MASK]	= { .type = NLA_U32 },
	[SLUICE_A_FWMARK]	= { .type = NLA_U32 },
	[SLUICE_A_FWMARK_MASK]	= { .type = NLA_U32 },
	[SLUICE_A_LAN_IFS]	= NLA_POLICY_NESTED(sluice_lan_policy),
	[SLUICE_A_WAN_IF]	= { .type = NLA_NUL_STRING,
				    .len = SLUICE_IFNAME_MAXLEN },
	[SLUICE_A_MASQUERADE]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SLUICE_A_NO_LISTENER]	= NLA_POLICY_MAX(NLA_U32,
						 SLUICE_NO_LISTENER_MAX),
	[SLUICE_A_LOCAL]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SLUICE_A_DNS_PORT]	= { .type = NLA_U16 },
	[SLUICE_A_DNS_LOCAL]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SLUICE_A_SRC_MODE]	= NLA_POLICY_MAX(NLA_U32, SLUICE_SRC_MAX),
	[SLUICE_A_SRC_MACS]	= NLA_POLICY_NESTED(sluice_mac_policy),
	[SLUICE_A_DEFAULT]	= NLA_POLICY_MAX(NLA_U32, SLUICE_DEFAULT_MAX),
	[SLUICE_A_QUIC_REJECT]	= NLA_POLICY_MAX(NLA_U8, 1),
	[SLUICE_A_CT_MASK]	= { .type = NLA_U32 },
};

#define SLUICE_LIST_POLICY NLA_POLICY_MAX(NLA_U32, SLUICE_LIST_MAX)

static const struct nla_policy sluice_wl_policy[SLUICE_A_LIST + 1] = {
	[SLUICE_A_SOURCE]	= { .type = NLA_NUL_STRING,
				    .len = SLUICE_SOURCE_MAXLEN },
	[SLUICE_A_TIMEOUT]	= NLA_POLICY_MIN(NLA_U32, 1),
	[SLUICE_A_PREFIX]	= NLA_POLICY_NESTED(sluice_pfx_policy),
	[SLUICE_A_LIST]		= SLUICE_LIST_POLICY,
};

/*
 * WL_GET, WL_FLUSH, WL_BEGIN, WL_COMMIT, WL_ABORT: a source and a list,
 * nothing else (a FLUSH carrying a PREFIX must not flush the whole source).
 */
static const struct nla_policy sluice_src_policy[SLUICE_A_LIST + 1] = {
	[SLUICE_A_SOURCE]	= { .type = NLA_NUL_STRING,
				    .len = SLUICE_SOURCE_MAXLEN },
	[SLUICE_A_LIST]		= SLUICE_LIST_POLICY,
};

static const struct nla_policy sluice_lookup_policy[SLUICE_A_LIST + 1] = {
	[SLUICE_A_ADDRESS]	= NLA_POLICY_NESTED(sluice_pfx_policy),
	[SLUICE_A_LIST]		= SLUICE_LIST_POLICY,
};

/* FLOWS_FLUSH: an optional prefix of original destinations. */
static const struct nla_policy sluice_flows_policy[SLUICE_A_ADDRESS + 1] = {
	[SLUICE_A_ADDRESS]	= NLA_POLICY_NESTED(sluice_pfx_policy),
};

/* GET_COUNTERS and WL_SOURCES: which list. */
static const struct nla_policy sluice_list_policy[SLUICE_A_LIST + 1] = {
	[SLUICE_A_LIST]		= SLUICE_LIST_POLICY,
};

static const struct nla_policy sluice_tuple_policy[SLUICE_TUPLE_MAX + 1] = {
	[SLUICE_TUPLE_PROTO]	= { .type = NLA_U8 },
	[SLUICE_TUPLE_SRC]	= NLA_POLICY_NESTED(sluice_pfx_policy),
	[SLUICE_TUPLE_DST]	= NLA_POLICY_NESTED(sluice_pfx_policy),
	[SLUICE_TUPLE_SPORT]	= { .type = NLA_U16 },
	[SLUICE_TUPLE_DPORT]	= { .type = NLA_U16 },
	[SLUICE_TUPLE_IIF]	= { .type = NLA_NUL_STRING,
				    .len = SLUICE_IFNAME_MAXLEN },
	[SLUICE_TUPLE_MARK]	= { .type = NLA_U32 },
	[SLUICE_TUPLE_MAC]	= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[SLUICE_TUPLE_LOCAL]	= { .type = NLA_FLAG },
};

static const struct nla_policy sluice_classify_policy[SLUICE_A_TUPLE + 1] = {
	[SLUICE_A_TUPLE]	= NLA_POLICY_NESTED(sluice_tuple_policy),
};

static struct sluice_net *info_sn(struct genl_info *info)
{
	return sluice_pernet(genl_info_net(info));
}

/* The list a request names (SLUICE_A_LIST, policy-checked), else WHITE. */
static struct sluice_wl *sluice_list(struct sluice_net *sn, struct nlattr **tb)
{
	u32 id = SLUICE_LIST_WHITE;

	if (tb && tb[SLUICE_A_LIST])
		id = array_index_nospec(nla_get_u32(tb[SLUICE_A_LIST]),
					__SLUICE_LIST_MAX);
	return &sn->lists[id];
}

static struct sluice_wl *info_list(struct genl_info *info)
{
	return sluice_list(info_sn(info), info->attrs);
}

/* A mandatory attribute: say which is missing, in words and in the ack. */
#define sluice_missing(info, type, msg) ({				\
	bool __missing = !(info)->attrs[type];				\
	if (__missing) {						\
		NL_SET_ERR_MSG_MOD((info)->extack, msg);		\
		NL_SET_ERR_ATTR_MISS((info)->extack, NULL, type);	\
	}								\
	__missing;							\
})

/* ---- helpers ------------------------------------------------------- */

/*
 * Parse one prefix nest into @key.  @need_plen: absent PLEN means host.
 * Host bits must be clear, so that "10.0.0.1/8" is a mistake, not 10/8.
 */
static int sluice_parse_prefix(const struct nlattr *attr, struct wl_key *key,
			       bool any_bits, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SLUICE_PFX_MAX + 1];
	unsigned int plen, i, len;
	int err;

	err = nla_parse_nested(tb, SLUICE_PFX_MAX, attr, sluice_pfx_policy,
			       extack);
	if (err)
		return err;
	if (!!tb[SLUICE_PFX_ADDR4] == !!tb[SLUICE_PFX_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "need exactly one of an IPv4 or IPv6 address");
		return -EINVAL;
	}
	memset(key, 0, sizeof(*key));
	if (tb[SLUICE_PFX_ADDR4]) {
		key->family = AF_INET;
		len = 4;
	} else {
		key->family = AF_INET6;
		len = 16;
	}
	nla_memcpy(key->addr, tb[SLUICE_PFX_ADDR4] ?: tb[SLUICE_PFX_ADDR6],
		   len);
	plen = tb[SLUICE_PFX_PLEN] ? nla_get_u8(tb[SLUICE_PFX_PLEN]) : len * 8;
	if (plen > len * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SLUICE_PFX_PLEN],
				    "prefix length out of range for the family");
		return -EINVAL;
	}
	key->plen = plen;
	if (any_bits)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;
		u8 host = bits >= 8 ? 0 : (u8)(0xff >> bits);

		if (key->addr[i] & host) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "host bits set in prefix");
			return -EINVAL;
		}
	}
	return 0;
}

static const char *sluice_source(struct genl_info *info,
				 struct netlink_ext_ack *extack)
{
	const struct nlattr *a = info->attrs[SLUICE_A_SOURCE];
	const char *name = a ? nla_data(a) : "static";

	if (!sluice_wl_source_valid(name)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "source name must be 1-31 characters of A-Z a-z 0-9 _ . -");
		return NULL;
	}
	return name;
}

/* All SLUICE_A_PREFIX attributes of the request, parsed; kvfree() them. */
static struct wl_key *sluice_parse_prefixes(struct genl_info *info,
					    size_t *n, size_t **offsets)
{
	const struct nlattr *attr;
	struct wl_key *keys;
	size_t count = 0;
	int rem, err;

	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(attr) == SLUICE_A_PREFIX)
			count++;
	if (!count) {
		NL_SET_ERR_MSG_MOD(info->extack, "no prefix given");
		return ERR_PTR(-EINVAL);
	}
	keys = kvmalloc_array(count, sizeof(*keys), GFP_KERNEL_ACCOUNT);
	*offsets = kvmalloc_array(count, sizeof(**offsets),
				  GFP_KERNEL_ACCOUNT);
	if (!keys || !*offsets) {
		kvfree(keys);
		kvfree(*offsets);
		return ERR_PTR(-ENOMEM);
	}
	*n = 0;
	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(attr) != SLUICE_A_PREFIX)
			continue;
		err = sluice_parse_prefix(attr, &keys[*n], false,
					  info->extack);
		if (err) {
			kvfree(keys);
			kvfree(*offsets);
			return ERR_PTR(err);
		}
		(*offsets)[(*n)++] = (const u8 *)attr - (const u8 *)info->nlhdr;
	}
	return keys;
}

static int sluice_put_key(struct sk_buff *skb, int type,
			  const struct wl_key *key)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if ((key->family == AF_INET ?
	     nla_put(skb, SLUICE_PFX_ADDR4, 4, key->addr) :
	     nla_put(skb, SLUICE_PFX_ADDR6, 16, key->addr)) ||
	    nla_put_u8(skb, SLUICE_PFX_PLEN, key->plen)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* ---- config -------------------------------------------------------- */

static int sluice_fill_config(struct sk_buff *skb, const struct sluice_cfg *cfg)
{
	struct nlattr *lan, *macs;
	int i;

	if (nla_put_u8(skb, SLUICE_A_ENABLED, cfg->enabled) ||
	    nla_put_u32(skb, SLUICE_A_MODE, cfg->mode) ||
	    nla_put_u16(skb, SLUICE_A_PORT, cfg->port) ||
	    nla_put_u16(skb, SLUICE_A_PORT6, sluice_cfg_port6(cfg)) ||
	    nla_put_in_addr(skb, SLUICE_A_LISTEN_ADDR4, cfg->listen4) ||
	    nla_put_in6_addr(skb, SLUICE_A_LISTEN_ADDR6, &cfg->listen6) ||
	    nla_put_u32(skb, SLUICE_A_BYPASS_MARK, cfg->bypass_mark) ||
	    nla_put_u32(skb, SLUICE_A_BYPASS_MASK, cfg->bypass_mask) ||
	    nla_put_u32(skb, SLUICE_A_FWMARK, cfg->fwmark) ||
	    nla_put_u32(skb, SLUICE_A_FWMARK_MASK, cfg->fwmark_mask) ||
	    nla_put_u8(skb, SLUICE_A_MASQUERADE, cfg->masquerade) ||
	    nla_put_u32(skb, SLUICE_A_NO_LISTENER, cfg->no_listener) ||
	    nla_put_u8(skb, SLUICE_A_LOCAL, cfg->local) ||
	    nla_put_u16(skb, SLUICE_A_DNS_PORT, cfg->dns_port) ||
	    nla_put_u8(skb, SLUICE_A_DNS_LOCAL, cfg->dns_local) ||
	    nla_put_u32(skb, SLUICE_A_SRC_MODE, cfg->src_mode) ||
	    nla_put_u32(skb, SLUICE_A_DEFAULT, cfg->dflt) ||
	    nla_put_u8(skb, SLUICE_A_QUIC_REJECT, cfg->quic_reject) ||
	    nla_put_u32(skb, SLUICE_A_CT_MASK, cfg->ct_mask))
		return -EMSGSIZE;
	macs = nla_nest_start(skb, SLUICE_A_SRC_MACS);
	if (!macs)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_macs; i++)
		if (nla_put(skb, SLUICE_A_MAC, ETH_ALEN, cfg->src_macs[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, macs);
	if (cfg->wan[0] && nla_put_string(skb, SLUICE_A_WAN_IF, cfg->wan))
		return -EMSGSIZE;
	lan = nla_nest_start(skb, SLUICE_A_LAN_IFS);
	if (!lan)
		return -EMSGSIZE;
	for (i = 0; i < cfg->n_lan; i++)
		if (nla_put_string(skb, SLUICE_A_IFNAME, cfg->lan[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, lan);
	return 0;
}

static int sluice_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct sluice_net *sn = info_sn(info);
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &sluice_family, 0,
				SLUICE_CMD_GET_CONFIG);
	if (!hdr) {
		err = -EMSGSIZE;
		goto free;
	}
	rcu_read_lock();
	err = sluice_fill_config(msg, rcu_dereference(sn->cfg));
	rcu_read_unlock();
	if (err)
		goto free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
free:
	nlmsg_free(msg);
	return err;
}

static int sluice_parse_lan(struct sluice_cfg *cfg, const struct nlattr *nest,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem;

	cfg->n_lan = 0;
	memset(cfg->lan, 0, sizeof(cfg->lan));
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != SLUICE_A_IFNAME)
			continue;
		if (cfg->n_lan == SLUICE_MAX_LAN_IFS) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "too many lan interfaces (at most 16)");
			return -E2BIG;
		}
		if (!nla_len(a) || !*(const char *)nla_data(a)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "empty lan interface name");
			return -EINVAL;
		}
		nla_strscpy(cfg->lan[cfg->n_lan++], a, IFNAMSIZ);
	}
	return 0;
}

/*
 * SRC_MACS replaces the whole set.  MACs identify LAN hosts, so a group
 * address or the zero address can only be a typo; a duplicate too.
 */
static int sluice_parse_macs(struct sluice_cfg *cfg, const struct nlattr *nest,
			     struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, i;

	cfg->n_macs = 0;
	memset(cfg->src_macs, 0, sizeof(cfg->src_macs));
	nla_for_each_nested(a, nest, rem) {
		const u8 *mac = nla_data(a);

		if (nla_type(a) != SLUICE_A_MAC)
			continue;
		if (cfg->n_macs == SLUICE_MAX_SRC_MACS) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "too many source MACs (at most 64)");
			return -E2BIG;
		}
		if (is_zero_ether_addr(mac)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "source MAC is all zeros");
			return -EINVAL;
		}
		if (is_multicast_ether_addr(mac)) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "source MAC is a multicast or broadcast address");
			return -EINVAL;
		}
		for (i = 0; i < cfg->n_macs; i++) {
			if (ether_addr_equal_unaligned(cfg->src_macs[i], mac)) {
				NL_SET_ERR_MSG_ATTR(extack, a,
						    "source MAC listed twice");
				return -EINVAL;
			}
		}
		memcpy(cfg->src_macs[cfg->n_macs++], mac, ETH_ALEN);
	}
	return 0;
}

static bool attr_flag8(struct nlattr **tb, int type, bool cur)
{
	return tb[type] ? nla_get_u8(tb[type]) : cur;
}

static u32 attr_u32(struct nlattr **tb, int type, u32 cur)
{
	return tb[type] ? nla_get_u32(tb[type]) : cur;
}

static int sluice_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct sluice_net *sn = info_sn(info);
	struct nlattr **tb = info->attrs;
	struct sluice_cfg *cfg;
	int err;

	mutex_lock(&sn->cfg_lock);
	cfg = sluice_cfg_dup(sn);
	if (!cfg) {
		err = -ENOMEM;
		goto unlock;
	}
	cfg->enabled = attr_flag8(tb, SLUICE_A_ENABLED, cfg->enabled);
	cfg->mode = attr_u32(tb, SLUICE_A_MODE, cfg->mode);
	if (tb[SLUICE_A_PORT])
		cfg->port = nla_get_u16(tb[SLUICE_A_PORT]);
	if (tb[SLUICE_A_PORT6])
		cfg->port6 = nla_get_u16(tb[SLUICE_A_PORT6]);
	if (tb[SLUICE_A_LISTEN_ADDR4])
		cfg->listen4 = nla_get_in_addr(tb[SLUICE_A_LISTEN_ADDR4]);
	if (tb[SLUICE_A_LISTEN_ADDR6])
		cfg->listen6 = nla_get_in6_addr(tb[SLUICE_A_LISTEN_ADDR6]);
	cfg->bypass_mark = attr_u32(tb, SLUICE_A_BYPASS_MARK, cfg->bypass_mark);
	cfg->bypass_mask = attr_u32(tb, SLUICE_A_BYPASS_MASK, cfg->bypass_mask);
	cfg->fwmark = attr_u32(tb, SLUICE_A_FWMARK, cfg->fwmark);
	cfg->fwmark_mask = attr_u32(tb, SLUICE_A_FWMARK_MASK, cfg->fwmark_mask);
	cfg->masquerade = attr_flag8(tb, SLUICE_A_MASQUERADE, cfg->masquerade);
	cfg->no_listener = attr_u32(tb, SLUICE_A_NO_LISTENER, cfg->no_listener);
	if (tb[SLUICE_A_WAN_IF])
		nla_strscpy(cfg->wan, tb[SLUICE_A_WAN_IF], IFNAMSIZ);
	if (tb[SLUICE_A_LAN_IFS]) {
		err = sluice_parse_lan(cfg, tb[SLUICE_A_LAN_IFS], info->extack);
		if (err)
			goto free;
	}
	cfg->local = attr_flag8(tb, SLUICE_A_LOCAL, cfg->local);
	if (tb[SLUICE_A_DNS_PORT])
		cfg->dns_port = nla_get_u16(tb[SLUICE_A_DNS_PORT]);
	cfg->dns_local = attr_flag8(tb, SLUICE_A_DNS_LOCAL, cfg->dns_local);
	cfg->src_mode = attr_u32(tb, SLUICE_A_SRC_MODE, cfg->src_mode);
	cfg->dflt = attr_u32(tb, SLUICE_A_DEFAULT, cfg->dflt);
	cfg->quic_reject = attr_flag8(tb, SLUICE_A_QUIC_REJECT,
				      cfg->quic_reject);
	cfg->ct_mask = attr_u32(tb, SLUICE_A_CT_MASK, cfg->ct_mask);
	if (tb[SLUICE_A_SRC_MACS]) {
		err = sluice_parse_macs(cfg, tb[SLUICE_A_SRC_MACS],
					info->extack);
		if (err)
			goto free;
	}
	err = sluice_cfg_check(cfg, info->extack);
	if (err)
		goto free;
	sluice_cfg_resolve_ifs(genl_info_net(info), cfg);
	err = sluice_hooks_apply(sn, cfg, info->extack);
	if (err)
		goto free;
	sluice_cfg_publish(sn, cfg);
	sluice_hooks_prune(sn, cfg);
	mutex_unlock(&sn->cfg_lock);
	return 0;
free:
	kfree(cfg);
unlock:
	mutex_unlock(&sn->cfg_lock);
	return err;
}

/* ---- counters ------------------------------------------------------ */

static int sluice_fill_counters(struct sk_buff *skb, struct sluice_net *sn,
				struct sluice_wl *wl)
{
	u64 ctr[__SLUICE_CTR_MAX];
	struct nlattr *nest;
	struct wl_mem mem;
	int i;

	sluice_counters_sum(sn, ctr);
	/* The counters are the namespace's; MEMORY is the one list's. */
	if (nla_put_u32(skb, SLUICE_A_LIST, wl->id))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, SLUICE_A_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = SLUICE_CTR_PACKETS; i < __SLUICE_CTR_MAX; i++)
		if (nla_put_u64_64bit(skb, i, ctr[i], SLUICE_CTR_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);

	sluice_wl_mem(wl, &mem);
	nest = nla_nest_start(skb, SLUICE_A_MEMORY);
	if (!nest ||
	    nla_put_u32(skb, SLUICE_MEM_ENTRIES, mem.entries) ||
	    nla_put_u32(skb, SLUICE_MEM_ENTRIES_MAX,
			READ_ONCE(sluice_max_entries)) ||
	    nla_put_u32(skb, SLUICE_MEM_HOSTS, mem.hosts) ||
	    nla_put_u64_64bit(skb, SLUICE_MEM_CIDR_BYTES, mem.cidr_bytes,
			      SLUICE_MEM_PAD) ||
	    nla_put_u64_64bit(skb, SLUICE_MEM_ENTRY_BYTES, mem.entry_bytes,
			      SLUICE_MEM_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int sluice_get_counters(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &sluice_family, 0,
				SLUICE_CMD_GET_COUNTERS);
	if (!hdr) {
		err = -EMSGSIZE;
		goto free;
	}
	err = sluice_fill_counters(msg, info_sn(info), info_list(info));
	if (err)
		goto free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
free:
	nlmsg_free(msg);
	return err;
}

/* ---- white_list changes -------------------------------------------- */

static int sluice_wl_add_del(struct genl_info *info, bool add)
{
	struct sluice_wl *wl = info_list(info);
	struct nlattr **tb = info->attrs;
	size_t n, bad = 0, *offsets;
	const char *source;
	struct wl_key *keys;
	u32 timeout = 0;
	int err;

	source = sluice_source(info, info->extack);
	if (!source)
		return -EINVAL;
	if (tb[SLUICE_A_TIMEOUT]) {
		if (!add) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SLUICE_A_TIMEOUT],
					    "delete takes no timeout");
			return -EINVAL;
		}
		timeout = nla_get_u32(tb[SLUICE_A_TIMEOUT]);
	}
	keys = sluice_parse_prefixes(info, &n, &offsets);
	if (IS_ERR(keys))
		return PTR_ERR(keys);
	if (add)
		err = sluice_wl_add(wl, source, keys, n, timeout,
				    info->snd_portid, info->extack);
	else
		err = sluice_wl_del(wl, source, keys, n, info->snd_portid,
				    &bad, info->extack);
	if (err == -ENOENT && !add && info->extack)
		info->extack->bad_attr = (const struct nlattr *)
			((const u8 *)info->nlhdr + offsets[bad]);
	kvfree(keys);
	kvfree(offsets);
	return err;
}

static int sluice_wl_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	return sluice_wl_add_del(info, true);
}

static int sluice_wl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	return sluice_wl_add_del(info, false);
}

static int sluice_wl_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	const char *source = NULL;

	if (info->attrs[SLUICE_A_SOURCE]) {
		source = sluice_source(info, info->extack);
		if (!source)
			return -EINVAL;
	}
	return sluice_wl_flush(info_list(info), source, info->snd_portid,
			       info->extack);
}

typedef int (*sluice_txn_fn)(struct sluice_wl *wl, const char *source,
			     u32 portid, struct netlink_ext_ack *extack);

static int sluice_wl_txn(struct genl_info *info, sluice_txn_fn fn)
{
	const char *source;

	if (sluice_missing(info, SLUICE_A_SOURCE, "transaction needs a source"))
		return -EINVAL;
	source = sluice_source(info, info->extack);
	if (!source)
		return -EINVAL;
	return fn(info_list(info), source, info->snd_portid, info->extack);
}

static int sluice_wl_begin_doit(struct sk_buff *skb, struct genl_info *info)
{
	return sluice_wl_txn(info, sluice_wl_begin);
}

static int sluice_wl_commit_doit(struct sk_buff *skb, struct genl_info *info)
{
	return sluice_wl_txn(info, sluice_wl_commit);
}

static int sluice_wl_abort_doit(struct sk_buff *skb, struct genl_info *info)
{
	return sluice_wl_txn(info, sluice_wl_abort);
}

/* ---- white_list reading -------------------------------------------- */

struct sluice_dump_ctx {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	unsigned long done;
	unsigned int gen;		/* set by the walk before any visit */
};

/* Where each dump resumes, in cb->ctx. */
struct sluice_dump_cursor {
	struct wl_cursor entry;		/* WL_GET */
	u64 source;			/* WL_SOURCES */
};

static struct sluice_dump_cursor *sluice_cursor(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct sluice_dump_cursor) > sizeof(cb->ctx));
	return (struct sluice_dump_cursor *)cb->ctx;
}

/*
 * Every callback of a dump takes the generation it read under the lock
 * as cb->seq, before any message, even when it emits none: the core
 * checks it on each message and on NLMSG_DONE, so a dump that spans a
 * change always ends flagged NLM_F_DUMP_INTR.
 */
static void sluice_dump_seq(struct sluice_dump_ctx *ctx)
{
	ctx->cb->seq = ctx->gen;
}

static int sluice_put_entry(struct sk_buff *skb,
			    const struct wl_entry_info *e)
{
	if (sluice_put_key(skb, SLUICE_A_PREFIX, e->key) ||
	    nla_put_string(skb, SLUICE_A_SOURCE, e->source))
		return -EMSGSIZE;
	if (e->timed && nla_put_u32(skb, SLUICE_A_TIMEOUT, e->timeout_left))
		return -EMSGSIZE;
	return 0;
}

static int sluice_dump_entry(const struct wl_entry_info *e, void *arg)
{
	struct sluice_dump_ctx *ctx = arg;
	void *hdr;

	hdr = genlmsg_put(ctx->skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &sluice_family, NLM_F_MULTI,
			  SLUICE_CMD_WL_GET);
	if (!hdr)
		return 1;
	sluice_dump_seq(ctx);
	genl_dump_check_consistent(ctx->cb, hdr);
	if (sluice_put_entry(ctx->skb, e)) {
		genlmsg_cancel(ctx->skb, hdr);
		return 1;
	}
	genlmsg_end(ctx->skb, hdr);
	ctx->done++;
	return 0;
}

static int sluice_wl_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct sluice_net *sn = sluice_pernet(sock_net(skb->sk));
	struct nlattr **tb = sluice_dump_attrs(cb);
	struct sluice_dump_ctx ctx = { .skb = skb, .cb = cb };
	const char *source = NULL;

	if (tb && tb[SLUICE_A_SOURCE])
		source = nla_data(tb[SLUICE_A_SOURCE]);
	sluice_wl_walk(sluice_list(sn, tb), source, &sluice_cursor(cb)->entry,
		       sluice_dump_entry, &ctx, &ctx.gen);
	sluice_dump_seq(&ctx);
	return ctx.done ? skb->len : 0;
}

static int sluice_dump_source(const struct wl_source_info *s, void *arg)
{
	struct sluice_dump_ctx *ctx = arg;
	void *hdr;

	hdr = genlmsg_put(ctx->skb, NETLINK_CB(ctx->cb->skb).portid,
			  ctx->cb->nlh->nlmsg_seq, &sluice_family, NLM_F_MULTI,
			  SLUICE_CMD_WL_SOURCES);
	if (!hdr)
		return 1;
	sluice_dump_seq(ctx);
	genl_dump_check_consistent(ctx->cb, hdr);
	if (nla_put_string(ctx->skb, SLUICE_A_SOURCE, s->name) ||
	    nla_put_u32(ctx->skb, SLUICE_A_ENTRIES4, s->n4) ||
	    nla_put_u32(ctx->skb, SLUICE_A_ENTRIES6, s->n6) ||
	    (s->txn_open && nla_put_flag(ctx->skb, SLUICE_A_TXN_OPEN))) {
		genlmsg_cancel(ctx->skb, hdr);
		return 1;
	}
	genlmsg_end(ctx->skb, hdr);
	ctx->done++;
	return 0;
}

static int sluice_wl_sources_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct sluice_net *sn = sluice_pernet(sock_net(skb->sk));
	struct sluice_dump_ctx ctx = { .skb = skb, .cb = cb };

	sluice_wl_walk_sources(sluice_list(sn, sluice_dump_attrs(cb)),
			       &sluice_cursor(cb)->source, sluice_dump_source,
			       &ctx, &ctx.gen);
	sluice_dump_seq(&ctx);
	return ctx.done ? skb->len : 0;
}

struct sluice_lookup_ctx {
	struct sk_buff *msg;
	bool first;
};

static int sluice_lookup_put(const struct wl_entry_info *e, void *arg)
{
	struct sluice_lookup_ctx *ctx = arg;

	if (ctx->first) {
		ctx->first = false;
		if (sluice_put_key(ctx->msg, SLUICE_A_PREFIX, e->key))
			return -EMSGSIZE;
	}
	return nla_put_string(ctx->msg, SLUICE_A_SOURCE, e->source);
}

/* Append MATCH (and PREFIX, SOURCE*) for @addr to @msg. */
static int sluice_nl_put_match(struct sk_buff *msg, struct sluice_wl *wl,
			const struct wl_key *addr)
{
	struct sluice_lookup_ctx ctx = { .msg = msg, .first = true };
	int err;

	err = sluice_wl_explain(wl, addr, sluice_lookup_put, &ctx);
	if (err && err != -ENOENT)
		return err;
	return nla_put_u8(msg, SLUICE_A_MATCH, !err);
}

static int sluice_wl_lookup_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	struct wl_key addr;
	void *hdr;
	int err;

	if (sluice_missing(info, SLUICE_A_ADDRESS, "lookup needs an address"))
		return -EINVAL;
	err = sluice_parse_prefix(info->attrs[SLUICE_A_ADDRESS], &addr, true,
				  info->extack);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &sluice_family, 0,
				SLUICE_CMD_WL_LOOKUP);
	if (!hdr) {
		err = -EMSGSIZE;
		goto free;
	}
	err = sluice_nl_put_match(msg, info_list(info), &addr);
	if (err)
		goto free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
free:
	nlmsg_free(msg);
	return err;
}

/* ---- classify ------------------------------------------------------ */

/*
 * The list entry behind a decision, as WL_LOOKUP reports it, after LIST:
 * the destination's for WHITE_LIST and PROXY_LIST, the source's for
 * SRC_EXCLUDED (MATCH 0 if only its MAC is listed).
 */
static int sluice_classify_put_match(struct sk_buff *msg,
				     struct sluice_net *sn,
				     const struct sluice_decision *d,
				     const struct sluice_tuple *t,
				     const struct wl_key *dst)
{
	enum sluice_list list;
	struct wl_key src;

	switch (d->rule) {
	case SLUICE_RULE_WHITE_LIST:
		list = SLUICE_LIST_WHITE;
		break;
	case SLUICE_RULE_PROXY_LIST:
		list = SLUICE_LIST_PROXY;
		break;
	case SLUICE_RULE_SRC_EXCLUDED:
		memset(&src, 0, sizeof(src));
		src.family = t->family;
		src.plen = wl_key_maxlen(&src);
		memcpy(src.addr, &t->saddr, t->family == AF_INET ? 4 : 16);
		dst = &src;
		list = SLUICE_LIST_SRC;
		break;
	default:
		return 0;
	}
	if (nla_put_u32(msg, SLUICE_A_LIST, list))
		return -EMSGSIZE;
	return sluice_nl_put_match(msg, &sn->lists[list], dst);
}

static int sluice_classify_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[SLUICE_TUPLE_MAX + 1];
	struct sluice_net *sn = info_sn(info);
	struct sluice_tuple t = {};
	struct wl_key dst, src;
	struct sk_buff *msg;
	struct sluice_decision d;
	void *hdr;
	int err;

	if (sluice_missing(info, SLUICE_A_TUPLE, "classify needs a tuple"))
		return -EINVAL;
	err = nla_parse_nested(tb, SLUICE_TUPLE_MAX,
			       info->attrs[SLUICE_A_TUPLE],
			       sluice_tuple_policy, info->extack);
	if (err)
		return err;
	if (!tb[SLUICE_TUPLE_DST]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SLUICE_A_TUPLE],
				    "tuple needs a destination");
		return -EINVAL;
	}
	err = sluice_parse_prefix(tb[SLUICE_TUPLE_DST], &dst, true,
				  info->extack);
	if (err)
		return err;
	t.family = dst.family;
	memcpy(&t.daddr, dst.addr, sizeof(t.daddr));
	if (tb[SLUICE_TUPLE_SRC]) {
		err = sluice_parse_prefix(tb[SLUICE_TUPLE_SRC], &src, true,
					  info->extack);
		if (err)
			return err;
		if (src.family != dst.family) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[SLUICE_TUPLE_SRC],
					    "source and destination families differ");
			return -EINVAL;
		}
		memcpy(&t.saddr, src.addr, sizeof(t.saddr));
	}
	t.proto = tb[SLUICE_TUPLE_PROTO] ?
		  nla_get_u8(tb[SLUICE_TUPLE_PROTO]) : IPPROTO_TCP;
	if (tb[SLUICE_TUPLE_SPORT])
		t.sport = htons(nla_get_u16(tb[SLUICE_TUPLE_SPORT]));
	if (tb[SLUICE_TUPLE_DPORT])
		t.dport = htons(nla_get_u16(tb[SLUICE_TUPLE_DPORT]));
	if (tb[SLUICE_TUPLE_MARK])
		t.mark = nla_get_u32(tb[SLUICE_TUPLE_MARK]);
	if (tb[SLUICE_TUPLE_IIF])
		nla_strscpy(t.iif, tb[SLUICE_TUPLE_IIF], IFNAMSIZ);
	if (tb[SLUICE_TUPLE_MAC]) {
		t.has_mac = true;
		nla_memcpy(t.mac, tb[SLUICE_TUPLE_MAC], ETH_ALEN);
	}
	/* The gateway's own packet: no input interface, no source MAC. */
	t.local_out = nla_get_flag(tb[SLUICE_TUPLE_LOCAL]);

	err = sluice_classify(sn, genl_info_net(info), &t, &d);
	if (err) {
		/* Only an unknown IIF fails; LOCAL ignores IIF. */
		NL_SET_ERR_MSG_ATTR(info->extack, tb[SLUICE_TUPLE_IIF],
				    "no such input interface");
		return err;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &sluice_family, 0,
				SLUICE_CMD_CLASSIFY);
	if (!hdr ||
	    nla_put_u32(msg, SLUICE_A_VERDICT, d.verdict) ||
	    nla_put_u32(msg, SLUICE_A_RULE, d.rule)) {
		err = -EMSGSIZE;
		goto free;
	}
	err = sluice_classify_put_match(msg, sn, &d, &t, &dst);
	if (err)
		goto free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
free:
	nlmsg_free(msg);
	return err;
}

/* ---- flows --------------------------------------------------------- */

/*
 * Clear the kept verdict of live flows (all, or those to ADDRESS, a
 * prefix), so that a list change applies to them at their next packet.
 */
static int sluice_flows_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sluice_net *sn = info_sn(info);
	union nf_inet_addr pfx = {};
	struct sk_buff *msg;
	struct wl_key key;
	u8 family = 0;
	u32 ct_mask;
	void *hdr;
	u32 n;
	int err;

	if (info->attrs[SLUICE_A_ADDRESS]) {
		err = sluice_parse_prefix(info->attrs[SLUICE_A_ADDRESS], &key,
					  false, info->extack);
		if (err)
			return err;
		family = key.family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
		memcpy(&pfx, key.addr, key.family == AF_INET ? 4 : 16);
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rcu_read_lock();
	ct_mask = rcu_dereference(sn->cfg)->ct_mask;
	rcu_read_unlock();
	n = sluice_flow_flush(genl_info_net(info), ct_mask, family,
			      family ? &pfx : NULL, family ? key.plen : 0);
	hdr = genlmsg_put_reply(msg, info, &sluice_family, 0,
				SLUICE_CMD_FLOWS_FLUSH);
	if (!hdr || nla_put_u32(msg, SLUICE_A_FLOWS, n)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- family -------------------------------------------------------- */

#define SLUICE_OP(_cmd, _doit, _policy, _flags) {			\
	.cmd = _cmd,							\
	.doit = _doit,							\
	.policy = _policy,						\
	.maxattr = ARRAY_SIZE(_policy) - 1,				\
	.flags = _flags,						\
}

/* Reads too: see the top of this file. */
#define SLUICE_PERM	GENL_UNS_ADMIN_PERM

static const struct genl_ops sluice_ops[] = {
	{
		.cmd = SLUICE_CMD_GET_CONFIG,
		.doit = sluice_get_config,
		.flags = SLUICE_PERM,
	},
	SLUICE_OP(SLUICE_CMD_SET_CONFIG, sluice_set_config,
		  sluice_config_policy, SLUICE_PERM),
	SLUICE_OP(SLUICE_CMD_GET_COUNTERS, sluice_get_counters,
		  sluice_list_policy, SLUICE_PERM),
	SLUICE_OP(SLUICE_CMD_WL_ADD, sluice_wl_add_doit, sluice_wl_policy,
		  SLUICE_PERM),
	SLUICE_OP(SLUICE_CMD_WL_DEL, sluice_wl_del_doit, sluice_wl_policy,
		  SLUICE_PERM),
	{
		.cmd = SLUICE_CMD_WL_GET,
		.dumpit = sluice_wl_get_dumpit,
		.policy = sluice_src_policy,
		.maxattr = ARRAY_SIZE(sluice_src_policy) - 1,
		.flags = SLUICE_PERM,
	},
	SLUICE_OP(SLUICE_CMD_WL_FLUSH, sluice_wl_flush_doit, sluice_src_policy,
		  SLUICE_PERM),
	SLUICE_OP(SLUICE_CMD_WL_LOOKUP, sluice_wl_lookup_doit,
		  sluice_lookup_policy, SLUICE_PERM),
	SLUICE_OP(SLUICE_CMD_WL_BEGIN, sluice_wl_begin_doit, sluice_src_policy,
		  SLUICE_PERM),
	SLUICE_OP(SLUICE_CMD_WL_COMMIT, sluice_wl_commit_doit,
		  sluice_src_policy, SLUICE_PERM),
	SLUICE_OP(SLUICE_CMD_WL_ABORT, sluice_wl_abort_doit, sluice_src_policy,
		  SLUICE_PERM),
	{
		.cmd = SLUICE_CMD_WL_SOURCES,
		.dumpit = sluice_wl_sources_dumpit,
		.policy = sluice_list_policy,
		.maxattr = ARRAY_SIZE(sluice_list_policy) - 1,
		.flags = SLUICE_PERM,
	},
	SLUICE_OP(SLUICE_CMD_CLASSIFY, sluice_classify_doit,
		  sluice_classify_policy, SLUICE_PERM),
	SLUICE_OP(SLUICE_CMD_FLOWS_FLUSH, sluice_flows_flush_doit,
		  sluice_flows_policy, SLUICE_PERM),
};

static struct genl_family sluice_family __ro_after_init = {
	.name = SLUICE_GENL_NAME,
	.version = SLUICE_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = sluice_ops,
	.n_ops = ARRAY_SIZE(sluice_ops),
	.resv_start_op = 0,
};

/* A socket closed: its open transactions, on every list, die with it. */
static int sluice_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct sluice_net *sn;
	int i;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	sn = sluice_pernet(n->net);
	for (i = 0; i < __SLUICE_LIST_MAX; i++)
		sluice_wl_release(&sn->lists[i], n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block sluice_netlink_nb = {
	.notifier_call = sluice_netlink_event,
};

int __init sluice_genl_init(void)
{
	int err;

	err = netlink_register_notifier(&sluice_netlink_nb);
	if (err)
		return err;
	err = genl_register_family(&sluice_family);
	if (err)
		netlink_unregister_notifier(&sluice_netlink_nb);
	return err;
}

void sluice_genl_exit(void)
{
	genl_unregister_family(&sluice_family);
	netlink_unregister_notifier(&sluice_netlink_nb);
}
