// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * sluice-flows: traffic for the fault and soak tests (tests/vm/t/8x-*,
 * tests/soak).  Every answer names the peer address the server saw, so the
 * client learns which path a flow took: the v2ray server's address
 * (proxied), the gateway's WAN address (direct, masqueraded) or nothing
 * (blocked).
 *
 *   sluice-flows serve tcp|udp ADDR PORT
 *       TCP: each connection gets "PEER\n" at once, then every line it
 *       sends is echoed.  UDP: each datagram is answered with "PEER LINE\n"
 *       (LINE: the datagram's first line).  One process, poll(2); prints
 *       "listening" once bound.  Bind ADDR exactly (UDP replies must come
 *       from the address that was asked).  A line that contains
 *       " late MS" is answered (UDP) or echoed (TCP) only MS ms later (at
 *       most 60 s; a TCP connection's later lines wait behind it): the far
 *       end then speaks first after the flow was idle that long.
 *   sluice-flows client tcp|udp ADDR PORT WORKERS TIMEOUT_MS PAUSE_MS
 *       WORKERS processes make new flows (a new socket each: a new
 *       conntrack entry, classified afresh) until SIGTERM: send
 *       "q\n", read the first line.  One line per flow on stdout:
 *         START_MS ok PEER LATENCY_MS
 *         START_MS fail WHAT LATENCY_MS SPORT  (WHAT: connect, timeout,
 *                                               ...; SPORT: the flow's
 *                                               source port, 0 if none,
 *                                               to find it in the tunnel
 *                                               client's access log)
 *       UDP resends the query every UDP_RESEND_MS until answered, as a
 *       resolver or a QUIC client would: a datagram lost where a flow
 *       changes path (sluice drops the first packet of a reused 5-tuple
 *       whose conntrack entry has the wrong NAT binding; design.md) costs
 *       that much time, not the flow.
 *       START_MS is CLOCK_REALTIME in ms, so tests can compare it with
 *       their own clock (bash $EPOCHREALTIME).  PAUSE_MS between flows of
 *       one worker keeps a TCG guest responsive.
 *   sluice-flows stream tcp|udp ADDR PORT INTERVAL_MS TIMEOUT_MS [GAP_MS]
 *       One flow kept for its whole life (one TCP connection, or one UDP
 *       socket: one conntrack entry): every INTERVAL_MS a numbered line,
 *       whose echo must come back within TIMEOUT_MS.  First line out:
 *       "peer PEER"; each lost exchange: "NOW_MS fail seq N WHAT"; UDP:
 *       each change of the answering path "NOW_MS peer PEER"; on
 *       SIGTERM: "stream: N ok F failed maxrtt MS peer PEER".
 *       Exit status 1 if any exchange failed.  Idle gaps of GAP_MS (a
 *       conntrack entry may expire in them): after SIGUSR2 the next line
 *       is sent GAP_MS late ("NOW_MS gap idle SEQ", the flow is silent,
 *       then the LAN side speaks first); after SIGUSR1 the next line asks
 *       the server to answer GAP_MS late ("NOW_MS gap late SEQ"; the
 *       exchange may take TIMEOUT_MS + GAP_MS; the far end speaks first);
 *       either ends with "NOW_MS gap done".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define LINE 256
#define UDP_RESEND_MS 2000

/* Set by SIGTERM: clients and streams finish and report. */
static volatile sig_atomic_t stop_now;

static void die(const char *what)
{
	fprintf(stderr, "sluice-flows: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long long now_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};

static void parse_addr(const char *s, const char *port, struct addr *a)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a->ss;
	int p = atoi(port);

	memset(a, 0, sizeof(*a));
	if (p <= 0 || p > 65535) {
		fprintf(stderr, "sluice-flows: bad port %s\n", port);
		exit(2);
	}
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		a->len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		a->len = sizeof(*a6);
	} else {
		fprintf(stderr, "sluice-flows: bad address %s\n", s);
		exit(2);
	}
	a->family = a->ss.ss_family;
}

static int proto_type(const char *s)
{
	if (!strcmp(s, "tcp"))
		return SOCK_STREAM;
	if (!strcmp(s, "udp"))
		return SOCK_DGRAM;
	fprintf(stderr, "sluice-flows: protocol must be tcp or udp\n");
	exit(2);
}

static void peer_text(const struct sockaddr_storage *ss, char *buf, size_t n)
{
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
			  buf, (socklen_t)n);
	else
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
			  (socklen_t)n);
}

/* A line's " late MS": the delay it asks for (ms, at most 60 s), or 0. */
static int late_ms(const char *line)
{
	const char *p = strstr(line, " late ");
	long v;

	if (!p)
		return 0;
	v = strtol(p + 6, NULL, 10);
	if (v <= 0)
		return 0;
	return v > 60000 ? 60000 : (int)v;
}

/* Milliseconds until @due (CLOCK_MONOTONIC), for poll(2); -1: never. */
static int poll_left(long long due)
{
	long long left;

	if (!due)
		return -1;
	left = due - now_ms(CLOCK_MONOTONIC);
	return left < 0 ? 0 : (int)left;
}

/* ---- serve ------------------------------------------------------------ */

struct conn {
	int fd;
	size_t len;
	char buf[LINE];
	long long due;		/* a "late" line waits in pend until then */
	size_t plen;
	char pend[LINE];
};

/*
 * Echo the whole lines in @c's buffer, in order; a "late" one is held
 * back (and the lines after it with it).  False if the peer is gone.
 */
static bool tcp_echo(struct conn *c)
{
	char *nl, line[LINE + 1];
	size_t k;
	int ms;

	if (c->due) {
		if (c->due > now_ms(CLOCK_MONOTONIC))
			return true;
		if (write(c->fd, c->pend, c->plen) < 0)
			return false;
		c->due = 0;
	}
	while ((nl = memchr(c->buf, '\n', c->len))) {
		k = (size_t)(nl - c->buf) + 1;
		memcpy(line, c->buf, k);
		line[k] = 0;
		memmove(c->buf, c->buf + k, c->len - k);
		c->len -= k;
		ms = late_ms(line);
		if (ms) {
			memcpy(c->pend, line, k);
			c->plen = k;
			c->due = now_ms(CLOCK_MONOTONIC) + ms;
			return true;
		}
		if (write(c->fd, line, k) < 0)
			return false;
	}
	/* drop a line too long */
	if (c->len == sizeof(c->buf))
		c->len = 0;
	return true;
}

#define MAX_LATE 64

/* An answer held back until @due ("late"). */
struct late {
	long long due;		/* 0: slot free */
	struct sockaddr_storage ss;
	socklen_t sl;
	size_t len;
	char out[LINE + 64];
};

static void serve_udp(int fd)
{
	static struct late late[MAX_LATE];

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char in[LINE], out[LINE + 64], peer[64], *nl;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long first = 0, now;
		ssize_t n;
		int k, i, ms;

		for (i = 0; i < MAX_LATE; i++)
			if (late[i].due && (!first || late[i].due < first))
				first = late[i].due;
		if (poll(&p, 1, poll_left(first)) < 0 && errno != EINTR)
			die("poll");
		now = now_ms(CLOCK_MONOTONIC);
		for (i = 0; i < MAX_LATE; i++) {
			if (!late[i].due || late[i].due > now)
				continue;
			sendto(fd, late[i].out, late[i].len, MSG_DONTWAIT,
			       (struct sockaddr *)&late[i].ss, late[i].sl);
			late[i].due = 0;
		}
		if (!(p.revents & POLLIN))
			continue;
		n = recvfrom(fd, in, sizeof(in) - 1, MSG_DONTWAIT,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("recvfrom");
		}
		in[n] = 0;
		nl = strchr(in, '\n');
		if (nl)
			*nl = 0;
		peer_text(&ss, peer, sizeof(peer));
		k = snprintf(out, sizeof(out), "%s %s\n", peer, in);
		ms = late_ms(in);
		for (i = 0; ms && i < MAX_LATE; i++) {
			if (late[i].due)
				continue;
			late[i].due = now + ms;
			late[i].ss = ss;
			late[i].sl = sl;
			late[i].len = (size_t)k;
			memcpy(late[i].out, out, (size_t)k);
			break;
		}
		if (ms && i < MAX_LATE)
			continue;
		/* A full socket buffer loses one answer: the client sees it. */
		sendto(fd, out, (size_t)k, MSG_DONTWAIT, (struct sockaddr *)&ss,
		       sl);
	}
}

