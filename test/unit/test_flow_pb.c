/*
 * test_flow_pb.c
 *    The protobuf encoder (flow_pb.h), read back two ways:
 *      - by a wire-format reader written here, keyed by field numbers
 *        typed in below from GoFlow2's pb/flow.proto (netsampler/goflow2)
 *        and from the numbers goflow2plus publishes for its additions, so
 *        that a wrong number in proto/flow.proto, a wrong wire type or a
 *        stray field fails here;
 *      - by protobuf-c's own unpack, the round trip a consumer of our
 *        .proto makes.
 *    Both are compared with the flows and the fixture's snapshot inputs
 *    (enc_fixture.h).  Also: present zeros sent, absent fields not; the
 *    varint framing of several messages in a row (1-, 2- and 3-byte
 *    lengths); the buffer bound (0 and nothing written when short); and
 *    byte-for-byte equality with protobuf-c's own packing (flow_pb_ref.c)
 *    over random flows.
 */
#include "flow_pb.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "flow.pb-c.h"
#include "unit.h"
#include "enc_fixture.h"

/* GoFlow2's FlowMessage field numbers (pb/flow.proto). */
enum
{
	GF2_TYPE = 1,
	GF2_SAMPLING_RATE = 3,
	GF2_SEQUENCE_NUM = 4,
	GF2_SRC_ADDR = 6,
	GF2_DST_ADDR = 7,
	GF2_BYTES = 9,
	GF2_PACKETS = 10,
	GF2_SAMPLER_ADDRESS = 11,
	GF2_NEXT_HOP = 12,
	GF2_NEXT_HOP_AS = 13,
	GF2_SRC_AS = 14,
	GF2_DST_AS = 15,
	GF2_SRC_NET = 16,
	GF2_DST_NET = 17,
	GF2_IN_IF = 18,
	GF2_OUT_IF = 19,
	GF2_PROTO = 20,
	GF2_SRC_PORT = 21,
	GF2_DST_PORT = 22,
	GF2_IP_TOS = 23,
	GF2_FORWARDING_STATUS = 24,
	GF2_IP_TTL = 25,
	GF2_TCP_FLAGS = 26,
	GF2_SRC_MAC = 27,
	GF2_DST_MAC = 28,
	GF2_VLAN_ID = 29,
	GF2_ETYPE = 30,
	GF2_ICMP_TYPE = 31,
	GF2_ICMP_CODE = 32,
	GF2_SRC_VLAN = 33,
	GF2_DST_VLAN = 34,
	GF2_FRAGMENT_ID = 35,
	GF2_FRAGMENT_OFFSET = 36,
	GF2_IPV6_FLOW_LABEL = 37,
	GF2_IP_FLAGS = 38,
	GF2_OBSERVATION_DOMAIN_ID = 70,
	GF2_OBSERVATION_POINT_ID = 71,
	GF2_MPLS_LABEL = 81,
	GF2_BGP_NEXT_HOP = 100,
	GF2_BGP_COMMUNITIES = 101,
	GF2_AS_PATH = 102,
	GF2_TIME_RECEIVED_NS = 110,
	GF2_TIME_FLOW_START_NS = 111,
	GF2_TIME_FLOW_END_NS = 112
};

/* goflow2plus's additions, as published (docs and proto/flow.proto). */
enum
{
	GFP_IN_IF_FORMAT = 1000,
	GFP_OUT_IF_FORMAT = 1001,
	GFP_VXLAN_VNI = 1002,
	GFP_FW_EVENT = 1003,
	GFP_SRC_GROUP = 1010,
	GFP_DST_GROUP = 1011,
	GFP_SRC_CONTEXT = 1012,
	GFP_DST_CONTEXT = 1013,
	GFP_DEVICE_NAME = 1014,
	GFP_DEVICE_SITE = 1015,
	GFP_DEVICE_ROLE = 1016,
	GFP_DEVICE_CONTEXT = 1017,
	GFP_IN_IF_NAME = 1018,
	GFP_OUT_IF_NAME = 1019,
	GFP_IN_IF_DESCRIPTION = 1020,
	GFP_OUT_IF_DESCRIPTION = 1021,
	GFP_IN_IF_SPEED = 1022,
	GFP_OUT_IF_SPEED = 1023,
	GFP_IN_IF_BOUNDARY = 1024,
	GFP_OUT_IF_BOUNDARY = 1025,
	GFP_IN_IF_PROVIDER = 1026,
	GFP_OUT_IF_PROVIDER = 1027,
	GFP_SRC_COUNTRY = 1028,
	GFP_DST_COUNTRY = 1029,
	GFP_SAMPLING_RATE_SOURCE = 1030,
	GFP_IN_IF_CONTEXT = 1031,
	GFP_OUT_IF_CONTEXT = 1032
};

/* ---- a wire-format reader that knows no schema ------------------------- */

#define PW_MAX_FIELD 1100

typedef struct pw_field
{
	int			count;			/* occurrences */
	int			wire_type;		/* of the last one */
	uint64_t	varint;
	const uint8_t *data;		/* length-delimited payload */
	size_t		len;
	bool		checked;
} pw_field;

typedef struct pw_msg
{
	pw_field	f[PW_MAX_FIELD + 1];
	int			unknown_numbers;	/* numbers beyond PW_MAX_FIELD */
} pw_msg;

static bool
pw_varint(const uint8_t *p, size_t n, size_t *pos, uint64_t *out)
{
	uint64_t	v = 0;
	int			shift = 0;

	while (*pos < n && shift < 64)
	{
		uint8_t		b = p[(*pos)++];

		v |= (uint64_t) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
		{
			*out = v;
			return true;
		}
		shift += 7;
	}
	return false;
}

