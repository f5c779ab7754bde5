/*
 * bench_decode.c
 *    Decode throughput of the NetFlow v5 and IPFIX decoders on one core:
 *    a v5 datagram of 30 records and an IPFIX message of 24 records (a
 *    typical 17-field IPv4 template and a sampling rate from options data,
 *    learnt once) are decoded over and
 *    over through gf_decode with a sink that only sums a field, and the
 *    flows per second are printed.
 *
 *    The cost of custom mappings (flow_mapping.h) in the same run: the
 *    IPFIX message decoded without a mapping, with a mapping for another
 *    protocol only (NetFlow v9: the one branch per data set IPFIX pays),
 *    and with a 10-field IPFIX mapping (8 columns, 2 custom values),
 *    alternated twice so that drift shows.  "mapping" as the second
 *    argument runs only these.
 *
 *    IPFIX is decoded by the template's decode plan (netflow_plan.h) and,
 *    in the same run, by the field walk it replaced ("ipfix-walk").
 *    Rates are given by wall time and by the thread's CPU time: on a
 *    shared machine the second is the one to compare.
 *
 *    Build and run (optimised, no sanitizers):
 *      make src/gen/flow.pb-c.c && mkdir -p build/bench &&
 *      cc -std=gnu11 -O2 -Isrc/core/include -Isrc/core -Isrc/gen -o build/bench/bench_decode \
 *         test/bench/bench_decode.c src/core/[a-z]*.c src/gen/flow.pb-c.c \
 *         -lprotobuf-c -lyaml -lmaxminddb &&
 *      ./build/bench/bench_decode [millions of datagrams per protocol, default 2]
 *                                 [v5 | ipfix | ipfix-plan | ipfix-walk: only that one]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "flow_mapping.h"
#include "netflow_state.h"

typedef struct buf
{
	uint8_t		b[2048];
	size_t		n;
} buf;

static void
put(buf *p, uint64_t v, int width)
{
	int			i;

	for (i = width - 1; i >= 0; i--)
		p->b[p->n++] = (uint8_t) (v >> (8 * i));
}

static uint64_t sink_sum;

static void
count_flow(void *arg, const gf_flow *f)
{
	sink_sum += f->bytes + f->sampling_rate;
}

static void
build_v5(buf *p)
{
	int			i;

	p->n = 0;
	put(p, 5, 2);
	put(p, 30, 2);
	put(p, 3600000, 4);
	put(p, 1700000000, 4);
	put(p, 0, 4);
	put(p, 1, 4);
	put(p, 0, 4);
	for (i = 0; i < 30; i++)
	{
		put(p, 0x0a000000 + i, 4);
		put(p, 0xc0a80001, 4);
		put(p, 0x0a0000fe, 4);
		put(p, 1, 2);
		put(p, 2, 2);
		put(p, 10 + i, 4);
		put(p, 1500 * (i + 1), 4);
		put(p, 3590000, 4);
		put(p, 3599000, 4);
		put(p, 1024 + i, 2);
		put(p, 443, 2);
		put(p, 0, 1);
		put(p, 0x18, 1);
		put(p, 6, 1);
		put(p, 0, 1);
		put(p, 64512, 2);
		put(p, 13335, 2);
		put(p, 24, 1);
		put(p, 16, 1);
		put(p, 0, 2);
	}
}

static const uint16_t ipfix_fields[][2] = {
	{8, 4}, {12, 4}, {15, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1},
	{1, 8}, {2, 8}, {152, 8}, {153, 8}, {10, 4}, {14, 4}, {16, 4}, {17, 4},
	{9, 1}
};
#define N_IPFIX_FIELDS (sizeof(ipfix_fields) / sizeof(ipfix_fields[0]))

static void
ipfix_header(buf *p)
{
	p->n = 0;
	put(p, 10, 2);
	put(p, 0, 2);
	put(p, 1700000000, 4);
	put(p, 1, 4);
	put(p, 7, 4);
}

static void
ipfix_finish(buf *p)
{
	p->b[2] = (uint8_t) (p->n >> 8);
	p->b[3] = (uint8_t) p->n;
}

static void
build_ipfix_template(buf *p)
{
	size_t		i;

	ipfix_header(p);
	put(p, 2, 2);
	put(p, 4 + 4 + 4 * N_IPFIX_FIELDS, 2);
	put(p, 256, 2);
	put(p, N_IPFIX_FIELDS, 2);
	for (i = 0; i < N_IPFIX_FIELDS; i++)
	{
		put(p, ipfix_fields[i][0], 2);
		put(p, ipfix_fields[i][1], 2);
	}
	/* Options: a domain-wide samplingInterval (34) of 1000, as routers send. */
	put(p, 3, 2);
	put(p, 4 + 6 + 8, 2);
	put(p, 257, 2);
	put(p, 2, 2);
	put(p, 1, 2);
	put(p, 149, 2);
	put(p, 4, 2);
	put(p, 34, 2);
	put(p, 4, 2);
	put(p, 257, 2);
	put(p, 4 + 8, 2);
	put(p, 7, 4);
	put(p, 1000, 4);
	ipfix_finish(p);
}

