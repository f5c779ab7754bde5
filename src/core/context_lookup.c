/*
 * context_lookup.c
 *    Reading a context snapshot (context.h; layout in context_layout.h):
 *    the block check, counts and views, network matching and per-flow
 *    enrichment.  Nothing here writes to the block or keeps state between
 *    calls, so any number of threads and processes may share one block.
 *
 *    Per flow, gf_ctx_enrich does one probe of the exporter hash (which
 *    answers device, scope and whether the exporter has interfaces), two
 *    prefix-table walks (source and destination), up to two interface
 *    hash probes and, when rates exist and apply, up to four small
 *    prefix-table walks.  gf_ctx_enrich_many shares the exporter probe
 *    among consecutive flows of one sampler and walks their addresses in
 *    batches.  Every index read from the block is bounded before use, so
 *    a block that passed gf_ctx_valid cannot make a lookup read outside
 *    it through the context sections.
 */
#include <stdint.h>
#include <string.h>

#include "context_layout.h"

/* What a flow's sampler address gives. */
typedef struct cl_exporter
{
	uint8_t		family;			/* canonical; 0: no sampler address */
	uint8_t		addr[16];
	uint32_t	device;
	uint32_t	scope;
	uint32_t	if_at;			/* its interface hash; if_bits 0: none */
	unsigned	if_bits;
	/*
	 * The best every-interface override and default of this exporter
	 * (rate index, or GF_PT_NONE): from its entry when the exporter is
	 * known, else found at first need (they depend on the exporter alone,
	 * so a datagram's flows ask once).
	 */
	int			rates_known;
	uint32_t	every_if[2];
} cl_exporter;

/* The pair s is, or NULL for a snapshot block (see gf_ctx_pair_init). */
static inline const gf_ctx_pair *
cl_pair(const gf_ctx_snapshot *s)
{
	uint32_t	magic;

	if (s == NULL)
		return NULL;
	memcpy(&magic, s, sizeof(magic));
	return magic == GF_CTX_PAIR_MAGIC ? (const gf_ctx_pair *) s : NULL;
}

const char *
gf_boundary_name(gf_boundary b)
{
	switch (b)
	{
		case GF_BOUNDARY_EXTERNAL:
			return "external";
		case GF_BOUNDARY_INTERNAL:
			return "internal";
		default:
			return NULL;
	}
}

/* ---- block check and views --------------------------------------------- */

static int
cl_pow2_or_0(uint32_t x)
{
	return (x & (x - 1)) == 0;
}

