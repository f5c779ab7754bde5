/*
 * test_exporter_rows.c
 *    The rows of goflow2plus.exporters() through the whole decoder: hand-
 *    built NetFlow v5, v9, IPFIX and sFlow datagrams, some deliberately
 *    not decoded (the "lost" ones), and the rows checked against what was
 *    built and skipped: datagrams, flows, bytes, rates, decode errors, the
 *    sequence estimate in each protocol's unit, sFlow samples per source,
 *    expiry after the idle time, and the reset of the counts.
 */
#include <stdint.h>

#include "decode.h"
#include "nf_packet_builder.h"
#include "unit.h"

#define NS_SEC	UINT64_C(1000000000)

typedef struct found
{
	gf_flow_type type;
	uint32_t	domain;
	int			n;
	int			n_state_only;
	gf_exporter_row row;
} found;

static void
find_cb(void *arg, const gf_exporter_row *r)
{
	found	   *f = arg;

	if (r->type == GF_TYPE_UNKNOWN)
		f->n_state_only++;
	if (r->type == f->type && r->domain == f->domain)
	{
		f->row = *r;
		f->n++;
	}
}

static found
row_of(gf_decoder *d, gf_flow_type type, uint32_t domain)
{
	found		f;

	memset(&f, 0, sizeof(f));
	f.type = type;
	f.domain = domain;
	gf_decoder_exporter_rows(d, find_cb, &f);
	return f;
}

static void
decode(gf_decoder *d, const pb *p, uint64_t t_ns, gf_rc want)
{
	gf_datagram dg;
	gf_error	err;

	memset(&dg, 0, sizeof(dg));
	dg.data = p->b;
	dg.len = p->n;
	dg.exporter.family = 4;
	dg.exporter.bytes[0] = 192;
	dg.exporter.bytes[1] = 0;
	dg.exporter.bytes[2] = 2;
	dg.exporter.bytes[3] = 9;
	dg.time_received_ns = t_ns;
	CHECK(gf_decode(d, GF_PROTO_AUTO, &dg, NULL, &err) == want);
}

/* A v5 datagram of n records, sequence seq, engine 1/2, rate 100. */
static void
v5(pb *p, uint32_t seq, int n, uint32_t uptime)
{
	int			i;

	pb_reset(p);
	pb_u16(p, 5);
	pb_u16(p, (uint16_t) n);
	pb_u32(p, uptime);
	pb_u32(p, 1700000000u);
	pb_u32(p, 0);
	pb_u32(p, seq);
	pb_u8(p, 1);
	pb_u8(p, 2);
	pb_u16(p, 100);
	for (i = 0; i < n; i++)
	{
		pb_ip4(p, 10, 0, 0, 1);
		pb_ip4(p, 10, 0, 0, 2);
		pb_zero(p, 40);
	}
}

