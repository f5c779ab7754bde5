/*
 * netflow_v8.c
 *    NetFlow v8: router-based aggregation.  A 28-byte header (v5's header
 *    fields, then the aggregation scheme and its version) and records whose
 *    layout the scheme decides.  One datagram carries one scheme.
 *
 *    Decoded schemes (Cisco numbers), record length in bytes, and what
 *    lands in goflow2plus.flows besides packets, bytes and the times:
 *
 *       1 AS                     28  src_as dst_as in_if out_if
 *       2 Protocol-port          28  proto src_port dst_port
 *       3 Source prefix          32  src_addr src_net src_as in_if
 *       4 Destination prefix     32  dst_addr dst_net dst_as out_if
 *       5 Prefix                 40  both prefixes, both AS, in_if out_if
 *       6 Destination (Catalyst) 32  dst_addr out_if ip_tos
 *       7 Source-destination     40  src_addr dst_addr in_if out_if ip_tos
 *       8 Full flow              44  addresses, ports, proto, in/out, ip_tos
 *       9 AS-ToS                 32  scheme 1 + ip_tos
 *      10 Protocol-port-ToS      32  scheme 2 + ip_tos in_if out_if
 *      11 Source prefix-ToS      32  scheme 3 + ip_tos
 *      12 Destination prefix-ToS 32  scheme 4 + ip_tos
 *      13 Prefix-ToS             40  scheme 5 + ip_tos
 *      14 Prefix-port            40  scheme 13 + proto src_port dst_port
 *
 *    A prefix scheme's address is the prefix (host bits zero) and its mask
 *    goes to src_net/dst_net, so src_addr/src_net reads as the network.
 *    Records of the router schemes (all but 6-8) aggregate several flows;
 *    their "flows" count has no column.  Catalyst records' marked ToS,
 *    extra packets and router shortcut have none either.  Another scheme
 *    drops the datagram (nf_v8_unknown_scheme).  Counts and times follow
 *    netflow_legacy.h.
 */
#include "netflow_legacy.h"

#include "reader.h"

#define NF8_HEADER_LEN	28
#define NF8_NO			(-1)	/* the scheme has no such field */

/* Byte offsets of each field in a scheme's record, NF8_NO when absent. */
typedef struct nf8_scheme
{
	uint8_t		id;
	uint8_t		rec_len;
	int8_t		packets;		/* 4 bytes */
	int8_t		bytes;			/* 4 */
	int8_t		first;			/* 4 */
	int8_t		last;			/* 4 */
	int8_t		src_addr;		/* 4 */
	int8_t		src_mask;		/* 1 */
	int8_t		dst_addr;		/* 4 */
	int8_t		dst_mask;		/* 1 */
	int8_t		src_as;			/* 2 */
	int8_t		dst_as;			/* 2 */
	int8_t		in_if;			/* 2 */
	int8_t		out_if;			/* 2 */
	int8_t		proto;			/* 1 */
	int8_t		tos;			/* 1 */
	int8_t		src_port;		/* 2 */
	int8_t		dst_port;		/* 2 */
} nf8_scheme;

/*
 * Router schemes begin with flows, dPkts, dOctets, First, Last (20 bytes);
 * Catalyst schemes (6-8) begin with addresses and have no flows count.
 */
#define R	4, 8, 12, 16			/* packets, bytes, first, last */
#define N	NF8_NO

static const nf8_scheme nf8_schemes[] = {
	/* id len  counters  saddr smask daddr dmask sas das  in  out prot tos sport dport */
	{1, 28, R, N, N, N, N, 20, 22, 24, 26, N, N, N, N},
	{2, 28, R, N, N, N, N, N, N, N, N, 20, N, 24, 26},
	{3, 32, R, 20, 24, N, N, 26, N, 28, N, N, N, N, N},
	{4, 32, R, N, N, 20, 24, N, 26, N, 28, N, N, N, N},
	{5, 40, R, 20, 29, 24, 28, 32, 34, 36, 38, N, N, N, N},
	{6, 32, 4, 8, 12, 16, N, N, 0, N, N, N, N, 20, N, 22, N, N},
	{7, 40, 8, 12, 16, 20, 4, N, 0, N, N, N, 26, 24, N, 28, N, N},
	{8, 44, 12, 16, 20, 24, 4, N, 0, N, N, N, 30, 28, 33, 32, 10, 8},
	{9, 32, R, N, N, N, N, 20, 22, 24, 26, N, 28, N, N},
	{10, 32, R, N, N, N, N, N, N, 28, 30, 20, 21, 24, 26},
	{11, 32, R, 20, 24, N, N, 26, N, 28, N, N, 25, N, N},
	{12, 32, R, N, N, 20, 24, N, 26, N, 28, N, 25, N, N},
	{13, 40, R, 20, 29, 24, 28, 32, 34, 36, 38, N, 30, N, N},
	{14, 40, R, 20, 29, 24, 28, N, N, 36, 38, 31, 30, 32, 34},
};

