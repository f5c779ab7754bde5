/*
 * flow_pb.c
 *    One gf_flow as one length-prefixed GoFlow2 FlowMessage (see flow_pb.h
 *    and proto/flow.proto), written field by field.
 *
 *    Why not protobuf-c's pack: filling its generated struct and letting it
 *    walk the descriptor twice (get_packed_size, then pack) was 16 % of a
 *    worker publishing "bin" with the table on.  Here one function lists the
 *    fields in field-number order (the order protobuf-c and every other
 *    encoder write them) and runs twice over a tiny writer: once counting,
 *    once writing, so the length prefix is known before the body is written
 *    and nothing is moved.  flow_pb_ref.c keeps the protobuf-c version; the
 *    unit test and the fuzz target require both to write the same bytes.
 */
#include "flow_pb.h"

#include <stdbool.h>
#include <string.h>

#include "flow_enc_ctx.h"
#include "flow_extra.h"
#include "flow_pb_wire.h"

/* Wire types (protobuf encoding). */
#define WT_VARINT	0
#define WT_LEN		2

/* Counts (p == NULL) or writes bytes; a write never passes end. */
typedef struct pw
{
	uint8_t    *p;
	size_t		n;
} pw;

static inline void
pw_varint(pw *w, uint64_t v)
{
	if (w->p == NULL)
	{
		w->n += gf_pb_varint_len(v);
		return;
	}
	while (v >= 0x80)
	{
		w->p[w->n++] = (uint8_t) (0x80 | (v & 0x7f));
		v >>= 7;
	}
	w->p[w->n++] = (uint8_t) v;
}

static inline void
pw_tag(pw *w, unsigned field, unsigned wire)
{
	pw_varint(w, ((uint64_t) field << 3) | wire);
}

static inline void
pw_uint(pw *w, unsigned field, uint64_t v)
{
	pw_tag(w, field, WT_VARINT);
	pw_varint(w, v);
}

static inline void
pw_bytes(pw *w, unsigned field, const void *data, size_t len)
{
	pw_tag(w, field, WT_LEN);
	pw_varint(w, len);
	if (w->p != NULL)
		memcpy(w->p + w->n, data, len);
	w->n += len;
}

/* An address as 4 or 16 bytes; any other family is absent. */
static inline void
pw_addr(pw *w, unsigned field, const gf_addr *a)
{
	if (a->family == 4)
		pw_bytes(w, field, a->bytes, 4);
	else if (a->family == 6)
		pw_bytes(w, field, a->bytes, 16);
}

/* A string field: sent when there and well-formed UTF-8 (protobuf's rule). */
static inline void
pw_str(pw *w, unsigned field, const char *s)
{
	if (s != NULL && gf_fec_utf8_valid(s))
		pw_bytes(w, field, s, strlen(s));
}

/* A packed repeated uint32, at most max values; absent when empty. */
static void
pw_packed(pw *w, unsigned field, const uint32_t *vals, unsigned n, unsigned max)
{
	size_t		len = 0;
	unsigned	i;

	if (n > max)
		n = max;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		len += gf_pb_varint_len(vals[i]);
	pw_tag(w, field, WT_LEN);
	pw_varint(w, len);
	for (i = 0; i < n; i++)
		pw_varint(w, vals[i]);
}

/* A country code: up to two characters of code[], absent when empty. */
static void
pw_country(pw *w, unsigned field, const char code[3])
{
	char		copy[3];
	size_t		n = 0;

	while (n < 2 && code[n] != '\0')
		n++;
	if (n == 0)
		return;
	memcpy(copy, code, n);
	copy[n] = '\0';
	pw_str(w, field, copy);
}

#define PW_OPT(fld, number, member) \
	do { \
		if (GF_HAS(f, fld)) \
			pw_uint(w, number, f->member); \
	} while (0)

