/*
 * test_ipfix.c
 *    IPFIX (RFC 7011) decoding against hand-built messages: every time
 *    encoding (32-bit uptime offsets across wraps and before init, clock
 *    skew), enterprise and variable-length fields, withdrawal and
 *    redefinition, sampling from options data (305/306, selector ids, 34)
 *    and where a rate came from, interface names from options data
 *    (IOS-XR's interface table, variable-length strings),
 *    the message length check and malformed sets.  Expected values are
 *    worked out by hand in the comments.
 */
#include "unit.h"
#include "nf_packet_builder.h"
#include "netflow_sampling.h"

#define CNT(d) gf_decoder_counters(d)
#define SECS 1700000000u
#define SECS_NS UINT64_C(1700000000000000000)
/* 1699999000 s in NTP seconds (since 1900): + 2208988800 */
#define NTP_SECS UINT64_C(3908987800)
#define PEN_X 9

static pb	pkt;
static collect col;

typedef struct fspec
{
	uint16_t	id;
	uint16_t	len;
	uint32_t	pen;			/* non-zero: enterprise field */
} fspec;

static void
put_fields(pb *p, const fspec *f, int n)
{
	int			i;

	for (i = 0; i < n; i++)
	{
		pb_u16(p, f[i].id | (f[i].pen ? 0x8000 : 0));
		pb_u16(p, f[i].len);
		if (f[i].pen)
			pb_u32(p, f[i].pen);
	}
}

static void
add_template(pb *p, uint16_t id, const fspec *f, int n)
{
	size_t		s = pb_set_begin(p, 2);

	pb_u16(p, id);
	pb_u16(p, n);
	put_fields(p, f, n);
	pb_set_end(p, s);
}

static void
add_options_template(pb *p, uint16_t id, const fspec *f, int n, int n_scope)
{
	size_t		s = pb_set_begin(p, 3);

	pb_u16(p, id);
	pb_u16(p, n);
	pb_u16(p, n_scope);
	put_fields(p, f, n);
	pb_set_end(p, s);
}

static void
add_withdrawal(pb *p, uint16_t set_id, uint16_t id)
{
	size_t		s = pb_set_begin(p, set_id);

	pb_u16(p, id);
	pb_u16(p, 0);
	pb_set_end(p, s);
}

static const fspec basic[] = {
	{8, 4, 0}, {12, 4, 0}, {7, 2, 0}, {11, 2, 0}, {4, 1, 0}, {1, 8, 0}, {2, 8, 0}, {152, 8, 0}, {153, 8, 0}
};

static void
basic_record(pb *p, uint8_t host)
{
	pb_ip4(p, 192, 168, 0, host);
	pb_ip4(p, 192, 168, 1, 1);
	pb_u16(p, 40000);
	pb_u16(p, 53);
	pb_u8(p, 17);
	pb_u64(p, 120);
	pb_u64(p, 2);
	pb_u64(p, UINT64_C(1699999990123));
	pb_u64(p, UINT64_C(1699999999456));
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
	pb_ipfix_header(&pkt, SECS, 99, 5);
	add_template(&pkt, 256, basic, 9);
	s = pb_set_begin(&pkt, 256);
	basic_record(&pkt, 1);
	basic_record(&pkt, 2);
	pb_zero(&pkt, 3);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);

	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	f = &col.flows[0];
	CHECK_EQ_U64(f->type, GF_TYPE_IPFIX);
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "192.168.0.1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "192.168.1.1");
	CHECK_EQ_U64(f->src_port, 40000);
	CHECK_EQ_U64(f->dst_port, 53);
	CHECK_EQ_U64(f->proto, 17);
	CHECK_EQ_U64(f->bytes, 120);
	CHECK_EQ_U64(f->packets, 2);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999990123000000));
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999999456000000));
	CHECK_EQ_U64(f->sequence_num, 99);
	CHECK_EQ_U64(f->observation_domain_id, 5);
	CHECK_EQ_U64(f->etype, 0x0800);
	CHECK_STR(gf_addr_format(&col.flows[1].src_addr, buf, sizeof(buf)), "192.168.0.2");
	CHECK_EQ_U64(CNT(d)->packets_ipfix, 1);

	/* v9 templates are a separate namespace from IPFIX ones. */
	pb_reset(&pkt);
	pb_v9_header(&pkt, 1, 1, SECS, 1, 5);
	s = pb_set_begin(&pkt, 256);
	basic_record(&pkt, 1);
	pb_set_end(&pkt, s);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 1);
	gf_decoder_free(d);
}

/* One record of a template with just the given time fields (8 bytes each
 * unless 150/151, which take 4). */
