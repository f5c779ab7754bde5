/*
 * test_context.c
 *    Unit tests of the context snapshot (context.h): a small snapshot
 *    whose every answer is worked out by hand (views, most specific
 *    network, scoped beats global, IPv4-mapped addresses and entries,
 *    devices, interfaces, sFlow interface formats, the sampling-rate
 *    rules); then random snapshots (fixed seed) with thousands of IPv4
 *    and IPv6 prefixes, exporter scopes, devices, interfaces and rates,
 *    every enrichment compared with a naive oracle written here (a linear
 *    scan over the input entries) through gf_ctx_enrich,
 *    gf_ctx_enrich_many and gf_ctx_match_network; duplicates of each kind
 *    refused naming both entries (random sets against the oracle's first
 *    duplicate); bad input; the memory limit at its edge; the block copied
 *    to another address; gf_ctx_valid against truncated and corrupted
 *    blocks.
 */
#include <arpa/inet.h>
#include <stdint.h>

#include "context.h"
#include "context_oracle.h"
#include "unit.h"

/* ---- helpers ---------------------------------------------------------------- */

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static gf_addr
A(const char *text)
{
	gf_addr		a;

	memset(&a, 0, sizeof(a));
	if (text == NULL)
		return a;
	if (strchr(text, ':'))
	{
		a.family = 6;
		if (inet_pton(AF_INET6, text, a.bytes) != 1)
			abort();
	}
	else
	{
		a.family = 4;
		if (inet_pton(AF_INET, text, a.bytes) != 1)
			abort();
	}
	return a;
}

/* ---- building from an input ------------------------------------------------ */

static gf_ctx_snapshot *
build(const o_input *in, size_t max_bytes, uint64_t generation, gf_ctx_build_info *info)
{
	gf_ctx_builder *b = gf_ctx_builder_new(max_bytes);
	size_t		i;

	for (i = 0; i < in->n_nets; i++)
		gf_ctx_add_network(b, &in->nets[i]);
	for (i = 0; i < in->n_devs; i++)
		gf_ctx_add_device(b, &in->devs[i]);
	for (i = 0; i < in->n_ifs; i++)
		gf_ctx_add_interface(b, &in->ifs[i]);
	for (i = 0; i < in->n_rates; i++)
		gf_ctx_add_rate(b, &in->rates[i]);
	o_prepare((o_input *) in);
	return gf_ctx_build(b, generation, info);
}

/* Compare enrichment of every flow with the oracle; counts mismatches. */
static int
compare_flows(const gf_ctx_snapshot *s, const o_input *in, const gf_flow *flows, size_t n)
{
	gf_flow    *one = malloc(n * sizeof(gf_flow));
	gf_flow    *many = malloc(n * sizeof(gf_flow));
	gf_flow		want;
	size_t		i;
	int			bad = 0;

	memcpy(one, flows, n * sizeof(gf_flow));
	memcpy(many, flows, n * sizeof(gf_flow));
	gf_ctx_enrich_many(s, many, n);
	for (i = 0; i < n; i++)
	{
		gf_flow    *g = &one[i];
		int			k;

		gf_ctx_enrich(s, g);
		want = flows[i];
		o_enrich(in, &want);
		for (k = 0; k < 2; k++)
		{
			const gf_flow *x = k ? &many[i] : g;

			if (x->ctx_src_network != want.ctx_src_network ||
				x->ctx_dst_network != want.ctx_dst_network ||
				x->ctx_device != want.ctx_device || x->ctx_in_if != want.ctx_in_if ||
				x->ctx_out_if != want.ctx_out_if || x->sampling_rate != want.sampling_rate ||
				x->sampling_rate_source != want.sampling_rate_source ||
				x->present != want.present)
			{
				char		t1[64];
				char		t2[64];
				char		t3[64];

				if (bad++ < 10)
					fprintf(stderr, "flow %zu (%s) sampler %s src %s dst %s in %u out %u: "
							"got %u %u %u %u %u rate %llu/%u, want %u %u %u %u %u rate %llu/%u\n",
							i, k ? "many" : "one",
							gf_addr_format(&x->sampler_address, t1, sizeof(t1)),
							gf_addr_format(&x->src_addr, t2, sizeof(t2)),
							gf_addr_format(&x->dst_addr, t3, sizeof(t3)),
							x->in_if, x->out_if,
							x->ctx_src_network, x->ctx_dst_network, x->ctx_device,
							x->ctx_in_if, x->ctx_out_if,
							(unsigned long long) x->sampling_rate, x->sampling_rate_source,
							want.ctx_src_network, want.ctx_dst_network, want.ctx_device,
							want.ctx_in_if, want.ctx_out_if,
							(unsigned long long) want.sampling_rate, want.sampling_rate_source);
			}
		}
		if (gf_ctx_match_network(s, &flows[i].src_addr, &flows[i].sampler_address) !=
			want.ctx_src_network)
			bad++;
	}
	free(one);
	free(many);
	return bad;
}

/* ---- a snapshot worked out by hand ------------------------------------------- */

static gf_ctx_network_in hand_nets[8];
static gf_ctx_device_in hand_devs[2];
static gf_ctx_interface_in hand_ifs[3];
static gf_ctx_rate_in hand_rates[4];
static o_input hand;

