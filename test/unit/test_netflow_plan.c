/*
 * test_netflow_plan.c
 *    Decode plans (netflow_plan.h) against the field walk they replace.
 *
 *    The differential part decodes thousands of random NetFlow v9 and
 *    IPFIX templates and records -- every mapped element at its usual
 *    length and at odd ones, duplicates, unknown and enterprise elements,
 *    padding after the records -- with two decoders, one forced to the
 *    field walk (gf_nf_state.field_walk), and requires the same flows
 *    byte for byte, the same counters and the same errors.  The oracle is
 *    the field walk, which the other unit tests check against values
 *    worked out by hand.  The rest checks by hand what the plan compiler
 *    decides on its own: which stores a later field overwrites, what a
 *    plan is charged, which templates are left to the field walk.
 */
#include "unit.h"
#include "nf_packet_builder.h"
#include "ipfix_ie.h"
#include "netflow_persist.h"
#include "netflow_plan.h"
#include "netflow_state.h"

#define SECS		1700000000u
#define MAX_FLOWS	64

/* Flows a decode emitted, compared field by field afterwards. */
typedef struct rec_sink
{
	int			n;
	gf_flow		f[MAX_FLOWS];
} rec_sink;

static void
rec_flow(void *arg, const gf_flow *f)
{
	rec_sink   *s = arg;

	if (s->n < MAX_FLOWS)
		s->f[s->n] = *f;
	s->n++;
}

