/*
 * test_mapping.c
 *    Custom field mappings (flow_mapping.h): the YAML parser accepts
 *    GoFlow2's files and refuses each kind of bad entry with its line and
 *    column; a decoder with a mapping writes mapped template fields where
 *    the mapping says (columns, an IPv6 address, enterprise fields into
 *    custom values), and the values checked are the ones put in the
 *    datagram, not what the code produced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flow_json.h"
#include "flow_mapping.h"
#include "flow_pb.h"
#include "nf_packet_builder.h"
#include "sflow_build.h"
#include "unit.h"

static gf_mapping *
parse(const char *y, gf_mapping_error *err)
{
	return gf_mapping_parse(y, strlen(y), err);
}

/* A bad mapping is refused, with a message containing what and at. */
static void
check_refused(const char *y, int line, int column, const char *what)
{
	gf_mapping_error err;
	gf_mapping *m = parse(y, &err);

	CHECK(m == NULL);
	gf_mapping_free(m);
	CHECK_EQ_U64(err.line, line);
	CHECK_EQ_U64(err.column, column);
	if (strstr(err.msg, what) == NULL)
	{
		printf("  message \"%s\" lacks \"%s\"\n", err.msg, what);
		CHECK(0);
	}
}

static void
test_parse_goflow2(void)
{
	gf_mapping_error err;
	gf_mapping *m;
	const gf_map_entry *e;

	/* GoFlow2's docs/mapping.md example, with formatter.fields. */
	m = parse("formatter:\n"
			  "  fields: # list of fields to format in JSON\n"
			  "    - flow_direction\n"
			  "  protobuf: # manual protobuf fields addition\n"
			  "    - name: flow_direction\n"
			  "      index: 1142\n"
			  "      type: varint\n"
			  "ipfix:\n"
			  "  mapping:\n"
			  "    - field: 61\n"
			  "      destination: flow_direction\n"
			  "    - field: 252\n"
			  "      destination: in_if\n"
			  "    - field: 253\n"
			  "      destination: OutIf\n"
			  "    - field: 137\n"
			  "      destination: flow_direction\n"
			  "      penprovided: true\n"
			  "      pen: 2636\n"
			  "netflowv9:\n"
			  "  mapping:\n"
			  "    - field: 61\n"
			  "      destination: flow_direction\n"
			  "    - field: 34\n"
			  "      destination: SamplingRate\n"
			  "      endian: little\n"
			  "      pb: 555\n"
			  "sflow:\n"
			  "  mapping:\n"
			  "    - layer: udp\n"
			  "      offset: 48\n"
			  "      length: 16\n"
			  "      destination: flow_direction\n", &err);
	CHECK(m != NULL);
	if (m == NULL)
	{
		printf("  %s\n", err.msg);
		return;
	}
	CHECK_EQ_U64(m->n_customs, 1);
	CHECK_EQ_U64(m->customs[0].index, 1142);
	CHECK_EQ_U64(m->n_entries, 7);
	CHECK(gf_mapping_has_nf(m, 10));
	CHECK(gf_mapping_has_nf(m, 9));
	e = gf_mapping_find(m, GF_MAP_IPFIX, false, 0, 252);
	CHECK(e != NULL && e->kind == GF_MAP_K_U32 && e->line == 12 && e->column == 7);
	e = gf_mapping_find(m, GF_MAP_IPFIX, false, 0, 253);
	CHECK(e != NULL && e->kind == GF_MAP_K_U32);
	CHECK(gf_mapping_find(m, GF_MAP_IPFIX, false, 0, 137) == NULL);
	CHECK(gf_mapping_find(m, GF_MAP_IPFIX, true, 2635, 137) == NULL);
	e = gf_mapping_find(m, GF_MAP_IPFIX, true, 2636, 137);
	CHECK(e != NULL && e->kind == GF_MAP_K_CUSTOM && e->dest == 0);
	e = gf_mapping_find(m, GF_MAP_NETFLOW_V9, false, 0, 34);
	CHECK(e != NULL && e->little_endian && e->kind == GF_MAP_K_U64);
	CHECK(gf_mapping_find(m, GF_MAP_NETFLOW_V9, false, 0, 252) == NULL);
	CHECK_EQ_U64(m->first[GF_MAP_SFLOW + 1] - m->first[GF_MAP_SFLOW], 1);
	CHECK_EQ_U64(m->entries[m->first[GF_MAP_SFLOW]].length_bits, 16);
	gf_mapping_free(m);

	/* Empty texts and a null document map nothing. */
	m = parse("", &err);
	CHECK(m != NULL && m->n_entries == 0 && !gf_mapping_has_nf(m, 10));
	gf_mapping_free(m);
	m = parse("~\n", &err);
	CHECK(m != NULL && m->n_entries == 0);
	gf_mapping_free(m);
	m = parse("ipfix:\n  mapping: []\n", &err);
	CHECK(m != NULL && m->n_entries == 0);
	gf_mapping_free(m);
}

