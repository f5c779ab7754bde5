/*
 * bench_context.c
 *    Context enrichment speed on one core (context.h): flows per second
 *    through gf_ctx_enrich (one flow a call) and gf_ctx_enrich_many (a
 *    datagram of 30 flows of one exporter a call), with 10, 10 k and 1 M
 *    IPv4 networks (+ 200 k IPv6 at the 1 M point); and the build time,
 *    block size and build peak of each snapshot.  The peer, measured in
 *    the same run on the same addresses, is the bare cost of the two
 *    network lookups enrichment cannot avoid: gf_pt_lookup on a prefix
 *    table (prefix_table.h) built from the same networks, one flow at a
 *    time; the ratio says what the rest (exporter, device, interfaces,
 *    rates, IPv4-mapped handling) adds.
 *
 *    Networks are synthetic, from a fixed seed, with an Internet-like
 *    length mix (IPv4 60 % /24, 39 % /16../23, 0.4 % /8../15, 0.6 %
 *    longer; IPv6 half /48, many /32../47, a few /56../64, clustered
 *    under /32 allocations in 2000::/3), as bench_prefix.c has them; 1 %
 *    of them are scoped to one of 10 exporters.  Each snapshot also holds
 *    100 devices, 48 interfaces of each, and 4 sampling rates (a default
 *    for all exporters, a default naming ifIndex 1, an override for one
 *    /32, a default for one /26).  Flows: datagrams of 30 flows from one of
 *    the 100 exporters, in_if and out_if 1..48, half with a sampling rate;
 *    source and destination addresses are taken in turn from a pool of
 *    1 M addresses (70 % inside a random table prefix, 30 % anywhere),
 *    written into the flow just before it is enriched, as a receive loop
 *    does: the tables are larger than the caches and the addresses do not
 *    repeat.  At the 1 M point flows are IPv4 only, then 20 % IPv6.
 *
 *    Build and run (optimised, no sanitizers), from the repository root:
 *      mkdir -p build/bench && cc -std=gnu11 -O2 -Isrc/core/include -Isrc/core \
 *         -o build/bench/bench_context test/bench/bench_context.c \
 *         src/core/context_build.c src/core/context_lookup.c src/core/flow.c \
 *         src/core/prefix_table.c src/core/prefix_build.c &&
 *      ./build/bench/bench_context [seconds per figure, default 0.4] [points: 1-3]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "prefix_table.h"
#include "synth_prefix.h"

#define N_EXPORTERS		100
#define N_IFS			48
#define DGRAM			30
#define POOL			(1 << 20)
#define N_FLOWS			(DGRAM * 8)

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double
now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double seconds_per_run = 0.4;

/* ---- synthetic networks --------------------------------------------------- */


typedef struct table
{
	gf_ctx_network_in *nets;
	size_t		n4;
	size_t		n6;
	char	   *names;			/* 12 bytes a name */
	gf_addr		exporters[N_EXPORTERS];
} table;

