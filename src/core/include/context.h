/*
 * context.h
 *    A context snapshot: everything context enrichment (issue #8) looks up
 *    per flow, in one contiguous, pointer-free block (offsets only), so
 *    that one process builds it and any number of processes use one copy
 *    of it read-only (the PostgreSQL adapter copies it into dynamic shared
 *    memory; see src/pg/context_builder.c).
 *
 *    It holds:
 *    - networks: prefix (IPv4 or IPv6), optional exporter scope, name and
 *      context object -> matched against src_addr and dst_addr with
 *      prefix_table.h (longest prefix wins; of the same length, the entry
 *      scoped to the flow's exporter wins over a global one; two entries of
 *      the same prefix and scope cannot be added: the builder refuses them);
 *    - devices: exporter (sampler) address -> name, site, role, context;
 *    - interfaces: exporter address + ifIndex -> name, description,
 *      provider, speed, boundary, context (in_if and out_if are looked up);
 *    - sampling rates: exporter prefix (+ optional ifIndex, matched against
 *      in_if) -> a default rate (used when the exporter sent none) or an
 *      override (replaces what it sent).
 *
 *    Addresses: an IPv4 prefix never matches an IPv6 address.  A flow
 *    address that is IPv4-mapped IPv6 (::ffff:a.b.c.d) is looked up as the
 *    IPv4 address a.b.c.d (dual-stack exporters and sockets write IPv4
 *    that way); so is a sampler address.  Other IPv6 addresses are looked
 *    up as they are.
 *
 *    The same holds for the entries: an exporter (of a network's scope, a
 *    device, an interface) written ::ffff:a.b.c.d is stored as a.b.c.d,
 *    and a network or rate prefix inside ::ffff:0:0/96 (length 96 or more)
 *    is stored as the IPv4 prefix it maps (::ffff:10.0.0.0/104 is
 *    10.0.0.0/8, and the views show it so); a shorter IPv6 prefix never
 *    matches a mapped address.  So 10.0.0.1 and ::ffff:10.0.0.1 name the
 *    same device, and two such entries are duplicates.
 *
 *    Numbers: entries of each kind are numbered from 1 in the order they
 *    were added; gf_flow's ctx_* members, gf_ctx_get_* and the build's
 *    error messages use these numbers.
 *
 *    Strings are copied into the block NUL-terminated.  Each context may
 *    also carry an opaque blob (the adapter stores jsonb's binary form
 *    there so that rows reuse it without parsing), copied 8-byte aligned.
 *    Equal strings and equal blobs are stored once.
 *
 *    The layout is src/core/context_layout.h; the builder
 *    src/core/context_build.c, the lookups src/core/context_lookup.c.
 *    Tested by test/unit/test_context.c and test/fuzz/fuzz_context.c,
 *    measured by test/bench/bench_context.c.
 *
 *    Core code: plain C, no postgres.h.
 */
#ifndef GF_CONTEXT_H
#define GF_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

typedef enum gf_boundary
{
	GF_BOUNDARY_UNKNOWN = 0,
	GF_BOUNDARY_EXTERNAL = 1,
	GF_BOUNDARY_INTERNAL = 2
} gf_boundary;

/* "external", "internal" or NULL. */
const char *gf_boundary_name(gf_boundary b);

/*
 * Bounds of one entry's strings (each, JSON text included, without its
 * NUL) and blob; longer is GF_CTX_ERR_INPUT.  Entries of one kind: at most
 * GF_CTX_MAX_ENTRIES (else GF_CTX_ERR_LIMIT); all strings together and all
 * blobs together: below 4 GiB each (offsets are 32 bits).
 */
#define GF_CTX_MAX_STRING	(1u << 20)
#define GF_CTX_MAX_BLOB		(4u << 20)
#define GF_CTX_MAX_ENTRIES	(1u << 24)

/* A context object: JSON text (canonical, an object) and an opaque blob. */
typedef struct gf_ctx_object
{
	const char *json;			/* NULL: no context */
	const void *blob;			/* NULL: none (then blob_len must be 0) */
	uint32_t	blob_len;
} gf_ctx_object;

