/*
 * flow_pb_ref.c
 *    The reference encoder: the same message as flow_pb.c, built as
 *    protobuf-c's generated struct and packed by protobuf-c.  The collector
 *    uses flow_pb.c (written out field by field, several times faster: this
 *    one was 16 % of a worker publishing "bin"); the unit test and the
 *    fuzz target require both to write the same bytes, so protobuf-c stays
 *    the judge of what a FlowMessage is on the wire.
 */
#include "flow_pb.h"

#include <stdbool.h>
#include <string.h>

#include "flow.pb-c.h"
#include "flow_enc_ctx.h"
#include "flow_pb_wire.h"

/* Room for what the message points to that is not in f or the snapshot. */
typedef struct fp_scratch
{
	char		src_country[3];
	char		dst_country[3];
} fp_scratch;

/*
 * protobuf-c's message members are not const, but packing only reads
 * them: the flow and the snapshot are never written through these.
 */
static void *
fp_unconst(const void *p)
{
	return (void *) (uintptr_t) p;
}

static void
fp_addr(protobuf_c_boolean *has, ProtobufCBinaryData *out, const gf_addr *a)
{
	if (a->family == 4)
		out->len = 4;
	else if (a->family == 6)
		out->len = 16;
	else
		return;
	out->data = fp_unconst(a->bytes);
	*has = 1;
}

/* A string member: set when s is there and well-formed UTF-8. */
static void
fp_str(char **out, const char *s)
{
	if (s != NULL && gf_fec_utf8_valid(s))
		*out = fp_unconst(s);
}

static void
fp_country(char **out, char *copy, const char code[3])
{
	size_t		n = 0;

	while (n < 2 && code[n] != '\0')
		n++;
	if (n == 0)
		return;
	memcpy(copy, code, n);
	copy[n] = '\0';
	fp_str(out, copy);
}

static void
fp_array(size_t *n_out, uint32_t **out, const uint32_t *vals, unsigned n,
		 unsigned max)
{
	if (n > max)
		n = max;
	if (n == 0)
		return;
	*n_out = n;
	*out = fp_unconst(vals);
}

#define FP_OPT(fld, member) \
	do { \
		if (GF_HAS(f, fld)) \
		{ \
			m->has_##member = 1; \
			m->member = f->member; \
		} \
	} while (0)

static void
fp_context(Flowpb__FlowMessage *m, const gf_flow *f, const gf_ctx_snapshot *ctx)
{
	gf_fec_view v;

	gf_fec_resolve(f, ctx, &v);
	if (!v.any)
		return;
	fp_str(&m->src_group, v.src_group);
	fp_str(&m->dst_group, v.dst_group);
	fp_str(&m->src_context, v.src_context);
	fp_str(&m->dst_context, v.dst_context);
	fp_str(&m->device_name, v.device_name);
	fp_str(&m->device_site, v.device_site);
	fp_str(&m->device_role, v.device_role);
	fp_str(&m->device_context, v.device_context);
	fp_str(&m->in_if_name, v.in_if.name);
	fp_str(&m->out_if_name, v.out_if.name);
	fp_str(&m->in_if_description, v.in_if.description);
	fp_str(&m->out_if_description, v.out_if.description);
	if (v.in_if.has_speed)
	{
		m->has_in_if_speed = 1;
		m->in_if_speed = v.in_if.speed;
	}
	if (v.out_if.has_speed)
	{
		m->has_out_if_speed = 1;
		m->out_if_speed = v.out_if.speed;
	}
	fp_str(&m->in_if_boundary, v.in_if.boundary);
	fp_str(&m->out_if_boundary, v.out_if.boundary);
	fp_str(&m->in_if_provider, v.in_if.provider);
	fp_str(&m->out_if_provider, v.out_if.provider);
	fp_str(&m->in_if_context, v.in_if.context);
	fp_str(&m->out_if_context, v.out_if.context);
}

