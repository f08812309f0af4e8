/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Child processes: the tunnel client (its own process group, stdout and
 * stderr piped into our log) and helpers.  SIGCHLD arrives through the
 * main loop's signalfd; proc_reap() is called from there.
 */
#ifndef SLUICED_PROC_H
#define SLUICED_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Lines of a child's output, reassembled from pipe reads. */
struct linebuf {
	int fd;				/* -1 when closed */
	size_t len;
	char buf[1024];
};

/* Runs in the parent between fork and the child's exec (see below). */
typedef void (*proc_hook)(pid_t pid, void *arg);

/*
 * fork + exec @argv with signals back to default, stdin /dev/null,
 * stdout/stderr into new pipes (@out, @err; may be NULL for inherited),
 * every other descriptor closed, and PR_SET_PDEATHSIG(SIGTERM): the child
 * is told when sluiced dies (also by SIGKILL).  If @hook is given, the child waits
 * until the parent has run it (e.g. moved the child into a cgroup), so
 * the program starts already where the hook put it.  Returns the pid or
 * -1 (logged).
 */
pid_t proc_spawn(char *const argv[], struct linebuf *out,
		 struct linebuf *err, proc_hook hook, void *arg);

/*
 * Read what @lb's pipe holds; log each complete line with @prefix at
 * info level.  Returns 0, or 1 on EOF (the pipe is closed, remainder
 * logged).
 */
int linebuf_read(struct linebuf *lb, const char *prefix);
void linebuf_close(struct linebuf *lb);

/* "exited with status 3", "killed by signal 9 (Killed)". */
void proc_describe(int status, char *buf, size_t len);

/* Close every descriptor >= 3 (in a child, before exec or work). */
void proc_close_fds(void);
/* Unblock all signals and restore default dispositions (in a child). */
void proc_reset_signals(void);

#endif /* SLUICED_PROC_H */