static void
test_parse_errors(void)
{
	check_refused("ipfix:\n  mapping:\n    - field: 252\n      destination: in_iff\n",
				  4, 20, "unknown destination \"in_iff\"");
	check_refused("ipfix:\n  mapping:\n    - field: 40000\n      destination: in_if\n",
				  3, 14, "out of range (0..32767)");
	check_refused("netflowv9:\n  mapping:\n    - field: 70000\n      destination: in_if\n",
				  3, 14, "out of range (0..65535)");
	check_refused("ipfix:\n  mapping:\n    - field: -1\n      destination: in_if\n",
				  3, 14, "non-negative integer");
	check_refused("sflow:\n  mapping:\n    - layer: ipv4\n      offset: 0\n"
				  "      length: 40\n      destination: in_if\n",
				  5, 15, "length 40 bits cannot fit in_if");
	check_refused("sflow:\n  mapping:\n    - layer: ipv6\n      offset: 64\n"
				  "      length: 64\n      destination: src_addr\n",
				  5, 15, "cannot fit src_addr");
	check_refused("formatter:\n  protobuf:\n    - {name: x, index: 1201, type: varint}\n"
				  "sflow:\n  mapping:\n    - {layer: tcp, offset: 0, length: 72, destination: x}\n",
				  6, 39, "cannot fit custom field \"x\"");
	check_refused("formatter:\n  protobuf:\n    - name: low\n      index: 42\n",
				  4, 14, "below 1000");
	check_refused("formatter:\n  protobuf:\n    - name: in_if\n      index: 1200\n",
				  3, 13, "already a column");
	check_refused("formatter:\n  protobuf:\n    - {name: a, index: 1200}\n    - {name: b, index: 1200}\n",
				  4, 24, "already custom field \"a\"");
	check_refused("formatter:\n  protobuf:\n    - {name: a, index: 1200, type: float}\n",
				  3, 36, "varint, string or bytes");
	check_refused("ipfix:\n  mapping:\n    - {field: 252, destination: in_if}\n"
				  "    - {field: 252, destination: out_if}\n",
				  4, 7, "already mapped at line 3");
	check_refused("ipfix:\n  mapping:\n    - {field: 252, destination: in_if, colour: red}\n",
				  3, 40, "unknown key \"colour\"");
	check_refused("ipfx:\n  mapping: []\n", 1, 1, "unknown key \"ipfx\"");
	check_refused("netflowv9:\n  mapping:\n    - {field: 1, pen: 9, destination: bytes}\n",
				  3, 23, "no enterprise number");
	check_refused("ipfix:\n  mapping:\n    - {field: 1, destination: bytes, endianness: middle}\n",
				  3, 50, "big or little");
	check_refused("sflow:\n  mapping:\n    - {layer: ip, length: 8, destination: proto}\n",
				  3, 15, "unknown layer");
	check_refused("ipfix:\n  mapping:\n    - &a {field: 1, destination: bytes}\n    - *a\n",
				  4, 7, "aliases");
	check_refused("ipfix: [\n", 2, 1, "");
	check_refused("ipfix:\n  mapping:\n    - {destination: bytes}\n", 3, 7, "needs a field");
	check_refused("ipfix:\n  mapping:\n    field: 1\n", 3, 5, "must be a list");
	check_refused("---\nipfix: ~\n---\nsflow: ~\n", 3, 1, "only one YAML document");
}

