/*
 * test_netflow_frame.c
 *    IPFIX records carrying a sampled frame (dataLinkFrameSection, IE 315,
 *    and dataLinkFrameSize, IE 312; netflow_frame.c).  The frames are
 *    built here byte by byte, so every expected value is what was put in:
 *      - a frame alone fills addresses, MACs, VLAN, protocol, ports, TTL;
 *        bytes = the frame size, packets = 1;
 *      - a field the record carries itself wins over the frame's;
 *      - a frame cut inside the IPv4 header fills the Ethernet layer only;
 *      - a record without a frame is unchanged (no packets = 1 invented).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "flow.h"
#include "nf_packet_builder.h"
#include "unit.h"

static pb	pkt;
static collect col;

static const uint8_t DMAC[6] = {0x18, 0x2a, 0xd3, 0x6e, 0x50, 0x3f};
static const uint8_t SMAC[6] = {0xb4, 0x02, 0x16, 0x55, 0x92, 0xf4};

/* Ethernet + 802.1Q 231 + IPv4 51.51.51.51 -> 52.52.52.52 UDP 55501 -> 11777, TTL 119. */
static size_t
build_frame(uint8_t *b)
{
	pb			f;
	size_t		n;

	pb_reset(&f);
	pb_bytes(&f, DMAC, 6);
	pb_bytes(&f, SMAC, 6);
	pb_u16(&f, 0x8100);
	pb_u16(&f, 231);
	pb_u16(&f, 0x0800);
	pb_u8(&f, 0x45);
	pb_u8(&f, 0x20);			/* ToS */
	pb_u16(&f, 96);				/* total length */
	pb_u16(&f, 0x8f00);			/* identification */
	pb_u16(&f, 0);				/* flags, fragment offset */
	pb_u8(&f, 119);				/* TTL */
	pb_u8(&f, 17);				/* UDP */
	pb_u16(&f, 0);				/* checksum */
	pb_ip4(&f, 51, 51, 51, 51);
	pb_ip4(&f, 52, 52, 52, 52);
	pb_u16(&f, 55501);
	pb_u16(&f, 11777);
	pb_u16(&f, 76);
	pb_u16(&f, 0);
	pb_zero(&f, 16);			/* some payload */
	n = f.n;
	memcpy(b, f.b, n);
	return n;
}

/* Template 400: ingressInterface, dataLinkFrameSize, dataLinkFrameSection (varlen). */
static void
template_400(pb *p)
{
	size_t		s = pb_set_begin(p, 2);

	pb_u16(p, 400);
	pb_u16(p, 3);
	pb_u16(p, 10);
	pb_u16(p, 4);
	pb_u16(p, 312);
	pb_u16(p, 2);
	pb_u16(p, 315);
	pb_u16(p, 65535);
	pb_set_end(p, s);
}

/* Template 401: sourceIPv4Address, octetDeltaCount, then the frame section. */
static void
template_401(pb *p)
{
	size_t		s = pb_set_begin(p, 2);

	pb_u16(p, 401);
	pb_u16(p, 3);
	pb_u16(p, 8);
	pb_u16(p, 4);
	pb_u16(p, 1);
	pb_u16(p, 8);
	pb_u16(p, 315);
	pb_u16(p, 65535);
	pb_set_end(p, s);
}

static void
put_varlen(pb *p, const uint8_t *b, size_t n)
{
	pb_u8(p, n);				/* every frame here is < 255 bytes */
	pb_bytes(p, b, n);
}

