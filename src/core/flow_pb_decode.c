/*
 * flow_pb_decode.c
 *    Length-delimited FlowMessages into gf_flow (see flow_pb_decode.h).
 *
 *    protobuf-c parses each message; its allocations come from an arena
 *    on this function's stack, so decoding a flow costs no malloc in the
 *    usual case (a message with large unknown or context fields spills to
 *    malloc, freed before returning).
 */
#include "flow_pb_decode.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "flow.pb-c.h"

/*
 * Arena for one message.  A flow message is a few hundred bytes; the
 * unpacked form (the struct, address copies, arrays) fits in a few kB.
 */
#define PBD_ARENA	16384

typedef struct pbd_arena
{
	size_t		used;
	_Alignas(16) uint8_t mem[PBD_ARENA];
} pbd_arena;

static void *
pbd_alloc(void *data, size_t size)
{
	pbd_arena  *a = (pbd_arena *) data;
	size_t		need = (size + 15) & ~(size_t) 15;

	if (need >= size && need <= PBD_ARENA - a->used)
	{
		void	   *p = a->mem + a->used;

		a->used += need;
		return p;
	}
	return malloc(size);
}

static void
pbd_free(void *data, void *p)
{
	pbd_arena  *a = (pbd_arena *) data;
	uint8_t    *b = (uint8_t *) p;

	/* Only what spilled over was malloc'd (a 0-byte block may sit at the end). */
	if (b != NULL && (b < a->mem || b > a->mem + PBD_ARENA))
		free(p);
}

/* A varint of at most 10 bytes at buf[*pos], within len. */
static bool
pbd_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t	v = 0;
	int			shift = 0;
	size_t		p = *pos;

	while (p < len && shift < 64)
	{
		uint8_t		b = buf[p++];

		v |= (uint64_t) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
		{
			*out = v;
			*pos = p;
			return true;
		}
		shift += 7;
	}
	return false;
}

static void
pbd_addr(gf_addr *out, protobuf_c_boolean has, const ProtobufCBinaryData *b)
{
	if (!has || b->data == NULL)
		return;
	if (b->len == 4)
		gf_addr_set_v4(out, b->data);
	else if (b->len == 16)
		gf_addr_set_v6(out, b->data);
}

static void
pbd_mac(uint8_t *out, uint64_t v)
{
	int			i;

	for (i = 5; i >= 0; i--)
	{
		out[i] = (uint8_t) (v & 0xff);
		v >>= 8;
	}
}

static uint16_t
pbd_array(uint32_t *dst, const uint32_t *src, size_t n, unsigned max)
{
	if (n > max)
		n = max;
	if (n > 0 && src != NULL)
		memcpy(dst, src, n * sizeof(uint32_t));
	return (uint16_t) n;
}

/*
 * Two ASCII letters or digits, as the sinks send ISO 3166 alpha-2 codes
 * (and as the table's char(2)-like text expects); anything else is none.
 */
static bool
pbd_code_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9');
}

static void
pbd_country(char out[3], const char *s)
{
	if (s == NULL || !pbd_code_char(s[0]) || !pbd_code_char(s[1]) || s[2] != '\0')
		return;
	out[0] = s[0];
	out[1] = s[1];
	out[2] = '\0';
}

static uint8_t
pbd_rate_source(const char *s)
{
	int			r;

	if (s == NULL)
		return GF_RATE_NONE;
	for (r = GF_RATE_PACKET_HEADER; r <= GF_RATE_OVERRIDE; r++)
	{
		const char *name = gf_rate_source_name((gf_rate_source) r);

		if (name != NULL && strcmp(name, s) == 0)
			return (uint8_t) r;
	}
	return GF_RATE_NONE;
}

