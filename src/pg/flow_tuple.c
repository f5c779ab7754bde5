/*
 * flow_tuple.c
 *    gf_flow -> row of goflow2plus.flows, gf_ifcounters -> row of
 *    goflow2plus.interface_counters, sFlow drop sample -> row of
 *    goflow2plus.sflow_drops, and the by-name column map that lets a
 *    user-altered table still be written.
 *
 *    Conversions, chosen for speed and to keep every bit the exporter sent:
 *    - a field whose presence bit is clear is NULL;
 *    - addresses of family 0 are NULL;
 *    - src_net/dst_net are src_addr/dst_addr masked to the prefix length,
 *      NULL unless both the address and the length are known (and the
 *      length fits the family);
 *    - unsigned 32-bit values go to bigint columns unchanged; unsigned
 *      64-bit values (bytes, packets, sampling_rate) go to bigint when they
 *      fit and are NULL above 2^63-1: bigint cannot hold them, and a
 *      negative count would be worse than an unknown one;
 *    - interface counters that are 64-bit on the wire go to numeric, which
 *      holds every uint64 (these rows are rare: one per interface per
 *      counter interval); sFlow's 32-bit words (counters, sub-agent and
 *      source ids, drop reasons) are kept bit for bit.
 *
 *    Which conversion each column gets is said once, in its table's column
 *    list (flow_columns.h, GF_DROP_COLUMN_LIST in flow_tuple.h); the column
 *    arrays and the three *_datums() functions below are expanded from the
 *    lists, one GF_PUT_<how> per column.
 */
#include "postgres.h"

#include <sys/socket.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "context_attach.h"
#include "flow_extra.h"
#include "flow_tuple.h"

/* The type OID behind each sqltype tag of the column lists. */
#define GF_SQLTYPE_text			TEXTOID
#define GF_SQLTYPE_timestamptz	TIMESTAMPTZOID
#define GF_SQLTYPE_bigint		INT8OID
#define GF_SQLTYPE_int			INT4OID
#define GF_SQLTYPE_numeric		NUMERICOID
#define GF_SQLTYPE_inet			INETOID
#define GF_SQLTYPE_cidr			CIDROID
#define GF_SQLTYPE_macaddr		MACADDROID
#define GF_SQLTYPE_bytea		BYTEAOID
#define GF_SQLTYPE_bigint_array	INT8ARRAYOID
#define GF_SQLTYPE_int_array	INT4ARRAYOID
#define GF_SQLTYPE_jsonb		JSONBOID

#define GF_COLUMN_ENTRY(col, sqltype, presence, ...) \
	{#col, GF_SQLTYPE_##sqltype, (presence) == GF_COL_ALWAYS},

const GfColumn gf_flow_columns[GF_FLOW_NCOLS] = {
	GF_FLOW_COLUMN_LIST(GF_COLUMN_ENTRY)
};

const GfColumn gf_ifcounters_columns[GF_IFCOUNTERS_NCOLS] = {
	GF_IFCOUNTERS_COLUMN_LIST(GF_COLUMN_ENTRY)
};

const GfColumn gf_drop_columns[GF_DROP_NCOLS] = {
	GF_DROP_COLUMN_LIST(GF_COLUMN_ENTRY)
};

const GfColumn *
gf_table_columns(const char *table, int *ncols)
{
	if (strcmp(table, "flows") == 0)
	{
		*ncols = GF_FLOW_NCOLS;
		return gf_flow_columns;
	}
	if (strcmp(table, "interface_counters") == 0)
	{
		*ncols = GF_IFCOUNTERS_NCOLS;
		return gf_ifcounters_columns;
	}
	if (strcmp(table, "sflow_drops") == 0)
	{
		*ncols = GF_DROP_NCOLS;
		return gf_drop_columns;
	}
	*ncols = 0;
	return NULL;
}

/* Microseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
#define GF_PG_EPOCH_OFFSET_US \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * USECS_PER_SEC)

TimestampTz
gf_ns_to_timestamptz(uint64 ns)
{
	/* ns / 1000 < 2^54, far inside the timestamp range. */
	return (TimestampTz) (ns / 1000) - GF_PG_EPOCH_OFFSET_US;
}