static void serve_tcp(int lfd)
{
	static struct pollfd p[MAX_CONNS + 1];
	static struct conn c[MAX_CONNS + 1];
	int n = 1, i;

	p[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	for (;;) {
		long long first = 0;

		for (i = 1; i < n; i++)
			if (c[i].due && (!first || c[i].due < first))
				first = c[i].due;
		if (poll(p, (nfds_t)n, poll_left(first)) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if ((p[0].revents & POLLIN) && n <= MAX_CONNS) {
			struct sockaddr_storage ss;
			socklen_t sl = sizeof(ss);
			int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
					 SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd >= 0) {
				char peer[64], out[80];
				int k;

				peer_text(&ss, peer, sizeof(peer));
				k = snprintf(out, sizeof(out), "%s\n", peer);
				if (write(fd, out, (size_t)k) != k) {
					close(fd);
				} else {
					p[n] = (struct pollfd){ .fd = fd,
								.events = POLLIN };
					c[n].fd = fd;
					c[n].len = 0;
					c[n].due = 0;
					n++;
				}
			}
		}
		for (i = 1; i < n; i++) {
			ssize_t r = 1;

			if (p[i].revents) {
				r = read(p[i].fd, c[i].buf + c[i].len,
					 sizeof(c[i].buf) - c[i].len);
				if (r < 0 && errno == EAGAIN)
					continue;
				if (r > 0)
					c[i].len += (size_t)r;
			}
			if (r > 0 && tcp_echo(&c[i]))
				continue;
			close(p[i].fd);
			p[i] = p[n - 1];
			c[i] = c[n - 1];
			n--;
			i--;
		}
	}
}

static int serve(int type, const struct addr *a)
{
	int one = 1, fd = socket(a->family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 1024) < 0)
		die("listen");
	if (type == SOCK_STREAM)
		fcntl(fd, F_SETFL, O_NONBLOCK);
	printf("listening\n");
	fflush(stdout);
	if (type == SOCK_DGRAM)
		serve_udp(fd);
	else
		serve_tcp(fd);
	return 0;
}

