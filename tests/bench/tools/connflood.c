// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * connflood SECONDS WORKERS BASE COUNT PORT: short TCP connections for the
 * flow benchmark.  WORKERS processes each connect, in a loop for SECONDS,
 * to BASE + (random % COUNT) (IPv4) port PORT, read one byte, close
 * (the client closes first: see tlisten.c).
 * Prints "flows N failed M seconds S".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs, t0, t1;
	int workers, w;
	uint32_t base, count;
	uint16_t port;
	struct in_addr ba;
	long *res;

	if (argc != 6 || inet_pton(AF_INET, argv[3], &ba) != 1) {
		fprintf(stderr, "usage: connflood SECONDS WORKERS BASE COUNT PORT\n");
		return 2;
	}
	secs = atof(argv[1]);
	workers = atoi(argv[2]);
	base = ntohl(ba.s_addr);
	count = strtoul(argv[4], NULL, 0);
	port = atoi(argv[5]);
	res = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return 1;
	t0 = now();
	for (w = 0; w < workers; w++) {
		if (fork() == 0) {
			long ok = 0, bad = 0;
			unsigned int seed = 12345 + w;

			while (now() - t0 < secs) {
				struct sockaddr_in sa = { .sin_family = AF_INET,
							  .sin_port = htons(port) };
				char b[16];
				int fd = socket(AF_INET, SOCK_STREAM, 0);
				ssize_t r;

				sa.sin_addr.s_addr = htonl(base + rand_r(&seed) % count);
				if (fd < 0) {
					bad++;
					continue;
				}
				if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
					bad++;
					close(fd);
					continue;
				}
				r = read(fd, b, 1);
				close(fd);
				if (r == 1)
					ok++;
				else
					bad++;
			}
			res[2 * w] = ok;
			res[2 * w + 1] = bad;
			_exit(0);
		}
	}
	long ok = 0, bad = 0;

	while (wait(NULL) > 0 || errno == EINTR)
		;
	t1 = now();
	for (w = 0; w < workers; w++) {
		ok += res[2 * w];
		bad += res[2 * w + 1];
	}
	printf("flows %ld failed %ld seconds %.3f\n", ok, bad, t1 - t0);
	return 0;
}
