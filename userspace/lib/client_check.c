// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * With `local on`, the loop guard (kmod/local_out.c) keeps the tunnel
 * client's own connections direct by their socket's cgroup: a flow sent
 * from the cgroup of the socket listening on `port` is never redirected.
 * It cannot work when that cgroup is the root one (the kernel ignores a
 * shared root cgroup: every process is in it where nothing makes
 * cgroups), and it catches the gateway's other programs too when they
 * share the client's cgroup.  This check finds the processes holding the
 * listening sockets of `port`/`port6` and says which case applies.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"

#define MAX_INODES 16

struct listeners {
	unsigned long inode[MAX_INODES];
	size_t n;
};

/*
 * Listening (TCP state 0A) or bound UDP sockets on @port in one of
 * /proc/net/{tcp,tcp6,udp,udp6}; inodes appended to @l.
 */
static void scan_net(const char *proc, const char *file, unsigned port,
		     bool tcp, struct listeners *l)
{
	char path[PATH_MAX], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/%s", proc, file);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f) && l->n < MAX_INODES) {
		char local[64], remote[64], *colon;
		unsigned st, lport;
		unsigned long inode;

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*s %63s %63s %x %*s %*s %*s %*u %*u %lu",
			   local, remote, &st, &inode) != 4)
			continue;
		colon = strrchr(local, ':');
		if (!colon || sscanf(colon + 1, "%x", &lport) != 1 ||
		    lport != port || !inode)
			continue;
		if (tcp && st != 0x0a)
			continue;
		l->inode[l->n++] = inode;
	}
	fclose(f);
}

static bool is_listener(const struct listeners *l, unsigned long inode)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->inode[i] == inode)
			return true;
	return false;
}

/* Does process @pid hold one of @l's sockets? */
static bool holds_listener(const char *proc, const char *pid,
			   const struct listeners *l)
{
	char path[PATH_MAX], link[64];
	struct dirent *d;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s/fd", proc, pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		unsigned long inode;
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s/fd/%s", proc, pid,
			 d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if (sscanf(link, "socket:[%lu]", &inode) == 1 &&
		    is_listener(l, inode))
			found = true;
	}
	closedir(dir);
	return found;
}

/* The cgroup v2 path of @pid ("/" for the root); false if none. */
static bool pid_cgroup(const char *proc, const char *pid, char *cg,
		       size_t len)
{
	char path[PATH_MAX], line[PATH_MAX];
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/cgroup", proc, pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!ok && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(cg, len, "%s", line + 3);
		ok = true;
	}
	fclose(f);
	return ok;
}

static void comm_of(const char *proc, const char *pid, char *comm, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "%s/%s/comm", proc, pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = 0;
	fclose(f);
}

/* How many processes share cgroup @cg with none of @l's holders. */
static unsigned count_others(const char *proc, const char *cg,
			     const struct listeners *l)
{
	char other[PATH_MAX];
	struct dirent *d;
	unsigned n = 0;
	DIR *dir;

	dir = opendir(proc);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		if (!pid_cgroup(proc, d->d_name, other, sizeof(other)) ||
		    strcmp(other, cg))
			continue;
		if (!holds_listener(proc, d->d_name, l))
			n++;
	}
	closedir(dir);
	return n;
}

int sl_check_client(const struct sl_check_in *in, struct sl_warns *w)
{
	const char *proc = in->proc_root ? in->proc_root : "/proc";
	char cg[PATH_MAX], comm[32];
	struct listeners l = { .n = 0 };
	struct dirent *d;
	unsigned others;
	DIR *dir;
	int ret = 0;

	if (!in->local || in->mode != SLUICE_MODE_TPROXY)
		return 0;
	scan_net(proc, "tcp", in->port, true, &l);
	scan_net(proc, "tcp6", in->port6, true, &l);
	scan_net(proc, "udp", in->port, false, &l);
	scan_net(proc, "udp6", in->port6, false, &l);
	if (!l.n)
		return 0;	/* no client: status says so */
	dir = opendir(proc);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]) ||
		    !holds_listener(proc, d->d_name, &l))
			continue;
		/* The first holder stands for the client. */
		if (!pid_cgroup(proc, d->d_name, cg, sizeof(cg)))
			break;
		comm_of(proc, d->d_name, comm, sizeof(comm));
		if (!strcmp(cg, "/")) {
			ret = sl_warn_add(w, "loop-guard",
					  "put the client's outbounds on the bypass mark (v2ray: sockopt.mark), or let sluiced run it (it gives the client a cgroup of its own)",
					  "the tunnel client on port %u (%s, pid %s) is in the root cgroup: with local on, the loop guard cannot tell its own connections from the gateway's other programs",
					  in->port, comm, d->d_name);
			break;
		}
		others = count_others(proc, cg, &l);
		if (others)
			ret = sl_warn_add(w, "loop-guard",
					  "run the client in a cgroup of its own (sluiced does), or give its outbounds the bypass mark",
					  "the tunnel client on port %u (%s, pid %s) shares cgroup %s with %u other process(es): with local on, their connections are never redirected (loop guard)",
					  in->port, comm, d->d_name, cg, others);
		break;
	}
	closedir(dir);
	return ret;
}
