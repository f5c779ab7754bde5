/*
 * flow_json.h
 *    Encode one gf_flow as one JSON object with GoFlow2's JSON keys, into
 *    a buffer the caller owns, optionally with the flow's context from a
 *    context snapshot (context.h) in GoFlow2+'s "context" object.  Used by
 *    the pcap decode tool (the oracle tests compare its output with
 *    tshark) and by any sink that wants GoFlow2-compatible JSON lines.
 *
 *    What goes out, and how (GoFlow2's renderers are the model):
 *      - "type" is the FlowType name ("NETFLOW_V5", "NETFLOW_V9", "IPFIX",
 *        "SFLOW_5", "FLOWUNKNOWN").  "time_received_ns" is always written.
 *      - Addresses (sampler_address, src_addr, dst_addr, next_hop,
 *        bgp_next_hop) are strings in the usual printable form; MACs are
 *        "aa:bb:cc:dd:ee:ff".
 *      - "etype" is "IPv4", "IPv6" or "ARP" as GoFlow2 renders it; an
 *        ethertype GoFlow2 has no name for is written as a number (GoFlow2
 *        would write "", which loses the value).  "proto" likewise:
 *        "ICMP", "TCP", "UDP", "ICMPv6", "SCTP", else the number.
 *      - "src_net"/"dst_net" are the address masked to the prefix length,
 *        as a prefix string ("10.0.0.0/24"), written only when both the
 *        address and the prefix length are known.
 *      - bgp_communities, as_path and mpls_label are arrays of numbers.
 *      - in_if_format, out_if_format, vxlan_vni and fw_event are goflow2plus's own
 *        fields (the same names as the table columns), as are
 *        "sampling_rate_source" (gf_rate_source_name(): "packet_header",
 *        "record", "options", "sflow", "default", "override"; written
 *        right after "sampling_rate", omitted for GF_RATE_NONE) and
 *        "src_country"/"dst_country" (the ISO code GeoIP set, at most
 *        two bytes; omitted when "").
 *      - "context" (last, only with a snapshot, omitted when none of the
 *        flow's ctx_* references resolves in it), GoFlow2+'s
 *        "source_group"/"destination_group" plus goflow2plus's entries:
 *          "context": {
 *            "source_group": "<name of the network src_addr is in>",
 *            "destination_group": "<name>",
 *            "source": {<that network's context object>},
 *            "destination": {<context object>},
 *            "device": {"name", "site", "role", "context": {...}},
 *            "in_interface": {"name", "description", "speed" (number,
 *                             bits/s), "boundary" ("external" or
 *                             "internal"), "provider", "context": {...}},
 *            "out_interface": {... as in_interface}
 *          }
 *        A matched device or interface is written even when it has no
 *        field set ("device": {}); each member inside is omitted when the
 *        entry does not have it.
 *
 *    Strings from a snapshot (names, sites, descriptions...) and country
 *    codes are escaped: '"' and '\' as \" and \\, control characters
 *    U+0000-U+001F as \b \f \n \r \t or \u00XX, well-formed UTF-8 as
 *    it is, and each ill-formed UTF-8 sequence (its maximal subpart, as
 *    Unicode's "U+FFFD substitution of maximal subparts" counts it: a
 *    truncated 3-byte sequence is one, a lone continuation byte is one)
 *    as one \ufffd.  A context object is the snapshot's JSON text as it
 *    is (the builder stores canonical JSON from jsonb or the YAML loader),
 *    without blanks around it and with any line break turned into a space
 *    (so the object is always one line); one whose first and last
 *    non-blank characters are not '{' and '}' is omitted, never written
 *    broken.
 *
 *    Absent fields are OMITTED, never written as zero: a field whose bit in
 *    gf_flow.present is clear, an address of family 0, or an empty array
 *    does not appear.  That keeps "the exporter did not say" apart from
 *    "the exporter said zero", as the table's NULLs do.  (GoFlow2 writes
 *    zeros for every field; a consumer that reads missing keys as zero
 *    sees the same values.)
 *
 *    Core layer: plain C11, no postgres.h, no allocation.
 */
#ifndef GF_FLOW_JSON_H
#define GF_FLOW_JSON_H

#include <stddef.h>

#include "context.h"
#include "flow.h"

/*
 * A buffer of this size always holds the longest possible object without
 * "context" (every field present, every array full, the countries and
 * the rate source set), with its terminating NUL: gf_flow_json always
 * fits it, and so does gf_flow_json_ctx when nothing matched.
 *
 * With a snapshot the object grows by the matched entries' strings (up to
 * 6 bytes per byte, for \u00XX and \ufffd escapes) and context objects,
 * each up to GF_CTX_MAX_STRING bytes before escaping, so there is no small
 * fixed bound.  Callers size buffers so: try a buffer of GF_FLOW_JSON_MAX
 * plus what their contexts usually take (e.g. 64 KiB); when
 * gf_flow_json_ctx returns 0, gf_flow_json_ctx_len gives the exact length
 * (without the NUL) to grow to.
 */
#define GF_FLOW_JSON_MAX	8192

/*
 * Write f as one JSON object (no newline) into buf, NUL-terminated.
 * Returns the length written (without the NUL), or 0 when buflen is too
 * small, in which case buf holds "" (if buflen > 0) and nothing partial.
 * The same as gf_flow_json_ctx with a NULL snapshot.
 */
size_t		gf_flow_json(const gf_flow *f, char *buf, size_t buflen);

/*
 * The same with f's context references (ctx_*) resolved in ctx, the
 * snapshot f was enriched with (NULL: none; a reference the snapshot does
 * not hold counts as no match).
 */
size_t		gf_flow_json_ctx(const gf_flow *f, const gf_ctx_snapshot *ctx,
							 char *buf, size_t buflen);

/* The length gf_flow_json_ctx would write, without the NUL. */
size_t		gf_flow_json_ctx_len(const gf_flow *f, const gf_ctx_snapshot *ctx);

#endif							/* GF_FLOW_JSON_H */
