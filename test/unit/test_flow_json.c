/*
 * test_flow_json.c
 *    The JSON encoder against hand-written expected objects: key names and
 *    order, absent fields omitted, names for etype/proto, prefixes masked,
 *    and the buffer bound (never a partial object, never past the end).
 *    With a context snapshot (enc_fixture.h): the "context" object written
 *    from the fixture's inputs by hand, escaping of control characters and
 *    ill-formed UTF-8, context texts that are not objects left out, and
 *    the sizing of large objects (gf_flow_json_ctx_len); every object is
 *    also checked to be strict JSON (json_check.h).
 */
#include "flow_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "json_check.h"
#include "enc_fixture.h"

static void
test_minimal(void)
{
	gf_flow		f;
	char		buf[GF_FLOW_JSON_MAX];
	size_t		n;

	gf_flow_init(&f, GF_TYPE_NETFLOW_V5, 1700000000123456789ULL, NULL);
	n = gf_flow_json(&f, buf, sizeof(buf));
	CHECK_STR(buf, "{\"type\":\"NETFLOW_V5\",\"time_received_ns\":1700000000123456789}");
	CHECK_EQ_U64(n, strlen(buf));
}

static void
fill_ipv4(gf_flow *f)
{
	static const uint8_t sampler[4] = {192, 0, 2, 1};
	static const uint8_t src[4] = {10, 1, 2, 3};
	static const uint8_t dst[4] = {198, 51, 100, 200};
	static const uint8_t nh[4] = {10, 0, 0, 254};
	static const uint8_t smac[6] = {0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc};
	static const uint8_t dmac[6] = {0xff, 0xee, 0xdd, 0x0a, 0x0b, 0x0c};
	gf_addr		s;

	gf_addr_set_v4(&s, sampler);
	gf_flow_init(f, GF_TYPE_IPFIX, 1, &s);
	GF_SET(f, sequence_num, GF_F_SEQUENCE_NUM, 4294967295u);
	GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, 1000);
	GF_SET(f, time_flow_start_ns, GF_F_TIME_FLOW_START, 1500000000000000000ULL);
	GF_SET(f, time_flow_end_ns, GF_F_TIME_FLOW_END, 1500000001000000000ULL);
	GF_SET(f, bytes, GF_F_BYTES, 18446744073709551615ULL);
	GF_SET(f, packets, GF_F_PACKETS, 0);
	gf_addr_set_v4(&f->src_addr, src);
	gf_addr_set_v4(&f->dst_addr, dst);
	GF_SET(f, etype, GF_F_ETYPE, 0x0800);
	GF_SET(f, proto, GF_F_PROTO, 6);
	GF_SET(f, src_port, GF_F_SRC_PORT, 443);
	GF_SET(f, dst_port, GF_F_DST_PORT, 65535);
	GF_SET(f, in_if, GF_F_IN_IF, 3);
	GF_SET(f, out_if, GF_F_OUT_IF, 0);
	memcpy(f->src_mac, smac, 6);
	GF_MARK(f, GF_F_SRC_MAC);
	memcpy(f->dst_mac, dmac, 6);
	GF_MARK(f, GF_F_DST_MAC);
	GF_SET(f, vlan_id, GF_F_VLAN_ID, 100);
	GF_SET(f, ip_tos, GF_F_IP_TOS, 0xb8);
	GF_SET(f, tcp_flags, GF_F_TCP_FLAGS, 0x1b);
	GF_SET(f, src_as, GF_F_SRC_AS, 64512);
	gf_addr_set_v4(&f->next_hop, nh);
	GF_SET(f, src_net_len, GF_F_SRC_NET, 24);
	GF_SET(f, dst_net_len, GF_F_DST_NET, 0);
	f->as_path[0] = 65001;
	f->as_path[1] = 4200000000u;
	f->n_as_path = 2;
	f->mpls_label[0] = 16;
	f->n_mpls = 1;
	GF_SET(f, observation_domain_id, GF_F_OBSERVATION_DOMAIN_ID, 7);
}