/* ---- client side ------------------------------------------------------- */

/* Wait for @events on @fd until @deadline (CLOCK_MONOTONIC ms). */
static bool wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms(CLOCK_MONOTONIC);
		struct pollfd p = { .fd = fd, .events = events };
		int r;

		if (left <= 0)
			return false;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return true;
		if (r < 0 && (errno != EINTR || stop_now))
			return false;
	}
}

/*
 * Read one line into @buf before @deadline.  Returns its length, -1 on
 * timeout, -2 on EOF or error (errno kept for the report).
 */
static int read_line(int fd, char *buf, size_t n, long long deadline)
{
	size_t len = 0;

	for (;;) {
		ssize_t r;
		char *nl;

		if (!wait_fd(fd, POLLIN, deadline))
			return -1;
		r = recv(fd, buf + len, n - 1 - len, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return -2;
		}
		len += (size_t)r;
		buf[len] = 0;
		nl = strchr(buf, '\n');
		if (nl) {
			*nl = 0;
			return (int)(nl - buf);
		}
		if (len == n - 1)
			return (int)len;
	}
}

static const char *err_word(int e)
{
	switch (e) {
	case 0: return "eof";
	case ECONNREFUSED: return "refused";
	case ECONNRESET: return "reset";
	case EHOSTUNREACH: return "unreachable";
	case ENETUNREACH: return "netunreach";
	case ETIMEDOUT: return "timeout";
	case EPIPE: return "pipe";
	default: return "error";
	}
}

/* The local port @fd is bound to, 0 if none. */
static unsigned int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* One flow; fills @peer or @what, and @sport.  True if an answer came. */
static bool one_flow(int type, const struct addr *a, int tmo, char *peer,
		     size_t pn, const char **what, unsigned int *sport)
{
	long long deadline = now_ms(CLOCK_MONOTONIC) + tmo;
	int fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char buf[LINE], *sp;
	int r;

	*what = "socket";
	*sport = 0;
	if (fd < 0)
		return false;
	r = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	/* TCP and UDP alike have their port once connect() was called. */
	*sport = local_port(fd);
	if (r < 0 && errno == EINPROGRESS) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (!wait_fd(fd, POLLOUT, deadline)) {
			*what = "connect-timeout";
			goto out;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
		errno = err;
		r = err ? -1 : 0;
	}
	if (r < 0) {
		*what = err_word(errno);
		goto out;
	}
	for (;;) {
		long long t;

		if (send(fd, "q\n", 2, MSG_NOSIGNAL) != 2) {
			*what = err_word(errno);
			goto out;
		}
		if (type != SOCK_DGRAM) {
			r = read_line(fd, buf, sizeof(buf), deadline);
			break;
		}
		/* UDP: resend as a resolver would (see the header) */
		t = now_ms(CLOCK_MONOTONIC) + UDP_RESEND_MS;
		r = read_line(fd, buf, sizeof(buf), t < deadline ? t : deadline);
		if (r != -1 || t >= deadline)
			break;
	}
	if (r == -1) {
		*what = "timeout";
		goto out;
	}
	if (r < 0) {
		*what = err_word(errno);
		goto out;
	}
	sp = strchr(buf, ' ');
	if (sp)
		*sp = 0;
	snprintf(peer, pn, "%.63s", buf);
	close(fd);
	return true;
out:
	close(fd);
	return false;
}

