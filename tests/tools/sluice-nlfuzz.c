// SPDX-License-Identifier: GPL-2.0
/*
 * sluice-nlfuzz: a generic netlink fuzzer for the "sluice" family, run
 * inside the VM guests (never against the host's kernel).
 *
 *   sluice-nlfuzz invalid N [SEED]
 *	N requests, every one carrying a change no correct kernel accepts
 *	(nlfuzz-gen.c): each must be refused.  One that succeeds is a
 *	failure, and so is one left without an answer.
 *   sluice-nlfuzz mixed N [SEED]
 *	the same generator, but most requests stay valid (they change the
 *	state), plus transactions opened on one socket and committed,
 *	aborted, or abandoned by closing the socket, and dumps abandoned
 *	half read.  At the end no transaction of a closed socket may be
 *	left open.
 *   sluice-nlfuzz show N SEED [invalid|mixed]
 *	print request N of that run in hex (to reproduce one)
 *   sluice-nlfuzz gen N SEED invalid|mixed
 *	build the requests without sending them (checks the generator)
 *   sluice-nlfuzz perm eperm|allowed|strict	(nlfuzz-perm.c)
 *   sluice-nlfuzz limits			(nlfuzz-limits.c)
 *
 * Request i depends only on SEED and i, so a run is reproducible and any
 * single request can be printed again.  Every command 0..SLUICE_CMD_MAX+2
 * is used, doit and dump; eight sockets are used in turn, and now and then
 * one is closed and another opened.  Answers are read with a timeout, so
 * nothing blocks forever.  Exit status: 0 clean, 1 failures, 2 setup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "errname.h"
#include "nlfuzz.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define N_SOCKS		8
#define ANSWER_MS	5000
#define MAX_ERRNO	4096

struct nlf_sock {
	int fd;
	uint32_t portid;
};

static uint16_t family_id;
static uint32_t seq_counter = 1;
static uint8_t rbuf[128 * 1024];
static uint8_t last_reply[64 * 1024];
static size_t last_reply_len;
void (*nlf_on_reply)(const struct nlmsghdr *m, void *arg);
void *nlf_on_reply_arg;

/* Totals of a run. */
static struct {
	unsigned long sent, answered, ok, vanished, timeouts, replies, stray;
	unsigned long overruns, send_errors, churn, dumps_abandoned;
	unsigned long txn_scripts, txn_abandoned;
	unsigned long err[MAX_ERRNO];
	unsigned long per_cmd[256], per_cmd_ok[256];
} st;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

uint32_t nlf_next_seq(void)
{
	return seq_counter++;
}

const uint8_t *nlf_last_reply(size_t *len)
{
	*len = last_reply_len;
	return last_reply;
}

uint16_t nlf_family(struct nlf_sock *s)
{
	(void)s;
	return family_id;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void extack_of(const struct nlmsghdr *m, struct nlf_result *res)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	const struct nlattr *a;

	if (!(m->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(m->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (off > m->nlmsg_len)
		return;
	mnl_attr_for_each(a, m, off - NLMSG_HDRLEN) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_get_payload_len(a) > 0)
			snprintf(res->extack, sizeof(res->extack), "%.*s",
				 (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
	}
}

/*
 * Read answers until @seq is answered (and @sentinel, if non-zero, which
 * follows a request netlink may drop silently).  False on timeout.
 */
static bool wait_answer(struct nlf_sock *s, uint32_t seq, uint32_t sentinel,
			struct nlf_result *res)
{
	long deadline = now_ms() + ANSWER_MS;
	bool sentinel_seen = !sentinel;

	while (!res->answered || !sentinel_seen) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		long left = deadline - now_ms();
		const struct nlmsghdr *m;
		int n;

		/* A dropped request ends with the sentinel's ack. */
		if (sentinel_seen && sentinel && !res->answered)
			break;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			if (left <= 0)
				return false;
			continue;
		}
		n = (int)recv(s->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS)
				st.overruns++;
			else if (errno != EAGAIN && errno != EINTR)
				die("recv");
			continue;
		}
		for (m = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(m, n);
		     m = mnl_nlmsg_next(m, &n)) {
			if (sentinel && m->nlmsg_seq == sentinel) {
				sentinel_seen = true;
				continue;
			}
			if (m->nlmsg_seq != seq || res->answered) {
				st.stray++;
				continue;
			}
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(m);

				res->err = e->error;
				res->answered = true;
				extack_of(m, res);
			} else if (m->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (mnl_nlmsg_get_payload_len(m) >= sizeof(int))
					memcpy(&err, mnl_nlmsg_get_payload(m),
					       sizeof(int));
				res->err = err;
				res->answered = true;
			} else {
				res->replies++;
				if (nlf_on_reply)
					nlf_on_reply(m, nlf_on_reply_arg);
				last_reply_len = m->nlmsg_len;
				if (last_reply_len > sizeof(last_reply))
					last_reply_len = sizeof(last_reply);
				memcpy(last_reply, m, last_reply_len);
			}
		}
	}
	return true;
}

