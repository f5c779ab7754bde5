/*
 * sflow_flow_sample.c
 *    sFlow v5 flow samples (format 1, compact, and 3, expanded) and the
 *    flow records inside them.  One sample gives one gf_flow.
 *
 *    Which record wins: the raw packet header (record 1) is the most
 *    precise source, so once it is seen the sampled Ethernet/IPv4/IPv6
 *    records (2, 3, 4) no longer fill fields; if they come first, the
 *    header overwrites what it parses.  Only the first raw header record
 *    of a sample is used.  bytes is the header record's frame_length, else
 *    the length from record 2, 3 or 4.
 *
 *    Extended gateway (1003): bgp_next_hop, src_as; dst_as is the last AS
 *    of the flattened path (the router's own AS when the path is empty);
 *    next_hop_as is the first AS of the path.  Extended MPLS (1006): its
 *    IN label stack fills mpls_label only when the header had no labels;
 *    each entry's 20-bit label is kept (entry >> 12).
 */
#include "sflow_internal.h"

#include <string.h>

#include "packet.h"

void
gf_sf_flowacc_init(gf_sf_flowacc *acc, gf_flow *f)
{
	memset(acc, 0, sizeof(*acc));
	acc->f = f;
}

void
gf_sf_flowacc_finish(gf_sf_flowacc *acc)
{
	if (acc->f->n_mpls == 0 && acc->n_mpls_ext > 0)
	{
		memcpy(acc->f->mpls_label, acc->mpls_ext,
			   acc->n_mpls_ext * sizeof(acc->mpls_ext[0]));
		acc->f->n_mpls = acc->n_mpls_ext;
	}
}

static gf_rc
sf_truncated(gf_sf_ctx *c, gf_rd *rec, const char *what)
{
	return gf_fail(c->err, GF_ERR_LENGTH, gf_rd_abs(rec),
				   "%s record of %zu bytes is too short", what, rec->len);
}

static gf_rc
sf_raw_header(gf_sf_ctx *c, gf_rd *rec, gf_sf_flowacc *acc)
{
	uint32_t	proto,
				frame_length,
				stripped,
				hlen;
	const uint8_t *h;
	size_t		plen;
	gf_rc		rc;

	if (!gf_rd_u32(rec, &proto) || !gf_rd_u32(rec, &frame_length) ||
		!gf_rd_u32(rec, &stripped) || !gf_rd_u32(rec, &hlen))
		return sf_truncated(c, rec, "raw packet header");
	if (!gf_rd_bytes(rec, hlen, &h))
		return gf_fail(c->err, GF_ERR_LENGTH, gf_rd_abs(rec) - 4,
					   "raw packet header says %u header bytes, record has %zu left",
					   hlen, gf_rd_left(rec));

	/*
	 * A sample describes one packet.  Should an agent send a second raw
	 * header record, it is skipped: parsing it over the first would mix
	 * fields of two packets wherever the second stops parsing sooner.
	 */
	if (acc->have_header)
		return GF_OK;
	acc->have_header = true;
	acc->header_protocol = proto;
	acc->frame_length = frame_length;
	acc->header = h;
	acc->header_len = hlen;
	GF_SET(acc->f, bytes, GF_F_BYTES, frame_length);
	acc->have_length = true;

	plen = hlen;
	if (plen > GF_SFLOW_MAX_HEADER)
	{
		plen = GF_SFLOW_MAX_HEADER;
		gf_sf_limit(c);
	}
	rc = gf_packet_parse(h, plen, proto, acc->f, NULL);
	if (rc != GF_OK)
	{
		c->d->counters.sflow_header_unparsed++;
		if (rc == GF_ERR_LIMIT)
			gf_sf_limit(c);
	}
	return GF_OK;
}

static gf_rc
sf_sampled_ethernet(gf_sf_ctx *c, gf_rd *rec, gf_sf_flowacc *acc)
{
	uint32_t	length,
				type;
	const uint8_t *smac,
			   *dmac;

	/* XDR pads each 6-byte MAC to 8. */
	if (!gf_rd_u32(rec, &length) || !gf_rd_bytes(rec, 8, &smac) ||
		!gf_rd_bytes(rec, 8, &dmac) || !gf_rd_u32(rec, &type))
		return sf_truncated(c, rec, "sampled Ethernet");
	if (acc->have_header)
		return GF_OK;
	memcpy(acc->f->src_mac, smac, 6);
	GF_MARK(acc->f, GF_F_SRC_MAC);
	memcpy(acc->f->dst_mac, dmac, 6);
	GF_MARK(acc->f, GF_F_DST_MAC);
	GF_SET(acc->f, etype, GF_F_ETYPE, type);
	if (!acc->have_length)
	{
		GF_SET(acc->f, bytes, GF_F_BYTES, length);
		acc->have_length = true;
	}
	return GF_OK;
}

