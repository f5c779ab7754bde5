/*
 * test_flow_pb_decode.c
 *    Unit tests for gf_flow_pb_next (flow_pb_decode.h), the reader of
 *    GoFlow2's "bin" format:
 *      - messages written by hand from the protobuf wire format (tags
 *        computed from proto/flow.proto's field numbers), so the reader is
 *        checked against the specification, not against our encoder;
 *      - round trips through gf_flow_pb_pack_delimited of flows with every
 *        field, compared member by member with the flow that went in;
 *      - hostile input: cut and oversized length prefixes, bodies that are
 *        not FlowMessages (the framing of the next one survives), bad
 *        address lengths, prefix lengths, types, oversized arrays.
 */
#include "flow_pb.h"
#include "flow_pb_decode.h"

#include "unit.h"

#define NOW_NS	UINT64_C(1700000000000000000)

/* Every scalar member with its presence bit, for the round trip. */
static void
fill_all(gf_flow *f, bool v6)
{
	static const uint8_t s4[4] = {192, 0, 2, 1};
	static const uint8_t a4[4] = {10, 1, 2, 3};
	static const uint8_t b4[4] = {198, 51, 100, 200};
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	gf_addr		sampler;
	int			i;

	gf_addr_set_v4(&sampler, s4);
	gf_flow_init(f, v6 ? GF_TYPE_IPFIX : GF_TYPE_NETFLOW_V9,
				 NOW_NS + 17, &sampler);
	GF_SET(f, time_flow_start_ns, GF_F_TIME_FLOW_START, NOW_NS - 5000000000ULL);
	GF_SET(f, time_flow_end_ns, GF_F_TIME_FLOW_END, NOW_NS - 1000000123ULL);
	GF_SET(f, sequence_num, GF_F_SEQUENCE_NUM, 4000000000u);
	GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, 1024);
	GF_SET(f, bytes, GF_F_BYTES, UINT64_C(0x123456789abc));
	GF_SET(f, packets, GF_F_PACKETS, 0);	/* a present zero */
	if (v6)
	{
		gf_addr_set_v6(&f->src_addr, a6);
		gf_addr_set_v6(&f->dst_addr, b6);
		gf_addr_set_v6(&f->next_hop, b6);
		GF_SET(f, etype, GF_F_ETYPE, 0x86dd);
		GF_SET(f, ipv6_flow_label, GF_F_IPV6_FLOW_LABEL, 0xfffff);
	}
	else
	{
		gf_addr_set_v4(&f->src_addr, a4);
		gf_addr_set_v4(&f->dst_addr, b4);
		gf_addr_set_v4(&f->next_hop, a4);
		gf_addr_set_v4(&f->bgp_next_hop, b4);
		GF_SET(f, etype, GF_F_ETYPE, 0x800);
	}
	GF_SET(f, proto, GF_F_PROTO, 6);
	GF_SET(f, src_port, GF_F_SRC_PORT, 443);
	GF_SET(f, dst_port, GF_F_DST_PORT, 65535);
	GF_SET(f, in_if, GF_F_IN_IF, 7);
	GF_SET(f, out_if, GF_F_OUT_IF, 4294967295u);
	f->src_mac[0] = 0x00;
	f->src_mac[1] = 0x1b;
	f->src_mac[2] = 0x21;
	f->src_mac[3] = 0xaa;
	f->src_mac[4] = 0xbb;
	f->src_mac[5] = 0xcc;
	GF_MARK(f, GF_F_SRC_MAC);
	memset(f->dst_mac, 0xfe, 6);
	GF_MARK(f, GF_F_DST_MAC);
	GF_SET(f, src_vlan, GF_F_SRC_VLAN, 10);
	GF_SET(f, dst_vlan, GF_F_DST_VLAN, 4094);
	GF_SET(f, vlan_id, GF_F_VLAN_ID, 10);
	GF_SET(f, ip_tos, GF_F_IP_TOS, 0xb8);
	GF_SET(f, ip_ttl, GF_F_IP_TTL, 64);
	GF_SET(f, ip_flags, GF_F_IP_FLAGS, 2);
	GF_SET(f, tcp_flags, GF_F_TCP_FLAGS, 0x1b);
	GF_SET(f, forwarding_status, GF_F_FORWARDING_STATUS, 64);
	GF_SET(f, icmp_type, GF_F_ICMP_TYPE, 0);
	GF_SET(f, icmp_code, GF_F_ICMP_CODE, 0);
	GF_SET(f, fragment_id, GF_F_FRAGMENT_ID, 54321);
	GF_SET(f, fragment_offset, GF_F_FRAGMENT_OFFSET, 185);
	GF_SET(f, src_as, GF_F_SRC_AS, 64512);
	GF_SET(f, dst_as, GF_F_DST_AS, 4200000000u);
	GF_SET(f, next_hop_as, GF_F_NEXT_HOP_AS, 65001);
	f->src_net_len = v6 ? 48 : 24;
	GF_MARK(f, GF_F_SRC_NET);
	f->dst_net_len = 0;
	GF_MARK(f, GF_F_DST_NET);
	GF_SET(f, observation_domain_id, GF_F_OBSERVATION_DOMAIN_ID, 256);
	GF_SET(f, observation_point_id, GF_F_OBSERVATION_POINT_ID, 3);
	GF_SET(f, in_if_format, GF_F_IN_IF_FORMAT, 0);
	GF_SET(f, out_if_format, GF_F_OUT_IF_FORMAT, 2);
	GF_SET(f, vxlan_vni, GF_F_VXLAN_VNI, 16777215);
	f->sampling_rate_source = v6 ? GF_RATE_OPTIONS : GF_RATE_OVERRIDE;
	memcpy(f->src_country, "FR", 3);
	if (v6)
		memcpy(f->dst_country, "US", 3);
	f->n_as_path = v6 ? GF_MAX_AS_PATH : 3;
	for (i = 0; i < f->n_as_path; i++)
		f->as_path[i] = 64512u + (uint32_t) i * 1000003u;
	f->n_communities = 2;
	f->bgp_communities[0] = 0xfde80064;
	f->bgp_communities[1] = 0;
	f->n_mpls = v6 ? GF_MAX_MPLS : 1;
	for (i = 0; i < f->n_mpls; i++)
		f->mpls_label[i] = 0xfffff - (uint32_t) i;
}