static void
make_table(table *t, size_t n4, size_t n6)
{
	size_t		n = n4 + n6;
	size_t		n_alloc = n6 / 5 + 1;
	uint32_t   *alloc = malloc(n_alloc * sizeof(uint32_t));
	static char ctx_json[100][24];
	size_t		i;
	int			k;

	t->n4 = n4;
	t->n6 = n6;
	t->nets = calloc(n, sizeof(gf_ctx_network_in));
	t->names = malloc(n * 12);
	for (k = 0; k < 100; k++)
		snprintf(ctx_json[k], sizeof(ctx_json[k]), "{\"customer\":%d}", k);
	for (k = 0; k < N_EXPORTERS; k++)
	{
		uint8_t		a[4] = {192, 0, 2, (uint8_t) (k + 1)};

		if (k >= 50)
			a[0] = 198, a[1] = 51, a[2] = 100, a[3] = (uint8_t) (k - 49);
		gf_addr_set_v4(&t->exporters[k], a);
	}
	for (i = 0; i < n_alloc; i++)
		alloc[i] = 0x20000000u | (uint32_t) (rnd() & 0x1FFFFFFF);
	for (i = 0; i < n; i++)
	{
		gf_ctx_network_in *e = &t->nets[i];

		if (i < n4)
		{
			uint32_t	a = (uint32_t) (1 + rnd() % 223) << 24 | (uint32_t) (rnd() & 0xFFFFFF);

			e->net.family = 4;
			e->net.bytes[0] = a >> 24;
			e->net.bytes[1] = a >> 16;
			e->net.bytes[2] = a >> 8;
			e->net.bytes[3] = a;
			e->prefix_len = (uint8_t) synth_len4(rnd);
			synth_clear_host(e->net.bytes, e->prefix_len, 4);
		}
		else
		{
			uint32_t	base = alloc[rnd() % n_alloc];

			e->net.family = 6;
			e->net.bytes[0] = base >> 24;
			e->net.bytes[1] = base >> 16;
			e->net.bytes[2] = base >> 8;
			e->net.bytes[3] = base;
			for (k = 4; k < 16; k++)
				e->net.bytes[k] = (uint8_t) rnd();
			e->prefix_len = (uint8_t) synth_len6(rnd);
			synth_clear_host(e->net.bytes, e->prefix_len, 16);
		}
		if (n > 100 && rnd() % 100 == 0)
			e->exporter = t->exporters[rnd() % 10];
		snprintf(t->names + i * 12, 12, "n%zu", i);
		e->name = t->names + i * 12;
		if (rnd() % 10 == 0)
			e->context.json = ctx_json[rnd() % 100];
	}
	free(alloc);
}

/*
 * Drop repeats of (prefix, scope): random tables have some, which the
 * builder refuses.  A hash of the masked prefix and scope.
 */
static void
drop_duplicates(table *t)
{
	size_t		n = t->n4 + t->n6;
	size_t		slots = 1;
	uint32_t   *h;
	size_t		i;
	size_t		out = 0;
	size_t		n4 = 0;

	while (slots < 2 * n)
		slots <<= 1;
	h = calloc(slots, sizeof(uint32_t));
	for (i = 0; i < n; i++)
	{
		gf_ctx_network_in *e = &t->nets[i];
		uint64_t	k = 1469598103934665603ull;
		size_t		j;
		int			b;
		int			dup = 0;

		for (b = 0; b < 16; b++)
			k = (k ^ e->net.bytes[b]) * 1099511628211ull;
		k = (k ^ e->prefix_len ^ (uint64_t) e->exporter.family << 8 ^
			 (uint64_t) e->exporter.bytes[3] << 16) * 1099511628211ull;
		for (j = (size_t) (k >> 20) & (slots - 1); h[j] != 0; j = (j + 1) & (slots - 1))
		{
			const gf_ctx_network_in *o = &t->nets[h[j] - 1];

			if (o->net.family == e->net.family && o->prefix_len == e->prefix_len &&
				memcmp(o->net.bytes, e->net.bytes, 16) == 0 &&
				o->exporter.family == e->exporter.family &&
				memcmp(o->exporter.bytes, e->exporter.bytes, 16) == 0)
			{
				dup = 1;
				break;
			}
		}
		if (dup)
			continue;
		t->nets[out] = *e;
		h[j] = (uint32_t) out + 1;
		if (e->net.family == 4)
			n4++;
		out++;
	}
	t->n4 = n4;
	t->n6 = out - n4;
	free(h);
}