static void
hand_input(void)
{
	static const char blob1[3] = {'B', 0, '1'};

	memset(hand_nets, 0, sizeof(hand_nets));
	memset(hand_devs, 0, sizeof(hand_devs));
	memset(hand_ifs, 0, sizeof(hand_ifs));
	memset(hand_rates, 0, sizeof(hand_rates));
	hand_nets[0].net = A("10.0.0.0");
	hand_nets[0].prefix_len = 8;
	hand_nets[0].name = "ten";
	hand_nets[0].context.json = "{\"a\":1}";
	hand_nets[0].context.blob = blob1;
	hand_nets[0].context.blob_len = 3;
	hand_nets[1].net = A("10.1.0.0");
	hand_nets[1].prefix_len = 16;
	hand_nets[1].name = "ten-one";
	hand_nets[1].context.json = "{\"a\":1}";
	hand_nets[2].net = A("10.1.0.0");
	hand_nets[2].prefix_len = 16;
	hand_nets[2].exporter = A("192.0.2.1");
	hand_nets[2].name = "ten-one-r1";
	hand_nets[3].net = A("10.1.2.3");	/* host bits: 10.1.2.0/24 */
	hand_nets[3].prefix_len = 24;
	hand_nets[3].exporter = A("::ffff:192.0.2.1");
	hand_nets[3].name = "ten-one-two";
	hand_nets[4].net = A("2001:db8::");
	hand_nets[4].prefix_len = 32;
	hand_nets[4].name = "doc6";
	hand_nets[5].net = A("::ffff:192.168.0.0");	/* 192.168.0.0/16 */
	hand_nets[5].prefix_len = 112;
	hand_nets[5].name = "mapped";
	hand_nets[6].net = A("::");
	hand_nets[6].prefix_len = 0;
	hand_nets[6].name = "v6-default";
	hand_nets[7].net = A("0.0.0.0");
	hand_nets[7].prefix_len = 0;
	hand_nets[7].exporter = A("198.51.100.7");
	hand_nets[7].name = "v4-default-r2";

	hand_devs[0].exporter = A("192.0.2.1");
	hand_devs[0].name = "r1";
	hand_devs[0].site = "par1";
	hand_devs[0].role = "border";
	hand_devs[0].context.json = "{\"vendor\":\"x\"}";
	hand_devs[1].exporter = A("2001:db8::1");
	hand_devs[1].name = "r6";

	hand_ifs[0].exporter = A("192.0.2.1");
	hand_ifs[0].if_index = 3;
	hand_ifs[0].name = "xe-0/0/1";
	hand_ifs[0].has_speed = true;
	hand_ifs[0].speed = UINT64_C(10000000000);
	hand_ifs[0].boundary = GF_BOUNDARY_EXTERNAL;
	hand_ifs[0].provider = "transit-a";
	hand_ifs[1].exporter = A("::ffff:192.0.2.1");
	hand_ifs[1].if_index = 4;
	hand_ifs[1].description = "uplink";
	hand_ifs[1].boundary = GF_BOUNDARY_INTERNAL;
	hand_ifs[2].exporter = A("2001:db8::1");
	hand_ifs[2].if_index = 3;

	hand_rates[0].exporter = A("192.0.2.0");
	hand_rates[0].exporter_len = 24;
	hand_rates[0].rate = 100;
	hand_rates[1].exporter = A("192.0.2.1");
	hand_rates[1].exporter_len = 32;
	hand_rates[1].has_if_index = true;
	hand_rates[1].if_index = 3;
	hand_rates[1].rate = 1000;
	hand_rates[2].exporter = A("198.51.100.0");
	hand_rates[2].exporter_len = 24;
	hand_rates[2].rate = 512;
	hand_rates[2].is_override = true;
	hand_rates[3].exporter = A("::ffff:198.51.100.7");	/* 198.51.100.7/32 */
	hand_rates[3].exporter_len = 128;
	hand_rates[3].rate = 7;		/* a default: loses to the override */

	hand.nets = hand_nets;
	hand.n_nets = 8;
	hand.devs = hand_devs;
	hand.n_devs = 2;
	hand.ifs = hand_ifs;
	hand.n_ifs = 3;
	hand.rates = hand_rates;
	hand.n_rates = 4;
}

static gf_flow
flow(const char *sampler, const char *src, const char *dst)
{
	gf_flow		f;
	gf_addr		s = A(sampler);

	gf_flow_init(&f, GF_TYPE_IPFIX, 1, &s);
	f.src_addr = A(src);
	f.dst_addr = A(dst);
	return f;
}

static void
test_boundary_name(void)
{
	CHECK(gf_boundary_name(GF_BOUNDARY_UNKNOWN) == NULL);
	CHECK_STR(gf_boundary_name(GF_BOUNDARY_EXTERNAL), "external");
	CHECK_STR(gf_boundary_name(GF_BOUNDARY_INTERNAL), "internal");
	CHECK(gf_boundary_name((gf_boundary) 7) == NULL);
}

static void
test_hand_views(const gf_ctx_snapshot *s)
{
	gf_ctx_network n;
	gf_ctx_device d;
	gf_ctx_interface i;
	gf_ctx_rate_in r;
	char		buf[64];

	CHECK_EQ_U64(gf_ctx_network_count(s), 8);
	CHECK_EQ_U64(gf_ctx_device_count(s), 2);
	CHECK_EQ_U64(gf_ctx_interface_count(s), 3);
	CHECK_EQ_U64(gf_ctx_rate_count(s), 4);
	CHECK_EQ_U64(gf_ctx_generation(s), 42);

	CHECK(gf_ctx_get_network(s, 1, &n));
	CHECK_STR(n.name, "ten");
	CHECK_EQ_U64(n.family, 4);
	CHECK_EQ_U64(n.prefix_len, 8);
	CHECK_EQ_U64(n.exporter.family, 0);
	CHECK_STR(n.context.json, "{\"a\":1}");
	CHECK(n.context.blob != NULL && n.context.blob_len == 3 &&
		  memcmp(n.context.blob, "B\0" "1", 3) == 0);
	CHECK(((uintptr_t) n.context.blob & 7) == 0);
	{
		gf_ctx_network n2;

		/* equal strings are stored once */
		CHECK(gf_ctx_get_network(s, 2, &n2));
		CHECK(n2.context.json == n.context.json);
		CHECK(n2.context.blob == NULL && n2.context.blob_len == 0);
	}
	CHECK(gf_ctx_get_network(s, 4, &n));
	CHECK_STR(n.name, "ten-one-two");
	CHECK_EQ_U64(n.prefix_len, 24);
	CHECK(n.addr[0] == 10 && n.addr[1] == 1 && n.addr[2] == 2 && n.addr[3] == 0);
	CHECK_EQ_U64(n.exporter.family, 4);
	CHECK_STR(gf_addr_format(&n.exporter, buf, sizeof(buf)), "192.0.2.1");
	CHECK(n.context.json == NULL);
	CHECK(gf_ctx_get_network(s, 6, &n));
	CHECK_EQ_U64(n.family, 4);
	CHECK_EQ_U64(n.prefix_len, 16);
	CHECK(n.addr[0] == 192 && n.addr[1] == 168 && n.addr[2] == 0);
	CHECK(gf_ctx_get_network(s, 8, &n));
	CHECK_STR(gf_addr_format(&n.exporter, buf, sizeof(buf)), "198.51.100.7");
	CHECK(!gf_ctx_get_network(s, 0, &n));
	CHECK(!gf_ctx_get_network(s, 9, &n));

	CHECK(gf_ctx_get_device(s, 1, &d));
	CHECK_STR(d.name, "r1");
	CHECK_STR(d.site, "par1");
	CHECK_STR(d.role, "border");
	CHECK_STR(d.context.json, "{\"vendor\":\"x\"}");
	CHECK_STR(gf_addr_format(&d.exporter, buf, sizeof(buf)), "192.0.2.1");
	CHECK(gf_ctx_get_device(s, 2, &d));
	CHECK_STR(d.name, "r6");
	CHECK(d.site == NULL && d.role == NULL && d.context.json == NULL);
	CHECK_STR(gf_addr_format(&d.exporter, buf, sizeof(buf)), "2001:db8::1");
	CHECK(!gf_ctx_get_device(s, 3, &d));

	CHECK(gf_ctx_get_interface(s, 1, &i));
	CHECK_STR(i.name, "xe-0/0/1");
	CHECK_STR(i.provider, "transit-a");
	CHECK(i.description == NULL);
	CHECK(i.has_speed && i.speed == UINT64_C(10000000000));
	CHECK(i.boundary == GF_BOUNDARY_EXTERNAL);
	CHECK_EQ_U64(i.if_index, 3);
	CHECK(gf_ctx_get_interface(s, 2, &i));
	CHECK_STR(gf_addr_format(&i.exporter, buf, sizeof(buf)), "192.0.2.1");
	CHECK_STR(i.description, "uplink");
	CHECK(!i.has_speed && i.boundary == GF_BOUNDARY_INTERNAL);
	CHECK(!gf_ctx_get_interface(s, 4, &i));

	CHECK(gf_ctx_get_rate(s, 2, &r));
	CHECK(r.has_if_index && r.if_index == 3 && r.rate == 1000 && !r.is_override);
	CHECK(gf_ctx_get_rate(s, 4, &r));
	CHECK_EQ_U64(r.exporter.family, 4);
	CHECK_EQ_U64(r.exporter_len, 32);
	CHECK(!gf_ctx_get_rate(s, 5, &r));
}

