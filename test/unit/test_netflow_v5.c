/*
 * test_netflow_v5.c
 *    NetFlow v5 decoding against hand-built datagrams: every field of a
 *    record, times across an uptime wrap, First/Last after sysUptime (signed
 *    difference, clock-skew clamping and counting), sampling, and malformed
 *    headers and counts.  Expected values are worked out by hand in the comments.
 */
#include "unit.h"
#include "nf_packet_builder.h"

static pb	pkt;
static collect col;

static void
v5_header(pb *p, uint16_t count, uint32_t uptime, uint32_t secs,
		  uint32_t nsecs, uint32_t seq, uint16_t sampling)
{
	pb_u16(p, 5);
	pb_u16(p, count);
	pb_u32(p, uptime);
	pb_u32(p, secs);
	pb_u32(p, nsecs);
	pb_u32(p, seq);
	pb_u8(p, 1);				/* engine_type */
	pb_u8(p, 2);				/* engine_id */
	pb_u16(p, sampling);
}

static void
v5_record(pb *p, uint8_t host, uint32_t first, uint32_t last)
{
	pb_ip4(p, 10, 0, 0, host);	/* srcaddr */
	pb_ip4(p, 10, 0, 1, 2);		/* dstaddr */
	pb_ip4(p, 10, 0, 0, 254);	/* nexthop */
	pb_u16(p, 3);				/* input */
	pb_u16(p, 4);				/* output */
	pb_u32(p, 10);				/* dPkts */
	pb_u32(p, 1500);			/* dOctets */
	pb_u32(p, first);
	pb_u32(p, last);
	pb_u16(p, 1234);			/* srcport */
	pb_u16(p, 80);				/* dstport */
	pb_u8(p, 0);				/* pad1 */
	pb_u8(p, 0x1b);				/* tcp_flags */
	pb_u8(p, 6);				/* prot */
	pb_u8(p, 0x10);				/* tos */
	pb_u16(p, 65001);			/* src_as */
	pb_u16(p, 65002);			/* dst_as */
	pb_u8(p, 24);				/* src_mask */
	pb_u8(p, 16);				/* dst_mask */
	pb_u16(p, 0);				/* pad2 */
}

static void
test_two_records(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	const gf_flow *f;
	char		buf[64];

	pb_reset(&pkt);
	/* export time 1700000000.5 s; uptime 100 s; mode 1, interval 100 */
	v5_header(&pkt, 2, 100000, 1700000000, 500000000, 42, 0x4000 | 100);
	v5_record(&pkt, 1, 90000, 99000);
	/* First is 1000 ms before the uptime counter wrapped */
	v5_record(&pkt, 9, 4294966296u, 100000);
	CHECK_EQ_U64(pkt.n, 24 + 2 * 48);

	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	f = &col.flows[0];
	CHECK_EQ_U64(f->type, GF_TYPE_NETFLOW_V5);
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "10.0.0.1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "10.0.1.2");
	CHECK_STR(gf_addr_format(&f->next_hop, buf, sizeof(buf)), "10.0.0.254");
	CHECK_STR(gf_addr_format(&f->sampler_address, buf, sizeof(buf)), "192.0.2.1");
	CHECK_EQ_U64(f->in_if, 3);
	CHECK_EQ_U64(f->out_if, 4);
	CHECK_EQ_U64(f->packets, 10);
	CHECK_EQ_U64(f->bytes, 1500);
	/* 1700000000.5 s - (100000 - 90000) ms = 1699999990.5 s */
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999990500000000));
	/* 1700000000.5 s - 1000 ms */
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999999500000000));
	CHECK_EQ_U64(f->time_received_ns, TEST_TIME_RECEIVED_NS);
	CHECK_EQ_U64(f->src_port, 1234);
	CHECK_EQ_U64(f->dst_port, 80);
	CHECK_EQ_U64(f->tcp_flags, 0x1b);
	CHECK_EQ_U64(f->proto, 6);
	CHECK_EQ_U64(f->ip_tos, 0x10);
	CHECK_EQ_U64(f->src_as, 65001);
	CHECK_EQ_U64(f->dst_as, 65002);
	CHECK_EQ_U64(f->src_net_len, 24);
	CHECK_EQ_U64(f->dst_net_len, 16);
	CHECK(GF_HAS(f, GF_F_SRC_NET) && GF_HAS(f, GF_F_DST_NET));
	CHECK_EQ_U64(f->etype, 0x0800);
	CHECK_EQ_U64(f->sequence_num, 42);
	CHECK(GF_HAS(f, GF_F_SAMPLING_RATE));
	CHECK_EQ_U64(f->sampling_rate, 100);
	CHECK_EQ_U64(f->sampling_rate_source, GF_RATE_PACKET_HEADER);
	CHECK(GF_HAS(f, GF_F_TIME_FLOW_START) && GF_HAS(f, GF_F_TIME_FLOW_END));

	f = &col.flows[1];
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "10.0.0.9");
	/* (100000 - 4294966296) mod 2^32 = 101000 ms before export */
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999899500000000));
	/* Last == uptime: the export time itself */
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1700000000500000000));

	CHECK_EQ_U64(gf_decoder_counters(d)->packets_netflow_v5, 1);
	CHECK_EQ_U64(gf_decoder_counters(d)->flows, 2);
	CHECK_EQ_U64(gf_decoder_counters(d)->packets_malformed, 0);
	gf_decoder_free(d);
}

