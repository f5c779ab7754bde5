/*
 * bench_prefix.c
 *    Longest-prefix-match speed, build time and memory of the core prefix
 *    table (prefix_table.h) on one core, with a naive baseline measured in
 *    the same run: a one-bit-per-level binary trie (array of nodes), or a
 *    linear scan for the 10-prefix table.  Tables are synthetic with an
 *    Internet-like length mix (IPv4 60 % /24, 39 % /16../23, 0.4 % /8../15,
 *    0.6 % longer than /24; IPv6 mostly /48, many /32../44, clustered under
 *    /32 allocations in 2000::/3).  Lookups are "random" (uniform IPv4
 *    addresses; IPv6 uniform in 2000::/3) or "inside" (an address inside a
 *    randomly chosen table prefix, as flows to announced networks are).
 *
 *    Build and run (optimised, no sanitizers):
 *      mkdir -p build/bench && cc -std=gnu11 -O2 -Isrc/core/include -Isrc/core \
 *         -o build/bench/bench_prefix test/bench/bench_prefix.c \
 *         src/core/prefix_table.c src/core/prefix_build.c &&
 *      ./build/bench/bench_prefix [seconds per measurement, default 0.3
 *         [measurements per figure, the best kept, default 1]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prefix_table.h"
#include "synth_prefix.h"

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

static double seconds_per_run = 0.3;

/*
 * Measurements per figure, the best one kept (second argument, default
 * 1): on a machine shared with other jobs a figure only errs low, when
 * another process takes the core, the caches or the memory bus, so the
 * best of several short windows is the steadier estimate.
 */
static int	repeats = 1;

/* ---- synthetic tables ---------------------------------------------------- */


static void
gen4(gf_prefix_entry *e, size_t n, uint32_t value0)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint32_t	a = (uint32_t) (1 + rnd() % 223) << 24 | (uint32_t) (rnd() & 0xFFFFFF);

		memset(&e[i], 0, sizeof(e[i]));
		e[i].family = 4;
		e[i].prefix_len = (uint8_t) synth_len4(rnd);
		e[i].addr[0] = a >> 24;
		e[i].addr[1] = a >> 16;
		e[i].addr[2] = a >> 8;
		e[i].addr[3] = a;
		synth_clear_host(e[i].addr, e[i].prefix_len, 4);
		e[i].value = value0 + (uint32_t) i;
	}
}

/* IPv6: prefixes under n/5 allocations (/20../32 bases in 2000::/3). */
static void
gen6(gf_prefix_entry *e, size_t n, uint32_t value0)
{
	size_t		n_alloc = n / 5 + 1;
	uint32_t   *alloc = malloc(n_alloc * sizeof(uint32_t));
	size_t		i;
	int			k;

	for (i = 0; i < n_alloc; i++)
		alloc[i] = 0x20000000u | (uint32_t) (rnd() & 0x1FFFFFFF);
	for (i = 0; i < n; i++)
	{
		uint32_t	base = alloc[rnd() % n_alloc];

		memset(&e[i], 0, sizeof(e[i]));
		e[i].family = 6;
		e[i].prefix_len = (uint8_t) synth_len6(rnd);
		e[i].addr[0] = base >> 24;
		e[i].addr[1] = base >> 16;
		e[i].addr[2] = base >> 8;
		e[i].addr[3] = base;
		for (k = 4; k < 16; k++)
			e[i].addr[k] = (uint8_t) rnd();
		synth_clear_host(e[i].addr, e[i].prefix_len, 16);
		e[i].value = value0 + (uint32_t) i;
	}
	free(alloc);
}

/* ---- lookups ---------------------------------------------------------------- */

#define N_QUERIES (1 << 20)

typedef struct queries
{
	uint32_t	v4[N_QUERIES];
	uint8_t		v6[N_QUERIES][16];
} queries;

