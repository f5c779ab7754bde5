/*
 * flow_mapping_dest.c
 *    Where a mapped value may go and how it is written there: the
 *    goflow2plus.flows columns a mapping can name (by column name or by
 *    GoFlow2's CamelCase FlowMessage name), and the conversion of the bytes
 *    a template field carries into that member of gf_flow or into a custom
 *    value (flow.h, gf_flow.extra).  Only plain values are offered: times,
 *    the flow type and context columns are computed, not mapped.
 */
#include "flow_mapping.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define MD(col, camel, kind, fld, member, bits) \
	{#col, camel, GF_MAP_K_##kind, fld, offsetof(gf_flow, member), bits}

static const gf_map_dest md_dests[] = {
	MD(sequence_num, "SequenceNum", U32, GF_F_SEQUENCE_NUM, sequence_num, 32),
	MD(sampling_rate, "SamplingRate", U64, GF_F_SAMPLING_RATE, sampling_rate, 64),
	MD(sampler_address, "SamplerAddress", ADDR, GF_F__COUNT, sampler_address, 128),
	MD(bytes, "Bytes", U64, GF_F_BYTES, bytes, 64),
	MD(packets, "Packets", U64, GF_F_PACKETS, packets, 64),
	MD(src_addr, "SrcAddr", ADDR, GF_F__COUNT, src_addr, 128),
	MD(dst_addr, "DstAddr", ADDR, GF_F__COUNT, dst_addr, 128),
	MD(etype, "Etype", U32, GF_F_ETYPE, etype, 32),
	MD(proto, "Proto", U32, GF_F_PROTO, proto, 32),
	MD(src_port, "SrcPort", U32, GF_F_SRC_PORT, src_port, 32),
	MD(dst_port, "DstPort", U32, GF_F_DST_PORT, dst_port, 32),
	MD(in_if, "InIf", U32, GF_F_IN_IF, in_if, 32),
	MD(out_if, "OutIf", U32, GF_F_OUT_IF, out_if, 32),
	MD(src_mac, "SrcMac", MAC, GF_F_SRC_MAC, src_mac, 48),
	MD(dst_mac, "DstMac", MAC, GF_F_DST_MAC, dst_mac, 48),
	MD(src_vlan, "SrcVlan", U32, GF_F_SRC_VLAN, src_vlan, 32),
	MD(dst_vlan, "DstVlan", U32, GF_F_DST_VLAN, dst_vlan, 32),
	MD(vlan_id, "VlanId", U32, GF_F_VLAN_ID, vlan_id, 32),
	MD(ip_tos, "IpTos", U32, GF_F_IP_TOS, ip_tos, 32),
	MD(ip_ttl, "IpTtl", U32, GF_F_IP_TTL, ip_ttl, 32),
	MD(ip_flags, "IpFlags", U32, GF_F_IP_FLAGS, ip_flags, 32),
	MD(tcp_flags, "TcpFlags", U32, GF_F_TCP_FLAGS, tcp_flags, 32),
	MD(forwarding_status, "ForwardingStatus", U32, GF_F_FORWARDING_STATUS, forwarding_status, 32),
	MD(icmp_type, "IcmpType", U32, GF_F_ICMP_TYPE, icmp_type, 32),
	MD(icmp_code, "IcmpCode", U32, GF_F_ICMP_CODE, icmp_code, 32),
	MD(ipv6_flow_label, "Ipv6FlowLabel", U32, GF_F_IPV6_FLOW_LABEL, ipv6_flow_label, 32),
	MD(fragment_id, "FragmentId", U32, GF_F_FRAGMENT_ID, fragment_id, 32),
	MD(fragment_offset, "FragmentOffset", U32, GF_F_FRAGMENT_OFFSET, fragment_offset, 32),
	MD(src_as, "SrcAs", U32, GF_F_SRC_AS, src_as, 32),
	MD(dst_as, "DstAs", U32, GF_F_DST_AS, dst_as, 32),
	MD(next_hop, "NextHop", ADDR, GF_F__COUNT, next_hop, 128),
	MD(next_hop_as, "NextHopAs", U32, GF_F_NEXT_HOP_AS, next_hop_as, 32),
	MD(src_net, "SrcNet", NETLEN, GF_F_SRC_NET, src_net_len, 8),
	MD(dst_net, "DstNet", NETLEN, GF_F_DST_NET, dst_net_len, 8),
	MD(bgp_next_hop, "BgpNextHop", ADDR, GF_F__COUNT, bgp_next_hop, 128),
	MD(observation_domain_id, "ObservationDomainId", U32, GF_F_OBSERVATION_DOMAIN_ID, observation_domain_id, 32),
	MD(observation_point_id, "ObservationPointId", U32, GF_F_OBSERVATION_POINT_ID, observation_point_id, 32),
	MD(vxlan_vni, "VxlanVni", U32, GF_F_VXLAN_VNI, vxlan_vni, 32),
};

#define MD_COUNT (sizeof(md_dests) / sizeof(md_dests[0]))

const gf_map_dest *
gf_map_dests(size_t *n)
{
	*n = MD_COUNT;
	return md_dests;
}

int
gf_map_dest_lookup(const char *name)
{
	size_t		i;

	/*
	 * Column names exactly; GoFlow2's names also in the lower-case form
	 * its newer files use for FlowMessage's fields (InIf, inif).
	 */
	for (i = 0; i < MD_COUNT; i++)
		if (strcmp(name, md_dests[i].column) == 0 ||
			strcasecmp(name, md_dests[i].camel) == 0)
			return (int) i;
	return -1;
}

/*
 * An unsigned value of len bytes, in the field's byte order.  Leading
 * zero bytes beyond 8 are allowed (a wide field holding a small number);
 * false when the value needs more than 64 bits.
 */
static bool
md_uint(const uint8_t *v, size_t len, bool little, uint64_t *out)
{
	uint64_t	u = 0;
	size_t		i;

	for (i = 0; i < len; i++)
	{
		uint8_t		b = little ? v[len - 1 - i] : v[i];

		if (u >> 56)
			return false;
		u = (u << 8) | b;
	}
	*out = u;
	return true;
}

/* Append or replace a custom value in f; false when it does not fit. */
static bool
md_custom(const gf_mapping *m, const gf_map_entry *e, gf_flow *f,
		  const uint8_t *v, size_t len)
{
	const gf_map_custom *c = &m->customs[e->dest];
	size_t		name_len = c->name_len;
	uint8_t		num[8];
	const uint8_t *val = v;
	size_t		used = 0;
	gf_flow_extra *x;
	uint8_t		i;

	if (c->type == GF_MAP_VARINT)
	{
		uint64_t	u;

		if (!md_uint(v, len, e->little_endian, &u))
			return false;
		memcpy(num, &u, sizeof(u));
		val = num;
		len = sizeof(u);
	}
	/* A single-valued field seen again: the last value wins, in place. */
	if (!c->array)
		for (i = 0; i < f->n_extra; i++)
		{
			x = &f->extra[i];
			if (x->custom == e->dest && !x->array)
			{
				if (len > x->len)
					return false;
				memcpy(&f->extra_buf[x->off + x->name_len], val, len);
				x->len = (uint16_t) len;
				return true;
			}
		}
	if (f->n_extra >= GF_MAX_EXTRA)
		return false;
	if (f->n_extra > 0)
	{
		x = &f->extra[f->n_extra - 1];
		used = (size_t) x->off + x->name_len + x->len;
	}
	if (len > GF_EXTRA_BYTES || used + name_len + len > GF_EXTRA_BYTES)
		return false;
	x = &f->extra[f->n_extra++];
	x->pb_index = c->index;
	x->off = (uint16_t) used;
	x->len = (uint16_t) len;
	x->name_len = (uint8_t) name_len;
	x->type = c->type;
	x->array = c->array;
	x->custom = (uint8_t) e->dest;
	memcpy(&f->extra_buf[used], c->name, name_len);
	memcpy(&f->extra_buf[used + name_len], val, len);
	return true;
}

bool
gf_mapping_apply(const gf_mapping *m, const gf_map_entry *e, gf_flow *f,
				 const uint8_t *v, size_t len)
{
	const gf_map_dest *d;
	uint8_t    *p;
	uint64_t	u;

	if (e->kind == GF_MAP_K_CUSTOM)
		return md_custom(m, e, f, v, len);
	d = &md_dests[e->dest];
	p = (uint8_t *) f + d->offset;
	switch (d->kind)
	{
		case GF_MAP_K_U32:
			if (!md_uint(v, len, e->little_endian, &u) || u > UINT32_MAX)
				return false;
			*(uint32_t *) p = (uint32_t) u;
			break;
		case GF_MAP_K_U64:
			if (!md_uint(v, len, e->little_endian, &u))
				return false;
			*(uint64_t *) p = u;
			break;
		case GF_MAP_K_NETLEN:
			if (!md_uint(v, len, e->little_endian, &u) || u > 128)
				return false;
			*p = (uint8_t) u;
			break;
		case GF_MAP_K_MAC:
			if (len != 6)
				return false;
			memcpy(p, v, 6);
			break;
		case GF_MAP_K_ADDR:
			if (len == 4)
				gf_addr_set_v4((gf_addr *) p, v);
			else if (len == 16)
				gf_addr_set_v6((gf_addr *) p, v);
			else
				return false;
			/* Addresses are present by value: no bit to set. */
			return true;
		default:
			return false;
	}
	GF_MARK(f, d->field);
	return true;
}

const gf_map_entry *
gf_mapping_find(const gf_mapping *m, gf_map_proto p, bool pen_provided,
				uint32_t pen, uint16_t id)
{
	size_t		lo = m->first[p];
	size_t		hi = m->first[p + 1];

	/* The bitmap answers "not mapped" for nearly every field. */
	if (p > GF_MAP_NETFLOW_V9 || !((m->ie_bits[p][id >> 3] >> (id & 7)) & 1))
		return NULL;
	if (!pen_provided)
		pen = 0;
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		const gf_map_entry *e = &m->entries[mid];
		int			c;

		if (e->pen_provided != pen_provided)
			c = e->pen_provided < pen_provided ? -1 : 1;
		else if (e->pen != pen)
			c = e->pen < pen ? -1 : 1;
		else if (e->field != id)
			c = e->field < id ? -1 : 1;
		else
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