/* The bytes of two flows that mean something: the header, the arrays' used part. */
static bool
flows_equal(const gf_flow *a, const gf_flow *b)
{
	return memcmp(a, b, offsetof(gf_flow, as_path)) == 0 &&
		memcmp(a->as_path, b->as_path, a->n_as_path * sizeof(uint32_t)) == 0 &&
		memcmp(a->bgp_communities, b->bgp_communities,
			   a->n_communities * sizeof(uint32_t)) == 0 &&
		memcmp(a->mpls_label, b->mpls_label, a->n_mpls * sizeof(uint32_t)) == 0;
}

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t
rng(void)
{
	/* xorshift64*: reproducible, no libc state. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static uint32_t
rng_below(uint32_t n)
{
	return (uint32_t) (rng() % n);
}

/* Elements to draw from, with the length exporters use. */
static const uint16_t pool[][2] = {
	{GF_IE_OCTET_DELTA_COUNT, 8}, {GF_IE_PACKET_DELTA_COUNT, 8},
	{GF_IE_POST_OCTET_DELTA_COUNT, 8}, {GF_IE_POST_PACKET_DELTA_COUNT, 8},
	{GF_IE_OCTET_TOTAL_COUNT, 8}, {GF_IE_PACKET_TOTAL_COUNT, 8},
	{GF_IE_INITIATOR_OCTETS, 8}, {GF_IE_RESPONDER_OCTETS, 8},
	{GF_IE_INITIATOR_PACKETS, 8}, {GF_IE_RESPONDER_PACKETS, 8},
	{GF_IE_FIREWALL_EVENT, 1}, {GF_IE_PROTOCOL_IDENTIFIER, 1},
	{GF_IE_IP_CLASS_OF_SERVICE, 1}, {GF_IE_TCP_CONTROL_BITS, 1},
	{GF_IE_SOURCE_TRANSPORT_PORT, 2}, {GF_IE_DESTINATION_TRANSPORT_PORT, 2},
	{GF_IE_FLOW_LABEL_IPV6, 4}, {GF_IE_ICMP_TYPE_CODE_IPV4, 2},
	{GF_IE_FRAGMENT_IDENTIFICATION, 4}, {GF_IE_IP_VERSION, 1},
	{GF_IE_FRAGMENT_OFFSET, 2}, {GF_IE_ICMP_TYPE_CODE_IPV6, 2},
	{GF_IE_ICMP_TYPE_IPV4, 1}, {GF_IE_ICMP_CODE_IPV4, 1},
	{GF_IE_ICMP_TYPE_IPV6, 1}, {GF_IE_ICMP_CODE_IPV6, 1},
	{GF_IE_IP_TTL, 1}, {GF_IE_FRAGMENT_FLAGS, 1}, {GF_IE_ETHERNET_TYPE, 2},
	{GF_IE_SOURCE_IPV4_ADDRESS, 4}, {GF_IE_SOURCE_IPV4_PREFIX_LENGTH, 1},
	{GF_IE_DESTINATION_IPV4_ADDRESS, 4},
	{GF_IE_DESTINATION_IPV4_PREFIX_LENGTH, 1},
	{GF_IE_IP_NEXT_HOP_IPV4_ADDRESS, 4}, {GF_IE_BGP_NEXT_HOP_IPV4_ADDRESS, 4},
	{GF_IE_SOURCE_IPV6_ADDRESS, 16}, {GF_IE_DESTINATION_IPV6_ADDRESS, 16},
	{GF_IE_SOURCE_IPV6_PREFIX_LENGTH, 1},
	{GF_IE_DESTINATION_IPV6_PREFIX_LENGTH, 1},
	{GF_IE_IP_NEXT_HOP_IPV6_ADDRESS, 16}, {GF_IE_BGP_NEXT_HOP_IPV6_ADDRESS, 16},
	{GF_IE_INGRESS_INTERFACE, 4}, {GF_IE_EGRESS_INTERFACE, 4},
	{GF_IE_FORWARDING_STATUS, 1}, {GF_IE_INTERFACE_NAME, 16},
	{GF_IE_BGP_SOURCE_AS_NUMBER, 4}, {GF_IE_BGP_DESTINATION_AS_NUMBER, 4},
	{GF_IE_BGP_NEXT_ADJACENT_AS_NUMBER, 4}, {GF_IE_SOURCE_MAC_ADDRESS, 6},
	{GF_IE_POST_DESTINATION_MAC_ADDRESS, 6}, {GF_IE_VLAN_ID, 2},
	{GF_IE_POST_VLAN_ID, 2}, {GF_IE_DESTINATION_MAC_ADDRESS, 6},
	{GF_IE_POST_SOURCE_MAC_ADDRESS, 6}, {GF_IE_DOT1Q_VLAN_ID, 2},
	{GF_IE_MPLS_TOP_LABEL_STACK_SECTION, 3}, {GF_IE_MPLS_LABEL_STACK_SECTION2, 3},
	{GF_IE_MPLS_LABEL_STACK_SECTION3, 3}, {GF_IE_MPLS_LABEL_STACK_SECTION10, 3},
	{GF_IE_OBSERVATION_POINT_ID, 4}, {GF_IE_OBSERVATION_DOMAIN_ID, 4},
	{GF_IE_FLOW_END_SYS_UP_TIME, 4}, {GF_IE_FLOW_START_SYS_UP_TIME, 4},
	{GF_IE_FLOW_START_SECONDS, 4}, {GF_IE_FLOW_END_SECONDS, 4},
	{GF_IE_FLOW_START_MILLISECONDS, 8}, {GF_IE_FLOW_END_MILLISECONDS, 8},
	{GF_IE_FLOW_START_MICROSECONDS, 8}, {GF_IE_FLOW_END_MICROSECONDS, 8},
	{GF_IE_FLOW_START_NANOSECONDS, 8}, {GF_IE_FLOW_END_NANOSECONDS, 8},
	{GF_IE_FLOW_START_DELTA_MICROSECONDS, 4},
	{GF_IE_FLOW_END_DELTA_MICROSECONDS, 4},
	{GF_IE_SYSTEM_INIT_TIME_MILLISECONDS, 8}, {GF_IE_SAMPLING_INTERVAL, 4},
	{GF_IE_SAMPLER_ID, 1}, {GF_IE_SAMPLER_RANDOM_INTERVAL, 4},
	{GF_IE_SELECTOR_ID, 4}, {GF_IE_SAMPLING_PACKET_INTERVAL, 4},
	{GF_IE_SAMPLING_PACKET_SPACE, 4}, {GF_IE_SAMPLING_SIZE, 4},
	{GF_IE_SAMPLING_POPULATION, 4}, {GF_IE_DATA_LINK_FRAME_SIZE, 2},
	{GF_IE_DATA_LINK_FRAME_SECTION, 64},
	{200, 4}, {1000, 2}, {0x7fff, 8}	/* not mapped */
};
#define POOL_N (sizeof(pool) / sizeof(pool[0]))

typedef struct rfield
{
	uint16_t	id;
	uint16_t	len;
	uint32_t	pen;
} rfield;

/* A random template: mostly usual lengths, some odd ones and duplicates. */
static int
random_template(rfield *t, int max, bool ipfix)
{
	int			n = 1 + (int) rng_below((uint32_t) max);
	int			i;

	for (i = 0; i < n; i++)
	{
		uint32_t	k = rng_below(POOL_N);
		uint32_t	pick = rng_below(10);

		t[i].id = pool[k][0];
		t[i].len = pool[k][1];
		t[i].pen = 0;
		if (pick == 0)
			t[i].len = (uint16_t) (1 + rng_below(9));	/* 1..9 bytes */
		else if (pick == 1)
			t[i].len = (uint16_t) (1 + rng_below(20));
		else if (pick == 2 && i > 0)
			t[i] = t[rng_below((uint32_t) i)];	/* a duplicate */
		else if (pick == 3 && ipfix)
		{
			t[i].id |= GF_NF_ENTERPRISE_BIT;
			t[i].pen = 9;
		}
		else if (pick == 4 && ipfix && rng_below(8) == 0)
			t[i].len = GF_NF_VARLEN;	/* not planned: the walk both ways */
	}
	return n;
}

/* Value bytes: zero, small, or random, so every branch of a store is taken. */
static void
random_value(pb *p, uint16_t len)
{
	uint32_t	mode = rng_below(4);
	uint16_t	i;

	for (i = 0; i < len; i++)
	{
		uint8_t		b = (uint8_t) rng();

		if (mode == 0 || (mode == 1 && i + 1 < len))
			b = 0;
		/* NTP-looking seconds (>= 1970) and ordinary epoch times, too. */
		if (mode == 2 && i == 0 && len == 8)
			b = (uint8_t) (0xe0 + rng_below(16));
		if (mode == 2 && i < 4 && len == 4)
			b = (uint8_t) (SECS >> (24 - 8 * i));
		pb_u8(p, b);
	}
}

static void
random_datagram(pb *p, uint16_t tid, const rfield *t, int n, bool ipfix)
{
	size_t		s;
	int			nrec = (int) rng_below(12);
	int			r;
	int			i;

	pb_reset(p);
	if (ipfix)
		pb_ipfix_header(p, SECS, 1, 7);
	else
		pb_v9_header(p, 0, 3600000, SECS, 1, 7);
	/* The template, then its data, in one datagram. */
	s = pb_set_begin(p, ipfix ? 2 : 0);
	pb_u16(p, tid);
	pb_u16(p, n);
	for (i = 0; i < n; i++)
	{
		pb_u16(p, t[i].id);
		pb_u16(p, t[i].len);
		if (t[i].id & GF_NF_ENTERPRISE_BIT)
			pb_u32(p, t[i].pen);
	}
	pb_set_end(p, s);
	s = pb_set_begin(p, tid);
	for (r = 0; r < nrec; r++)
		for (i = 0; i < n; i++)
		{
			uint16_t	len = t[i].len;

			if (len == GF_NF_VARLEN)
			{
				len = (uint16_t) rng_below(20);
				pb_u8(p, len);
			}
			random_value(p, len);
		}
	/* Set padding, shorter than a record or not: both are legal input. */
	for (i = (int) rng_below(4); i > 0; i--)
		pb_u8(p, rng_below(3) == 0 ? rng() : 0);
	pb_set_end(p, s);
	if (ipfix)
		pb_ipfix_end(p);
}

static gf_rc
decode_into(gf_decoder *d, const pb *p, rec_sink *out, gf_error *err)
{
	gf_datagram dg;
	gf_sink		sink = {0};
	uint8_t		ip[4] = {192, 0, 2, 1};

	memset(&dg, 0, sizeof(dg));
	memset(err, 0, sizeof(*err));
	dg.data = p->b;
	dg.len = p->n;
	gf_addr_set_v4(&dg.exporter, ip);
	dg.time_received_ns = TEST_TIME_RECEIVED_NS;
	out->n = 0;
	sink.flow = rec_flow;
	sink.arg = out;
	return gf_decode(d, GF_PROTO_NETFLOW, &dg, &sink, err);
}

static pb	pkt;
static rec_sink got_plan;
static rec_sink got_walk;

/* Random templates and records: plan and field walk agree on every byte. */
static void
test_differential(void)
{
	gf_decoder *dp = gf_decoder_new(NULL);
	gf_decoder *dw = gf_decoder_new(NULL);
	rfield		t[40];
	int			iter;
	int			planned = 0;
	int			flows = 0;
	int			bad = 0;

	dw->nf->field_walk = true;
	for (iter = 0; iter < 4000; iter++)
	{
		bool		ipfix = rng_below(2) == 0;
		uint16_t	tid = (uint16_t) (256 + rng_below(8));
		int			n = random_template(t, 40, ipfix);
		gf_error	ep;
		gf_error	ew;
		gf_rc		rp;
		gf_rc		rw;
		gf_nf_scope scope;
		const gf_nf_template *tpl;
		uint8_t		ip[4] = {192, 0, 2, 1};
		gf_addr		exp;
		int			i;

		random_datagram(&pkt, tid, t, n, ipfix);
		rp = decode_into(dp, &pkt, &got_plan, &ep);
		rw = decode_into(dw, &pkt, &got_walk, &ew);
		gf_addr_set_v4(&exp, ip);
		gf_nf_scope_make(&scope, &exp, ipfix ? 10 : 9, 7);
		tpl = gf_nf_templates_find(dp->nf->templates, &scope, tid);
		if (tpl != NULL && tpl->planned && got_plan.n > 0)
			planned++;
		flows += got_plan.n;
		if (rp != rw || strcmp(ep.msg, ew.msg) != 0 || got_plan.n != got_walk.n ||
			memcmp(&dp->counters, &dw->counters, sizeof(dp->counters)) != 0)
		{
			if (bad++ < 5)
				fprintf(stderr, "iteration %d: rc %d/%d, flows %d/%d, \"%s\" / \"%s\"\n",
						iter, rp, rw, got_plan.n, got_walk.n, ep.msg, ew.msg);
			continue;
		}
		for (i = 0; i < got_plan.n && i < MAX_FLOWS; i++)
			if (!flows_equal(&got_plan.f[i], &got_walk.f[i]))
			{
				if (bad++ < 5)
					fprintf(stderr, "iteration %d: flow %d differs (%d fields, %s)\n",
							iter, i, n, ipfix ? "IPFIX" : "v9");
				break;
			}
	}
	CHECK_EQ_U64(bad, 0);
	/* The comparison means something only if plans did decode. */
	CHECK(planned > 1000);
	CHECK(flows > 10000);
	gf_decoder_free(dp);
	gf_decoder_free(dw);
}

/* Build a one-template IPFIX datagram with the given fields and one record. */
static void
ipfix_with(const uint16_t (*f)[2], int n, const uint8_t *rec, size_t rec_len)
{
	size_t		s;
	int			i;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 7);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 300);
	pb_u16(&pkt, n);
	for (i = 0; i < n; i++)
	{
		pb_u16(&pkt, f[i][0]);
		pb_u16(&pkt, f[i][1]);
	}
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 300);
	pb_bytes(&pkt, rec, rec_len);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
}

