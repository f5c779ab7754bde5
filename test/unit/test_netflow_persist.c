/*
 * test_netflow_persist.c
 *    Saving and restoring NetFlow v9 / IPFIX state (netflow_persist.h):
 *    a decoder learns templates, sampling rates and an init time from
 *    hand-built datagrams, they are exported, imported into a fresh
 *    decoder, and a data-only datagram then decodes there at once, with
 *    values worked out by hand.  Serialized bytes are checked against the
 *    format written out by hand; corrupted blobs must be refused, counted,
 *    and leave nothing behind.
 */
#include "unit.h"
#include "nf_packet_builder.h"
#include "netflow_persist.h"

#define CNT(d) gf_decoder_counters(d)
#define SECS 1700000000u
#define PEN_X 9
#define MAX_SAVED 32

static pb	pkt;
static collect col;

/* ---- a small store of exported entries, as the adapter would keep ---- */

typedef struct saved_tpl
{
	gf_template_blob b;
	uint8_t		bytes[512];
} saved_tpl;

typedef struct saved
{
	int			n_tpl;
	saved_tpl	tpl[MAX_SAVED];
	int			n_smp;
	gf_sampling_blob smp[MAX_SAVED];
} saved;

static void
save_tpl(void *arg, const gf_template_blob *t)
{
	saved	   *s = arg;
	saved_tpl  *o;

	if (s->n_tpl >= MAX_SAVED || t->len > sizeof(o->bytes))
	{
		CHECK(!"too many or too large templates for the test store");
		return;
	}
	o = &s->tpl[s->n_tpl++];
	o->b = *t;
	memcpy(o->bytes, t->bytes, t->len);
	o->b.bytes = o->bytes;
}

static void
save_smp(void *arg, const gf_sampling_blob *b)
{
	saved	   *s = arg;

	if (s->n_smp >= MAX_SAVED)
	{
		CHECK(!"too many sampling entries for the test store");
		return;
	}
	s->smp[s->n_smp++] = *b;
}

static void
export_all(gf_decoder *d, uint64_t since, saved *s)
{
	memset(s, 0, sizeof(*s));
	CHECK_EQ_U64(gf_decoder_export_templates(d, since, save_tpl, s), GF_OK);
	gf_decoder_export_sampling(d, since, save_smp, s);
}

static const saved_tpl *
find_tpl(const saved *s, uint32_t version, uint32_t id)
{
	int			i;

	for (i = 0; i < s->n_tpl; i++)
		if (s->tpl[i].b.version == version && s->tpl[i].b.template_id == id)
			return &s->tpl[i];
	return NULL;
}

static void
import_all(gf_decoder *d, const saved *s)
{
	gf_error	err;
	int			i;

	for (i = 0; i < s->n_tpl; i++)
	{
		CHECK_EQ_U64(gf_decoder_import_template(d, &s->tpl[i].b, &err), GF_OK);
		if (err.code != GF_OK)
			fprintf(stderr, "import: %s\n", err.msg);
	}
	for (i = 0; i < s->n_smp; i++)
		CHECK_EQ_U64(gf_decoder_import_sampling(d, &s->smp[i], &err), GF_OK);
}

/* ---- datagrams --------------------------------------------------------- */

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
ipfix_template(pb *p, uint16_t id, const fspec *f, int n, int n_scope)
{
	size_t		s = pb_set_begin(p, n_scope ? 3 : 2);

	pb_u16(p, id);
	pb_u16(p, n);
	if (n_scope)
		pb_u16(p, n_scope);
	put_fields(p, f, n);
	pb_set_end(p, s);
}

/*
 * Data template 256: addresses, octets, an enterprise field, a
 * variable-length field, the selector id and sysUpTime times.
 */
