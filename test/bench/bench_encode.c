/*
 * bench_encode.c
 *    Flows encoded per second by the "bin" encoders, in one run: the
 *    hand-written one the collector uses (flow_pb.c) against protobuf-c's
 *    packing of the same message (flow_pb_ref.c), and JSON (flow_json.c)
 *    for scale; without context and with a snapshot whose networks,
 *    device and interfaces every flow matches.  Prints figures and the
 *    ratios; passes or fails nothing.
 *
 *    Build and run (optimised, no sanitizers):
 *      mkdir -p build/bench && cc -std=gnu11 -O2 -Isrc/core/include -Isrc/core \
 *         -Isrc/gen -o build/bench/bench_encode test/bench/bench_encode.c \
 *         src/core/[a-z]*.c src/gen/flow.pb-c.c -lprotobuf-c -lyaml -lmaxminddb &&
 *      ./build/bench/bench_encode [seconds per figure, default 1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "flow.h"
#include "flow_json.h"
#include "flow_pb.h"

#define NFLOWS	4096

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
v4(gf_addr *a, int b0, int b1, int b2, int b3)
{
	uint8_t		p[4] = {(uint8_t) b0, (uint8_t) b1, (uint8_t) b2, (uint8_t) b3};

	gf_addr_set_v4(a, p);
}

/* Two networks, one device, two interfaces: what a small site's context holds. */
static gf_ctx_snapshot *
snapshot(void)
{
	gf_ctx_builder *b = gf_ctx_builder_new(0);
	gf_ctx_network_in n;
	gf_ctx_device_in d;
	gf_ctx_interface_in i;
	gf_ctx_build_info info;
	gf_ctx_snapshot *s;

	memset(&n, 0, sizeof(n));
	v4(&n.net, 10, 1, 0, 0);
	n.prefix_len = 16;
	n.name = "web-servers";
	n.context.json = "{\"application\": \"web\", \"tier\": \"frontend\"}";
	gf_ctx_add_network(b, &n);
	v4(&n.net, 198, 51, 100, 0);
	n.prefix_len = 24;
	n.name = "client-network";
	n.context.json = NULL;
	gf_ctx_add_network(b, &n);
	memset(&d, 0, sizeof(d));
	v4(&d.exporter, 192, 0, 2, 1);
	d.name = "edge-1";
	d.site = "par1";
	d.role = "edge";
	gf_ctx_add_device(b, &d);
	memset(&i, 0, sizeof(i));
	v4(&i.exporter, 192, 0, 2, 1);
	i.if_index = 1;
	i.name = "xe-0/0/0";
	i.description = "transit: provider A";
	i.boundary = GF_BOUNDARY_EXTERNAL;
	i.has_speed = true;
	i.speed = 10000000000ull;
	gf_ctx_add_interface(b, &i);
	i.if_index = 2;
	i.name = "ae0";
	i.description = "core";
	i.boundary = GF_BOUNDARY_INTERNAL;
	gf_ctx_add_interface(b, &i);
	memset(&info, 0, sizeof(info));
	s = gf_ctx_build(b, 1, &info);	/* frees the builder */
	if (s == NULL)
	{
		fprintf(stderr, "bench_encode: %s\n", info.message);
		exit(1);
	}
	return s;
}