static void
make_queries(queries *q, const gf_prefix_entry *e4, size_t n4,
			 const gf_prefix_entry *e6, size_t n6, int inside)
{
	size_t		i;
	int			k;

	for (i = 0; i < N_QUERIES; i++)
	{
		if (inside && n4 > 0)
		{
			const gf_prefix_entry *p = &e4[rnd() % n4];
			uint32_t	a = (uint32_t) p->addr[0] << 24 | p->addr[1] << 16 | p->addr[2] << 8 | p->addr[3];
			uint32_t	host = p->prefix_len == 0 ? UINT32_MAX : p->prefix_len == 32 ? 0 :
				(uint32_t) (UINT32_MAX >> p->prefix_len);

			q->v4[i] = a | ((uint32_t) rnd() & host);
		}
		else
			q->v4[i] = (uint32_t) rnd();
		if (inside && n6 > 0)
		{
			const gf_prefix_entry *p = &e6[rnd() % n6];

			for (k = 0; k < 16; k++)
				q->v6[i][k] = (uint8_t) rnd();
			for (k = 0; k < p->prefix_len; k++)
			{
				uint8_t		bit = (uint8_t) (0x80 >> (k % 8));

				q->v6[i][k / 8] = (uint8_t) ((q->v6[i][k / 8] & ~bit) | (p->addr[k / 8] & bit));
			}
		}
		else
		{
			for (k = 0; k < 16; k++)
				q->v6[i][k] = (uint8_t) rnd();
			q->v6[i][0] = (uint8_t) (0x20 | (q->v6[i][0] & 0x1F));
		}
	}
}

typedef uint32_t (*lookup4_fn) (const void *table, uint32_t addr, uint32_t scope);
typedef uint32_t (*lookup6_fn) (const void *table, const uint8_t *addr, uint32_t scope);

static uint64_t sink;

/* Lookups per second (wall clock) over the query set, repeated for a while. */
static double
rate4_once(lookup4_fn f, const void *t, const queries *q, uint32_t scope, double *cpu_share)
{
	double		t0 = now(CLOCK_MONOTONIC);
	double		c0 = now(CLOCK_THREAD_CPUTIME_ID);
	double		t1;
	uint64_t	done = 0;
	uint64_t	s = 0;

	do
	{
		size_t		i;

		for (i = 0; i < N_QUERIES; i++)
			s += f(t, q->v4[i], scope);
		done += N_QUERIES;
		t1 = now(CLOCK_MONOTONIC);
	} while (t1 - t0 < seconds_per_run);
	sink += s;
	if (cpu_share)
		*cpu_share = (now(CLOCK_THREAD_CPUTIME_ID) - c0) / (t1 - t0);
	return done / (t1 - t0);
}

static double
rate4(lookup4_fn f, const void *t, const queries *q, uint32_t scope, double *cpu_share)
{
	double		best = 0;
	int			r;

	for (r = 0; r < repeats; r++)
	{
		double		x = rate4_once(f, t, q, scope, cpu_share);

		if (x > best)
			best = x;
	}
	return best;
}

static double
rate6_once(lookup6_fn f, const void *t, const queries *q, uint32_t scope)
{
	double		t0 = now(CLOCK_MONOTONIC);
	double		t1;
	uint64_t	done = 0;
	uint64_t	s = 0;

	do
	{
		size_t		i;

		for (i = 0; i < N_QUERIES; i++)
			s += f(t, q->v6[i], scope);
		done += N_QUERIES;
		t1 = now(CLOCK_MONOTONIC);
	} while (t1 - t0 < seconds_per_run);
	sink += s;
	return done / (t1 - t0);
}

static double
rate6(lookup6_fn f, const void *t, const queries *q, uint32_t scope)
{
	double		best = 0;
	int			r;

	for (r = 0; r < repeats; r++)
	{
		double		x = rate6_once(f, t, q, scope);

		if (x > best)
			best = x;
	}
	return best;
}

/* Batches of BATCH addresses (a datagram's 30 flows have 60). */
#define BATCH 64

