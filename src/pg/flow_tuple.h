/*
 * flow_tuple.h
 *    Turns the core's records into SQL rows: gf_flow into a row of
 *    goflow2plus.flows, gf_ifcounters into a row of
 *    goflow2plus.interface_counters and an sFlow drop sample into a row of
 *    goflow2plus.sflow_drops.  Both the table writer and the SQL
 *    decode() function go through here, so a column is converted in one
 *    place only.
 *
 *    The column lists are the contract with sql/goflow2plus--0.1.sql:
 *    GF_FLOW_COLUMN_LIST and GF_IFCOUNTERS_COLUMN_LIST in
 *    src/core/include/flow_columns.h (the records are the core's),
 *    GF_DROP_COLUMN_LIST below (the record is GfDropRow).  Everything here
 *    (column arrays, positions, fill code, goflow2plus._columns()) is
 *    expanded from them; test/regress/sql/10_columns.sql checks that the
 *    installed tables match.  A table (or row type) is matched to the
 *    lists by column name, so a user may add columns or drop and re-add
 *    ours in another order; a missing column or a changed type is an
 *    ERROR that names the column.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_FLOW_TUPLE_H
#define GF_FLOW_TUPLE_H

#include "access/tupdesc.h"
#include "datatype/timestamp.h"

#include "flow.h"
#include "flow_columns.h"
#include "ifcounters.h"
#include "sflow.h"

/*
 * Bytes of a dropped packet's header kept in goflow2plus.sflow_drops.header.
 * Agents usually send 128 (the sFlow default header size); a longer header
 * is cut here (frame_length still gives the packet's full length), so that
 * a drop row stays small and its size known.
 */
#define GF_DROP_HEADER_MAX	256

/*
 * A drop sample as buffered by the writer: what the row needs, with the
 * header bytes copied out of the datagram (which the next recvmmsg reuses).
 */
typedef struct GfDropRow
{
	uint64		time_received_ns;
	gf_addr		agent;
	uint32		sub_agent_id;
	uint32		sequence_num;
	uint32		source_id_type;
	uint32		source_id_index;
	uint32		drops;
	uint32		in_if;
	uint32		out_if;
	uint32		reason;
	uint32		header_protocol;
	uint32		frame_length;
	bool		has_header;		/* the sample carried a raw header record */
	uint16		header_len;		/* bytes in header[], <= GF_DROP_HEADER_MAX */
	/* Parsed from the header: presence bits as in gf_flow. */
	uint64		present;
	gf_addr		src_addr;
	gf_addr		dst_addr;
	uint32		etype;
	uint32		proto;
	uint32		src_port;
	uint32		dst_port;
	uint32		vlan_id;
	uint8		src_mac[6];
	uint8		dst_mac[6];
	/* The drop-specific records (sflow.h's gf_drop_sample, GF_DROP_EXT_*). */
	uint32		ext;
	uint32		egress_queue;
	uint32		acl_number;
	uint32		acl_direction;
	uint32		transit_delay_ns;
	uint32		queue_depth;
	char		acl_name[GF_DROP_TEXT_MAX];
	char		function[GF_DROP_TEXT_MAX];
	char		hw_trap_group[GF_DROP_TEXT_MAX];
	char		hw_trap[GF_DROP_TEXT_MAX];
	char		linux_reason[GF_DROP_TEXT_MAX];
	uint8		header[GF_DROP_HEADER_MAX];
} GfDropRow;

/* sflow_drops: the raw header record's columns, NULL without one. */
#define GF_COL_DROP_HEADER	68
/*
 * ... and the drop-specific records' columns: GF_COL_DROP_EXT + the bit
 * number of the record in GF_DROP_EXT_* (NULL when it was not sent).
 */
#define GF_COL_DROP_EXT		80

/*
 * goflow2plus.sflow_drops, from GfDropRow; entries as in flow_columns.h
 * (HEADER's source is the bytes and their count).
 */