/*
 * Per-row scratch for the fixed-size pass-by-reference values of a flow
 * row (inet, cidr, macaddr).  Building them here instead of
 * palloc'ing each one takes several allocations off every row; the
 * catch is that they are only valid until the next gf_flow_datums() call
 * (see flow_tuple.h).  The union keeps each inet 4-byte aligned for its
 * length word.
 */
typedef union GfValueBuf
{
	inet		inet;
	macaddr		mac;
	int32		align;
} GfValueBuf;

/* One per column (most go unused), so no column needs counting. */
static GfValueBuf gf_flow_row_buf[GF_FLOW_NCOLS];

/* Where interface counter and drop rows build theirs. */
#define GF_PALLOC_VALUE_BUF() ((GfValueBuf *) palloc(sizeof(GfValueBuf)))

/*
 * An inet (or cidr) value from a core address, built in *res.  For cidr
 * the host bits beyond 'bits' are cleared, as the cidr type requires.
 */
static Datum
gf_addr_datum_in(inet *res, const gf_addr *a, int bits, bool is_cidr)
{
	int			nbytes = a->family == 4 ? 4 : 16;
	int			i;

	/*
	 * The ip_* macros go through VARDATA_ANY, which reads the length word:
	 * give it a 4-byte header before using them (reused or palloc'd memory
	 * might look like a 1-byte header).  The final size is set below.
	 */
	SET_VARSIZE(res, sizeof(inet));
	ip_family(res) = a->family == 4 ? PGSQL_AF_INET : PGSQL_AF_INET6;
	ip_bits(res) = (unsigned char) bits;
	memcpy(ip_addr(res), a->bytes, nbytes);
	if (is_cidr)
	{
		for (i = 0; i < nbytes; i++)
		{
			int			keep = bits - i * 8;

			if (keep <= 0)
				ip_addr(res)[i] = 0;
			else if (keep < 8)
				ip_addr(res)[i] &= (unsigned char) (0xff << (8 - keep));
		}
	}
	SET_INET_VARSIZE(res);
	return InetPGetDatum(res);
}

/* An inet column; *res is the scratch (or palloc'd) space to build it in. */
static inline void
gf_put_addr(inet *res, const gf_addr *a, Datum *value, bool *isnull)
{
	if (a->family == 4 || a->family == 6)
	{
		*value = gf_addr_datum_in(res, a, a->family == 4 ? 32 : 128, false);
		*isnull = false;
	}
	else
		*isnull = true;
}

/* A network column: address masked to a prefix length known to fit. */
static inline void
gf_put_net(inet *res, const gf_addr *a, bool has_len, uint8 len,
		   Datum *value, bool *isnull)
{
	int			maxbits = a->family == 4 ? 32 : 128;

	if (has_len && (a->family == 4 || a->family == 6) && len <= maxbits)
	{
		*value = gf_addr_datum_in(res, a, len, true);
		*isnull = false;
	}
	else
		*isnull = true;
}

static Datum
gf_mac_datum_in(macaddr *res, const uint8_t *m)
{
	res->a = m[0];
	res->b = m[1];
	res->c = m[2];
	res->d = m[3];
	res->e = m[4];
	res->f = m[5];
	return MacaddrPGetDatum(res);
}