static const fspec ipfix_data[] = {
	{8, 4, 0}, {12, 4, 0}, {1, 8, 0}, {5, 2, PEN_X}, {1000, 65535, 0},
	{302, 4, 0}, {22, 4, 0}, {21, 4, 0}
};
/* Selector 1: interval 1, space 99 -> 1 in 100. */
static const fspec sel_opts[] = {{302, 4, 0}, {305, 4, 0}, {306, 4, 0}};
/* systemInitTimeMilliseconds of the domain. */
static const fspec init_opts[] = {{149, 4, 0}, {160, 8, 0}};

#define INIT_MS UINT64_C(1699990000000)

static void
ipfix_learn(pb *p, uint32_t domain, uint32_t space)
{
	size_t		s;

	pb_reset(p);
	pb_ipfix_header(p, SECS, 1, domain);
	ipfix_template(p, 256, ipfix_data, 8, 0);
	ipfix_template(p, 300, sel_opts, 3, 1);
	ipfix_template(p, 301, init_opts, 2, 1);
	s = pb_set_begin(p, 300);
	pb_u32(p, 1);
	pb_u32(p, 1);
	pb_u32(p, space);
	pb_set_end(p, s);
	s = pb_set_begin(p, 301);
	pb_u32(p, domain);
	pb_u64(p, INIT_MS);
	pb_set_end(p, s);
	pb_ipfix_end(p);
}

static void
ipfix_data_only(pb *p, uint32_t domain)
{
	size_t		s;

	pb_reset(p);
	pb_ipfix_header(p, SECS, 2, domain);
	s = pb_set_begin(p, 256);
	pb_ip4(p, 10, 0, 0, 1);
	pb_ip4(p, 10, 0, 0, 2);
	pb_u64(p, 1500);
	pb_u16(p, 0xbeef);
	pb_u8(p, 3);
	pb_bytes(p, "abc", 3);
	pb_u32(p, 1);
	pb_u32(p, 5000);
	pb_u32(p, 6000);
	pb_set_end(p, s);
	pb_ipfix_end(p);
}

/* What ipfix_data_only must give once everything is known. */
static void
check_ipfix_flow(const gf_flow *f)
{
	char		buf[64];

	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "10.0.0.1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "10.0.0.2");
	CHECK_EQ_U64(f->bytes, 1500);
	CHECK_EQ_U64(f->observation_domain_id, 5);
	/* selector 1: (1 + 99) / 1 */
	CHECK_EQ_U64(f->sampling_rate, 100);
	/* init time + 5000 ms, + 6000 ms */
	CHECK_EQ_U64(f->time_flow_start_ns, INIT_MS * 1000000 + UINT64_C(5000000000));
	CHECK_EQ_U64(f->time_flow_end_ns, INIT_MS * 1000000 + UINT64_C(6000000000));
}

/* v9: data template 260, options template 261 (scope system, rate). */
static void
v9_learn(pb *p, uint32_t rate)
{
	size_t		s;

	pb_reset(p);
	pb_v9_header(p, 3, 1000, SECS, 1, 7);
	s = pb_set_begin(p, 0);
	pb_u16(p, 260);
	pb_u16(p, 3);
	pb_u16(p, 8);
	pb_u16(p, 4);
	pb_u16(p, 12);
	pb_u16(p, 4);
	pb_u16(p, 1);
	pb_u16(p, 4);
	pb_set_end(p, s);
	s = pb_set_begin(p, 1);
	pb_u16(p, 261);
	pb_u16(p, 4);				/* scope bytes: one field */
	pb_u16(p, 4);				/* option bytes: one field */
	pb_u16(p, 1);				/* scope: system */
	pb_u16(p, 4);
	pb_u16(p, 34);				/* SAMPLING_INTERVAL */
	pb_u16(p, 4);
	pb_set_end(p, s);
	s = pb_set_begin(p, 261);
	pb_u32(p, 0);
	pb_u32(p, rate);
	pb_set_end(p, s);
}

