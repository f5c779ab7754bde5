/*
 * netflow_fields.c
 *    The information-element mapping for NetFlow v9 and IPFIX records.
 *
 *    The elements are named in ipfix_ie.h, and the cases below are grouped
 *    by what they describe; docs/columns.md tables which column each one
 *    fills.  Numbers below 128 mean the same in both (IPFIX took them from
 *    v9), except that the v9 "out" counters and MACs (OUT_BYTES,
 *    OUT_SRC_MAC...) are mapped for v9 records only: an IPFIX record's
 *    post* elements of the same numbers are skipped.  Integers may come
 *    in any width from 1 to 8 bytes (IPFIX reduced-size encoding, and v9
 *    exporters pick their own widths); addresses and MACs must have their
 *    exact size or the field is skipped, since a 3-byte "IPv4 address"
 *    has no sound reading.
 */
#include "netflow_fields.h"

#include <string.h>

#include "flow_time.h"
#include "ipfix_ie.h"
#include "netflow_rec_ops.h"
#include "reader.h"

#define NS_PER_SEC	GF_NF_NS_PER_SEC

void
gf_nf_rec_begin(gf_nf_rec *r, gf_flow *f, const gf_nf_msg *msg)
{
	/* Only the flags: values in r->v are read only when their bit is set. */
	r->f = f;
	r->version = msg->scope.version;
	r->start_prec = 0;
	r->end_prec = 0;
	r->has_out_src_mac = false;
	r->has_out_dst_mac = false;
	r->mpls_bottom_seen = false;
	r->has = 0;
	r->frame = NULL;
	r->frame_len = 0;
	gf_flow_init(f, msg->scope.version == 9 ? GF_TYPE_NETFLOW_V9 : GF_TYPE_IPFIX,
				 msg->time_received_ns, &msg->scope.exporter);
	GF_SET(f, sequence_num, GF_F_SEQUENCE_NUM, msg->sequence);
	/* observationDomainId in the record, if any, overrides this later. */
	GF_SET(f, observation_domain_id, GF_F_OBSERVATION_DOMAIN_ID,
		   msg->scope.domain);
}

/*
 * The sum of two kept counters, each 0 when absent; saturates rather
 * than wrapping (two 8-byte counters could overflow).
 */
static inline uint64_t
rec_sum(const gf_nf_rec *r, gf_nf_aux a, gf_nf_aux b)
{
	uint64_t	x = GF_NF_REC_HAS(r, a) ? r->v[a] : 0;
	uint64_t	y = GF_NF_REC_HAS(r, b) ? r->v[b] : 0;

	return x > UINT64_MAX - y ? UINT64_MAX : x + y;
}

static void
rec_mpls(gf_nf_rec *r, uint64_t v)
{
	gf_flow    *f = r->f;

	/*
	 * A label stack entry: label (20 bits), TC (3), bottom-of-stack (1).
	 * Exporters send a fixed number of these fields and zero the unused
	 * ones, so an all-zero entry, or anything after the bottom of the
	 * stack, is not a label.
	 */
	if (v == 0 || r->mpls_bottom_seen)
		return;
	if (v & 1)
		r->mpls_bottom_seen = true;
	if (f->n_mpls < GF_MAX_MPLS)
		f->mpls_label[f->n_mpls++] = (uint32_t) (v >> 4);
}

