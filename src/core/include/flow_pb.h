/*
 * flow_pb.h
 *    Encode one gf_flow, optionally with its context from a snapshot
 *    (context.h), as one GoFlow2 FlowMessage (proto/flow.proto, written
 *    field by field; protobuf-c's packing of the same message is kept as
 *    gf_flow_pb_pack_reference and the tests require the same bytes)
 *    preceded by its length as a varint: GoFlow2's "bin"
 *    format, so a stream of these reads back with any length-delimited
 *    protobuf reader (Go's protodelim, Java's parseDelimitedFrom).
 *
 *    What goes out (proto/flow.proto says it field by field):
 *      - GoFlow2's fields with GoFlow2's numbers and meanings: addresses
 *        as 4 or 16 bytes, times in Unix ns, MACs in the low 48 bits of a
 *        uint64, src_net/dst_net as prefix lengths, type as the FlowType
 *        enum (a gf_flow type outside it is sent as FLOWUNKNOWN);
 *      - goflow2plus's fields from 1000 up: in_if_format, out_if_format,
 *        vxlan_vni, fw_event (1003), and from 1010 the context (src_group ... out_if_context),
 *        the countries and sampling_rate_source.
 *
 *    A field is on the wire exactly when the flow has it (its presence
 *    bit, an address of family 4 or 6, a non-empty array, a matched
 *    context entry with that member): present zeros are sent, absent
 *    fields are not, like the table's NULLs.  Context resolution is
 *    flow_json's (src/core/flow_enc_ctx.h): a reference the snapshot does
 *    not hold is no match; a context object not shaped '{' ... '}' is
 *    left out; a string that is not well-formed UTF-8 is left out (protobuf
 *    strings must be UTF-8; flow_json.h replaces the bad bytes instead,
 *    which a protobuf string field cannot do without copying).
 *
 *    No allocation: the fields are written straight into the caller's
 *    buffer.
 *
 *    Core layer: plain C11, no postgres.h; links libprotobuf-c.
 */
#ifndef GF_FLOW_PB_H
#define GF_FLOW_PB_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "flow.h"

/*
 * A buffer of this size always holds one length-prefixed message without
 * context (every field present, every array full, countries and rate
 * source set).  With a snapshot, a message grows by the matched entries'
 * strings (each up to GF_CTX_MAX_STRING bytes, plus a few bytes of tag and
 * length): size buffers by gf_flow_pb_size when gf_flow_pb_pack_delimited
 * returns 0.
 */
#define GF_FLOW_PB_MAX		2048

/* Bytes gf_flow_pb_pack_delimited writes for f: the varint and the message. */
size_t		gf_flow_pb_size(const gf_flow *f, const gf_ctx_snapshot *ctx);

/*
 * Write f's length-prefixed message into buf.  Returns the bytes written,
 * or 0 when buflen is too small, and then nothing is written.  ctx is the
 * snapshot f was enriched with (NULL: no context fields).
 */
size_t		gf_flow_pb_pack_delimited(const gf_flow *f, const gf_ctx_snapshot *ctx,
									  uint8_t *buf, size_t buflen);

/*
 * The same, packed by protobuf-c from its generated struct (flow_pb_ref.c):
 * the judge the tests hold gf_flow_pb_pack_delimited to.
 */
size_t		gf_flow_pb_pack_reference(const gf_flow *f, const gf_ctx_snapshot *ctx,
									  uint8_t *buf, size_t buflen);

#endif							/* GF_FLOW_PB_H */
