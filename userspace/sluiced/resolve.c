// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "proc.h"

void resolver_init(struct resolver *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	sl_pfx_list_init(&r->committed);
}

static void na_free(struct name_addrs *na)
{
	free(na->name);
	sl_pfx_list_free(&na->addrs);
	sl_pfx_list_free(&na->pending);
}

void resolver_free(struct resolver *r)
{
	size_t i;

	resolver_kill(r);
	for (i = 0; i < r->n; i++)
		na_free(&r->v[i]);
	free(r->v);
	free(r->out);
	sl_pfx_list_free(&r->committed);
	resolver_init(r);
}

void resolver_kill(struct resolver *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		/* Reaped here, so SIGCHLD handling never sees it again. */
		while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
			;
		r->pid = 0;
	}
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static struct name_addrs *find(struct resolver *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i].name && !strcmp(r->v[i].name, name))
			return &r->v[i];
	return NULL;
}

/* Keep exactly @names in the cache, in any order. */
static int trim(struct resolver *r, const struct name_list *names)
{
	struct name_addrs *v = calloc(names->n ? names->n : 1, sizeof(*v));
	size_t i;

	if (!v)
		return -1;
	for (i = 0; i < names->n; i++) {
		struct name_addrs *old = find(r, names->v[i]);

		if (old) {
			v[i] = *old;
			old->name = NULL;	/* moved */
		} else {
			v[i].name = strdup(names->v[i]);
			sl_pfx_list_init(&v[i].addrs);
			if (!v[i].name) {
				while (i--)
					na_free(&v[i]);
				free(v);
				return -1;
			}
		}
		sl_pfx_list_free(&v[i].pending);
		sl_pfx_list_init(&v[i].pending);
		v[i].pending_ok = false;
	}
	for (i = 0; i < r->n; i++)
		if (r->v[i].name)
			na_free(&r->v[i]);
	free(r->v);
	r->v = v;
	r->n = names->n;
	return 0;
}

/* In the child: one getaddrinfo per name, results as lines. */
static void child_resolve(int fd, const struct name_list *names)
{
	FILE *f = fdopen(fd, "w");
	size_t i;

	if (!f)
		_exit(1);
	for (i = 0; i < names->n; i++) {
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
					  .ai_family = AF_UNSPEC };
		struct addrinfo *res, *ai;
		struct sl_prefix p;
		char err[SL_ERR_LEN];
		int rc;

		if (sl_addr_parse(names->v[i], &p, err, sizeof(err)) == 0)
			continue;	/* literal: the parent has it */
		rc = getaddrinfo(names->v[i], NULL, &hints, &res);
		if (rc) {
			fprintf(f, "ERR %s %s\n", names->v[i],
				rc == EAI_SYSTEM ? strerror(errno)
						 : gai_strerror(rc));
			continue;
		}
		for (ai = res; ai; ai = ai->ai_next) {
			char a[INET6_ADDRSTRLEN];
			const void *src;

			if (ai->ai_family == AF_INET)
				src = &((struct sockaddr_in *)ai->ai_addr)->sin_addr;
			else if (ai->ai_family == AF_INET6)
				src = &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
			else
				continue;
			if (inet_ntop(ai->ai_family, src, a, sizeof(a)))
				fprintf(f, "OK %s %s\n", names->v[i], a);
		}
		freeaddrinfo(res);
	}
	_exit(fclose(f) ? 1 : 0);
}

