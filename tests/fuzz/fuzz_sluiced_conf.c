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
		      c.n_servers == 0);
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
		      !conf_reserved_source(c.lists[i].name));
	conf_free(&c);
	return 0;
}
