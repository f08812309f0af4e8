/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Logging: stderr with a level tag in the foreground, syslog(3) as a
 * daemon.  Levels are syslog priorities (conf.h LVL_*).
 */
#ifndef SLUICED_LOG_H
#define SLUICED_LOG_H

#include <stdint.h>

void log_open(int foreground, int level);
void log_set_level(int level);
int log_level(void);
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LVL_WARN, __VA_ARGS__)
#define log_notice(...)	log_msg(LVL_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LVL_DEBUG, __VA_ARGS__)

/* CLOCK_MONOTONIC in milliseconds and microseconds. */
uint64_t now_ms(void);
uint64_t now_us(void);

#endif /* SLUICED_LOG_H */
