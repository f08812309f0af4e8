// SPDX-License-Identifier: GPL-2.0
/*
 * sluice-nlfuzz perm: every command of the uapi, sent raw and well formed.
 *
 *   perm eperm [--drop]
 *	the caller has no CAP_NET_ADMIN over the socket's namespace: every
 *	command, read-only ones too (the lists and the config say what the
 *	LAN's users do), must fail with EPERM, also when the request is
 *	malformed (the check comes before parsing).  --drop: open the
 *	socket as root, then drop to nobody
 *	with no capabilities before sending (a socket handed to an
 *	unprivileged process gives it nothing).
 *   perm allowed
 *	the caller administers the namespace (e.g. root of the user
 *	namespace that owns it): every state-changing command must work.
 *	Leaves port 4242 and 198.51.100.0/24 in source "perm".
 *
 *   perm strict
 *	every command with, in turn, each attribute the uapi does not list
 *	for it (well formed, with a valid value): each must be refused, as
 *	the uapi promises.  An accepted one was ignored, or worse (a flush
 *	with a prefix flushes the whole source).  Run it in a namespace of
 *	its own: an accepted request changes state.
 *
 * A command missing from nlf_cmds[] fails all three: it must be
 * classified before this check can say anything about it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netlink.h>

#include "errname.h"
#include "nlfuzz.h"

#define NOBODY 65534

static const char *name_of(unsigned int cmd)
{
	return nlf_cmds[cmd].name ?: "?";
}

/* A valid request for @cmd; false if this file does not know it. */
static bool perm_msg(struct nlf_msg *m, uint16_t family, uint8_t cmd,
		     uint32_t seq)
{
	static const uint8_t net[4] = { 198, 51, 100, 0 };
	static const uint8_t host[4] = { 198, 51, 100, 1 };
	uint16_t port = 4242;
	uint8_t tcp = 6;
	size_t t;

	nlf_msg_start(m, family, cmd,
		      nlf_kind(cmd) == NLF_DUMP ? NLM_F_DUMP : 0, seq);
	switch (cmd) {
	case SLUICE_CMD_GET_CONFIG:
	case SLUICE_CMD_GET_COUNTERS:
	case SLUICE_CMD_WL_GET:
	case SLUICE_CMD_WL_SOURCES:
		return true;
	case SLUICE_CMD_SET_CONFIG:
		nlf_put(m, SLUICE_A_PORT, &port, sizeof(port));
		return true;
	case SLUICE_CMD_WL_ADD:
	case SLUICE_CMD_WL_DEL:
		nlf_put_str(m, SLUICE_A_SOURCE, "perm");
		nlf_put_pfx(m, SLUICE_A_PREFIX, AF_INET, net, 24);
		return true;
	case SLUICE_CMD_WL_FLUSH:
	case SLUICE_CMD_WL_BEGIN:
	case SLUICE_CMD_WL_COMMIT:
	case SLUICE_CMD_WL_ABORT:
		nlf_put_str(m, SLUICE_A_SOURCE, "perm");
		return true;
	case SLUICE_CMD_WL_LOOKUP:
		nlf_put_pfx(m, SLUICE_A_ADDRESS, AF_INET, host, -1);
		return true;
	case SLUICE_CMD_FLOWS_FLUSH:
		nlf_put_pfx(m, SLUICE_A_ADDRESS, AF_INET, net, 24);
		return true;
	case SLUICE_CMD_CLASSIFY:
		t = nlf_nest_start(m, SLUICE_A_TUPLE);
		nlf_put(m, SLUICE_TUPLE_PROTO, &tcp, 1);
		nlf_put_pfx(m, SLUICE_TUPLE_DST, AF_INET, host, -1);
		nlf_nest_end(m, t);
		return true;
	}
	return false;
}

static int send_cmd(struct nlf_sock *s, struct nlf_msg *m, uint8_t cmd,
		    bool garbage, struct nlf_result *res)
{
	uint32_t seq = nlf_next_seq();
	uint32_t junk = 0xdeadbeef;

	if (!perm_msg(m, nlf_family(s), cmd, seq)) {
		printf("FAIL %s (%u): no request for it in nlfuzz-perm.c\n",
		       name_of(cmd), cmd);
		return -1;
	}
	if (garbage)
		nlf_put(m, SLUICE_A_MAX + 7, &junk, sizeof(junk));
	if (!nlf_request(s, m, seq, res)) {
		printf("FAIL %s: no answer\n", name_of(cmd));
		return -1;
	}
	return 0;
}

#define A(x)	(1ULL << (x))
#define LIST	A(SLUICE_A_LIST)

_Static_assert(SLUICE_A_MAX < 64, "attribute sets below are 64 bits");

