/*
 * test_context_overlay.c
 *    Overlays (context.h, "overlays"): a base snapshot plus an overlay of
 *    the keys changed since must answer as a fresh full build of the
 *    current entries.  Random tables (nested IPv4, IPv6 and mapped
 *    prefixes, exporter scopes, fixed seed), random change sequences
 *    (deletes, inserts, renames, prefix and scope changes), and after each
 *    step every flow's networks, device, interfaces and rate through the
 *    pair (gf_ctx_enrich, gf_ctx_enrich_many, gf_ctx_match_network)
 *    compared with a fresh build of the same entries and with the naive
 *    oracle (context_oracle.h), by the matched entry's name (numbers
 *    differ between the two by design).  The base is merged (rebuilt)
 *    every few steps, as the builder does.  Also: a pair refuses an
 *    overlay of another base; gf_ctx_valid of overlays.
 */
#include <arpa/inet.h>
#include <stdint.h>

#include "context.h"
#include "context_oracle.h"
#include "unit.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

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

#define N_EXP	5
static const char *const exporters[N_EXP] = {
	"192.0.2.1", "::ffff:192.0.2.2", "203.0.113.9", "2001:db8:ffff::1", "192.0.2.130"
};

#define MAX_NETS	4000
#define N_FLOWS		3000

static gf_ctx_network_in nets[MAX_NETS];
static char names[MAX_NETS][16];
static unsigned name_seq;
static uint32_t anchors4[8];

