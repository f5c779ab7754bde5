/*
 * context_load_fn.c
 *    Context rows from YAML: goflow2plus.load_context(yaml, replace) and
 *    the goflow2plus.context_config file.  The core parser
 *    (context_yaml.h) turns the text into arrays; this file writes them
 *    into goflow2plus.networks, .devices and .interfaces through SPI, in
 *    the caller's transaction and with the caller's rights.
 *
 *    Three origins share the tables and never overwrite each other:
 *    'sql' (typed by hand), 'load_context' (this function), 'file' (the
 *    setting); interfaces also have 'learnt' rows, which the workers add
 *    from what exporters say.  A load deletes only rows of its own origin
 *    (replace => true for load_context(), always for the file) and then
 *    inserts its entries.  An entry whose key is held by a row of another
 *    origin is an error naming both, and nothing is loaded: the one
 *    exception is an interface held by a 'learnt' row, which the entry
 *    takes over in place (user columns set, origin changed, learnt_*
 *    kept).  Removing such an entry later (a replace) gives the row back
 *    to 'learnt' rather than deleting what was learnt.
 *
 *    Speed: entries go in batches of CL_BATCH rows, each one
 *    INSERT ... SELECT FROM unnest(arrays) with the arrays' datums built
 *    here (inet/cidr directly, '{}' contexts shared), so the SQL side
 *    parses nothing per row but non-empty contexts.  A clash (a unique
 *    violation, or an interface batch that wrote fewer rows than it was
 *    given) rolls back the loading subtransaction, and a second query
 *    finds the first entry at fault against the rows as they were.
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

#include "context_load_fn.h"
#include "context_yaml.h"
#include "spi_datum.h"

PG_FUNCTION_INFO_V1(goflow2plus_load_context);

/* Rows per INSERT statement. */
#define CL_BATCH		10000
/* Parameters of the widest statement (interfaces: 8 arrays + origin). */
#define CL_MAX_ARGS		9

#define CL_ORIGIN_LOAD	"load_context"
#define CL_ORIGIN_FILE	"file"

/* A file whose load failed on its rows' database state is retried after this. */
#define CC_RETRY_MS		60000

char	   *gf_guc_context_config = NULL;

/* One load: the parsed file and where it came from. */
typedef struct ClLoad
{
	const gf_ctx_config *cfg;
	const char *file;			/* NULL: load_context()'s argument */
	const char *origin;
	bool		convert;		/* the database encoding is not UTF-8 */
	Datum		empty_context;	/* '{}'::jsonb, the usual context */
	int			line;			/* entry being converted, for errcontext */
} ClLoad;

/* What differs between the three tables. */
typedef struct ClList
{
	const char *table;
	int			nargs;			/* the arrays, then the origin */
	Oid			argtypes[CL_MAX_ARGS];
	const char *insert_sql;
	const char *clash_sql;		/* same parameters; first entry whose key is held */
	size_t		(*count) (const gf_ctx_config *cfg);
	void		(*fill) (ClLoad *ld, size_t from, int n, Datum *values);
	int			(*line) (const gf_ctx_config *cfg, size_t i);
	char	   *(*describe) (ClLoad *ld, size_t i);
} ClList;

/* ---- values ----------------------------------------------------------- */

/* Text from the parser (UTF-8) in the database encoding. */
static char *
cl_cstring(const ClLoad *ld, const char *s)
{
	if (!ld->convert)
		return (char *) s;
	return pg_any_to_server(s, strlen(s), PG_UTF8);
}

static Datum
cl_text(const ClLoad *ld, const char *s)
{
	return PointerGetDatum(cstring_to_text(cl_cstring(ld, s)));
}

/* An inet (is_cidr false) or cidr value; the parser cleared host bits. */
static Datum
cl_inet(int family, const uint8 *bytes, int bits)
{
	inet	   *res = palloc0(sizeof(inet));

	/* The ip_* macros read the length word: set a 4-byte one first. */
	SET_VARSIZE(res, sizeof(inet));
	ip_family(res) = family == 4 ? PGSQL_AF_INET : PGSQL_AF_INET6;
	ip_bits(res) = (unsigned char) bits;
	memcpy(ip_addr(res), bytes, family == 4 ? 4 : 16);
	SET_INET_VARSIZE(res);
	return InetPGetDatum(res);
}

static Datum
cl_host(const gf_addr *a)
{
	return cl_inet(a->family, a->bytes, a->family == 4 ? 32 : 128);
}

static Datum
cl_prefix(const gf_ctx_prefix *p)
{
	return cl_inet(p->family, p->bytes, p->prefix_len);
}

static Datum
cl_jsonb(const ClLoad *ld, const char *json)
{
	if (strcmp(json, "{}") == 0)
		return ld->empty_context;
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(cl_cstring(ld, json)));
}

/* An optional string column. */
static void
cl_opt_text(const ClLoad *ld, const char *s, Datum *value, bool *isnull)
{
	*isnull = (s == NULL);
	*value = s ? cl_text(ld, s) : (Datum) 0;
}

static char *
cl_addr_text(const gf_addr *a)
{
	char		buf[64];

	gf_addr_format(a, buf, sizeof(buf));
	return pstrdup(buf);
}

/* Where a message points: "context YAML line 3, column 7" or "f.yaml:3:7". */
static char *
cl_where(const char *file, int line, int column)
{
	if (file == NULL)
	{
		if (line <= 0)
			return pstrdup("context YAML");
		if (column <= 0)
			return psprintf("context YAML line %d", line);
		return psprintf("context YAML line %d, column %d", line, column);
	}
	if (line <= 0)
		return pstrdup(file);
	if (column <= 0)
		return psprintf("%s:%d", file, line);
	return psprintf("%s:%d:%d", file, line, column);
}

