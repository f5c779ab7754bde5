/*
 * test_packet_parse.c
 *    Unit tests for the raw packet header parser (src/core/packet_parse.c).
 *    Every packet is written field by field below; the expected values are
 *    the numbers written, so a parser that reads the wrong offset fails.
 */
#include <stdint.h>

#include "packet.h"
#include "sflow_build.h"
#include "unit.h"

static const uint8_t MAC_D[6] = {0x02, 0, 0, 0, 0, 0x0d};
static const uint8_t MAC_S[6] = {0x02, 0, 0, 0, 0, 0x05};
static const uint8_t V4_A[4] = {198, 51, 100, 1};
static const uint8_t V4_B[4] = {203, 0, 113, 7};
static const uint8_t V6_A[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a};
static const uint8_t V6_B[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b};

static void
eth(sb *s, uint16_t etype)
{
	sb_bytes(s, MAC_D, 6);
	sb_bytes(s, MAC_S, 6);
	sb_u16(s, etype);
}

/* IPv4 header of ihl words (options zero-filled). */
static void
ipv4(sb *s, int ihl, uint8_t tos, uint16_t id, uint16_t frag, uint8_t ttl,
	 uint8_t proto, const uint8_t *src, const uint8_t *dst)
{
	int			i;

	sb_u8(s, 0x40 | ihl);
	sb_u8(s, tos);
	sb_u16(s, 100);
	sb_u16(s, id);
	sb_u16(s, frag);
	sb_u8(s, ttl);
	sb_u8(s, proto);
	sb_u16(s, 0);
	sb_bytes(s, src, 4);
	sb_bytes(s, dst, 4);
	for (i = 5; i < ihl; i++)
		sb_u32(s, 0x01010101);	/* NOP options */
}

static void
ipv6(sb *s, uint8_t tc, uint32_t flow, uint8_t nh, uint8_t hlim,
	 const uint8_t *src, const uint8_t *dst)
{
	sb_u32(s, (6u << 28) | ((uint32_t) tc << 20) | flow);
	sb_u16(s, 64);
	sb_u8(s, nh);
	sb_u8(s, hlim);
	sb_bytes(s, src, 16);
	sb_bytes(s, dst, 16);
}

static void
tcp(sb *s, uint16_t sport, uint16_t dport, uint8_t doff, uint8_t flags)
{
	sb_u16(s, sport);
	sb_u16(s, dport);
	sb_u32(s, 1000);
	sb_u32(s, 2000);
	sb_u8(s, doff << 4);
	sb_u8(s, flags);
	sb_u16(s, 512);
	sb_u32(s, 0);
}

static void
udp(sb *s, uint16_t sport, uint16_t dport)
{
	sb_u16(s, sport);
	sb_u16(s, dport);
	sb_u16(s, 100);
	sb_u16(s, 0);
}

static gf_rc
parse(const sb *s, uint32_t proto, gf_flow *f, gf_packet_info *info)
{
	gf_flow_init(f, GF_TYPE_SFLOW_5, 1, NULL);
	return gf_packet_parse(s->b, s->n, proto, f, info);
}

static bool
addr_is(const gf_addr *a, int family, const uint8_t *bytes)
{
	return a->family == family &&
		memcmp(a->bytes, bytes, family == 4 ? 4 : 16) == 0;
}