static int send_raw(struct nlf_sock *s, const void *buf, size_t len)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		return -errno;
	return 0;
}

bool nlf_request(struct nlf_sock *s, const struct nlf_msg *m, uint32_t seq,
		 struct nlf_result *res)
{
	uint32_t sentinel = 0;
	int err;

	memset(res, 0, sizeof(*res));
	last_reply_len = 0;
	err = send_raw(s, m->buf, m->len);
	if (err) {
		st.send_errors++;
		res->err = err;
		res->answered = true;
		return true;
	}
	if (m->may_vanish) {
		/* NLMSG_NOOP with NLM_F_ACK: always acked, in order. */
		struct nlmsghdr noop = {
			.nlmsg_len = NLMSG_HDRLEN,
			.nlmsg_type = NLMSG_NOOP,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
			.nlmsg_seq = sentinel = nlf_next_seq(),
		};

		err = send_raw(s, &noop, sizeof(noop));
		if (err) {
			errno = -err;
			die("send noop");
		}
	}
	return wait_answer(s, seq, sentinel, res);
}

static int family_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

struct nlf_sock *nlf_sock_open(bool ext_ack)
{
	struct nlf_sock *s = calloc(1, sizeof(*s));
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);
	int one = 1, rcv = 4 << 20;

	if (!s)
		die("calloc");
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		die("socket");
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &sl) < 0)
		die("bind");
	s->portid = sa.nl_pid;
	if (ext_ack)
		setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
			   sizeof(one));
	/* Big enough for any dump part; without privilege, the default. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (!family_id) {
		struct nlf_msg *m = malloc(sizeof(*m));
		struct nlf_result res;
		uint32_t seq = nlf_next_seq();

		if (!m)
			die("malloc");
		nlf_msg_start(m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, seq);
		nlf_put_str(m, CTRL_ATTR_FAMILY_NAME, SLUICE_GENL_NAME);
		if (!nlf_request(s, m, seq, &res) || res.err ||
		    !last_reply_len) {
			fprintf(stderr, "sluice-nlfuzz: family %s not found\n",
				SLUICE_GENL_NAME);
			exit(2);
		}
		mnl_attr_parse((const struct nlmsghdr *)last_reply,
			       GENL_HDRLEN, family_cb, &family_id);
		free(m);
		if (!family_id) {
			fprintf(stderr, "sluice-nlfuzz: no family id\n");
			exit(2);
		}
	}
	return s;
}

void nlf_sock_close(struct nlf_sock *s)
{
	if (s) {
		close(s->fd);
		free(s);
	}
}

/* ---- fuzzing ------------------------------------------------------- */

static const char *cmd_name(unsigned int cmd)
{
	static char buf[16];

	if (cmd < __SLUICE_CMD_MAX && nlf_cmds[cmd].name)
		return nlf_cmds[cmd].name;
	snprintf(buf, sizeof(buf), "cmd%u", cmd);
	return buf;
}

static void hexdump(const struct nlf_msg *m, size_t max)
{
	size_t i, n = m->len < max ? m->len : max;

	for (i = 0; i < n; i++)
		printf("%02x%s", m->buf[i], (i % 32 == 31) ? "\n    " : " ");
	printf("%s\n", m->len > max ? "..." : "");
}

struct run {
	bool invalid;		/* every request must be refused */
	uint64_t seed;
	struct nlf_env env;
	struct nlf_sock *socks[N_SOCKS];
	unsigned long failures;
};

/* The sources the fuzzer may change; the test's own ones are others. */
static void run_init(struct run *run, bool invalid, uint64_t seed)
{
	static const char *const fz[] = { "fz0", "fz1", "fz2", "fz3" };
	unsigned int k;

	run->invalid = invalid;
	run->seed = seed;
	for (k = 0; k < 4; k++)
		run->env.sources[k] = fz[k];
	run->env.n_sources = 4;
}

/* Request @i of the run, alone: depends only on the seed and @i. */
static struct rng rng_for(const struct run *run, unsigned long i)
{
	struct rng r = { run->seed ^ (0x5851f42d4c957f2dULL * (i + 1)) };

	rng_next(&r);
	return r;
}