/* bigint[] (as_path, bgp_communities) or int[] (mpls_label); NULL if empty. */
static void
gf_put_u32_array(const uint32_t *v, int n, int max, bool as_int8,
				 Datum *value, bool *isnull)
{
	Datum		elems[Max(GF_MAX_AS_PATH, Max(GF_MAX_COMMUNITIES, GF_MAX_MPLS))];
	int			i;

	if (n > max)
		n = max;				/* the core bounds it; do not trust it twice */
	if (n <= 0)
	{
		*isnull = true;
		return;
	}
	for (i = 0; i < n; i++)
		elems[i] = as_int8 ? Int64GetDatum((int64) v[i]) : Int32GetDatum((int32) v[i]);
	if (as_int8)
		*value = PointerGetDatum(construct_array(elems, n, INT8OID, 8,
												 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	else
		*value = PointerGetDatum(construct_array(elems, n, INT4OID, 4,
												 true, TYPALIGN_INT));
	*isnull = false;
}

/*
 * The type column holds one of a few strings; build each text value once
 * per backend instead of once per row.
 */
static Datum
gf_type_datum(gf_flow_type t)
{
	static text *cache[GF_TYPE_LAST + 2];
	int			slot = (t >= GF_TYPE_UNKNOWN && t <= GF_TYPE_LAST) ? (int) t : GF_TYPE_LAST + 1;

	if (cache[slot] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		cache[slot] = cstring_to_text(gf_flow_type_name(t));
		MemoryContextSwitchTo(old);
	}
	return PointerGetDatum(cache[slot]);
}

/*
 * The fill code, one GF_PUT_<how> per conversion of the column lists
 * (flow_columns.h); each takes the row's values[] and nulls[], the
 * column's position, whether the value is present, the column's type OID,
 * scratch space for a fixed-size pass-by-reference value, the record and
 * the source member(s) named in the list.  'scratch' is an expression,
 * evaluated only when the value needs the space.
 */

/* FlowType name, cached per backend; always present. */
#define GF_PUT_FLOW_TYPE(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == TEXTOID, "FLOW_TYPE fills text"); \
		values[col] = gf_type_datum((rec)->member); \
		nulls[col] = !(present); \
	} while (0)

#define GF_PUT_TIME_NS(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == TIMESTAMPTZOID, "TIME_NS fills timestamptz"); \
		if (present) \
		{ values[col] = TimestampTzGetDatum(gf_ns_to_timestamptz((rec)->member)); nulls[col] = false; } \
		else nulls[col] = true; \
	} while (0)

/*
 * An unsigned value for a signed column.  bigint: a uint64 above 2^63-1
 * (only a hostile or broken exporter sends one for bytes, packets or a
 * sampling rate) is written as NULL, since a negative count would be
 * worse than an unknown one.  int: the field is at most 20 bits wide by
 * its definition; only a malformed template can carry more, and such a
 * value is written as NULL rather than wrapped to a negative number.
 */
#define GF_PUT_UINT(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		uint64		v_ = (uint64) (rec)->member; \
		StaticAssertStmt((typoid) == INT8OID || (typoid) == INT4OID, "UINT fills bigint or int"); \
		if ((present) && v_ <= ((typoid) == INT8OID ? (uint64) PG_INT64_MAX : (uint64) PG_INT32_MAX)) \
		{ \
			values[col] = (typoid) == INT8OID ? Int64GetDatum((int64) v_) : Int32GetDatum((int32) v_); \
			nulls[col] = false; \
		} \
		else nulls[col] = true; \
	} while (0)

/*
 * A 32-bit word kept bit for bit: bigint holds it, int takes it two's
 * complement (sFlow's source_id_type, drop reason, ... are codes, not
 * counts).
 */
#define GF_PUT_BITS(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt(sizeof((rec)->member) <= 4, "BITS fills from a 32-bit word"); \
		StaticAssertStmt((typoid) == INT8OID || (typoid) == INT4OID, "BITS fills bigint or int"); \
		if (present) \
		{ \
			values[col] = (typoid) == INT8OID ? Int64GetDatum((int64) (rec)->member) \
				: Int32GetDatum((int32) (rec)->member); \
			nulls[col] = false; \
		} \
		else nulls[col] = true; \
	} while (0)

#define GF_PUT_U64_NUMERIC(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == NUMERICOID, "U64_NUMERIC fills numeric"); \
		if (present) \
		{ values[col] = gf_u64_numeric((rec)->member); nulls[col] = false; } \
		else nulls[col] = true; \
	} while (0)

/* NULL for family 0: 'present' is GF_COL_BY_VALUE, always true here. */
#define GF_PUT_ADDR(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == INETOID, "ADDR fills inet"); \
		gf_put_addr(&(scratch)->inet, &(rec)->member, &values[col], &nulls[col]); \
	} while (0)

#define GF_PUT_NET(values, nulls, col, present, typoid, scratch, rec, addr, len) \
	do { \
		StaticAssertStmt((typoid) == CIDROID, "NET fills cidr"); \
		gf_put_net(&(scratch)->inet, &(rec)->addr, (present), (rec)->len, \
				   &values[col], &nulls[col]); \
	} while (0)

#define GF_PUT_MAC(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == MACADDROID, "MAC fills macaddr"); \
		if (present) \
		{ values[col] = gf_mac_datum_in(&(scratch)->mac, (rec)->member); nulls[col] = false; } \
		else nulls[col] = true; \
	} while (0)