static volatile int *stop_flag;

static void on_term(int sig)
{
	(void)sig;
	stop_now = 1;
}

/* Set by SIGUSR1 / SIGUSR2: the stream's next exchange has a gap. */
static volatile sig_atomic_t gap_late, gap_idle;

static void on_gap(int sig)
{
	if (sig == SIGUSR1)
		gap_late = 1;
	else
		gap_idle = 1;
}

static void worker(int type, const struct addr *a, int tmo, int pause_ms)
{
	char line[LINE], peer[64];

	/* Only the parent stops on SIGTERM (even one sent to the group). */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);

	while (!*stop_flag) {
		long long t0 = now_ms(CLOCK_REALTIME);
		long long m0 = now_ms(CLOCK_MONOTONIC);
		const char *what;
		unsigned int sport;
		bool ok = one_flow(type, a, tmo, peer, sizeof(peer), &what,
				   &sport);
		long long lat = now_ms(CLOCK_MONOTONIC) - m0;
		int k = ok ? snprintf(line, sizeof(line), "%lld ok %s %lld\n",
				      t0, peer, lat) :
			     snprintf(line, sizeof(line),
				      "%lld fail %s %lld %u\n", t0, what, lat,
				      sport);

		/* One write per line: whole lines even with many writers. */
		if (write(1, line, (size_t)k) != k)
			_exit(2);
		if (pause_ms > 0 && !*stop_flag)
			usleep((useconds_t)pause_ms * 1000);
	}
	_exit(0);
}

/* Block until SIGTERM (the handler is installed before any fork). */
static void wait_term(void)
{
	sigset_t none;

	sigemptyset(&none);
	while (!stop_now)
		sigsuspend(&none);
}

static int client(int type, const struct addr *a, int workers, int tmo,
		  int pause_ms)
{
	pid_t *pids = calloc((size_t)workers, sizeof(*pids));
	int i, rc = 0;

	stop_flag = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stop_flag == MAP_FAILED || !pids)
		die("mmap");
	*stop_flag = 0;
	/* Lines from several processes: appends never overwrite each other. */
	fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_APPEND);
	for (i = 0; i < workers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0)
			worker(type, a, tmo, pause_ms);
	}
	wait_term();
	*stop_flag = 1;
	for (i = 0; i < workers; i++) {
		int st;

		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			rc = 1;
	}
	return rc;
}

/* ---- stream ------------------------------------------------------------ */