static const char *expect_ipv4 =
"{\"type\":\"IPFIX\",\"time_received_ns\":1,\"sequence_num\":4294967295,"
"\"sampling_rate\":1000,\"sampler_address\":\"192.0.2.1\","
"\"time_flow_start_ns\":1500000000000000000,"
"\"time_flow_end_ns\":1500000001000000000,"
"\"bytes\":18446744073709551615,\"packets\":0,"
"\"src_addr\":\"10.1.2.3\",\"dst_addr\":\"198.51.100.200\","
"\"etype\":\"IPv4\",\"proto\":\"TCP\",\"src_port\":443,\"dst_port\":65535,"
"\"in_if\":3,\"out_if\":0,"
"\"src_mac\":\"00:1b:21:aa:bb:cc\",\"dst_mac\":\"ff:ee:dd:0a:0b:0c\","
"\"vlan_id\":100,\"ip_tos\":184,\"tcp_flags\":27,\"src_as\":64512,"
"\"next_hop\":\"10.0.0.254\","
"\"src_net\":\"10.1.2.0/24\",\"dst_net\":\"0.0.0.0/0\","
"\"as_path\":[65001,4200000000],\"mpls_label\":[16],"
"\"observation_domain_id\":7}";

static void
test_ipv4_full(void)
{
	gf_flow		f;
	char		buf[GF_FLOW_JSON_MAX];
	size_t		n;

	fill_ipv4(&f);
	n = gf_flow_json(&f, buf, sizeof(buf));
	CHECK_STR(buf, expect_ipv4);
	CHECK_EQ_U64(n, strlen(expect_ipv4));
}

/* Every buffer shorter than the object plus NUL gives 0 and "". */
static void
test_bounds(void)
{
	gf_flow		f;
	char		buf[GF_FLOW_JSON_MAX + 16];
	size_t		need = strlen(expect_ipv4) + 1;
	size_t		cap;
	int			bad = 0;

	fill_ipv4(&f);
	for (cap = 1; cap < need; cap++)
	{
		memset(buf, 'X', sizeof(buf));
		if (gf_flow_json(&f, buf, cap) != 0 || buf[0] != '\0')
			bad++;
		/* Nothing written past the given capacity. */
		if (buf[cap] != 'X')
			bad++;
	}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(gf_flow_json(&f, buf, need), need - 1);
	CHECK_EQ_U64(gf_flow_json(&f, buf, 0), 0);
	CHECK_EQ_U64(gf_flow_json(&f, NULL, 100), 0);
}

static void
test_ipv6_and_names(void)
{
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
	0x9a, 0xbc, 0, 0, 0, 0, 0, 1};
	static const uint8_t dst[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	gf_flow		f;
	char		buf[GF_FLOW_JSON_MAX];

	gf_flow_init(&f, GF_TYPE_SFLOW_5, 2, NULL);
	gf_addr_set_v6(&f.src_addr, src);
	gf_addr_set_v6(&f.dst_addr, dst);
	GF_SET(&f, etype, GF_F_ETYPE, 0x86dd);
	GF_SET(&f, proto, GF_F_PROTO, 58);
	GF_SET(&f, icmp_type, GF_F_ICMP_TYPE, 128);
	GF_SET(&f, icmp_code, GF_F_ICMP_CODE, 0);
	GF_SET(&f, ipv6_flow_label, GF_F_IPV6_FLOW_LABEL, 0xfffff);
	GF_SET(&f, src_net_len, GF_F_SRC_NET, 36);
	GF_SET(&f, dst_net_len, GF_F_DST_NET, 200);	/* clamped to 128 */
	GF_SET(&f, in_if_format, GF_F_IN_IF_FORMAT, 2);
	GF_SET(&f, vxlan_vni, GF_F_VXLAN_VNI, 16777215);
	GF_SET(&f, fw_event, GF_F_FW_EVENT, 2);
	gf_flow_json(&f, buf, sizeof(buf));
	CHECK_STR(buf,
			  "{\"type\":\"SFLOW_5\",\"time_received_ns\":2,"
			  "\"src_addr\":\"2001:db8:1234:5678:9abc::1\",\"dst_addr\":\"fe80::2\","
			  "\"etype\":\"IPv6\",\"proto\":\"ICMPv6\","
			  "\"icmp_type\":128,\"icmp_code\":0,\"ipv6_flow_label\":1048575,"
			  "\"src_net\":\"2001:db8:1000::/36\",\"dst_net\":\"fe80::2/128\","
			  "\"in_if_format\":2,\"vxlan_vni\":16777215,\"fw_event\":2}");

	/* Unnamed ethertype and protocol stay numbers; unknown type name. */
	gf_flow_init(&f, (gf_flow_type) 9, 3, NULL);
	GF_SET(&f, etype, GF_F_ETYPE, 0x8847);
	GF_SET(&f, proto, GF_F_PROTO, 47);
	/* src_net without a src_addr is omitted: there is nothing to mask. */
	GF_SET(&f, src_net_len, GF_F_SRC_NET, 8);
	gf_flow_json(&f, buf, sizeof(buf));
	CHECK_STR(buf, "{\"type\":\"FLOWUNKNOWN\",\"time_received_ns\":3,"
			  "\"etype\":34887,\"proto\":47}");
}