static bool
addr_eq(const gf_addr *a, const gf_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == 0)
		return true;
	return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

/* Member by member: what gf_flow_pb_decode.h promises to read back. */
static void
expect_same(const gf_flow *a, const gf_flow *b)
{
	CHECK_EQ_U64(a->present, b->present);
	CHECK_EQ_U64(a->type, b->type);
	CHECK_EQ_U64(a->time_received_ns, b->time_received_ns);
	CHECK(addr_eq(&a->sampler_address, &b->sampler_address));
	CHECK(addr_eq(&a->src_addr, &b->src_addr));
	CHECK(addr_eq(&a->dst_addr, &b->dst_addr));
	CHECK(addr_eq(&a->next_hop, &b->next_hop));
	CHECK(addr_eq(&a->bgp_next_hop, &b->bgp_next_hop));
	CHECK_EQ_U64(a->time_flow_start_ns, b->time_flow_start_ns);
	CHECK_EQ_U64(a->time_flow_end_ns, b->time_flow_end_ns);
	CHECK_EQ_U64(a->sequence_num, b->sequence_num);
	CHECK_EQ_U64(a->sampling_rate, b->sampling_rate);
	CHECK_EQ_U64(a->bytes, b->bytes);
	CHECK_EQ_U64(a->packets, b->packets);
	CHECK_EQ_U64(a->etype, b->etype);
	CHECK_EQ_U64(a->proto, b->proto);
	CHECK_EQ_U64(a->src_port, b->src_port);
	CHECK_EQ_U64(a->dst_port, b->dst_port);
	CHECK_EQ_U64(a->in_if, b->in_if);
	CHECK_EQ_U64(a->out_if, b->out_if);
	CHECK(memcmp(a->src_mac, b->src_mac, 6) == 0);
	CHECK(memcmp(a->dst_mac, b->dst_mac, 6) == 0);
	CHECK_EQ_U64(a->src_vlan, b->src_vlan);
	CHECK_EQ_U64(a->dst_vlan, b->dst_vlan);
	CHECK_EQ_U64(a->vlan_id, b->vlan_id);
	CHECK_EQ_U64(a->ip_tos, b->ip_tos);
	CHECK_EQ_U64(a->ip_ttl, b->ip_ttl);
	CHECK_EQ_U64(a->ip_flags, b->ip_flags);
	CHECK_EQ_U64(a->tcp_flags, b->tcp_flags);
	CHECK_EQ_U64(a->forwarding_status, b->forwarding_status);
	CHECK_EQ_U64(a->icmp_type, b->icmp_type);
	CHECK_EQ_U64(a->icmp_code, b->icmp_code);
	CHECK_EQ_U64(a->ipv6_flow_label, b->ipv6_flow_label);
	CHECK_EQ_U64(a->fragment_id, b->fragment_id);
	CHECK_EQ_U64(a->fragment_offset, b->fragment_offset);
	CHECK_EQ_U64(a->src_as, b->src_as);
	CHECK_EQ_U64(a->dst_as, b->dst_as);
	CHECK_EQ_U64(a->next_hop_as, b->next_hop_as);
	CHECK_EQ_U64(a->src_net_len, b->src_net_len);
	CHECK_EQ_U64(a->dst_net_len, b->dst_net_len);
	CHECK_EQ_U64(a->observation_domain_id, b->observation_domain_id);
	CHECK_EQ_U64(a->observation_point_id, b->observation_point_id);
	CHECK_EQ_U64(a->in_if_format, b->in_if_format);
	CHECK_EQ_U64(a->out_if_format, b->out_if_format);
	CHECK_EQ_U64(a->vxlan_vni, b->vxlan_vni);
	CHECK_EQ_U64(a->sampling_rate_source, b->sampling_rate_source);
	CHECK_STR(a->src_country, b->src_country);
	CHECK_STR(a->dst_country, b->dst_country);
	CHECK_EQ_U64(a->n_as_path, b->n_as_path);
	CHECK_EQ_U64(a->n_communities, b->n_communities);
	CHECK_EQ_U64(a->n_mpls, b->n_mpls);
	CHECK(memcmp(a->as_path, b->as_path, a->n_as_path * 4) == 0);
	CHECK(memcmp(a->bgp_communities, b->bgp_communities, a->n_communities * 4) == 0);
	CHECK(memcmp(a->mpls_label, b->mpls_label, a->n_mpls * 4) == 0);
}

