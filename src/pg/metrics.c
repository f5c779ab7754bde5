/*
 * metrics.c
 *    The Prometheus text of goflow2plus (metrics.h): one renderer for
 *    goflow2plus.metrics() and the HTTP endpoint, reading the same shared
 *    memory stats() and exporters() read.
 *
 *    Why shared memory rather than running stats() through SPI: the
 *    metrics process then needs no database connection and no
 *    transaction per scrape, so a scrape works while the database is
 *    being created, dropped or is refusing connections, costs no snapshot
 *    or catalog lookups, and the SQL function and the endpoint run the
 *    very same code.
 *
 *    Names.  GoFlow2 v2's (netsampler/goflow2 metrics/metrics.go, before
 *    its _total renames) where one applies, with its labels: traffic per
 *    source (remote_ip, local_ip, local_port, type = the listen scheme),
 *    decoder counts per worker, NetFlow and sFlow processing per router
 *    (the UDP source).  Differences, all for want of the data, are said
 *    beside each family below.  Ours are goflow2plus_*: every stats()
 *    counter, per worker, as goflow2plus_<counter>_total (gauges without
 *    _total), the batch write histogram, the exporter rows and the
 *    context generation.
 *
 *    Where the exporter rows become metrics is one table, exp_metrics
 *    below: a column added to the row type (MtExporterRow) becomes a
 *    metric with one line there, and the row's labels are made in one
 *    function, mt_exporter_labels.
 */
#include "postgres.h"

#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "context_shared.h"
#include "gf_shmem.h"
#include "metrics.h"

/* ---- the tables an integrator extends ----------------------------------- */

/* stats() counters that are gauges (everything else is a counter). */
static const char *const mt_gauges[] = {
	"rcvbuf_bytes", "rcvq_bytes", "spool_records", "spool_bytes", "nf_pending_bytes",
	"nats_inflight", "nats_buffered",
};

/* Help text of every stats() counter, in GfCounterIndex order. */
static const char *const mt_counter_help[GF_NCOUNTERS] = {
#define MT_HELP(name, desc) desc,
	GF_COUNTER_LIST(MT_HELP)
	GF_ADAPTER_COUNTER_LIST(MT_HELP)
#undef MT_HELP
};

typedef enum MtKind
{
	MT_COUNTER,
	MT_GAUGE,
	MT_UNIX_SECONDS				/* a gauge holding a time in ns, shown in s */
} MtKind;

/*
 * Exporter rows (goflow2plus.exporters()) as metrics, labels
 * {worker, exporter}: one line per column.  'size' tells a 32-bit field
 * from a 64-bit one.
 */
typedef struct MtExporterMetric
{
	const char *name;
	MtKind		kind;
	size_t		offset;
	size_t		size;
	const char *help;
} MtExporterMetric;

/* What a slot keeps per exporter (GfWorkerSlot.exporters). */
typedef gf_exporter_row MtExporterRow;

/* field may be a nested member ("nf.templates"): offsetof takes it. */
#define EXP_FIELD(field, name, kind, help) \
	{name, kind, offsetof(MtExporterRow, field), \
	 sizeof(((MtExporterRow *) 0)->field), help}

