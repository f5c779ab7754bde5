/*
 * iface_learn.c
 *    What exporters say about their interfaces, kept in goflow2plus.interfaces.
 *
 *    The decoder hands every interface fact it reads to the sink's
 *    interface callback: names and descriptions from NetFlow v9 / IPFIX
 *    options data (Cisco's interface table, sent every few minutes),
 *    speeds from sFlow counter samples (every 20 s or so per interface).
 *    Almost all of them repeat what was said before, and a row written to
 *    goflow2plus.interfaces makes the context builder rebuild, so this
 *    module remembers, per worker, what each (exporter, ifIndex) said last
 *    and writes only what changed.
 *
 *    Memory: a chained hash table of at most GF_IFACE_LEARN_MAX entries in
 *    a context of its own; each entry holds its texts (at most 64 and 256
 *    bytes, decode.h), so the whole is bounded (about 30 MB at the very
 *    worst, a few hundred bytes per interface in practice).  The sink
 *    callback runs inside the decoder, where an ERROR would lose the rest
 *    of the datagram: it allocates with MCXT_ALLOC_NO_OOM and counts what
 *    it could not keep (iface_learnt_refused).  The table is keyed with a
 *    seed drawn at start, so chains cannot be made long on purpose.
 *    Entries are never dropped: an interface that vanished costs its
 *    entry until the worker restarts.
 *
 *    Writing: once per tick, when something changed, one INSERT ... SELECT
 *    FROM unnest(arrays) ... ON CONFLICT DO UPDATE for all changed
 *    entries (at most IL_WRITE_MAX per statement), in a transaction of its
 *    own, as state_store.c does for templates: an error here must never
 *    cost a batch of flows.  It writes only the learnt_* columns and
 *    learnt_at (the name, description and speed columns are the user's
 *    and win over learnt values where the context is built); a row it
 *    creates has origin 'learnt'.  A fact one protocol does not give (a
 *    speed from NetFlow, a name from sFlow) is NULL in the statement and
 *    leaves the column as it was.  The update is skipped, row by row,
 *    where nothing differs; and since the table's trigger wakes the
 *    context builder for any INSERT statement, even one that changes no
 *    row, a SELECT with the same arrays first counts the rows that would
 *    change and the INSERT runs only when there are some.  So a restarted
 *    worker, which re-sends what the table already holds, causes no
 *    rebuild.  Rows go in key order, so two workers writing at once
 *    cannot deadlock.  Entries are marked written only once the
 *    transaction committed.
 *
 *    A row deleted by hand comes back when that interface's facts change
 *    or the worker restarts, not before: nothing is written while nothing
 *    changes.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "goflow2plus.h"
#include "iface_learn.h"
#include "spi_datum.h"

/* Buckets of the hash table (a power of two). */
#define IL_BUCKETS			16384
/* Rows per statement; more are written at the next tick. */
#define IL_WRITE_MAX		8192
/* At most one LOG line per this many ms for failed writes. */
#define IL_LOG_INTERVAL_MS	10000
/* After a failure, or with the table missing, wait this long. */
#define IL_RETRY_MS			10000

/* Where an entry stands with respect to the table. */
typedef enum IlState
{
	IL_CLEAN = 0,				/* the table has what we have */
	IL_DIRTY,					/* changed since last written */
	IL_WRITING					/* in the statement being run */
} IlState;

typedef struct IlEntry
{
	struct IlEntry *next;
	gf_addr		exporter;		/* only the family's bytes are set */
	uint32		if_index;
	uint8		state;			/* IlState */
	bool		has_speed;
	uint64		speed;
	char	   *name;			/* NULL: never said */
	char	   *description;
} IlEntry;

typedef struct IlTable
{
	MemoryContext cxt;
	IlEntry   **buckets;
	uint32		count;
	uint32		dirty;			/* entries in IL_DIRTY */
	uint64		seed;
	int			slotno;
	uint64	   *written;		/* the worker's counters */
	uint64	   *refused;
	TimestampTz retry_after;	/* no write before this (0: none) */
	TimestampTz last_error_log;
	uint64		errors_unlogged;
	bool		missing_logged; /* "table missing" said, not yet found */
} IlTable;

static IlTable il;