/* NULL when empty: 'present' is GF_COL_BY_VALUE, always true here. */
#define GF_PUT_U32_ARRAY(values, nulls, col, present, typoid, scratch, rec, array, count, max) \
	do { \
		StaticAssertStmt((typoid) == INT8ARRAYOID || (typoid) == INT4ARRAYOID, \
						 "U32_ARRAY fills bigint[] or int[]"); \
		gf_put_u32_array((rec)->array, (rec)->count, (max), (typoid) == INT8ARRAYOID, \
						 &values[col], &nulls[col]); \
	} while (0)

#define GF_PUT_HEADER(values, nulls, col, present, typoid, scratch, rec, bytes, len) \
	do { \
		StaticAssertStmt((typoid) == BYTEAOID, "HEADER fills bytea"); \
		if (present) \
		{ values[col] = gf_bytea_datum((rec)->bytes, (rec)->len); nulls[col] = false; } \
		else nulls[col] = true; \
	} while (0)

/* A text from a NUL-terminated buffer of the record; NULL when empty. */
#define GF_PUT_CSTR(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == TEXTOID, "CSTR fills text"); \
		if ((present) && (rec)->member[0] != '\0') \
		{ values[col] = CStringGetTextDatum((rec)->member); nulls[col] = false; } \
		else nulls[col] = true; \
	} while (0)

/* Where the sampling rate came from: NULL when no rate is known. */
#define GF_PUT_RATE_SOURCE(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == TEXTOID, "RATE_SOURCE fills text"); \
		nulls[col] = !gf_rate_source_datum((rec)->member, &values[col]); \
	} while (0)

/*
 * A field of the context entry the record references (context_attach.c
 * keeps one Datum per entry and field for the snapshot in use); NULL when
 * the record references none or the field is unset.
 */
#define GF_PUT_CTX(values, nulls, col, present, typoid, scratch, rec, kind, member, field) \
	do { \
		StaticAssertStmt((typoid) == TEXTOID || (typoid) == JSONBOID || (typoid) == INT8OID, \
						 "CTX fills text, jsonb or bigint"); \
		nulls[col] = !gf_context_datum(GF_CTXK_##kind, (rec)->member, GF_CTXF_##field, \
									   &values[col]); \
	} while (0)

#define GF_PUT_COUNTRY(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == TEXTOID, "COUNTRY fills text"); \
		nulls[col] = !gf_country_datum((rec)->member, &values[col]); \
	} while (0)

/*
 * Custom mapped values (flow_extra.h) as a jsonb object; NULL without
 * any.  Parsing the text costs microseconds, paid only by flows that
 * carry custom values.
 */
#define GF_PUT_EXTRA(values, nulls, col, present, typoid, scratch, rec, member) \
	do { \
		StaticAssertStmt((typoid) == JSONBOID, "EXTRA fills jsonb"); \
		nulls[col] = (rec)->member == 0 || !gf_extra_datum(rec, &values[col]); \
	} while (0)

static bool
gf_extra_datum(const gf_flow *f, Datum *out)
{
	size_t		n = gf_flow_extra_json(f, NULL, 0);
	char	   *buf;

	if (n == 0)
		return false;
	buf = palloc(n + 3);
	buf[0] = '{';
	(void) gf_flow_extra_json(f, buf + 1, n);
	buf[n + 1] = '}';
	buf[n + 2] = '\0';
	*out = DirectFunctionCall1(jsonb_in, CStringGetDatum(buf));
	pfree(buf);
	return true;
}

/*
 * Is a column of this presence set in the record?  Inline with a constant
 * 'presence', so each test folds to one bit test (or to true).
 */
static inline bool
gf_flow_present(const gf_flow *f, int presence)
{
	return presence == GF_COL_ALWAYS || presence == GF_COL_BY_VALUE ||
		GF_HAS(f, presence);
}

static inline bool
gf_ifc_present(const gf_ifcounters *c, int presence)
{
	if (presence == GF_COL_IFC_GENERIC)
		return c->has_generic;
	if (presence == GF_COL_IFC_ETHERNET)
		return c->has_ethernet;
	return true;				/* GF_COL_ALWAYS, GF_COL_BY_VALUE */
}

static inline bool
gf_drop_present(const GfDropRow *r, int presence)
{
	if (presence == GF_COL_ALWAYS || presence == GF_COL_BY_VALUE)
		return true;
	if (presence == GF_COL_DROP_HEADER)
		return r->has_header;
	if (presence >= GF_COL_DROP_EXT)
		return (r->ext >> (presence - GF_COL_DROP_EXT)) & 1;
	return GF_HAS(r, presence);
}