static const MtExporterMetric exp_metrics[] = {
	EXP_FIELD(last_seen_ns, "goflow2plus_exporter_last_seen_seconds", MT_UNIX_SECONDS,
			  "UNIX time of the exporter's last datagram (this protocol and domain)"),
	EXP_FIELD(datagrams, "goflow2plus_exporter_datagrams_total", MT_COUNTER,
			  "datagrams from the exporter (this protocol and domain)"),
	EXP_FIELD(bytes, "goflow2plus_exporter_bytes_total", MT_COUNTER,
			  "UDP payload bytes of those datagrams"),
	EXP_FIELD(flows, "goflow2plus_exporter_flows_total", MT_COUNTER,
			  "flow records decoded from the exporter"),
	EXP_FIELD(decode_errors, "goflow2plus_exporter_decode_errors_total", MT_COUNTER,
			  "datagrams from the exporter dropped whole or in part"),
	EXP_FIELD(seq_lost, "goflow2plus_exporter_sequence_lost_total", MT_COUNTER,
			  "sequence-gap estimate of what was lost before it reached us (seq_unit of exporters())"),
	EXP_FIELD(seq_late, "goflow2plus_exporter_sequence_late_total", MT_COUNTER,
			  "messages that arrived behind the sequence (reordered)"),
	EXP_FIELD(seq_resets, "goflow2plus_exporter_sequence_resets_total", MT_COUNTER,
			  "exporter restarts detected from its sequence numbers or uptime"),
	EXP_FIELD(samples_lost, "goflow2plus_exporter_sflow_samples_lost_total", MT_COUNTER,
			  "sFlow flow samples skipped, per source, summed"),
	EXP_FIELD(nf.templates, "goflow2plus_exporter_templates", MT_GAUGE,
			  "templates held for the exporter's address"),
	EXP_FIELD(nf.template_bytes, "goflow2plus_exporter_template_bytes", MT_GAUGE,
			  "memory of the templates held for the exporter's address"),
	EXP_FIELD(nf.sampling_entries, "goflow2plus_exporter_sampling_entries", MT_GAUGE,
			  "sampling rates held for the exporter's address"),
	EXP_FIELD(nf.pending_bytes, "goflow2plus_exporter_pending_bytes", MT_GAUGE,
			  "data waiting for its template (bytes kept)"),
	EXP_FIELD(nf.templates_refused, "goflow2plus_exporter_templates_refused_total", MT_COUNTER,
			  "templates refused: over a per-exporter or total limit"),
	EXP_FIELD(nf.templates_evicted, "goflow2plus_exporter_templates_evicted_total", MT_COUNTER,
			  "templates pushed out by other exporters' under the totals"),
	EXP_FIELD(nf.sampling_refused, "goflow2plus_exporter_sampling_refused_total", MT_COUNTER,
			  "sampling entries refused over the limit"),
	EXP_FIELD(nf.pending_refused, "goflow2plus_exporter_pending_refused_total", MT_COUNTER,
			  "data sets not kept: the exporter's pending buffer was full"),
	EXP_FIELD(nf.pending_evicted, "goflow2plus_exporter_pending_evicted_total", MT_COUNTER,
			  "kept data sets pushed out by the total pending limit"),
};

/* ---- label sets merged over workers -------------------------------------- */

/*
 * Several workers can see the same source (?count=N, or one router
 * sending to two listeners), and a series must appear once: values with
 * the same labels are summed.  Entries keep their first-seen order, so
 * the text is stable from one scrape to the next.
 */
#define MT_KEY 256

typedef struct MtEntry
{
	char		key[MT_KEY];	/* the rendered label set, without braces */
	uint64		value;
	int			order;
} MtEntry;

typedef struct MtAcc
{
	HTAB	   *h;
	MtEntry   **list;
	int			n;
	int			cap;
} MtAcc;

