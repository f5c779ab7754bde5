/*
 * test_netflow_hardening.c
 *    The NetFlow v9 / IPFIX state under hostile input: every bound is
 *    checked as a count of work or of things kept (probes, records handed
 *    out per call, templates held), never as a time, so the tests say the
 *    same on a loaded machine.  Each test builds the attack from bytes and
 *    states by hand what a bounded decoder must do with it.
 */
#include "unit.h"
#include "nf_packet_builder.h"
#include "netflow_hash.h"
#include "netflow_state.h"

#define CNT(d) gf_decoder_counters(d)
#define SECS 1700000000u
#define NS_PER_SEC UINT64_C(1000000000)

static pb	pkt;
static collect col;

/* Per-exporter figures, found by address in the decoder's table. */
typedef struct find_exporter
{
	gf_addr		addr;
	gf_exporter_stats st;
	int			found;
	int			n;
} find_exporter;

static void
find_exporter_cb(void *arg, const gf_exporter_stats *s)
{
	find_exporter *f = arg;

	f->n++;
	if (memcmp(&s->exporter, &f->addr, sizeof(gf_addr)) == 0)
	{
		f->st = *s;
		f->found = 1;
	}
}

static find_exporter
exporter_of(gf_decoder *d, int host)
{
	find_exporter f;
	uint8_t		a[4] = {192, 0, 2, (uint8_t) host};

	memset(&f, 0, sizeof(f));
	gf_addr_set_v4(&f.addr, a);
	gf_decoder_exporters(d, find_exporter_cb, &f);
	return f;
}

/* An IPFIX template of one 4-byte field (IE 8, source address). */
static void
add_tiny_template(pb *p, uint16_t id)
{
	size_t		s = pb_set_begin(p, 2);

	pb_u16(p, id);
	pb_u16(p, 1);
	pb_u16(p, 8);
	pb_u16(p, 4);
	pb_set_end(p, s);
}

/* The published SipHash-2-4 vectors: key 00..0f, messages 00.. of n bytes. */
static void
test_siphash_vectors(void)
{
	gf_hash_key key = {UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908)};
	uint8_t		msg[15];
	int			i;
	gf_hash_key a;
	gf_hash_key b;

	for (i = 0; i < 15; i++)
		msg[i] = (uint8_t) i;
	CHECK_EQ_U64(gf_siphash(&key, msg, 0), UINT64_C(0x726fdb47dd0e0e31));
	CHECK_EQ_U64(gf_siphash(&key, msg, 15), UINT64_C(0xa129ca6149be45e5));
	/* Two decoders never share a key (2^-128 chance of a false failure). */
	gf_hash_key_random(&a);
	gf_hash_key_random(&b);
	CHECK(a.k0 != b.k0 || a.k1 != b.k1);
}

/*
 * A withdraw-all storm against a full table: each record may cost a
 * look-up, not a walk over the templates of other scopes.
 */