static const gf_nf_template *
find_300(gf_decoder *d)
{
	gf_nf_scope scope;
	uint8_t		ip[4] = {192, 0, 2, 1};
	gf_addr		exp;

	gf_addr_set_v4(&exp, ip);
	gf_nf_scope_make(&scope, &exp, 10, 7);
	return gf_nf_templates_find(d->nf->templates, &scope, 300);
}

static int
plan_steps(const gf_nf_plan *pl)
{
	int			g;
	int			n = 0;

	for (g = 0; g < GF_NF_PLAN_GROUPS; g++)
		n += pl->n[g];
	return n;
}

/*
 * Overwritten stores are dropped, the last one of each destination
 * stays, and icmpTypeCode's two halves are overwritten one by one.
 */
static void
test_last_store_wins(void)
{
	static const uint16_t f[][2] = {
		{GF_IE_INGRESS_INTERFACE, 2},	/* 0x0102, overwritten */
		{GF_IE_ICMP_TYPE_CODE_IPV4, 2},	/* type 3 (overwritten), code 4 */
		{GF_IE_INGRESS_INTERFACE, 4},	/* 0x0a0b0c0d: the value */
		{GF_IE_ICMP_TYPE_IPV4, 1},	/* type 9 */
		{GF_IE_PROTOCOL_IDENTIFIER, 1}	/* 17 */
	};
	static const uint8_t rec[] = {1, 2, 3, 4, 10, 11, 12, 13, 9, 17};
	gf_decoder *d = gf_decoder_new(NULL);
	const gf_nf_template *tpl;
	rec_sink   *out = &got_plan;
	gf_error	err;

	ipfix_with(f, 5, rec, sizeof(rec));
	CHECK_EQ_U64(decode_into(d, &pkt, out, &err), GF_OK);
	CHECK_EQ_U64(out->n, 1);
	CHECK_EQ_U64(out->f[0].in_if, 0x0a0b0c0d);
	CHECK_EQ_U64(out->f[0].icmp_type, 9);
	CHECK_EQ_U64(out->f[0].icmp_code, 4);
	CHECK_EQ_U64(out->f[0].proto, 17);
	CHECK(GF_HAS(&out->f[0], GF_F_IN_IF) && GF_HAS(&out->f[0], GF_F_ICMP_TYPE) &&
		  GF_HAS(&out->f[0], GF_F_ICMP_CODE) && GF_HAS(&out->f[0], GF_F_PROTO));
	tpl = find_300(d);
	CHECK(tpl != NULL && tpl->planned);
	/* in_if, icmp code, icmp type, proto: 4 of the 6 stores. */
	if (tpl != NULL && tpl->planned)
		CHECK_EQ_U64(plan_steps(gf_nf_template_plan(tpl)), 4);
	gf_decoder_free(d);
}

