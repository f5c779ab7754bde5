/*
 * context_overlay.c
 *    Building an overlay over a base snapshot (context.h, "overlays"):
 *    an index of the base's networks by prefix, which answers "which base
 *    entry has this key" (to mark it stale) and "which base entries
 *    contain this prefix" (to copy them into the overlay).
 *
 *    The index is an open-addressing hash of (family, length, prefix) to
 *    the first entry of that prefix, entries of the same prefix (other
 *    scopes) chained through next[].  Keys are read from the base's own
 *    records, so the index holds only numbers: about 12 bytes per base
 *    network plus the slots (16 bytes per network at most).  The ancestors
 *    of a prefix are found by probing each shorter length: 33 probes for
 *    IPv4, 129 for IPv6, whatever the table size.
 *
 *    Core code: plain C, no postgres.h.
 */
#include <stdlib.h>
#include <string.h>

#include "context_layout.h"

typedef struct ix_key
{
	uint8_t		family;
	uint8_t		len;
	uint8_t		addr[16];
} ix_key;

struct gf_ctx_net_index
{
	const gf_ctx_snapshot *base;
	uint32_t   *slots;			/* entry index + 1 of a prefix's first entry; 0: empty */
	uint32_t	mask;
	uint32_t   *next;			/* entry index + 1 of the next entry of its prefix */
	uint32_t   *stale;			/* == epoch: marked stale in this overlay */
	uint32_t   *copied;			/* == epoch: copied into this overlay */
	uint32_t	epoch;
	ix_key	   *keys;			/* this overlay's changed prefixes */
	size_t		n_keys;
	size_t		cap_keys;
};

static inline uint32_t
ix_hash(uint8_t family, uint8_t len, const uint8_t *addr)
{
	return (uint32_t) (ctx_addr_hash(family, addr) ^ ctx_mix64((uint64_t) len + 0x100));
}

static inline const ctx_net_rec *
ix_rec(const gf_ctx_net_index *ix, uint32_t index)
{
	return (const ctx_net_rec *) ctx_sec(ix->base, CTX_SEC_NETWORKS) + index;
}

static inline int
ix_same(const ctx_net_rec *r, uint8_t family, uint8_t len, const uint8_t *addr)
{
	return r->family == family && r->prefix_len == len && memcmp(r->addr, addr, 16) == 0;
}

/* The slot of this prefix: its first entry, or the empty slot it would take. */
static uint32_t *
ix_slot(const gf_ctx_net_index *ix, uint8_t family, uint8_t len, const uint8_t *addr)
{
	uint32_t	i = ix_hash(family, len, addr) & ix->mask;

	for (;;)
	{
		uint32_t	v = ix->slots[i];

		if (v == 0 || ix_same(ix_rec(ix, v - 1), family, len, addr))
			return &ix->slots[i];
		i = (i + 1) & ix->mask;
	}
}

gf_ctx_net_index *
gf_ctx_net_index_new(const gf_ctx_snapshot *base)
{
	gf_ctx_net_index *ix;
	uint32_t	n;
	size_t		slots = 16;
	uint32_t	k;

	if (base == NULL)
		return NULL;
	n = base->n_networks;
	while (slots < (size_t) n * 2)
		slots *= 2;
	ix = calloc(1, sizeof(*ix));
	if (ix == NULL)
		return NULL;
	ix->base = base;
	ix->mask = (uint32_t) (slots - 1);
	ix->slots = calloc(slots, sizeof(uint32_t));
	/* +1: calloc(0) may return NULL */
	ix->next = malloc(((size_t) n + 1) * sizeof(uint32_t));
	ix->stale = calloc((size_t) n + 1, sizeof(uint32_t));
	ix->copied = calloc((size_t) n + 1, sizeof(uint32_t));
	if (ix->slots == NULL || ix->next == NULL || ix->stale == NULL || ix->copied == NULL)
	{
		gf_ctx_net_index_free(ix);
		return NULL;
	}
	for (k = 0; k < n; k++)
	{
		const ctx_net_rec *r = ix_rec(ix, k);
		uint32_t   *slot = ix_slot(ix, r->family, r->prefix_len, r->addr);

		ix->next[k] = *slot;
		*slot = k + 1;
	}
	return ix;
}

void
gf_ctx_net_index_free(gf_ctx_net_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->slots);
	free(ix->next);
	free(ix->stale);
	free(ix->copied);
	free(ix->keys);
	free(ix);
}

size_t
gf_ctx_net_index_bytes(const gf_ctx_net_index *ix)
{
	if (ix == NULL)
		return 0;
	return sizeof(*ix) + ((size_t) ix->mask + 1) * sizeof(uint32_t) +
		((size_t) ix->base->n_networks + 1) * 3 * sizeof(uint32_t) +
		ix->cap_keys * sizeof(ix_key);
}

void
gf_ctx_overlay_begin(gf_ctx_builder *b, gf_ctx_net_index *ix)
{
	if (ix == NULL)
		return;
	gf_ctx_set_base(b, ix->base->generation, ix->base->n_networks);
	ix->n_keys = 0;
	if (++ix->epoch == 0)
	{
		/* after 2^32 overlays: start the marks again */
		memset(ix->stale, 0, ((size_t) ix->base->n_networks + 1) * sizeof(uint32_t));
		memset(ix->copied, 0, ((size_t) ix->base->n_networks + 1) * sizeof(uint32_t));
		ix->epoch = 1;
	}
}

