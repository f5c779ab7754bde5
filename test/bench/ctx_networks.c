/*
 * ctx_networks.c
 *    Input for the context benchmarks (bench_collector.sh BENCH_CONTEXT=1,
 *    context_rebuild.sh): a goflow2plus.networks table of N4 distinct IPv4
 *    and N6 distinct IPv6 prefixes with an Internet-like length mix (the
 *    same mix as bench_prefix.c: IPv4 60 % /24, 39 % /16../23, 0.4 %
 *    /8../15, 0.6 % longer than /24; IPv6 mostly /48 and /32../47 under
 *    /20../32 allocations in 2000::/3), and a list of IPv4 addresses each
 *    inside a randomly chosen table prefix, for udp_blast -a.
 *
 *    The table file is COPY text for (cidr, name, context): name "AS<n>"
 *    and context {"asn": n} with n one of 80 000 origin numbers, as a
 *    table named after BGP origins would be.  Its first row is the probe
 *    network 100.64.0.1/32 named "probe-0": a /32, so no generated prefix
 *    is more specific for the probe address, and context_rebuild.sh renames
 *    it to see when a change reaches the stored flows.
 *
 *    usage: ctx_networks N4 N6 NETWORKS_FILE ADDRS_FILE [N_ADDRS]
 *    (N_ADDRS defaults to N4).  The output depends only on the arguments.
 *
 *    Build: cc -std=gnu11 -O2 -o ctx_networks test/bench/ctx_networks.c
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth_prefix.h"

typedef struct cn_prefix
{
	uint8_t		family;
	uint8_t		len;
	uint8_t		addr[16];
} cn_prefix;

static uint64_t cn_state = 0x2545F4914F6CDD1Dull;

static uint64_t
cn_rnd(void)
{
	cn_state ^= cn_state << 13;
	cn_state ^= cn_state >> 7;
	cn_state ^= cn_state << 17;
	return cn_state;
}

/*
 * Distinctness: an open-addressing set of indexes into the prefix array
 * (the table's UNIQUE (cidr, exporter) refuses duplicates).
 */
static cn_prefix *cn_all;
static uint32_t *cn_set;
static size_t cn_set_mask;