static void
test_v5(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	pb		   *p = calloc(1, sizeof(pb));
	uint32_t	seq = 0xffffff00u;	/* wraps on the way */
	uint64_t	t = 100 * NS_SEC;
	int			i;
	uint64_t	skipped = 0;
	uint64_t	sent = 0;
	found		f;

	for (i = 0; i < 40; i++)
	{
		v5(p, seq, 10, 5000 + i * 10);
		seq += 10;
		t += 10000000;
		if (i == 7 || i == 8 || i == 20)
		{
			skipped += 10;
			continue;
		}
		decode(d, p, t, GF_OK);
		sent++;
	}
	/* A bad count: header read, so an error on the row. */
	v5(p, seq, 2, 5500);
	p->n -= 48;
	decode(d, p, t + 1000, GF_ERR_COUNT);

	f = row_of(d, GF_TYPE_NETFLOW_V5, 1 << 8 | 2);
	CHECK(f.n == 1);
	CHECK_EQ_U64(f.row.datagrams, sent + 1);
	CHECK_EQ_U64(f.row.flows, sent * 10);
	CHECK_EQ_U64(f.row.bytes, sent * (24 + 480) + 24 + 48);
	CHECK_EQ_U64(f.row.decode_errors, 1);
	CHECK_EQ_U64(f.row.seq_lost, skipped);
	CHECK_EQ_U64(f.row.seq_resets, 0);
	CHECK_EQ_U64(f.row.n_rates, 1);
	CHECK_EQ_U64(f.row.rates[0], 100);
	CHECK(!f.row.has_state);

	/* The exporter restarts: sequence 0, uptime 1 s.  No loss added. */
	v5(p, 0, 10, 1000);
	decode(d, p, t + 60 * NS_SEC, GF_OK);
	v5(p, 10, 10, 1100);
	decode(d, p, t + 60 * NS_SEC + 100000000, GF_OK);
	f = row_of(d, GF_TYPE_NETFLOW_V5, 1 << 8 | 2);
	CHECK_EQ_U64(f.row.seq_lost, skipped);
	CHECK_EQ_U64(f.row.seq_resets, 1);

	gf_decoder_reset_exporter_counts(d);
	f = row_of(d, GF_TYPE_NETFLOW_V5, 1 << 8 | 2);
	CHECK(f.n == 1);
	CHECK_EQ_U64(f.row.datagrams, 0);
	CHECK_EQ_U64(f.row.flows, 0);
	CHECK_EQ_U64(f.row.seq_lost, 0);
	CHECK_EQ_U64(f.row.decode_errors, 0);
	/* Counting goes on from where the sequence was. */
	v5(p, 30, 10, 1200);
	decode(d, p, t + 61 * NS_SEC, GF_OK);
	f = row_of(d, GF_TYPE_NETFLOW_V5, 1 << 8 | 2);
	CHECK_EQ_U64(f.row.seq_lost, 10);
	CHECK_EQ_U64(f.row.datagrams, 1);

	/* Silent longer than the idle time: the row goes. */
	gf_decoder_set_idle_ms(d, 5000);
	gf_decoder_expire(d, t + 67 * NS_SEC);
	f = row_of(d, GF_TYPE_NETFLOW_V5, 1 << 8 | 2);
	CHECK(f.n == 0);
	CHECK_EQ_U64(gf_decoder_counters(d)->exporter_rows_expired, 1);
	free(p);
	gf_decoder_free(d);
}

/* IPFIX: template 256 (one 4-byte field, IE 1 octetDeltaCount). */
static void
ipfix(pb *p, uint32_t secs, uint32_t seq, bool tpl, int records)
{
	size_t		at;
	int			i;

	pb_reset(p);
	pb_ipfix_header(p, secs, seq, 77);
	if (tpl)
	{
		at = pb_set_begin(p, 2);
		pb_u16(p, 256);
		pb_u16(p, 1);
		pb_u16(p, 1);
		pb_u16(p, 4);
		pb_set_end(p, at);
	}
	if (records > 0)
	{
		at = pb_set_begin(p, 256);
		for (i = 0; i < records; i++)
			pb_u32(p, 1000);
		pb_set_end(p, at);
	}
	pb_ipfix_end(p);
}

static void
test_ipfix(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	pb		   *p = calloc(1, sizeof(pb));
	uint32_t	seq = 500;
	uint64_t	t = 100 * NS_SEC;
	uint64_t	skipped = 0;
	int			i;
	found		f;

	/* Data before its template: kept, size unknown, then resynchronised. */
	ipfix(p, 1000, seq, false, 3);
	decode(d, p, t, GF_OK);
	seq += 3;
	ipfix(p, 1000, seq, true, 0);
	decode(d, p, t + 1000, GF_OK);
	for (i = 0; i < 30; i++)
	{
		int			n = 1 + i % 5;

		ipfix(p, 1000, seq, false, n);
		seq += (uint32_t) n;
		if (i == 4 || i == 13)
		{
			skipped += (uint64_t) n;
			continue;
		}
		decode(d, p, t + 2000 + (uint64_t) i * 1000, GF_OK);
	}
	while (gf_decoder_release(d, t + 50000, NULL))
		;
	f = row_of(d, GF_TYPE_IPFIX, 77);
	CHECK(f.n == 1);
	CHECK_EQ_U64(f.row.seq_lost, skipped);
	CHECK_EQ_U64(f.row.seq_resets, 0);
	CHECK(f.row.has_state);
	CHECK_EQ_U64(f.row.nf.templates, 1);
	/* 3 kept records decoded after their template came count too. */
	CHECK_EQ_U64(f.row.flows, 3 + 90 - skipped);
	free(p);
	gf_decoder_free(d);
}

