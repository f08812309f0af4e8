// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluice attribute encoding and decoding (see attrs.h).
 */
#include "attrs.h"

#include <string.h>
#include <linux/genetlink.h>

#define GENL_HDRLEN_ sizeof(struct genlmsghdr)

bool sl_put_prefix(struct nlmsghdr *nlh, size_t buflen, uint16_t type,
		   const struct sl_prefix *p, bool with_plen)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, buflen, type);
	bool ok;

	if (!nest)
		return false;
	if (p->family == AF_INET)
		ok = mnl_attr_put_check(nlh, buflen, SLUICE_PFX_ADDR4, 4,
					p->addr);
	else
		ok = mnl_attr_put_check(nlh, buflen, SLUICE_PFX_ADDR6, 16,
					p->addr);
	if (ok && with_plen)
		ok = mnl_attr_put_u8_check(nlh, buflen, SLUICE_PFX_PLEN,
					   p->plen);
	if (!ok) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

int sl_get_prefix(const struct nlattr *nest, struct sl_prefix *p)
{
	const struct nlattr *a;
	bool plen_set = false;

	memset(p, 0, sizeof(*p));
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case SLUICE_PFX_ADDR4:
			if (mnl_attr_get_payload_len(a) != 4 || p->family)
				return -1;
			p->family = AF_INET;
			memcpy(p->addr, mnl_attr_get_payload(a), 4);
			break;
		case SLUICE_PFX_ADDR6:
			if (mnl_attr_get_payload_len(a) != 16 || p->family)
				return -1;
			p->family = AF_INET6;
			memcpy(p->addr, mnl_attr_get_payload(a), 16);
			break;
		case SLUICE_PFX_PLEN:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return -1;
			p->plen = mnl_attr_get_u8(a);
			plen_set = true;
			break;
		}
	}
	if (!p->family)
		return -1;
	if (!plen_set)
		p->plen = (uint8_t)sl_prefix_maxlen(p);
	if (p->plen > sl_prefix_maxlen(p))
		return -1;
	return 0;
}

int sl_get_str(const struct nlattr *a, char *buf, size_t len)
{
	const char *s;
	size_t n;

	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return -1;
	s = mnl_attr_get_str(a);
	n = strlen(s);
	if (n >= len)
		return -1;
	memcpy(buf, s, n + 1);
	return 0;
}