/* Inputs: strings and blobs are copied; NULL strings stay NULL. */
typedef struct gf_ctx_network_in
{
	gf_addr		net;			/* family 4 or 6; host bits are cleared */
	uint8_t		prefix_len;
	gf_addr		exporter;		/* family 0: every exporter (global) */
	const char *name;			/* required, non-empty */
	gf_ctx_object context;
} gf_ctx_network_in;

typedef struct gf_ctx_device_in
{
	gf_addr		exporter;		/* required */
	const char *name;
	const char *site;
	const char *role;
	gf_ctx_object context;
} gf_ctx_device_in;

typedef struct gf_ctx_interface_in
{
	gf_addr		exporter;		/* required */
	uint32_t	if_index;
	const char *name;
	const char *description;
	const char *provider;
	bool		has_speed;
	uint64_t	speed;			/* bits per second */
	gf_boundary boundary;
	gf_ctx_object context;
} gf_ctx_interface_in;

/* Also the view gf_ctx_get_rate() fills (host bits cleared, mapped as IPv4). */
typedef struct gf_ctx_rate_in
{
	gf_addr		exporter;		/* a sampler address or a prefix of them */
	uint8_t		exporter_len;
	bool		has_if_index;	/* else: every interface */
	uint32_t	if_index;		/* matched against the flow's in_if */
	uint64_t	rate;			/* >= 1 */
	bool		is_override;	/* else a default */
} gf_ctx_rate_in;

/* Views of what a snapshot holds: pointers into the block. */
typedef struct gf_ctx_network
{
	uint8_t		family;
	uint8_t		prefix_len;
	uint8_t		addr[16];
	gf_addr		exporter;		/* family 0: global */
	const char *name;
	gf_ctx_object context;
} gf_ctx_network;

typedef struct gf_ctx_device
{
	gf_addr		exporter;
	const char *name;
	const char *site;
	const char *role;
	gf_ctx_object context;
} gf_ctx_device;

typedef struct gf_ctx_interface
{
	gf_addr		exporter;
	uint32_t	if_index;
	const char *name;
	const char *description;
	const char *provider;
	bool		has_speed;
	uint64_t	speed;
	gf_boundary boundary;
	gf_ctx_object context;
} gf_ctx_interface;

typedef enum gf_ctx_error
{
	GF_CTX_OK = 0,
	GF_CTX_ERR_INPUT,			/* a bad entry: see message and index */
	GF_CTX_ERR_DUPLICATE,		/* same prefix+scope, exporter, or exporter+ifIndex twice */
	GF_CTX_ERR_LIMIT,			/* the block would exceed max_bytes */
	GF_CTX_ERR_NO_MEMORY
} gf_ctx_error;

/* Which kind of entry a refusal names. */
typedef enum gf_ctx_kind
{
	GF_CTX_KIND_NONE = 0,
	GF_CTX_KIND_NETWORK,
	GF_CTX_KIND_DEVICE,
	GF_CTX_KIND_INTERFACE,
	GF_CTX_KIND_RATE
} gf_ctx_kind;

typedef struct gf_ctx_build_info
{
	gf_ctx_error error;
	char		message[256];	/* names the kind of entry and its index */
	size_t		bytes;			/* size of the built block */
	double		build_ms;
	/*
	 * The refused entry: its kind and number (1-based, order of adding);
	 * for GF_CTX_ERR_DUPLICATE other_number is the earlier entry it
	 * repeats (the refused one is the lowest-numbered entry that repeats
	 * an earlier one; kinds are checked in the order networks, devices,
	 * interfaces, rates).  0 where no entry is to blame.
	 */
	gf_ctx_kind kind;
	uint32_t	number;
	uint32_t	other_number;
	size_t		peak_bytes;		/* builder scratch plus block, at most */
} gf_ctx_build_info;

typedef struct gf_ctx_builder gf_ctx_builder;
/* Opaque: one pointer-free block of gf_ctx_bytes() bytes. */
typedef struct gf_ctx_snapshot gf_ctx_snapshot;

/*
 * max_bytes: bound of the block plus build scratch (the builder's copies
 * of the entries, the prefix tables' build); 0: 1 GiB.  NULL when out of
 * memory (gf_ctx_build accepts a NULL builder and reports that).
 */
gf_ctx_builder *gf_ctx_builder_new(size_t max_bytes);
/*
 * Each returns false (and keeps the error for gf_ctx_build) on bad input
 * or when the builder would exceed max_bytes; after the first refusal
 * every add returns false and changes nothing.  Duplicates are found by
 * gf_ctx_build.
 */
