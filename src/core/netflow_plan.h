/*
 * netflow_plan.h
 *    Decode plans: a NetFlow v9 / IPFIX data template compiled, once when
 *    it is stored, into the list of stores its records need, so that a
 *    record is decoded without looking up each field's information
 *    element again.
 *
 *    A step reads a field at a fixed offset of the record and does one
 *    thing with it: a big-endian integer into a flow member or into a
 *    value kept aside, an address, a MAC, an absolute time, or -- for the
 *    rare fields whose meaning needs the whole field walk (MPLS entries,
 *    sampled frames, v9 "out" MACs) -- a call to gf_nf_rec_field itself.
 *    Fields that store nothing (unknown or enterprise elements, wrong
 *    lengths) get no step, and a plain store that a later field of the
 *    template overwrites is dropped: the result is the field walk's, byte
 *    for byte (test/unit/test_netflow_plan.c and fuzz_netflow_plan.c
 *    compare the two).
 *
 *    Only data templates whose fields all have fixed lengths are planned:
 *    their records have one length, so the offsets are known.  Options
 *    templates and templates with variable-length fields keep the field
 *    walk.  A plan has at most one step per field (two for icmpTypeCode)
 *    and is charged to the template's bytes, so the template store's
 *    limits (max_template_bytes, template_bytes_per_exporter) bound it.
 */
#ifndef GF_NETFLOW_PLAN_H
#define GF_NETFLOW_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "netflow_fields.h"
#include "netflow_templates.h"

typedef struct gf_nf_step
{
	uint16_t	off;			/* field offset in the record */
	uint8_t		kind;			/* what to do (netflow_plan.c) */
	uint8_t		bit;			/* presence bit (gf_field) or gf_nf_aux */
	uint16_t	dst;			/* offset of the flow member, or the IE */
	uint16_t	len;			/* bytes read */
} gf_nf_step;

/* Steps are stored in groups of one kind of store (netflow_plan.c). */
#define GF_NF_PLAN_GROUPS 8

typedef struct gf_nf_plan
{
	uint64_t	present;		/* presence bits every record sets */
	uint32_t	has;			/* kept values every record sets */
	uint32_t	need;			/* bytes from a record's start that the
								 * 8-byte loads may read */
	uint16_t	n[GF_NF_PLAN_GROUPS];	/* steps per group, in group order */
	gf_nf_step	steps[];
} gf_nf_plan;

/*
 * Compile tpl (its fields, options flag and version).  False when its
 * records are left to the field walk.  *size gets the bytes the plan
 * takes; out, when not NULL, is where it is built, with that room.
 */
bool		gf_nf_plan_compile(const gf_nf_template *tpl, gf_nf_plan *out,
							   size_t *size);

/* The plan of a stored template with tpl->planned (after its fields). */
static inline const gf_nf_plan *
gf_nf_template_plan(const gf_nf_template *tpl)
{
	return (const gf_nf_plan *) (const void *) &tpl->fields[tpl->n_fields];
}

/*
 * Decode one record of a planned template: rec points at its
 * tpl->min_len bytes, and avail bytes from rec on may be read (the rest
 * of its set); r was started with gf_nf_rec_begin.
 */
void		gf_nf_plan_run(gf_nf_rec *r, const gf_nf_plan *plan,
						   const uint8_t *rec, size_t avail);

#endif							/* GF_NETFLOW_PLAN_H */