bool sl_put_config(struct nlmsghdr *nlh, size_t buflen,
		   const struct sl_config *c)
{
	bool ok = true;
	unsigned i;

#define PUT(bit, stmt) do { if (ok && (c->have & (bit))) ok = (stmt); } while (0)
	PUT(SL_CFG_ENABLED, mnl_attr_put_u8_check(nlh, buflen,
			SLUICE_A_ENABLED, c->enabled));
	PUT(SL_CFG_MODE, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_MODE, c->mode));
	PUT(SL_CFG_PORT, mnl_attr_put_u16_check(nlh, buflen,
			SLUICE_A_PORT, c->port));
	PUT(SL_CFG_PORT6, mnl_attr_put_u16_check(nlh, buflen,
			SLUICE_A_PORT6, c->port6));
	PUT(SL_CFG_LISTEN4, mnl_attr_put_check(nlh, buflen,
			SLUICE_A_LISTEN_ADDR4, 4, c->listen4));
	PUT(SL_CFG_LISTEN6, mnl_attr_put_check(nlh, buflen,
			SLUICE_A_LISTEN_ADDR6, 16, c->listen6));
	PUT(SL_CFG_MARK, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_BYPASS_MARK, c->bypass_mark));
	PUT(SL_CFG_MARK, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_BYPASS_MASK, c->bypass_mask));
	PUT(SL_CFG_FWMARK, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_FWMARK, c->fwmark));
	PUT(SL_CFG_FWMARK, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_FWMARK_MASK, c->fwmark_mask));
	if (ok && (c->have & SL_CFG_LAN)) {
		/* An empty nest is meaningful: it clears the LAN set. */
		struct nlattr *nest = mnl_attr_nest_start_check(nlh, buflen,
							SLUICE_A_LAN_IFS);

		ok = nest != NULL;
		for (i = 0; ok && i < c->n_lan; i++)
			ok = mnl_attr_put_strz_check(nlh, buflen,
						     SLUICE_A_IFNAME, c->lan[i]);
		if (nest)
			mnl_attr_nest_end(nlh, nest);
	}
	PUT(SL_CFG_WAN, mnl_attr_put_strz_check(nlh, buflen,
			SLUICE_A_WAN_IF, c->wan));
	PUT(SL_CFG_MASQUERADE, mnl_attr_put_u8_check(nlh, buflen,
			SLUICE_A_MASQUERADE, c->masquerade));
	PUT(SL_CFG_NO_LISTENER, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_NO_LISTENER, c->no_listener));
	PUT(SL_CFG_LOCAL, mnl_attr_put_u8_check(nlh, buflen,
			SLUICE_A_LOCAL, c->local));
	PUT(SL_CFG_DNS_PORT, mnl_attr_put_u16_check(nlh, buflen,
			SLUICE_A_DNS_PORT, c->dns_port));
	PUT(SL_CFG_DNS_LOCAL, mnl_attr_put_u8_check(nlh, buflen,
			SLUICE_A_DNS_LOCAL, c->dns_local));
	PUT(SL_CFG_SRC_MODE, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_SRC_MODE, c->src_mode));
	if (ok && (c->have & SL_CFG_SRC_MACS)) {
		/* Empty, too, is meaningful: no MAC is listed any more. */
		struct nlattr *nest = mnl_attr_nest_start_check(nlh, buflen,
							SLUICE_A_SRC_MACS);

		ok = nest != NULL;
		for (i = 0; ok && i < c->n_src_macs; i++)
			ok = mnl_attr_put_check(nlh, buflen, SLUICE_A_MAC, 6,
						c->src_macs[i]);
		if (nest)
			mnl_attr_nest_end(nlh, nest);
	}
	PUT(SL_CFG_DEFAULT, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_DEFAULT, c->dflt));
	PUT(SL_CFG_QUIC, mnl_attr_put_u8_check(nlh, buflen,
			SLUICE_A_QUIC_REJECT, c->quic_reject));
	PUT(SL_CFG_CT_MASK, mnl_attr_put_u32_check(nlh, buflen,
			SLUICE_A_CT_MASK, c->ct_mask));
#undef PUT
	return ok;
}

static int get_lan(const struct nlattr *nest, struct sl_config *c)
{
	const struct nlattr *a;

	c->n_lan = 0;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != SLUICE_A_IFNAME)
			continue;
		if (c->n_lan == SLUICE_MAX_LAN_IFS ||
		    sl_get_str(a, c->lan[c->n_lan], sizeof(c->lan[0])) < 0)
			return -1;
		c->n_lan++;
	}
	c->have |= SL_CFG_LAN;
	return 0;
}

static int get_macs(const struct nlattr *nest, struct sl_config *c)
{
	const struct nlattr *a;

	c->n_src_macs = 0;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != SLUICE_A_MAC)
			continue;
		if (c->n_src_macs == SLUICE_MAX_SRC_MACS ||
		    mnl_attr_get_payload_len(a) != 6)
			return -1;
		memcpy(c->src_macs[c->n_src_macs++], mnl_attr_get_payload(a),
		       6);
	}
	c->have |= SL_CFG_SRC_MACS;
	return 0;
}

/* The u8 settings: which field and which `have` bit each fills. */
static uint8_t *u8_field(struct sl_config *c, uint16_t t, unsigned *bit)
{
	switch (t) {
	case SLUICE_A_ENABLED:
		*bit = SL_CFG_ENABLED;
		return &c->enabled;
	case SLUICE_A_MASQUERADE:
		*bit = SL_CFG_MASQUERADE;
		return &c->masquerade;
	case SLUICE_A_LOCAL:
		*bit = SL_CFG_LOCAL;
		return &c->local;
	case SLUICE_A_DNS_LOCAL:
		*bit = SL_CFG_DNS_LOCAL;
		return &c->dns_local;
	case SLUICE_A_QUIC_REJECT:
		*bit = SL_CFG_QUIC;
		return &c->quic_reject;
	}
	return NULL;
}