/* QinQ stack + IPv4 with options + TCP. */
static void
test_qinq_ipv4_options_tcp(void)
{
	sb			s = {0};
	gf_flow		f;
	gf_packet_info info;

	sb_bytes(&s, MAC_D, 6);
	sb_bytes(&s, MAC_S, 6);
	sb_u16(&s, 0x88a8);
	sb_u16(&s, 0x2000 | 100);	/* PCP 1, VLAN 100 */
	sb_u16(&s, 0x8100);
	sb_u16(&s, 200);
	sb_u16(&s, 0x0800);
	ipv4(&s, 7, 0xb8, 0xbeef, 0x4000, 63, 6, V4_A, V4_B);
	tcp(&s, 12345, 80, 5, 0x12);

	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, &info), GF_OK);
	CHECK(memcmp(f.dst_mac, MAC_D, 6) == 0 && GF_HAS(&f, GF_F_DST_MAC));
	CHECK(memcmp(f.src_mac, MAC_S, 6) == 0 && GF_HAS(&f, GF_F_SRC_MAC));
	CHECK_EQ_U64(f.vlan_id, 100);	/* the outer tag */
	CHECK_EQ_U64(info.n_vlans, 2);
	CHECK_EQ_U64(info.vlans[1], 200);
	CHECK_EQ_U64(f.etype, 0x0800);
	CHECK(addr_is(&f.src_addr, 4, V4_A));
	CHECK(addr_is(&f.dst_addr, 4, V4_B));
	CHECK_EQ_U64(f.ip_tos, 0xb8);
	CHECK_EQ_U64(f.ip_ttl, 63);
	CHECK_EQ_U64(f.ip_flags, 2);
	CHECK_EQ_U64(f.fragment_id, 0xbeef);
	CHECK_EQ_U64(f.fragment_offset, 0);
	CHECK_EQ_U64(f.proto, 6);
	/* Ports read after 28 bytes of IP header, not 20. */
	CHECK_EQ_U64(f.src_port, 12345);
	CHECK_EQ_U64(f.dst_port, 80);
	CHECK_EQ_U64(f.tcp_flags, 0x12);
	CHECK_EQ_U64(info.l4_offset, 22 + 28);
}

static void
test_ipv4_later_fragment(void)
{
	sb			s = {0};
	gf_flow		f;

	eth(&s, 0x0800);
	ipv4(&s, 5, 0, 77, 0x2000 | 185, 64, 17, V4_A, V4_B);	/* MF, offset 185 */
	udp(&s, 53, 53);			/* looks like UDP but is payload */
	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, NULL), GF_OK);
	CHECK_EQ_U64(f.ip_flags, 1);
	CHECK_EQ_U64(f.fragment_offset, 185);
	CHECK_EQ_U64(f.proto, 17);
	CHECK(!GF_HAS(&f, GF_F_SRC_PORT));
	CHECK(!GF_HAS(&f, GF_F_DST_PORT));
}

/* IPv6 + hop-by-hop + first fragment + UDP. */
static void
test_ipv6_ext_headers(void)
{
	sb			s = {0};
	gf_flow		f;
	gf_packet_info info;

	eth(&s, 0x86dd);
	ipv6(&s, 0xa0, 0x12345, 0, 17, V6_A, V6_B);
	/* hop-by-hop, 16 bytes long (hdr ext len 1) */
	sb_u8(&s, 44);
	sb_u8(&s, 1);
	sb_u16(&s, 0x0104);
	sb_u32(&s, 0);
	sb_u64(&s, 0);
	/* fragment: offset 0, M set, id 0xcafef00d */
	sb_u8(&s, 17);
	sb_u8(&s, 0);
	sb_u16(&s, 0x0001);
	sb_u32(&s, 0xcafef00d);
	udp(&s, 5000, 6000);

	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, &info), GF_OK);
	CHECK_EQ_U64(f.etype, 0x86dd);
	CHECK(addr_is(&f.src_addr, 6, V6_A));
	CHECK(addr_is(&f.dst_addr, 6, V6_B));
	CHECK_EQ_U64(f.ip_tos, 0xa0);
	CHECK_EQ_U64(f.ip_ttl, 17);
	CHECK_EQ_U64(f.ipv6_flow_label, 0x12345);
	CHECK_EQ_U64(f.proto, 17);
	CHECK_EQ_U64(f.fragment_id, 0xcafef00d);
	CHECK_EQ_U64(f.fragment_offset, 0);
	CHECK_EQ_U64(f.ip_flags, 1);
	CHECK_EQ_U64(f.src_port, 5000);
	CHECK_EQ_U64(f.dst_port, 6000);
	CHECK_EQ_U64(info.n_v6_ext, 2);
}