void
gf_nf_rec_field(gf_nf_rec *r, uint16_t id, const uint8_t *v, size_t len)
{
	gf_flow    *f = r->f;
	bool		is_int = len >= 1 && len <= 8;
	uint64_t	u = is_int ? gf_nf_uint(v, len) : 0;

	/*
	 * Addresses, MACs and MPLS entries first: they need an exact length,
	 * not an integer of any width.
	 */
	switch (id)
	{
			/* A sampled frame: parsed once the record is complete. */
		case GF_IE_DATA_LINK_FRAME_SECTION:
			r->frame = v;
			r->frame_len = len;
			return;
		case GF_IE_DATA_LINK_FRAME_SIZE:
			if (is_int)
				gf_nf_rec_set(r, GF_NF_FRAME_SIZE, u);
			return;
			/* IPv4 addresses: 4 bytes */
		case GF_IE_SOURCE_IPV4_ADDRESS:
			if (len == 4)
				gf_nf_rec_addr(&f->src_addr, v, 4);
			return;
		case GF_IE_DESTINATION_IPV4_ADDRESS:
			if (len == 4)
				gf_nf_rec_addr(&f->dst_addr, v, 4);
			return;
		case GF_IE_IP_NEXT_HOP_IPV4_ADDRESS:
			if (len == 4)
				gf_nf_rec_addr(&f->next_hop, v, 4);
			return;
		case GF_IE_BGP_NEXT_HOP_IPV4_ADDRESS:
			if (len == 4)
				gf_nf_rec_addr(&f->bgp_next_hop, v, 4);
			return;

			/* IPv6 addresses: 16 bytes, into the same columns */
		case GF_IE_SOURCE_IPV6_ADDRESS:
			if (len == 16)
				gf_nf_rec_addr(&f->src_addr, v, 16);
			return;
		case GF_IE_DESTINATION_IPV6_ADDRESS:
			if (len == 16)
				gf_nf_rec_addr(&f->dst_addr, v, 16);
			return;
		case GF_IE_IP_NEXT_HOP_IPV6_ADDRESS:
			if (len == 16)
				gf_nf_rec_addr(&f->next_hop, v, 16);
			return;
		case GF_IE_BGP_NEXT_HOP_IPV6_ADDRESS:
			if (len == 16)
				gf_nf_rec_addr(&f->bgp_next_hop, v, 16);
			return;

			/*
			 * MACs: 6 bytes.  The v9 "out" MACs (IPFIX's post* MACs are
			 * not mapped) stand in only when the plain ones are absent,
			 * which gf_nf_rec_finish decides.
			 */
		case GF_IE_SOURCE_MAC_ADDRESS:
			if (len == 6)
			{
				memcpy(f->src_mac, v, 6);
				GF_MARK(f, GF_F_SRC_MAC);
			}
			return;
		case GF_IE_DESTINATION_MAC_ADDRESS:
			if (len == 6)
			{
				memcpy(f->dst_mac, v, 6);
				GF_MARK(f, GF_F_DST_MAC);
			}
			return;
		case GF_IE_POST_DESTINATION_MAC_ADDRESS:
			if (len == 6 && r->version == 9)
			{
				memcpy(r->out_dst_mac, v, 6);
				r->has_out_dst_mac = true;
			}
			return;
		case GF_IE_POST_SOURCE_MAC_ADDRESS:
			if (len == 6 && r->version == 9)
			{
				memcpy(r->out_src_mac, v, 6);
				r->has_out_src_mac = true;
			}
			return;

			/* MPLS label stack entries: 3 bytes each */
		case GF_IE_MPLS_TOP_LABEL_STACK_SECTION:
		case GF_IE_MPLS_LABEL_STACK_SECTION2:
		case GF_IE_MPLS_LABEL_STACK_SECTION3:
		case GF_IE_MPLS_LABEL_STACK_SECTION4:
		case GF_IE_MPLS_LABEL_STACK_SECTION5:
		case GF_IE_MPLS_LABEL_STACK_SECTION6:
		case GF_IE_MPLS_LABEL_STACK_SECTION7:
		case GF_IE_MPLS_LABEL_STACK_SECTION8:
		case GF_IE_MPLS_LABEL_STACK_SECTION9:
		case GF_IE_MPLS_LABEL_STACK_SECTION10:
			if (len == 3)
				rec_mpls(r, u);
			return;
	}

	if (!is_int)
		return;

	switch (id)
	{
			/*
			 * Counters.  Deltas go straight in; totals and the v9 "out"
			 * counters (IPFIX's post* counters are not mapped) stand in
			 * only when the deltas are absent.
			 */
		case GF_IE_OCTET_DELTA_COUNT:
			GF_SET(f, bytes, GF_F_BYTES, u);
			break;
		case GF_IE_PACKET_DELTA_COUNT:
			GF_SET(f, packets, GF_F_PACKETS, u);
			break;
		case GF_IE_POST_OCTET_DELTA_COUNT:
			if (r->version == 9)
				gf_nf_rec_set(r, GF_NF_OUT_BYTES, u);
			break;
		case GF_IE_POST_PACKET_DELTA_COUNT:
			if (r->version == 9)
				gf_nf_rec_set(r, GF_NF_OUT_PKTS, u);
			break;
		case GF_IE_OCTET_TOTAL_COUNT:
			gf_nf_rec_set(r, GF_NF_TOTAL_BYTES, u);
			break;
		case GF_IE_PACKET_TOTAL_COUNT:
			gf_nf_rec_set(r, GF_NF_TOTAL_PKTS, u);
			break;
		case GF_IE_FIREWALL_EVENT:
			GF_SET(f, fw_event, GF_F_FW_EVENT, (uint32_t) u);
			break;
		case GF_IE_INITIATOR_OCTETS:
			gf_nf_rec_set(r, GF_NF_INIT_BYTES, u);
			break;
		case GF_IE_RESPONDER_OCTETS:
			gf_nf_rec_set(r, GF_NF_RESP_BYTES, u);
			break;
		case GF_IE_INITIATOR_PACKETS:
			gf_nf_rec_set(r, GF_NF_INIT_PKTS, u);
			break;
		case GF_IE_RESPONDER_PACKETS:
			gf_nf_rec_set(r, GF_NF_RESP_PKTS, u);
			break;

			/* IP header */
		case GF_IE_PROTOCOL_IDENTIFIER:
			GF_SET(f, proto, GF_F_PROTO, (uint32_t) u);
			break;
		case GF_IE_IP_CLASS_OF_SERVICE:
			GF_SET(f, ip_tos, GF_F_IP_TOS, (uint32_t) u);
			break;
		case GF_IE_IP_TTL:
			GF_SET(f, ip_ttl, GF_F_IP_TTL, (uint32_t) u);
			break;
		case GF_IE_FRAGMENT_FLAGS:
			GF_SET(f, ip_flags, GF_F_IP_FLAGS, (uint32_t) u);
			break;
		case GF_IE_FRAGMENT_IDENTIFICATION:
			GF_SET(f, fragment_id, GF_F_FRAGMENT_ID, (uint32_t) u);
			break;
		case GF_IE_FRAGMENT_OFFSET:
			GF_SET(f, fragment_offset, GF_F_FRAGMENT_OFFSET, (uint32_t) u);
			break;
		case GF_IE_FLOW_LABEL_IPV6:
			GF_SET(f, ipv6_flow_label, GF_F_IPV6_FLOW_LABEL, (uint32_t) u);
			break;

			/* Ethertype, or the IP version to derive it from at the end */
		case GF_IE_ETHERNET_TYPE:
			GF_SET(f, etype, GF_F_ETYPE, (uint32_t) u);
			break;
		case GF_IE_IP_VERSION:
			gf_nf_rec_set(r, GF_NF_IP_VERSION, u);
			break;

			/* Transport: ports, TCP flags, ICMP */
		case GF_IE_SOURCE_TRANSPORT_PORT:
			GF_SET(f, src_port, GF_F_SRC_PORT, (uint32_t) u);
			break;
		case GF_IE_DESTINATION_TRANSPORT_PORT:
			GF_SET(f, dst_port, GF_F_DST_PORT, (uint32_t) u);
			break;
		case GF_IE_TCP_CONTROL_BITS:
			GF_SET(f, tcp_flags, GF_F_TCP_FLAGS, (uint32_t) u);
			break;
		case GF_IE_ICMP_TYPE_CODE_IPV4:
		case GF_IE_ICMP_TYPE_CODE_IPV6:
			GF_SET(f, icmp_type, GF_F_ICMP_TYPE, (uint32_t) ((u >> 8) & 0xff));
			GF_SET(f, icmp_code, GF_F_ICMP_CODE, (uint32_t) (u & 0xff));
			break;
		case GF_IE_ICMP_TYPE_IPV4:
		case GF_IE_ICMP_TYPE_IPV6:
			GF_SET(f, icmp_type, GF_F_ICMP_TYPE, (uint32_t) u);
			break;
		case GF_IE_ICMP_CODE_IPV4:
		case GF_IE_ICMP_CODE_IPV6:
			GF_SET(f, icmp_code, GF_F_ICMP_CODE, (uint32_t) u);
			break;

			/* Prefix lengths: src_net / dst_net with the address */
		case GF_IE_SOURCE_IPV4_PREFIX_LENGTH:
		case GF_IE_SOURCE_IPV6_PREFIX_LENGTH:
			GF_SET(f, src_net_len, GF_F_SRC_NET, (uint8_t) u);
			break;
		case GF_IE_DESTINATION_IPV4_PREFIX_LENGTH:
		case GF_IE_DESTINATION_IPV6_PREFIX_LENGTH:
			GF_SET(f, dst_net_len, GF_F_DST_NET, (uint8_t) u);
			break;

			/* Interfaces and forwarding */
		case GF_IE_INGRESS_INTERFACE:
			GF_SET(f, in_if, GF_F_IN_IF, (uint32_t) u);
			break;
		case GF_IE_EGRESS_INTERFACE:
			GF_SET(f, out_if, GF_F_OUT_IF, (uint32_t) u);
			break;
		case GF_IE_FORWARDING_STATUS:
			GF_SET(f, forwarding_status, GF_F_FORWARDING_STATUS, (uint32_t) u);
			break;

			/* Autonomous systems */
		case GF_IE_BGP_SOURCE_AS_NUMBER:
			GF_SET(f, src_as, GF_F_SRC_AS, (uint32_t) u);
			break;
		case GF_IE_BGP_DESTINATION_AS_NUMBER:
			GF_SET(f, dst_as, GF_F_DST_AS, (uint32_t) u);
			break;
		case GF_IE_BGP_NEXT_ADJACENT_AS_NUMBER:
			GF_SET(f, next_hop_as, GF_F_NEXT_HOP_AS, (uint32_t) u);
			break;

			/* VLANs */
		case GF_IE_VLAN_ID:
			GF_SET(f, src_vlan, GF_F_SRC_VLAN, (uint32_t) u);
			break;
		case GF_IE_POST_VLAN_ID:
			GF_SET(f, dst_vlan, GF_F_DST_VLAN, (uint32_t) u);
			break;
		case GF_IE_DOT1Q_VLAN_ID:
			GF_SET(f, vlan_id, GF_F_VLAN_ID, (uint32_t) u);
			break;

			/* Metering process (the domain from the header until then) */
		case GF_IE_OBSERVATION_POINT_ID:
			GF_SET(f, observation_point_id, GF_F_OBSERVATION_POINT_ID, (uint32_t) u);
			break;
		case GF_IE_OBSERVATION_DOMAIN_ID:
			GF_SET(f, observation_domain_id, GF_F_OBSERVATION_DOMAIN_ID, (uint32_t) u);
			break;

			/* Times: resolved in gf_nf_rec_finish, whatever their order */
		case GF_IE_FLOW_END_SYS_UP_TIME:
			gf_nf_rec_set(r, GF_NF_SYSUP_END, u);
			break;
		case GF_IE_FLOW_START_SYS_UP_TIME:
			gf_nf_rec_set(r, GF_NF_SYSUP_START, u);
			break;
		case GF_IE_FLOW_START_SECONDS:
		case GF_IE_FLOW_END_SECONDS:
		case GF_IE_FLOW_START_MILLISECONDS:
		case GF_IE_FLOW_END_MILLISECONDS:
		case GF_IE_FLOW_START_MICROSECONDS:
		case GF_IE_FLOW_END_MICROSECONDS:
		case GF_IE_FLOW_START_NANOSECONDS:
		case GF_IE_FLOW_END_NANOSECONDS:
			gf_nf_rec_time_field(r, id, u, len);
			break;
		case GF_IE_FLOW_START_DELTA_MICROSECONDS:
			gf_nf_rec_set(r, GF_NF_START_DELTA_US, u);
			break;
		case GF_IE_FLOW_END_DELTA_MICROSECONDS:
			gf_nf_rec_set(r, GF_NF_END_DELTA_US, u);
			break;
		case GF_IE_SYSTEM_INIT_TIME_MILLISECONDS:
			gf_nf_rec_set(r, GF_NF_INIT_MS, u);
			break;

			/*
			 * Sampling: the record's own rate, or the sampler whose rate
			 * options data gave (gf_nf_rec_own_rate, cache_rate).
			 */
		case GF_IE_SAMPLING_INTERVAL:
			gf_nf_rec_set(r, GF_NF_SAMPLING_INTERVAL, u);
			break;
		case GF_IE_SAMPLER_RANDOM_INTERVAL:
			gf_nf_rec_set(r, GF_NF_RANDOM_INTERVAL, u);
			break;
		case GF_IE_SAMPLING_PACKET_INTERVAL:
			gf_nf_rec_set(r, GF_NF_PKT_INTERVAL, u);
			break;
		case GF_IE_SAMPLING_PACKET_SPACE:
			gf_nf_rec_set(r, GF_NF_PKT_SPACE, u);
			break;
		case GF_IE_SAMPLING_SIZE:
			gf_nf_rec_set(r, GF_NF_SAMPLE_SIZE, u);
			break;
		case GF_IE_SAMPLING_POPULATION:
			gf_nf_rec_set(r, GF_NF_SAMPLE_POPULATION, u);
			break;
		case GF_IE_SAMPLER_ID:
		case GF_IE_SELECTOR_ID:
			gf_nf_rec_set(r, GF_NF_SAMPLER_ID, u);
			break;

		default:
			break;				/* not mapped: skipped */
	}
}

