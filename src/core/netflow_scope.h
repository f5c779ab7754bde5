/*
 * netflow_scope.h
 *    Who a piece of NetFlow v9 / IPFIX state belongs to, and the message
 *    header facts a data set needs to be decoded.
 *
 *    Template ids, sampler ids and observation domains are only unique per
 *    exporter, per domain (v9 source id / IPFIX observation domain) and per
 *    protocol version, so every store (templates, sampling, pending sets)
 *    keys on a gf_nf_scope.  The struct is always built by
 *    gf_nf_scope_make, which zeroes it first, so it can be hashed (with
 *    the keyed hash of netflow_hash.h) and compared as plain bytes.
 */
#ifndef GF_NETFLOW_SCOPE_H
#define GF_NETFLOW_SCOPE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "flow.h"

typedef struct gf_nf_scope
{
	gf_addr		exporter;
	uint8_t		version;		/* 9 or 10 */
	uint8_t		unused_[2];		/* explicit so the padding is zeroed */
	uint32_t	domain;			/* v9 source id / IPFIX observation domain */
} gf_nf_scope;

/* The header fields of one v9 / IPFIX message that its records need. */
typedef struct gf_nf_msg
{
	gf_nf_scope scope;
	uint32_t	export_secs;	/* v9 unix_secs / IPFIX export time */
	uint32_t	uptime_ms;		/* v9 sysUptime; 0 for IPFIX */
	uint32_t	sequence;
	uint64_t	time_received_ns;
} gf_nf_msg;

static inline void
gf_nf_scope_make(gf_nf_scope *s, const gf_addr *exporter, uint8_t version,
				 uint32_t domain)
{
	memset(s, 0, sizeof(*s));
	/* Copy only the meaningful address bytes: the caller's tail may be junk. */
	s->exporter.family = exporter->family;
	if (exporter->family == 4)
		memcpy(s->exporter.bytes, exporter->bytes, 4);
	else if (exporter->family == 6)
		memcpy(s->exporter.bytes, exporter->bytes, 16);
	s->version = version;
	s->domain = domain;
}

static inline bool
gf_nf_scope_eq(const gf_nf_scope *a, const gf_nf_scope *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

#endif							/* GF_NETFLOW_SCOPE_H */
