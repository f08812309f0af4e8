/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Generic netlink plumbing for the "sluice" family over libmnl: open a
 * socket, resolve the family, send one request or a batch of requests,
 * and collect replies, acks and extended-ack error messages.
 *
 * Every request carries its own sequence number; a request is complete
 * when its NLMSG_ERROR (ack or error) or, for dumps, its NLMSG_DONE comes
 * back.  The first error seen is kept, with the kernel's extack text.
 */
#ifndef SLUICE_NL_H
#define SLUICE_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* Keep every request under this (WL_ADD batches fill up to it). */
#define SL_NL_MSG_MAX 16384
/* One sendmsg() carries at most this much: 4 full requests. */
#define SL_NL_SEND_MAX (4 * SL_NL_MSG_MAX)

struct sl_nl_err {
	int code;		/* positive errno; 0 = none */
	bool no_family;		/* the "sluice" family is not registered */
	char msg[256];		/* kernel extack message, "" if none */
	uint32_t bad_seq;	/* request that failed, and offset of the */
	uint32_t bad_off;	/* attribute it blamed (0: none given) */
	char what[64];		/* that attribute, in words, if known */
};

struct sl_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;		/* next sequence number to use */
	uint16_t family;
	uint32_t version;
	char *rbuf;
	size_t rbuf_len;
};

/* Called for every reply message that is not an ack/done/error. */
typedef int (*sl_nl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Open a socket with extended acks and resolve the family.  0, or -1 with
 * @e filled (e->no_family when the module is not loaded).
 */
int sl_nl_open(struct sl_nl *nl, struct sl_nl_err *e);
void sl_nl_close(struct sl_nl *nl);

/*
 * Start a sluice request in @buf (zeroed over @buflen first), with
 * NLM_F_REQUEST | @flags and the next sequence number.
 */
struct nlmsghdr *sl_nl_req(struct sl_nl *nl, void *buf, size_t buflen,
			   uint8_t cmd, uint16_t flags);

/*
 * Send @len bytes holding @nreq consecutive requests whose sequence
 * numbers start at @seq0, and read until each one has completed.  @cb
 * gets each data message; @intr (may be NULL) is set if any carried
 * NLM_F_DUMP_INTR.  Returns 0, or -1 with the first error in @e (all
 * acks are still drained, so the socket stays usable).
 */
int sl_nl_talk(struct sl_nl *nl, const void *buf, size_t len,
	       uint32_t seq0, unsigned nreq, sl_nl_cb cb, void *data,
	       bool *intr, struct sl_nl_err *e);

/* One request: the common case. */
int sl_nl_talk1(struct sl_nl *nl, const struct nlmsghdr *req, sl_nl_cb cb,
		void *data, bool *intr, struct sl_nl_err *e);

/*
 * Decode an NLMSG_ERROR or NLMSG_DONE message: *@code gets the positive
 * errno (0: ack / clean end), @msg the extack text if any.  -1 if the
 * message is too short to be one.  *@bad_off (may be NULL) gets the
 * NLMSGERR_ATTR_OFFS offset into the request, 0 if none.
 */
int sl_nl_parse_status(const struct nlmsghdr *nlh, int *code,
		       char *msg, size_t msglen, uint32_t *bad_off);

#endif /* SLUICE_NL_H */
