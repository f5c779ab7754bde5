/*
 * context_layout.h
 *    The byte layout of a context snapshot (context.h), shared by the
 *    builder (context_build.c) and the lookups (context_lookup.c).
 *
 *    One block, 8-byte aligned, with no pointers inside: every reference
 *    is an offset from the start of the block, or of a section, or an
 *    index, so the block may be copied anywhere (dynamic shared memory)
 *    and used by many processes at different addresses.
 *
 *      header              gf_ctx_snapshot below: magic, version,
 *                          generation, total bytes, counts, and one
 *                          (offset, bytes) per section
 *      NET_PT              the networks' prefix table (gf_pt_build's block
 *                          copied as is); value = network index; scope =
 *                          the exporter's scope id
 *      NETWORKS            ctx_net_rec[n_networks], in the order added
 *      SCOPES              uint32 per scope id (1..n_scopes): the slot of
 *                          its exporter in EXPORTERS
 *      EXPORTERS           open-addressing hash (linear probing, at most
 *                          half full) of every distinct exporter address
 *                          named by a device, an interface or a scoped
 *                          network: ctx_exp_ent, which carries the device
 *                          number, the scope id, the interface count and
 *                          the exporter's every-interface rates, so one
 *                          probe answers all of them per flow
 *      DEVICES             ctx_dev_rec[n_devices]
 *      INTERFACES          ctx_if_rec[n_interfaces]
 *      IF_HASH             per exporter, an open-addressing hash of its
 *                          interfaces (ifIndex -> interface number, 8-byte
 *                          slots, at most half full) at the place its
 *                          EXPORTERS entry names: a datagram's flows, all
 *                          from one exporter, probe one small region
 *      RATES               ctx_rate_rec[n_rates]
 *      RATE_IFS            sorted distinct ifIndex values named by rates;
 *                          position + 1 is the scope id of that ifIndex in
 *                          the per-interface rate tables
 *      RATE_PT x 4         prefix tables of rate entries, value = rate
 *                          index: (override, default) x (per interface,
 *                          every interface)
 *      STRINGS             NUL-terminated strings; reference 0 is NULL
 *                          (offset 0 holds a lone NUL that no entry uses)
 *      BLOBS               blobs, each at an 8-byte aligned offset
 *
 *    Rates.  The rule (context.h: an entry naming the flow's in_if beats
 *    one for every interface, then the longest exporter prefix) is not
 *    prefix_table's (longest first, scope only breaks ties), so each kind
 *    has two tables: one holding only per-interface entries, scoped by
 *    the ifIndex's scope id and with no global entry, so a scoped lookup
 *    answers only from that interface's entries; and one of the
 *    every-interface entries.  A flow asks the first, then on a miss the
 *    second: at most four small-table lookups, whatever the number of
 *    rates, and none when a kind has no entry (an empty table is an empty
 *    section).  A linear scan would be as fast for a handful of entries
 *    but grows with them; a table stays one walk per lookup.
 *
 *    The hashes are not keyed: their keys are the administrator's entries,
 *    which a sender cannot choose, and a lookup key (an exporter address)
 *    only picks where a probe starts; the mixer spreads consecutive
 *    addresses and ifIndexes, and probes are bounded by the table size.
 *    The block is used on the machine that built it (hashes read words in
 *    host byte order).
 */
#ifndef GF_CONTEXT_LAYOUT_H
#define GF_CONTEXT_LAYOUT_H

#include <stdint.h>
#include <string.h>

#include "context.h"
#include "prefix_table.h"

#define GF_CTX_MAGIC		0x67664358u /* "gfCX" */
#define GF_CTX_VERSION		2
/* A process-local gf_ctx_pair (context.h) starts with this instead. */
#define GF_CTX_PAIR_MAGIC	0x67665052u /* "gfPR" */

enum
{
	CTX_SEC_NET_PT = 0,
	CTX_SEC_NETWORKS,
	CTX_SEC_SCOPES,
	CTX_SEC_EXPORTERS,
	CTX_SEC_DEVICES,
	CTX_SEC_INTERFACES,
	CTX_SEC_IF_HASH,
	CTX_SEC_RATES,
	CTX_SEC_RATE_IFS,
	CTX_SEC_RATE_PT,			/* 4 sections: CTX_SEC_RATE_PT + ctx_rate_pt() */
	CTX_SEC_STRINGS = CTX_SEC_RATE_PT + 4,
	CTX_SEC_BLOBS,
	CTX_SEC_STALE,				/* an overlay's stale base entries: sorted numbers */
	CTX_SEC_COUNT
};

/* Rate kinds and the index of their tables among the four. */
#define CTX_RATE_OVERRIDE	0
#define CTX_RATE_DEFAULT	1
#define ctx_rate_pt(kind, every_if)	((kind) * 2 + (every_if))

typedef struct ctx_section
{
	uint64_t	offset;			/* from the start of the block; 8-aligned */
	uint64_t	bytes;			/* 0: absent */
} ctx_section;

