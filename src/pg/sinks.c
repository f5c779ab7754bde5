/*
 * sinks.c
 *    The sink settings (goflow2plus.transport, format, transport_file and
 *    nats_*) and the worker's hand-off of each flow to the sinks listed
 *    (see sinks.h for the design, sink_file.c and sink_nats.c for each
 *    sink).
 *
 *    Names mirror GoFlow2+'s flags, with the one dot postgresql.conf
 *    allows: -transport -> goflow2plus.transport, -format ->
 *    goflow2plus.format, -transport.file -> goflow2plus.transport_file,
 *    -transport.nats.servers -> goflow2plus.nats_servers, and so on.
 *    Everything but transport_file needs a restart: a worker sets up its
 *    sinks once, when it starts.
 */
#include "postgres.h"

#include <limits.h>

#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "context_attach.h"
#include "flow_json.h"
#include "flow_pb.h"
#include "nats_subject.h"
#include "sinks.h"

/* Output bits of goflow2plus.transport. */
#define SK_TABLE	0x1
#define SK_NATS		0x2
#define SK_FILE		0x4

char	   *gf_guc_transport = NULL;
int			gf_guc_format = GF_FORMAT_JSON;
char	   *gf_guc_transport_file = NULL;
char	   *gf_guc_nats_servers = NULL;
char	   *gf_guc_nats_subject = NULL;
char	   *gf_guc_nats_stream = NULL;
int			gf_guc_nats_max_inflight = 4096;
int			gf_guc_nats_batch = 100;
int			gf_guc_nats_buffer_size = 64 * 1024;
int			gf_guc_nats_ack_wait = 5000;
int			gf_guc_nats_stream_max_age = 86400;
int			gf_guc_nats_stream_max_bytes = 0;
int			gf_guc_nats_stream_replicas = 1;
char	   *gf_guc_nats_user = NULL;
char	   *gf_guc_nats_password = NULL;
char	   *gf_guc_nats_token = NULL;
char	   *gf_guc_nats_creds = NULL;
char	   *gf_guc_nats_nkey = NULL;
char	   *gf_guc_nats_nkey_seed = NULL;
char	   *gf_guc_nats_tls_ca = NULL;
char	   *gf_guc_nats_tls_cert = NULL;
char	   *gf_guc_nats_tls_key = NULL;

bool		gf_sinks_table = true;

static int	sk_transport = SK_TABLE;	/* set by the assign hook */

static const struct config_enum_entry sk_format_options[] = {
	{"json", GF_FORMAT_JSON, false},
	{"bin", GF_FORMAT_BIN, false},
	{NULL, 0, false}
};

/*
 * As for goflow2plus.listen: the postmaster only WARNs when a check hook
 * refuses postgresql.conf's value and then runs with the default, which
 * here would publish to the wrong place or nowhere.  The refusal is kept
 * and gf_sinks_define_gucs turns it into a startup failure.
 */
static char sk_rejected[600];

static void
sk_note_rejection(const char *name, const char *why)
{
	if (process_shared_preload_libraries_in_progress && sk_rejected[0] == '\0')
		snprintf(sk_rejected, sizeof(sk_rejected), "\"%s\": %s", name, why);
}

/* ---- the worker's sinks ------------------------------------------------ */

static bool sk_started = false;
static bool sk_stopped = false;
static bool sk_extra = false;	/* nats or file */
static GfSinkFormat sk_format;
static GfFlowEncodeFn sk_encode = NULL;
static GfFileSink *sk_file = NULL;
static bool sk_nats = false;
static uint64 sk_encode_errors = 0;

static void sk_refresh_context(void);

/*
 * An encoded flow.  Context names and objects have no small bound
 * (flow_json.h, flow_pb.h): the buffer starts at 64 kB and grows to what a
 * flow needs, once.
 */
#define SK_BUF_INITIAL	(64 * 1024)
#define SK_BUF_MAX		(16 * 1024 * 1024)
static uint8 *sk_buf = NULL;
static size_t sk_buf_size = 0;

/* ---- settings ---------------------------------------------------------- */

/* "table, nats" -> bits; -1 and a message on a bad list. */
static int
sk_parse_transport(const char *s, char *err, size_t errlen)
{
	int			bits = 0;
	const char *p = s;

	while (*p)
	{
		const char *start;
		size_t		len;
		int			bit;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		len = (size_t) (p - start);
		if (len == 5 && strncmp(start, "table", 5) == 0)
			bit = SK_TABLE;
		else if (len == 4 && strncmp(start, "nats", 4) == 0)
			bit = SK_NATS;
		else if (len == 4 && strncmp(start, "file", 4) == 0)
			bit = SK_FILE;
		else
		{
			snprintf(err, errlen, "unknown transport \"%.*s\"", (int) len, start);
			return -1;
		}
		bits |= bit;
	}
	if (bits == 0)
	{
		snprintf(err, errlen, "no transport listed");
		return -1;
	}
	return bits;
}