static const gf_flow *
one_time_record(gf_decoder *d, uint16_t tid, uint32_t domain, uint16_t a,
				uint64_t va, uint16_t b, uint64_t vb)
{
	gf_error	err;
	fspec		fs[3] = {{8, 4, 0}, {a, 8, 0}, {b, 8, 0}};
	int			w = (a == 150 || a == 151 || a == 21 || a == 22) ? 4 : 8;
	size_t		s;

	fs[1].len = fs[2].len = (uint16_t) w;
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, domain);
	add_template(&pkt, tid, fs, 3);
	s = pb_set_begin(&pkt, tid);
	pb_ip4(&pkt, 1, 2, 3, 4);
	pb_uint(&pkt, va, w);
	pb_uint(&pkt, vb, w);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	return &col.flows[0];
}

static void
test_times(void)
{
	static const fspec init_opts[] = {{149, 4, 0}, {160, 8, 0}};
	static const fspec rec_init[] = {{8, 4, 0}, {160, 8, 0}, {22, 4, 0}, {21, 4, 0}};
	gf_decoder *d = gf_decoder_new(NULL);
	const gf_flow *f;
	gf_error	err;
	size_t		s;

	f = one_time_record(d, 256, 1, 150, 1699999000, 151, 1699999001);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999000000000000));
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999001000000000));

	/* NTP: fraction 0x80000000 is half a second, 0x40000000 a quarter. */
	f = one_time_record(d, 257, 1, 154, (NTP_SECS << 32) | 0x80000000u,
						155, ((NTP_SECS + 1) << 32));
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999000500000000));
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999001000000000));
	f = one_time_record(d, 258, 1, 156, (NTP_SECS << 32) | 0x40000000u,
						157, ((NTP_SECS + 2) << 32) | 0xc0000000u);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999000250000000));
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999002750000000));

	/* Deltas in microseconds before the export time. */
	f = one_time_record(d, 259, 1, 158, 2000000, 159, 500000);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999998000000000));
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999999500000000));

	/* Sysuptime without a known init time: the export time. */
	f = one_time_record(d, 260, 1, 22, 5000, 21, 6000);
	CHECK_EQ_U64(f->time_flow_start_ns, SECS_NS);
	CHECK_EQ_U64(f->time_flow_end_ns, SECS_NS);

	/* Learn systemInitTimeMilliseconds for domain 1 from options data. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_options_template(&pkt, 270, init_opts, 2, 1);
	s = pb_set_begin(&pkt, 270);
	pb_u32(&pkt, 1);
	pb_u64(&pkt, UINT64_C(1699990000000));
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 1);

	f = one_time_record(d, 260, 1, 22, 5000, 21, 6000);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699990005000000000));
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699990006000000000));
	/* Another domain does not share it. */
	f = one_time_record(d, 260, 2, 22, 5000, 21, 6000);
	CHECK_EQ_U64(f->time_flow_start_ns, SECS_NS);

	/*
	 * An init time in the record itself, 1000 s before the export (an
	 * init time far enough back for the 32-bit uptime to have wrapped is
	 * test_sysuptime_wrap's).
	 */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 3);
	add_template(&pkt, 261, rec_init, 4);
	s = pb_set_begin(&pkt, 261);
	pb_ip4(&pkt, 1, 2, 3, 4);
	pb_u64(&pkt, UINT64_C(1699999000000));
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 2);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(1699999000001000000));
	CHECK_EQ_U64(col.flows[0].time_flow_end_ns, UINT64_C(1699999000002000000));

	/* Seconds and milliseconds both present: the finer one wins. */
	{
		static const fspec both[] = {{8, 4, 0}, {152, 8, 0}, {150, 4, 0}};

		pb_reset(&pkt);
		pb_ipfix_header(&pkt, SECS, 1, 3);
		add_template(&pkt, 262, both, 3);
		s = pb_set_begin(&pkt, 262);
		pb_ip4(&pkt, 1, 2, 3, 4);
		pb_u64(&pkt, UINT64_C(1699999990123));
		pb_u32(&pkt, 1699999990);
		pb_set_end(&pkt, s);
		pb_ipfix_end(&pkt);
		CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
		CHECK_EQ_U64(col.flows[0].time_flow_start_ns, UINT64_C(1699999990123000000));
		CHECK_EQ_U64(col.flows[0].time_flow_end_ns, SECS_NS);
	}
	gf_decoder_free(d);
}

