/*
 * test_netflow_v9.c
 *    NetFlow v9 (RFC 3954) decoding against hand-built datagrams:
 *    templates (refresh, redefinition, limits), data sets that come before
 *    their template (kept, decoded later, expired, overflowing), sampling
 *    from options data (domain-wide and per sampler id) and where a rate
 *    came from, interface names from options data (Cisco's interface
 *    table: scopes, cleaning of the texts), times relative to
 *    sysUptime (wrap, after sysUptime, clock skew), the field mapping, and malformed sets and templates.
 *    Expected values are worked out by hand in the comments.
 */
#include "unit.h"
#include "nf_packet_builder.h"

#define CNT(d) gf_decoder_counters(d)
#define SECS 1700000000u
#define SECS_NS UINT64_C(1700000000000000000)

static pb	pkt;
static collect col;

/* The "basic" template: 45-byte records. */
static const uint16_t basic_fields[][2] = {
	{8, 4}, {12, 4}, {15, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1},
	{1, 4}, {2, 4}, {22, 4}, {21, 4}, {10, 2}, {14, 2}, {9, 1}, {13, 1},
	{16, 2}, {17, 2}
};
#define N_BASIC (sizeof(basic_fields) / sizeof(basic_fields[0]))

static void
add_template(pb *p, uint16_t id, const uint16_t (*fields)[2], int n)
{
	size_t		s = pb_set_begin(p, 0);
	int			i;

	pb_u16(p, id);
	pb_u16(p, n);
	for (i = 0; i < n; i++)
	{
		pb_u16(p, fields[i][0]);
		pb_u16(p, fields[i][1]);
	}
	pb_set_end(p, s);
}

static void
add_basic_template(pb *p, uint16_t id)
{
	add_template(p, id, basic_fields, N_BASIC);
}

static void
basic_record(pb *p, uint8_t host, uint32_t first, uint32_t last)
{
	pb_ip4(p, 10, 1, 0, host);
	pb_ip4(p, 10, 2, 0, 1);
	pb_ip4(p, 10, 3, 0, 1);
	pb_u16(p, 5000);
	pb_u16(p, 443);
	pb_u8(p, 17);
	pb_u8(p, 0);
	pb_u8(p, 0xb8);
	pb_u32(p, 3000);
	pb_u32(p, 3);
	pb_u32(p, first);
	pb_u32(p, last);
	pb_u16(p, 7);
	pb_u16(p, 8);
	pb_u8(p, 8);
	pb_u8(p, 32);
	pb_u16(p, 64512);
	pb_u16(p, 13335);
}

static void
add_basic_data(pb *p, uint16_t id, int n, uint32_t first, uint32_t last)
{
	size_t		s = pb_set_begin(p, id);
	int			i;

	for (i = 0; i < n; i++)
		basic_record(p, (uint8_t) (i + 1), first, last);
	pb_set_end(p, s);
}