/*
 * An IPFIX template with ingressInterface (10), ingressPhysicalInterface
 * (252), egressPhysicalInterface (253), sourceIPv6Address (27), an
 * enterprise field (PEN 29305, 4 bytes) and a variable-length enterprise
 * string; one record of it.
 */
static void
build_ipfix(pb *p)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
	size_t		s;

	pb_reset(p);
	pb_ipfix_header(p, 1700000000, 1, 5);
	s = pb_set_begin(p, 2);
	pb_u16(p, 300);
	pb_u16(p, 7);
	pb_u16(p, 10);
	pb_u16(p, 4);
	pb_u16(p, 252);
	pb_u16(p, 4);
	pb_u16(p, 253);
	pb_u16(p, 4);
	pb_u16(p, 27);
	pb_u16(p, 16);
	pb_u16(p, 0x8000 | 100);
	pb_u16(p, 4);
	pb_u32(p, 29305);
	pb_u16(p, 0x8000 | 101);
	pb_u16(p, 65535);
	pb_u32(p, 29305);
	pb_u16(p, 2);
	pb_u16(p, 8);
	pb_set_end(p, s);
	s = pb_set_begin(p, 300);
	pb_u32(p, 11);				/* ingressInterface */
	pb_u32(p, 1001);			/* ingressPhysicalInterface */
	pb_u32(p, 1002);			/* egressPhysicalInterface */
	pb_bytes(p, v6, 16);
	pb_u32(p, 424242);			/* PEN field 100 */
	pb_u8(p, 5);
	pb_bytes(p, "eth-7", 5);	/* PEN field 101 */
	pb_u64(p, 99);				/* packetDeltaCount */
	pb_set_end(p, s);
	pb_ipfix_end(p);
}

static const gf_flow_extra *
find_extra(const gf_flow *f, const char *name)
{
	int			i;

	for (i = 0; i < f->n_extra; i++)
		if (f->extra[i].name_len == strlen(name) &&
			memcmp(&f->extra_buf[f->extra[i].off], name, strlen(name)) == 0)
			return &f->extra[i];
	return NULL;
}

/* The custom values in JSON (by name) and protobuf (by index). */
static void
check_outputs(const gf_flow *f)
{
	static char json[GF_FLOW_JSON_MAX];
	static uint8_t pbuf[GF_FLOW_PB_MAX];
	/* 1100 << 3 | 0 = 8800: varint e0 44; 424242: b2 f2 19. */
	static const uint8_t want_id[] = {0xe0, 0x44, 0xb2, 0xf2, 0x19};
	/* 1101 << 3 | 2 = 8810: ea 44, length 5, "eth-7". */
	static const uint8_t want_if[] = {0xea, 0x44, 5, 'e', 't', 'h', '-', '7'};
	size_t		n;
	size_t		i;
	bool		id_found = false;
	bool		if_found = false;

	CHECK(gf_flow_json(f, json, sizeof(json)) > 0);
	CHECK(strstr(json, ",\"probe_id\":424242,\"probe_if\":\"eth-7\"}") != NULL);
	n = gf_flow_pb_pack_delimited(f, NULL, pbuf, sizeof(pbuf));
	CHECK(n > 0);
	for (i = 0; i + sizeof(want_if) <= n; i++)
	{
		if (memcmp(pbuf + i, want_id, sizeof(want_id)) == 0)
			id_found = true;
		if (memcmp(pbuf + i, want_if, sizeof(want_if)) == 0)
			if_found = true;
	}
	CHECK(id_found && if_found);
}

