// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "orphan.h"
#include "prefix.h"

/* What the loop guard does when the client cannot have its own cgroup. */
#define GUARD_NOTE "the module's loop guard leaves local flows of that " \
		   "cgroup direct"

int cgroup_parse_self(const char *buf, size_t len, char *path, size_t plen)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;

		/* v1 lines are "ID:controllers:PATH"; v2 is "0::PATH". */
		if (n > 3 && !memcmp(buf + pos, "0::", 3) &&
		    buf[pos + 3] == '/') {
			n -= 3;
			if (n >= plen || memchr(buf + pos + 3, '\0', n))
				return -1;
			memcpy(path, buf + pos + 3, n);
			path[n] = '\0';
			return 0;
		}
		pos = end + 1;
	}
	return -1;
}

int cgroup_client_path(const char *root, const char *self, char *out,
		       size_t len)
{
	int n;

	/* The root cgroup is "/": no "//" in the result. */
	if (!strcmp(self, "/"))
		self = "";
	n = snprintf(out, len, "%s%s/" CGROUP_CLIENT, root, self);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

bool cgroup_procs_all(const char *buf, size_t len,
		      bool (*ours)(pid_t pid, void *arg), void *arg)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		long long pid = 0;

		if (end == pos || end - pos > 10)
			return false;
		for (size_t i = pos; i < end; i++) {
			if (buf[i] < '0' || buf[i] > '9')
				return false;
			pid = pid * 10 + (buf[i] - '0');
		}
		if (pid <= 0 || pid > INT32_MAX || !ours((pid_t)pid, arg))
			return false;
		pos = end + 1;
	}
	return true;
}

/* sluiced itself or a child of it (the resolver, an exiting client). */
static bool is_ours(pid_t pid, void *arg)
{
	struct pstat ps;

	(void)arg;
	return pid == getpid() ||
	       (orphan_read_stat(pid, &ps) == 0 && ps.ppid == getpid());
}

/* Is sluiced's cgroup @self non-root and sluiced's alone? */
static bool alone_in(const char *self)
{
	char file[CGROUP_PATH_MAX + 64], *buf;
	size_t len;
	FILE *f;
	bool ret;

	if (!strcmp(self, "/"))
		return false;	/* the root: everybody's */
	snprintf(file, sizeof(file), CGROUP_ROOT "%s/cgroup.procs", self);
	f = fopen(file, "re");
	if (!f)
		return false;
	if (sl_read_file(f, &buf, &len) < 0) {
		fclose(f);
		return false;
	}
	fclose(f);
	ret = cgroup_procs_all(buf, len, is_ours, NULL);
	free(buf);
	return ret;
}

static int read_self(char *path, size_t plen)
{
	char *buf;
	size_t len;
	FILE *f = fopen("/proc/self/cgroup", "re");
	int ret;

	if (!f)
		return -1;
	ret = sl_read_file(f, &buf, &len);
	fclose(f);
	if (ret < 0)
		return -1;
	ret = cgroup_parse_self(buf, len, path, plen);
	free(buf);
	return ret;
}

int cgroup_client_prepare(char *dir, size_t len)
{
	char self[CGROUP_PATH_MAX];

	if (access(CGROUP_ROOT "/cgroup.controllers", F_OK) < 0) {
		log_warn("local on: cgroup v2 is not mounted on " CGROUP_ROOT
			 ": the client shares sluiced's cgroup, and "
			 GUARD_NOTE " (here: all of them)");
		return -1;
	}
	if (read_self(self, sizeof(self)) < 0) {
		log_warn("local on: no cgroup v2 path in /proc/self/cgroup: "
			 "the client shares sluiced's cgroup, and " GUARD_NOTE);
		return -1;
	}
	/*
	 * A service's own cgroup (systemd): nobody else's flows are in it,
	 * so the client can share it, and the unit keeps
	 * ProtectControlGroups=yes (no Delegate= needed).
	 */
	if (alone_in(self)) {
		log_info("local on: sluiced has cgroup %s to itself: the "
			 "client shares it (the loop guard leaves direct the "
			 "local flows of sluiced and its client only)", self);
		return 1;
	}
	if (cgroup_client_path(CGROUP_ROOT, self, dir, len) < 0) {
		log_warn("local on: cgroup path %s too long: the client "
			 "shares sluiced's cgroup, and " GUARD_NOTE, self);
		return -1;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn("local on: cannot create cgroup %s: %s; the client "
			 "shares sluiced's cgroup %s, and " GUARD_NOTE,
			 dir, strerror(errno), self);
		return -1;
	}
	return 0;
}

int cgroup_move(const char *dir, pid_t pid)
{
	char file[CGROUP_PATH_MAX + 32], num[24];
	int fd, n, err = 0;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	n = snprintf(num, sizeof(num), "%d", (int)pid);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
	} else {
		errno = 0;
		if (write(fd, num, (size_t)n) != n)
			err = errno ? errno : EIO;
	}
	if (fd >= 0)
		close(fd);
	if (err) {
		log_warn("local on: cannot move the client (pid %d) into %s: "
			 "%s; it stays in sluiced's cgroup, and " GUARD_NOTE,
			 (int)pid, dir, strerror(err));
		return -1;
	}
	log_info("client in cgroup %s (local on: the loop guard knows its "
		 "sockets)", dir + strlen(CGROUP_ROOT));
	return 0;
}

void cgroup_client_remove(const char *dir)
{
	/* Busy while a stray child of the client lives: harmless. */
	if (rmdir(dir) < 0 && errno != ENOENT)
		log_debug("rmdir %s: %s", dir, strerror(errno));
}