bool
gf_ctx_valid(const void *block, size_t len, uint64_t generation)
{
	const gf_ctx_snapshot *s = block;
	uint64_t	at;
	int			k;

	if (block == NULL || ((uintptr_t) block & 7) != 0 || len < sizeof(*s))
		return false;
	if (s->magic != GF_CTX_MAGIC || s->version != GF_CTX_VERSION ||
		s->total_bytes != (uint64_t) len || s->generation != generation)
		return false;
	/*
	 * The builder lays the sections out in order, each at the next 8-byte
	 * boundary, the block ending with the last one: ask exactly that, so
	 * that a changed offset or size cannot make two sections overlap.
	 */
	at = sizeof(*s);
	for (k = 0; k < CTX_SEC_COUNT; k++)
	{
		uint64_t	off = s->sec[k].offset;
		uint64_t	bytes = s->sec[k].bytes;

		if (off != at || bytes > len - off)
			return false;
		at = (off + bytes + 7) & ~(uint64_t) 7;
	}
	if (at != len || (s->sec[CTX_SEC_BLOBS].bytes & 7) != 0)
		return false;
	if (s->n_networks > GF_CTX_MAX_ENTRIES || s->n_devices > GF_CTX_MAX_ENTRIES ||
		s->n_interfaces > GF_CTX_MAX_ENTRIES || s->n_rates > GF_CTX_MAX_ENTRIES ||
		!cl_pow2_or_0(s->exp_slots))
		return false;
	if (s->sec[CTX_SEC_NETWORKS].bytes != (uint64_t) s->n_networks * sizeof(ctx_net_rec) ||
		s->sec[CTX_SEC_DEVICES].bytes != (uint64_t) s->n_devices * sizeof(ctx_dev_rec) ||
		s->sec[CTX_SEC_INTERFACES].bytes != (uint64_t) s->n_interfaces * sizeof(ctx_if_rec) ||
		s->sec[CTX_SEC_RATES].bytes != (uint64_t) s->n_rates * sizeof(ctx_rate_rec) ||
		s->sec[CTX_SEC_SCOPES].bytes != (uint64_t) s->n_scopes * sizeof(uint32_t) ||
		s->sec[CTX_SEC_RATE_IFS].bytes != (uint64_t) s->n_rate_ifs * sizeof(uint32_t) ||
		s->sec[CTX_SEC_EXPORTERS].bytes != (uint64_t) s->exp_slots * sizeof(ctx_exp_ent) ||
		s->sec[CTX_SEC_IF_HASH].bytes != (uint64_t) s->if_slots * sizeof(ctx_if_slot) ||
		s->sec[CTX_SEC_STALE].bytes != (uint64_t) s->n_stale * sizeof(uint32_t))
		return false;
	/* stale numbers: strictly rising base numbers (lookups search them) */
	if (s->base_networks > GF_CTX_MAX_ENTRIES || s->n_stale > s->base_networks ||
		(s->base_generation == 0 && (s->base_networks != 0 || s->n_stale != 0)))
		return false;
	{
		const uint32_t *st = (const uint32_t *) ctx_sec(s, CTX_SEC_STALE);
		uint32_t	prev = 0;
		uint32_t	i;

		for (i = 0; i < s->n_stale; i++)
		{
			if (st[i] <= prev || st[i] > s->base_networks)
				return false;
			prev = st[i];
		}
	}
	/* the last string ends inside the block, so any reference does */
	if (s->sec[CTX_SEC_STRINGS].bytes == 0 ||
		((const char *) ctx_sec(s, CTX_SEC_STRINGS))[s->sec[CTX_SEC_STRINGS].bytes - 1] != '\0')
		return false;
	return true;
}

size_t
gf_ctx_bytes(const gf_ctx_snapshot *s)
{
	const gf_ctx_pair *p = cl_pair(s);

	if (p)
		return (size_t) (p->base->total_bytes + p->overlay->total_bytes);
	return s ? (size_t) s->total_bytes : 0;
}

uint64_t
gf_ctx_generation(const gf_ctx_snapshot *s)
{
	const gf_ctx_pair *p = cl_pair(s);

	if (p)
		return p->overlay->generation;
	return s ? s->generation : 0;
}

uint64_t
gf_ctx_base_generation(const gf_ctx_snapshot *s)
{
	const gf_ctx_pair *p = cl_pair(s);

	if (p)
		return p->base->generation;
	return s ? s->base_generation : 0;
}

uint32_t
gf_ctx_stale_count(const gf_ctx_snapshot *s)
{
	const gf_ctx_pair *p = cl_pair(s);

	if (p)
		return p->overlay->n_stale;
	return s ? s->n_stale : 0;
}

const gf_ctx_snapshot *
gf_ctx_pair_init(gf_ctx_pair *p, const gf_ctx_snapshot *base, const gf_ctx_snapshot *overlay)
{
	if (p == NULL || base == NULL || overlay == NULL || cl_pair(base) || cl_pair(overlay) ||
		base->base_generation != 0 || overlay->base_generation != base->generation ||
		overlay->base_networks != base->n_networks ||
		(uint64_t) base->n_networks + overlay->n_networks > UINT32_MAX - 1)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->magic = GF_CTX_PAIR_MAGIC;
	p->base_networks = base->n_networks;
	p->base = base;
	p->overlay = overlay;
	return (const gf_ctx_snapshot *) p;
}

/* Devices, interfaces and rates: an overlay holds them all. */
static inline const gf_ctx_snapshot *
cl_top(const gf_ctx_snapshot *s)
{
	const gf_ctx_pair *p = cl_pair(s);

	return p ? p->overlay : s;
}

