/*
 * packet_parse.c
 *    Walks a sampled packet header layer by layer (Ethernet, VLAN tags,
 *    MPLS, IPv4, IPv6 and its extension headers, TCP/UDP/ICMP, GRE,
 *    VXLAN) and fills the matching gf_flow fields.  See packet.h for what
 *    is understood and which layer fills the main columns in a tunnel.
 *
 *    Every layer reads through a gf_rd view, so a header that is cut short
 *    (sFlow agents copy only the first 128 bytes or so) stops the walk
 *    with "truncated" instead of reading past the end.  Every loop is
 *    bounded both by the bytes left and by an explicit limit.
 */
#include "packet.h"

#include <string.h>

#include "reader.h"

#define ETH_IPV4		0x0800
#define ETH_IPV6		0x86dd
#define ETH_VLAN		0x8100
#define ETH_QINQ		0x88a8
#define ETH_QINQ_OLD	0x9100
#define ETH_MPLS_UC		0x8847
#define ETH_MPLS_MC		0x8848
#define ETH_TEB			0x6558	/* transparent Ethernet bridging (GRE) */

#define IPP_ICMP		1
#define IPP_TCP			6
#define IPP_UDP			17
#define IPP_GRE			47
#define IPP_ICMPV6		58
#define IPP_V6_HOPOPT	0
#define IPP_V6_ROUTING	43
#define IPP_V6_FRAGMENT	44
#define IPP_V6_NONE		59
#define IPP_V6_DSTOPT	60

#define VXLAN_PORT		4789

typedef struct pk_ctx
{
	const uint8_t *p;
	size_t		len;
	gf_flow    *f;
	gf_packet_info *info;
	int			depth;			/* tunnels entered so far */
} pk_ctx;

static gf_rc pk_ether(pk_ctx *c, size_t off);
static gf_rc pk_ipv4(pk_ctx *c, size_t off);
static gf_rc pk_ipv6(pk_ctx *c, size_t off);

static gf_rc
pk_stop(pk_ctx *c, gf_packet_stop why, size_t off)
{
	c->info->stop = why;
	/* A tunnel header may promise bytes the copy does not have. */
	c->info->stop_offset = off < c->len ? off : c->len;
	switch (why)
	{
		case GF_PKT_COMPLETE:
			return GF_OK;
		case GF_PKT_TRUNCATED:
			return GF_ERR_TRUNCATED;
		case GF_PKT_MALFORMED:
			return GF_ERR_LENGTH;
		case GF_PKT_UNSUPPORTED:
			return GF_ERR_VERSION;
		case GF_PKT_LIMIT:
			return GF_ERR_LIMIT;
	}
	return GF_ERR_VERSION;
}

/* A reader positioned at 'off' of the header (off may be past the end). */
static void
pk_view(const pk_ctx *c, size_t off, gf_rd *r)
{
	gf_rd_init(r, c->p, c->len);
	if (!gf_rd_skip(r, off))
		r->off = r->len;
}

static bool
pk_have(const pk_ctx *c, size_t off, size_t n)
{
	return off <= c->len && n <= c->len - off;
}

static size_t
pk_pos(const gf_rd *r)
{
	return gf_rd_abs(r);
}

/*
 * Entering a tunnel: the inner packet takes over the main columns (see
 * packet.h), so remember the outermost endpoints and forget the outer
 * L3/L4 fields.  The tunnel is entered only when the inner packet's first
 * header is all there; otherwise the outer fields are kept, which says
 * more than an empty record.
 */
