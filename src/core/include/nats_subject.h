/*
 * nats_subject.h
 *    The subject a flow is published on (goflow2plus.nats_subject): a
 *    plain NATS subject such as "flows", or a pattern whose placeholders
 *    are filled from each flow:
 *
 *      {type}              the FlowType name ("NETFLOW_V5", "IPFIX", ...)
 *      {sampler_address}   the exporter's address
 *      {src_group}         name of the context network holding src_addr
 *      {dst_group}         name of the context network holding dst_addr
 *      {hash:F1,F2,...:N}  a bucket 0 .. N-1 from a hash of the named flow
 *                          fields (partitioning: one conversation always
 *                          lands in one bucket), 1 <= N <= 65536
 *
 *    e.g. "flows.{type}.{hash:src_addr,dst_addr:16}".  Hash fields: type,
 *    sampler_address, src_addr, dst_addr, src_port, dst_port, proto,
 *    etype, in_if, out_if, src_as, dst_as, next_hop.  The bucket depends
 *    only on the fields' values (FNV-1a over their bytes), never on the
 *    process, so every collector puts one conversation in the same bucket.
 *
 *    Values become subject tokens: '.', '*', '>', spaces and control
 *    characters in them are replaced by '_' (so 192.0.2.1 is written
 *    192_0_2_1); an absent value (no address, no matching network) is
 *    written "none".  A placeholder may share a token with literal text
 *    ("flows.t{type}"); the token is then one '*' in the wildcard form.
 *
 *    The wildcard form ("flows.*.*") is what a stream must cover: it is
 *    the subject list of a stream the publisher creates, and what an
 *    existing stream's subjects are checked against (gf_subject_covers).
 *
 *    Core layer: plain C, no postgres.h, no allocation.
 */
#ifndef GF_NATS_SUBJECT_H
#define GF_NATS_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

#define GF_SUBJECT_MAX			256 /* bytes of a pattern or an expanded subject, NUL included */
#define GF_SUBJECT_MAX_PARTS	32
#define GF_SUBJECT_MAX_HASH		8	/* fields in one {hash:...} */

typedef enum gf_subject_part_kind
{
	GF_SUBJ_LITERAL = 0,
	GF_SUBJ_TYPE,
	GF_SUBJ_SAMPLER,
	GF_SUBJ_SRC_GROUP,
	GF_SUBJ_DST_GROUP,
	GF_SUBJ_HASH
} gf_subject_part_kind;

typedef struct gf_subject_part
{
	uint8_t		kind;			/* gf_subject_part_kind */
	uint8_t		nfields;		/* GF_SUBJ_HASH: fields hashed */
	uint8_t		fields[GF_SUBJECT_MAX_HASH];	/* gf_subject_hash_field */
	uint16_t	off;			/* GF_SUBJ_LITERAL: text in 'text' */
	uint16_t	len;
	uint32_t	buckets;		/* GF_SUBJ_HASH: N */
} gf_subject_part;

typedef struct gf_subject_pattern
{
	char		text[GF_SUBJECT_MAX];	/* the pattern as given */
	int			nparts;
	gf_subject_part parts[GF_SUBJECT_MAX_PARTS];
	bool		is_static;		/* no placeholder: every flow, one subject */
	bool		uses_groups;	/* {src_group} or {dst_group}: needs context */
	char		wildcard[GF_SUBJECT_MAX];	/* placeholders' tokens as '*' */
} gf_subject_pattern;

/*
 * Parse a pattern.  Returns 0, or -1 with a message naming what is wrong
 * (unknown placeholder, unclosed brace, empty token, wildcard characters,
 * bucket count out of range, ...) in err.
 */
int			gf_subject_parse(const char *text, gf_subject_pattern *p,
							 char *err, size_t errlen);

/*
 * The subject of one flow, NUL-terminated, into buf (GF_SUBJECT_MAX bytes
 * always suffice).  src_group / dst_group: the context network names, or
 * NULL.  Returns the length (without the NUL).
 */
size_t		gf_subject_expand(const gf_subject_pattern *p, const gf_flow *f,
							  const char *src_group, const char *dst_group,
							  char *buf, size_t buflen);

/*
 * Does the stream subject 'filter' (NATS wildcards '*' and '>') match
 * every subject of the form 'subject' ('*' tokens in it stand for any
 * token)?
 */
bool		gf_subject_covers(const char *filter, const char *subject);

/* Is s a valid NATS subject (tokens non-empty, no spaces; wildcards allowed)? */
bool		gf_subject_valid(const char *s, bool allow_wildcards);

#endif							/* GF_NATS_SUBJECT_H */