static void
test_basic(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	const gf_flow *f;
	char		buf[64];
	size_t		s;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 3, 200000, SECS, 7, 33);
	add_basic_template(&pkt, 256);
	s = pb_set_begin(&pkt, 256);
	basic_record(&pkt, 1, 150000, 199000);
	basic_record(&pkt, 2, 150000, 199000);
	pb_zero(&pkt, 3);			/* padding, shorter than a record */
	pb_set_end(&pkt, s);

	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	f = &col.flows[0];
	CHECK_EQ_U64(f->type, GF_TYPE_NETFLOW_V9);
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "10.1.0.1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "10.2.0.1");
	CHECK_STR(gf_addr_format(&f->next_hop, buf, sizeof(buf)), "10.3.0.1");
	CHECK_STR(gf_addr_format(&f->sampler_address, buf, sizeof(buf)), "192.0.2.1");
	CHECK_EQ_U64(f->src_port, 5000);
	CHECK_EQ_U64(f->dst_port, 443);
	CHECK_EQ_U64(f->proto, 17);
	CHECK(GF_HAS(f, GF_F_TCP_FLAGS));
	CHECK_EQ_U64(f->tcp_flags, 0);
	CHECK_EQ_U64(f->ip_tos, 0xb8);
	CHECK_EQ_U64(f->bytes, 3000);
	CHECK_EQ_U64(f->packets, 3);
	/* 1700000000 s - (200000 - 150000) ms */
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999950000000000));
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999999000000000));
	CHECK_EQ_U64(f->in_if, 7);
	CHECK_EQ_U64(f->out_if, 8);
	CHECK_EQ_U64(f->src_net_len, 8);
	CHECK_EQ_U64(f->dst_net_len, 32);
	CHECK_EQ_U64(f->src_as, 64512);
	CHECK_EQ_U64(f->dst_as, 13335);
	CHECK_EQ_U64(f->etype, 0x0800);	/* from the address family */
	CHECK_EQ_U64(f->observation_domain_id, 33);
	CHECK(GF_HAS(f, GF_F_OBSERVATION_DOMAIN_ID));
	CHECK_EQ_U64(f->sequence_num, 7);
	CHECK(!GF_HAS(f, GF_F_SAMPLING_RATE));
	CHECK_STR(gf_addr_format(&col.flows[1].src_addr, buf, sizeof(buf)), "10.1.0.2");
	CHECK_EQ_U64(CNT(d)->nf_templates_added, 1);
	CHECK_EQ_U64(CNT(d)->packets_netflow_v9, 1);
	CHECK_EQ_U64(CNT(d)->flows, 2);

	/* The same template again is a refresh, not an addition. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 8, 33);
	add_basic_template(&pkt, 256);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_templates_added, 1);

	/* A redefinition replaces the layout: now 8-byte records. */
	{
		static const uint16_t two[][2] = {{8, 4}, {12, 4}};

		pb_reset(&pkt);
		pb_v9_header(&pkt, 2, 200000, SECS, 9, 33);
		add_template(&pkt, 256, two, 2);
		s = pb_set_begin(&pkt, 256);
		pb_ip4(&pkt, 1, 2, 3, 4);
		pb_ip4(&pkt, 5, 6, 7, 8);
		pb_set_end(&pkt, s);
		CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
		CHECK_EQ_U64(CNT(d)->nf_templates_added, 2);
		CHECK_EQ_U64(col.n, 1);
		CHECK_STR(gf_addr_format(&col.flows[0].dst_addr, buf, sizeof(buf)), "5.6.7.8");
		CHECK(!GF_HAS(&col.flows[0], GF_F_BYTES));
		/* No time fields: both ends are the export time. */
		CHECK_EQ_U64(col.flows[0].time_flow_start_ns, SECS_NS);
		CHECK_EQ_U64(col.flows[0].time_flow_end_ns, SECS_NS);
	}

	/* The same id from another source id is another template. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 10, 34);
	add_basic_data(&pkt, 256, 1, 1, 1);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 1);
	gf_decoder_free(d);
}

static void
test_pending(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	uint64_t	t0 = TEST_TIME_RECEIVED_NS;

	/* Data before template, from exporter .1 and from exporter .2 */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 70, 1);
	add_basic_data(&pkt, 300, 2, 150000, 199000);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, t0, &col, &err), GF_OK);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 2, t0, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 2);

	/* The template comes later in a message with another header. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 999999, SECS + 100, 71, 1);
	add_basic_template(&pkt, 300);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, t0 + UINT64_C(1000000000), &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_decoded, 1);
	/* The kept header's times and sequence are used, not the new ones. */
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(1699999950000000000));
	CHECK_EQ_U64(col.flows[0].sequence_num, 70);
	CHECK_EQ_U64(col.flows[0].time_received_ns, t0);

	/* Exporter .2's set still waits; it expires. */
	gf_decoder_expire(d, t0 + UINT64_C(59000000000));
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_expired, 0);
	gf_decoder_expire(d, t0 + UINT64_C(61000000000));
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_expired, 1);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 2, t0 + UINT64_C(62000000000), &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);

	/* A set older than the age limit when its template comes is dropped. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 72, 1);
	add_basic_data(&pkt, 301, 1, 1, 1);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, t0, &col, &err), GF_OK);
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 73, 1);
	add_basic_template(&pkt, 301);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, t0 + UINT64_C(61000000000), &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_expired, 2);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_decoded, 1);
	gf_decoder_free(d);
}

static void
test_pending_overflow(void)
{
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_error	err;

	/* One 4-record set (180 bytes + bookkeeping) fits in 300, two do not. */
	lim.pending_bytes_per_exporter = 300;
	d = gf_decoder_new(&lim);
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 1, 1);
	add_basic_data(&pkt, 400, 4, 1, 1);
	add_basic_data(&pkt, 400, 4, 1, 1);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 1);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_overflow, 1);
	/* Another exporter has its own budget. */
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 3, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 2);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_overflow, 2);

	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 2, 1);
	add_basic_template(&pkt, 400);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 4);

	/*
	 * Exporter .3's buffer is still full, with a set 61 s old: a new set
	 * makes room by dropping it (expired), without gf_decoder_expire.
	 */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 3, 1);
	add_basic_data(&pkt, 401, 4, 1, 1);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 3, TEST_TIME_RECEIVED_NS + UINT64_C(61000000000),
								&col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_expired, 1);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 3);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_overflow, 2);
	gf_decoder_free(d);
}

/* Options template 257: scope System(4), options 34 (4) and 35 (1). */
static void
add_sampling_options(pb *p, uint32_t interval)
{
	size_t		s = pb_set_begin(p, 1);

	pb_u16(p, 257);
	pb_u16(p, 4);				/* scope length, bytes */
	pb_u16(p, 8);				/* option length, bytes */
	pb_u16(p, 1);				/* scope type System */
	pb_u16(p, 4);
	pb_u16(p, 34);
	pb_u16(p, 4);
	pb_u16(p, 35);
	pb_u16(p, 1);
	pb_zero(p, 2);				/* padding */
	pb_set_end(p, s);
	s = pb_set_begin(p, 257);
	pb_u32(p, 0xffffffff);		/* would be IE 1 bytes if scope were mapped */
	pb_u32(p, interval);
	pb_u8(p, 2);
	pb_zero(p, 3);
	pb_set_end(p, s);
}

