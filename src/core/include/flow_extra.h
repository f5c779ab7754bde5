/*
 * flow_extra.h
 *    The custom values a mapping puts in a flow (gf_flow.extra, see
 *    flow_mapping.h) written out: as JSON members (the jsonb column extra
 *    and the JSON sinks, under each field's name) and as protobuf fields
 *    (under each field's index).  A field declared with array: true gives
 *    a JSON array and a repeated protobuf field; varint values are
 *    numbers, string values JSON strings (cut at the first NUL, cleaned to
 *    printable UTF-8 as interface names are), bytes lower-case hex.
 *
 *    Entries are checked before use (a record may come from anywhere):
 *    one whose bytes fall outside extra_buf is skipped.
 */
#ifndef GF_FLOW_EXTRA_H
#define GF_FLOW_EXTRA_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/*
 * The members "name":value,... without braces, into buf (at most buflen
 * bytes, no NUL written) when it has room; returns the length they take
 * either way, so buf NULL measures.  0 when the flow has none.
 */
size_t		gf_flow_extra_json(const gf_flow *f, char *buf, size_t buflen);

/*
 * The protobuf fields, appended at buf (NULL: only measured); returns
 * the bytes they take.  The caller makes sure buflen is enough (measure
 * first).
 */
size_t		gf_flow_extra_pb(const gf_flow *f, uint8_t *buf);

#endif							/* GF_FLOW_EXTRA_H */