/*
 * Which templates get a plan: data templates of fixed-length fields;
 * not options templates, not variable-length fields, not a 1-byte
 * icmpTypeCode.  Their records decode either way.
 */
static void
test_planned_or_not(void)
{
	static const uint16_t fixed[][2] = {{GF_IE_OCTET_DELTA_COUNT, 4}, {200, 4}};
	static const uint16_t var[][2] = {{GF_IE_OCTET_DELTA_COUNT, 4}, {GF_IE_INTERFACE_NAME, 65535}};
	static const uint16_t icmp1[][2] = {{GF_IE_OCTET_DELTA_COUNT, 4}, {GF_IE_ICMP_TYPE_CODE_IPV4, 1}};
	static const uint8_t rec_fixed[] = {0, 0, 5, 220, 1, 2, 3, 4};
	static const uint8_t rec_var[] = {0, 0, 5, 220, 2, 'a', 'b'};
	static const uint8_t rec_icmp1[] = {0, 0, 5, 220, 8};
	gf_decoder *d = gf_decoder_new(NULL);
	const gf_nf_template *tpl;
	gf_error	err;

	ipfix_with(fixed, 2, rec_fixed, sizeof(rec_fixed));
	CHECK_EQ_U64(decode_into(d, &pkt, &got_plan, &err), GF_OK);
	tpl = find_300(d);
	CHECK(tpl != NULL && tpl->planned);
	CHECK_EQ_U64(got_plan.n, 1);
	CHECK_EQ_U64(got_plan.f[0].bytes, 1500);

	ipfix_with(var, 2, rec_var, sizeof(rec_var));
	CHECK_EQ_U64(decode_into(d, &pkt, &got_plan, &err), GF_OK);
	tpl = find_300(d);
	CHECK(tpl != NULL && !tpl->planned);
	CHECK_EQ_U64(got_plan.n, 1);
	CHECK_EQ_U64(got_plan.f[0].bytes, 1500);

	ipfix_with(icmp1, 2, rec_icmp1, sizeof(rec_icmp1));
	CHECK_EQ_U64(decode_into(d, &pkt, &got_plan, &err), GF_OK);
	tpl = find_300(d);
	CHECK(tpl != NULL && !tpl->planned);
	CHECK_EQ_U64(got_plan.n, 1);
	CHECK_EQ_U64(got_plan.f[0].icmp_type, 0);
	CHECK_EQ_U64(got_plan.f[0].icmp_code, 8);
	gf_decoder_free(d);
}