/* Options template 258: scope System(4), options 48 (1) and 50 (4). */
static void
add_sampler_options(pb *p)
{
	size_t		s = pb_set_begin(p, 1);

	pb_u16(p, 258);
	pb_u16(p, 4);
	pb_u16(p, 8);
	pb_u16(p, 1);
	pb_u16(p, 4);
	pb_u16(p, 48);
	pb_u16(p, 1);
	pb_u16(p, 50);
	pb_u16(p, 4);
	pb_set_end(p, s);
	s = pb_set_begin(p, 258);
	pb_u32(p, 0);
	pb_u8(p, 1);
	pb_u32(p, 10);
	pb_u32(p, 0);
	pb_u8(p, 2);
	pb_u32(p, 20);
	pb_zero(p, 2);
	pb_set_end(p, s);
}

static void
test_sampling(void)
{
	static const uint16_t with_sampler[][2] = {{8, 4}, {12, 4}, {48, 1}};
	static const uint16_t with_rate[][2] = {{8, 4}, {34, 4}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	/* Per sampler id first, no domain-wide rate yet. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 4, 200000, SECS, 1, 5);
	add_sampler_options(&pkt);
	add_template(&pkt, 259, with_sampler, 3);
	s = pb_set_begin(&pkt, 259);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_ip4(&pkt, 2, 2, 2, 2);
	pb_u8(&pkt, 2);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_ip4(&pkt, 2, 2, 2, 2);
	pb_u8(&pkt, 1);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_ip4(&pkt, 2, 2, 2, 2);
	pb_u8(&pkt, 7);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 2);
	CHECK_EQ_U64(CNT(d)->nf_sampling_updates, 2);
	CHECK_EQ_U64(col.n, 3);
	CHECK_EQ_U64(col.flows[0].sampling_rate, 20);
	CHECK_EQ_U64(col.flows[1].sampling_rate, 10);
	CHECK(!GF_HAS(&col.flows[2], GF_F_SAMPLING_RATE));	/* sampler 7 unknown */
	/* Rates by sampler id come from options data. */
	CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_OPTIONS);
	CHECK_EQ_U64(col.flows[1].sampling_rate_source, GF_RATE_OPTIONS);
	CHECK_EQ_U64(col.flows[2].sampling_rate_source, GF_RATE_NONE);

	/* A domain-wide rate (34) now applies to unknown samplers and plain records. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 4, 200000, SECS, 2, 5);
	add_sampling_options(&pkt, 100);
	add_basic_template(&pkt, 256);
	add_basic_data(&pkt, 256, 1, 1, 1);
	s = pb_set_begin(&pkt, 259);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_ip4(&pkt, 2, 2, 2, 2);
	pb_u8(&pkt, 7);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_ip4(&pkt, 2, 2, 2, 2);
	pb_u8(&pkt, 1);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 3);
	CHECK_EQ_U64(col.n, 3);
	CHECK_EQ_U64(col.flows[0].sampling_rate, 100);
	CHECK_EQ_U64(col.flows[1].sampling_rate, 100);
	CHECK_EQ_U64(col.flows[2].sampling_rate, 10);
	CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_OPTIONS);
	CHECK_EQ_U64(col.flows[1].sampling_rate_source, GF_RATE_OPTIONS);
	CHECK_EQ_U64(col.flows[2].sampling_rate_source, GF_RATE_OPTIONS);
	/* The scope value 0xffffffff did not leak in as a byte count. */
	CHECK_EQ_U64(col.flows[0].bytes, 3000);

	/* A record that states its own rate uses it. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 3, 5);
	add_template(&pkt, 260, with_rate, 2);
	s = pb_set_begin(&pkt, 260);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_u32(&pkt, 512);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	/* Its own 512 wins over the domain's 100 from options data. */
	CHECK_EQ_U64(col.flows[0].sampling_rate, 512);
	CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_RECORD);

	/* Rates are per source id: domain 6 knows nothing. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 4, 6);
	add_basic_template(&pkt, 256);
	add_basic_data(&pkt, 256, 1, 1, 1);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK(!GF_HAS(&col.flows[0], GF_F_SAMPLING_RATE));
	CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_NONE);
	gf_decoder_free(d);
}

static void
test_exporter_bounds(void)
{
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_error	err;

	/* Room for one exporter holding state, with one sampling entry. */
	lim.max_exporters = 1;
	lim.max_sampling_per_exporter = 1;
	d = gf_decoder_new(&lim);
	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 1, 5);
	add_sampling_options(&pkt, 100);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_sampling_updates, 1);
	/* Same exporter, another source id: a second entry, refused. */
	pkt.b[19] = 6;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 2);
	CHECK_EQ_U64(CNT(d)->nf_sampling_updates, 1);
	CHECK_EQ_U64(CNT(d)->nf_sampling_refused, 1);
	/* The first one is still there. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 2, 5);
	add_basic_template(&pkt, 256);
	add_basic_data(&pkt, 256, 1, 1, 1);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].sampling_rate, 100);

	/* Pending sets: exporter .1 fits, exporter .2 does not. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 200000, SECS, 3, 5);
	add_basic_data(&pkt, 500, 1, 1, 1);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 2, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 1);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_overflow, 1);
	gf_decoder_free(d);
}

static void
test_uptime_wrap(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 5000, SECS, 1, 1);
	add_basic_template(&pkt, 256);
	/* First 4096 ms before the wrap, Last 1000 ms after it. */
	add_basic_data(&pkt, 256, 1, 4294963200u, 1000);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	/* (5000 - 4294963200) mod 2^32 = 9096 ms before export */
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(1699999990904000000));
	/* 5000 - 1000 = 4000 ms before export */
	CHECK_EQ_U64(col.flows[0].time_flow_end_ns, UINT64_C(1699999996000000000));
	gf_decoder_free(d);
}