/* SRv6 routing header (type 4, two segments) then TCP. */
static void
test_ipv6_srv6(void)
{
	sb			s = {0};
	gf_flow		f;

	ipv6(&s, 0, 0, 43, 64, V6_A, V6_B);
	sb_u8(&s, 6);				/* next: TCP */
	sb_u8(&s, 4);				/* 2 segments * 16 / 8 */
	sb_u8(&s, 4);				/* routing type 4 */
	sb_u8(&s, 1);				/* segments left */
	sb_u32(&s, 0);				/* last entry, flags, tag */
	sb_bytes(&s, V6_A, 16);
	sb_bytes(&s, V6_B, 16);
	tcp(&s, 179, 50000, 5, 0x10);
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV6, &f, NULL), GF_OK);
	CHECK_EQ_U64(f.etype, 0x86dd);
	CHECK_EQ_U64(f.proto, 6);
	CHECK_EQ_U64(f.src_port, 179);
	CHECK_EQ_U64(f.dst_port, 50000);
	CHECK_EQ_U64(f.tcp_flags, 0x10);
}

static void
test_ipv6_later_fragment(void)
{
	sb			s = {0};
	gf_flow		f;

	ipv6(&s, 0, 0, 44, 64, V6_A, V6_B);
	sb_u8(&s, 6);
	sb_u8(&s, 0);
	sb_u16(&s, (100 << 3));		/* offset 100, last fragment */
	sb_u32(&s, 9);
	tcp(&s, 1, 2, 5, 0x02);
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV6, &f, NULL), GF_OK);
	CHECK_EQ_U64(f.proto, 6);
	CHECK_EQ_U64(f.fragment_offset, 100);
	CHECK_EQ_U64(f.fragment_id, 9);
	CHECK_EQ_U64(f.ip_flags, 0);
	CHECK(!GF_HAS(&f, GF_F_SRC_PORT));
}

static void
test_mpls(void)
{
	sb			s = {0};
	gf_flow		f;

	eth(&s, 0x8847);
	sb_u32(&s, (16001u << 12) | (0 << 9) | (0 << 8) | 255);
	sb_u32(&s, (24u << 12) | (5 << 9) | (1 << 8) | 64);
	ipv4(&s, 5, 0, 1, 0, 9, 17, V4_A, V4_B);
	udp(&s, 1111, 2222);
	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, NULL), GF_OK);
	CHECK_EQ_U64(f.n_mpls, 2);
	CHECK_EQ_U64(f.mpls_label[0], 16001);
	CHECK_EQ_U64(f.mpls_label[1], 24);
	CHECK_EQ_U64(f.etype, 0x0800);
	CHECK(addr_is(&f.src_addr, 4, V4_A));
	CHECK_EQ_U64(f.dst_port, 2222);
}

static void
test_mpls_limit(void)
{
	sb			s = {0};
	gf_flow		f;
	int			i;

	eth(&s, 0x8847);
	for (i = 0; i < GF_MAX_MPLS + 1; i++)
		sb_u32(&s, ((uint32_t) (100 + i) << 12) | (i == GF_MAX_MPLS ? 0x100 : 0));
	ipv4(&s, 5, 0, 1, 0, 9, 17, V4_A, V4_B);
	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, NULL), GF_ERR_LIMIT);
	CHECK_EQ_U64(f.n_mpls, GF_MAX_MPLS);
	CHECK_EQ_U64(f.mpls_label[GF_MAX_MPLS - 1], 100 + GF_MAX_MPLS - 1);
}

