/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Is the tunnel client's listener up?  There is no event for "a socket
 * started listening", so the loop polls with a TCP connect to
 * 127.0.0.1:PORT and [::1]:PORT6; either answering is enough.
 */
#ifndef SLUICED_PROBE_H
#define SLUICED_PROBE_H

#include <stdbool.h>
#include <stdint.h>

bool probe_listener(uint16_t port, uint16_t port6);

#endif /* SLUICED_PROBE_H */