static gf_ctx_snapshot *
build_snapshot(const table *t, gf_ctx_build_info *info)
{
	gf_ctx_builder *b = gf_ctx_builder_new(0);
	size_t		i;
	int			k;
	int			j;
	gf_ctx_rate_in r;

	for (i = 0; i < t->n4 + t->n6; i++)
		gf_ctx_add_network(b, &t->nets[i]);
	for (k = 0; k < N_EXPORTERS; k++)
	{
		gf_ctx_device_in d;

		memset(&d, 0, sizeof(d));
		d.exporter = t->exporters[k];
		d.name = "router";
		d.site = k < 50 ? "par1" : "fra2";
		d.role = "edge";
		gf_ctx_add_device(b, &d);
		for (j = 1; j <= N_IFS; j++)
		{
			gf_ctx_interface_in f;
			char		name[16];

			memset(&f, 0, sizeof(f));
			f.exporter = t->exporters[k];
			f.if_index = (uint32_t) j;
			snprintf(name, sizeof(name), "xe-0/0/%d", j);
			f.name = name;
			f.boundary = j <= 4 ? GF_BOUNDARY_EXTERNAL : GF_BOUNDARY_INTERNAL;
			gf_ctx_add_interface(b, &f);
		}
	}
	memset(&r, 0, sizeof(r));
	r.exporter.family = 4;		/* 0.0.0.0/0 */
	r.rate = 1000;
	gf_ctx_add_rate(b, &r);
	r.has_if_index = true;
	r.if_index = 1;
	r.rate = 100;
	gf_ctx_add_rate(b, &r);
	r.has_if_index = false;
	r.exporter = t->exporters[3];
	r.exporter_len = 32;
	r.is_override = true;
	r.rate = 4096;
	gf_ctx_add_rate(b, &r);
	r.exporter = t->exporters[60];
	r.exporter_len = 26;
	r.is_override = false;
	r.rate = 2048;
	gf_ctx_add_rate(b, &r);
	return gf_ctx_build(b, 1, info);
}

/* The peer: a prefix table of the same networks, scopes as the snapshot's. */
static gf_prefix_table *
build_peer(const table *t)
{
	size_t		n = t->n4 + t->n6;
	gf_prefix_entry *e = calloc(n, sizeof(gf_prefix_entry));
	gf_prefix_table *pt;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		e[i].family = t->nets[i].net.family;
		e[i].prefix_len = t->nets[i].prefix_len;
		memcpy(e[i].addr, t->nets[i].net.bytes, 16);
		e[i].scope = t->nets[i].exporter.family ? 1u + t->nets[i].exporter.bytes[3] : 0;
		e[i].value = (uint32_t) i;
	}
	pt = gf_pt_build(e, n, NULL, NULL);
	free(e);
	return pt;
}

/* ---- flows ------------------------------------------------------------------ */

typedef struct pool
{
	gf_addr    *a;				/* POOL addresses */
} pool;

static void
make_pool(pool *p, const table *t, int v6_percent)
{
	size_t		i;
	int			k;

	p->a = malloc(POOL * sizeof(gf_addr));
	for (i = 0; i < POOL; i++)
	{
		gf_addr    *a = &p->a[i];
		int			v6 = t->n6 > 0 && (int) (rnd() % 100) < v6_percent;
		int			inside = rnd() % 10 < 7;

		memset(a, 0, sizeof(*a));
		if (inside)
		{
			const gf_ctx_network_in *e = v6 ? &t->nets[t->n4 + rnd() % t->n6] :
				&t->nets[rnd() % t->n4];
			int			bytes = e->net.family == 4 ? 4 : 16;

			*a = e->net;
			for (k = e->prefix_len; k < bytes * 8; k++)
				if (rnd() & 1)
					a->bytes[k / 8] |= (uint8_t) (0x80 >> (k % 8));
		}
		else if (v6)
		{
			a->family = 6;
			for (k = 0; k < 16; k++)
				a->bytes[k] = (uint8_t) rnd();
			a->bytes[0] = 0x20 | (a->bytes[0] & 0x1F);
		}
		else
		{
			a->family = 4;
			for (k = 0; k < 4; k++)
				a->bytes[k] = (uint8_t) rnd();
		}
	}
}

/* N_FLOWS flows in datagrams of DGRAM of one exporter; addresses set later. */
static gf_flow *
make_flows(const table *t)
{
	gf_flow    *flows = calloc(N_FLOWS, sizeof(gf_flow));
	size_t		i;

	for (i = 0; i < N_FLOWS; i++)
	{
		gf_flow    *f = &flows[i];

		if (i % DGRAM == 0 || i == 0)
			gf_flow_init(f, GF_TYPE_IPFIX, 1, &t->exporters[rnd() % N_EXPORTERS]);
		else
			gf_flow_init(f, GF_TYPE_IPFIX, 1, &flows[i - 1].sampler_address);
		GF_SET(f, in_if, GF_F_IN_IF, 1 + (uint32_t) (rnd() % N_IFS));
		GF_SET(f, out_if, GF_F_OUT_IF, 1 + (uint32_t) (rnd() % N_IFS));
		if (rnd() & 1)
			GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, 512);
	}
	return flows;
}

