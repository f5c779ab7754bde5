/*
 * netflow_templates.h
 *    The NetFlow v9 / IPFIX template store: templates keyed by
 *    (exporter, version, domain, template id), bounded in number, so that
 *    a data set can find the layout of its records.
 */
#ifndef GF_NETFLOW_TEMPLATES_H
#define GF_NETFLOW_TEMPLATES_H

#include <stdbool.h>
#include <stdint.h>

#include "netflow_exporters.h"
#include "netflow_hash.h"
#include "netflow_scope.h"

/* A variable-length field (IPFIX) announces this length in its template. */
#define GF_NF_VARLEN 65535
#define GF_NF_ENTERPRISE_BIT 0x8000

typedef struct gf_nf_tfield
{
	uint16_t	id;				/* information element, with the IPFIX
								 * enterprise bit (0x8000) kept */
	uint16_t	len;			/* bytes, or GF_NF_VARLEN */
	uint32_t	pen;			/* private enterprise number if 0x8000 */
} gf_nf_tfield;

typedef struct gf_nf_template
{
	struct gf_nf_template *next;	/* hash chain */
	/* The store's own links (set by put; ignored in a caller's copy). */
	struct gf_nf_template *sc_prev; /* list of its scope and kind */
	struct gf_nf_template *sc_next;
	struct gf_nf_tscope *tscope;
	struct gf_nf_template *lru_prev;	/* use order over all templates */
	struct gf_nf_template *lru_next;
	gf_nf_exporter *owner;
	gf_nf_scope scope;
	uint16_t	id;
	bool		options;		/* options template: records feed state */
	bool		varlen;			/* has at least one variable-length field */
	uint16_t	n_scope;		/* the first n_scope fields are scope fields */
	uint16_t	n_fields;
	uint32_t	min_len;		/* smallest record: varlen fields count 1 */
	bool		imported;		/* loaded from saved state, not yet seen on
								 * the wire (netflow_persist.c) */
	uint64_t	received_ns;	/* when this layout was learnt */
	uint64_t	stamp;			/* change count when stored (set by put) */

	/*
	 * Set by put: planned when records are decoded by the template's
	 * decode plan (netflow_plan.h), stored after fields[] in the same
	 * allocation; bytes is what the template is charged, plan included.
	 */
	bool		planned;
	uint32_t	bytes;
	gf_nf_tfield fields[];
} gf_nf_template;

typedef struct gf_nf_templates gf_nf_templates;

typedef enum gf_nf_put
{
	GF_NF_PUT_ADDED,			/* new, or a redefinition that changed it */
	GF_NF_PUT_SAME,				/* identical to the stored one (a refresh) */
	GF_NF_PUT_FULL,				/* a total limit is reached, nothing to evict */
	GF_NF_PUT_EXPORTER_FULL,	/* the exporter's own limit is reached */
	GF_NF_PUT_NOMEM
} gf_nf_put;

typedef struct gf_nf_templates_limits
{
	uint32_t	max_templates;	/* all exporters */
	uint64_t	max_bytes;		/* all exporters */
	uint32_t	per_exporter;	/* templates per exporter */
	uint64_t	bytes_per_exporter;
} gf_nf_templates_limits;

/*
 * changes: a counter shared with the other state stores; every stored,
 * redefined or removed template adds one, so a saver can tell when the
 * state changed and which templates did (their stamp).  exporters: the
 * per-exporter table charged for what is stored.
 */
gf_nf_templates *gf_nf_templates_new(const gf_nf_templates_limits *lim,
									 gf_nf_exporters *exporters,
									 const gf_hash_key *key,
									 uint64_t *changes);
void		gf_nf_templates_free(gf_nf_templates *t);

const gf_nf_template *gf_nf_templates_find(const gf_nf_templates *t,
										   const gf_nf_scope *scope,
										   uint16_t id);

/*
 * A data set was decoded with tpl: it becomes the most recently used.
 * When the totals are reached, a new template evicts the least recently
 * used ones of any exporter (counted on their exporters), so templates
 * that no data uses -- what a spoofing flood leaves -- go first and a new
 * exporter is never locked out.
 */
void		gf_nf_templates_touch(gf_nf_templates *t, const gf_nf_template *tpl);

/* Templates evicted so far by the totals (counted in nf_templates_evicted). */
uint64_t	gf_nf_templates_evicted(const gf_nf_templates *t);

/*
 * Store a copy of tpl (its scope and id say where).  A refresh of the same
 * layout from the wire (imported false) marks an imported one as seen.
 * Refusals over a limit are counted on the exporter's entry.  may_evict:
 * a template from the wire may push out the least recently used ones
 * when the totals are reached; saved state loaded at start may not.
 */
gf_nf_put	gf_nf_templates_put(gf_nf_templates *t, const gf_nf_template *tpl,
								uint64_t now_ns, bool may_evict);

/* Remove one template; returns how many were removed (0 or 1). */
uint32_t	gf_nf_templates_withdraw(gf_nf_templates *t, const gf_nf_scope *scope,
									 uint16_t id);

/*
 * Remove every template (options or not) of a scope; returns the count.
 * Costs one look-up plus one step per template removed, so a storm of
 * withdraw-all records cannot walk the whole table.
 */
uint32_t	gf_nf_templates_withdraw_all(gf_nf_templates *t,
										 const gf_nf_scope *scope,
										 bool options);

uint32_t	gf_nf_templates_count(const gf_nf_templates *t);
uint64_t	gf_nf_templates_bytes(const gf_nf_templates *t);

/* Remove every template of exporters marked dying; returns the count. */
uint32_t	gf_nf_templates_drop_dying(gf_nf_templates *t);

/* Entries visited by look-ups so far (a work measure for tests). */
uint64_t	gf_nf_templates_probes(const gf_nf_templates *t);

/* Call cb for every stored template, in no particular order. */
void		gf_nf_templates_foreach(const gf_nf_templates *t,
									void (*cb) (void *arg, const gf_nf_template *tpl),
									void *arg);

#endif							/* GF_NETFLOW_TEMPLATES_H */