/* Records 3 and 4 differ only in the address size. */
static gf_rc
sf_sampled_ip(gf_sf_ctx *c, gf_rd *rec, gf_sf_flowacc *acc, bool v6)
{
	uint32_t	length,
				proto,
				sport,
				dport,
				flags,
				tos;
	const uint8_t *src,
			   *dst;
	size_t		alen = v6 ? 16 : 4;

	if (!gf_rd_u32(rec, &length) || !gf_rd_u32(rec, &proto) ||
		!gf_rd_bytes(rec, alen, &src) || !gf_rd_bytes(rec, alen, &dst) ||
		!gf_rd_u32(rec, &sport) || !gf_rd_u32(rec, &dport) ||
		!gf_rd_u32(rec, &flags) || !gf_rd_u32(rec, &tos))
		return sf_truncated(c, rec, v6 ? "sampled IPv6" : "sampled IPv4");
	if (acc->have_header)
		return GF_OK;
	if (v6)
	{
		gf_addr_set_v6(&acc->f->src_addr, src);
		gf_addr_set_v6(&acc->f->dst_addr, dst);
	}
	else
	{
		gf_addr_set_v4(&acc->f->src_addr, src);
		gf_addr_set_v4(&acc->f->dst_addr, dst);
	}
	GF_SET(acc->f, etype, GF_F_ETYPE, v6 ? 0x86dd : 0x0800);
	GF_SET(acc->f, proto, GF_F_PROTO, proto);
	GF_SET(acc->f, src_port, GF_F_SRC_PORT, sport);
	GF_SET(acc->f, dst_port, GF_F_DST_PORT, dport);
	GF_SET(acc->f, tcp_flags, GF_F_TCP_FLAGS, flags);
	GF_SET(acc->f, ip_tos, GF_F_IP_TOS, tos);
	if (!acc->have_length)
	{
		GF_SET(acc->f, bytes, GF_F_BYTES, length);
		acc->have_length = true;
	}
	return GF_OK;
}

static gf_rc
sf_ext_switch(gf_sf_ctx *c, gf_rd *rec, gf_sf_flowacc *acc)
{
	uint32_t	src_vlan,
				src_prio,
				dst_vlan,
				dst_prio;

	if (!gf_rd_u32(rec, &src_vlan) || !gf_rd_u32(rec, &src_prio) ||
		!gf_rd_u32(rec, &dst_vlan) || !gf_rd_u32(rec, &dst_prio))
		return sf_truncated(c, rec, "extended switch");
	GF_SET(acc->f, src_vlan, GF_F_SRC_VLAN, src_vlan);
	GF_SET(acc->f, dst_vlan, GF_F_DST_VLAN, dst_vlan);
	return GF_OK;
}

static gf_rc
sf_ext_router(gf_sf_ctx *c, gf_rd *rec, gf_sf_flowacc *acc)
{
	uint32_t	src_mask,
				dst_mask;
	gf_rc		rc;

	rc = gf_sf_read_addr(c, rec, &acc->f->next_hop, "extended router next hop");
	if (rc != GF_OK)
		return rc;
	if (!gf_rd_u32(rec, &src_mask) || !gf_rd_u32(rec, &dst_mask))
		return sf_truncated(c, rec, "extended router");
	/* A prefix length over 128 is meaningless: leave it out. */
	if (src_mask <= 128)
	{
		acc->f->src_net_len = (uint8_t) src_mask;
		GF_MARK(acc->f, GF_F_SRC_NET);
	}
	if (dst_mask <= 128)
	{
		acc->f->dst_net_len = (uint8_t) dst_mask;
		GF_MARK(acc->f, GF_F_DST_NET);
	}
	return GF_OK;
}

