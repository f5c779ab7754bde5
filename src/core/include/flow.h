/*
 * flow.h
 *    The common flow record: every decoder (NetFlow v1-v9, IPFIX, sFlow)
 *    turns what it reads into gf_flow, and every sink (the table writer and
 *    SQL decode() today; JetStream and file sinks to come) reads only
 *    gf_flow.  Field names follow GoFlow2's
 *    FlowMessage so that a column, a JSON key and a protobuf field agree.
 *
 *    A field is meaningful only when its bit is set in 'present'; sinks
 *    write SQL NULL for an absent field.  That keeps "the exporter did not
 *    say" apart from "the exporter said zero".
 *
 *    This file is part of the core layer: plain C11, no postgres.h.
 */
#ifndef GF_FLOW_H
#define GF_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * FlowMessage.FlowType, same numbers as GoFlow2 up to IPFIX.  GoFlow2 has
 * no NetFlow v1, v7 or v8 decoder and so no number for them: 5 to 7 are
 * goflow2plus's (proto/flow.proto says so beside them).
 */
typedef enum gf_flow_type
{
	GF_TYPE_UNKNOWN = 0,
	GF_TYPE_SFLOW_5 = 1,
	GF_TYPE_NETFLOW_V5 = 2,
	GF_TYPE_NETFLOW_V9 = 3,
	GF_TYPE_IPFIX = 4,
	GF_TYPE_NETFLOW_V1 = 5,
	GF_TYPE_NETFLOW_V7 = 6,
	GF_TYPE_NETFLOW_V8 = 7
} gf_flow_type;

#define GF_TYPE_LAST	GF_TYPE_NETFLOW_V8

const char *gf_flow_type_name(gf_flow_type t);

/* An IPv4 or IPv6 address; family 0 means "none". */
typedef struct gf_addr
{
	uint8_t		family;			/* 0, 4 or 6 */
	uint8_t		bytes[16];		/* IPv4 in the first 4 bytes */
} gf_addr;

void		gf_addr_set_v4(gf_addr *a, const uint8_t *p4);
void		gf_addr_set_v6(gf_addr *a, const uint8_t *p16);
/* Writes a printable form into buf (>= 46 bytes); "" for family 0. */
const char *gf_addr_format(const gf_addr *a, char *buf, size_t buflen);

/* One bit per optional field of gf_flow. */
typedef enum gf_field
{
	GF_F_TIME_FLOW_START = 0,
	GF_F_TIME_FLOW_END,
	GF_F_SEQUENCE_NUM,
	GF_F_SAMPLING_RATE,
	GF_F_BYTES,
	GF_F_PACKETS,
	GF_F_ETYPE,
	GF_F_PROTO,
	GF_F_SRC_PORT,
	GF_F_DST_PORT,
	GF_F_IN_IF,
	GF_F_OUT_IF,
	GF_F_SRC_MAC,
	GF_F_DST_MAC,
	GF_F_SRC_VLAN,
	GF_F_DST_VLAN,
	GF_F_VLAN_ID,
	GF_F_IP_TOS,
	GF_F_IP_TTL,
	GF_F_IP_FLAGS,
	GF_F_TCP_FLAGS,
	GF_F_FORWARDING_STATUS,
	GF_F_ICMP_TYPE,
	GF_F_ICMP_CODE,
	GF_F_IPV6_FLOW_LABEL,
	GF_F_FRAGMENT_ID,
	GF_F_FRAGMENT_OFFSET,
	GF_F_SRC_AS,
	GF_F_DST_AS,
	GF_F_NEXT_HOP_AS,
	GF_F_SRC_NET,				/* src_net_len is valid */
	GF_F_DST_NET,				/* dst_net_len is valid */
	GF_F_OBSERVATION_DOMAIN_ID,
	GF_F_OBSERVATION_POINT_ID,
	GF_F_IN_IF_FORMAT,			/* sFlow interface format bits */
	GF_F_OUT_IF_FORMAT,
	GF_F_VXLAN_VNI,
	GF_F_FW_EVENT,				/* NSEL firewallEvent (233) */
	GF_F__COUNT
} gf_field;

/*
 * Where a flow's sampling_rate came from (the sampling_rate_source
 * column), so that totals scaled by the rate can be trusted or
 * corrected.  Decoders set PACKET_HEADER, RECORD, OPTIONS or SFLOW;
 * context enrichment (context.h) sets DEFAULT or OVERRIDE from
 * goflow2plus.sampling_rates.
 */
typedef enum gf_rate_source
{
	GF_RATE_NONE = 0,			/* no rate known */
	GF_RATE_PACKET_HEADER,		/* NetFlow v5 header sampling interval */
	GF_RATE_RECORD,				/* a field of the flow record itself */
	GF_RATE_OPTIONS,			/* NetFlow v9 / IPFIX options data */
	GF_RATE_SFLOW,				/* the sFlow flow sample's sampling_rate */
	GF_RATE_DEFAULT,			/* a default rate: the exporter sent none */
	GF_RATE_OVERRIDE			/* an override replaced what was sent */
} gf_rate_source;

const char *gf_rate_source_name(gf_rate_source s);

/* Context references: 0 means "nothing matched", else a 1-based number. */
#define GF_CTX_NONE			0

#define GF_MAX_AS_PATH		64
#define GF_MAX_COMMUNITIES	64
#define GF_MAX_MPLS			16

#define GF_MAX_EXTRA		16
#define GF_EXTRA_BYTES		768

