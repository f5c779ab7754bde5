/*
 * flow_tuple.c
 *    gf_flow -> row of goflow2plus.flows, gf_ifcounters -> row of
 *    goflow2plus.interface_counters, sFlow drop sample -> row of
 *    goflow2plus.sflow_drops, and the by-name column map that lets a
 *    user-altered table still be written.
 *
 *    Conversions, chosen for speed and to keep every bit the exporter sent:
 *    - a field whose presence bit is clear is NULL;
 *    - addresses of family 0 are NULL;
 *    - src_net/dst_net are src_addr/dst_addr masked to the prefix length,
 *      NULL unless both the address and the length are known (and the
 *      length fits the family);
 *    - unsigned 32-bit values go to bigint columns unchanged; unsigned
 *      64-bit values (bytes, packets, sampling_rate) go to bigint when they
 *      fit and are NULL above 2^63-1: bigint cannot hold them, and a
 *      negative count would be worse than an unknown one;
 *    - interface counters that are 64-bit on the wire go to numeric, which
 *      holds every uint64 (these rows are rare: one per interface per
 *      counter interval).
 */
#include "postgres.h"

#include <sys/socket.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "flow_tuple.h"

const GfColumn gf_flow_columns[GF_FLOW_NCOLS] = {
	{"type", TEXTOID, true},
	{"time_received", TIMESTAMPTZOID, true},
	{"time_flow_start", TIMESTAMPTZOID, false},
	{"time_flow_end", TIMESTAMPTZOID, false},
	{"sequence_num", INT8OID, false},
	{"sampling_rate", INT8OID, false},
	{"sampler_address", INETOID, false},
	{"bytes", INT8OID, false},
	{"packets", INT8OID, false},
	{"src_addr", INETOID, false},
	{"dst_addr", INETOID, false},
	{"etype", INT4OID, false},
	{"proto", INT4OID, false},
	{"src_port", INT4OID, false},
	{"dst_port", INT4OID, false},
	{"in_if", INT8OID, false},
	{"out_if", INT8OID, false},
	{"src_mac", MACADDROID, false},
	{"dst_mac", MACADDROID, false},
	{"src_vlan", INT8OID, false},
	{"dst_vlan", INT8OID, false},
	{"vlan_id", INT8OID, false},
	{"ip_tos", INT4OID, false},
	{"ip_ttl", INT4OID, false},
	{"ip_flags", INT4OID, false},
	{"tcp_flags", INT4OID, false},
	{"forwarding_status", INT4OID, false},
	{"icmp_type", INT4OID, false},
	{"icmp_code", INT4OID, false},
	{"ipv6_flow_label", INT4OID, false},
	{"fragment_id", INT8OID, false},
	{"fragment_offset", INT4OID, false},
	{"src_as", INT8OID, false},
	{"dst_as", INT8OID, false},
	{"next_hop", INETOID, false},
	{"next_hop_as", INT8OID, false},
	{"src_net", CIDROID, false},
	{"dst_net", CIDROID, false},
	{"bgp_next_hop", INETOID, false},
	{"bgp_communities", INT8ARRAYOID, false},
	{"as_path", INT8ARRAYOID, false},
	{"mpls_label", INT4ARRAYOID, false},
	{"observation_domain_id", INT8OID, false},
	{"observation_point_id", INT8OID, false},
	{"in_if_format", INT4OID, false},
	{"out_if_format", INT4OID, false},
	{"vxlan_vni", INT8OID, false},
};