static gf_rc
sf_ext_gateway(gf_sf_ctx *c, gf_rd *rec, gf_sf_flowacc *acc)
{
	gf_flow    *f = acc->f;
	uint32_t	router_as,
				src_as,
				src_peer_as,
				nseg,
				seg,
				type,
				count,
				j,
				asn,
				ncomm,
				comm,
				localpref;
	uint32_t	first_as = 0,
				last_as = 0;
	uint64_t	total = 0;
	gf_rc		rc;

	rc = gf_sf_read_addr(c, rec, &f->bgp_next_hop, "extended gateway next hop");
	if (rc != GF_OK)
		return rc;
	if (!gf_rd_u32(rec, &router_as) || !gf_rd_u32(rec, &src_as) ||
		!gf_rd_u32(rec, &src_peer_as) || !gf_rd_u32(rec, &nseg))
		return sf_truncated(c, rec, "extended gateway");

	f->n_as_path = 0;
	for (seg = 0; seg < nseg; seg++)
	{
		if (!gf_rd_u32(rec, &type) || !gf_rd_u32(rec, &count))
			return sf_truncated(c, rec, "extended gateway AS path");
		if (count > gf_rd_left(rec) / 4)
			return gf_fail(c->err, GF_ERR_COUNT, gf_rd_abs(rec) - 4,
						   "extended gateway AS path segment says %u ASNs, record has room for %zu",
						   count, gf_rd_left(rec) / 4);
		for (j = 0; j < count; j++)
		{
			if (!gf_rd_u32(rec, &asn))
				return sf_truncated(c, rec, "extended gateway AS path");
			if (total == 0)
				first_as = asn;
			last_as = asn;
			total++;
			if (f->n_as_path < GF_MAX_AS_PATH)
				f->as_path[f->n_as_path++] = asn;
			else
				gf_sf_limit(c);
		}
	}

	if (!gf_rd_u32(rec, &ncomm))
		return sf_truncated(c, rec, "extended gateway communities");
	if (ncomm > gf_rd_left(rec) / 4)
		return gf_fail(c->err, GF_ERR_COUNT, gf_rd_abs(rec) - 4,
					   "extended gateway says %u communities, record has room for %zu",
					   ncomm, gf_rd_left(rec) / 4);
	f->n_communities = 0;
	for (j = 0; j < ncomm; j++)
	{
		if (!gf_rd_u32(rec, &comm))
			return sf_truncated(c, rec, "extended gateway communities");
		if (f->n_communities < GF_MAX_COMMUNITIES)
			f->bgp_communities[f->n_communities++] = comm;
		else
			gf_sf_limit(c);
	}
	/* local_pref ends the record; some agents leave it out. */
	(void) gf_rd_u32(rec, &localpref);

	GF_SET(f, src_as, GF_F_SRC_AS, src_as);
	if (total > 0)
	{
		GF_SET(f, dst_as, GF_F_DST_AS, last_as);
		GF_SET(f, next_hop_as, GF_F_NEXT_HOP_AS, first_as);
	}
	else
		GF_SET(f, dst_as, GF_F_DST_AS, router_as);
	return GF_OK;
}

static gf_rc
sf_ext_mpls(gf_sf_ctx *c, gf_rd *rec, gf_sf_flowacc *acc)
{
	gf_addr		nh;
	uint32_t	n,
				j,
				label;
	gf_rc		rc;

	rc = gf_sf_read_addr(c, rec, &nh, "extended MPLS next hop");
	if (rc != GF_OK)
		return rc;
	if (acc->f->next_hop.family == 0)
		acc->f->next_hop = nh;
	if (!gf_rd_u32(rec, &n))
		return sf_truncated(c, rec, "extended MPLS");
	if (n > gf_rd_left(rec) / 4)
		return gf_fail(c->err, GF_ERR_COUNT, gf_rd_abs(rec) - 4,
					   "extended MPLS in-stack says %u labels, record has room for %zu",
					   n, gf_rd_left(rec) / 4);
	acc->n_mpls_ext = 0;
	for (j = 0; j < n; j++)
	{
		if (!gf_rd_u32(rec, &label))
			return sf_truncated(c, rec, "extended MPLS");
		/*
		 * Each entry is a whole label stack entry (label, traffic class,
		 * bottom-of-stack bit, TTL); the column holds the 20-bit label, as
		 * the NetFlow side and the header parser store it.
		 */
		if (acc->n_mpls_ext < GF_MAX_MPLS)
			acc->mpls_ext[acc->n_mpls_ext++] = label >> 12;
		else
			gf_sf_limit(c);
	}
	/* The out-stack follows; nothing in gf_flow holds it. */
	return GF_OK;
}