/* The attributes each command takes, from the uapi comments. */
static const uint64_t takes[__SLUICE_CMD_MAX] = {
	[SLUICE_CMD_SET_CONFIG] = A(SLUICE_A_ENABLED) | A(SLUICE_A_MODE) |
		A(SLUICE_A_PORT) | A(SLUICE_A_PORT6) |
		A(SLUICE_A_LISTEN_ADDR4) | A(SLUICE_A_LISTEN_ADDR6) |
		A(SLUICE_A_BYPASS_MARK) | A(SLUICE_A_BYPASS_MASK) |
		A(SLUICE_A_FWMARK) | A(SLUICE_A_FWMARK_MASK) |
		A(SLUICE_A_LAN_IFS) | A(SLUICE_A_WAN_IF) |
		A(SLUICE_A_MASQUERADE) | A(SLUICE_A_NO_LISTENER) |
		A(SLUICE_A_LOCAL) | A(SLUICE_A_DNS_PORT) |
		A(SLUICE_A_DNS_LOCAL) | A(SLUICE_A_SRC_MODE) |
		A(SLUICE_A_SRC_MACS) | A(SLUICE_A_DEFAULT) |
		A(SLUICE_A_QUIC_REJECT) | A(SLUICE_A_CT_MASK),
	[SLUICE_CMD_GET_COUNTERS] = LIST,
	[SLUICE_CMD_WL_ADD] = A(SLUICE_A_SOURCE) | A(SLUICE_A_TIMEOUT) |
		A(SLUICE_A_PREFIX) | LIST,
	[SLUICE_CMD_WL_DEL] = A(SLUICE_A_SOURCE) | A(SLUICE_A_PREFIX) | LIST,
	[SLUICE_CMD_WL_GET] = A(SLUICE_A_SOURCE) | LIST,
	[SLUICE_CMD_WL_FLUSH] = A(SLUICE_A_SOURCE) | LIST,
	[SLUICE_CMD_WL_LOOKUP] = A(SLUICE_A_ADDRESS) | LIST,
	[SLUICE_CMD_WL_BEGIN] = A(SLUICE_A_SOURCE) | LIST,
	[SLUICE_CMD_WL_COMMIT] = A(SLUICE_A_SOURCE) | LIST,
	[SLUICE_CMD_WL_ABORT] = A(SLUICE_A_SOURCE) | LIST,
	[SLUICE_CMD_WL_SOURCES] = LIST,
	[SLUICE_CMD_CLASSIFY] = A(SLUICE_A_TUPLE),
	[SLUICE_CMD_FLOWS_FLUSH] = A(SLUICE_A_ADDRESS),
};

/* The state in which the plain request for @cmd would work. */
static void strict_setup(struct nlf_sock *s, struct nlf_msg *m, uint8_t cmd)
{
	struct nlf_result res;
	uint8_t pre;

	switch (cmd) {
	case SLUICE_CMD_WL_BEGIN:
		pre = SLUICE_CMD_WL_ABORT;
		break;
	case SLUICE_CMD_WL_COMMIT:
	case SLUICE_CMD_WL_ABORT:
		pre = SLUICE_CMD_WL_BEGIN;
		break;
	case SLUICE_CMD_WL_DEL:
		pre = SLUICE_CMD_WL_ADD;
		break;
	default:
		return;
	}
	send_cmd(s, m, pre, false, &res);
}

static int perm_strict(void)
{
	struct nlf_sock *s = nlf_sock_open(true);
	struct nlf_msg *m = malloc(sizeof(*m));
	struct rng r = { 1 };
	unsigned int cmd, t, bad = 0, sent = 0;
	struct nlf_result res;

	if (!m)
		return 2;
	for (cmd = 1; cmd <= SLUICE_CMD_MAX; cmd++) {
		if (nlf_kind(cmd) == NLF_UNKNOWN) {
			printf("FAIL command %u is not classified in nlf_cmds[]\n",
			       cmd);
			bad++;
			continue;
		}
		for (t = 1; t <= SLUICE_A_MAX; t++) {
			uint32_t seq = nlf_next_seq();

			if (t == SLUICE_A_PAD || (takes[cmd] & A(t)))
				continue;
			strict_setup(s, m, (uint8_t)cmd);
			perm_msg(m, nlf_family(s), (uint8_t)cmd, seq);
			nlf_put_valid(&r, m, (uint16_t)t);
			sent++;
			if (!nlf_request(s, m, seq, &res)) {
				printf("FAIL %s with attribute %u: no answer\n",
				       name_of(cmd), t);
				bad++;
			} else if (!res.err) {
				printf("FAIL %s with attribute %u (not taken by "
				       "the command): accepted\n", name_of(cmd), t);
				bad++;
			}
		}
	}
	printf("strict: %u requests with an attribute the command does not "
	       "take, %u accepted: %s\n", sent, bad, bad ? "FAIL" : "ok");
	free(m);
	nlf_sock_close(s);
	return bad ? 1 : 0;
}

