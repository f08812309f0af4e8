/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * systemd readiness (Type=notify) without libsystemd: one datagram to
 * $NOTIFY_SOCKET.  A no-op when not started by systemd.
 */
#ifndef SLUICED_NOTIFY_H
#define SLUICED_NOTIFY_H

/* Send @state ("READY=1", "STOPPING=1", "STATUS=..."). 0, or -1. */
int notify(const char *state);

#endif /* SLUICED_NOTIFY_H */