/*
 * The statements' parameters $1..$5: exporter inet[], if_index int8[],
 * name text[], description text[], speed int8[], one element per changed
 * entry.  NULL: not said (keep what the row has).
 */
#define IL_UNNEST \
"unnest($1::inet[], $2::int8[], $3::text[], $4::text[], $5::int8[]) " \
"AS u(exporter, if_index, name, description, speed)"

/* How many rows the upsert would insert or change. */
static const char *const il_count_sql =
"SELECT count(*) FROM " IL_UNNEST " "
"LEFT JOIN goflow2plus.interfaces i "
"ON i.exporter = u.exporter AND i.if_index = u.if_index "
"WHERE i.if_index IS NULL "
"OR (i.learnt_name, i.learnt_description, i.learnt_speed) IS DISTINCT FROM "
"(COALESCE(u.name, i.learnt_name), COALESCE(u.description, i.learnt_description), "
"COALESCE(u.speed, i.learnt_speed))";

static const char *const il_upsert_sql =
"INSERT INTO goflow2plus.interfaces AS i "
"(exporter, if_index, origin, learnt_name, learnt_description, learnt_speed, learnt_at) "
"SELECT u.exporter, u.if_index, 'learnt', u.name, u.description, u.speed, now() "
"FROM " IL_UNNEST " "
"ORDER BY 1, 2 "
"ON CONFLICT (exporter, if_index) DO UPDATE SET "
"learnt_name = COALESCE(EXCLUDED.learnt_name, i.learnt_name), "
"learnt_description = COALESCE(EXCLUDED.learnt_description, i.learnt_description), "
"learnt_speed = COALESCE(EXCLUDED.learnt_speed, i.learnt_speed), "
"learnt_at = EXCLUDED.learnt_at "
"WHERE (i.learnt_name, i.learnt_description, i.learnt_speed) IS DISTINCT FROM "
"(COALESCE(EXCLUDED.learnt_name, i.learnt_name), "
"COALESCE(EXCLUDED.learnt_description, i.learnt_description), "
"COALESCE(EXCLUDED.learnt_speed, i.learnt_speed))";

void
gf_iface_learn_init(int slotno, uint64 *written, uint64 *refused)
{
	memset(&il, 0, sizeof(il));
	il.slotno = slotno;
	il.written = written;
	il.refused = refused;
	il.cxt = AllocSetContextCreate(TopMemoryContext,
								   "goflow2plus learnt interfaces",
								   ALLOCSET_DEFAULT_SIZES);
	il.buckets = MemoryContextAllocZero(il.cxt, sizeof(IlEntry *) * IL_BUCKETS);
	if (!pg_strong_random(&il.seed, sizeof(il.seed)))
		il.seed = (uint64) MyProcPid * UINT64CONST(0x9e3779b97f4a7c15);
}

/* The key with only meaningful bytes: callers' address tails may be junk. */
static void
il_key(const gf_addr *in, gf_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = in->family;
	if (in->family == 4)
		memcpy(out->bytes, in->bytes, 4);
	else if (in->family == 6)
		memcpy(out->bytes, in->bytes, 16);
}

static uint32
il_bucket(const gf_addr *exporter, uint32 if_index)
{
	unsigned char buf[sizeof(gf_addr) + 4];

	memcpy(buf, exporter, sizeof(gf_addr));
	memcpy(buf + sizeof(gf_addr), &if_index, 4);
	return (uint32) (hash_bytes_extended(buf, sizeof(buf), il.seed) &
					 (IL_BUCKETS - 1));
}

static void
il_refuse(void)
{
	if (il.refused)
		(*il.refused)++;
}

static void
il_mark(IlEntry *e)
{
	if (e->state != IL_DIRTY)
	{
		e->state = IL_DIRTY;
		il.dirty++;
	}
}

/*
 * Replace *slot with a copy of text if it differs.  False when the copy
 * could not be allocated (the old text stays).
 */
static bool
il_set_text(char **slot, const char *text, bool *changed)
{
	size_t		len;
	char	   *copy;

	if (*slot != NULL && strcmp(*slot, text) == 0)
		return true;
	len = strlen(text);
	copy = MemoryContextAllocExtended(il.cxt, len + 1, MCXT_ALLOC_NO_OOM);
	if (copy == NULL)
		return false;
	memcpy(copy, text, len + 1);
	if (*slot != NULL)
		pfree(*slot);
	*slot = copy;
	*changed = true;
	return true;
}