static int stream(int type, const struct addr *a, int interval, int tmo,
		  int gap)
{
	char peer[64] = "-", last[64] = "", buf[LINE], msg[64];
	long long maxrtt = 0, ok = 0, failed = 0, seq = 0;
	int fd = socket(a->family, type | SOCK_CLOEXEC, 0), r, k;
	bool broken = false, late;
	struct sigaction sa = { .sa_handler = on_gap };

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	if (fd < 0)
		die("socket");
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		die("connect");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	/* TCP: the server greets with the peer address unasked. */
	if (type == SOCK_STREAM) {
		if (read_line(fd, peer, sizeof(peer),
			      now_ms(CLOCK_MONOTONIC) + tmo) < 0) {
			fprintf(stderr, "sluice-flows: stream: no greeting\n");
			return 2;
		}
	}
	for (;;) {
		long long t0, wait;

		if (gap_idle && gap > 0 && !stop_now) {
			long long end = now_ms(CLOCK_MONOTONIC) + gap;

			gap_idle = 0;
			printf("%lld gap idle %lld\n", now_ms(CLOCK_REALTIME),
			       seq + 1);
			fflush(stdout);
			while (!stop_now && now_ms(CLOCK_MONOTONIC) < end)
				usleep(20000);
			printf("%lld gap done\n", now_ms(CLOCK_REALTIME));
		}
		if (stop_now)
			break;
		t0 = now_ms(CLOCK_MONOTONIC);
		seq++;
		late = gap_late && gap > 0;
		gap_late = 0;
		wait = tmo;
		if (late) {
			k = snprintf(msg, sizeof(msg), "seq %lld late %d\n", seq,
				     gap);
			wait += gap;
			printf("%lld gap late %lld\n", now_ms(CLOCK_REALTIME),
			       seq);
		} else {
			k = snprintf(msg, sizeof(msg), "seq %lld\n", seq);
		}
		if (broken || send(fd, msg, (size_t)k, MSG_NOSIGNAL) != k) {
			printf("%lld fail seq %lld %s\n",
			       now_ms(CLOCK_REALTIME), seq,
			       broken ? "broken" : err_word(errno));
			broken = true;
			failed++;
		} else {
			/*
			 * TCP: the echo is the line itself.  UDP: "PEER seq N";
			 * a late answer to an earlier probe is skipped.
			 */
			for (;;) {
				r = read_line(fd, buf, sizeof(buf), t0 + wait);
				if (r < 0)
					break;
				char *got = buf;

				if (type == SOCK_DGRAM) {
					got = strchr(buf, ' ');
					if (!got)
						continue;
					*got++ = 0;
				}
				if (strncmp(got, msg, (size_t)k - 1) ||
				    got[k - 1])
					continue;
				if (type == SOCK_DGRAM)
					snprintf(peer, sizeof(peer), "%.63s", buf);
				break;
			}
			if (r < 0 && stop_now) {
				seq--;	/* interrupted, not lost */
				break;
			}
			if (r < 0) {
				printf("%lld fail seq %lld %s\n",
				       now_ms(CLOCK_REALTIME), seq,
				       r == -1 ? "timeout" : err_word(errno));
				failed++;
				if (type == SOCK_STREAM && r == -2)
					broken = true;
			} else {
				long long rtt = now_ms(CLOCK_MONOTONIC) - t0;

				if (rtt > maxrtt)
					maxrtt = rtt;
				ok++;
				/* UDP: each answer names its path; report changes. */
				if (seq == 1 && type == SOCK_DGRAM)
					printf("peer %s\n", peer);
				else if (type == SOCK_DGRAM && strcmp(peer, last))
					printf("%lld peer %s\n",
					       now_ms(CLOCK_REALTIME), peer);
				memcpy(last, peer, sizeof(last));
			}
		}
		if (seq == 1 && type == SOCK_STREAM)
			printf("peer %s\n", peer);
		if (late)
			printf("%lld gap done\n", now_ms(CLOCK_REALTIME));
		fflush(stdout);
		r = (int)(t0 + interval - now_ms(CLOCK_MONOTONIC));
		if (r > 0)
			usleep((useconds_t)r * 1000);
	}
	printf("stream: %lld ok %lld failed maxrtt %lld peer %s\n", ok, failed,
	       maxrtt, peer);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct rlimit rl = { MAX_CONNS + 64, MAX_CONNS + 64 };
	struct addr a;

	struct sigaction sa = { .sa_handler = on_term };
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Clients and streams report on SIGTERM (no SA_RESTART: a blocked
	 * poll or sleep returns at once); servers just die.
	 */
	if (argc > 1 && strcmp(argv[1], "serve")) {
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	setrlimit(RLIMIT_NOFILE, &rl);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "serve")) {
		parse_addr(argv[3], argv[4], &a);
		return serve(proto_type(argv[2]), &a);
	}
	if (argc == 8 && !strcmp(argv[1], "client")) {
		parse_addr(argv[3], argv[4], &a);
		return client(proto_type(argv[2]), &a, atoi(argv[5]),
			      atoi(argv[6]), atoi(argv[7]));
	}
	if ((argc == 7 || argc == 8) && !strcmp(argv[1], "stream")) {
		parse_addr(argv[3], argv[4], &a);
		return stream(proto_type(argv[2]), &a, atoi(argv[5]),
			      atoi(argv[6]), argc == 8 ? atoi(argv[7]) : 0);
	}
	fprintf(stderr,
		"usage: sluice-flows serve tcp|udp ADDR PORT\n"
		"       sluice-flows client tcp|udp ADDR PORT WORKERS TIMEOUT_MS PAUSE_MS\n"
		"       sluice-flows stream tcp|udp ADDR PORT INTERVAL_MS TIMEOUT_MS [GAP_MS]\n");
	return 2;
}
