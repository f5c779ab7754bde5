/*
 * packet.h
 *    Parser for a raw packet header as sampled by sFlow (flow record 1,
 *    "sampled header") and, later, IPFIX's dataLinkFrameSection.  It fills
 *    the L2/L3/L4 fields of a gf_flow from the first bytes of a frame.
 *
 *    What it understands:
 *      - Ethernet II, with any stack of 802.1Q (0x8100) and QinQ (0x88a8,
 *        0x9100) tags; vlan_id is the FIRST (outermost) tag, the one seen on
 *        the wire at the sampling port, as GoFlow2 does.  All tags are also
 *        listed in gf_packet_info.
 *      - MPLS (0x8847, 0x8848): every label (20-bit value) up to bottom of
 *        stack goes to mpls_label[], then the payload is guessed as IPv4 or
 *        IPv6 from its first nibble.
 *      - IPv4 (IHL and options honoured; tos, ttl, flags, fragment id and
 *        offset, proto, addresses).  Non-first fragments carry no L4
 *        header, so none is parsed for them.
 *      - IPv6 (traffic class -> ip_tos, hop limit -> ip_ttl, flow label)
 *        with hop-by-hop, routing (incl. SRv6), fragment and destination
 *        options extension headers; proto is the upper-layer protocol.
 *      - TCP (ports, flags), UDP (ports), ICMP and ICMPv6 (type, code).
 *      - GRE (version 0) carrying IPv4, IPv6, MPLS or Ethernet (0x6558),
 *        and VXLAN (UDP destination port 4789).
 *
 *    Units: fragment_offset is the on-wire value in 8-byte units for both
 *    IPv4 and IPv6.  ip_flags is the 3-bit IPv4 flags field (DF = 2,
 *    MF = 1); for IPv6 it is 1 when a fragment header has More Fragments.
 *
 *    Tunnels: the main columns describe the INNER packet, the tenant
 *    traffic users ask about.  When GRE or VXLAN is found, the outer L3/L4
 *    fields are copied to gf_packet_info (outer_*) and cleared from the
 *    flow before the inner packet is parsed; vxlan_vni is set for VXLAN.
 *    For VXLAN and GRE/0x6558 the MAC addresses become the inner ones too.
 *    vlan_id stays the first tag of the whole frame; inner tags are only
 *    listed in gf_packet_info.  If the inner packet is cut short, the flow
 *    keeps what the inner part gave and the outer part stays in info.
 *
 *    Nothing here fails hard: a header cut short keeps what was parsed and
 *    says so in the return code, which callers count (sflow_header_unparsed)
 *    without dropping the datagram.
 *
 *    Core layer: plain C11, no postgres.h.
 */
#ifndef GF_PACKET_H
#define GF_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "flow.h"

/* sFlow header_protocol values this parser accepts. */
#define GF_HDR_ETHERNET		1
#define GF_HDR_IPV4			11
#define GF_HDR_IPV6			12

/* Explicit bounds on what one header may make the parser walk. */
#define GF_PACKET_MAX_VLANS		8	/* 802.1Q/QinQ tags listed */
#define GF_PACKET_MAX_V6_EXT	8	/* IPv6 extension headers followed */
#define GF_PACKET_MAX_ENCAP		2	/* nested GRE/VXLAN levels followed */

/* Tunnel types seen (bit mask in gf_packet_info.encap). */
#define GF_ENCAP_GRE		0x01
#define GF_ENCAP_VXLAN		0x02
#define GF_ENCAP_MPLS		0x04

/* Why parsing stopped early (gf_packet_info.stop). */
typedef enum gf_packet_stop
{
	GF_PKT_COMPLETE = 0,		/* everything understood was parsed */
	GF_PKT_TRUNCATED,			/* the header ended inside a layer */
	GF_PKT_MALFORMED,			/* a layer's own fields are impossible */
	GF_PKT_UNSUPPORTED,			/* header_protocol or tunnel not handled */
	GF_PKT_LIMIT				/* an explicit bound above was reached */
} gf_packet_stop;

typedef struct gf_packet_info
{
	gf_packet_stop stop;
	size_t		stop_offset;	/* byte offset in the header where it stopped */

	uint8_t		n_vlans;		/* tags in frame order, outer first */
	uint16_t	vlans[GF_PACKET_MAX_VLANS];
	uint8_t		n_v6_ext;		/* IPv6 extension headers walked */
	uint8_t		encap;			/* GF_ENCAP_* bits */

	/* The outer tunnel endpoints when a GRE/VXLAN tunnel was entered. */
	gf_addr		outer_src;
	gf_addr		outer_dst;
	uint32_t	outer_proto;
	uint32_t	outer_src_port;
	uint32_t	outer_dst_port;

	size_t		l3_offset;		/* of the last network header parsed */
	size_t		l4_offset;		/* of the last transport header parsed */
} gf_packet_info;

/*
 * Parse a sampled header of 'len' bytes into f (which the caller has
 * initialised).  Returns GF_OK when every layer understood was parsed
 * to the end, GF_ERR_TRUNCATED / GF_ERR_LENGTH / GF_ERR_VERSION /
 * GF_ERR_LIMIT when it stopped early (info->stop says why); fields parsed
 * before the stop stay in f.  info may be NULL.
 */
gf_rc		gf_packet_parse(const uint8_t *p, size_t len, uint32_t header_protocol,
							gf_flow *f, gf_packet_info *info);

#endif							/* GF_PACKET_H */
