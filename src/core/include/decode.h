/*
 * decode.h
 *    The one entry point the adapter calls: a datagram in, flow records out
 *    through a sink.  Dispatches on the version word to the NetFlow v1,
 *    v5, v7, v8, v9, IPFIX or sFlow v5 decoder.  All state that outlives a
 *    datagram (templates, sampling rates, data sets waiting for their
 *    template) lives in a gf_decoder, one per worker, never shared
 *    between processes.
 */
#ifndef GF_DECODE_H
#define GF_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "flow.h"
#include "gf_error.h"
#include "ifcounters.h"

/* What listens on the socket: auto-detect, or one protocol family. */
typedef enum gf_proto
{
	GF_PROTO_AUTO = 0,			/* flow:// */
	GF_PROTO_NETFLOW,			/* netflow:// : v1, v5, v7, v8, v9, IPFIX */
	GF_PROTO_SFLOW				/* sflow:// */
} gf_proto;

/* One datagram and where it came from. */
typedef struct gf_datagram
{
	const uint8_t *data;
	size_t		len;
	gf_addr		exporter;		/* source address of the UDP packet */
	uint16_t	exporter_port;
	uint64_t	time_received_ns;	/* UNIX epoch, nanoseconds */
} gf_datagram;

typedef struct gf_drop_sample gf_drop_sample;	/* defined in sflow.h */

/* Longest interface name and description kept, terminating NUL included. */
#define GF_IF_NAME_MAX			64
#define GF_IF_DESCRIPTION_MAX	256

/*
 * What an exporter says about one of its interfaces: its name and
 * description from NetFlow v9 / IPFIX options data (interfaceName 82,
 * interfaceDescription 83, keyed by ingressInterface 10, egressInterface
 * 14 or a v9 interface scope), its speed from an sFlow counter sample's
 * generic interface record.  One protocol rarely gives all three, so each
 * has its own flag.
 *
 * The texts are copied out of the datagram and cleaned: they end at the
 * first NUL (fixed-width fields are NUL-padded), control characters and
 * bytes that are not valid UTF-8 become '?', trailing spaces are dropped,
 * and a text longer than the buffer is cut at a character boundary.  So
 * they are always NUL-terminated, printable, valid UTF-8.  A text that is
 * empty after cleaning counts as absent.
 */
typedef struct gf_if_info
{
	uint64_t	time_received_ns;
	gf_flow_type type;			/* the protocol that told it */
	gf_addr		exporter;		/* as the flows' sampler_address: the UDP
								 * source for NetFlow / IPFIX, the agent
								 * address for sFlow */
	uint32_t	domain;			/* v9 source id / IPFIX observation domain /
								 * sFlow sub-agent id */
	uint32_t	if_index;
	bool		has_name;
	bool		has_description;
	bool		has_speed;
	uint64_t	speed;			/* bits per second */
	char		name[GF_IF_NAME_MAX];
	char		description[GF_IF_DESCRIPTION_MAX];
} gf_if_info;

/*
 * Where decoded records go.  Any callback may be NULL.
 *
 * interface comes after arg so that positional initialisers written before
 * it existed ({flow, ifcounters, drop, arg}) still put arg in arg and
 * leave interface NULL; new code should name the members.
 */
typedef struct gf_sink
{
	void		(*flow) (void *arg, const gf_flow *f);
	void		(*ifcounters) (void *arg, const gf_ifcounters *c);
	void		(*drop) (void *arg, const gf_drop_sample *d);
	void	   *arg;
	void		(*interface) (void *arg, const gf_if_info *i);
} gf_sink;

/*
 * Explicit bounds on per-decoder state; zero fields take the defaults.
 * The per-exporter limits keep one exporter (or one spoofed source) from
 * using up what the others need; the totals bound a worker's memory.
 */
typedef struct gf_limits
{
	uint32_t	max_templates;	/* all exporters together (default 65536) */
	uint32_t	max_template_fields;	/* per template (default 512) */
	uint32_t	pending_bytes_per_exporter;	/* default 1 MiB */
	uint32_t	pending_max_age_ms; /* default 60000 */
	uint32_t	max_exporters;	/* exporters holding state (default 4096) */
	uint32_t	max_templates_per_exporter; /* default 1024 */
	uint32_t	template_bytes_per_exporter;	/* default 4 MiB */
	uint32_t	max_template_bytes; /* all exporters together (default 128 MiB) */
	uint32_t	max_sampling_per_exporter;	/* sampler entries (default 256) */
	uint32_t	max_sampling;	/* all exporters together (default 65536) */
	uint32_t	exporter_idle_ms;	/* state of an exporter silent this long
									 * is dropped (default 1 h) */
	uint32_t	templates_no_evict; /* non-zero: at the template totals,
									 * refuse new templates instead of
									 * evicting the least recently used
									 * (SQL decode() sessions: no surprise) */
} gf_limits;

/*
 * One exporter's holdings and refusals (NetFlow v9 / IPFIX state only:
 * v5 and sFlow keep none).  Refusals are counted on the exporter that was
 * refused, so an operator can tell who hit which limit.
 */
