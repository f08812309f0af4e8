// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

void proc_reset_signals(void)
{
	sigset_t all;
	int s;

	for (s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);	/* errors for KILL/STOP: fine */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

void proc_close_fds(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return;
#endif
	/* Old kernel: close what /proc lists, else a plain sweep. */
	DIR *d = opendir("/proc/self/fd");

	if (d) {
		int dfd = dirfd(d), fd;
		struct dirent *e;

		while ((e = readdir(d)))
			if ((fd = atoi(e->d_name)) > 2 && fd != dfd)
				close(fd);
		closedir(d);
		return;
	}
	for (int fd = 3; fd < 4096; fd++)
		close(fd);
}

static int pipe_for(struct linebuf *lb, int p[2])
{
	if (!lb)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	/* Our end never blocks the loop. */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	return 0;
}

/* In the child: block until the parent closes its end of @go. */
static void wait_parent(int go[2])
{
	char c;

	close(go[1]);
	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	close(go[0]);
}

pid_t proc_spawn(char *const argv[], struct linebuf *out,
		 struct linebuf *err, proc_hook hook, void *arg)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, go[2] = { -1, -1 };
	pid_t pid, parent = getpid();

	if (pipe_for(out, po) < 0 || pipe_for(err, pe) < 0 ||
	    (hook && pipe2(go, O_CLOEXEC) < 0)) {
		log_err("pipe: %s", strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		int nul;

		/*
		 * A SIGKILLed sluiced must not leave its client behind to
		 * share the port with the next one's (orphan.h).  If the
		 * parent died before the prctl, we are already an orphan.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 ||
		    getppid() != parent)
			_exit(127);
		if (hook)
			wait_parent(go);
		nul = open("/dev/null", O_RDWR);

		/* Own group: a stop signal reaches the client's children. */
		setpgid(0, 0);
		proc_reset_signals();
		if (nul >= 0)
			dup2(nul, 0);
		if (out)
			dup2(po[1], 1);
		if (err)
			dup2(pe[1], 2);
		proc_close_fds();
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* Also in the parent, so the race with the child's own is moot. */
	setpgid(pid, pid);
	if (hook) {
		close(go[0]);
		hook(pid, arg);
		close(go[1]);	/* the child goes on */
	}
	if (out) {
		close(po[1]);
		out->fd = po[0];
		out->len = 0;
	}
	if (err) {
		close(pe[1]);
		err->fd = pe[0];
		err->len = 0;
	}
	return pid;
fail:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
		if (go[i] >= 0)
			close(go[i]);
	}
	return -1;
}

static void emit(const char *prefix, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n)
		log_info("%s%.*s", prefix, (int)n, s);
}

int linebuf_read(struct linebuf *lb, const char *prefix)
{
	/* Bounded: a chatty client must not starve the loop. */
	for (int round = 0; round < 64; round++) {
		ssize_t n;
		char *nl;

		if (lb->fd < 0)
			return 1;
		n = read(lb->fd, lb->buf + lb->len, sizeof(lb->buf) - lb->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			log_warn("%sread: %s", prefix, strerror(errno));
			n = 0;		/* treat as EOF */
		}
		if (n == 0) {
			emit(prefix, lb->buf, lb->len);
			linebuf_close(lb);
			return 1;
		}
		lb->len += (size_t)n;
		while ((nl = memchr(lb->buf, '\n', lb->len))) {
			size_t k = (size_t)(nl - lb->buf) + 1;

			emit(prefix, lb->buf, k);
			memmove(lb->buf, lb->buf + k, lb->len - k);
			lb->len -= k;
		}
		/* A line longer than the buffer is logged in pieces. */
		if (lb->len == sizeof(lb->buf)) {
			emit(prefix, lb->buf, lb->len);
			lb->len = 0;
		}
	}
	return 0;
}

void linebuf_close(struct linebuf *lb)
{
	if (lb->fd >= 0)
		close(lb->fd);
	lb->fd = -1;
	lb->len = 0;
}

void proc_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
			 WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended (status 0x%x)", status);
}