/* v9: the sequence counts export packets. */
static void
test_v9(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	pb		   *p = calloc(1, sizeof(pb));
	int			i;
	found		f;

	for (i = 0; i < 20; i++)
	{
		if (i == 3 || i == 4 || i == 5 || i == 11)
			continue;
		pb_reset(p);
		pb_v9_header(p, 0, 10000 + (uint32_t) i, 1700000000u, (uint32_t) i, 5);
		decode(d, p, 100 * NS_SEC + (uint64_t) i * 1000000, GF_OK);
	}
	f = row_of(d, GF_TYPE_NETFLOW_V9, 5);
	CHECK(f.n == 1);
	CHECK_EQ_U64(f.row.datagrams, 16);
	CHECK_EQ_U64(f.row.seq_lost, 4);
	free(p);
	gf_decoder_free(d);
}

/* sFlow: one flow sample per datagram, source 3, sample sequence. */
static void
sflow_src(pb *p, uint32_t seq, uint32_t sample_seq, uint32_t source)
{
	size_t		at;

	pb_reset(p);
	pb_u32(p, 5);
	pb_u32(p, 1);
	pb_ip4(p, 198, 51, 100, 1);
	pb_u32(p, 4);				/* sub-agent */
	pb_u32(p, seq);
	pb_u32(p, 60000 + seq);		/* uptime */
	pb_u32(p, 1);
	pb_u32(p, 1);				/* flow sample */
	at = p->n;
	pb_u32(p, 0);
	pb_u32(p, sample_seq);
	pb_u32(p, source);			/* source id 0:source */
	pb_u32(p, 512);				/* rate */
	pb_u32(p, sample_seq * 512);
	pb_u32(p, 0);
	pb_u32(p, 1);
	pb_u32(p, 2);
	pb_u32(p, 0);				/* no records */
	pb_patch16(p, at + 2, p->n - at - 4);
}

static void
sflow(pb *p, uint32_t seq, uint32_t sample_seq)
{
	sflow_src(p, seq, sample_seq, 3);
}

/* 70 sources, one sample skipped in each: 64 are followed. */
static void
test_sflow_sources(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	pb		   *p = calloc(1, sizeof(pb));
	uint32_t	src;
	uint32_t	seq = 1;
	found		f;

	for (src = 0; src < 70; src++)
	{
		sflow_src(p, seq, 1, src);
		decode(d, p, 100 * NS_SEC + (uint64_t) seq * 1000000, GF_OK);
		seq++;
		sflow_src(p, seq, 3, src);
		decode(d, p, 100 * NS_SEC + (uint64_t) seq * 1000000, GF_OK);
		seq++;
	}
	f = row_of(d, GF_TYPE_SFLOW_5, 4);
	CHECK_EQ_U64(f.row.datagrams, 140);
	CHECK_EQ_U64(f.row.seq_lost, 0);
	CHECK_EQ_U64(f.row.samples_lost, 64);
	free(p);
	gf_decoder_free(d);
}

static void
test_sflow(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	pb		   *p = calloc(1, sizeof(pb));
	uint32_t	i;
	found		f;

	for (i = 1; i <= 50; i++)
	{
		if (i == 10 || i == 30 || i == 31)
			continue;
		/* Two samples of source 3 skipped without losing a datagram. */
		sflow(p, i, i + (i > 40 ? 2 : 0));
		decode(d, p, 100 * NS_SEC + (uint64_t) i * 1000000, GF_OK);
	}
	f = row_of(d, GF_TYPE_SFLOW_5, 4);
	CHECK(f.n == 1);
	CHECK_EQ_U64(f.row.datagrams, 47);
	CHECK_EQ_U64(f.row.flows, 47);
	CHECK_EQ_U64(f.row.seq_lost, 3);
	CHECK_EQ_U64(f.row.samples_lost, 3 + 2);
	CHECK_EQ_U64(f.row.rates[0], 512);
	CHECK(f.row.exporter.bytes[0] == 198);
	free(p);
	gf_decoder_free(d);
}

int
main(void)
{
	test_v5();
	test_ipfix();
	test_v9();
	test_sflow();
	test_sflow_sources();
	UNIT_MAIN_END();
}
