/*
 * state_store.c
 *    Reads and writes the decoder's NetFlow v9 / IPFIX state (templates,
 *    sampling rates, IPFIX system init times) in goflow2plus.templates and
 *    goflow2plus.sampling.
 *
 *    A worker loads the rows once at start, before it says it is ready,
 *    so the first data set after a restart finds its template.  After
 *    that it saves only what changed (netflow_persist.h gives a state
 *    version and the entries stamped after a given version), from its
 *    one-second tick.  Each sync is a short transaction of its own rather
 *    than part of a batch's transaction: an error here (a table dropped,
 *    a lock) must never cost a batch of flows, and changes are rare.
 *
 *    Rows are untrusted input: the core checks each one as it would a
 *    template from the wire; a refused row is counted
 *    (nf_state_import_rejected), logged (the first few), and skipped.
 */
#include "postgres.h"

#include <time.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "goflow2plus.h"
#include "netflow_persist.h"
#include "spi_datum.h"
#include "state_store.h"

/* At most one LOG line per this many ms for failed syncs. */
#define ST_LOG_INTERVAL_MS	10000
/* Refused rows logged one by one at each load; the rest are counted. */
#define ST_LOG_REFUSED_ROWS 5

/* Microseconds from the UNIX epoch to PostgreSQL's (2000-01-01). */
#define ST_UNIX_TO_PG_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

static const char *const st_load_templates_sql =
"SELECT exporter, version, domain_id, template_id, kind, fields, updated "
"FROM goflow2plus.templates";

static const char *const st_load_sampling_sql =
"SELECT exporter, version, domain_id, per_sampler, sampler_id, rate, "
"init_time_ms FROM goflow2plus.sampling";

/* A saved row is replaced only by a layout learnt later. */
static const char *const st_save_template_sql =
"INSERT INTO goflow2plus.templates AS t "
"(exporter, version, domain_id, template_id, kind, fields, updated) "
"VALUES ($1, $2, $3, $4, $5, $6, $7) "
"ON CONFLICT (exporter, version, domain_id, template_id) DO UPDATE "
"SET kind = EXCLUDED.kind, fields = EXCLUDED.fields, updated = EXCLUDED.updated, "
"heard = now() "
"WHERE t.updated <= EXCLUDED.updated";

static const char *const st_save_sampling_sql =
"INSERT INTO goflow2plus.sampling AS s "
"(exporter, version, domain_id, per_sampler, sampler_id, rate, init_time_ms, updated) "
"VALUES ($1, $2, $3, $4, $5, $6, $7, now()) "
"ON CONFLICT (exporter, version, domain_id, per_sampler, sampler_id) DO UPDATE "
"SET rate = EXCLUDED.rate, init_time_ms = EXCLUDED.init_time_ms, "
"updated = EXCLUDED.updated, heard = now()";

/*
 * Heard: refreshed only when older than the touch period, so a busy
 * exporter costs one row version per period, not one per tick.
 */
static const char *const st_touch_sql[] = {
	"UPDATE goflow2plus.templates SET heard = now() "
	"WHERE exporter = ANY ($1) AND heard < now() - $2 * interval '1 ms'",
	"UPDATE goflow2plus.sampling SET heard = now() "
	"WHERE exporter = ANY ($1) AND heard < now() - $2 * interval '1 ms'",
};

static const char *const st_sweep_sql[] = {
	"DELETE FROM goflow2plus.templates WHERE heard < now() - $1 * interval '1 ms'",
	"DELETE FROM goflow2plus.sampling WHERE heard < now() - $1 * interval '1 ms'",
};

/* What one load found, for its log line. */
typedef struct StLoadCounts
{
	uint64		templates;
	uint64		sampling;
	uint64		refused;
} StLoadCounts;

/* Entries to save, copied out of the decoder before any SPI call. */
typedef struct StTemplate
{
	gf_template_blob b;			/* b.bytes points into a palloc'd copy */
} StTemplate;

typedef struct StCollect
{
	List	   *templates;		/* of StTemplate * */
	List	   *sampling;		/* of gf_sampling_blob * */
} StCollect;