void
gf_iface_learn_sink(void *arg, const gf_if_info *info)
{
	gf_addr		key;
	uint32		b;
	IlEntry    *e;
	bool		changed = false;
	bool		ok = true;

	if (il.buckets == NULL || info->exporter.family == 0)
		return;
	if (!info->has_name && !info->has_description && !info->has_speed)
		return;
	il_key(&info->exporter, &key);
	b = il_bucket(&key, info->if_index);
	for (e = il.buckets[b]; e != NULL; e = e->next)
		if (e->if_index == info->if_index &&
			memcmp(&e->exporter, &key, sizeof(key)) == 0)
			break;
	if (e == NULL)
	{
		if (il.count >= GF_IFACE_LEARN_MAX)
		{
			il_refuse();
			return;
		}
		e = MemoryContextAllocExtended(il.cxt, sizeof(IlEntry),
									   MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO);
		if (e == NULL)
		{
			il_refuse();
			return;
		}
		e->exporter = key;
		e->if_index = info->if_index;
		e->next = il.buckets[b];
		il.buckets[b] = e;
		il.count++;
		changed = true;
	}
	if (info->has_name)
		ok = il_set_text(&e->name, info->name, &changed) && ok;
	if (info->has_description)
		ok = il_set_text(&e->description, info->description, &changed) && ok;
	if (info->has_speed && (!e->has_speed || e->speed != info->speed))
	{
		e->has_speed = true;
		e->speed = info->speed;
		changed = true;
	}
	if (!ok)
		il_refuse();
	if (changed)
		il_mark(e);
}

/* Every entry in from becomes to; returns how many did. */
static uint32
il_move_state(IlState from, IlState to)
{
	uint32		n = 0;
	uint32		b;
	IlEntry    *e;

	for (b = 0; b < IL_BUCKETS; b++)
		for (e = il.buckets[b]; e != NULL; e = e->next)
			if (e->state == from)
			{
				e->state = to;
				n++;
			}
	return n;
}

/*
 * Mark up to IL_WRITE_MAX dirty entries IL_WRITING and run the upsert for
 * them, if any row would change.  Inside the caller's transaction and SPI
 * connection; ERRORs propagate.  Returns the rows inserted or updated.
 */
static uint64
il_upsert(void)
{
	int			cap = (int) Min(il.dirty, IL_WRITE_MAX);
	Datum	   *exporters = palloc(sizeof(Datum) * cap);
	Datum	   *indexes = palloc(sizeof(Datum) * cap);
	Datum	   *names = palloc(sizeof(Datum) * cap);
	Datum	   *descriptions = palloc(sizeof(Datum) * cap);
	Datum	   *speeds = palloc(sizeof(Datum) * cap);
	bool	   *nulls_none = palloc0(sizeof(bool) * cap);
	bool	   *name_nulls = palloc(sizeof(bool) * cap);
	bool	   *description_nulls = palloc(sizeof(bool) * cap);
	bool	   *speed_nulls = palloc(sizeof(bool) * cap);
	Oid			argtypes[5] = {INETARRAYOID, INT8ARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, INT8ARRAYOID};
	Datum		args[5];
	int			n = 0;
	uint32		b;
	IlEntry    *e;
	int			rc;

	for (b = 0; b < IL_BUCKETS && n < cap; b++)
		for (e = il.buckets[b]; e != NULL && n < cap; e = e->next)
		{
			if (e->state != IL_DIRTY)
				continue;
			e->state = IL_WRITING;
			exporters[n] = gf_datum_inet(&e->exporter);
			indexes[n] = Int64GetDatum((int64) e->if_index);
			name_nulls[n] = e->name == NULL;
			names[n] = e->name ? CStringGetTextDatum(e->name) : (Datum) 0;
			description_nulls[n] = e->description == NULL;
			descriptions[n] = e->description ?
				CStringGetTextDatum(e->description) : (Datum) 0;
			speed_nulls[n] = !e->has_speed;
			/* bigint: a speed past 2^63-1 b/s is no real one; kept in range. */
			speeds[n] = Int64GetDatum((int64) Min(e->speed, (uint64) PG_INT64_MAX));
			n++;
		}
	if (n == 0)
	{
		/* The count was wrong: put it right rather than try every tick. */
		il.dirty = 0;
		return 0;
	}
	args[0] = gf_datum_array(exporters, nulls_none, n, INETOID);
	args[1] = gf_datum_array(indexes, nulls_none, n, INT8OID);
	args[2] = gf_datum_array(names, name_nulls, n, TEXTOID);
	args[3] = gf_datum_array(descriptions, description_nulls, n, TEXTOID);
	args[4] = gf_datum_array(speeds, speed_nulls, n, INT8OID);
	rc = SPI_execute_with_args(il_count_sql, 5, argtypes, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "counting changed rows of goflow2plus.interfaces failed: %s",
			 SPI_result_code_string(rc));
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0],
									  SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull && DatumGetInt64(d) == 0)
			return 0;			/* the table has it all already */
	}
	rc = SPI_execute_with_args(il_upsert_sql, 5, argtypes, args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "upsert into goflow2plus.interfaces failed: %s",
			 SPI_result_code_string(rc));
	return SPI_processed;
}

