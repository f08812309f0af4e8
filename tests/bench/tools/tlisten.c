// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tlisten PORT: a trivial transparent TCP listener for the flow benchmark.
 * IP_TRANSPARENT socket on 0.0.0.0:PORT; every accepted connection gets one
 * byte, then the listener waits for the client's FIN and closes.  The client
 * closes first, so TIME_WAIT stays on the client side: the gateway's
 * transparent sockets never sit in TIME_WAIT, and a reused client port is
 * never answered by a TIME_WAIT socket (which would make that client wait
 * for a SYN retransmission and skew flows/s towards whichever setup runs
 * first).  Four processes accept, so the guest's two vCPUs can both work.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
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
	for (i = 0; i < 3; i++)
		if (fork() == 0)
			break;
	for (;;) {
		struct timeval tv = { .tv_sec = 2 };
		int c = accept(fd, NULL, NULL);
		char b[64];

		if (c < 0)
			continue;
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (write(c, "x", 1) == 1)
			while (read(c, b, sizeof(b)) > 0)
				;
		close(c);
	}
}