void
gf_state_init(GfStateStore *s, int slotno)
{
	memset(s, 0, sizeof(*s));
	s->slotno = slotno;
	s->started = GetCurrentTimestamp();
	s->last_expire = s->started;
}

bool
gf_state_pending(const GfStateStore *s, gf_decoder *d)
{
	return !s->loaded || gf_decoder_state_version(d) != s->saved_version;
}

/* ---- conversions ------------------------------------------------------ */

static void
st_inet_to_addr(inet *ip, gf_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ip_family(ip) == PGSQL_AF_INET)
		gf_addr_set_v4(a, ip_addr(ip));
	else
		gf_addr_set_v6(a, ip_addr(ip));
}

static TimestampTz
st_ns_to_timestamptz(uint64 ns)
{
	return (TimestampTz) (ns / 1000) - ST_UNIX_TO_PG_USECS;
}

static uint64
st_timestamptz_to_ns(TimestampTz ts)
{
	int64		us = ts + ST_UNIX_TO_PG_USECS;

	/* Before 1970 (or -infinity): as old as can be. */
	return us > 0 ? (uint64) us * 1000 : 0;
}

/* ---- load ------------------------------------------------------------- */

/* A row is refused: count it, log the first few. */
static void
st_refused(GfStateStore *s, gf_decoder *d, StLoadCounts *n, bool counted,
		   const char *table, const char *why)
{
	if (!counted)
		gf_decoder_counters(d)->nf_state_import_rejected++;
	if (n->refused < ST_LOG_REFUSED_ROWS)
		ereport(LOG,
				(errmsg("goflow2plus worker %d: ignored a row of goflow2plus.%s: %s",
						s->slotno, table, why)));
	n->refused++;
}

/* Column col of the current row; false (and *null) when it is NULL. */
static bool
st_col(HeapTuple tup, TupleDesc desc, int col, Datum *v)
{
	bool		isnull;

	*v = SPI_getbinval(tup, desc, col, &isnull);
	return !isnull;
}

