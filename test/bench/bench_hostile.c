/*
 * bench_hostile.c
 *    What hostile NetFlow v9 / IPFIX input costs the decoder, compared with
 *    benign input of about the same size measured in the same run (issue
 *    #6, "Hardening").
 *
 *    Every hostile shape is built here byte by byte and sent through the
 *    core's public API only (gf_decoder_new, gf_decode, gf_decoder_expire
 *    and the counters), so the same file measures the decoder before and
 *    after the hardening.  Per shape it prints the datagram's size, the
 *    time to decode it (the minimum over repeats), the time per byte, and
 *    the ratio of that time per byte to a benign IPFIX datagram's: the
 *    65479-byte one of 977 flows for datagrams above 8 KB, the 1472-byte
 *    one of 21 flows below.  Isolation checks (can one exporter change
 *    what another decodes or keeps?) print what the other exporter got.
 *    The last lines give the worst ratio.
 *
 *    The hash-collision shapes find colliding keys with a copy of the
 *    unkeyed FNV-1a scope hash that netflow_scope.h had when this was
 *    written.  Once the stores use a keyed, per-process-seeded hash the
 *    same keys no longer share a chain, and the figures show it.
 *
 *    Build and run (optimised, no sanitizers), from the repository root:
 *      make src/gen/flow.pb-c.c && mkdir -p build/bench &&
 *      cc -std=gnu11 -O2 -Isrc/core/include -Isrc/core -Isrc/gen -Itest/unit -o build/bench/bench_hostile \
 *         test/bench/bench_hostile.c src/core/[a-z]*.c src/gen/flow.pb-c.c -lprotobuf-c -lyaml &&
 *      ./build/bench/bench_hostile [-f] [seconds]
 *    -f sends every 64 KB datagram even when its 1472-byte twin predicts it
 *    takes over GUARD_S seconds (the unfixed decoder: minutes); seconds is
 *    the most time spent repeating one measurement (default 0.5).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "nf_packet_builder.h"

#define NOW_NS			UINT64_C(1700000100000000000)
#define EXPORT_SECS		1700000100u
#define IPFIX_MAX		65535	/* an IPFIX message length is 16 bits */
#define SMALL_DATAGRAM	1472	/* one Ethernet frame of UDP over IPv4 */
#define BIG_DATAGRAM	8192	/* above this: compared with the 64 KB benign */
#define MAX_FIELDS		512		/* the default max_template_fields */

/* Repeats: at least MIN_REPS and ENOUGH_S seconds, never past budget_s. */
#define MIN_REPS		5
#define MAX_REPS		3000
#define ENOUGH_S		0.25

static double budget_s = 0.5;

/* Datagram buffers: one to fill state with, two to time. */
static pb	work;
static pb	dg_a;
static pb	dg_b;

/* ---------------------------------------------------------------- timing */