uint32_t
gf_ctx_network_count(const gf_ctx_snapshot *s)
{
	const gf_ctx_pair *p = cl_pair(s);

	if (p)
		return p->base_networks + p->overlay->n_networks;
	return s ? s->n_networks : 0;
}

uint32_t
gf_ctx_device_count(const gf_ctx_snapshot *s)
{
	s = cl_top(s);
	return s ? s->n_devices : 0;
}

uint32_t
gf_ctx_interface_count(const gf_ctx_snapshot *s)
{
	s = cl_top(s);
	return s ? s->n_interfaces : 0;
}

uint32_t
gf_ctx_rate_count(const gf_ctx_snapshot *s)
{
	s = cl_top(s);
	return s ? s->n_rates : 0;
}

/* A string reference: NULL for 0 or one outside the strings. */
static const char *
cl_str(const gf_ctx_snapshot *s, uint32_t ref)
{
	if (ref == 0 || ref >= s->sec[CTX_SEC_STRINGS].bytes)
		return NULL;
	return (const char *) ctx_sec(s, CTX_SEC_STRINGS) + ref;
}

static void
cl_obj(const gf_ctx_snapshot *s, const ctx_obj_rec *r, gf_ctx_object *out)
{
	out->json = cl_str(s, r->json);
	out->blob = NULL;
	out->blob_len = 0;
	if (r->has_blob &&
		(uint64_t) r->blob + r->blob_len <= s->sec[CTX_SEC_BLOBS].bytes)
	{
		out->blob = (const char *) ctx_sec(s, CTX_SEC_BLOBS) + r->blob;
		out->blob_len = r->blob_len;
	}
}

static void
cl_addr(uint8_t family, const uint8_t *addr, gf_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	if (family == 4)
		memcpy(out->bytes, addr, 4);
	else if (family == 6)
		memcpy(out->bytes, addr, 16);
}

bool
gf_ctx_get_network(const gf_ctx_snapshot *s, uint32_t number, gf_ctx_network *out)
{
	const ctx_net_rec *r;
	const gf_ctx_pair *p = cl_pair(s);

	if (p)
	{
		if (number > p->base_networks)
			return gf_ctx_get_network(p->overlay, number - p->base_networks, out);
		s = p->base;
	}
	if (s == NULL || number == 0 || number > s->n_networks)
		return false;
	r = (const ctx_net_rec *) ctx_sec(s, CTX_SEC_NETWORKS) + (number - 1);
	memset(out, 0, sizeof(*out));
	out->family = r->family;
	out->prefix_len = r->prefix_len;
	memcpy(out->addr, r->addr, 16);
	if (r->scope != 0 && r->scope <= s->n_scopes)
	{
		uint32_t	slot = ((const uint32_t *) ctx_sec(s, CTX_SEC_SCOPES))[r->scope - 1];

		if (slot < s->exp_slots)
		{
			const ctx_exp_ent *e = (const ctx_exp_ent *) ctx_sec(s, CTX_SEC_EXPORTERS) + slot;

			cl_addr(e->family, e->addr, &out->exporter);
		}
	}
	out->name = cl_str(s, r->name);
	cl_obj(s, &r->context, &out->context);
	return true;
}

void
gf_ctx_prefetch_network(const gf_ctx_snapshot *s, uint32_t number)
{
#if defined(__GNUC__) || defined(__clang__)
	const gf_ctx_pair *p = cl_pair(s);

	if (p)
	{
		if (number > p->base_networks)
		{
			s = p->overlay;
			number -= p->base_networks;
		}
		else
			s = p->base;
	}
	if (s != NULL && number != 0 && number <= s->n_networks)
		__builtin_prefetch((const ctx_net_rec *) ctx_sec(s, CTX_SEC_NETWORKS) + (number - 1));
#else
	(void) s;
	(void) number;
#endif
}