#undef R
#undef N

static const nf8_scheme *
nf8_find(uint8_t id)
{
	size_t		i;

	for (i = 0; i < sizeof(nf8_schemes) / sizeof(nf8_schemes[0]); i++)
		if (nf8_schemes[i].id == id)
			return &nf8_schemes[i];
	return NULL;
}

/* The unsigned integer of n bytes at offset off, if the scheme has it. */
#define NF8_GET(p, off, n)	((uint32_t) gf_be_uint((p) + (off), (n)))

/* Fill the flow from one record; true if a time had to be clamped (skew). */
static bool
nf8_record(const gf_nfl_header *h, uint32_t sequence, const nf8_scheme *s,
		   const uint8_t *p, gf_flow *f)
{
	GF_SET(f, packets, GF_F_PACKETS, NF8_GET(p, s->packets, 4));
	GF_SET(f, bytes, GF_F_BYTES, NF8_GET(p, s->bytes, 4));
	if (s->src_addr != NF8_NO)
		gf_addr_set_v4(&f->src_addr, p + s->src_addr);
	if (s->src_mask != NF8_NO)
		GF_SET(f, src_net_len, GF_F_SRC_NET, p[s->src_mask]);
	if (s->dst_addr != NF8_NO)
		gf_addr_set_v4(&f->dst_addr, p + s->dst_addr);
	if (s->dst_mask != NF8_NO)
		GF_SET(f, dst_net_len, GF_F_DST_NET, p[s->dst_mask]);
	if (s->src_as != NF8_NO)
		GF_SET(f, src_as, GF_F_SRC_AS, NF8_GET(p, s->src_as, 2));
	if (s->dst_as != NF8_NO)
		GF_SET(f, dst_as, GF_F_DST_AS, NF8_GET(p, s->dst_as, 2));
	if (s->in_if != NF8_NO)
		GF_SET(f, in_if, GF_F_IN_IF, NF8_GET(p, s->in_if, 2));
	if (s->out_if != NF8_NO)
		GF_SET(f, out_if, GF_F_OUT_IF, NF8_GET(p, s->out_if, 2));
	if (s->proto != NF8_NO)
		GF_SET(f, proto, GF_F_PROTO, p[s->proto]);
	if (s->tos != NF8_NO)
		GF_SET(f, ip_tos, GF_F_IP_TOS, p[s->tos]);
	if (s->src_port != NF8_NO)
		GF_SET(f, src_port, GF_F_SRC_PORT, NF8_GET(p, s->src_port, 2));
	if (s->dst_port != NF8_NO)
		GF_SET(f, dst_port, GF_F_DST_PORT, NF8_GET(p, s->dst_port, 2));
	GF_SET(f, etype, GF_F_ETYPE, 0x0800);
	GF_SET(f, sequence_num, GF_F_SEQUENCE_NUM, sequence);
	return gf_nfl_times(h, NF8_GET(p, s->first, 4), NF8_GET(p, s->last, 4), f);
}

gf_rc
gf_nf8_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink,
			  gf_error *err)
{
	const nf8_scheme *s;
	gf_nfl_header h;
	uint32_t	sequence;
	uint16_t	i;
	gf_flow		f;
	gf_rc		rc;

	err->proto = GF_PK_NETFLOW_V8;
	if (dg->len < NF8_HEADER_LEN)
		return gf_fail(err, GF_ERR_TRUNCATED, dg->len,
					   "header needs %d bytes, datagram has %zu",
					   NF8_HEADER_LEN, dg->len);
	s = nf8_find(dg->data[22]);
	if (s == NULL)
	{
		d->counters.nf_v8_unknown_scheme++;
		return gf_fail(err, GF_ERR_VERSION, 22,
					   "aggregation scheme %u is not decoded (1-14 are)",
					   dg->data[22]);
	}
	rc = gf_nfl_begin(d, dg, NF8_HEADER_LEN, s->rec_len, &h, err);
	if (rc != GF_OK)
		return rc;
	sequence = (uint32_t) gf_be_uint(dg->data + 16, 4);
	/* p[20] engine_type, p[21] engine_id, p[23] agg_version, p[24..27] reserved */

	d->counters.packets_netflow_v8++;
	for (i = 0; i < h.count; i++)
	{
		bool		skew;

		gf_flow_init(&f, GF_TYPE_NETFLOW_V8, dg->time_received_ns, &dg->exporter);
		skew = nf8_record(&h, sequence, s,
						  dg->data + NF8_HEADER_LEN + (size_t) i * s->rec_len, &f);
		gf_nfl_emit(d, sink, &f, skew);
	}
	return GF_OK;
}