/*
 * The statements name their tables with the schema, but unnest() and the
 * operators are looked up in search_path: an exact-type unnest(cidr[], ...)
 * or = (cidr, cidr) in a schema the caller (or the context builder, a
 * superuser) has in its path would win over pg_catalog's.  So the loads
 * run with pg_catalog alone; the caller undoes it with AtEOXact_GUC, or
 * an error does.
 */
static int
cl_safe_search_path(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return level;
}

/* ---- the three lists -------------------------------------------------- */

static size_t
cl_networks_count(const gf_ctx_config *cfg)
{
	return cfg->n_networks;
}

static int
cl_networks_line(const gf_ctx_config *cfg, size_t i)
{
	return cfg->networks[i].line;
}

static void
cl_networks_fill(ClLoad *ld, size_t from, int n, Datum *values)
{
	Datum	   *name = palloc(n * sizeof(Datum));
	Datum	   *cidr = palloc(n * sizeof(Datum));
	Datum	   *exporter = palloc(n * sizeof(Datum));
	bool	   *exporter_null = palloc(n * sizeof(bool));
	Datum	   *context = palloc(n * sizeof(Datum));
	int			i;

	for (i = 0; i < n; i++)
	{
		const gf_ctx_network *e = &ld->cfg->networks[from + i];

		ld->line = e->line;
		name[i] = cl_text(ld, e->name);
		cidr[i] = cl_prefix(&e->cidr);
		exporter_null[i] = (e->exporter.family == 0);
		exporter[i] = exporter_null[i] ? (Datum) 0 : cl_host(&e->exporter);
		context[i] = cl_jsonb(ld, e->context_json);
	}
	values[0] = gf_datum_array(name, NULL, n, TEXTOID);
	values[1] = gf_datum_array(cidr, NULL, n, CIDROID);
	values[2] = gf_datum_array(exporter, exporter_null, n, INETOID);
	values[3] = gf_datum_array(context, NULL, n, JSONBOID);
}

static char *
cl_networks_describe(ClLoad *ld, size_t i)
{
	const gf_ctx_network *e = &ld->cfg->networks[i];
	char	   *cidr = DatumGetCString(DirectFunctionCall1(cidr_out, cl_prefix(&e->cidr)));

	if (e->exporter.family == 0)
		return psprintf("network \"%s\" (cidr %s, every exporter)",
						cl_cstring(ld, e->name), cidr);
	return psprintf("network \"%s\" (cidr %s, exporter %s)",
					cl_cstring(ld, e->name), cidr, cl_addr_text(&e->exporter));
}

static size_t
cl_devices_count(const gf_ctx_config *cfg)
{
	return cfg->n_devices;
}

static int
cl_devices_line(const gf_ctx_config *cfg, size_t i)
{
	return cfg->devices[i].line;
}

static void
cl_devices_fill(ClLoad *ld, size_t from, int n, Datum *values)
{
	Datum	   *exporter = palloc(n * sizeof(Datum));
	Datum	   *name = palloc(n * sizeof(Datum));
	Datum	   *site = palloc(n * sizeof(Datum));
	bool	   *site_null = palloc(n * sizeof(bool));
	Datum	   *role = palloc(n * sizeof(Datum));
	bool	   *role_null = palloc(n * sizeof(bool));
	Datum	   *context = palloc(n * sizeof(Datum));
	int			i;

	for (i = 0; i < n; i++)
	{
		const gf_ctx_device *e = &ld->cfg->devices[from + i];

		ld->line = e->line;
		exporter[i] = cl_host(&e->exporter);
		name[i] = cl_text(ld, e->name);	/* cl_check: never NULL */
		cl_opt_text(ld, e->site, &site[i], &site_null[i]);
		cl_opt_text(ld, e->role, &role[i], &role_null[i]);
		context[i] = cl_jsonb(ld, e->context_json);
	}
	values[0] = gf_datum_array(exporter, NULL, n, INETOID);
	values[1] = gf_datum_array(name, NULL, n, TEXTOID);
	values[2] = gf_datum_array(site, site_null, n, TEXTOID);
	values[3] = gf_datum_array(role, role_null, n, TEXTOID);
	values[4] = gf_datum_array(context, NULL, n, JSONBOID);
}

static char *
cl_devices_describe(ClLoad *ld, size_t i)
{
	const gf_ctx_device *e = &ld->cfg->devices[i];

	return psprintf("device %s (\"%s\")", cl_addr_text(&e->exporter),
					cl_cstring(ld, e->name));
}

static size_t
cl_interfaces_count(const gf_ctx_config *cfg)
{
	return cfg->n_interfaces;
}

static int
cl_interfaces_line(const gf_ctx_config *cfg, size_t i)
{
	return cfg->interfaces[i].line;
}

