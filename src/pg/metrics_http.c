/*
 * metrics_http.c
 *    The Prometheus endpoint: goflow2plus.metrics_listen names an address
 *    ("127.0.0.1:9188", "[::1]:9188", ":9188"), and one background worker,
 *    "goflow2plus metrics", serves GET /metrics there with libmicrohttpd
 *    (text format 0.0.4, rendered by metrics.c).  Also
 *    goflow2plus.metrics(), the same text from SQL.
 *
 *    libmicrohttpd runs without a thread of its own: it is started in
 *    external-poll mode with its own epoll set (MHD_USE_EPOLL), whose one
 *    descriptor sits in the worker's WaitEventSet beside the latch; when it
 *    is readable, or MHD's timeout is due, the worker calls MHD_run, and
 *    the request callback renders the text on the worker's own thread.
 *    So no PostgreSQL code ever runs on a foreign thread.  Signals are
 *    still blocked around MHD_start_daemon, in case a build of the
 *    library starts a thread there.
 *
 *    The worker needs shared memory only, no database connection.  The
 *    endpoint has no authentication: bind it to a private address.
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#include "gf_shmem.h"
#include "metrics.h"
#include "metrics_http.h"
#include "pg_compat.h"

PG_FUNCTION_INFO_V1(goflow2plus_metrics);

char	   *gf_guc_metrics_listen = NULL;

/* Longest the worker sleeps without looking at MHD's timers. */
#define MH_MAX_WAIT_MS		1000
/* Scrapers served at once, and how long an idle connection is kept. */
#define MH_CONNECTIONS		16
#define MH_CONN_TIMEOUT_S	10

typedef struct MhAddr
{
	bool		any;			/* empty host: every address, IPv6 and IPv4 */
	struct sockaddr_storage ss;
	uint16		port;
} MhAddr;

/*
 * Parse "host:port", "[v6]:port" or ":port"; the host must be numeric
 * (as for goflow2plus.listen: the bound address never depends on DNS).
 */
static bool
mh_parse(const char *s, MhAddr *out, char *err, size_t errlen)
{
	char		host[64];
	const char *colon;
	const char *p;
	char	   *end;
	long		port;
	size_t		hlen;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[')
	{
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
		{
			snprintf(err, errlen, "\"%s\": an IPv6 address is written [address]:port", s);
			return false;
		}
		hlen = close - s - 1;
		if (hlen >= sizeof(host))
		{
			snprintf(err, errlen, "\"%s\": address too long", s);
			return false;
		}
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		colon = close + 1;
	}
	else
	{
		colon = strrchr(s, ':');
		if (colon == NULL)
		{
			snprintf(err, errlen, "\"%s\" has no port: write host:port, [address]:port or :port", s);
			return false;
		}
		hlen = colon - s;
		if (hlen >= sizeof(host))
		{
			snprintf(err, errlen, "\"%s\": address too long", s);
			return false;
		}
		memcpy(host, s, hlen);
		host[hlen] = '\0';
	}
	p = colon + 1;
	errno = 0;
	port = strtol(p, &end, 10);
	if (*p == '\0' || *end != '\0' || errno != 0 || port < 1 || port > 65535)
	{
		snprintf(err, errlen, "\"%s\": the port must be a number from 1 to 65535", s);
		return false;
	}
	out->port = (uint16) port;
	if (host[0] == '\0')
	{
		out->any = true;
		return true;
	}
	if (s[0] != '[')
	{
		struct sockaddr_in *in4 = (struct sockaddr_in *) &out->ss;

		if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
		{
			snprintf(err, errlen, "\"%s\" is not a numeric IPv4 address (IPv6 goes in brackets)", host);
			return false;
		}
		in4->sin_family = AF_INET;
		in4->sin_port = htons(out->port);
	}
	else
	{
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &out->ss;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
		{
			snprintf(err, errlen, "\"%s\" is not a numeric IPv6 address", host);
			return false;
		}
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(out->port);
	}
	return true;
}

static bool
mh_check_listen(char **newval, void **extra, GucSource source)
{
	MhAddr		a;
	char		err[256];

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (mh_parse(*newval, &a, err, sizeof(err)))
		return true;
	GUC_check_errdetail("%s.", err);
	GUC_check_errhint("Example: goflow2plus.metrics_listen = '127.0.0.1:9188'; empty turns the endpoint off.");
	return false;
}

void
gf_metrics_define_guc(void)
{
	DefineCustomStringVariable("goflow2plus.metrics_listen",
							   "Address of the Prometheus endpoint (GET /metrics), e.g. 127.0.0.1:9188; empty: off.",
							   "host:port, [IPv6]:port, or :port for every address. No authentication: keep it on a private address.",
							   &gf_guc_metrics_listen,
							   "",
							   PGC_POSTMASTER, 0,
							   mh_check_listen, NULL, NULL);
}

bool
gf_metrics_enabled(void)
{
	return gf_guc_metrics_listen != NULL && gf_guc_metrics_listen[0] != '\0';
}

void
gf_metrics_register_worker(void)
{
	BackgroundWorker worker;

	if (!gf_metrics_enabled())
		return;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	/* Shared memory only: it can serve during recovery too. */
	worker.bgw_start_time = BgWorkerStart_PostmasterStart;
	worker.bgw_restart_time = 5;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "goflow2plus");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "goflow2plus_metrics_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "goflow2plus metrics %s", gf_guc_metrics_listen);
	snprintf(worker.bgw_type, BGW_MAXLEN, "goflow2plus metrics");
	RegisterBackgroundWorker(&worker);
}