/* Three flows in one buffer, as the sink batches them, read back. */
static void
test_round_trip(void)
{
	static gf_flow in[3];
	static gf_flow out;
	static uint8_t buf[3 * GF_FLOW_PB_MAX];
	size_t		len = 0;
	size_t		off = 0;
	int			i;
	gf_addr		none;

	fill_all(&in[0], false);
	fill_all(&in[1], true);
	memset(&none, 0, sizeof(none));
	/* Only what every flow carries. */
	gf_flow_init(&in[2], GF_TYPE_SFLOW_5, NOW_NS, &none);
	for (i = 0; i < 3; i++)
	{
		size_t		n = gf_flow_pb_pack_delimited(&in[i], NULL, buf + len,
												  sizeof(buf) - len);

		CHECK(n > 0);
		len += n;
	}
	for (i = 0; i < 3; i++)
	{
		memset(&out, 0x5a, sizeof(out));	/* nothing left over */
		CHECK(gf_flow_pb_next(buf, len, &off, 1, &out, NULL) == GF_PBD_OK);
		expect_same(&in[i], &out);
	}
	CHECK_EQ_U64(off, len);
	CHECK(gf_flow_pb_next(buf, len, &off, 1, &out, NULL) == GF_PBD_END);
}

/*
 * By hand from the wire format: type = NETFLOW_V5 (field 1, varint 2),
 * time_received_ns = 1000 (field 110: tag 880 = F0 06, value E8 07),
 * src_port = 0 present (field 21: tag 168 = A8 01, 00), src_addr 4 bytes
 * (field 6, wire type 2: 32 04 ...), an unknown field 999 (tag 7992 =
 * B8 3E, varint 5) and field 2 that are skipped; then src_mac (field 27:
 * tag D8 01, the varint of 0x0a0b0c0d0e0f) and a type outside FlowType.
 */
