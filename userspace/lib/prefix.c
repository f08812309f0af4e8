// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Address/prefix parsing and the list-file parser (see prefix.h).
 */
#include "prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Longest "ADDR/LEN" text worth handing to inet_pton (45 + "/128"). */
#define TOKEN_MAX 64
#define QUOTE_SHOWN 48

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void sl_quote(const char *s, size_t n, char *buf, size_t len)
{
	size_t i, o = 0;

	if (!len)
		return;
	for (i = 0; i < n && i < QUOTE_SHOWN; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 5 >= len)
			break;
		if (c >= 0x20 && c <= 0x7e && c != '\'' && c != '\\') {
			buf[o++] = (char)c;
		} else {
			snprintf(buf + o, len - o, "\\x%02x", c);
			o += 4;
		}
	}
	if (i < n && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* Quote a NUL-terminated string for an error message. */
static const char *q(const char *s, char *tmp, size_t len)
{
	sl_quote(s, strlen(s), tmp, len);
	return tmp;
}

/* Parse only the address part (no '/'); family chosen by ':' presence. */
static int parse_addr_only(const char *s, struct sl_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, p->addr) != 1)
			return -1;
		p->family = AF_INET6;
		p->plen = 128;
	} else {
		/* inet_pton(AF_INET) takes strict dotted quads only. */
		if (inet_pton(AF_INET, s, p->addr) != 1)
			return -1;
		p->family = AF_INET;
		p->plen = 32;
	}
	return 0;
}

int sl_addr_parse(const char *s, struct sl_prefix *p, char *err, size_t errlen)
{
	char tmp[SL_ERR_LEN];

	if (strlen(s) >= TOKEN_MAX || parse_addr_only(s, p) < 0) {
		seterr(err, errlen, "bad address '%s'", q(s, tmp, sizeof(tmp)));
		return -1;
	}
	return 0;
}

/* Clear the bits past @plen; returns true if any was set. */
static bool clear_host_bits(struct sl_prefix *p)
{
	unsigned bytes = sl_prefix_maxlen(p) / 8, i;
	bool dirty = false;

	for (i = 0; i < bytes; i++) {
		unsigned first = i * 8;
		uint8_t mask;

		if (first >= p->plen)
			mask = 0;
		else if (first + 8 <= p->plen)
			mask = 0xff;
		else
			mask = (uint8_t)(0xff << (8 - (p->plen - first)));
		if (p->addr[i] & ~mask)
			dirty = true;
		p->addr[i] &= mask;
	}
	return dirty;
}

int sl_prefix_parse(const char *s, struct sl_prefix *p, char *err, size_t errlen)
{
	char addr[TOKEN_MAX], tmp[SL_ERR_LEN], fixed[SL_PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long plen;
	const char *d;

	if (alen >= sizeof(addr))
		goto bad_addr;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (parse_addr_only(addr, p) < 0)
		goto bad_addr;
	if (!slash)
		return 0;

	/* Decimal digits only: no sign, no spaces, no hex, at most 3. */
	d = slash + 1;
	if (!*d || strlen(d) > 3 || strspn(d, "0123456789") != strlen(d)) {
		seterr(err, errlen, "bad prefix length '%s'",
		       q(d, tmp, sizeof(tmp)));
		return -1;
	}
	plen = strtoul(d, NULL, 10);
	if (plen > sl_prefix_maxlen(p)) {
		seterr(err, errlen, "prefix length %lu out of range", plen);
		return -1;
	}
	p->plen = (uint8_t)plen;
	if (clear_host_bits(p)) {
		/*
		 * Refuse rather than mask silently: "10.0.0.1/8" is far more
		 * often a typo for a host or a /24 than a wish for 10/8.
		 */
		sl_prefix_format_len(p, fixed, sizeof(fixed));
		seterr(err, errlen, "host bits set in %s (did you mean %s?)",
		       q(s, tmp, sizeof(tmp)), fixed);
		return -1;
	}
	return 0;

bad_addr:
	seterr(err, errlen, "bad address '%s'", q(s, tmp, sizeof(tmp)));
	return -1;
}

void sl_prefix_format_len(const struct sl_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, p->plen);
}

void sl_prefix_format(const struct sl_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (p->plen != sl_prefix_maxlen(p)) {
		sl_prefix_format_len(p, buf, len);
		return;
	}
	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s", a);
}