static void
test_frame_fills(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	uint8_t		frame[256];
	size_t		n = build_frame(frame);
	const gf_flow *f;
	char		buf[64];
	size_t		s;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, 1700000000, 7, 1);
	template_400(&pkt);
	template_401(&pkt);
	s = pb_set_begin(&pkt, 400);
	pb_u32(&pkt, 582);
	pb_u16(&pkt, 114);
	put_varlen(&pkt, frame, n);
	/* the same frame cut 10 bytes into the IPv4 header */
	pb_u32(&pkt, 583);
	pb_u16(&pkt, 114);
	put_varlen(&pkt, frame, 18 + 10);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 401);
	pb_ip4(&pkt, 10, 0, 0, 1);
	pb_u64(&pkt, 5000);
	put_varlen(&pkt, frame, n);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);

	memset(&col, 0, sizeof(col));
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 3);

	f = &col.flows[0];
	CHECK_EQ_U64(f->in_if, 582);
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "51.51.51.51");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "52.52.52.52");
	CHECK(GF_HAS(f, GF_F_SRC_MAC) && memcmp(f->src_mac, SMAC, 6) == 0);
	CHECK(GF_HAS(f, GF_F_DST_MAC) && memcmp(f->dst_mac, DMAC, 6) == 0);
	CHECK_EQ_U64(f->etype, 0x0800);
	CHECK_EQ_U64(f->proto, 17);
	CHECK_EQ_U64(f->src_port, 55501);
	CHECK_EQ_U64(f->dst_port, 11777);
	CHECK_EQ_U64(f->ip_ttl, 119);
	CHECK_EQ_U64(f->ip_tos, 0x20);
	/* the packet parser reports the (outer) 802.1Q tag as vlan_id, as for sFlow */
	CHECK(GF_HAS(f, GF_F_VLAN_ID));
	CHECK_EQ_U64(f->vlan_id, 231);
	CHECK(GF_HAS(f, GF_F_BYTES) && GF_HAS(f, GF_F_PACKETS));
	CHECK_EQ_U64(f->bytes, 114);
	CHECK_EQ_U64(f->packets, 1);

	/* Cut inside IPv4: Ethernet and VLAN only. */
	f = &col.flows[1];
	CHECK_EQ_U64(f->in_if, 583);
	CHECK(GF_HAS(f, GF_F_SRC_MAC) && memcmp(f->src_mac, SMAC, 6) == 0);
	CHECK_EQ_U64(f->src_addr.family, 0);
	CHECK_EQ_U64(f->dst_addr.family, 0);
	CHECK(!GF_HAS(f, GF_F_SRC_PORT));
	CHECK_EQ_U64(f->bytes, 114);

	/* The record's own source address and bytes win. */
	f = &col.flows[2];
	CHECK_STR(gf_addr_format(&f->src_addr, buf, sizeof(buf)), "10.0.0.1");
	CHECK_STR(gf_addr_format(&f->dst_addr, buf, sizeof(buf)), "52.52.52.52");
	CHECK_EQ_U64(f->bytes, 5000);
	CHECK_EQ_U64(f->packets, 1);
	gf_decoder_free(d);
}

/* Without a frame nothing is invented: no packets count appears. */
static void
test_no_frame(void)
{
	gf_decoder *d = gf_decoder_new(NULL);
	gf_error	err;
	size_t		s;

	pb_reset(&pkt);
	pb_ipfix_header(&pkt, 1700000000, 8, 1);
	s = pb_set_begin(&pkt, 2);
	pb_u16(&pkt, 402);
	pb_u16(&pkt, 2);
	pb_u16(&pkt, 8);
	pb_u16(&pkt, 4);
	pb_u16(&pkt, 312);
	pb_u16(&pkt, 2);
	pb_set_end(&pkt, s);
	s = pb_set_begin(&pkt, 402);
	pb_ip4(&pkt, 10, 0, 0, 2);
	pb_u16(&pkt, 60);
	pb_set_end(&pkt, s);
	pb_ipfix_end(&pkt);
	memset(&col, 0, sizeof(col));
	CHECK_EQ_U64(pb_decode(d, &pkt, &col, &err), GF_OK);
	CHECK_EQ_U64(col.n, 1);
	CHECK(!GF_HAS(&col.flows[0], GF_F_PACKETS));
	CHECK(!GF_HAS(&col.flows[0], GF_F_BYTES));
	gf_decoder_free(d);
}

int
main(void)
{
	test_frame_fills();
	test_no_frame();
	UNIT_MAIN_END();
}
