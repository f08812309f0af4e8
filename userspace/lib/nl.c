// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Generic netlink plumbing (see nl.h).
 */
#include "nl.h"
#include "names.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sluice.h>

/*
 * Kernel dump skbs are up to 32 KiB once the reader's buffer is that
 * large; twice that leaves room and never truncates.
 */
#define RBUF_LEN 65536

static void err_set(struct sl_nl_err *e, int code, const char *msg)
{
	if (e->code)
		return;		/* keep the first error */
	e->code = code;
	snprintf(e->msg, sizeof(e->msg), "%s", msg ? msg : "");
}

/*
 * Parse the extack TLVs of an NLMSG_ERROR or NLMSG_DONE message.  @off is
 * where they start in the payload.  Copies NLMSGERR_ATTR_MSG, or a
 * description of NLMSGERR_ATTR_MISS_TYPE when the kernel gave no text.
 */
static void extack_msg(const struct nlmsghdr *nlh, size_t off,
		       char *out, size_t outlen, uint32_t *bad_off)
{
	const struct nlattr *a;
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	uint32_t miss = 0;
	bool have_msg = false, nested = false;

	out[0] = '\0';
	if (bad_off)
		*bad_off = 0;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off > plen)
		return;
	mnl_attr_for_each(a, nlh, off) {
		uint16_t t = mnl_attr_get_type(a);

		if (t == NLMSGERR_ATTR_MSG && !have_msg &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0) {
			snprintf(out, outlen, "%s", mnl_attr_get_str(a));
			/* The kernel's messages have no trailing newline, but
			 * be safe: we print exactly one line. */
			out[strcspn(out, "\n")] = '\0';
			have_msg = true;
		} else if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
			continue;
		} else if (t == NLMSGERR_ATTR_OFFS && bad_off) {
			*bad_off = mnl_attr_get_u32(a);
		} else if (t == NLMSGERR_ATTR_MISS_TYPE) {
			miss = mnl_attr_get_u32(a);
		} else if (t == NLMSGERR_ATTR_MISS_NEST) {
			nested = true;
		}
	}
	if (have_msg || !miss)
		return;
	if (!nested && sl_attr_name((uint16_t)miss))
		snprintf(out, outlen, "missing attribute %s",
			 sl_attr_name((uint16_t)miss));
	else
		snprintf(out, outlen, "missing %sattribute %u",
			 nested ? "nested " : "", miss);
}

/* Where the extack TLVs start in an NLMSG_ERROR payload. */
static size_t error_tlv_off(const struct nlmsghdr *nlh,
			    const struct nlmsgerr *err)
{
	size_t off = sizeof(*err);

	/* Without NETLINK_CAP_ACK the whole request is echoed first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    err->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += MNL_ALIGN(err->msg.nlmsg_len - sizeof(struct nlmsghdr));
	return off;
}

struct talk {
	uint32_t seq0;
	unsigned nreq;
	unsigned pending;
	sl_nl_cb cb;
	void *data;
	bool *intr;
	struct sl_nl_err *e;
};

int sl_nl_parse_status(const struct nlmsghdr *nlh, int *code,
		       char *msg, size_t msglen, uint32_t *bad_off)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh);

	*code = 0;
	msg[0] = '\0';
	if (bad_off)
		*bad_off = 0;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

		if (plen < sizeof(*err))
			return -1;
		*code = -err->error;
		if (err->error)
			extack_msg(nlh, error_tlv_off(nlh, err), msg, msglen,
				   bad_off);
		return 0;
	}
	/* NLMSG_DONE: a dump that failed half-way reports it here. */
	if (plen >= sizeof(int)) {
		int c;

		memcpy(&c, mnl_nlmsg_get_payload(nlh), sizeof(c));
		if (c < 0) {
			*code = -c;
			extack_msg(nlh, sizeof(int), msg, msglen, bad_off);
		}
	}
	return 0;
}

