/*
 * columns_fn.c
 *    goflow2plus._columns(table): the column list compiled into the
 *    library for one of our tables (name, type, never NULL), in the order
 *    the writer fills it.  Internal, for test/regress/sql/10_columns.sql,
 *    which compares it with the installed table so that the install
 *    script and the X-macro lists (src/core/include/flow_columns.h,
 *    src/pg/flow_tuple.h) cannot drift apart unnoticed.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"

#include "flow_tuple.h"

PG_FUNCTION_INFO_V1(goflow2plus__columns);

#define COLUMNS_NCOLS 3

Datum
goflow2plus__columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *table = text_to_cstring(PG_GETARG_TEXT_PP(0));
	const GfColumn *cols;
	int			ncols;
	int			i;

	cols = gf_table_columns(table, &ncols);
	if (cols == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("goflow2plus writes no table \"%s\"", table),
				 errhint("The tables are flows, interface_counters and sflow_drops.")));

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < ncols; i++)
	{
		Datum		values[COLUMNS_NCOLS];
		bool		nulls[COLUMNS_NCOLS] = {0};

		values[0] = CStringGetTextDatum(cols[i].name);
		values[1] = CStringGetTextDatum(format_type_be(cols[i].type));
		values[2] = BoolGetDatum(cols[i].always_set);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