static void
test_enterprise_varlen(void)
{
	static const fspec fs[] = {
		{8, 4, 0}, {100, 4, PEN_X}, {101, 65535, PEN_X}, {11, 2, 0}, {82, 65535, 0}, {7, 2, 0}
	};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;
	int			i;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_template(&pkt, 256, fs, 6);
	s = pb_set_begin(&pkt, 256);
	/* record 1: short varlen forms */
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_u32(&pkt, 0xdeadbeef);
	pb_u8(&pkt, 3);
	pb_bytes(&pkt, "abc", 3);
	pb_u16(&pkt, 443);
	pb_u8(&pkt, 0);
	pb_u16(&pkt, 1111);
	/* record 2: the 3-byte form (255, then a 16-bit length) */
	pb_ip4(&pkt, 2, 2, 2, 2);
	pb_u32(&pkt, 0);
	pb_u8(&pkt, 255);
	pb_u16(&pkt, 300);
	for (i = 0; i < 300; i++)
		pb_u8(&pkt, 0xee);
	pb_u16(&pkt, 8443);
	pb_u8(&pkt, 4);
	pb_bytes(&pkt, "eth0", 4);
	pb_u16(&pkt, 2222);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	CHECK_EQ_U64(col.flows[0].dst_port, 443);
	CHECK_EQ_U64(col.flows[0].src_port, 1111);
	CHECK_EQ_U64(col.flows[1].dst_port, 8443);
	CHECK_EQ_U64(col.flows[1].src_port, 2222);
	/* An enterprise field with an IANA-like number is not mapped. */
	CHECK(!GF_HAS(&col.flows[0], GF_F_BYTES));

	/* A varlen length that runs past the set. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 2, 1);
	s = pb_set_begin(&pkt, 256);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_u32(&pkt, 0);
	pb_u8(&pkt, 200);
	pb_zero(&pkt, 10);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	CHECK(strstr(err.msg, "field 3") != NULL);
	CHECK_EQ_U64(col.n, 0);

	/* The 3-byte form cut after its 255 (record >= the 14-byte minimum). */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 3, 1);
	s = pb_set_begin(&pkt, 256);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_u32(&pkt, 0);
	pb_u8(&pkt, 3);
	pb_bytes(&pkt, "abc", 3);
	pb_u16(&pkt, 443);
	pb_u8(&pkt, 255);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	CHECK(strstr(err.msg, "variable-length") != NULL);

	/* A template whose PEN is cut off. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 4, 1);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 300);
	pb_u16(&pkt, 1);
	pb_u16(&pkt, 0x8000 | 5);
	pb_u16(&pkt, 4);
	pb_u16(&pkt, 0);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	gf_decoder_free(d);
}

static void
test_withdraw_redefine(void)
{
	static const fspec other[] = {{12, 4, 0}, {11, 2, 0}};
	static const fspec opt[] = {{149, 4, 0}, {34, 4, 0}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_template(&pkt, 256, basic, 9);
	add_template(&pkt, 257, basic, 9);
	add_options_template(&pkt, 258, opt, 2, 1);
	add_withdrawal(&pkt, 2, 256);
	s = pb_set_begin(&pkt, 256);
	basic_record(&pkt, 1);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_templates_added, 3);
	CHECK_EQ_U64(CNT(d)->nf_templates_withdrawn, 1);
	CHECK_EQ_U64(col.n, 0);		/* 256 is gone: the set waits */
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 1);

	/* Redefine 256 with another layout: the kept set is read with it. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 2, 1);
	add_template(&pkt, 256, other, 2);
	s = pb_set_begin(&pkt, 256);
	pb_ip4(&pkt, 8, 8, 4, 4);
	pb_u16(&pkt, 853);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_templates_added, 4);
	/*
	 * The datagram's own record first, then the kept 45-byte record read
	 * as 6-byte records (7 of them, 3 bytes padding) at the datagram's end.
	 */
	CHECK_EQ_U64(col.n, 8);
	CHECK_EQ_U64(col.flows[0].dst_port, 853);

	/* Withdraw all data templates (id 2): options templates stay. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 3, 1);
	add_withdrawal(&pkt, 2, 2);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_templates_withdrawn, 3);
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 4, 1);
	s = pb_set_begin(&pkt, 258);
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 64);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 1);
	CHECK_EQ_U64(CNT(d)->nf_sampling_updates, 1);

	/* Withdraw all options templates (id 3). */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 5, 1);
	add_withdrawal(&pkt, 3, 3);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_templates_withdrawn, 4);

	/* Withdrawing a reserved id is an error. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 6, 1);
	add_withdrawal(&pkt, 2, 7);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TEMPLATE);
	gf_decoder_free(d);
}

static void
test_sampling(void)
{
	static const fspec sel_opts[] = {{302, 4, 0}, {305, 4, 0}, {306, 4, 0}};
	static const fspec dom_opts[] = {{149, 4, 0}, {34, 2, 0}};
	static const fspec data[] = {{8, 4, 0}, {302, 4, 0}};
	static const fspec own[] = {{8, 4, 0}, {305, 1, 0}, {306, 2, 0}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;
	int			i;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_options_template(&pkt, 300, sel_opts, 3, 1);
	s = pb_set_begin(&pkt, 300);
	/* selector, interval, space: rates 100, 10/3 -> 3, 3/2 -> 2, none */
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 99);
	pb_u32(&pkt, 2);
	pb_u32(&pkt, 3);
	pb_u32(&pkt, 7);
	pb_u32(&pkt, 3);
	pb_u32(&pkt, 2);
	pb_u32(&pkt, 1);
	pb_u32(&pkt, 4);
	pb_u32(&pkt, 0);
	pb_u32(&pkt, 5);
	pb_set_end(&pkt, s);
	add_template(&pkt, 301, data, 2);
	s = pb_set_begin(&pkt, 301);
	for (i = 1; i <= 4; i++)
	{
		pb_ip4(&pkt, 1, 1, 1, 1);
		pb_u32(&pkt, i);
	}
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 4);
	CHECK_EQ_U64(CNT(d)->nf_sampling_updates, 3);
	CHECK_EQ_U64(col.n, 4);
	CHECK_EQ_U64(col.flows[0].sampling_rate, 100);
	CHECK_EQ_U64(col.flows[1].sampling_rate, 3);
	CHECK_EQ_U64(col.flows[2].sampling_rate, 2);
	CHECK(!GF_HAS(&col.flows[3], GF_F_SAMPLING_RATE));
	CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_OPTIONS);
	CHECK_EQ_U64(col.flows[2].sampling_rate_source, GF_RATE_OPTIONS);
	/* Selector 4's interval 0 selects nothing: no rate, no source. */
	CHECK_EQ_U64(col.flows[3].sampling_rate_source, GF_RATE_NONE);

	/* A domain-wide 34 (2 bytes wide) covers selector 4. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 2, 1);
	add_options_template(&pkt, 302, dom_opts, 2, 1);
	s = pb_set_begin(&pkt, 302);
	pb_u32(&pkt, 1);
	pb_u16(&pkt, 1000);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 301);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_u32(&pkt, 4);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_u32(&pkt, 1);
	pb_set_end(&pkt, s);
	/* A record with its own 305/306 (1 and 2 bytes wide): 1 + 19 / 1 = 20 */
	add_template(&pkt, 303, own, 3);
	s = pb_set_begin(&pkt, 303);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_u8(&pkt, 1);
	pb_u16(&pkt, 19);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 3);
	CHECK_EQ_U64(col.flows[0].sampling_rate, 1000);
	CHECK_EQ_U64(col.flows[1].sampling_rate, 100);
	CHECK_EQ_U64(col.flows[2].sampling_rate, 20);
	CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_OPTIONS);
	CHECK_EQ_U64(col.flows[1].sampling_rate_source, GF_RATE_OPTIONS);
	/* 305/306 in the data record itself, with a domain rate known too. */
	CHECK_EQ_U64(col.flows[2].sampling_rate_source, GF_RATE_RECORD);

	/*
	 * Cisco style: selector 9 with samplingPacketInterval 1 (no space),
	 * samplingSize 1 and samplingPopulation 256: 1 in 256.
	 */
	{
		static const fspec cisco[] = {{302, 4, 0}, {305, 4, 0}, {309, 4, 0}, {310, 4, 0}};

		pb_reset(&pkt);
		pb_ipfix_header(&pkt, SECS, 3, 1);
		add_options_template(&pkt, 304, cisco, 4, 1);
		s = pb_set_begin(&pkt, 304);
		pb_u32(&pkt, 9);
		pb_u32(&pkt, 1);
		pb_u32(&pkt, 1);
		pb_u32(&pkt, 256);
		pb_set_end(&pkt, s);
		s = pb_set_begin(&pkt, 301);
		pb_ip4(&pkt, 1, 1, 1, 1);
		pb_u32(&pkt, 9);
		pb_set_end(&pkt, s);
		pb_ipfix_end(&pkt);
		CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
		CHECK_EQ_U64(col.n, 1);
		CHECK_EQ_U64(col.flows[0].sampling_rate, 256);
		CHECK_EQ_U64(col.flows[0].sampling_rate_source, GF_RATE_OPTIONS);
	}

	CHECK_EQ_U64(gf_nf_rate_from_size_population(3, 10), 3);	/* 3.33 */
	CHECK_EQ_U64(gf_nf_rate_from_size_population(0, 10), 0);
	CHECK_EQ_U64(gf_nf_rate_from_interval_space(1, 0), 1);
	CHECK_EQ_U64(gf_nf_rate_from_interval_space(0, 5), 0);
	CHECK_EQ_U64(gf_nf_rate_from_interval_space(UINT64_MAX, UINT64_MAX), 2);
	CHECK_EQ_U64(gf_nf_rate_from_interval_space(4, 2), 2);	/* 1.5 -> 2 */
	CHECK_EQ_U64(gf_nf_rate_from_interval_space(10, 4), 1);	/* 1.4 -> 1 */
	gf_decoder_free(d);
}