/* Outer IPv4/UDP 4789, VNI 0x123456, inner Ethernet/IPv6/ICMPv6. */
static void
test_vxlan(void)
{
	sb			s = {0};
	gf_flow		f;
	gf_packet_info info;
	static const uint8_t imac_d[6] = {0x0a, 1, 2, 3, 4, 5};
	static const uint8_t imac_s[6] = {0x0a, 6, 7, 8, 9, 10};

	eth(&s, 0x0800);
	ipv4(&s, 5, 0, 5, 0x4000, 64, 17, V4_A, V4_B);
	udp(&s, 49152, 4789);
	sb_u8(&s, 0x08);
	sb_u8(&s, 0);
	sb_u16(&s, 0);
	sb_u32(&s, 0x12345600);
	sb_bytes(&s, imac_d, 6);
	sb_bytes(&s, imac_s, 6);
	sb_u16(&s, 0x86dd);
	ipv6(&s, 0, 0xabc, 58, 33, V6_A, V6_B);
	sb_u8(&s, 128);
	sb_u8(&s, 0);
	sb_u16(&s, 0);

	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, &info), GF_OK);
	CHECK_EQ_U64(f.vxlan_vni, 0x123456);
	CHECK(GF_HAS(&f, GF_F_VXLAN_VNI));
	CHECK(info.encap & GF_ENCAP_VXLAN);
	/* Main columns: the inner packet. */
	CHECK(memcmp(f.dst_mac, imac_d, 6) == 0);
	CHECK(memcmp(f.src_mac, imac_s, 6) == 0);
	CHECK_EQ_U64(f.etype, 0x86dd);
	CHECK(addr_is(&f.src_addr, 6, V6_A));
	CHECK_EQ_U64(f.proto, 58);
	CHECK_EQ_U64(f.ip_ttl, 33);
	CHECK_EQ_U64(f.icmp_type, 128);
	CHECK(!GF_HAS(&f, GF_F_SRC_PORT));	/* outer UDP ports are gone */
	CHECK(!GF_HAS(&f, GF_F_FRAGMENT_ID));	/* so is the outer IPv4 id */
	/* Outer endpoints kept aside. */
	CHECK(addr_is(&info.outer_src, 4, V4_A));
	CHECK(addr_is(&info.outer_dst, 4, V4_B));
	CHECK_EQ_U64(info.outer_proto, 17);
	CHECK_EQ_U64(info.outer_dst_port, 4789);
}

/* VXLAN whose inner frame is cut: outer columns stay, VNI is known. */
static void
test_vxlan_inner_cut(void)
{
	sb			s = {0};
	gf_flow		f;

	eth(&s, 0x0800);
	ipv4(&s, 5, 0, 5, 0, 64, 17, V4_A, V4_B);
	udp(&s, 49152, 4789);
	sb_u32(&s, 0x08000000);
	sb_u32(&s, 0x00000700);
	sb_u32(&s, 0x0a010203);		/* 4 of 14 inner Ethernet bytes */
	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, NULL), GF_ERR_TRUNCATED);
	CHECK_EQ_U64(f.vxlan_vni, 7);
	CHECK(addr_is(&f.src_addr, 4, V4_A));
	CHECK_EQ_U64(f.dst_port, 4789);
}

/* GRE with key carrying IPv4/UDP. */
static void
test_gre_ipv4(void)
{
	sb			s = {0};
	gf_flow		f;
	gf_packet_info info;
	static const uint8_t in_a[4] = {172, 16, 0, 1};
	static const uint8_t in_b[4] = {172, 16, 0, 2};

	ipv4(&s, 5, 0, 5, 0, 64, 47, V4_A, V4_B);
	sb_u16(&s, 0x2000);			/* K */
	sb_u16(&s, 0x0800);
	sb_u32(&s, 42);				/* key */
	ipv4(&s, 5, 0x10, 6, 0, 20, 17, in_a, in_b);
	udp(&s, 123, 123);
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV4, &f, &info), GF_OK);
	CHECK(info.encap & GF_ENCAP_GRE);
	CHECK(addr_is(&f.src_addr, 4, in_a));
	CHECK(addr_is(&f.dst_addr, 4, in_b));
	CHECK_EQ_U64(f.proto, 17);
	CHECK_EQ_U64(f.ip_ttl, 20);
	CHECK_EQ_U64(f.src_port, 123);
	CHECK_EQ_U64(info.outer_proto, 47);
	CHECK(addr_is(&info.outer_src, 4, V4_A));
}

/* GRE transparent Ethernet bridging (0x6558). */
static void
test_gre_teb(void)
{
	sb			s = {0};
	gf_flow		f;
	static const uint8_t imac[6] = {0x0e, 0, 0, 0, 0, 1};

	eth(&s, 0x86dd);
	ipv6(&s, 0, 0, 47, 64, V6_A, V6_B);
	sb_u16(&s, 0);
	sb_u16(&s, 0x6558);
	sb_bytes(&s, imac, 6);
	sb_bytes(&s, imac, 6);
	sb_u16(&s, 0x0800);
	ipv4(&s, 5, 0, 1, 0, 8, 1, V4_A, V4_B);
	sb_u8(&s, 3);
	sb_u8(&s, 1);
	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, NULL), GF_OK);
	CHECK(memcmp(f.src_mac, imac, 6) == 0);
	CHECK_EQ_U64(f.etype, 0x0800);
	CHECK_EQ_U64(f.proto, 1);
	CHECK_EQ_U64(f.icmp_type, 3);
	CHECK_EQ_U64(f.icmp_code, 1);
}

