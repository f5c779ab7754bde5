/*
 * flow_json.h
 *    Encode one gf_flow as one JSON object with GoFlow2's JSON keys, into
 *    a buffer the caller owns.  Used by the pcap decode tool (the oracle
 *    tests compare its output with tshark) and by any sink that wants
 *    GoFlow2-compatible JSON lines.
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
 *      - in_if_format, out_if_format and vxlan_vni are goflow2plus's own
 *        fields (the same names as the table columns).
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

#include "flow.h"

/*
 * A buffer of this size always holds the longest possible object
 * (every field present, every array full), with its terminating NUL.
 */
#define GF_FLOW_JSON_MAX	8192

/*
 * Write f as one JSON object (no newline) into buf, NUL-terminated.
 * Returns the length written (without the NUL), or 0 when buflen is too
 * small, in which case buf holds "" (if buflen > 0) and nothing partial.
 */
size_t		gf_flow_json(const gf_flow *f, char *buf, size_t buflen);

#endif							/* GF_FLOW_JSON_H */