/* ---- the worker ----------------------------------------------------------- */

static MemoryContext mh_cxt;

static enum MHD_Result
mh_reply(struct MHD_Connection *conn, unsigned int status, const char *body,
		 size_t len, const char *type)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	resp = MHD_create_response_from_buffer(len, (void *) body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	(void) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/*
 * Called by MHD_run, on the worker's thread.  An ERROR while rendering
 * (out of memory) must not unwind through libmicrohttpd's frames: it is
 * caught here and answered with 500.
 */
static enum MHD_Result
mh_request(void *cls, struct MHD_Connection *conn, const char *url,
		   const char *method, const char *version, const char *upload_data,
		   size_t *upload_data_size, void **con_cls)
{
	static const char text_type[] = "text/plain; version=0.0.4; charset=utf-8";
	MemoryContext old;
	StringInfoData buf;
	volatile bool failed = false;
	enum MHD_Result rc;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return mh_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n", 9, "text/plain");
	if (strcmp(url, "/metrics") != 0)
		return mh_reply(conn, MHD_HTTP_NOT_FOUND, "see /metrics\n", 13, "text/plain");

	old = MemoryContextSwitchTo(mh_cxt);
	initStringInfo(&buf);
	PG_TRY();
	{
		gf_metrics_render(&buf);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(mh_cxt);
		EmitErrorReport();
		FlushErrorState();
		failed = true;
	}
	PG_END_TRY();
	if (failed)
		rc = mh_reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
					  "rendering failed, see the server log\n", 37, "text/plain");
	else
		rc = mh_reply(conn, MHD_HTTP_OK, buf.data, buf.len, text_type);
	MemoryContextSwitchTo(old);
	MemoryContextReset(mh_cxt);
	return rc;
}

static struct MHD_Daemon *
mh_start(const MhAddr *a)
{
	struct MHD_Daemon *d;
	sigset_t	all;
	sigset_t	saved;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (a->any)
		flags |= MHD_USE_DUAL_STACK;
	else if (a->ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;

	/* Any thread the library might start inherits a fully blocked mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	if (a->any)
		d = MHD_start_daemon(flags, a->port, NULL, NULL, mh_request, NULL,
							 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) MH_CONNECTIONS,
							 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) MH_CONN_TIMEOUT_S,
							 MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, a->port, NULL, NULL, mh_request, NULL,
							 MHD_OPTION_SOCK_ADDR, (const struct sockaddr *) &a->ss,
							 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) MH_CONNECTIONS,
							 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) MH_CONN_TIMEOUT_S,
							 MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	return d;
}

void
goflow2plus_metrics_main(Datum main_arg)
{
	MhAddr		addr;
	char		err[256];
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	WaitEventSet *wes;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	if (!mh_parse(gf_guc_metrics_listen, &addr, err, sizeof(err)))
		ereport(FATAL,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("goflow2plus metrics: invalid goflow2plus.metrics_listen"),
				 errdetail("%s.", err)));
	mh_cxt = AllocSetContextCreate(TopMemoryContext, "goflow2plus metrics scrape",
								   ALLOCSET_DEFAULT_SIZES);
	d = mh_start(&addr);
	if (d == NULL)
		ereport(FATAL,
				(errmsg("goflow2plus metrics: could not listen on \"%s\"",
						gf_guc_metrics_listen),
				 errhint("Is the port in use, or the address not local? The worker retries in 5 s.")));
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL)
		ereport(FATAL,
				(errmsg("goflow2plus metrics: libmicrohttpd gave no epoll descriptor")));

	wes = gf_create_wait_event_set(3);
	AddWaitEventToSet(wes, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(wes, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(wes, WL_SOCKET_READABLE, info->epoll_fd, NULL, NULL);
	ereport(LOG,
			(errmsg("goflow2plus metrics: serving http://%s/metrics",
					gf_guc_metrics_listen)));

	while (!ShutdownRequestPending)
	{
		WaitEvent	events[3];
		MHD_UNSIGNED_LONG_LONG due;
		long		timeout = MH_MAX_WAIT_MS;

		if (MHD_get_timeout(d, &due) == MHD_YES)
			timeout = (long) Min(due, (MHD_UNSIGNED_LONG_LONG) MH_MAX_WAIT_MS);
		(void) WaitEventSetWait(wes, timeout, events, lengthof(events),
								GF_WAIT_EVENT_MAIN);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		/* Accepts, reads, answers and times out connections. */
		(void) MHD_run(d);
	}
	MHD_stop_daemon(d);
	/* Status 1, as the flow workers: terminated by hand, it comes back. */
	proc_exit(1);
}

/* goflow2plus.metrics(): the same text as GET /metrics. */
Datum
goflow2plus_metrics(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	if (gf_shmem_get() == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("goflow2plus workers are not running in this server"),
				 errhint("Add goflow2plus to shared_preload_libraries and restart.")));
	initStringInfo(&buf);
	gf_metrics_render(&buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
