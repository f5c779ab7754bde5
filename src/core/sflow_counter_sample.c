/*
 * sflow_counter_sample.c
 *    sFlow v5 counter samples (format 2, compact, and 4, expanded).  The
 *    generic interface record (1) and the Ethernet record (2) of one
 *    sample fill one gf_ifcounters, handed to the sink once after the
 *    sample's records; a sample with neither gives nothing.  The generic
 *    record's ifSpeed also goes to the sink's interface callback.  Other
 *    counter records (CPU, host, ...) are skipped and counted unknown.
 */
#include "sflow_internal.h"

#include <string.h>

static gf_rc
sf_generic_if(gf_sf_ctx *c, gf_rd *rec, gf_ifcounters *ic)
{
	bool		ok;

	ok = gf_rd_u32(rec, &ic->if_index) &&
		gf_rd_u32(rec, &ic->if_type) &&
		gf_rd_u64(rec, &ic->if_speed) &&
		gf_rd_u32(rec, &ic->if_direction) &&
		gf_rd_u32(rec, &ic->if_status) &&
		gf_rd_u64(rec, &ic->in_octets) &&
		gf_rd_u32(rec, &ic->in_ucast_pkts) &&
		gf_rd_u32(rec, &ic->in_multicast_pkts) &&
		gf_rd_u32(rec, &ic->in_broadcast_pkts) &&
		gf_rd_u32(rec, &ic->in_discards) &&
		gf_rd_u32(rec, &ic->in_errors) &&
		gf_rd_u32(rec, &ic->in_unknown_protos) &&
		gf_rd_u64(rec, &ic->out_octets) &&
		gf_rd_u32(rec, &ic->out_ucast_pkts) &&
		gf_rd_u32(rec, &ic->out_multicast_pkts) &&
		gf_rd_u32(rec, &ic->out_broadcast_pkts) &&
		gf_rd_u32(rec, &ic->out_discards) &&
		gf_rd_u32(rec, &ic->out_errors) &&
		gf_rd_u32(rec, &ic->promiscuous_mode);
	if (!ok)
		return gf_fail(c->err, GF_ERR_LENGTH, gf_rd_abs(rec),
					   "generic interface counters record of %zu bytes is shorter than 88",
					   rec->len);
	ic->has_generic = true;
	return GF_OK;
}

static gf_rc
sf_ethernet_if(gf_sf_ctx *c, gf_rd *rec, gf_ifcounters *ic)
{
	bool		ok;

	ok = gf_rd_u32(rec, &ic->dot3_alignment_errors) &&
		gf_rd_u32(rec, &ic->dot3_fcs_errors) &&
		gf_rd_u32(rec, &ic->dot3_single_collision_frames) &&
		gf_rd_u32(rec, &ic->dot3_multiple_collision_frames) &&
		gf_rd_u32(rec, &ic->dot3_sqe_test_errors) &&
		gf_rd_u32(rec, &ic->dot3_deferred_transmissions) &&
		gf_rd_u32(rec, &ic->dot3_late_collisions) &&
		gf_rd_u32(rec, &ic->dot3_excessive_collisions) &&
		gf_rd_u32(rec, &ic->dot3_internal_mac_transmit_errors) &&
		gf_rd_u32(rec, &ic->dot3_carrier_sense_errors) &&
		gf_rd_u32(rec, &ic->dot3_frame_too_longs) &&
		gf_rd_u32(rec, &ic->dot3_internal_mac_receive_errors) &&
		gf_rd_u32(rec, &ic->dot3_symbol_errors);
	if (!ok)
		return gf_fail(c->err, GF_ERR_LENGTH, gf_rd_abs(rec),
					   "Ethernet interface counters record of %zu bytes is shorter than 52",
					   rec->len);
	ic->has_ethernet = true;
	return GF_OK;
}

/*
 * The generic record's ifSpeed, as an interface fact for the sink's
 * interface callback.  0 is what agents send when they do not know (a
 * virtual or down interface), so it teaches nothing.
 */
static void
sf_interface_speed(gf_sf_ctx *c, const gf_ifcounters *ic)
{
	gf_if_info	info;

	if (ic->if_speed == 0)
		return;
	c->d->counters.interface_records++;
	if (c->sink == NULL || c->sink->interface == NULL)
		return;
	memset(&info, 0, sizeof(info));
	info.time_received_ns = ic->time_received_ns;
	info.type = GF_TYPE_SFLOW_5;
	info.exporter = ic->sampler_address;
	info.domain = ic->sub_agent_id;
	info.if_index = ic->if_index;
	info.has_speed = true;
	info.speed = ic->if_speed;
	c->sink->interface(c->sink->arg, &info);
}

static gf_rc
sf_counter_record(gf_sf_ctx *c, uint32_t tag, gf_rd *rec, void *arg)
{
	gf_ifcounters *ic = arg;

	if (tag == SF_CREC_GENERIC_IF)
		return sf_generic_if(c, rec, ic);
	if (tag == SF_CREC_ETHERNET)
		return sf_ethernet_if(c, rec, ic);
	c->d->counters.sflow_records_unknown++;
	return GF_OK;
}

gf_rc
gf_sf_counter_sample(gf_sf_ctx *c, gf_rd *r, bool expanded)
{
	gf_ifcounters ic;
	uint32_t	w;
	size_t		off = gf_rd_abs(r);
	bool		ok;
	gf_rc		rc;

	memset(&ic, 0, sizeof(ic));
	ic.time_received_ns = c->dg->time_received_ns;
	ic.sampler_address = c->agent;
	ic.sub_agent_id = c->sub_agent_id;

	ok = gf_rd_u32(r, &ic.sequence_num);
	if (expanded)
		ok = ok && gf_rd_u32(r, &ic.source_id_type) &&
			gf_rd_u32(r, &ic.source_id_index);
	else if ((ok = ok && gf_rd_u32(r, &w)))
	{
		ic.source_id_type = w >> 24;
		ic.source_id_index = w & 0xffffff;
	}
	if (!ok)
		return gf_fail(c->err, GF_ERR_TRUNCATED, off,
					   "%scounter sample of %zu bytes is too short",
					   expanded ? "expanded " : "", r->len);

	rc = gf_sf_records(c, r, "counter sample", sf_counter_record, &ic);
	if (rc != GF_OK)
		return rc;
	c->d->counters.sflow_counter_samples++;
	if ((ic.has_generic || ic.has_ethernet) && c->sink && c->sink->ifcounters)
		c->sink->ifcounters(c->sink->arg, &ic);
	if (ic.has_generic)
		sf_interface_speed(c, &ic);
	return GF_OK;
}