/* Does base entry r have the scope of canonical exporter (family 0: global)? */
static int
ix_scope_is(const gf_ctx_snapshot *s, const ctx_net_rec *r, uint8_t family, const uint8_t *addr)
{
	const ctx_exp_ent *e;
	uint32_t	slot;

	if (r->scope == 0 || family == 0)
		return r->scope == 0 && family == 0;
	if (r->scope > s->n_scopes)
		return 0;
	slot = ((const uint32_t *) ctx_sec(s, CTX_SEC_SCOPES))[r->scope - 1];
	if (slot >= s->exp_slots)
		return 0;
	e = (const ctx_exp_ent *) ctx_sec(s, CTX_SEC_EXPORTERS) + slot;
	return e->family == family && memcmp(e->addr, addr, 16) == 0;
}

/* Clear the bits of addr past len (bytes: 4 or 16). */
static void
ix_mask(uint8_t *addr, unsigned len, unsigned bytes)
{
	unsigned	i;

	for (i = 0; i < bytes; i++)
	{
		unsigned	keep = len > i * 8 ? len - i * 8 : 0;

		if (keep < 8)
			addr[i] &= (uint8_t) (0xff00u >> keep);
	}
}

/* The canonical form of a prefix, as the builder stores it; 0 when it is not one. */
static int
ix_canon_prefix(const gf_addr *a, unsigned len, ix_key *k)
{
	memset(k, 0, sizeof(*k));
	if (a->family == 4 && len <= 32)
	{
		memcpy(k->addr, a->bytes, 4);
		k->family = 4;
		k->len = (uint8_t) len;
	}
	else if (a->family == 6 && len <= 128)
	{
		if (len >= 96 && ctx_is_mapped(a->bytes))
		{
			memcpy(k->addr, a->bytes + 12, 4);
			k->family = 4;
			k->len = (uint8_t) (len - 96);
		}
		else
		{
			memcpy(k->addr, a->bytes, 16);
			k->family = 6;
			k->len = (uint8_t) len;
		}
	}
	else
		return 0;
	ix_mask(k->addr, k->len, k->family == 4 ? 4 : 16);
	return 1;
}

bool
gf_ctx_overlay_change(gf_ctx_builder *b, gf_ctx_net_index *ix, const gf_addr *net,
					  uint8_t prefix_len, const gf_addr *exporter)
{
	ix_key		k;
	uint8_t		exp[16];
	uint8_t		exp_family = 0;
	uint32_t	v;

	if (ix == NULL || net == NULL)
		return false;
	/* not a prefix the builder takes: no base entry can have that key */
	if (!ix_canon_prefix(net, prefix_len, &k))
		return true;
	memset(exp, 0, sizeof(exp));
	if (exporter != NULL && exporter->family != 0)
		exp_family = ctx_canon(exporter, exp);
	for (v = *ix_slot(ix, k.family, k.len, k.addr); v != 0; v = ix->next[v - 1])
		if (ix_scope_is(ix->base, ix_rec(ix, v - 1), exp_family, exp))
		{
			if (ix->stale[v - 1] != ix->epoch)
			{
				ix->stale[v - 1] = ix->epoch;
				if (!gf_ctx_add_stale(b, v))
					return false;
			}
			break;
		}
	if (ix->n_keys == ix->cap_keys)
	{
		size_t		cap = ix->cap_keys ? ix->cap_keys * 2 : 64;
		ix_key	   *keys = realloc(ix->keys, cap * sizeof(ix_key));

		if (keys == NULL)
			return false;
		ix->keys = keys;
		ix->cap_keys = cap;
	}
	ix->keys[ix->n_keys++] = k;
	return true;
}

/* Copy base entry 'index' into b as it is. */
static bool
ix_copy(gf_ctx_builder *b, const gf_ctx_net_index *ix, uint32_t index)
{
	gf_ctx_network v;
	gf_ctx_network_in in;

	if (!gf_ctx_get_network(ix->base, index + 1, &v))
		return false;
	memset(&in, 0, sizeof(in));
	in.net.family = v.family;
	memcpy(in.net.bytes, v.addr, v.family == 4 ? 4 : 16);
	in.prefix_len = v.prefix_len;
	in.exporter = v.exporter;
	in.name = v.name;
	in.context = v.context;
	return gf_ctx_add_network(b, &in);
}

bool
gf_ctx_overlay_copy(gf_ctx_builder *b, gf_ctx_net_index *ix)
{
	size_t		i;

	if (ix == NULL)
		return false;
	for (i = 0; i < ix->n_keys; i++)
	{
		const ix_key *k = &ix->keys[i];
		unsigned	bytes = k->family == 4 ? 4 : 16;
		unsigned	len;

		for (len = 0; len <= k->len; len++)
		{
			uint8_t		a[16];
			uint32_t	v;

			memcpy(a, k->addr, 16);
			ix_mask(a, len, bytes);
			for (v = *ix_slot(ix, k->family, (uint8_t) len, a); v != 0; v = ix->next[v - 1])
			{
				if (ix->stale[v - 1] == ix->epoch || ix->copied[v - 1] == ix->epoch)
					continue;
				ix->copied[v - 1] = ix->epoch;
				if (!ix_copy(b, ix, v - 1))
					return false;
			}
		}
	}
	return true;
}
