/*
 * exporter_acl.h
 *    The exporter allowlist (goflow2plus.allowed_exporters): a list of
 *    IPv4 and IPv6 CIDR blocks, and the test "may this source address send
 *    us flows?".  Datagrams from other sources are dropped before they are
 *    decoded, so an unknown host can neither fill the tables nor teach the
 *    decoder templates or sampling rates.
 *
 *    Syntax: comma-separated entries, blanks around them ignored; each is
 *    an address (a single host) or address/prefix-length, e.g.
 *
 *        192.0.2.0/24, 2001:db8::/32, 198.51.100.7
 *
 *    An empty (or all-blank) list allows every source.  An entry with bits
 *    set right of its prefix (192.0.2.1/24) is refused rather than guessed
 *    at.  IPv4-mapped IPv6 entries (::ffff:192.0.2.0/120) are stored as
 *    IPv4, since the worker turns mapped sources into IPv4 before it asks.
 *
 *    Core code: plain C, no postgres.h; unit-tested in
 *    test/unit/test_exporter_acl.c.
 */
#ifndef GF_EXPORTER_ACL_H
#define GF_EXPORTER_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define GF_ACL_MAX_ENTRIES	1024
#define GF_ACL_INPUT_MAX	65536

typedef struct gf_acl_entry
{
	uint8_t		family;			/* 4 or 6 */
	uint8_t		prefix_len;		/* 0..32 or 0..128 */
	uint8_t		bytes[16];		/* network order, host bits zero */
} gf_acl_entry;

typedef struct gf_exporter_acl
{
	int			n;				/* 0: every source is allowed */
	gf_acl_entry entry[GF_ACL_MAX_ENTRIES];
} gf_exporter_acl;

/*
 * Parse 'input' into 'out'.  Returns 0, or -1 with a message naming the
 * faulty entry in err (errlen bytes, always terminated).
 */
int			gf_exporter_acl_parse(const char *input, gf_exporter_acl *out,
								  char *err, size_t errlen);

/* Whether a datagram from 'source' may be decoded; an empty list allows all. */
bool		gf_exporter_acl_allows(const gf_exporter_acl *acl, const gf_addr *source);

#endif							/* GF_EXPORTER_ACL_H */