bool		gf_ctx_add_network(gf_ctx_builder *b, const gf_ctx_network_in *n);
bool		gf_ctx_add_device(gf_ctx_builder *b, const gf_ctx_device_in *d);
bool		gf_ctx_add_interface(gf_ctx_builder *b, const gf_ctx_interface_in *i);
bool		gf_ctx_add_rate(gf_ctx_builder *b, const gf_ctx_rate_in *r);

/*
 * Build the block (malloc'd; free with free()) and free the builder.
 * NULL on refusal, the reason in info (may not be NULL).  'generation' is
 * stored in the block for the reader to check.
 */
gf_ctx_snapshot *gf_ctx_build(gf_ctx_builder *b, uint64_t generation,
							  gf_ctx_build_info *info);
/* Free a builder that will not be built. */
void		gf_ctx_builder_free(gf_ctx_builder *b);

/*
 * A hook gf_ctx_build calls now and then while it builds the prefix
 * tables (the part that takes seconds with a full Internet table), so a
 * caller can pause there while work that must not wait needs the CPU
 * (gf_pt_build_options.pause).  NULL: never.
 */
void		gf_ctx_builder_set_pause(gf_ctx_builder *b, void (*pause) (void *arg),
									 void *arg);

size_t		gf_ctx_bytes(const gf_ctx_snapshot *s);
uint64_t	gf_ctx_generation(const gf_ctx_snapshot *s);
/*
 * A block received from elsewhere (shared memory): true when it is len
 * bytes long, starts at an 8-byte aligned address, carries this build's
 * magic and layout version, its generation is 'generation', every section
 * lies inside it and agrees with the counts.  The prefix tables inside are
 * trusted as the builder wrote them (prefix_table.h has no validator);
 * lookups still bound every index they read from the block.
 */
bool		gf_ctx_valid(const void *block, size_t len, uint64_t generation);

uint32_t	gf_ctx_network_count(const gf_ctx_snapshot *s);
uint32_t	gf_ctx_device_count(const gf_ctx_snapshot *s);
uint32_t	gf_ctx_interface_count(const gf_ctx_snapshot *s);
uint32_t	gf_ctx_rate_count(const gf_ctx_snapshot *s);

/* number: 1-based, as in gf_flow's ctx_* members; false when out of range. */
bool		gf_ctx_get_network(const gf_ctx_snapshot *s, uint32_t number, gf_ctx_network *out);

/*
 * Start loading network entry number into the cache (nothing when out of
 * range): a caller about to read many entries at random issues these
 * first, so that their cache misses overlap.
 */
void		gf_ctx_prefetch_network(const gf_ctx_snapshot *s, uint32_t number);
bool		gf_ctx_get_device(const gf_ctx_snapshot *s, uint32_t number, gf_ctx_device *out);
bool		gf_ctx_get_interface(const gf_ctx_snapshot *s, uint32_t number, gf_ctx_interface *out);
bool		gf_ctx_get_rate(const gf_ctx_snapshot *s, uint32_t number, gf_ctx_rate_in *out);

/* 1-based number of the best matching network, or GF_CTX_NONE. */
uint32_t	gf_ctx_match_network(const gf_ctx_snapshot *s, const gf_addr *addr,
								 const gf_addr *exporter);

/*
 * Enrich one flow: ctx_src_network, ctx_dst_network, ctx_device,
 * ctx_in_if, ctx_out_if (GF_CTX_NONE where nothing matches), and the
 * sampling rate: an override replaces sampling_rate (source OVERRIDE); a
 * default fills a rate the flow lacks (absent or 0; source DEFAULT).  Of
 * several rates, one naming the flow's in_if beats one for every
 * interface, then the longest exporter prefix wins.  A NULL snapshot
 * clears the ctx_* members.
 *
 * In detail: overrides and defaults are chosen apart.  When an override
 * matches, the best override is applied (even if the exporter sent a rate
 * and a default would match more closely); else, when the flow lacks a
 * rate, the best default.  A flow without a sampler address matches no
 * device, interface or rate; its networks are matched by global entries
 * only.  in_if and out_if take part only when present and, for sFlow,
 * when their format is 0 (an ifIndex, not a discard reason or a count).
 */