static void
cl_interfaces_fill(ClLoad *ld, size_t from, int n, Datum *values)
{
	Datum	   *exporter = palloc(n * sizeof(Datum));
	Datum	   *if_index = palloc(n * sizeof(Datum));
	Datum	   *name = palloc(n * sizeof(Datum));
	bool	   *name_null = palloc(n * sizeof(bool));
	Datum	   *descr = palloc(n * sizeof(Datum));
	bool	   *descr_null = palloc(n * sizeof(bool));
	Datum	   *speed = palloc(n * sizeof(Datum));
	bool	   *speed_null = palloc(n * sizeof(bool));
	Datum	   *boundary = palloc(n * sizeof(Datum));
	bool	   *boundary_null = palloc(n * sizeof(bool));
	Datum	   *provider = palloc(n * sizeof(Datum));
	bool	   *provider_null = palloc(n * sizeof(bool));
	Datum	   *context = palloc(n * sizeof(Datum));
	int			i;

	for (i = 0; i < n; i++)
	{
		const gf_ctx_interface *e = &ld->cfg->interfaces[from + i];

		ld->line = e->line;
		exporter[i] = cl_host(&e->exporter);
		if_index[i] = Int64GetDatum((int64) e->if_index);
		cl_opt_text(ld, e->name, &name[i], &name_null[i]);
		cl_opt_text(ld, e->description, &descr[i], &descr_null[i]);
		speed_null[i] = !e->has_speed;
		speed[i] = Int64GetDatum(e->has_speed ? (int64) e->speed : 0);	/* cl_check: fits */
		cl_opt_text(ld, gf_ctx_boundary_name(e->boundary), &boundary[i], &boundary_null[i]);
		cl_opt_text(ld, e->provider, &provider[i], &provider_null[i]);
		context[i] = cl_jsonb(ld, e->context_json);
	}
	values[0] = gf_datum_array(exporter, NULL, n, INETOID);
	values[1] = gf_datum_array(if_index, NULL, n, INT8OID);
	values[2] = gf_datum_array(name, name_null, n, TEXTOID);
	values[3] = gf_datum_array(descr, descr_null, n, TEXTOID);
	values[4] = gf_datum_array(speed, speed_null, n, INT8OID);
	values[5] = gf_datum_array(boundary, boundary_null, n, TEXTOID);
	values[6] = gf_datum_array(provider, provider_null, n, TEXTOID);
	values[7] = gf_datum_array(context, NULL, n, JSONBOID);
}

static char *
cl_interfaces_describe(ClLoad *ld, size_t i)
{
	const gf_ctx_interface *e = &ld->cfg->interfaces[i];

	return psprintf("interface %u of exporter %s", (unsigned) e->if_index,
					cl_addr_text(&e->exporter));
}

/*
 * Networks and devices: a plain INSERT, whose unique violation ends the
 * load (ON CONFLICT's speculative insertion costs a third more time and
 * WAL).  Interfaces: ON CONFLICT on their key, so that a 'learnt' row is
 * taken over; a row of another origin fails the WHERE, is skipped, and
 * the batch's row count shows it.
 */
static const ClList cl_lists[] = {
	{
		"goflow2plus.networks", 5,
		{TEXTARRAYOID, CIDRARRAYOID, INETARRAYOID, JSONBARRAYOID, TEXTOID},
		"INSERT INTO goflow2plus.networks (name, cidr, exporter, context, origin) "
		"SELECT u.name, u.cidr, u.exporter, u.context, $5 "
		"FROM unnest($1, $2, $3, $4) AS u(name, cidr, exporter, context)",
		"SELECT u.ord, n.name, n.origin "
		"FROM unnest($2, $3) WITH ORDINALITY AS u(cidr, exporter, ord) "
		"JOIN goflow2plus.networks n ON n.cidr = u.cidr "
		"AND n.exporter IS NOT DISTINCT FROM u.exporter "
		"ORDER BY u.ord LIMIT 1",
		cl_networks_count, cl_networks_fill, cl_networks_line, cl_networks_describe
	},
	{
		"goflow2plus.devices", 6,
		{INETARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID, TEXTOID},
		"INSERT INTO goflow2plus.devices (exporter, name, site, role, context, origin) "
		"SELECT u.exporter, u.name, u.site, u.role, u.context, $6 "
		"FROM unnest($1, $2, $3, $4, $5) AS u(exporter, name, site, role, context)",
		"SELECT u.ord, d.name, d.origin "
		"FROM unnest($1) WITH ORDINALITY AS u(exporter, ord) "
		"JOIN goflow2plus.devices d ON d.exporter = u.exporter "
		"ORDER BY u.ord LIMIT 1",
		cl_devices_count, cl_devices_fill, cl_devices_line, cl_devices_describe
	},
	{
		"goflow2plus.interfaces", 9,
		{INETARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID,
		TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID, TEXTOID},
		"INSERT INTO goflow2plus.interfaces AS i (exporter, if_index, name, "
		"description, speed, boundary, provider, context, origin) "
		"SELECT u.exporter, u.if_index, u.name, u.description, u.speed, "
		"u.boundary, u.provider, u.context, $9 "
		"FROM unnest($1, $2, $3, $4, $5, $6, $7, $8) "
		"AS u(exporter, if_index, name, description, speed, boundary, provider, context) "
		"ON CONFLICT (exporter, if_index) DO UPDATE SET name = excluded.name, "
		"description = excluded.description, speed = excluded.speed, "
		"boundary = excluded.boundary, provider = excluded.provider, "
		"context = excluded.context, origin = excluded.origin "
		"WHERE i.origin = 'learnt'",
		"SELECT u.ord, i.name, i.origin "
		"FROM unnest($1, $2) WITH ORDINALITY AS u(exporter, if_index, ord) "
		"JOIN goflow2plus.interfaces i ON i.exporter = u.exporter "
		"AND i.if_index = u.if_index WHERE i.origin <> 'learnt' "
		"ORDER BY u.ord LIMIT 1",
		cl_interfaces_count, cl_interfaces_fill, cl_interfaces_line, cl_interfaces_describe
	},
};

#define CL_NLISTS lengthof(cl_lists)

