/*
 * sflow_drop_sample.c
 *    sFlow v5 discarded packet samples (enterprise 0, format 5, from the
 *    sFlow dropped packet notification extension): sequence number,
 *    expanded source id, drops, input and output ifIndex, drop reason,
 *    then flow records.  The records are read exactly as in a flow
 *    sample, so a raw header gives a parsed gf_flow; the drop-specific
 *    records (egress queue, ACL, function, ...) are skipped and counted
 *    unknown.  Nothing is emitted as a flow: the sink gets a
 *    gf_drop_sample through its drop callback.
 */
#include "sflow_internal.h"

#include <string.h>

gf_rc
gf_sf_drop_sample(gf_sf_ctx *c, gf_rd *r)
{
	gf_drop_sample ds;
	gf_sf_flowacc acc;
	size_t		off = gf_rd_abs(r);
	gf_rc		rc;

	memset(&ds, 0, offsetof(gf_drop_sample, flow));
	if (!gf_rd_u32(r, &ds.sequence_num) ||
		!gf_rd_u32(r, &ds.source_id_type) ||
		!gf_rd_u32(r, &ds.source_id_index) ||
		!gf_rd_u32(r, &ds.drops) ||
		!gf_rd_u32(r, &ds.in_if) ||
		!gf_rd_u32(r, &ds.out_if) ||
		!gf_rd_u32(r, &ds.reason))
		return gf_fail(c->err, GF_ERR_TRUNCATED, off,
					   "discarded packet sample of %zu bytes is too short",
					   r->len);
	ds.time_received_ns = c->dg->time_received_ns;
	ds.agent = c->agent;
	ds.sub_agent_id = c->sub_agent_id;
	ds.datagram_sequence = c->sequence;

	gf_flow_init(&ds.flow, GF_TYPE_SFLOW_5, c->dg->time_received_ns, &c->agent);
	GF_SET(&ds.flow, sequence_num, GF_F_SEQUENCE_NUM, c->sequence);
	GF_SET(&ds.flow, in_if, GF_F_IN_IF, ds.in_if);
	GF_SET(&ds.flow, out_if, GF_F_OUT_IF, ds.out_if);
	GF_SET(&ds.flow, packets, GF_F_PACKETS, 1);

	gf_sf_flowacc_init(&acc, &ds.flow);
	rc = gf_sf_records(c, r, "discarded packet sample",
					   gf_sf_flow_record, &acc);
	if (rc != GF_OK)
		return rc;
	gf_sf_flowacc_finish(&acc);
	ds.header_protocol = acc.header_protocol;
	ds.frame_length = acc.frame_length;
	ds.header = acc.header;
	ds.header_len = acc.header_len;

	c->d->counters.sflow_drop_samples++;
	if (c->sink && c->sink->drop)
		c->sink->drop(c->sink->arg, &ds);
	return GF_OK;
}