static size_t
cn_hash(const cn_prefix *p)
{
	uint64_t	h = 0xcbf29ce484222325ull;
	const uint8_t *b = (const uint8_t *) p;
	size_t		i;

	for (i = 0; i < sizeof(*p); i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return (size_t) (h ^ (h >> 29));
}

/* Add cn_all[i] unless an equal prefix is there; true if added. */
static int
cn_add(uint32_t i)
{
	size_t		s = cn_hash(&cn_all[i]) & cn_set_mask;

	while (cn_set[s] != 0)
	{
		if (memcmp(&cn_all[cn_set[s] - 1], &cn_all[i], sizeof(cn_prefix)) == 0)
			return 0;
		s = (s + 1) & cn_set_mask;
	}
	cn_set[s] = i + 1;
	return 1;
}

static void
cn_gen4(cn_prefix *p)
{
	uint32_t	a = (uint32_t) (1 + cn_rnd() % 223) << 24 | (uint32_t) (cn_rnd() & 0xFFFFFF);

	memset(p, 0, sizeof(*p));
	p->family = 4;
	p->len = (uint8_t) synth_len4(cn_rnd);
	p->addr[0] = (uint8_t) (a >> 24);
	p->addr[1] = (uint8_t) (a >> 16);
	p->addr[2] = (uint8_t) (a >> 8);
	p->addr[3] = (uint8_t) a;
	synth_clear_host(p->addr, p->len, p->family == 4 ? 4 : 16);
}

static void
cn_gen6(cn_prefix *p, const uint32_t *alloc, size_t n_alloc)
{
	uint32_t	base = alloc[cn_rnd() % n_alloc];
	int			k;

	memset(p, 0, sizeof(*p));
	p->family = 6;
	p->len = (uint8_t) synth_len6(cn_rnd);
	p->addr[0] = (uint8_t) (base >> 24);
	p->addr[1] = (uint8_t) (base >> 16);
	p->addr[2] = (uint8_t) (base >> 8);
	p->addr[3] = (uint8_t) base;
	for (k = 4; k < 16; k++)
		p->addr[k] = (uint8_t) cn_rnd();
	synth_clear_host(p->addr, p->len, p->family == 4 ? 4 : 16);
}

int
main(int argc, char **argv)
{
	size_t		n4,
				n6,
				n_addrs,
				total,
				n_alloc,
				i;
	uint32_t	count = 0;
	uint32_t   *alloc;
	FILE	   *nf,
			   *af;
	char		text[INET6_ADDRSTRLEN];

	if (argc < 5)
	{
		fprintf(stderr, "usage: %s N4 N6 NETWORKS_FILE ADDRS_FILE [N_ADDRS]\n", argv[0]);
		return 2;
	}
	n4 = strtoul(argv[1], NULL, 10);
	n6 = strtoul(argv[2], NULL, 10);
	n_addrs = argc > 5 ? strtoul(argv[5], NULL, 10) : n4;
	if (n4 == 0 || n4 + n6 >= (1u << 28))
	{
		fprintf(stderr, "ctx_networks: N4 must be 1 .. 2^28 - N6\n");
		return 2;
	}
	total = 1 + n4 + n6;
	for (cn_set_mask = 1; cn_set_mask < total * 2; cn_set_mask <<= 1)
		;
	cn_all = malloc(total * sizeof(cn_prefix));
	cn_set = calloc(cn_set_mask, sizeof(uint32_t));
	cn_set_mask--;
	n_alloc = n6 / 5 + 1;
	alloc = malloc(n_alloc * sizeof(uint32_t));
	if (!cn_all || !cn_set || !alloc)
	{
		fprintf(stderr, "ctx_networks: out of memory\n");
		return 1;
	}

	/* The probe first, so that no generated prefix can equal it. */
	memset(&cn_all[0], 0, sizeof(cn_prefix));
	cn_all[0].family = 4;
	cn_all[0].len = 32;
	cn_all[0].addr[0] = 100;
	cn_all[0].addr[1] = 64;
	cn_all[0].addr[3] = 1;
	count += cn_add(0);
	while (count < 1 + n4)
	{
		cn_gen4(&cn_all[count]);
		count += cn_add(count);
	}
	for (i = 0; i < n_alloc; i++)
		alloc[i] = 0x20000000u | (uint32_t) (cn_rnd() & 0x1FFFFFFF);
	while (count < total)
	{
		cn_gen6(&cn_all[count], alloc, n_alloc);
		count += cn_add(count);
	}

	nf = fopen(argv[3], "w");
	af = fopen(argv[4], "w");
	if (!nf || !af)
	{
		perror("ctx_networks: fopen");
		return 1;
	}
	fprintf(nf, "100.64.0.1/32\tprobe-0\t{\"probe\": 0}\n");
	for (i = 1; i < total; i++)
	{
		uint32_t	asn = 1 + (uint32_t) (cn_rnd() % 80000);

		inet_ntop(cn_all[i].family == 4 ? AF_INET : AF_INET6, cn_all[i].addr, text, sizeof(text));
		fprintf(nf, "%s/%u\tAS%u\t{\"asn\": %u}\n", text, cn_all[i].len, asn, asn);
	}
	/* Addresses inside IPv4 prefixes chosen at random (not the probe). */
	for (i = 0; i < n_addrs; i++)
	{
		const cn_prefix *p = &cn_all[1 + cn_rnd() % n4];
		uint32_t	a = (uint32_t) p->addr[0] << 24 | (uint32_t) p->addr[1] << 16 |
			(uint32_t) p->addr[2] << 8 | p->addr[3];
		uint32_t	host = p->len >= 32 ? 0 : UINT32_MAX >> p->len;

		a |= (uint32_t) cn_rnd() & host;
		fprintf(af, "%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	}
	if (fclose(nf) != 0 || fclose(af) != 0)
	{
		perror("ctx_networks: write");
		return 1;
	}
	printf("%zu networks (1 probe, %zu IPv4, %zu IPv6), %zu addresses\n",
		   total, n4, n6, n_addrs);
	return 0;
}