static gf_rc
pk_enter_tunnel(pk_ctx *c, uint8_t kind, size_t inner_off, size_t inner_need)
{
	gf_flow    *f = c->f;
	const uint64_t l34 =
		(UINT64_C(1) << GF_F_ETYPE) | (UINT64_C(1) << GF_F_PROTO) |
		(UINT64_C(1) << GF_F_SRC_PORT) | (UINT64_C(1) << GF_F_DST_PORT) |
		(UINT64_C(1) << GF_F_IP_TOS) | (UINT64_C(1) << GF_F_IP_TTL) |
		(UINT64_C(1) << GF_F_IP_FLAGS) | (UINT64_C(1) << GF_F_TCP_FLAGS) |
		(UINT64_C(1) << GF_F_ICMP_TYPE) | (UINT64_C(1) << GF_F_ICMP_CODE) |
		(UINT64_C(1) << GF_F_IPV6_FLOW_LABEL) |
		(UINT64_C(1) << GF_F_FRAGMENT_ID) |
		(UINT64_C(1) << GF_F_FRAGMENT_OFFSET);

	if (c->depth >= GF_PACKET_MAX_ENCAP)
		return pk_stop(c, GF_PKT_LIMIT, inner_off);
	if (!pk_have(c, inner_off, inner_need))
		return pk_stop(c, GF_PKT_TRUNCATED, inner_off);
	if ((c->info->encap & (GF_ENCAP_GRE | GF_ENCAP_VXLAN)) == 0)
	{
		c->info->outer_src = f->src_addr;
		c->info->outer_dst = f->dst_addr;
		c->info->outer_proto = f->proto;
		c->info->outer_src_port = GF_HAS(f, GF_F_SRC_PORT) ? f->src_port : 0;
		c->info->outer_dst_port = GF_HAS(f, GF_F_DST_PORT) ? f->dst_port : 0;
	}
	c->info->encap |= kind;
	c->depth++;
	f->present &= ~l34;
	memset(&f->src_addr, 0, sizeof(f->src_addr));
	memset(&f->dst_addr, 0, sizeof(f->dst_addr));
	f->etype = f->proto = f->src_port = f->dst_port = 0;
	f->ip_tos = f->ip_ttl = f->ip_flags = f->tcp_flags = 0;
	f->icmp_type = f->icmp_code = f->ipv6_flow_label = 0;
	f->fragment_id = f->fragment_offset = 0;
	return GF_OK;
}

static gf_rc
pk_vxlan(pk_ctx *c, size_t off)
{
	gf_rd		r;
	uint8_t		flags;
	uint32_t	w;
	gf_rc		rc;

	pk_view(c, off, &r);
	if (!gf_rd_u8(&r, &flags) || !gf_rd_skip(&r, 3) || !gf_rd_u32(&r, &w))
		return pk_stop(c, GF_PKT_TRUNCATED, off);
	/* Without the I flag the VNI is not valid: leave it as plain UDP. */
	if ((flags & 0x08) == 0)
		return pk_stop(c, GF_PKT_UNSUPPORTED, off);
	if (c->depth >= GF_PACKET_MAX_ENCAP)
		return pk_stop(c, GF_PKT_LIMIT, off);
	/* The VNI belongs to the tunnel and is known even if the inner is not. */
	GF_SET(c->f, vxlan_vni, GF_F_VXLAN_VNI, w >> 8);
	rc = pk_enter_tunnel(c, GF_ENCAP_VXLAN, pk_pos(&r), 14);
	if (rc != GF_OK)
		return rc;
	return pk_ether(c, pk_pos(&r));
}

static gf_rc
pk_mpls(pk_ctx *c, size_t off)
{
	gf_rd		r;
	uint32_t	e;
	uint8_t		nibble;

	c->info->encap |= GF_ENCAP_MPLS;
	pk_view(c, off, &r);
	for (;;)
	{
		if (!gf_rd_u32(&r, &e))
			return pk_stop(c, GF_PKT_TRUNCATED, pk_pos(&r));
		if (c->f->n_mpls >= GF_MAX_MPLS)
			return pk_stop(c, GF_PKT_LIMIT, pk_pos(&r) - 4);
		c->f->mpls_label[c->f->n_mpls++] = e >> 12;
		if (e & 0x100)
			break;				/* bottom of stack */
	}

	/*
	 * MPLS does not say what it carries; an IP header gives itself away by
	 * its version nibble.  Anything else (pseudowires, control words) is
	 * left alone.
	 */
	if (gf_rd_left(&r) < 1)
		return pk_stop(c, GF_PKT_TRUNCATED, pk_pos(&r));
	nibble = r.p[r.off] >> 4;
	if (nibble == 4)
	{
		GF_SET(c->f, etype, GF_F_ETYPE, ETH_IPV4);
		return pk_ipv4(c, pk_pos(&r));
	}
	if (nibble == 6)
	{
		GF_SET(c->f, etype, GF_F_ETYPE, ETH_IPV6);
		return pk_ipv6(c, pk_pos(&r));
	}
	return pk_stop(c, GF_PKT_UNSUPPORTED, pk_pos(&r));
}