static double
rate4b_once(const gf_prefix_table *t, const queries *q, uint32_t scope)
{
	double		t0 = now(CLOCK_MONOTONIC);
	double		t1;
	uint64_t	done = 0;
	uint64_t	s = 0;
	uint32_t	out[BATCH];

	do
	{
		size_t		i;

		for (i = 0; i < N_QUERIES; i += BATCH)
		{
			gf_pt_lookup4_batch(t, q->v4 + i, BATCH, scope, out);
			s += out[0] + out[BATCH - 1];
		}
		done += N_QUERIES;
		t1 = now(CLOCK_MONOTONIC);
	} while (t1 - t0 < seconds_per_run);
	sink += s;
	return done / (t1 - t0);
}

static double
rate4b(const gf_prefix_table *t, const queries *q, uint32_t scope)
{
	double		best = 0;
	int			r;

	for (r = 0; r < repeats; r++)
	{
		double		x = rate4b_once(t, q, scope);

		if (x > best)
			best = x;
	}
	return best;
}

static double
rate6b_once(const gf_prefix_table *t, const queries *q, uint32_t scope)
{
	double		t0 = now(CLOCK_MONOTONIC);
	double		t1;
	uint64_t	done = 0;
	uint64_t	s = 0;
	uint32_t	out[BATCH];

	do
	{
		size_t		i;

		for (i = 0; i < N_QUERIES; i += BATCH)
		{
			gf_pt_lookup6_batch(t, (const uint8_t (*)[16]) q->v6[i], BATCH, scope, out);
			s += out[0] + out[BATCH - 1];
		}
		done += N_QUERIES;
		t1 = now(CLOCK_MONOTONIC);
	} while (t1 - t0 < seconds_per_run);
	sink += s;
	return done / (t1 - t0);
}

static double
rate6b(const gf_prefix_table *t, const queries *q, uint32_t scope)
{
	double		best = 0;
	int			r;

	for (r = 0; r < repeats; r++)
	{
		double		x = rate6b_once(t, q, scope);

		if (x > best)
			best = x;
	}
	return best;
}

static uint32_t
pt4(const void *t, uint32_t a, uint32_t scope)
{
	return gf_pt_lookup4(t, a, scope);
}

static uint32_t
pt6(const void *t, const uint8_t *a, uint32_t scope)
{
	return gf_pt_lookup6(t, a, scope);
}

/* ---- baselines: binary trie (one bit per level) and linear scan ------------ */

typedef struct bt_node
{
	uint32_t	child[2];		/* 0: none (node 0 is the root) */
	uint32_t	value;			/* GF_PT_NONE: no prefix ends here */
} bt_node;

typedef struct btrie
{
	bt_node    *n;
	size_t		count;
	size_t		cap;
	int			family;
} btrie;

static void
bt_build(btrie *b, const gf_prefix_entry *e, size_t n, int family)
{
	size_t		i;

	b->cap = 1024;
	b->n = malloc(b->cap * sizeof(bt_node));
	b->count = 1;
	b->family = family;
	b->n[0].child[0] = b->n[0].child[1] = 0;
	b->n[0].value = GF_PT_NONE;
	for (i = 0; i < n; i++)
	{
		uint32_t	at = 0;
		int			k;

		if (e[i].family != family)
			continue;
		for (k = 0; k < e[i].prefix_len; k++)
		{
			int			bit = (e[i].addr[k / 8] >> (7 - k % 8)) & 1;

			if (b->n[at].child[bit] == 0)
			{
				if (b->count == b->cap)
				{
					b->cap *= 2;
					b->n = realloc(b->n, b->cap * sizeof(bt_node));
				}
				b->n[b->count].child[0] = b->n[b->count].child[1] = 0;
				b->n[b->count].value = GF_PT_NONE;
				b->n[at].child[bit] = (uint32_t) b->count++;
			}
			at = b->n[at].child[bit];
		}
		b->n[at].value = e[i].value;
	}
}