/* Mask host bits: the tables' cidr type has none. */
static void
mask(uint8_t *a, int len, int bytes)
{
	int			i;

	for (i = len; i < bytes * 8; i++)
		a[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

/* A prefix near few anchors (so they nest), IPv4, IPv6 or mapped. */
static void
r_prefix(gf_addr *a, uint8_t *len)
{
	int			kind = (int) (rnd() % 10);
	uint32_t	v = anchors4[rnd() % 8] ^ ((uint32_t) rnd() >> (10 + rnd() % 22));

	memset(a, 0, sizeof(*a));
	if (kind < 7)
	{
		a->family = 4;
		a->bytes[0] = v >> 24;
		a->bytes[1] = v >> 16;
		a->bytes[2] = v >> 8;
		a->bytes[3] = v;
		*len = (uint8_t) (rnd() % 6 == 0 ? rnd() % 33 : 8 + rnd() % 25);
	}
	else if (kind < 9)
	{
		int			k;

		a->family = 6;
		a->bytes[0] = 0x20;
		a->bytes[1] = 0x01;
		a->bytes[2] = 0x0d;
		a->bytes[3] = (uint8_t) (0xb8 + rnd() % 2);
		for (k = 4 + (int) (rnd() % 10); k < 16; k++)
			a->bytes[k] = (uint8_t) rnd();
		*len = (uint8_t) (rnd() % 6 == 0 ? rnd() % 129 : 16 + rnd() % 60);
	}
	else
	{
		a->family = 6;
		a->bytes[10] = a->bytes[11] = 0xff;
		a->bytes[12] = v >> 24;
		a->bytes[13] = v >> 16;
		a->bytes[14] = v >> 8;
		a->bytes[15] = v;
		*len = (uint8_t) (96 + rnd() % 33);
	}
	mask(a->bytes, *len, a->family == 4 ? 4 : 16);
}

static void
r_scope(gf_addr *e)
{
	memset(e, 0, sizeof(*e));
	if (rnd() % 10 < 3)
		*e = A(exporters[rnd() % N_EXP]);
}

static const char *
new_name(size_t slot)
{
	snprintf(names[slot], 16, "n%u", name_seq++);
	return names[slot];
}

/* A changed key as the tables write it (what the change log records). */
typedef struct key
{
	gf_addr		net;
	uint8_t		len;
	gf_addr		exporter;
} key;

static key	changed[MAX_NETS * 8];
static size_t n_changed;

static void
note(const gf_ctx_network_in *n)
{
	key		   *k = &changed[n_changed++];

	k->net = n->net;
	k->len = n->prefix_len;
	k->exporter = n->exporter;
}

/* Same key once canonical (as the builder's alias lookup finds them). */
static int
same_key(const gf_ctx_network_in *n, const key *k)
{
	uint8_t		a[16];
	uint8_t		b[16];
	int			la;
	int			lb;
	int			fa = o_prefix(&n->net, n->prefix_len, a, &la);
	int			fb = o_prefix(&k->net, k->len, b, &lb);

	if (fa != fb || la != lb || memcmp(a, b, 16) != 0)
		return 0;
	if ((n->exporter.family == 0) != (k->exporter.family == 0))
		return 0;
	return n->exporter.family == 0 || o_same_addr(&n->exporter, &k->exporter);
}

static gf_ctx_device_in devs[3];
static gf_ctx_rate_in rates[3];

static void
add_rest(gf_ctx_builder *b)
{
	int			k;

	for (k = 0; k < 3; k++)
		gf_ctx_add_device(b, &devs[k]);
	for (k = 0; k < 3; k++)
		gf_ctx_add_rate(b, &rates[k]);
}

static gf_ctx_snapshot *
full_build(const o_input *in, uint64_t generation)
{
	gf_ctx_builder *b = gf_ctx_builder_new(0);
	gf_ctx_build_info info;
	gf_ctx_snapshot *s;
	size_t		i;

	for (i = 0; i < in->n_nets; i++)
		gf_ctx_add_network(b, &in->nets[i]);
	add_rest(b);
	s = gf_ctx_build(b, generation, &info);
	if (s == NULL)
		fprintf(stderr, "full build: %s\n", info.message);
	return s;
}

static gf_ctx_snapshot *
overlay_build(const o_input *in, gf_ctx_net_index *ix, uint64_t generation)
{
	gf_ctx_builder *b = gf_ctx_builder_new(0);
	gf_ctx_build_info info;
	gf_ctx_snapshot *s;
	size_t		i;
	size_t		j;

	gf_ctx_overlay_begin(b, ix);
	for (j = 0; j < n_changed; j++)
		if (!gf_ctx_overlay_change(b, ix, &changed[j].net, changed[j].len, &changed[j].exporter))
			break;
	gf_ctx_overlay_copy(b, ix);
	/* the current rows of the changed keys */
	for (i = 0; i < in->n_nets; i++)
		for (j = 0; j < n_changed; j++)
			if (same_key(&in->nets[i], &changed[j]))
			{
				gf_ctx_add_network(b, &in->nets[i]);
				break;
			}
	add_rest(b);
	s = gf_ctx_build(b, generation, &info);
	if (s == NULL)
		fprintf(stderr, "overlay build: %s\n", info.message);
	return s;
}

static const char *
net_name(const gf_ctx_snapshot *s, uint32_t number)
{
	gf_ctx_network v;

	if (number == GF_CTX_NONE)
		return "-";
	if (!gf_ctx_get_network(s, number, &v) || v.name == NULL)
		return "?";
	return v.name;
}

static gf_flow flows[N_FLOWS];

static void
make_flows(const o_input *in)
{
	size_t		i;

	for (i = 0; i < N_FLOWS;)
	{
		gf_addr		sampler;
		size_t		run = 1 + rnd() % 20;
		int			pick = (int) (rnd() % (N_EXP + 1));

		memset(&sampler, 0, sizeof(sampler));
		if (pick < N_EXP)
			sampler = A(exporters[pick]);
		for (; run > 0 && i < N_FLOWS; run--, i++)
		{
			gf_flow    *f = &flows[i];
			int			end;

			gf_flow_init(f, GF_TYPE_SFLOW_5, 1, &sampler);
			for (end = 0; end < 2; end++)
			{
				gf_addr    *a = end ? &f->dst_addr : &f->src_addr;

				if (in->n_nets > 0 && rnd() % 4 != 0)
				{
					const gf_ctx_network_in *n = &in->nets[rnd() % in->n_nets];
					int			bytes = n->net.family == 4 ? 4 : 16;
					int			k;

					*a = n->net;
					for (k = n->prefix_len; k < bytes * 8; k++)
						if (rnd() & 1)
							a->bytes[k / 8] ^= (uint8_t) (0x80 >> (k % 8));
				}
				else
				{
					uint32_t	v = anchors4[rnd() % 8] ^ (uint32_t) rnd() >> (rnd() % 32);

					a->family = 4;
					a->bytes[0] = v >> 24;
					a->bytes[1] = v >> 16;
					a->bytes[2] = v >> 8;
					a->bytes[3] = v;
				}
			}
			if (rnd() % 2)
				GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, 0);
		}
	}
}

/* Every flow through the pair vs a fresh build vs the oracle; mismatches. */
static int
compare(const gf_ctx_snapshot *pair, const gf_ctx_snapshot *fresh, const o_input *in)
{
	static gf_flow many[N_FLOWS];
	static gf_flow want[N_FLOWS];
	int			bad = 0;
	size_t		i;

	make_flows(in);
	memcpy(many, flows, sizeof(flows));
	memcpy(want, flows, sizeof(flows));
	gf_ctx_enrich_many(pair, many, N_FLOWS);
	gf_ctx_enrich_many(fresh, want, N_FLOWS);
	for (i = 0; i < N_FLOWS; i++)
	{
		gf_flow		one = flows[i];
		uint32_t	o_src = o_network(in, &flows[i].src_addr, &flows[i].sampler_address);
		uint32_t	o_dst = o_network(in, &flows[i].dst_addr, &flows[i].sampler_address);
		const char *os = o_src ? in->nets[o_src - 1].name : "-";
		const char *od = o_dst ? in->nets[o_dst - 1].name : "-";
		int			k;

		gf_ctx_enrich(pair, &one);
		for (k = 0; k < 2; k++)
		{
			const gf_flow *g = k ? &many[i] : &one;

			if (strcmp(net_name(pair, g->ctx_src_network), os) != 0 ||
				strcmp(net_name(pair, g->ctx_dst_network), od) != 0 ||
				strcmp(net_name(fresh, want[i].ctx_src_network), os) != 0 ||
				strcmp(net_name(fresh, want[i].ctx_dst_network), od) != 0 ||
				g->ctx_device != want[i].ctx_device ||
				g->sampling_rate != want[i].sampling_rate ||
				g->sampling_rate_source != want[i].sampling_rate_source)
			{
				if (bad++ < 5)
				{
					char		t1[64];

					fprintf(stderr, "flow %zu (%s) src %s: pair %s fresh %s oracle %s; dst pair %s oracle %s\n",
							i, k ? "many" : "one",
							gf_addr_format(&flows[i].src_addr, t1, sizeof(t1)),
							net_name(pair, g->ctx_src_network),
							net_name(fresh, want[i].ctx_src_network), os,
							net_name(pair, g->ctx_dst_network), od);
				}
			}
		}
		if (strcmp(net_name(pair, gf_ctx_match_network(pair, &flows[i].dst_addr,
														&flows[i].sampler_address)), od) != 0)
			bad++;
	}
	return bad;
}

/* Insert a random entry that repeats no key; 0 when it would. */
static int
insert_random(o_input *in)
{
	gf_ctx_network_in *e = &nets[in->n_nets];

	memset(e, 0, sizeof(*e));
	r_prefix(&e->net, &e->prefix_len);
	r_scope(&e->exporter);
	e->name = new_name(in->n_nets);
	if (rnd() % 3 == 0)
		e->context.json = "{\"k\":1}";
	o_prepare(in);
	if (o_net_dup_last(in, in->n_nets))
		return 0;
	in->n_nets++;
	return 1;
}

static void
remove_at(o_input *in, size_t i)
{
	size_t		last = in->n_nets - 1;

	if (i != last)
	{
		nets[i] = nets[last];
		memcpy(names[i], names[last], 16);
		nets[i].name = names[i];
	}
	in->n_nets--;
}

/* One random change, its keys noted. */
static void
change(o_input *in)
{
	int			what = (int) (rnd() % 5);
	size_t		i;

	if (in->n_nets == 0 || (what == 0 && in->n_nets + 1 < MAX_NETS))
	{
		if (insert_random(in))
			note(&nets[in->n_nets - 1]);
		return;
	}
	i = rnd() % in->n_nets;
	switch (what)
	{
		case 1:					/* DELETE */
			note(&nets[i]);
			remove_at(in, i);
			break;
		case 2:					/* UPDATE name, context */
			note(&nets[i]);
			nets[i].name = new_name(i);
			nets[i].context.json = (rnd() & 1) ? "{\"k\":2}" : NULL;
			break;
		default:				/* UPDATE prefix or scope: both keys */
			{
				gf_ctx_network_in old = nets[i];
				char		nm[16];
				size_t		at;

				memcpy(nm, names[i], 16);
				note(&old);
				remove_at(in, i);
				at = in->n_nets;
				nets[at] = old;
				memcpy(names[at], nm, 16);
				nets[at].name = names[at];
				if (what == 3)
					r_prefix(&nets[at].net, &nets[at].prefix_len);
				else
					r_scope(&nets[at].exporter);
				o_prepare(in);
				if (o_net_dup_last(in, at))
				{
					/* it would repeat a key: the UPDATE fails, nothing changes */
					nets[at] = old;
					nets[at].name = names[at];
				}
				else
					note(&nets[at]);
				in->n_nets++;
			}
			break;
	}
}

/*
 * What the overlay should hold: the current entries of changed keys plus
 * every unchanged base entry whose prefix contains a changed one.
 */
static uint32_t
expected_size(const gf_ctx_snapshot *base, const o_input *in)
{
	uint32_t	n = 0;
	uint32_t	j;
	size_t		i;
	size_t		c;

	for (i = 0; i < in->n_nets; i++)
		for (c = 0; c < n_changed; c++)
			if (same_key(&in->nets[i], &changed[c]))
			{
				n++;
				break;
			}
	for (j = 1; j <= gf_ctx_network_count(base); j++)
	{
		gf_ctx_network v;
		gf_ctx_network_in e;
		int			is_changed = 0;
		int			contains = 0;

		if (!gf_ctx_get_network(base, j, &v))
			continue;
		memset(&e, 0, sizeof(e));
		e.net.family = v.family;
		memcpy(e.net.bytes, v.addr, 16);
		e.prefix_len = v.prefix_len;
		e.exporter = v.exporter;
		for (c = 0; c < n_changed && !is_changed; c++)
		{
			uint8_t		k[16];
			int			klen;
			int			kf = o_prefix(&changed[c].net, changed[c].len, k, &klen);

			is_changed = same_key(&e, &changed[c]);
			if (kf == v.family && v.prefix_len <= klen && o_bits(v.addr, k, v.prefix_len))
				contains = 1;
		}
		if (!is_changed && contains)
			n++;
	}
	return n;
}

static void
test_random_changes(void)
{
	o_input		in;
	gf_ctx_snapshot *base;
	gf_ctx_net_index *ix;
	uint64_t	generation = 1;
	int			round;
	int			k;
	int			bad_total = 0;
	size_t		overlays = 0;
	size_t		stale_seen = 0;

	for (k = 0; k < 8; k++)
		anchors4[k] = (uint32_t) rnd();
	anchors4[0] = 0x0A000000;
	memset(devs, 0, sizeof(devs));
	memset(rates, 0, sizeof(rates));
	for (k = 0; k < 3; k++)
	{
		devs[k].exporter = A(exporters[k]);
		devs[k].name = exporters[k];
		rates[k].exporter = A(exporters[k + 2]);
		rates[k].exporter_len = rates[k].exporter.family == 4 ? 32 : 128;
		rates[k].rate = 100 + (uint64_t) k;
	}
	memset(&in, 0, sizeof(in));
	in.nets = nets;
	in.prep = NULL;
	while (in.n_nets < 1500)
		(void) insert_random(&in);

	base = full_build(&in, generation);
	ix = gf_ctx_net_index_new(base);
	CHECK(base != NULL && ix != NULL);
	if (base == NULL || ix == NULL)
		return;
	for (round = 0; round < 60; round++)
	{
		int			steps = 1 + (int) (rnd() % (round % 7 == 6 ? 120 : 8));
		gf_ctx_snapshot *overlay;
		gf_ctx_snapshot *fresh;
		gf_ctx_pair pair;
		const gf_ctx_snapshot *view;
		int			bad;

		for (k = 0; k < steps; k++)
			change(&in);
		o_prepare(&in);
		generation++;
		overlay = overlay_build(&in, ix, generation);
		fresh = full_build(&in, 1000 + generation);
		CHECK(overlay != NULL && fresh != NULL);
		if (overlay == NULL || fresh == NULL)
			break;
		CHECK(gf_ctx_valid(overlay, gf_ctx_bytes(overlay), generation));
		CHECK_EQ_U64(gf_ctx_base_generation(overlay), gf_ctx_generation(base));
		view = gf_ctx_pair_init(&pair, base, overlay);
		CHECK(view != NULL);
		if (view == NULL)
			break;
		overlays++;
		stale_seen += gf_ctx_stale_count(view);
		CHECK_EQ_U64(gf_ctx_generation(view), generation);
		CHECK_EQ_U64(gf_ctx_device_count(view), 3);
		CHECK_EQ_U64(gf_ctx_network_count(view),
					 gf_ctx_network_count(base) + gf_ctx_network_count(overlay));
		/* the overlay is small: changed keys plus their ancestors */
		CHECK_EQ_U64(gf_ctx_network_count(overlay), expected_size(base, &in));
		bad = compare(view, fresh, &in);
		bad_total += bad;
		if (bad)
			fprintf(stderr, "round %d: %d mismatches (%zu changed keys)\n", round, bad, n_changed);
		/* an overlay of this base does not go with another one */
		CHECK(gf_ctx_pair_init(&pair, fresh, overlay) == NULL);
		free(overlay);
		/* merge now and then: the fresh build becomes the base */
		if (round % 10 == 9)
		{
			gf_ctx_net_index_free(ix);
			free(base);
			base = full_build(&in, ++generation);
			ix = gf_ctx_net_index_new(base);
			n_changed = 0;
			CHECK(base != NULL && ix != NULL);
			if (base == NULL || ix == NULL)
			{
				free(fresh);
				return;
			}
		}
		free(fresh);
	}
	CHECK_EQ_U64(bad_total, 0);
	CHECK(overlays >= 60);
	/* the changes did make base entries stale (the test can tell) */
	CHECK(stale_seen > 100);
	gf_ctx_net_index_free(ix);
	free(base);
	free(in.prep);
}

/* A hand case: the base's /24 renamed; the /16 around it and a /28 inside stay. */
static void
test_hand(void)
{
	gf_ctx_network_in h[3];
	gf_ctx_builder *b = gf_ctx_builder_new(0);
	gf_ctx_snapshot *base;
	gf_ctx_snapshot *ov;
	gf_ctx_net_index *ix;
	gf_ctx_pair pair;
	const gf_ctx_snapshot *v;
	gf_addr		a;
	gf_ctx_build_info info;
	gf_ctx_network_in renamed;
	uint8_t		bytes[16];

	memset(h, 0, sizeof(h));
	h[0].net = A("10.1.0.0");
	h[0].prefix_len = 16;
	h[0].name = "sixteen";
	h[1].net = A("10.1.2.0");
	h[1].prefix_len = 24;
	h[1].name = "old24";
	h[2].net = A("10.1.2.16");
	h[2].prefix_len = 28;
	h[2].name = "twentyeight";
	gf_ctx_add_network(b, &h[0]);
	gf_ctx_add_network(b, &h[1]);
	gf_ctx_add_network(b, &h[2]);
	base = gf_ctx_build(b, 5, &info);
	ix = gf_ctx_net_index_new(base);
	CHECK(base != NULL && ix != NULL);
	if (base == NULL || ix == NULL)
		return;

	b = gf_ctx_builder_new(0);
	gf_ctx_overlay_begin(b, ix);
	CHECK(gf_ctx_overlay_change(b, ix, &h[1].net, 24, &h[1].exporter));
	CHECK(gf_ctx_overlay_copy(b, ix));
	renamed = h[1];
	renamed.name = "new24";
	CHECK(gf_ctx_add_network(b, &renamed));
	ov = gf_ctx_build(b, 6, &info);
	CHECK(ov != NULL);
	if (ov == NULL)
		return;
	/* the /16 copied, the /24 current: two; the /28 stays in the base */
	CHECK_EQ_U64(gf_ctx_network_count(ov), 2);
	CHECK_EQ_U64(gf_ctx_stale_count(ov), 1);
	CHECK(gf_ctx_valid(ov, gf_ctx_bytes(ov), 6));
	CHECK(!gf_ctx_valid(ov, gf_ctx_bytes(ov), 5));
	v = gf_ctx_pair_init(&pair, base, ov);
	CHECK(v != NULL);
	if (v != NULL)
	{
		a = A("10.1.2.99");
		CHECK_STR(net_name(v, gf_ctx_match_network(v, &a, NULL)), "new24");
		a = A("10.1.2.17");
		CHECK_STR(net_name(v, gf_ctx_match_network(v, &a, NULL)), "twentyeight");
		a = A("10.1.3.1");
		CHECK_STR(net_name(v, gf_ctx_match_network(v, &a, NULL)), "sixteen");
		a = A("11.0.0.1");
		CHECK_EQ_U64(gf_ctx_match_network(v, &a, NULL), GF_CTX_NONE);
		/* the base alone still answers the old name */
		a = A("10.1.2.99");
		CHECK_STR(net_name(base, gf_ctx_match_network(base, &a, NULL)), "old24");
	}
	/* a corrupted stale list: refused */
	memcpy(bytes, ov, 16);
	{
		size_t		len = gf_ctx_bytes(ov);
		char	   *copy = malloc(len);
		uint32_t   *last;

		memcpy(copy, ov, len);
		last = (uint32_t *) (void *) (copy + len - 8);
		/* the stale section is last: its one number, then padding */
		CHECK_EQ_U64(*last, 2);
		*last = 9;
		CHECK(!gf_ctx_valid(copy, len, 6));
		*last = 0;
		CHECK(!gf_ctx_valid(copy, len, 6));
		free(copy);
	}
	(void) bytes;
	free(ov);
	gf_ctx_net_index_free(ix);
	free(base);
}

int
main(void)
{
	test_hand();
	test_random_changes();
	UNIT_MAIN_END();
}
