// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * White-list operations (see wl.h).
 */
#include "wl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sluice.h>

/*
 * The kernel blamed the attribute at e->bad_off of request e->bad_seq:
 * if it is one of our prefixes, name it, so that "del" of 500 prefixes
 * says which one was not there.
 */
static void name_bad_prefix(const char *buf, size_t len, struct sl_nl_err *e)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlattr *a;
		struct sl_prefix p;

		if (nlh->nlmsg_seq != e->bad_seq)
			continue;
		if (e->bad_off < NLMSG_HDRLEN ||
		    (size_t)e->bad_off + sizeof(*a) > nlh->nlmsg_len)
			return;
		a = (const void *)((const char *)nlh + e->bad_off);
		if (a->nla_len < sizeof(*a) ||
		    (size_t)e->bad_off + a->nla_len > nlh->nlmsg_len)
			return;
		if (mnl_attr_get_type(a) == SLUICE_A_PREFIX &&
		    sl_get_prefix(a, &p) == 0)
			sl_prefix_format(&p, e->what, sizeof(e->what));
		return;
	}
}

/*
 * The white list is the kernel's default: leaving LIST out for it keeps
 * every white-list request valid for a module older than the lists.
 */
static void put_list(struct nlmsghdr *nlh, uint32_t list)
{
	if (list != SLUICE_LIST_WHITE)
		mnl_attr_put_u32(nlh, SLUICE_A_LIST, list);
}

static int send_batch(struct sl_nl *nl, const char *buf, size_t len,
		      uint32_t seq0, unsigned nreq, struct sl_nl_err *e)
{
	if (!nreq)
		return 0;
	if (sl_nl_talk(nl, buf, len, seq0, nreq, NULL, NULL, NULL, e) == 0)
		return 0;
	if (e->bad_off)
		name_bad_prefix(buf, len, e);
	return -1;
}

int sl_wl_prefixes(struct sl_nl *nl, uint8_t cmd, uint32_t list,
		   const char *source, uint32_t timeout, const struct sl_prefix *v, size_t n,
		   struct sl_nl_err *e)
{
	struct nlmsghdr *nlh = NULL;
	uint32_t seq0 = 0;
	unsigned nreq = 0;
	size_t off = 0, i = 0;
	char *buf;
	int ret = 0;

	buf = calloc(1, SL_NL_SEND_MAX);
	if (!buf) {
		e->code = errno;
		return -1;
	}
	while (i < n) {
		if (!nlh) {
			/* Room for one more full request in this sendmsg? */
			if (SL_NL_SEND_MAX - off < SL_NL_MSG_MAX) {
				ret = send_batch(nl, buf, off, seq0, nreq, e);
				if (ret < 0)
					goto out;
				off = 0;
				nreq = 0;
			}
			nlh = sl_nl_req(nl, buf + off, SL_NL_MSG_MAX, cmd,
					NLM_F_ACK);
			if (!nreq++)
				seq0 = nlh->nlmsg_seq;
			put_list(nlh, list);
			if (source)
				mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, source);
			if (timeout)
				mnl_attr_put_u32(nlh, SLUICE_A_TIMEOUT, timeout);
		}
		if (sl_put_prefix(nlh, SL_NL_MSG_MAX, SLUICE_A_PREFIX, &v[i],
				  true)) {
			i++;
			continue;
		}
		/* Request full: close it; the next loop starts another. */
		off += MNL_ALIGN(nlh->nlmsg_len);
		nlh = NULL;
	}
	if (nlh)
		off += MNL_ALIGN(nlh->nlmsg_len);
	ret = send_batch(nl, buf, off, seq0, nreq, e);
out:
	free(buf);
	return ret;
}

int sl_wl_simple(struct sl_nl *nl, uint8_t cmd, uint32_t list,
		 const char *source, struct sl_nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = sl_nl_req(nl, buf, sizeof(buf), cmd,
					 NLM_F_ACK);

	put_list(nlh, list);
	if (source)
		mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, source);
	return sl_nl_talk1(nl, nlh, NULL, NULL, NULL, e);
}

struct flows_reply {
	uint32_t n;
	bool have;
};

static int flows_cb(const struct nlmsghdr *nlh, void *data)
{
	struct flows_reply *r = data;

	if (sl_get_flows(nlh, &r->n) < 0)
		return -1;
	r->have = true;
	return 0;
}

