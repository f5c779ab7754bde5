/*
 * netflow_rec_ops.h
 *    What storing one NetFlow v9 / IPFIX field into a record means, for
 *    the fields whose meaning needs more than a plain store: integer
 *    reads of any width, kept-aside values, absolute times with their
 *    precision, and addresses.  Shared by the field walk
 *    (netflow_fields.c) and the compiled decode plans (netflow_plan.c),
 *    so that the two cannot drift apart.
 */
#ifndef GF_NETFLOW_REC_OPS_H
#define GF_NETFLOW_REC_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipfix_ie.h"
#include "netflow_fields.h"
#include "reader.h"

#define GF_NF_NS_PER_SEC	UINT64_C(1000000000)
#define GF_NF_NS_PER_MS		UINT64_C(1000000)
/* Seconds from the NTP era (1900) to the UNIX epoch (1970). */
#define GF_NF_NTP_UNIX_OFFSET UINT64_C(2208988800)

/* Precision ranks of absolute time fields: finer wins. */
enum
{
	GF_NF_PREC_SEC = 1,
	GF_NF_PREC_MS,
	GF_NF_PREC_US,
	GF_NF_PREC_NS
};

static inline void
gf_nf_rec_set(gf_nf_rec *r, gf_nf_aux k, uint64_t v)
{
	r->has |= UINT32_C(1) << k;
	r->v[k] = v;
}

/*
 * gf_be_uint for the widths templates nearly always use, without its
 * byte loop: this runs for every field of every record.
 */
static inline uint64_t
gf_nf_uint(const uint8_t *v, size_t len)
{
	switch (len)
	{
		case 1:
			return v[0];
		case 2:
			return ((uint64_t) v[0] << 8) | v[1];
		case 4:
			return ((uint64_t) v[0] << 24) | ((uint64_t) v[1] << 16) |
				((uint64_t) v[2] << 8) | v[3];
		case 8:
			return ((uint64_t) v[0] << 56) | ((uint64_t) v[1] << 48) |
				((uint64_t) v[2] << 40) | ((uint64_t) v[3] << 32) |
				((uint64_t) v[4] << 24) | ((uint64_t) v[5] << 16) |
				((uint64_t) v[6] << 8) | v[7];
		default:
			return gf_be_uint(v, len);
	}
}

/* NTP timestamp (32-bit seconds since 1900, 32-bit fraction) to UNIX ns. */
static inline bool
gf_nf_ntp_to_ns(uint64_t ntp, uint64_t *ns)
{
	uint64_t	sec = ntp >> 32;
	uint64_t	frac = ntp & 0xffffffffu;

	if (sec < GF_NF_NTP_UNIX_OFFSET)
		return false;
	*ns = (sec - GF_NF_NTP_UNIX_OFFSET) * GF_NF_NS_PER_SEC +
		((frac * GF_NF_NS_PER_SEC) >> 32);
	return true;
}

/* An absolute time field; keeps it if finer than what the record had. */
static inline void
gf_nf_rec_abs_time(gf_nf_rec *r, bool is_start, int prec, uint64_t ns)
{
	uint8_t    *have = is_start ? &r->start_prec : &r->end_prec;

	if (prec > *have)
	{
		gf_nf_rec_set(r, is_start ? GF_NF_START_NS : GF_NF_END_NS, ns);
		*have = (uint8_t) prec;
	}
}

/*
 * flowStart/End{Seconds,Milliseconds,Microseconds,Nanoseconds}, an
 * integer of len bytes read as v.
 */
static inline void
gf_nf_rec_time_field(gf_nf_rec *r, uint16_t id, uint64_t v, size_t len)
{
	bool		is_start = (id % 2) == 0;	/* the flowStart* IEs are even */
	uint64_t	ns;

	switch (id)
	{
		case GF_IE_FLOW_START_SECONDS:
		case GF_IE_FLOW_END_SECONDS:
			if (v <= UINT64_MAX / GF_NF_NS_PER_SEC)
				gf_nf_rec_abs_time(r, is_start, GF_NF_PREC_SEC,
								   v * GF_NF_NS_PER_SEC);
			break;
		case GF_IE_FLOW_START_MILLISECONDS:
		case GF_IE_FLOW_END_MILLISECONDS:
			if (v <= UINT64_MAX / GF_NF_NS_PER_MS)
				gf_nf_rec_abs_time(r, is_start, GF_NF_PREC_MS,
								   v * GF_NF_NS_PER_MS);
			break;
			/* NTP timestamps (RFC 7011 section 6.1.9 and 6.1.10) */
		case GF_IE_FLOW_START_MICROSECONDS:
		case GF_IE_FLOW_END_MICROSECONDS:
			if (len == 8 && gf_nf_ntp_to_ns(v, &ns))
				gf_nf_rec_abs_time(r, is_start, GF_NF_PREC_US, ns);
			break;
		case GF_IE_FLOW_START_NANOSECONDS:
		case GF_IE_FLOW_END_NANOSECONDS:
			if (len == 8 && gf_nf_ntp_to_ns(v, &ns))
				gf_nf_rec_abs_time(r, is_start, GF_NF_PREC_NS, ns);
			break;
	}
}

/*
 * An address field of len 4 or 16 bytes.  Templates often carry both the
 * IPv4 and the IPv6 field of a pair and fill the one of the other family
 * with zeros: an all-zero address therefore never replaces an address of
 * the other family, whatever the field order.
 */
static inline void
gf_nf_rec_addr(gf_addr *a, const uint8_t *v, size_t len)
{
	uint8_t		family = len == 4 ? 4 : 6;
	size_t		i;

	if (a->family != 0 && a->family != family)
	{
		for (i = 0; i < len && v[i] == 0; i++)
			;
		if (i == len)
			return;
	}
	/* gf_addr_set_v4 / _v6, inline: this runs for every record. */
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, v, len);
}

#endif							/* GF_NETFLOW_REC_OPS_H */