static void
test_ipv4_icmp_raw(void)
{
	sb			s = {0};
	gf_flow		f;

	ipv4(&s, 5, 0, 1, 0, 255, 1, V4_A, V4_B);
	sb_u8(&s, 0);
	sb_u8(&s, 0);
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV4, &f, NULL), GF_OK);
	CHECK_EQ_U64(f.etype, 0x0800);
	CHECK(!GF_HAS(&f, GF_F_SRC_MAC));
	CHECK_EQ_U64(f.icmp_type, 0);
	CHECK(GF_HAS(&f, GF_F_ICMP_TYPE));
}

static void
test_bad_inputs(void)
{
	sb			s = {0};
	gf_flow		f;
	gf_packet_info info;
	int			i;

	/* Unknown header protocol. */
	eth(&s, 0x0800);
	CHECK_EQ_U64(parse(&s, 7, &f, &info), GF_ERR_VERSION);
	CHECK_EQ_U64(info.stop, GF_PKT_UNSUPPORTED);

	/* TCP with only its ports: ports kept, truncated. */
	s.n = 0;
	ipv4(&s, 5, 0, 1, 0, 64, 6, V4_A, V4_B);
	sb_u16(&s, 22);
	sb_u16(&s, 2222);
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV4, &f, &info), GF_ERR_TRUNCATED);
	CHECK_EQ_U64(info.stop_offset, 24);
	CHECK_EQ_U64(f.src_port, 22);
	CHECK(!GF_HAS(&f, GF_F_TCP_FLAGS));

	/* TCP data offset 2 words: flags not trusted. */
	s.n = 0;
	ipv4(&s, 5, 0, 1, 0, 64, 6, V4_A, V4_B);
	tcp(&s, 1, 2, 2, 0xff);
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV4, &f, &info), GF_ERR_LENGTH);
	CHECK(!GF_HAS(&f, GF_F_TCP_FLAGS));

	/* IHL below 5. */
	s.n = 0;
	ipv4(&s, 5, 0, 1, 0, 64, 6, V4_A, V4_B);
	s.b[0] = 0x44;
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV4, &f, NULL), GF_ERR_LENGTH);

	/* IHL longer than the header we have. */
	s.n = 0;
	ipv4(&s, 5, 0, 1, 0, 64, 6, V4_A, V4_B);
	s.b[0] = 0x4f;
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV4, &f, NULL), GF_ERR_TRUNCATED);
	CHECK(addr_is(&f.src_addr, 4, V4_A));

	/* Nine VLAN tags: over the limit of eight. */
	s.n = 0;
	sb_bytes(&s, MAC_D, 6);
	sb_bytes(&s, MAC_S, 6);
	for (i = 0; i < 9; i++)
	{
		sb_u16(&s, 0x8100);
		sb_u16(&s, i + 1);
	}
	sb_u16(&s, 0x0800);
	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, &info), GF_ERR_LIMIT);
	CHECK_EQ_U64(f.vlan_id, 1);

	/* Nine destination options headers: over the limit of eight. */
	s.n = 0;
	ipv6(&s, 0, 0, 60, 64, V6_A, V6_B);
	for (i = 0; i < 9; i++)
	{
		sb_u8(&s, 60);
		sb_u8(&s, 0);
		sb_u16(&s, 0);
		sb_u32(&s, 0);
	}
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV6, &f, &info), GF_ERR_LIMIT);
	CHECK(!GF_HAS(&f, GF_F_PROTO));

	/* Wrong IP version nibble under IPv6. */
	s.n = 0;
	ipv6(&s, 0, 0, 6, 64, V6_A, V6_B);
	s.b[0] = 0x45;
	CHECK_EQ_U64(parse(&s, GF_HDR_IPV6, &f, NULL), GF_ERR_LENGTH);

	/* ARP is complete as it is. */
	s.n = 0;
	eth(&s, 0x0806);
	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, NULL), GF_OK);
	CHECK_EQ_U64(f.etype, 0x0806);

	/* NULL buffer, zero length. */
	gf_flow_init(&f, GF_TYPE_SFLOW_5, 1, NULL);
	CHECK_EQ_U64(gf_packet_parse(NULL, 0, GF_HDR_ETHERNET, &f, NULL),
				 GF_ERR_TRUNCATED);
}

