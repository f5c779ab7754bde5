/*
 * bench_sflow.c
 *    Decode throughput of the sFlow v5 decoder on one core: a typical
 *    switch datagram (6 flow samples, each a 128-byte Ethernet/IPv4/TCP
 *    sampled header plus an extended switch record; 1324 bytes) decoded
 *    over and over through gf_decode() for a few seconds.  Prints
 *    datagrams/s and flows/s.  No sanitizers: build it optimised.
 *
 *    cc -O2 -std=gnu11 -Isrc/core/include -Isrc/core -Isrc/gen -Itest/unit \
 *       -o build/bench_sflow test/bench/bench_sflow.c src/core/[a-z]*.c \
 *       src/gen/flow.pb-c.c -lprotobuf-c -lyaml
 *    ./build/bench_sflow [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "decode.h"
#include "sflow_build.h"

#define SAMPLES 6

static uint64_t bench_flows;
static uint64_t bench_bytes;

static void
bench_on_flow(void *arg, const gf_flow *f)
{
	bench_flows++;
	bench_bytes += f->bytes + f->src_port;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A raw header record of a 128-byte frame (54 bytes of headers + payload). */
static void
bench_header_record(sb *s, uint32_t i)
{
	size_t		rec = sb_open(s, 1);
	size_t		start;

	sb_u32(s, 1);
	sb_u32(s, 1518);
	sb_u32(s, 4);
	sb_u32(s, 128);
	start = s->n;
	sb_eth_ipv4_tcp(s);
	/* Vary the source port so every sample differs. */
	s->b[start + 34] = (uint8_t) (i >> 8);
	s->b[start + 35] = (uint8_t) i;
	while (s->n - start < 128)
		sb_u8(s, 0xa5);
	sb_close(s, rec);
}

int
main(int argc, char **argv)
{
	static sb	s;
	double		seconds = argc > 1 ? atof(argv[1]) : 5.0;
	gf_decoder *d = gf_decoder_new(NULL);
	gf_sink		sink = {.flow = bench_on_flow};
	gf_datagram dg = {0};
	gf_error	err;
	uint64_t	n = 0;
	double		t0,
				t1;
	uint32_t	i;
	static const uint8_t agent[4] = {192, 0, 2, 1};

	sb_sflow_header(&s, agent, 0, 1, 1000, SAMPLES);
	for (i = 0; i < SAMPLES; i++)
	{
		size_t		smp = sb_open(&s, 1);
		size_t		rec;

		sb_u32(&s, i);
		sb_u32(&s, 3);
		sb_u32(&s, 1024);
		sb_u32(&s, i * 1024);
		sb_u32(&s, 0);
		sb_u32(&s, 3);
		sb_u32(&s, 7);
		sb_u32(&s, 2);
		bench_header_record(&s, 1000 + i);
		rec = sb_open(&s, 1001);
		sb_u32(&s, 10);
		sb_u32(&s, 0);
		sb_u32(&s, 20);
		sb_u32(&s, 0);
		sb_close(&s, rec);
		sb_close(&s, smp);
	}
	dg.data = s.b;
	dg.len = s.n;

	if (gf_decode(d, GF_PROTO_SFLOW, &dg, &sink, &err) != GF_OK)
	{
		fprintf(stderr, "bench datagram does not decode: %s\n", err.msg);
		return 1;
	}
	t0 = now_s();
	do
	{
		for (i = 0; i < 10000; i++)
		{
			dg.time_received_ns = n;
			(void) gf_decode(d, GF_PROTO_SFLOW, &dg, &sink, &err);
			n++;
		}
		t1 = now_s();
	} while (t1 - t0 < seconds);

	printf("datagram %zu bytes, %d flow samples\n", s.n, SAMPLES);
	printf("%.0f datagrams/s, %.0f flows/s (%.1f ns/flow) over %.1f s [check %llu]\n",
		   n / (t1 - t0), n * SAMPLES / (t1 - t0),
		   (t1 - t0) * 1e9 / (n * SAMPLES), t1 - t0,
		   (unsigned long long) (bench_bytes & 0xff));
	gf_decoder_free(d);
	return 0;
}