static void
test_withdraw_all_storm(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	uint64_t	probes_before;
	uint64_t	probes;
	int			dom;
	int			i;
	int			n_records = 0;

	/* 1000 templates over 50 domains (observation domains are scopes). */
	for (dom = 1; dom <= 50; dom++)
	{
		pb_reset(&pkt);
		pb_ipfix_header(&pkt, SECS, 1, (uint32_t) dom);
		for (i = 0; i < 20; i++)
			add_tiny_template(&pkt, (uint16_t) (256 + i));
		pb_ipfix_end(&pkt);
		CHECK_EQ_U64(pb_decode(d, &pkt, NULL, &err), GF_OK);
	}
	CHECK_EQ_U64(CNT(d)->nf_templates_added, 1000);

	/* Domain 99 holds nothing: a datagram full of withdraw-all records. */
	probes_before = gf_nf_templates_probes(d->nf->templates);
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 2, 99);
	while (pkt.n + 8 <= 65000)
	{
		size_t		s = pb_set_begin(&pkt, 2);

		pb_u16(&pkt, 2);
		pb_u16(&pkt, 0);
		pb_set_end(&pkt, s);
		n_records++;
	}
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, NULL, &err), GF_OK);
	probes = gf_nf_templates_probes(d->nf->templates) - probes_before;
	/* A keyed table of >= 1024 buckets: a few probes per record at most. */
	CHECK(probes <= (uint64_t) n_records * 4);
	CHECK_EQ_U64(CNT(d)->nf_templates_withdrawn, 0);
	CHECK_EQ_U64(gf_nf_templates_count(d->nf->templates), 1000);

	/* Withdraw-all of domain 7 removes its 20 and nothing else. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 3, 7);
	{
		size_t		s = pb_set_begin(&pkt, 2);

		pb_u16(&pkt, 2);
		pb_u16(&pkt, 0);
		pb_set_end(&pkt, s);
	}
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, NULL, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_templates_withdrawn, 20);
	CHECK_EQ_U64(gf_nf_templates_count(d->nf->templates), 980);
	CHECK_EQ_U64(exporter_of(d, 1).st.templates, 980);
	gf_decoder_free(d);
}

/* One exporter at its template limit cannot stop another from decoding. */
static void
test_template_limit_per_exporter(void)
{
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_error	err;
	find_exporter a;
	find_exporter b;
	size_t		s;
	int			i;

	lim.max_templates_per_exporter = 100;
	lim.max_templates = 150;
	d = gf_decoder_new(&lim);
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	for (i = 0; i < 300; i++)
		add_tiny_template(&pkt, (uint16_t) (256 + i));
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 66, 0, NULL, &err), GF_ERR_LIMIT);
	CHECK(strstr(err.msg, "max_templates_per_exporter") != NULL);
	a = exporter_of(d, 66);
	CHECK_EQ_U64(a.st.templates, 100);
	CHECK_EQ_U64(a.st.templates_refused, 200);
	CHECK_EQ_U64(CNT(d)->nf_templates_rejected, 200);

	/* Exporter .1 still has room, and its data decodes. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_tiny_template(&pkt, 300);
	s = pb_set_begin(&pkt, 300);
	pb_ip4(&pkt, 10, 0, 0, 1);
	pb_ip4(&pkt, 10, 0, 0, 2);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	b = exporter_of(d, 1);
	CHECK_EQ_U64(b.st.templates, 1);
	CHECK_EQ_U64(b.st.templates_refused, 0);
	gf_decoder_free(d);
}

/*
 * Spoofed exporters fill the global table: a late exporter still gets its
 * template, which pushes out the least recently used one.
 */
static void
test_template_totals_evict(void)
{
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_error	err;
	int			host;
	int			i;
	size_t		s;

	lim.max_templates_per_exporter = 100;
	lim.max_templates = 150;
	d = gf_decoder_new(&lim);
	for (host = 100; host < 104; host++)
	{
		pb_reset(&pkt);
		pb_ipfix_header(&pkt, SECS, 1, 1);
		for (i = 0; i < 100; i++)
			add_tiny_template(&pkt, (uint16_t) (256 + i));
		pb_ipfix_end(&pkt);
		CHECK_EQ_U64(pb_decode_from(d, &pkt, host, 0, NULL, &err), GF_OK);
	}
	CHECK_EQ_U64(gf_nf_templates_count(d->nf->templates), 150);
	CHECK_EQ_U64(CNT(d)->nf_templates_evicted, 250);
	/* The first exporters' templates went first, counted on them. */
	CHECK_EQ_U64(exporter_of(d, 100).st.templates_evicted, 100);
	CHECK_EQ_U64(exporter_of(d, 103).st.templates, 100);

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_tiny_template(&pkt, 256);
	s = pb_set_begin(&pkt, 256);
	pb_ip4(&pkt, 10, 0, 0, 1);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, 0, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK_EQ_U64(exporter_of(d, 1).st.templates, 1);
	gf_decoder_free(d);
}

