// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlisten PORT: a trivial transparent TCP listener for the flow benchmark.
 * IP_TRANSPARENT socket on 0.0.0.0:PORT; every accepted connection gets one
 * byte and is closed.  Two threads (processes) accept, so the guest's two
 * vCPUs can both work.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int one = 1, fd, i;

	if (argc != 2) {
		fprintf(stderr, "usage: tlisten PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sa.sin_port = htons(atoi(argv[1]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4096)) {
		perror("tlisten");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (i = 0; i < 1; i++)
		if (fork() == 0)
			break;
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		if (write(c, "x", 1) < 0) {
			/* the client went away: nothing to do */
		}
		close(c);
	}
}
