/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared by the sluicectl command files.  Every command takes the
 * arguments after its name (global flags already removed) and returns
 * the process exit status.
 */
#ifndef SLUICECTL_CLI_H
#define SLUICECTL_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "nl.h"

extern bool opt_json;	/* -j, --json */
extern bool opt_quiet;	/* -q, --quiet */
extern uint32_t opt_list;	/* -L, --list: enum sluice_list */

/* "sluicectl: " + message + "\n" on stderr; returns 1 (the exit status). */
int cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report a netlink failure of @cmd in the one-line form; returns 1. */
int cli_nl_fail(const char *cmd, const struct sl_nl_err *e);
/* Open and resolve the family, or report why not. 0 or -1. */
int cli_open(const char *cmd, struct sl_nl *nl);
/* Print a json-c object on stdout as one line; frees it. */
struct json_object;
int cli_json_print(struct json_object *o);

int cmd_status(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_del(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_flush_flows(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_check(int argc, char **argv);

/* cmd_check.c: the warnings status shows (NULL when out of memory). */
struct sl_config;
void check_status_human(const struct sl_config *c);
struct json_object *check_status_json(const struct sl_config *c);

#endif /* SLUICECTL_CLI_H */