static void
test_count_zero_and_no_sampling(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;

	pb_reset(&pkt);
	v5_header(&pkt, 0, 1000, 1700000000, 0, 1, 0);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);

	pb_reset(&pkt);
	v5_header(&pkt, 1, 1000, 1700000000, 0, 1, 0);
	v5_record(&pkt, 1, 500, 900);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	/* Interval 0 means "not said": the rate stays absent. */
	CHECK(!GF_HAS(&col.flows[0], GF_F_SAMPLING_RATE));
	CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_NONE);

	/* A NULL sink callback is allowed. */
	CHECK_EQ_U64(pb_decode(d, &pkt, NULL, &err), GF_OK);
	CHECK_EQ_U64(gf_decoder_counters(d)->flows, 2);
	gf_decoder_free(d);
}

static void
test_malformed(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;

	/* Count says 3, two records present: an error, no zero-filled third. */
	pb_reset(&pkt);
	v5_header(&pkt, 3, 1000, 1700000000, 0, 1, 0);
	v5_record(&pkt, 1, 500, 900);
	v5_record(&pkt, 2, 500, 900);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_COUNT);
	CHECK_EQ_U64(col.n, 0);
	CHECK(strstr(err.msg, "count 3") != NULL);
	CHECK_EQ_U64(err.offset, 2);

	/* Count 2 but a record and a half: short, dropped whole. */
	pb_reset(&pkt);
	v5_header(&pkt, 2, 1000, 1700000000, 0, 1, 0);
	v5_record(&pkt, 1, 500, 900);
	pb_zero(&pkt, 24);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_COUNT);
	CHECK_EQ_U64(col.n, 0);

	/* Count 65535 in a small datagram. */
	pb_reset(&pkt);
	v5_header(&pkt, 65535, 1000, 1700000000, 0, 1, 0);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_COUNT);

	/* Truncated header. */
	pb_reset(&pkt);
	v5_header(&pkt, 0, 1000, 1700000000, 0, 1, 0);
	pkt.n = 20;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	CHECK(strstr(err.msg, "v5 header") != NULL);

	CHECK_EQ_U64(gf_decoder_counters(d)->packets_malformed, 4);
	CHECK_EQ_U64(gf_decoder_counters(d)->flows, 0);
	gf_decoder_free(d);
}

/*
 * Vendor padding: a datagram longer than its count needs decodes the
 * counted records, and the extra bytes are counted, not refused.
 */