static bool
pw_parse(const uint8_t *p, size_t n, pw_msg *m)
{
	size_t		pos = 0;

	memset(m, 0, sizeof(*m));
	while (pos < n)
	{
		uint64_t	tag;
		uint64_t	num;
		int			wt;
		pw_field   *fl;
		pw_field	dummy;

		if (!pw_varint(p, n, &pos, &tag))
			return false;
		num = tag >> 3;
		wt = (int) (tag & 7);
		if (num == 0)
			return false;
		if (num > PW_MAX_FIELD)
		{
			m->unknown_numbers++;
			fl = &dummy;
		}
		else
			fl = &m->f[num];
		fl->count++;
		fl->wire_type = wt;
		switch (wt)
		{
			case 0:
				if (!pw_varint(p, n, &pos, &fl->varint))
					return false;
				break;
			case 1:
				if (n - pos < 8)
					return false;
				pos += 8;
				break;
			case 2:
				{
					uint64_t	len;

					if (!pw_varint(p, n, &pos, &len) || len > n - pos)
						return false;
					fl->data = p + pos;
					fl->len = (size_t) len;
					pos += (size_t) len;
					break;
				}
			case 5:
				if (n - pos < 4)
					return false;
				pos += 4;
				break;
			default:
				return false;
		}
	}
	return true;
}

static void
pw_expect_varint(pw_msg *m, int num, uint64_t want)
{
	pw_field   *fl = &m->f[num];

	fl->checked = true;
	if (fl->count != 1 || fl->wire_type != 0 || fl->varint != want)
	{
		unit_failed++;
		fprintf(stderr, "field %d: count %d, wire type %d, value %llu; expected one varint %llu\n",
				num, fl->count, fl->wire_type, (unsigned long long) fl->varint,
				(unsigned long long) want);
	}
	else
		unit_passed++;
}

static void
pw_expect_bytes(pw_msg *m, int num, const void *want, size_t len)
{
	pw_field   *fl = &m->f[num];

	fl->checked = true;
	if (fl->count != 1 || fl->wire_type != 2 || fl->len != len ||
		memcmp(fl->data, want, len) != 0)
	{
		unit_failed++;
		fprintf(stderr, "field %d: count %d, wire type %d, %zu bytes; expected %zu bytes \"%.*s\"\n",
				num, fl->count, fl->wire_type, fl->len, len,
				(int) (len > 60 ? 60 : len), (const char *) want);
	}
	else
		unit_passed++;
}

static void
pw_expect_str(pw_msg *m, int num, const char *want)
{
	pw_expect_bytes(m, num, want, strlen(want));
}

/* A packed repeated uint32: one length-delimited run of varints. */
static void
pw_expect_packed(pw_msg *m, int num, const uint32_t *want, size_t n)
{
	pw_field   *fl = &m->f[num];
	size_t		pos = 0;
	size_t		i = 0;
	bool		ok = fl->count == 1 && fl->wire_type == 2;

	fl->checked = true;
	while (ok && pos < fl->len)
	{
		uint64_t	v;

		if (!pw_varint(fl->data, fl->len, &pos, &v) || i >= n || v != want[i])
			ok = false;
		i++;
	}
	if (ok && i == n)
		unit_passed++;
	else
	{
		unit_failed++;
		fprintf(stderr, "field %d: not the packed run of %zu values expected\n", num, n);
	}
}

/* Every field on the wire was expected: none absent-but-sent, no stray one. */
static void
pw_expect_nothing_else(pw_msg *m, const char *what)
{
	int			i;
	int			bad = m->unknown_numbers;

	for (i = 1; i <= PW_MAX_FIELD; i++)
		if (m->f[i].count && !m->f[i].checked)
		{
			fprintf(stderr, "%s: field %d sent but not expected\n", what, i);
			bad++;
		}
	CHECK_EQ_U64(bad, 0);
}

/* Read one length-prefixed message at *pos of a stream. */
static bool
pw_next(const uint8_t *p, size_t n, size_t *pos, pw_msg *m,
		const uint8_t **body, size_t *body_len)
{
	uint64_t	len;

	if (!pw_varint(p, n, pos, &len) || len > n - *pos)
		return false;
	*body = p + *pos;
	*body_len = (size_t) len;
	*pos += (size_t) len;
	return pw_parse(*body, *body_len, m);
}

/* ---- flows ------------------------------------------------------------- */

static const uint8_t SAMPLER[4] = {192, 0, 2, 1};
static const uint8_t SRC4[4] = {10, 1, 2, 3};
static const uint8_t DST4[4] = {198, 51, 100, 200};
static const uint8_t NH4[4] = {10, 0, 0, 254};
static const uint8_t SMAC[6] = {0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc};
static const uint8_t DMAC[6] = {0xff, 0xee, 0xdd, 0x0a, 0x0b, 0x0c};
static const uint8_t V6A[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
0x9a, 0xbc, 0, 0, 0, 0, 0, 1};