typedef enum
{
	RUN_FILL_ONLY,
	RUN_ENRICH,
	RUN_ENRICH_MANY,
	RUN_PEER
} run_kind;

typedef struct result
{
	double		per_s;			/* flows per second of elapsed time */
	double		per_cpu_s;		/* flows per second of this thread's CPU */
	uint64_t	check;			/* a sum of the answers, so they are used */
} result;

static result
run(run_kind kind, const gf_ctx_snapshot *s, const gf_prefix_table *pt, gf_flow *flows,
	const pool *p)
{
	double		t0 = now(CLOCK_MONOTONIC);
	double		c0 = now(CLOCK_THREAD_CPUTIME_ID);
	double		t1;
	uint64_t	done = 0;
	size_t		at = 0;
	result		r;

	r.check = 0;
	do
	{
		size_t		i;
		size_t		d;

		for (d = 0; d < N_FLOWS; d += DGRAM)
		{
			gf_flow    *g = flows + d;

			/* a datagram's flows arrive with fresh addresses */
			for (i = 0; i < DGRAM; i++)
			{
				g[i].src_addr = p->a[at];
				g[i].dst_addr = p->a[at + 1];
				at = (at + 2) & (POOL - 1);
				/* half the flows come without a rate (defaults fill them) */
				g[i].sampling_rate = (i & 1) ? 0 : 512;
				g[i].sampling_rate_source = (i & 1) ? GF_RATE_NONE : GF_RATE_RECORD;
				g[i].present = (g[i].present & ~(UINT64_C(1) << GF_F_SAMPLING_RATE)) |
					(uint64_t) ((i & 1) == 0) << GF_F_SAMPLING_RATE;
			}
			if (kind == RUN_ENRICH)
				for (i = 0; i < DGRAM; i++)
					gf_ctx_enrich(s, &g[i]);
			else if (kind == RUN_ENRICH_MANY)
				gf_ctx_enrich_many(s, g, DGRAM);
			else if (kind == RUN_PEER)
				for (i = 0; i < DGRAM; i++)
				{
					/* the peer knows no exporters: global scope */
					g[i].ctx_src_network = gf_pt_lookup(pt, g[i].src_addr.family,
														g[i].src_addr.bytes, 0);
					g[i].ctx_dst_network = gf_pt_lookup(pt, g[i].dst_addr.family,
														g[i].dst_addr.bytes, 0);
				}
			for (i = 0; i < DGRAM; i++)
				r.check += g[i].ctx_src_network + g[i].ctx_dst_network + g[i].ctx_in_if;
		}
		done += N_FLOWS;
		t1 = now(CLOCK_MONOTONIC);
	} while (t1 - t0 < seconds_per_run);
	r.per_s = done / (t1 - t0);
	r.per_cpu_s = done / (now(CLOCK_THREAD_CPUTIME_ID) - c0);
	return r;
}

static void
measure(const char *label, const gf_ctx_snapshot *s, const gf_prefix_table *pt,
		gf_flow *flows, const pool *p)
{
	result		fill = run(RUN_FILL_ONLY, s, pt, flows, p);
	result		one = run(RUN_ENRICH, s, pt, flows, p);
	result		many = run(RUN_ENRICH_MANY, s, pt, flows, p);
	result		peer = run(RUN_PEER, s, pt, flows, p);

	/* per-flow time minus the address copy every run pays */
#define NS(x) (1e9 / (x).per_cpu_s - 1e9 / fill.per_cpu_s)
	printf("%-28s | %6.2f M/s %5.1f ns | %6.2f M/s %5.1f ns | %6.2f M/s %5.1f ns | %5.2f | %5.2f | cpu %.2f\n",
		   label, one.per_cpu_s / 1e6, NS(one), many.per_cpu_s / 1e6, NS(many),
		   peer.per_cpu_s / 1e6, NS(peer), NS(one) / NS(peer), NS(many) / NS(peer),
		   one.per_s / one.per_cpu_s);
#undef NS
	if (one.check == 0 && many.check == 0)
		printf("(no answers?)\n");
}