static void
test_by_hand(void)
{
	static const uint8_t msg[] = {
		0x14,					/* 20 bytes follow */
		0x08, 0x02,
		0xF0, 0x06, 0xE8, 0x07,
		0xA8, 0x01, 0x00,
		0x32, 0x04, 10, 0, 0, 1,
		0xB8, 0x3E, 0x05,
		0x10, 0x07				/* field 2 (not in our file): skipped */
	};
	/* src_mac 0x0a0b0c0d0e0f = 11087586762255 as a varint. */
	static const uint8_t mac[] = {
		0x0B,
		0xD8, 0x01, 0x8F, 0x9C, 0xB4, 0xE0, 0xB0, 0xC1, 0x02,
		0x08, 0x09				/* type 9: not a FlowType */
	};
	gf_flow		f;
	size_t		off = 0;

	CHECK(gf_flow_pb_next(msg, sizeof(msg), &off, 77, &f, NULL) == GF_PBD_OK);
	CHECK_EQ_U64(off, sizeof(msg));
	CHECK_EQ_U64(f.type, GF_TYPE_NETFLOW_V5);
	CHECK_EQ_U64(f.time_received_ns, 1000);
	CHECK(GF_HAS(&f, GF_F_SRC_PORT));
	CHECK_EQ_U64(f.src_port, 0);
	CHECK(!GF_HAS(&f, GF_F_DST_PORT));
	CHECK(!GF_HAS(&f, GF_F_BYTES));
	CHECK_EQ_U64(f.src_addr.family, 4);
	CHECK(memcmp(f.src_addr.bytes, "\x0a\x00\x00\x01", 4) == 0);
	CHECK_EQ_U64(f.dst_addr.family, 0);
	CHECK_EQ_U64(f.sampler_address.family, 0);
	CHECK_EQ_U64(f.sampling_rate_source, GF_RATE_NONE);

	off = 0;
	CHECK(gf_flow_pb_next(mac, sizeof(mac), &off, 77, &f, NULL) == GF_PBD_OK);
	CHECK_EQ_U64(f.type, GF_TYPE_UNKNOWN);
	CHECK_EQ_U64(f.time_received_ns, 77);	/* absent: now */
	CHECK(GF_HAS(&f, GF_F_SRC_MAC));
	CHECK(memcmp(f.src_mac, "\x0a\x0b\x0c\x0d\x0e\x0f", 6) == 0);
}

