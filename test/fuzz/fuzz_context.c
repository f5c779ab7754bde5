/*
 * fuzz_context.c
 *    libFuzzer target for the context snapshot (context.h).  The input
 *    drives a list of entries (networks, devices, interfaces, sampling
 *    rates, over a small alphabet of addresses so that prefixes nest,
 *    exporters repeat, IPv4-mapped forms meet their IPv4 twins and
 *    duplicates happen; bad families, lengths, names, boundaries and
 *    rates too), added in input order.  The build must refuse exactly
 *    what the naive oracle (test/unit/context_oracle.h) refuses, naming
 *    the same entries, or succeed; then every view must give back what was
 *    added, and lookups driven by the rest of the input are compared with
 *    the oracle through gf_ctx_enrich, gf_ctx_enrich_many and
 *    gf_ctx_match_network, on a copy of the block at another address.
 *    A byte of the copy is then changed and gf_ctx_valid asked (no crash).
 *    With bit 1 of the mode, the block becomes the base of an overlay
 *    (context.h): networks deleted, renamed or given a more specific
 *    neighbour as the rest of the input says, and base+overlay compared
 *    with the oracle over the entries as they are then, by key.
 *    Independently the raw input is given to gf_ctx_valid (aligned, with
 *    the generation it names): no crash, and when it passes, the views
 *    must stay inside it.
 *
 *    Input: byte 0 is the mode (bit 0: a small max_bytes, so the memory
 *    limit strikes anywhere); then entries, each an op byte (op % 8: 0-2
 *    network, 3 device, 4 interface, 5 rate, 6-7 end of entries) and 2-4
 *    bytes; then 6-byte lookups.
 *
 *    Run: make build/fuzz/fuzz_context &&
 *         ./build/fuzz/fuzz_context test/fuzz/corpus_context
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "../unit/context_oracle.h"

#define FZ_MAX_ENTRIES	48
#define FZ_MAX_FLOWS	64

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fz_bases[8][16] = {
	{10, 0, 0, 0},
	{10, 1, 2, 3},
	{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3},
	{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	{0x20, 0x01, 0x0d, 0xb8, 0, 1},
	{192, 0, 2, 1},
	{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1},
	{0}
};
static const uint8_t fz_family[8] = {4, 4, 6, 6, 6, 4, 6, 6};

/* An address near one of eight bases; sel 0xF8..0xFF: no family or a bad one. */
static gf_addr
fz_addr(uint8_t sel, uint8_t var)
{
	gf_addr		a;

	memset(&a, 0, sizeof(a));
	if (sel >= 0xF8)
	{
		a.family = sel == 0xFF ? 5 : 0;
		return a;
	}
	a.family = fz_family[sel & 7];
	memcpy(a.bytes, fz_bases[sel & 7], 16);
	if (a.family == 4)
	{
		a.bytes[3] ^= var & 0x0F;
		a.bytes[1] ^= var >> 4;
	}
	else
	{
		a.bytes[15] ^= var & 0x0F;
		a.bytes[(sel & 8) ? 5 : 13] ^= var >> 4;
	}
	return a;
}

/* An exporter: none, four addresses (two spellings of one), a bad family. */
static gf_addr
fz_exporter(uint8_t sel)
{
	static const uint8_t pick[8] = {0xF8, 5, 6, 5, 3, 0, 1, 0xFF};
	uint8_t		p = pick[sel & 7];

	return fz_addr(p, (sel & 7) == 3 ? 1 : 0);
}

/* The oracle's own reading of "bad input"; 0 when the entry is good. */
static int
fz_bad_prefix(const gf_addr *a, unsigned len)
{
	return !((a->family == 4 && len <= 32) || (a->family == 6 && len <= 128));
}

typedef struct fz_state
{
	gf_ctx_network_in nets[FZ_MAX_ENTRIES];
	gf_ctx_device_in devs[FZ_MAX_ENTRIES];
	gf_ctx_interface_in ifs[FZ_MAX_ENTRIES];
	gf_ctx_rate_in rates[FZ_MAX_ENTRIES];
	uint8_t		blobs[FZ_MAX_ENTRIES][3];
	o_input		in;
	gf_ctx_kind bad_kind;		/* first bad entry by the oracle */
	uint32_t	bad_number;
} fz_state;