static void
st_load_templates(GfStateStore *s, gf_decoder *d, StLoadCounts *n)
{
	uint64		i;

	if (SPI_execute(st_load_templates_sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read goflow2plus.templates");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Datum		v[7];
		gf_template_blob b;
		gf_error	err;
		bytea	   *fields;
		char	   *kind;
		int			c;
		bool		nulls = false;

		for (c = 0; c < 6; c++)
			if (!st_col(tup, desc, c + 1, &v[c]))
				nulls = true;
		if (nulls)
		{
			st_refused(s, d, n, false, "templates", "a NULL in a column other than updated");
			continue;
		}
		memset(&b, 0, sizeof(b));
		st_inet_to_addr(DatumGetInetPP(v[0]), &b.exporter);
		/* Negative values become huge ones, which the core refuses. */
		b.version = (uint32) DatumGetInt32(v[1]);
		b.domain = (uint64) DatumGetInt64(v[2]);
		b.template_id = (uint32) DatumGetInt32(v[3]);
		kind = TextDatumGetCString(v[4]);
		if (strcmp(kind, "data") == 0)
			b.options = false;
		else if (strcmp(kind, "options") == 0)
			b.options = true;
		else
		{
			st_refused(s, d, n, false, "templates", "kind is neither 'data' nor 'options'");
			continue;
		}
		fields = DatumGetByteaPP(v[5]);
		b.bytes = (const uint8_t *) VARDATA_ANY(fields);
		b.len = VARSIZE_ANY_EXHDR(fields);
		if (st_col(tup, desc, 7, &v[6]))
			b.received_ns = st_timestamptz_to_ns(DatumGetTimestampTz(v[6]));

		if (gf_decoder_import_template(d, &b, &err) == GF_OK)
			n->templates++;
		else
			st_refused(s, d, n, true, "templates", err.msg);
	}
}

static void
st_load_sampling(GfStateStore *s, gf_decoder *d, StLoadCounts *n)
{
	uint64		i;

	if (SPI_execute(st_load_sampling_sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read goflow2plus.sampling");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		Datum		v[7];
		gf_sampling_blob b;
		gf_error	err;
		int			c;
		bool		nulls = false;

		for (c = 0; c < 5; c++)
			if (!st_col(tup, desc, c + 1, &v[c]))
				nulls = true;
		if (nulls)
		{
			st_refused(s, d, n, false, "sampling", "a NULL in a key column");
			continue;
		}
		memset(&b, 0, sizeof(b));
		st_inet_to_addr(DatumGetInetPP(v[0]), &b.exporter);
		b.version = (uint32) DatumGetInt32(v[1]);
		b.domain = (uint64) DatumGetInt64(v[2]);
		b.has_sampler = DatumGetBool(v[3]);
		/* Sampler ids, rates and times are u64 kept as bigint bit patterns. */
		b.sampler_id = (uint64) DatumGetInt64(v[4]);
		b.has_rate = st_col(tup, desc, 6, &v[5]);
		if (b.has_rate)
			b.rate = (uint64) DatumGetInt64(v[5]);
		b.has_init_time = st_col(tup, desc, 7, &v[6]);
		if (b.has_init_time)
			b.init_ms = (uint64) DatumGetInt64(v[6]);

		if (gf_decoder_import_sampling(d, &b, &err) == GF_OK)
			n->sampling++;
		else
			st_refused(s, d, n, true, "sampling", err.msg);
	}
}

/* ---- save ------------------------------------------------------------- */

static void
st_collect_template(void *arg, const gf_template_blob *t)
{
	StCollect  *c = arg;
	StTemplate *e = palloc(sizeof(StTemplate));
	uint8	   *copy = palloc(Max(t->len, 1));

	memcpy(copy, t->bytes, t->len);
	e->b = *t;
	e->b.bytes = copy;
	c->templates = lappend(c->templates, e);
}

static void
st_collect_sampling(void *arg, const gf_sampling_blob *b)
{
	StCollect  *c = arg;
	gf_sampling_blob *e = palloc(sizeof(gf_sampling_blob));

	*e = *b;
	c->sampling = lappend(c->sampling, e);
}

static void
st_save_templates(List *templates)
{
	Oid			types[7] = {INETOID, INT4OID, INT8OID, INT4OID, TEXTOID, BYTEAOID,
	TIMESTAMPTZOID};
	SPIPlanPtr	plan;
	ListCell   *lc;

	if (templates == NIL)
		return;
	plan = SPI_prepare(st_save_template_sql, 7, types);
	if (plan == NULL)
		elog(ERROR, "could not prepare the goflow2plus.templates upsert: %s",
			 SPI_result_code_string(SPI_result));
	foreach(lc, templates)
	{
		StTemplate *e = lfirst(lc);
		Datum		v[7];
		bytea	   *fields = palloc(VARHDRSZ + e->b.len);
		int			rc;

		SET_VARSIZE(fields, VARHDRSZ + e->b.len);
		memcpy(VARDATA(fields), e->b.bytes, e->b.len);
		v[0] = gf_datum_inet(&e->b.exporter);
		v[1] = Int32GetDatum((int32) e->b.version);
		v[2] = Int64GetDatum((int64) e->b.domain);
		v[3] = Int32GetDatum((int32) e->b.template_id);
		v[4] = CStringGetTextDatum(e->b.options ? "options" : "data");
		v[5] = PointerGetDatum(fields);
		v[6] = TimestampTzGetDatum(st_ns_to_timestamptz(e->b.received_ns));
		rc = SPI_execute_plan(plan, v, NULL, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "goflow2plus.templates upsert failed: %s",
				 SPI_result_code_string(rc));
	}
	SPI_freeplan(plan);
}

static void
st_save_sampling(List *sampling)
{
	Oid			types[7] = {INETOID, INT4OID, INT8OID, BOOLOID, INT8OID, INT8OID,
	INT8OID};
	SPIPlanPtr	plan;
	ListCell   *lc;

	if (sampling == NIL)
		return;
	plan = SPI_prepare(st_save_sampling_sql, 7, types);
	if (plan == NULL)
		elog(ERROR, "could not prepare the goflow2plus.sampling upsert: %s",
			 SPI_result_code_string(SPI_result));
	foreach(lc, sampling)
	{
		gf_sampling_blob *e = lfirst(lc);
		Datum		v[7];
		char		nulls[7];
		int			rc;

		memset(nulls, ' ', sizeof(nulls));
		v[0] = gf_datum_inet(&e->exporter);
		v[1] = Int32GetDatum((int32) e->version);
		v[2] = Int64GetDatum((int64) e->domain);
		v[3] = BoolGetDatum(e->has_sampler);
		v[4] = Int64GetDatum((int64) e->sampler_id);
		v[5] = Int64GetDatum((int64) e->rate);
		v[6] = Int64GetDatum((int64) e->init_ms);
		if (!e->has_rate)
			nulls[5] = 'n';
		if (!e->has_init_time)
			nulls[6] = 'n';
		rc = SPI_execute_plan(plan, v, nulls, false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "goflow2plus.sampling upsert failed: %s",
				 SPI_result_code_string(rc));
	}
	SPI_freeplan(plan);
}

/* ---- one sync --------------------------------------------------------- */

void
gf_state_sync(GfStateStore *s, gf_decoder *d)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	bool		loaded_now = false;
	bool		present = false;
	uint64		target = 0;
	StLoadCounts n = {0};

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/* A lock on the tables must not stall the receive loop either. */
		(void) set_config_option("lock_timeout", GF_LOCK_TIMEOUT,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "goflow2plus: syncing templates");
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");

		present = OidIsValid(get_extension_oid("goflow2plus", true));
		if (present && !s->loaded)
		{
			uint64		before = gf_decoder_state_version(d);

			st_load_templates(s, d, &n);
			st_load_sampling(s, d, &n);
			loaded_now = true;

			/*
			 * The usual case: nothing learnt before the load, so what the
			 * decoder holds now is what the tables hold.  Otherwise
			 * (extension created after start) save everything once.
			 */
			if (before == 0)
				s->saved_version = gf_decoder_state_version(d);
		}
		target = gf_decoder_state_version(d);
		if (present && target != s->saved_version)
		{
			StCollect	c = {NIL, NIL};

			if (gf_decoder_export_templates(d, s->saved_version,
											st_collect_template, &c) != GF_OK)
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("out of memory exporting templates")));
			gf_decoder_export_sampling(d, s->saved_version,
									   st_collect_sampling, &c);
			st_save_templates(c.templates);
			st_save_sampling(c.sampling);
		}

		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		if (present)
		{
			s->loaded = true;
			s->saved_version = target;
		}
		if (loaded_now)
			ereport(LOG,
					(errmsg("goflow2plus worker %d: restored %llu templates and %llu sampling entries from goflow2plus.templates and goflow2plus.sampling (%llu rows ignored)",
							s->slotno, (unsigned long long) n.templates,
							(unsigned long long) n.sampling,
							(unsigned long long) n.refused)));
	}
	PG_CATCH();
	{
		TimestampTz now = GetCurrentTimestamp();
		bool		log_it = TimestampDifferenceExceeds(s->last_error_log, now,
														ST_LOG_INTERVAL_MS);

		MemoryContextSwitchTo(oldcxt);
		if (log_it)
		{
			EmitErrorReport();
			if (s->errors_unlogged > 0)
				ereport(LOG,
						(errmsg("goflow2plus worker %d: %llu more template syncs failed without being logged",
								s->slotno, (unsigned long long) s->errors_unlogged)));
			s->last_error_log = now;
			s->errors_unlogged = 0;
		}
		else
			s->errors_unlogged++;
		FlushErrorState();
		AbortCurrentTransaction();
	}
	PG_END_TRY();

	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
}

