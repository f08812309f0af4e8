/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A cgroup v2 of its own for the tunnel client (`local on`).
 *
 * With `local on` the module redirects the gateway's own flows, and its
 * loop guard never redirects a flow whose socket is in the same cgroup v2
 * as the listener: the client's own connections stay direct even if its
 * bypass mark is missing.  Left in sluiced's cgroup, the client would
 * share it with sluiced (and, without systemd, with every process of the
 * root cgroup), and all their flows would be guarded too.  So sluiced
 * makes a child of its own cgroup, "sluice-client", and moves the client
 * there before it runs a single instruction of its own: sockets carry the
 * cgroup they were created in.
 *
 * A child with only the client in it is allowed even though sluiced stays
 * in the parent: the "no internal processes" rule of cgroup v2 only
 * forbids enabling domain controllers in the parent's subtree_control,
 * which nobody does for a cgroup holding a process.
 */
#ifndef SLUICED_CGROUP_H
#define SLUICED_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_CLIENT "sluice-client"
#define CGROUP_PATH_MAX 512

/*
 * The cgroup v2 path in the text of /proc/self/cgroup (the "0::PATH"
 * line), e.g. "/system.slice/sluiced.service".  0, or -1 if there is
 * none or it does not fit @len.  Pure.
 */
int cgroup_parse_self(const char *buf, size_t len, char *path, size_t plen);

/* @root + @self + "/" CGROUP_CLIENT, without a double '/'. 0 or -1. */
int cgroup_client_path(const char *root, const char *self, char *out,
		       size_t len);

/*
 * Does every pid in @buf (the text of a cgroup.procs file) pass @ours?
 * false for text that is not one decimal pid per line.  Pure.
 */
bool cgroup_procs_all(const char *buf, size_t len,
		      bool (*ours)(pid_t pid, void *arg), void *arg);

/*
 * Create (or reuse) the client's cgroup below sluiced's own; its
 * directory into @dir.  0; 1 when there is no need: sluiced has a
 * non-root cgroup to itself and its children (a systemd service's own
 * cgroup), which the client may then share; or -1 after logging why and
 * what follows.
 */
int cgroup_client_prepare(char *dir, size_t len);

/* Write @pid into @dir/cgroup.procs.  0, or -1 after logging why. */
int cgroup_move(const char *dir, pid_t pid);

/* Best effort: remove the (empty) client cgroup. */
void cgroup_client_remove(const char *dir);

#endif /* SLUICED_CGROUP_H */