/* Three nested VXLAN tunnels: the third is over the limit of two. */
static void
test_tunnel_limit(void)
{
	sb			s = {0};
	gf_flow		f;
	gf_packet_info info;
	uint32_t	vni;

	for (vni = 1; vni <= 3; vni++)
	{
		eth(&s, 0x0800);
		ipv4(&s, 5, 0, (uint16_t) vni, 0, 64, 17, V4_A, V4_B);
		udp(&s, 1000 + vni, 4789);
		sb_u32(&s, 0x08000000);
		sb_u32(&s, vni << 8);
	}
	eth(&s, 0x0806);
	CHECK_EQ_U64(parse(&s, GF_HDR_ETHERNET, &f, &info), GF_ERR_LIMIT);
	CHECK_EQ_U64(info.stop, GF_PKT_LIMIT);
	CHECK_EQ_U64(f.vxlan_vni, 2);
	CHECK_EQ_U64(f.src_port, 1003);	/* the innermost parsed UDP */
	CHECK_EQ_U64(info.outer_src_port, 1001);	/* the outermost tunnel */
}

/* Every prefix of a nested packet: no read past the end, never OK early. */
static void
test_all_prefixes(void)
{
	sb			s = {0};
	gf_flow		f;
	size_t		full,
				n;
	int			early_ok = 0;

	eth(&s, 0x8100);
	sb_u16(&s, 5);
	sb_u16(&s, 0x0800);
	ipv4(&s, 6, 0, 5, 0, 64, 17, V4_A, V4_B);
	udp(&s, 49152, 4789);
	sb_u32(&s, 0x08000000);
	sb_u32(&s, 0x00000100);
	eth(&s, 0x86dd);
	ipv6(&s, 0, 0, 0, 64, V6_A, V6_B);
	sb_u8(&s, 6);
	sb_u8(&s, 0);
	sb_u16(&s, 0);
	sb_u32(&s, 0);
	tcp(&s, 1, 2, 5, 2);
	full = s.n;
	for (n = 0; n < full; n++)
	{
		uint8_t    *copy = malloc(n ? n : 1);	/* exact size for ASan */

		memcpy(copy, s.b, n);
		gf_flow_init(&f, GF_TYPE_SFLOW_5, 1, NULL);
		/* Only the last 6 TCP bytes are not needed for ports and flags. */
		if (gf_packet_parse(copy, n, GF_HDR_ETHERNET, &f, NULL) == GF_OK &&
			n < full - 6)
			early_ok++;
		free(copy);
	}
	CHECK_EQ_U64(early_ok, 0);
	gf_flow_init(&f, GF_TYPE_SFLOW_5, 1, NULL);
	CHECK_EQ_U64(gf_packet_parse(s.b, full, GF_HDR_ETHERNET, &f, NULL), GF_OK);
	CHECK_EQ_U64(f.tcp_flags, 2);
	CHECK_EQ_U64(f.vxlan_vni, 1);
	CHECK_EQ_U64(f.vlan_id, 5);
}

int
main(void)
{
	test_qinq_ipv4_options_tcp();
	test_ipv4_later_fragment();
	test_ipv6_ext_headers();
	test_ipv6_srv6();
	test_ipv6_later_fragment();
	test_mpls();
	test_mpls_limit();
	test_vxlan();
	test_vxlan_inner_cut();
	test_gre_ipv4();
	test_gre_teb();
	test_ipv4_icmp_raw();
	test_bad_inputs();
	test_tunnel_limit();
	test_all_prefixes();
	UNIT_MAIN_END();
}