#define GF_DROP_COLUMN_LIST(X) \
	X(time_received,   timestamptz, GF_COL_ALWAYS,      TIME_NS, time_received_ns) \
	X(sampler_address, inet,        GF_COL_BY_VALUE,    ADDR,    agent) \
	X(sub_agent_id,    bigint,      GF_COL_ALWAYS,      BITS,    sub_agent_id) \
	X(sequence_num,    bigint,      GF_COL_ALWAYS,      BITS,    sequence_num) \
	X(source_id_type,  int,         GF_COL_ALWAYS,      BITS,    source_id_type) \
	X(source_id_index, bigint,      GF_COL_ALWAYS,      BITS,    source_id_index) \
	X(drops,           bigint,      GF_COL_ALWAYS,      BITS,    drops) \
	X(in_if,           bigint,      GF_COL_ALWAYS,      BITS,    in_if) \
	X(out_if,          bigint,      GF_COL_ALWAYS,      BITS,    out_if) \
	X(reason,          int,         GF_COL_ALWAYS,      BITS,    reason) \
	X(header_protocol, int,         GF_COL_DROP_HEADER, BITS,    header_protocol) \
	X(frame_length,    bigint,      GF_COL_DROP_HEADER, BITS,    frame_length) \
	X(header,          bytea,       GF_COL_DROP_HEADER, HEADER,  header, header_len) \
	X(src_addr,        inet,        GF_COL_BY_VALUE,    ADDR,    src_addr) \
	X(dst_addr,        inet,        GF_COL_BY_VALUE,    ADDR,    dst_addr) \
	X(etype,           int,         GF_F_ETYPE,         UINT,    etype) \
	X(proto,           int,         GF_F_PROTO,         UINT,    proto) \
	X(src_port,        int,         GF_F_SRC_PORT,      UINT,    src_port) \
	X(dst_port,        int,         GF_F_DST_PORT,      UINT,    dst_port) \
	X(src_mac,         macaddr,     GF_F_SRC_MAC,       MAC,     src_mac) \
	X(dst_mac,         macaddr,     GF_F_DST_MAC,       MAC,     dst_mac) \
	X(vlan_id,         bigint,      GF_F_VLAN_ID,       UINT,    vlan_id) \
	X(egress_queue,    bigint,      GF_COL_DROP_EXT + 0, UINT,   egress_queue) \
	X(acl_number,      bigint,      GF_COL_DROP_EXT + 1, UINT,   acl_number) \
	X(acl_name,        text,        GF_COL_DROP_EXT + 1, CSTR,   acl_name) \
	X(acl_direction,   int,         GF_COL_DROP_EXT + 1, BITS,   acl_direction) \
	X(function,        text,        GF_COL_DROP_EXT + 2, CSTR,   function) \
	X(transit_delay_ns, bigint,     GF_COL_DROP_EXT + 3, UINT,   transit_delay_ns) \
	X(queue_depth,     bigint,      GF_COL_DROP_EXT + 4, UINT,   queue_depth) \
	X(hw_trap_group,   text,        GF_COL_DROP_EXT + 5, CSTR,   hw_trap_group) \
	X(hw_trap,         text,        GF_COL_DROP_EXT + 5, CSTR,   hw_trap) \
	X(linux_reason,    text,        GF_COL_DROP_EXT + 6, CSTR,   linux_reason)

/* Column positions GF_DROP_COL_<column> and the count. */
#define GF_COL_ENUM_DROP(col, ...)	GF_DROP_COL_##col,
enum
{
	GF_DROP_COLUMN_LIST(GF_COL_ENUM_DROP)
	GF_DROP_NCOLS
};
#undef GF_COL_ENUM_DROP

/*
 * One column we write: its name, its type and whether it is never NULL
 * (presence GF_COL_ALWAYS in its list).
 */
typedef struct GfColumn
{
	const char *name;
	Oid			type;
	bool		always_set;
} GfColumn;

extern const GfColumn gf_flow_columns[GF_FLOW_NCOLS];
extern const GfColumn gf_ifcounters_columns[GF_IFCOUNTERS_NCOLS];
extern const GfColumn gf_drop_columns[GF_DROP_NCOLS];

/*
 * The column list of a table of ours by its name ("flows",
 * "interface_counters", "sflow_drops"), with its length in *ncols; NULL
 * for any other name.
 */
extern const GfColumn *gf_table_columns(const char *table, int *ncols);

/*
 * Where each attribute of a tuple descriptor takes its value from: src[i]
 * is the index into our column list for attribute i+1, or -1 for a dropped
 * or foreign (user-added) attribute, which is left NULL.
 */
typedef struct GfColumnMap
{
	int			natts;
	int16	   *src;
	bool		complete;		/* every live attribute is one of ours */
	bool		identity;		/* attribute i+1 is our column i, all i */
} GfColumnMap;

/*
 * Build the map in CurrentMemoryContext.  ERRORs when one of our columns is
 * missing from 'td' or has another type; 'what' names the target in the
 * message (e.g. "goflow2plus.flows").
 */
extern void gf_colmap_build(GfColumnMap *map, TupleDesc td,
							const GfColumn *cols, int ncols,
							const char *what);

/*
 * Fill values[]/nulls[] (GF_FLOW_NCOLS / GF_IFCOUNTERS_NCOLS entries, in
 * our column order).
 *
 * gf_flow_datums: the inet/cidr/macaddr values point into a static
 * per-backend buffer that the next call overwrites, so form the tuple (or
 * put it in a tuplestore) before converting the next record.  Text and
 * arrays are palloc'd in CurrentMemoryContext (or cached for the backend).
 * gf_ifcounters_datums: everything is palloc'd in CurrentMemoryContext.
 */
extern void gf_flow_datums(const gf_flow *f, Datum *values, bool *nulls);
extern void gf_ifcounters_datums(const gf_ifcounters *c, Datum *values,
								 bool *nulls);

/* Copy what a drop row needs out of a sink's gf_drop_sample. */
extern void gf_drop_row_fill(GfDropRow *row, const gf_drop_sample *d);

/* GF_DROP_NCOLS values; everything is palloc'd in CurrentMemoryContext. */
extern void gf_drop_datums(const GfDropRow *r, Datum *values, bool *nulls);

/* Spread our values over a tuple descriptor's attributes through a map. */
extern void gf_colmap_apply(const GfColumnMap *map, const Datum *src_values,
							const bool *src_nulls, Datum *values, bool *nulls);

/* Unix-epoch nanoseconds to timestamptz (microseconds since 2000-01-01). */
extern TimestampTz gf_ns_to_timestamptz(uint64 ns);

#endif							/* GF_FLOW_TUPLE_H */