/* Values the reader must not take as they are. */
static void
test_odd_values(void)
{
	/* sampler 5 bytes, src_net 200, dst_net 128, country "FRA". */
	static const uint8_t msg[] = {
		0x11,
		0x5A, 0x05, 1, 2, 3, 4, 5,	/* field 11, 5 bytes */
		0x80, 0x01, 0xC8, 0x01,		/* field 16 = 200 */
		0x88, 0x01, 0x80, 0x01,		/* field 17 = 128 */
		0x08, 0x01					/* SFLOW_5 */
	};
	gf_flow		f;
	size_t		off = 0;
	static uint8_t big[4 + 200 * 2];
	size_t		n = 0;
	int			i;

	CHECK(gf_flow_pb_next(msg, sizeof(msg), &off, 1, &f, NULL) == GF_PBD_OK);
	CHECK_EQ_U64(f.sampler_address.family, 0);
	CHECK(!GF_HAS(&f, GF_F_SRC_NET));
	CHECK(GF_HAS(&f, GF_F_DST_NET));
	CHECK_EQ_U64(f.dst_net_len, 128);
	CHECK_EQ_U64(f.type, GF_TYPE_SFLOW_5);

	/* Countries: two ASCII letters or digits, else absent (field 1028). */
	{
		static const uint8_t bad_cc[] = {0x05, 0xA2, 0x40, 0x02, 'F', 0xAE};
		static const uint8_t ok_cc[] = {0x05, 0xA2, 0x40, 0x02, 'f', 'r'};

		off = 0;
		CHECK(gf_flow_pb_next(bad_cc, sizeof(bad_cc), &off, 1, &f, NULL) == GF_PBD_OK);
		CHECK_STR(f.src_country, "");
		off = 0;
		CHECK(gf_flow_pb_next(ok_cc, sizeof(ok_cc), &off, 1, &f, NULL) == GF_PBD_OK);
		CHECK_STR(f.src_country, "fr");
	}

	/* as_path (field 102, packed) with 100 one-byte entries: cut at 64. */
	big[n++] = 0;				/* length, below */
	big[n++] = 0;
	big[n++] = 0xB2;			/* tag 102 << 3 | 2 = 818 = B2 06 */
	big[n++] = 0x06;
	big[n++] = 100;
	for (i = 0; i < 100; i++)
		big[n++] = (uint8_t) i;
	/* A two-byte (non-minimal) prefix, which readers accept. */
	big[0] = (uint8_t) (0x80 | ((n - 2) & 0x7f));
	big[1] = (uint8_t) ((n - 2) >> 7);
	off = 0;
	CHECK(gf_flow_pb_next(big, n, &off, 1, &f, NULL) == GF_PBD_OK);
	CHECK_EQ_U64(f.n_as_path, GF_MAX_AS_PATH);
	CHECK_EQ_U64(f.as_path[63], 63);
}

static void
test_hostile(void)
{
	/* A body that is not a message (wire type 7), then a good one. */
	static const uint8_t two[] = {
		0x02, 0x0F, 0x01,
		0x02, 0x08, 0x04
	};
	static const uint8_t cut_prefix[] = {0x80};
	static const uint8_t past_end[] = {0x05, 0x08, 0x01};
	static const uint8_t huge[] = {0x81, 0x80, 0x80, 0x01, 0x08};	/* 2 MiB + 1 */
	static const uint8_t eleven[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x80, 0x80, 0x00};
	/* Empty message: valid, every field absent. */
	static const uint8_t empty[] = {0x00};
	gf_flow		f;
	size_t		off = 0;
	const char *why = NULL;

	CHECK(gf_flow_pb_next(two, sizeof(two), &off, 1, &f, &why) == GF_PBD_BAD_MESSAGE);
	CHECK(why != NULL);
	CHECK_EQ_U64(off, 3);
	CHECK(gf_flow_pb_next(two, sizeof(two), &off, 1, &f, NULL) == GF_PBD_OK);
	CHECK_EQ_U64(f.type, GF_TYPE_IPFIX);
	CHECK_EQ_U64(off, 6);

	off = 0;
	CHECK(gf_flow_pb_next(cut_prefix, sizeof(cut_prefix), &off, 1, &f, &why) == GF_PBD_BAD_FRAMING);
	CHECK_EQ_U64(off, 0);
	CHECK(gf_flow_pb_next(past_end, sizeof(past_end), &off, 1, &f, &why) == GF_PBD_BAD_FRAMING);
	CHECK(strstr(why, "past the end") != NULL);
	CHECK(gf_flow_pb_next(huge, sizeof(huge), &off, 1, &f, &why) == GF_PBD_BAD_FRAMING);
	CHECK(strstr(why, "1 MiB") != NULL);
	CHECK(gf_flow_pb_next(eleven, sizeof(eleven), &off, 1, &f, &why) == GF_PBD_BAD_FRAMING);
	CHECK_EQ_U64(off, 0);
	CHECK(gf_flow_pb_next(NULL, 0, &off, 1, &f, NULL) == GF_PBD_END);

	CHECK(gf_flow_pb_next(empty, sizeof(empty), &off, 5, &f, NULL) == GF_PBD_OK);
	CHECK_EQ_U64(f.present, 0);
	CHECK_EQ_U64(f.time_received_ns, 5);
	CHECK_EQ_U64(off, 1);
}

