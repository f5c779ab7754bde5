/*
 * udp_blast.c
 *    Load generator for benchmarks: sends NetFlow v5 datagrams of 30
 *    records to a loopback UDP port at a fixed rate for a fixed time, with
 *    sendmmsg, and prints how many datagrams and records it sent.  Every
 *    record differs (addresses, ports, counters) so nothing downstream can
 *    take a shortcut on repeated values.
 *
 *    usage: udp_blast [-a FILE] [-p ADDR] [-f FILE [-u]] [-s SOCKETS] [-b PORT]
 *                     PORT DATAGRAMS_PER_SECOND SECONDS [ADDR]
 *    Only loopback addresses are accepted.
 *
 *    -a FILE  IPv4 addresses (one dotted quad a line, e.g. from
 *             ctx_networks.c) for the records' source and destination, in
 *             turn, instead of 10.x.y.z -> 192.168.x.y: traffic that hits
 *             the prefixes of a context table.
 *    -p ADDR  the destination of the first record of every datagram (a
 *             probe: context_rebuild.sh watches the group of this address)
 *
 *    -f FILE  replay datagrams from FILE (test/bench/lib/v9_export.py: per
 *             datagram a 4-byte header, length and flow records, both
 *             16-bit big-endian, then the datagram) in a loop instead of
 *             making v5 ones.  NetFlow v9 and IPFIX headers are rewritten
 *             on every send, so that each loop is fresh to a collector:
 *             the sequence number continues from the previous datagram of
 *             the same socket (v9: +1 per datagram, IPFIX: + its data
 *             records) and the export time (v9 unix_secs, IPFIX
 *             exportTime) is now.  v9's sysUptime stays as captured: the
 *             records' FIRST/LAST_SWITCHED are relative to it, so every
 *             loop's flows end as long before "now" as they did in the
 *             capture.  The records counted are the file's.
 *    -u       with -f: make every loop's flows new ones, for collectors
 *             that aggregate (nfacctd): each record's IPv4 source address
 *             (field 8 of its v9/IPFIX template) gets (loop x sockets +
 *             socket) x 65536 added, so the keys of a capture whose
 *             sources lie in one /16 never repeat (for 65536 loops).
 *    -s N     send from N sockets (default 1), a burst each in turn: with
 *             SO_REUSEPORT the kernel picks the receiving socket by the
 *             sender's address and port, so `?count=2` needs >= 2 of them.
 *             Replay: each socket runs through FILE on its own.
 *    -b PORT  bind the sockets to source ports PORT, PORT+1, ... (else the
 *             kernel picks them, and the hash may put two on one socket)
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
#define MAX_SOCKS 16
#define MAX_DGRAM 65535

/* -a: addresses in host order; -p: probe destination (0: none). */
static uint32_t *ub_addrs;
static size_t ub_naddrs;
static uint32_t ub_probe;
static volatile sig_atomic_t ub_stop;

/* -f: the file's datagrams (offsets into ub_file), and per socket where
 * its replay stands and its next sequence number. */
static uint8_t *ub_file;
static size_t *ub_off;
static uint16_t *ub_len;
static uint16_t *ub_recs;
static size_t ub_ndgrams;
static size_t ub_cursor[MAX_SOCKS];
static uint32_t ub_seq[MAX_SOCKS];
static uint32_t ub_loop[MAX_SOCKS];
static int	ub_nsocks = 1;

/* -u: where the source addresses lie, for each datagram
 * ub_patch[ub_patch_at[k] .. ub_patch_at[k + 1]) (offsets in it). */
static int	ub_unique;
static uint32_t *ub_patch;
static size_t *ub_patch_at;
static size_t ub_npatch, ub_patch_cap;

/* A template of the file: record length and where IPv4 source address is
 * in the record (-1: none, or a variable-length field makes it unknown). */
#define MAX_TEMPLATES 1024
static struct
{
	uint16_t	id;
	uint16_t	reclen;
	int			src_off;
}			ub_tpl[MAX_TEMPLATES];
static int	ub_ntpl;

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

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t) (p[0] << 8 | p[1]);
}

static int
add_patch(uint32_t off)
{
	if (ub_npatch == ub_patch_cap)
	{
		ub_patch_cap = ub_patch_cap ? ub_patch_cap * 2 : 65536;
		ub_patch = realloc(ub_patch, ub_patch_cap * sizeof(uint32_t));
		if (ub_patch == NULL)
			return -1;
	}
	ub_patch[ub_npatch++] = off;
	return 0;
}