int sl_flows_flush(struct sl_nl *nl, const struct sl_prefix *p,
		   uint32_t *flows, struct sl_nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct flows_reply r = { 0 };
	struct nlmsghdr *nlh = sl_nl_req(nl, buf, sizeof(buf),
					 SLUICE_CMD_FLOWS_FLUSH, NLM_F_ACK);

	if (!sl_put_flows_flush(nlh, sizeof(buf), p)) {
		e->code = EMSGSIZE;
		return -1;
	}
	if (sl_nl_talk1(nl, nlh, flows_cb, &r, NULL, e) < 0)
		return -1;
	if (!r.have) {
		e->code = EPROTO;
		snprintf(e->msg, sizeof(e->msg),
			 "the module's reply carries no flow count");
		return -1;
	}
	*flows = r.n;
	return 0;
}

int sl_wl_replace(struct sl_nl *nl, uint32_t list, const char *source,
		  const struct sl_prefix *v, size_t n, struct sl_nl_err *e)
{
	struct sl_nl_err ignored = { 0 };

	/* A failed BEGIN opened nothing of ours: nothing to abort. */
	if (sl_wl_simple(nl, SLUICE_CMD_WL_BEGIN, list, source, e) < 0)
		return -1;
	if (sl_wl_prefixes(nl, SLUICE_CMD_WL_ADD, list, source, 0, v, n,
			   e) == 0 &&
	    sl_wl_simple(nl, SLUICE_CMD_WL_COMMIT, list, source, e) == 0)
		return 0;
	/*
	 * Best effort: if the socket itself broke, closing it aborts the
	 * transaction in the kernel anyway.
	 */
	sl_wl_simple(nl, SLUICE_CMD_WL_ABORT, list, source, &ignored);
	return -1;
}

/* A growable array of dump results of one element type. */
struct vec {
	char *v;
	size_t n, cap, size;
	int (*parse)(const struct nlmsghdr *nlh, void *elem);
};

static int vec_cb(const struct nlmsghdr *nlh, void *data)
{
	struct vec *vec = data;

	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 256;
		char *nv = realloc(vec->v, cap * vec->size);

		if (!nv)
			return -1;
		vec->v = nv;
		vec->cap = cap;
	}
	if (vec->parse(nlh, vec->v + vec->n * vec->size) < 0)
		return -1;
	vec->n++;
	return 0;
}

static int dump(struct sl_nl *nl, uint8_t cmd, uint32_t list,
		const char *source, struct vec *vec, bool *inconsistent, struct sl_nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int try;

	*inconsistent = false;
	for (try = 0; try < SL_DUMP_TRIES; try++) {
		struct nlmsghdr *nlh = sl_nl_req(nl, buf, sizeof(buf),
						 cmd, NLM_F_DUMP);
		bool intr = false;

		put_list(nlh, list);
		if (source)
			mnl_attr_put_strz(nlh, SLUICE_A_SOURCE, source);
		vec->n = 0;
		if (sl_nl_talk1(nl, nlh, vec_cb, vec, &intr, e) < 0) {
			free(vec->v);
			vec->v = NULL;
			vec->n = 0;
			return -1;
		}
		if (!intr)
			return 0;
	}
	*inconsistent = true;
	return 0;
}

static int parse_entry(const struct nlmsghdr *nlh, void *elem)
{
	return sl_get_entry(nlh, elem);
}

static int parse_source(const struct nlmsghdr *nlh, void *elem)
{
	return sl_get_source_info(nlh, elem);
}

int sl_wl_dump(struct sl_nl *nl, uint32_t list, const char *source,
	       struct sl_entry **v, size_t *n, bool *inconsistent,
	       struct sl_nl_err *e)
{
	struct vec vec = { NULL, 0, 0, sizeof(**v), parse_entry };
	int ret = dump(nl, SLUICE_CMD_WL_GET, list, source, &vec,
		       inconsistent, e);

	*v = (struct sl_entry *)(void *)vec.v;
	*n = vec.n;
	return ret;
}

int sl_wl_sources(struct sl_nl *nl, uint32_t list, struct sl_source_info **v,
		  size_t *n, bool *inconsistent, struct sl_nl_err *e)
{
	struct vec vec = { NULL, 0, 0, sizeof(**v), parse_source };
	int ret = dump(nl, SLUICE_CMD_WL_SOURCES, list, NULL, &vec,
		       inconsistent, e);

	*v = (struct sl_source_info *)(void *)vec.v;
	*n = vec.n;
	return ret;
}
