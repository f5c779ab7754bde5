/*
 * flow_columns.h
 *    The columns of goflow2plus.flows and goflow2plus.interface_counters,
 *    one X-macro list per table, in table order: the SQL install script,
 *    the adapter's column arrays and fill code (src/pg/flow_tuple.c) and
 *    the regress check of the installed tables (goflow2plus._columns(),
 *    test/regress/sql/10_columns.sql) all follow these lists, so a column
 *    is added here, in sql/goflow2plus--0.1.sql, and nowhere else.
 *
 *    Each entry is X(column, sqltype, presence, how, source...):
 *      column    the SQL column name (GoFlow2's JSON key where it has one);
 *      sqltype   the column's type as a tag: text, timestamptz, bigint,
 *                int, numeric, inet, cidr, macaddr, bytea, bigint_array,
 *                int_array, jsonb (the adapter maps each to a type OID);
 *      presence  when the column is NULL: a gf_field bit of the record
 *                ('present'), GF_COL_ALWAYS (never NULL), GF_COL_BY_VALUE
 *                (NULL decided by the value itself: an address of family
 *                0, an empty array), or a group of the table (below);
 *      how       how the value is converted (see flow_tuple.c), one of
 *                FLOW_TYPE (the FlowType name), TIME_NS (Unix ns to a
 *                timestamp), UINT (unsigned value to bigint/int, NULL when
 *                it does not fit), BITS (unsigned 32-bit word to
 *                bigint/int, every bit kept: int takes it two's
 *                complement), U64_NUMERIC, ADDR, NET (address masked to a
 *                prefix length), MAC, U32_ARRAY, HEADER (bytes),
 *                RATE_SOURCE (gf_rate_source name), CTX (a field of the
 *                context entry the record references: kind NETWORK,
 *                DEVICE or IFACE, the ctx_* member, the field; see
 *                context.h), COUNTRY (ISO code, NULL when empty),
 *                EXTRA (the custom mapped values as a JSON object,
 *                flow_extra.h; NULL when there are none);
 *      source    the record's member(s) the value comes from: one member,
 *                except NET (address, prefix length) and U32_ARRAY
 *                (array, count, bound).
 *
 *    Core layer: plain C, no postgres.h; a list is only tokens until a
 *    user expands it, so a future encoder (JSON, protobuf) can expand the
 *    same list with its own meanings for the tags.
 */
#ifndef GF_FLOW_COLUMNS_H
#define GF_FLOW_COLUMNS_H

#include "flow.h"

/* Presence values beyond the gf_field bits (which stay below 64). */
#define GF_COL_ALWAYS		64	/* never NULL */
#define GF_COL_BY_VALUE		65	/* NULL when the value says "none" */
#define GF_COL_IFC_GENERIC	66	/* interface_counters: record 1 seen */
#define GF_COL_IFC_ETHERNET	67	/* interface_counters: record 2 seen */