static void
test_field_variety(void)
{
	static const uint16_t v6[][2] = {
		{27, 16}, {28, 16}, {62, 16}, {63, 16}, {31, 4}, {139, 2},
		{23, 8}, {24, 2}, {57, 6}, {81, 6}, {70, 3}, {71, 3}, {72, 3}, {73, 3}, {58, 2},
		{59, 2}, {243, 2}, {89, 1}, {192, 1}, {197, 1}, {54, 4}, {88, 2},
		{128, 4}, {138, 4}, {29, 1}, {30, 1}, {999, 3}
	};
	static const uint16_t odd[][2] = {
		{8, 2}, {12, 4}, {1, 2}, {2, 8}, {32, 2}, {1, 8}
	};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	const gf_flow *f;
	char		buf[64];
	uint8_t		a6[16];
	int			i;
	size_t		s;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 1, 1);
	add_template(&pkt, 256, v6, sizeof(v6) / sizeof(v6[0]));
	s = pb_set_begin(&pkt, 256);
	for (i = 0; i < 4; i++)
	{
		memset(a6, 0, 16);
		a6[0] = 0x20;
		a6[1] = 0x01;
		a6[2] = 0x0d;
		a6[3] = 0xb8;
		a6[15] = (uint8_t) (i + 1);
		pb_bytes(&pkt, a6, 16);
	}
	pb_u32(&pkt, 0x12345);		/* flow label */
	pb_u16(&pkt, 0x8000);		/* ICMPv6 echo request: type 128 code 0 */
	pb_u64(&pkt, UINT64_C(5000000000));	/* OUT_BYTES, 8 bytes */
	pb_u16(&pkt, 77);			/* OUT_PKTS, 2 bytes */
	pb_bytes(&pkt, "\x02\x00\x00\x00\x00\x57", 6);	/* OUT_DST_MAC */
	pb_bytes(&pkt, "\x02\x00\x00\x00\x00\x81", 6);	/* OUT_SRC_MAC */
	pb_u24(&pkt, 0x003e80);		/* label 1000, TC 0, S 0 */
	pb_u24(&pkt, 0x007d01);		/* label 2000, bottom of stack */
	pb_u24(&pkt, 0x00bb81);		/* after the bottom: not a label */
	pb_u24(&pkt, 0);			/* unused entry */
	pb_u16(&pkt, 100);
	pb_u16(&pkt, 200);
	pb_u16(&pkt, 300);
	pb_u8(&pkt, 0x40);			/* forwarded */
	pb_u8(&pkt, 63);
	pb_u8(&pkt, 2);				/* DF */
	pb_u32(&pkt, 0xabcd);
	pb_u16(&pkt, 185);
	pb_u32(&pkt, 4200000000u);
	pb_u32(&pkt, 9);
	pb_u8(&pkt, 48);
	pb_u8(&pkt, 64);
	pb_u24(&pkt, 0xffffff);		/* unknown IE 999 */
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	f = &col.flows[0];
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "2001:db8::1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "2001:db8::2");
	CHECK_STR(gf_addr_format(&f->next_hop, buf, sizeof(buf)), "2001:db8::3");
	CHECK_STR(gf_addr_format(&f->bgp_next_hop, buf, sizeof(buf)), "2001:db8::4");
	CHECK_EQ_U64(f->etype, 0x86dd);
	CHECK_EQ_U64(f->ipv6_flow_label, 0x12345);
	CHECK_EQ_U64(f->icmp_type, 128);
	CHECK_EQ_U64(f->icmp_code, 0);
	CHECK_EQ_U64(f->bytes, UINT64_C(5000000000));
	CHECK_EQ_U64(f->packets, 77);
	CHECK(GF_HAS(f, GF_F_DST_MAC) && f->dst_mac[5] == 0x57);
	CHECK(GF_HAS(f, GF_F_SRC_MAC) && f->src_mac[5] == 0x81);
	CHECK_EQ_U64(f->n_mpls, 2);
	CHECK_EQ_U64(f->mpls_label[0], 1000);
	CHECK_EQ_U64(f->mpls_label[1], 2000);
	CHECK_EQ_U64(f->src_vlan, 100);
	CHECK_EQ_U64(f->dst_vlan, 200);
	CHECK_EQ_U64(f->vlan_id, 300);
	CHECK_EQ_U64(f->forwarding_status, 0x40);
	CHECK_EQ_U64(f->ip_ttl, 63);
	CHECK_EQ_U64(f->ip_flags, 2);
	CHECK_EQ_U64(f->fragment_id, 0xabcd);
	CHECK_EQ_U64(f->fragment_offset, 185);
	CHECK_EQ_U64(f->next_hop_as, 4200000000u);
	CHECK_EQ_U64(f->observation_point_id, 9);
	CHECK_EQ_U64(f->src_net_len, 48);
	CHECK_EQ_U64(f->dst_net_len, 64);
	CHECK_EQ_U64(f->time_flow_start_ns, SECS_NS);
	CHECK_EQ_U64(f->time_flow_end_ns, SECS_NS);

	/* Odd widths: a 2-byte "address" is skipped; ints of any width. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 1, 1);
	add_template(&pkt, 257, odd, 6);
	s = pb_set_begin(&pkt, 257);
	pb_u16(&pkt, 0x0a00);
	pb_ip4(&pkt, 10, 9, 8, 7);
	pb_u16(&pkt, 1234);			/* bytes, 2 bytes wide */
	pb_u64(&pkt, UINT64_C(0x100000000));	/* packets, 8 bytes wide */
	pb_u16(&pkt, 0x0303);		/* ICMP port unreachable */
	pb_u64(&pkt, 99);			/* a second IE 1: the later one wins */
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	f = &col.flows[0];
	CHECK_EQ_U64(f->src_addr.family, 0);
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "10.9.8.7");
	CHECK_EQ_U64(f->etype, 0x0800);	/* from the destination */
	CHECK_EQ_U64(f->bytes, 99);
	CHECK_EQ_U64(f->packets, UINT64_C(0x100000000));
	CHECK_EQ_U64(f->icmp_type, 3);
	CHECK_EQ_U64(f->icmp_code, 3);
	gf_decoder_free(d);
}