/*
 * A load's own rows go first.  An interface row that carries learnt_*
 * values was a 'learnt' row the load took over: it goes back to 'learnt'
 * with the user columns cleared, so what the exporter said is not lost.
 */
static const char *const cl_remove_sql[] = {
	"DELETE FROM goflow2plus.networks WHERE origin = $1",
	"DELETE FROM goflow2plus.devices WHERE origin = $1",
	"UPDATE goflow2plus.interfaces SET origin = 'learnt', name = NULL, "
	"description = NULL, speed = NULL, boundary = NULL, provider = NULL, "
	"context = '{}' WHERE origin = $1 AND (learnt_name IS NOT NULL "
	"OR learnt_description IS NOT NULL OR learnt_speed IS NOT NULL "
	"OR learnt_at IS NOT NULL)",
	"DELETE FROM goflow2plus.interfaces WHERE origin = $1",
};

/* ---- checks the tables would make, made here to name the entry ---------- */

static int
cl_addr_cmp(const gf_addr *a, const gf_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : a->family == 6 ? 16 : 0);
}

/* Orders network indexes by (cidr, exporter), then by place in the file. */
static int
cl_network_key_cmp(const void *pa, const void *pb, void *arg)
{
	const gf_ctx_config *cfg = arg;
	uint32		ia = *(const uint32 *) pa;
	uint32		ib = *(const uint32 *) pb;
	const gf_ctx_network *a = &cfg->networks[ia];
	const gf_ctx_network *b = &cfg->networks[ib];
	int			c;

	if (a->cidr.family != b->cidr.family)
		return a->cidr.family < b->cidr.family ? -1 : 1;
	if (a->cidr.prefix_len != b->cidr.prefix_len)
		return a->cidr.prefix_len < b->cidr.prefix_len ? -1 : 1;
	c = memcmp(a->cidr.bytes, b->cidr.bytes, a->cidr.family == 4 ? 4 : 16);
	if (c == 0)
		c = cl_addr_cmp(&a->exporter, &b->exporter);
	if (c == 0 && ia != ib)
		c = ia < ib ? -1 : 1;
	return c;
}

static bool
cl_network_same_key(const gf_ctx_network *a, const gf_ctx_network *b)
{
	return a->cidr.family == b->cidr.family &&
		a->cidr.prefix_len == b->cidr.prefix_len &&
		memcmp(a->cidr.bytes, b->cidr.bytes, a->cidr.family == 4 ? 4 : 16) == 0 &&
		cl_addr_cmp(&a->exporter, &b->exporter) == 0;
}

/*
 * What the parser allows but the tables refuse: an empty network name, a
 * device without a name, a speed beyond bigint, two networks with one
 * (cidr, exporter).  Refused here with the entry's line (the parser keeps
 * only where an entry starts, so these messages have no column); of
 * several faults, the one earliest in the file.
 */
static void
cl_check(ClLoad *ld)
{
	const gf_ctx_config *cfg = ld->cfg;
	size_t		i;
	const gf_ctx_network *empty_name = NULL;
	const gf_ctx_device *no_name = NULL;
	const gf_ctx_interface *big_speed = NULL;
	size_t		dup = SIZE_MAX;
	size_t		first = 0;
	int			best = INT_MAX;

	for (i = 0; i < cfg->n_networks && empty_name == NULL; i++)
		if (cfg->networks[i].name == NULL || cfg->networks[i].name[0] == '\0')
			empty_name = &cfg->networks[i];
	for (i = 0; i < cfg->n_devices && no_name == NULL; i++)
		if (cfg->devices[i].name == NULL || cfg->devices[i].name[0] == '\0')
			no_name = &cfg->devices[i];
	for (i = 0; i < cfg->n_interfaces && big_speed == NULL; i++)
		if (cfg->interfaces[i].has_speed && cfg->interfaces[i].speed > (uint64) PG_INT64_MAX)
			big_speed = &cfg->interfaces[i];

	if (cfg->n_networks > 1)
	{
		uint32	   *order = palloc(cfg->n_networks * sizeof(uint32));

		for (i = 0; i < cfg->n_networks; i++)
			order[i] = (uint32) i;
		qsort_arg(order, cfg->n_networks, sizeof(uint32), cl_network_key_cmp, (void *) cfg);

		/*
		 * In a run of equal keys the first is the earliest entry, the
		 * second the earliest repeat; report the repeat that comes first
		 * in the file.
		 */
		for (i = 1; i < cfg->n_networks; i++)
			if (cl_network_same_key(&cfg->networks[order[i - 1]], &cfg->networks[order[i]]) &&
				(i < 2 || !cl_network_same_key(&cfg->networks[order[i - 2]], &cfg->networks[order[i]])) &&
				order[i] < dup)
			{
				dup = order[i];
				first = order[i - 1];
			}
		pfree(order);
	}

	if (empty_name)
		best = Min(best, empty_name->line);
	if (no_name)
		best = Min(best, no_name->line);
	if (big_speed)
		best = Min(best, big_speed->line);
	if (dup != SIZE_MAX)
		best = Min(best, cfg->networks[dup].line);

	if (empty_name && empty_name->line == best)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the network's name is empty",
						cl_where(ld->file, empty_name->line, 0))));
	if (no_name && no_name->line == best)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the device %s has no name",
						cl_where(ld->file, no_name->line, 0),
						cl_addr_text(&no_name->exporter)),
				 errdetail("goflow2plus.devices.name is required (flows show it as device_name).")));
	if (big_speed && big_speed->line == best)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: speed " UINT64_FORMAT " is more than goflow2plus.interfaces.speed (bigint) holds",
						cl_where(ld->file, big_speed->line, 0), (uint64) big_speed->speed)));
	if (dup != SIZE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s has the same cidr and exporter as the entry at line %d",
						cl_where(ld->file, cfg->networks[dup].line, 0),
						cl_networks_describe(ld, dup), cfg->networks[first].line)));
}