uint64_t
gf_nf_rec_own_rate(const gf_nf_rec *r)
{
	if (GF_NF_REC_HAS(r, GF_NF_SAMPLING_INTERVAL) && r->v[GF_NF_SAMPLING_INTERVAL] > 0)
		return r->v[GF_NF_SAMPLING_INTERVAL];
	if (GF_NF_REC_HAS(r, GF_NF_RANDOM_INTERVAL) && r->v[GF_NF_RANDOM_INTERVAL] > 0)
		return r->v[GF_NF_RANDOM_INTERVAL];
	if (GF_NF_REC_HAS(r, GF_NF_PKT_INTERVAL) && GF_NF_REC_HAS(r, GF_NF_PKT_SPACE))
		return gf_nf_rate_from_interval_space(r->v[GF_NF_PKT_INTERVAL], r->v[GF_NF_PKT_SPACE]);
	/*
	 * Random n-out-of-N sampling (Cisco sends samplingSize 1 and
	 * samplingPopulation N, with samplingPacketInterval 1 and no space).
	 */
	if (GF_NF_REC_HAS(r, GF_NF_SAMPLE_SIZE) && GF_NF_REC_HAS(r, GF_NF_SAMPLE_POPULATION))
		return gf_nf_rate_from_size_population(r->v[GF_NF_SAMPLE_SIZE],
											   r->v[GF_NF_SAMPLE_POPULATION]);
	return 0;
}

