// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "orphan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conf.h"
#include "diag.h"
#include "log.h"

int orphan_parse_stat(const char *buf, size_t len, struct pstat *ps)
{
	char tmp[1024], *open, *close, *p, *end;
	unsigned long long v;
	size_t n;
	int field;

	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	/* comm may hold anything, ')' and spaces included: the last ')'. */
	open = strchr(tmp, '(');
	close = strrchr(tmp, ')');
	if (!open || !close || close < open)
		return -1;
	memset(ps, 0, sizeof(*ps));
	errno = 0;
	v = strtoull(tmp, &end, 10);
	if (errno || end == tmp || *end != ' ' || !v || v > INT32_MAX)
		return -1;
	ps->pid = (pid_t)v;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(ps->comm))
		n = sizeof(ps->comm) - 1;
	memcpy(ps->comm, open + 1, n);
	ps->comm[n] = '\0';
	/* Field 3 is the state; 4 ppid, 5 pgrp, 22 starttime. */
	p = close + 1;
	for (field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -1;
		if (field == 3) {
			p++;
			continue;
		}
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || end == p || (*end && *end != ' ' && *end != '\n'))
			return -1;
		if (field == 4)
			ps->ppid = (pid_t)v;
		else if (field == 5)
			ps->pgrp = (pid_t)v;
		else if (field == 22)
			ps->start = v;
		p = end;
	}
	return 0;
}

int orphan_parse_rec(const char *buf, size_t len, struct orphan_rec *r)
{
	char tmp[64], *end;
	unsigned long long pid, start;

	if (!len || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	errno = 0;
	pid = strtoull(tmp, &end, 10);
	if (errno || end == tmp || *end != ' ' || !pid || pid > INT32_MAX)
		return -1;
	start = strtoull(end + 1, &end, 10);
	if (errno || (*end && strcmp(end, "\n")))
		return -1;
	r->pid = (pid_t)pid;
	r->start = start;
	return 0;
}

bool orphan_is_ours(const struct orphan_rec *r, const struct pstat *ps)
{
	if (ps->pid == r->pid)
		return ps->start == r->start;
	/*
	 * A group id cannot be handed out again while the group exists,
	 * so a member of group r->pid that started after our client did
	 * is in the group our client made (its leader may be gone).
	 */
	return ps->pgrp == r->pid && ps->start >= r->start;
}

int orphan_path(unsigned long long netns_ino, char *buf, size_t len)
{
	int n = snprintf(buf, len, ORPHAN_DIR "/client.%llu.pid", netns_ino);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int read_small(const char *path, char *buf, size_t len, size_t *got)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	if (n < 0)
		return -1;
	*got = (size_t)n;
	return 0;
}

int orphan_read_stat(pid_t pid, struct pstat *ps)
{
	char path[64], buf[1024];
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf), &n) < 0)
		return -1;
	return orphan_parse_stat(buf, n, ps);
}

static int my_path(char *buf, size_t len)
{
	struct stat st;

	/* One sluiced per network namespace: the module's config is. */
	if (stat("/proc/self/ns/net", &st) < 0)
		return -1;
	return orphan_path((unsigned long long)st.st_ino, buf, len);
}

void orphan_record(pid_t pid)
{
	static bool warned;
	char path[128], tmp[140], line[64];
	struct pstat ps;
	int fd, n, err = 0;

	if (my_path(path, sizeof(path)) < 0 || orphan_read_stat(pid, &ps) < 0)
		return;		/* gone already: SIGCHLD follows */
	n = snprintf(line, sizeof(line), "%d %llu\n", (int)pid, ps.start);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (mkdir(ORPHAN_DIR, 0755) < 0 && errno != EEXIST)
		err = errno;
	if (!err) {
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			err = errno;
		} else {
			if (write(fd, line, (size_t)n) != n)
				err = errno ? errno : EIO;
			close(fd);
			if (!err && rename(tmp, path) < 0)
				err = errno;
		}
	}
	if (err && !warned) {
		warned = true;
		log_warn("cannot record the client in %s: %s; a client left "
			 "running by a sluiced that was killed will not be "
			 "recognised at the next start", path, strerror(err));
	}
}

void orphan_forget(void)
{
	char path[128];

	if (my_path(path, sizeof(path)) == 0 && unlink(path) < 0 &&
	    errno != ENOENT)
		log_debug("unlink %s: %s", path, strerror(errno));
}