static void
test_malformed(void)
{
	static const uint16_t zero_len[][2] = {{8, 0}, {12, 0}};
	static const uint16_t five[][2] = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}};
	static const uint16_t four[][2] = {{8, 4}, {12, 4}, {7, 2}, {11, 2}};
	gf_limits	lim = {0};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	/* Truncated header. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 0, 1, SECS, 1, 1);
	pkt.n = 15;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);

	/* Set length 0: an error, not an endless loop. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 1, SECS, 1, 1);
	pb_u16(&pkt, 256);
	pb_u16(&pkt, 0);
	pb_zero(&pkt, 8);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(err.offset, 22);
	CHECK(strstr(err.msg, "length 0") != NULL);

	/* Set length 2. */
	pkt.b[23] = 2;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);

	/* Set length past the end. */
	pkt.b[23] = 13;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	CHECK(strstr(err.msg, "past the end") != NULL);

	/* Template with no fields. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 1, SECS, 1, 1);
	add_template(&pkt, 256, NULL, 0);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TEMPLATE);
	CHECK(strstr(err.msg, "no fields") != NULL);
	CHECK_EQ_U64(CNT(d)->nf_templates_rejected, 1);

	/* Template whose records would be 0 bytes long. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 1, SECS, 1, 1);
	add_template(&pkt, 256, zero_len, 2);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TEMPLATE);
	CHECK_EQ_U64(CNT(d)->nf_templates_rejected, 2);

	/* Field count far beyond the set. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 1, SECS, 1, 1);
	add_template(&pkt, 256, four, 4);
	pkt.b[20 + 4 + 2] = 0x03;	/* count 0x0304 = 772 */
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	CHECK(strstr(err.msg, "of 772") != NULL);

	/* Reserved template id. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 1, SECS, 1, 1);
	add_template(&pkt, 5, four, 4);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TEMPLATE);

	/* Options template whose scope length is not a multiple of 4. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 1, SECS, 1, 1);
	s = pb_set_begin(&pkt, 1);
	pb_u16(&pkt, 260);
	pb_u16(&pkt, 3);
	pb_u16(&pkt, 4);
	pb_u16(&pkt, 34);
	pb_u16(&pkt, 4);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TEMPLATE);

	/* None of these left a template behind. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 1, SECS, 1, 1);
	add_basic_data(&pkt, 256, 1, 1, 1);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);

	/* Informational count wrong, reserved set id, 2 trailing bytes: fine. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 99, 1, SECS, 1, 1);
	s = pb_set_begin(&pkt, 100);
	pb_u32(&pkt, 0);
	pb_set_end(&pkt, s);
	add_template(&pkt, 256, four, 4);
	s = pb_set_begin(&pkt, 256);
	pb_zero(&pkt, 11);			/* shorter than one 12-byte record */
	pb_set_end(&pkt, s);
	pb_zero(&pkt, 2);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	/*
	 * The kept 45-byte set above is decoded against this 12-byte layout:
	 * 3 records and 9 bytes of padding; the 11-byte set yields none.
	 */
	CHECK_EQ_U64(col.n, 3);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_decoded, 1);
	gf_decoder_free(d);

	/* Over max_template_fields: refused and counted, the rest decoded. */
	lim.max_template_fields = 4;
	lim.max_templates = 2;
	d = gf_decoder_new(&lim);
	pb_reset(&pkt);
	pb_v9_header(&pkt, 3, 1, SECS, 1, 1);
	add_template(&pkt, 256, five, 5);
	add_template(&pkt, 257, four, 4);
	s = pb_set_begin(&pkt, 257);
	pb_zero(&pkt, 12);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LIMIT);
	CHECK(strstr(err.msg, "max_template_fields") != NULL);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(CNT(d)->nf_templates_rejected, 1);

	/*
	 * Over max_templates (2): a new template evicts the least recently
	 * used one (257 was used by data, so 258 goes when 259 comes); a
	 * redefinition evicts nothing.
	 */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 3, 1, SECS, 1, 1);
	add_template(&pkt, 258, four, 4);
	s = pb_set_begin(&pkt, 257);
	pb_zero(&pkt, 12);
	pb_set_end(&pkt, s);
	add_template(&pkt, 259, four, 4);
	add_template(&pkt, 257, five + 1, 4);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_templates_rejected, 1);
	CHECK_EQ_U64(CNT(d)->nf_templates_evicted, 1);
	CHECK_EQ_U64(CNT(d)->nf_templates_added, 4);
	pb_reset(&pkt);
	pb_v9_header(&pkt, 3, 1, SECS, 2, 1);
	s = pb_set_begin(&pkt, 258);
	pb_zero(&pkt, 12);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 259);
	pb_zero(&pkt, 12);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);		/* 259 decodes; 258's set waits */
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 1);
	gf_decoder_free(d);
}