void
gf_nf_set_cache_init(gf_nf_set_cache *c, const gf_nf_sampling *s)
{
	/* Zero is GF_NF_CACHE_NOT_ASKED for the three states. */
	memset(c, 0, sizeof(*c));
	c->sampling = s;
}

/* The state a sampling-table answer leaves in the set cache. */
static inline uint8_t
cache_answer(bool found)
{
	return found ? GF_NF_CACHE_KNOWN : GF_NF_CACHE_UNKNOWN;
}

static bool
cache_rate(gf_nf_set_cache *c, const gf_nf_scope *scope, bool has_sampler,
		   uint64_t sampler_id, uint64_t *rate)
{
	if (has_sampler)
	{
		if (c->sampler_state == GF_NF_CACHE_NOT_ASKED || c->sampler_id != sampler_id)
		{
			c->sampler_id = sampler_id;
			c->sampler_state =
				cache_answer(gf_nf_sampling_get_rate(c->sampling, scope, true,
													 sampler_id, &c->sampler_rate));
		}
		*rate = c->sampler_rate;
		return c->sampler_state == GF_NF_CACHE_KNOWN;
	}
	if (c->domain_state == GF_NF_CACHE_NOT_ASKED)
		c->domain_state =
			cache_answer(gf_nf_sampling_get_rate(c->sampling, scope, false, 0,
												 &c->domain_rate));
	*rate = c->domain_rate;
	return c->domain_state == GF_NF_CACHE_KNOWN;
}

