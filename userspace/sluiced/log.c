// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "log.h"
#include "conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static int use_stderr = 1;
static int max_level = LVL_INFO;

void log_open(int foreground, int level)
{
	use_stderr = foreground;
	max_level = level;
	if (!foreground)
		openlog("sluiced", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level)
{
	max_level = level;
}

int log_level(void)
{
	return max_level;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	if (use_stderr) {
		char line[1024];

		/* One write per line: client output and ours never mix. */
		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "sluiced[%s]: %s\n", conf_level_name(level),
			line);
	} else {
		vsyslog(level, fmt, ap);
	}
	va_end(ap);
}

uint64_t now_ms(void)
{
	return now_us() / 1000;
}

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000;
}