/* One custom value: its name and value bytes live in gf_flow.extra_buf. */
typedef struct gf_flow_extra
{
	uint32_t	pb_index;		/* protobuf field number */
	uint16_t	off;			/* name at extra_buf[off], then the value */
	uint16_t	len;			/* value bytes (varint: 8, host order) */
	uint8_t		name_len;
	uint8_t		type;			/* gf_map_ctype (flow_mapping.h) */
	uint8_t		array;			/* several values of one field kept */
	uint8_t		custom;			/* number of the field in its mapping */
} gf_flow_extra;

typedef struct gf_flow
{
	uint64_t	present;		/* bit (1 << gf_field) per set field */
	gf_flow_type type;

	uint64_t	time_received_ns;	/* always set */
	uint64_t	time_flow_start_ns;
	uint64_t	time_flow_end_ns;
	uint32_t	sequence_num;
	uint64_t	sampling_rate;
	gf_addr		sampler_address;	/* exporter / sFlow agent */

	uint64_t	bytes;
	uint64_t	packets;

	gf_addr		src_addr;
	gf_addr		dst_addr;
	uint32_t	etype;
	uint32_t	proto;
	uint32_t	src_port;
	uint32_t	dst_port;
	uint32_t	in_if;
	uint32_t	out_if;
	uint8_t		src_mac[6];
	uint8_t		dst_mac[6];
	uint32_t	src_vlan;
	uint32_t	dst_vlan;
	uint32_t	vlan_id;
	uint32_t	ip_tos;
	uint32_t	ip_ttl;
	uint32_t	ip_flags;
	uint32_t	tcp_flags;
	uint32_t	forwarding_status;
	uint32_t	icmp_type;
	uint32_t	icmp_code;
	uint32_t	ipv6_flow_label;
	uint32_t	fragment_id;
	uint32_t	fragment_offset;
	uint32_t	src_as;
	uint32_t	dst_as;
	gf_addr		next_hop;
	uint32_t	next_hop_as;
	uint8_t		src_net_len;	/* prefix length; src_net = src_addr/len */
	uint8_t		dst_net_len;
	gf_addr		bgp_next_hop;
	uint32_t	observation_domain_id;
	uint32_t	observation_point_id;
	uint32_t	in_if_format;	/* sFlow: 0 ifindex, 1 discarded, 2 multiple */
	uint32_t	out_if_format;
	uint32_t	vxlan_vni;
	uint32_t	fw_event;		/* NSEL: 1 created, 2 deleted, 3 denied, 4
								 * alert, 5 update (README: Cisco ASA NSEL) */
	uint8_t		sampling_rate_source;	/* gf_rate_source */

	/*
	 * Context enrichment (context.h): 1-based numbers of the matching
	 * network, device and interfaces in the context snapshot the flow was
	 * enriched with, GF_CTX_NONE where nothing matched.  Only meaningful
	 * together with that snapshot.
	 */
	uint32_t	ctx_src_network;
	uint32_t	ctx_dst_network;
	uint32_t	ctx_device;
	uint32_t	ctx_in_if;
	uint32_t	ctx_out_if;
	/* GeoIP (geoip.h): ISO 3166 country codes, "" when unknown. */
	char		src_country[3];
	char		dst_country[3];

	/* Cleared by gf_flow_init up to here; the arrays are read up to n_*. */
	uint8_t		n_extra;		/* custom mapped values in extra[] */
	uint16_t	n_as_path;
	uint16_t	n_communities;
	uint16_t	n_mpls;
	uint32_t	as_path[GF_MAX_AS_PATH];
	uint32_t	bgp_communities[GF_MAX_COMMUNITIES];
	uint32_t	mpls_label[GF_MAX_MPLS];

	/*
	 * Values of custom fields a mapping fills (flow_mapping.h), read up to
	 * n_extra.  Each names its field and type itself, so a record stays
	 * readable after the mapping it was decoded with is replaced.
	 */
	gf_flow_extra extra[GF_MAX_EXTRA];
	uint8_t		extra_buf[GF_EXTRA_BYTES];	/* names, then values */
} gf_flow;

#define GF_HAS(f, fld)		(((f)->present >> (fld)) & 1u)
#define GF_MARK(f, fld)		((f)->present |= (UINT64_C(1) << (fld)))
/* Set a scalar member and its presence bit in one step. */
#define GF_SET(f, member, fld, val) \
	do { (f)->member = (val); GF_MARK(f, fld); } while (0)

/* Clear a record and stamp what every record carries. */
void		gf_flow_init(gf_flow *f, gf_flow_type type, uint64_t time_received_ns,
						 const gf_addr *sampler);

/*
 * Copy the custom values of src into dst (after the caller copied the
 * fixed part, which holds n_extra).  Costs nothing when there are none.
 */
static inline void
gf_flow_copy_extra(gf_flow *dst, const gf_flow *src)
{
	if (src->n_extra > 0)
	{
		size_t		n = src->n_extra <= GF_MAX_EXTRA ? src->n_extra : GF_MAX_EXTRA;
		const gf_flow_extra *last = &src->extra[n - 1];
		size_t		used = (size_t) last->off + last->name_len + last->len;

		dst->n_extra = (uint8_t) n;
		__builtin_memcpy(dst->extra, src->extra, sizeof(gf_flow_extra) * n);
		__builtin_memcpy(dst->extra_buf, src->extra_buf,
						 used <= GF_EXTRA_BYTES ? used : GF_EXTRA_BYTES);
	}
}

#endif							/* GF_FLOW_H */