static bool
cache_init_time(gf_nf_set_cache *c, const gf_nf_scope *scope, uint64_t *init_ms)
{
	if (c->init_state == GF_NF_CACHE_NOT_ASKED)
		c->init_state =
			cache_answer(gf_nf_sampling_get_init_time(c->sampling, scope,
													  &c->init_ms));
	*init_ms = c->init_ms;
	return c->init_state == GF_NF_CACHE_KNOWN;
}

/* export_ns - back_ns, or 0 if that would be before 1970. */
static uint64_t
ns_before(uint64_t export_ns, uint64_t back_ns)
{
	return back_ns > export_ns ? 0 : export_ns - back_ns;
}

/*
 * One end of the flow in UNIX ns.  Order of preference: an absolute time,
 * a delta before export, then uptime-relative (v9: to the header's
 * sysUptime; IPFIX: to systemInitTimeMilliseconds, from the record or
 * learnt from options data), else the export time itself.
 *
 * IPFIX 158/159 (flowStart/EndDeltaMicroseconds) are unsigned distances
 * back from the export time (RFC 7012): every value up to 2^32 us (71.6
 * min) is a valid past time, so they are not read as signed.
 *
 * IPFIX 22/21 count from systemInitTimeMilliseconds on a 32-bit uptime
 * clock (RFC 7012 section 5.9), so init + offset is right only while the
 * device's uptime is below 2^32 ms, and an exporter whose init time is
 * later than its flows (softflowd -r without -a sets it to the moment it
 * starts) sends offsets just under 2^32.  Both are handled as v9 is: the
 * uptime at export is export - init (mod 2^32), and the offset is placed
 * relative to it by flow_time.h's signed difference.  With both within
 * 24.8 days of the export time this is exactly init + offset, whatever
 * the export time's rounding to a second.
 */
