/*
 * sflow_mapped.c
 *    sFlow mappings (flow_mapping.h): slices of a flow sample's raw packet
 *    header, at a bit offset from the start of a layer, written where the
 *    mapping says.  sflow_flow_sample.c calls this once per flow sample,
 *    after the sample's records are read, and only when the decoder has a
 *    mapping: decoding without one pays one branch per sample.
 *
 *    The header is parsed again here with the layer offsets the packet
 *    parser reports (packet.h): the Ethernet frame at 0, the last network
 *    and transport headers.  So a layer is found once per packet: with a
 *    tunnel (GRE, VXLAN) these are the inner headers, and an entry
 *    applies there only with encap: true; without one only with encap:
 *    false.  A slice that starts or ends outside the sampled bytes is
 *    skipped, as is a layer the packet does not have.
 */
#include "sflow_internal.h"

#include <string.h>

#include "flow_mapping.h"
#include "packet.h"

/* Where a layer starts in the header, or false when the packet lacks it. */
static bool
sm_layer_offset(uint8_t layer, const gf_sf_flowacc *acc, const gf_flow *parsed,
				const gf_packet_info *info, size_t len, size_t *off)
{
	const uint8_t *h = acc->header;

	switch (layer)
	{
		case GF_MAP_L_ETHERNET:
			*off = 0;
			return acc->header_protocol == GF_HDR_ETHERNET && info->encap == 0;
		case GF_MAP_L_IPV4:
		case GF_MAP_L_IPV6:
			if (!GF_HAS(parsed, GF_F_ETYPE) || info->l3_offset >= len)
				return false;
			*off = info->l3_offset;
			return (h[*off] >> 4) == (layer == GF_MAP_L_IPV4 ? 4 : 6);
		case GF_MAP_L_TCP:
		case GF_MAP_L_UDP:
		case GF_MAP_L_ICMP:
		case GF_MAP_L_ICMPV6:
			{
				static const uint8_t protos[] = {
					[GF_MAP_L_TCP] = 6, [GF_MAP_L_UDP] = 17,
					[GF_MAP_L_ICMP] = 1, [GF_MAP_L_ICMPV6] = 58
				};

				if (!GF_HAS(parsed, GF_F_PROTO) || parsed->proto != protos[layer] ||
					info->l4_offset <= info->l3_offset || info->l4_offset >= len)
					return false;
				*off = info->l4_offset;
				return true;
			}
		default:
			return false;
	}
}

void
gf_sf_apply_mapping(gf_sf_ctx *c, const gf_sf_flowacc *acc)
{
	const gf_mapping *m = c->d->mapping;
	gf_flow		parsed;			/* scratch: the header parsed again */
	gf_packet_info info;
	size_t		len = acc->header_len;
	size_t		i;

	if (m->first[GF_MAP_SFLOW + 1] == m->first[GF_MAP_SFLOW] || acc->header == NULL)
		return;
	if (len > GF_SFLOW_MAX_HEADER)
		len = GF_SFLOW_MAX_HEADER;
	memset(&parsed, 0, offsetof(gf_flow, as_path));
	memset(&info, 0, sizeof(info));
	(void) gf_packet_parse(acc->header, len, acc->header_protocol, &parsed, &info);

	for (i = m->first[GF_MAP_SFLOW]; i < m->first[GF_MAP_SFLOW + 1]; i++)
	{
		const gf_map_entry *e = &m->entries[i];
		size_t		base;
		uint64_t	start;
		uint64_t	end;
		bool		ok;

		if (e->encap != (info.encap != 0) ||
			!sm_layer_offset(e->layer, acc, &parsed, &info, len, &base))
			continue;
		start = (uint64_t) base * 8 + e->offset_bits;
		end = start + e->length_bits;
		if (end > (uint64_t) len * 8)
			continue;
		if (start % 8 == 0 && e->length_bits % 8 == 0)
			ok = gf_mapping_apply(m, e, acc->f, acc->header + start / 8,
								  e->length_bits / 8);
		else if (e->length_bits <= 64)
		{
			/* Bits not on byte boundaries: a big-endian number of them. */
			uint64_t	u = 0;
			uint64_t	b;
			uint8_t		be[8];
			gf_map_entry plain = *e;
			int			k;

			for (b = start; b < end; b++)
				u = (u << 1) | ((acc->header[b / 8] >> (7 - b % 8)) & 1);
			for (k = 7; k >= 0; k--, u >>= 8)
				be[k] = (uint8_t) u;
			plain.little_endian = false;
			ok = gf_mapping_apply(m, &plain, acc->f, be, 8);
		}
		else
			ok = false;
		if (ok)
			c->d->counters.mapping_applied++;
		else
			c->d->counters.mapping_refused++;
	}
}
