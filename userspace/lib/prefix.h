/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Address and prefix parsing for sluice userspace, plus the parser of the
 * white_list files that `sluicectl load` reads.
 *
 * Everything here is pure (no netlink, no I/O besides sl_read_file()), so
 * the unit tests and the fuzzer exercise exactly what the CLI runs.
 * Error strings are written into a caller buffer without the program
 * name, e.g. "bad address '1.2.3'"; the caller adds its own context.
 */
#ifndef SLUICE_PREFIX_H
#define SLUICE_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

/* Room for "ffff:...:255.255.255.255/128" plus NUL. */
#define SL_PREFIX_STRLEN 52
/* Size of an error buffer large enough for every message made here. */
#define SL_ERR_LEN 256

struct sl_prefix {
	uint8_t family;			/* AF_INET or AF_INET6 */
	uint8_t plen;			/* 0..32 or 0..128 */
	uint8_t addr[16];		/* network order; IPv4 uses 4 bytes */
};

/* Parse "ADDR" or "ADDR/LEN".  Host bits must be zero. 0 or -1 + err. */
int sl_prefix_parse(const char *s, struct sl_prefix *p,
		    char *err, size_t errlen);
/* Parse a bare address (no "/"); gives a host prefix. 0 or -1 + err. */
int sl_addr_parse(const char *s, struct sl_prefix *p,
		  char *err, size_t errlen);
/* Format; hosts (plen 32/128) are printed without "/LEN". */
void sl_prefix_format(const struct sl_prefix *p, char *buf, size_t len);
/* Same, but always with "/LEN". */
void sl_prefix_format_len(const struct sl_prefix *p, char *buf, size_t len);
static inline unsigned sl_prefix_maxlen(const struct sl_prefix *p)
{
	return p->family == AF_INET ? 32 : 128;
}
/* Total order: family, address, length (for sort + dedupe). */
int sl_prefix_cmp(const struct sl_prefix *a, const struct sl_prefix *b);

/*
 * Copy @s into @buf as a single-quoted-safe, printable, possibly truncated
 * string: bytes outside 0x21..0x7e become \xNN; more than 48 shown bytes
 * end in "...".  Used so that error messages stay one short line whatever
 * garbage a file holds.
 */
void sl_quote(const char *s, size_t n, char *buf, size_t len);

/* A growable list of prefixes. */
struct sl_pfx_list {
	struct sl_prefix *v;
	size_t n, cap;
	size_t n4, n6;			/* valid after sl_pfx_list_finish() */
};

void sl_pfx_list_init(struct sl_pfx_list *l);
void sl_pfx_list_free(struct sl_pfx_list *l);
int sl_pfx_list_push(struct sl_pfx_list *l, const struct sl_prefix *p);
/* Sort, drop duplicates, count families. */
void sl_pfx_list_finish(struct sl_pfx_list *l);

/*
 * Parse a list file held in memory (@buf, @len; need not be NUL
 * terminated, may contain NUL bytes).  One prefix per line; '#' starts a
 * comment anywhere on a line; blank lines and surrounding whitespace
 * (including a CR before LF) are ignored; the last line needs no newline;
 * a UTF-8 byte-order mark at the very start is skipped.
 * On success appends to @out (and finishes it) and returns 0.  On the
 * first bad line returns -1 with "NAME:LINE: reason" in @err and leaves
 * @out empty.
 */
int sl_listfile_parse(const char *buf, size_t len, const char *name,
		      struct sl_pfx_list *out, char *err, size_t errlen);

/* Read a whole stream into a malloc'd buffer. 0, or -1 with errno set. */
int sl_read_file(FILE *f, char **buf, size_t *len);

#endif /* SLUICE_PREFIX_H */