static void
fz_check_views(const gf_ctx_snapshot *s, const o_input *in)
{
	size_t		i;

	if (gf_ctx_network_count(s) != in->n_nets || gf_ctx_device_count(s) != in->n_devs ||
		gf_ctx_interface_count(s) != in->n_ifs || gf_ctx_rate_count(s) != in->n_rates)
		abort();
	for (i = 0; i < in->n_nets; i++)
	{
		gf_ctx_network v;
		const gf_ctx_network_in *e = &in->nets[i];

		if (!gf_ctx_get_network(s, (uint32_t) i + 1, &v) || strcmp(v.name, e->name) != 0)
			abort();
		if ((e->context.json == NULL) != (v.context.json == NULL) ||
			(e->context.json && strcmp(e->context.json, v.context.json) != 0))
			abort();
		if ((e->context.blob == NULL) != (v.context.blob == NULL) ||
			e->context.blob_len != v.context.blob_len ||
			(e->context.blob_len && memcmp(e->context.blob, v.context.blob, e->context.blob_len)))
			abort();
		if ((e->exporter.family == 0) != (v.exporter.family == 0) ||
			(e->exporter.family && !o_same_addr(&e->exporter, &v.exporter)))
			abort();
	}
	for (i = 0; i < in->n_devs; i++)
	{
		gf_ctx_device v;

		if (!gf_ctx_get_device(s, (uint32_t) i + 1, &v) ||
			!o_same_addr(&in->devs[i].exporter, &v.exporter))
			abort();
	}
	for (i = 0; i < in->n_ifs; i++)
	{
		gf_ctx_interface v;

		if (!gf_ctx_get_interface(s, (uint32_t) i + 1, &v) ||
			v.if_index != in->ifs[i].if_index || v.boundary != in->ifs[i].boundary ||
			!o_same_addr(&in->ifs[i].exporter, &v.exporter))
			abort();
	}
	for (i = 0; i < in->n_rates; i++)
	{
		gf_ctx_rate_in v;

		if (!gf_ctx_get_rate(s, (uint32_t) i + 1, &v) || v.rate != in->rates[i].rate ||
			v.is_override != in->rates[i].is_override)
			abort();
	}
	{
		gf_ctx_network v;

		if (gf_ctx_get_network(s, (uint32_t) in->n_nets + 1, &v))
			abort();
	}
}

/* The members enrichment writes agree. */
static int
fz_same(const gf_flow *a, const gf_flow *b)
{
	return a->ctx_src_network == b->ctx_src_network &&
		a->ctx_dst_network == b->ctx_dst_network && a->ctx_device == b->ctx_device &&
		a->ctx_in_if == b->ctx_in_if && a->ctx_out_if == b->ctx_out_if &&
		a->present == b->present && a->sampling_rate == b->sampling_rate &&
		a->sampling_rate_source == b->sampling_rate_source;
}

/* Flows driven by 6-byte records of the input. */
static size_t
fz_flows(const uint8_t *p, size_t n, gf_flow *flows)
{
	size_t		nf = 0;

	while (n >= 6 && nf < FZ_MAX_FLOWS)
	{
		gf_flow    *f = &flows[nf++];
		gf_addr		sampler = (p[0] & 0x80) ? fz_exporter(p[0]) : fz_addr(p[0], p[5]);

		gf_flow_init(f, GF_TYPE_SFLOW_5, 1, &sampler);
		f->src_addr = fz_addr(p[1], p[2]);
		f->dst_addr = fz_addr(p[3], (uint8_t) (p[2] * 7));
		if (p[4] & 8)
			GF_SET(f, in_if, GF_F_IN_IF, p[4] & 7);
		if (p[4] & 0x80)
			GF_SET(f, out_if, GF_F_OUT_IF, (p[4] >> 4) & 7);
		if (p[5] & 1)
			GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, (p[5] >> 1) & 3);
		if (p[5] & 0x20)
			GF_SET(f, in_if_format, GF_F_IN_IF_FORMAT, (p[5] >> 6) & 1);
		if (p[5] & 0x40)
			GF_SET(f, out_if_format, GF_F_OUT_IF_FORMAT, (p[5] >> 7) & 1);
		p += 6;
		n -= 6;
	}
	return nf;
}