static uint32_t
bt4(const void *t, uint32_t a, uint32_t scope)
{
	const btrie *b = t;
	uint32_t	at = 0;
	uint32_t	best = b->n[0].value;
	int			k;

	for (k = 0; k < 32; k++)
	{
		at = b->n[at].child[(a >> (31 - k)) & 1];
		if (at == 0)
			break;
		if (b->n[at].value != GF_PT_NONE)
			best = b->n[at].value;
	}
	return best;
}

static uint32_t
bt6(const void *t, const uint8_t *a, uint32_t scope)
{
	const btrie *b = t;
	uint32_t	at = 0;
	uint32_t	best = b->n[0].value;
	int			k;

	for (k = 0; k < 128; k++)
	{
		at = b->n[at].child[(a[k / 8] >> (7 - k % 8)) & 1];
		if (at == 0)
			break;
		if (b->n[at].value != GF_PT_NONE)
			best = b->n[at].value;
	}
	return best;
}

typedef struct linear
{
	const gf_prefix_entry *e;
	size_t		n;
} linear;

static uint32_t
lin4(const void *t, uint32_t a, uint32_t scope)
{
	const linear *l = t;
	uint32_t	best = GF_PT_NONE;
	int			best_len = -1;
	size_t		i;

	for (i = 0; i < l->n; i++)
	{
		const gf_prefix_entry *e = &l->e[i];
		uint32_t	p = (uint32_t) e->addr[0] << 24 | e->addr[1] << 16 | e->addr[2] << 8 | e->addr[3];
		uint32_t	m = e->prefix_len == 0 ? 0 : UINT32_MAX << (32 - e->prefix_len);

		if (e->family == 4 && (a & m) == p && e->prefix_len > best_len)
		{
			best = e->value;
			best_len = e->prefix_len;
		}
	}
	return best;
}

static int
batch_agrees(const gf_prefix_table *t, const queries *q, size_t at)
{
	uint32_t	o4[BATCH];
	uint32_t	o6[BATCH];
	size_t		j;

	gf_pt_lookup4_batch(t, q->v4 + at, BATCH, 0, o4);
	gf_pt_lookup6_batch(t, (const uint8_t (*)[16]) q->v6[at], BATCH, 0, o6);
	for (j = 0; j < BATCH; j++)
		if (o4[j] != gf_pt_lookup4(t, q->v4[at + j], 0) ||
			o6[j] != gf_pt_lookup6(t, q->v6[at + j], 0))
			return 0;
	return 1;
}

/* ---- the runs --------------------------------------------------------------- */

static queries qr;
static queries qi;