static void
fill_ipv4(gf_flow *f)
{
	gf_addr		s;

	gf_addr_set_v4(&s, SAMPLER);
	gf_flow_init(f, GF_TYPE_IPFIX, 1700000000123456789ULL, &s);
	GF_SET(f, sequence_num, GF_F_SEQUENCE_NUM, 4294967295u);
	GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, 1000);
	f->sampling_rate_source = GF_RATE_OPTIONS;
	GF_SET(f, time_flow_start_ns, GF_F_TIME_FLOW_START, 1500000000000000000ULL);
	GF_SET(f, time_flow_end_ns, GF_F_TIME_FLOW_END, 1500000001000000000ULL);
	GF_SET(f, bytes, GF_F_BYTES, 18446744073709551615ULL);
	GF_SET(f, packets, GF_F_PACKETS, 7);
	gf_addr_set_v4(&f->src_addr, SRC4);
	gf_addr_set_v4(&f->dst_addr, DST4);
	GF_SET(f, etype, GF_F_ETYPE, 0x0800);
	GF_SET(f, proto, GF_F_PROTO, 6);
	GF_SET(f, src_port, GF_F_SRC_PORT, 443);
	GF_SET(f, dst_port, GF_F_DST_PORT, 65535);
	GF_SET(f, in_if, GF_F_IN_IF, 3);
	GF_SET(f, out_if, GF_F_OUT_IF, 4);
	memcpy(f->src_mac, SMAC, 6);
	GF_MARK(f, GF_F_SRC_MAC);
	memcpy(f->dst_mac, DMAC, 6);
	GF_MARK(f, GF_F_DST_MAC);
	GF_SET(f, src_vlan, GF_F_SRC_VLAN, 10);
	GF_SET(f, dst_vlan, GF_F_DST_VLAN, 20);
	GF_SET(f, vlan_id, GF_F_VLAN_ID, 100);
	GF_SET(f, ip_tos, GF_F_IP_TOS, 0xb8);
	GF_SET(f, forwarding_status, GF_F_FORWARDING_STATUS, 64);
	GF_SET(f, ip_ttl, GF_F_IP_TTL, 63);
	GF_SET(f, ip_flags, GF_F_IP_FLAGS, 2);
	GF_SET(f, tcp_flags, GF_F_TCP_FLAGS, 0x1b);
	GF_SET(f, fragment_id, GF_F_FRAGMENT_ID, 54321);
	GF_SET(f, fragment_offset, GF_F_FRAGMENT_OFFSET, 185);
	GF_SET(f, src_as, GF_F_SRC_AS, 64512);
	GF_SET(f, dst_as, GF_F_DST_AS, 4200000000u);
	gf_addr_set_v4(&f->next_hop, NH4);
	GF_SET(f, next_hop_as, GF_F_NEXT_HOP_AS, 65001);
	GF_SET(f, src_net_len, GF_F_SRC_NET, 24);
	GF_SET(f, dst_net_len, GF_F_DST_NET, 22);
	gf_addr_set_v6(&f->bgp_next_hop, V6A);
	f->bgp_communities[0] = 0xfde80064u;
	f->bgp_communities[1] = 1;
	f->n_communities = 2;
	f->as_path[0] = 65001;
	f->as_path[1] = 4200000000u;
	f->as_path[2] = 127;
	f->n_as_path = 3;
	f->mpls_label[0] = 16;
	f->mpls_label[1] = 1048575;
	f->n_mpls = 2;
	GF_SET(f, observation_domain_id, GF_F_OBSERVATION_DOMAIN_ID, 7);
	GF_SET(f, observation_point_id, GF_F_OBSERVATION_POINT_ID, 8);
	memcpy(f->src_country, "FR", 3);
	memcpy(f->dst_country, "US", 3);
}

/* Pack one flow alone; the length prefix must cover exactly the rest. */
static size_t
pack_one(const gf_flow *f, const gf_ctx_snapshot *ctx, uint8_t *buf, size_t cap,
		 pw_msg *m, const uint8_t **body, size_t *body_len)
{
	size_t		n = gf_flow_pb_pack_delimited(f, ctx, buf, cap);
	size_t		pos = 0;

	CHECK(n > 0);
	CHECK_EQ_U64(n, gf_flow_pb_size(f, ctx));
	CHECK(pw_next(buf, n, &pos, m, body, body_len));
	CHECK_EQ_U64(pos, n);
	return n;
}

static void
test_ipv4_wire(void)
{
	static pw_msg m;
	static uint8_t buf[GF_FLOW_PB_MAX];
	gf_flow		f;
	const uint8_t *body;
	size_t		blen;
	uint32_t	comm[2] = {0xfde80064u, 1};
	uint32_t	path[3] = {65001, 4200000000u, 127};
	uint32_t	mpls[2] = {16, 1048575};

	fill_ipv4(&f);
	pack_one(&f, NULL, buf, sizeof(buf), &m, &body, &blen);
	pw_expect_varint(&m, GF2_TYPE, 4);	/* IPFIX */
	pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, 1700000000123456789ULL);
	pw_expect_varint(&m, GF2_SEQUENCE_NUM, 4294967295u);
	pw_expect_varint(&m, GF2_SAMPLING_RATE, 1000);
	pw_expect_bytes(&m, GF2_SAMPLER_ADDRESS, SAMPLER, 4);
	pw_expect_varint(&m, GF2_TIME_FLOW_START_NS, 1500000000000000000ULL);
	pw_expect_varint(&m, GF2_TIME_FLOW_END_NS, 1500000001000000000ULL);
	pw_expect_varint(&m, GF2_BYTES, UINT64_MAX);
	pw_expect_varint(&m, GF2_PACKETS, 7);
	pw_expect_bytes(&m, GF2_SRC_ADDR, SRC4, 4);
	pw_expect_bytes(&m, GF2_DST_ADDR, DST4, 4);
	pw_expect_varint(&m, GF2_ETYPE, 0x0800);
	pw_expect_varint(&m, GF2_PROTO, 6);
	pw_expect_varint(&m, GF2_SRC_PORT, 443);
	pw_expect_varint(&m, GF2_DST_PORT, 65535);
	pw_expect_varint(&m, GF2_IN_IF, 3);
	pw_expect_varint(&m, GF2_OUT_IF, 4);
	/* GoFlow2's MAC: big-endian in the low 48 bits. */
	pw_expect_varint(&m, GF2_SRC_MAC, 0x001b21aabbccULL);
	pw_expect_varint(&m, GF2_DST_MAC, 0xffeedd0a0b0cULL);
	pw_expect_varint(&m, GF2_SRC_VLAN, 10);
	pw_expect_varint(&m, GF2_DST_VLAN, 20);
	pw_expect_varint(&m, GF2_VLAN_ID, 100);
	pw_expect_varint(&m, GF2_IP_TOS, 0xb8);
	pw_expect_varint(&m, GF2_FORWARDING_STATUS, 64);
	pw_expect_varint(&m, GF2_IP_TTL, 63);
	pw_expect_varint(&m, GF2_IP_FLAGS, 2);
	pw_expect_varint(&m, GF2_TCP_FLAGS, 0x1b);
	pw_expect_varint(&m, GF2_FRAGMENT_ID, 54321);
	pw_expect_varint(&m, GF2_FRAGMENT_OFFSET, 185);
	pw_expect_varint(&m, GF2_SRC_AS, 64512);
	pw_expect_varint(&m, GF2_DST_AS, 4200000000u);
	pw_expect_bytes(&m, GF2_NEXT_HOP, NH4, 4);
	pw_expect_varint(&m, GF2_NEXT_HOP_AS, 65001);
	/* src_net / dst_net: prefix lengths, as GoFlow2 sends them. */
	pw_expect_varint(&m, GF2_SRC_NET, 24);
	pw_expect_varint(&m, GF2_DST_NET, 22);
	pw_expect_bytes(&m, GF2_BGP_NEXT_HOP, V6A, 16);
	pw_expect_packed(&m, GF2_BGP_COMMUNITIES, comm, 2);
	pw_expect_packed(&m, GF2_AS_PATH, path, 3);
	pw_expect_packed(&m, GF2_MPLS_LABEL, mpls, 2);
	pw_expect_varint(&m, GF2_OBSERVATION_DOMAIN_ID, 7);
	pw_expect_varint(&m, GF2_OBSERVATION_POINT_ID, 8);
	pw_expect_str(&m, GFP_SAMPLING_RATE_SOURCE, "options");
	pw_expect_str(&m, GFP_SRC_COUNTRY, "FR");
	pw_expect_str(&m, GFP_DST_COUNTRY, "US");
	pw_expect_nothing_else(&m, "ipv4");
}