/* Does goflow2plus.interfaces exist (extension created, recent enough)? */
static bool
il_table_exists(void)
{
	Oid			nsp;

	if (!OidIsValid(get_extension_oid("goflow2plus", true)))
		return false;
	nsp = get_namespace_oid("goflow2plus", true);
	return OidIsValid(nsp) && OidIsValid(get_relname_relid("interfaces", nsp));
}

static void
il_error_context(void *arg)
{
	errcontext("goflow2plus worker %d writing %u learnt interfaces to goflow2plus.interfaces",
			   il.slotno, (unsigned) Min(il.dirty, IL_WRITE_MAX));
}

void
gf_iface_learn_write(void)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	TimestampTz now;
	bool		present = false;
	uint64		rows = 0;

	if (il.dirty == 0)
		return;
	now = GetCurrentTimestamp();
	if (il.retry_after != 0 && now < il.retry_after)
		return;
	il.retry_after = 0;

	PG_TRY();
	{
		ErrorContextCallback errcb;

		errcb.callback = il_error_context;
		errcb.arg = NULL;
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/* A lock on the table must not stall the receive loop. */
		(void) set_config_option("lock_timeout", GF_LOCK_TIMEOUT,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "goflow2plus: writing learnt interfaces");
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		present = il_table_exists();
		if (present)
			rows = il_upsert();
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		MemoryContextSwitchTo(oldcxt);
		error_context_stack = errcb.previous;

		/* Committed: what was in the statement is in the table. */
		il.dirty -= il_move_state(IL_WRITING, IL_CLEAN);
		if (il.written)
			*il.written += rows;
		if (present && il.missing_logged)
		{
			ereport(LOG,
					(errmsg("goflow2plus worker %d: goflow2plus.interfaces found; writing learnt interface names",
							il.slotno)));
			il.missing_logged = false;
		}
		else if (!present)
		{
			if (!il.missing_logged)
				ereport(LOG,
						(errmsg("goflow2plus worker %d: table goflow2plus.interfaces does not exist; %u learnt interfaces are kept in memory until it does",
								il.slotno, (unsigned) il.count),
						 errhint("CREATE EXTENSION goflow2plus, or ALTER EXTENSION goflow2plus UPDATE.")));
			il.missing_logged = true;
			il.retry_after = TimestampTzPlusMilliseconds(now, IL_RETRY_MS);
		}
	}
	PG_CATCH();
	{
		bool		log_it = TimestampDifferenceExceeds(il.last_error_log, now,
														IL_LOG_INTERVAL_MS);

		MemoryContextSwitchTo(oldcxt);
		if (log_it)
		{
			EmitErrorReport();
			if (il.errors_unlogged > 0)
				ereport(LOG,
						(errmsg("goflow2plus worker %d: %llu more writes of learnt interfaces failed without being logged",
								il.slotno, (unsigned long long) il.errors_unlogged)));
			il.last_error_log = now;
			il.errors_unlogged = 0;
		}
		else
			il.errors_unlogged++;
		FlushErrorState();
		AbortCurrentTransaction();
		/* Rolled back: those entries are still to be written. */
		(void) il_move_state(IL_WRITING, IL_DIRTY);
		il.retry_after = TimestampTzPlusMilliseconds(now, IL_RETRY_MS);
	}
	PG_END_TRY();

	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}