static void drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		perror("drop privileges");
		exit(2);
	}
}

static int perm_eperm(bool drop)
{
	struct nlf_sock *s = nlf_sock_open(true);
	struct nlf_msg *m = malloc(sizeof(*m));
	struct nlf_result res;
	unsigned int cmd, bad = 0, changes = 0, reads = 0;

	if (!m)
		return 2;
	if (drop)
		drop_privileges();
	for (cmd = 1; cmd <= SLUICE_CMD_MAX; cmd++) {
		enum nlf_cmd_kind kind = nlf_kind(cmd);
		int want = -EPERM, pass;

		if (kind == NLF_UNKNOWN) {
			printf("FAIL command %u is not classified in nlf_cmds[]\n",
			       cmd);
			bad++;
			continue;
		}
		/* Well formed, then malformed: EPERM before any parsing. */
		for (pass = 0; pass < 2; pass++) {
			if (send_cmd(s, m, (uint8_t)cmd, pass, &res)) {
				bad++;
				continue;
			}
			printf("%-4s %-12s%s %s (%s)\n",
			       res.err == want ? "ok" : "FAIL", name_of(cmd),
			       pass ? " malformed" : "",
			       res.err ? errname(-res.err) : "ok",
			       res.extack[0] ? res.extack : "-");
			if (res.err != want)
				bad++;
		}
		if (kind == NLF_CHANGE)
			changes++;
		else
			reads++;
	}
	printf("%u state-changing and %u read-only commands refused: %s\n",
	       changes, reads, bad ? "FAIL" : "ok");
	free(m);
	nlf_sock_close(s);
	return bad ? 1 : 0;
}

static int perm_allowed(void)
{
	/* Each state-changing command once in a state where it works. */
	static const uint8_t seq_cmds[] = {
		SLUICE_CMD_SET_CONFIG,
		SLUICE_CMD_WL_ADD, SLUICE_CMD_WL_DEL,
		SLUICE_CMD_WL_ADD, SLUICE_CMD_WL_FLUSH,
		SLUICE_CMD_WL_BEGIN, SLUICE_CMD_WL_ADD, SLUICE_CMD_WL_COMMIT,
		SLUICE_CMD_WL_BEGIN, SLUICE_CMD_WL_ABORT,
		SLUICE_CMD_GET_CONFIG, SLUICE_CMD_GET_COUNTERS,
		SLUICE_CMD_WL_GET, SLUICE_CMD_WL_LOOKUP,
		SLUICE_CMD_WL_SOURCES, SLUICE_CMD_CLASSIFY,
		SLUICE_CMD_FLOWS_FLUSH,
	};
	struct nlf_sock *s = nlf_sock_open(true);
	struct nlf_msg *m = malloc(sizeof(*m));
	bool done[__SLUICE_CMD_MAX] = { false };
	struct nlf_result res;
	unsigned int i, bad = 0;

	if (!m)
		return 2;
	for (i = 0; i < sizeof(seq_cmds); i++) {
		uint8_t cmd = seq_cmds[i];

		if (send_cmd(s, m, cmd, false, &res)) {
			bad++;
			continue;
		}
		printf("%-4s %-12s %s (%s)\n", res.err ? "FAIL" : "ok",
		       name_of(cmd),
		       res.err ? errname(-res.err) : "ok",
		       res.extack[0] ? res.extack : "-");
		if (res.err)
			bad++;
		else
			done[cmd] = true;
	}
	for (i = 1; i <= SLUICE_CMD_MAX; i++) {
		if (nlf_kind(i) == NLF_UNKNOWN || !done[i]) {
			printf("FAIL %s (%u): not shown to work for the namespace's admin\n",
			       name_of(i), i);
			bad++;
		}
	}
	printf("every command works for the namespace's admin: %s\n",
	       bad ? "FAIL" : "ok");
	free(m);
	nlf_sock_close(s);
	return bad ? 1 : 0;
}

int nlf_perm(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "eperm"))
		return perm_eperm(argc >= 3 && !strcmp(argv[2], "--drop"));
	if (argc == 2 && !strcmp(argv[1], "allowed"))
		return perm_allowed();
	if (argc == 2 && !strcmp(argv[1], "strict"))
		return perm_strict();
	fprintf(stderr, "usage: sluice-nlfuzz perm eperm [--drop] | allowed | strict\n");
	return 2;
}
