/*
 * test_netflow_legacy.c
 *    NetFlow v1, v7 and v8 (every decoded aggregation scheme) against
 *    hand-built datagrams: every field a record has, fields it does not
 *    have left absent, times across an uptime wrap, counts that do not fit
 *    (dropped), datagrams longer than their count (decoded and the padding
 *    counted), an unknown v8 scheme.  The records are written field by
 *    field in the order of Cisco's format descriptions, independently of
 *    the decoder's offset table; expected values are worked out by hand.
 */
#include "unit.h"
#include "nf_packet_builder.h"

static pb	pkt;
static collect col;

/* export time 1700000000.25 s at uptime 100000 ms */
#define EXPORT_SECS		1700000000u
#define EXPORT_NSECS	250000000u
#define UPTIME			100000u
#define EXPORT_NS		UINT64_C(1700000000250000000)
#define MS				UINT64_C(1000000)

static void
common_header(pb *p, uint16_t version, uint16_t count, uint32_t uptime)
{
	pb_u16(p, version);
	pb_u16(p, count);
	pb_u32(p, uptime);
	pb_u32(p, EXPORT_SECS);
	pb_u32(p, EXPORT_NSECS);
}

static const gf_flow *
one(void)
{
	return &col.flows[0];
}

/* ---- v1 ------------------------------------------------------------ */

static void
v1_record(pb *p, uint8_t host, uint32_t first, uint32_t last)
{
	pb_ip4(p, 10, 1, 0, host);	/* srcaddr */
	pb_ip4(p, 10, 2, 0, 1);		/* dstaddr */
	pb_ip4(p, 10, 3, 0, 1);		/* nexthop */
	pb_u16(p, 7);				/* input */
	pb_u16(p, 8);				/* output */
	pb_u32(p, 12);				/* dPkts */
	pb_u32(p, 3456);			/* dOctets */
	pb_u32(p, first);
	pb_u32(p, last);
	pb_u16(p, 5353);			/* srcport */
	pb_u16(p, 53);				/* dstport */
	pb_u16(p, 0);				/* pad1 */
	pb_u8(p, 17);				/* prot */
	pb_u8(p, 0x28);				/* tos */
	pb_u8(p, 0x12);				/* tcp_flags */
	pb_u8(p, 1);				/* tcp_retx_cnt */
	pb_u8(p, 2);				/* tcp_retx_secs */
	pb_u8(p, 3);				/* tcp_misseq_cnt */
	pb_u32(p, 0);				/* reserved */
}

static void
test_v1(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	const gf_flow *f;
	char		buf[64];

	pb_reset(&pkt);
	common_header(&pkt, 1, 2, UPTIME);
	v1_record(&pkt, 1, 90000, 99000);
	/* First 1000 ms before the uptime counter wrapped: 101000 ms back */
	v1_record(&pkt, 2, 4294966296u, UPTIME);
	CHECK_EQ_U64(pkt.n, 16 + 2 * 48);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	f = one();
	CHECK_EQ_U64(f->type, GF_TYPE_NETFLOW_V1);
	CHECK_STR(gf_flow_type_name(f->type), "NETFLOW_V1");
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "10.1.0.1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "10.2.0.1");
	CHECK_STR(gf_addr_format(&f->next_hop, buf, sizeof(buf)), "10.3.0.1");
	CHECK_EQ_U64(f->in_if, 7);
	CHECK_EQ_U64(f->out_if, 8);
	CHECK_EQ_U64(f->packets, 12);
	CHECK_EQ_U64(f->bytes, 3456);
	CHECK_EQ_U64(f->src_port, 5353);
	CHECK_EQ_U64(f->dst_port, 53);
	CHECK_EQ_U64(f->proto, 17);
	CHECK_EQ_U64(f->ip_tos, 0x28);
	CHECK_EQ_U64(f->tcp_flags, 0x12);
	CHECK_EQ_U64(f->etype, 0x0800);
	CHECK_EQ_U64(f->time_flow_start_ns, EXPORT_NS - 10000 * MS);
	CHECK_EQ_U64(f->time_flow_end_ns, EXPORT_NS - 1000 * MS);
	/* v1 has no AS, prefix lengths, sequence number or sampling. */
	CHECK(!GF_HAS(f, GF_F_SRC_AS) && !GF_HAS(f, GF_F_DST_AS));
	CHECK(!GF_HAS(f, GF_F_SRC_NET) && !GF_HAS(f, GF_F_DST_NET));
	CHECK(!GF_HAS(f, GF_F_SEQUENCE_NUM) && !GF_HAS(f, GF_F_SAMPLING_RATE));
	f = &col.flows[1];
	CHECK_EQ_U64(f->src_addr.bytes[3], 2);
	CHECK_EQ_U64(f->time_flow_start_ns, EXPORT_NS - 101000 * MS);
	CHECK_EQ_U64(f->time_flow_end_ns, EXPORT_NS);
	CHECK_EQ_U64(gf_decoder_counters(d)->packets_netflow_v1, 1);
	CHECK_EQ_U64(gf_decoder_counters(d)->flows, 2);

	/* Count 3 with two records: dropped whole, named as v1. */
	pb_patch16(&pkt, 2, 3);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_COUNT);
	CHECK_EQ_U64(col.n, 0);
	CHECK(strstr(err.msg, "NetFlow v1 count 3") != NULL);

	/* Count 1 with two records: one decoded, 48 bytes of padding. */
	pb_patch16(&pkt, 2, 1);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(gf_decoder_counters(d)->nf_padding_bytes, 48);

	/* A 15-byte header. */
	pkt.n = 15;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	CHECK_EQ_U64(gf_decoder_counters(d)->packets_malformed, 2);
	gf_decoder_free(d);
}