/* numeric from uint64; the text path is only taken above 2^63-1. */
static Datum
gf_u64_numeric(uint64 v)
{
	char		buf[32];

	if (v <= (uint64) PG_INT64_MAX)
		return NumericGetDatum(int64_to_numeric((int64) v));
	snprintf(buf, sizeof(buf), UINT64_FORMAT, v);
	return DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

static Datum
gf_bytea_datum(const uint8 *bytes, int len)
{
	bytea	   *b = (bytea *) palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), bytes, len);
	return PointerGetDatum(b);
}

/*
 * The gf_flow presence bits a column list uses: OR'd to see which are
 * used, summed to see that none is used twice (the sum exceeds the OR
 * then).  Every bit of gf_flow has exactly one flows column, so a field
 * added to flow.h without a column (or given two) does not compile.
 */
#define GF_COL_BIT(presence) \
	((presence) < 64 ? (UINT64CONST(1) << ((presence) & 63)) : UINT64CONST(0))
#define GF_COL_BIT_OR(col, sqltype, presence, ...)	| GF_COL_BIT(presence)
#define GF_COL_BIT_SUM(col, sqltype, presence, ...)	+ GF_COL_BIT(presence)
#define GF_FLOW_BITS_ALL ((UINT64CONST(1) << GF_F__COUNT) - 1)

StaticAssertDecl((0 GF_FLOW_COLUMN_LIST(GF_COL_BIT_OR)) == GF_FLOW_BITS_ALL,
				 "a gf_flow presence bit has no flows column");
StaticAssertDecl((0 GF_FLOW_COLUMN_LIST(GF_COL_BIT_SUM)) == GF_FLOW_BITS_ALL,
				 "a gf_flow presence bit has two flows columns");

/* The presence bits sflow_drops has columns for; GfDropRow keeps these. */
#define GF_DROP_BITS (0 GF_DROP_COLUMN_LIST(GF_COL_BIT_OR))

/*
 * Expand a list entry into its GF_PUT_<how>.  GF_PUT_EXPAND rescans its
 * arguments, so the source member(s) of the entry become separate
 * arguments of the GF_PUT_ macro.
 */
#define GF_PUT_EXPAND(put, ...) put(__VA_ARGS__)