bool
gf_ctx_get_device(const gf_ctx_snapshot *s, uint32_t number, gf_ctx_device *out)
{
	const ctx_dev_rec *r;

	s = cl_top(s);
	if (s == NULL || number == 0 || number > s->n_devices)
		return false;
	r = (const ctx_dev_rec *) ctx_sec(s, CTX_SEC_DEVICES) + (number - 1);
	memset(out, 0, sizeof(*out));
	cl_addr(r->family, r->addr, &out->exporter);
	out->name = cl_str(s, r->name);
	out->site = cl_str(s, r->site);
	out->role = cl_str(s, r->role);
	cl_obj(s, &r->context, &out->context);
	return true;
}

bool
gf_ctx_get_interface(const gf_ctx_snapshot *s, uint32_t number, gf_ctx_interface *out)
{
	const ctx_if_rec *r;

	s = cl_top(s);
	if (s == NULL || number == 0 || number > s->n_interfaces)
		return false;
	r = (const ctx_if_rec *) ctx_sec(s, CTX_SEC_INTERFACES) + (number - 1);
	memset(out, 0, sizeof(*out));
	cl_addr(r->family, r->addr, &out->exporter);
	out->if_index = r->if_index;
	out->name = cl_str(s, r->name);
	out->description = cl_str(s, r->description);
	out->provider = cl_str(s, r->provider);
	out->has_speed = r->has_speed != 0;
	out->speed = r->speed;
	out->boundary = r->boundary <= GF_BOUNDARY_INTERNAL ? (gf_boundary) r->boundary :
		GF_BOUNDARY_UNKNOWN;
	cl_obj(s, &r->context, &out->context);
	return true;
}

bool
gf_ctx_get_rate(const gf_ctx_snapshot *s, uint32_t number, gf_ctx_rate_in *out)
{
	const ctx_rate_rec *r;

	s = cl_top(s);
	if (s == NULL || number == 0 || number > s->n_rates)
		return false;
	r = (const ctx_rate_rec *) ctx_sec(s, CTX_SEC_RATES) + (number - 1);
	memset(out, 0, sizeof(*out));
	cl_addr(r->family, r->addr, &out->exporter);
	out->exporter_len = r->prefix_len;
	out->has_if_index = r->has_if_index != 0;
	out->if_index = r->if_index;
	out->rate = r->rate;
	out->is_override = r->is_override != 0;
	return true;
}

/* ---- lookups ------------------------------------------------------------- */

static inline void
cl_find_exporter(const gf_ctx_snapshot *s, const gf_addr *sampler, cl_exporter *x)
{
	const ctx_exp_ent *t;
	uint32_t	mask;
	uint32_t	i;
	uint32_t	probes;

	x->family = ctx_canon(sampler, x->addr);
	x->rates_known = 0;
	x->device = GF_CTX_NONE;
	x->scope = 0;
	x->if_at = 0;
	x->if_bits = 0;
	if (x->family == 0 || s->exp_slots == 0)
		return;
	t = (const ctx_exp_ent *) ctx_sec(s, CTX_SEC_EXPORTERS);
	mask = s->exp_slots - 1;
	i = (uint32_t) ctx_addr_hash(x->family, x->addr) & mask;
	for (probes = 0; probes < s->exp_slots; probes++)
	{
		const ctx_exp_ent *e = &t[i];

		if (e->family == 0)
			return;
		if (e->family == x->family && memcmp(e->addr, x->addr, 16) == 0)
		{
			x->device = e->device <= s->n_devices ? e->device : GF_CTX_NONE;
			x->scope = e->scope;
			/* an interface hash must lie inside IF_HASH */
			if (e->if_bits >= 2 && e->if_bits <= 31 && e->if_at <= s->if_slots &&
				((uint32_t) 1 << e->if_bits) <= s->if_slots - e->if_at)
			{
				x->if_at = e->if_at;
				x->if_bits = e->if_bits;
			}
			x->every_if[0] = e->rate_every[0];
			x->every_if[1] = e->rate_every[1];
			x->rates_known = 1;
			return;
		}
		i = (i + 1) & mask;
	}
}