/* ---- v7 ------------------------------------------------------------ */

static void
v7_record(pb *p, uint32_t first, uint32_t last)
{
	pb_ip4(p, 172, 16, 0, 1);	/* srcaddr */
	pb_ip4(p, 172, 16, 9, 9);	/* dstaddr */
	pb_ip4(p, 0, 0, 0, 0);		/* nexthop */
	pb_u16(p, 21);				/* input */
	pb_u16(p, 22);				/* output */
	pb_u32(p, 1);				/* dPkts */
	pb_u32(p, 60);				/* dOctets */
	pb_u32(p, first);
	pb_u32(p, last);
	pb_u16(p, 40000);			/* srcport */
	pb_u16(p, 443);				/* dstport */
	pb_u8(p, 0x01);				/* flags1 */
	pb_u8(p, 0x02);				/* tcp_flags */
	pb_u8(p, 6);				/* prot */
	pb_u8(p, 0xb8);				/* tos */
	pb_u16(p, 64500);			/* src_as */
	pb_u16(p, 64501);			/* dst_as */
	pb_u8(p, 12);				/* src_mask */
	pb_u8(p, 20);				/* dst_mask */
	pb_u16(p, 0x0003);			/* flags2 */
	pb_ip4(p, 192, 0, 2, 77);	/* router_sc */
}

static void
test_v7(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	const gf_flow *f;
	char		buf[64];

	pb_reset(&pkt);
	common_header(&pkt, 7, 1, UPTIME);
	pb_u32(&pkt, 123456);		/* flow_sequence */
	pb_u32(&pkt, 0);			/* reserved */
	/* Last 2000 ms after sysUptime: clamped to the export time, counted */
	v7_record(&pkt, 99500, UPTIME + 2000);
	CHECK_EQ_U64(pkt.n, 24 + 52);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	f = one();
	CHECK_STR(gf_flow_type_name(f->type), "NETFLOW_V7");
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "172.16.0.1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "172.16.9.9");
	CHECK_STR(gf_addr_format(&f->next_hop, buf, sizeof(buf)), "0.0.0.0");
	CHECK_EQ_U64(f->in_if, 21);
	CHECK_EQ_U64(f->out_if, 22);
	CHECK_EQ_U64(f->packets, 1);
	CHECK_EQ_U64(f->bytes, 60);
	CHECK_EQ_U64(f->src_port, 40000);
	CHECK_EQ_U64(f->dst_port, 443);
	CHECK_EQ_U64(f->tcp_flags, 0x02);
	CHECK_EQ_U64(f->proto, 6);
	CHECK_EQ_U64(f->ip_tos, 0xb8);
	CHECK_EQ_U64(f->src_as, 64500);
	CHECK_EQ_U64(f->dst_as, 64501);
	CHECK_EQ_U64(f->src_net_len, 12);
	CHECK_EQ_U64(f->dst_net_len, 20);
	CHECK_EQ_U64(f->sequence_num, 123456);
	CHECK_EQ_U64(f->time_flow_start_ns, EXPORT_NS - 500 * MS);
	CHECK_EQ_U64(f->time_flow_end_ns, EXPORT_NS);
	CHECK_EQ_U64(gf_decoder_counters(d)->flows_clock_skew, 1);
	CHECK_EQ_U64(gf_decoder_counters(d)->packets_netflow_v7, 1);

	/* 51 bytes of record: short by one, dropped. */
	pkt.n -= 1;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_COUNT);
	CHECK_EQ_U64(col.n, 0);
	CHECK(strstr(err.msg, "NetFlow v7") != NULL);
	gf_decoder_free(d);
}

