// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target for the sluiced.conf parser.  Besides memory safety
 * and leaks, it checks the contract: a failure is one line starting
 * "fuzz.conf:" and leaves a clean config; a success has at least one LAN
 * interface, valid ports and a NULL-terminated client argv.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../userspace/sluiced/conf.h"
#include "mac.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_LEN];
	struct sd_conf c;
	int i;

	if (conf_parse(&c, (const char *)data, size, "fuzz.conf", err,
		       sizeof(err)) < 0) {
		check(!strncmp(err, "fuzz.conf", 9));
		check(!strchr(err, '\n'));
		check(c.client_argv == NULL && c.n_lists == 0 &&
		      c.n_servers == 0 && c.src.v == NULL);
		return 0;
	}
	check(c.n_lan >= 1 && c.n_lan <= SLUICE_MAX_LAN_IFS);
	check(c.port >= 1 && c.port6 >= 1);
	check(c.restart_min_ms <= c.restart_max_ms);
	check(!(c.bypass_mark & ~c.bypass_mask));
	check(c.fwmark && !(c.fwmark & ~c.fwmark_mask));
	if (c.client_argv) {
		check(c.client_argc >= 1);
		for (i = 0; i < c.client_argc; i++)
			check(c.client_argv[i] != NULL);
		check(c.client_argv[c.client_argc] == NULL);
	}
	for (i = 0; i < (int)c.n_lists; i++)
		check(c.lists[i].file[0] == '/' &&
		      !conf_reserved_source(c.lists[i].name) &&
		      (c.lists[i].list == SLUICE_LIST_WHITE ||
		       c.lists[i].list == SLUICE_LIST_PROXY));
	/* What the module would refuse never gets past the parser. */
	check(!c.dns_local || c.dns_port);
	check(c.src_mode <= SLUICE_SRC_MAX && c.dflt <= SLUICE_DEFAULT_MAX);
	check(c.n_src_macs <= SLUICE_MAX_SRC_MACS);
	for (i = 0; i < (int)c.n_src_macs; i++)
		check(!sl_mac_unusable(c.src_macs[i]));
	check(c.src.n == c.src.n4 + c.src.n6);
	for (i = 1; i < (int)c.src.n; i++)
		check(sl_prefix_cmp(&c.src.v[i - 1], &c.src.v[i]) < 0);
	conf_free(&c);
	return 0;
}