static void
fz_lookups(const gf_ctx_snapshot *s, const o_input *in, const uint8_t *p, size_t n)
{
	gf_flow		flows[FZ_MAX_FLOWS];
	gf_flow		many[FZ_MAX_FLOWS];
	size_t		nf = fz_flows(p, n, flows);
	size_t		i;

	memcpy(many, flows, nf * sizeof(gf_flow));
	gf_ctx_enrich_many(s, many, nf);
	for (i = 0; i < nf; i++)
	{
		gf_flow		want = flows[i];
		gf_flow		got = flows[i];

		o_enrich(in, &want);
		gf_ctx_enrich(s, &got);
		if (!fz_same(&want, &got) || !fz_same(&want, &many[i]))
		{
			fprintf(stderr, "flow %zu: got %u %u %u %u %u rate %llu/%u, many %u %u %u %u %u, "
					"want %u %u %u %u %u rate %llu/%u\n",
					i, got.ctx_src_network, got.ctx_dst_network, got.ctx_device,
					got.ctx_in_if, got.ctx_out_if, (unsigned long long) got.sampling_rate,
					got.sampling_rate_source, many[i].ctx_src_network,
					many[i].ctx_dst_network, many[i].ctx_device, many[i].ctx_in_if,
					many[i].ctx_out_if, want.ctx_src_network, want.ctx_dst_network,
					want.ctx_device, want.ctx_in_if, want.ctx_out_if,
					(unsigned long long) want.sampling_rate, want.sampling_rate_source);
			abort();
		}
		if (gf_ctx_match_network(s, &flows[i].dst_addr, &flows[i].sampler_address) !=
			want.ctx_dst_network)
			abort();
	}
}

/*
 * A pair's network number and the oracle's entry name the same key
 * (canonical prefix and scope); numbers differ between the two.
 */
static int
fz_same_key(const gf_ctx_snapshot *pair, uint32_t got, const o_input *in, uint32_t want)
{
	gf_ctx_network v;
	const o_net *o;

	if (got == GF_CTX_NONE || want == 0)
		return got == GF_CTX_NONE && want == 0;
	if (!gf_ctx_get_network(pair, got, &v))
		return 0;
	o = &in->prep[want - 1];
	/* the oracle keeps host bits: compare the prefix's bits only */
	if (v.family != o->fam || v.prefix_len != o->len || !o_bits(v.addr, o->p, o->len))
		return 0;
	if (v.exporter.family == 0 || !o->scoped)
		return v.exporter.family == 0 && !o->scoped;
	return o_same_addr(&v.exporter, &in->nets[want - 1].exporter);
}

/*
 * The overlay path: networks of the base deleted, renamed, or given a more
 * specific neighbour, as the rest of the input says; an overlay built on
 * base; base+overlay must answer as the oracle over the current entries.
 */