int sl_prefix_cmp(const struct sl_prefix *a, const struct sl_prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return (int)a->plen - (int)b->plen;
}

void sl_pfx_list_init(struct sl_pfx_list *l)
{
	memset(l, 0, sizeof(*l));
}

void sl_pfx_list_free(struct sl_pfx_list *l)
{
	free(l->v);
	sl_pfx_list_init(l);
}

int sl_pfx_list_push(struct sl_pfx_list *l, const struct sl_prefix *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct sl_prefix *v;

		if (cap > SIZE_MAX / sizeof(*v)) {
			errno = ENOMEM;
			return -1;
		}
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *p;
	return 0;
}

static int cmp_qsort(const void *a, const void *b)
{
	return sl_prefix_cmp(a, b);
}

void sl_pfx_list_finish(struct sl_pfx_list *l)
{
	size_t i, o = 0;

	/*
	 * Duplicates are harmless to the kernel (a refresh), but dropping
	 * them keeps "loaded N prefixes" equal to what the kernel counts and
	 * keeps `del` from failing on the second copy.
	 */
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_qsort);
	l->n4 = l->n6 = 0;
	for (i = 0; i < l->n; i++) {
		if (o && !sl_prefix_cmp(&l->v[o - 1], &l->v[i]))
			continue;
		l->v[o++] = l->v[i];
	}
	l->n = o;
	for (i = 0; i < l->n; i++) {
		if (l->v[i].family == AF_INET)
			l->n4++;
		else
			l->n6++;
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parse one line (without its '\n'); 0 = ok or blank, -1 = reason set. */
static int parse_line(const char *s, size_t n, struct sl_pfx_list *out,
		      char *why, size_t whylen)
{
	char tok[TOKEN_MAX], tmp[SL_ERR_LEN];
	const char *hash = memchr(s, '#', n);
	struct sl_prefix p;
	size_t b = 0, e, w;

	if (hash)
		n = (size_t)(hash - s);
	while (b < n && is_space(s[b]))
		b++;
	e = n;
	while (e > b && is_space(s[e - 1]))
		e--;
	if (b == e)
		return 0;
	/* First word is the prefix; anything after it is an error. */
	for (w = b; w < e && !is_space(s[w]); w++)
		;
	if (w < e) {
		while (is_space(s[w]))
			w++;
		sl_quote(s + w, e - w, tmp, sizeof(tmp));
		seterr(why, whylen, "unexpected '%s' after prefix", tmp);
		return -1;
	}
	if (e - b >= sizeof(tok) || memchr(s + b, '\0', e - b)) {
		sl_quote(s + b, e - b, tmp, sizeof(tmp));
		seterr(why, whylen, "bad address '%s'", tmp);
		return -1;
	}
	memcpy(tok, s + b, e - b);
	tok[e - b] = '\0';
	if (sl_prefix_parse(tok, &p, why, whylen) < 0)
		return -1;
	if (sl_pfx_list_push(out, &p) < 0) {
		seterr(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

int sl_listfile_parse(const char *buf, size_t len, const char *name,
		      struct sl_pfx_list *out, char *err, size_t errlen)
{
	char why[SL_ERR_LEN];
	size_t off = 0, line = 0;

	sl_pfx_list_init(out);
	/* Editors on some systems start UTF-8 files with a BOM: skip it. */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		off = 3;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : len - off;

		line++;
		if (parse_line(buf + off, n, out, why, sizeof(why)) < 0) {
			seterr(err, errlen, "%s:%zu: %s", name, line, why);
			sl_pfx_list_free(out);
			return -1;
		}
		off += n + (nl ? 1 : 0);
	}
	sl_pfx_list_finish(out);
	return 0;
}

int sl_read_file(FILE *f, char **buf, size_t *len)
{
	size_t cap = 0, n = 0, r;
	char *b = NULL;

	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb;

			if (ncap < cap) {
				free(b);
				errno = ENOMEM;
				return -1;
			}
			nb = realloc(b, ncap);
			if (!nb) {
				free(b);
				return -1;
			}
			b = nb;
			cap = ncap;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				int e = errno ? errno : EIO;

				free(b);
				errno = e;
				return -1;
			}
			break;
		}
	}
	*buf = b;
	*len = n;
	return 0;
}
