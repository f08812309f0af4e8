// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vcpumon PID MARKFILE OUTFILE: host-side CPU accounting of a QEMU guest.
 *
 * Under TCG on a shared host the guest's clock keeps running while its
 * vCPU threads wait for a host CPU, so rates measured inside the guest
 * carry the host's load.  The CPU time the QEMU process actually got does
 * not.  Every 2 ms this polls MARKFILE (written by the guest on the 9p job
 * share, no caching); whenever its first line changes it appends
 *   <line> <cpu_ns> <mono_ns>
 * to OUTFILE, cpu_ns being the sum of the first field of
 * /proc/PID/task/ * /schedstat (run time of every QEMU thread).  Exits when
 * PID is gone.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned long long cpu_ns(const char *pid)
{
	char path[640];
	unsigned long long sum = 0, v;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task/%s/schedstat", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &v) == 1)
			sum += v;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

int main(int argc, char **argv)
{
	char last[512] = "", cur[512], proc[64];
	struct timespec ts, nap = { 0, 2000000 };
	FILE *out;

	if (argc != 4) {
		fprintf(stderr, "usage: vcpumon PID MARKFILE OUTFILE\n");
		return 2;
	}
	snprintf(proc, sizeof(proc), "/proc/%s", argv[1]);
	out = fopen(argv[3], "a");
	if (!out)
		return 1;
	while (access(proc, F_OK) == 0) {
		FILE *m = fopen(argv[2], "r");

		if (m) {
			if (fgets(cur, sizeof(cur), m) && strchr(cur, '\n') &&
			    strcmp(cur, last)) {
				unsigned long long c = cpu_ns(argv[1]);

				clock_gettime(CLOCK_MONOTONIC, &ts);
				cur[strcspn(cur, "\n")] = 0;
				fprintf(out, "%s %llu %llu\n", cur, c,
					ts.tv_sec * 1000000000ULL + ts.tv_nsec);
				fflush(out);
				strcpy(last, cur);
				strcat(last, "\n");
			}
			fclose(m);
		}
		nanosleep(&nap, NULL);
	}
	return 0;
}