/* Every expectation below is read off hand_input() by hand. */
static void
test_hand_enrich(const gf_ctx_snapshot *s)
{
	gf_flow		f;

	/* exporter 192.0.2.1: its scoped /24 and /16 win */
	f = flow("192.0.2.1", "10.1.2.9", "10.1.9.9");
	GF_SET(&f, in_if, GF_F_IN_IF, 3);
	GF_SET(&f, out_if, GF_F_OUT_IF, 4);
	gf_ctx_enrich(s, &f);
	CHECK_EQ_U64(f.ctx_src_network, 4);
	CHECK_EQ_U64(f.ctx_dst_network, 3);
	CHECK_EQ_U64(f.ctx_device, 1);
	CHECK_EQ_U64(f.ctx_in_if, 1);
	CHECK_EQ_U64(f.ctx_out_if, 2);
	/* no rate sent: the default naming in_if 3 (1000) beats the /24 one */
	CHECK_EQ_U64(f.sampling_rate, 1000);
	CHECK_EQ_U64(f.sampling_rate_source, GF_RATE_DEFAULT);
	CHECK(GF_HAS(&f, GF_F_SAMPLING_RATE));

	/* the same exporter as mapped IPv6, addresses mapped too */
	f = flow("::ffff:192.0.2.1", "::ffff:10.1.2.9", "10.2.0.1");
	GF_SET(&f, in_if, GF_F_IN_IF, 4);
	GF_SET(&f, sampling_rate, GF_F_SAMPLING_RATE, 0);
	gf_ctx_enrich(s, &f);
	CHECK_EQ_U64(f.ctx_src_network, 4);
	CHECK_EQ_U64(f.ctx_dst_network, 1);
	CHECK_EQ_U64(f.ctx_device, 1);
	CHECK_EQ_U64(f.ctx_in_if, 2);
	CHECK_EQ_U64(f.ctx_out_if, 0);
	/* rate 0 counts as absent; in_if 4 has no rate of its own: the /24 */
	CHECK_EQ_U64(f.sampling_rate, 100);
	CHECK_EQ_U64(f.sampling_rate_source, GF_RATE_DEFAULT);

	/* a rate sent is kept when only defaults match */
	f = flow("192.0.2.1", "192.168.1.1", "::ffff:192.168.7.7");
	GF_SET(&f, in_if, GF_F_IN_IF, 3);
	GF_SET(&f, sampling_rate, GF_F_SAMPLING_RATE, 64);
	f.sampling_rate_source = GF_RATE_RECORD;
	gf_ctx_enrich(s, &f);
	CHECK_EQ_U64(f.ctx_src_network, 6);
	CHECK_EQ_U64(f.ctx_dst_network, 6);
	CHECK_EQ_U64(f.sampling_rate, 64);
	CHECK_EQ_U64(f.sampling_rate_source, GF_RATE_RECORD);

	/* sFlow: in_if of format 1 is a discard reason, not ifIndex 3 */
	f = flow("192.0.2.1", "2001:db8::5", "2001:db9::1");
	GF_SET(&f, in_if, GF_F_IN_IF, 3);
	GF_SET(&f, in_if_format, GF_F_IN_IF_FORMAT, 1);
	GF_SET(&f, out_if, GF_F_OUT_IF, 3);
	GF_SET(&f, out_if_format, GF_F_OUT_IF_FORMAT, 0);
	gf_ctx_enrich(s, &f);
	CHECK_EQ_U64(f.ctx_src_network, 5);
	CHECK_EQ_U64(f.ctx_dst_network, 7);
	CHECK_EQ_U64(f.ctx_in_if, 0);
	CHECK_EQ_U64(f.ctx_out_if, 1);
	CHECK_EQ_U64(f.sampling_rate, 100);

	/* exporter 198.51.100.7: its scoped /0; the override beats a sent rate
	 * and its own /32 default */
	f = flow("198.51.100.7", "11.0.0.1", "10.1.2.9");
	GF_SET(&f, sampling_rate, GF_F_SAMPLING_RATE, 64);
	gf_ctx_enrich(s, &f);
	CHECK_EQ_U64(f.ctx_src_network, 8);
	CHECK_EQ_U64(f.ctx_dst_network, 2);
	CHECK_EQ_U64(f.ctx_device, 0);
	CHECK_EQ_U64(f.sampling_rate, 512);
	CHECK_EQ_U64(f.sampling_rate_source, GF_RATE_OVERRIDE);
	f = flow("::ffff:198.51.100.7", "11.0.0.1", NULL);
	gf_ctx_enrich(s, &f);
	CHECK_EQ_U64(f.ctx_src_network, 8);
	CHECK_EQ_U64(f.ctx_dst_network, 0);
	CHECK_EQ_U64(f.sampling_rate, 512);

	/* an IPv6 exporter */
	f = flow("2001:db8::1", "11.0.0.1", "::ffff:10.9.9.9");
	GF_SET(&f, in_if, GF_F_IN_IF, 3);
	gf_ctx_enrich(s, &f);
	CHECK_EQ_U64(f.ctx_src_network, 0);
	CHECK_EQ_U64(f.ctx_dst_network, 1);
	CHECK_EQ_U64(f.ctx_device, 2);
	CHECK_EQ_U64(f.ctx_in_if, 3);
	CHECK(!GF_HAS(&f, GF_F_SAMPLING_RATE));
	CHECK_EQ_U64(f.sampling_rate_source, GF_RATE_NONE);

	/* no sampler address: global networks only, nothing else */
	f = flow(NULL, "10.1.2.9", "11.0.0.1");
	GF_SET(&f, in_if, GF_F_IN_IF, 3);
	gf_ctx_enrich(s, &f);
	CHECK_EQ_U64(f.ctx_src_network, 2);
	CHECK_EQ_U64(f.ctx_dst_network, 0);
	CHECK_EQ_U64(f.ctx_device, 0);
	CHECK_EQ_U64(f.ctx_in_if, 0);
	CHECK(!GF_HAS(&f, GF_F_SAMPLING_RATE));

	/* an IPv6 prefix shorter than /96 never matches a mapped address */
	{
		gf_addr		a = A("::ffff:11.0.0.1");
		gf_addr		e = A("192.0.2.1");

		CHECK_EQ_U64(gf_ctx_match_network(s, &a, NULL), 0);
		a = A("::1");
		CHECK_EQ_U64(gf_ctx_match_network(s, &a, NULL), 7);
		a = A("10.1.2.200");
		CHECK_EQ_U64(gf_ctx_match_network(s, &a, NULL), 2);
		CHECK_EQ_U64(gf_ctx_match_network(s, &a, &e), 4);
		CHECK_EQ_U64(gf_ctx_match_network(NULL, &a, &e), 0);
	}

	/* NULL snapshot clears */
	f = flow("192.0.2.1", "10.1.2.9", "10.1.9.9");
	f.ctx_src_network = f.ctx_dst_network = f.ctx_device = f.ctx_in_if = f.ctx_out_if = 5;
	gf_ctx_enrich(NULL, &f);
	CHECK(f.ctx_src_network == 0 && f.ctx_dst_network == 0 && f.ctx_device == 0 &&
		  f.ctx_in_if == 0 && f.ctx_out_if == 0);
	f.ctx_src_network = f.ctx_dst_network = f.ctx_device = f.ctx_in_if = f.ctx_out_if = 5;
	gf_ctx_enrich_many(NULL, &f, 1);
	CHECK(f.ctx_src_network == 0 && f.ctx_dst_network == 0 && f.ctx_device == 0 &&
		  f.ctx_in_if == 0 && f.ctx_out_if == 0);
}