/* ---- v8 ------------------------------------------------------------ */

static void
v8_header(pb *p, uint16_t count, uint8_t scheme)
{
	common_header(p, 8, count, UPTIME);
	pb_u32(p, 777);				/* flow_sequence */
	pb_u8(p, 0);				/* engine_type */
	pb_u8(p, 1);				/* engine_id */
	pb_u8(p, scheme);			/* aggregation */
	pb_u8(p, 2);				/* agg_version */
	pb_u32(p, 0);				/* reserved */
}

/* flows, dPkts, dOctets, First, Last: how router schemes begin */
static void
v8_counts(pb *p)
{
	pb_u32(p, 5);				/* flows */
	pb_u32(p, 100);				/* dPkts */
	pb_u32(p, 150000);			/* dOctets */
	pb_u32(p, 40000);			/* First: 60 s before export */
	pb_u32(p, 95000);			/* Last: 5 s before */
}

/* Which optional fields a scheme fills; checked present-and-equal or absent. */
typedef struct v8_expect
{
	uint8_t		scheme;
	size_t		len;
	const char *src;			/* NULL: absent */
	int			src_mask;		/* -1: absent */
	const char *dst;
	int			dst_mask;
	long		src_as;
	long		dst_as;
	long		in_if;
	long		out_if;
	long		proto;
	long		tos;
	long		src_port;
	long		dst_port;
	bool		catalyst;		/* no flows count; other counters */
} v8_expect;

/* The record of each scheme, in Cisco's field order. */
static void
v8_record(pb *p, uint8_t scheme)
{
	switch (scheme)
	{
		case 1:				/* AS */
		case 9:				/* AS-ToS */
			v8_counts(p);
			pb_u16(p, 65010);	/* src_as */
			pb_u16(p, 65020);	/* dst_as */
			pb_u16(p, 31);		/* input */
			pb_u16(p, 32);		/* output */
			if (scheme == 9)
			{
				pb_u8(p, 0x20);	/* tos */
				pb_u8(p, 0);	/* pad */
				pb_u16(p, 0);	/* reserved */
			}
			break;
		case 2:				/* protocol-port */
		case 10:			/* protocol-port-ToS */
			v8_counts(p);
			pb_u8(p, 17);		/* prot */
			pb_u8(p, scheme == 10 ? 0x20 : 0);	/* pad / tos */
			pb_u16(p, 0);		/* reserved */
			pb_u16(p, 123);		/* srcport */
			pb_u16(p, 4500);	/* dstport */
			if (scheme == 10)
			{
				pb_u16(p, 31);	/* input */
				pb_u16(p, 32);	/* output */
			}
			break;
		case 3:				/* source prefix */
		case 11:			/* source prefix-ToS */
			v8_counts(p);
			pb_ip4(p, 198, 51, 100, 0);	/* src_prefix */
			pb_u8(p, 24);		/* src_mask */
			pb_u8(p, scheme == 11 ? 0x20 : 0);	/* pad / tos */
			pb_u16(p, 65010);	/* src_as */
			pb_u16(p, 31);		/* input */
			pb_u16(p, 0);		/* reserved */
			break;
		case 4:				/* destination prefix */
		case 12:			/* destination prefix-ToS */
			v8_counts(p);
			pb_ip4(p, 203, 0, 113, 0);	/* dst_prefix */
			pb_u8(p, 25);		/* dst_mask */
			pb_u8(p, scheme == 12 ? 0x20 : 0);	/* pad / tos */
			pb_u16(p, 65020);	/* dst_as */
			pb_u16(p, 32);		/* output */
			pb_u16(p, 0);		/* reserved */
			break;
		case 5:				/* prefix */
		case 13:			/* prefix-ToS */
		case 14:			/* prefix-port */
			v8_counts(p);
			pb_ip4(p, 198, 51, 100, 0);	/* src_prefix */
			pb_ip4(p, 203, 0, 113, 0);	/* dst_prefix */
			pb_u8(p, 25);		/* dst_mask */
			pb_u8(p, 24);		/* src_mask */
			if (scheme == 5)
				pb_u16(p, 0);	/* reserved */
			else
			{
				pb_u8(p, 0x20); /* tos */
				pb_u8(p, scheme == 14 ? 6 : 0); /* prot / pad */
			}
			if (scheme == 14)
			{
				pb_u16(p, 123); /* srcport */
				pb_u16(p, 4500);	/* dstport */
			}
			else
			{
				pb_u16(p, 65010);	/* src_as */
				pb_u16(p, 65020);	/* dst_as */
			}
			pb_u16(p, 31);		/* input */
			pb_u16(p, 32);		/* output */
			break;
		case 6:				/* destination only (Catalyst) */
			pb_ip4(p, 203, 0, 113, 9);	/* dstaddr */
			pb_u32(p, 100);		/* dPkts */
			pb_u32(p, 150000);	/* dOctets */
			pb_u32(p, 40000);	/* First */
			pb_u32(p, 95000);	/* Last */
			pb_u16(p, 32);		/* output */
			pb_u8(p, 0x20);		/* tos */
			pb_u8(p, 0x28);		/* marked_tos */
			pb_u32(p, 3);		/* extra_pkts */
			pb_ip4(p, 192, 0, 2, 9);	/* router_sc */
			break;
		case 7:				/* source-destination */
		case 8:				/* full flow */
			pb_ip4(p, 203, 0, 113, 9);	/* dstaddr */
			pb_ip4(p, 198, 51, 100, 7); /* srcaddr */
			if (scheme == 8)
			{
				pb_u16(p, 4500);	/* dstport */
				pb_u16(p, 123); /* srcport */
			}
			pb_u32(p, 100);		/* dPkts */
			pb_u32(p, 150000);	/* dOctets */
			pb_u32(p, 40000);	/* First */
			pb_u32(p, 95000);	/* Last */
			pb_u16(p, 32);		/* output */
			pb_u16(p, 31);		/* input */
			pb_u8(p, 0x20);		/* tos */
			if (scheme == 8)
			{
				pb_u8(p, 17);	/* prot */
				pb_u8(p, 0x28); /* marked_tos */
				pb_u8(p, 0);	/* pad */
			}
			else
			{
				pb_u8(p, 0x28); /* marked_tos */
				pb_u16(p, 0);	/* reserved */
			}
			pb_u32(p, 3);		/* extra_pkts */
			pb_ip4(p, 192, 0, 2, 9);	/* router_sc */
			break;
	}
}