/* protobuf-c's unpack of the same bytes: what a consumer of our .proto sees. */
static void
test_ipv4_unpack(void)
{
	static uint8_t buf[GF_FLOW_PB_MAX];
	static pw_msg m;
	gf_flow		f;
	const uint8_t *body;
	size_t		blen;
	Flowpb__FlowMessage *u;

	fill_ipv4(&f);
	pack_one(&f, NULL, buf, sizeof(buf), &m, &body, &blen);
	u = flowpb__flow_message__unpack(NULL, blen, body);
	CHECK(u != NULL);
	if (u == NULL)
		return;
	CHECK(u->has_type && u->type == FLOWPB__FLOW_MESSAGE__FLOW_TYPE__IPFIX);
	CHECK(u->has_time_received_ns && u->time_received_ns == f.time_received_ns);
	CHECK(u->has_sequence_num && u->sequence_num == f.sequence_num);
	CHECK(u->has_bytes && u->bytes == f.bytes);
	CHECK(u->has_packets && u->packets == f.packets);
	CHECK(u->has_src_addr && u->src_addr.len == 4 && memcmp(u->src_addr.data, SRC4, 4) == 0);
	CHECK(u->has_bgp_next_hop && u->bgp_next_hop.len == 16 &&
		  memcmp(u->bgp_next_hop.data, V6A, 16) == 0);
	CHECK(u->has_src_mac && u->src_mac == 0x001b21aabbccULL);
	CHECK(u->has_src_net && u->src_net == 24);
	CHECK(u->n_as_path == 3 && u->as_path[1] == 4200000000u);
	CHECK(u->n_mpls_label == 2 && u->mpls_label[1] == 1048575);
	CHECK(u->n_bgp_communities == 2 && u->bgp_communities[0] == 0xfde80064u);
	CHECK(!u->has_icmp_type && !u->has_ipv6_flow_label && !u->has_vxlan_vni);
	CHECK(u->n_mpls_ttl == 0 && u->n_layer_stack == 0);
	CHECK(u->sampling_rate_source && strcmp(u->sampling_rate_source, "options") == 0);
	CHECK(u->src_country && strcmp(u->src_country, "FR") == 0);
	CHECK(u->src_group == NULL && u->device_name == NULL);
	/* Re-packing the unpacked message gives the same bytes. */
	{
		size_t		n2 = flowpb__flow_message__get_packed_size(u);
		uint8_t    *again = malloc(n2 ? n2 : 1);

		CHECK_EQ_U64(n2, blen);
		CHECK(again && flowpb__flow_message__pack(u, again) == blen &&
			  memcmp(again, body, blen) == 0);
		free(again);
	}
	flowpb__flow_message__free_unpacked(u, NULL);
}

