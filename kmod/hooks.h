/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SLUICE_HOOKS_H
#define SLUICE_HOOKS_H

#include "sluice.h"

/*
 * Register, re-register or unregister the namespace's netfilter hooks so
 * they match @cfg (enabled, mode, masquerade).  Called with sn->cfg_lock
 * held, before @cfg is published; on error nothing changed.
 */
int sluice_hooks_apply(struct sluice_net *sn, const struct sluice_cfg *cfg,
		       struct netlink_ext_ack *extack);
/* After @cfg is published: drop the hooks it no longer needs. */
void sluice_hooks_prune(struct sluice_net *sn, const struct sluice_cfg *cfg);
/* Namespace exit: drop whatever is registered. */
void sluice_hooks_exit_net(struct sluice_net *sn);

int sluice_hooks_init(void);
void sluice_hooks_exit(void);

#endif /* SLUICE_HOOKS_H */