/* Everything present and every array full still fits GF_FLOW_JSON_MAX. */
static void
test_worst_case_fits(void)
{
	static gf_flow f;
	char		buf[GF_FLOW_JSON_MAX];
	unsigned	i;
	size_t		n;
	uint8_t		v6[16];

	memset(v6, 0x11, sizeof(v6));
	memset(&f, 0, sizeof(f));
	f.present = ~UINT64_C(0);
	f.type = GF_TYPE_NETFLOW_V9;
	f.time_received_ns = UINT64_MAX;
	f.time_flow_start_ns = UINT64_MAX;
	f.time_flow_end_ns = UINT64_MAX;
	f.bytes = UINT64_MAX;
	f.packets = UINT64_MAX;
	f.sampling_rate = UINT64_MAX;
	gf_addr_set_v6(&f.sampler_address, v6);
	gf_addr_set_v6(&f.src_addr, v6);
	gf_addr_set_v6(&f.dst_addr, v6);
	gf_addr_set_v6(&f.next_hop, v6);
	gf_addr_set_v6(&f.bgp_next_hop, v6);
	f.n_as_path = GF_MAX_AS_PATH;
	f.n_communities = GF_MAX_COMMUNITIES;
	f.n_mpls = GF_MAX_MPLS;
	f.sampling_rate_source = GF_RATE_PACKET_HEADER;
	/* Two bytes that are not UTF-8: each written as \ufffd. */
	memcpy(f.src_country, "\xff\xff", 3);
	memcpy(f.dst_country, "\xff\xff", 3);
	for (i = 0; i < GF_MAX_AS_PATH; i++)
		f.as_path[i] = UINT32_MAX;
	for (i = 0; i < GF_MAX_COMMUNITIES; i++)
		f.bgp_communities[i] = UINT32_MAX;
	for (i = 0; i < GF_MAX_MPLS; i++)
		f.mpls_label[i] = UINT32_MAX;
	n = gf_flow_json(&f, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(n < sizeof(buf));
	CHECK(strstr(buf, "\"bgp_next_hop\":\"1111:1111:1111:1111:1111:1111:1111:1111\"") != NULL);
	CHECK(strstr(buf, "\"src_country\":\"\\ufffd\\ufffd\"") != NULL);
	CHECK(json_check(buf, true));
	printf("worst case without context: %zu bytes (GF_FLOW_JSON_MAX %d)\n", n, GF_FLOW_JSON_MAX);

	/* An array count beyond its capacity is clamped, not read past. */
	f.n_mpls = 60000;
	n = gf_flow_json(&f, buf, sizeof(buf));
	CHECK(n > 0);
}

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

/* Encode with ctx, check it is strict JSON and that _len agrees. */
static const char *
enc_ctx(const gf_flow *f, const gf_ctx_snapshot *s)
{
	static char buf[GF_FLOW_JSON_MAX];
	size_t		n = gf_flow_json_ctx(f, s, buf, sizeof(buf));

	CHECK(n > 0);
	CHECK_EQ_U64(n, strlen(buf));
	CHECK_EQ_U64(gf_flow_json_ctx_len(f, s), n);
	CHECK(json_check(buf, true));
	CHECK(strchr(buf, '\n') == NULL);
	return buf;
}

/* Rate source and countries (flow fields: written without a snapshot). */
static void
test_rate_source_country(void)
{
	gf_flow		f;
	char		buf[GF_FLOW_JSON_MAX];

	gf_flow_init(&f, GF_TYPE_NETFLOW_V9, 4, NULL);
	GF_SET(&f, sampling_rate, GF_F_SAMPLING_RATE, 0);
	f.sampling_rate_source = GF_RATE_OVERRIDE;
	memcpy(f.src_country, "FR", 3);
	memcpy(f.dst_country, "\"\\", 3);
	gf_flow_json(&f, buf, sizeof(buf));
	CHECK_STR(buf, "{\"type\":\"NETFLOW_V9\",\"time_received_ns\":4,"
			  "\"sampling_rate\":0,\"sampling_rate_source\":\"override\","
			  "\"src_country\":\"FR\",\"dst_country\":\"\\\"\\\\\"}");
	CHECK(json_check(buf, true));

	/* Unnamed source omitted; a country without a NUL: two bytes read. */
	f.sampling_rate_source = 77;
	memcpy(f.src_country, "DEX", 3);
	memset(f.dst_country, 0, 3);
	gf_flow_json(&f, buf, sizeof(buf));
	CHECK_STR(buf, "{\"type\":\"NETFLOW_V9\",\"time_received_ns\":4,"
			  "\"sampling_rate\":0,\"src_country\":\"DE\"}");
}

static void
test_ctx_full(void)
{
	const gf_ctx_snapshot *s = encf_snapshot();
	gf_flow		f;
	char		plain[GF_FLOW_JSON_MAX];

	gf_flow_init(&f, GF_TYPE_IPFIX, 9, NULL);
	f.sampling_rate_source = GF_RATE_DEFAULT;
	memcpy(f.src_country, "FR", 3);
	set_refs(&f, ENCF_NET_WEB, ENCF_NET_CLIENT, ENCF_DEV_EDGE, ENCF_IF_TRANSIT,
			 ENCF_IF_AE0);
	CHECK_STR(enc_ctx(&f, s),
			  "{\"type\":\"IPFIX\",\"time_received_ns\":9,"
			  "\"sampling_rate_source\":\"default\",\"src_country\":\"FR\","
			  "\"context\":{\"source_group\":\"web-servers\","
			  "\"destination_group\":\"client-network\","
			  "\"source\":" ENCF_WEB_CTX ","
			  "\"device\":{\"name\":\"edge-1\",\"site\":\"par1\",\"role\":\"edge\","
			  "\"context\":" ENCF_EDGE_CTX "},"
			  "\"in_interface\":{\"name\":\"xe-0/0/3\",\"description\":\"transit A\","
			  "\"speed\":10000000000,\"boundary\":\"external\",\"provider\":\"transit-a\","
			  "\"context\":" ENCF_TRANSIT_CTX "},"
			  "\"out_interface\":{\"name\":\"ae0\",\"boundary\":\"internal\"}}}");

	/* Without a snapshot the references mean nothing: no "context". */
	gf_flow_json(&f, plain, sizeof(plain));
	CHECK_STR(plain, "{\"type\":\"IPFIX\",\"time_received_ns\":9,"
			  "\"sampling_rate_source\":\"default\",\"src_country\":\"FR\"}");
	CHECK_STR(enc_ctx(&f, NULL), plain);
	/* Nor do references the snapshot does not hold. */
	set_refs(&f, ENCF_N_NETS + 1, UINT32_MAX, ENCF_N_DEVS + 1, ENCF_N_IFS + 1,
			 ENCF_N_IFS + 100);
	CHECK_STR(enc_ctx(&f, s), plain);
	set_refs(&f, 0, 0, 0, 0, 0);
	CHECK_STR(enc_ctx(&f, s), plain);

	/* One side only. */
	set_refs(&f, 0, ENCF_NET_WEB, 0, 0, 0);
	CHECK_STR(enc_ctx(&f, s),
			  "{\"type\":\"IPFIX\",\"time_received_ns\":9,"
			  "\"sampling_rate_source\":\"default\",\"src_country\":\"FR\","
			  "\"context\":{\"destination_group\":\"web-servers\","
			  "\"destination\":" ENCF_WEB_CTX "}}");
}

/*
 * Escaped names (control characters, quotes, ill-formed UTF-8), contexts
 * that are not objects left out, a blank-padded one trimmed to one line,
 * an empty device and an interface with only a speed of 0.
 */
static void
test_ctx_escapes(void)
{
	const gf_ctx_snapshot *s = encf_snapshot();
	gf_flow		f;

	gf_flow_init(&f, GF_TYPE_SFLOW_5, 1, NULL);
	set_refs(&f, ENCF_NET_TRICKY, ENCF_NET_ARRAY, ENCF_DEV_EMPTY, ENCF_IF_BARE, 0);
	CHECK_STR(enc_ctx(&f, s),
			  "{\"type\":\"SFLOW_5\",\"time_received_ns\":1,"
			  "\"context\":{\"source_group\":" ENCF_TRICKY_JSON ","
			  "\"destination_group\":\"v6-net\","
			  "\"source\":{\"k\": \"v\"},"
			  "\"device\":{},\"in_interface\":{\"speed\":0}}}");
	set_refs(&f, ENCF_NET_BRACE, 0, 0, 0, ENCF_IF_BARE);
	CHECK_STR(enc_ctx(&f, s),
			  "{\"type\":\"SFLOW_5\",\"time_received_ns\":1,"
			  "\"context\":{\"source_group\":\"brace\","
			  "\"out_interface\":{\"speed\":0}}}");
}

/* The object outgrows GF_FLOW_JSON_MAX: 0, then _len says how much. */
static void
test_ctx_large(void)
{
	const gf_ctx_snapshot *s = encf_snapshot();
	gf_flow		f;
	char		small[GF_FLOW_JSON_MAX];
	char	   *big;
	size_t		need;
	const char *at;

	gf_flow_init(&f, GF_TYPE_IPFIX, 2, NULL);
	set_refs(&f, ENCF_NET_BIG, ENCF_NET_BIG, 0, 0, 0);
	CHECK_EQ_U64(gf_flow_json_ctx(&f, s, small, sizeof(small)), 0);
	CHECK_STR(small, "");
	need = gf_flow_json_ctx_len(&f, s);
	CHECK(need > 2 * ENCF_BIG_LEN);
	big = malloc(need + 1);
	if (big == NULL)
		return;
	CHECK_EQ_U64(gf_flow_json_ctx(&f, s, big, need), 0);
	CHECK_EQ_U64(gf_flow_json_ctx(&f, s, big, need + 1), need);
	CHECK_EQ_U64(strlen(big), need);
	CHECK(json_check(big, true));
	at = strstr(big, "\"source\":");
	CHECK(at != NULL && strncmp(at + 9, encf_big_ctx, ENCF_BIG_LEN) == 0);
	/* Exactly the fixed members plus the two groups and contexts. */
	CHECK_EQ_U64(need, strlen("{\"type\":\"IPFIX\",\"time_received_ns\":2,"
							  "\"context\":{\"source_group\":\"big\","
							  "\"destination_group\":\"big\","
							  "\"source\":,\"destination\":}}") + 2 * ENCF_BIG_LEN);
	free(big);
}

/* Every buffer shorter than the context object plus NUL gives 0 and "". */
static void
test_ctx_bounds(void)
{
	const gf_ctx_snapshot *s = encf_snapshot();
	gf_flow		f;
	static char ref[GF_FLOW_JSON_MAX];
	static char buf[GF_FLOW_JSON_MAX + 16];
	size_t		need;
	size_t		cap;
	int			bad = 0;

	fill_ipv4(&f);
	set_refs(&f, ENCF_NET_TRICKY, ENCF_NET_WEB, ENCF_DEV_EDGE, ENCF_IF_TRANSIT,
			 ENCF_IF_AE0);
	need = gf_flow_json_ctx(&f, s, ref, sizeof(ref)) + 1;
	CHECK(need > 1);
	for (cap = 1; cap < need; cap++)
	{
		memset(buf, 'X', sizeof(buf));
		if (gf_flow_json_ctx(&f, s, buf, cap) != 0 || buf[0] != '\0')
			bad++;
		if (buf[cap] != 'X')
			bad++;
	}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(gf_flow_json_ctx(&f, s, buf, need), need - 1);
	CHECK_STR(buf, ref);
	CHECK_EQ_U64(gf_flow_json_ctx(&f, s, NULL, 100), 0);
}

int
main(void)
{
	test_minimal();
	test_ipv4_full();
	test_bounds();
	test_ipv6_and_names();
	test_worst_case_fits();
	test_rate_source_country();
	test_ctx_full();
	test_ctx_escapes();
	test_ctx_large();
	test_ctx_bounds();
	UNIT_MAIN_END();
}