/* Minimal record; present zeros on the wire; IPv6; unknown type. */
static void
test_presence(void)
{
	static pw_msg m;
	static uint8_t buf[GF_FLOW_PB_MAX];
	gf_flow		f;
	const uint8_t *body;
	size_t		blen;
	Flowpb__FlowMessage *u;

	/* Only what every record has: type and time_received_ns. */
	gf_flow_init(&f, GF_TYPE_NETFLOW_V5, 5, NULL);
	pack_one(&f, NULL, buf, sizeof(buf), &m, &body, &blen);
	pw_expect_varint(&m, GF2_TYPE, 2);
	pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, 5);
	pw_expect_nothing_else(&m, "minimal");

	/* Present zeros are sent: "said zero" is not "did not say". */
	gf_flow_init(&f, GF_TYPE_SFLOW_5, 0, NULL);
	gf_addr_set_v6(&f.src_addr, V6A);
	GF_SET(&f, packets, GF_F_PACKETS, 0);
	GF_SET(&f, out_if, GF_F_OUT_IF, 0);
	GF_SET(&f, tcp_flags, GF_F_TCP_FLAGS, 0);
	GF_SET(&f, dst_net_len, GF_F_DST_NET, 0);
	GF_SET(&f, icmp_type, GF_F_ICMP_TYPE, 128);
	GF_SET(&f, ipv6_flow_label, GF_F_IPV6_FLOW_LABEL, 0xfffff);
	GF_SET(&f, in_if_format, GF_F_IN_IF_FORMAT, 2);
	GF_SET(&f, out_if_format, GF_F_OUT_IF_FORMAT, 0);
	GF_SET(&f, vxlan_vni, GF_F_VXLAN_VNI, 16777215);
	GF_SET(&f, fw_event, GF_F_FW_EVENT, 0);
	memset(f.dst_mac, 0, 6);
	GF_MARK(&f, GF_F_DST_MAC);
	f.sampling_rate_source = GF_RATE_SFLOW;
	pack_one(&f, NULL, buf, sizeof(buf), &m, &body, &blen);
	pw_expect_varint(&m, GF2_TYPE, 1);
	pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, 0);
	pw_expect_bytes(&m, GF2_SRC_ADDR, V6A, 16);
	pw_expect_varint(&m, GF2_PACKETS, 0);
	pw_expect_varint(&m, GF2_OUT_IF, 0);
	pw_expect_varint(&m, GF2_TCP_FLAGS, 0);
	pw_expect_varint(&m, GF2_DST_NET, 0);
	pw_expect_varint(&m, GF2_ICMP_TYPE, 128);
	pw_expect_varint(&m, GF2_IPV6_FLOW_LABEL, 0xfffff);
	pw_expect_varint(&m, GF2_DST_MAC, 0);
	pw_expect_varint(&m, GFP_IN_IF_FORMAT, 2);
	pw_expect_varint(&m, GFP_OUT_IF_FORMAT, 0);
	pw_expect_varint(&m, GFP_VXLAN_VNI, 16777215);
	pw_expect_varint(&m, GFP_FW_EVENT, 0);
	pw_expect_str(&m, GFP_SAMPLING_RATE_SOURCE, "sflow");
	pw_expect_nothing_else(&m, "zeros");
	u = flowpb__flow_message__unpack(NULL, blen, body);
	CHECK(u != NULL);
	if (u)
	{
		CHECK(u->has_packets && u->packets == 0);
		CHECK(u->has_out_if && u->out_if == 0);
		CHECK(!u->has_in_if && !u->has_bytes && !u->has_dst_addr);
		CHECK(u->has_dst_net && u->dst_net == 0 && !u->has_src_net);
		flowpb__flow_message__free_unpacked(u, NULL);
	}

	/*
	 * A type outside FlowType goes out as FLOWUNKNOWN (0), explicitly; an
	 * unnamed rate source and an empty or non-UTF-8 country are left out.
	 */
	gf_flow_init(&f, (gf_flow_type) 9, 1, NULL);
	f.sampling_rate_source = 200;
	f.src_country[0] = (char) 0xc3;	/* half of a 2-byte sequence */
	f.src_country[1] = 'A';
	f.dst_country[0] = 'D';
	f.dst_country[1] = 'E';
	f.dst_country[2] = 'X';			/* no NUL: at most two bytes are read */
	pack_one(&f, NULL, buf, sizeof(buf), &m, &body, &blen);
	pw_expect_varint(&m, GF2_TYPE, 0);
	pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, 1);
	pw_expect_str(&m, GFP_DST_COUNTRY, "DE");
	pw_expect_nothing_else(&m, "unknown type");
}

/* Every field and every array full fits GF_FLOW_PB_MAX; counts are clamped. */
static void
test_worst_case(void)
{
	static gf_flow f;
	static pw_msg m;
	static uint8_t buf[GF_FLOW_PB_MAX];
	uint8_t		v6[16];
	const uint8_t *body;
	size_t		blen;
	size_t		n;
	unsigned	i;

	memset(v6, 0xff, sizeof(v6));
	memset(&f, 0xff, sizeof(f));
	f.type = GF_TYPE_NETFLOW_V9;
	gf_addr_set_v6(&f.sampler_address, v6);
	gf_addr_set_v6(&f.src_addr, v6);
	gf_addr_set_v6(&f.dst_addr, v6);
	gf_addr_set_v6(&f.next_hop, v6);
	gf_addr_set_v6(&f.bgp_next_hop, v6);
	f.sampling_rate_source = GF_RATE_PACKET_HEADER;
	memcpy(f.src_country, "\xc3\xa9", 3);
	memcpy(f.dst_country, "\xc3\xa9", 3);
	f.n_as_path = GF_MAX_AS_PATH;
	f.n_communities = GF_MAX_COMMUNITIES;
	f.n_mpls = GF_MAX_MPLS;
	n = gf_flow_pb_pack_delimited(&f, NULL, buf, sizeof(buf));
	CHECK(n > 0 && n <= GF_FLOW_PB_MAX);
	printf("worst case without context: %zu bytes (GF_FLOW_PB_MAX %d)\n", n, GF_FLOW_PB_MAX);

	/* Counts beyond the arrays are clamped, never read past. */
	f.n_as_path = 60000;
	f.n_communities = 60000;
	f.n_mpls = 60000;
	CHECK_EQ_U64(gf_flow_pb_pack_delimited(&f, NULL, buf, sizeof(buf)), n);
	CHECK_EQ_U64(gf_flow_pb_size(&f, NULL), n);
	pack_one(&f, NULL, buf, sizeof(buf), &m, &body, &blen);
	{
		uint32_t	want[GF_MAX_AS_PATH];

		for (i = 0; i < GF_MAX_AS_PATH; i++)
			want[i] = UINT32_MAX;
		pw_expect_packed(&m, GF2_AS_PATH, want, GF_MAX_AS_PATH);
		pw_expect_packed(&m, GF2_BGP_COMMUNITIES, want, GF_MAX_COMMUNITIES);
		pw_expect_packed(&m, GF2_MPLS_LABEL, want, GF_MAX_MPLS);
	}
	pw_expect_varint(&m, GF2_BYTES, UINT64_MAX);
	pw_expect_varint(&m, GF2_SRC_MAC, 0xffffffffffffULL);
	pw_expect_varint(&m, GF2_SRC_NET, 255);	/* the length as stored */
}