/* ---- loading ---------------------------------------------------------- */

static void
cl_errcontext(void *arg)
{
	ClLoad	   *ld = arg;

	if (ld->line > 0)
		errcontext("%s, the entry at line %d",
				   ld->file ? ld->file : "context YAML", ld->line);
}

/* Deletes the rows of ld->origin (interfaces taken over go back to learnt). */
static void
cl_remove(const ClLoad *ld)
{
	Oid			argtype = TEXTOID;
	Datum		arg = CStringGetTextDatum(ld->origin);
	int			i;

	for (i = 0; i < (int) lengthof(cl_remove_sql); i++)
	{
		int			rc = SPI_execute_with_args(cl_remove_sql[i], 1, &argtype, &arg,
											   NULL, false, 0);

		if (rc != SPI_OK_DELETE && rc != SPI_OK_UPDATE)
			elog(ERROR, "goflow2plus: \"%s\" failed: %s", cl_remove_sql[i],
				 SPI_result_code_string(rc));
	}
}

/*
 * The first entry of list l, among count from 'from', whose key a row
 * holds, as an ERROR naming both; returns if no row holds one.  Runs
 * after the loading subtransaction was rolled back, so the rows seen are
 * those the load found.
 */
static void
cl_report_clash(ClLoad *ld, const ClList *l, size_t from, int count)
{
	Datum		values[CL_MAX_ARGS];
	int			rc;
	size_t		i;
	bool		isnull;
	char	   *name;
	char	   *origin;
	const char *hint;

	memset(values, 0, sizeof(values));
	l->fill(ld, from, count, values);
	ld->line = 0;
	values[l->nargs - 1] = CStringGetTextDatum(ld->origin);
	rc = SPI_execute_with_args(l->clash_sql, l->nargs, (Oid *) l->argtypes, values,
							   NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "goflow2plus: clash query on %s failed: %s", l->table,
			 SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return;
	i = from + (size_t) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
													SPI_tuptable->tupdesc, 1, &isnull)) - 1;
	name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	origin = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

	if (strcmp(origin, "sql") == 0)
		hint = "Rows typed by hand (origin 'sql') are never replaced by a load: change or delete that row, or remove the entry.";
	else if (strcmp(origin, CL_ORIGIN_LOAD) == 0 && ld->file == NULL)
		hint = "The row comes from an earlier load_context(): call it with replace => true to replace those rows.";
	else if (strcmp(origin, CL_ORIGIN_LOAD) == 0)
		hint = "The row was loaded by goflow2plus.load_context(): delete it, or remove the entry from the file.";
	else if (strcmp(origin, CL_ORIGIN_FILE) == 0)
		hint = "The row comes from the file named by goflow2plus.context_config: remove the entry from one of the two.";
	else
		hint = "Change or delete that row, or remove the entry.";

	ereport(ERROR,
			(errcode(ERRCODE_UNIQUE_VIOLATION),
			 errmsg("%s: %s clashes with a row of %s with origin '%s'%s%s%s",
					cl_where(ld->file, l->line(ld->cfg, i), 0),
					l->describe(ld, i), l->table, origin,
					name ? " (\"" : "", name ? name : "", name ? "\")" : ""),
			 errdetail("Nothing was loaded."),
			 errhint("%s", hint)));
}

/*
 * Writes ld's entries with ld->origin, after deleting the origin's rows
 * first when replace.  SPI must be connected.  Returns the rows written
 * (inserted, or 'learnt' interfaces taken over); throws on any error,
 * leaving the transaction to roll back.
 */