/* 1 = a request completed, 0 = data or ignored, -1 = malformed. */
static int one_msg(struct sl_nl *nl, struct talk *t, const struct nlmsghdr *nlh)
{
	char msg[sizeof(t->e->msg)];
	uint32_t bad_off;
	int code;

	if (nlh->nlmsg_pid != nl->portid && nlh->nlmsg_pid != 0)
		return 0;
	/* uint32 arithmetic: a stale seq gives a huge offset. */
	if (nlh->nlmsg_seq - t->seq0 >= t->nreq)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR && t->intr)
		*t->intr = true;

	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
		return 0;
	case NLMSG_ERROR:
	case NLMSG_DONE:
		if (sl_nl_parse_status(nlh, &code, msg, sizeof(msg),
				       &bad_off) < 0)
			return -1;
		if (code && !t->e->code) {
			err_set(t->e, code, msg);
			t->e->bad_seq = nlh->nlmsg_seq;
			t->e->bad_off = bad_off;
		}
		return 1;
	default:
		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			return 0;
		if (t->cb && t->cb(nlh, t->data) < 0)
			err_set(t->e, EPROTO, "malformed reply");
		return 0;
	}
}

int sl_nl_talk(struct sl_nl *nl, const void *buf, size_t len,
	       uint32_t seq0, unsigned nreq, sl_nl_cb cb, void *data,
	       bool *intr, struct sl_nl_err *e)
{
	struct talk t = { seq0, nreq, nreq, cb, data, intr, e };

	if (mnl_socket_sendto(nl->sock, buf, len) < 0) {
		err_set(e, errno, NULL);
		return -1;
	}
	while (t.pending) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rbuf,
						nl->rbuf_len);
		const struct nlmsghdr *nlh = (const void *)nl->rbuf;
		int left = (int)n;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* ENOBUFS means acks were lost: cannot resync. */
			err_set(e, errno, NULL);
			return -1;
		}
		while (mnl_nlmsg_ok(nlh, left)) {
			int r = one_msg(nl, &t, nlh);

			if (r < 0) {
				err_set(e, EPROTO, "malformed reply");
				return -1;
			}
			if (r > 0)
				t.pending--;
			nlh = mnl_nlmsg_next(nlh, &left);
		}
	}
	return e->code ? -1 : 0;
}

int sl_nl_talk1(struct sl_nl *nl, const struct nlmsghdr *req, sl_nl_cb cb,
		void *data, bool *intr, struct sl_nl_err *e)
{
	return sl_nl_talk(nl, req, req->nlmsg_len, req->nlmsg_seq, 1,
			  cb, data, intr, e);
}

static struct nlmsghdr *genl_hdr(void *buf, size_t buflen, uint16_t type,
				 uint8_t cmd, uint8_t version, uint16_t flags,
				 uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	/*
	 * libmnl before 1.0.5 leaves attribute padding unwritten: zero the
	 * whole buffer so no stale or uninitialised byte goes to the kernel.
	 */
	memset(buf, 0, buflen);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct nlmsghdr *sl_nl_req(struct sl_nl *nl, void *buf, size_t buflen,
			   uint8_t cmd, uint16_t flags)
{
	return genl_hdr(buf, buflen, nl->family, cmd, SLUICE_GENL_VERSION,
			flags, nl->seq++);
}

static int family_attr(const struct nlattr *a, void *data)
{
	struct sl_nl *nl = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		nl->family = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		nl->version = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr,
			   data) < 0)
		return -1;
	return 0;
}

int sl_nl_open(struct sl_nl *nl, struct sl_nl_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	memset(e, 0, sizeof(*e));
	nl->rbuf_len = RBUF_LEN;
	nl->rbuf = malloc(nl->rbuf_len);
	if (!nl->rbuf) {
		err_set(e, errno, NULL);
		return -1;
	}
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err_set(e, errno, NULL);
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = 1;
	/* Best effort: older kernels lack them and work without. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = genl_hdr(buf, sizeof(buf), GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
		       NLM_F_ACK, nl->seq++);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SLUICE_GENL_NAME);
	if (sl_nl_talk1(nl, nlh, family_cb, nl, NULL, e) < 0) {
		if (e->code == ENOENT)
			e->no_family = true;
		goto fail;
	}
	if (!nl->family) {
		e->no_family = true;
		e->code = ENOENT;
		goto fail;
	}
	return 0;

fail:
	sl_nl_close(nl);
	return -1;
}

void sl_nl_close(struct sl_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->rbuf);
	nl->sock = NULL;
	nl->rbuf = NULL;
}