static bool
sk_check_transport(char **newval, void **extra, GucSource source)
{
	char		err[128];
	int		   *bits;
	int			b = sk_parse_transport(*newval, err, sizeof(err));

	if (b < 0)
	{
		GUC_check_errdetail("%s.", err);
		GUC_check_errhint("List one or more of table, nats, file, separated by commas, e.g. 'table, nats'.");
		sk_note_rejection("goflow2plus.transport", err);
		return false;
	}
	bits = (int *) malloc(sizeof(int));
	if (bits == NULL)
		return false;
	*bits = b;
	*extra = bits;
	return true;
}

static void
sk_assign_transport(const char *newval, void *extra)
{
	sk_transport = extra ? *(int *) extra : SK_TABLE;
	gf_sinks_table = (sk_transport & SK_TABLE) != 0;
}

static bool
sk_check_subject(char **newval, void **extra, GucSource source)
{
	gf_subject_pattern *p = (gf_subject_pattern *) malloc(sizeof(gf_subject_pattern));
	char		err[300];

	if (p == NULL)
		return false;
	if (gf_subject_parse(*newval, p, err, sizeof(err)) != 0)
	{
		free(p);
		GUC_check_errdetail("%s.", err);
		GUC_check_errhint("A NATS subject such as 'flows', or a pattern such as 'flows.{type}.{hash:src_addr,dst_addr:16}'.");
		sk_note_rejection("goflow2plus.nats_subject", err);
		return false;
	}
	free(p);
	return true;
}

static bool
sk_check_stream(char **newval, void **extra, GucSource source)
{
	const char *s = *newval;

	if (s[0] == '\0' || strpbrk(s, ".*> \t\r\n/\\") != NULL || strlen(s) > 200)
	{
		GUC_check_errdetail("A stream name is 1 to 200 characters without '.', '*', '>', '/', '\\' or spaces.");
		sk_note_rejection("goflow2plus.nats_stream", "not a valid stream name");
		return false;
	}
	return true;
}

static bool
sk_check_servers(char **newval, void **extra, GucSource source)
{
	if (strspn(*newval, ", \t") == strlen(*newval))
	{
		GUC_check_errdetail("Name at least one server, e.g. 'nats://127.0.0.1:4222'.");
		sk_note_rejection("goflow2plus.nats_servers", "empty");
		return false;
	}
	return true;
}

/* A credential: only superusers see or set it; secrets stay out of SHOW ALL. */
static void
sk_define_secret(const char *name, const char *desc, char **var, bool secret)
{
	DefineCustomStringVariable(name, desc, NULL, var, "",
							   PGC_POSTMASTER,
							   GUC_SUPERUSER_ONLY | (secret ? GUC_NO_SHOW_ALL : 0),
							   NULL, NULL, NULL);
}