void		gf_ctx_enrich(const gf_ctx_snapshot *s, gf_flow *f);

/*
 * The same for n flows, with the same results as n calls of
 * gf_ctx_enrich: consecutive flows of one sampler address (a datagram's)
 * share one exporter lookup and their addresses are matched in batches
 * (gf_pt_lookup*_batch), which overlaps the cache misses of a large table.
 * Keeps no state between calls.
 */
void		gf_ctx_enrich_many(const gf_ctx_snapshot *s, gf_flow *flows, size_t n);

/* ---- overlays (incremental updates) ---------------------------------------
 *
 * A small change to a large table need not rebuild everything: an
 * overlay is a snapshot built against a base snapshot (the last full
 * build).  It holds
 *   - the current entry of every network key (prefix, scope) changed since
 *     the base, and marks the base entry of that key "stale" (a deleted
 *     key has only the stale mark);
 *   - a copy of every other base network whose prefix contains a changed
 *     prefix (of any scope);
 *   - all devices, interfaces and rates (small tables: read whole).
 * A lookup takes the base's match unless it is stale, the overlay's
 * match, and the longer prefix of the two (scoped beats global on a tie).
 * Why that equals a full build: if the base match is stale, no unchanged
 * base entry more specific than it holds the address, and every less
 * specific one contains its (changed) prefix, so it is in the overlay.
 * test/unit/test_context.c compares the two over random change sequences.
 */

/*
 * Make the builder's block an overlay of a base of this generation and
 * network count, and mark base network base_number (1-based) stale.
 */
void		gf_ctx_set_base(gf_ctx_builder *b, uint64_t base_generation, uint32_t base_networks);
bool		gf_ctx_add_stale(gf_ctx_builder *b, uint32_t base_number);
/* 0 for a full snapshot; an overlay's base generation otherwise. */
uint64_t	gf_ctx_base_generation(const gf_ctx_snapshot *s);
uint32_t	gf_ctx_stale_count(const gf_ctx_snapshot *s);

/*
 * A base and its overlay seen as one snapshot: gf_ctx_pair_init fills p
 * and returns it as a snapshot every read function above accepts
 * (counts, views, matches, enrichment; not gf_ctx_valid).  Network
 * numbers 1..N are the base's (N = its count), N+1.. the overlay's;
 * devices, interfaces and rates are the overlay's.  NULL when the overlay
 * was not built on this base (generation or network count differ).  p
 * holds pointers only; it lives as long as both blocks.
 */
typedef struct gf_ctx_pair
{
	uint32_t	magic;
	uint32_t	base_networks;
	const gf_ctx_snapshot *base;
	const gf_ctx_snapshot *overlay;
} gf_ctx_pair;

const gf_ctx_snapshot *gf_ctx_pair_init(gf_ctx_pair *p, const gf_ctx_snapshot *base,
										const gf_ctx_snapshot *overlay);

/*
 * Building an overlay: an index of a base's networks by prefix, kept by
 * the builder process beside its base.
 */
typedef struct gf_ctx_net_index gf_ctx_net_index;

/* NULL when out of memory (or base is NULL). */
gf_ctx_net_index *gf_ctx_net_index_new(const gf_ctx_snapshot *base);
void		gf_ctx_net_index_free(gf_ctx_net_index *ix);
/* Bytes the index holds. */
size_t		gf_ctx_net_index_bytes(const gf_ctx_net_index *ix);

/*
 * Start an overlay in b over the index's base (gf_ctx_set_base), note
 * changed keys (a network's prefix and scope as the tables hold them,
 * exporter family 0 for global), then copy the unchanged base entries
 * that contain a changed prefix into b.  The caller adds the current
 * entries of the changed keys, and all devices, interfaces and rates.
 * false when b refused an entry (gf_ctx_build says why).
 */
void		gf_ctx_overlay_begin(gf_ctx_builder *b, gf_ctx_net_index *ix);
bool		gf_ctx_overlay_change(gf_ctx_builder *b, gf_ctx_net_index *ix,
								  const gf_addr *net, uint8_t prefix_len,
								  const gf_addr *exporter);
bool		gf_ctx_overlay_copy(gf_ctx_builder *b, gf_ctx_net_index *ix);

#endif							/* GF_CONTEXT_H */