static void
fz_overlay(const gf_ctx_snapshot *base, const o_input *was, const uint8_t *p, size_t n)
{
	gf_ctx_net_index *ix = gf_ctx_net_index_new(base);
	gf_ctx_network_in *cur = calloc(2 * FZ_MAX_ENTRIES + 1, sizeof(gf_ctx_network_in));
	uint8_t    *changed = calloc(2 * FZ_MAX_ENTRIES + 1, 1);
	gf_ctx_builder *b = gf_ctx_builder_new(0);
	gf_ctx_build_info info;
	gf_ctx_snapshot *ov;
	gf_ctx_pair pair;
	const gf_ctx_snapshot *v;
	o_input		in = *was;
	gf_flow		flows[FZ_MAX_FLOWS];
	gf_flow		many[FZ_MAX_FLOWS];
	size_t		nf;
	size_t		i;

	if (ix == NULL)
		abort();
	in.nets = cur;
	in.n_nets = 0;
	in.prep = calloc(2 * FZ_MAX_ENTRIES + 2, sizeof(o_net));
	gf_ctx_overlay_begin(b, ix);
	for (i = 0; i < was->n_nets; i++)
	{
		const gf_ctx_network_in *e = &was->nets[i];
		uint8_t		byte = n > 0 ? p[(i * 7) % n] : (uint8_t) i;
		int			what = (byte >> ((i % 4) * 2)) & 3;

		if (what == 1 || what == 2)
			if (!gf_ctx_overlay_change(b, ix, &e->net, e->prefix_len, &e->exporter))
				abort();
		if (what == 1)
			continue;			/* deleted */
		cur[in.n_nets] = *e;
		if (what == 2)
		{
			cur[in.n_nets].name = "renamed";
			changed[in.n_nets] = 1;
		}
		in.n_nets++;
	}
	/* then more specific neighbours, unless their key is taken by now */
	for (i = 0; i < was->n_nets; i++)
	{
		const gf_ctx_network_in *e = &was->nets[i];
		uint8_t		byte = n > 0 ? p[(i * 7) % n] : (uint8_t) i;
		int			what = (byte >> ((i % 4) * 2)) & 3;

		if (what != 3 || e->prefix_len >= (e->net.family == 4 ? 32 : 128))
			continue;
		cur[in.n_nets] = *e;
		cur[in.n_nets].prefix_len++;
		cur[in.n_nets].name = "inserted";
		if (byte & 1)
			cur[in.n_nets].net.bytes[e->net.family == 4 ? 3 : 15] ^= 1;
		o_prepare(&in);
		if (!o_net_dup_last(&in, in.n_nets))
		{
			if (!gf_ctx_overlay_change(b, ix, &cur[in.n_nets].net,
									   cur[in.n_nets].prefix_len, &cur[in.n_nets].exporter))
				abort();
			changed[in.n_nets] = 1;
			in.n_nets++;
		}
	}
	if (!gf_ctx_overlay_copy(b, ix))
		abort();
	for (i = 0; i < in.n_nets; i++)
		if (changed[i])
			gf_ctx_add_network(b, &cur[i]);
	for (i = 0; i < in.n_devs; i++)
		gf_ctx_add_device(b, &in.devs[i]);
	for (i = 0; i < in.n_ifs; i++)
		gf_ctx_add_interface(b, &in.ifs[i]);
	for (i = 0; i < in.n_rates; i++)
		gf_ctx_add_rate(b, &in.rates[i]);
	ov = gf_ctx_build(b, 100, &info);
	if (ov == NULL || !gf_ctx_valid(ov, gf_ctx_bytes(ov), 100) ||
		gf_ctx_base_generation(ov) != gf_ctx_generation(base))
	{
		fprintf(stderr, "overlay: %s\n", info.message);
		abort();
	}
	v = gf_ctx_pair_init(&pair, base, ov);
	if (v == NULL)
		abort();
	o_prepare(&in);
	nf = fz_flows(p, n, flows);
	memcpy(many, flows, nf * sizeof(gf_flow));
	gf_ctx_enrich_many(v, many, nf);
	for (i = 0; i < nf; i++)
	{
		gf_flow		want = flows[i];
		gf_flow		got = flows[i];
		int			k;

		o_enrich(&in, &want);
		gf_ctx_enrich(v, &got);
		for (k = 0; k < 2; k++)
		{
			const gf_flow *g = k ? &many[i] : &got;

			if (!fz_same_key(v, g->ctx_src_network, &in, want.ctx_src_network) ||
				!fz_same_key(v, g->ctx_dst_network, &in, want.ctx_dst_network) ||
				g->ctx_device != want.ctx_device || g->ctx_in_if != want.ctx_in_if ||
				g->ctx_out_if != want.ctx_out_if || g->sampling_rate != want.sampling_rate ||
				g->sampling_rate_source != want.sampling_rate_source)
			{
				fprintf(stderr, "overlay flow %zu (%s): got %u %u, want %u %u\n", i,
						k ? "many" : "one", g->ctx_src_network, g->ctx_dst_network,
						want.ctx_src_network, want.ctx_dst_network);
				abort();
			}
		}
		if (!fz_same_key(v, gf_ctx_match_network(v, &flows[i].src_addr, &flows[i].sampler_address),
						 &in, want.ctx_src_network))
			abort();
	}
	free(ov);
	free(in.prep);
	free(cur);
	free(changed);
	gf_ctx_net_index_free(ix);
}