/*
 * FIRST/LAST after the header's sysUptime (signed 32-bit difference), and
 * the clock-skew rule: more than 1 s after the export time is clamped to
 * it and counted once per flow.  The FortiGate case: FIRST about 7 days
 * after sysUptime, which the unsigned reading stored 42.7 days back.
 */
static void
test_after_uptime_and_skew(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 6, 5000, SECS, 1, 1);
	add_basic_template(&pkt, 256);
	/* 400 ms and 900 ms after the export: kept */
	add_basic_data(&pkt, 256, 1, 5400, 5900);
	/* two FortiGate-like flows: 604800000 ms (7 days) after sysUptime */
	add_basic_data(&pkt, 256, 2, 604805000u, 604865000u);
	/* FIRST 1 s before, LAST 1001 ms after the export */
	add_basic_data(&pkt, 256, 1, 4000, 6001);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 4);
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(1700000000400000000));
	CHECK_EQ_U64(col.flows[0].time_flow_end_ns, UINT64_C(1700000000900000000));
	CHECK_EQ_U64(col.flows[1].time_flow_start_ns, SECS_NS);
	CHECK_EQ_U64(col.flows[1].time_flow_end_ns, SECS_NS);
	CHECK_EQ_U64(col.flows[2].time_flow_start_ns, SECS_NS);
	CHECK_EQ_U64(col.flows[2].time_flow_end_ns, SECS_NS);
	CHECK_EQ_U64(col.flows[3].time_flow_start_ns, UINT64_C(1699999999000000000));
	CHECK_EQ_U64(col.flows[3].time_flow_end_ns, SECS_NS);
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 3);

	/* sysUptime 100 ms after a wrap; FIRST 296 ms before it, LAST 300 */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 100, SECS, 2, 1);
	add_basic_data(&pkt, 256, 1, 4294967000u, 300);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	/* (100 - 4294967000) mod 2^32 = 396 ms before export */
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(1699999999604000000));
	/* 100 - 300 = -200 ms: 200 ms after, within the tolerance */
	CHECK_EQ_U64(col.flows[0].time_flow_end_ns, UINT64_C(1700000000200000000));
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 3);

	/* An export time of 0 (none given): nothing is judged as skew. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 5000, 0, 3, 1);
	add_basic_data(&pkt, 256, 1, 9000, 9000);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(4000000000));
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 3);
	gf_decoder_free(d);
}

/*
 * A v9 options template: scope fields (type, length), then option fields.
 * Lengths in the header are in bytes, 4 per field.
 */
static void
add_v9_options_template(pb *p, uint16_t id, const uint16_t (*scope)[2],
						int n_scope, const uint16_t (*opts)[2], int n_opts)
{
	size_t		s = pb_set_begin(p, 1);
	int			i;

	pb_u16(p, id);
	pb_u16(p, 4 * n_scope);
	pb_u16(p, 4 * n_opts);
	for (i = 0; i < n_scope; i++)
	{
		pb_u16(p, scope[i][0]);
		pb_u16(p, scope[i][1]);
	}
	for (i = 0; i < n_opts; i++)
	{
		pb_u16(p, opts[i][0]);
		pb_u16(p, opts[i][1]);
	}
	pb_set_end(p, s);
}