const GfColumn gf_ifcounters_columns[GF_IFCOUNTERS_NCOLS] = {
	{"time_received", TIMESTAMPTZOID, true},
	{"sampler_address", INETOID, false},
	{"sub_agent_id", INT8OID, false},
	{"sequence_num", INT8OID, false},
	{"source_id_type", INT4OID, false},
	{"source_id_index", INT8OID, false},
	{"if_index", INT8OID, false},
	{"if_type", INT8OID, false},
	{"speed", NUMERICOID, false},
	{"direction", INT4OID, false},
	{"status", INT4OID, false},
	{"in_octets", NUMERICOID, false},
	{"in_ucast_pkts", INT8OID, false},
	{"in_multicast_pkts", INT8OID, false},
	{"in_broadcast_pkts", INT8OID, false},
	{"in_discards", INT8OID, false},
	{"in_errors", INT8OID, false},
	{"in_unknown_protos", INT8OID, false},
	{"out_octets", NUMERICOID, false},
	{"out_ucast_pkts", INT8OID, false},
	{"out_multicast_pkts", INT8OID, false},
	{"out_broadcast_pkts", INT8OID, false},
	{"out_discards", INT8OID, false},
	{"out_errors", INT8OID, false},
	{"promiscuous_mode", INT4OID, false},
	{"dot3_alignment_errors", INT8OID, false},
	{"dot3_fcs_errors", INT8OID, false},
	{"dot3_single_collision_frames", INT8OID, false},
	{"dot3_multiple_collision_frames", INT8OID, false},
	{"dot3_sqe_test_errors", INT8OID, false},
	{"dot3_deferred_transmissions", INT8OID, false},
	{"dot3_late_collisions", INT8OID, false},
	{"dot3_excessive_collisions", INT8OID, false},
	{"dot3_internal_mac_transmit_errors", INT8OID, false},
	{"dot3_carrier_sense_errors", INT8OID, false},
	{"dot3_frame_too_longs", INT8OID, false},
	{"dot3_internal_mac_receive_errors", INT8OID, false},
	{"dot3_symbol_errors", INT8OID, false},
};

const GfColumn gf_drop_columns[GF_DROP_NCOLS] = {
	{"time_received", TIMESTAMPTZOID, true},
	{"sampler_address", INETOID, false},
	{"sub_agent_id", INT8OID, false},
	{"sequence_num", INT8OID, false},
	{"source_id_type", INT4OID, false},
	{"source_id_index", INT8OID, false},
	{"drops", INT8OID, false},
	{"in_if", INT8OID, false},
	{"out_if", INT8OID, false},
	{"reason", INT4OID, false},
	{"header_protocol", INT4OID, false},
	{"frame_length", INT8OID, false},
	{"header", BYTEAOID, false},
	{"src_addr", INETOID, false},
	{"dst_addr", INETOID, false},
	{"etype", INT4OID, false},
	{"proto", INT4OID, false},
	{"src_port", INT4OID, false},
	{"dst_port", INT4OID, false},
	{"src_mac", MACADDROID, false},
	{"dst_mac", MACADDROID, false},
	{"vlan_id", INT8OID, false},
};

/* Indexes into gf_flow_columns, named so the fill code below reads. */
enum
{
	FC_TYPE, FC_TIME_RECEIVED, FC_TIME_FLOW_START, FC_TIME_FLOW_END,
	FC_SEQUENCE_NUM, FC_SAMPLING_RATE, FC_SAMPLER_ADDRESS, FC_BYTES,
	FC_PACKETS, FC_SRC_ADDR, FC_DST_ADDR, FC_ETYPE, FC_PROTO, FC_SRC_PORT,
	FC_DST_PORT, FC_IN_IF, FC_OUT_IF, FC_SRC_MAC, FC_DST_MAC, FC_SRC_VLAN,
	FC_DST_VLAN, FC_VLAN_ID, FC_IP_TOS, FC_IP_TTL, FC_IP_FLAGS,
	FC_TCP_FLAGS, FC_FORWARDING_STATUS, FC_ICMP_TYPE, FC_ICMP_CODE,
	FC_IPV6_FLOW_LABEL, FC_FRAGMENT_ID, FC_FRAGMENT_OFFSET, FC_SRC_AS,
	FC_DST_AS, FC_NEXT_HOP, FC_NEXT_HOP_AS, FC_SRC_NET, FC_DST_NET,
	FC_BGP_NEXT_HOP, FC_BGP_COMMUNITIES, FC_AS_PATH, FC_MPLS_LABEL,
	FC_OBSERVATION_DOMAIN_ID, FC_OBSERVATION_POINT_ID, FC_IN_IF_FORMAT,
	FC_OUT_IF_FORMAT, FC_VXLAN_VNI, FC__COUNT
};

