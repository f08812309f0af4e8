/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Talking to sluice.ko: configuration, redirection on/off, and the
 * white_list sources sluiced owns.  Every failure is logged here with the
 * kernel's extack text, so callers only decide what to do next.
 */
#ifndef SLUICED_MOD_H
#define SLUICED_MOD_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "nl.h"
#include "prefix.h"

struct mod {
	struct sl_nl nl;
	bool open;
};

/*
 * Open the genl socket.  If the family is missing, run `modprobe sluice`
 * once and retry.  0, or -1 after logging why.
 */
int mod_open(struct mod *m);
void mod_close(struct mod *m);

/* Every module setting from @c, with redirection @enabled and @policy. */
int mod_configure(struct mod *m, const struct sd_conf *c, bool enabled);
/* Only ENABLED and NO_LISTENER (the kill switch goes with the policy). */
int mod_set_enabled(struct mod *m, bool enabled, enum policy policy);

/*
 * Replace @source of @list (enum sluice_list) by @l atomically (BEGIN /
 * ADD... / COMMIT).
 */
int mod_replace(struct mod *m, uint32_t list, const char *source,
		const struct sl_pfx_list *l);
/*
 * One prefix into / out of white_list @source, acked; a missing one on
 * DEL is fine.  (Only the address watcher uses these: the white list.)
 */
int mod_add(struct mod *m, const char *source, const struct sl_prefix *p);
int mod_del(struct mod *m, const char *source, const struct sl_prefix *p);
int mod_flush(struct mod *m, uint32_t list, const char *source);
/*
 * Clear the verdict kept in every flow's conntrack entry (FLOWS_FLUSH),
 * so that the lists just loaded apply to live flows too; logs the count.
 */
int mod_flush_flows(struct mod *m);
/* "list", "proxy-list", "src": how the log names a source of @list. */
const char *mod_list_word(uint32_t list);

#endif /* SLUICED_MOD_H */
