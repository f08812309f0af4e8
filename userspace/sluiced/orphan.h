/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The client a previous sluiced left behind, and anybody else on the
 * client's port.
 *
 * The client gets PR_SET_PDEATHSIG(SIGTERM) (proc.c), so it normally ends
 * with a sluiced that was SIGKILLed.  Not always: the death signal is
 * dropped when the client execs a set-user-ID or file-capabilities
 * program, a wrapper's children never had it, and a client may ignore
 * SIGTERM.  So sluiced records the client it runs in a pidfile,
 * ORPHAN_DIR/client.<netns inode>.pid, as "PID STARTTIME" (starttime:
 * field 22 of /proc/PID/stat, which tells a recycled pid apart), and a new
 * sluiced stops that process group before it starts its own client: only
 * a process whose pid and start time match the record (the group
 * leader), or one in the group the record names that started no earlier,
 * is ever signalled.  Any other listener on port/port6 makes sluiced
 * refuse to start: it would share the port (SO_REUSEPORT) or keep our
 * client from binding, and answer our probes in its place.
 */
#ifndef SLUICED_ORPHAN_H
#define SLUICED_ORPHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ORPHAN_DIR "/run/sluiced"

struct orphan_rec {
	pid_t pid;
	unsigned long long start;	/* clock ticks after boot */
};

struct pstat {
	pid_t pid, ppid, pgrp;
	unsigned long long start;
	char comm[32];
};

/* Text of /proc/PID/stat into @ps.  0 or -1.  Pure. */
int orphan_parse_stat(const char *buf, size_t len, struct pstat *ps);
/* "PID STARTTIME\n" into @r.  0 or -1.  Pure. */
int orphan_parse_rec(const char *buf, size_t len, struct orphan_rec *r);
/*
 * Is the process @ps the recorded client (pid and start time match) or
 * in its process group and started no earlier?  Pure.
 */
bool orphan_is_ours(const struct orphan_rec *r, const struct pstat *ps);

/* ORPHAN_DIR/client.<ino>.pid into @buf.  0 or -1.  Pure. */
int orphan_path(unsigned long long netns_ino, char *buf, size_t len);

/* /proc/@pid/stat.  0 or -1 (gone). */
int orphan_read_stat(pid_t pid, struct pstat *ps);

/* Record @pid as our client (best effort, logged once on failure). */
void orphan_record(pid_t pid);
/* The client ended: remove the record. */
void orphan_forget(void);

/*
 * At start, with a `client` key: stop our previous client if it is
 * still running (SIGTERM to its group, SIGKILL after @stop_ms), then
 * check that no listener is left on @port/@port6.  0, or -1 after
 * logging who holds the port (sluiced must not start).
 */
int orphan_reclaim(uint16_t port, uint16_t port6, uint32_t stop_ms);

#endif /* SLUICED_ORPHAN_H */
