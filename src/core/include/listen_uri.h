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
#define GF_LISTEN_TEXT_MAX		80	/* canonical text of one entry */
#define GF_LISTEN_INPUT_MAX		4096	/* whole setting */

/* Address family of the bind address. */
typedef enum gf_listen_family
{
	GF_LISTEN_ANY = 0,			/* empty host: every address, IPv6 and IPv4 */
	GF_LISTEN_IPV4 = 4,
	GF_LISTEN_IPV6 = 6
} gf_listen_family;

typedef struct gf_listen_uri
{
	gf_proto	proto;
	gf_listen_family family;
	uint8_t		addr[16];		/* network order; IPv4 in the first 4 */
	uint16_t	port;			/* host order, 1..65535 */
	uint32_t	count;			/* sockets (and workers), 1..GF_LISTEN_MAX_COUNT */
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

/* "flow", "netflow" or "sflow". */
const char *gf_listen_scheme_name(gf_proto proto);

#endif							/* GF_LISTEN_URI_H */