static void
test_field_mapping(void)
{
	static const fspec fs[] = {
		{60, 1, 0}, {85, 8, 0}, {86, 4, 0}, {243, 2, 0}, {176, 1, 0}, {177, 1, 0}, {149, 4, 0},
		{57, 6, 0}, {81, 6, 0}, {23, 4, 0}
	};
	static const fspec et[] = {{8, 4, 0}, {18, 4, 0}, {256, 2, 0}, {178, 1, 0}, {179, 1, 0}};
	static const fspec both[] = {{27, 16, 0}, {8, 4, 0}, {12, 4, 0}, {28, 16, 0}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	const gf_flow *f;
	char		buf[64];
	size_t		s;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_template(&pkt, 256, fs, 10);
	s = pb_set_begin(&pkt, 256);
	pb_u8(&pkt, 6);
	pb_u64(&pkt, 123456);
	pb_u32(&pkt, 789);
	pb_u16(&pkt, 42);
	pb_u8(&pkt, 8);
	pb_u8(&pkt, 0);
	pb_u32(&pkt, 77);
	pb_bytes(&pkt, "\x02\x00\x00\x00\x00\x01", 6);
	pb_bytes(&pkt, "\x02\x00\x00\x00\x00\x02", 6);
	pb_u32(&pkt, 5);
	pb_set_end(&pkt, s);
	add_template(&pkt, 257, et, 5);
	s = pb_set_begin(&pkt, 257);
	pb_ip4(&pkt, 10, 0, 0, 1);
	pb_ip4(&pkt, 10, 0, 0, 2);
	pb_u16(&pkt, 0x8100);
	pb_u8(&pkt, 1);
	pb_u8(&pkt, 4);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	f = &col.flows[0];
	CHECK_EQ_U64(f->etype, 0x86dd);	/* ipVersion 6 */
	CHECK_EQ_U64(f->bytes, 123456);	/* totals stand in for deltas */
	CHECK_EQ_U64(f->packets, 789);
	CHECK_EQ_U64(f->vlan_id, 42);
	CHECK_EQ_U64(f->icmp_type, 8);
	CHECK_EQ_U64(f->icmp_code, 0);
	CHECK(GF_HAS(f, GF_F_ICMP_CODE));
	CHECK_EQ_U64(f->observation_domain_id, 77);
	/* IPFIX 57/81 are post-NAT MACs, not fallbacks as in v9. */
	CHECK(!GF_HAS(f, GF_F_SRC_MAC) && !GF_HAS(f, GF_F_DST_MAC));
	f = &col.flows[1];
	CHECK_EQ_U64(f->etype, 0x8100);
	CHECK_STR(gf_addr_format(&f->bgp_next_hop, buf, sizeof(buf)), "10.0.0.2");
	CHECK_EQ_U64(f->icmp_type, 1);
	CHECK_EQ_U64(f->icmp_code, 4);
	CHECK_EQ_U64(f->observation_domain_id, 1);

	/*
	 * IPv4 and IPv6 address fields together, the unused family zeroed:
	 * the zeros never replace the real address, in either order.
	 */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 2, 1);
	add_template(&pkt, 258, both, 4);
	s = pb_set_begin(&pkt, 258);
	pb_bytes(&pkt, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	pb_ip4(&pkt, 0, 0, 0, 0);
	pb_ip4(&pkt, 10, 0, 0, 9);
	pb_zero(&pkt, 16);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	f = &col.flows[0];
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "2001:db8::1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "10.0.0.9");
	gf_decoder_free(d);
}

static void
test_malformed(void)
{
	static const fspec two[] = {{8, 4, 0}, {12, 4, 0}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	/* Truncated header. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	pkt.n = 10;
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);

	/* Message length larger, then smaller, than the datagram. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_template(&pkt, 256, two, 2);
	pb_ipfix_end(&pkt);
	pkt.b[3] += 1;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(err.offset, 2);
	pkt.b[3] -= 2;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	CHECK(strstr(err.msg, "message length") != NULL);

	/*
	 * Trailing bytes after a sound message: its records are decoded and
	 * the datagram is still reported.
	 */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_template(&pkt, 256, two, 2);
	s = pb_set_begin(&pkt, 256);
	pb_ip4(&pkt, 1, 2, 3, 4);
	pb_ip4(&pkt, 5, 6, 7, 8);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	pb_zero(&pkt, 2);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	CHECK(strstr(err.msg, "shorter than the datagram") != NULL);
	CHECK_EQ_U64(col.n, 1);

	/* A message length 8 short, the last set reaching the datagram's end. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_template(&pkt, 256, two, 2);
	s = pb_set_begin(&pkt, 256);
	pb_ip4(&pkt, 1, 2, 3, 4);
	pb_ip4(&pkt, 5, 6, 7, 8);
	pb_ip4(&pkt, 1, 2, 3, 5);
	pb_ip4(&pkt, 5, 6, 7, 9);
	pb_set_end(&pkt, s);
	pb_patch16(&pkt, 2, pkt.n - 8);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	CHECK_EQ_U64(col.n, 2);

	/* Set length 3; set length 0. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	pb_u16(&pkt, 256);
	pb_u16(&pkt, 3);
	pb_zero(&pkt, 4);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	pkt.b[19] = 0;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	/* Past the end. */
	pkt.b[19] = 9;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_LENGTH);
	/* Exactly to the end: fine (a pending set). */
	pkt.b[19] = 8;
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);

	/* Bytes after the last set that cannot be a set header. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_template(&pkt, 256, two, 2);
	pb_zero(&pkt, 2);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);

	/* Options template with scope count 0, and above the field count. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_options_template(&pkt, 300, two, 2, 0);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TEMPLATE);
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_options_template(&pkt, 300, two, 2, 3);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TEMPLATE);
	CHECK(strstr(err.msg, "scope") != NULL);

	/* Huge field count. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 256);
	pb_u16(&pkt, 65535);
	pb_u16(&pkt, 8);
	pb_u16(&pkt, 4);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);

	/* Zero padding in a template set, a reserved set id: fine. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 256);
	pb_u16(&pkt, 2);
	put_fields(&pkt, two, 2);
	pb_zero(&pkt, 6);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 4);
	pb_u32(&pkt, 1);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->flows, 3);
	gf_decoder_free(d);
}

/* One record of template tid (domain 1): 160 in the record, then 22, 21. */
static const gf_flow *
rec_init_record(gf_decoder *d, uint16_t tid, uint32_t export_secs,
				uint64_t init_ms, uint32_t start, uint32_t end)
{
	static const fspec rec_init[] = {{8, 4, 0}, {160, 8, 0}, {22, 4, 0}, {21, 4, 0}};
	gf_error	err;
	size_t		s;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, export_secs, 1, 1);
	add_template(&pkt, tid, rec_init, 4);
	s = pb_set_begin(&pkt, tid);
	pb_ip4(&pkt, 1, 2, 3, 4);
	pb_u64(&pkt, init_ms);
	pb_u32(&pkt, start);
	pb_u32(&pkt, end);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	return &col.flows[0];
}