/* Arbitrary bytes as a block: no crash; a passing block's views stay inside. */
static void
fz_raw_valid(const uint8_t *data, size_t size)
{
	uint64_t   *buf = malloc(size + 8);
	uint64_t	gen = 0;
	uint32_t	k;

	memcpy(buf, data, size);
	if (size >= 16)
		memcpy(&gen, data + 8, 8);
	if (gf_ctx_valid(buf, size, gen))
	{
		const gf_ctx_snapshot *s = (const gf_ctx_snapshot *) buf;
		const char *lo = (const char *) buf;
		const char *hi = lo + size;

		for (k = 1; k <= gf_ctx_network_count(s) && k < 64; k++)
		{
			gf_ctx_network v;

			if (!gf_ctx_get_network(s, k, &v) ||
				(v.name && (v.name < lo || v.name + strlen(v.name) >= hi)) ||
				(v.context.blob && ((const char *) v.context.blob < lo ||
									(const char *) v.context.blob + v.context.blob_len > hi)))
				abort();
		}
		for (k = 1; k <= gf_ctx_device_count(s) && k < 64; k++)
		{
			gf_ctx_device v;

			if (!gf_ctx_get_device(s, k, &v) ||
				(v.name && (v.name < lo || v.name + strlen(v.name) >= hi)))
				abort();
		}
	}
	(void) gf_ctx_valid(data, size, gen);	/* perhaps misaligned */
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_state   *st;
	const uint8_t *p = data;
	size_t		n = size;
	gf_ctx_builder *b;
	gf_ctx_build_info info;
	gf_ctx_snapshot *s;
	uint8_t		mode;
	size_t		max_bytes;
	uint32_t	later = 0;
	uint32_t	earlier = 0;
	gf_ctx_kind dup;

	fz_raw_valid(data, size);
	if (n < 1)
		return 0;
	mode = *p++;
	n--;
	max_bytes = (mode & 1) ? 1024 + (size_t) (mode >> 1) * 1024 : 0;
	st = calloc(1, sizeof(*st));
	st->in.nets = st->nets;
	st->in.devs = st->devs;
	st->in.ifs = st->ifs;
	st->in.rates = st->rates;
	b = gf_ctx_builder_new(max_bytes);

	while (n >= 1)
	{
		uint8_t		op = p[0] % 8;
		int			bad = 0;
		gf_ctx_kind kind = GF_CTX_KIND_NONE;
		uint32_t	number = 0;
		int			added = 1;

		if (op >= 6)
		{
			p++;
			n--;
			break;
		}
		if (op <= 2 && n >= 5 && st->in.n_nets < FZ_MAX_ENTRIES)
		{
			gf_ctx_network_in *e = &st->nets[st->in.n_nets++];

			e->net = fz_addr(p[1], p[2]);
			e->prefix_len = p[3] % 140;
			e->exporter = fz_exporter(p[4]);
			e->name = (p[4] & 0xF0) == 0xF0 ? "" : (p[4] & 0x10) ? "a" : "b";
			if (p[4] & 0x20)
				e->context.json = (p[4] & 0x40) ? "{}" : "{\"k\":1}";
			if (p[4] & 0x80)
			{
				memcpy(st->blobs[st->in.n_nets - 1], p + 1, 3);
				e->context.blob = st->blobs[st->in.n_nets - 1];
				e->context.blob_len = p[2] & 3;
			}
			bad = fz_bad_prefix(&e->net, e->prefix_len) || e->exporter.family == 5 ||
				e->name[0] == '\0';
			kind = GF_CTX_KIND_NETWORK;
			number = (uint32_t) st->in.n_nets;
			added = gf_ctx_add_network(b, e);
			p += 5;
			n -= 5;
		}
		else if (op == 3 && n >= 2 && st->in.n_devs < FZ_MAX_ENTRIES)
		{
			gf_ctx_device_in *e = &st->devs[st->in.n_devs++];

			e->exporter = fz_exporter(p[1]);
			e->name = (p[1] & 8) ? "d" : NULL;
			bad = e->exporter.family != 4 && e->exporter.family != 6;
			kind = GF_CTX_KIND_DEVICE;
			number = (uint32_t) st->in.n_devs;
			added = gf_ctx_add_device(b, e);
			p += 2;
			n -= 2;
		}
		else if (op == 4 && n >= 3 && st->in.n_ifs < FZ_MAX_ENTRIES)
		{
			gf_ctx_interface_in *e = &st->ifs[st->in.n_ifs++];

			e->exporter = fz_exporter(p[1]);
			e->if_index = p[2] == 0xFF ? UINT32_MAX : p[2] & 7;
			e->boundary = p[2] == 0xFF ? GF_BOUNDARY_EXTERNAL : (gf_boundary) ((p[2] >> 3) & 3);
			e->has_speed = p[2] & 0x20;
			e->speed = p[1];
			bad = (e->exporter.family != 4 && e->exporter.family != 6) ||
				(unsigned) e->boundary > GF_BOUNDARY_INTERNAL;
			kind = GF_CTX_KIND_INTERFACE;
			number = (uint32_t) st->in.n_ifs;
			added = gf_ctx_add_interface(b, e);
			p += 3;
			n -= 3;
		}
		else if (op == 5 && n >= 5 && st->in.n_rates < FZ_MAX_ENTRIES)
		{
			gf_ctx_rate_in *e = &st->rates[st->in.n_rates++];

			e->exporter = fz_addr(p[1], p[2]);
			e->exporter_len = p[3] % 140;
			e->has_if_index = p[4] & 1;
			e->if_index = (p[4] >> 1) & 3;
			e->is_override = (p[4] >> 3) & 1;
			e->rate = p[4] >> 4;
			bad = fz_bad_prefix(&e->exporter, e->exporter_len) || e->rate == 0;
			kind = GF_CTX_KIND_RATE;
			number = (uint32_t) st->in.n_rates;
			added = gf_ctx_add_rate(b, e);
			p += 5;
			n -= 5;
		}
		else
			break;
		if (bad && st->bad_kind == GF_CTX_KIND_NONE)
		{
			st->bad_kind = kind;
			st->bad_number = number;
		}
		/* an add fails exactly from the first bad entry on (or the limit) */
		if (added != (st->bad_kind == GF_CTX_KIND_NONE) && max_bytes == 0)
			abort();
	}

	s = gf_ctx_build(b, 99, &info);
	/* the oracle compares prefixes only when every entry is good */
	dup = st->bad_kind == GF_CTX_KIND_NONE ?
		o_first_dup(&st->in, &later, &earlier) : GF_CTX_KIND_NONE;
	if (s == NULL && info.message[0] == '\0')
		abort();
	if (s == NULL && info.error == GF_CTX_ERR_LIMIT && max_bytes != 0)
		goto out;				/* the limit may strike before anything else */
	if (st->bad_kind != GF_CTX_KIND_NONE)
	{
		if (s != NULL || info.error != GF_CTX_ERR_INPUT || info.kind != st->bad_kind ||
			info.number != st->bad_number)
			abort();
		goto out;
	}
	if (dup != GF_CTX_KIND_NONE)
	{
		if (s != NULL || info.error != GF_CTX_ERR_DUPLICATE || info.kind != dup ||
			info.number != later || info.other_number != earlier)
			abort();
		goto out;
	}
	if (s == NULL || info.error != GF_CTX_OK || !gf_ctx_valid(s, gf_ctx_bytes(s), 99))
		abort();
	if (max_bytes != 0 && info.peak_bytes > max_bytes)
		abort();
	{
		size_t		len = gf_ctx_bytes(s);
		uint64_t   *copy = malloc(len + 8);
		gf_ctx_snapshot *c = (gf_ctx_snapshot *) (void *) (copy + 1);

		memcpy(c, s, len);
		free(s);
		s = NULL;
		o_prepare(&st->in);
		fz_check_views(c, &st->in);
		fz_lookups(c, &st->in, p, n);
		if (mode & 2)
			fz_overlay(c, &st->in, p, n);
		if (n > 0)
		{
			((uint8_t *) c)[p[0] * 131u % len] ^= (uint8_t) (1 + p[n - 1] % 255);
			(void) gf_ctx_valid(c, len, 99);
		}
		free(copy);
	}
out:
	free(s);
	free(st->in.prep);
	free(st);
	return 0;
}