static void
run_size(size_t n4, size_t n6)
{
	size_t		n = n4 + n6;
	gf_prefix_entry *e = malloc((n ? n : 1) * sizeof(gf_prefix_entry));
	gf_pt_build_info info;
	gf_prefix_table *t;
	double		b0;
	double		build_s;
	double		r4r, r4i, r6r, r6i, share;
	double		b4r, b4i, b6r, b6i;
	btrie		bt4t, bt6t;
	linear		lin = {e, n4};
	double		base4r, base4i, base6r, base6i;
	const char *base_name;
	size_t		i;

	gen4(e, n4, 0);
	gen6(e + n4, n6, (uint32_t) n4);
	b0 = now(CLOCK_MONOTONIC);
	t = gf_pt_build(e, n, NULL, &info);
	build_s = now(CLOCK_MONOTONIC) - b0;
	if (t == NULL)
	{
		printf("build failed: %s\n", gf_pt_error_name(info.error));
		exit(1);
	}
	make_queries(&qr, e, n4, e + n4, n6, 0);
	make_queries(&qi, e, n4, e + n4, n6, 1);
	/* the baseline must agree with the table, or the comparison means nothing */
	bt_build(&bt4t, e, n, 4);
	bt_build(&bt6t, e, n, 6);
	for (i = 0; i < 100000; i++)
	{
		uint32_t	want = bt4(&bt4t, qi.v4[i], 0);
		uint32_t	got = gf_pt_lookup4(t, qi.v4[i], 0);

		/* duplicates in a random table: both keep the later one */
		if (want != got || bt6(&bt6t, qi.v6[i], 0) != gf_pt_lookup6(t, qi.v6[i], 0) ||
			(i % BATCH == 0 && !batch_agrees(t, &qi, i)))
		{
			printf("MISMATCH at query %zu: IPv4 %u (baseline %u), IPv6 %u (baseline %u)\n",
				   i, got, want, gf_pt_lookup6(t, qi.v6[i], 0), bt6(&bt6t, qi.v6[i], 0));
			exit(1);
		}
	}

	r4r = rate4(pt4, t, &qr, 0, &share);
	r4i = rate4(pt4, t, &qi, 0, NULL);
	r6r = rate6(pt6, t, &qr, 0);
	r6i = rate6(pt6, t, &qi, 0);
	b4r = rate4b(t, &qr, 0);
	b4i = rate4b(t, &qi, 0);
	b6r = rate6b(t, &qr, 0);
	b6i = rate6b(t, &qi, 0);
	if (n4 <= 100)
	{
		base_name = "linear scan";
		base4r = rate4(lin4, &lin, &qr, 0, NULL);
		base4i = rate4(lin4, &lin, &qi, 0, NULL);
	}
	else
	{
		base_name = "binary trie";
		base4r = rate4(bt4, &bt4t, &qr, 0, NULL);
		base4i = rate4(bt4, &bt4t, &qi, 0, NULL);
	}
	base6r = rate6(bt6, &bt6t, &qr, 0);
	base6i = rate6(bt6, &bt6t, &qi, 0);

	printf("\n== %zu IPv4 + %zu IPv6 prefixes (%zu duplicates in the random set)\n",
		   n4, n6, info.n_duplicates);
	printf("build %.1f ms, table %.2f MiB (%.1f bytes/prefix), build peak %.2f MiB\n",
		   build_s * 1e3, gf_pt_bytes(t) / 1048576.0,
		   n ? (double) gf_pt_bytes(t) / n : 0.0, info.peak_bytes / 1048576.0);
	printf("%-12s %10s %10s %10s %12s %8s %8s\n", "lookups", "M/s one", "M/s batch", "M/s base",
		   "base", "one/base", "batch/base");
	printf("%-12s %10.1f %10.1f %10.1f %12s %8.1f %8.1f\n", "IPv4 random", r4r / 1e6, b4r / 1e6, base4r / 1e6, base_name, r4r / base4r, b4r / base4r);
	printf("%-12s %10.1f %10.1f %10.1f %12s %8.1f %8.1f\n", "IPv4 inside", r4i / 1e6, b4i / 1e6, base4i / 1e6, base_name, r4i / base4i, b4i / base4i);
	printf("%-12s %10.1f %10.1f %10.1f %12s %8.1f %8.1f\n", "IPv6 random", r6r / 1e6, b6r / 1e6, base6r / 1e6, "binary trie", r6r / base6r, b6r / base6r);
	printf("%-12s %10.1f %10.1f %10.1f %12s %8.1f %8.1f\n", "IPv6 inside", r6i / 1e6, b6i / 1e6, base6i / 1e6, "binary trie", r6i / base6i, b6i / base6i);
	printf("(cpu share of the first run: %.2f; below 1 means other processes had the core)\n", share);
	printf("binary trie: %.1f MiB IPv4 + %.1f MiB IPv6\n",
		   bt4t.count * sizeof(bt_node) / 1048576.0, bt6t.count * sizeof(bt_node) / 1048576.0);
	free(bt4t.n);
	free(bt6t.n);
	gf_pt_free(t);
	free(e);
}

/*
 * Scopes: the 1 M + 200 k table plus 1000 scopes (exporters) of 10 IPv4
 * and 2 IPv6 prefixes each (a /16 of 10/8 and /24s in it; a /48): lookups
 * naming a scope that covers the address, naming a scope that does not,
 * and naming no scope.
 */