static uint64_t
rec_time(const gf_nf_rec *r, const gf_nf_msg *msg, gf_nf_set_cache *s,
		 gf_nf_aux abs, gf_nf_aux delta_us, gf_nf_aux sysup)
{
	uint64_t	export_ns = (uint64_t) msg->export_secs * NS_PER_SEC;
	uint64_t	init_ms;

	if (GF_NF_REC_HAS(r, abs))
		return r->v[abs];
	if (GF_NF_REC_HAS(r, delta_us) && r->v[delta_us] <= UINT64_MAX / 1000)
		return ns_before(export_ns, r->v[delta_us] * 1000);
	if (GF_NF_REC_HAS(r, sysup))
	{
		if (r->version == 9)
			return gf_time_from_uptime(export_ns, msg->uptime_ms, (uint32_t) r->v[sysup]);
		if (GF_NF_REC_HAS(r, GF_NF_INIT_MS))
			init_ms = r->v[GF_NF_INIT_MS];
		else if (!cache_init_time(s, &msg->scope, &init_ms))
			return export_ns;
		/* Unsigned 64-bit arithmetic, then kept mod 2^32: no overflow. */
		return gf_time_from_uptime(export_ns,
								   (uint32_t) ((uint64_t) msg->export_secs * 1000 - init_ms),
								   (uint32_t) r->v[sysup]);
	}
	return export_ns;
}

static uint32_t
etype_of(const gf_addr *a)
{
	return a->family == 4 ? 0x0800 : a->family == 6 ? 0x86dd : 0;
}