struct gf_ctx_snapshot
{
	uint32_t	magic;
	uint32_t	version;
	uint64_t	generation;
	uint64_t	total_bytes;
	uint32_t	n_networks;
	uint32_t	n_devices;
	uint32_t	n_interfaces;
	uint32_t	n_rates;
	uint32_t	n_scopes;
	uint32_t	exp_slots;		/* a power of two, or 0 */
	uint32_t	if_slots;		/* slots of all exporters' interface hashes */
	uint32_t	n_rate_ifs;
	/*
	 * An overlay (gf_ctx_pair): the generation and network count of the
	 * base it goes with, and how many base networks it makes stale.  All
	 * 0 in a full snapshot.
	 */
	uint64_t	base_generation;
	uint32_t	base_networks;
	uint32_t	n_stale;
	ctx_section sec[CTX_SEC_COUNT];
};

/* No padding inside the header: every byte of it is checked. */
_Static_assert(sizeof(struct gf_ctx_snapshot) == 72 + 16 * CTX_SEC_COUNT,
			   "context snapshot header has padding");

/* A context object: string reference, blob offset and length. */
typedef struct ctx_obj_rec
{
	uint32_t	json;			/* string reference; 0: NULL */
	uint32_t	has_blob;
	uint32_t	blob;			/* offset in BLOBS */
	uint32_t	blob_len;
} ctx_obj_rec;

typedef struct ctx_net_rec
{
	uint8_t		family;
	uint8_t		prefix_len;
	uint8_t		pad[2];
	uint32_t	name;
	uint32_t	scope;			/* 0: global */
	uint8_t		addr[16];		/* host bits cleared */
	ctx_obj_rec context;
} ctx_net_rec;

typedef struct ctx_exp_ent
{
	uint8_t		family;			/* 0: empty slot */
	uint8_t		if_bits;		/* its interface hash has 2^if_bits slots; 0: none */
	uint8_t		pad[2];
	uint32_t	device;			/* 1-based; 0: no device */
	uint32_t	scope;			/* 0: no scoped network */
	uint32_t	if_at;			/* first slot of its interface hash in IF_HASH */
	uint8_t		addr[16];		/* IPv4 zero-padded */
	/*
	 * The best every-interface override and default rate for this
	 * exporter (rate index, or GF_PT_NONE), found at build time: a flow
	 * from a known exporter walks no rate table unless a rate names an
	 * ifIndex.
	 */
	uint32_t	rate_every[2];
} ctx_exp_ent;

typedef struct ctx_dev_rec
{
	uint8_t		family;
	uint8_t		pad[3];
	uint32_t	name;
	uint32_t	site;
	uint32_t	role;
	uint8_t		addr[16];
	ctx_obj_rec context;
} ctx_dev_rec;

typedef struct ctx_if_rec
{
	uint8_t		family;
	uint8_t		has_speed;
	uint8_t		boundary;
	uint8_t		pad;
	uint32_t	if_index;
	uint32_t	name;
	uint32_t	description;
	uint32_t	provider;
	uint32_t	pad2;
	uint64_t	speed;
	uint8_t		addr[16];
	ctx_obj_rec context;
} ctx_if_rec;

typedef struct ctx_if_slot
{
	uint32_t	if_index;
	uint32_t	number;			/* 1-based; 0: empty slot */
} ctx_if_slot;

typedef struct ctx_rate_rec
{
	uint8_t		family;
	uint8_t		prefix_len;
	uint8_t		has_if_index;
	uint8_t		is_override;
	uint32_t	if_index;
	uint64_t	rate;
	uint8_t		addr[16];
} ctx_rate_rec;

/* ---- helpers shared by the builder and the lookups ------------------- */

static inline const void *
ctx_sec(const gf_ctx_snapshot *s, int sec)
{
	return (const char *) s + s->sec[sec].offset;
}

static inline uint64_t
ctx_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/* Hash of a canonical address (16 bytes, IPv4 zero-padded). */
static inline uint64_t
ctx_addr_hash(uint8_t family, const uint8_t *a)
{
	uint64_t	hi;
	uint64_t	lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return ctx_mix64(hi ^ ctx_mix64(lo + family));
}

/* First probe for an ifIndex in a hash of 2^bits slots (2 <= bits <= 31). */
static inline uint32_t
ctx_if_hash(uint32_t if_index, unsigned bits)
{
	return (uint32_t) (if_index * 0x9E3779B1u) >> (32 - bits);
}

/* ::ffff:a.b.c.d */
static inline int
ctx_is_mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a, prefix, 12) == 0;
}

/*
 * The canonical form of an address: IPv4-mapped IPv6 as IPv4, IPv4
 * zero-padded to 16 bytes.  Returns the family (0 for none or unknown).
 */
static inline uint8_t
ctx_canon(const gf_addr *a, uint8_t *out)
{
	if (a->family == 6 && !ctx_is_mapped(a->bytes))
	{
		memcpy(out, a->bytes, 16);
		return 6;
	}
	memset(out, 0, 16);
	if (a->family == 4)
	{
		memcpy(out, a->bytes, 4);
		return 4;
	}
	if (a->family == 6)
	{
		memcpy(out, a->bytes + 12, 4);
		return 4;
	}
	return 0;
}

static inline uint32_t
ctx_be32(const uint8_t *p)
{
	return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

#endif							/* GF_CONTEXT_LAYOUT_H */