/*
 * flowStart/EndSysUpTime (22/21) are 32-bit uptime readings: they are
 * placed relative to the uptime at export, (export - init) mod 2^32, as a
 * signed difference.  Two cases the plain sum init + offset got wrong:
 * softflowd -r without -a (init = the moment it started, flows from the
 * pcap before it, so offsets just under 2^32: the sum put them 49.7 days
 * in the future), and a device up longer than 2^32 ms.
 */
static void
test_sysuptime_wrap(void)
{
	static const fspec init_opts[] = {{149, 4, 0}, {160, 8, 0}};
	gf_decoder *d = gf_decoder_new(NULL);
	const gf_flow *f;
	gf_error	err;
	size_t		s;

	/* softflowd without -a: init = export time, flows 600 s and 540 s before */
	f = rec_init_record(d, 300, SECS, UINT64_C(1700000000000),
						4294967296u - 600000u, 4294967296u - 540000u);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999400000000000));
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999460000000000));

	/* The same with init 2.5 s before the export second (uptime 2500 ms). */
	f = rec_init_record(d, 300, SECS, UINT64_C(1699999997500),
						4294967296u - 600000u, 2000);
	/* init - 600 s */
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999397500000000));
	/* init + 2 s = 0.5 s before the export */
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999999500000000));

	/*
	 * Up for 10^11 ms (1157 days): the uptime at export is
	 * 10^11 mod 2^32 = 10^11 - 23 * 4294967296 = 1215752192 ms.  A flow
	 * from 10 s before the export to the export itself.
	 */
	f = rec_init_record(d, 300, SECS, UINT64_C(1600000000000),
						1215752192u - 10000u, 1215752192u);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999990000000000));
	CHECK_EQ_U64(f->time_flow_end_ns, SECS_NS);
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 0);

	/* The same rule for an init time learnt from options data (domain 4). */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 4);
	add_options_template(&pkt, 301, init_opts, 2, 1);
	s = pb_set_begin(&pkt, 301);
	pb_u32(&pkt, 4);
	pb_u64(&pkt, UINT64_C(1700000000000));
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	f = one_time_record(d, 302, 4, 22, 4294967296u - 600000u, 21, 4294967296u - 1u);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699999400000000000));
	/* 1 ms before init */
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999999999000000));
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 0);
	gf_decoder_free(d);
}