void
gf_sinks_define_gucs(void)
{
	DefineCustomStringVariable("goflow2plus.transport",
							   "Where flows go: a list of table, nats, file (GoFlow2+'s -transport).",
							   "table: goflow2plus.flows; nats: a NATS JetStream stream (goflow2plus.nats_*); file: goflow2plus.transport_file. Each works alone or with the others.",
							   &gf_guc_transport,
							   "table",
							   PGC_POSTMASTER, GUC_LIST_INPUT,
							   sk_check_transport, sk_assign_transport, NULL);
	DefineCustomEnumVariable("goflow2plus.format",
							 "Encoding of flows sent to NATS and the file: json or bin (GoFlow2+'s -format).",
							 "json: one object per line with GoFlow2's keys; bin: GoFlow2's FlowMessage protobuf, each prefixed by its varint length.",
							 &gf_guc_format,
							 GF_FORMAT_JSON, sk_format_options,
							 PGC_POSTMASTER, 0,
							 NULL, NULL, NULL);
	DefineCustomStringVariable("goflow2plus.transport_file",
							   "File the file sink appends flows to (GoFlow2+'s -transport.file); relative to the data directory.",
							   "Reopened at each reload, for log rotation.",
							   &gf_guc_transport_file,
							   "",
							   PGC_SIGHUP, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("goflow2plus.nats_servers",
							   "NATS servers to publish to, comma-separated URLs (-transport.nats.servers).",
							   "The client fails over between them and reconnects by itself.",
							   &gf_guc_nats_servers,
							   "nats://127.0.0.1:4222",
							   PGC_POSTMASTER, GUC_LIST_INPUT,
							   sk_check_servers, NULL, NULL);
	DefineCustomStringVariable("goflow2plus.nats_subject",
							   "Subject flows are published on: a subject, or a pattern with {type}, {sampler_address}, {src_group}, {dst_group}, {hash:field,...:N} (-transport.nats.subject).",
							   NULL,
							   &gf_guc_nats_subject,
							   "flows",
							   PGC_POSTMASTER, 0,
							   sk_check_subject, NULL, NULL);
	DefineCustomStringVariable("goflow2plus.nats_stream",
							   "JetStream stream that stores the flows; created when missing (-transport.nats.stream).",
							   NULL,
							   &gf_guc_nats_stream,
							   "flows",
							   PGC_POSTMASTER, 0,
							   sk_check_stream, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.nats_max_inflight",
							"Messages each worker may have published and not yet acknowledged.",
							"Past it flows wait in goflow2plus.nats_buffer_size, and past that they are dropped and counted in nats_dropped; the receive path never waits.",
							&gf_guc_nats_max_inflight,
							4096, 1, 1000000,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.nats_batch",
							"Flows per NATS message at most: length-delimited bin, or JSON lines; 1 sends one flow per message.",
							"Only flows already waiting are joined (no delay is added), grouped by subject. Measured here: about 5 times the flows/s of one flow per message (test/bench/bench_nats.sh).",
							&gf_guc_nats_batch,
							100, 1, 10000,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.nats_buffer_size",
							"Memory each worker uses for flows waiting to be published (NATS slow, away, or at nats_max_inflight).",
							NULL,
							&gf_guc_nats_buffer_size,
							64 * 1024, 64, 4 * 1024 * 1024,
							PGC_POSTMASTER, GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.nats_ack_wait",
							"How long a published message waits for its acknowledgement before it is sent again (same Nats-Msg-Id) or, after 3 attempts, counted in nats_failed.",
							NULL,
							&gf_guc_nats_ack_wait,
							5000, 100, 600000,
							PGC_POSTMASTER, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.nats_stream_max_age",
							"Max age of messages in a stream the workers create; 0 keeps them until max bytes.",
							NULL,
							&gf_guc_nats_stream_max_age,
							86400, 0, INT_MAX,
							PGC_POSTMASTER, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.nats_stream_max_bytes",
							"Max size of a stream the workers create; 0: no limit.",
							NULL,
							&gf_guc_nats_stream_max_bytes,
							0, 0, INT_MAX,
							PGC_POSTMASTER, GUC_UNIT_MB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("goflow2plus.nats_stream_replicas",
							"Replicas of a stream the workers create (1 to 5; a clustered JetStream for more than 1).",
							NULL,
							&gf_guc_nats_stream_replicas,
							1, 1, 5,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);
	sk_define_secret("goflow2plus.nats_user", "NATS user name (with goflow2plus.nats_password).",
					 &gf_guc_nats_user, false);
	sk_define_secret("goflow2plus.nats_password", "NATS password.",
					 &gf_guc_nats_password, true);
	sk_define_secret("goflow2plus.nats_token", "NATS authentication token.",
					 &gf_guc_nats_token, true);
	sk_define_secret("goflow2plus.nats_creds", "NATS credentials file (user JWT and NKey seed).",
					 &gf_guc_nats_creds, true);
	sk_define_secret("goflow2plus.nats_nkey", "NATS NKey public key (with goflow2plus.nats_nkey_seed).",
					 &gf_guc_nats_nkey, false);
	sk_define_secret("goflow2plus.nats_nkey_seed", "File holding the NATS NKey seed.",
					 &gf_guc_nats_nkey_seed, true);
	sk_define_secret("goflow2plus.nats_tls_ca", "CA certificates file to verify the NATS servers (turns TLS on).",
					 &gf_guc_nats_tls_ca, false);
	sk_define_secret("goflow2plus.nats_tls_cert", "Client certificate file for NATS TLS.",
					 &gf_guc_nats_tls_cert, false);
	sk_define_secret("goflow2plus.nats_tls_key", "Client private key file for NATS TLS.",
					 &gf_guc_nats_tls_key, true);

	if (sk_rejected[0] != '\0')
		ereport(FATAL,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("goflow2plus: invalid sink setting %s", sk_rejected),
				 errhint("See the sink settings in the README; the server does not start with a sink setting it cannot honour.")));
}

/* ---- the worker's side ------------------------------------------------- */

/* JSON: one object, GoFlow2's keys, GoFlow2+'s "context" (flow_json.h). */
static size_t
sk_encode_json(const gf_flow *f, const gf_ctx_snapshot *ctx, uint8_t *buf,
			   size_t len)
{
	return gf_flow_json_ctx(f, ctx, (char *) buf, len);
}

/* bin: GoFlow2's FlowMessage after its varint length (flow_pb.h). */
static size_t
sk_encode_bin(const gf_flow *f, const gf_ctx_snapshot *ctx, uint8_t *buf,
			  size_t len)
{
	return gf_flow_pb_pack_delimited(f, ctx, buf, len);
}

/* What the flow needs when it did not fit (JSON's NUL included). */
static size_t
sk_encoded_size(const gf_flow *f, const gf_ctx_snapshot *ctx)
{
	if (sk_format == GF_FORMAT_BIN)
		return gf_flow_pb_size(f, ctx);
	return gf_flow_json_ctx_len(f, ctx) + 1;
}

/* Any exit (FATAL, postmaster death): close NATS without waiting. */
static void
sk_on_exit(int code, Datum arg)
{
	gf_sinks_stop(0);
}

void
gf_sinks_start(int slotno)
{
	sk_format = (GfSinkFormat) gf_guc_format;
	sk_encode = sk_format == GF_FORMAT_BIN ? sk_encode_bin : sk_encode_json;
	sk_buf_size = SK_BUF_INITIAL;
	sk_buf = MemoryContextAlloc(TopMemoryContext, sk_buf_size);
	if (sk_transport & SK_FILE)
	{
		sk_file = gf_file_sink_create(slotno, sk_format == GF_FORMAT_JSON);
		gf_file_sink_open(sk_file, gf_guc_transport_file);
	}
	if (sk_transport & SK_NATS)
	{
		(void) gf_nats_sink_start(slotno, sk_format);
		/* Flows still count as dropped when the publisher did not start. */
		sk_nats = true;
	}
	sk_extra = sk_file != NULL || sk_nats;
	sk_started = true;
	if (sk_extra)
	{
		on_proc_exit(sk_on_exit, (Datum) 0);
		sk_refresh_context();
	}
}

void
gf_sinks_flow(const gf_flow *f)
{
	gf_flow		e;
	const gf_ctx_snapshot *ctx;
	size_t		len;

	if (!sk_extra)
		return;
	ctx = gf_context_snapshot_in_use();
	gf_context_enrich_copy(f, &e);
	len = sk_encode(&e, ctx, sk_buf, sk_buf_size);
	if (len == 0)
	{
		size_t		need = sk_encoded_size(&e, ctx);

		if (need > sk_buf_size && need <= SK_BUF_MAX)
		{
			sk_buf = repalloc(sk_buf, need);
			sk_buf_size = need;
			len = sk_encode(&e, ctx, sk_buf, sk_buf_size);
		}
		if (len == 0)
		{
			sk_encode_errors++;
			return;
		}
	}
	if (sk_file != NULL)
		gf_file_sink_put(sk_file, sk_buf, len);
	if (sk_nats)
		gf_nats_sink_put(&e, ctx, sk_buf, len);
}

void
gf_sinks_pass_end(void)
{
	if (sk_file != NULL)
		gf_file_sink_flush(sk_file);
	if (sk_nats)
		gf_nats_sink_pass_end();
}

/*
 * Attach the newest context snapshot.  The table writer does it before
 * each batch; without the table, or between quiet batches, nobody else
 * would for flows the sinks enrich at receive time.  Between batches
 * (here: at start and at each tick) a switch is always safe
 * (context_attach.h).  A failure keeps the snapshot in use.
 */
static void
sk_refresh_context(void)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		(void) gf_context_refresh();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		FlushErrorState();
	}
	PG_END_TRY();
}

void
gf_sinks_tick(void)
{
	if (!sk_extra)
		return;
	sk_refresh_context();
	if (sk_file != NULL)
		gf_file_sink_tick(sk_file);
	if (sk_nats)
		gf_nats_sink_tick();
}

void
gf_sinks_reload(void)
{
	if (sk_file != NULL)
		gf_file_sink_open(sk_file, gf_guc_transport_file);
}

void
gf_sinks_stop(int wait_ms)
{
	if (!sk_started || sk_stopped)
		return;
	sk_stopped = true;
	if (sk_file != NULL)
		gf_file_sink_flush(sk_file);
	if (sk_nats)
		gf_nats_sink_stop(wait_ms);
}

void
gf_sinks_counts(GfSinkCounts *out)
{
	memset(out, 0, sizeof(*out));
	if (sk_file != NULL)
		gf_file_sink_counts(sk_file, &out->file_written, &out->file_errors);
	if (sk_nats)
		gf_nats_sink_counts(out);
	/* A flow that could not be encoded reached neither sink. */
	if (sk_file != NULL)
		out->file_errors += sk_encode_errors;
	if (sk_nats)
		out->nats_dropped += sk_encode_errors;
}