/* Template bytes are bounded per exporter too (512-field templates). */
static void
test_template_bytes_per_exporter(void)
{
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_error	err;
	size_t		s;
	int			t;
	int			i;

	/* 40 kB: nine 512-field templates of 4 kB each, not ten. */
	lim.template_bytes_per_exporter = 40000;
	d = gf_decoder_new(&lim);
	for (t = 0; t < 20; t++)
	{
		pb_reset(&pkt);
		pb_ipfix_header(&pkt, SECS, 1, 1);
		s = pb_set_begin(&pkt, 2);
		pb_u16(&pkt, 256 + t);
		pb_u16(&pkt, 512);
		for (i = 0; i < 512; i++)
		{
			pb_u16(&pkt, 1);
			pb_u16(&pkt, 4);
		}
		pb_set_end(&pkt, s);
		pb_ipfix_end(&pkt);
		pb_decode(d, &pkt, NULL, &err);
	}
	CHECK(exporter_of(d, 1).st.template_bytes <= 40000);
	CHECK(exporter_of(d, 1).st.templates >= 8);
	CHECK_EQ_U64(exporter_of(d, 1).st.templates + exporter_of(d, 1).st.templates_refused, 20);
	gf_decoder_free(d);
}

/* Zero-length fields are dropped when the template is stored. */
static void
test_zero_length_fields(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	const gf_nf_template *tpl;
	gf_nf_scope scope;
	uint8_t		a4[4] = {192, 0, 2, 1};
	gf_addr		addr;
	size_t		s;
	int			i;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 256);
	pb_u16(&pkt, 511);
	for (i = 0; i < 510; i++)
	{
		pb_u16(&pkt, 1);
		pb_u16(&pkt, 0);
	}
	pb_u16(&pkt, 4);			/* protocol, 1 byte */
	pb_u16(&pkt, 1);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 256);
	pb_u8(&pkt, 6);
	pb_u8(&pkt, 17);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 2);
	CHECK_EQ_U64(col.flows[1].proto, 17);

	gf_addr_set_v4(&addr, a4);
	gf_nf_scope_make(&scope, &addr, 10, 1);
	tpl = gf_nf_templates_find(d->nf->templates, &scope, 256);
	CHECK(tpl != NULL);
	if (tpl)
	{
		CHECK_EQ_U64(tpl->n_fields, 1);
		CHECK_EQ_U64(tpl->min_len, 1);
	}

	/* v9 options: a zero-length scope field leaves the scope count right. */
	gf_decoder_free(d);
}

/*
 * Data before its template: a megabyte of kept sets is decoded in slices
 * of GF_NF_PENDING_SLICE_BYTES, one per datagram or tick, and all of it
 * eventually.
 */