/* Learn the templates of a (v9 or IPFIX) template flowset/set. */
static void
learn_templates(const uint8_t *b, size_t len, int ipfix)
{
	size_t		p = 0;

	while (p + 4 <= len)
	{
		uint16_t	id = get16(b + p), cnt = get16(b + p + 2);
		int			src_off = -1, known = 1, slot;
		uint32_t	reclen = 0;
		uint16_t	f;

		if (id < 256)
			return;				/* padding */
		p += 4;
		for (f = 0; f < cnt && p + 4 <= len; f++)
		{
			uint16_t	type = get16(b + p), flen = get16(b + p + 2);

			p += 4;
			if (ipfix && (type & 0x8000))
			{
				p += 4;			/* enterprise number */
				type = 0;
			}
			if (flen == 65535)
				known = 0;
			if (type == 8 && flen == 4 && known)
				src_off = (int) reclen;
			reclen += flen;
		}
		for (slot = 0; slot < ub_ntpl && ub_tpl[slot].id != id; slot++)
			;
		if (slot == MAX_TEMPLATES)
			return;
		if (slot == ub_ntpl)
			ub_ntpl++;
		ub_tpl[slot].id = id;
		ub_tpl[slot].reclen = known && reclen < 65536 ? (uint16_t) reclen : 0;
		ub_tpl[slot].src_off = known ? src_off : -1;
	}
}

/* -u: note where each data record's source address lies in datagram d. */
static int
index_sources(const uint8_t *d, size_t len)
{
	int			ipfix = get16(d) == 10;
	size_t		off = ipfix ? 16 : 20;

	if (get16(d) != 9 && !ipfix)
		return 0;
	while (off + 4 <= len)
	{
		uint16_t	id = get16(d + off), slen = get16(d + off + 2);
		int			t;

		if (slen < 4 || off + slen > len)
			break;
		if (id == (ipfix ? 2 : 0))
			learn_templates(d + off + 4, slen - 4u, ipfix);
		for (t = 0; id >= 256 && t < ub_ntpl; t++)
		{
			size_t		r;

			if (ub_tpl[t].id != id || ub_tpl[t].src_off < 0 || ub_tpl[t].reclen == 0)
				continue;
			for (r = off + 4; r + ub_tpl[t].reclen <= off + slen; r += ub_tpl[t].reclen)
				if (add_patch((uint32_t) (r + (size_t) ub_tpl[t].src_off)) != 0)
					return -1;
		}
		off += slen;
	}
	return 0;
}