/* Short buffers: 0 and not one byte written; the exact size works. */
static void
test_bounds(void)
{
	static uint8_t buf[GF_FLOW_PB_MAX + 16];
	static uint8_t ref[GF_FLOW_PB_MAX];
	gf_flow		f;
	size_t		need;
	size_t		cap;
	size_t		k;
	int			bad = 0;

	fill_ipv4(&f);
	need = gf_flow_pb_pack_delimited(&f, NULL, ref, sizeof(ref));
	CHECK(need > 0);
	for (cap = 0; cap < need; cap++)
	{
		memset(buf, 0xa5, sizeof(buf));
		if (gf_flow_pb_pack_delimited(&f, NULL, buf, cap) != 0)
			bad++;
		for (k = 0; k < sizeof(buf); k++)
			if (buf[k] != 0xa5)
			{
				bad++;
				break;
			}
	}
	CHECK_EQ_U64(bad, 0);
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ_U64(gf_flow_pb_pack_delimited(&f, NULL, buf, need), need);
	CHECK(memcmp(buf, ref, need) == 0);
	CHECK_EQ_U64(buf[need], 0xa5);
	CHECK_EQ_U64(gf_flow_pb_pack_delimited(&f, NULL, NULL, 100), 0);
}

/* ---- context ----------------------------------------------------------- */

static void
set_refs(gf_flow *f, uint32_t src, uint32_t dst, uint32_t dev, uint32_t in,
		 uint32_t out)
{
	f->ctx_src_network = src;
	f->ctx_dst_network = dst;
	f->ctx_device = dev;
	f->ctx_in_if = in;
	f->ctx_out_if = out;
}

static void
test_context(void)
{
	static pw_msg m;
	static uint8_t buf[GF_FLOW_PB_MAX + ENCF_BIG_LEN + 64];
	const gf_ctx_snapshot *s = encf_snapshot();
	gf_flow		f;
	gf_flow		g;
	const uint8_t *body;
	size_t		blen;
	Flowpb__FlowMessage *u;

	/* Every member of every kind. */
	gf_flow_init(&f, GF_TYPE_IPFIX, 9, NULL);
	set_refs(&f, ENCF_NET_WEB, ENCF_NET_CLIENT, ENCF_DEV_EDGE, ENCF_IF_TRANSIT,
			 ENCF_IF_AE0);
	pack_one(&f, s, buf, sizeof(buf), &m, &body, &blen);
	pw_expect_varint(&m, GF2_TYPE, 4);
	pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, 9);
	pw_expect_str(&m, GFP_SRC_GROUP, "web-servers");
	pw_expect_str(&m, GFP_DST_GROUP, "client-network");
	pw_expect_str(&m, GFP_SRC_CONTEXT, ENCF_WEB_CTX);
	pw_expect_str(&m, GFP_DEVICE_NAME, "edge-1");
	pw_expect_str(&m, GFP_DEVICE_SITE, "par1");
	pw_expect_str(&m, GFP_DEVICE_ROLE, "edge");
	pw_expect_str(&m, GFP_DEVICE_CONTEXT, ENCF_EDGE_CTX);
	pw_expect_str(&m, GFP_IN_IF_NAME, "xe-0/0/3");
	pw_expect_str(&m, GFP_IN_IF_DESCRIPTION, "transit A");
	pw_expect_varint(&m, GFP_IN_IF_SPEED, UINT64_C(10000000000));
	pw_expect_str(&m, GFP_IN_IF_BOUNDARY, "external");
	pw_expect_str(&m, GFP_IN_IF_PROVIDER, "transit-a");
	pw_expect_str(&m, GFP_IN_IF_CONTEXT, ENCF_TRANSIT_CTX);
	pw_expect_str(&m, GFP_OUT_IF_NAME, "ae0");
	pw_expect_str(&m, GFP_OUT_IF_BOUNDARY, "internal");
	pw_expect_nothing_else(&m, "context");
	u = flowpb__flow_message__unpack(NULL, blen, body);
	CHECK(u != NULL);
	if (u)
	{
		CHECK(u->src_group && strcmp(u->src_group, "web-servers") == 0);
		CHECK(u->dst_context == NULL);
		CHECK(u->has_in_if_speed && u->in_if_speed == UINT64_C(10000000000));
		CHECK(!u->has_out_if_speed && u->out_if_description == NULL);
		CHECK(u->out_if_boundary && strcmp(u->out_if_boundary, "internal") == 0);
		flowpb__flow_message__free_unpacked(u, NULL);
	}

	/*
	 * Left out: a name that is not UTF-8 (the tricky network), contexts
	 * that are not objects ("[1,2]", "{"); an empty device sends nothing;
	 * a speed of 0 is sent.  The blank-padded object goes as it is.
	 */
	gf_flow_init(&f, GF_TYPE_IPFIX, 9, NULL);
	set_refs(&f, ENCF_NET_TRICKY, ENCF_NET_ARRAY, ENCF_DEV_EMPTY, ENCF_IF_BARE, 0);
	pack_one(&f, s, buf, sizeof(buf), &m, &body, &blen);
	pw_expect_varint(&m, GF2_TYPE, 4);
	pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, 9);
	pw_expect_str(&m, GFP_SRC_CONTEXT, ENCF_TRICKY_CTX);
	pw_expect_str(&m, GFP_DST_GROUP, "v6-net");
	pw_expect_varint(&m, GFP_IN_IF_SPEED, 0);
	pw_expect_nothing_else(&m, "left out");
	set_refs(&f, ENCF_NET_BRACE, 0, 0, 0, 0);
	pack_one(&f, s, buf, sizeof(buf), &m, &body, &blen);
	pw_expect_varint(&m, GF2_TYPE, 4);
	pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, 9);
	pw_expect_str(&m, GFP_SRC_GROUP, "brace");
	pw_expect_nothing_else(&m, "brace");

	/* References the snapshot does not hold, or no snapshot: nothing. */
	set_refs(&f, ENCF_N_NETS + 1, UINT32_MAX, ENCF_N_DEVS + 1, ENCF_N_IFS + 1,
			 UINT32_MAX);
	pack_one(&f, s, buf, sizeof(buf), &m, &body, &blen);
	pw_expect_varint(&m, GF2_TYPE, 4);
	pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, 9);
	pw_expect_nothing_else(&m, "out of range");
	set_refs(&f, ENCF_NET_WEB, ENCF_NET_WEB, ENCF_DEV_EDGE, ENCF_IF_TRANSIT,
			 ENCF_IF_TRANSIT);
	g = f;
	set_refs(&g, 0, 0, 0, 0, 0);
	CHECK_EQ_U64(gf_flow_pb_size(&f, NULL), gf_flow_pb_size(&g, s));

	/* Enriched by the snapshot itself: the same numbers, the same fields. */
	{
		gf_addr		sa;
		static const uint8_t web_host[4] = {10, 1, 200, 7};

		gf_addr_set_v4(&sa, SAMPLER);
		gf_flow_init(&g, GF_TYPE_NETFLOW_V9, 11, &sa);
		gf_addr_set_v4(&g.src_addr, web_host);
		gf_addr_set_v4(&g.dst_addr, DST4);
		GF_SET(&g, in_if, GF_F_IN_IF, 3);
		gf_ctx_enrich(s, &g);
		CHECK_EQ_U64(g.ctx_src_network, ENCF_NET_WEB);
		CHECK_EQ_U64(g.ctx_dst_network, ENCF_NET_CLIENT);
		CHECK_EQ_U64(g.ctx_device, ENCF_DEV_EDGE);
		CHECK_EQ_U64(g.ctx_in_if, ENCF_IF_TRANSIT);
		pack_one(&g, s, buf, sizeof(buf), &m, &body, &blen);
		pw_expect_str(&m, GFP_SRC_GROUP, "web-servers");
		pw_expect_str(&m, GFP_DST_GROUP, "client-network");
		pw_expect_str(&m, GFP_DEVICE_NAME, "edge-1");
		pw_expect_str(&m, GFP_IN_IF_NAME, "xe-0/0/3");
	}
}