/* NetFlow v5-like flows: what a router's export fills. */
static void
make_flows(gf_flow *flows)
{
	int			k;

	for (k = 0; k < NFLOWS; k++)
	{
		gf_flow    *f = &flows[k];

		gf_flow_init(f, GF_TYPE_NETFLOW_V5, 1700000000000000000ull + k * 1000ull, NULL);
		v4(&f->sampler_address, 192, 0, 2, 1);
		v4(&f->src_addr, 10, 1, (k >> 8) & 255, k & 255);
		v4(&f->dst_addr, 198, 51, 100, k % 251);
		v4(&f->next_hop, 10, 0, 0, 254);
		f->time_flow_start_ns = f->time_received_ns - 60000000000ull;
		f->time_flow_end_ns = f->time_received_ns - 1000000000ull;
		f->sequence_num = (uint32_t) k * 30;
		f->sampling_rate = 1000;
		f->bytes = 1500 + k;
		f->packets = 3 + k % 40;
		f->etype = 0x800;
		f->proto = 6;
		f->src_port = 1024 + k % 30000;
		f->dst_port = 443;
		f->in_if = 1;
		f->out_if = 2;
		f->tcp_flags = 0x1b;
		f->ip_tos = 0;
		f->src_as = 64512;
		f->dst_as = 15169;
		f->src_net_len = 16;
		f->dst_net_len = 24;
		f->present = (1ull << GF_F_SEQUENCE_NUM) | (1ull << GF_F_SAMPLING_RATE) |
			(1ull << GF_F_TIME_FLOW_START) | (1ull << GF_F_TIME_FLOW_END) |
			(1ull << GF_F_BYTES) | (1ull << GF_F_PACKETS) | (1ull << GF_F_ETYPE) |
			(1ull << GF_F_PROTO) | (1ull << GF_F_SRC_PORT) | (1ull << GF_F_DST_PORT) |
			(1ull << GF_F_IN_IF) | (1ull << GF_F_OUT_IF) | (1ull << GF_F_TCP_FLAGS) |
			(1ull << GF_F_IP_TOS) | (1ull << GF_F_SRC_AS) | (1ull << GF_F_DST_AS) |
			(1ull << GF_F_SRC_NET) | (1ull << GF_F_DST_NET);
	}
}

typedef size_t (*enc_fn) (const gf_flow *f, const gf_ctx_snapshot *s, uint8_t *buf, size_t len);

static size_t
enc_json(const gf_flow *f, const gf_ctx_snapshot *s, uint8_t *buf, size_t len)
{
	return gf_flow_json_ctx(f, s, (char *) buf, len);
}

/* Flows per second of one encoder, best of three runs of 'secs' / 3. */
static double
rate(enc_fn fn, const gf_flow *flows, const gf_ctx_snapshot *s, double secs,
	 size_t *bytes_per_flow)
{
	static uint8_t buf[8192];
	double		best = 0;
	int			run;

	for (run = 0; run < 3; run++)
	{
		double		t0 = now_s();
		double		t;
		uint64_t	n = 0;
		size_t		bytes = 0;

		do
		{
			int			k;

			for (k = 0; k < NFLOWS; k++)
				bytes += fn(&flows[k], s, buf, sizeof(buf));
			n += NFLOWS;
			t = now_s() - t0;
		} while (t < secs / 3);
		if (n / t > best)
			best = n / t;
		*bytes_per_flow = bytes / n;
	}
	return best;
}

int
main(int argc, char **argv)
{
	static gf_flow flows[NFLOWS];
	double		secs = argc > 1 ? atof(argv[1]) : 1.0;
	gf_ctx_snapshot *snap = snapshot();
	int			pass;

	make_flows(flows);
	for (pass = 0; pass < 2; pass++)
	{
		const gf_ctx_snapshot *s = pass ? snap : NULL;
		size_t		b1,
					b2,
					b3;
		double		hand,
					ref,
					json;
		int			k;

		if (s != NULL)
			for (k = 0; k < NFLOWS; k++)
				gf_ctx_enrich(s, &flows[k]);
		hand = rate(gf_flow_pb_pack_delimited, flows, s, secs, &b1);
		ref = rate(gf_flow_pb_pack_reference, flows, s, secs, &b2);
		json = rate(enc_json, flows, s, secs, &b3);
		printf("%s context: bin hand-written %.2f M flows/s (%zu B), bin protobuf-c %.2f M flows/s (%zu B), json %.2f M flows/s (%zu B); hand-written / protobuf-c = %.2f\n",
			   s ? "with" : "without", hand / 1e6, b1, ref / 1e6, b2, json / 1e6, b3,
			   hand / ref);
	}
	free(snap);
	return 0;
}