int sl_get_config(const struct nlmsghdr *nlh, struct sl_config *c)
{
	const struct nlattr *a;

	memset(c, 0, sizeof(*c));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN_) {
		uint16_t t = mnl_attr_get_type(a);
		size_t len = mnl_attr_get_payload_len(a);

		unsigned bit;
		uint8_t *u8;

		switch (t) {
		case SLUICE_A_ENABLED:
		case SLUICE_A_MASQUERADE:
		case SLUICE_A_LOCAL:
		case SLUICE_A_DNS_LOCAL:
		case SLUICE_A_QUIC_REJECT:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return -1;
			u8 = u8_field(c, t, &bit);
			*u8 = mnl_attr_get_u8(a);
			c->have |= bit;
			break;
		case SLUICE_A_PORT:
		case SLUICE_A_PORT6:
		case SLUICE_A_DNS_PORT:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return -1;
			if (t == SLUICE_A_PORT) {
				c->port = mnl_attr_get_u16(a);
				c->have |= SL_CFG_PORT;
			} else if (t == SLUICE_A_PORT6) {
				c->port6 = mnl_attr_get_u16(a);
				c->have |= SL_CFG_PORT6;
			} else {
				c->dns_port = mnl_attr_get_u16(a);
				c->have |= SL_CFG_DNS_PORT;
			}
			break;
		case SLUICE_A_MODE:
		case SLUICE_A_BYPASS_MARK:
		case SLUICE_A_BYPASS_MASK:
		case SLUICE_A_FWMARK:
		case SLUICE_A_FWMARK_MASK:
		case SLUICE_A_NO_LISTENER:
		case SLUICE_A_SRC_MODE:
		case SLUICE_A_DEFAULT:
		case SLUICE_A_CT_MASK: {
			uint32_t v;

			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			v = mnl_attr_get_u32(a);
			if (t == SLUICE_A_MODE) {
				c->mode = v;
				c->have |= SL_CFG_MODE;
			} else if (t == SLUICE_A_BYPASS_MARK) {
				c->bypass_mark = v;
				c->have |= SL_CFG_MARK;
			} else if (t == SLUICE_A_BYPASS_MASK) {
				c->bypass_mask = v;
				c->have |= SL_CFG_MARK;
			} else if (t == SLUICE_A_FWMARK) {
				c->fwmark = v;
				c->have |= SL_CFG_FWMARK;
			} else if (t == SLUICE_A_FWMARK_MASK) {
				c->fwmark_mask = v;
				c->have |= SL_CFG_FWMARK;
			} else if (t == SLUICE_A_NO_LISTENER) {
				c->no_listener = v;
				c->have |= SL_CFG_NO_LISTENER;
			} else if (t == SLUICE_A_SRC_MODE) {
				c->src_mode = v;
				c->have |= SL_CFG_SRC_MODE;
			} else if (t == SLUICE_A_CT_MASK) {
				c->ct_mask = v;
				c->have |= SL_CFG_CT_MASK;
			} else {
				c->dflt = v;
				c->have |= SL_CFG_DEFAULT;
			}
			break;
		}
		case SLUICE_A_LISTEN_ADDR4:
			if (len != 4)
				return -1;
			memcpy(c->listen4, mnl_attr_get_payload(a), 4);
			c->have |= SL_CFG_LISTEN4;
			break;
		case SLUICE_A_LISTEN_ADDR6:
			if (len != 16)
				return -1;
			memcpy(c->listen6, mnl_attr_get_payload(a), 16);
			c->have |= SL_CFG_LISTEN6;
			break;
		case SLUICE_A_LAN_IFS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
			    get_lan(a, c) < 0)
				return -1;
			break;
		case SLUICE_A_WAN_IF:
			if (sl_get_str(a, c->wan, sizeof(c->wan)) < 0)
				return -1;
			c->have |= SL_CFG_WAN;
			break;
		case SLUICE_A_SRC_MACS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
			    get_macs(a, c) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

int sl_get_entry(const struct nlmsghdr *nlh, struct sl_entry *en)
{
	const struct nlattr *a;
	bool have_pfx = false;

	memset(en, 0, sizeof(*en));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN_) {
		switch (mnl_attr_get_type(a)) {
		case SLUICE_A_PREFIX:
			if (sl_get_prefix(a, &en->pfx) < 0)
				return -1;
			have_pfx = true;
			break;
		case SLUICE_A_SOURCE:
			if (sl_get_str(a, en->source, sizeof(en->source)) < 0)
				return -1;
			break;
		case SLUICE_A_TIMEOUT:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			en->timeout = mnl_attr_get_u32(a);
			en->has_timeout = true;
			break;
		}
	}
	return have_pfx && en->source[0] ? 0 : -1;
}

