/*
 * flow_pb_decode.h
 *    Read GoFlow2's "bin" format back: a buffer of varint-length-prefixed
 *    FlowMessages (proto/flow.proto), as a NATS message of the JetStream
 *    sink or a GoFlow2 producer holds, into gf_flow records.  The inverse
 *    of flow_pb.h for every field gf_flow has.
 *
 *    The bytes come from the network (a JetStream stream anyone with the
 *    right credentials may publish to): every length is checked, nothing
 *    is read past the buffer, and a message that does not parse is
 *    skipped without losing the framing of the ones after it.
 *
 *    What comes back, field by field (flow_pb.h says how it was written):
 *      - a field present on the wire is present in the flow (zero
 *        included); proto3 producers (GoFlow2 itself) leave zeros out, so
 *        their zeros read as absent (NULL in the table);
 *      - addresses of 4 or 16 bytes; any other length reads as absent;
 *      - MACs from the low 48 bits; src_net/dst_net as prefix lengths up
 *        to 128 (larger: absent);
 *      - arrays cut at GF_MAX_AS_PATH, GF_MAX_COMMUNITIES, GF_MAX_MPLS;
 *      - type outside the FlowType enum reads as GF_TYPE_UNKNOWN;
 *      - countries (two ASCII letters or digits, else absent) and
 *        sampling_rate_source by name;
 *      - the context fields (src_group ... out_if_context) are NOT read
 *        back: gf_flow holds references into a context snapshot, and the
 *        consumer enriches the flow with its own context (context.h).
 *
 *    Core layer: plain C11, no postgres.h; links libprotobuf-c.
 */
#ifndef GF_FLOW_PB_DECODE_H
#define GF_FLOW_PB_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Longest FlowMessage accepted; a NATS message is smaller anyway. */
#define GF_FLOW_PB_DECODE_MAX	(1024 * 1024)

typedef enum gf_pbd_status
{
	GF_PBD_OK = 0,				/* *f holds the next flow */
	GF_PBD_END,					/* *off reached the end of the buffer */
	GF_PBD_BAD_MESSAGE,			/* framed, but not a FlowMessage: skipped */
	GF_PBD_BAD_FRAMING			/* bad or cut length prefix: stop here */
} gf_pbd_status;

/*
 * Read the message at buf[*off] into f.  OK and BAD_MESSAGE advance *off
 * past the message; END and BAD_FRAMING leave it.  A message without
 * time_received_ns gets now_ns.  *why (may be NULL) is set to a short
 * static reason on the two errors.
 */
gf_pbd_status gf_flow_pb_next(const uint8_t *buf, size_t len, size_t *off,
							  uint64_t now_ns, gf_flow *f, const char **why);

#endif							/* GF_FLOW_PB_DECODE_H */