static void
v9_data_only(pb *p)
{
	size_t		s;

	pb_reset(p);
	pb_v9_header(p, 1, 2000, SECS, 2, 7);
	s = pb_set_begin(p, 260);
	pb_ip4(p, 172, 16, 0, 1);
	pb_ip4(p, 172, 16, 0, 2);
	pb_u32(p, 777);
	pb_set_end(p, s);
}

/* ---- tests ------------------------------------------------------------- */

static void
test_round_trip(void)
{
	gf_decoder *a = gf_decoder_new(NULL);
	gf_decoder *b = gf_decoder_new(NULL);
	gf_decoder *cold = gf_decoder_new(NULL);
	static saved s;
	const saved_tpl *t;
	gf_error	err;
	char		buf[64];
	int			i;
	int			n_rate = 0;
	int			n_init = 0;

	ipfix_learn(&pkt, 5, 99);
	CHECK_EQ_U64(pb_decode(a, &pkt, &col, &err), GF_OK);
	v9_learn(&pkt, 64);
	CHECK_EQ_U64(pb_decode_from(a, &pkt, 2, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(gf_decoder_template_count(a), 5);

	export_all(a, 0, &s);
	CHECK_EQ_U64(s.n_tpl, 5);

	/*
	 * Template 256 by hand: format 1, 8 fields, 0 scope, then id/len pairs;
	 * the enterprise field is 0x8005, len 2, PEN 9.
	 */
	t = find_tpl(&s, 10, 256);
	CHECK(t != NULL);
	if (t)
	{
		static const uint8_t want[] = {
			1, 0, 8, 0, 0,
			0, 8, 0, 4, 0, 12, 0, 4, 0, 1, 0, 8,
			0x80, 5, 0, 2, 0, 0, 0, 9,
			0x03, 0xe8, 0xff, 0xff, 0x01, 0x2e, 0, 4, 0, 22, 0, 4, 0, 21, 0, 4
		};

		CHECK_EQ_U64(t->b.len, sizeof(want));
		CHECK(t->b.len == sizeof(want) && memcmp(t->bytes, want, sizeof(want)) == 0);
		CHECK(!t->b.options);
		CHECK_EQ_U64(t->b.domain, 5);
		CHECK_EQ_U64(t->b.received_ns, TEST_TIME_RECEIVED_NS);
		CHECK_STR(gf_addr_format(&t->b.exporter, buf, sizeof(buf)), "192.0.2.1");
	}
	/* Options template 300: 3 fields, 1 scope field. */
	t = find_tpl(&s, 10, 300);
	CHECK(t != NULL);
	if (t)
	{
		static const uint8_t want[] = {
			1, 0, 3, 0, 1, 0x01, 0x2e, 0, 4, 0x01, 0x31, 0, 4, 0x01, 0x32, 0, 4
		};

		CHECK(t->b.options);
		CHECK(t->b.len == sizeof(want) && memcmp(t->bytes, want, sizeof(want)) == 0);
	}
	/* v9 options template 261: scope "system" (type 1) then 34. */
	t = find_tpl(&s, 9, 261);
	CHECK(t != NULL);
	if (t)
	{
		static const uint8_t want[] = {1, 0, 2, 0, 1, 0, 1, 0, 4, 0, 34, 0, 4};

		CHECK(t->b.options);
		CHECK_EQ_U64(t->b.domain, 7);
		CHECK(t->b.len == sizeof(want) && memcmp(t->bytes, want, sizeof(want)) == 0);
	}

	/* Sampling: IPFIX selector 1 rate 100, v9 domain rate 64, init time. */
	for (i = 0; i < s.n_smp; i++)
	{
		const gf_sampling_blob *m = &s.smp[i];

		if (m->has_rate && m->version == 10)
		{
			CHECK(m->has_sampler);
			CHECK_EQ_U64(m->sampler_id, 1);
			CHECK_EQ_U64(m->rate, 100);
			n_rate++;
		}
		else if (m->has_rate && m->version == 9)
		{
			CHECK(!m->has_sampler);
			CHECK_EQ_U64(m->rate, 64);
			CHECK_EQ_U64(m->domain, 7);
			n_rate++;
		}
		if (m->has_init_time)
		{
			CHECK_EQ_U64(m->init_ms, INIT_MS);
			CHECK(!m->has_sampler);
			n_init++;
		}
	}
	CHECK_EQ_U64(n_rate, 2);
	CHECK_EQ_U64(n_init, 1);

	/* Into a fresh decoder: data-only datagrams decode at once. */
	import_all(b, &s);
	CHECK_EQ_U64(gf_decoder_template_count(b), 5);
	CHECK_EQ_U64(CNT(b)->nf_state_imported, (uint64_t) (s.n_tpl + s.n_smp));
	CHECK_EQ_U64(CNT(b)->nf_state_import_rejected, 0);

	ipfix_data_only(&pkt, 5);
	CHECK_EQ_U64(pb_decode(a, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	check_ipfix_flow(&col.flows[0]);
	CHECK_EQ_U64(pb_decode(b, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	check_ipfix_flow(&col.flows[0]);
	CHECK_EQ_U64(CNT(b)->nf_sets_pending, 0);
	/* Without the import the same datagram only waits. */
	CHECK_EQ_U64(pb_decode(cold, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);
	CHECK_EQ_U64(CNT(cold)->nf_sets_pending, 1);
	/*
	 * An import after the data came (a template shared by another
	 * collector) releases what waited: the kept set decodes.
	 */
	{
		gf_sink		sink = {0};
		int			rounds = 0;

		col.n = 0;
		sink.flow = collect_flow;
		sink.arg = &col;
		import_all(cold, &s);
		while (gf_decoder_release(cold, TEST_TIME_RECEIVED_NS, &sink) && rounds < 10)
			rounds++;
		CHECK_EQ_U64(col.n, 1);
		if (col.n == 1)
			check_ipfix_flow(&col.flows[0]);
		CHECK_EQ_U64(CNT(cold)->nf_sets_pending_decoded, 1);
	}

	v9_data_only(&pkt);
	CHECK_EQ_U64(pb_decode_from(b, &pkt, 2, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_STR(gf_addr_format(&col.flows[0].src_addr, buf, sizeof(buf)), "172.16.0.1");
	CHECK_EQ_U64(col.flows[0].bytes, 777);
	CHECK_EQ_U64(col.flows[0].sampling_rate, 64);
	/* Another exporter address has none of it. */
	CHECK_EQ_U64(pb_decode_from(b, &pkt, 3, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 0);

	/* A second export of b gives back the same bytes (a fixed point). */
	{
		static saved s2;
		int			j;

		export_all(b, 0, &s2);
		CHECK_EQ_U64(s2.n_tpl, s.n_tpl);
		for (j = 0; j < s.n_tpl; j++)
		{
			const saved_tpl *u = find_tpl(&s2, s.tpl[j].b.version, s.tpl[j].b.template_id);

			CHECK(u && u->b.len == s.tpl[j].b.len &&
				  memcmp(u->bytes, s.tpl[j].bytes, u->b.len) == 0);
		}
	}
	gf_decoder_free(a);
	gf_decoder_free(b);
	gf_decoder_free(cold);
}

/* The state version moves on real changes only; export since it. */
static void
test_state_version(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	static saved s;
	gf_error	err;
	uint64_t	v0;
	uint64_t	v1;
	uint64_t	v2;

	v0 = gf_decoder_state_version(d);
	CHECK_EQ_U64(v0, 0);
	ipfix_learn(&pkt, 5, 99);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	v1 = gf_decoder_state_version(d);
	CHECK(v1 > v0);

	/* The same templates and options again: nothing new to save. */
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(gf_decoder_state_version(d), v1);
	export_all(d, v1, &s);
	CHECK_EQ_U64(s.n_tpl, 0);
	CHECK_EQ_U64(s.n_smp, 0);

	/* A new rate (space 49: 1 in 50): only that entry is new. */
	ipfix_learn(&pkt, 5, 49);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	v2 = gf_decoder_state_version(d);
	CHECK(v2 > v1);
	export_all(d, v1, &s);
	CHECK_EQ_U64(s.n_tpl, 0);
	CHECK_EQ_U64(s.n_smp, 1);
	CHECK_EQ_U64(s.smp[0].rate, 50);

	/* A redefined template is new; the others are not. */
	{
		static const fspec other[] = {{8, 4, 0}, {1, 4, 0}};

		pb_reset(&pkt);
		pb_ipfix_header(&pkt, SECS, 3, 5);
		ipfix_template(&pkt, 256, other, 2, 0);
		pb_ipfix_end(&pkt);
		CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	}
	CHECK(gf_decoder_state_version(d) > v2);
	export_all(d, v2, &s);
	CHECK_EQ_U64(s.n_tpl, 1);
	CHECK_EQ_U64(s.tpl[0].b.template_id, 256);
	CHECK_EQ_U64(s.tpl[0].b.len, 5 + 2 * 4);

	/* A withdrawal changes the state too. */
	v2 = gf_decoder_state_version(d);
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 4, 5);
	{
		size_t		at = pb_set_begin(&pkt, 2);

		pb_u16(&pkt, 256);
		pb_u16(&pkt, 0);
		pb_set_end(&pkt, at);
	}
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK(gf_decoder_state_version(d) > v2);
	CHECK_EQ_U64(gf_decoder_template_count(d), 2);
	gf_decoder_free(d);
}

/* A template from the wire is never overwritten by a saved one. */
static void
test_wire_wins(void)
{
	static const uint8_t one_field[] = {1, 0, 1, 0, 0, 0, 1, 0, 4};	/* octets, 4 */
	static const uint8_t two_fields[] = {1, 0, 2, 0, 0, 0, 8, 0, 4, 0, 1, 0, 4};
	static const uint8_t three_fields[] = {1, 0, 3, 0, 0, 0, 8, 0, 4, 0, 12, 0, 4,
	0, 1, 0, 4};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_template_blob b;
	gf_error	err;
	uint8_t		a4[4] = {192, 0, 2, 1};
	char		buf[64];
	size_t		s;

	memset(&b, 0, sizeof(b));
	gf_addr_set_v4(&b.exporter, a4);
	b.version = 10;
	b.domain = 5;
	b.template_id = 256;

	/* Saved rows, newer wins among them. */
	b.bytes = one_field;
	b.len = sizeof(one_field);
	b.received_ns = 20;
	CHECK_EQ_U64(gf_decoder_import_template(d, &b, &err), GF_OK);
	b.bytes = two_fields;
	b.len = sizeof(two_fields);
	b.received_ns = 10;
	CHECK_EQ_U64(gf_decoder_import_template(d, &b, &err), GF_OK);	/* older: kept */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 5);
	s = pb_set_begin(&pkt, 256);
	pb_u32(&pkt, 4242);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].bytes, 4242);

	/* The wire redefines it: the saved layout is gone for good. */
	{
		static const fspec wire[] = {{8, 4, 0}, {1, 4, 0}};

		pb_reset(&pkt);
		pb_ipfix_header(&pkt, SECS, 2, 5);
		ipfix_template(&pkt, 256, wire, 2, 0);
		s = pb_set_begin(&pkt, 256);
		pb_ip4(&pkt, 10, 9, 8, 7);
		pb_u32(&pkt, 99);
		pb_set_end(&pkt, s);
		pb_ipfix_end(&pkt);
		CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
		CHECK_EQ_U64(col.n, 1);
		CHECK_EQ_U64(col.flows[0].bytes, 99);
	}
	b.bytes = three_fields;
	b.len = sizeof(three_fields);
	b.received_ns = UINT64_MAX;	/* even a "newer" saved row loses */
	CHECK_EQ_U64(gf_decoder_import_template(d, &b, &err), GF_OK);
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 3, 5);
	s = pb_set_begin(&pkt, 256);
	pb_ip4(&pkt, 10, 9, 8, 6);
	pb_u32(&pkt, 98);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(col.flows[0].bytes, 98);
	CHECK_STR(gf_addr_format(&col.flows[0].src_addr, buf, sizeof(buf)), "10.9.8.6");

	/* A saved rate does not replace one learnt from options data. */
	{
		gf_sampling_blob m;

		ipfix_learn(&pkt, 6, 99);	/* selector 1: 1 in 100, domain 6 */
		CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
		memset(&m, 0, sizeof(m));
		m.exporter = b.exporter;
		m.version = 10;
		m.domain = 6;
		m.has_sampler = true;
		m.sampler_id = 1;
		m.has_rate = true;
		m.rate = 7;
		CHECK_EQ_U64(gf_decoder_import_sampling(d, &m, &err), GF_OK);
		ipfix_data_only(&pkt, 6);
		CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
		CHECK_EQ_U64(col.n, 1);
		CHECK_EQ_U64(col.flows[0].sampling_rate, 100);
	}
	gf_decoder_free(d);
}

typedef struct bad_blob
{
	const char *what;
	uint32_t	version;
	uint32_t	template_id;
	uint64_t	domain;
	bool		options;
	uint8_t		family;
	const uint8_t *bytes;
	size_t		len;
	gf_rc		want;
	const char *msg_part;
} bad_blob;

static void
test_corrupt(void)
{
	static const uint8_t ok[] = {1, 0, 1, 0, 0, 0, 1, 0, 4};
	static const uint8_t hdr_short[] = {1, 0, 1};
	static const uint8_t format2[] = {2, 0, 1, 0, 0, 0, 1, 0, 4};
	static const uint8_t no_fields[] = {1, 0, 0, 0, 0};
	static const uint8_t huge_count[] = {1, 0xff, 0xff, 0, 0, 0, 1, 0, 4};
	static const uint8_t over_max[] = {1, 0x02, 0x01, 0, 0, 0, 1, 0, 4};	/* 513 */
	static const uint8_t cut_field[] = {1, 0, 2, 0, 0, 0, 1, 0, 4, 0, 2, 0};
	static const uint8_t cut_pen[] = {1, 0, 1, 0, 0, 0x80, 1, 0, 4, 0, 0};
	static const uint8_t trailing[] = {1, 0, 1, 0, 0, 0, 1, 0, 4, 0};
	static const uint8_t zero_len[] = {1, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0};
	static const uint8_t too_long[] = {1, 0, 2, 0, 0, 0, 1, 0xff, 0xfe, 0, 2, 0, 2};
	static const uint8_t data_scope[] = {1, 0, 1, 0, 1, 0, 1, 0, 4};
	static const uint8_t scope_over[] = {1, 0, 1, 0, 2, 0, 1, 0, 4};
	static const uint8_t ent_bit[] = {1, 0, 1, 0, 0, 0x80, 1, 0, 4, 0, 0, 0, 9};
	static const bad_blob bad[] = {
		{"short header", 10, 256, 5, false, 4, hdr_short, sizeof(hdr_short), GF_ERR_TRUNCATED, "5-byte header"},
		{"empty", 10, 256, 5, false, 4, ok, 0, GF_ERR_TRUNCATED, "5-byte header"},
		{"no bytes", 10, 256, 5, false, 4, NULL, 9, GF_ERR_TRUNCATED, "no bytes"},
		{"format 2", 10, 256, 5, false, 4, format2, sizeof(format2), GF_ERR_VERSION, "format"},
		{"zero fields", 10, 256, 5, false, 4, no_fields, sizeof(no_fields), GF_ERR_TEMPLATE, "no fields"},
		{"huge count", 10, 256, 5, false, 4, huge_count, sizeof(huge_count), GF_ERR_LIMIT, "max_template_fields"},
		{"over max", 10, 256, 5, false, 4, over_max, sizeof(over_max), GF_ERR_LIMIT, "max_template_fields"},
		{"cut field", 10, 256, 5, false, 4, cut_field, sizeof(cut_field), GF_ERR_TRUNCATED, "field count needs"},
		{"cut pen", 10, 256, 5, false, 4, cut_pen, sizeof(cut_pen), GF_ERR_TRUNCATED, "past the end"},
		{"trailing", 10, 256, 5, false, 4, trailing, sizeof(trailing), GF_ERR_LENGTH, "follow"},
		{"zero length", 10, 256, 5, false, 4, zero_len, sizeof(zero_len), GF_ERR_TEMPLATE, "0 bytes"},
		{"too long", 10, 256, 5, false, 4, too_long, sizeof(too_long), GF_ERR_TEMPLATE, "longer than"},
		{"data scope", 10, 256, 5, false, 4, data_scope, sizeof(data_scope), GF_ERR_TEMPLATE, "scope"},
		{"scope over", 10, 256, 5, true, 4, scope_over, sizeof(scope_over), GF_ERR_TEMPLATE, "scope"},
		{"ipfix no scope", 10, 256, 5, true, 4, ok, sizeof(ok), GF_ERR_TEMPLATE, "scope"},
		{"v9 enterprise", 9, 256, 5, false, 4, ent_bit, sizeof(ent_bit), GF_ERR_TEMPLATE, "enterprise"},
		{"id 255", 10, 255, 5, false, 4, ok, sizeof(ok), GF_ERR_TEMPLATE, "template id"},
		{"id 65536", 10, 65536, 5, false, 4, ok, sizeof(ok), GF_ERR_TEMPLATE, "template id"},
		{"version 8", 8, 256, 5, false, 4, ok, sizeof(ok), GF_ERR_TEMPLATE, "version"},
		{"family 0", 10, 256, 5, false, 0, ok, sizeof(ok), GF_ERR_TEMPLATE, "address"},
		{"domain 2^32", 10, 256, UINT64_C(4294967296), false, 4, ok, sizeof(ok), GF_ERR_TEMPLATE, "domain"},
	};
	gf_decoder *d = gf_decoder_new(NULL);
	gf_template_blob b;
	gf_error	err;
	uint8_t		a4[4] = {192, 0, 2, 1};
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		memset(&b, 0, sizeof(b));
		if (bad[i].family == 4)
			gf_addr_set_v4(&b.exporter, a4);
		b.version = bad[i].version;
		b.template_id = bad[i].template_id;
		b.domain = bad[i].domain;
		b.options = bad[i].options;
		b.bytes = bad[i].bytes;
		b.len = bad[i].len;
		if (gf_decoder_import_template(d, &b, &err) != bad[i].want)
			fprintf(stderr, "bad blob \"%s\": rc %d, %s\n", bad[i].what, err.code, err.msg);
		CHECK_EQ_U64(err.code, bad[i].want);
		CHECK(strstr(err.msg, "refused") != NULL);
		if (strstr(err.msg, bad[i].msg_part) == NULL)
		{
			fprintf(stderr, "bad blob \"%s\": message \"%s\" lacks \"%s\"\n",
					bad[i].what, err.msg, bad[i].msg_part);
			CHECK(!"error message");
		}
	}
	CHECK_EQ_U64(CNT(d)->nf_state_import_rejected, sizeof(bad) / sizeof(bad[0]));
	CHECK_EQ_U64(CNT(d)->nf_state_imported, 0);
	CHECK_EQ_U64(gf_decoder_template_count(d), 0);
	CHECK_EQ_U64(gf_decoder_state_version(d), 0);

	/* The "ok" blob itself is fine, as a v9 options template without scope. */
	memset(&b, 0, sizeof(b));
	gf_addr_set_v4(&b.exporter, a4);
	b.version = 9;
	b.template_id = 256;
	b.options = true;
	b.bytes = ok;
	b.len = sizeof(ok);
	CHECK_EQ_U64(gf_decoder_import_template(d, &b, &err), GF_OK);
	CHECK_EQ_U64(gf_decoder_template_count(d), 1);
	gf_decoder_free(d);

	/* Bad sampling entries. */
	{
		gf_sampling_blob m;
		gf_decoder *e = gf_decoder_new(NULL);
		int			k;

		for (k = 0; k < 6; k++)
		{
			memset(&m, 0, sizeof(m));
			gf_addr_set_v4(&m.exporter, a4);
			m.version = 10;
			m.has_rate = true;
			m.rate = 10;
			switch (k)
			{
				case 0:
					m.rate = 0;
					break;
				case 1:
					m.sampler_id = 3;	/* without has_sampler */
					break;
				case 2:
					m.has_sampler = true;
					m.has_init_time = true;
					break;
				case 3:
					m.has_rate = false;
					break;
				case 4:
					m.version = 11;
					break;
				case 5:
					m.exporter.family = 7;
					break;
			}
			CHECK_EQ_U64(gf_decoder_import_sampling(e, &m, &err), GF_ERR_TEMPLATE);
			CHECK(strstr(err.msg, "refused") != NULL);
		}
		CHECK_EQ_U64(CNT(e)->nf_state_import_rejected, 6);
		CHECK_EQ_U64(gf_decoder_state_version(e), 0);
		gf_decoder_free(e);
	}
}

/* Imports stay within max_templates and the per-exporter sampling share. */
static void
test_limits(void)
{
	static const uint8_t ok[] = {1, 0, 1, 0, 0, 0, 1, 0, 4};
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_template_blob b;
	gf_sampling_blob m;
	gf_error	err;
	uint8_t		a4[4] = {192, 0, 2, 1};

	lim.max_templates = 2;
	lim.max_exporters = 1;
	lim.max_sampling_per_exporter = 1;
	d = gf_decoder_new(&lim);
	memset(&b, 0, sizeof(b));
	gf_addr_set_v4(&b.exporter, a4);
	b.version = 10;
	b.bytes = ok;
	b.len = sizeof(ok);
	b.template_id = 256;
	CHECK_EQ_U64(gf_decoder_import_template(d, &b, &err), GF_OK);
	b.template_id = 257;
	CHECK_EQ_U64(gf_decoder_import_template(d, &b, &err), GF_OK);
	b.template_id = 258;
	CHECK_EQ_U64(gf_decoder_import_template(d, &b, &err), GF_ERR_LIMIT);
	CHECK(strstr(err.msg, "max_templates") != NULL);
	CHECK_EQ_U64(gf_decoder_template_count(d), 2);

	memset(&m, 0, sizeof(m));
	m.exporter = b.exporter;
	m.version = 10;
	m.has_rate = true;
	m.rate = 10;
	CHECK_EQ_U64(gf_decoder_import_sampling(d, &m, &err), GF_OK);
	m.domain = 2;
	CHECK_EQ_U64(gf_decoder_import_sampling(d, &m, &err), GF_ERR_LIMIT);
	CHECK_EQ_U64(CNT(d)->nf_state_import_rejected, 2);
	CHECK_EQ_U64(CNT(d)->nf_state_imported, 3);
	gf_decoder_free(d);
}

int
main(void)
{
	test_round_trip();
	test_state_version();
	test_wire_wins();
	test_corrupt();
	test_limits();
	UNIT_MAIN_END();
}
