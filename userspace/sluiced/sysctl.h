/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef SLUICED_SYSCTL_H
#define SLUICED_SYSCTL_H

#include "conf.h"

/*
 * Log a warning for each sysctl or firewall rule of the namespace that
 * breaks or bypasses sluice (lib/checks.h).  Changes nothing.
 */
void sysctl_report(const struct sd_conf *c);

#endif /* SLUICED_SYSCTL_H */