/* ---- expiry of silent exporters' rows -------------------------------- */

/* NetFlow v9 / IPFIX exporters heard since a time, as inet datums. */
typedef struct StHeard
{
	uint64		since_ns;
	int			n;
	int			cap;
	Datum	   *addrs;
	gf_addr		last;			/* a repeat of the row before is skipped;
								 * other repeats are harmless in ANY () */
} StHeard;

static void
st_collect_heard(void *arg, const gf_exporter_row *r)
{
	StHeard    *h = arg;

	if ((r->type != GF_TYPE_NETFLOW_V9 && r->type != GF_TYPE_IPFIX) ||
		r->last_seen_ns < h->since_ns ||
		(h->n > 0 && memcmp(&h->last, &r->exporter, sizeof(gf_addr)) == 0))
		return;
	if (h->n == h->cap)
	{
		h->cap = h->cap == 0 ? 64 : h->cap * 2;
		h->addrs = h->addrs == NULL ? palloc(sizeof(Datum) * h->cap) :
			repalloc(h->addrs, sizeof(Datum) * h->cap);
	}
	h->addrs[h->n++] = gf_datum_inet(&r->exporter);
	h->last = r->exporter;
}

/* Touch period: a quarter of the idle timeout, 1 s to 5 min. */
static int64
st_period_ms(void)
{
	int64		p = (int64) gf_guc_exporter_idle_timeout * 1000 / 4;

	return Min(Max(p, 1000), 300000);
}