/* The exporter's interface of this ifIndex (its hash is known to exist). */
static inline uint32_t
cl_find_if(const gf_ctx_snapshot *s, const cl_exporter *x, uint32_t if_index)
{
	const ctx_if_slot *t = (const ctx_if_slot *) ctx_sec(s, CTX_SEC_IF_HASH) + x->if_at;
	uint32_t	mask = ((uint32_t) 1 << x->if_bits) - 1;
	uint32_t	i = ctx_if_hash(if_index, x->if_bits);
	uint32_t	probes;

	for (probes = 0; probes <= mask; probes++)
	{
		if (t[i].number == 0)
			return GF_CTX_NONE;
		if (t[i].if_index == if_index)
			return t[i].number <= s->n_interfaces ? t[i].number : GF_CTX_NONE;
		i = (i + 1) & mask;
	}
	return GF_CTX_NONE;
}

/* A prefix table's answer as a network number. */
static inline uint32_t
cl_net_number(const gf_ctx_snapshot *s, uint32_t v)
{
	return v < s->n_networks ? v + 1 : GF_CTX_NONE;
}

static inline uint32_t
cl_match(const gf_ctx_snapshot *s, const gf_addr *a, uint32_t scope)
{
	const gf_prefix_table *pt;

	if (s->sec[CTX_SEC_NET_PT].bytes == 0)
		return GF_CTX_NONE;
	pt = (const gf_prefix_table *) ctx_sec(s, CTX_SEC_NET_PT);
	if (a->family == 4)
		return cl_net_number(s, gf_pt_lookup4(pt, ctx_be32(a->bytes), scope));
	if (a->family == 6)
	{
		if (ctx_is_mapped(a->bytes))
			return cl_net_number(s, gf_pt_lookup4(pt, ctx_be32(a->bytes + 12), scope));
		return cl_net_number(s, gf_pt_lookup6(pt, a->bytes, scope));
	}
	return GF_CTX_NONE;
}

/* ---- a base with its overlay ---------------------------------------------- */