static void
mt_acc_init(MtAcc *acc)
{
	HASHCTL		ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MT_KEY;
	ctl.entrysize = sizeof(MtEntry);
	ctl.hcxt = CurrentMemoryContext;
	acc->h = hash_create("goflow2plus metrics", 64, &ctl,
						 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	acc->cap = 64;
	acc->n = 0;
	acc->list = palloc(sizeof(MtEntry *) * acc->cap);
}

static void
mt_acc_add(MtAcc *acc, const char *labels, uint64 v)
{
	char		key[MT_KEY];
	MtEntry    *e;
	bool		found;

	strlcpy(key, labels, sizeof(key));
	e = hash_search(acc->h, key, HASH_ENTER, &found);
	if (!found)
	{
		e->value = 0;
		if (acc->n == acc->cap)
		{
			acc->cap *= 2;
			acc->list = repalloc(acc->list, sizeof(MtEntry *) * acc->cap);
		}
		acc->list[acc->n++] = e;
	}
	e->value += v;
}

/* Prometheus label value: backslash, double quote and newline escaped. */
static void
mt_label(StringInfo s, const char *name, const char *value)
{
	const char *p;

	if (s->len > 0)
		appendStringInfoChar(s, ',');
	appendStringInfo(s, "%s=\"", name);
	for (p = value; *p; p++)
	{
		if (*p == '\\' || *p == '"')
			appendStringInfoChar(s, '\\');
		if (*p == '\n')
			appendStringInfoString(s, "\\n");
		else
			appendStringInfoChar(s, *p);
	}
	appendStringInfoChar(s, '"');
}

/* # HELP and # TYPE lines; help has no backslash or newline. */
static void
mt_family(StringInfo buf, const char *name, const char *type, const char *help)
{
	appendStringInfo(buf, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
mt_sample(StringInfo buf, const char *name, const char *labels, uint64 v)
{
	if (labels[0] != '\0')
		appendStringInfo(buf, "%s{%s} " UINT64_FORMAT "\n", name, labels, v);
	else
		appendStringInfo(buf, "%s " UINT64_FORMAT "\n", name, v);
}

static void
mt_acc_emit(StringInfo buf, MtAcc *acc, const char *name)
{
	int			i;

	for (i = 0; i < acc->n; i++)
		mt_sample(buf, name, acc->list[i]->key, acc->list[i]->value);
}

/* ---- what the slots hold, copied once per render ------------------------ */

typedef struct MtSlot
{
	const GfWorkerSlot *slot;
	gf_listen_uri uri;			/* copied once per render */
	char		worker[16];
	const char *type;			/* the listen scheme: GoFlow2's "type" */
	char		local_ip[64];
	char		local_port[8];
	int			nrows;
	GfRemoteStats *rows;		/* nrows, "other" last */
} MtSlot;

static const char *
mt_scheme(gf_proto p)
{
	switch (p)
	{
		case GF_PROTO_NETFLOW:
			return "netflow";
		case GF_PROTO_SFLOW:
			return "sflow";
		case GF_PROTO_AUTO:
			break;
	}
	return "flow";
}

static void
mt_local_ip(const gf_listen_uri *u, char *out, size_t len)
{
	gf_addr		a;

	memset(&a, 0, sizeof(a));
	if (u->family == GF_LISTEN_IPV4)
		gf_addr_set_v4(&a, u->addr);
	else if (u->family == GF_LISTEN_IPV6)
		gf_addr_set_v6(&a, u->addr);
	else
	{
		/* Bound to [::] with IPv4 too, which Go's net shows as "::". */
		strlcpy(out, "::", len);
		return;
	}
	gf_addr_format(&a, out, len);
}

/* The remote_ip / router label of a row: "other" for the overflow row. */
static void
mt_remote(const GfRemoteStats *r, char *out, size_t len)
{
	if (r->addr.family == 0)
		strlcpy(out, "other", len);
	else
		gf_addr_format(&r->addr, out, len);
}

/*
 * The listen entry of a slot, false when the slot serves no listener.
 * Slots are fixed for the life of the server here; where listeners come
 * and go at reload, this is the one place to read them under their lock
 * and skip free ones.
 */
static bool
mt_slot_uri(GfWorkerSlot *slot, gf_listen_uri *uri)
{
	*uri = slot->uri;
	return true;
}

static uint64
mt_counter(const GfWorkerSlot *slot, int c)
{
	return pg_atomic_read_u64(&((GfWorkerSlot *) slot)->counters[c]);
}

static bool
mt_is_gauge(const char *name)
{
	int			i;

	for (i = 0; i < (int) lengthof(mt_gauges); i++)
		if (strcmp(mt_gauges[i], name) == 0)
			return true;
	return false;
}

/* ---- GoFlow2's families --------------------------------------------------- */

/* traffic_bytes, traffic_packets, traffic_summary_size_bytes. */
static void
mt_traffic(StringInfo buf, MtSlot *ms, int nslots)
{
	MtAcc		bytes;
	MtAcc		packets;
	StringInfoData l;
	int			s;
	int			i;

	mt_acc_init(&bytes);
	mt_acc_init(&packets);
	initStringInfo(&l);
	for (s = 0; s < nslots; s++)
		for (i = 0; i < ms[s].nrows; i++)
		{
			const GfRemoteStats *r = &ms[s].rows[i];
			char		remote[64];

			if (r->datagrams == 0)
				continue;
			mt_remote(r, remote, sizeof(remote));
			resetStringInfo(&l);
			mt_label(&l, "local_ip", ms[s].local_ip);
			mt_label(&l, "local_port", ms[s].local_port);
			mt_label(&l, "remote_ip", remote);
			mt_label(&l, "type", ms[s].type);
			mt_acc_add(&bytes, l.data, r->bytes);
			mt_acc_add(&packets, l.data, r->datagrams);
		}
	mt_family(buf, "goflow2_flow_traffic_bytes", "counter",
			  "Bytes received by the application.");
	mt_acc_emit(buf, &bytes, "goflow2_flow_traffic_bytes");
	mt_family(buf, "goflow2_flow_traffic_packets", "counter",
			  "Packets received by the application.");
	mt_acc_emit(buf, &packets, "goflow2_flow_traffic_packets");

	/*
	 * GoFlow2's summary also has 0.5/0.9/0.99 quantiles over a sliding
	 * window; we keep no per-datagram sizes, so only _sum and _count
	 * (which the text format allows for a summary).
	 */
	mt_family(buf, "goflow2_flow_traffic_summary_size_bytes", "summary",
			  "Summary of packet size (sum and count only).");
	mt_acc_emit(buf, &bytes, "goflow2_flow_traffic_summary_size_bytes_sum");
	mt_acc_emit(buf, &packets, "goflow2_flow_traffic_summary_size_bytes_count");
}

/* decoder_count and decoder_error_count, per worker as GoFlow2 v1/v2.0. */
static void
mt_decoder(StringInfo buf, MtSlot *ms, int nslots)
{
	StringInfoData l;
	int			s;

	initStringInfo(&l);
	mt_family(buf, "goflow2_flow_decoder_count", "counter",
			  "Decoder processed count.");
	for (s = 0; s < nslots; s++)
	{
		resetStringInfo(&l);
		mt_label(&l, "name", ms[s].type);
		mt_label(&l, "worker", ms[s].worker);
		mt_sample(buf, "goflow2_flow_decoder_count", l.data,
				  mt_counter(ms[s].slot, GF_C_packets));
	}
	mt_family(buf, "goflow2_flow_decoder_error_count", "counter",
			  "Decoder processed error count.");
	for (s = 0; s < nslots; s++)
	{
		resetStringInfo(&l);
		mt_label(&l, "name", ms[s].type);
		mt_label(&l, "worker", ms[s].worker);
		mt_sample(buf, "goflow2_flow_decoder_error_count", l.data,
				  mt_counter(ms[s].slot, GF_C_packets_malformed) +
				  mt_counter(ms[s].slot, GF_C_packets_unknown_version));
	}
}

/* One value per router and further labels, added when not 0. */
static void
mt_router_add(MtAcc *acc, const char *router, const char *n1, const char *v1,
			  const char *n2, const char *v2, uint64 v)
{
	StringInfoData l;

	if (v == 0)
		return;
	initStringInfo(&l);
	mt_label(&l, "router", router);
	if (n1)
		mt_label(&l, n1, v1);
	if (n2)
		mt_label(&l, n2, v2);
	mt_acc_add(acc, l.data, v);
	pfree(l.data);
}

/* Set types of GoFlow2's flowset metrics, and our counters for each. */
typedef struct MtSetType
{
	const char *version;
	const char *type;
	GfRemoteDiff sets;
	GfRemoteDiff records;
} MtSetType;

static const MtSetType mt_set_types[] = {
	{"9", "TemplateFlowSet", GF_RD_nf_v9_template_sets, GF_RD_nf_v9_template_records},
	{"9", "OptionsTemplateFlowSet", GF_RD_nf_v9_options_template_sets, GF_RD_nf_v9_options_template_records},
	{"9", "DataFlowSet", GF_RD_nf_v9_data_sets, GF_RD_nf_v9_data_records},
	{"9", "OptionsDataFlowSet", GF_RD_nf_v9_options_data_sets, GF_RD_nf_v9_options_data_records},
	{"10", "TemplateFlowSet", GF_RD_nf_ipfix_template_sets, GF_RD_nf_ipfix_template_records},
	{"10", "OptionsTemplateFlowSet", GF_RD_nf_ipfix_options_template_sets, GF_RD_nf_ipfix_options_template_records},
	{"10", "DataFlowSet", GF_RD_nf_ipfix_data_sets, GF_RD_nf_ipfix_data_records},
	{"10", "OptionsDataFlowSet", GF_RD_nf_ipfix_options_data_sets, GF_RD_nf_ipfix_options_data_records},
};

/* NetFlow / IPFIX and sFlow processing per router (the UDP source). */
static void
mt_process(StringInfo buf, MtSlot *ms, int nslots)
{
	MtAcc		nf,
				nferr,
				sets,
				recs,
				tpl,
				sf,
				sferr,
				samples;
	int			s;
	int			i;
	int			t;

	mt_acc_init(&nf);
	mt_acc_init(&nferr);
	mt_acc_init(&sets);
	mt_acc_init(&recs);
	mt_acc_init(&tpl);
	mt_acc_init(&sf);
	mt_acc_init(&sferr);
	mt_acc_init(&samples);
	for (s = 0; s < nslots; s++)
		for (i = 0; i < ms[s].nrows; i++)
		{
			const GfRemoteStats *r = &ms[s].rows[i];
			char		router[64];
			uint64		bad = r->d[GF_RD_packets_malformed] +
				r->d[GF_RD_packets_unknown_version];

			mt_remote(r, router, sizeof(router));
			mt_router_add(&nf, router, "version", "5", NULL, NULL, r->d[GF_RD_packets_netflow_v5]);
			mt_router_add(&nf, router, "version", "9", NULL, NULL, r->d[GF_RD_packets_netflow_v9]);
			mt_router_add(&nf, router, "version", "10", NULL, NULL, r->d[GF_RD_packets_ipfix]);
			mt_router_add(&nferr, router, "error", "template_not_found", NULL, NULL,
						  r->d[GF_RD_nf_sets_pending]);
			if (ms[s].uri.proto == GF_PROTO_SFLOW)
				mt_router_add(&sferr, router, "error", "error_decoding", NULL, NULL, bad);
			else
				mt_router_add(&nferr, router, "error", "error_decoding", NULL, NULL, bad);
			/* GoFlow2 adds a v5 datagram's record count as DataFlowSets. */
			mt_router_add(&sets, router, "type", "DataFlowSet", "version", "5", r->d[GF_RD_nf_v5_records]);
			for (t = 0; t < (int) lengthof(mt_set_types); t++)
			{
				const MtSetType *st = &mt_set_types[t];

				mt_router_add(&sets, router, "type", st->type, "version", st->version,
							  r->d[st->sets]);
				mt_router_add(&recs, router, "type", st->type, "version", st->version,
							  r->d[st->records]);
			}
			mt_router_add(&tpl, router, "type", "template", "version", "9",
						  r->d[GF_RD_nf_v9_template_records]);
			mt_router_add(&tpl, router, "type", "options_template", "version", "9",
						  r->d[GF_RD_nf_v9_options_template_records]);
			mt_router_add(&tpl, router, "type", "template", "version", "10",
						  r->d[GF_RD_nf_ipfix_template_records]);
			mt_router_add(&tpl, router, "type", "options_template", "version", "10",
						  r->d[GF_RD_nf_ipfix_options_template_records]);
			mt_router_add(&sf, router, "version", "5", NULL, NULL, r->d[GF_RD_packets_sflow]);
			mt_router_add(&samples, router, "type", "FlowSample", "version", "5",
						  r->d[GF_RD_sflow_flow_samples]);
			mt_router_add(&samples, router, "type", "CounterSample", "version", "5",
						  r->d[GF_RD_sflow_counter_samples]);
			mt_router_add(&samples, router, "type", "DropSample", "version", "5",
						  r->d[GF_RD_sflow_drop_samples]);
		}

	mt_family(buf, "goflow2_flow_process_nf_count", "counter", "NetFlows processed.");
	mt_acc_emit(buf, &nf, "goflow2_flow_process_nf_count");
	mt_family(buf, "goflow2_flow_process_nf_errors_count", "counter",
			  "NetFlows processed errors (template_not_found: data sets kept waiting for their template).");
	mt_acc_emit(buf, &nferr, "goflow2_flow_process_nf_errors_count");
	mt_family(buf, "goflow2_flow_process_nf_flowset_sum", "counter", "NetFlows FlowSets sum.");
	mt_acc_emit(buf, &sets, "goflow2_flow_process_nf_flowset_sum");
	mt_family(buf, "goflow2_flow_process_nf_flowset_records_sum", "counter",
			  "NetFlows FlowSets sum of records.");
	mt_acc_emit(buf, &recs, "goflow2_flow_process_nf_flowset_records_sum");

	/*
	 * GoFlow2 labels each template by obs_domain_id and template_id too;
	 * we count template records per router, version and type.
	 */
	mt_family(buf, "goflow2_flow_process_nf_templates_count", "counter",
			  "NetFlows Template count (template records received).");
	mt_acc_emit(buf, &tpl, "goflow2_flow_process_nf_templates_count");

	/* No agent label: the source is counted, not the agent inside. */
	mt_family(buf, "goflow2_flow_process_sf_count", "counter", "sFlows processed.");
	mt_acc_emit(buf, &sf, "goflow2_flow_process_sf_count");
	mt_family(buf, "goflow2_flow_process_sf_errors_count", "counter", "sFlows processed errors.");
	mt_acc_emit(buf, &sferr, "goflow2_flow_process_sf_errors_count");
	mt_family(buf, "goflow2_flow_process_sf_samples_sum", "counter", "SFlows samples sum.");
	mt_acc_emit(buf, &samples, "goflow2_flow_process_sf_samples_sum");
}

/* ---- ours ------------------------------------------------------------------ */

static void
mt_worker_labels(StringInfo l, const MtSlot *m)
{
	resetStringInfo(l);
	mt_label(l, "listen", m->uri.text);
	mt_label(l, "worker", m->worker);
}

/* Every stats() counter, per worker. */
static void
mt_stats(StringInfo buf, MtSlot *ms, int nslots)
{
	StringInfoData l;
	StringInfoData name;
	int			s;
	int			c;

	initStringInfo(&l);
	initStringInfo(&name);
	mt_family(buf, "goflow2plus_worker_ready", "gauge",
			  "1 when the worker's socket is bound and it is connected to goflow2plus.database");
	for (s = 0; s < nslots; s++)
	{
		mt_worker_labels(&l, &ms[s]);
		mt_sample(buf, "goflow2plus_worker_ready", l.data,
				  pg_atomic_read_u32(&((GfWorkerSlot *) ms[s].slot)->ready) != 0);
	}
	for (c = 0; c < GF_NCOUNTERS; c++)
	{
		bool		gauge = mt_is_gauge(gf_counter_names[c]);

		resetStringInfo(&name);
		appendStringInfo(&name, "goflow2plus_%s%s", gf_counter_names[c],
						 gauge ? "" : "_total");
		mt_family(buf, name.data, gauge ? "gauge" : "counter", mt_counter_help[c]);
		for (s = 0; s < nslots; s++)
		{
			mt_worker_labels(&l, &ms[s]);
			mt_sample(buf, name.data, l.data, mt_counter(ms[s].slot, c));
		}
	}
}

/* Time to write a batch (start of the transaction to its commit). */
static void
mt_flush_histogram(StringInfo buf, MtSlot *ms, int nslots)
{
	static const double bounds[] = GF_FLUSH_BUCKETS_S;
	StringInfoData l;
	int			s;
	int			b;

	initStringInfo(&l);
	mt_family(buf, "goflow2plus_batch_write_seconds", "histogram",
			  "Time to write one batch of records, from the start of its transaction to the commit");
	for (s = 0; s < nslots; s++)
	{
		GfTrafficSlot *t = (GfTrafficSlot *) &ms[s].slot->traffic;
		uint64		cum = 0;

		for (b = 0; b < GF_FLUSH_NBUCKETS; b++)
		{
			char		le[32];

			cum += pg_atomic_read_u64(&t->flush_bucket[b]);
			if (b < (int) lengthof(bounds))
				snprintf(le, sizeof(le), "%g", bounds[b]);
			else
				strlcpy(le, "+Inf", sizeof(le));
			mt_worker_labels(&l, &ms[s]);
			mt_label(&l, "le", le);
			mt_sample(buf, "goflow2plus_batch_write_seconds_bucket", l.data, cum);
		}
		mt_worker_labels(&l, &ms[s]);
		appendStringInfo(buf, "goflow2plus_batch_write_seconds_sum{%s} %.6f\n",
						 l.data, (double) pg_atomic_read_u64(&t->flush_us_sum) / 1e6);
		mt_sample(buf, "goflow2plus_batch_write_seconds_count", l.data, cum);
	}
}

/*
 * Labels of an exporter row.  Rows must be unique per worker by these
 * labels: when a row is per protocol and observation domain, add them.
 */
static void
mt_exporter_labels(StringInfo l, const MtExporterRow *r, const MtSlot *m)
{
	char		addr[64];
	char		domain[16];

	gf_addr_format(&r->exporter, addr, sizeof(addr));
	snprintf(domain, sizeof(domain), "%u", (unsigned) r->domain);
	resetStringInfo(l);
	mt_label(l, "exporter", addr);
	mt_label(l, "type", r->type == GF_TYPE_UNKNOWN ? "" : gf_flow_type_name(r->type));
	mt_label(l, "domain", domain);
	mt_label(l, "worker", m->worker);
}

/* The exporter rows, through exp_metrics. */
static void
mt_exporters(StringInfo buf, MtSlot *ms, int nslots)
{
	MtExporterRow **rows = palloc(sizeof(MtExporterRow *) * Max(nslots, 1));
	int		   *nrows = palloc0(sizeof(int) * Max(nslots, 1));
	StringInfoData l;
	int			s;
	int			m;
	int			i;

	initStringInfo(&l);
	mt_family(buf, "goflow2plus_exporters_held", "gauge",
			  "NetFlow v9 / IPFIX exporters whose state the worker holds (the goflow2plus_exporter_* series show at most 64 per worker)");
	for (s = 0; s < nslots; s++)
	{
		GfWorkerSlot *slot = (GfWorkerSlot *) ms[s].slot;
		uint32		held;

		rows[s] = palloc(sizeof(MtExporterRow) * GF_SLOT_EXPORTERS);
		SpinLockAcquire(&slot->exporters_lock);
		nrows[s] = Min(Max(slot->n_exporters, 0), GF_SLOT_EXPORTERS);
		held = slot->exporters_held;
		memcpy(rows[s], slot->exporters, sizeof(MtExporterRow) * nrows[s]);
		SpinLockRelease(&slot->exporters_lock);
		mt_worker_labels(&l, &ms[s]);
		mt_sample(buf, "goflow2plus_exporters_held", l.data, held);
	}
	for (m = 0; m < (int) lengthof(exp_metrics); m++)
	{
		const MtExporterMetric *em = &exp_metrics[m];

		mt_family(buf, em->name, em->kind == MT_COUNTER ? "counter" : "gauge", em->help);
		for (s = 0; s < nslots; s++)
			for (i = 0; i < nrows[s]; i++)
			{
				const char *p = (const char *) &rows[s][i] + em->offset;
				uint64		v;

				/*
				 * The v9 / IPFIX holdings are the address's, repeated on
				 * each of its rows (protocol, domain): shown once, on the
				 * first row of the address that has them.
				 */
				if (em->offset >= offsetof(MtExporterRow, nf))
				{
					int			j;
					bool		seen = !rows[s][i].has_state;

					for (j = 0; j < i && !seen; j++)
						seen = rows[s][j].has_state &&
							rows[s][j].exporter.family == rows[s][i].exporter.family &&
							memcmp(rows[s][j].exporter.bytes, rows[s][i].exporter.bytes,
								   sizeof(rows[s][i].exporter.bytes)) == 0;
					if (seen)
						continue;
				}
				if (em->size == sizeof(uint32))
					v = *(const uint32 *) p;
				else if (em->size == sizeof(uint64))
					v = *(const uint64 *) p;
				else
					continue;	/* not a number this table can show */
				mt_exporter_labels(&l, &rows[s][i], &ms[s]);
				if (em->kind == MT_UNIX_SECONDS)
					appendStringInfo(buf, "%s{%s} %.3f\n", em->name, l.data,
									 (double) v / 1e9);
				else
					mt_sample(buf, em->name, l.data, v);
			}
	}
}

static void
mt_context(StringInfo buf)
{
	GfContextShared *cs = gf_context_shared();
	uint64		generation;
	uint64		failed;

	if (cs == NULL)
		return;
	SpinLockAcquire(&cs->lock);
	generation = cs->generation;
	failed = cs->builds_failed;
	SpinLockRelease(&cs->lock);
	mt_family(buf, "goflow2plus_context_generation", "gauge",
			  "Generation of the context (networks, devices, interfaces, sampling rates) in use; 0 before the first build");
	mt_sample(buf, "goflow2plus_context_generation", "", generation);
	mt_family(buf, "goflow2plus_context_builds_failed_total", "counter",
			  "Context rebuilds refused (see goflow2plus.context_status().last_error)");
	mt_sample(buf, "goflow2plus_context_builds_failed_total", "", failed);
}

void
gf_metrics_render(StringInfo buf)
{
	GfShared   *shared = gf_shmem_get();
	int			total = shared ? shared->nslots : 0;
	MtSlot	   *ms = palloc0(sizeof(MtSlot) * Max(total, 1));
	int			nslots = 0;
	int			s;

	/* The slots serving a listener, worker = the slot number. */
	for (s = 0; s < total; s++)
	{
		GfWorkerSlot *slot = &shared->slots[s];
		MtSlot	   *m = &ms[nslots];

		if (!mt_slot_uri(slot, &m->uri))
			continue;
		m->slot = slot;
		snprintf(m->worker, sizeof(m->worker), "%d", s);
		m->type = mt_scheme(m->uri.proto);
		mt_local_ip(&m->uri, m->local_ip, sizeof(m->local_ip));
		snprintf(m->local_port, sizeof(m->local_port), "%u", (unsigned) m->uri.port);
		m->rows = palloc(sizeof(GfRemoteStats) * (GF_SLOT_REMOTES + 1));
		m->nrows = gf_traffic_copy(&slot->traffic, m->rows);
		nslots++;
	}
	mt_traffic(buf, ms, nslots);
	mt_decoder(buf, ms, nslots);
	mt_process(buf, ms, nslots);
	mt_stats(buf, ms, nslots);
	mt_flush_histogram(buf, ms, nslots);
	mt_exporters(buf, ms, nslots);
	mt_context(buf);
}
