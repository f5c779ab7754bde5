/*
 * sflow_drop_sample.c
 *    sFlow v5 discarded packet samples (enterprise 0, format 5, from the
 *    sFlow dropped packet notification extension): sequence number,
 *    expanded source id, drops, input and output ifIndex, drop reason,
 *    then flow records.  The records are read exactly as in a flow
 *    sample, so a raw header gives a parsed gf_flow; the drop-specific
 *    records (egress queue 1036, ACL 1037, function 1038, transit delay
 *    1039, queue depth 1040, hardware trap 1041, Linux drop reason 1042)
 *    fill the sample's own fields.  Nothing is emitted as a flow: the sink
 *    gets a gf_drop_sample through its drop callback.
 */
#include "sflow_internal.h"

#include <string.h>

#include "iface_text.h"

/* What the record callback needs: the flow part, and the sample itself. */
typedef struct sf_drop_acc
{
	gf_sf_flowacc acc;
	gf_drop_sample *ds;
} sf_drop_acc;

/*
 * An XDR string<> into dst, cleaned (iface_text.h).  The record is
 * bounded: a length past its end is a malformed record.
 */
static bool
sf_drop_text(gf_rd *rec, char *dst, size_t cap)
{
	uint32_t	len;
	const uint8_t *p;

	if (!gf_rd_u32(rec, &len) || !gf_rd_bytes(rec, len, &p))
		return false;
	(void) gf_if_text_copy(dst, cap, p, len);
	/* XDR pads to 4 bytes; a record cut right after the text is accepted. */
	(void) gf_rd_skip(rec, (4 - (len & 3)) & 3);
	return true;
}

/* The drop-specific records here, anything else as in a flow sample. */
static gf_rc
sf_drop_record(gf_sf_ctx *c, uint32_t tag, gf_rd *rec, void *arg)
{
	sf_drop_acc *a = arg;
	gf_drop_sample *ds = a->ds;
	bool		ok = true;

	if ((tag >> 12) != 0 || (tag & 0xfff) < 1036 || (tag & 0xfff) > 1042)
		return gf_sf_flow_record(c, tag, rec, &a->acc);
	switch (tag & 0xfff)
	{
		case 1036:
			ok = gf_rd_u32(rec, &ds->egress_queue);
			ds->ext |= ok ? GF_DROP_EXT_EGRESS_QUEUE : 0;
			break;
		case 1037:
			ok = gf_rd_u32(rec, &ds->acl_number) &&
				sf_drop_text(rec, ds->acl_name, sizeof(ds->acl_name)) &&
				gf_rd_u32(rec, &ds->acl_direction);
			ds->ext |= ok ? GF_DROP_EXT_ACL : 0;
			break;
		case 1038:
			ok = sf_drop_text(rec, ds->function, sizeof(ds->function));
			ds->ext |= ok ? GF_DROP_EXT_FUNCTION : 0;
			break;
		case 1039:
			ok = gf_rd_u32(rec, &ds->transit_delay_ns);
			ds->ext |= ok ? GF_DROP_EXT_TRANSIT : 0;
			break;
		case 1040:
			ok = gf_rd_u32(rec, &ds->queue_depth);
			ds->ext |= ok ? GF_DROP_EXT_QUEUE_DEPTH : 0;
			break;
		case 1041:
			ok = sf_drop_text(rec, ds->hw_trap_group, sizeof(ds->hw_trap_group)) &&
				sf_drop_text(rec, ds->hw_trap, sizeof(ds->hw_trap));
			ds->ext |= ok ? GF_DROP_EXT_HW_TRAP : 0;
			break;
		case 1042:
			ok = sf_drop_text(rec, ds->linux_reason, sizeof(ds->linux_reason));
			ds->ext |= ok ? GF_DROP_EXT_LINUX_REASON : 0;
			break;
	}
	if (!ok)
		return gf_fail(c->err, GF_ERR_TRUNCATED, gf_rd_abs(rec),
					   "drop record %u is too short for its fields", tag & 0xfff);
	return GF_OK;
}

gf_rc
gf_sf_drop_sample(gf_sf_ctx *c, gf_rd *r)
{
	gf_drop_sample ds;
	sf_drop_acc a;
	size_t		off = gf_rd_abs(r);
	gf_rc		rc;

	memset(&ds, 0, offsetof(gf_drop_sample, flow));
	a.ds = &ds;
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

	gf_sf_flowacc_init(&a.acc, &ds.flow);
	rc = gf_sf_records(c, r, "discarded packet sample", sf_drop_record, &a);
	if (rc != GF_OK)
		return rc;
	gf_sf_flowacc_finish(&a.acc);
	ds.header_protocol = a.acc.header_protocol;
	ds.frame_length = a.acc.frame_length;
	ds.header = a.acc.header;
	ds.header_len = a.acc.header_len;

	c->d->counters.sflow_drop_samples++;
	if (c->sink && c->sink->drop)
		c->sink->drop(c->sink->arg, &ds);
	return GF_OK;
}