#define A (-1)					/* absent */
static const v8_expect v8_cases[] = {
	{1, 28, NULL, A, NULL, A, 65010, 65020, 31, 32, A, A, A, A, false},
	{2, 28, NULL, A, NULL, A, A, A, A, A, 17, A, 123, 4500, false},
	{3, 32, "198.51.100.0", 24, NULL, A, 65010, A, 31, A, A, A, A, A, false},
	{4, 32, NULL, A, "203.0.113.0", 25, A, 65020, A, 32, A, A, A, A, false},
	{5, 40, "198.51.100.0", 24, "203.0.113.0", 25, 65010, 65020, 31, 32, A, A, A, A, false},
	{6, 32, NULL, A, "203.0.113.9", A, A, A, A, 32, A, 0x20, A, A, true},
	{7, 40, "198.51.100.7", A, "203.0.113.9", A, A, A, 31, 32, A, 0x20, A, A, true},
	{8, 44, "198.51.100.7", A, "203.0.113.9", A, A, A, 31, 32, 17, 0x20, 123, 4500, true},
	{9, 32, NULL, A, NULL, A, 65010, 65020, 31, 32, A, 0x20, A, A, false},
	{10, 32, NULL, A, NULL, A, A, A, 31, 32, 17, 0x20, 123, 4500, false},
	{11, 32, "198.51.100.0", 24, NULL, A, 65010, A, 31, A, A, 0x20, A, A, false},
	{12, 32, NULL, A, "203.0.113.0", 25, A, 65020, A, 32, A, 0x20, A, A, false},
	{13, 40, "198.51.100.0", 24, "203.0.113.0", 25, 65010, 65020, 31, 32, A, 0x20, A, A, false},
	{14, 40, "198.51.100.0", 24, "203.0.113.0", 25, A, A, 31, 32, 6, 0x20, 123, 4500, false},
};

#define CHECK_OPT(f, fld, member, want) \
	do { \
		if ((want) < 0) CHECK(!GF_HAS(f, fld)); \
		else { CHECK(GF_HAS(f, fld)); CHECK_EQ_U64((f)->member, (want)); } \
	} while (0)