int resolver_start(struct resolver *r, const struct name_list *names)
{
	bool need = false;
	int p[2];
	size_t i;

	if (r->pid > 0)
		return 1;	/* a round is running: it will do */
	if (trim(r, names) < 0) {
		log_err("resolve: out of memory");
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		struct sl_prefix a;
		char err[SL_ERR_LEN];

		if (sl_addr_parse(r->v[i].name, &a, err, sizeof(err)) == 0) {
			if (sl_pfx_list_push(&r->v[i].pending, &a) < 0)
				return -1;
			r->v[i].pending_ok = true;
		} else {
			need = true;
		}
	}
	r->len = 0;
	if (!need)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_err("resolve: pipe: %s", strerror(errno));
		return -1;
	}
	r->pid = fork();
	if (r->pid < 0) {
		log_err("resolve: fork: %s", strerror(errno));
		r->pid = 0;
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (r->pid == 0) {
		proc_reset_signals();
		close(p[0]);
		child_resolve(p[1], names);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	r->fd = p[0];
	r->started_ms = now_ms();
	return 1;
}

int resolver_read(struct resolver *r)
{
	for (;;) {
		ssize_t n;

		if (r->fd < 0)
			return 1;
		if (r->cap - r->len < 4096) {
			size_t cap = r->cap ? r->cap * 2 : 8192;
			char *b = cap <= (1u << 22) ? realloc(r->out, cap) : NULL;

			if (!b) {
				log_err("resolve: output too large");
				return 1;
			}
			r->out = b;
			r->cap = cap;
		}
		n = read(r->fd, r->out + r->len, r->cap - r->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			close(r->fd);
			r->fd = -1;
			return 1;
		}
		r->len += (size_t)n;
	}
}

int resolver_parse_line(char *line, const char **name, bool *ok,
			struct sl_prefix *addr, const char **reason)
{
	char err[SL_ERR_LEN], *sp1, *sp2;

	sp1 = strchr(line, ' ');
	if (!sp1)
		return -1;
	*sp1 = '\0';
	*name = sp1 + 1;
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2 || sp2 == sp1 + 1)
		return -1;
	*sp2 = '\0';
	if (!strcmp(line, "OK")) {
		*ok = true;
		*reason = NULL;
		return sl_addr_parse(sp2 + 1, addr, err, sizeof(err));
	}
	if (!strcmp(line, "ERR")) {
		*ok = false;
		*reason = sp2 + 1;
		return 0;
	}
	return -1;
}

int resolver_finish(struct resolver *r, struct sl_pfx_list *out,
		    bool *changed)
{
	char *line, *save = NULL;
	size_t i;

	sl_pfx_list_init(out);
	*changed = false;
	if (r->out) {
		r->out[r->len] = '\0';
		for (line = strtok_r(r->out, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			const char *name, *reason;
			struct name_addrs *na;
			struct sl_prefix a;
			bool ok;

			if (resolver_parse_line(line, &name, &ok, &a,
						&reason) < 0)
				continue;
			na = find(r, name);
			if (!na)
				continue;
			if (!ok) {
				log_warn("resolve %s: %s; keeping %zu last "
					 "good address(es)", name, reason,
					 na->addrs.n);
				continue;
			}
			if (sl_pfx_list_push(&na->pending, &a) < 0)
				return -1;
			na->pending_ok = true;
		}
	}
	r->len = 0;
	for (i = 0; i < r->n; i++) {
		struct name_addrs *na = &r->v[i];
		size_t j;

		if (na->pending_ok) {
			sl_pfx_list_free(&na->addrs);
			na->addrs = na->pending;
			sl_pfx_list_init(&na->pending);
			sl_pfx_list_finish(&na->addrs);
			na->pending_ok = false;
		}
		for (j = 0; j < na->addrs.n; j++)
			if (sl_pfx_list_push(out, &na->addrs.v[j]) < 0)
				return -1;
	}
	sl_pfx_list_finish(out);
	if (!r->have_committed || out->n != r->committed.n)
		*changed = true;
	else
		for (i = 0; i < out->n && !*changed; i++)
			*changed = sl_prefix_cmp(&out->v[i],
						 &r->committed.v[i]) != 0;
	return 0;
}

void resolver_committed(struct resolver *r, const struct sl_pfx_list *l)
{
	struct sl_pfx_list c;
	size_t i;

	sl_pfx_list_init(&c);
	for (i = 0; i < l->n; i++)
		if (sl_pfx_list_push(&c, &l->v[i]) < 0) {
			sl_pfx_list_free(&c);
			r->have_committed = false;	/* rewrite next time */
			return;
		}
	sl_pfx_list_finish(&c);
	sl_pfx_list_free(&r->committed);
	r->committed = c;
	r->have_committed = true;
}