static void build(struct run *run, unsigned long i, struct nlf_msg *m,
		  uint32_t seq)
{
	struct rng r = rng_for(run, i);
	uint8_t cmd = (uint8_t)rng_below(&r, SLUICE_CMD_MAX + 3);
	unsigned int k, muts = rng_below(&r, 4);

	nlf_valid(&r, &run->env, m, cmd, seq);
	for (k = 0; k < muts; k++)
		nlf_mutate(&r, m);
	if (run->invalid || rng_pct(&r, 40))
		nlf_poison(&r, m, true);
}

static void account(struct run *run, unsigned long i, const struct nlf_msg *m,
		    const struct nlf_result *res, bool answered)
{
	uint8_t cmd = m->len >= NLMSG_HDRLEN + 1 ?
		      m->buf[NLMSG_HDRLEN] : 0;

	st.sent++;
	st.per_cmd[cmd]++;
	st.replies += res->replies;
	if (!answered) {
		st.timeouts++;
		run->failures++;
		printf("FAIL request %lu (%s, %s): no answer in %d ms\n", i,
		       cmd_name(cmd), m->poison ?: "valid", ANSWER_MS);
		return;
	}
	if (!res->answered) {
		st.vanished++;
		return;
	}
	st.answered++;
	if (res->err == 0) {
		st.ok++;
		st.per_cmd_ok[cmd]++;
		if (run->invalid && run->failures++ < 20) {
			printf("FAIL request %lu (%s, poison %s) was accepted:\n    ",
			       i, cmd_name(cmd), m->poison ?: "none");
			hexdump(m, 256);
		}
		return;
	}
	if (-res->err > 0 && -res->err < MAX_ERRNO)
		st.err[-res->err]++;
	else
		st.err[0]++;
}

static struct nlf_sock *reopen(struct run *run, unsigned int k,
			       struct rng *r)
{
	nlf_sock_close(run->socks[k]);
	run->socks[k] = nlf_sock_open(rng_pct(r, 80));
	st.churn++;
	return run->socks[k];
}

