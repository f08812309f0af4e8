/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Names shared by the human and JSON output, and the source-name rule.
 * The strings here are part of the CLI's stable output: change with care.
 */
#ifndef SLUICE_NAMES_H
#define SLUICE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1..SLUICE_SOURCE_MAXLEN chars of [A-Za-z0-9_.-], as the kernel wants. */
bool sl_source_valid(const char *s);
/* Interface name as the kernel's dev_valid_name() sees it. */
bool sl_ifname_valid(const char *s);

/* "direct", "proxy", "drop", "reject", "dns"; NULL if unknown. */
const char *sl_verdict_name(uint32_t v);
/* "disabled", "not-lan", ..., "white_list"; NULL if unknown. */
const char *sl_rule_name(uint32_t r);
const char *sl_mode_name(uint32_t m);
const char *sl_no_listener_name(uint32_t n);
/* "exclude", "only" */
const char *sl_src_mode_name(uint32_t m);
/* "proxy", "direct" */
const char *sl_default_name(uint32_t d);
/* enum sluice_list <-> "white", "proxy", "src".  parse: 0 or -1. */
const char *sl_list_name(uint32_t l);
int sl_list_parse(const char *s, uint32_t *list);
/*
 * Is argv[i] the -L option (-L LIST, --list LIST, -LLIST, --list=LIST)?
 * 0 if not; else how many arguments it takes (1 or 2) with *@list set;
 * -1 with a reason in @err ("bad list 'x' (white, proxy or src)").
 */
int sl_list_opt(int argc, char *const *argv, int i, uint32_t *list,
		char *err, size_t errlen);
/* Counter / memory attribute key ("packets", "wl_v4", ...); NULL if unknown. */
const char *sl_counter_name(uint16_t type);
const char *sl_mem_name(uint16_t type);

/* Top-level request attribute, for "missing attribute X"; or NULL. */
const char *sl_attr_name(uint16_t type);

#endif /* SLUICE_NAMES_H */
