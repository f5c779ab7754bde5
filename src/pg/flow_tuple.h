/*
 * flow_tuple.h
 *    Turns the core's records into SQL rows: gf_flow into a row of
 *    goflow2plus.flows and gf_ifcounters into a row of
 *    goflow2plus.interface_counters.  Both the table writer and the SQL
 *    decode() function go through here, so a column is converted in one
 *    place only.
 *
 *    The column lists below are the contract with sql/goflow2plus--0.1.sql.
 *    A table (or row type) is matched to them by column name, so a user may
 *    add columns or drop and re-add ours in another order; a missing column
 *    or a changed type is an ERROR that names the column.
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_FLOW_TUPLE_H
#define GF_FLOW_TUPLE_H

#include "access/tupdesc.h"
#include "datatype/timestamp.h"

#include "flow.h"
#include "ifcounters.h"

#define GF_FLOW_NCOLS		47
#define GF_IFCOUNTERS_NCOLS	38

/* One column we write: its name, its type and whether it is never NULL. */
typedef struct GfColumn
{
	const char *name;
	Oid			type;
	bool		always_set;
} GfColumn;

extern const GfColumn gf_flow_columns[GF_FLOW_NCOLS];
extern const GfColumn gf_ifcounters_columns[GF_IFCOUNTERS_NCOLS];

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

/* Spread our values over a tuple descriptor's attributes through a map. */
extern void gf_colmap_apply(const GfColumnMap *map, const Datum *src_values,
							const bool *src_nulls, Datum *values, bool *nulls);

/* Unix-epoch nanoseconds to timestamptz (microseconds since 2000-01-01). */
extern TimestampTz gf_ns_to_timestamptz(uint64 ns);

#endif							/* GF_FLOW_TUPLE_H */