/* goflow2plus.flows, from gf_flow. */
#define GF_FLOW_COLUMN_LIST(X) \
	X(type,                  text,         GF_COL_ALWAYS,               FLOW_TYPE, type) \
	X(time_received,         timestamptz,  GF_COL_ALWAYS,               TIME_NS,   time_received_ns) \
	X(time_flow_start,       timestamptz,  GF_F_TIME_FLOW_START,        TIME_NS,   time_flow_start_ns) \
	X(time_flow_end,         timestamptz,  GF_F_TIME_FLOW_END,          TIME_NS,   time_flow_end_ns) \
	X(sequence_num,          bigint,       GF_F_SEQUENCE_NUM,           UINT,      sequence_num) \
	X(sampling_rate,         bigint,       GF_F_SAMPLING_RATE,          UINT,      sampling_rate) \
	X(sampler_address,       inet,         GF_COL_BY_VALUE,             ADDR,      sampler_address) \
	X(bytes,                 bigint,       GF_F_BYTES,                  UINT,      bytes) \
	X(packets,               bigint,       GF_F_PACKETS,                UINT,      packets) \
	X(src_addr,              inet,         GF_COL_BY_VALUE,             ADDR,      src_addr) \
	X(dst_addr,              inet,         GF_COL_BY_VALUE,             ADDR,      dst_addr) \
	X(etype,                 int,          GF_F_ETYPE,                  UINT,      etype) \
	X(proto,                 int,          GF_F_PROTO,                  UINT,      proto) \
	X(src_port,              int,          GF_F_SRC_PORT,               UINT,      src_port) \
	X(dst_port,              int,          GF_F_DST_PORT,               UINT,      dst_port) \
	X(in_if,                 bigint,       GF_F_IN_IF,                  UINT,      in_if) \
	X(out_if,                bigint,       GF_F_OUT_IF,                 UINT,      out_if) \
	X(src_mac,               macaddr,      GF_F_SRC_MAC,                MAC,       src_mac) \
	X(dst_mac,               macaddr,      GF_F_DST_MAC,                MAC,       dst_mac) \
	X(src_vlan,              bigint,       GF_F_SRC_VLAN,               UINT,      src_vlan) \
	X(dst_vlan,              bigint,       GF_F_DST_VLAN,               UINT,      dst_vlan) \
	X(vlan_id,               bigint,       GF_F_VLAN_ID,                UINT,      vlan_id) \
	X(ip_tos,                int,          GF_F_IP_TOS,                 UINT,      ip_tos) \
	X(ip_ttl,                int,          GF_F_IP_TTL,                 UINT,      ip_ttl) \
	X(ip_flags,              int,          GF_F_IP_FLAGS,               UINT,      ip_flags) \
	X(tcp_flags,             int,          GF_F_TCP_FLAGS,              UINT,      tcp_flags) \
	X(forwarding_status,     int,          GF_F_FORWARDING_STATUS,      UINT,      forwarding_status) \
	X(icmp_type,             int,          GF_F_ICMP_TYPE,              UINT,      icmp_type) \
	X(icmp_code,             int,          GF_F_ICMP_CODE,              UINT,      icmp_code) \
	X(ipv6_flow_label,       int,          GF_F_IPV6_FLOW_LABEL,        UINT,      ipv6_flow_label) \
	X(fragment_id,           bigint,       GF_F_FRAGMENT_ID,            UINT,      fragment_id) \
	X(fragment_offset,       int,          GF_F_FRAGMENT_OFFSET,        UINT,      fragment_offset) \
	X(src_as,                bigint,       GF_F_SRC_AS,                 UINT,      src_as) \
	X(dst_as,                bigint,       GF_F_DST_AS,                 UINT,      dst_as) \
	X(next_hop,              inet,         GF_COL_BY_VALUE,             ADDR,      next_hop) \
	X(next_hop_as,           bigint,       GF_F_NEXT_HOP_AS,            UINT,      next_hop_as) \
	X(src_net,               cidr,         GF_F_SRC_NET,                NET,       src_addr, src_net_len) \
	X(dst_net,               cidr,         GF_F_DST_NET,                NET,       dst_addr, dst_net_len) \
	X(bgp_next_hop,          inet,         GF_COL_BY_VALUE,             ADDR,      bgp_next_hop) \
	X(bgp_communities,       bigint_array, GF_COL_BY_VALUE,             U32_ARRAY, bgp_communities, n_communities, GF_MAX_COMMUNITIES) \
	X(as_path,               bigint_array, GF_COL_BY_VALUE,             U32_ARRAY, as_path, n_as_path, GF_MAX_AS_PATH) \
	X(mpls_label,            int_array,    GF_COL_BY_VALUE,             U32_ARRAY, mpls_label, n_mpls, GF_MAX_MPLS) \
	X(observation_domain_id, bigint,       GF_F_OBSERVATION_DOMAIN_ID,  UINT,      observation_domain_id) \
	X(observation_point_id,  bigint,       GF_F_OBSERVATION_POINT_ID,   UINT,      observation_point_id) \
	X(in_if_format,          int,          GF_F_IN_IF_FORMAT,           UINT,      in_if_format) \
	X(out_if_format,         int,          GF_F_OUT_IF_FORMAT,          UINT,      out_if_format) \
	X(vxlan_vni,             bigint,       GF_F_VXLAN_VNI,              UINT,      vxlan_vni) \
	X(fw_event,              int,          GF_F_FW_EVENT,               UINT,      fw_event) \
	X(sampling_rate_source,  text,         GF_COL_BY_VALUE,             RATE_SOURCE, sampling_rate_source) \
	X(src_group,             text,         GF_COL_BY_VALUE,             CTX,       NETWORK, ctx_src_network, NAME) \
	X(dst_group,             text,         GF_COL_BY_VALUE,             CTX,       NETWORK, ctx_dst_network, NAME) \
	X(src_context,           jsonb,        GF_COL_BY_VALUE,             CTX,       NETWORK, ctx_src_network, CONTEXT) \
	X(dst_context,           jsonb,        GF_COL_BY_VALUE,             CTX,       NETWORK, ctx_dst_network, CONTEXT) \
	X(device_name,           text,         GF_COL_BY_VALUE,             CTX,       DEVICE,  ctx_device,      NAME) \
	X(device_site,           text,         GF_COL_BY_VALUE,             CTX,       DEVICE,  ctx_device,      SITE) \
	X(device_role,           text,         GF_COL_BY_VALUE,             CTX,       DEVICE,  ctx_device,      ROLE) \
	X(device_context,        jsonb,        GF_COL_BY_VALUE,             CTX,       DEVICE,  ctx_device,      CONTEXT) \
	X(in_if_name,            text,         GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_in_if,       NAME) \
	X(in_if_description,     text,         GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_in_if,       DESCRIPTION) \
	X(in_if_speed,           bigint,       GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_in_if,       SPEED) \
	X(in_if_boundary,        text,         GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_in_if,       BOUNDARY) \
	X(in_if_provider,        text,         GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_in_if,       PROVIDER) \
	X(out_if_name,           text,         GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_out_if,      NAME) \
	X(out_if_description,    text,         GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_out_if,      DESCRIPTION) \
	X(out_if_speed,          bigint,       GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_out_if,      SPEED) \
	X(out_if_boundary,       text,         GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_out_if,      BOUNDARY) \
	X(out_if_provider,       text,         GF_COL_BY_VALUE,             CTX,       IFACE,   ctx_out_if,      PROVIDER) \
	X(src_country,           text,         GF_COL_BY_VALUE,             COUNTRY,   src_country) \
	X(dst_country,           text,         GF_COL_BY_VALUE,             COUNTRY,   dst_country) \
	X(extra,                 jsonb,        GF_COL_BY_VALUE,             EXTRA,     n_extra)