static double
clock_s(clockid_t which)
{
	struct timespec ts;

	clock_gettime(which, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/*
 * What one datagram cost: elapsed time (what the ratios use) and this
 * thread's CPU time, which shows how much of a long single measurement
 * was other processes' turn on a busy machine.
 */
typedef struct cost
{
	double		wall;
	double		cpu;
	bool		predicted;		/* scaled from a smaller datagram, not sent */
} cost;

typedef struct stopwatch
{
	double		wall0;
	double		cpu0;
} stopwatch;

static void
sw_start(stopwatch *sw)
{
	sw->cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	sw->wall0 = now_s();
}

static cost
sw_stop(const stopwatch *sw)
{
	cost		c;

	c.wall = now_s() - sw->wall0;
	c.cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - sw->cpu0;
	c.predicted = false;
	return c;
}

/* Keep the lesser of each. */
static void
cost_min(cost *best, const cost *c)
{
	if (c->wall < best->wall)
		best->wall = c->wall;
	if (c->cpu < best->cpu)
		best->cpu = c->cpu;
}

static const cost COST_NONE = {1e30, 1e30, false};

typedef void (*step_fn) (void *arg);

/* The least time one call of run takes; setup (not timed) runs before each. */
static cost
time_min(step_fn setup, step_fn run, void *arg)
{
	cost		best = COST_NONE;
	double		spent = 0;
	int			reps = 0;

	for (;;)
	{
		stopwatch	sw;
		cost		c;

		if (setup)
			setup(arg);
		sw_start(&sw);
		run(arg);
		c = sw_stop(&sw);
		cost_min(&best, &c);
		reps++;
		spent += c.wall;
		if (spent >= budget_s || reps >= MAX_REPS ||
			(reps >= MIN_REPS && spent >= ENOUGH_S))
			return best;
	}
}

/* ---------------------------------------------------------- result table */

static double benign_big_nspb;	/* ns per byte, 64 KB benign datagram */
static double benign_small_nspb;	/* ns per byte, 1472-byte benign datagram */
static char worst_name[128];
static double worst_ratio;

static void
print_header(void)
{
	printf("  %-62s %7s %12s %12s %10s %11s\n", "shape", "bytes", "us/dgram",
		   "cpu us", "ns/B", "ratio");
}

static void
report(const char *name, size_t bytes, cost t)
{
	bool		big = bytes > BIG_DATAGRAM;
	double		nspb = t.wall * 1e9 / (double) bytes;
	double		ratio = nspb / (big ? benign_big_nspb : benign_small_nspb);

	if (t.predicted)
		printf("  %-62s %6zu B %12.1f    predicted %8.2f ns/B  x %9.1f vs %s\n",
			   name, bytes, t.wall * 1e6, nspb, ratio, big ? "64K" : "1472");
	else
		printf("  %-62s %6zu B %12.1f %12.1f %8.2f ns/B  x %9.1f vs %s\n",
			   name, bytes, t.wall * 1e6, t.cpu * 1e6, nspb, ratio,
			   big ? "64K" : "1472");
	if (ratio > worst_ratio)
	{
		worst_ratio = ratio;
		snprintf(worst_name, sizeof(worst_name), "%s", name);
	}
	fflush(stdout);
}

/* ------------------------------------------------------ sink and sending */

/* Counts flows, and separately those of one watched exporter. */
typedef struct tally
{
	uint64_t	flows;
	uint64_t	sum;
	gf_addr		watch;
	uint64_t	watched_flows;
	uint64_t	watched_rate;	/* sampling rate of the last watched flow */
} tally;

static tally tl;

static void
tally_flow(void *arg, const gf_flow *f)
{
	tally	   *t = arg;

	t->flows++;
	t->sum += f->bytes;
	if (f->sampler_address.family == t->watch.family &&
		memcmp(f->sampler_address.bytes, t->watch.bytes, 16) == 0)
	{
		t->watched_flows++;
		t->watched_rate = f->sampling_rate;
	}
}

static gf_rc
send_pb(gf_decoder *d, const pb *p, const gf_addr *from)
{
	gf_datagram dg;
	gf_sink		sink = {0};
	gf_error	err;

	memset(&dg, 0, sizeof(dg));
	dg.data = p->b;
	dg.len = p->n;
	dg.exporter = *from;
	dg.exporter_port = 40000;
	dg.time_received_ns = NOW_NS;
	sink.flow = tally_flow;
	sink.arg = &tl;
	return gf_decode(d, GF_PROTO_NETFLOW, &dg, &sink, &err);
}

/*
 * One slice of kept data sets whose template came, as a worker's loop
 * pass releases it (gf_decoder_release); true while more wait.
 */
static bool
release_slice(gf_decoder *d)
{
	gf_sink		sink = {0};

	sink.flow = tally_flow;
	sink.arg = &tl;
	return gf_decoder_release(d, NOW_NS, &sink);
}

static gf_addr
addr4(int a, int b, int c, int e)
{
	gf_addr		r;
	uint8_t		v[4] = {(uint8_t) a, (uint8_t) b, (uint8_t) c, (uint8_t) e};

	gf_addr_set_v4(&r, v);
	return r;
}

/* The k-th spoofed address of a /16 in 10/8. */
static gf_addr
spoof(int net, uint32_t k)
{
	return addr4(10, net, (int) (k >> 8) & 255, (int) k & 255);
}

static gf_decoder *
new_decoder(void)
{
	gf_limits	lim;
	gf_decoder *d;

	memset(&lim, 0, sizeof(lim));	/* zero: every default */
	d = gf_decoder_new(&lim);
	if (d == NULL)
	{
		fprintf(stderr, "gf_decoder_new failed\n");
		exit(1);
	}
	return d;
}

/* One datagram from one exporter, sent over and over. */
typedef struct one_dg
{
	gf_decoder *d;
	const pb   *p;
	gf_addr		from;
} one_dg;

static void
run_one(void *arg)
{
	one_dg	   *o = arg;

	send_pb(o->d, o->p, &o->from);
}

static cost
time_datagram(gf_decoder *d, const pb *p, const gf_addr *from)
{
	one_dg		o;

	o.d = d;
	o.p = p;
	o.from = *from;
	return time_min(NULL, run_one, &o);
}

/*
 * A shape in two sizes: the 1472-byte one is timed first, then the 64 KB
 * one, unless the small one's time per byte says it would take more than
 * GUARD_S seconds: then that prediction is reported, marked as such (-f
 * sends it anyway).  Keeps a run of the unfixed decoder to about a minute.
 */
#define GUARD_S 5.0
static bool full_run;

static void
time_pair(gf_decoder *d, const gf_addr *from, const pb *small,
		  const char *small_name, const pb *big, const char *big_name)
{
	cost		s = time_datagram(d, small, from);
	cost		b;

	report(small_name, small->n, s);
	b.wall = s.wall / small->n * big->n;
	b.cpu = s.cpu / small->n * big->n;
	b.predicted = true;
	if (full_run || b.wall <= GUARD_S)
		b = time_datagram(d, big, from);
	report(big_name, big->n, b);
}

/* --------------------------------------------------------------- builders */

typedef struct layout
{
	int			n;
	uint16_t	f[MAX_FIELDS][2];	/* information element, length */
} layout;

/* A typical IPv4 flow, 67 bytes: 977 records fill a 64 KB message. */
static const layout benign = {16, {
		{8, 4}, {12, 4}, {15, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1},
		{1, 8}, {2, 8}, {152, 8}, {153, 8}, {10, 4}, {14, 4}, {16, 4}, {17, 4}
}};

#define BENIGN_TID		256
#define BENIGN_BIG_FLOWS	977

static void
ipfix_begin(pb *p, uint32_t domain)
{
	pb_reset(p);
	pb_ipfix_header(p, EXPORT_SECS, 0, domain);
}

static void
put_template(pb *p, uint16_t tid, const layout *l)
{
	int			i;

	pb_u16(p, tid);
	pb_u16(p, l->n);
	for (i = 0; i < l->n; i++)
	{
		pb_u16(p, l->f[i][0]);
		pb_u16(p, l->f[i][1]);
	}
}

/* An IPFIX message holding one template set of one template. */
static void
build_template(pb *p, uint32_t domain, uint16_t tid, const layout *l)
{
	size_t		at;

	ipfix_begin(p, domain);
	at = pb_set_begin(p, 2);
	put_template(p, tid, l);
	pb_set_end(p, at);
	pb_ipfix_end(p);
}

static void
put_benign_record(pb *p, int i)
{
	pb_u32(p, 0x0a000000 + i);
	pb_u32(p, 0xc0a80001);
	pb_u32(p, 0x0a0000fe);
	pb_u16(p, 1024 + i);
	pb_u16(p, 443);
	pb_u8(p, 6);
	pb_u8(p, 0x18);
	pb_u8(p, 0);
	pb_u64(p, 1500 * (i + 1));
	pb_u64(p, 10 + i);
	pb_u64(p, UINT64_C(1700000090000));
	pb_u64(p, UINT64_C(1700000099000));
	pb_u32(p, 1);
	pb_u32(p, 2);
	pb_u32(p, 64512);
	pb_u32(p, 13335);
}

/* n benign records in one data set, zero-padded to pad_to bytes if larger. */
static void
build_benign_data(pb *p, uint32_t domain, int n, size_t pad_to)
{
	size_t		at;
	int			i;

	ipfix_begin(p, domain);
	at = pb_set_begin(p, BENIGN_TID);
	for (i = 0; i < n; i++)
		put_benign_record(p, i);
	if (p->n < pad_to)
		pb_zero(p, pad_to - p->n);
	pb_set_end(p, at);
	pb_ipfix_end(p);
}

/* n one-field templates, ids first_id.., in one message. */
static void
build_small_templates(pb *p, uint32_t domain, uint16_t first_id, uint32_t n)
{
	size_t		at;
	uint32_t	i;

	ipfix_begin(p, domain);
	at = pb_set_begin(p, 2);
	for (i = 0; i < n; i++)
	{
		pb_u16(p, first_id + i);
		pb_u16(p, 1);
		pb_u16(p, 8);
		pb_u16(p, 4);
	}
	pb_set_end(p, at);
	pb_ipfix_end(p);
}

/* One data set of set_id whose body is body_len bytes of value fill. */
static void
build_raw_data(pb *p, uint32_t domain, uint16_t set_id, size_t body_len,
			   uint8_t fill)
{
	size_t		at;

	ipfix_begin(p, domain);
	at = pb_set_begin(p, set_id);
	memset(p->b + p->n, fill, body_len);
	p->n += body_len;
	pb_set_end(p, at);
	pb_ipfix_end(p);
}

/* As many empty data sets (4-byte headers) of set_id as fit in max_len. */
static uint32_t
build_empty_sets(pb *p, uint32_t domain, uint16_t set_id, size_t max_len)
{
	uint32_t	n = 0;

	ipfix_begin(p, domain);
	while (p->n + 4 <= max_len)
	{
		pb_u16(p, set_id);
		pb_u16(p, 4);
		n++;
	}
	pb_ipfix_end(p);
	return n;
}

/* As many withdrawal records of tid (field count 0) as fit in max_len. */
static uint32_t
build_withdrawals(pb *p, uint32_t domain, uint16_t tid, size_t max_len)
{
	size_t		at;
	uint32_t	n = 0;

	ipfix_begin(p, domain);
	at = pb_set_begin(p, 2);
	while (p->n + 4 <= max_len)
	{
		pb_u16(p, tid);
		pb_u16(p, 0);
		n++;
	}
	pb_set_end(p, at);
	pb_ipfix_end(p);
	return n;
}

/* Integer IEs the decoder maps, so a field is not skipped unread. */
static const uint16_t mapped_int_ies[] = {1, 2, 4, 5, 6, 7, 10, 11, 14, 16, 17, 152, 153};
#define N_MAPPED (sizeof(mapped_int_ies) / sizeof(mapped_int_ies[0]))

/* n fields of length len, mapped IEs in turn. */
static void
layout_repeat(layout *l, int n, uint16_t len)
{
	int			i;

	l->n = n;
	for (i = 0; i < n; i++)
	{
		l->f[i][0] = mapped_int_ies[i % N_MAPPED];
		l->f[i][1] = len;
	}
}

/* 511 zero-length fields and one 1-byte field: 1-byte records. */
static void
layout_zero_len(layout *l)
{
	layout_repeat(l, MAX_FIELDS, 0);
	l->f[MAX_FIELDS - 1][0] = 4;
	l->f[MAX_FIELDS - 1][1] = 1;
}

/* ------------------------------------------- the benign reference figures */

static void
measure_benign(double *big_nspb, double *small_nspb, bool print)
{
	gf_decoder *d = new_decoder();
	gf_addr		g = addr4(192, 0, 2, 1);
	cost		t_big;
	cost		t_small;

	build_template(&work, 1, BENIGN_TID, &benign);
	send_pb(d, &work, &g);
	build_benign_data(&dg_a, 1, BENIGN_BIG_FLOWS, 0);
	build_benign_data(&dg_b, 1, 21, SMALL_DATAGRAM);
	t_big = time_datagram(d, &dg_a, &g);
	t_small = time_datagram(d, &dg_b, &g);
	*big_nspb = t_big.wall * 1e9 / dg_a.n;
	*small_nspb = t_small.wall * 1e9 / dg_b.n;
	if (print)
	{
		printf("  %-62s %6zu B %12.1f %12.1f %8.2f ns/B\n",
			   "benign IPFIX, 977 flows of a 16-field template", dg_a.n,
			   t_big.wall * 1e6, t_big.cpu * 1e6, *big_nspb);
		printf("  %-62s %6zu B %12.1f %12.1f %8.2f ns/B\n",
			   "benign IPFIX, 21 flows of a 16-field template", dg_b.n,
			   t_small.wall * 1e6, t_small.cpu * 1e6, *small_nspb);
	}
	gf_decoder_free(d);
}

/*
 * The machine's load changes during a run, so the benign figures are taken
 * again just before each shape and its ratios use those.
 */
static double benign_lo[2] = {1e30, 1e30};
static double benign_hi[2];

static void
rebase(void)
{
	measure_benign(&benign_big_nspb, &benign_small_nspb, false);
	if (benign_big_nspb < benign_lo[0])
		benign_lo[0] = benign_big_nspb;
	if (benign_big_nspb > benign_hi[0])
		benign_hi[0] = benign_big_nspb;
	if (benign_small_nspb < benign_lo[1])
		benign_lo[1] = benign_small_nspb;
	if (benign_small_nspb > benign_hi[1])
		benign_hi[1] = benign_small_nspb;
	printf("   (benign just before: %.2f ns/B 64K, %.2f ns/B 1472)\n",
		   benign_big_nspb, benign_small_nspb);
}

/* ---------------------------------------------- 1. withdraw-all storm */

/*
 * Hold want templates, spread over spoofed exporters of 10.net/16 (512 a
 * piece, one datagram each), as long as the decoder takes them.
 */
static uint32_t
hold_templates(gf_decoder *d, uint32_t want, int net, uint64_t *refused,
			   uint32_t *exporters)
{
	gf_counters *c = gf_decoder_counters(d);
	uint64_t	rej0 = c->nf_templates_rejected;
	uint32_t	held = 0;
	uint32_t	idle = 0;
	uint32_t	k;

	for (k = 0; held < want && k < 65536 && idle < 16; k++)
	{
		uint32_t	n = want - held < 512 ? want - held : 512;
		uint64_t	before = c->nf_templates_added;
		gf_addr		from = spoof(net, k);

		build_small_templates(&work, 1, 256, n);
		send_pb(d, &work, &from);
		held += (uint32_t) (c->nf_templates_added - before);
		idle = c->nf_templates_added == before ? idle + 1 : 0;
	}
	*refused = c->nf_templates_rejected - rej0;
	*exporters = k;
	return held;
}

static void
shape_withdraw_storm(void)
{
	static const uint32_t wanted[] = {0, 10000, 65536};
	gf_addr		attacker = addr4(10, 1, 255, 1);
	size_t		i;

	printf("\n1. IPFIX withdraw-all storm (set 2, records of template id 2 with field count 0)\n"
		   "   from an exporter that holds no templates itself\n");
	rebase();
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
	{
		gf_decoder *d = new_decoder();
		gf_counters *c = gf_decoder_counters(d);
		uint64_t	refused;
		uint32_t	exporters;
		uint32_t	held = hold_templates(d, wanted[i], 11, &refused, &exporters);
		uint32_t	n;
		char		name[128];
		char		name_small[128];

		printf("   templates held: %u of %u wanted, over %u spoofed exporters "
			   "(nf_templates_added %llu, rejected %llu)\n", held, wanted[i],
			   exporters, (unsigned long long) c->nf_templates_added,
			   (unsigned long long) refused);
		n = build_withdrawals(&dg_a, 1, 2, IPFIX_MAX);
		snprintf(name, sizeof(name), "withdraw-all x%u, %u templates held", n, held);
		n = build_withdrawals(&dg_b, 1, 2, SMALL_DATAGRAM);
		snprintf(name_small, sizeof(name_small), "withdraw-all x%u, %u templates held",
				 n, held);
		time_pair(d, &attacker, &dg_b, name_small, &dg_a, name);
		if (i == sizeof(wanted) / sizeof(wanted[0]) - 1)
		{
			n = build_withdrawals(&dg_a, 1, 9999, IPFIX_MAX);
			snprintf(name, sizeof(name), "withdraw one absent id x%u, %u templates held",
					 n, held);
			report(name, dg_a.n, time_datagram(d, &dg_a, &attacker));
		}
		gf_decoder_free(d);
	}
}

/* ------------------------------------ 2. template table fill, isolation */

static void
shape_template_fill(void)
{
	gf_decoder *d = new_decoder();
	gf_counters *c = gf_decoder_counters(d);
	gf_addr		a = addr4(10, 2, 0, 1);
	gf_addr		b = addr4(192, 0, 2, 20);
	uint64_t	rej_b;
	cost		best = COST_NONE;
	uint32_t	k;

	printf("\n2. Template table filled by one exporter (A: 8000 one-field templates per\n"
		   "   datagram, a new observation domain each), then exporter B\n");
	rebase();
	for (k = 0; k < 20; k++)
	{
		uint64_t	rej0 = c->nf_templates_rejected;
		stopwatch	sw;
		cost		t;

		build_small_templates(&work, k + 1, 256, 8000);
		sw_start(&sw);
		send_pb(d, &work, &a);
		t = sw_stop(&sw);
		cost_min(&best, &t);
		if (c->nf_templates_rejected > rej0)
		{
			k++;
			break;
		}
	}
	printf("   A sent %u datagrams (%u templates): added %llu, refused %llu\n",
		   k, k * 8000, (unsigned long long) c->nf_templates_added,
		   (unsigned long long) c->nf_templates_rejected);
	report("template fill by A, 8000 templates (min over its datagrams)", work.n, best);

	rej_b = c->nf_templates_rejected;
	build_template(&work, 1, BENIGN_TID, &benign);
	send_pb(d, &work, &b);
	rej_b = c->nf_templates_rejected - rej_b;
	build_benign_data(&work, 1, 21, SMALL_DATAGRAM);
	tl.watch = b;
	tl.watched_flows = 0;
	send_pb(d, &work, &b);
	printf("   B's template %s; B decoded %llu of 21 flows\n",
		   rej_b ? "was refused" : "was kept",
		   (unsigned long long) tl.watched_flows);
	gf_decoder_free(d);
}

/* ----------------------------------------------- 3. scope hash collisions */

/*
 * A copy, on purpose, of the unkeyed hash netflow_scope.h had when this
 * benchmark was written: FNV-1a over the 24-byte scope struct (address
 * family, 16 address bytes, version, 2 zero bytes, domain in host order),
 * continued over a 32-bit "extra" in host order (the template id, or for
 * the sampling table whether there is a sampler id, then the 64-bit id).
 */
#define FNV_INIT	2166136261u
#define FNV_PRIME	16777619u

static uint32_t
old_fnv(const void *p, size_t n, uint32_t h)
{
	const uint8_t *b = p;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

static void
old_scope_bytes(uint8_t s[24], const gf_addr *a, uint8_t version, uint32_t domain)
{
	memset(s, 0, 24);
	s[0] = a->family;
	memcpy(s + 1, a->bytes, a->family == 6 ? 16 : 4);
	s[17] = version;
	memcpy(s + 20, &domain, 4);
}

static uint32_t
old_template_hash(const gf_addr *a, uint32_t domain, uint16_t tid)
{
	uint8_t		s[24];
	uint32_t	extra = tid;

	old_scope_bytes(s, a, 10, domain);
	return old_fnv(&extra, 4, old_fnv(s, 24, FNV_INIT));
}

static uint32_t
old_sampling_hash(const gf_addr *a, uint32_t domain, uint64_t sampler_id)
{
	uint8_t		s[24];
	uint32_t	has_sampler = 1;

	old_scope_bytes(s, a, 10, domain);
	return old_fnv(&sampler_id, 8, old_fnv(&has_sampler, 4, old_fnv(s, 24, FNV_INIT)));
}

/* x such that FNV_PRIME * x == 1 mod 2^32 (Newton's iteration). */
static uint32_t
fnv_prime_inverse(void)
{
	uint32_t	x = FNV_PRIME;
	int			i;

	for (i = 0; i < 5; i++)
		x *= 2 - FNV_PRIME * x;
	return x;
}

#define CHAIN_MAX 65280			/* template ids 256..65535 */

static uint32_t chain_domain[CHAIN_MAX];
static uint16_t chain_tid[CHAIN_MAX];

/*
 * (domain, template id) keys of one exporter whose hashes agree in the low
 * 16 bits, so they share a bucket in any table of up to 65536 buckets (the
 * template store has next_pow2(max_templates / 2), at most 65536).  The low
 * 16 bits of FNV-1a depend only on the low 16 bits of its state, and each
 * step is invertible there: a brute-force pass over domains finds one
 * domain for every 16-bit state after the domain bytes, then for each
 * template id the state that leads to the target is worked out backwards.
 * Every key is checked against the full formula.
 */
static uint32_t
find_template_collisions(const gf_addr *exp, uint32_t want, uint16_t *target,
						 uint32_t *domains_tried)
{
	static uint32_t dom_for[65536];
	static bool have[65536];
	uint8_t		s[24];
	uint32_t	h0;
	uint32_t	covered = 0;
	uint32_t	dom;
	uint32_t	pinv = fnv_prime_inverse();
	uint32_t	n = 0;
	uint32_t	tid;

	old_scope_bytes(s, exp, 10, 0);
	h0 = old_fnv(s, 20, FNV_INIT);
	for (dom = 0; covered < 65536 && dom < (1u << 26); dom++)
	{
		uint32_t	h = old_fnv(&dom, 4, h0) & 0xffff;

		if (!have[h])
		{
			have[h] = true;
			dom_for[h] = dom;
			covered++;
		}
	}
	*domains_tried = dom;
	*target = (uint16_t) (old_template_hash(exp, 1, 256) & 0xffff);
	for (tid = 256; tid <= 65535 && n < want; tid++)
	{
		uint32_t	extra = tid;
		uint8_t		eb[4];
		uint32_t	h = *target;
		int			k;

		memcpy(eb, &extra, 4);
		for (k = 3; k >= 0; k--)
			h = ((h * pinv) & 0xffff) ^ eb[k];
		if (!have[h] ||
			(old_template_hash(exp, dom_for[h], (uint16_t) tid) & 0xffff) != *target)
			continue;
		chain_domain[n] = dom_for[h];
		chain_tid[n] = (uint16_t) tid;
		n++;
	}
	return n;
}

static void
shape_hash_collisions(void)
{
	gf_decoder *d = new_decoder();
	gf_counters *c = gf_decoder_counters(d);
	gf_addr		x = addr4(10, 3, 0, 1);
	layout		one = {1, {{8, 4}}};
	uint16_t	target;
	uint32_t	tried;
	uint32_t	n;
	uint32_t	i;
	uint32_t	held = 0;
	uint32_t	last = 0;
	double		t0 = now_s();
	double		t_find;
	cost		best_tail = COST_NONE;
	size_t		fill_bytes = 0;
	char		name[128];
	char		name_small[128];

	printf("\n3. Scope hash collisions: one exporter's (domain, template id) keys whose\n"
		   "   old FNV-1a hashes agree in the low 16 bits, one template each\n");
	rebase();
	n = find_template_collisions(&x, CHAIN_MAX, &target, &tried);
	t_find = now_s() - t0;
	printf("   found %u keys with low 16 bits 0x%04x in %.1f ms (%u domains hashed)\n",
		   n, target, t_find * 1e3, tried);
	t0 = now_s();
	for (i = 0; i < n; i++)
	{
		uint64_t	before = c->nf_templates_added;
		stopwatch	sw;
		cost		t;

		build_template(&work, chain_domain[i], chain_tid[i], &one);
		sw_start(&sw);
		send_pb(d, &work, &x);
		t = sw_stop(&sw);
		fill_bytes = work.n;
		if (c->nf_templates_added > before)
		{
			held++;
			last = i;
		}
		if (i + 100 >= n)
			cost_min(&best_tail, &t);
	}
	printf("   %u of them held (refused %llu); filling took %.2f s\n", held,
		   (unsigned long long) c->nf_templates_rejected, now_s() - t0);
	if (held == 0)
	{
		gf_decoder_free(d);
		return;
	}
	snprintf(name, sizeof(name), "one template stored after %u colliding ones (min of last 100)",
			 held - 1);
	report(name, fill_bytes, best_tail);
	n = build_empty_sets(&dg_a, chain_domain[last], chain_tid[last], IPFIX_MAX);
	snprintf(name, sizeof(name), "%u empty data sets, their template last of %u colliding", n,
			 held);
	n = build_empty_sets(&dg_b, chain_domain[last], chain_tid[last], SMALL_DATAGRAM);
	snprintf(name_small, sizeof(name_small),
			 "%u empty data sets, their template last of %u colliding", n, held);
	time_pair(d, &x, &dg_b, name_small, &dg_a, name);
	gf_decoder_free(d);
}

/* --------------------------------------------- 4. zero-length fields */

static layout zero_len;

static void
shape_zero_length(void)
{
	gf_decoder *d = new_decoder();
	gf_addr		z = addr4(192, 0, 2, 40);
	uint64_t	flows0;

	printf("\n4. Zero-length template fields: 511 of length 0 and one of 1 byte\n");
	rebase();
	layout_zero_len(&zero_len);
	build_template(&work, 1, BENIGN_TID, &zero_len);
	send_pb(d, &work, &z);
	build_raw_data(&dg_a, 1, BENIGN_TID, IPFIX_MAX - 20, 6);
	flows0 = tl.flows;
	send_pb(d, &dg_a, &z);
	printf("   one data datagram yields %llu flows\n",
		   (unsigned long long) (tl.flows - flows0));
	build_raw_data(&dg_b, 1, BENIGN_TID, SMALL_DATAGRAM - 20, 6);
	time_pair(d, &z, &dg_b, "data set of 1-byte records, 511 zero-length fields each",
			  &dg_a, "data set of 1-byte records, 511 zero-length fields each");
	gf_decoder_free(d);
}

/* ------------------------------------------------ 5. pending release */

#define PENDING_TID 300

typedef struct pend_run
{
	gf_decoder *d;
	const pb   *tmpl;			/* the template datagram timed */
	gf_addr		from;
	uint64_t	kept_sets;
	uint64_t	released;		/* flows out of the timed call */
} pend_run;

/* A fresh decoder whose pending buffer for one exporter is full. */
static void
pend_setup(void *arg)
{
	pend_run   *r = arg;
	gf_counters *c;
	int			i;

	if (r->d)
		gf_decoder_free(r->d);
	r->d = new_decoder();
	c = gf_decoder_counters(r->d);
	for (i = 0; i < 256 && c->nf_sets_pending_overflow == 0; i++)
		send_pb(r->d, &work, &r->from);
	r->kept_sets = c->nf_sets_pending;
}

static void
pend_run_once(void *arg)
{
	pend_run   *r = arg;
	uint64_t	flows0 = tl.flows;

	/* The template datagram and the one slice the next loop pass decodes. */
	send_pb(r->d, r->tmpl, &r->from);
	(void) release_slice(r->d);
	r->released = tl.flows - flows0;
}

static void
shape_pending_release(void)
{
	layout		one = {1, {{4, 1}}};
	pend_run	r;
	int			v;

	printf("\n5. Pending release: data sets of 1-byte records before their template,\n"
		   "   up to the exporter's pending limit, then the template datagram\n");
	rebase();
	layout_zero_len(&zero_len);
	build_raw_data(&work, 1, PENDING_TID, IPFIX_MAX - 20, 6);
	for (v = 0; v < 2; v++)
	{
		cost		t;
		char		name[128];

		memset(&r, 0, sizeof(r));
		r.from = addr4(10, 5, 0, 1);
		build_template(&dg_a, 1, PENDING_TID, v == 0 ? &one : &zero_len);
		r.tmpl = &dg_a;
		t = time_min(pend_setup, pend_run_once, &r);
		printf("   %s: %llu sets of %zu bytes kept; the template datagram released %llu flows\n",
			   v == 0 ? "1-field template" : "511 zero-length fields + 1 byte",
			   (unsigned long long) r.kept_sets, work.n - 20,
			   (unsigned long long) r.released);
		snprintf(name, sizeof(name), "%zu-byte template + one release slice (%s)",
				 dg_a.n, v == 0 ? "1 field" : "zero-length fields");
		report(name, dg_a.n, t);
		if (r.released > 0)
		{
			snprintf(name, sizeof(name), "  the same, per released byte (%s)",
					 v == 0 ? "1 field" : "zero-length fields");
			report(name, (size_t) r.released, t);	/* 1-byte records */
		}
		gf_decoder_free(r.d);
	}
}

/* ----------------------------------- 6. global pending limit, isolation */

static void
shape_pending_global(void)
{
	static const size_t sizes[] = {IPFIX_MAX - 20, 16384, 4096, 1024, 256, 64, 16, 1, 0};
	gf_decoder *d = new_decoder();
	gf_counters *c = gf_decoder_counters(d);
	gf_addr		g = addr4(192, 0, 2, 60);
	uint32_t	e = 0;
	bool		fresh = true;
	uint64_t	kept0;
	uint64_t	over0;
	size_t		i;
	int			k;

	printf("\n6. Spoofed exporters fill the global pending limit (data sets before their\n"
		   "   template, each exporter up to its own limit, smaller sets to fill the rest),\n"
		   "   then a good exporter G sends 21 flows before its template\n");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && e < 256; i++)
	{
		build_raw_data(&work, 1, PENDING_TID, sizes[i], 6);
		while (e < 256)
		{
			uint64_t	before = c->nf_sets_pending;
			gf_addr		from = spoof(6, e);

			send_pb(d, &work, &from);
			if (c->nf_sets_pending > before)
				fresh = false;
			else if (fresh)
				break;			/* a new exporter keeps nothing: all full */
			else
			{
				e++;
				fresh = true;
			}
		}
	}
	printf("   %u spoofed exporters: %llu sets kept, %llu refused (overflow)\n",
		   e + (fresh ? 0 : 1), (unsigned long long) c->nf_sets_pending,
		   (unsigned long long) c->nf_sets_pending_overflow);
	kept0 = c->nf_sets_pending;
	over0 = c->nf_sets_pending_overflow;
	build_benign_data(&work, 1, 21, SMALL_DATAGRAM);
	send_pb(d, &work, &g);
	printf("   G's early data set: %s (nf_sets_pending +%llu, nf_sets_pending_overflow +%llu)\n",
		   c->nf_sets_pending > kept0 ? "kept" : "NOT kept",
		   (unsigned long long) (c->nf_sets_pending - kept0),
		   (unsigned long long) (c->nf_sets_pending_overflow - over0));
	tl.watch = g;
	tl.watched_flows = 0;
	build_template(&work, 1, BENIGN_TID, &benign);
	/* Released in slices, as a worker's loop passes do. */
	send_pb(d, &work, &g);
	for (k = 0; k < 1024 && release_slice(d); k++)
		;
	printf("   G decoded %llu of 21 flows once its template came\n",
		   (unsigned long long) tl.watched_flows);
	gf_decoder_free(d);
}

/* ----------------------------------------------- 7. sampling table flood */

#define OPT_TID 400

/* Options template: scope selectorId (302, 8 bytes), samplingInterval (34, 4). */
static void
put_sampler_options_template(pb *p)
{
	size_t		at = pb_set_begin(p, 3);

	pb_u16(p, OPT_TID);
	pb_u16(p, 2);
	pb_u16(p, 1);
	pb_u16(p, 302);
	pb_u16(p, 8);
	pb_u16(p, 34);
	pb_u16(p, 4);
	pb_set_end(p, at);
}

/* Options data: one record per sampler id, each with rate. */
static uint32_t
build_sampler_records(pb *p, const uint64_t *ids, uint32_t n_ids, uint32_t rate,
					  size_t max_len, bool with_template)
{
	size_t		at;
	uint32_t	i;

	ipfix_begin(p, 1);
	if (with_template)
		put_sampler_options_template(p);
	at = pb_set_begin(p, OPT_TID);
	for (i = 0; p->n + 12 <= max_len && i < n_ids; i++)
	{
		pb_u64(p, ids[i]);
		pb_u32(p, rate);
	}
	pb_set_end(p, at);
	pb_ipfix_end(p);
	return i;
}

#define SAMPLER_IDS 16384
static uint64_t sampler_ids[SAMPLER_IDS];

static void
shape_sampling_flood(void)
{
	gf_decoder *d = new_decoder();
	gf_counters *c = gf_decoder_counters(d);
	gf_addr		s = addr4(10, 7, 0, 1);
	gf_addr		b = addr4(192, 0, 2, 70);
	uint64_t	upd0;
	uint32_t	i;
	uint32_t	sent = 0;
	size_t		at;
	char		name[128];

	printf("\n7. Sampling table flood: options data with many sampler ids from one\n"
		   "   exporter S, then exporter B's domain-wide sampling rate (512)\n");
	rebase();
	for (i = 0; i < SAMPLER_IDS; i++)
		sampler_ids[i] = i + 1;
	while (sent < SAMPLER_IDS)
	{
		sent += build_sampler_records(&dg_a, sampler_ids + sent, SAMPLER_IDS - sent,
									  100, IPFIX_MAX, true);
		send_pb(d, &dg_a, &s);
	}
	printf("   S sent %u sampler ids: %llu rates learnt\n", sent,
		   (unsigned long long) c->nf_sampling_updates);
	sent = build_sampler_records(&dg_a, sampler_ids, SAMPLER_IDS, 100, IPFIX_MAX, true);
	snprintf(name, sizeof(name), "options data, %u sampler ids (S's first ones)", sent);
	report(name, dg_a.n, time_datagram(d, &dg_a, &s));

	/* B: a domain-wide samplingInterval, its template and 21 flows. */
	upd0 = c->nf_sampling_updates;
	ipfix_begin(&work, 1);
	at = pb_set_begin(&work, 3);
	pb_u16(&work, OPT_TID + 1);
	pb_u16(&work, 2);
	pb_u16(&work, 1);
	pb_u16(&work, 149);
	pb_u16(&work, 4);
	pb_u16(&work, 34);
	pb_u16(&work, 4);
	pb_set_end(&work, at);
	at = pb_set_begin(&work, OPT_TID + 1);
	pb_u32(&work, 1);
	pb_u32(&work, 512);
	pb_set_end(&work, at);
	at = pb_set_begin(&work, 2);
	put_template(&work, BENIGN_TID, &benign);
	pb_set_end(&work, at);
	pb_ipfix_end(&work);
	send_pb(d, &work, &b);
	tl.watch = b;
	tl.watched_flows = 0;
	tl.watched_rate = 0;
	build_benign_data(&work, 1, 21, SMALL_DATAGRAM);
	send_pb(d, &work, &b);
	printf("   B's rate %s (nf_sampling_updates +%llu); B's %llu flows carry sampling rate %llu\n",
		   c->nf_sampling_updates > upd0 ? "learnt" : "NOT learnt",
		   (unsigned long long) (c->nf_sampling_updates - upd0),
		   (unsigned long long) tl.watched_flows,
		   (unsigned long long) tl.watched_rate);
	gf_decoder_free(d);
}

/* ------------------------------------------------------- 8. other shapes */

/* Sampler ids of one exporter that share a bucket of the 1024-bucket table. */
static uint32_t
find_sampler_collisions(const gf_addr *exp, uint64_t *ids, uint32_t want,
						uint64_t *tried)
{
	uint32_t	target = old_sampling_hash(exp, 1, 1) % 1024;
	uint32_t	n = 0;
	uint64_t	id;

	for (id = 1; n < want && id < UINT64_C(1) << 32; id++)
		if (old_sampling_hash(exp, 1, id) % 1024 == target)
			ids[n++] = id;
	*tried = id;
	return n;
}

static void
shape_sampling_collisions(void)
{
	gf_decoder *d = new_decoder();
	gf_counters *c = gf_decoder_counters(d);
	gf_addr		s = addr4(10, 8, 0, 1);
	uint64_t	tried;
	uint32_t	n;
	uint32_t	i;
	uint32_t	sent = 0;
	double		t0 = now_s();
	char		name[128];

	n = find_sampler_collisions(&s, sampler_ids, 4096, &tried);
	printf("   sampling table: %u sampler ids in one of 1024 buckets, found in %.1f ms "
		   "(%llu ids hashed)\n", n, (now_s() - t0) * 1e3, (unsigned long long) tried);
	while (sent < n)
	{
		sent += build_sampler_records(&work, sampler_ids + sent, n - sent, 100,
									  IPFIX_MAX, true);
		send_pb(d, &work, &s);
	}
	printf("   %llu of them learnt\n", (unsigned long long) c->nf_sampling_updates);
	/* The first one learnt is at the far end of the chain: ask for it. */
	for (i = 1; i < SAMPLER_IDS; i++)
		sampler_ids[i] = sampler_ids[0];
	n = build_sampler_records(&dg_a, sampler_ids, SAMPLER_IDS, 100, IPFIX_MAX, false);
	snprintf(name, sizeof(name), "options data, %u refreshes of a colliding sampler id", n);
	report(name, dg_a.n, time_datagram(d, &dg_a, &s));
	gf_decoder_free(d);
}

/* Exporters each with one data set waiting, then an attacker's many sets. */
static void
shape_pending_many_exporters(void)
{
	gf_decoder *d = new_decoder();
	gf_counters *c = gf_decoder_counters(d);
	gf_addr		a = addr4(10, 9, 255, 255);
	uint32_t	k;
	uint32_t	n;
	char		name[128];

	build_raw_data(&work, 1, 700, 0, 0);
	for (k = 0; k < 4095; k++)
	{
		gf_addr		from = spoof(9, k);

		send_pb(d, &work, &from);
	}
	printf("   %llu exporters keep one data set each\n",
		   (unsigned long long) c->nf_sets_pending);
	n = build_empty_sets(&dg_a, 1, 701, IPFIX_MAX);
	snprintf(name, sizeof(name), "%u empty sets before their template, %llu exporters waiting",
			 n, (unsigned long long) c->nf_sets_pending);
	report(name, dg_a.n, time_datagram(d, &dg_a, &a));
	build_small_templates(&dg_b, 2, 256, 8000);
	send_pb(d, &dg_b, &a);
	report("8000 template refreshes, 4095 exporters waiting", dg_b.n,
		   time_datagram(d, &dg_b, &a));
	gf_decoder_free(d);
}

/* Two datagrams redefining the same templates: every send changes them. */
typedef struct churn
{
	gf_decoder *d;
	gf_addr		from;
	int			turn;
} churn;

static void
run_churn(void *arg)
{
	churn	   *ch = arg;

	send_pb(ch->d, ch->turn ? &dg_b : &dg_a, &ch->from);
	ch->turn ^= 1;
}

/* As many max-field templates (ids 256..) of len-byte fields as fit. */
static uint32_t
build_max_field_templates(pb *p, uint16_t len)
{
	static layout l;
	size_t		at;
	uint32_t	n = 0;

	layout_repeat(&l, MAX_FIELDS, len);
	ipfix_begin(p, 1);
	at = pb_set_begin(p, 2);
	while (p->n + 4 + 4 * MAX_FIELDS <= IPFIX_MAX)
		put_template(p, 256 + n++, &l);
	pb_set_end(p, at);
	pb_ipfix_end(p);
	return n;
}

static void
shape_other(void)
{
	gf_decoder *d = new_decoder();
	gf_addr		g = addr4(192, 0, 2, 80);
	static layout l;
	churn		ch;
	uint32_t	n;
	uint32_t	i;
	size_t		at;
	char		name[128];

	printf("\n8. Other shapes\n");
	rebase();

	/* Many tiny sets of a known template, no collision: the fair baseline of 3. */
	build_template(&work, 1, BENIGN_TID, &benign);
	send_pb(d, &work, &g);
	n = build_empty_sets(&dg_a, 1, BENIGN_TID, IPFIX_MAX);
	snprintf(name, sizeof(name), "%u empty data sets of a known template", n);
	report(name, dg_a.n, time_datagram(d, &dg_a, &g));
	n = build_empty_sets(&dg_a, 1, 999, IPFIX_MAX);
	snprintf(name, sizeof(name), "%u empty data sets, template unknown (pending)", n);
	report(name, dg_a.n, time_datagram(d, &dg_a, &g));

	/* Max-field templates: refreshed, then redefined on every datagram. */
	n = build_max_field_templates(&dg_a, 4);
	send_pb(d, &dg_a, &g);
	snprintf(name, sizeof(name), "template refresh, %u templates of 512 fields", n);
	report(name, dg_a.n, time_datagram(d, &dg_a, &g));
	build_max_field_templates(&dg_b, 2);
	ch.d = d;
	ch.from = g;
	ch.turn = 0;
	snprintf(name, sizeof(name), "template redefinition, %u templates of 512 fields", n);
	report(name, dg_a.n, time_min(NULL, run_churn, &ch));

	/* IPFIX: 512 variable-length fields, each of length 0 (1 byte). */
	layout_repeat(&l, MAX_FIELDS, 65535);
	build_template(&work, 2, 300, &l);
	send_pb(d, &work, &g);
	build_raw_data(&dg_a, 2, 300, (IPFIX_MAX - 20) / MAX_FIELDS * MAX_FIELDS, 0);
	report("data, 512 variable-length fields of length 0 per record", dg_a.n,
		   time_datagram(d, &dg_a, &g));

	/* v9 options: one scope field, 511 one-byte samplingInterval fields. */
	pb_reset(&work);
	pb_v9_header(&work, 1, 1000, EXPORT_SECS, 0, 5);
	at = pb_set_begin(&work, 1);
	pb_u16(&work, 500);
	pb_u16(&work, 4);
	pb_u16(&work, 4 * (MAX_FIELDS - 1));
	pb_u16(&work, 1);
	pb_u16(&work, 4);
	for (i = 0; i < MAX_FIELDS - 1; i++)
	{
		pb_u16(&work, 34);
		pb_u16(&work, 1);
	}
	pb_set_end(&work, at);
	send_pb(d, &work, &g);
	pb_reset(&dg_a);
	pb_v9_header(&dg_a, 1, 1000, EXPORT_SECS, 1, 5);
	at = pb_set_begin(&dg_a, 500);
	for (n = 0; dg_a.n + 4 + (MAX_FIELDS - 1) <= IPFIX_MAX; n++)
	{
		pb_u32(&dg_a, 0);
		memset(dg_a.b + dg_a.n, 7, MAX_FIELDS - 1);
		dg_a.n += MAX_FIELDS - 1;
	}
	pb_set_end(&dg_a, at);
	snprintf(name, sizeof(name), "v9 options data, %u records of 511 one-byte fields", n);
	report(name, dg_a.n, time_datagram(d, &dg_a, &g));
	gf_decoder_free(d);

	rebase();
	shape_pending_many_exporters();
	rebase();
	shape_sampling_collisions();
}

/* -------------------------------------------------------------------- main */

static void
print_load(const char *when)
{
	FILE	   *f = fopen("/proc/loadavg", "r");
	char		buf[128] = "";

	if (f)
	{
		if (fgets(buf, sizeof(buf), f) == NULL)
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	printf("load average %s: %s\n", when, buf);
}

int
main(int argc, char **argv)
{
	double		t0 = now_s();
	int			i;

	for (i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "-f") == 0)
			full_run = true;
		else if ((budget_s = atof(argv[i])) <= 0)
		{
			fprintf(stderr, "usage: %s [-f] [seconds]\n"
					"  -f       send every 64 KB datagram, even one predicted to take over %.0f s\n"
					"  seconds  most time spent repeating one measurement (default 0.5)\n",
					argv[0], GUARD_S);
			return 2;
		}
	}
	printf("bench_hostile: time per datagram is the least of up to %d repeats "
		   "(at most %.2g s per shape);\nratio = time per byte / the benign "
		   "datagram's of the same size class (64K or 1472), same run;\n"
		   "cpu us = this thread's CPU time in the same call (less than us/dgram "
		   "when the machine is busy)\n",
		   MAX_REPS, budget_s);
	print_load("at start");
	printf("\nBenign reference (measured again before each shape)\n");
	print_header();
	measure_benign(&benign_big_nspb, &benign_small_nspb, false);	/* warm-up */
	measure_benign(&benign_big_nspb, &benign_small_nspb, true);

	shape_withdraw_storm();
	shape_template_fill();
	shape_hash_collisions();
	shape_zero_length();
	shape_pending_release();
	shape_pending_global();
	shape_sampling_flood();
	shape_other();

	printf("\nBenign over the run: %.2f to %.2f ns/B (64K), %.2f to %.2f ns/B (1472)\n",
		   benign_lo[0], benign_hi[0], benign_lo[1], benign_hi[1]);
	print_load("at end");
	printf("(checksum %llu, %.1f s in all)\n", (unsigned long long) tl.sum, now_s() - t0);
	printf("\nWORST: x %.1f  %s\n", worst_ratio, worst_name);
	return 0;
}