uint64
gf_state_expire(GfStateStore *s, gf_decoder *d)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	TimestampTz now = GetCurrentTimestamp();
	int64		period = st_period_ms();
	int64		idle = (int64) gf_guc_exporter_idle_timeout * 1000;
	uint64		deleted = 0;
	uint64		since = s->heard_since_ns;
	struct timespec ts;

	if (!s->loaded || !TimestampDifferenceExceeds(s->last_expire, now, (int) period))
		return 0;
	s->last_expire = now;
	clock_gettime(CLOCK_REALTIME, &ts);
	s->heard_since_ns = (uint64) ts.tv_sec * UINT64CONST(1000000000) + (uint64) ts.tv_nsec;

	PG_TRY();
	{
		StHeard		h;
		int			t;

		memset(&h, 0, sizeof(h));
		h.since_ns = since;
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		(void) set_config_option("lock_timeout", GF_LOCK_TIMEOUT,
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "goflow2plus: expiring templates of silent exporters");
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (OidIsValid(get_extension_oid("goflow2plus", true)))
		{
			gf_decoder_exporter_rows(d, st_collect_heard, &h);
			for (t = 0; t < 2 && h.n > 0; t++)
			{
				Oid			types[2] = {INETARRAYOID, INT8OID};
				Datum		v[2];

				v[0] = gf_datum_array(h.addrs, NULL, h.n, INETOID);
				v[1] = Int64GetDatum(period);
				if (SPI_execute_with_args(st_touch_sql[t], 2, types, v, NULL,
										  false, 0) != SPI_OK_UPDATE)
					elog(ERROR, "could not mark exporters heard in goflow2plus.%s",
						 t == 0 ? "templates" : "sampling");
			}

			/*
			 * Only a worker that has run for the whole timeout has had the
			 * chance to hear every exporter it serves; the other workers
			 * touch theirs at least once a period.
			 */
			if (TimestampDifferenceExceeds(s->started, now, (int) Min(idle, INT_MAX)))
				for (t = 0; t < 2; t++)
				{
					Oid			types[1] = {INT8OID};
					Datum		v[1];

					v[0] = Int64GetDatum(idle + period);
					if (SPI_execute_with_args(st_sweep_sql[t], 1, types, v, NULL,
											  false, 0) != SPI_OK_DELETE)
						elog(ERROR, "could not delete rows of silent exporters from goflow2plus.%s",
							 t == 0 ? "templates" : "sampling");
					deleted += SPI_processed;
				}
		}
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		if (deleted > 0)
			ereport(LOG,
					(errmsg("goflow2plus worker %d: deleted %llu rows of goflow2plus.templates and goflow2plus.sampling of exporters silent for more than goflow2plus.exporter_idle_timeout (%d s)",
							s->slotno, (unsigned long long) deleted,
							gf_guc_exporter_idle_timeout)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		if (TimestampDifferenceExceeds(s->last_error_log, now, ST_LOG_INTERVAL_MS))
		{
			EmitErrorReport();
			s->last_error_log = now;
		}
		FlushErrorState();
		AbortCurrentTransaction();
		/* Heard again next time: nothing was marked. */
		s->heard_since_ns = since;
	}
	PG_END_TRY();

	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return deleted;
}