static uint64
cl_apply(ClLoad *ld, bool replace)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	MemoryContext batchcxt;
	ErrorContextCallback errcb;
	SPIPlanPtr	plans[CL_NLISTS];
	uint64		total = 0;
	bool		shortfall = false;
	volatile int cur_list = -1;
	volatile size_t cur_from = 0;
	volatile int cur_count = 0;
	int			l;

	cl_check(ld);
	ld->empty_context = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	if (replace)
		cl_remove(ld);

	for (l = 0; l < (int) CL_NLISTS; l++)
	{
		plans[l] = SPI_prepare(cl_lists[l].insert_sql, cl_lists[l].nargs,
							   (Oid *) cl_lists[l].argtypes);
		if (plans[l] == NULL)
			elog(ERROR, "goflow2plus: SPI_prepare failed for %s: %s", cl_lists[l].table,
				 SPI_result_code_string(SPI_result));
	}
	batchcxt = AllocSetContextCreate(oldcxt, "goflow2plus context load batch",
									 ALLOCSET_DEFAULT_SIZES);
	errcb.callback = cl_errcontext;
	errcb.arg = ld;
	errcb.previous = error_context_stack;

	/*
	 * A subtransaction, so that a clash can be rolled back and examined
	 * against the rows as they were.  Whoever opens one must also close
	 * it on an error before passing the error on: an outer handler
	 * (PL/pgSQL's EXCEPTION) rolls back only its own level.
	 */
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		for (l = 0; l < (int) CL_NLISTS && !shortfall; l++)
		{
			const ClList *list = &cl_lists[l];
			size_t		n = list->count(ld->cfg);
			size_t		from;

			for (from = 0; from < n; from += CL_BATCH)
			{
				int			count = (int) Min((size_t) CL_BATCH, n - from);
				Datum		values[CL_MAX_ARGS];
				int			rc;

				CHECK_FOR_INTERRUPTS();
				MemoryContextReset(batchcxt);
				MemoryContextSwitchTo(batchcxt);
				error_context_stack = &errcb;
				list->fill(ld, from, count, values);
				ld->line = 0;
				error_context_stack = errcb.previous;
				values[list->nargs - 1] = CStringGetTextDatum(ld->origin);
				MemoryContextSwitchTo(oldcxt);

				cur_list = l;
				cur_from = from;
				cur_count = count;
				rc = SPI_execute_plan(plans[l], values, NULL, false, 0);
				if (rc != SPI_OK_INSERT)
					elog(ERROR, "goflow2plus: insert into %s failed: %s", list->table,
						 SPI_result_code_string(rc));
				if (SPI_processed < (uint64) count)
				{
					shortfall = true;
					break;
				}
				total += SPI_processed;
			}
		}
		if (shortfall)
			RollbackAndReleaseCurrentSubTransaction();
		else
			ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		error_context_stack = errcb.previous;
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;

		/*
		 * A unique violation names the key but not the entry: find the
		 * entry, or pass the error on as it was (a unique index a user
		 * added, or a row committed meanwhile that this snapshot misses).
		 */
		if (edata->sqlerrcode == ERRCODE_UNIQUE_VIOLATION && cur_list >= 0)
		{
			MemoryContextSwitchTo(batchcxt);
			cl_report_clash(ld, &cl_lists[cur_list], cur_from, cur_count);
		}
		ReThrowError(edata);
	}
	PG_END_TRY();

	if (shortfall)
	{
		const ClList *list = &cl_lists[cur_list];

		MemoryContextSwitchTo(batchcxt);
		cl_report_clash(ld, list, cur_from, cur_count);
		ereport(ERROR,
				(errcode(ERRCODE_UNIQUE_VIOLATION),
				 errmsg("%s: an entry of lines %d to %d was not written to %s",
						cl_where(ld->file, list->line(ld->cfg, cur_from), 0),
						list->line(ld->cfg, cur_from),
						list->line(ld->cfg, cur_from + cur_count - 1), list->table),
				 errdetail("A row committed meanwhile holds its key."),
				 errhint("Nothing was loaded.")));
	}
	MemoryContextDelete(batchcxt);
	for (l = 0; l < (int) CL_NLISTS; l++)
		SPI_freeplan(plans[l]);
	return total;
}

/* ---- parsing ---------------------------------------------------------- */

static void
cl_free_config(void *arg)
{
	gf_ctx_config_free((gf_ctx_config *) arg);
}

/*
 * Parses len bytes (UTF-8) into a config freed with the current memory
 * context, or throws the parser's error with its line and column.
 */
static gf_ctx_config *
cl_parse(const char *text, size_t len, const char *file)
{
	gf_ctx_yaml_error err;
	gf_ctx_config *cfg;
	MemoryContextCallback *cb;

	cfg = gf_ctx_yaml_parse(text, len, NULL, &err);
	if (cfg == NULL)
	{
		const char *what = err.msg;
		const char *colon;

		if (err.line == 0 && strcmp(err.msg, "out of memory") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory parsing %s", file ? file : "context YAML")));
		/* The place is in err.line/column: drop "line L, column C: ". */
		if (err.line > 0 && (colon = strstr(err.msg, ": ")) != NULL)
			what = colon + 2;
		if (GetDatabaseEncoding() != PG_UTF8)
			what = pg_any_to_server(what, strlen(what), PG_UTF8);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s", cl_where(file, err.line, err.column), what),
				 errhint("docs/context_yaml.md describes the format.")));
	}
	cb = palloc(sizeof(*cb));
	cb->func = cl_free_config;
	cb->arg = cfg;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
	return cfg;
}

static void
cl_load_init(ClLoad *ld, const gf_ctx_config *cfg, const char *file, const char *origin)
{
	memset(ld, 0, sizeof(*ld));
	ld->cfg = cfg;
	ld->file = file;
	ld->origin = origin;
	ld->convert = GetDatabaseEncoding() != PG_UTF8;
}

/*
 * goflow2plus.load_context(yaml text, replace boolean) returns bigint:
 * the rows written.  All entries or none, in the caller's transaction,
 * with the caller's rights on the tables.
 */
Datum
goflow2plus_load_context(PG_FUNCTION_ARGS)
{
	text	   *yaml = PG_GETARG_TEXT_PP(0);
	bool		replace = PG_GETARG_BOOL(1);
	const char *src = VARDATA_ANY(yaml);
	size_t		len = VARSIZE_ANY_EXHDR(yaml);
	gf_ctx_config *cfg;
	ClLoad		ld;
	uint64		n;
	int			guc_level;

	/* The parser reads UTF-8; the argument is in the database encoding. */
	if (GetDatabaseEncoding() != PG_UTF8 && len > 0)
	{
		src = pg_server_to_any(src, (int) len, PG_UTF8);
		len = strlen(src);
	}
	cfg = cl_parse(src, len, NULL);
	cl_load_init(&ld, cfg, NULL, CL_ORIGIN_LOAD);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "goflow2plus: SPI_connect failed");
	guc_level = cl_safe_search_path();
	n = cl_apply(&ld, replace);
	AtEOXact_GUC(true, guc_level);
	SPI_finish();
	PG_RETURN_INT64((int64) n);
}

/* ---- goflow2plus.context_config ---------------------------------------- */

