/*
 * listen_uri.h
 *    Parse the goflow2plus.listen setting: GoFlow2's listen URI syntax,
 *    a comma-separated list such as
 *
 *        sflow://:6343?count=4,netflow://0.0.0.0:2055,flow://[::1]:9995
 *
 *    into one entry per URI.  Each entry becomes 'count' UDP sockets bound
 *    with SO_REUSEPORT, one background worker each.
 *
 *    A nats:// entry is a source instead of a socket: 'count' workers pull
 *    GoFlow2 "bin" messages from one durable JetStream consumer and write
 *    them to the tables (src/pg/source_worker.c):
 *
 *        nats://10.0.0.5:4222?stream=flows&consumer=pg&subject=flows.>&count=2
 *
 *    stream and consumer are required; subject (the consumer's filter when
 *    the worker creates it) and count are optional.  The host may be a
 *    name (the NATS client resolves it at each connection, as a client
 *    should) and the port defaults to 4222; an empty authority
 *    ("nats://?stream=...") connects to goflow2plus.nats_servers.
 *
 *    The parser lives in the core (no postgres.h) so that its unit tests,
 *    including bad inputs, run without a database; the adapter calls it
 *    from the GUC check hook and reports the message it writes.
 */
#ifndef GF_LISTEN_URI_H
#define GF_LISTEN_URI_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/*
 * Bounds.  GF_LISTEN_MAX_SOCKETS caps the sum of all counts: each socket
 * is a background worker, and those come out of max_worker_processes.
 */
#define GF_LISTEN_MAX_ENTRIES	16
#define GF_LISTEN_MAX_COUNT		64
#define GF_LISTEN_MAX_SOCKETS	64
#define GF_LISTEN_TEXT_MAX		448 /* canonical text of one entry */
#define GF_LISTEN_HOST_MAX		128 /* nats:// host name */
#define GF_LISTEN_NAME_MAX		64	/* stream and consumer names */
#define GF_LISTEN_SUBJECT_MAX	96	/* nats:// filter subject */
#define GF_LISTEN_NATS_PORT		4222
#define GF_LISTEN_INPUT_MAX		4096	/* whole setting */

/* Address family of the bind address. */
typedef enum gf_listen_family
{
	GF_LISTEN_ANY = 0,			/* empty host: every address, IPv6 and IPv4 */
	GF_LISTEN_IPV4 = 4,
	GF_LISTEN_IPV6 = 6
} gf_listen_family;

/* What an entry is: a UDP socket, or a JetStream consumer to pull from. */
typedef enum gf_listen_kind
{
	GF_LISTEN_UDP = 0,
	GF_LISTEN_NATS
} gf_listen_kind;

typedef struct gf_listen_uri
{
	gf_listen_kind kind;
	gf_proto	proto;			/* UDP: protocol; nats: GF_PROTO_AUTO */
	gf_listen_family family;
	uint8_t		addr[16];		/* network order; IPv4 in the first 4 */
	uint16_t	port;			/* host order, 1..65535; nats: 0 = the setting's servers */
	uint32_t	count;			/* sockets (and workers), 1..GF_LISTEN_MAX_COUNT */
	/* nats:// only ("" otherwise); host is empty with port 0. */
	char		host[GF_LISTEN_HOST_MAX];	/* name, IPv4, or IPv6 without brackets */
	char		stream[GF_LISTEN_NAME_MAX];
	char		consumer[GF_LISTEN_NAME_MAX];
	char		subject[GF_LISTEN_SUBJECT_MAX]; /* "" = every subject of the stream */
	char		text[GF_LISTEN_TEXT_MAX];	/* canonical form, e.g. "sflow://:6343?count=2" */
} gf_listen_uri;

typedef struct gf_listen_list
{
	int			n;				/* entries used */
	uint32_t	sockets;		/* sum of counts */
	gf_listen_uri uri[GF_LISTEN_MAX_ENTRIES];
} gf_listen_list;

/*
 * Parse 'input' into 'out'.  An empty or all-blank string gives no
 * entries.  Returns 0 on success; on failure returns -1 and writes into
 * errbuf a message that quotes the offending entry and says what is
 * wrong with it.
 */
int			gf_listen_parse(const char *input, gf_listen_list *out,
							char *errbuf, size_t errlen);

/*
 * True when a and b name the same socket address with the same scheme,
 * whatever their ?count=: socket k of one is then socket k of the other.
 * The listener supervisor (src/pg/supervisor.c) keeps such sockets open
 * across a reload and starts or stops only the ones that differ.
 */
int			gf_listen_same_address(const gf_listen_uri *a, const gf_listen_uri *b);

/*
 * The NATS URL of a nats:// entry ("nats://host:port", IPv6 in brackets)
 * into buf; "" when the entry names no server (use the setting's).
 */
void		gf_listen_nats_url(const gf_listen_uri *uri, char *buf, size_t buflen);

/* "flow", "netflow" or "sflow". */
const char *gf_listen_scheme_name(gf_proto proto);

#endif							/* GF_LISTEN_URI_H */