static void
test_decode(void)
{
	static collect c;
	static pb	p;
	gf_decoder *d = gf_decoder_new(NULL);
	gf_mapping_error merr;
	gf_error	err;
	gf_mapping *m;
	const gf_flow_extra *x;
	uint64_t	u;
	char		buf[64];

	build_ipfix(&p);
	/* Without a mapping: in_if is ingressInterface, no extras. */
	memset(&c, 0, sizeof(c));
	CHECK(pb_decode(d, &p, &c, &err) == GF_OK);
	CHECK_EQ_U64(c.n, 1);
	CHECK(GF_HAS(&c.flows[0], GF_F_IN_IF) && c.flows[0].in_if == 11);
	CHECK(!GF_HAS(&c.flows[0], GF_F_OUT_IF));
	CHECK_EQ_U64(c.flows[0].n_extra, 0);
	CHECK_EQ_U64(c.flows[0].next_hop.family, 0);

	m = parse("formatter:\n"
			  "  protobuf:\n"
			  "    - {name: probe_id, index: 1100, type: varint}\n"
			  "    - {name: probe_if, index: 1101, type: string}\n"
			  "ipfix:\n"
			  "  mapping:\n"
			  "    - {field: 252, destination: in_if}\n"
			  "    - {field: 253, destination: OutIf}\n"
			  "    - {field: 27, destination: next_hop}\n"
			  "    - {field: 100, pen: 29305, destination: probe_id}\n"
			  "    - {field: 101, penprovided: true, pen: 29305, destination: probe_if}\n",
			  &merr);
	CHECK(m != NULL);
	if (m == NULL)
		printf("  %s\n", merr.msg);
	gf_decoder_set_mapping(d, m);
	memset(&c, 0, sizeof(c));
	/* Data only: the template is known from the first datagram. */
	CHECK(pb_decode(d, &p, &c, &err) == GF_OK);
	CHECK_EQ_U64(c.n, 1);
	CHECK(c.flows[0].in_if == 1001);
	CHECK(GF_HAS(&c.flows[0], GF_F_OUT_IF) && c.flows[0].out_if == 1002);
	CHECK_STR(gf_addr_format(&c.flows[0].next_hop, buf, sizeof(buf)), "2001:db8::7");
	CHECK_EQ_U64(c.flows[0].src_addr.family, 6);	/* 27 keeps its meaning */
	CHECK_EQ_U64(c.flows[0].packets, 99);
	CHECK_EQ_U64(c.flows[0].n_extra, 2);
	x = find_extra(&c.flows[0], "probe_id");
	CHECK(x != NULL && x->pb_index == 1100 && x->len == 8);
	if (x)
	{
		memcpy(&u, &c.flows[0].extra_buf[x->off + x->name_len], 8);
		CHECK_EQ_U64(u, 424242);
	}
	x = find_extra(&c.flows[0], "probe_if");
	CHECK(x != NULL && x->len == 5 && x->type == GF_MAP_STRING &&
		  memcmp(&c.flows[0].extra_buf[x->off + x->name_len], "eth-7", 5) == 0);
	CHECK_EQ_U64(gf_decoder_counters(d)->mapping_applied, 5);
	check_outputs(&c.flows[0]);
	CHECK_EQ_U64(gf_decoder_counters(d)->mapping_refused, 0);

	/* A value that cannot fit (IPv6 into in_if) is refused and counted. */
	m = parse("ipfix:\n  mapping:\n    - {field: 27, destination: in_if}\n", &merr);
	CHECK(m != NULL);
	gf_decoder_set_mapping(d, m);
	memset(&c, 0, sizeof(c));
	CHECK(pb_decode(d, &p, &c, &err) == GF_OK);
	CHECK(c.flows[0].in_if == 11);
	CHECK_EQ_U64(gf_decoder_counters(d)->mapping_refused, 1);

	/* Little endian: 1001 read backwards. */
	m = parse("ipfix:\n  mapping:\n    - {field: 252, destination: in_if, endianness: little}\n", &merr);
	gf_decoder_set_mapping(d, m);
	memset(&c, 0, sizeof(c));
	CHECK(pb_decode(d, &p, &c, &err) == GF_OK);
	CHECK_EQ_U64(c.flows[0].in_if, UINT32_C(0xe9030000));

	/* Back to none. */
	gf_decoder_set_mapping(d, NULL);
	memset(&c, 0, sizeof(c));
	CHECK(pb_decode(d, &p, &c, &err) == GF_OK);
	CHECK(c.flows[0].in_if == 11 && c.flows[0].n_extra == 0);
	gf_decoder_free(d);
}