/* Several messages in a row, with 1-, 2- and 3-byte length varints. */
static void
test_stream(void)
{
	static uint8_t buf[4 * (GF_FLOW_PB_MAX + ENCF_BIG_LEN)];
	static pw_msg m;
	const gf_ctx_snapshot *s = encf_snapshot();
	gf_flow		flows[4];
	size_t		lens[4];
	size_t		off = 0;
	size_t		pos = 0;
	int			i;

	gf_flow_init(&flows[0], GF_TYPE_NETFLOW_V5, 100, NULL);	/* short */
	fill_ipv4(&flows[1]);	/* 128..16383 bytes */
	fill_ipv4(&flows[2]);
	set_refs(&flows[2], ENCF_NET_BIG, 0, 0, 0, 0);	/* > 16383 bytes */
	gf_flow_init(&flows[3], GF_TYPE_SFLOW_5, 103, NULL);
	for (i = 0; i < 4; i++)
	{
		lens[i] = gf_flow_pb_pack_delimited(&flows[i], s, buf + off, sizeof(buf) - off);
		CHECK(lens[i] > 0);
		off += lens[i];
	}
	CHECK(lens[0] < 128);
	CHECK(lens[1] > 130 && lens[1] < 16384);
	CHECK(lens[2] > 16384 + 3);
	/* The prefixes themselves, read by hand: 1, 2 and 3 bytes. */
	CHECK(buf[0] < 0x80);
	CHECK(buf[lens[0]] >= 0x80 && buf[lens[0] + 1] < 0x80);
	CHECK(buf[lens[0] + lens[1]] >= 0x80 && buf[lens[0] + lens[1] + 1] >= 0x80 &&
		  buf[lens[0] + lens[1] + 2] < 0x80);
	for (i = 0; i < 4; i++)
	{
		const uint8_t *body;
		size_t		blen;
		size_t		start = pos;

		CHECK(pw_next(buf, off, &pos, &m, &body, &blen));
		CHECK_EQ_U64(pos - start, lens[i]);
		pw_expect_varint(&m, GF2_TIME_RECEIVED_NS, flows[i].time_received_ns);
		if (i == 2)
			pw_expect_bytes(&m, GFP_SRC_CONTEXT, encf_big_ctx, ENCF_BIG_LEN);
		else
			CHECK_EQ_U64(m.f[GFP_SRC_CONTEXT].count, 0);
	}
	CHECK_EQ_U64(pos, off);
}

/* ---- the hand-written encoder against protobuf-c's (flow_pb_ref.c) ---- */

static uint64_t rnd_state = 0x9E3779B97F4A7C15u;

static uint64_t
rnd(void)
{
	/* xorshift64*: repeatable, so a failure names its round */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545F4914F6CDD1Du;
}

/* A value of a random magnitude, so every varint length shows up. */
static uint64_t
rnd_value(void)
{
	unsigned	bits = (unsigned) (rnd() % 65);

	return bits == 0 ? 0 : rnd() >> (64 - bits);
}

static void
rnd_addr(gf_addr *a)
{
	uint8_t		b[16];
	size_t		i;

	for (i = 0; i < 16; i++)
		b[i] = (uint8_t) rnd();
	switch (rnd() % 3)
	{
		case 0:
			memset(a, 0, sizeof(*a));
			break;
		case 1:
			gf_addr_set_v4(a, b);
			break;
		default:
			gf_addr_set_v6(a, b);
	}
}