static int
build_ipfix_data(buf *p, int n)
{
	size_t		set_at;
	int			i;

	ipfix_header(p);
	set_at = p->n;
	put(p, 256, 2);
	put(p, 0, 2);
	for (i = 0; i < n; i++)
	{
		put(p, 0x0a000000 + i, 4);
		put(p, 0xc0a80001, 4);
		put(p, 0x0a0000fe, 4);
		put(p, 1024 + i, 2);
		put(p, 443, 2);
		put(p, 6, 1);
		put(p, 0x18, 1);
		put(p, 0, 1);
		put(p, 1500 * (i + 1), 8);
		put(p, 10 + i, 8);
		put(p, UINT64_C(1699999990000), 8);
		put(p, UINT64_C(1699999999000), 8);
		put(p, 1, 4);
		put(p, 2, 4);
		put(p, 64512, 4);
		put(p, 13335, 4);
		put(p, 24, 1);
	}
	p->b[set_at + 2] = (uint8_t) ((p->n - set_at) >> 8);
	p->b[set_at + 3] = (uint8_t) (p->n - set_at);
	ipfix_finish(p);
	return n;
}

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
run(const char *name, gf_decoder *d, const buf *p, long iters, int per)
{
	gf_datagram dg;
	gf_sink		sink = {0};
	gf_error	err;
	uint8_t		ip[4] = {192, 0, 2, 1};
	double		t0;
	double		c0;
	double		dt;
	double		ct;
	long		i;

	memset(&dg, 0, sizeof(dg));
	dg.data = p->b;
	dg.len = p->n;
	gf_addr_set_v4(&dg.exporter, ip);
	dg.time_received_ns = UINT64_C(1700000001000000000);
	sink.flow = count_flow;
	t0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	for (i = 0; i < iters; i++)
	{
		if (gf_decode(d, GF_PROTO_NETFLOW, &dg, &sink, &err) != GF_OK)
		{
			fprintf(stderr, "%s: decode failed: %s\n", name, err.msg);
			exit(1);
		}
	}
	dt = clock_s(CLOCK_MONOTONIC) - t0;
	ct = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	if (per == 0)
		return;
	/* CPU time too: on a shared machine wall time counts others' turns. */
	printf("%-10s %ld datagrams x %d records (%zu bytes): %.3f s, "
		   "%.2f M flows/s, %.0f ns/flow; CPU %.3f s, %.2f M flows/s\n",
		   name, iters, per, p->n, dt, iters * (double) per / dt / 1e6,
		   dt * 1e9 / (iters * (double) per), ct,
		   iters * (double) per / ct / 1e6);
}

static gf_mapping *
parse_mapping(const char *y)
{
	gf_mapping_error err;
	gf_mapping *m = gf_mapping_parse(y, strlen(y), &err);

	if (m == NULL)
	{
		fprintf(stderr, "mapping: %s\n", err.msg);
		exit(1);
	}
	return m;
}

/* Ten template fields mapped: 8 into columns, 2 into custom values. */
static const char map10[] =
	"formatter:\n"
	"  protobuf:\n"
	"    - {name: tos_copy, index: 1100, type: varint}\n"
	"    - {name: proto_copy, index: 1101, type: varint}\n"
	"ipfix:\n"
	"  mapping:\n"
	"    - {field: 8, destination: next_hop}\n"
	"    - {field: 12, destination: bgp_next_hop}\n"
	"    - {field: 7, destination: dst_port}\n"
	"    - {field: 11, destination: src_port}\n"
	"    - {field: 10, destination: out_if}\n"
	"    - {field: 14, destination: in_if}\n"
	"    - {field: 16, destination: dst_as}\n"
	"    - {field: 17, destination: src_as}\n"
	"    - {field: 5, destination: tos_copy}\n"
	"    - {field: 4, destination: proto_copy}\n";

static const char map_v9_only[] =
	"netflowv9:\n  mapping:\n    - {field: 252, destination: in_if}\n";

static void
run_mapping(gf_decoder *d, const buf *p, long iters)
{
	int			round;

	for (round = 0; round < 2; round++)
	{
		gf_decoder_set_mapping(d, NULL);
		run("nomap", d, p, iters, 24);
		gf_decoder_set_mapping(d, parse_mapping(map_v9_only));
		run("v9map", d, p, iters, 24);
		gf_decoder_set_mapping(d, parse_mapping(map10));
		run("map10", d, p, iters, 24);
	}
	gf_decoder_set_mapping(d, NULL);
}

int
main(int argc, char **argv)
{
	long		iters = (long) ((argc > 1 ? atof(argv[1]) : 2) * 1e6);
	const char *only = argc > 2 ? argv[2] : NULL;
	gf_decoder *d = gf_decoder_new(NULL);
	static buf	p;
	int			n;

	if (only == NULL || strcmp(only, "v5") == 0)
	{
		build_v5(&p);
		run("v5", d, &p, iters, 30);
	}
	if (only != NULL && strncmp(only, "ipfix", 5) != 0 && strcmp(only, "mapping") != 0)
		goto done;

	build_ipfix_template(&p);
	run("tmpl", d, &p, 1, 0);
	n = build_ipfix_data(&p, 24);
	if (only == NULL || strncmp(only, "ipfix", 5) == 0)
	{
		/*
		 * The template's decode plan, then the field walk it replaced
		 * (netflow_plan.h), alternated twice so that drift shows;
		 * "ipfix-plan" or "ipfix-walk" runs only one (for perf record).
		 */
		bool		plan = only == NULL || strcmp(only, "ipfix-walk") != 0;
		bool		walk = only == NULL || strcmp(only, "ipfix-plan") != 0;
		int			round;

		for (round = 0; round < 2; round++)
		{
			d->nf->field_walk = false;
			if (plan)
				run("ipfix", d, &p, iters, n);
			d->nf->field_walk = true;
			if (walk)
				run("ipfix-walk", d, &p, iters, n);
		}
		d->nf->field_walk = false;
	}

	if (only == NULL || strcmp(only, "mapping") == 0)
		run_mapping(d, &p, iters);
done:
	printf("(checksum %llu)\n", (unsigned long long) sink_sum);
	gf_decoder_free(d);
	return 0;
}