static uint64_t
extra_u64(const gf_flow *f, const char *name)
{
	const gf_flow_extra *x = find_extra(f, name);
	uint64_t	u = UINT64_MAX;

	if (x != NULL && x->len == 8)
		memcpy(&u, &f->extra_buf[x->off + x->name_len], 8);
	return u;
}

/*
 * sFlow: slices of the sampled Ethernet/IPv4/TCP header (sflow_build.h:
 * 10.1.2.3:40000 -> 192.0.2.9:443, ttl 61, source MAC 66:77:88:99:aa:bb;
 * the sample says in 3, out 7).
 */
static void
test_sflow(void)
{
	static const uint8_t agent[4] = {192, 0, 2, 50};
	static const uint8_t smac[6] = {0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
	static sb	s;
	static collect c;
	gf_decoder *d = gf_decoder_new(NULL);
	gf_mapping_error merr;
	gf_mapping *m;
	gf_datagram dg;
	gf_sink		sink = {0};
	gf_error	err;
	char		buf[64];

	m = parse("formatter:\n"
			  "  protobuf:\n"
			  "    - {name: sport, index: 1100}\n"
			  "    - {name: ttl, index: 1101}\n"
			  "    - {name: ihl, index: 1102}\n"
			  "sflow:\n"
			  "  mapping:\n"
			  "    - {layer: tcp, offset: 0, length: 16, destination: sport}\n"
			  "    - {layer: tcp, offset: 16, length: 16, destination: in_if}\n"
			  "    - {layer: ipv4, offset: 64, length: 8, destination: ttl}\n"
			  "    - {layer: ipv4, offset: 96, length: 32, destination: next_hop}\n"
			  "    - {layer: ipv4, offset: 4, length: 4, destination: ihl}\n"
			  "    - {layer: ethernet, offset: 48, length: 48, destination: dst_mac}\n"
			  "    - {layer: udp, offset: 0, length: 16, destination: out_if}\n"
			  "    - {layer: tcp, offset: 400, length: 16, destination: out_if}\n"
			  "    - {layer: tcp, encap: true, offset: 0, length: 16, destination: out_if}\n",
			  &merr);
	CHECK(m != NULL);
	if (m == NULL)
	{
		printf("  %s\n", merr.msg);
		gf_decoder_free(d);
		return;
	}
	gf_decoder_set_mapping(d, m);
	memset(&s, 0, sizeof(s));
	sb_sflow_header(&s, agent, 0, 1, 100, 1);
	sb_flow_sample_typical(&s, 1);
	memset(&dg, 0, sizeof(dg));
	dg.data = s.b;
	dg.len = s.n;
	dg.time_received_ns = TEST_TIME_RECEIVED_NS;
	memset(&c, 0, sizeof(c));
	sink.flow = collect_flow;
	sink.arg = &c;
	CHECK(gf_decode(d, GF_PROTO_AUTO, &dg, &sink, &err) == GF_OK);
	CHECK_EQ_U64(c.n, 1);
	CHECK_EQ_U64(extra_u64(&c.flows[0], "sport"), 40000);
	CHECK_EQ_U64(c.flows[0].in_if, 443);
	CHECK_EQ_U64(extra_u64(&c.flows[0], "ttl"), 61);
	CHECK_STR(gf_addr_format(&c.flows[0].next_hop, buf, sizeof(buf)), "10.1.2.3");
	CHECK_EQ_U64(extra_u64(&c.flows[0], "ihl"), 5);
	CHECK(memcmp(c.flows[0].dst_mac, smac, 6) == 0);
	/* Not a UDP packet, past the header, no tunnel: out_if as sampled. */
	CHECK_EQ_U64(c.flows[0].out_if, 7);
	CHECK_EQ_U64(gf_decoder_counters(d)->mapping_applied, 6);
	CHECK_EQ_U64(gf_decoder_counters(d)->mapping_refused, 0);
	gf_decoder_free(d);

	check_refused("sflow:\n  mapping:\n    - {layer: mpls, length: 20, destination: in_if}\n",
				  3, 15, "not supported here");
}

int
main(void)
{
	test_parse_goflow2();
	test_parse_errors();
	test_decode();
	test_sflow();
	UNIT_MAIN_END();
}