/*
 * The clock-skew rule for IPFIX: any flow time more than 1 s after the
 * message's export time is clamped to it, and the flow counted once.
 * 158/159 are unsigned distances back from the export (RFC 7012), so even
 * their largest value is in the past and never skew.
 */
static void
test_clock_skew(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	const gf_flow *f;

	/* flowStart/EndMilliseconds exactly 1 s and 1.001 s after the export */
	f = one_time_record(d, 310, 1, 152, UINT64_C(1700000001000), 153, UINT64_C(1700000001001));
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1700000001000000000));
	CHECK_EQ_U64(f->time_flow_end_ns, SECS_NS);
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 1);

	/* Both ends an hour ahead: one flow, counted once. */
	f = one_time_record(d, 311, 1, 150, SECS + 3600, 151, SECS + 3601);
	CHECK_EQ_U64(f->time_flow_start_ns, SECS_NS);
	CHECK_EQ_U64(f->time_flow_end_ns, SECS_NS);
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 2);

	/* Sysuptime with the init time in the record: start 2 s after export. */
	f = rec_init_record(d, 312, SECS, UINT64_C(1699999990000), 12000, 9000);
	CHECK_EQ_U64(f->time_flow_start_ns, SECS_NS);
	/* init + 9 s = 1 s before the export */
	CHECK_EQ_U64(f->time_flow_end_ns, UINT64_C(1699999999000000000));
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 3);

	/* Deltas: 0xffffffff us = 4294.967295 s back, 0 = the export itself. */
	f = one_time_record(d, 313, 1, 158, UINT64_C(0xffffffff), 159, 0);
	CHECK_EQ_U64(f->time_flow_start_ns, UINT64_C(1699995705032705000));
	CHECK_EQ_U64(f->time_flow_end_ns, SECS_NS);
	CHECK_EQ_U64(CNT(d)->flows_clock_skew, 3);
	CHECK_EQ_U64(CNT(d)->flows, 4);
	gf_decoder_free(d);
}