/* One table size: build, check enrich against enrich_many, measure. */
static void
point(const char *label, size_t n4, size_t n6)
{
	table		t;
	gf_ctx_build_info info;
	gf_ctx_snapshot *s;
	gf_prefix_table *pt;
	gf_flow    *flows;
	gf_flow    *copy;
	pool		p;
	double		t0;
	double		peer_ms;
	size_t		i;
	char		buf[64];

	make_table(&t, n4, n6);
	drop_duplicates(&t);
	s = build_snapshot(&t, &info);
	if (s == NULL)
	{
		printf("%s: build refused: %s\n", label, info.message);
		exit(1);
	}
	t0 = now(CLOCK_MONOTONIC);
	pt = build_peer(&t);
	peer_ms = (now(CLOCK_MONOTONIC) - t0) * 1e3;
	printf("%-28s | build %8.1f ms (peer table alone %7.1f ms) | block %8.2f MiB "
		   "(peer %7.2f MiB) | build peak %7.1f MiB\n",
		   label, info.build_ms, peer_ms, info.bytes / 1048576.0,
		   gf_pt_bytes(pt) / 1048576.0, info.peak_bytes / 1048576.0);

	flows = make_flows(&t);
	copy = malloc(N_FLOWS * sizeof(gf_flow));
	for (i = 0; i < 2; i++)
	{
		make_pool(&p, &t, i == 0 ? 0 : 20);
		if (i == 1 && n6 == 0)
		{
			free(p.a);
			break;
		}
		/* sanity: both calls agree on the first batch */
		memcpy(copy, flows, N_FLOWS * sizeof(gf_flow));
		{
			size_t		k;

			for (k = 0; k < N_FLOWS; k++)
			{
				copy[k].src_addr = flows[k].src_addr = p.a[2 * k];
				copy[k].dst_addr = flows[k].dst_addr = p.a[2 * k + 1];
				gf_ctx_enrich(s, &flows[k]);
			}
			gf_ctx_enrich_many(s, copy, N_FLOWS);
			for (k = 0; k < N_FLOWS; k++)
				if (copy[k].ctx_src_network != flows[k].ctx_src_network ||
					copy[k].ctx_in_if != flows[k].ctx_in_if ||
					copy[k].sampling_rate != flows[k].sampling_rate)
				{
					printf("enrich and enrich_many disagree at flow %zu\n", k);
					exit(1);
				}
		}
		snprintf(buf, sizeof(buf), "%s, %s", label, i == 0 ? "IPv4 flows" : "20 % IPv6");
		measure(buf, s, pt, flows, &p);
		free(p.a);
	}
	free(copy);
	free(flows);
	free(s);
	gf_pt_free(pt);
	free(t.nets);
	free(t.names);
}

int
main(int argc, char **argv)
{
	double		t0 = now(CLOCK_MONOTONIC);

	int			points = 3;

	if (argc > 1)
		seconds_per_run = atof(argv[1]);
	if (argc > 2)
		points = atoi(argv[2]);
	printf("Context enrichment, one core: flows per CPU second and ns per flow (address "
		   "copy subtracted);\n"
		   "gf_ctx_enrich | gf_ctx_enrich_many (datagrams of %d) | peer: 2 x gf_pt_lookup "
		   "| ratios to the peer | cpu share\n\n", DGRAM);
	point("10 IPv4", 10, 0);
	if (points >= 2)
		point("10 k IPv4", 10000, 0);
	if (points >= 3)
		point("1 M IPv4 + 200 k IPv6", 1000000, 200000);
	printf("\ntotal %.1f s\n", now(CLOCK_MONOTONIC) - t0);
	return 0;
}