typedef struct gf_exporter_stats
{
	gf_addr		exporter;
	uint64_t	first_seen_ns;	/* when it first needed state */
	uint64_t	last_seen_ns;	/* its last v9 / IPFIX datagram */
	uint64_t	datagrams;		/* v9 / IPFIX datagrams since first_seen */
	uint32_t	templates;		/* held now */
	uint64_t	template_bytes; /* held now */
	uint32_t	sampling_entries;	/* held now */
	uint64_t	pending_bytes;	/* held now */
	uint64_t	templates_refused;	/* over a template count or byte limit */
	uint64_t	templates_evicted;	/* least recently used, pushed out by
									 * another exporter's under the totals */
	uint64_t	sampling_refused;	/* over the sampling entry limit */
	uint64_t	pending_refused;	/* over the pending byte limit */
	uint64_t	pending_evicted;	/* pushed out by the global pending limit */
} gf_exporter_stats;

/* Distinct sampling rates a row remembers (the latest first). */
#define GF_ROW_RATES	4

/*
 * One row of goflow2plus.exporters(): an exporter and observation domain
 * of one protocol, as the worker's decoder saw it (exporter_rows.c).
 *
 *   exporter  the UDP source for NetFlow / IPFIX, the agent address for
 *             sFlow (what the flows' sampler_address holds)
 *   domain    NetFlow v5: engine_type << 8 | engine_id; v9: source id;
 *             IPFIX: observation domain; sFlow: sub-agent id
 *
 * The sequence estimate (seq_gap.h) counts what the protocol counts:
 * v5 flows, v9 export packets, IPFIX data records, sFlow datagrams; for
 * sFlow, samples_lost adds flow samples per source id.
 *
 * type GF_TYPE_UNKNOWN marks an address that holds v9 / IPFIX state (a
 * template loaded at start, say) without a row of its own: only nf is
 * meaningful there.
 */
typedef struct gf_exporter_row
{
	gf_addr		exporter;
	gf_flow_type type;
	uint32_t	domain;
	uint64_t	first_seen_ns;
	uint64_t	last_seen_ns;
	uint64_t	datagrams;		/* decoded or not, header readable */
	uint64_t	bytes;			/* UDP payload bytes of those */
	uint64_t	flows;			/* flow records produced */
	uint64_t	decode_errors;	/* datagrams dropped whole or in part */
	uint32_t	n_rates;
	uint64_t	rates[GF_ROW_RATES];	/* sampling rates seen, latest first */
	bool		has_sequence;
	uint32_t	last_sequence;	/* of the latest message in order */
	uint64_t	seq_lost;		/* units skipped, less late ones */
	uint64_t	seq_late;		/* messages behind the sequence */
	uint64_t	seq_resets;		/* exporter restarts detected */
	uint64_t	samples_lost;	/* sFlow flow samples skipped, per source */
	bool		has_state;		/* nf below is filled */
	gf_exporter_stats nf;		/* the address's v9 / IPFIX holdings */
} gf_exporter_row;

typedef struct gf_decoder gf_decoder;

gf_decoder *gf_decoder_new(const gf_limits *lim);
void		gf_decoder_free(gf_decoder *d);
gf_counters *gf_decoder_counters(gf_decoder *d);

/*
 * Decode one datagram.  Records are emitted through sink as they are
 * decoded; on error, records already emitted stay emitted, the rest of the
 * datagram is dropped, err says what and where, and the malformed counter
 * goes up.
 */
gf_rc		gf_decode(gf_decoder *d, gf_proto proto, const gf_datagram *dg,
					  const gf_sink *sink, gf_error *err);

/*
 * Periodic upkeep, from the caller's timer: drop data sets that waited too
 * long for a template and the state of exporters silent for
 * exporter_idle_ms.  Both counted.
 */
void		gf_decoder_expire(gf_decoder *d, uint64_t now_ns);

/*
 * Data sets kept until their template came are not decoded by the
 * datagram that brings the template (one small datagram could otherwise
 * buy a megabyte of decoding): the caller decodes them here, one slice of
 * at most 64 KiB (or one set) per call, between datagrams.  Returns true
 * while more wait.  Callers that want them at once call it in a loop.
 */
bool		gf_decoder_release(gf_decoder *d, uint64_t now_ns, const gf_sink *sink);

/*
 * Call cb for every row: each exporter / protocol / domain heard from,
 * its address's v9 / IPFIX holdings beside it, then the addresses that
 * hold such state without a row (type GF_TYPE_UNKNOWN).
 */
void		gf_decoder_exporter_rows(gf_decoder *d,
									 void (*cb) (void *arg, const gf_exporter_row *r),
									 void *arg);

/*
 * Zero what exporters() counts (datagrams, bytes, flows, errors, rates
 * seen, sequence estimates, refusals), keeping what is held and when
 * each exporter was first and last seen.
 */
void		gf_decoder_reset_exporter_counts(gf_decoder *d);

/* Change the idle timeout (gf_limits.exporter_idle_ms) of a running decoder. */
void		gf_decoder_set_idle_ms(gf_decoder *d, uint32_t idle_ms);

/*
 * Decode with a custom field mapping (flow_mapping.h) from now on, or
 * without one (NULL).  The decoder takes m and frees the one it had.
 * Sinks see records whose custom values name their field themselves
 * (gf_flow.extra), so records decoded before the change stay readable.
 */
typedef struct gf_mapping gf_mapping;
void		gf_decoder_set_mapping(gf_decoder *d, gf_mapping *m);

/* Call cb for every exporter holding NetFlow v9 / IPFIX state. */
void		gf_decoder_exporters(const gf_decoder *d,
								 void (*cb) (void *arg, const gf_exporter_stats *s),
								 void *arg);

/* Bytes of v9 / IPFIX data sets kept now, waiting for their template. */
size_t		gf_decoder_pending_bytes(const gf_decoder *d);

#endif							/* GF_DECODE_H */