/* Wait up to @ms for @pid to end.  true if it did. */
static bool wait_gone(pid_t pid, uint32_t ms)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r;

		while ((r = poll(&p, 1, (int)ms)) < 0 && errno == EINTR)
			;
		close(fd);
		return r == 1;
	}
	if (errno == ESRCH)
		return true;
#endif
	/* No pidfd (old kernel): look every 50 ms. */
	for (uint32_t t = 0; t < ms; t += 50) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		usleep(50 * 1000);
	}
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* Stop process group @pgrp; @pid (a member) is the one to wait for. */
static void stop_group(pid_t pgrp, pid_t pid, uint32_t stop_ms)
{
	kill(-pgrp, SIGTERM);
	kill(-pgrp, SIGCONT);	/* a stopped one would never see it */
	if (wait_gone(pid, stop_ms)) {
		log_info("previous client (pid %d) ended", (int)pid);
		return;
	}
	log_warn("previous client (pid %d) did not end within %u ms: SIGKILL",
		 (int)pid, stop_ms);
	kill(-pgrp, SIGKILL);
	if (!wait_gone(pid, 2000))
		log_err("previous client (pid %d) survived SIGKILL", (int)pid);
}

/* The pid holding socket inode @ino, or 0. */
static pid_t socket_owner(uint32_t ino)
{
	char want[32], path[300], link[64];
	DIR *proc = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	if (!proc)
		return 0;
	snprintf(want, sizeof(want), "socket:[%u]", ino);
	while (!found && (e = readdir(proc))) {
		struct dirent *f;
		DIR *fds;
		int pid = atoi(e->d_name);

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			ssize_t n;

			if (f->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid,
				 f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (!strcmp(link, want)) {
				found = pid;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}

static bool read_rec(struct orphan_rec *r)
{
	char path[128], buf[64];
	size_t n;

	if (my_path(path, sizeof(path)) < 0 ||
	    read_small(path, buf, sizeof(buf), &n) < 0)
		return false;
	if (orphan_parse_rec(buf, n, r) < 0) {
		log_warn("%s: not \"PID STARTTIME\": ignored", path);
		return false;
	}
	return true;
}

int orphan_reclaim(uint16_t port, uint16_t port6, uint32_t stop_ms)
{
	struct orphan_rec r;
	struct listen_info li;
	struct pstat ps;
	char ports[16], who[64];
	bool have = read_rec(&r);
	pid_t owner;
	int err;

	if (have && orphan_read_stat(r.pid, &ps) == 0 &&
	    orphan_is_ours(&r, &ps)) {
		log_warn("the client of a sluiced that ended without "
			 "stopping it is still running (pid %d, %s): "
			 "stopping its process group first", (int)r.pid,
			 ps.comm);
		stop_group(r.pid, r.pid, stop_ms);
	}
	err = diag_listeners(port, port6, &li);
	if (err < 0) {
		log_warn("sock_diag: %s: cannot check that ports %u/%u are "
			 "free", strerror(-err), port, port6);
		goto out;
	}
	if (!li.n)
		goto out;
	owner = socket_owner(li.inode);
	/* A wrapper's child that outlived its group leader. */
	if (have && owner > 0 && orphan_read_stat(owner, &ps) == 0 &&
	    orphan_is_ours(&r, &ps)) {
		log_warn("a process of the previous client's group still "
			 "listens on port %u (pid %d, %s): stopping the group",
			 port, (int)owner, ps.comm);
		stop_group(r.pid, owner, stop_ms);
		if (diag_listeners(port, port6, &li) == 0 && !li.n)
			goto out;
		owner = socket_owner(li.inode);
	}
	if (port6 != port)
		snprintf(ports, sizeof(ports), "%u/%u", port, port6);
	else
		snprintf(ports, sizeof(ports), "%u", port);
	if (owner > 0 && orphan_read_stat(owner, &ps) == 0)
		snprintf(who, sizeof(who), "pid %d (%s)", (int)owner, ps.comm);
	else
		snprintf(who, sizeof(who), "owner not found");
	log_err("port %s already has a listener that sluiced did not start: "
		"%s.  Not starting a second client beside it: stop that "
		"program, or change port/port6, or remove the `client` line "
		"if it is the tunnel client", ports, who);
	return -1;
out:
	orphan_forget();
	return 0;
}