/* One record of the IOS-XE style interface table below. */
static void
xe_if_record(pb *p, uint32_t if_index, const char *name, const char *descr)
{
	pb_ip4(p, 10, 33, 67, 189);	/* scope: system */
	pb_u32(p, if_index);
	pb_fixed_str(p, name, 33);
	pb_fixed_str(p, descr, 65);
	pb_u32(p, if_index);
}

/*
 * Cisco IOS-XE "option interface-table" as the telegraf capture has it:
 * scope System, then INPUT_SNMP, IF_NAME (33 bytes), IF_DESC (65 bytes),
 * OUTPUT_SNMP.
 */
static void
test_interfaces_xe(void)
{
	static const uint16_t scope[][2] = {{1, 4}};
	static const uint16_t opts[][2] = {{10, 4}, {82, 33}, {83, 65}, {14, 4}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	char		buf[64];
	size_t		s;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 3, 200000, SECS, 1, 77);
	add_v9_options_template(&pkt, 256, scope, 1, opts, 4);
	s = pb_set_begin(&pkt, 256);
	xe_if_record(&pkt, 1, "Te0/0/0", "TenGigabitEthernet0/0/0");
	xe_if_record(&pkt, 7, "Gi0", "GigabitEthernet0");
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);		/* options data is no flow */
	CHECK_EQ_U64(col.n_if, 2);
	CHECK_EQ_U64(col.n_if_bad, 0);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 2);
	CHECK_EQ_U64(CNT(d)->interface_records, 2);
	CHECK_EQ_U64(CNT(d)->nf_interface_unkeyed, 0);
	CHECK_EQ_U64(col.ifs[0].type, GF_TYPE_NETFLOW_V9);
	CHECK_STR(gf_addr_format(&col.ifs[0].exporter, buf, sizeof(buf)), "192.0.2.1");
	CHECK_EQ_U64(col.ifs[0].domain, 77);
	CHECK_EQ_U64(col.ifs[0].time_received_ns, TEST_TIME_RECEIVED_NS);
	CHECK_EQ_U64(col.ifs[0].if_index, 1);
	CHECK(col.ifs[0].has_name && col.ifs[0].has_description);
	CHECK_STR(col.ifs[0].name, "Te0/0/0");
	CHECK_STR(col.ifs[0].description, "TenGigabitEthernet0/0/0");
	CHECK(!col.ifs[0].has_speed);
	CHECK_EQ_U64(col.ifs[1].if_index, 7);
	CHECK_STR(col.ifs[1].name, "Gi0");
	CHECK_STR(col.ifs[1].description, "GigabitEthernet0");

	/* The same datagram to a sink without the callback: counted, no crash. */
	CHECK_EQ_U64(pb_decode(d, &pkt, NULL, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->interface_records, 4);
	gf_decoder_free(d);
}

/*
 * The v9 interface scope (type 2) keys the record; ingress / egress fields
 * that disagree with it, or no interface at all, leave the names unkeyed.
 */
static void
test_interfaces_scope(void)
{
	static const uint16_t if_scope[][2] = {{2, 4}};
	static const uint16_t name_only[][2] = {{82, 16}};
	static const uint16_t name_in[][2] = {{82, 16}, {10, 2}};
	static const uint16_t sys_scope[][2] = {{1, 4}};
	static const uint16_t descr_only[][2] = {{83, 16}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 4, 200000, SECS, 1, 5);
	add_v9_options_template(&pkt, 300, if_scope, 1, name_only, 1);
	add_v9_options_template(&pkt, 301, if_scope, 1, name_in, 2);
	add_v9_options_template(&pkt, 302, sys_scope, 1, descr_only, 1);
	s = pb_set_begin(&pkt, 300);
	pb_u32(&pkt, 4000000000u);	/* ifIndex above 2^31 */
	pb_fixed_str(&pkt, "ae0.100", 16);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 301);
	pb_u32(&pkt, 12);			/* scope 12, INPUT_SNMP 12: agreed */
	pb_fixed_str(&pkt, "xe-0/0/1", 16);
	pb_u16(&pkt, 12);
	pb_u32(&pkt, 12);			/* scope 12, INPUT_SNMP 13: whose name? */
	pb_fixed_str(&pkt, "xe-0/0/2", 16);
	pb_u16(&pkt, 13);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 302);
	pb_u32(&pkt, 0x0a000001);	/* system scope, no interface anywhere */
	pb_fixed_str(&pkt, "uplink", 16);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n_if, 2);
	CHECK_EQ_U64(col.n_if_bad, 0);
	CHECK_EQ_U64(col.ifs[0].if_index, 4000000000u);
	CHECK_STR(col.ifs[0].name, "ae0.100");
	CHECK(col.ifs[0].has_name && !col.ifs[0].has_description);
	CHECK_STR(col.ifs[0].description, "");
	CHECK_EQ_U64(col.ifs[1].if_index, 12);
	CHECK_STR(col.ifs[1].name, "xe-0/0/1");
	CHECK_EQ_U64(CNT(d)->nf_interface_unkeyed, 2);
	CHECK_EQ_U64(CNT(d)->interface_records, 2);
	gf_decoder_free(d);
}