/*
 * goflow2plus.interface_counters, from gf_ifcounters (ifcounters.h).  The
 * counters of generic record 1 and Ethernet record 2 are NULL together
 * when their record was not in the sample.
 */
#define GF_IFCOUNTERS_COLUMN_LIST(X) \
	X(time_received,                     timestamptz, GF_COL_ALWAYS,       TIME_NS,     time_received_ns) \
	X(sampler_address,                   inet,        GF_COL_BY_VALUE,     ADDR,        sampler_address) \
	X(sub_agent_id,                      bigint,      GF_COL_ALWAYS,       BITS,        sub_agent_id) \
	X(sequence_num,                      bigint,      GF_COL_ALWAYS,       BITS,        sequence_num) \
	X(source_id_type,                    int,         GF_COL_ALWAYS,       BITS,        source_id_type) \
	X(source_id_index,                   bigint,      GF_COL_ALWAYS,       BITS,        source_id_index) \
	X(if_index,                          bigint,      GF_COL_IFC_GENERIC,  BITS,        if_index) \
	X(if_type,                           bigint,      GF_COL_IFC_GENERIC,  BITS,        if_type) \
	X(speed,                             numeric,     GF_COL_IFC_GENERIC,  U64_NUMERIC, if_speed) \
	X(direction,                         int,         GF_COL_IFC_GENERIC,  BITS,        if_direction) \
	X(status,                            int,         GF_COL_IFC_GENERIC,  BITS,        if_status) \
	X(in_octets,                         numeric,     GF_COL_IFC_GENERIC,  U64_NUMERIC, in_octets) \
	X(in_ucast_pkts,                     bigint,      GF_COL_IFC_GENERIC,  BITS,        in_ucast_pkts) \
	X(in_multicast_pkts,                 bigint,      GF_COL_IFC_GENERIC,  BITS,        in_multicast_pkts) \
	X(in_broadcast_pkts,                 bigint,      GF_COL_IFC_GENERIC,  BITS,        in_broadcast_pkts) \
	X(in_discards,                       bigint,      GF_COL_IFC_GENERIC,  BITS,        in_discards) \
	X(in_errors,                         bigint,      GF_COL_IFC_GENERIC,  BITS,        in_errors) \
	X(in_unknown_protos,                 bigint,      GF_COL_IFC_GENERIC,  BITS,        in_unknown_protos) \
	X(out_octets,                        numeric,     GF_COL_IFC_GENERIC,  U64_NUMERIC, out_octets) \
	X(out_ucast_pkts,                    bigint,      GF_COL_IFC_GENERIC,  BITS,        out_ucast_pkts) \
	X(out_multicast_pkts,                bigint,      GF_COL_IFC_GENERIC,  BITS,        out_multicast_pkts) \
	X(out_broadcast_pkts,                bigint,      GF_COL_IFC_GENERIC,  BITS,        out_broadcast_pkts) \
	X(out_discards,                      bigint,      GF_COL_IFC_GENERIC,  BITS,        out_discards) \
	X(out_errors,                        bigint,      GF_COL_IFC_GENERIC,  BITS,        out_errors) \
	X(promiscuous_mode,                  int,         GF_COL_IFC_GENERIC,  BITS,        promiscuous_mode) \
	X(dot3_alignment_errors,             bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_alignment_errors) \
	X(dot3_fcs_errors,                   bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_fcs_errors) \
	X(dot3_single_collision_frames,      bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_single_collision_frames) \
	X(dot3_multiple_collision_frames,    bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_multiple_collision_frames) \
	X(dot3_sqe_test_errors,              bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_sqe_test_errors) \
	X(dot3_deferred_transmissions,       bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_deferred_transmissions) \
	X(dot3_late_collisions,              bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_late_collisions) \
	X(dot3_excessive_collisions,         bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_excessive_collisions) \
	X(dot3_internal_mac_transmit_errors, bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_internal_mac_transmit_errors) \
	X(dot3_carrier_sense_errors,         bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_carrier_sense_errors) \
	X(dot3_frame_too_longs,              bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_frame_too_longs) \
	X(dot3_internal_mac_receive_errors,  bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_internal_mac_receive_errors) \
	X(dot3_symbol_errors,                bigint,      GF_COL_IFC_ETHERNET, BITS,        dot3_symbol_errors)

/*
 * Column positions (0-based: index into a row's values[]), named
 * GF_FLOW_COL_<column> and GF_IFC_COL_<column>, and the column counts.
 */
#define GF_COL_ENUM_FLOW(col, ...)	GF_FLOW_COL_##col,
#define GF_COL_ENUM_IFC(col, ...)	GF_IFC_COL_##col,
enum
{
	GF_FLOW_COLUMN_LIST(GF_COL_ENUM_FLOW)
	GF_FLOW_NCOLS
};
enum
{
	GF_IFCOUNTERS_COLUMN_LIST(GF_COL_ENUM_IFC)
	GF_IFCOUNTERS_NCOLS
};
#undef GF_COL_ENUM_FLOW
#undef GF_COL_ENUM_IFC

#endif							/* GF_FLOW_COLUMNS_H */