/*
 * Cisco IOS-XR's interface table, laid out as in the pmacct captures:
 * scope ingressInterface and egressInterface, then interfaceDescription
 * and interfaceName, 64 bytes each.  The values are those of frame 9 of
 * tests/500-IPFIXv10-BGP-CISCO-SRv6 as tshark decodes it.
 */
static void
test_interfaces_xr(void)
{
	static const fspec opts[] = {{10, 4, 0}, {14, 4, 0}, {83, 64, 0}, {82, 64, 0}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	char		buf[64];
	size_t		s;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 0);
	add_options_template(&pkt, 256, opts, 4, 2);
	s = pb_set_begin(&pkt, 256);
	pb_u32(&pkt, 42);
	pb_u32(&pkt, 42);
	pb_fixed_str(&pkt, "TenGigE0/0/0/0", 64);
	pb_fixed_str(&pkt, "TenGigE0_0_0_0", 64);
	pb_u32(&pkt, 69);
	pb_u32(&pkt, 69);
	pb_fixed_str(&pkt, "TenGigE0/0/0/0.516", 64);
	pb_fixed_str(&pkt, "TenGigE0_0_0_0.516", 64);
	/* ingress and egress differ: no one interface to name */
	pb_u32(&pkt, 70);
	pb_u32(&pkt, 71);
	pb_fixed_str(&pkt, "TenGigE0/0/0/0.523", 64);
	pb_fixed_str(&pkt, "TenGigE0_0_0_0.523", 64);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 44, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);
	CHECK_EQ_U64(col.n_if, 2);
	CHECK_EQ_U64(col.n_if_bad, 0);
	CHECK_EQ_U64(CNT(d)->nf_interface_unkeyed, 1);
	CHECK_EQ_U64(col.ifs[0].type, GF_TYPE_IPFIX);
	CHECK_STR(gf_addr_format(&col.ifs[0].exporter, buf, sizeof(buf)), "192.0.2.44");
	CHECK_EQ_U64(col.ifs[0].domain, 0);
	CHECK_EQ_U64(col.ifs[0].if_index, 42);
	CHECK_STR(col.ifs[0].name, "TenGigE0_0_0_0");
	CHECK_STR(col.ifs[0].description, "TenGigE0/0/0/0");
	CHECK_EQ_U64(col.ifs[1].if_index, 69);
	CHECK_STR(col.ifs[1].name, "TenGigE0_0_0_0.516");
	CHECK_STR(col.ifs[1].description, "TenGigE0/0/0/0.516");
	gf_decoder_free(d);
}

