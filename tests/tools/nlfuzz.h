/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sluice-nlfuzz: shared declarations of the message generator
 * (nlfuzz-gen.c) and the driver (sluice-nlfuzz.c).
 */
#ifndef NLFUZZ_H
#define NLFUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/sluice.h>

/*
 * The largest attribute type, 0x3fff.  NLA_TYPE_MASK itself is an int,
 * ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER), so NLA_TYPE_MASK - x and
 * NLA_TYPE_MASK + 1 are negative: as a range for rng_below() they cover
 * all of 32 bits, and truncated to a u16 they land on any type, the
 * family's valid ones included.
 */
#define NLF_TYPE_MAX	((uint16_t)NLA_TYPE_MASK)

/* Largest request: far below the socket's send buffer. */
#define NLF_MSG_MAX	(60 * 1024)

/* splitmix64: tiny, and the same seed gives the same messages. */
struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rng_next(r) % n) : 0;
}

static inline bool rng_pct(struct rng *r, unsigned int pct)
{
	return rng_below(r, 100) < pct;
}

/*
 * What a command does, from the uapi comments.  A command the table does
 * not know is fuzzed both ways; the privilege check refuses to run until
 * it is classified, so a new command cannot slip past it.
 */
enum nlf_cmd_kind {
	NLF_UNKNOWN,
	NLF_READ,		/* doit, changes nothing */
	NLF_DUMP,		/* dumpit only, changes nothing */
	NLF_CHANGE,		/* doit, needs CAP_NET_ADMIN */
};

struct nlf_cmd {
	const char *name;
	enum nlf_cmd_kind kind;
};

extern const struct nlf_cmd nlf_cmds[__SLUICE_CMD_MAX];

static inline enum nlf_cmd_kind nlf_kind(unsigned int cmd)
{
	return cmd < __SLUICE_CMD_MAX ? nlf_cmds[cmd].kind : NLF_UNKNOWN;
}

/* One request: nlmsghdr + genlmsghdr + attributes, built in place. */
struct nlf_msg {
	uint8_t buf[NLF_MSG_MAX] __attribute__((aligned(4)));
	size_t len;		/* bytes to send (may differ from nlmsg_len) */
	const char *poison;	/* the mutation that makes it invalid, if any */
	bool may_vanish;	/* netlink drops it without any answer */
};

/* Context the corpus needs: names of things in the test namespace. */
struct nlf_env {
	uint16_t family;
	const char *sources[8];	/* fuzz-owned sources (mixed mode) */
	unsigned int n_sources;
};

/* A valid request for @cmd with random parameters. */
void nlf_valid(struct rng *r, const struct nlf_env *env, struct nlf_msg *m,
	       uint8_t cmd, uint32_t seq);
/* A top-level attribute @type with a valid value of its kind. */
void nlf_put_valid(struct rng *r, struct nlf_msg *m, uint16_t type);
/* @n random valid SLUICE_A_PREFIX nests. */
void nlf_add_prefixes(struct rng *r, struct nlf_msg *m, unsigned int n);
/* One random change that may or may not keep the request valid. */
void nlf_mutate(struct rng *r, struct nlf_msg *m);
/* One change that every kernel must reject (sets m->poison). */
void nlf_poison(struct rng *r, struct nlf_msg *m, bool allow_vanish);

/* False if @m's poison is one that can be seen and it is not there. */
bool nlf_poison_visible(const struct nlf_msg *m);

/* Fixed requests for the privilege checks (nlfuzz-perm.c). */
void nlf_msg_start(struct nlf_msg *m, uint16_t family, uint8_t cmd,
		   uint16_t flags, uint32_t seq);
void nlf_put(struct nlf_msg *m, uint16_t type, const void *data, size_t len);
void nlf_put_str(struct nlf_msg *m, uint16_t type, const char *s);
size_t nlf_nest_start(struct nlf_msg *m, uint16_t type);
void nlf_nest_end(struct nlf_msg *m, size_t off);
void nlf_put_pfx(struct nlf_msg *m, uint16_t type, int family,
		 const void *addr, int plen);

/* sluice-nlfuzz.c: one request and its answer. */
struct nlf_sock;
struct nlf_result {
	int err;		/* 0 or -errno of the ack / dump end */
	unsigned int replies;	/* data messages (dump parts, replies) */
	bool answered;		/* an ack, an error or NLMSG_DONE came */
	char extack[160];
};

int nlf_perm(int argc, char **argv);
int nlf_limits(int argc, char **argv);

/* Shared by the modes: a socket in the current namespace. */
struct nlf_sock *nlf_sock_open(bool ext_ack);
void nlf_sock_close(struct nlf_sock *s);
uint16_t nlf_family(struct nlf_sock *s);
/* Send @m (nlmsg_seq @seq) and wait for its end; false on timeout. */
bool nlf_request(struct nlf_sock *s, const struct nlf_msg *m, uint32_t seq,
		 struct nlf_result *res);
uint32_t nlf_next_seq(void);
/* Called for every data message of the answers, if set. */
struct nlmsghdr;
extern void (*nlf_on_reply)(const struct nlmsghdr *m, void *arg);
extern void *nlf_on_reply_arg;
/* Last data reply of the last request (for reading GET answers). */
const uint8_t *nlf_last_reply(size_t *len);

#endif /* NLFUZZ_H */