bool
gf_nf_rec_finish(gf_nf_rec *r, const gf_nf_msg *msg, gf_nf_set_cache *s)
{
	gf_flow    *f = r->f;
	uint64_t	export_ns = (uint64_t) msg->export_secs * NS_PER_SEC;
	/* Absolute times, the usual IPFIX case, without the call. */
	uint64_t	start_ns = GF_NF_REC_HAS(r, GF_NF_START_NS) ? r->v[GF_NF_START_NS] :
		rec_time(r, msg, s, GF_NF_START_NS, GF_NF_START_DELTA_US, GF_NF_SYSUP_START);
	uint64_t	end_ns = GF_NF_REC_HAS(r, GF_NF_END_NS) ? r->v[GF_NF_END_NS] :
		rec_time(r, msg, s, GF_NF_END_NS, GF_NF_END_DELTA_US, GF_NF_SYSUP_END);
	bool		skew_start = gf_time_clamp_skew(export_ns, &start_ns);
	bool		skew_end = gf_time_clamp_skew(export_ns, &end_ns);
	uint64_t	rate;

	GF_SET(f, time_flow_start_ns, GF_F_TIME_FLOW_START, start_ns);
	GF_SET(f, time_flow_end_ns, GF_F_TIME_FLOW_END, end_ns);

	/*
	 * Totals, v9 "out" counters, or initiator + responder counters only
	 * stand in when the deltas are absent.  The last are a bidirectional
	 * record's two directions (Cisco ASA NSEL sends nothing else): their
	 * sum is the traffic of the connection, as the ASA's own teardown
	 * syslog counts it.
	 */
	if (!GF_HAS(f, GF_F_BYTES))
	{
		if (GF_NF_REC_HAS(r, GF_NF_TOTAL_BYTES))
			GF_SET(f, bytes, GF_F_BYTES, r->v[GF_NF_TOTAL_BYTES]);
		else if (GF_NF_REC_HAS(r, GF_NF_OUT_BYTES))
			GF_SET(f, bytes, GF_F_BYTES, r->v[GF_NF_OUT_BYTES]);
		else if (GF_NF_REC_HAS(r, GF_NF_INIT_BYTES) || GF_NF_REC_HAS(r, GF_NF_RESP_BYTES))
			GF_SET(f, bytes, GF_F_BYTES,
				   rec_sum(r, GF_NF_INIT_BYTES, GF_NF_RESP_BYTES));
	}
	if (!GF_HAS(f, GF_F_PACKETS))
	{
		if (GF_NF_REC_HAS(r, GF_NF_TOTAL_PKTS))
			GF_SET(f, packets, GF_F_PACKETS, r->v[GF_NF_TOTAL_PKTS]);
		else if (GF_NF_REC_HAS(r, GF_NF_OUT_PKTS))
			GF_SET(f, packets, GF_F_PACKETS, r->v[GF_NF_OUT_PKTS]);
		else if (GF_NF_REC_HAS(r, GF_NF_INIT_PKTS) || GF_NF_REC_HAS(r, GF_NF_RESP_PKTS))
			GF_SET(f, packets, GF_F_PACKETS,
				   rec_sum(r, GF_NF_INIT_PKTS, GF_NF_RESP_PKTS));
	}
	if (r->frame != NULL)
		gf_nf_rec_frame(r);
	if (!GF_HAS(f, GF_F_SRC_MAC) && r->has_out_src_mac)
	{
		memcpy(f->src_mac, r->out_src_mac, 6);
		GF_MARK(f, GF_F_SRC_MAC);
	}
	if (!GF_HAS(f, GF_F_DST_MAC) && r->has_out_dst_mac)
	{
		memcpy(f->dst_mac, r->out_dst_mac, 6);
		GF_MARK(f, GF_F_DST_MAC);
	}

	if (!GF_HAS(f, GF_F_ETYPE))
	{
		uint32_t	et = 0;

		if (GF_NF_REC_HAS(r, GF_NF_IP_VERSION))
			et = r->v[GF_NF_IP_VERSION] == 4 ? 0x0800 : r->v[GF_NF_IP_VERSION] == 6 ? 0x86dd : 0;
		if (et == 0)
			et = etype_of(&f->src_addr);
		if (et == 0)
			et = etype_of(&f->dst_addr);
		if (et != 0)
			GF_SET(f, etype, GF_F_ETYPE, et);
	}

	/*
	 * The record's own rate wins over what options data taught; the
	 * source column tells the two apart.
	 */
	/* Most records state no rate of their own: no call for them. */
	rate = (r->has & ((UINT32_C(1) << GF_NF_SAMPLING_INTERVAL) |
					  (UINT32_C(1) << GF_NF_RANDOM_INTERVAL) |
					  (UINT32_C(1) << GF_NF_PKT_INTERVAL) |
					  (UINT32_C(1) << GF_NF_SAMPLE_SIZE))) ?
		gf_nf_rec_own_rate(r) : 0;
	if (rate > 0)
	{
		GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, rate);
		f->sampling_rate_source = GF_RATE_RECORD;
	}
	else if (cache_rate(s, &msg->scope, GF_NF_REC_HAS(r, GF_NF_SAMPLER_ID),
						r->v[GF_NF_SAMPLER_ID], &rate) && rate > 0)
	{
		GF_SET(f, sampling_rate, GF_F_SAMPLING_RATE, rate);
		f->sampling_rate_source = GF_RATE_OPTIONS;
	}
	return skew_start || skew_end;
}