/*
 * Variable-length strings (RFC 7011 section 7): the 1-byte and the 3-byte
 * length forms, an empty one, an enterprise field numbered 82 (not the
 * IANA element), egressInterface alone, and the same element in a data
 * template (a flow, not an interface fact).
 */
static void
test_interfaces_varlen(void)
{
	static const fspec opts[] = {{14, 2, 0}, {82, 65535, PEN_X}, {82, 65535, 0}, {83, 65535, 0}};
	static const fspec data[] = {{8, 4, 0}, {10, 4, 0}, {82, 65535, 0}};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	char		want[GF_IF_DESCRIPTION_MAX];
	size_t		s;
	int			i;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 3);
	add_options_template(&pkt, 400, opts, 4, 1);
	s = pb_set_begin(&pkt, 400);
	/* 1: short forms */
	pb_u16(&pkt, 5);
	pb_u8(&pkt, 6);
	pb_bytes(&pkt, "vendor", 6);
	pb_u8(&pkt, 4);
	pb_bytes(&pkt, "eth5", 4);
	pb_u8(&pkt, 11);
	pb_bytes(&pkt, "to router 2", 11);
	/* 2: a 300-byte description in the 3-byte form, an empty name */
	pb_u16(&pkt, 6);
	pb_u8(&pkt, 0);
	pb_u8(&pkt, 0);
	pb_u8(&pkt, 255);
	pb_u16(&pkt, 300);
	for (i = 0; i < 300; i++)
		pb_u8(&pkt, 'a' + i % 26);
	/* 3: the enterprise field only: nothing to learn */
	pb_u16(&pkt, 7);
	pb_u8(&pkt, 4);
	pb_bytes(&pkt, "eth7", 4);
	pb_u8(&pkt, 0);
	pb_u8(&pkt, 0);
	pb_set_end(&pkt, s);
	add_template(&pkt, 401, data, 3);
	s = pb_set_begin(&pkt, 401);
	pb_ip4(&pkt, 1, 1, 1, 1);
	pb_u32(&pkt, 8);
	pb_u8(&pkt, 4);
	pb_bytes(&pkt, "eth8", 4);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].in_if, 8);
	CHECK_EQ_U64(col.n_if, 2);
	CHECK_EQ_U64(col.n_if_bad, 0);
	CHECK_EQ_U64(CNT(d)->nf_options_records, 3);
	CHECK_EQ_U64(CNT(d)->interface_records, 2);
	CHECK_EQ_U64(col.ifs[0].domain, 3);
	CHECK_EQ_U64(col.ifs[0].if_index, 5);
	CHECK_STR(col.ifs[0].name, "eth5");
	CHECK_STR(col.ifs[0].description, "to router 2");
	CHECK_EQ_U64(col.ifs[1].if_index, 6);
	CHECK(!col.ifs[1].has_name && col.ifs[1].has_description);
	for (i = 0; i < GF_IF_DESCRIPTION_MAX - 1; i++)
		want[i] = (char) ('a' + i % 26);
	want[GF_IF_DESCRIPTION_MAX - 1] = 0;
	CHECK_STR(col.ifs[1].description, want);

	/* A varlen name running past its set: the record is malformed. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 2, 3);
	s = pb_set_begin(&pkt, 400);
	pb_u16(&pkt, 9);
	pb_u8(&pkt, 0);
	pb_u8(&pkt, 200);
	pb_bytes(&pkt, "eth9", 4);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_ERR_TRUNCATED);
	CHECK_EQ_U64(col.n_if, 0);
	gf_decoder_free(d);
}

int
main(void)
{
	test_basic();
	test_times();
	test_enterprise_varlen();
	test_withdraw_redefine();
	test_sampling();
	test_field_mapping();
	test_malformed();
	test_sysuptime_wrap();
	test_clock_skew();
	test_interfaces_xr();
	test_interfaces_varlen();
	UNIT_MAIN_END();
}