/* What follows an ethertype (Ethernet, GRE) at 'off'. */
static gf_rc
pk_ethertype(pk_ctx *c, uint16_t etype, size_t off)
{
	switch (etype)
	{
		case ETH_IPV4:
			return pk_ipv4(c, off);
		case ETH_IPV6:
			return pk_ipv6(c, off);
		case ETH_MPLS_UC:
		case ETH_MPLS_MC:
			return pk_mpls(c, off);
		default:
			/* ARP, LLDP, 802.3 lengths...: nothing more we want. */
			return pk_stop(c, GF_PKT_COMPLETE, off);
	}
}

static gf_rc
pk_gre(pk_ctx *c, size_t off)
{
	gf_rd		r;
	uint16_t	flags,
				ptype;
	size_t		extra = 0;
	size_t		inner;
	size_t		need;
	gf_rc		rc;

	pk_view(c, off, &r);
	if (!gf_rd_u16(&r, &flags) || !gf_rd_u16(&r, &ptype))
		return pk_stop(c, GF_PKT_TRUNCATED, off);
	/* Version 1 is PPTP's enhanced GRE, which carries PPP: not parsed. */
	if ((flags & 0x7) != 0)
		return pk_stop(c, GF_PKT_UNSUPPORTED, off);
	if (flags & 0xc000)
		extra += 4;				/* checksum (+ reserved) */
	if (flags & 0x2000)
		extra += 4;				/* key */
	if (flags & 0x1000)
		extra += 4;				/* sequence number */
	inner = pk_pos(&r) + extra;

	switch (ptype)
	{
		case ETH_IPV4:
			need = 20;
			break;
		case ETH_IPV6:
			need = 40;
			break;
		case ETH_TEB:
			need = 14;
			break;
		case ETH_MPLS_UC:
		case ETH_MPLS_MC:
			need = 4;
			break;
		default:
			return pk_stop(c, GF_PKT_UNSUPPORTED, off + 2);
	}
	rc = pk_enter_tunnel(c, GF_ENCAP_GRE, inner, need);
	if (rc != GF_OK)
		return rc;
	if (ptype == ETH_TEB)
		return pk_ether(c, inner);
	if (ptype == ETH_IPV4 || ptype == ETH_IPV6)
		GF_SET(c->f, etype, GF_F_ETYPE, ptype);
	return pk_ethertype(c, ptype, inner);
}

static gf_rc
pk_l4(pk_ctx *c, uint8_t proto, size_t off)
{
	gf_rd		r;
	uint16_t	sport,
				dport;
	uint8_t		b12,
				b13,
				type,
				code;

	c->info->l4_offset = off;
	pk_view(c, off, &r);
	switch (proto)
	{
		case IPP_TCP:
			if (!gf_rd_u16(&r, &sport) || !gf_rd_u16(&r, &dport))
				return pk_stop(c, GF_PKT_TRUNCATED, off);
			GF_SET(c->f, src_port, GF_F_SRC_PORT, sport);
			GF_SET(c->f, dst_port, GF_F_DST_PORT, dport);
			if (!gf_rd_skip(&r, 8) || !gf_rd_u8(&r, &b12) || !gf_rd_u8(&r, &b13))
				return pk_stop(c, GF_PKT_TRUNCATED, off + 4);
			/* A data offset under 5 words cannot be a TCP header. */
			if ((b12 >> 4) < 5)
				return pk_stop(c, GF_PKT_MALFORMED, off + 12);
			GF_SET(c->f, tcp_flags, GF_F_TCP_FLAGS, b13);
			return pk_stop(c, GF_PKT_COMPLETE, off);
		case IPP_UDP:
			if (!gf_rd_u16(&r, &sport) || !gf_rd_u16(&r, &dport))
				return pk_stop(c, GF_PKT_TRUNCATED, off);
			GF_SET(c->f, src_port, GF_F_SRC_PORT, sport);
			GF_SET(c->f, dst_port, GF_F_DST_PORT, dport);
			if (dport == VXLAN_PORT)
			{
				if (!gf_rd_skip(&r, 4))
					return pk_stop(c, GF_PKT_TRUNCATED, off + 4);
				return pk_vxlan(c, pk_pos(&r));
			}
			return pk_stop(c, GF_PKT_COMPLETE, off);
		case IPP_ICMP:
		case IPP_ICMPV6:
			if (!gf_rd_u8(&r, &type) || !gf_rd_u8(&r, &code))
				return pk_stop(c, GF_PKT_TRUNCATED, off);
			GF_SET(c->f, icmp_type, GF_F_ICMP_TYPE, type);
			GF_SET(c->f, icmp_code, GF_F_ICMP_CODE, code);
			return pk_stop(c, GF_PKT_COMPLETE, off);
		case IPP_GRE:
			return pk_gre(c, off);
		default:
			return pk_stop(c, GF_PKT_COMPLETE, off);
	}
}