static void
rnd_array(uint32_t *vals, uint16_t *n, unsigned max)
{
	unsigned	i;

	*n = (uint16_t) (rnd() % (max + 2));	/* may exceed max: the encoders cap it */
	for (i = 0; i < max; i++)
		vals[i] = (uint32_t) rnd_value();
}

static void
rnd_flow(gf_flow *f)
{
	static const char codes[][3] = {"", "FR", "U", "DE"};

	gf_flow_init(f, (gf_flow_type) (rnd() % (GF_TYPE_LAST + 3)), rnd_value(), NULL);
	f->present = rnd();
	f->time_flow_start_ns = rnd_value();
	f->time_flow_end_ns = rnd_value();
	f->sequence_num = (uint32_t) rnd_value();
	f->sampling_rate = rnd_value();
	rnd_addr(&f->sampler_address);
	f->bytes = rnd_value();
	f->packets = rnd_value();
	rnd_addr(&f->src_addr);
	rnd_addr(&f->dst_addr);
	rnd_addr(&f->next_hop);
	rnd_addr(&f->bgp_next_hop);
	f->etype = (uint32_t) rnd_value();
	f->proto = (uint32_t) rnd_value();
	f->src_port = (uint32_t) rnd_value();
	f->dst_port = (uint32_t) rnd_value();
	f->in_if = (uint32_t) rnd_value();
	f->out_if = (uint32_t) rnd_value();
	memcpy(f->src_mac, &f->bytes, 6);
	memcpy(f->dst_mac, &f->packets, 6);
	f->src_vlan = (uint32_t) rnd_value();
	f->dst_vlan = (uint32_t) rnd_value();
	f->vlan_id = (uint32_t) rnd_value();
	f->ip_tos = (uint32_t) rnd_value();
	f->ip_ttl = (uint32_t) rnd_value();
	f->ip_flags = (uint32_t) rnd_value();
	f->tcp_flags = (uint32_t) rnd_value();
	f->forwarding_status = (uint32_t) rnd_value();
	f->icmp_type = (uint32_t) rnd_value();
	f->icmp_code = (uint32_t) rnd_value();
	f->ipv6_flow_label = (uint32_t) rnd_value();
	f->fragment_id = (uint32_t) rnd_value();
	f->fragment_offset = (uint32_t) rnd_value();
	f->src_as = (uint32_t) rnd_value();
	f->dst_as = (uint32_t) rnd_value();
	f->next_hop_as = (uint32_t) rnd_value();
	f->src_net_len = (uint8_t) rnd();
	f->dst_net_len = (uint8_t) rnd();
	f->observation_domain_id = (uint32_t) rnd_value();
	f->observation_point_id = (uint32_t) rnd_value();
	f->in_if_format = (uint32_t) rnd_value();
	f->out_if_format = (uint32_t) rnd_value();
	f->vxlan_vni = (uint32_t) rnd_value();
	f->fw_event = (uint32_t) rnd_value();
	f->sampling_rate_source = (uint8_t) (rnd() % 9);
	memcpy(f->src_country, codes[rnd() % 4], 3);
	memcpy(f->dst_country, codes[rnd() % 4], 3);
	rnd_array(f->as_path, &f->n_as_path, GF_MAX_AS_PATH);
	rnd_array(f->bgp_communities, &f->n_communities, GF_MAX_COMMUNITIES);
	rnd_array(f->mpls_label, &f->n_mpls, GF_MAX_MPLS);
	/* references: 0 none, up to one past the last (no match) */
	set_refs(f, (uint32_t) (rnd() % (ENCF_N_NETS + 2)),
			 (uint32_t) (rnd() % (ENCF_N_NETS + 2)),
			 (uint32_t) (rnd() % (ENCF_N_DEVS + 2)),
			 (uint32_t) (rnd() % (ENCF_N_IFS + 2)),
			 (uint32_t) (rnd() % (ENCF_N_IFS + 2)));
}

/*
 * 20 000 random flows, with and without the snapshot: the same bytes from
 * both encoders, the same size from gf_flow_pb_size, and 0 (nothing
 * written) one byte short.
 */
static void
test_same_as_protobuf_c(void)
{
	static uint8_t a[GF_FLOW_PB_MAX + 8 * ENCF_BIG_LEN];
	static uint8_t b[GF_FLOW_PB_MAX + 8 * ENCF_BIG_LEN];
	const gf_ctx_snapshot *s = encf_snapshot();
	gf_flow		f;
	int			round;
	int			differ = 0;

	for (round = 0; round < 20000; round++)
	{
		const gf_ctx_snapshot *ctx = (round & 1) ? s : NULL;
		size_t		na;
		size_t		nb;

		rnd_flow(&f);
		memset(a, 0xAA, 64);
		na = gf_flow_pb_pack_delimited(&f, ctx, a, sizeof(a));
		nb = gf_flow_pb_pack_reference(&f, ctx, b, sizeof(b));
		if (na == 0 || na != nb || memcmp(a, b, na) != 0 ||
			gf_flow_pb_size(&f, ctx) != na)
		{
			if (differ++ < 3)
				fprintf(stderr, "round %d: hand-written %zu bytes, protobuf-c %zu\n",
						round, na, nb);
			continue;
		}
		a[na - 1] ^= 0xFF;
		if (gf_flow_pb_pack_delimited(&f, ctx, a, na - 1) != 0 || a[na - 1] == b[na - 1])
			differ++;
	}
	CHECK_EQ_U64(differ, 0);
}

int
main(void)
{
	test_ipv4_wire();
	test_ipv4_unpack();
	test_presence();
	test_worst_case();
	test_bounds();
	test_context();
	test_stream();
	test_same_as_protobuf_c();
	UNIT_MAIN_END();
}