int sl_get_match(const struct nlmsghdr *nlh, struct sl_match *m)
{
	const struct nlattr *a;

	memset(m, 0, sizeof(*m));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN_) {
		switch (mnl_attr_get_type(a)) {
		case SLUICE_A_MATCH:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return -1;
			m->match = mnl_attr_get_u8(a) != 0;
			break;
		case SLUICE_A_VERDICT:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			m->verdict = mnl_attr_get_u32(a);
			m->has_verdict = true;
			break;
		case SLUICE_A_RULE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			m->rule = mnl_attr_get_u32(a);
			break;
		case SLUICE_A_PREFIX:
			if (sl_get_prefix(a, &m->pfx) < 0)
				return -1;
			m->match = true;
			break;
		case SLUICE_A_LIST:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			m->list = mnl_attr_get_u32(a);
			m->has_list = true;
			break;
		case SLUICE_A_SOURCE:
			/* Repeated: one per owning source; keep what fits. */
			if (m->n_sources == SL_MAX_SOURCES)
				break;
			if (sl_get_str(a, m->sources[m->n_sources],
				       sizeof(m->sources[0])) < 0)
				return -1;
			m->n_sources++;
			break;
		}
	}
	return 0;
}

bool sl_put_flows_flush(struct nlmsghdr *nlh, size_t buflen,
			const struct sl_prefix *p)
{
	/* No ADDRESS: every flow.  PLEN always, as WL_ADD sends it. */
	return !p || sl_put_prefix(nlh, buflen, SLUICE_A_ADDRESS, p, true);
}

int sl_get_flows(const struct nlmsghdr *nlh, uint32_t *flows)
{
	const struct nlattr *a;
	bool have = false;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN_) {
		if (mnl_attr_get_type(a) != SLUICE_A_FLOWS)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return -1;
		*flows = mnl_attr_get_u32(a);
		have = true;
	}
	return have ? 0 : -1;
}

int sl_get_source_info(const struct nlmsghdr *nlh, struct sl_source_info *s)
{
	const struct nlattr *a;

	memset(s, 0, sizeof(*s));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN_) {
		switch (mnl_attr_get_type(a)) {
		case SLUICE_A_SOURCE:
			if (sl_get_str(a, s->name, sizeof(s->name)) < 0)
				return -1;
			break;
		case SLUICE_A_ENTRIES4:
		case SLUICE_A_ENTRIES6:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -1;
			if (mnl_attr_get_type(a) == SLUICE_A_ENTRIES4)
				s->entries4 = mnl_attr_get_u32(a);
			else
				s->entries6 = mnl_attr_get_u32(a);
			break;
		case SLUICE_A_TXN_OPEN:
			s->txn_open = true;
			break;
		}
	}
	return s->name[0] ? 0 : -1;
}