static gf_rc
pk_ipv4(pk_ctx *c, size_t off)
{
	gf_rd		r;
	uint8_t		vihl,
				tos,
				ttl,
				proto;
	uint16_t	totlen,
				id,
				frag;
	const uint8_t *src,
			   *dst;
	size_t		ihl;

	c->info->l3_offset = off;
	pk_view(c, off, &r);
	if (!gf_rd_u8(&r, &vihl) || !gf_rd_u8(&r, &tos) ||
		!gf_rd_u16(&r, &totlen) || !gf_rd_u16(&r, &id) ||
		!gf_rd_u16(&r, &frag) || !gf_rd_u8(&r, &ttl) ||
		!gf_rd_u8(&r, &proto) || !gf_rd_skip(&r, 2) ||
		!gf_rd_bytes(&r, 4, &src) || !gf_rd_bytes(&r, 4, &dst))
		return pk_stop(c, GF_PKT_TRUNCATED, off);
	ihl = (size_t) (vihl & 0x0f) * 4;
	if ((vihl >> 4) != 4 || ihl < 20)
		return pk_stop(c, GF_PKT_MALFORMED, off);

	gf_addr_set_v4(&c->f->src_addr, src);
	gf_addr_set_v4(&c->f->dst_addr, dst);
	GF_SET(c->f, ip_tos, GF_F_IP_TOS, tos);
	GF_SET(c->f, ip_ttl, GF_F_IP_TTL, ttl);
	GF_SET(c->f, proto, GF_F_PROTO, proto);
	GF_SET(c->f, ip_flags, GF_F_IP_FLAGS, frag >> 13);
	GF_SET(c->f, fragment_id, GF_F_FRAGMENT_ID, id);
	GF_SET(c->f, fragment_offset, GF_F_FRAGMENT_OFFSET, frag & 0x1fff);

	/* Options: the transport header starts after IHL words, not 20 bytes. */
	if (!pk_have(c, off, ihl))
		return pk_stop(c, GF_PKT_TRUNCATED, off + 20);
	/* Only the first fragment carries the transport header. */
	if ((frag & 0x1fff) != 0)
		return pk_stop(c, GF_PKT_COMPLETE, off + ihl);
	return pk_l4(c, proto, off + ihl);
}