/* Read -f's file into memory and index its datagrams. */
static int
load_replay(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	long		size;
	size_t		off, cap = 0;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) <= 0 ||
		fseek(f, 0, SEEK_SET) != 0)
	{
		fprintf(stderr, "udp_blast: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	ub_file = malloc((size_t) size);
	if (ub_file == NULL || fread(ub_file, 1, (size_t) size, f) != (size_t) size)
	{
		fprintf(stderr, "udp_blast: cannot read %s\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	for (off = 0; off + 4 <= (size_t) size;)
	{
		size_t		len = (size_t) ub_file[off] << 8 | ub_file[off + 1];

		if (len < 20 || off + 4 + len > (size_t) size)
		{
			fprintf(stderr, "udp_blast: %s: bad datagram length at byte %zu\n", path, off);
			return -1;
		}
		if (ub_ndgrams == cap)
		{
			cap = cap ? cap * 2 : 1024;
			ub_off = realloc(ub_off, cap * sizeof(size_t));
			ub_len = realloc(ub_len, cap * sizeof(uint16_t));
			ub_recs = realloc(ub_recs, cap * sizeof(uint16_t));
			ub_patch_at = realloc(ub_patch_at, (cap + 1) * sizeof(size_t));
			if (ub_off == NULL || ub_len == NULL || ub_recs == NULL || ub_patch_at == NULL)
			{
				fprintf(stderr, "udp_blast: out of memory\n");
				return -1;
			}
		}
		ub_off[ub_ndgrams] = off + 4;
		ub_len[ub_ndgrams] = (uint16_t) len;
		ub_recs[ub_ndgrams] = (uint16_t) (ub_file[off + 2] << 8 | ub_file[off + 3]);
		ub_patch_at[ub_ndgrams] = ub_npatch;
		if (index_sources(ub_file + off + 4, len) != 0)
		{
			fprintf(stderr, "udp_blast: out of memory\n");
			return -1;
		}
		ub_ndgrams++;
		ub_patch_at[ub_ndgrams] = ub_npatch;
		off += 4 + len;
	}
	if (ub_ndgrams == 0 || off != (size_t) size)
	{
		fprintf(stderr, "udp_blast: %s: no datagrams or trailing bytes\n", path);
		return -1;
	}
	return 0;
}

/* Copy socket sock's next datagram of the file into d, with a fresh
 * sequence number and export time; returns its length, its records in
 * *recs. */
static size_t
replay_next(uint8_t *d, int sock, uint32_t *recs)
{
	size_t		k = ub_cursor[sock];
	size_t		len = ub_len[k];
	struct timespec ts;

	memcpy(d, ub_file + ub_off[k], len);
	*recs = ub_recs[k];
	if (ub_unique)
	{
		uint32_t	delta = (ub_loop[sock] * (uint32_t) ub_nsocks + (uint32_t) sock) << 16;
		size_t		i;

		for (i = ub_patch_at[k]; i < ub_patch_at[k + 1]; i++)
			put32(d + ub_patch[i], get32(d + ub_patch[i]) + delta);
	}
	ub_cursor[sock] = (k + 1) % ub_ndgrams;
	if (ub_cursor[sock] == 0)
		ub_loop[sock]++;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (d[0] == 0 && d[1] == 9)
	{
		put32(d + 8, (uint32_t) ts.tv_sec);
		put32(d + 12, ub_seq[sock]++);
	}
	else if (d[0] == 0 && d[1] == 10)
	{
		put32(d + 4, (uint32_t) ts.tv_sec);
		put32(d + 8, ub_seq[sock]);
		ub_seq[sock] += *recs;
	}
	return len;
}

static int
usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-a ADDRS_FILE] [-p PROBE_ADDR] [-f REPLAY_FILE [-u]] [-s SOCKETS] [-b SRC_PORT] PORT DATAGRAMS_PER_SECOND SECONDS [ADDR]\n", argv0);
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
	static uint8_t bufs[BURST][MAX_DGRAM];
	struct mmsghdr msgs[BURST];
	struct iovec iov[BURST];
	uint32_t	recs[BURST];
	int			fds[MAX_SOCKS];
	int			port, i, nsocks = 1, src_port = 0, sock = 0;
	double		rate, secs, start, next;
	uint64_t	sent = 0, records = 0;
	uint32_t	seq = 0;
	const char *addr;
	struct in_addr probe;
	int			opt;

	while ((opt = getopt(argc, argv, "a:p:f:s:b:u")) != -1)
	{
		switch (opt)
		{
			case 'f':
				if (load_replay(optarg) != 0)
					return 2;
				break;
			case 'u':
				ub_unique = 1;
				break;
			case 's':
				nsocks = atoi(optarg);
				if (nsocks < 1 || nsocks > MAX_SOCKS)
				{
					fprintf(stderr, "udp_blast: -s wants 1 to %d\n", MAX_SOCKS);
					return 2;
				}
				break;
			case 'b':
				src_port = atoi(optarg);
				if (src_port < 1 || src_port > 65535 - MAX_SOCKS)
				{
					fprintf(stderr, "udp_blast: -b wants a port\n");
					return 2;
				}
				break;
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
	ub_nsocks = nsocks;
	if (ub_unique && (ub_ndgrams == 0 || ub_npatch == 0))
	{
		fprintf(stderr, "udp_blast: -u needs -f with IPv4 source addresses in its records\n");
		return 2;
	}
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
	for (i = 0; i < nsocks; i++)
	{
		struct sockaddr_in from;

		fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fds[i] < 0)
		{
			perror("socket");
			return 1;
		}
		if (src_port > 0)
		{
			memset(&from, 0, sizeof(from));
			from.sin_family = AF_INET;
			from.sin_port = htons((uint16_t) (src_port + i));
			from.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
			if (bind(fds[i], (struct sockaddr *) &from, sizeof(from)) < 0)
			{
				fprintf(stderr, "udp_blast: bind to source port %d: ", src_port + i);
				perror("");
				return 1;
			}
		}
		if (connect(fds[i], (struct sockaddr *) &to, sizeof(to)) < 0)
		{
			perror("connect");
			return 1;
		}
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
		{
			if (ub_ndgrams > 0)
				iov[i].iov_len = replay_next(bufs[i], sock, &recs[i]);
			else
			{
				build(bufs[i], seq++);
				recs[i] = RECORDS;
			}
		}
		n = sendmmsg(fds[sock], msgs, BURST, 0);
		for (i = 0; i < n; i++)
			records += recs[i];
		if (n > 0)
			sent += (uint64_t) n;
		/* Unsent datagrams of a replay are skipped, not resent: the
		 * sequence numbers show the gap to a collector, as a real
		 * exporter's would. */
		sock = (sock + 1) % nsocks;
		next += BURST / rate;
		while (!ub_stop && now_s() < next)
		{
			double		gap = next - now_s();

			if (gap > 0.0002)
				usleep((useconds_t) (gap * 1e6 / 2));
		}
	}
	printf("sent %llu datagrams, %llu records in %.1f s (%.0f datagrams/s)\n",
		   (unsigned long long) sent, (unsigned long long) records,
		   now_s() - start, sent / (now_s() - start));
	return 0;
}
