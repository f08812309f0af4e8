// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ulisten PORT: a transparent UDP "listener" for the established-flow
 * benchmark.  One IP_TRANSPARENT socket on 0.0.0.0:PORT and one
 * IPV6_TRANSPARENT (v6 only) socket on [::]:PORT, never read: datagrams
 * diverted to them are queued until the receive buffer is full, then
 * dropped by the socket layer, the same for every setup.  Prints
 * "listening PID" once both are bound, then waits for a signal.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	int one = 1, fd, fd6;

	if (argc != 2 || atoi(argv[1]) <= 0 || atoi(argv[1]) > 65535) {
		fprintf(stderr, "usage: ulisten PORT\n");
		return 2;
	}
	sa.sin_port = htons(atoi(argv[1]));
	sa6.sin6_port = sa.sin_port;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("ulisten: IPv4");
		return 1;
	}
	fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd6 < 0 || setsockopt(fd6, SOL_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    setsockopt(fd6, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one)) ||
	    bind(fd6, (struct sockaddr *)&sa6, sizeof(sa6))) {
		perror("ulisten: IPv6");
		return 1;
	}
	printf("listening %d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
