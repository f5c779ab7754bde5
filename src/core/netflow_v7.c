/*
 * netflow_v7.c
 *    NetFlow v7 (Catalyst switches): a 24-byte header (v5's, with the
 *    engine and sampling bytes reserved) and 52-byte records.
 *
 *    A record is v5's with its pad bytes given meaning (byte 36 flags1:
 *    which fields are invalid because of the switch's flow mask; bytes
 *    46-47 flags2) and 4 more bytes: router_sc, the router that made the
 *    shortcut.  The flags and router_sc have no column; the fields are
 *    stored as sent whatever the flags say, as tshark shows them.  Counts
 *    and times follow the rules of netflow_legacy.h.
 */
#include "netflow_legacy.h"

#include "reader.h"

#define NF7_HEADER_LEN	24
#define NF7_RECORD_LEN	52

/* Fill the flow from one record; true if a time had to be clamped (skew). */
static bool
nf7_record(const gf_nfl_header *h, uint32_t sequence, const uint8_t *p,
		   gf_flow *f)
{
	gf_addr_set_v4(&f->src_addr, p);
	gf_addr_set_v4(&f->dst_addr, p + 4);
	gf_addr_set_v4(&f->next_hop, p + 8);
	GF_SET(f, in_if, GF_F_IN_IF, (uint32_t) gf_be_uint(p + 12, 2));
	GF_SET(f, out_if, GF_F_OUT_IF, (uint32_t) gf_be_uint(p + 14, 2));
	GF_SET(f, packets, GF_F_PACKETS, gf_be_uint(p + 16, 4));
	GF_SET(f, bytes, GF_F_BYTES, gf_be_uint(p + 20, 4));
	GF_SET(f, src_port, GF_F_SRC_PORT, (uint32_t) gf_be_uint(p + 32, 2));
	GF_SET(f, dst_port, GF_F_DST_PORT, (uint32_t) gf_be_uint(p + 34, 2));
	/* p[36] is flags1 */
	GF_SET(f, tcp_flags, GF_F_TCP_FLAGS, p[37]);
	GF_SET(f, proto, GF_F_PROTO, p[38]);
	GF_SET(f, ip_tos, GF_F_IP_TOS, p[39]);
	GF_SET(f, src_as, GF_F_SRC_AS, (uint32_t) gf_be_uint(p + 40, 2));
	GF_SET(f, dst_as, GF_F_DST_AS, (uint32_t) gf_be_uint(p + 42, 2));
	GF_SET(f, src_net_len, GF_F_SRC_NET, p[44]);
	GF_SET(f, dst_net_len, GF_F_DST_NET, p[45]);
	/* p[46..47] flags2, p[48..51] router_sc */
	GF_SET(f, etype, GF_F_ETYPE, 0x0800);
	GF_SET(f, sequence_num, GF_F_SEQUENCE_NUM, sequence);
	return gf_nfl_times(h, (uint32_t) gf_be_uint(p + 24, 4),
						(uint32_t) gf_be_uint(p + 28, 4), f);
}

gf_rc
gf_nf7_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink,
			  gf_error *err)
{
	gf_nfl_header h;
	uint32_t	sequence;
	uint16_t	i;
	gf_flow		f;
	gf_rc		rc;

	err->proto = GF_PK_NETFLOW_V7;
	rc = gf_nfl_begin(d, dg, NF7_HEADER_LEN, NF7_RECORD_LEN, &h, err);
	if (rc != GF_OK)
		return rc;
	sequence = (uint32_t) gf_be_uint(dg->data + 16, 4);

	d->counters.packets_netflow_v7++;
	for (i = 0; i < h.count; i++)
	{
		bool		skew;

		gf_flow_init(&f, GF_TYPE_NETFLOW_V7, dg->time_received_ns, &dg->exporter);
		skew = nf7_record(&h, sequence,
						  dg->data + NF7_HEADER_LEN + (size_t) i * NF7_RECORD_LEN, &f);
		gf_nfl_emit(d, sink, &f, skew);
	}
	return GF_OK;
}