StaticAssertDecl(FC__COUNT == GF_FLOW_NCOLS, "flow column enum out of step");

/* Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
#define GF_PG_EPOCH_OFFSET_US \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC)

TimestampTz
gf_ns_to_timestamptz(uint64 ns)
{
	/* ns / 1000 < 2^54, far inside the timestamp range. */
	return (TimestampTz) (ns / 1000) - GF_PG_EPOCH_OFFSET_US;
}

/*
 * Per-row scratch for the fixed-size pass-by-reference values of a flow
 * row (up to seven inet/cidr, two macaddr).  Building them here instead of
 * palloc'ing each one takes several allocations off every row; the
 * catch is that they are only valid until the next gf_flow_datums() call
 * (see flow_tuple.h).  The union keeps each inet 4-byte aligned for its
 * length word.
 */
typedef union GfInetBuf
{
	inet		v;
	int32		align;
} GfInetBuf;

static GfInetBuf gf_row_inet[7];
static macaddr gf_row_mac[2];

/*
 * An inet (or cidr) value from a core address, built in *res.  For cidr
 * the host bits beyond 'bits' are cleared, as the cidr type requires.
 */
static Datum
gf_addr_datum_in(inet *res, const gf_addr *a, int bits, bool is_cidr)
{
	int			nbytes = a->family == 4 ? 4 : 16;
	int			i;

	/*
	 * The ip_* macros go through VARDATA_ANY, which reads the length word:
	 * give it a 4-byte header before using them (reused or palloc'd memory
	 * might look like a 1-byte header).  The final size is set below.
	 */
	SET_VARSIZE(res, sizeof(inet));
	ip_family(res) = a->family == 4 ? PGSQL_AF_INET : PGSQL_AF_INET6;
	ip_bits(res) = (unsigned char) bits;
	memcpy(ip_addr(res), a->bytes, nbytes);
	if (is_cidr)
	{
		for (i = 0; i < nbytes; i++)
		{
			int			keep = bits - i * 8;

			if (keep <= 0)
				ip_addr(res)[i] = 0;
			else if (keep < 8)
				ip_addr(res)[i] &= (unsigned char) (0xff << (8 - keep));
		}
	}
	SET_INET_VARSIZE(res);
	return InetPGetDatum(res);
}

/* An inet column; *res is the scratch (or palloc'd) space to build it in. */
static inline void
gf_put_addr(inet *res, const gf_addr *a, Datum *value, bool *isnull)
{
	if (a->family == 4 || a->family == 6)
	{
		*value = gf_addr_datum_in(res, a, a->family == 4 ? 32 : 128, false);
		*isnull = false;
	}
	else
		*isnull = true;
}

/* A network column: address masked to a prefix length known to fit. */
static inline void
gf_put_net(inet *res, const gf_addr *a, bool has_len, uint8 len,
		   Datum *value, bool *isnull)
{
	int			maxbits = a->family == 4 ? 32 : 128;

	if (has_len && (a->family == 4 || a->family == 6) && len <= maxbits)
	{
		*value = gf_addr_datum_in(res, a, len, true);
		*isnull = false;
	}
	else
		*isnull = true;
}

static Datum
gf_mac_datum_in(macaddr *res, const uint8_t *m)
{
	res->a = m[0];
	res->b = m[1];
	res->c = m[2];
	res->d = m[3];
	res->e = m[4];
	res->f = m[5];
	return MacaddrPGetDatum(res);
}

