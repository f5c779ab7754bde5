/*
 * netflow_v5.c
 *    NetFlow v5: a 24-byte header and a fixed number of 48-byte records.
 *
 *    A count that promises more records than the bytes hold drops the
 *    datagram, never padded out with zero records; a datagram longer than
 *    its count needs (some exporters pad) is decoded up to the counted
 *    records and the extra bytes counted (netflow_legacy.h).
 *
 *    Flow times are sysUptime milliseconds; they become wall-clock time by
 *    going back from the export time (unix_secs, unix_nsecs) by
 *    (sysUptime - First) read as a signed 32-bit difference, and a time
 *    after the export time is clamped and counted as clock skew (both in
 *    flow_time.h).
 *
 *    The sampling rate is the low 14 bits of sampling_interval; 0 means
 *    the exporter did not say, so the field is left absent (and its
 *    source GF_RATE_NONE).
 */
#include "netflow_legacy.h"

#include "reader.h"

#define NF5_HEADER_LEN	24
#define NF5_RECORD_LEN	48

/* Fill the flow from one record; true if a time had to be clamped (skew). */
static bool
nf5_record(const gf_nfl_header *h, uint32_t sequence, uint16_t sampling,
		   const uint8_t *p, gf_flow *f)
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
	/* p[36] is pad1 */
	GF_SET(f, tcp_flags, GF_F_TCP_FLAGS, p[37]);
	GF_SET(f, proto, GF_F_PROTO, p[38]);
	GF_SET(f, ip_tos, GF_F_IP_TOS, p[39]);
	GF_SET(f, src_as, GF_F_SRC_AS, (uint32_t) gf_be_uint(p + 40, 2));
	GF_SET(f, dst_as, GF_F_DST_AS, (uint32_t) gf_be_uint(p + 42, 2));
	GF_SET(f, src_net_len, GF_F_SRC_NET, p[44]);
	GF_SET(f, dst_net_len, GF_F_DST_NET, p[45]);
	/* p[46..47] is pad2 */
	GF_SET(f, etype, GF_F_ETYPE, 0x0800);
	GF_SET(f, sequence_num, GF_F_SEQUENCE_NUM, sequence);
	if ((sampling & 0x3fff) != 0)
	{
		GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, sampling & 0x3fff);
		f->sampling_rate_source = GF_RATE_PACKET_HEADER;
	}
	return gf_nfl_times(h, (uint32_t) gf_be_uint(p + 24, 4),
						(uint32_t) gf_be_uint(p + 28, 4), f);
}

gf_rc
gf_nf5_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink,
			  gf_error *err)
{
	const uint8_t *p = dg->data;
	gf_nfl_header h;
	uint32_t	sequence;
	uint16_t	sampling;
	uint16_t	i;
	gf_flow		f;
	gf_rc		rc;

	err->proto = GF_PK_NETFLOW_V5;
	if (dg->len >= NF5_HEADER_LEN)
	{
		/*
		 * The exporter's row, named before the count is checked so that a
		 * bad datagram counts as its decode error: engine type and id are
		 * v5's observation domain, the sequence counts flows.
		 */
		gf_row_msg_begin(&d->msg, GF_TYPE_NETFLOW_V5, &dg->exporter,
						 (uint32_t) p[20] << 8 | p[21]);
		d->msg.seq.seq = (uint32_t) gf_be_uint(p + 16, 4);
		d->msg.seq.units = (uint16_t) gf_be_uint(p + 2, 2);
		d->msg.seq.units_known = true;
		d->msg.seq.has_uptime = true;
		d->msg.seq.uptime_ms = (uint32_t) gf_be_uint(p + 4, 4);
		d->msg.seq.has_export = true;
		d->msg.seq.export_secs = (uint32_t) gf_be_uint(p + 8, 4);
	}
	rc = gf_nfl_begin(d, dg, NF5_HEADER_LEN, NF5_RECORD_LEN, &h, err);
	if (rc != GF_OK)
		return rc;
	sequence = (uint32_t) gf_be_uint(p + 16, 4);
	/* p[20] engine_type, p[21] engine_id: the row's domain (above) */
	sampling = (uint16_t) gf_be_uint(p + 22, 2);

	d->counters.packets_netflow_v5++;
	/* GoFlow2 counts a v5 datagram's records as its DataFlowSets. */
	d->counters.nf_v5_records += h.count;
	for (i = 0; i < h.count; i++)
	{
		bool		skew;

		gf_flow_init(&f, GF_TYPE_NETFLOW_V5, dg->time_received_ns, &dg->exporter);
		skew = nf5_record(&h, sequence, sampling,
						  p + NF5_HEADER_LEN + (size_t) i * NF5_RECORD_LEN, &f);
		gf_nfl_emit(d, sink, &f, skew);
	}
	return GF_OK;
}
