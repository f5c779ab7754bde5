/*
 * mapping_fn.c
 *    Custom field mappings on the SQL side: goflow2plus.load_mapping()
 *    checks a GoFlow2 mapping YAML with the core parser (flow_mapping.h)
 *    and appends it to goflow2plus.mappings, whose newest row is the
 *    active mapping; decoders pick it up without a restart.
 *
 *    A change is announced only once committed: load_mapping() notes that
 *    its transaction changed the mapping, and a transaction callback bumps
 *    a shared counter at XACT_EVENT_COMMIT (after the commit is visible),
 *    as context changes are announced (context_shared.c).  Each worker
 *    compares the counter with the value it last read once per pass of
 *    its loop -- an atomic read, so the hot path pays nothing -- and
 *    re-reads the table when it moved; the committing backend also wakes
 *    the workers, so an idle one does not wait for its next tick.  A
 *    refused text raises an ERROR before anything is written, and an
 *    aborted transaction bumps nothing: a mapping is applied whole or not
 *    at all.
 */
#include "postgres.h"

#include <signal.h>

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "flow_mapping.h"
#include "gf_shmem.h"
#include "mapping_fn.h"

PG_FUNCTION_INFO_V1(goflow2plus_load_mapping);

typedef struct GfMappingShared
{
	/* Bumped (after the commit is visible) by every load_mapping(). */
	pg_atomic_uint64 changes;
} GfMappingShared;

static GfMappingShared *mf_shared = NULL;
static bool mf_changed_in_xact = false;
static bool mf_callback_registered = false;

/* The counter value this process's decoder was last refreshed at. */
static uint64 mf_seen = 0;
static TimestampTz mf_retry_at = 0;
/* decode(): the session decoder has been given a mapping at least once. */
static bool mf_session_loaded = false;

Size
gf_mapping_shmem_size(void)
{
	return MAXALIGN(sizeof(GfMappingShared));
}

void
gf_mapping_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	mf_shared = ShmemInitStruct("goflow2plus mapping", gf_mapping_shmem_size(),
								&found);
	if (!found)
		pg_atomic_init_u64(&mf_shared->changes, 1);
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Wake every running worker, so that an idle one does not wait for its
 * next tick (a second) to see the change: SIGUSR1 sets a background
 * worker's latch (procsignal_sigusr1_handler).
 */
static void
mf_wake_workers(void)
{
	GfShared   *sh = gf_shmem_get();
	int			i;

	if (sh == NULL)
		return;
	for (i = 0; i < sh->nslots; i++)
	{
		pid_t		pid = (pid_t) pg_atomic_read_u32(&sh->slots[i].pid);

		if (pid > 0)
			(void) kill(pid, SIGUSR1);
	}
}

static void
mf_xact_callback(XactEvent event, void *arg)
{
	if (!mf_changed_in_xact)
		return;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			mf_changed_in_xact = false;
			if (mf_shared != NULL)
			{
				pg_atomic_fetch_add_u64(&mf_shared->changes, 1);
				mf_wake_workers();
			}
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			mf_changed_in_xact = false;
			break;
		default:
			break;
	}
}

/* The custom field names of m, as text[]. */
static Datum
mf_custom_names(const gf_mapping *m)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(m->n_customs, 1));
	size_t		i;

	for (i = 0; i < m->n_customs; i++)
		elems[i] = CStringGetTextDatum(m->customs[i].name);
	return PointerGetDatum(construct_array(elems, (int) m->n_customs, TEXTOID,
										   -1, false, TYPALIGN_INT));
}