/*
 * The plan is charged to the template's bytes: a planned template costs
 * more than the same fields left to the walk, and 500 copies of one
 * element cost one step.
 */
static void
test_plan_charged(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	const gf_nf_template *tpl;
	gf_error	err;
	uint16_t	f[500][2];
	uint8_t		rec[2000];
	uint64_t	planned_bytes;
	int			i;

	for (i = 0; i < 500; i++)
	{
		f[i][0] = GF_IE_OCTET_DELTA_COUNT;
		f[i][1] = 4;
	}
	memset(rec, 1, sizeof(rec));
	ipfix_with((const uint16_t (*)[2]) f, 500, rec, sizeof(rec));
	CHECK_EQ_U64(decode_into(d, &pkt, &got_plan, &err), GF_OK);
	tpl = find_300(d);
	CHECK(tpl != NULL && tpl->planned);
	if (tpl == NULL)
	{
		gf_decoder_free(d);
		return;
	}
	CHECK_EQ_U64(plan_steps(gf_nf_template_plan(tpl)), 1);
	CHECK_EQ_U64(got_plan.f[0].bytes, 0x01010101);
	planned_bytes = gf_nf_templates_bytes(d->nf->templates);
	CHECK_EQ_U64(planned_bytes, tpl->bytes);
	CHECK_EQ_U64(planned_bytes,
				 sizeof(gf_nf_template) + 500 * sizeof(gf_nf_tfield) +
				 sizeof(gf_nf_plan) + sizeof(gf_nf_step));

	/* Redefined as an options template (no plan): charged the fields only. */
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 7);
	{
		size_t		s = pb_set_begin(&pkt, 3);

		pb_u16(&pkt, 300);
		pb_u16(&pkt, 500);
		pb_u16(&pkt, 1);
		for (i = 0; i < 500; i++)
		{
			pb_u16(&pkt, GF_IE_OCTET_DELTA_COUNT);
			pb_u16(&pkt, 4);
		}
		pb_set_end(&pkt, s);
	}
	pb_ipfix_end(&pkt);
	CHECK_EQ_U64(decode_into(d, &pkt, &got_plan, &err), GF_OK);
	tpl = find_300(d);
	CHECK(tpl != NULL && !tpl->planned);
	CHECK_EQ_U64(gf_nf_templates_bytes(d->nf->templates),
				 sizeof(gf_nf_template) + 500 * sizeof(gf_nf_tfield));
	gf_decoder_free(d);
}

