/*
 * netflow_legacy.h
 *    What the fixed-record NetFlow versions (v1, v5, v7, v8) share: the
 *    header fields every one of them has, the rule that fits a header's
 *    record count to the datagram, and the uptime -> wall-clock times of
 *    a record.  Internal to the core (src/core, not src/core/include).
 *
 *    The count rule: a count that needs more bytes than the datagram has
 *    drops the datagram (nothing is zero-filled); a datagram longer than
 *    its count needs is decoded up to the counted records and the rest is
 *    counted as padding (nf_padded_datagrams, nf_padding_bytes).
 *    Some exporters pad their datagrams (to a word, to a fixed size), and
 *    tshark and GoFlow2 accept them: refusing would lose real flows.
 */
#ifndef GF_NETFLOW_LEGACY_H
#define GF_NETFLOW_LEGACY_H

#include "decoder_internal.h"

/* The header fields v1, v5, v7 and v8 all begin with. */
typedef struct gf_nfl_header
{
	uint16_t	version;
	uint16_t	count;
	uint32_t	uptime_ms;		/* sysUptime at export */
	uint64_t	export_ns;		/* unix_secs, unix_nsecs */
} gf_nfl_header;

/*
 * Read the common 16 header bytes and check that the header (header_len
 * bytes) and count records of record_len bytes fit in dg.  On GF_OK the
 * padding beyond the records, if any, has been counted.  err->proto must
 * be set by the caller.
 */
gf_rc		gf_nfl_begin(gf_decoder *d, const gf_datagram *dg, size_t header_len,
						 size_t record_len, gf_nfl_header *h, gf_error *err);

/*
 * Set time_flow_start/end from First and Last uptime readings (wrap-aware,
 * clamped on skew as flow_time.h says); true if either was clamped.
 */
bool		gf_nfl_times(const gf_nfl_header *h, uint32_t first_ms,
						 uint32_t last_ms, gf_flow *f);

/* Count the flow (and its skew) and hand it to the sink. */
void		gf_nfl_emit(gf_decoder *d, const gf_sink *sink, gf_flow *f, bool skew);

#endif							/* GF_NETFLOW_LEGACY_H */