/* Is base network 'number' among the overlay's stale ones? */
static inline int
cl_is_stale(const gf_ctx_snapshot *o, uint32_t number)
{
	const uint32_t *v = (const uint32_t *) ctx_sec(o, CTX_SEC_STALE);
	uint32_t	lo = 0;
	uint32_t	hi = o->n_stale;

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (v[mid] < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->n_stale && v[lo] == number;
}

/*
 * The pair's number of the better of the base's match b and the
 * overlay's match o (each numbered in its own block): a stale base entry
 * does not count; then the longer prefix wins, and of the same length a
 * scoped entry beats a global one.  Of the same length and scope both are
 * the same unchanged entry (the overlay's is a copy): either will do.
 */
static inline uint32_t
cl_pair_pick(const gf_ctx_pair *p, uint32_t b, uint32_t o)
{
	const ctx_net_rec *rb;
	const ctx_net_rec *ro;

	if (b != GF_CTX_NONE && p->overlay->n_stale != 0 && cl_is_stale(p->overlay, b))
		b = GF_CTX_NONE;
	if (o == GF_CTX_NONE)
		return b;
	if (b == GF_CTX_NONE)
		return p->base_networks + o;
	rb = (const ctx_net_rec *) ctx_sec(p->base, CTX_SEC_NETWORKS) + (b - 1);
	ro = (const ctx_net_rec *) ctx_sec(p->overlay, CTX_SEC_NETWORKS) + (o - 1);
	if (rb->prefix_len != ro->prefix_len)
		return rb->prefix_len > ro->prefix_len ? b : p->base_networks + o;
	return (rb->scope != 0 && ro->scope == 0) ? b : p->base_networks + o;
}

uint32_t
gf_ctx_match_network(const gf_ctx_snapshot *s, const gf_addr *addr, const gf_addr *exporter)
{
	cl_exporter x;

	const gf_ctx_pair *p = cl_pair(s);

	if (s == NULL || addr == NULL)
		return GF_CTX_NONE;
	if (p)
	{
		cl_exporter xo;

		x.scope = 0;
		xo.scope = 0;
		if (exporter != NULL)
		{
			cl_find_exporter(p->base, exporter, &x);
			cl_find_exporter(p->overlay, exporter, &xo);
		}
		return cl_pair_pick(p, cl_match(p->base, addr, x.scope),
							cl_match(p->overlay, addr, xo.scope));
	}
	x.scope = 0;
	if (exporter != NULL)
		cl_find_exporter(s, exporter, &x);
	return cl_match(s, addr, x.scope);
}

/*
 * An in_if / out_if that names an ifIndex: present and, for sFlow, of
 * format 0 (formats 1 and 2 carry a discard reason or a count).
 */
static inline int
cl_if_ok(const gf_flow *f, int out)
{
	if (!GF_HAS(f, out ? GF_F_OUT_IF : GF_F_IN_IF))
		return 0;
	if (GF_HAS(f, out ? GF_F_OUT_IF_FORMAT : GF_F_IN_IF_FORMAT) &&
		(out ? f->out_if_format : f->in_if_format) != 0)
		return 0;
	return 1;
}

/* Scope id of in_if among the rates' ifIndexes; 0 when no rate names it. */
static uint32_t
cl_rate_if_scope(const gf_ctx_snapshot *s, uint32_t if_index)
{
	const uint32_t *v = (const uint32_t *) ctx_sec(s, CTX_SEC_RATE_IFS);
	uint32_t	lo = 0;
	uint32_t	hi = s->n_rate_ifs;

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (v[mid] < if_index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n_rate_ifs && v[lo] == if_index ? lo + 1 : 0;
}

/* A rate table's answer for the exporter (GF_PT_NONE when it is empty). */
static uint32_t
cl_rate_lookup(const gf_ctx_snapshot *s, int kind, int every_if, const cl_exporter *x,
			   uint32_t scope)
{
	int			sec = CTX_SEC_RATE_PT + ctx_rate_pt(kind, every_if);

	if (s->sec[sec].bytes == 0)
		return GF_PT_NONE;
	return gf_pt_lookup((const gf_prefix_table *) ctx_sec(s, sec), x->family, x->addr, scope);
}

static const ctx_rate_rec *
cl_best_rate(const gf_ctx_snapshot *s, int kind, cl_exporter *x, uint32_t if_scope)
{
	const ctx_rate_rec *rates = (const ctx_rate_rec *) ctx_sec(s, CTX_SEC_RATES);
	uint32_t	v;

	/* the per-interface table has no global entry: a hit is that in_if's */
	if (if_scope != 0)
	{
		v = cl_rate_lookup(s, kind, 0, x, if_scope);
		if (v < s->n_rates)
			return &rates[v];
	}
	if (!x->rates_known)
	{
		x->every_if[CTX_RATE_OVERRIDE] = cl_rate_lookup(s, CTX_RATE_OVERRIDE, 1, x, 0);
		x->every_if[CTX_RATE_DEFAULT] = cl_rate_lookup(s, CTX_RATE_DEFAULT, 1, x, 0);
		x->rates_known = 1;
	}
	v = x->every_if[kind];
	return v < s->n_rates ? &rates[v] : NULL;
}

static inline int
cl_has_kind(const gf_ctx_snapshot *s, int kind)
{
	return s->sec[CTX_SEC_RATE_PT + ctx_rate_pt(kind, 0)].bytes != 0 ||
		s->sec[CTX_SEC_RATE_PT + ctx_rate_pt(kind, 1)].bytes != 0;
}

static void
cl_rate(const gf_ctx_snapshot *s, gf_flow *f, cl_exporter *x)
{
	int			lacks = !GF_HAS(f, GF_F_SAMPLING_RATE) || f->sampling_rate == 0;
	int			overrides = cl_has_kind(s, CTX_RATE_OVERRIDE);
	uint32_t	if_scope = 0;
	const ctx_rate_rec *r = NULL;

	if (!overrides && !lacks)
		return;
	if (s->n_rate_ifs != 0 && cl_if_ok(f, 0))
		if_scope = cl_rate_if_scope(s, f->in_if);
	if (overrides)
		r = cl_best_rate(s, CTX_RATE_OVERRIDE, x, if_scope);
	if (r == NULL && lacks && cl_has_kind(s, CTX_RATE_DEFAULT))
		r = cl_best_rate(s, CTX_RATE_DEFAULT, x, if_scope);
	if (r == NULL)
		return;
	f->sampling_rate = r->rate;
	GF_MARK(f, GF_F_SAMPLING_RATE);
	f->sampling_rate_source = r->is_override ? GF_RATE_OVERRIDE : GF_RATE_DEFAULT;
}

/* Everything after the networks: device, interfaces, rate. */
static inline void
cl_enrich_exporter(const gf_ctx_snapshot *s, gf_flow *f, cl_exporter *x)
{
	f->ctx_device = x->device;
	f->ctx_in_if = GF_CTX_NONE;
	f->ctx_out_if = GF_CTX_NONE;
	if (x->if_bits != 0)
	{
		if (cl_if_ok(f, 0))
			f->ctx_in_if = cl_find_if(s, x, f->in_if);
		if (cl_if_ok(f, 1))
			f->ctx_out_if = cl_find_if(s, x, f->out_if);
	}
	if (s->n_rates != 0 && x->family != 0)
		cl_rate(s, f, x);
}

static void
cl_clear(gf_flow *f)
{
	f->ctx_src_network = GF_CTX_NONE;
	f->ctx_dst_network = GF_CTX_NONE;
	f->ctx_device = GF_CTX_NONE;
	f->ctx_in_if = GF_CTX_NONE;
	f->ctx_out_if = GF_CTX_NONE;
}

void
gf_ctx_enrich(const gf_ctx_snapshot *s, gf_flow *f)
{
	cl_exporter x;

	if (s == NULL)
	{
		cl_clear(f);
		return;
	}
	if (cl_pair(s))
	{
		gf_ctx_enrich_many(s, f, 1);
		return;
	}
	cl_find_exporter(s, &f->sampler_address, &x);
	f->ctx_src_network = cl_match(s, &f->src_addr, x.scope);
	f->ctx_dst_network = cl_match(s, &f->dst_addr, x.scope);
	cl_enrich_exporter(s, f, &x);
}

/* ---- many flows ------------------------------------------------------------ */

/* Flows per batch: 2 addresses each, so 64 addresses per prefix-table call. */
#define CL_CHUNK 32

static inline int
cl_same_addr(const gf_addr *a, const gf_addr *b)
{
	if (a->family != b->family)
		return 0;
	if (a->family == 4)
		return memcmp(a->bytes, b->bytes, 4) == 0;
	if (a->family == 6)
		return memcmp(a->bytes, b->bytes, 16) == 0;
	return 1;
}

/* Networks of n flows of one scope, their addresses walked in batches. */
static void
cl_match_batch(const gf_ctx_snapshot *s, gf_flow *flows, size_t n, uint32_t scope)
{
	const gf_prefix_table *pt;
	uint32_t	a4[2 * CL_CHUNK];
	uint32_t	o4[2 * CL_CHUNK];
	uint8_t		w4[2 * CL_CHUNK];
	uint8_t		a6[2 * CL_CHUNK][16];
	uint32_t	o6[2 * CL_CHUNK];
	uint8_t		w6[2 * CL_CHUNK];
	size_t		n4 = 0;
	size_t		n6 = 0;
	size_t		k;

	for (k = 0; k < n; k++)
	{
		flows[k].ctx_src_network = GF_CTX_NONE;
		flows[k].ctx_dst_network = GF_CTX_NONE;
	}
	if (s->sec[CTX_SEC_NET_PT].bytes == 0)
		return;
	pt = (const gf_prefix_table *) ctx_sec(s, CTX_SEC_NET_PT);
	for (k = 0; k < 2 * n; k++)
	{
		const gf_addr *a = (k & 1) ? &flows[k / 2].dst_addr : &flows[k / 2].src_addr;

		if (a->family == 4 || (a->family == 6 && ctx_is_mapped(a->bytes)))
		{
			a4[n4] = ctx_be32(a->family == 4 ? a->bytes : a->bytes + 12);
			w4[n4++] = (uint8_t) k;
		}
		else if (a->family == 6)
		{
			memcpy(a6[n6], a->bytes, 16);
			w6[n6++] = (uint8_t) k;
		}
	}
	if (n4 != 0)
		gf_pt_lookup4_batch(pt, a4, n4, scope, o4);
	if (n6 != 0)
		gf_pt_lookup6_batch(pt, (const uint8_t (*)[16]) a6, n6, scope, o6);
	for (k = 0; k < n4; k++)
	{
		gf_flow    *f = &flows[w4[k] / 2];

		*((w4[k] & 1) ? &f->ctx_dst_network : &f->ctx_src_network) = cl_net_number(s, o4[k]);
	}
	for (k = 0; k < n6; k++)
	{
		gf_flow    *f = &flows[w6[k] / 2];

		*((w6[k] & 1) ? &f->ctx_dst_network : &f->ctx_src_network) = cl_net_number(s, o6[k]);
	}
}

/*
 * A pair: the overlay answers everything, then the base's network matches
 * of the same flows (by its own exporter scopes) are weighed against the
 * overlay's.
 */
static void
cl_pair_enrich_many(const gf_ctx_pair *p, gf_flow *flows, size_t n)
{
	uint32_t	o[CL_CHUNK][2];
	cl_exporter x;
	const gf_addr *known = NULL;
	size_t		i = 0;

	gf_ctx_enrich_many(p->overlay, flows, n);
	while (i < n)
	{
		size_t		end = i + 1;
		size_t		k;

		if (known == NULL || !cl_same_addr(known, &flows[i].sampler_address))
			cl_find_exporter(p->base, &flows[i].sampler_address, &x);
		known = &flows[i].sampler_address;
		while (end < n && end - i < CL_CHUNK &&
			   cl_same_addr(known, &flows[end].sampler_address))
			end++;
		for (k = i; k < end; k++)
		{
			o[k - i][0] = flows[k].ctx_src_network;
			o[k - i][1] = flows[k].ctx_dst_network;
		}
		cl_match_batch(p->base, flows + i, end - i, x.scope);
		for (k = i; k < end; k++)
		{
			flows[k].ctx_src_network = cl_pair_pick(p, flows[k].ctx_src_network, o[k - i][0]);
			flows[k].ctx_dst_network = cl_pair_pick(p, flows[k].ctx_dst_network, o[k - i][1]);
		}
		known = &flows[end - 1].sampler_address;
		i = end;
	}
}

void
gf_ctx_enrich_many(const gf_ctx_snapshot *s, gf_flow *flows, size_t n)
{
	cl_exporter x;
	const gf_addr *known = NULL;	/* the sampler x answers */
	size_t		i = 0;

	if (s == NULL)
	{
		for (i = 0; i < n; i++)
			cl_clear(&flows[i]);
		return;
	}
	if (cl_pair(s))
	{
		cl_pair_enrich_many(cl_pair(s), flows, n);
		return;
	}
	while (i < n)
	{
		size_t		end = i + 1;
		size_t		k;

		if (known == NULL || !cl_same_addr(known, &flows[i].sampler_address))
			cl_find_exporter(s, &flows[i].sampler_address, &x);
		known = &flows[i].sampler_address;
		while (end < n && end - i < CL_CHUNK &&
			   cl_same_addr(known, &flows[end].sampler_address))
			end++;
		cl_match_batch(s, flows + i, end - i, x.scope);
		for (k = i; k < end; k++)
			cl_enrich_exporter(s, &flows[k], &x);
		/* enrichment never writes sampler_address: known stays true */
		known = &flows[end - 1].sampler_address;
		i = end;
	}
}