/* The whole body, in field-number order (see proto/flow.proto). */
static void
pw_body(pw *w, const gf_flow *f, const gf_fec_view *v)
{
	unsigned	type = ((unsigned) f->type <= GF_TYPE_LAST) ? (unsigned) f->type : 0;

	pw_uint(w, 1, type);
	PW_OPT(GF_F_SAMPLING_RATE, 3, sampling_rate);
	PW_OPT(GF_F_SEQUENCE_NUM, 4, sequence_num);
	pw_addr(w, 6, &f->src_addr);
	pw_addr(w, 7, &f->dst_addr);
	PW_OPT(GF_F_BYTES, 9, bytes);
	PW_OPT(GF_F_PACKETS, 10, packets);
	pw_addr(w, 11, &f->sampler_address);
	pw_addr(w, 12, &f->next_hop);
	PW_OPT(GF_F_NEXT_HOP_AS, 13, next_hop_as);
	PW_OPT(GF_F_SRC_AS, 14, src_as);
	PW_OPT(GF_F_DST_AS, 15, dst_as);
	/* GoFlow2's src_net/dst_net are the prefix lengths. */
	PW_OPT(GF_F_SRC_NET, 16, src_net_len);
	PW_OPT(GF_F_DST_NET, 17, dst_net_len);
	PW_OPT(GF_F_IN_IF, 18, in_if);
	PW_OPT(GF_F_OUT_IF, 19, out_if);
	PW_OPT(GF_F_PROTO, 20, proto);
	PW_OPT(GF_F_SRC_PORT, 21, src_port);
	PW_OPT(GF_F_DST_PORT, 22, dst_port);
	PW_OPT(GF_F_IP_TOS, 23, ip_tos);
	PW_OPT(GF_F_FORWARDING_STATUS, 24, forwarding_status);
	PW_OPT(GF_F_IP_TTL, 25, ip_ttl);
	PW_OPT(GF_F_TCP_FLAGS, 26, tcp_flags);
	if (GF_HAS(f, GF_F_SRC_MAC))
		pw_uint(w, 27, gf_pb_mac48(f->src_mac));
	if (GF_HAS(f, GF_F_DST_MAC))
		pw_uint(w, 28, gf_pb_mac48(f->dst_mac));
	PW_OPT(GF_F_VLAN_ID, 29, vlan_id);
	PW_OPT(GF_F_ETYPE, 30, etype);
	PW_OPT(GF_F_ICMP_TYPE, 31, icmp_type);
	PW_OPT(GF_F_ICMP_CODE, 32, icmp_code);
	PW_OPT(GF_F_SRC_VLAN, 33, src_vlan);
	PW_OPT(GF_F_DST_VLAN, 34, dst_vlan);
	PW_OPT(GF_F_FRAGMENT_ID, 35, fragment_id);
	PW_OPT(GF_F_FRAGMENT_OFFSET, 36, fragment_offset);
	PW_OPT(GF_F_IPV6_FLOW_LABEL, 37, ipv6_flow_label);
	PW_OPT(GF_F_IP_FLAGS, 38, ip_flags);
	PW_OPT(GF_F_OBSERVATION_DOMAIN_ID, 70, observation_domain_id);
	PW_OPT(GF_F_OBSERVATION_POINT_ID, 71, observation_point_id);
	pw_packed(w, 81, f->mpls_label, f->n_mpls, GF_MAX_MPLS);
	pw_addr(w, 100, &f->bgp_next_hop);
	pw_packed(w, 101, f->bgp_communities, f->n_communities, GF_MAX_COMMUNITIES);
	pw_packed(w, 102, f->as_path, f->n_as_path, GF_MAX_AS_PATH);
	pw_uint(w, 110, f->time_received_ns);
	PW_OPT(GF_F_TIME_FLOW_START, 111, time_flow_start_ns);
	PW_OPT(GF_F_TIME_FLOW_END, 112, time_flow_end_ns);
	PW_OPT(GF_F_IN_IF_FORMAT, 1000, in_if_format);
	PW_OPT(GF_F_OUT_IF_FORMAT, 1001, out_if_format);
	PW_OPT(GF_F_VXLAN_VNI, 1002, vxlan_vni);
	PW_OPT(GF_F_FW_EVENT, 1003, fw_event);
	if (v->any)
	{
		pw_str(w, 1010, v->src_group);
		pw_str(w, 1011, v->dst_group);
		pw_str(w, 1012, v->src_context);
		pw_str(w, 1013, v->dst_context);
		pw_str(w, 1014, v->device_name);
		pw_str(w, 1015, v->device_site);
		pw_str(w, 1016, v->device_role);
		pw_str(w, 1017, v->device_context);
		pw_str(w, 1018, v->in_if.name);
		pw_str(w, 1019, v->out_if.name);
		pw_str(w, 1020, v->in_if.description);
		pw_str(w, 1021, v->out_if.description);
		if (v->in_if.has_speed)
			pw_uint(w, 1022, v->in_if.speed);
		if (v->out_if.has_speed)
			pw_uint(w, 1023, v->out_if.speed);
		pw_str(w, 1024, v->in_if.boundary);
		pw_str(w, 1025, v->out_if.boundary);
		pw_str(w, 1026, v->in_if.provider);
		pw_str(w, 1027, v->out_if.provider);
	}
	pw_country(w, 1028, f->src_country);
	pw_country(w, 1029, f->dst_country);
	pw_str(w, 1030, gf_rate_source_name((gf_rate_source) f->sampling_rate_source));
	if (v->any)
	{
		pw_str(w, 1031, v->in_if.context);
		pw_str(w, 1032, v->out_if.context);
	}
	/* Custom mapped values under their own indexes (flow_extra.h). */
	if (f->n_extra > 0)
		w->n += gf_flow_extra_pb(f, w->p ? w->p + w->n : NULL);
}

size_t
gf_flow_pb_size(const gf_flow *f, const gf_ctx_snapshot *ctx)
{
	gf_fec_view v;
	pw			w = {NULL, 0};

	gf_fec_resolve(f, ctx, &v);
	pw_body(&w, f, &v);
	return gf_pb_varint_len(w.n) + w.n;
}

size_t
gf_flow_pb_pack_delimited(const gf_flow *f, const gf_ctx_snapshot *ctx,
						  uint8_t *buf, size_t buflen)
{
	gf_fec_view v;
	pw			w = {NULL, 0};
	size_t		body;
	size_t		head;

	if (buf == NULL)
		return 0;
	gf_fec_resolve(f, ctx, &v);
	pw_body(&w, f, &v);
	body = w.n;
	head = gf_pb_varint_len(body);
	if (buflen < head || buflen - head < body)
		return 0;
	w.p = buf;
	w.n = 0;
	pw_varint(&w, body);
	pw_body(&w, f, &v);
	return w.n;
}