void
gf_flow_datums(const gf_flow *f, Datum *values, bool *nulls)
{
#define GF_FLOW_FILL(col, sqltype, presence, how, ...) \
	GF_PUT_EXPAND(GF_PUT_##how, values, nulls, GF_FLOW_COL_##col, \
				  gf_flow_present(f, presence), GF_SQLTYPE_##sqltype, \
				  &gf_flow_row_buf[GF_FLOW_COL_##col], f, __VA_ARGS__);
	GF_FLOW_COLUMN_LIST(GF_FLOW_FILL)
#undef GF_FLOW_FILL
}

void
gf_ifcounters_datums(const gf_ifcounters *c, Datum *values, bool *nulls)
{
#define GF_IFC_FILL(col, sqltype, presence, how, ...) \
	GF_PUT_EXPAND(GF_PUT_##how, values, nulls, GF_IFC_COL_##col, \
				  gf_ifc_present(c, presence), GF_SQLTYPE_##sqltype, \
				  GF_PALLOC_VALUE_BUF(), c, __VA_ARGS__);
	GF_IFCOUNTERS_COLUMN_LIST(GF_IFC_FILL)
#undef GF_IFC_FILL
}

void
gf_drop_row_fill(GfDropRow *row, const gf_drop_sample *d)
{
	const gf_flow *f = &d->flow;
	size_t		n = d->header_len;

	memset(row, 0, offsetof(GfDropRow, header));
	row->time_received_ns = d->time_received_ns;
	row->agent = d->agent;
	row->sub_agent_id = d->sub_agent_id;
	row->sequence_num = d->sequence_num;
	row->source_id_type = d->source_id_type;
	row->source_id_index = d->source_id_index;
	row->drops = d->drops;
	row->in_if = d->in_if;
	row->out_if = d->out_if;
	row->reason = d->reason;
	row->header_protocol = d->header_protocol;
	row->frame_length = d->frame_length;
	row->has_header = (d->header != NULL);
	if (!row->has_header || n > GF_DROP_HEADER_MAX)
		n = row->has_header ? GF_DROP_HEADER_MAX : 0;
	row->header_len = (uint16) n;
	if (n > 0)
		memcpy(row->header, d->header, n);

	/* Only the fields the table has; the bits say which were parsed. */
	row->present = f->present & GF_DROP_BITS;
	row->src_addr = f->src_addr;
	row->dst_addr = f->dst_addr;
	row->etype = f->etype;
	row->proto = f->proto;
	row->src_port = f->src_port;
	row->dst_port = f->dst_port;
	row->vlan_id = f->vlan_id;
	memcpy(row->src_mac, f->src_mac, 6);
	memcpy(row->dst_mac, f->dst_mac, 6);

	/* The core's texts are NUL-terminated within GF_DROP_TEXT_MAX. */
	row->ext = d->ext;
	row->egress_queue = d->egress_queue;
	row->acl_number = d->acl_number;
	row->acl_direction = d->acl_direction;
	row->transit_delay_ns = d->transit_delay_ns;
	row->queue_depth = d->queue_depth;
	memcpy(row->acl_name, d->acl_name, GF_DROP_TEXT_MAX);
	memcpy(row->function, d->function, GF_DROP_TEXT_MAX);
	memcpy(row->hw_trap_group, d->hw_trap_group, GF_DROP_TEXT_MAX);
	memcpy(row->hw_trap, d->hw_trap, GF_DROP_TEXT_MAX);
	memcpy(row->linux_reason, d->linux_reason, GF_DROP_TEXT_MAX);
}

void
gf_drop_datums(const GfDropRow *r, Datum *values, bool *nulls)
{
#define GF_DROP_FILL(col, sqltype, presence, how, ...) \
	GF_PUT_EXPAND(GF_PUT_##how, values, nulls, GF_DROP_COL_##col, \
				  gf_drop_present(r, presence), GF_SQLTYPE_##sqltype, \
				  GF_PALLOC_VALUE_BUF(), r, __VA_ARGS__);
	GF_DROP_COLUMN_LIST(GF_DROP_FILL)
#undef GF_DROP_FILL
}

void
gf_colmap_build(GfColumnMap *map, TupleDesc td, const GfColumn *cols,
				int ncols, const char *what)
{
	bool		found[Max((int) GF_FLOW_NCOLS,
					  Max((int) GF_IFCOUNTERS_NCOLS, (int) GF_DROP_NCOLS))];
	int			i;
	int			j;

	Assert(ncols <= lengthof(found));
	memset(found, 0, sizeof(found));
	map->natts = td->natts;
	map->src = (int16 *) palloc(sizeof(int16) * Max(td->natts, 1));
	map->complete = true;
	map->identity = (td->natts == ncols);

	for (i = 0; i < td->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(td, i);
		const char *name = NameStr(att->attname);

		map->src[i] = -1;
		if (att->attisdropped)
		{
			map->identity = false;
			continue;
		}
		/* The usual case: our column sits where the install script put it. */
		if (i < ncols && strcmp(name, cols[i].name) == 0)
			j = i;
		else
		{
			map->identity = false;
			for (j = 0; j < ncols; j++)
				if (strcmp(name, cols[j].name) == 0)
					break;
		}
		if (j == ncols)
		{
			map->complete = false;	/* a column the user added */
			continue;
		}
		if (att->atttypid != cols[j].type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of %s has type %s, goflow2plus writes %s",
							name, what, format_type_be(att->atttypid),
							format_type_be(cols[j].type))));
		map->src[i] = (int16) j;
		found[j] = true;
	}
	for (j = 0; j < ncols; j++)
		if (!found[j])
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("%s has no column \"%s\"", what, cols[j].name),
					 errhint("The goflow2plus writer needs every column of the install script; re-create the extension or add the column back.")));
}

void
gf_colmap_apply(const GfColumnMap *map, const Datum *src_values,
				const bool *src_nulls, Datum *values, bool *nulls)
{
	int			i;

	for (i = 0; i < map->natts; i++)
	{
		int			s = map->src[i];

		if (s >= 0)
		{
			values[i] = src_values[s];
			nulls[i] = src_nulls[s];
		}
		else
		{
			values[i] = (Datum) 0;
			nulls[i] = true;
		}
	}
}