Datum
goflow2plus_load_mapping(PG_FUNCTION_ARGS)
{
	text	   *yaml = PG_GETARG_TEXT_PP(0);
	gf_mapping_error err;
	gf_mapping *m;
	Oid			types[6] = {TEXTOID, INT4OID, INT4OID, INT4OID, TEXTARRAYOID, NAMEOID};
	Datum		values[6];
	NameData	who;
	Oid			save_userid;
	int			save_sec;
	int			rc;
	int64		version;
	bool		isnull;

	m = gf_mapping_parse(VARDATA_ANY(yaml), VARSIZE_ANY_EXHDR(yaml), &err);
	if (m == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("goflow2plus: invalid mapping: %s", err.msg),
				 errhint("The format is GoFlow2's mapping YAML; README.md, \"Field mappings\", lists the destinations.")));

	values[0] = PointerGetDatum(yaml);
	values[1] = Int32GetDatum((int32) (m->first[GF_MAP_IPFIX + 1] - m->first[GF_MAP_IPFIX]));
	values[2] = Int32GetDatum((int32) (m->first[GF_MAP_NETFLOW_V9 + 1] - m->first[GF_MAP_NETFLOW_V9]));
	values[3] = Int32GetDatum((int32) (m->first[GF_MAP_SFLOW + 1] - m->first[GF_MAP_SFLOW]));
	values[4] = mf_custom_names(m);
	gf_mapping_free(m);
	namestrcpy(&who, GetUserNameFromId(GetUserId(), false));
	values[5] = NameGetDatum(&who);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "goflow2plus: SPI_connect failed");
	/*
	 * Only this function writes the table, so that every stored row
	 * parsed: EXECUTE on it is the right to change the mapping, and no
	 * one needs INSERT on the table (restored by the abort on error).
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	rc = SPI_execute_with_args("INSERT INTO goflow2plus.mappings "
							   "(yaml, ipfix_entries, netflowv9_entries, "
							   "sflow_entries, custom_fields, loaded_by) "
							   "VALUES ($1, $2, $3, $4, $5, $6) RETURNING version",
							   6, types, values, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "goflow2plus: storing the mapping failed (SPI code %d)", rc);
	version = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();

	if (!mf_callback_registered)
	{
		RegisterXactCallback(mf_xact_callback, NULL);
		mf_callback_registered = true;
	}
	mf_changed_in_xact = true;
	PG_RETURN_INT64(version);
}

/*
 * The active mapping, read in the current transaction (NULL: none, or
 * an empty one).  An ERROR if the stored text no longer parses (a newer
 * library that dropped a destination): the caller decides what to do.
 */
static gf_mapping *
mf_read_active(void)
{
	gf_mapping *m = NULL;
	Oid			save_userid;
	int			save_sec;
	int			rc;

	if (!OidIsValid(get_extension_oid("goflow2plus", true)))
		return NULL;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "goflow2plus: SPI_connect failed");

	/*
	 * decode() may be granted to roles that cannot read the table: the
	 * mapping is the collector's, so it is read with the rights the
	 * workers have (restored by the abort if the read fails).
	 */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	rc = SPI_execute("SELECT yaml FROM goflow2plus.mappings "
					 "ORDER BY version DESC LIMIT 1", true, 1);
	SetUserIdAndSecContext(save_userid, save_sec);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "goflow2plus: reading goflow2plus.mappings failed (SPI code %d)", rc);
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									  1, &isnull);
		text	   *t = DatumGetTextPP(d);
		gf_mapping_error err;

		m = gf_mapping_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &err);
		if (m == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("goflow2plus: the active mapping no longer parses: %s",
							err.msg)));
		if (m->n_entries == 0)
		{
			gf_mapping_free(m);
			m = NULL;
		}
	}
	SPI_finish();
	return m;
}

void
gf_mapping_worker_refresh(gf_decoder *d)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	uint64		changes;

	if (mf_shared == NULL)
		return;
	changes = pg_atomic_read_u64(&mf_shared->changes);
	if (changes == mf_seen)
		return;
	if (mf_retry_at != 0 && GetCurrentTimestamp() < mf_retry_at)
		return;

	PG_TRY();
	{
		gf_mapping *m;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		PushActiveSnapshot(GetTransactionSnapshot());
		m = mf_read_active();
		PopActiveSnapshot();
		CommitTransactionCommand();
		MemoryContextSwitchTo(oldcxt);
		/* The counter was read first: a later change is seen next pass. */
		gf_decoder_set_mapping(d, m);
		mf_seen = changes;
		mf_retry_at = 0;
		ereport(LOG,
				(errmsg("goflow2plus: decoding with %s",
						m ? "the mapping of goflow2plus.mappings" : "no custom mapping")));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(oldcxt);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		MemoryContextSwitchTo(oldcxt);
		mf_retry_at = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 1000);
	}
	PG_END_TRY();
}

void
gf_mapping_session_refresh(gf_decoder *d)
{
	uint64		changes = mf_shared ? pg_atomic_read_u64(&mf_shared->changes) : 0;

	/*
	 * Without shared memory (library not preloaded) there is no counter:
	 * read every call.  A mapping loaded in this very transaction is not
	 * counted yet: read then too.
	 */
	if (mf_shared != NULL && mf_session_loaded && changes == mf_seen &&
		!mf_changed_in_xact)
		return;
	gf_decoder_set_mapping(d, mf_read_active());
	mf_session_loaded = true;
	mf_seen = mf_changed_in_xact ? 0 : changes;
}

void
gf_mapping_session_forget(void)
{
	mf_session_loaded = false;
}
