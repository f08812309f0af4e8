// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "servers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

void name_list_free(struct name_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int name_list_add(struct name_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strdup(s);
	if (!l->v[l->n])
		return -1;
	l->n++;
	return 0;
}

/* obj[key] as a non-empty string, or NULL. */
static const char *get_str(struct json_object *obj, const char *key)
{
	struct json_object *v;
	const char *s;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	/* A name with a NUL inside cannot be resolved: skip it. */
	if (!s || !*s || strlen(s) != (size_t)json_object_get_string_len(v))
		return NULL;
	return s;
}

static struct json_object *get_array(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* Each element of obj[key][] that has a string "address". */
static int add_addresses(struct json_object *settings, const char *key,
			 struct name_list *out, int *added)
{
	struct json_object *arr = get_array(settings, key);
	size_t i, n = arr ? json_object_array_length(arr) : 0;

	for (i = 0; i < n; i++) {
		const char *a = get_str(json_object_array_get_idx(arr, i),
					"address");
		size_t before = out->n;

		if (!a)
			continue;
		if (name_list_add(out, a) < 0)
			return -1;
		*added += out->n != before;
	}
	return 0;
}

int servers_from_json(const char *buf, size_t len, struct name_list *out,
		      char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root, *outbounds;
	size_t i, n;
	int added = 0;

	if (len > (size_t)INT32_MAX) {
		snprintf(err, errlen, "file too large");
		return -1;
	}
	tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		snprintf(err, errlen, "not valid JSON: %s",
			 je == json_tokener_continue ? "unexpected end of file"
						     : json_tokener_error_desc(je));
		json_tokener_free(tok);
		return -1;
	}
	/* Anything after the value but blanks is an error too. */
	for (i = json_tokener_get_parse_end(tok); i < len; i++)
		if (!strchr(" \t\r\n", buf[i])) {
			snprintf(err, errlen, "not valid JSON: trailing data "
				 "at offset %zu", i);
			goto bad;
		}
	json_tokener_free(tok);
	tok = NULL;
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		goto bad;
	}
	outbounds = get_array(root, "outbounds");
	n = outbounds ? json_object_array_length(outbounds) : 0;
	for (i = 0; i < n; i++) {
		struct json_object *ob = json_object_array_get_idx(outbounds, i);
		struct json_object *settings;
		const char *s = get_str(ob, "server");	/* sing-box */

		if (s) {
			size_t before = out->n;

			if (name_list_add(out, s) < 0)
				goto nomem;
			added += out->n != before;
		}
		if (!json_object_is_type(ob, json_type_object) ||
		    !json_object_object_get_ex(ob, "settings", &settings))
			continue;
		if (add_addresses(settings, "vnext", out, &added) < 0 ||
		    add_addresses(settings, "servers", out, &added) < 0)
			goto nomem;
	}
	json_object_put(root);
	return added;
nomem:
	snprintf(err, errlen, "out of memory");
bad:
	if (tok)
		json_tokener_free(tok);
	json_object_put(root);
	return -1;
}
