/*
 * udp_blast.c
 *    Load generator for benchmarks: sends NetFlow v5 datagrams of 30
 *    records to a loopback UDP port at a fixed rate for a fixed time, with
 *    sendmmsg, and prints how many datagrams and records it sent.  Every
 *    record differs (addresses, ports, counters) so nothing downstream can
 *    take a shortcut on repeated values.
 *
 *    usage: udp_blast [-a FILE] [-p ADDR] PORT DATAGRAMS_PER_SECOND SECONDS [ADDR]
 *    Only loopback addresses are accepted.
 *
 *    -a FILE  IPv4 addresses (one dotted quad a line, e.g. from
 *             ctx_networks.c) for the records' source and destination, in
 *             turn, instead of 10.x.y.z -> 192.168.x.y: traffic that hits
 *             the prefixes of a context table.
 *    -p ADDR  the destination of the first record of every datagram (a
 *             probe: context_rebuild.sh watches the group of this address)
 *
 *    SIGTERM or SIGINT ends the sending early; the totals are printed all
 *    the same (context_rebuild.sh sends until its changes are done).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <getopt.h>
#include <signal.h>

#define RECORDS 30
#define DGRAM_LEN (24 + 48 * RECORDS)
#define BURST 32

/* -a: addresses in host order; -p: probe destination (0: none). */
static uint32_t *ub_addrs;
static size_t ub_naddrs;
static uint32_t ub_probe;
static volatile sig_atomic_t ub_stop;

static void
ub_on_signal(int sig)
{
	(void) sig;
	ub_stop = 1;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 8);
	p[1] = (uint8_t) v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t) (v >> 24);
	p[1] = (uint8_t) (v >> 16);
	p[2] = (uint8_t) (v >> 8);
	p[3] = (uint8_t) v;
}

/* Read -a's file: one IPv4 address a line. */
static int
load_addrs(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[64];
	size_t		cap = 0;

	if (f == NULL)
	{
		perror(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f))
	{
		struct in_addr a;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (inet_pton(AF_INET, line, &a) != 1)
		{
			fprintf(stderr, "udp_blast: %s: not an IPv4 address: %s\n", path, line);
			fclose(f);
			return -1;
		}
		if (ub_naddrs == cap)
		{
			cap = cap ? cap * 2 : 65536;
			ub_addrs = realloc(ub_addrs, cap * sizeof(uint32_t));
			if (ub_addrs == NULL)
			{
				fprintf(stderr, "udp_blast: out of memory\n");
				fclose(f);
				return -1;
			}
		}
		ub_addrs[ub_naddrs++] = ntohl(a.s_addr);
	}
	fclose(f);
	if (ub_naddrs == 0)
	{
		fprintf(stderr, "udp_blast: %s holds no address\n", path);
		return -1;
	}
	return 0;
}

static int
usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-a ADDRS_FILE] [-p PROBE_ADDR] PORT DATAGRAMS_PER_SECOND SECONDS [ADDR]\n", argv0);
	return 2;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fill datagram number seq: header plus RECORDS distinct records. */
static void
build(uint8_t *d, uint32_t seq)
{
	struct timespec ts;
	int			i;

	clock_gettime(CLOCK_REALTIME, &ts);
	memset(d, 0, DGRAM_LEN);
	put16(d, 5);
	put16(d + 2, RECORDS);
	put32(d + 4, 3600000);		/* sysUptime: one hour */
	put32(d + 8, (uint32_t) ts.tv_sec);
	put32(d + 12, (uint32_t) ts.tv_nsec);
	put32(d + 16, seq * RECORDS);
	for (i = 0; i < RECORDS; i++)
	{
		uint8_t    *r = d + 24 + 48 * i;
		uint32_t	n = seq * RECORDS + (uint32_t) i;

		if (ub_naddrs > 0)
		{
			/* Source and destination far apart in the list. */
			put32(r, ub_addrs[n % ub_naddrs]);
			put32(r + 4, ub_addrs[(n + ub_naddrs / 2) % ub_naddrs]);
		}
		else
		{
			put32(r, 0x0a000000u | (n & 0xffffff));	/* 10.x.y.z */
			put32(r + 4, 0xc0a80000u | (n & 0xffff));	/* 192.168.x.y */
		}
		if (i == 0 && ub_probe != 0)
			put32(r + 4, ub_probe);
		put32(r + 8, 0x0a0000fe);
		put16(r + 12, 1 + n % 8);
		put16(r + 14, 2 + n % 8);
		put32(r + 16, 1 + n % 100);
		put32(r + 20, 64 + n % 1400);
		put32(r + 24, 3590000);
		put32(r + 28, 3599000);
		put16(r + 32, 1024 + n % 60000);
		put16(r + 34, n % 2 ? 443 : 53);
		r[37] = 0x18;
		r[38] = n % 2 ? 6 : 17;
		put16(r + 40, 64512);
		put16(r + 42, 65000 + n % 100);
		r[44] = 24;
		r[45] = 16;
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in to;
	static uint8_t bufs[BURST][DGRAM_LEN];
	struct mmsghdr msgs[BURST];
	struct iovec iov[BURST];
	int			fd, port, i;
	double		rate, secs, start, next;
	uint64_t	sent = 0;
	uint32_t	seq = 0;
	const char *addr;
	struct in_addr probe;
	int			opt;

	while ((opt = getopt(argc, argv, "a:p:")) != -1)
	{
		switch (opt)
		{
			case 'a':
				if (load_addrs(optarg) != 0)
					return 2;
				break;
			case 'p':
				if (inet_pton(AF_INET, optarg, &probe) != 1)
				{
					fprintf(stderr, "udp_blast: -p wants an IPv4 address\n");
					return 2;
				}
				ub_probe = ntohl(probe.s_addr);
				break;
			default:
				return usage(argv[0]);
		}
	}
	if (argc - optind < 3)
		return usage(argv[0]);
	argv += optind;
	argc -= optind;
	addr = argc > 3 ? argv[3] : "127.0.0.1";
	port = atoi(argv[0]);
	rate = atof(argv[1]);
	secs = atof(argv[2]);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t) port);
	if (inet_pton(AF_INET, addr, &to.sin_addr) != 1 ||
		(ntohl(to.sin_addr.s_addr) >> 24) != 127)
	{
		fprintf(stderr, "udp_blast: only 127.0.0.0/8 targets are allowed\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *) &to, sizeof(to)) < 0)
	{
		perror("socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BURST; i++)
	{
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = DGRAM_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	signal(SIGTERM, ub_on_signal);
	signal(SIGINT, ub_on_signal);
	start = now_s();
	next = start;
	while (!ub_stop && now_s() - start < secs)
	{
		int			n;

		for (i = 0; i < BURST; i++)
			build(bufs[i], seq++);
		n = sendmmsg(fd, msgs, BURST, 0);
		if (n > 0)
			sent += (uint64_t) n;
		next += BURST / rate;
		while (!ub_stop && now_s() < next)
		{
			double		gap = next - now_s();

			if (gap > 0.0002)
				usleep((useconds_t) (gap * 1e6 / 2));
		}
	}
	printf("sent %llu datagrams, %llu records in %.1f s (%.0f datagrams/s)\n",
		   (unsigned long long) sent, (unsigned long long) sent * RECORDS,
		   now_s() - start, sent / (now_s() - start));
	return 0;
}