/*
 * Texts are untrusted: cut at the first NUL and at the buffer (on a
 * character boundary), control bytes and bad UTF-8 replaced, trailing
 * spaces dropped, and a name that is only padding is no name.  Also an
 * options record that carries a sampling rate beside a name: both learnt.
 */
static void
test_interfaces_text(void)
{
	static const uint16_t scope[][2] = {{2, 2}};
	static const uint16_t opts[][2] = {{82, 80}, {83, 300}, {34, 4}};
	/* e t h ^A 0xff é x, then a 3-byte sequence missing its last byte */
	static const uint8_t bad[] = {'e', 't', 'h', 0x01, 0xff, 0xc3, 0xa9, 'x', 0xe2, 0x82};
	/* overlong '/', a surrogate, NEL (C1), DEL, then U+1F600 */
	static const uint8_t odd[] = {0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xc2, 0x85, 0x7f,
	0xf0, 0x9f, 0x98, 0x80};
	static const uint8_t mid_nul[] = {'a', 'b', 0, 'c', 'd'};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	char		longname[81];
	char		longdesc[301];
	char		want[256];
	uint8_t		accent[80];
	size_t		s;

	memset(longname, 'n', 80);
	longname[80] = 0;
	memset(longdesc, 'd', 300);
	longdesc[300] = 0;
	/* 62 'a' then 'é' (2 bytes): 64 bytes, one more than a name holds. */
	memset(accent, 'a', 62);
	accent[62] = 0xc3;
	accent[63] = 0xa9;

	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 1, 9);
	add_v9_options_template(&pkt, 310, scope, 1, opts, 3);
	s = pb_set_begin(&pkt, 310);
	/* 1: both over their buffers */
	pb_u16(&pkt, 1);
	pb_fixed_str(&pkt, longname, 80);
	pb_fixed_str(&pkt, longdesc, 300);
	pb_u32(&pkt, 0);
	/* 2: bad bytes; description with trailing spaces and padding */
	pb_u16(&pkt, 2);
	pb_fixed(&pkt, bad, sizeof(bad), 80);
	pb_fixed_str(&pkt, "  core link  ", 300);
	pb_u32(&pkt, 0);
	/* 3: odd but well-formed sequences; NUL in the middle */
	pb_u16(&pkt, 3);
	pb_fixed(&pkt, odd, sizeof(odd), 80);
	pb_fixed(&pkt, mid_nul, sizeof(mid_nul), 300);
	pb_u32(&pkt, 0);
	/* 4: a multi-byte character across the name's limit */
	pb_u16(&pkt, 4);
	pb_fixed(&pkt, accent, sizeof(accent), 80);
	pb_fixed_str(&pkt, "", 300);
	pb_u32(&pkt, 0);
	/* 5: only spaces and padding: nothing said, but its rate is learnt */
	pb_u16(&pkt, 5);
	pb_fixed_str(&pkt, "   ", 80);
	pb_fixed_str(&pkt, "", 300);
	pb_u32(&pkt, 64);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n_if, 4);
	CHECK_EQ_U64(col.n_if_bad, 0);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 5);
	CHECK_EQ_U64(CNT(d)->nf_sampling_updates, 1);

	memset(want, 'n', GF_IF_NAME_MAX - 1);
	want[GF_IF_NAME_MAX - 1] = 0;
	CHECK_EQ_U64(col.ifs[0].if_index, 1);
	CHECK_STR(col.ifs[0].name, want);
	memset(want, 'd', GF_IF_DESCRIPTION_MAX - 1);
	want[GF_IF_DESCRIPTION_MAX - 1] = 0;
	CHECK_STR(col.ifs[0].description, want);

	CHECK_EQ_U64(col.ifs[1].if_index, 2);
	CHECK_STR(col.ifs[1].name, "eth??\xc3\xa9x??");
	CHECK_STR(col.ifs[1].description, "  core link");

	CHECK_EQ_U64(col.ifs[2].if_index, 3);
	/* 2 + 3 bytes replaced one each, NEL and DEL one each, U+1F600 kept */
	CHECK_STR(col.ifs[2].name, "???????\xf0\x9f\x98\x80");
	CHECK_STR(col.ifs[2].description, "ab");

	memset(want, 'a', 62);
	want[62] = 0;
	CHECK_EQ_U64(col.ifs[3].if_index, 4);
	CHECK_STR(col.ifs[3].name, want);
	CHECK(!col.ifs[3].has_description);

	/* Record 5's rate reached the domain: a data record now gets it. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 2, 9);
	add_basic_template(&pkt, 256);
	add_basic_data(&pkt, 256, 1, 1, 1);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].sampling_rate, 64);
	CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_OPTIONS);
	CHECK_EQ_U64(col.n_if, 0);
	gf_decoder_free(d);
}

int
main(void)
{
	test_basic();
	test_pending();
	test_pending_overflow();
	test_sampling();
	test_exporter_bounds();
	test_uptime_wrap();
	test_field_variety();
	test_malformed();
	test_after_uptime_and_skew();
	test_interfaces_xe();
	test_interfaces_scope();
	test_interfaces_text();
	UNIT_MAIN_END();
}