/* Flows over the hand input's addresses, every combination, vs the oracle. */
static void
test_hand_oracle(const gf_ctx_snapshot *s)
{
	static const char *const samplers[] = {
		NULL, "192.0.2.1", "::ffff:192.0.2.1", "198.51.100.7", "::ffff:198.51.100.7",
		"198.51.100.8", "2001:db8::1", "192.0.2.2"
	};
	static const char *const addrs[] = {
		NULL, "10.1.2.9", "::ffff:10.1.2.9", "10.1.9.9", "10.2.0.1", "11.0.0.1",
		"192.168.1.1", "::ffff:192.168.1.1", "2001:db8::5", "2001:db9::1", "::1",
		"::ffff:0.0.0.1", "0.0.0.0", "255.255.255.255"
	};
	gf_flow		flows[8 * 14 * 3];
	size_t		n = 0;
	size_t		i;
	size_t		j;

	for (i = 0; i < 8; i++)
		for (j = 0; j < 14; j++)
		{
			int			k;

			for (k = 0; k < 3; k++)
			{
				gf_flow    *f = &flows[n++];

				*f = flow(samplers[i], addrs[j], addrs[(j + 5 + k) % 14]);
				if (k > 0)
					GF_SET(f, in_if, GF_F_IN_IF, 2 + k);
				if (k == 2)
				{
					GF_SET(f, out_if, GF_F_OUT_IF, 3);
					GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, 50);
				}
			}
		}
	CHECK_EQ_U64(compare_flows(s, &hand, flows, n), 0);
}

/* ---- random snapshots ------------------------------------------------------ */

#define R_NETS		3000
#define R_EXPORTERS 7
#define R_FLOWS		12000

static const char *const r_exporters[R_EXPORTERS] = {
	"192.0.2.1", "192.0.2.2", "::ffff:192.0.2.3", "203.0.113.9",
	"2001:db8:ffff::1", "2001:db8:ffff::2", "192.0.2.130"
};