static gf_rc
pk_ipv6(pk_ctx *c, size_t off)
{
	gf_rd		r;
	uint32_t	w;
	uint16_t	plen,
				fragw;
	uint8_t		nh,
				hlim,
				next,
				hlen;
	uint32_t	fragid;
	const uint8_t *src,
			   *dst;
	size_t		pos;

	c->info->l3_offset = off;
	pk_view(c, off, &r);
	if (!gf_rd_u32(&r, &w) || !gf_rd_u16(&r, &plen) || !gf_rd_u8(&r, &nh) ||
		!gf_rd_u8(&r, &hlim) || !gf_rd_bytes(&r, 16, &src) ||
		!gf_rd_bytes(&r, 16, &dst))
		return pk_stop(c, GF_PKT_TRUNCATED, off);
	if ((w >> 28) != 6)
		return pk_stop(c, GF_PKT_MALFORMED, off);

	gf_addr_set_v6(&c->f->src_addr, src);
	gf_addr_set_v6(&c->f->dst_addr, dst);
	GF_SET(c->f, ip_tos, GF_F_IP_TOS, (w >> 20) & 0xff);
	GF_SET(c->f, ip_ttl, GF_F_IP_TTL, hlim);
	GF_SET(c->f, ipv6_flow_label, GF_F_IPV6_FLOW_LABEL, w & 0xfffff);

	/*
	 * Walk the extension headers to the upper-layer protocol.  Hop-by-hop,
	 * routing (SRv6 included) and destination options share one shape:
	 * next header, length in 8-byte units not counting the first 8.
	 */
	for (;;)
	{
		pos = pk_pos(&r);
		if (nh != IPP_V6_HOPOPT && nh != IPP_V6_ROUTING &&
			nh != IPP_V6_FRAGMENT && nh != IPP_V6_DSTOPT)
			break;
		if (c->info->n_v6_ext >= GF_PACKET_MAX_V6_EXT)
			return pk_stop(c, GF_PKT_LIMIT, pos);
		c->info->n_v6_ext++;
		if (nh == IPP_V6_FRAGMENT)
		{
			if (!gf_rd_u8(&r, &next) || !gf_rd_skip(&r, 1) ||
				!gf_rd_u16(&r, &fragw) || !gf_rd_u32(&r, &fragid))
				return pk_stop(c, GF_PKT_TRUNCATED, pos);
			GF_SET(c->f, fragment_id, GF_F_FRAGMENT_ID, fragid);
			GF_SET(c->f, fragment_offset, GF_F_FRAGMENT_OFFSET, fragw >> 3);
			GF_SET(c->f, ip_flags, GF_F_IP_FLAGS, fragw & 1);
			if ((fragw >> 3) != 0)
			{
				/* A later fragment: the upper layer is named, not present. */
				GF_SET(c->f, proto, GF_F_PROTO, next);
				return pk_stop(c, GF_PKT_COMPLETE, pk_pos(&r));
			}
		}
		else
		{
			if (!gf_rd_u8(&r, &next) || !gf_rd_u8(&r, &hlen) ||
				!gf_rd_skip(&r, (size_t) hlen * 8 + 6))
				return pk_stop(c, GF_PKT_TRUNCATED, pos);
		}
		nh = next;
	}
	GF_SET(c->f, proto, GF_F_PROTO, nh);
	if (nh == IPP_V6_NONE)
		return pk_stop(c, GF_PKT_COMPLETE, pk_pos(&r));
	return pk_l4(c, nh, pk_pos(&r));
}

static gf_rc
pk_ether(pk_ctx *c, size_t off)
{
	gf_rd		r;
	const uint8_t *dmac,
			   *smac;
	uint16_t	etype,
				tci;

	pk_view(c, off, &r);
	if (!gf_rd_bytes(&r, 6, &dmac) || !gf_rd_bytes(&r, 6, &smac) ||
		!gf_rd_u16(&r, &etype))
		return pk_stop(c, GF_PKT_TRUNCATED, off);
	memcpy(c->f->dst_mac, dmac, 6);
	GF_MARK(c->f, GF_F_DST_MAC);
	memcpy(c->f->src_mac, smac, 6);
	GF_MARK(c->f, GF_F_SRC_MAC);

	while (etype == ETH_VLAN || etype == ETH_QINQ || etype == ETH_QINQ_OLD)
	{
		if (c->info->n_vlans >= GF_PACKET_MAX_VLANS)
			return pk_stop(c, GF_PKT_LIMIT, pk_pos(&r));
		if (!gf_rd_u16(&r, &tci) || !gf_rd_u16(&r, &etype))
		{
			GF_SET(c->f, etype, GF_F_ETYPE, ETH_VLAN);
			return pk_stop(c, GF_PKT_TRUNCATED, pk_pos(&r));
		}
		c->info->vlans[c->info->n_vlans++] = tci & 0x0fff;
		if (!GF_HAS(c->f, GF_F_VLAN_ID))
			GF_SET(c->f, vlan_id, GF_F_VLAN_ID, tci & 0x0fff);
	}
	GF_SET(c->f, etype, GF_F_ETYPE, etype);
	return pk_ethertype(c, etype, pk_pos(&r));
}

gf_rc
gf_packet_parse(const uint8_t *p, size_t len, uint32_t header_protocol,
				gf_flow *f, gf_packet_info *info)
{
	pk_ctx		c;
	gf_packet_info scratch;

	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	c.p = p;
	c.len = p ? len : 0;
	c.f = f;
	c.info = info;
	c.depth = 0;

	switch (header_protocol)
	{
		case GF_HDR_ETHERNET:
			return pk_ether(&c, 0);
		case GF_HDR_IPV4:
			GF_SET(f, etype, GF_F_ETYPE, ETH_IPV4);
			return pk_ipv4(&c, 0);
		case GF_HDR_IPV6:
			GF_SET(f, etype, GF_F_ETYPE, ETH_IPV6);
			return pk_ipv6(&c, 0);
		default:
			return pk_stop(&c, GF_PKT_UNSUPPORTED, 0);
	}
}