/*
 * The reader unpacks into a 16 KiB arena on its stack and spills to
 * malloc beyond it (flow_pb_decode.c).  An unknown field of 15000 to
 * 16383 bytes, then an empty src_addr and as_path, a sampler address and
 * a country: the arena ends up full at every 16-byte step, the large
 * block lands in the arena or spills, and the small ones after it fit or
 * spill at the arena's very end.  Every block must go back to the
 * allocator it came from (the unit build's ASan reports a free() of a
 * stack address, LeakSanitizer a spilled block never freed), and the
 * fields after the large one must still read right.
 */
static void
test_arena_edges(void)
{
	static uint8_t msg[20000];
	gf_flow		f;
	size_t		pad;
	int			ok = 0;
	int			n_tried = 0;

	for (pad = 15000; pad <= 16383; pad++)	/* a 2-byte length */
	{
		size_t		n = 0;
		size_t		body;
		size_t		off = 0;
		size_t		i;

		/* body: unknown field 2000 (wire type 2) of pad bytes, then the rest */
		n = 3;					/* room for a 3-byte length prefix */
		msg[n++] = 0x82;		/* tag 2000 << 3 | 2 = 16002 = 82 7D */
		msg[n++] = 0x7D;
		msg[n++] = (uint8_t) (0x80 | (pad & 0x7f));
		msg[n++] = (uint8_t) (pad >> 7);
		for (i = 0; i < pad; i++)
			msg[n++] = (uint8_t) i;
		msg[n++] = 0x32;		/* src_addr (6), 0 bytes */
		msg[n++] = 0x00;
		msg[n++] = 0xB2;		/* as_path (102), packed, 0 entries */
		msg[n++] = 0x06;
		msg[n++] = 0x00;
		msg[n++] = 0x5A;		/* sampler_address (11), 4 bytes */
		msg[n++] = 0x04;
		msg[n++] = 192;
		msg[n++] = 0;
		msg[n++] = 2;
		msg[n++] = 9;
		msg[n++] = 0xA2;		/* src_country (1028), "nl" */
		msg[n++] = 0x40;
		msg[n++] = 0x02;
		msg[n++] = 'n';
		msg[n++] = 'l';
		body = n - 3;
		msg[0] = (uint8_t) (0x80 | (body & 0x7f));
		msg[1] = (uint8_t) (0x80 | ((body >> 7) & 0x7f));
		msg[2] = (uint8_t) (body >> 14);
		n_tried++;
		if (gf_flow_pb_next(msg, n, &off, 1, &f, NULL) == GF_PBD_OK &&
			off == n && f.sampler_address.family == 4 &&
			strcmp(f.src_country, "nl") == 0)
			ok++;
	}
	CHECK_EQ_U64(ok, n_tried);
}

int
main(void)
{
	test_round_trip();
	test_by_hand();
	test_odd_values();
	test_hostile();
	test_arena_edges();
	UNIT_MAIN_END();
}