static void
fp_build(Flowpb__FlowMessage *m, fp_scratch *sc, const gf_flow *f,
		 const gf_ctx_snapshot *ctx)
{
	flowpb__flow_message__init(m);

	m->has_type = 1;
	m->type = ((unsigned) f->type <= GF_TYPE_LAST) ?
		(Flowpb__FlowMessage__FlowType) f->type :
		FLOWPB__FLOW_MESSAGE__FLOW_TYPE__FLOWUNKNOWN;
	m->has_time_received_ns = 1;
	m->time_received_ns = f->time_received_ns;
	FP_OPT(GF_F_SEQUENCE_NUM, sequence_num);
	FP_OPT(GF_F_SAMPLING_RATE, sampling_rate);
	fp_addr(&m->has_sampler_address, &m->sampler_address, &f->sampler_address);
	FP_OPT(GF_F_TIME_FLOW_START, time_flow_start_ns);
	FP_OPT(GF_F_TIME_FLOW_END, time_flow_end_ns);
	FP_OPT(GF_F_BYTES, bytes);
	FP_OPT(GF_F_PACKETS, packets);
	fp_addr(&m->has_src_addr, &m->src_addr, &f->src_addr);
	fp_addr(&m->has_dst_addr, &m->dst_addr, &f->dst_addr);
	FP_OPT(GF_F_ETYPE, etype);
	FP_OPT(GF_F_PROTO, proto);
	FP_OPT(GF_F_SRC_PORT, src_port);
	FP_OPT(GF_F_DST_PORT, dst_port);
	FP_OPT(GF_F_IN_IF, in_if);
	FP_OPT(GF_F_OUT_IF, out_if);
	if (GF_HAS(f, GF_F_SRC_MAC))
	{
		m->has_src_mac = 1;
		m->src_mac = gf_pb_mac48(f->src_mac);
	}
	if (GF_HAS(f, GF_F_DST_MAC))
	{
		m->has_dst_mac = 1;
		m->dst_mac = gf_pb_mac48(f->dst_mac);
	}
	FP_OPT(GF_F_SRC_VLAN, src_vlan);
	FP_OPT(GF_F_DST_VLAN, dst_vlan);
	FP_OPT(GF_F_VLAN_ID, vlan_id);
	FP_OPT(GF_F_IP_TOS, ip_tos);
	FP_OPT(GF_F_FORWARDING_STATUS, forwarding_status);
	FP_OPT(GF_F_IP_TTL, ip_ttl);
	FP_OPT(GF_F_IP_FLAGS, ip_flags);
	FP_OPT(GF_F_TCP_FLAGS, tcp_flags);
	FP_OPT(GF_F_ICMP_TYPE, icmp_type);
	FP_OPT(GF_F_ICMP_CODE, icmp_code);
	FP_OPT(GF_F_IPV6_FLOW_LABEL, ipv6_flow_label);
	FP_OPT(GF_F_FRAGMENT_ID, fragment_id);
	FP_OPT(GF_F_FRAGMENT_OFFSET, fragment_offset);
	FP_OPT(GF_F_SRC_AS, src_as);
	FP_OPT(GF_F_DST_AS, dst_as);
	fp_addr(&m->has_next_hop, &m->next_hop, &f->next_hop);
	FP_OPT(GF_F_NEXT_HOP_AS, next_hop_as);
	/* GoFlow2's src_net/dst_net are the prefix lengths. */
	if (GF_HAS(f, GF_F_SRC_NET))
	{
		m->has_src_net = 1;
		m->src_net = f->src_net_len;
	}
	if (GF_HAS(f, GF_F_DST_NET))
	{
		m->has_dst_net = 1;
		m->dst_net = f->dst_net_len;
	}
	fp_addr(&m->has_bgp_next_hop, &m->bgp_next_hop, &f->bgp_next_hop);
	fp_array(&m->n_bgp_communities, &m->bgp_communities, f->bgp_communities,
			 f->n_communities, GF_MAX_COMMUNITIES);
	fp_array(&m->n_as_path, &m->as_path, f->as_path, f->n_as_path,
			 GF_MAX_AS_PATH);
	fp_array(&m->n_mpls_label, &m->mpls_label, f->mpls_label, f->n_mpls,
			 GF_MAX_MPLS);
	FP_OPT(GF_F_OBSERVATION_DOMAIN_ID, observation_domain_id);
	FP_OPT(GF_F_OBSERVATION_POINT_ID, observation_point_id);
	FP_OPT(GF_F_IN_IF_FORMAT, in_if_format);
	FP_OPT(GF_F_OUT_IF_FORMAT, out_if_format);
	FP_OPT(GF_F_VXLAN_VNI, vxlan_vni);
	FP_OPT(GF_F_FW_EVENT, fw_event);

	fp_str(&m->sampling_rate_source,
		   gf_rate_source_name((gf_rate_source) f->sampling_rate_source));
	fp_country(&m->src_country, sc->src_country, f->src_country);
	fp_country(&m->dst_country, sc->dst_country, f->dst_country);
	fp_context(m, f, ctx);
}

size_t
gf_flow_pb_pack_reference(const gf_flow *f, const gf_ctx_snapshot *ctx,
						  uint8_t *buf, size_t buflen)
{
	Flowpb__FlowMessage m;
	fp_scratch	sc;
	size_t		body;
	size_t		head;
	size_t		v;
	size_t		i;

	if (buf == NULL)
		return 0;
	fp_build(&m, &sc, f, ctx);
	body = flowpb__flow_message__get_packed_size(&m);
	head = gf_pb_varint_len(body);
	if (buflen < head || buflen - head < body)
		return 0;
	v = body;
	for (i = 0; i + 1 < head; i++)
	{
		buf[i] = (uint8_t) (0x80 | (v & 0x7f));
		v >>= 7;
	}
	buf[i] = (uint8_t) v;
	/* protobuf-c writes exactly get_packed_size bytes for a message. */
	return head + flowpb__flow_message__pack(&m, buf + head);
}