static void
test_pending_slices(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	collect		many;
	gf_sink		sink = {0};
	int			dg;
	int			per_call_max = 0;
	long		total = 0;
	int			calls = 0;
	uint64_t	kept_bytes;

	/* 16 datagrams of ~60 kB of 4-byte records: ~240 k records kept. */
	for (dg = 0; dg < 16; dg++)
	{
		size_t		s;

		pb_reset(&pkt);
		pb_ipfix_header(&pkt, SECS, (uint32_t) dg, 1);
		s = pb_set_begin(&pkt, 256);
		while (pkt.n < 60000)
			pb_ip4(&pkt, 10, 0, (dg >> 8) & 255, dg & 255);
		pb_set_end(&pkt, s);
		pb_ipfix_end(&pkt);
		CHECK_EQ_U64(pb_decode(d, &pkt, NULL, &err), GF_OK);
	}
	CHECK_EQ_U64(CNT(d)->nf_sets_pending, 16);
	kept_bytes = exporter_of(d, 1).st.pending_bytes;
	CHECK(kept_bytes > 900000);

	/* The 28-byte template datagram itself decodes none of them... */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 100, 1);
	add_tiny_template(&pkt, 256);
	pb_ipfix_end(&pkt);
	sink.flow = collect_flow;
	sink.arg = &many;
	{
		gf_datagram dgm;
		uint8_t		a4[4] = {192, 0, 2, 1};

		memset(&dgm, 0, sizeof(dgm));
		dgm.data = pkt.b;
		dgm.len = pkt.n;
		gf_addr_set_v4(&dgm.exporter, a4);
		dgm.time_received_ns = TEST_TIME_RECEIVED_NS;
		many.n = 0;
		CHECK_EQ_U64(gf_decode(d, GF_PROTO_NETFLOW, &dgm, &sink, &err), GF_OK);
		CHECK_EQ_U64(many.n, 0);
	}

	/* ... each release call hands out one slice. */
	while (exporter_of(d, 1).st.pending_bytes > 0 && calls < 100)
	{
		many.n = 0;
		(void) gf_decoder_release(d, TEST_TIME_RECEIVED_NS, &sink);
		if (many.n > per_call_max)
			per_call_max = many.n;
		total += many.n;
		calls++;
	}
	CHECK_EQ_U64(total, 16 * 14995);
	CHECK_EQ_U64(calls, 16);
	CHECK((size_t) per_call_max * 4 <= GF_NF_PENDING_SLICE_BYTES);
	CHECK_EQ_U64(CNT(d)->nf_sets_pending_decoded, 16);
	gf_decoder_free(d);
}

/* The total pending limit pushes out the oldest sets, counted on their owner. */
static void
test_pending_global_eviction(void)
{
	gf_hash_key key = {1, 2};
	gf_nf_exporters *x = gf_nf_exporters_new(16, &key);
	gf_nf_pending *p = gf_nf_pending_new(100000, 2500, x, &key);
	gf_nf_msg	msg;
	uint8_t		body[900];
	uint8_t		a4[4] = {198, 51, 100, 0};
	gf_addr		addr;
	uint32_t	evicted;
	uint32_t	total_evicted = 0;
	int			i;
	gf_nf_exporter *first;

	memset(body, 1, sizeof(body));
	for (i = 0; i < 6; i++)
	{
		a4[3] = (uint8_t) (1 + i);
		gf_addr_set_v4(&addr, a4);
		memset(&msg, 0, sizeof(msg));
		gf_nf_scope_make(&msg.scope, &addr, 10, 1);
		msg.time_received_ns = 1000 + (uint64_t) i;
		CHECK_EQ_U64(gf_nf_pending_add(p, &msg, 256, body, sizeof(body), &evicted),
					 GF_NF_PENDING_KEPT);
		total_evicted += evicted;
		CHECK(gf_nf_pending_bytes(p) <= 2500);
	}
	/* ~1000 bytes charged each: room for two, the four oldest went. */
	CHECK_EQ_U64(total_evicted, 4);
	a4[3] = 1;
	gf_addr_set_v4(&addr, a4);
	first = gf_nf_exporters_find(x, &addr);
	CHECK(first != NULL);
	if (first)
	{
		CHECK_EQ_U64(first->st.pending_evicted, 1);
		CHECK_EQ_U64(first->st.pending_bytes, 0);
	}
	gf_nf_pending_free(p);
	gf_nf_exporters_free(x);
}

/* v9 options template 257 (scope System, SAMPLING_INTERVAL 34, sampler id 48). */
static void
add_sampler_options(pb *p, int n_samplers, int first_id, uint32_t rate)
{
	size_t		s = pb_set_begin(p, 1);
	int			i;

	pb_u16(p, 257);
	pb_u16(p, 4);				/* scope bytes */
	pb_u16(p, 8);				/* option bytes */
	pb_u16(p, 1);
	pb_u16(p, 4);
	pb_u16(p, 34);
	pb_u16(p, 4);
	pb_u16(p, 48);
	pb_u16(p, 2);
	pb_set_end(p, s);
	s = pb_set_begin(p, 257);
	for (i = 0; i < n_samplers; i++)
	{
		pb_u32(p, 0);
		pb_u32(p, rate);
		pb_u16(p, (uint64_t) (first_id + i));
	}
	pb_set_end(p, s);
}

