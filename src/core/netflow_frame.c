/*
 * netflow_frame.c
 *    IPFIX / NetFlow v9 records that carry a sampled packet instead of (or
 *    beside) flow fields: dataLinkFrameSection (IE 315) holds the first
 *    bytes of the frame, dataLinkFrameSize (IE 312) its length on the wire
 *    (PSAMP-style packet reports, RFC 5477; Juniper and Cisco send them).
 *
 *    The frame goes through the packet parser sFlow's sampled headers use
 *    (packet.h), and fills only what the record itself did not carry: an
 *    exporter that sends both a sourceIPv4Address and the frame is
 *    believed on its own fields.  Such a record stands for one packet:
 *    packets = 1 and bytes = the frame size when no counter came, as for
 *    an sFlow flow sample.  A frame that ends inside a layer fills what
 *    was parsed before the end, never more.
 */
#include "netflow_fields.h"

#include <string.h>

#include "packet.h"

/* Copy a numeric field from the parsed frame when the record lacks it. */
#define FRAME_FILL(fld, member) \
	do { \
		if (GF_HAS(&pk, fld) && !GF_HAS(f, fld)) \
			GF_SET(f, member, fld, pk.member); \
	} while (0)

static void
frame_addr(gf_addr *dst, const gf_addr *src)
{
	if (dst->family == 0 && src->family != 0)
		*dst = *src;
}

static void
frame_mac(gf_flow *f, const gf_flow *pk, gf_field fld, uint8_t *dst, const uint8_t *src)
{
	if (GF_HAS(pk, fld) && !GF_HAS(f, fld))
	{
		memcpy(dst, src, 6);
		GF_MARK(f, fld);
	}
}

void
gf_nf_rec_frame(gf_nf_rec *r)
{
	gf_flow    *f = r->f;
	gf_flow		pk;

	gf_flow_init(&pk, f->type, f->time_received_ns, NULL);
	(void) gf_packet_parse(r->frame, r->frame_len, GF_HDR_ETHERNET, &pk, NULL);

	frame_addr(&f->src_addr, &pk.src_addr);
	frame_addr(&f->dst_addr, &pk.dst_addr);
	frame_mac(f, &pk, GF_F_SRC_MAC, f->src_mac, pk.src_mac);
	frame_mac(f, &pk, GF_F_DST_MAC, f->dst_mac, pk.dst_mac);
	FRAME_FILL(GF_F_ETYPE, etype);
	FRAME_FILL(GF_F_PROTO, proto);
	FRAME_FILL(GF_F_SRC_PORT, src_port);
	FRAME_FILL(GF_F_DST_PORT, dst_port);
	FRAME_FILL(GF_F_SRC_VLAN, src_vlan);
	FRAME_FILL(GF_F_DST_VLAN, dst_vlan);
	FRAME_FILL(GF_F_VLAN_ID, vlan_id);
	FRAME_FILL(GF_F_IP_TOS, ip_tos);
	FRAME_FILL(GF_F_IP_TTL, ip_ttl);
	FRAME_FILL(GF_F_IP_FLAGS, ip_flags);
	FRAME_FILL(GF_F_TCP_FLAGS, tcp_flags);
	FRAME_FILL(GF_F_ICMP_TYPE, icmp_type);
	FRAME_FILL(GF_F_ICMP_CODE, icmp_code);
	FRAME_FILL(GF_F_IPV6_FLOW_LABEL, ipv6_flow_label);
	FRAME_FILL(GF_F_FRAGMENT_ID, fragment_id);
	FRAME_FILL(GF_F_FRAGMENT_OFFSET, fragment_offset);
	FRAME_FILL(GF_F_VXLAN_VNI, vxlan_vni);
	if (f->n_mpls == 0 && pk.n_mpls > 0)
	{
		memcpy(f->mpls_label, pk.mpls_label, sizeof(f->mpls_label[0]) * pk.n_mpls);
		f->n_mpls = pk.n_mpls;
	}

	/* One sampled packet, of the frame's size on the wire. */
	if (!GF_HAS(f, GF_F_PACKETS))
		GF_SET(f, packets, GF_F_PACKETS, 1);
	if (!GF_HAS(f, GF_F_BYTES) && GF_NF_REC_HAS(r, GF_NF_FRAME_SIZE))
		GF_SET(f, bytes, GF_F_BYTES, r->v[GF_NF_FRAME_SIZE]);
}