static void
r_mask(uint8_t *a, int len, int bytes)
{
	int			i;

	for (i = len; i < bytes * 8; i++)
		a[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

/* A random prefix near a few anchors, so prefixes nest and overlap. */
static void
r_prefix(gf_addr *a, uint8_t *len, const uint32_t *anchors4, const uint8_t (*anchors6)[16])
{
	int			kind = (int) (rnd() % 10);
	int			k;

	memset(a, 0, sizeof(*a));
	if (kind < 6)
	{
		uint32_t	v = anchors4[rnd() % 16] ^ ((uint32_t) rnd() >> (8 + rnd() % 24));

		a->family = 4;
		a->bytes[0] = v >> 24;
		a->bytes[1] = v >> 16;
		a->bytes[2] = v >> 8;
		a->bytes[3] = v;
		*len = (uint8_t) (rnd() % 5 == 0 ? rnd() % 33 : 8 + rnd() % 25);
	}
	else if (kind < 9)
	{
		a->family = 6;
		memcpy(a->bytes, anchors6[rnd() % 8], 16);
		for (k = 4 + (int) (rnd() % 12); k < 16; k++)
			a->bytes[k] = (uint8_t) rnd();
		*len = (uint8_t) (rnd() % 5 == 0 ? rnd() % 129 : 16 + rnd() % 113);
	}
	else
	{
		/* mapped: an IPv4 anchor written as ::ffff:a.b.c.d, /96../128 */
		uint32_t	v = anchors4[rnd() % 16] ^ ((uint32_t) rnd() >> (8 + rnd() % 24));

		a->family = 6;
		a->bytes[10] = a->bytes[11] = 0xff;
		a->bytes[12] = v >> 24;
		a->bytes[13] = v >> 16;
		a->bytes[14] = v >> 8;
		a->bytes[15] = v;
		*len = (uint8_t) (96 + rnd() % 33);
	}
	/* half keep host bits: the builder must clear them */
	if (rnd() % 2)
		r_mask(a->bytes, *len, a->family == 4 ? 4 : 16);
}

/* An address: inside a random entry, or anywhere, in any form. */
static gf_addr
r_addr(const o_input *in)
{
	gf_addr		a;
	int			kind = (int) (rnd() % 20);
	int			k;

	memset(&a, 0, sizeof(a));
	if (kind < 12 && in->n_nets > 0)
	{
		const gf_ctx_network_in *n = &in->nets[rnd() % in->n_nets];
		int			bytes = n->net.family == 4 ? 4 : 16;

		a = n->net;
		for (k = n->prefix_len; k < bytes * 8; k++)
			if (rnd() & 1)
				a.bytes[k / 8] ^= (uint8_t) (0x80 >> (k % 8));
		if (a.family == 4 && kind == 0)
		{
			/* the same address as mapped IPv6 */
			uint8_t		v[4];

			memcpy(v, a.bytes, 4);
			memset(a.bytes, 0, 16);
			a.family = 6;
			a.bytes[10] = a.bytes[11] = 0xff;
			memcpy(a.bytes + 12, v, 4);
		}
	}
	else if (kind < 15)
	{
		a.family = 4;
		for (k = 0; k < 4; k++)
			a.bytes[k] = (uint8_t) rnd();
	}
	else if (kind < 18)
	{
		a.family = 6;
		for (k = 0; k < 16; k++)
			a.bytes[k] = (uint8_t) rnd();
		if (kind == 17)
			a.bytes[0] = 0x20, a.bytes[1] = 0x01, a.bytes[2] = 0x0d, a.bytes[3] = 0xb8;
	}
	/* else family 0 */
	return a;
}

static void
r_exporter(gf_addr *a, int i)
{
	*a = A(r_exporters[i]);
}

static void
test_random(void)
{
	uint32_t	anchors4[16];
	uint8_t		anchors6[8][16];
	gf_ctx_network_in *nets = calloc(R_NETS, sizeof(gf_ctx_network_in));
	char	  (*names)[16] = calloc(R_NETS, 16);
	gf_ctx_device_in devs[6];
	gf_ctx_interface_in ifs[40];
	gf_ctx_rate_in rates[24];
	o_input		in;
	gf_flow    *flows = calloc(R_FLOWS, sizeof(gf_flow));
	gf_ctx_build_info info;
	gf_ctx_snapshot *s;
	size_t		i;
	size_t		n = 0;
	uint32_t	later;
	uint32_t	earlier;
	int			k;

	for (k = 0; k < 16; k++)
		anchors4[k] = (uint32_t) rnd();
	anchors4[0] = 0x0A000000;	/* 10/8 */
	for (k = 0; k < 8; k++)
	{
		memset(anchors6[k], 0, 16);
		anchors6[k][0] = 0x20;
		anchors6[k][1] = (uint8_t) (k < 4 ? 0x01 : rnd());
		anchors6[k][2] = (uint8_t) (k < 4 ? 0x0d : rnd());
		anchors6[k][3] = (uint8_t) (k < 4 ? 0xb8 : rnd());
	}
	memset(&in, 0, sizeof(in));
	in.nets = nets;
	in.prep = calloc(R_NETS, sizeof(o_net));
	/* networks without duplicates (the oracle's test, entry by entry) */
	while (n < R_NETS)
	{
		gf_ctx_network_in *e = &nets[n];

		memset(e, 0, sizeof(*e));
		r_prefix(&e->net, &e->prefix_len, anchors4, (const uint8_t (*)[16]) anchors6);
		if (rnd() % 10 < 3)
			r_exporter(&e->exporter, (int) (rnd() % R_EXPORTERS));
		snprintf(names[n], 16, "n%zu", n);
		e->name = names[n];
		if (rnd() % 4 == 0)
			e->context.json = (rnd() & 1) ? "{\"k\":1}" : "{\"k\":2}";
		if (!o_net_dup_last(&in, n))
			n++;
	}
	in.n_nets = n;

	/* devices of exporters 0..4, one written mapped (exporter 2 already is) */
	memset(devs, 0, sizeof(devs));
	for (k = 0; k < 5; k++)
	{
		r_exporter(&devs[k].exporter, k);
		devs[k].name = r_exporters[k];
	}
	devs[5].exporter = A("198.18.0.1");	/* names no network's exporter */
	in.devs = devs;
	in.n_devs = 6;

	/* interfaces: distinct (exporter, ifIndex) */
	memset(ifs, 0, sizeof(ifs));
	in.ifs = ifs;
	in.n_ifs = 0;
	in.n_nets = 0;				/* known to have no duplicate: skip the scan */
	while (in.n_ifs < 40)
	{
		gf_ctx_interface_in *e = &ifs[in.n_ifs];

		r_exporter(&e->exporter, (int) (rnd() % R_EXPORTERS));
		if (rnd() % 8 == 0)
			e->exporter = A("::ffff:192.0.2.1");
		e->if_index = (uint32_t) (rnd() % 12);
		if (rnd() % 10 == 0)
			e->if_index = UINT32_MAX - (uint32_t) (rnd() % 2);
		e->name = (rnd() & 1) ? "ifa" : NULL;
		in.n_ifs++;
		if (o_first_dup(&in, &later, &earlier) != GF_CTX_KIND_NONE)
			in.n_ifs--;
	}

	/* rates: exporter prefixes of various lengths, both kinds */
	memset(rates, 0, sizeof(rates));
	in.rates = rates;
	in.n_rates = 0;
	while (in.n_rates < 24)
	{
		gf_ctx_rate_in *e = &rates[in.n_rates];
		int			bits;

		memset(e, 0, sizeof(*e));
		r_exporter(&e->exporter, (int) (rnd() % R_EXPORTERS));
		bits = e->exporter.family == 4 ? 32 : 128;
		e->exporter_len = (uint8_t) (bits - rnd() % (rnd() % 2 ? 3 : bits + 1));
		e->has_if_index = rnd() % 3 == 0;
		e->if_index = (uint32_t) (rnd() % 12);
		e->rate = 1 + rnd() % 5000;
		e->is_override = rnd() % 4 == 0;
		in.n_rates++;
		if (o_first_dup(&in, &later, &earlier) != GF_CTX_KIND_NONE)
			in.n_rates--;
	}
	in.n_nets = n;

	s = build(&in, 0, 7, &info);
	CHECK(s != NULL);
	if (s == NULL)
	{
		fprintf(stderr, "random build: %s\n", info.message);
		goto out;
	}
	CHECK_EQ_U64(gf_ctx_network_count(s), in.n_nets);
	CHECK_EQ_U64(info.bytes, gf_ctx_bytes(s));
	CHECK(info.peak_bytes >= info.bytes);
	CHECK(gf_ctx_valid(s, gf_ctx_bytes(s), 7));

	/* flows in runs of one sampler, as datagrams bring them */
	for (i = 0; i < R_FLOWS;)
	{
		gf_addr		sampler;
		size_t		run = 1 + rnd() % 40;
		int			pick = (int) (rnd() % (R_EXPORTERS + 4));

		if (pick < R_EXPORTERS)
			r_exporter(&sampler, pick);
		else if (pick == R_EXPORTERS + 3)
		{
			/* a neighbour of an exporter: unknown, but inside rate prefixes */
			r_exporter(&sampler, (int) (rnd() % R_EXPORTERS));
			sampler.bytes[sampler.family == 4 ? 3 : 15] ^= (uint8_t) (1 + rnd() % 3);
		}
		else if (pick == R_EXPORTERS)
			sampler = A("::ffff:192.0.2.1");
		else if (pick == R_EXPORTERS + 1)
			sampler = A("198.18.0.1");
		else
			memset(&sampler, 0, sizeof(sampler));
		for (; run > 0 && i < R_FLOWS; run--, i++)
		{
			gf_flow    *f = &flows[i];

			gf_flow_init(f, GF_TYPE_SFLOW_5, 1, &sampler);
			f->src_addr = r_addr(&in);
			f->dst_addr = r_addr(&in);
			if (rnd() % 5)
				GF_SET(f, in_if, GF_F_IN_IF, (uint32_t) (rnd() % 13));
			if (rnd() % 5)
				GF_SET(f, out_if, GF_F_OUT_IF, (uint32_t) (rnd() % 13));
			if (rnd() % 20 == 0)
				GF_SET(f, in_if, GF_F_IN_IF, UINT32_MAX);
			if (rnd() % 6 == 0)
				GF_SET(f, in_if_format, GF_F_IN_IF_FORMAT, (uint32_t) (rnd() % 3));
			if (rnd() % 6 == 0)
				GF_SET(f, out_if_format, GF_F_OUT_IF_FORMAT, (uint32_t) (rnd() % 3));
			if (rnd() % 2)
				GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, rnd() % 3 ? 1 + rnd() % 100 : 0);
		}
	}
	CHECK_EQ_U64(compare_flows(s, &in, flows, R_FLOWS), 0);

	/* the same block elsewhere: copied to another address, original gone */
	{
		size_t		bytes = gf_ctx_bytes(s);
		char	   *area = malloc(bytes + 16);
		gf_ctx_snapshot *copy = (gf_ctx_snapshot *) (void *) (area + 8);
		gf_ctx_network nv;

		memcpy(copy, s, bytes);
		free(s);
		s = NULL;
		CHECK(gf_ctx_valid(copy, bytes, 7));
		CHECK(!gf_ctx_valid(copy, bytes, 8));
		CHECK_EQ_U64(compare_flows(copy, &in, flows, 4000), 0);
		CHECK(gf_ctx_get_network(copy, 17, &nv));
		CHECK_STR(nv.name, "n16");
		CHECK(nv.name >= area && nv.name < area + bytes + 8);
		/* misaligned: refused */
		memmove(area + 4, area + 8, bytes);
		CHECK(!gf_ctx_valid(area + 4, bytes, 7));
		free(area);
	}
out:
	free(s);
	free(flows);
	free(nets);
	free(names);
	free(in.prep);
}

/* Small random sets with duplicates: the build refuses the oracle's first. */
static void
test_random_duplicates(void)
{
	int			round;
	int			refused = 0;
	int			agree = 0;

	for (round = 0; round < 300; round++)
	{
		gf_ctx_network_in nets[12];
		gf_ctx_device_in devs[6];
		gf_ctx_interface_in ifs[8];
		gf_ctx_rate_in rates[8];
		o_input		in;
		gf_ctx_build_info info;
		gf_ctx_snapshot *s;
		uint32_t	later = 0;
		uint32_t	earlier = 0;
		gf_ctx_kind want;
		size_t		i;
		static const char *const ex[4] = {"10.0.0.1", "::ffff:10.0.0.1", "10.0.0.2", "2001:db8::1"};

		memset(nets, 0, sizeof(nets));
		memset(devs, 0, sizeof(devs));
		memset(ifs, 0, sizeof(ifs));
		memset(rates, 0, sizeof(rates));
		in.prep = NULL;
		in.nets = nets;
		in.n_nets = rnd() % 13;
		for (i = 0; i < in.n_nets; i++)
		{
			static const char *const p[4] = {"10.0.0.0", "10.0.0.7", "::ffff:10.0.0.0", "2001:db8::"};
			int			k = (int) (rnd() % 4);

			nets[i].net = A(p[k]);
			nets[i].prefix_len = (uint8_t) ((k == 2 ? 96 : 0) + (rnd() % 2 ? 8 : 24 + rnd() % 3));
			if (k == 3)
				nets[i].prefix_len = (uint8_t) (32 + rnd() % 3);
			nets[i].name = "x";
			if (rnd() % 2)
				nets[i].exporter = A(ex[rnd() % 4]);
		}
		in.devs = devs;
		in.n_devs = rnd() % 7;
		for (i = 0; i < in.n_devs; i++)
			devs[i].exporter = A(ex[rnd() % 4]);
		in.ifs = ifs;
		in.n_ifs = rnd() % 9;
		for (i = 0; i < in.n_ifs; i++)
		{
			ifs[i].exporter = A(ex[rnd() % 4]);
			ifs[i].if_index = (uint32_t) (rnd() % 4);
		}
		in.rates = rates;
		in.n_rates = rnd() % 9;
		for (i = 0; i < in.n_rates; i++)
		{
			rates[i].exporter = A(ex[rnd() % 4]);
			rates[i].exporter_len = (uint8_t) (rates[i].exporter.family == 4 ? 30 + rnd() % 3 :
											   126 + rnd() % 3);
			rates[i].has_if_index = rnd() % 2;
			rates[i].if_index = (uint32_t) (rnd() % 2);
			rates[i].is_override = rnd() % 2;
			rates[i].rate = 1 + rnd() % 3;
		}
		want = o_first_dup(&in, &later, &earlier);
		s = build(&in, 0, 1, &info);
		if (want == GF_CTX_KIND_NONE)
		{
			if (s != NULL)
				agree++;
			else
				fprintf(stderr, "round %d: refused: %s\n", round, info.message);
		}
		else
		{
			char		a[32];
			char		b[32];
			static const char *const kinds[] = {"", "network", "device", "interface", "rate"};

			refused++;
			snprintf(a, sizeof(a), "%s %u ", kinds[want], later);
			snprintf(b, sizeof(b), "%s %u:", kinds[want], earlier);
			if (s == NULL && info.error == GF_CTX_ERR_DUPLICATE && info.kind == want &&
				info.number == later && info.other_number == earlier &&
				strstr(info.message, a) == info.message && strstr(info.message, b) != NULL)
				agree++;
			else
				fprintf(stderr, "round %d: want %s %u repeating %u, got %d kind %d %u/%u: %s\n",
						round, kinds[want], later, earlier, info.error, info.kind,
						info.number, info.other_number, info.message);
		}
		free(s);
		free(in.prep);
	}
	CHECK_EQ_U64(agree, 300);
	CHECK(refused > 50 && refused < 290);
}

/* ---- duplicates, input, limits, validity -------------------------------------- */

static void
test_duplicates(void)
{
	gf_ctx_builder *b;
	gf_ctx_build_info info;
	gf_ctx_network_in n;
	gf_ctx_rate_in r;
	gf_ctx_snapshot *s;

	/* host bits make two spellings of one prefix */
	b = gf_ctx_builder_new(0);
	memset(&n, 0, sizeof(n));
	n.name = "a";
	n.net = A("10.0.0.0");
	n.prefix_len = 8;
	CHECK(gf_ctx_add_network(b, &n));
	n.net = A("172.16.0.0");
	CHECK(gf_ctx_add_network(b, &n));
	n.net = A("10.9.9.9");
	CHECK(gf_ctx_add_network(b, &n));	/* found by the build */
	s = gf_ctx_build(b, 1, &info);
	CHECK(s == NULL);
	CHECK(info.error == GF_CTX_ERR_DUPLICATE);
	CHECK(info.kind == GF_CTX_KIND_NETWORK && info.number == 3 && info.other_number == 1);
	CHECK(strstr(info.message, "network 3") != NULL && strstr(info.message, "network 1") != NULL);

	/* the same prefix globally and scoped is no duplicate; nor are a default
	 * and an override of one prefix */
	b = gf_ctx_builder_new(0);
	n.net = A("10.0.0.0");
	CHECK(gf_ctx_add_network(b, &n));
	n.exporter = A("192.0.2.1");
	CHECK(gf_ctx_add_network(b, &n));
	n.exporter = A("192.0.2.2");
	CHECK(gf_ctx_add_network(b, &n));
	memset(&r, 0, sizeof(r));
	r.exporter = A("192.0.2.0");
	r.exporter_len = 24;
	r.rate = 10;
	CHECK(gf_ctx_add_rate(b, &r));
	r.is_override = true;
	CHECK(gf_ctx_add_rate(b, &r));
	r.has_if_index = true;
	CHECK(gf_ctx_add_rate(b, &r));
	r.exporter = A("::ffff:192.0.2.9");	/* 192.0.2.0/24 again, ifIndex 0 */
	r.exporter_len = 120;
	CHECK(gf_ctx_add_rate(b, &r));
	s = gf_ctx_build(b, 1, &info);
	CHECK(s == NULL);
	CHECK(info.kind == GF_CTX_KIND_RATE && info.number == 4 && info.other_number == 3);
	CHECK(strstr(info.message, "rate 4") != NULL && strstr(info.message, "rate 3") != NULL);
	CHECK(strstr(info.message, "192.0.2.0/24") != NULL);
}

static void
test_input(void)
{
	gf_ctx_builder *b;
	gf_ctx_build_info info;
	gf_ctx_network_in n;
	gf_ctx_device_in d;
	gf_ctx_interface_in i;
	gf_ctx_rate_in r;
	char	   *big;

	memset(&n, 0, sizeof(n));
	memset(&d, 0, sizeof(d));
	memset(&i, 0, sizeof(i));
	memset(&r, 0, sizeof(r));

#define REFUSE(add, entry, want_kind, want_number, text) \
	do { \
		b = gf_ctx_builder_new(0); \
		CHECK(!add(b, entry)); \
		CHECK(gf_ctx_build(b, 1, &info) == NULL); \
		CHECK(info.error == GF_CTX_ERR_INPUT); \
		CHECK(info.kind == (want_kind) && info.number == (want_number)); \
		CHECK(strstr(info.message, text) != NULL); \
	} while (0)

	n.net = A("10.0.0.0");
	n.prefix_len = 33;
	n.name = "x";
	REFUSE(gf_ctx_add_network, &n, GF_CTX_KIND_NETWORK, 1, "above 32");
	n.net = A("2001:db8::");
	n.prefix_len = 129;
	REFUSE(gf_ctx_add_network, &n, GF_CTX_KIND_NETWORK, 1, "above 128");
	n.prefix_len = 32;
	n.net.family = 5;
	REFUSE(gf_ctx_add_network, &n, GF_CTX_KIND_NETWORK, 1, "family 5");
	n.net = A("10.0.0.0");
	n.name = "";
	REFUSE(gf_ctx_add_network, &n, GF_CTX_KIND_NETWORK, 1, "no name");
	n.name = NULL;
	REFUSE(gf_ctx_add_network, &n, GF_CTX_KIND_NETWORK, 1, "no name");
	n.name = "x";
	n.exporter.family = 9;
	REFUSE(gf_ctx_add_network, &n, GF_CTX_KIND_NETWORK, 1, "exporter");
	n.exporter.family = 0;
	n.context.blob_len = 4;
	REFUSE(gf_ctx_add_network, &n, GF_CTX_KIND_NETWORK, 1, "no data");
	n.context.blob_len = 0;
	REFUSE(gf_ctx_add_network, (const gf_ctx_network_in *) NULL, GF_CTX_KIND_NETWORK, 1, "no entry");

	REFUSE(gf_ctx_add_device, &d, GF_CTX_KIND_DEVICE, 1, "exporter");
	d.exporter = A("192.0.2.1");
	i.exporter = A("192.0.2.1");
	i.boundary = (gf_boundary) 3;
	REFUSE(gf_ctx_add_interface, &i, GF_CTX_KIND_INTERFACE, 1, "boundary 3");
	i.boundary = GF_BOUNDARY_UNKNOWN;
	r.exporter = A("192.0.2.1");
	r.exporter_len = 32;
	REFUSE(gf_ctx_add_rate, &r, GF_CTX_KIND_RATE, 1, "rate 0");
	r.rate = 1;
	r.exporter_len = 40;
	REFUSE(gf_ctx_add_rate, &r, GF_CTX_KIND_RATE, 1, "above 32");
	r.exporter_len = 32;

	/* the entry's number: two good ones first; later adds are refused too */
	b = gf_ctx_builder_new(0);
	CHECK(gf_ctx_add_device(b, &d));
	d.exporter = A("192.0.2.2");
	CHECK(gf_ctx_add_device(b, &d));
	d.exporter.family = 0;
	CHECK(!gf_ctx_add_device(b, &d));
	d.exporter = A("192.0.2.3");
	CHECK(!gf_ctx_add_device(b, &d));
	CHECK(!gf_ctx_add_rate(b, &r));
	CHECK(gf_ctx_build(b, 1, &info) == NULL);
	CHECK(info.error == GF_CTX_ERR_INPUT && info.kind == GF_CTX_KIND_DEVICE && info.number == 3);
	CHECK(strstr(info.message, "device 3") != NULL);

	/* strings: GF_CTX_MAX_STRING bytes pass, one more is refused */
	big = malloc(GF_CTX_MAX_STRING + 2);
	memset(big, 'a', GF_CTX_MAX_STRING + 1);
	big[GF_CTX_MAX_STRING + 1] = '\0';
	b = gf_ctx_builder_new(0);
	d.site = big + 1;
	CHECK(gf_ctx_add_device(b, &d));
	d.exporter = A("192.0.2.4");
	d.site = big;
	CHECK(!gf_ctx_add_device(b, &d));
	CHECK(gf_ctx_build(b, 1, &info) == NULL);
	CHECK(info.error == GF_CTX_ERR_INPUT && info.number == 2);
	CHECK(strstr(info.message, "site longer") != NULL);
	d.site = NULL;
	free(big);

	/* a NULL builder (out of memory) is reported by the build */
	CHECK(gf_ctx_build(NULL, 1, &info) == NULL);
	CHECK(info.error == GF_CTX_ERR_NO_MEMORY);
	CHECK(!gf_ctx_add_device(NULL, &d));
	gf_ctx_builder_free(NULL);

	/* strings are copied when added: the caller's buffer may change */
	{
		char		buf[16];
		gf_ctx_snapshot *s;
		gf_ctx_device dv;

		b = gf_ctx_builder_new(0);
		strcpy(buf, "first");
		d.name = buf;
		d.exporter = A("192.0.2.1");
		CHECK(gf_ctx_add_device(b, &d));
		strcpy(buf, "second");
		d.exporter = A("192.0.2.2");
		CHECK(gf_ctx_add_device(b, &d));
		strcpy(buf, "gone");
		s = gf_ctx_build(b, 1, &info);
		CHECK(s != NULL);
		CHECK(gf_ctx_get_device(s, 1, &dv));
		CHECK_STR(dv.name, "first");
		CHECK(gf_ctx_get_device(s, 2, &dv));
		CHECK_STR(dv.name, "second");
		free(s);
		d.name = NULL;
	}

	/* a builder freed unbuilt */
	b = gf_ctx_builder_new(0);
	CHECK(gf_ctx_add_device(b, &d));
	gf_ctx_builder_free(b);
#undef REFUSE
}

static void
test_limits(void)
{
	gf_ctx_build_info info;
	gf_ctx_build_info edge;
	gf_ctx_snapshot *s;
	gf_ctx_builder *b;

	hand_input();
	s = build(&hand, 0, 3, &info);
	CHECK(s != NULL);
	free(s);
	/* exactly the peak it reported suffices; a byte less does not */
	s = build(&hand, info.peak_bytes, 3, &edge);
	CHECK(s != NULL);
	CHECK_EQ_U64(edge.bytes, info.bytes);
	free(s);
	s = build(&hand, info.peak_bytes - 1, 3, &edge);
	CHECK(s == NULL);
	CHECK(edge.error == GF_CTX_ERR_LIMIT);
	CHECK(strstr(edge.message, "limit") != NULL);

	/* a limit below the builder itself */
	b = gf_ctx_builder_new(100);
	CHECK(b != NULL);
	CHECK(!gf_ctx_add_device(b, &hand_devs[0]));
	CHECK(gf_ctx_build(b, 1, &edge) == NULL);
	CHECK(edge.error == GF_CTX_ERR_LIMIT);
}

static void
test_empty(void)
{
	gf_ctx_build_info info;
	gf_ctx_snapshot *s = gf_ctx_build(gf_ctx_builder_new(0), 5, &info);
	gf_flow		f = flow("192.0.2.1", "10.0.0.1", "2001:db8::1");

	CHECK(s != NULL);
	CHECK(info.error == GF_CTX_OK);
	CHECK(gf_ctx_valid(s, gf_ctx_bytes(s), 5));
	CHECK_EQ_U64(gf_ctx_network_count(s) + gf_ctx_device_count(s) +
				 gf_ctx_interface_count(s) + gf_ctx_rate_count(s), 0);
	GF_SET(&f, in_if, GF_F_IN_IF, 1);
	f.ctx_src_network = 9;
	gf_ctx_enrich(s, &f);
	CHECK(f.ctx_src_network == 0 && f.ctx_dst_network == 0 && f.ctx_device == 0 &&
		  f.ctx_in_if == 0 && !GF_HAS(&f, GF_F_SAMPLING_RATE));
	f.ctx_dst_network = 9;
	gf_ctx_enrich_many(s, &f, 1);
	CHECK(f.ctx_dst_network == 0);
	gf_ctx_enrich_many(s, &f, 0);
	free(s);
}

static void
test_valid(void)
{
	gf_ctx_build_info info;
	gf_ctx_snapshot *s;
	size_t		len;
	uint8_t    *c;
	size_t		off;
	int			rejected = 0;
	int			tried = 0;

	hand_input();
	s = build(&hand, 0, 42, &info);
	CHECK(s != NULL);
	if (s == NULL)
		return;
	len = gf_ctx_bytes(s);
	CHECK(gf_ctx_valid(s, len, 42));
	CHECK(!gf_ctx_valid(s, len, 41));
	CHECK(!gf_ctx_valid(s, len - 1, 42));
	CHECK(!gf_ctx_valid(s, len + 8, 42));
	CHECK(!gf_ctx_valid(s, 16, 42));
	CHECK(!gf_ctx_valid(NULL, len, 42));
	test_hand_views(s);

	/*
	 * Flip bits of the header.  Its first 72 bytes (magic, version,
	 * generation, length, counts and hash sizes, the overlay's base
	 * network and stale counts) are each checked: every flip is refused,
	 * but for the base generation (bytes 56-63: any number may be an
	 * overlay's base; a pair checks it against the base it has).  The 15
	 * sections' (offset, size) pairs follow: the
	 * sections must tile the block in order, so a flip is refused unless
	 * it moves a size within its 8-byte padding (the prefix tables and
	 * strings have no count to agree with).
	 */
	c = malloc(len);
	for (off = 0; off < 72; off++)
	{
		int			bit;

		if (off >= 56 && off < 64)
			continue;
		for (bit = 0; bit < 8; bit++)
		{
			memcpy(c, s, len);
			c[off] ^= (uint8_t) (1 << bit);
			if (!gf_ctx_valid(c, len, 42))
				rejected++;
		}
	}
	CHECK_EQ_U64(rejected, 64 * 8);
	rejected = 0;
	for (off = 72; off < 72 + 16 * 15; off++)
	{
		int			bit;

		for (bit = 0; bit < 8; bit++)
		{
			memcpy(c, s, len);
			c[off] ^= (uint8_t) (1 << bit);
			tried++;
			if (!gf_ctx_valid(c, len, 42))
				rejected++;
		}
	}
	CHECK(rejected >= tried - 7 * 3);
	/* a truncated block: every length below is refused */
	for (off = 0; off < len; off += 1 + off / 3)
		CHECK(!gf_ctx_valid(s, off, 42));
	/* the strings end with a NUL: the last string added is interface 2's
	 * description (the rates carry none) */
	memcpy(c, s, len);
	CHECK(gf_ctx_valid(c, len, 42));
	{
		gf_ctx_interface i;
		uint8_t    *nul;

		CHECK(gf_ctx_get_interface(s, 2, &i));
		nul = c + (i.description - (const char *) s) + strlen(i.description);
		*nul = 'x';
		CHECK(!gf_ctx_valid(c, len, 42));
	}
	free(c);
	free(s);
}

int
main(void)
{
	gf_ctx_build_info info;
	gf_ctx_snapshot *s;

	test_boundary_name();
	hand_input();
	s = build(&hand, 0, 42, &info);
	CHECK(s != NULL);
	if (s == NULL)
		fprintf(stderr, "hand build: %s\n", info.message);
	else
	{
		CHECK(info.error == GF_CTX_OK);
		CHECK(info.message[0] == '\0');
		test_hand_views(s);
		test_hand_enrich(s);
		test_hand_oracle(s);
		free(s);
	}
	test_random();
	test_random_duplicates();
	test_duplicates();
	test_input();
	test_limits();
	test_empty();
	test_valid();
	free(hand.prep);
	UNIT_MAIN_END();
}
