/*
 * sflow_datagram.c
 *    sFlow v5: the datagram header and the loop over its samples.
 *    Samples themselves are decoded in sflow_flow_sample.c,
 *    sflow_counter_sample.c, sflow_drop_sample.c, with the framing helpers
 *    of sflow_framing.c.
 *
 *    Datagram layout (XDR, big-endian, 4-byte aligned):
 *      version (5), agent address type (1 IPv4, 2 IPv6) + address,
 *      sub_agent_id, sequence_number, uptime (ms), number of samples,
 *      then per sample: tag = enterprise << 12 | format, length, data.
 */
#include "sflow_internal.h"

#include <string.h>

gf_rc
gf_sflow_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink,
				gf_error *err)
{
	gf_sf_ctx	c;
	gf_rd		r;
	gf_rd		s;
	uint32_t	version,
				nsamples,
				i,
				tag,
				len;
	size_t		off;
	gf_rc		rc;

	memset(&c, 0, sizeof(c));
	c.d = d;
	c.dg = dg;
	c.sink = sink;
	c.err = err;
	err->proto = GF_PK_SFLOW_V5;

	gf_rd_init(&r, dg->data, dg->len);
	if (!gf_rd_u32(&r, &version))
		return gf_fail(err, GF_ERR_TRUNCATED, 0,
					   "datagram of %zu bytes has no version", dg->len);
	if (version != 5)
		return gf_fail(err, GF_ERR_VERSION, 0,
					   "version %u is not supported (only 5)", version);
	rc = gf_sf_read_addr(&c, &r, &c.agent, "agent address");
	if (rc != GF_OK)
		return rc;
	off = gf_rd_abs(&r);
	if (!gf_rd_u32(&r, &c.sub_agent_id) || !gf_rd_u32(&r, &c.sequence) ||
		!gf_rd_u32(&r, &c.uptime_ms) || !gf_rd_u32(&r, &nsamples))
		return gf_fail(err, GF_ERR_TRUNCATED, off,
					   "datagram header cut off: datagram has %zu bytes",
					   dg->len);

	/* The row: agent and sub-agent; the sequence numbers datagrams. */
	gf_row_msg_begin(&d->msg, GF_TYPE_SFLOW_5, &c.agent, c.sub_agent_id);
	d->msg.seq.seq = c.sequence;
	d->msg.seq.units = 1;
	d->msg.seq.units_known = true;
	d->msg.seq.has_uptime = true;
	d->msg.seq.uptime_ms = c.uptime_ms;

	for (i = 0; i < nsamples; i++)
	{
		off = gf_rd_abs(&r);
		if (i >= GF_SFLOW_MAX_SAMPLES)
		{
			gf_sf_limit(&c);
			break;
		}
		if (!gf_rd_u32(&r, &tag) || !gf_rd_u32(&r, &len))
			return gf_fail(err, GF_ERR_COUNT, off,
						   "datagram says %u samples but ends after %u",
						   nsamples, i);
		if (!gf_rd_sub(&r, len, &s))
			return gf_fail(err, GF_ERR_LENGTH, off,
						   "sample %u length %u exceeds the %zu bytes left in the datagram",
						   i, len, gf_rd_left(&r));
		if ((tag >> 12) != 0)
		{
			d->counters.sflow_samples_unknown++;
			continue;
		}
		switch (tag & 0xfff)
		{
			case SF_SAMPLE_FLOW:
				rc = gf_sf_flow_sample(&c, &s, false);
				break;
			case SF_SAMPLE_FLOW_EXPANDED:
				rc = gf_sf_flow_sample(&c, &s, true);
				break;
			case SF_SAMPLE_COUNTER:
				rc = gf_sf_counter_sample(&c, &s, false);
				break;
			case SF_SAMPLE_COUNTER_EXPANDED:
				rc = gf_sf_counter_sample(&c, &s, true);
				break;
			case SF_SAMPLE_DROP:
				rc = gf_sf_drop_sample(&c, &s);
				break;
			default:
				d->counters.sflow_samples_unknown++;
				rc = GF_OK;
				break;
		}
		if (rc != GF_OK)
			return rc;
	}
	d->counters.packets_sflow++;
	return GF_OK;
}