/* A dump request answered by one part at most, then the socket closed. */
static void abandon_dump(struct run *run, unsigned int k, struct rng *r)
{
	struct nlf_sock *s = run->socks[k];
	struct nlf_msg *m = malloc(sizeof(*m));
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	if (!m)
		die("malloc");
	nlf_msg_start(m, family_id, rng_pct(r, 70) ? SLUICE_CMD_WL_GET :
		      SLUICE_CMD_WL_SOURCES, NLM_F_DUMP, nlf_next_seq());
	if (!send_raw(s, m->buf, m->len) && rng_pct(r, 50) &&
	    poll(&p, 1, 1000) > 0)
		(void)!recv(s->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
	free(m);
	reopen(run, k, r);
	st.dumps_abandoned++;
}

/*
 * Mixed mode: a transaction on one socket, with its adds possibly
 * mutated, ended by commit, abort, closing the socket, or not at all
 * (the socket closes later, or at the end of the run).
 */
static unsigned long txn_script(struct run *run, unsigned long i,
				unsigned long n, struct nlf_msg *m)
{
	struct rng r = rng_for(run, i);
	unsigned int k = rng_below(&r, N_SOCKS);
	const char *src = run->env.sources[rng_below(&r, run->env.n_sources)];
	unsigned int adds = rng_below(&r, 5), end = rng_below(&r, 4), j;
	unsigned long used = 0;
	struct nlf_result res;
	bool answered;
	uint32_t seq;

	st.txn_scripts++;
	for (j = 0; j < adds + 2 && i + used < n; j++) {
		uint8_t cmd = j == 0 ? SLUICE_CMD_WL_BEGIN :
			      j <= adds ? SLUICE_CMD_WL_ADD :
			      end == 0 ? SLUICE_CMD_WL_COMMIT :
			      end == 1 ? SLUICE_CMD_WL_ABORT : 0;

		if (!cmd) {
			/* 2: close now; 3: leave it open on the socket. */
			if (end == 2) {
				reopen(run, k, &r);
				st.txn_abandoned++;
			}
			break;
		}
		seq = nlf_next_seq();
		nlf_msg_start(m, family_id, cmd, 0, seq);
		nlf_put_str(m, SLUICE_A_SOURCE, src);
		if (cmd == SLUICE_CMD_WL_ADD) {
			nlf_add_prefixes(&r, m, 1 + rng_below(&r, 8));
			if (rng_pct(&r, 30))
				nlf_mutate(&r, m);
		}
		answered = nlf_request(run->socks[k], m, seq, &res);
		account(run, i + used, m, &res, answered);
		used++;
	}
	return used ? used : 1;
}

static bool txn_open_cb_found;

static int source_attr_cb(const struct nlattr *a, void *data)
{
	const char **name = data;

	if (mnl_attr_get_type(a) == SLUICE_A_SOURCE)
		*name = mnl_attr_get_str(a);
	if (mnl_attr_get_type(a) == SLUICE_A_TXN_OPEN)
		txn_open_cb_found = true;
	return MNL_CB_OK;
}

/*
 * After every fuzz socket closed: list the sources; a fuzz source still
 * being replaced is a transaction that outlived its socket.
 */
static unsigned long check_sources(const struct run *run)
{
	struct nlf_sock *s = nlf_sock_open(true);
	struct nlf_msg *m = malloc(sizeof(*m));
	uint32_t seq = nlf_next_seq();
	unsigned long bad = 0;
	bool done = false;
	long deadline = now_ms() + ANSWER_MS;

	if (!m)
		die("malloc");
	nlf_msg_start(m, family_id, SLUICE_CMD_WL_SOURCES, NLM_F_DUMP, seq);
	if (send_raw(s, m->buf, m->len))
		die("send");
	while (!done && now_ms() < deadline) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		const struct nlmsghdr *h;
		int n;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = (int)recv(s->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		for (h = (const struct nlmsghdr *)rbuf; n > 0 &&
		     mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			const char *name = "?";
			unsigned int j;

			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			txn_open_cb_found = false;
			mnl_attr_parse(h, GENL_HDRLEN, source_attr_cb, &name);
			printf("source %s%s\n", name,
			       txn_open_cb_found ? " (being replaced)" : "");
			for (j = 0; j < run->env.n_sources; j++)
				if (txn_open_cb_found &&
				    !strcmp(name, run->env.sources[j])) {
					printf("FAIL transaction of source %s outlived its socket\n",
					       name);
					bad++;
				}
		}
	}
	if (!done) {
		printf("FAIL source dump did not end\n");
		bad++;
	}
	free(m);
	nlf_sock_close(s);
	return bad;
}

static void report(const struct run *run, unsigned long n, long ms)
{
	unsigned long other[2] = { 0, 0 };
	unsigned int e;

	printf("method: %s, seed %llu, %u sockets, commands 0..%u (doit and dump)\n",
	       run->invalid ? "invalid-only (every request must be refused)" :
			      "mixed (valid and invalid, transactions, abandoned sockets)",
	       (unsigned long long)run->seed, N_SOCKS, SLUICE_CMD_MAX + 2);
	printf("messages: %lu sent in %.1f s (%.0f/s)\n", st.sent,
	       ms / 1000.0, ms ? st.sent * 1000.0 / ms : 0.0);
	printf("answers: %lu (%lu accepted, %lu refused), %lu dropped by netlink "
	       "(no answer by design), %lu timeouts\n", st.answered, st.ok,
	       st.answered - st.ok, st.vanished, st.timeouts);
	printf("replies: %lu data messages; %lu stray, %lu overruns, %lu send errors\n",
	       st.replies, st.stray, st.overruns, st.send_errors);
	printf("sockets: %lu reopened, %lu dumps abandoned, %lu transactions "
	       "(%lu abandoned by close)\n", st.churn, st.dumps_abandoned,
	       st.txn_scripts, st.txn_abandoned);
	printf("errno:");
	for (e = 0; e < MAX_ERRNO; e++)
		if (st.err[e])
			printf(" %s=%lu", e ? errname((int)e) :
					  "other", st.err[e]);
	printf("\nper command (sent/accepted):");
	for (e = 0; e <= SLUICE_CMD_MAX + 2; e++)
		printf(" %s=%lu/%lu", cmd_name(e), st.per_cmd[e],
		       st.per_cmd_ok[e]);
	for (e = SLUICE_CMD_MAX + 3; e < 256; e++) {
		other[0] += st.per_cmd[e];
		other[1] += st.per_cmd_ok[e];
	}
	printf(" cmd%u..255=%lu/%lu\n", SLUICE_CMD_MAX + 3, other[0],
	       other[1]);
	(void)n;
}

static int fuzz(bool invalid, unsigned long n, uint64_t seed)
{
	static struct run run;
	struct nlf_msg *m = malloc(sizeof(*m));
	struct nlf_result res;
	unsigned long i;
	unsigned int k;
	long t0;

	if (!m)
		die("malloc");
	run_init(&run, invalid, seed);
	for (k = 0; k < N_SOCKS; k++)
		run.socks[k] = nlf_sock_open(k % 4 != 3);
	run.env.family = family_id;
	printf("seed %llu, %lu requests, %s\n", (unsigned long long)seed, n,
	       invalid ? "invalid only" : "mixed");
	fflush(stdout);
	t0 = now_ms();
	for (i = 0; i < n;) {
		struct rng r = rng_for(&run, i);
		unsigned int act = rng_below(&r, 1000);
		uint32_t seq;
		bool answered;

		k = rng_below(&r, N_SOCKS);
		if (act < 3) {
			reopen(&run, k, &r);
		} else if (act < 5) {
			abandon_dump(&run, k, &r);
		} else if (!invalid && act < 40) {
			i += txn_script(&run, i, n, m);
			continue;
		}
		seq = nlf_next_seq();
		build(&run, i, m, seq);
		answered = nlf_request(run.socks[k], m, seq, &res);
		account(&run, i, m, &res, answered);
		i++;
		if (i % 100000 == 0) {
			printf("... %lu requests, %lu accepted\n", i, st.ok);
			fflush(stdout);
		}
	}
	for (k = 0; k < N_SOCKS; k++)
		nlf_sock_close(run.socks[k]);
	report(&run, n, now_ms() - t0);
	run.failures += check_sources(&run);
	free(m);
	printf("%s: %lu failures\n", run.failures ? "FAIL" : "ok",
	       run.failures);
	return run.failures ? 1 : 0;
}

static int show(unsigned long i, uint64_t seed, bool invalid)
{
	static struct run run;
	struct nlf_msg *m = malloc(sizeof(*m));

	if (!m)
		die("malloc");
	run_init(&run, invalid, seed);
	run.env.family = 0x1234;	/* not resolved: no kernel needed */
	build(&run, i, m, 1);
	printf("request %lu: cmd %s, poison %s, %zu bytes%s\n    ", i,
	       cmd_name(m->buf[NLMSG_HDRLEN]), m->poison ?: "none", m->len,
	       m->may_vanish ? " (netlink drops it)" : "");
	hexdump(m, m->len);
	free(m);
	return 0;
}

/*
 * Build requests 0..N-1 without sending them: a check of the generator
 * itself (run it under ASan/UBSan on the host), with the poison mix.
 */
static int gen_only(unsigned long n, uint64_t seed, bool invalid)
{
	static struct run run;
	struct nlf_msg *m = malloc(sizeof(*m));
	const char *names[32] = { NULL };
	unsigned long counts[32] = { 0 }, bytes = 0, bad = 0, i;
	unsigned int k;

	if (!m)
		die("malloc");
	run_init(&run, invalid, seed);
	run.env.family = 0x1234;
	for (i = 0; i < n; i++) {
		const char *p;

		build(&run, i, m, 1);
		bytes += m->len;
		if (!nlf_poison_visible(m) && bad++ < 10)
			printf("FAIL request %lu: poison %s is not in it\n", i,
			       m->poison);
		p = m->poison ?: "none";
		for (k = 0; k < 31 && names[k] && strcmp(names[k], p); k++)
			;
		names[k] = p;
		counts[k]++;
	}
	printf("%lu requests, %lu bytes\n", n, bytes);
	for (k = 0; k < 32 && names[k]; k++)
		printf("  %-20s %lu\n", names[k], counts[k]);
	free(m);
	printf("%s: %lu requests whose poison is not in them\n",
	       bad ? "FAIL" : "ok", bad);
	return bad ? 1 : 0;
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end) {
		fprintf(stderr, "sluice-nlfuzz: not a number: %s\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	uint64_t seed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && (!strcmp(argv[1], "invalid") ||
			  !strcmp(argv[1], "mixed"))) {
		seed = argc >= 4 ? num(argv[3]) :
		       (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		return fuzz(!strcmp(argv[1], "invalid"), num(argv[2]), seed);
	}
	if (argc >= 4 && !strcmp(argv[1], "show"))
		return show(num(argv[2]), num(argv[3]),
			    argc < 5 || strcmp(argv[4], "mixed"));
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return gen_only(num(argv[2]), num(argv[3]),
				strcmp(argv[4], "mixed"));
	if (argc >= 2 && !strcmp(argv[1], "perm"))
		return nlf_perm(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "limits"))
		return nlf_limits(argc - 1, argv + 1);
	fprintf(stderr,
		"usage: sluice-nlfuzz invalid|mixed N [SEED]\n"
		"       sluice-nlfuzz show I SEED [invalid|mixed]\n"
		"       sluice-nlfuzz perm eperm [--drop] | allowed | strict\n"
		"       sluice-nlfuzz limits\n");
	return 2;
}