static void
run_scopes(size_t n4, size_t n6)
{
	size_t		n_scopes = 1000;
	size_t		n = n4 + n6 + n_scopes * 12;
	gf_prefix_entry *e = malloc(n * sizeof(gf_prefix_entry));
	gf_prefix_entry *s = e + n4 + n6;
	gf_prefix_table *t;
	gf_pt_build_info info;
	double		b0;
	double		build_s;
	size_t		i;
	int			k;
	double		none, hit, miss, bnone, bhit, bmiss;

	gen4(e, n4, 0);
	gen6(e + n4, n6, (uint32_t) n4);
	for (i = 0; i < n_scopes; i++)
	{
		for (k = 0; k < 12; k++)
		{
			gf_prefix_entry *x = &s[i * 12 + k];

			memset(x, 0, sizeof(*x));
			x->scope = (uint32_t) i + 1;
			x->value = (uint32_t) (n4 + n6 + i * 12 + k);
			if (k < 10)
			{
				x->family = 4;
				x->addr[0] = 10;
				x->addr[1] = (uint8_t) (i % 256);
				x->addr[2] = k == 0 ? 0 : (uint8_t) rnd();
				x->prefix_len = k == 0 ? 16 : 24;
			}
			else
			{
				x->family = 6;
				x->addr[0] = 0xfd;
				x->addr[1] = (uint8_t) i;
				x->addr[5] = (uint8_t) k;
				x->prefix_len = 48;
			}
		}
	}
	b0 = now(CLOCK_MONOTONIC);
	t = gf_pt_build(e, n, NULL, &info);
	build_s = now(CLOCK_MONOTONIC) - b0;
	if (t == NULL)
	{
		printf("build failed: %s\n", gf_pt_error_name(info.error));
		exit(1);
	}
	/* queries inside scope 1's 10.0.0.0/16; the rest of the set as "inside" */
	make_queries(&qi, e, n4, e + n4, n6, 1);
	for (i = 0; i < N_QUERIES; i += 2)
		qi.v4[i] = 0x0A000000u | ((uint32_t) rnd() & 0xFFFF);
	none = rate4(pt4, t, &qi, 0, NULL);
	hit = rate4(pt4, t, &qi, 1, NULL);
	miss = rate4(pt4, t, &qi, 2, NULL);
	bnone = rate4b(t, &qi, 0);
	bhit = rate4b(t, &qi, 1);
	bmiss = rate4b(t, &qi, 2);
	printf("\n== scopes: %zu IPv4 + %zu IPv6 global, %zu scopes of 10 IPv4 + 2 IPv6\n", n4, n6, n_scopes);
	printf("build %.1f ms, table %.2f MiB, build peak %.2f MiB\n",
		   build_s * 1e3, gf_pt_bytes(t) / 1048576.0, info.peak_bytes / 1048576.0);
	printf("IPv4 inside, half the addresses in 10.0/16, M/s one (batch):\n"
		   "  scope 0 %.1f (%.1f), scope 1 (covers them) %.1f (%.1f), scope 2 (does not) %.1f (%.1f)\n",
		   none / 1e6, bnone / 1e6, hit / 1e6, bhit / 1e6, miss / 1e6, bmiss / 1e6);
	gf_pt_free(t);
	free(e);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		seconds_per_run = atof(argv[1]);
	if (argc > 2 && atoi(argv[2]) > 1)
		repeats = atoi(argv[2]);
	printf("bench_prefix: one core, %.2f s per measurement, best of %d per figure, %d queries per set\n",
		   seconds_per_run, repeats, N_QUERIES);
	run_size(10, 10);
	run_size(10000, 2000);
	run_size(1000000, 200000);
	run_scopes(1000000, 200000);
	printf("\n(sink %llu)\n", (unsigned long long) sink);
	return 0;
}