static void
test_trailing_padding(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;

	/* Count 1, a record and 24 bytes of zero padding. */
	pb_reset(&pkt);
	v5_header(&pkt, 1, 1000, 1700000000, 0, 1, 0);
	v5_record(&pkt, 1, 500, 900);
	pb_zero(&pkt, 24);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].src_addr.bytes[3], 1);
	CHECK_EQ_U64(gf_decoder_counters(d)->nf_padded_datagrams, 1);
	CHECK_EQ_U64(gf_decoder_counters(d)->nf_padding_bytes, 24);

	/* Count 1 and two whole records: the count rules, as tshark reads it. */
	pb_reset(&pkt);
	v5_header(&pkt, 1, 1000, 1700000000, 0, 1, 0);
	v5_record(&pkt, 7, 500, 900);
	v5_record(&pkt, 8, 500, 900);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].src_addr.bytes[3], 7);
	CHECK_EQ_U64(gf_decoder_counters(d)->nf_padded_datagrams, 2);
	CHECK_EQ_U64(gf_decoder_counters(d)->nf_padding_bytes, 24 + 48);

	/* An exact datagram counts nothing. */
	pb_reset(&pkt);
	v5_header(&pkt, 1, 1000, 1700000000, 0, 1, 0);
	v5_record(&pkt, 1, 500, 900);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(gf_decoder_counters(d)->nf_padded_datagrams, 2);
	CHECK_EQ_U64(gf_decoder_counters(d)->packets_malformed, 0);
	CHECK_EQ_U64(gf_decoder_counters(d)->flows, 3);
	gf_decoder_free(d);
}

/*
 * First/Last after sysUptime: read as a signed 32-bit difference they are
 * after the export time, never 49.7 days before it.  Up to 1 s after is
 * kept as computed; beyond that the time is clamped to the export time
 * and the flow counted once in flows_clock_skew.
 */
static void
test_after_uptime_and_skew(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;

	pb_reset(&pkt);
	/* export time 1700000000.5 s at uptime 100000 ms */
	v5_header(&pkt, 4, 100000, 1700000000, 500000000, 7, 0);
	/* 500 ms and exactly 1000 ms after the export: both kept */
	v5_record(&pkt, 1, 100500, 101000);
	/* 1001 ms after: clamped; Last 1000 ms before export is untouched */
	v5_record(&pkt, 2, 101001, 99000);
	/* FortiGate-like: First and Last 7 days (604800000 ms) after sysUptime */
	v5_record(&pkt, 3, 604900000, 604900000);
	/* an ordinary flow: 10 s and 1 s before the export */
	v5_record(&pkt, 4, 90000, 99000);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 4);
	/* 1700000000.5 s + 0.5 s (the unsigned reading put it 49.7 days back) */
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(1700000001000000000));
	CHECK_EQ_U64(col.flows[0].time_flow_end_ns, UINT64_C(1700000001500000000));
	CHECK_EQ_U64(col.flows[1].time_flow_start_ns, UINT64_C(1700000000500000000));
	CHECK_EQ_U64(col.flows[1].time_flow_end_ns, UINT64_C(1699999999500000000));
	CHECK_EQ_U64(col.flows[2].time_flow_start_ns, UINT64_C(1700000000500000000));
	CHECK_EQ_U64(col.flows[2].time_flow_end_ns, UINT64_C(1700000000500000000));
	CHECK_EQ_U64(col.flows[3].time_flow_start_ns, UINT64_C(1699999990500000000));
	CHECK_EQ_U64(col.flows[3].time_flow_end_ns, UINT64_C(1699999999500000000));
	/* records 2 and 3, once each */
	CHECK_EQ_U64(gf_decoder_counters(d)->flows_clock_skew, 2);

	/* sysUptime 296 ms before the wrap, Last 200 ms after it: 496 ms ahead */
	pb_reset(&pkt);
	v5_header(&pkt, 1, 4294967000u, 1700000000, 0, 8, 0);
	v5_record(&pkt, 5, 4294966000u, 200);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	/* 1000 ms before export */
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(1699999999000000000));
	/* (4294967000 - 200) mod 2^32 = 4294966800 = -496 as int32 */
	CHECK_EQ_U64(col.flows[0].time_flow_end_ns, UINT64_C(1700000000496000000));
	CHECK_EQ_U64(gf_decoder_counters(d)->flows_clock_skew, 2);
	CHECK_EQ_U64(gf_decoder_counters(d)->flows, 5);
	gf_decoder_free(d);
}

int
main(void)
{
	test_two_records();
	test_count_zero_and_no_sampling();
	test_malformed();
	test_trailing_padding();
	test_after_uptime_and_skew();
	UNIT_MAIN_END();
}