#define PBD_OPT(fld, member) \
	do { \
		if (m->has_##member) \
			GF_SET(f, member, fld, m->member); \
	} while (0)

static void
pbd_fill(gf_flow *f, const Flowpb__FlowMessage *m, uint64_t now_ns)
{
	gf_flow_type type = GF_TYPE_UNKNOWN;
	gf_addr		sampler;

	if (m->has_type && (unsigned) m->type <= GF_TYPE_IPFIX)
		type = (gf_flow_type) m->type;
	memset(&sampler, 0, sizeof(sampler));
	pbd_addr(&sampler, m->has_sampler_address, &m->sampler_address);
	gf_flow_init(f, type,
				 m->has_time_received_ns ? m->time_received_ns : now_ns,
				 &sampler);

	PBD_OPT(GF_F_SEQUENCE_NUM, sequence_num);
	PBD_OPT(GF_F_SAMPLING_RATE, sampling_rate);
	PBD_OPT(GF_F_TIME_FLOW_START, time_flow_start_ns);
	PBD_OPT(GF_F_TIME_FLOW_END, time_flow_end_ns);
	PBD_OPT(GF_F_BYTES, bytes);
	PBD_OPT(GF_F_PACKETS, packets);
	pbd_addr(&f->src_addr, m->has_src_addr, &m->src_addr);
	pbd_addr(&f->dst_addr, m->has_dst_addr, &m->dst_addr);
	PBD_OPT(GF_F_ETYPE, etype);
	PBD_OPT(GF_F_PROTO, proto);
	PBD_OPT(GF_F_SRC_PORT, src_port);
	PBD_OPT(GF_F_DST_PORT, dst_port);
	PBD_OPT(GF_F_IN_IF, in_if);
	PBD_OPT(GF_F_OUT_IF, out_if);
	if (m->has_src_mac)
	{
		pbd_mac(f->src_mac, m->src_mac);
		GF_MARK(f, GF_F_SRC_MAC);
	}
	if (m->has_dst_mac)
	{
		pbd_mac(f->dst_mac, m->dst_mac);
		GF_MARK(f, GF_F_DST_MAC);
	}
	PBD_OPT(GF_F_SRC_VLAN, src_vlan);
	PBD_OPT(GF_F_DST_VLAN, dst_vlan);
	PBD_OPT(GF_F_VLAN_ID, vlan_id);
	PBD_OPT(GF_F_IP_TOS, ip_tos);
	PBD_OPT(GF_F_FORWARDING_STATUS, forwarding_status);
	PBD_OPT(GF_F_IP_TTL, ip_ttl);
	PBD_OPT(GF_F_IP_FLAGS, ip_flags);
	PBD_OPT(GF_F_TCP_FLAGS, tcp_flags);
	PBD_OPT(GF_F_ICMP_TYPE, icmp_type);
	PBD_OPT(GF_F_ICMP_CODE, icmp_code);
	PBD_OPT(GF_F_IPV6_FLOW_LABEL, ipv6_flow_label);
	PBD_OPT(GF_F_FRAGMENT_ID, fragment_id);
	PBD_OPT(GF_F_FRAGMENT_OFFSET, fragment_offset);
	PBD_OPT(GF_F_SRC_AS, src_as);
	PBD_OPT(GF_F_DST_AS, dst_as);
	pbd_addr(&f->next_hop, m->has_next_hop, &m->next_hop);
	PBD_OPT(GF_F_NEXT_HOP_AS, next_hop_as);
	if (m->has_src_net && m->src_net <= 128)
	{
		f->src_net_len = (uint8_t) m->src_net;
		GF_MARK(f, GF_F_SRC_NET);
	}
	if (m->has_dst_net && m->dst_net <= 128)
	{
		f->dst_net_len = (uint8_t) m->dst_net;
		GF_MARK(f, GF_F_DST_NET);
	}
	pbd_addr(&f->bgp_next_hop, m->has_bgp_next_hop, &m->bgp_next_hop);
	f->n_communities = pbd_array(f->bgp_communities, m->bgp_communities,
								 m->n_bgp_communities, GF_MAX_COMMUNITIES);
	f->n_as_path = pbd_array(f->as_path, m->as_path, m->n_as_path,
							 GF_MAX_AS_PATH);
	f->n_mpls = pbd_array(f->mpls_label, m->mpls_label, m->n_mpls_label,
						  GF_MAX_MPLS);
	PBD_OPT(GF_F_OBSERVATION_DOMAIN_ID, observation_domain_id);
	PBD_OPT(GF_F_OBSERVATION_POINT_ID, observation_point_id);
	PBD_OPT(GF_F_IN_IF_FORMAT, in_if_format);
	PBD_OPT(GF_F_OUT_IF_FORMAT, out_if_format);
	PBD_OPT(GF_F_VXLAN_VNI, vxlan_vni);
	f->sampling_rate_source = pbd_rate_source(m->sampling_rate_source);
	pbd_country(f->src_country, m->src_country);
	pbd_country(f->dst_country, m->dst_country);
}

gf_pbd_status
gf_flow_pb_next(const uint8_t *buf, size_t len, size_t *off,
				uint64_t now_ns, gf_flow *f, const char **why)
{
	pbd_arena	arena;
	ProtobufCAllocator alloc;
	Flowpb__FlowMessage *m;
	size_t		pos = *off;
	uint64_t	body;

	if (buf == NULL || pos >= len)
		return GF_PBD_END;
	if (!pbd_varint(buf, len, &pos, &body))
	{
		if (why)
			*why = "length prefix cut short or longer than 10 bytes";
		return GF_PBD_BAD_FRAMING;
	}
	if (body > GF_FLOW_PB_DECODE_MAX)
	{
		if (why)
			*why = "length prefix larger than 1 MiB";
		return GF_PBD_BAD_FRAMING;
	}
	if (body > len - pos)
	{
		if (why)
			*why = "message runs past the end of the buffer";
		return GF_PBD_BAD_FRAMING;
	}

	arena.used = 0;
	alloc.alloc = pbd_alloc;
	alloc.free = pbd_free;
	alloc.allocator_data = &arena;
	m = flowpb__flow_message__unpack(&alloc, (size_t) body, buf + pos);
	*off = pos + (size_t) body;
	if (m == NULL)
	{
		if (why)
			*why = "not a FlowMessage";
		return GF_PBD_BAD_MESSAGE;
	}
	pbd_fill(f, m, now_ns);
	flowpb__flow_message__free_unpacked(m, &alloc);
	return GF_PBD_OK;
}