/* What identifies a version of the file without reading it. */
typedef struct CcSig
{
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	int64		mtime_ns;
	int64		ctime_ns;
} CcSig;

/* A file (or "" for none) whose rows the tables hold. */
typedef struct CcState
{
	bool		valid;
	char	   *path;			/* in TopMemoryContext */
	CcSig		sig;
	uint64		hash;			/* of the content */
	Oid			ext;			/* the extension the rows were written into */
} CcState;

/* Committed, and written by the current transaction (not yet committed). */
static CcState cc_applied;
static CcState cc_pending;
static SubTransactionId cc_pending_subid = InvalidSubTransactionId;
static bool cc_callbacks_registered = false;
static bool cc_warned_no_extension = false;

/* The last failure, so a bad file is not read and logged at every call. */
static struct
{
	bool		valid;
	char	   *path;
	CcSig		sig;
	Oid			ext;
	bool		content;		/* the file's own fault: retry only when it changes */
	TimestampTz at;
	char		msg[1024];
}			cc_failed;

static void
cc_set_path(char **dst, const char *path)
{
	if (*dst)
		pfree(*dst);
	*dst = MemoryContextStrdup(TopMemoryContext, path);
}

static void
cc_state_clear(CcState *s)
{
	if (s->path)
		pfree(s->path);
	memset(s, 0, sizeof(*s));
}

static void
cc_sig_from_stat(CcSig *sig, const struct stat *st)
{
	memset(sig, 0, sizeof(*sig));
	sig->dev = st->st_dev;
	sig->ino = st->st_ino;
	sig->size = st->st_size;
	sig->mtime_ns = (int64) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	sig->ctime_ns = (int64) st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

static bool
cc_sig_equal(const CcSig *a, const CcSig *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
		a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* The pending state becomes the applied one only if its writes commit. */
static void
cc_xact_callback(XactEvent event, void *arg)
{
	if (!cc_pending.valid)
		return;
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			cc_state_clear(&cc_applied);
			cc_applied = cc_pending;
			memset(&cc_pending, 0, sizeof(cc_pending));
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			cc_state_clear(&cc_pending);
			break;
		default:
			break;
	}
}

static void
cc_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					SubTransactionId parentSubid, void *arg)
{
	if (!cc_pending.valid || cc_pending_subid != mySubid)
		return;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
		cc_pending_subid = parentSubid;
	else if (event == SUBXACT_EVENT_ABORT_SUB)
		cc_state_clear(&cc_pending);
}

static void
cc_set_pending(const char *path, const CcSig *sig, uint64 hash, Oid ext)
{
	cc_set_path(&cc_pending.path, path);
	cc_pending.valid = true;
	if (sig)
		cc_pending.sig = *sig;
	else
		memset(&cc_pending.sig, 0, sizeof(cc_pending.sig));
	cc_pending.hash = hash;
	cc_pending.ext = ext;
	cc_pending_subid = GetCurrentSubTransactionId();
}

/* Removes the rows of origin 'file', if there are any (no statement else). */
static uint64
cc_remove_all(void)
{
	ClLoad		ld;
	int			rc;
	bool		isnull;
	bool		any;

	rc = SPI_execute("SELECT EXISTS (SELECT FROM goflow2plus.networks WHERE origin = 'file') "
					 "OR EXISTS (SELECT FROM goflow2plus.devices WHERE origin = 'file') "
					 "OR EXISTS (SELECT FROM goflow2plus.interfaces WHERE origin = 'file')",
					 true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "goflow2plus: looking for rows of origin 'file' failed: %s",
			 SPI_result_code_string(rc));
	any = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (!any)
		return 0;
	cl_load_init(&ld, NULL, NULL, CL_ORIGIN_FILE);
	cl_remove(&ld);
	return 1;
}

/*
 * Reads and loads the file; sets *unchanged when its content is what the
 * tables already hold.  Throws on any failure.
 */
static void
cc_load_file(const char *path, const CcState *cur, Oid ext, CcSig *sig, uint64 *hash,
			 bool *unchanged, size_t counts[3])
{
	int			fd;
	struct stat st;
	char	   *buf;
	size_t		got = 0;
	gf_ctx_config *cfg;
	ClLoad		ld;

	*unchanged = false;
	fd = OpenTransientFile(path, O_RDONLY | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open \"%s\": %m", path)));
	if (fstat(fd, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not stat \"%s\": %m", path)));
	cc_sig_from_stat(sig, &st);
	if (!S_ISREG(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("\"%s\" is not a regular file", path)));
	if (st.st_size > GF_CTX_YAML_MAX_INPUT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the file is %lld bytes, more than the %d allowed",
						path, (long long) st.st_size, GF_CTX_YAML_MAX_INPUT)));

	/* One byte more than fstat said, to see a file that grew meanwhile. */
	buf = palloc((size_t) st.st_size + 1);
	while (got < (size_t) st.st_size + 1)
	{
		ssize_t		r = read(fd, buf + got, (size_t) st.st_size + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read \"%s\": %m", path)));
		if (r == 0)
			break;
		got += (size_t) r;
	}
	CloseTransientFile(fd);
	if (got != (size_t) st.st_size)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("\"%s\" changed while it was read", path)));

	*hash = hash_bytes_extended((const unsigned char *) buf, (int) got, 0);
	if (cur->valid && cur->ext == ext && cur->path[0] != '\0' &&
		strcmp(cur->path, path) == 0 && cur->hash == *hash)
	{
		*unchanged = true;
		return;
	}

	cfg = cl_parse(buf, got, path);
	pfree(buf);
	cl_load_init(&ld, cfg, path, CL_ORIGIN_FILE);
	counts[0] = cfg->n_networks;
	counts[1] = cfg->n_devices;
	counts[2] = cfg->n_interfaces;
	(void) cl_apply(&ld, true);
}

