// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tcpgen IFACE DSTMAC SRC DST SPORT DPORT COUNT: COUNT copies of one TCP
 * segment (ACK, no payload, the same sequence numbers) from SRC:SPORT to
 * DST:DPORT (IPv4 or IPv6), sent as Ethernet frames on IFACE through an
 * AF_PACKET socket that bypasses the qdisc, 256 per sendmmsg().  On a veth
 * each frame is received by the peer at once (the softirq runs when the
 * send re-enables bottom halves), so the time this takes covers the
 * receiving side's work too.  pktgen, which the other kernel benchmarks
 * use, builds UDP only: this is the TCP stream of the established-flow
 * benchmark (conntrack picks the flow up mid-stream, as with
 * nf_conntrack_tcp_loose=1, the default).
 * Prints "PPS SENT": packets per second of CLOCK_MONOTONIC over the
 * whole run (guest instructions with instruction counting), and how
 * many were sent.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256

static uint32_t sum16(const void *p, size_t n, uint32_t s)
{
	const uint8_t *b = p;

	for (; n > 1; n -= 2, b += 2)
		s += (uint32_t)b[0] << 8 | b[1];
	if (n)
		s += (uint32_t)b[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2],
		      &m[3], &m[4], &m[5]) == 6 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static uint8_t f[128];
	static struct mmsghdr mm[BATCH];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	struct in6_addr s6, d6;
	struct in_addr s4, d4;
	struct timespec t0, t1;
	struct iovec iov;
	uint8_t *ip, *tcp;
	long count, sent = 0;
	int fd, one = 1, v6, i;
	size_t len, iphl;
	uint32_t cs;
	double sec;

	if (argc != 8 || (count = atol(argv[7])) <= 0) {
		fprintf(stderr, "usage: tcpgen IFACE DSTMAC SRC DST SPORT DPORT COUNT\n");
		return 2;
	}
	v6 = strchr(argv[3], ':') != NULL;
	if (parse_mac(argv[2], f) ||
	    (v6 ? inet_pton(AF_INET6, argv[3], &s6) != 1 || inet_pton(AF_INET6, argv[4], &d6) != 1 :
		  inet_pton(AF_INET, argv[3], &s4) != 1 || inet_pton(AF_INET, argv[4], &d4) != 1)) {
		fprintf(stderr, "tcpgen: bad MAC or addresses\n");
		return 2;
	}
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x02", 6);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	ip = f + 14;
	iphl = v6 ? 40 : 20;
	tcp = ip + iphl;
	/* TCP: ports, seq 1000, ack 1000, 20 bytes, ACK, window 65535 */
	tcp[0] = atoi(argv[5]) >> 8;
	tcp[1] = atoi(argv[5]) & 0xff;
	tcp[2] = atoi(argv[6]) >> 8;
	tcp[3] = atoi(argv[6]) & 0xff;
	tcp[6] = 0x03;
	tcp[7] = 0xe8;
	tcp[10] = 0x03;
	tcp[11] = 0xe8;
	tcp[12] = 5 << 4;
	tcp[13] = 0x10;
	tcp[14] = 0xff;
	tcp[15] = 0xff;
	if (v6) {
		ip[0] = 0x60;
		ip[5] = 20;		/* payload length */
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;
		memcpy(ip + 8, &s6, 16);
		memcpy(ip + 24, &d6, 16);
		cs = sum16(ip + 8, 32, 0) + IPPROTO_TCP + 20;
	} else {
		ip[0] = 0x45;
		ip[3] = 40;		/* total length */
		ip[6] = 0x40;		/* DF */
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, &s4, 4);
		memcpy(ip + 16, &d4, 4);
		memcpy(ip + 10, (uint16_t[]){ fold(sum16(ip, 20, 0)) }, 2);
		cs = sum16(ip + 12, 8, 0) + IPPROTO_TCP + 20;
	}
	memcpy(tcp + 16, (uint16_t[]){ fold(sum16(tcp, 20, cs)) }, 2);
	len = 14 + iphl + 20;

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	ll.sll_ifindex = if_nametoindex(argv[1]);
	ll.sll_halen = 6;
	memcpy(ll.sll_addr, f, 6);
	if (fd < 0 || !ll.sll_ifindex ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
		perror("tcpgen");
		return 1;
	}
	iov.iov_base = f;
	iov.iov_len = len;
	for (i = 0; i < BATCH; i++) {
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < count) {
		int n = count - sent < BATCH ? (int)(count - sent) : BATCH;

		n = sendmmsg(fd, mm, n, 0);
		if (n <= 0) {
			perror("tcpgen: sendmmsg");
			return 1;
		}
		sent += n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sec = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.0f %ld\n", sec > 0 ? sent / sec : 0, sent);
	return 0;
}