/* bigint[] (as_path, bgp_communities) or int[] (mpls_label); NULL if empty. */
static void
gf_put_u32_array(const uint32_t *v, int n, int max, bool as_int8,
				 Datum *value, bool *isnull)
{
	Datum		elems[Max(GF_MAX_AS_PATH, Max(GF_MAX_COMMUNITIES, GF_MAX_MPLS))];
	int			i;

	if (n > max)
		n = max;				/* the core bounds it; do not trust it twice */
	if (n <= 0)
	{
		*isnull = true;
		return;
	}
	for (i = 0; i < n; i++)
		elems[i] = as_int8 ? Int64GetDatum((int64) v[i]) : Int32GetDatum((int32) v[i]);
	if (as_int8)
		*value = PointerGetDatum(construct_array(elems, n, INT8OID, 8,
												 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	else
		*value = PointerGetDatum(construct_array(elems, n, INT4OID, 4,
												 true, TYPALIGN_INT));
	*isnull = false;
}

/*
 * The type column holds one of five strings; build each text value once
 * per backend instead of once per row.
 */
static Datum
gf_type_datum(gf_flow_type t)
{
	static text *cache[GF_TYPE_IPFIX + 2];
	int			slot = (t >= GF_TYPE_UNKNOWN && t <= GF_TYPE_IPFIX) ? (int) t : GF_TYPE_IPFIX + 1;

	if (cache[slot] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		cache[slot] = cstring_to_text(gf_flow_type_name(t));
		MemoryContextSwitchTo(old);
	}
	return PointerGetDatum(cache[slot]);
}

/*
 * bigint is signed: a uint64 above 2^63-1 (only a hostile or broken
 * exporter sends one for bytes, packets or a sampling rate) is written as
 * NULL, since a negative count would be worse than an unknown one.
 */
#define PUT_I8(col, fld, expr) \
	do { \
		if (GF_HAS(f, fld) && (uint64) (expr) <= (uint64) PG_INT64_MAX) \
		{ values[col] = Int64GetDatum((int64) (expr)); nulls[col] = false; } \
		else nulls[col] = true; \
	} while (0)
/*
 * An int column holds a field that is at most 20 bits wide by its
 * definition; only a malformed template can carry more.  Such a value is
 * written as NULL rather than wrapped to a negative number.
 */
#define PUT_I4(col, fld, expr) \
	do { \
		if (GF_HAS(f, fld) && (uint64) (expr) <= (uint64) PG_INT32_MAX) \
		{ values[col] = Int32GetDatum((int32) (expr)); nulls[col] = false; } \
		else nulls[col] = true; \
	} while (0)
#define PUT_TS(col, fld, expr) \
	do { \
		if (GF_HAS(f, fld)) \
		{ values[col] = TimestampTzGetDatum(gf_ns_to_timestamptz(expr)); nulls[col] = false; } \
		else nulls[col] = true; \
	} while (0)

void
gf_flow_datums(const gf_flow *f, Datum *values, bool *nulls)
{
	values[FC_TYPE] = gf_type_datum(f->type);
	nulls[FC_TYPE] = false;
	values[FC_TIME_RECEIVED] = TimestampTzGetDatum(gf_ns_to_timestamptz(f->time_received_ns));
	nulls[FC_TIME_RECEIVED] = false;
	PUT_TS(FC_TIME_FLOW_START, GF_F_TIME_FLOW_START, f->time_flow_start_ns);
	PUT_TS(FC_TIME_FLOW_END, GF_F_TIME_FLOW_END, f->time_flow_end_ns);
	PUT_I8(FC_SEQUENCE_NUM, GF_F_SEQUENCE_NUM, f->sequence_num);
	PUT_I8(FC_SAMPLING_RATE, GF_F_SAMPLING_RATE, f->sampling_rate);
	gf_put_addr(&gf_row_inet[0].v, &f->sampler_address,
				&values[FC_SAMPLER_ADDRESS], &nulls[FC_SAMPLER_ADDRESS]);
	PUT_I8(FC_BYTES, GF_F_BYTES, f->bytes);
	PUT_I8(FC_PACKETS, GF_F_PACKETS, f->packets);
	gf_put_addr(&gf_row_inet[1].v, &f->src_addr, &values[FC_SRC_ADDR], &nulls[FC_SRC_ADDR]);
	gf_put_addr(&gf_row_inet[2].v, &f->dst_addr, &values[FC_DST_ADDR], &nulls[FC_DST_ADDR]);
	PUT_I4(FC_ETYPE, GF_F_ETYPE, f->etype);
	PUT_I4(FC_PROTO, GF_F_PROTO, f->proto);
	PUT_I4(FC_SRC_PORT, GF_F_SRC_PORT, f->src_port);
	PUT_I4(FC_DST_PORT, GF_F_DST_PORT, f->dst_port);
	PUT_I8(FC_IN_IF, GF_F_IN_IF, f->in_if);
	PUT_I8(FC_OUT_IF, GF_F_OUT_IF, f->out_if);
	if (GF_HAS(f, GF_F_SRC_MAC))
	{
		values[FC_SRC_MAC] = gf_mac_datum_in(&gf_row_mac[0], f->src_mac);
		nulls[FC_SRC_MAC] = false;
	}
	else
		nulls[FC_SRC_MAC] = true;
	if (GF_HAS(f, GF_F_DST_MAC))
	{
		values[FC_DST_MAC] = gf_mac_datum_in(&gf_row_mac[1], f->dst_mac);
		nulls[FC_DST_MAC] = false;
	}
	else
		nulls[FC_DST_MAC] = true;
	PUT_I8(FC_SRC_VLAN, GF_F_SRC_VLAN, f->src_vlan);
	PUT_I8(FC_DST_VLAN, GF_F_DST_VLAN, f->dst_vlan);
	PUT_I8(FC_VLAN_ID, GF_F_VLAN_ID, f->vlan_id);
	PUT_I4(FC_IP_TOS, GF_F_IP_TOS, f->ip_tos);
	PUT_I4(FC_IP_TTL, GF_F_IP_TTL, f->ip_ttl);
	PUT_I4(FC_IP_FLAGS, GF_F_IP_FLAGS, f->ip_flags);
	PUT_I4(FC_TCP_FLAGS, GF_F_TCP_FLAGS, f->tcp_flags);
	PUT_I4(FC_FORWARDING_STATUS, GF_F_FORWARDING_STATUS, f->forwarding_status);
	PUT_I4(FC_ICMP_TYPE, GF_F_ICMP_TYPE, f->icmp_type);
	PUT_I4(FC_ICMP_CODE, GF_F_ICMP_CODE, f->icmp_code);
	PUT_I4(FC_IPV6_FLOW_LABEL, GF_F_IPV6_FLOW_LABEL, f->ipv6_flow_label);
	PUT_I8(FC_FRAGMENT_ID, GF_F_FRAGMENT_ID, f->fragment_id);
	PUT_I4(FC_FRAGMENT_OFFSET, GF_F_FRAGMENT_OFFSET, f->fragment_offset);
	PUT_I8(FC_SRC_AS, GF_F_SRC_AS, f->src_as);
	PUT_I8(FC_DST_AS, GF_F_DST_AS, f->dst_as);
	gf_put_addr(&gf_row_inet[3].v, &f->next_hop, &values[FC_NEXT_HOP], &nulls[FC_NEXT_HOP]);
	PUT_I8(FC_NEXT_HOP_AS, GF_F_NEXT_HOP_AS, f->next_hop_as);
	gf_put_net(&gf_row_inet[4].v, &f->src_addr, GF_HAS(f, GF_F_SRC_NET), f->src_net_len,
			   &values[FC_SRC_NET], &nulls[FC_SRC_NET]);
	gf_put_net(&gf_row_inet[5].v, &f->dst_addr, GF_HAS(f, GF_F_DST_NET), f->dst_net_len,
			   &values[FC_DST_NET], &nulls[FC_DST_NET]);
	gf_put_addr(&gf_row_inet[6].v, &f->bgp_next_hop, &values[FC_BGP_NEXT_HOP], &nulls[FC_BGP_NEXT_HOP]);
	gf_put_u32_array(f->bgp_communities, f->n_communities, GF_MAX_COMMUNITIES,
					 true, &values[FC_BGP_COMMUNITIES], &nulls[FC_BGP_COMMUNITIES]);
	gf_put_u32_array(f->as_path, f->n_as_path, GF_MAX_AS_PATH,
					 true, &values[FC_AS_PATH], &nulls[FC_AS_PATH]);
	gf_put_u32_array(f->mpls_label, f->n_mpls, GF_MAX_MPLS,
					 false, &values[FC_MPLS_LABEL], &nulls[FC_MPLS_LABEL]);
	PUT_I8(FC_OBSERVATION_DOMAIN_ID, GF_F_OBSERVATION_DOMAIN_ID, f->observation_domain_id);
	PUT_I8(FC_OBSERVATION_POINT_ID, GF_F_OBSERVATION_POINT_ID, f->observation_point_id);
	PUT_I4(FC_IN_IF_FORMAT, GF_F_IN_IF_FORMAT, f->in_if_format);
	PUT_I4(FC_OUT_IF_FORMAT, GF_F_OUT_IF_FORMAT, f->out_if_format);
	PUT_I8(FC_VXLAN_VNI, GF_F_VXLAN_VNI, f->vxlan_vni);
}

/* numeric from uint64; the text path is only taken above 2^63-1. */
static Datum
gf_u64_numeric(uint64 v)
{
	char		buf[32];

	if (v <= (uint64) PG_INT64_MAX)
		return NumericGetDatum(int64_to_numeric((int64) v));
	snprintf(buf, sizeof(buf), UINT64_FORMAT, v);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

void
gf_ifcounters_datums(const gf_ifcounters *c, Datum *values, bool *nulls)
{
	int			i = 0;
	int			k;

	values[i] = TimestampTzGetDatum(gf_ns_to_timestamptz(c->time_received_ns));
	nulls[i++] = false;
	gf_put_addr((inet *) palloc(sizeof(inet)), &c->sampler_address,
				&values[i], &nulls[i]);
	i++;
	values[i] = Int64GetDatum(c->sub_agent_id);
	nulls[i++] = false;
	values[i] = Int64GetDatum(c->sequence_num);
	nulls[i++] = false;
	values[i] = Int32GetDatum((int32) c->source_id_type);
	nulls[i++] = false;
	values[i] = Int64GetDatum(c->source_id_index);
	nulls[i++] = false;

	/* Generic interface counters (sFlow counter record 1), columns 6..24. */
	values[i++] = Int64GetDatum(c->if_index);
	values[i++] = Int64GetDatum(c->if_type);
	values[i++] = gf_u64_numeric(c->if_speed);
	values[i++] = Int32GetDatum((int32) c->if_direction);
	values[i++] = Int32GetDatum((int32) c->if_status);
	values[i++] = gf_u64_numeric(c->in_octets);
	values[i++] = Int64GetDatum(c->in_ucast_pkts);
	values[i++] = Int64GetDatum(c->in_multicast_pkts);
	values[i++] = Int64GetDatum(c->in_broadcast_pkts);
	values[i++] = Int64GetDatum(c->in_discards);
	values[i++] = Int64GetDatum(c->in_errors);
	values[i++] = Int64GetDatum(c->in_unknown_protos);
	values[i++] = gf_u64_numeric(c->out_octets);
	values[i++] = Int64GetDatum(c->out_ucast_pkts);
	values[i++] = Int64GetDatum(c->out_multicast_pkts);
	values[i++] = Int64GetDatum(c->out_broadcast_pkts);
	values[i++] = Int64GetDatum(c->out_discards);
	values[i++] = Int64GetDatum(c->out_errors);
	values[i++] = Int32GetDatum((int32) c->promiscuous_mode);
	Assert(i == 25);
	for (k = 6; k < 25; k++)
		nulls[k] = !c->has_generic;

	/* Ethernet counters (sFlow counter record 2), columns 25..37. */
	values[i++] = Int64GetDatum(c->dot3_alignment_errors);
	values[i++] = Int64GetDatum(c->dot3_fcs_errors);
	values[i++] = Int64GetDatum(c->dot3_single_collision_frames);
	values[i++] = Int64GetDatum(c->dot3_multiple_collision_frames);
	values[i++] = Int64GetDatum(c->dot3_sqe_test_errors);
	values[i++] = Int64GetDatum(c->dot3_deferred_transmissions);
	values[i++] = Int64GetDatum(c->dot3_late_collisions);
	values[i++] = Int64GetDatum(c->dot3_excessive_collisions);
	values[i++] = Int64GetDatum(c->dot3_internal_mac_transmit_errors);
	values[i++] = Int64GetDatum(c->dot3_carrier_sense_errors);
	values[i++] = Int64GetDatum(c->dot3_frame_too_longs);
	values[i++] = Int64GetDatum(c->dot3_internal_mac_receive_errors);
	values[i++] = Int64GetDatum(c->dot3_symbol_errors);
	Assert(i == GF_IFCOUNTERS_NCOLS);
	for (k = 25; k < GF_IFCOUNTERS_NCOLS; k++)
		nulls[k] = !c->has_ethernet;
}

void
gf_drop_row_fill(GfDropRow *row, const gf_drop_sample *d)
{
	const gf_flow *f = &d->flow;
	size_t		n = d->header_len;

	memset(row, 0, offsetof(GfDropRow, header));
	row->time_received_ns = d->time_received_ns;
	row->agent = d->agent;
	row->sub_agent_id = d->sub_agent_id;
	row->sequence_num = d->sequence_num;
	row->source_id_type = d->source_id_type;
	row->source_id_index = d->source_id_index;
	row->drops = d->drops;
	row->in_if = d->in_if;
	row->out_if = d->out_if;
	row->reason = d->reason;
	row->header_protocol = d->header_protocol;
	row->frame_length = d->frame_length;
	row->has_header = (d->header != NULL);
	if (!row->has_header || n > GF_DROP_HEADER_MAX)
		n = row->has_header ? GF_DROP_HEADER_MAX : 0;
	row->header_len = (uint16) n;
	if (n > 0)
		memcpy(row->header, d->header, n);

	/* Only the fields the table has; the bits say which were parsed. */
	row->present = f->present &
		((UINT64CONST(1) << GF_F_ETYPE) | (UINT64CONST(1) << GF_F_PROTO) |
		 (UINT64CONST(1) << GF_F_SRC_PORT) | (UINT64CONST(1) << GF_F_DST_PORT) |
		 (UINT64CONST(1) << GF_F_SRC_MAC) | (UINT64CONST(1) << GF_F_DST_MAC) |
		 (UINT64CONST(1) << GF_F_VLAN_ID));
	row->src_addr = f->src_addr;
	row->dst_addr = f->dst_addr;
	row->etype = f->etype;
	row->proto = f->proto;
	row->src_port = f->src_port;
	row->dst_port = f->dst_port;
	row->vlan_id = f->vlan_id;
	memcpy(row->src_mac, f->src_mac, 6);
	memcpy(row->dst_mac, f->dst_mac, 6);
}

void
gf_drop_datums(const GfDropRow *r, Datum *values, bool *nulls)
{
	const GfDropRow *f = r;		/* for GF_HAS in the PUT_ macros */
	bytea	   *hdr;
	int			i = 0;

	values[i] = TimestampTzGetDatum(gf_ns_to_timestamptz(r->time_received_ns));
	nulls[i++] = false;
	gf_put_addr((inet *) palloc(sizeof(inet)), &r->agent, &values[i], &nulls[i]);
	i++;
	values[i] = Int64GetDatum((int64) r->sub_agent_id);
	nulls[i++] = false;
	values[i] = Int64GetDatum((int64) r->sequence_num);
	nulls[i++] = false;
	/* Two's complement like interface_counters: every bit is kept. */
	values[i] = Int32GetDatum((int32) r->source_id_type);
	nulls[i++] = false;
	values[i] = Int64GetDatum((int64) r->source_id_index);
	nulls[i++] = false;
	values[i] = Int64GetDatum((int64) r->drops);
	nulls[i++] = false;
	values[i] = Int64GetDatum((int64) r->in_if);
	nulls[i++] = false;
	values[i] = Int64GetDatum((int64) r->out_if);
	nulls[i++] = false;
	values[i] = Int32GetDatum((int32) r->reason);
	nulls[i++] = false;

	/* The raw header record: NULL, all three, when the sample had none. */
	values[i] = Int32GetDatum((int32) r->header_protocol);
	nulls[i++] = !r->has_header;
	values[i] = Int64GetDatum((int64) r->frame_length);
	nulls[i++] = !r->has_header;
	hdr = (bytea *) palloc(VARHDRSZ + r->header_len);
	SET_VARSIZE(hdr, VARHDRSZ + r->header_len);
	memcpy(VARDATA(hdr), r->header, r->header_len);
	values[i] = PointerGetDatum(hdr);
	nulls[i++] = !r->has_header;

	gf_put_addr((inet *) palloc(sizeof(inet)), &r->src_addr, &values[i], &nulls[i]);
	i++;
	gf_put_addr((inet *) palloc(sizeof(inet)), &r->dst_addr, &values[i], &nulls[i]);
	i++;
	PUT_I4(i, GF_F_ETYPE, r->etype);
	i++;
	PUT_I4(i, GF_F_PROTO, r->proto);
	i++;
	PUT_I4(i, GF_F_SRC_PORT, r->src_port);
	i++;
	PUT_I4(i, GF_F_DST_PORT, r->dst_port);
	i++;
	if (GF_HAS(r, GF_F_SRC_MAC))
	{
		values[i] = gf_mac_datum_in((macaddr *) palloc(sizeof(macaddr)), r->src_mac);
		nulls[i] = false;
	}
	else
		nulls[i] = true;
	i++;
	if (GF_HAS(r, GF_F_DST_MAC))
	{
		values[i] = gf_mac_datum_in((macaddr *) palloc(sizeof(macaddr)), r->dst_mac);
		nulls[i] = false;
	}
	else
		nulls[i] = true;
	i++;
	PUT_I8(i, GF_F_VLAN_ID, r->vlan_id);
	i++;
	(void) f;
	Assert(i == GF_DROP_NCOLS);
}

void
gf_colmap_build(GfColumnMap *map, TupleDesc td, const GfColumn *cols,
				int ncols, const char *what)
{
	bool		found[Max(GF_FLOW_NCOLS, Max(GF_IFCOUNTERS_NCOLS, GF_DROP_NCOLS))];
	int			i;
	int			j;

	Assert(ncols <= lengthof(found));
	memset(found, 0, sizeof(found));
	map->natts = td->natts;
	map->src = (int16 *) palloc(sizeof(int16) * Max(td->natts, 1));
	map->complete = true;
	map->identity = (td->natts == ncols);

	for (i = 0; i < td->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);
		const char *name = NameStr(att->attname);

		map->src[i] = -1;
		if (att->attisdropped)
		{
			map->identity = false;
			continue;
		}
		/* The usual case: our column sits where the install script put it. */
		if (i < ncols && strcmp(name, cols[i].name) == 0)
			j = i;
		else
		{
			map->identity = false;
			for (j = 0; j < ncols; j++)
				if (strcmp(name, cols[j].name) == 0)
					break;
		}
		if (j == ncols)
		{
			map->complete = false;	/* a column the user added */
			continue;
		}
		if (att->atttypid != cols[j].type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s has type %s, goflow2plus writes %s",
							name, what, format_type_be(att->atttypid),
							format_type_be(cols[j].type))));
		map->src[i] = (int16) j;
		found[j] = true;
	}
	for (j = 0; j < ncols; j++)
		if (!found[j])
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("%s has no column \"%s\"", what, cols[j].name),
					 errhint("The goflow2plus writer needs every column of the install script; re-create the extension or add the column back.")));
}

void
gf_colmap_apply(const GfColumnMap *map, const Datum *src_values,
				const bool *src_nulls, Datum *values, bool *nulls)
{
	int			i;

	for (i = 0; i < map->natts; i++)
	{
		int			s = map->src[i];

		if (s >= 0)
		{
			values[i] = src_values[s];
			nulls[i] = src_nulls[s];
		}
		else
		{
			values[i] = (Datum) 0;
			nulls[i] = true;
		}
	}
}
