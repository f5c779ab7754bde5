/*
 * netflow_v5.c
 *    NetFlow v5: a 24-byte header and a fixed number of 48-byte records.
 *
 *    The header count must account for the datagram exactly: a count that
 *    promises more records than the bytes hold (or fewer than are there)
 *    is reported, never padded out with zero records.
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
#include "decoder_internal.h"

#include "flow_time.h"
#include "reader.h"

#define NF5_HEADER_LEN	24
#define NF5_RECORD_LEN	48
#define NS_PER_SEC		UINT64_C(1000000000)

typedef struct nf5_header
{
	uint16_t	count;
	uint32_t	uptime_ms;
	uint64_t	export_ns;
	uint32_t	sequence;
	uint16_t	sampling;
} nf5_header;

/* Fill the flow from one record; true if a time had to be clamped (skew). */
static bool
nf5_record(const nf5_header *h, const uint8_t *p, gf_flow *f)
{
	uint64_t	start_ns = gf_time_from_uptime(h->export_ns, h->uptime_ms,
											   (uint32_t) gf_be_uint(p + 24, 4));
	uint64_t	end_ns = gf_time_from_uptime(h->export_ns, h->uptime_ms,
											 (uint32_t) gf_be_uint(p + 28, 4));
	bool		skew_start = gf_time_clamp_skew(h->export_ns, &start_ns);
	bool		skew_end = gf_time_clamp_skew(h->export_ns, &end_ns);

	gf_addr_set_v4(&f->src_addr, p);
	gf_addr_set_v4(&f->dst_addr, p + 4);
	gf_addr_set_v4(&f->next_hop, p + 8);
	GF_SET(f, in_if, GF_F_IN_IF, (uint32_t) gf_be_uint(p + 12, 2));
	GF_SET(f, out_if, GF_F_OUT_IF, (uint32_t) gf_be_uint(p + 14, 2));
	GF_SET(f, packets, GF_F_PACKETS, gf_be_uint(p + 16, 4));
	GF_SET(f, bytes, GF_F_BYTES, gf_be_uint(p + 20, 4));
	GF_SET(f, time_flow_start_ns, GF_F_TIME_FLOW_START, start_ns);
	GF_SET(f, time_flow_end_ns, GF_F_TIME_FLOW_END, end_ns);
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
	GF_SET(f, sequence_num, GF_F_SEQUENCE_NUM, h->sequence);
	if ((h->sampling & 0x3fff) != 0)
	{
		GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, h->sampling & 0x3fff);
		f->sampling_rate_source = GF_RATE_PACKET_HEADER;
	}
	return skew_start || skew_end;
}

gf_rc
gf_nf5_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink,
			  gf_error *err)
{
	const uint8_t *p = dg->data;
	nf5_header	h;
	size_t		need;
	uint16_t	i;
	gf_flow		f;

	err->proto = GF_PK_NETFLOW_V5;
	if (dg->len < NF5_HEADER_LEN)
		return gf_fail(err, GF_ERR_TRUNCATED, dg->len,
					   "header needs %d bytes, datagram has %zu",
					   NF5_HEADER_LEN, dg->len);
	h.count = (uint16_t) gf_be_uint(p + 2, 2);
	h.uptime_ms = (uint32_t) gf_be_uint(p + 4, 4);
	h.export_ns = gf_be_uint(p + 8, 4) * NS_PER_SEC + gf_be_uint(p + 12, 4);
	h.sequence = (uint32_t) gf_be_uint(p + 16, 4);
	/* p[20] engine_type, p[21] engine_id: not carried by gf_flow */
	h.sampling = (uint16_t) gf_be_uint(p + 22, 2);

	/* The row: engine type and id are v5's observation domain. */
	gf_row_msg_begin(&d->msg, GF_TYPE_NETFLOW_V5, &dg->exporter,
					 (uint32_t) p[20] << 8 | p[21]);
	d->msg.seq.seq = h.sequence;	/* flows before this datagram */
	d->msg.seq.units = h.count;
	d->msg.seq.units_known = true;
	d->msg.seq.has_uptime = true;
	d->msg.seq.uptime_ms = h.uptime_ms;
	d->msg.seq.has_export = true;
	d->msg.seq.export_secs = (uint32_t) gf_be_uint(p + 8, 4);

	need = NF5_HEADER_LEN + (size_t) h.count * NF5_RECORD_LEN;
	if (need != dg->len)
		return gf_fail(err, GF_ERR_COUNT, 2,
					   "count %u needs %zu bytes, datagram has %zu",
					   h.count, need, dg->len);

	d->counters.packets_netflow_v5++;
	/* GoFlow2 counts a v5 datagram's records as its DataFlowSets. */
	d->counters.nf_v5_records += h.count;
	for (i = 0; i < h.count; i++)
	{
		gf_flow_init(&f, GF_TYPE_NETFLOW_V5, dg->time_received_ns, &dg->exporter);
		if (nf5_record(&h, p + NF5_HEADER_LEN + (size_t) i * NF5_RECORD_LEN, &f))
			d->counters.flows_clock_skew++;
		d->counters.flows++;
		gf_row_msg_flow(&d->msg, &f);
		if (sink && sink->flow)
			sink->flow(sink->arg, &f);
	}
	return GF_OK;
}
