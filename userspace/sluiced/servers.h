/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Which tunnel servers does the client talk to?  Read from its own JSON
 * config (json-c):
 *   v2ray / xray:  outbounds[].settings.vnext[].address
 *                  outbounds[].settings.servers[].address
 *   sing-box:      outbounds[].server
 * Pure code: the caller reads the file and resolves the names.
 */
#ifndef SLUICED_SERVERS_H
#define SLUICED_SERVERS_H

#include <stddef.h>

struct name_list {
	char **v;
	size_t n, cap;
};

void name_list_free(struct name_list *l);
/* Append a copy of @s unless already there.  0 or -1 (ENOMEM). */
int name_list_add(struct name_list *l, const char *s);

/*
 * Append every server address found in the JSON text @buf (@len bytes)
 * to @out.  Missing or oddly typed fields are skipped (a config may hold
 * "freedom" and "blackhole" outbounds with no server).  Returns the
 * number of names added, or -1 with a reason in @err if @buf is not a
 * JSON object.
 */
int servers_from_json(const char *buf, size_t len, struct name_list *out,
		      char *err, size_t errlen);

#endif /* SLUICED_SERVERS_H */