/* A sampler-id spray fills only the sprayer's share. */
static void
test_sampling_share(void)
{
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_error	err;

	lim.max_sampling_per_exporter = 10;
	d = gf_decoder_new(&lim);
	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 1, 1);
	add_sampler_options(&pkt, 500, 1, 100);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 66, 0, NULL, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_sampling_updates, 10);
	CHECK_EQ_U64(CNT(d)->nf_sampling_refused, 490);
	CHECK_EQ_U64(exporter_of(d, 66).st.sampling_entries, 10);
	CHECK_EQ_U64(exporter_of(d, 66).st.sampling_refused, 490);

	pb_reset(&pkt);
	pb_v9_header(&pkt, 2, 200000, SECS, 1, 1);
	add_sampler_options(&pkt, 1, 7, 64);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, 0, NULL, &err), GF_OK);
	CHECK_EQ_U64(CNT(d)->nf_sampling_updates, 11);
	CHECK_EQ_U64(exporter_of(d, 1).st.sampling_refused, 0);
	gf_decoder_free(d);
}

/* A silent exporter's state is dropped after exporter_idle_ms; others stay. */
static void
test_idle_expiry(void)
{
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_error	err;
	uint64_t	t0 = TEST_TIME_RECEIVED_NS;

	lim.exporter_idle_ms = 60000;
	d = gf_decoder_new(&lim);
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	add_tiny_template(&pkt, 256);
	add_tiny_template(&pkt, 257);
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 1, t0, NULL, &err), GF_OK);
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 2, t0, NULL, &err), GF_OK);
	/* .2 keeps talking at +50 s; .1 says nothing more. */
	CHECK_EQ_U64(pb_decode_from(d, &pkt, 2, t0 + 50 * NS_PER_SEC, NULL, &err), GF_OK);
	gf_decoder_expire(d, t0 + 59 * NS_PER_SEC);
	CHECK_EQ_U64(gf_nf_templates_count(d->nf->templates), 4);
	gf_decoder_expire(d, t0 + 61 * NS_PER_SEC);
	CHECK_EQ_U64(gf_nf_templates_count(d->nf->templates), 2);
	CHECK_EQ_U64(CNT(d)->nf_templates_expired, 2);
	CHECK_EQ_U64(CNT(d)->nf_exporters_expired, 1);
	CHECK(!exporter_of(d, 1).found);
	CHECK_EQ_U64(exporter_of(d, 2).st.templates, 2);
	gf_decoder_free(d);
}

/* A soft error (short IPFIX length) never hides a later hard one. */
static void
test_soft_then_hard_error(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 1);
	s = pb_set_begin(&pkt, 300);
	pb_u32(&pkt, 0);
	pb_set_end(&pkt, s);
	pb_u16(&pkt, 301);
	pb_u16(&pkt, 2);			/* set length below its header: hard */
	pb_patch16(&pkt, 2, 20);	/* message length short of the datagram */
	CHECK_EQ_U64(pb_decode(d, &pkt, NULL, &err), GF_ERR_LENGTH);
	CHECK(strstr(err.msg, "less than its 4-byte header") != NULL);
	CHECK_EQ_U64(err.offset, 26);
	gf_decoder_free(d);
}

int
main(void)
{
	test_siphash_vectors();
	test_withdraw_all_storm();
	test_template_limit_per_exporter();
	test_template_totals_evict();
	test_template_bytes_per_exporter();
	test_zero_length_fields();
	test_pending_slices();
	test_pending_global_eviction();
	test_sampling_share();
	test_idle_expiry();
	test_soft_then_hard_error();
	UNIT_MAIN_END();
}