void
gf_context_config_define_guc(void)
{
	DefineCustomStringVariable("goflow2plus.context_config",
							   "YAML file of networks, devices and interfaces kept in the context tables with origin 'file'.",
							   "Loaded by the context builder whenever the file changes; rows typed by hand or loaded by load_context() are never touched. An empty string removes the rows the file gave. A relative path is relative to the data directory. A file that fails to load is logged with its line and column, and the rows of the last good version stay.",
							   &gf_guc_context_config,
							   "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);
}

bool
gf_context_config_sync(char *errbuf, size_t len)
{
	const char *path = gf_guc_context_config ? gf_guc_context_config : "";
	const CcState *cur = cc_pending.valid ? &cc_pending : &cc_applied;
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	MemoryContext workcxt;
	struct stat st;
	CcSig		sig;
	uint64		hash = 0;
	bool		unchanged = false;
	bool		stat_ok = true;
	uint64		removed = 0;
	size_t		counts[3] = {0, 0, 0};
	int			guc_level;
	Oid			ext;

	if (len > 0)
		errbuf[0] = '\0';
	if (!cc_callbacks_registered)
	{
		RegisterXactCallback(cc_xact_callback, NULL);
		RegisterSubXactCallback(cc_subxact_callback, NULL);
		cc_callbacks_registered = true;
	}

	/*
	 * Without the extension there is nothing to remove, and a file waits
	 * for CREATE EXTENSION: said once, and looked at again at every call
	 * (a catalog lookup), so the file loads as soon as the tables exist.
	 * A new extension (DROP and CREATE EXTENSION) has new, empty tables:
	 * what was loaded into the old one does not count.
	 */
	ext = get_extension_oid("goflow2plus", true);
	if (!OidIsValid(ext))
	{
		if (path[0] == '\0')
			return true;
		snprintf(errbuf, len, "extension \"goflow2plus\" is not installed in database \"%s\"",
				 get_database_name(MyDatabaseId));
		if (!cc_warned_no_extension)
			ereport(WARNING,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("goflow2plus.context_config: %s", errbuf),
					 errdetail("The file is loaded once the extension is created.")));
		cc_warned_no_extension = true;
		return false;
	}
	cc_warned_no_extension = false;

	memset(&sig, 0, sizeof(sig));
	if (path[0] == '\0')
	{
		if (cur->valid && cur->ext == ext && cur->path[0] == '\0')
			return true;
	}
	else
	{
		if (stat(path, &st) == 0)
			cc_sig_from_stat(&sig, &st);
		else
			stat_ok = false;
		if (stat_ok && cur->valid && cur->ext == ext && strcmp(cur->path, path) == 0 &&
			cc_sig_equal(&cur->sig, &sig))
			return true;
	}

	/* The same failure again: say it without reading or logging again. */
	if (cc_failed.valid && cc_failed.ext == ext && strcmp(cc_failed.path, path) == 0 &&
		cc_sig_equal(&cc_failed.sig, &sig) &&
		(cc_failed.content ||
		 !TimestampDifferenceExceeds(cc_failed.at, GetCurrentTimestamp(), CC_RETRY_MS)))
	{
		strlcpy(errbuf, cc_failed.msg, len);
		return false;
	}

	workcxt = AllocSetContextCreate(oldcxt, "goflow2plus context_config",
									ALLOCSET_DEFAULT_SIZES);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(workcxt);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "goflow2plus: SPI_connect failed");
		guc_level = cl_safe_search_path();
		if (path[0] == '\0')
			removed = cc_remove_all();
		else
			cc_load_file(path, cur, ext, &sig, &hash, &unchanged, counts);
		AtEOXact_GUC(true, guc_level);
		SPI_finish();
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		MemoryContextDelete(workcxt);

		cc_set_path(&cc_failed.path, path);
		cc_failed.valid = true;
		cc_failed.sig = sig;
		cc_failed.ext = ext;
		cc_failed.content = (edata->sqlerrcode == ERRCODE_INVALID_PARAMETER_VALUE);
		cc_failed.at = GetCurrentTimestamp();
		strlcpy(cc_failed.msg, edata->message ? edata->message : "unknown error",
				sizeof(cc_failed.msg));
		strlcpy(errbuf, cc_failed.msg, len);
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("goflow2plus.context_config: %s", cc_failed.msg),
				 edata->hint ? errhint("%s", edata->hint) : 0,
				 errdetail("The rows of origin 'file' stay as the last good version of the file left them.")));
		FreeErrorData(edata);
		return false;
	}
	PG_END_TRY();
	MemoryContextDelete(workcxt);

	if (cc_failed.valid)
	{
		pfree(cc_failed.path);
		memset(&cc_failed, 0, sizeof(cc_failed));
	}
	if (unchanged && cur == &cc_pending)
		cc_pending.sig = sig;
	else if (unchanged)
		cc_applied.sig = sig;
	else
	{
		cc_set_pending(path, path[0] ? &sig : NULL, hash, ext);
		if (path[0] != '\0')
			ereport(LOG,
					(errmsg("goflow2plus.context_config: loaded \"%s\": %zu networks, %zu devices, %zu interfaces",
							path, counts[0], counts[1], counts[2])));
		else if (removed)
			ereport(LOG,
					(errmsg("goflow2plus.context_config is empty: the rows of origin 'file' were removed")));
	}
	return true;
}