static void
v8_check_case(const v8_expect *e)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	const gf_flow *f;
	char		buf[64];
	size_t		i;

	pb_reset(&pkt);
	v8_header(&pkt, 3, e->scheme);
	for (i = 0; i < 3; i++)
		v8_record(&pkt, e->scheme);
	CHECK_EQ_U64(pkt.n, 28 + 3 * e->len);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	if (err.code != GF_OK)
		fprintf(stderr, "scheme %u: %s\n", e->scheme, err.msg);
	CHECK_EQ_U64(col.n, 3);
	f = &col.flows[2];
	CHECK_STR(gf_flow_type_name(f->type), "NETFLOW_V8");
	CHECK_EQ_U64(f->packets, 100);
	CHECK_EQ_U64(f->bytes, 150000);
	CHECK_EQ_U64(f->time_flow_start_ns, EXPORT_NS - 60000 * MS);
	CHECK_EQ_U64(f->time_flow_end_ns, EXPORT_NS - 5000 * MS);
	CHECK_EQ_U64(f->sequence_num, 777);
	if (e->src)
		CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), e->src);
	else
		CHECK_EQ_U64(f->src_addr.family, 0);
	if (e->dst)
		CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), e->dst);
	else
		CHECK_EQ_U64(f->dst_addr.family, 0);
	CHECK_OPT(f, GF_F_SRC_NET, src_net_len, e->src_mask);
	CHECK_OPT(f, GF_F_DST_NET, dst_net_len, e->dst_mask);
	CHECK_OPT(f, GF_F_SRC_AS, src_as, e->src_as);
	CHECK_OPT(f, GF_F_DST_AS, dst_as, e->dst_as);
	CHECK_OPT(f, GF_F_IN_IF, in_if, e->in_if);
	CHECK_OPT(f, GF_F_OUT_IF, out_if, e->out_if);
	CHECK_OPT(f, GF_F_PROTO, proto, e->proto);
	CHECK_OPT(f, GF_F_IP_TOS, ip_tos, e->tos);
	CHECK_OPT(f, GF_F_SRC_PORT, src_port, e->src_port);
	CHECK_OPT(f, GF_F_DST_PORT, dst_port, e->dst_port);
	CHECK_EQ_U64(gf_decoder_counters(d)->packets_netflow_v8, 1);

	/* One byte short of the third record: dropped whole. */
	pkt.n -= 1;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_COUNT);
	CHECK_EQ_U64(col.n, 0);
	/* Count 2 of the 3 records less a byte: padding. */
	pb_patch16(&pkt, 2, 2);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	CHECK_EQ_U64(gf_decoder_counters(d)->nf_padding_bytes, e->len - 1);
	gf_decoder_free(d);
}

static void
test_v8_schemes(void)
{
	size_t		i;

	for (i = 0; i < sizeof(v8_cases) / sizeof(v8_cases[0]); i++)
		v8_check_case(&v8_cases[i]);
}

static void
test_v8_bad(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;

	/* Scheme 0 and 15: not decoded, counted, named. */
	pb_reset(&pkt);
	v8_header(&pkt, 0, 15);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_VERSION);
	CHECK(strstr(err.msg, "NetFlow v8 aggregation scheme 15") != NULL);
	pkt.b[22] = 0;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_VERSION);
	CHECK_EQ_U64(gf_decoder_counters(d)->nf_v8_unknown_scheme, 2);

	/* A header cut before its scheme byte. */
	pkt.n = 22;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	/* Count 0, an exact header: nothing, no error. */
	pb_reset(&pkt);
	v8_header(&pkt, 0, 1);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);
	/* Count 65535 in a small datagram. */
	pb_patch16(&pkt, 2, 65535);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_COUNT);
	CHECK_EQ_U64(gf_decoder_counters(d)->packets_malformed, 4);
	CHECK_EQ_U64(gf_decoder_counters(d)->flows, 0);
	gf_decoder_free(d);
}

/* An sFlow listener refuses NetFlow v1/v7/v8; a flow:// one takes them. */
static void
test_dispatch(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	gf_datagram dg;

	pb_reset(&pkt);
	common_header(&pkt, 1, 1, UPTIME);
	v1_record(&pkt, 1, 90000, 99000);
	memset(&dg, 0, sizeof(dg));
	dg.data = pkt.b;
	dg.len = pkt.n;
	CHECK_EQ_U64(gf_decode(d, GF_PROTO_SFLOW, &dg, NULL, &err), GF_ERR_VERSION);
	CHECK_EQ_U64(gf_decode(d, GF_PROTO_AUTO, &dg, NULL, &err), GF_OK);
	CHECK_EQ_U64(gf_decoder_counters(d)->packets_netflow_v1, 1);
	gf_decoder_free(d);
}

int
main(void)
{
	test_v1();
	test_v7();
	test_v8_schemes();
	test_v8_bad();
	test_dispatch();
	UNIT_MAIN_END();
}
