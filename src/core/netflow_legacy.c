/*
 * netflow_legacy.c
 *    The header, count and time rules the fixed-record NetFlow versions
 *    (v1, v5, v7, v8) share; see netflow_legacy.h.
 */
#include "netflow_legacy.h"

#include "flow_time.h"
#include "reader.h"

#define NFL_COMMON_LEN	16
#define NS_PER_SEC		UINT64_C(1000000000)

gf_rc
gf_nfl_begin(gf_decoder *d, const gf_datagram *dg, size_t header_len,
			 size_t record_len, gf_nfl_header *h, gf_error *err)
{
	const uint8_t *p = dg->data;
	size_t		need;

	if (dg->len < header_len || dg->len < NFL_COMMON_LEN)
		return gf_fail(err, GF_ERR_TRUNCATED, dg->len,
					   "header needs %zu bytes, datagram has %zu",
					   header_len, dg->len);
	h->version = (uint16_t) gf_be_uint(p, 2);
	/*
	 * v1/v7/v8 rows in exporters() (v5 names its own, with its domain
	 * and sequence): no sequence gap is estimated for these versions.
	 */
	if (!d->msg.valid)
		gf_row_msg_begin(&d->msg, h->version == 1 ? GF_TYPE_NETFLOW_V1 :
						 h->version == 7 ? GF_TYPE_NETFLOW_V7 : GF_TYPE_NETFLOW_V8,
						 &dg->exporter, 0);
	h->count = (uint16_t) gf_be_uint(p + 2, 2);
	h->uptime_ms = (uint32_t) gf_be_uint(p + 4, 4);
	h->export_ns = gf_be_uint(p + 8, 4) * NS_PER_SEC + gf_be_uint(p + 12, 4);

	/* count <= 65535 and record_len is small: no overflow in size_t. */
	need = header_len + (size_t) h->count * record_len;
	if (need > dg->len)
		return gf_fail(err, GF_ERR_COUNT, 2,
					   "count %u needs %zu bytes, datagram has %zu",
					   h->count, need, dg->len);
	if (need < dg->len)
	{
		d->counters.nf_padded_datagrams++;
		d->counters.nf_padding_bytes += dg->len - need;
	}
	return GF_OK;
}

bool
gf_nfl_times(const gf_nfl_header *h, uint32_t first_ms, uint32_t last_ms,
			 gf_flow *f)
{
	uint64_t	start_ns = gf_time_from_uptime(h->export_ns, h->uptime_ms, first_ms);
	uint64_t	end_ns = gf_time_from_uptime(h->export_ns, h->uptime_ms, last_ms);
	bool		skew_start = gf_time_clamp_skew(h->export_ns, &start_ns);
	bool		skew_end = gf_time_clamp_skew(h->export_ns, &end_ns);

	GF_SET(f, time_flow_start_ns, GF_F_TIME_FLOW_START, start_ns);
	GF_SET(f, time_flow_end_ns, GF_F_TIME_FLOW_END, end_ns);
	return skew_start || skew_end;
}

void
gf_nfl_emit(gf_decoder *d, const gf_sink *sink, gf_flow *f, bool skew)
{
	if (skew)
		d->counters.flows_clock_skew++;
	d->counters.flows++;
	gf_row_msg_flow(&d->msg, f);
	if (sink && sink->flow)
		sink->flow(sink->arg, f);
}