/*
 * Saved templates keep zero-length fields (the wire parser drops them):
 * such a template is planned too, and its records decode as by the walk,
 * to the values written.
 */
static void
test_imported_zero_length(void)
{
	static const uint8_t blob[] = {
		GF_TEMPLATE_BLOB_FORMAT, 0, 5, 0, 0,
		0, GF_IE_OCTET_DELTA_COUNT, 0, 4,
		GF_IE_DATA_LINK_FRAME_SECTION >> 8, GF_IE_DATA_LINK_FRAME_SECTION & 0xff, 0, 0,
		0, GF_IE_PROTOCOL_IDENTIFIER, 0, 1,
		0, GF_IE_SOURCE_IPV4_ADDRESS, 0, 0,
		0, GF_IE_INGRESS_INTERFACE, 0, 4
	};
	static const uint8_t rec[] = {0, 0, 5, 220, 6, 0, 0, 0, 7};
	gf_decoder *d[2];
	gf_template_blob t;
	uint8_t		ip[4] = {192, 0, 2, 1};
	gf_error	err;
	size_t		s;
	int			k;

	memset(&t, 0, sizeof(t));
	gf_addr_set_v4(&t.exporter, ip);
	t.version = 10;
	t.domain = 7;
	t.template_id = 300;
	t.received_ns = TEST_TIME_RECEIVED_NS;
	t.bytes = blob;
	t.len = sizeof(blob);
	pb_reset(&pkt);
	pb_ipfix_header(&pkt, SECS, 1, 7);
	s = pb_set_begin(&pkt, 300);
	pb_bytes(&pkt, rec, sizeof(rec));
	pb_bytes(&pkt, rec, sizeof(rec));
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	for (k = 0; k < 2; k++)
	{
		d[k] = gf_decoder_new(NULL);
		d[k]->nf->field_walk = k == 1;
		CHECK_EQ_U64(gf_decoder_import_template(d[k], &t, &err), GF_OK);
	}
	CHECK(find_300(d[0]) != NULL && find_300(d[0])->planned);
	CHECK_EQ_U64(decode_into(d[0], &pkt, &got_plan, &err), GF_OK);
	CHECK_EQ_U64(decode_into(d[1], &pkt, &got_walk, &err), GF_OK);
	CHECK_EQ_U64(got_plan.n, 2);
	CHECK_EQ_U64(got_walk.n, 2);
	CHECK_EQ_U64(got_plan.f[1].bytes, 1500);
	CHECK_EQ_U64(got_plan.f[1].proto, 6);
	CHECK_EQ_U64(got_plan.f[1].in_if, 7);
	CHECK(flows_equal(&got_plan.f[0], &got_walk.f[0]));
	CHECK(flows_equal(&got_plan.f[1], &got_walk.f[1]));
	gf_decoder_free(d[0]);
	gf_decoder_free(d[1]);
}

int
main(void)
{
	test_imported_zero_length();
	test_last_store_wins();
	test_planned_or_not();
	test_plan_charged();
	test_differential();
	UNIT_MAIN_END();
}
