// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "runcmd.h"

extern char **environ;

static const char *const sbin_dirs[] = { "/usr/sbin", "/sbin",
					 "/usr/local/sbin" };

/* The program's path: as given if it has a '/', else PATH, then sbin. */
static int find_prog(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	size_t i;

	if (strchr(name, '/')) {
		snprintf(buf, len, "%s", name);
		return access(buf, X_OK);
	}
	while (path && *path) {
		const char *end = strchrnul(path, ':');

		snprintf(buf, len, "%.*s/%s", (int)(end - path), path, name);
		if (end > path && !access(buf, X_OK))
			return 0;
		path = *end ? end + 1 : end;
	}
	for (i = 0; i < sizeof(sbin_dirs) / sizeof(sbin_dirs[0]); i++) {
		snprintf(buf, len, "%s/%s", sbin_dirs[i], name);
		if (!access(buf, X_OK))
			return 0;
	}
	return -1;
}

/* Read both pipes until both are at EOF. */
static int collect(int ofd, int efd, size_t max, struct sl_spawn_out *r)
{
	size_t cap = 4096, elen = 0;
	struct pollfd p[2] = { { .fd = ofd, .events = POLLIN },
			       { .fd = efd, .events = POLLIN } };
	char tmp[4096];

	r->out = malloc(cap);
	if (!r->out)
		return -1;
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		ssize_t n;
		int i;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, tmp, sizeof(tmp));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				p[i].fd = -1;
				continue;
			}
			if (i == 1) {
				size_t k = (size_t)n;

				if (k > sizeof(r->err) - 1 - elen)
					k = sizeof(r->err) - 1 - elen;
				memcpy(r->err + elen, tmp, k);
				elen += k;
				continue;
			}
			if ((size_t)n > max - r->out_len)
				n = (ssize_t)(max - r->out_len);
			if (r->out_len + (size_t)n + 1 > cap) {
				char *o;

				while (r->out_len + (size_t)n + 1 > cap)
					cap *= 2;
				o = realloc(r->out, cap);
				if (!o)
					return -1;
				r->out = o;
			}
			memcpy(r->out + r->out_len, tmp, (size_t)n);
			r->out_len += (size_t)n;
		}
	}
	r->out[r->out_len] = '\0';
	r->err[elen] = '\0';
	return 0;
}

int sl_spawn(const char *const argv[], size_t max, struct sl_spawn_out *r)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int op[2] = { -1, -1 }, ep[2] = { -1, -1 };
	char prog[512];
	int ret = -1, st, e;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (find_prog(argv[0], prog, sizeof(prog)) < 0)
		return 1;
	if (pipe2(op, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(ep, O_CLOEXEC) < 0)
		goto out_pipes;
	/*
	 * A daemon caller (sluiced) blocks signals for its signalfd: the tool
	 * must not inherit that mask.
	 */
	if (posix_spawnattr_init(&attr))
		goto out_pipes;
	sigemptyset(&none);
	if (posix_spawnattr_setsigmask(&attr, &none) ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK) ||
	    posix_spawn_file_actions_init(&fa)) {
		posix_spawnattr_destroy(&attr);
		goto out_pipes;
	}
	if (posix_spawn_file_actions_adddup2(&fa, op[1], 1) ||
	    posix_spawn_file_actions_adddup2(&fa, ep[1], 2) ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0))
		goto out_fa;
	e = posix_spawn(&pid, prog, &fa, &attr, (char *const *)argv, environ);
	if (e) {
		errno = e;
		goto out_fa;
	}
	close(op[1]);
	close(ep[1]);
	op[1] = ep[1] = -1;
	ret = collect(op[0], ep[0], max, r);
	e = errno;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (ret < 0) {
		sl_spawn_free(r);
		errno = e;
	}
out_fa:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
out_pipes:
	for (e = 0; e < 2; e++) {
		if (op[e] >= 0)
			close(op[e]);
		if (ep[e] >= 0)
			close(ep[e]);
	}
	return ret;
}

void sl_spawn_free(struct sl_spawn_out *r)
{
	free(r->out);
	r->out = NULL;
	r->out_len = 0;
}