gf_rc
gf_sf_flow_record(gf_sf_ctx *c, uint32_t tag, gf_rd *rec, void *arg)
{
	gf_sf_flowacc *acc = arg;

	if ((tag >> 12) != 0)
	{
		c->d->counters.sflow_records_unknown++;
		return GF_OK;
	}
	switch (tag & 0xfff)
	{
		case SF_REC_RAW_HEADER:
			return sf_raw_header(c, rec, acc);
		case SF_REC_ETHERNET:
			return sf_sampled_ethernet(c, rec, acc);
		case SF_REC_IPV4:
			return sf_sampled_ip(c, rec, acc, false);
		case SF_REC_IPV6:
			return sf_sampled_ip(c, rec, acc, true);
		case SF_REC_EXT_SWITCH:
			return sf_ext_switch(c, rec, acc);
		case SF_REC_EXT_ROUTER:
			return sf_ext_router(c, rec, acc);
		case SF_REC_EXT_GATEWAY:
			return sf_ext_gateway(c, rec, acc);
		case SF_REC_EXT_MPLS:
			return sf_ext_mpls(c, rec, acc);
		default:
			c->d->counters.sflow_records_unknown++;
			return GF_OK;
	}
}

gf_rc
gf_sf_flow_sample(gf_sf_ctx *c, gf_rd *r, bool expanded)
{
	gf_flow		f;
	gf_sf_flowacc acc;
	uint32_t	seq,
				src_type,
				src_index,
				rate,
				pool,
				drops,
				in_fmt,
				in_val,
				out_fmt,
				out_val,
				w;
	size_t		off = gf_rd_abs(r);
	bool		ok;
	gf_rc		rc;

	ok = gf_rd_u32(r, &seq);
	if (expanded)
		ok = ok && gf_rd_u32(r, &src_type) && gf_rd_u32(r, &src_index);
	else if ((ok = ok && gf_rd_u32(r, &w)))
	{
		src_type = w >> 24;
		src_index = w & 0xffffff;
	}
	ok = ok && gf_rd_u32(r, &rate) && gf_rd_u32(r, &pool) &&
		gf_rd_u32(r, &drops);
	if (expanded)
		ok = ok && gf_rd_u32(r, &in_fmt) && gf_rd_u32(r, &in_val) &&
			gf_rd_u32(r, &out_fmt) && gf_rd_u32(r, &out_val);
	else
	{
		if ((ok = ok && gf_rd_u32(r, &w)))
			gf_sf_split_if(w, &in_fmt, &in_val);
		if ((ok = ok && gf_rd_u32(r, &w)))
			gf_sf_split_if(w, &out_fmt, &out_val);
	}
	if (!ok)
		return gf_fail(c->err, GF_ERR_TRUNCATED, off,
					   "%sflow sample of %zu bytes is too short",
					   expanded ? "expanded " : "", r->len);
	/* Flow samples are numbered per data source: their rows follow it. */
	if (c->d->msg.n_samples < GF_ROW_MSG_SAMPLES)
	{
		c->d->msg.samples[c->d->msg.n_samples].source = src_type << 24 ^ src_index;
		c->d->msg.samples[c->d->msg.n_samples].seq = seq;
		c->d->msg.n_samples++;
	}

	gf_flow_init(&f, GF_TYPE_SFLOW_5, c->dg->time_received_ns, &c->agent);
	GF_SET(&f, sequence_num, GF_F_SEQUENCE_NUM, c->sequence);
	GF_SET(&f, sampling_rate, GF_F_SAMPLING_RATE, rate);
	f.sampling_rate_source = GF_RATE_SFLOW;
	GF_SET(&f, in_if, GF_F_IN_IF, in_val);
	GF_SET(&f, in_if_format, GF_F_IN_IF_FORMAT, in_fmt);
	GF_SET(&f, out_if, GF_F_OUT_IF, out_val);
	GF_SET(&f, out_if_format, GF_F_OUT_IF_FORMAT, out_fmt);
	GF_SET(&f, packets, GF_F_PACKETS, 1);

	gf_sf_flowacc_init(&acc, &f);
	rc = gf_sf_records(c, r, "flow sample", gf_sf_flow_record, &acc);
	if (rc != GF_OK)
		return rc;
	gf_sf_flowacc_finish(&acc);
	/* Custom mappings of the sampled header: one branch without any. */
	if (__builtin_expect(c->d->mapping != NULL, 0) && acc.have_header)
		gf_sf_apply_mapping(c, &acc);

	c->d->counters.sflow_flow_samples++;
	c->d->counters.flows++;
	gf_row_msg_flow(&c->d->msg, &f);
	if (c->sink && c->sink->flow)
		c->sink->flow(c->sink->arg, &f);
	return GF_OK;
}
