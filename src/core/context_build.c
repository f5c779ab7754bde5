/*
 * context_build.c
 *    Builds a context snapshot (context.h; layout in context_layout.h)
 *    from untrusted entries: each add checks and copies one entry (its
 *    strings and blob into pools that store equal values once), and
 *    gf_ctx_build finds duplicates, assigns exporter scopes, builds the
 *    prefix tables (prefix_table.h) and copies everything into one block.
 *    Every allocation, the prefix tables' build included, is counted
 *    against max_bytes.  Lookups: context_lookup.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context_layout.h"

#define CB_DEFAULT_MAX_BYTES	((size_t) 1 << 30)
/* Pools are addressed by 32-bit offsets. */
#define CB_POOL_MAX			((size_t) UINT32_MAX)

/* A growable array of fixed-size elements. */
typedef struct cb_vec
{
	void	   *p;
	size_t		n;
	size_t		cap;
} cb_vec;

/* Intern slot of a pool: where an equal value already lies. */
typedef struct cb_intern
{
	uint64_t	hash;
	uint32_t	ref_plus1;		/* 0: empty slot */
	uint32_t	len;
} cb_intern;

/* Strings (NUL-terminated, align 1) or blobs (align 8), stored once each. */
typedef struct cb_pool
{
	char	   *buf;
	size_t		used;
	size_t		cap;
	size_t		align;
	cb_intern  *slots;
	size_t		n_slots;
	size_t		n_items;
} cb_pool;

/* A network with an exporter scope, before scope ids exist. */
typedef struct cb_scoped
{
	uint32_t	net;			/* network index */
	uint8_t		family;
	uint8_t		addr[16];
} cb_scoped;

struct gf_ctx_builder
{
	size_t		max;
	size_t		used;
	size_t		peak;
	gf_ctx_error error;
	gf_ctx_kind kind;
	uint32_t	number;
	uint32_t	other_number;
	char		message[256];
	cb_vec		nets;			/* ctx_net_rec, scope filled by the build */
	cb_vec		scoped;			/* cb_scoped */
	cb_vec		devs;			/* ctx_dev_rec */
	cb_vec		ifs;			/* ctx_if_rec */
	cb_vec		rates;			/* ctx_rate_rec */
	/* An overlay's base (gf_ctx_set_base) and its stale entries (uint32_t). */
	uint64_t	base_generation;
	uint32_t	base_networks;
	cb_vec		stale;
	cb_pool		strings;
	cb_pool		blobs;
	void		(*pause) (void *arg);	/* gf_ctx_builder_set_pause */
	void	   *pause_arg;
};

static const char *const cb_kind_name[] = {"entry", "network", "device", "interface", "rate"};

/* ---- errors and counted memory ------------------------------------------ */

/* Keep the first error only: it is the one the caller must see. */
static void cb_fail(gf_ctx_builder *b, gf_ctx_error error, gf_ctx_kind kind,
					uint32_t number, const char *fmt,...)
			__attribute__((format(printf, 5, 6)));

static void
cb_fail(gf_ctx_builder *b, gf_ctx_error error, gf_ctx_kind kind, uint32_t number,
		const char *fmt,...)
{
	va_list		ap;

	if (b->error != GF_CTX_OK)
		return;
	b->error = error;
	b->kind = kind;
	b->number = number;
	va_start(ap, fmt);
	vsnprintf(b->message, sizeof(b->message), fmt, ap);
	va_end(ap);
}

static void
cb_fail_memory(gf_ctx_builder *b, int limit)
{
	if (limit)
		cb_fail(b, GF_CTX_ERR_LIMIT, GF_CTX_KIND_NONE, 0,
				"context snapshot would exceed its memory limit of %zu bytes", b->max);
	else
		cb_fail(b, GF_CTX_ERR_NO_MEMORY, GF_CTX_KIND_NONE, 0,
				"out of memory building the context snapshot");
}

static void
cb_count(gf_ctx_builder *b, size_t bytes)
{
	b->used += bytes;
	if (b->used > b->peak)
		b->peak = b->used;
}

static void *
cb_alloc(gf_ctx_builder *b, size_t bytes, int zero)
{
	void	   *p;

	if (bytes > b->max - b->used)
	{
		cb_fail_memory(b, 1);
		return NULL;
	}
	p = zero ? calloc(1, bytes ? bytes : 1) : malloc(bytes ? bytes : 1);
	if (p == NULL)
	{
		cb_fail_memory(b, 0);
		return NULL;
	}
	cb_count(b, bytes);
	return p;
}

static void
cb_release(gf_ctx_builder *b, void *p, size_t bytes)
{
	if (p == NULL)
		return;
	free(p);
	b->used -= bytes;
}

/* Grow *p from old_bytes to new_bytes; 0 (and *p kept) on failure. */
static int
cb_grow(gf_ctx_builder *b, void **p, size_t old_bytes, size_t new_bytes)
{
	void	   *q;

	if (new_bytes - old_bytes > b->max - b->used)
	{
		cb_fail_memory(b, 1);
		return 0;
	}
	q = realloc(*p, new_bytes);
	if (q == NULL)
	{
		cb_fail_memory(b, 0);
		return 0;
	}
	*p = q;
	cb_count(b, new_bytes - old_bytes);
	return 1;
}

/* *out = a + b, or 0 when it does not fit a size_t. */
static int
cb_add(size_t a, size_t b, size_t *out)
{
	if (a > SIZE_MAX - b)
		return 0;
	*out = a + b;
	return 1;
}

static int
cb_mul(size_t a, size_t b, size_t *out)
{
	if (b != 0 && a > SIZE_MAX / b)
		return 0;
	*out = a * b;
	return 1;
}

/* Smallest power of two >= 2 n (at least 8): a hash at most half full. */
static size_t
cb_slots_for(size_t n)
{
	size_t		s = 8;

	while (s < 2 * n)
		s <<= 1;
	return s;
}

/* A new element at the end of v (uninitialised), or NULL on failure. */
static void *
cb_push(gf_ctx_builder *b, cb_vec *v, size_t size)
{
	if (v->n == v->cap)
	{
		size_t		ncap = v->cap ? v->cap * 2 : 64;
		size_t		old_bytes = v->cap * size;
		size_t		new_bytes;

		if (!cb_mul(ncap, size, &new_bytes))
		{
			cb_fail_memory(b, 1);
			return NULL;
		}
		if (!cb_grow(b, &v->p, old_bytes, new_bytes))
			return NULL;
		v->cap = ncap;
	}
	return (char *) v->p + v->n++ * size;
}

/* ---- pools --------------------------------------------------------------- */

static uint64_t
cb_hash_bytes(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t	h = ctx_mix64(UINT64_C(0x9E3779B97F4A7C15) ^ len);
	uint64_t	w;

	while (len >= 8)
	{
		memcpy(&w, p, 8);
		h = ctx_mix64(h ^ w) + UINT64_C(0x9E3779B97F4A7C15);
		p += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, p, len);
	return ctx_mix64(h ^ w ^ ((uint64_t) len << 56));
}

static int
cb_pool_init(gf_ctx_builder *b, cb_pool *p, size_t align)
{
	memset(p, 0, sizeof(*p));
	p->align = align;
	p->n_slots = 1024;
	p->slots = cb_alloc(b, p->n_slots * sizeof(cb_intern), 1);
	return p->slots != NULL;
}

/* Double the intern slots and place every item again. */
static int
cb_pool_rehash(gf_ctx_builder *b, cb_pool *p)
{
	size_t		n = p->n_slots * 2;
	cb_intern  *s = cb_alloc(b, n * sizeof(cb_intern), 1);
	size_t		i;

	if (s == NULL)
		return 0;
	for (i = 0; i < p->n_slots; i++)
	{
		size_t		k;

		if (p->slots[i].ref_plus1 == 0)
			continue;
		k = (size_t) p->slots[i].hash & (n - 1);
		while (s[k].ref_plus1 != 0)
			k = (k + 1) & (n - 1);
		s[k] = p->slots[i];
	}
	cb_release(b, p->slots, p->n_slots * sizeof(cb_intern));
	p->slots = s;
	p->n_slots = n;
	return 1;
}

/*
 * Store len bytes (plus a NUL when nul) once: *ref gets the offset of an
 * equal value already stored, or of the new copy.  0 on failure.
 */
static int
cb_intern_bytes(gf_ctx_builder *b, cb_pool *p, const void *data, size_t len, int nul,
				uint32_t *ref)
{
	uint64_t	h = cb_hash_bytes(data, len);
	size_t		mask = p->n_slots - 1;
	size_t		k = (size_t) h & mask;
	size_t		at;
	size_t		end;

	while (p->slots[k].ref_plus1 != 0)
	{
		const cb_intern *e = &p->slots[k];

		if (e->hash == h && e->len == len &&
			memcmp(p->buf + e->ref_plus1 - 1, data, len) == 0)
		{
			*ref = e->ref_plus1 - 1;
			return 1;
		}
		k = (k + 1) & mask;
	}
	at = (p->used + p->align - 1) & ~(p->align - 1);
	if (!cb_add(at, len + (nul ? 1 : 0), &end) || end >= CB_POOL_MAX)
	{
		cb_fail(b, GF_CTX_ERR_LIMIT, GF_CTX_KIND_NONE, 0,
				"context snapshot strings or blobs would exceed 4 GiB");
		return 0;
	}
	if (end > p->cap)
	{
		size_t		ncap = p->cap ? p->cap : 4096;

		while (ncap < end)
			ncap *= 2;
		if (!cb_grow(b, (void **) &p->buf, p->cap, ncap))
			return 0;
		p->cap = ncap;
	}
	memset(p->buf + p->used, 0, at - p->used);
	memcpy(p->buf + at, data, len);
	if (nul)
		p->buf[at + len] = '\0';
	p->used = end;
	p->slots[k].hash = h;
	p->slots[k].len = (uint32_t) len;
	p->slots[k].ref_plus1 = (uint32_t) at + 1;
	*ref = (uint32_t) at;
	if (++p->n_items * 2 > p->n_slots)
		return cb_pool_rehash(b, p);
	return 1;
}

/* A string (NULL stays NULL: reference 0); 0 on failure. */
static int
cb_string(gf_ctx_builder *b, gf_ctx_kind kind, uint32_t number, const char *what,
		  const char *s, uint32_t *ref)
{
	size_t		len;

	*ref = 0;
	if (s == NULL)
		return 1;
	len = strnlen(s, (size_t) GF_CTX_MAX_STRING + 1);
	if (len > GF_CTX_MAX_STRING)
	{
		cb_fail(b, GF_CTX_ERR_INPUT, kind, number, "%s %u: %s longer than %u bytes",
				cb_kind_name[kind], number, what, GF_CTX_MAX_STRING);
		return 0;
	}
	return cb_intern_bytes(b, &b->strings, s, len, 1, ref);
}

static int
cb_object(gf_ctx_builder *b, gf_ctx_kind kind, uint32_t number, const gf_ctx_object *o,
		  ctx_obj_rec *out)
{
	memset(out, 0, sizeof(*out));
	if (!cb_string(b, kind, number, "context", o->json, &out->json))
		return 0;
	if (o->blob == NULL)
	{
		if (o->blob_len != 0)
		{
			cb_fail(b, GF_CTX_ERR_INPUT, kind, number,
					"%s %u: context blob of %u bytes has no data",
					cb_kind_name[kind], number, o->blob_len);
			return 0;
		}
		return 1;
	}
	if (o->blob_len > GF_CTX_MAX_BLOB)
	{
		cb_fail(b, GF_CTX_ERR_INPUT, kind, number, "%s %u: context blob longer than %u bytes",
				cb_kind_name[kind], number, GF_CTX_MAX_BLOB);
		return 0;
	}
	out->has_blob = 1;
	out->blob_len = o->blob_len;
	if (o->blob_len == 0)		/* an empty blob is present but takes no bytes */
		return 1;
	return cb_intern_bytes(b, &b->blobs, o->blob, o->blob_len, 0, &out->blob);
}

/* ---- entries -------------------------------------------------------------- */

static void
cb_mask(uint8_t *a, int len, int bytes)
{
	int			i;

	for (i = len; i < bytes * 8; i++)
		a[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

/*
 * Check a prefix and store its canonical form: a prefix inside
 * ::ffff:0:0/96 becomes the IPv4 prefix it maps, host bits are cleared.
 */
static int
cb_prefix(gf_ctx_builder *b, gf_ctx_kind kind, uint32_t number, const char *what,
		  const gf_addr *a, unsigned len, uint8_t *family, uint8_t *out_len, uint8_t *out)
{
	memset(out, 0, 16);
	if (a->family == 4)
	{
		if (len > 32)
		{
			cb_fail(b, GF_CTX_ERR_INPUT, kind, number,
					"%s %u: %s length %u is above 32", cb_kind_name[kind], number, what, len);
			return 0;
		}
		memcpy(out, a->bytes, 4);
		*family = 4;
		*out_len = (uint8_t) len;
	}
	else if (a->family == 6)
	{
		if (len > 128)
		{
			cb_fail(b, GF_CTX_ERR_INPUT, kind, number,
					"%s %u: %s length %u is above 128", cb_kind_name[kind], number, what, len);
			return 0;
		}
		if (len >= 96 && ctx_is_mapped(a->bytes))
		{
			memcpy(out, a->bytes + 12, 4);
			*family = 4;
			*out_len = (uint8_t) (len - 96);
		}
		else
		{
			memcpy(out, a->bytes, 16);
			*family = 6;
			*out_len = (uint8_t) len;
		}
	}
	else
	{
		cb_fail(b, GF_CTX_ERR_INPUT, kind, number,
				"%s %u: %s address family %u is neither 4 nor 6",
				cb_kind_name[kind], number, what, (unsigned) a->family);
		return 0;
	}
	cb_mask(out, *out_len, *family == 4 ? 4 : 16);
	return 1;
}

/* A required exporter address, canonical. */
static int
cb_exporter(gf_ctx_builder *b, gf_ctx_kind kind, uint32_t number, const gf_addr *a,
			uint8_t *family, uint8_t *out)
{
	if (a->family != 4 && a->family != 6)
	{
		cb_fail(b, GF_CTX_ERR_INPUT, kind, number,
				"%s %u: exporter address family %u is neither 4 nor 6",
				cb_kind_name[kind], number, (unsigned) a->family);
		return 0;
	}
	*family = ctx_canon(a, out);
	return 1;
}

/* The next entry's number, or 0 when the builder takes no more. */
static uint32_t
cb_next(gf_ctx_builder *b, const cb_vec *v, gf_ctx_kind kind, const void *entry)
{
	uint32_t	number;

	if (b == NULL || b->error != GF_CTX_OK)
		return 0;
	number = (uint32_t) v->n + 1;
	if (v->n >= GF_CTX_MAX_ENTRIES)
	{
		cb_fail(b, GF_CTX_ERR_LIMIT, kind, number, "more than %u %ss",
				GF_CTX_MAX_ENTRIES, cb_kind_name[kind]);
		return 0;
	}
	if (entry == NULL)
	{
		cb_fail(b, GF_CTX_ERR_INPUT, kind, number, "%s %u: no entry given",
				cb_kind_name[kind], number);
		return 0;
	}
	return number;
}

gf_ctx_builder *
gf_ctx_builder_new(size_t max_bytes)
{
	gf_ctx_builder *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->max = max_bytes ? max_bytes : CB_DEFAULT_MAX_BYTES;
	cb_count(b, sizeof(*b));
	if (b->used > b->max)
		cb_fail_memory(b, 1);
	else if (cb_pool_init(b, &b->strings, 1) && cb_pool_init(b, &b->blobs, 8))
	{
		/* offset 0 holds a lone NUL, so reference 0 can mean NULL */
		b->strings.buf = cb_alloc(b, 4096, 0);
		if (b->strings.buf != NULL)
		{
			b->strings.cap = 4096;
			b->strings.buf[0] = '\0';
			b->strings.used = 1;
		}
	}
	return b;
}

void
gf_ctx_builder_free(gf_ctx_builder *b)
{
	if (b == NULL)
		return;
	free(b->nets.p);
	free(b->scoped.p);
	free(b->devs.p);
	free(b->ifs.p);
	free(b->rates.p);
	free(b->stale.p);
	free(b->strings.buf);
	free(b->strings.slots);
	free(b->blobs.buf);
	free(b->blobs.slots);
	free(b);
}

void
gf_ctx_builder_set_pause(gf_ctx_builder *b, void (*pause) (void *arg), void *arg)
{
	if (b == NULL)
		return;
	b->pause = pause;
	b->pause_arg = arg;
}

bool
gf_ctx_add_network(gf_ctx_builder *b, const gf_ctx_network_in *n)
{
	uint32_t	number = cb_next(b, b ? &b->nets : NULL, GF_CTX_KIND_NETWORK, n);
	ctx_net_rec rec;
	uint8_t		exp_family = 0;
	uint8_t		exp[16];
	void	   *slot;

	if (number == 0)
		return false;
	memset(&rec, 0, sizeof(rec));
	if (!cb_prefix(b, GF_CTX_KIND_NETWORK, number, "prefix", &n->net, n->prefix_len,
				   &rec.family, &rec.prefix_len, rec.addr))
		return false;
	if (n->exporter.family != 0 &&
		!cb_exporter(b, GF_CTX_KIND_NETWORK, number, &n->exporter, &exp_family, exp))
		return false;
	if (n->name == NULL || n->name[0] == '\0')
	{
		cb_fail(b, GF_CTX_ERR_INPUT, GF_CTX_KIND_NETWORK, number, "network %u: no name", number);
		return false;
	}
	if (!cb_string(b, GF_CTX_KIND_NETWORK, number, "name", n->name, &rec.name) ||
		!cb_object(b, GF_CTX_KIND_NETWORK, number, &n->context, &rec.context))
		return false;
	if ((slot = cb_push(b, &b->nets, sizeof(rec))) == NULL)
		return false;
	memcpy(slot, &rec, sizeof(rec));
	if (exp_family != 0)
	{
		cb_scoped	sc;

		memset(&sc, 0, sizeof(sc));
		sc.net = number - 1;
		sc.family = exp_family;
		memcpy(sc.addr, exp, 16);
		if ((slot = cb_push(b, &b->scoped, sizeof(sc))) == NULL)
			return false;
		memcpy(slot, &sc, sizeof(sc));
	}
	return true;
}

bool
gf_ctx_add_device(gf_ctx_builder *b, const gf_ctx_device_in *d)
{
	uint32_t	number = cb_next(b, b ? &b->devs : NULL, GF_CTX_KIND_DEVICE, d);
	ctx_dev_rec rec;
	void	   *slot;

	if (number == 0)
		return false;
	memset(&rec, 0, sizeof(rec));
	if (!cb_exporter(b, GF_CTX_KIND_DEVICE, number, &d->exporter, &rec.family, rec.addr) ||
		!cb_string(b, GF_CTX_KIND_DEVICE, number, "name", d->name, &rec.name) ||
		!cb_string(b, GF_CTX_KIND_DEVICE, number, "site", d->site, &rec.site) ||
		!cb_string(b, GF_CTX_KIND_DEVICE, number, "role", d->role, &rec.role) ||
		!cb_object(b, GF_CTX_KIND_DEVICE, number, &d->context, &rec.context))
		return false;
	if ((slot = cb_push(b, &b->devs, sizeof(rec))) == NULL)
		return false;
	memcpy(slot, &rec, sizeof(rec));
	return true;
}

bool
gf_ctx_add_interface(gf_ctx_builder *b, const gf_ctx_interface_in *i)
{
	uint32_t	number = cb_next(b, b ? &b->ifs : NULL, GF_CTX_KIND_INTERFACE, i);
	ctx_if_rec	rec;
	void	   *slot;

	if (number == 0)
		return false;
	memset(&rec, 0, sizeof(rec));
	if (!cb_exporter(b, GF_CTX_KIND_INTERFACE, number, &i->exporter, &rec.family, rec.addr))
		return false;
	if ((unsigned) i->boundary > GF_BOUNDARY_INTERNAL)
	{
		cb_fail(b, GF_CTX_ERR_INPUT, GF_CTX_KIND_INTERFACE, number,
				"interface %u: boundary %u is not unknown, external or internal",
				number, (unsigned) i->boundary);
		return false;
	}
	if (!cb_string(b, GF_CTX_KIND_INTERFACE, number, "name", i->name, &rec.name) ||
		!cb_string(b, GF_CTX_KIND_INTERFACE, number, "description", i->description,
				   &rec.description) ||
		!cb_string(b, GF_CTX_KIND_INTERFACE, number, "provider", i->provider, &rec.provider) ||
		!cb_object(b, GF_CTX_KIND_INTERFACE, number, &i->context, &rec.context))
		return false;
	rec.if_index = i->if_index;
	rec.has_speed = i->has_speed ? 1 : 0;
	rec.speed = i->has_speed ? i->speed : 0;
	rec.boundary = (uint8_t) i->boundary;
	if ((slot = cb_push(b, &b->ifs, sizeof(rec))) == NULL)
		return false;
	memcpy(slot, &rec, sizeof(rec));
	return true;
}

bool
gf_ctx_add_rate(gf_ctx_builder *b, const gf_ctx_rate_in *r)
{
	uint32_t	number = cb_next(b, b ? &b->rates : NULL, GF_CTX_KIND_RATE, r);
	ctx_rate_rec rec;
	void	   *slot;

	if (number == 0)
		return false;
	memset(&rec, 0, sizeof(rec));
	if (!cb_prefix(b, GF_CTX_KIND_RATE, number, "exporter prefix", &r->exporter,
				   r->exporter_len, &rec.family, &rec.prefix_len, rec.addr))
		return false;
	if (r->rate == 0)
	{
		cb_fail(b, GF_CTX_ERR_INPUT, GF_CTX_KIND_RATE, number, "rate %u: sampling rate 0", number);
		return false;
	}
	rec.has_if_index = r->has_if_index ? 1 : 0;
	rec.if_index = r->has_if_index ? r->if_index : 0;
	rec.rate = r->rate;
	rec.is_override = r->is_override ? 1 : 0;
	if ((slot = cb_push(b, &b->rates, sizeof(rec))) == NULL)
		return false;
	memcpy(slot, &rec, sizeof(rec));
	return true;
}

/* ---- build ---------------------------------------------------------------- */

/* Scratch of one build, freed (and uncounted) at its end. */
typedef struct cb_build
{
	gf_ctx_builder *b;
	/* distinct exporters, in order of first appearance */
	ctx_exp_ent *dense;
	size_t		n_dense;
	size_t		cap_dense;
	uint32_t   *dense_hash;
	size_t		dense_slots;
	uint32_t   *dense_slot;		/* dense id -> slot in the final table */
	uint32_t   *if_dense;		/* interface index -> dense id */
	uint32_t   *scope_dense;	/* scope id - 1 -> dense id */
	uint32_t	n_scopes;
	uint32_t	dev_dup[2];		/* device numbers (earlier, later); 0: none */
	/* block sections */
	ctx_exp_ent *exp;
	size_t		exp_slots;
	uint32_t   *scopes;
	ctx_if_slot *if_hash;
	size_t		if_slots;
	uint32_t   *rate_ifs;
	size_t		n_rate_ifs;
	gf_prefix_table *net_pt;
	gf_prefix_table *rate_pt[4];
} cb_build;

static void
cb_addr_text(uint8_t family, const uint8_t *addr, char *buf, size_t len)
{
	gf_addr		a;

	memset(&a, 0, sizeof(a));
	a.family = family;
	memcpy(a.bytes, addr, 16);
	gf_addr_format(&a, buf, len);
}

/* Dense id of an exporter address, added if new; UINT32_MAX on failure. */
static uint32_t
cb_dense_id(cb_build *st, uint8_t family, const uint8_t *addr)
{
	size_t		mask = st->dense_slots - 1;
	size_t		k = (size_t) ctx_addr_hash(family, addr) & mask;
	ctx_exp_ent *e;

	while (st->dense_hash[k] != 0)
	{
		e = &st->dense[st->dense_hash[k] - 1];
		if (e->family == family && memcmp(e->addr, addr, 16) == 0)
			return st->dense_hash[k] - 1;
		k = (k + 1) & mask;
	}
	/* dense is sized for every exporter entry, so this never overflows */
	e = &st->dense[st->n_dense];
	memset(e, 0, sizeof(*e));
	e->family = family;
	memcpy(e->addr, addr, 16);
	st->dense_hash[k] = (uint32_t) ++st->n_dense;
	return (uint32_t) (st->n_dense - 1);
}

/*
 * Distinct exporters of devices, scoped networks and interfaces; device
 * numbers, scope ids and interface counts; then the final hash.
 */
static int
cb_exporters(cb_build *st)
{
	gf_ctx_builder *b = st->b;
	size_t		upper = b->devs.n + b->scoped.n + b->ifs.n;
	size_t		i;

	st->cap_dense = upper;
	st->dense_slots = cb_slots_for(upper);
	if ((st->dense = cb_alloc(b, (upper ? upper : 1) * sizeof(ctx_exp_ent), 0)) == NULL ||
		(st->dense_hash = cb_alloc(b, st->dense_slots * sizeof(uint32_t), 1)) == NULL ||
		(st->if_dense = cb_alloc(b, b->ifs.n * sizeof(uint32_t), 0)) == NULL ||
		(st->scope_dense = cb_alloc(b, b->scoped.n * sizeof(uint32_t), 0)) == NULL)
		return 0;
	for (i = 0; i < b->devs.n; i++)
	{
		const ctx_dev_rec *d = (const ctx_dev_rec *) b->devs.p + i;
		ctx_exp_ent *e = &st->dense[cb_dense_id(st, d->family, d->addr)];

		if (e->device == 0)
			e->device = (uint32_t) i + 1;
		else if (st->dev_dup[1] == 0)
		{
			st->dev_dup[0] = e->device;
			st->dev_dup[1] = (uint32_t) i + 1;
		}
	}
	for (i = 0; i < b->scoped.n; i++)
	{
		const cb_scoped *sc = (const cb_scoped *) b->scoped.p + i;
		uint32_t	id = cb_dense_id(st, sc->family, sc->addr);
		ctx_exp_ent *e = &st->dense[id];

		if (e->scope == 0)
		{
			st->scope_dense[st->n_scopes] = id;
			e->scope = ++st->n_scopes;
		}
		((ctx_net_rec *) b->nets.p)[sc->net].scope = e->scope;
	}
	for (i = 0; i < b->ifs.n; i++)
	{
		const ctx_if_rec *r = (const ctx_if_rec *) b->ifs.p + i;
		uint32_t	id = cb_dense_id(st, r->family, r->addr);

		st->if_dense[i] = id;
		st->dense[id].if_at++;	/* counts them until placed below */
	}

	/* each exporter's interface hash: at least half empty, placed in turn */
	for (i = 0; i < st->n_dense; i++)
	{
		ctx_exp_ent *e = &st->dense[i];
		uint32_t	n_ifs = e->if_at;
		unsigned	bits = 2;

		e->if_at = 0;
		if (n_ifs == 0)
			continue;
		while (((size_t) 1 << bits) < 2 * (size_t) n_ifs)
			bits++;
		e->if_bits = (uint8_t) bits;
		e->if_at = (uint32_t) st->if_slots;
		st->if_slots += (size_t) 1 << bits;
		if (st->if_slots > UINT32_MAX)
		{
			cb_fail_memory(b, 1);
			return 0;
		}
	}

	/* the block's table, sized for the distinct exporters only */
	if (st->n_dense == 0)
		return 1;
	st->exp_slots = cb_slots_for(st->n_dense);
	if ((st->exp = cb_alloc(b, st->exp_slots * sizeof(ctx_exp_ent), 1)) == NULL ||
		(st->dense_slot = cb_alloc(b, st->n_dense * sizeof(uint32_t), 0)) == NULL ||
		(st->scopes = cb_alloc(b, st->n_scopes * sizeof(uint32_t), 0)) == NULL)
		return 0;
	for (i = 0; i < st->n_dense; i++)
	{
		const ctx_exp_ent *e = &st->dense[i];
		size_t		mask = st->exp_slots - 1;
		size_t		k = (size_t) ctx_addr_hash(e->family, e->addr) & mask;

		while (st->exp[k].family != 0)
			k = (k + 1) & mask;
		st->exp[k] = *e;
		st->dense_slot[i] = (uint32_t) k;
	}
	for (i = 0; i < st->n_scopes; i++)
		st->scopes[i] = st->dense_slot[st->scope_dense[i]];
	return 1;
}

/*
 * The lowest-numbered entry equal to an earlier one, by hash: found[0] the
 * earlier, found[1] the later (0-based).  0 when none or on failure.
 */
typedef uint64_t (*cb_hash_fn) (const void *rec);
typedef int (*cb_eq_fn) (const void *a, const void *c);

static int
cb_find_dup(gf_ctx_builder *b, const cb_vec *v, size_t size, cb_hash_fn hash,
			cb_eq_fn eq, size_t found[2])
{
	size_t		n_slots = cb_slots_for(v->n);
	uint32_t   *slots;
	size_t		j;
	int			dup = 0;

	if (v->n < 2)
		return 0;
	if ((slots = cb_alloc(b, n_slots * sizeof(uint32_t), 1)) == NULL)
		return 0;
	for (j = 0; j < v->n && !dup; j++)
	{
		const void *r = (const char *) v->p + j * size;
		size_t		k = (size_t) hash(r) & (n_slots - 1);

		while (slots[k] != 0)
		{
			if (eq((const char *) v->p + (size_t) (slots[k] - 1) * size, r))
			{
				found[0] = slots[k] - 1;
				found[1] = j;
				dup = 1;
				break;
			}
			k = (k + 1) & (n_slots - 1);
		}
		if (!dup)
			slots[k] = (uint32_t) j + 1;
	}
	cb_release(b, slots, n_slots * sizeof(uint32_t));
	return dup;
}

static uint64_t
cb_net_hash(const void *p)
{
	const ctx_net_rec *r = p;

	return ctx_mix64(ctx_addr_hash(r->family, r->addr) ^
					 ((uint64_t) r->prefix_len << 32 | r->scope));
}

static int
cb_net_eq(const void *a, const void *c)
{
	const ctx_net_rec *x = a;
	const ctx_net_rec *y = c;

	return x->family == y->family && x->prefix_len == y->prefix_len &&
		x->scope == y->scope && memcmp(x->addr, y->addr, 16) == 0;
}

static uint64_t
cb_rate_hash(const void *p)
{
	const ctx_rate_rec *r = p;

	return ctx_mix64(ctx_addr_hash(r->family, r->addr) ^
					 ((uint64_t) r->prefix_len << 40 | (uint64_t) r->has_if_index << 33 |
					  (uint64_t) r->is_override << 32 | r->if_index));
}

static int
cb_rate_eq(const void *a, const void *c)
{
	const ctx_rate_rec *x = a;
	const ctx_rate_rec *y = c;

	return x->family == y->family && x->prefix_len == y->prefix_len &&
		x->has_if_index == y->has_if_index && x->if_index == y->if_index &&
		x->is_override == y->is_override && memcmp(x->addr, y->addr, 16) == 0;
}

/* Duplicates, in the order networks, devices, interfaces, rates. */
static int
cb_duplicates(cb_build *st)
{
	gf_ctx_builder *b = st->b;
	size_t		d[2];
	char		t1[64];
	char		t2[64];
	size_t		j;

	if (cb_find_dup(b, &b->nets, sizeof(ctx_net_rec), cb_net_hash, cb_net_eq, d))
	{
		const ctx_net_rec *r = (const ctx_net_rec *) b->nets.p + d[1];

		cb_addr_text(r->family, r->addr, t1, sizeof(t1));
		if (r->scope != 0)
		{
			const ctx_exp_ent *e = &st->dense[st->scope_dense[r->scope - 1]];

			cb_addr_text(e->family, e->addr, t2, sizeof(t2));
		}
		cb_fail(b, GF_CTX_ERR_DUPLICATE, GF_CTX_KIND_NETWORK, (uint32_t) d[1] + 1,
				"network %zu repeats network %zu: %s/%u for %s%s",
				d[1] + 1, d[0] + 1, t1, r->prefix_len,
				r->scope ? "exporter " : "every exporter", r->scope ? t2 : "");
		b->other_number = (uint32_t) d[0] + 1;
		return 0;
	}
	if (b->error != GF_CTX_OK)
		return 0;
	if (st->dev_dup[1] != 0)
	{
		const ctx_dev_rec *r = (const ctx_dev_rec *) b->devs.p + (st->dev_dup[1] - 1);

		cb_addr_text(r->family, r->addr, t1, sizeof(t1));
		cb_fail(b, GF_CTX_ERR_DUPLICATE, GF_CTX_KIND_DEVICE, st->dev_dup[1],
				"device %u repeats device %u: exporter %s",
				st->dev_dup[1], st->dev_dup[0], t1);
		b->other_number = st->dev_dup[0];
		return 0;
	}

	/* interfaces: the block's hashes (one per exporter) find them */
	if (st->if_slots > 0 &&
		(st->if_hash = cb_alloc(b, st->if_slots * sizeof(ctx_if_slot), 1)) == NULL)
		return 0;
	for (j = 0; j < b->ifs.n; j++)
	{
		const ctx_if_rec *r = (const ctx_if_rec *) b->ifs.p + j;
		const ctx_exp_ent *e = &st->dense[st->if_dense[j]];
		ctx_if_slot *t = st->if_hash + e->if_at;
		uint32_t	mask = ((uint32_t) 1 << e->if_bits) - 1;
		uint32_t	k = ctx_if_hash(r->if_index, e->if_bits);

		while (t[k].number != 0 && t[k].if_index != r->if_index)
			k = (k + 1) & mask;
		if (t[k].number != 0)
		{
			cb_addr_text(r->family, r->addr, t1, sizeof(t1));
			cb_fail(b, GF_CTX_ERR_DUPLICATE, GF_CTX_KIND_INTERFACE, (uint32_t) j + 1,
					"interface %zu repeats interface %u: exporter %s ifIndex %u",
					j + 1, t[k].number, t1, r->if_index);
			b->other_number = t[k].number;
			return 0;
		}
		t[k].if_index = r->if_index;
		t[k].number = (uint32_t) j + 1;
	}

	if (cb_find_dup(b, &b->rates, sizeof(ctx_rate_rec), cb_rate_hash, cb_rate_eq, d))
	{
		const ctx_rate_rec *r = (const ctx_rate_rec *) b->rates.p + d[1];

		cb_addr_text(r->family, r->addr, t1, sizeof(t1));
		if (r->has_if_index)
			snprintf(t2, sizeof(t2), "ifIndex %u", r->if_index);
		else
			snprintf(t2, sizeof(t2), "every interface");
		cb_fail(b, GF_CTX_ERR_DUPLICATE, GF_CTX_KIND_RATE, (uint32_t) d[1] + 1,
				"rate %zu repeats rate %zu: %s %s/%u, %s",
				d[1] + 1, d[0] + 1, r->is_override ? "override for" : "default for",
				t1, r->prefix_len, t2);
		b->other_number = (uint32_t) d[0] + 1;
		return 0;
	}
	return b->error == GF_CTX_OK;
}

static int
cb_cmp_u32(const void *a, const void *c)
{
	uint32_t	x = *(const uint32_t *) a;
	uint32_t	y = *(const uint32_t *) c;

	return x < y ? -1 : x > y;
}

/* The scope id of an ifIndex named by a rate (position + 1). */
static uint32_t
cb_rate_if_scope(const cb_build *st, uint32_t if_index)
{
	size_t		lo = 0;
	size_t		hi = st->n_rate_ifs;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (st->rate_ifs[mid] < if_index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint32_t) lo + 1;
}

/* Sorted distinct ifIndexes of the per-interface rates. */
static int
cb_rate_ifs(cb_build *st)
{
	gf_ctx_builder *b = st->b;
	size_t		i;
	size_t		n = 0;

	if ((st->rate_ifs = cb_alloc(b, b->rates.n * sizeof(uint32_t), 0)) == NULL)
		return 0;
	for (i = 0; i < b->rates.n; i++)
	{
		const ctx_rate_rec *r = (const ctx_rate_rec *) b->rates.p + i;

		if (r->has_if_index)
			st->rate_ifs[n++] = r->if_index;
	}
	qsort(st->rate_ifs, n, sizeof(uint32_t), cb_cmp_u32);
	st->n_rate_ifs = 0;
	for (i = 0; i < n; i++)
		if (i == 0 || st->rate_ifs[i] != st->rate_ifs[i - 1])
			st->rate_ifs[st->n_rate_ifs++] = st->rate_ifs[i];
	return 1;
}

/*
 * Build one prefix table from n entries, with what is left of max_bytes;
 * its block stays counted until the snapshot is assembled.  0 on refusal.
 */
static int
cb_pt(cb_build *st, const gf_prefix_entry *e, size_t n, const char *what,
	  gf_prefix_table **out)
{
	gf_ctx_builder *b = st->b;
	gf_pt_build_options opt;
	gf_pt_build_info info;

	*out = NULL;
	if (n == 0)
		return 1;
	memset(&opt, 0, sizeof(opt));
	opt.pause = b->pause;
	opt.pause_arg = b->pause_arg;
	opt.max_bytes = b->max - b->used;
	if (opt.max_bytes == 0)		/* 0 would mean the default */
	{
		cb_fail_memory(b, 1);
		return 0;
	}
	*out = gf_pt_build(e, n, &opt, &info);
	if (b->used + info.peak_bytes > b->peak)
		b->peak = b->used + info.peak_bytes;
	if (*out == NULL)
	{
		if (info.error == GF_PT_ERR_MEMORY_LIMIT)
			cb_fail(b, GF_CTX_ERR_LIMIT, GF_CTX_KIND_NONE, 0,
					"the %s prefix table would exceed the context memory limit of %zu bytes",
					what, b->max);
		else if (info.error == GF_PT_ERR_NO_MEMORY)
			cb_fail_memory(b, 0);
		else					/* entries were checked when added */
			cb_fail(b, GF_CTX_ERR_INPUT, GF_CTX_KIND_NONE, 0,
					"the %s prefix table refused entry %zu: %s",
					what, info.bad_index + 1, gf_pt_error_name(info.error));
		return 0;
	}
	cb_count(b, gf_pt_bytes(*out));
	return 1;
}

static int
cb_tables(cb_build *st)
{
	gf_ctx_builder *b = st->b;
	size_t		n_max = b->nets.n > b->rates.n ? b->nets.n : b->rates.n;
	size_t		bytes = n_max * sizeof(gf_prefix_entry);
	gf_prefix_entry *e;
	size_t		i;
	size_t		n;
	int			kind;
	int			every;
	int			ok = 1;

	if (n_max == 0)
		return 1;
	if ((e = cb_alloc(b, bytes, 1)) == NULL)
		return 0;
	for (i = 0; i < b->nets.n; i++)
	{
		const ctx_net_rec *r = (const ctx_net_rec *) b->nets.p + i;

		e[i].family = r->family;
		e[i].prefix_len = r->prefix_len;
		memcpy(e[i].addr, r->addr, 16);
		e[i].scope = r->scope;
		e[i].value = (uint32_t) i;
	}
	ok = cb_pt(st, e, b->nets.n, "networks'", &st->net_pt);
	for (kind = 0; ok && kind < 2; kind++)
	{
		for (every = 0; ok && every < 2; every++)
		{
			n = 0;
			for (i = 0; i < b->rates.n; i++)
			{
				const ctx_rate_rec *r = (const ctx_rate_rec *) b->rates.p + i;

				if (r->is_override != (kind == CTX_RATE_OVERRIDE) ||
					r->has_if_index != !every)
					continue;
				memset(&e[n], 0, sizeof(e[n]));
				e[n].family = r->family;
				e[n].prefix_len = r->prefix_len;
				memcpy(e[n].addr, r->addr, 16);
				e[n].scope = every ? 0 : cb_rate_if_scope(st, r->if_index);
				e[n].value = (uint32_t) i;
				n++;
			}
			ok = cb_pt(st, e, n, "sampling rates'", &st->rate_pt[ctx_rate_pt(kind, every)]);
		}
	}
	cb_release(b, e, bytes);
	return ok;
}

/*
 * Every known exporter's best every-interface override and default, so
 * that its flows need no rate-table walk (context_layout.h).
 */
static void
cb_exporter_rates(cb_build *st)
{
	size_t		i;
	int			kind;

	for (i = 0; i < st->exp_slots; i++)
	{
		ctx_exp_ent *e = &st->exp[i];

		if (e->family == 0)
			continue;
		for (kind = 0; kind < 2; kind++)
		{
			const gf_prefix_table *pt = st->rate_pt[ctx_rate_pt(kind, 1)];

			e->rate_every[kind] = pt ? gf_pt_lookup(pt, e->family, e->addr, 0) : GF_PT_NONE;
		}
	}
}

void
gf_ctx_set_base(gf_ctx_builder *b, uint64_t base_generation, uint32_t base_networks)
{
	if (b == NULL)
		return;
	b->base_generation = base_generation;
	b->base_networks = base_networks;
}

bool
gf_ctx_add_stale(gf_ctx_builder *b, uint32_t base_number)
{
	void	   *slot;

	if (b == NULL || b->error != GF_CTX_OK)
		return false;
	if (base_number == 0 || base_number > b->base_networks)
	{
		cb_fail(b, GF_CTX_ERR_INPUT, GF_CTX_KIND_NETWORK, 0,
				"stale base network %u is not one of the base's %u", base_number,
				b->base_networks);
		return false;
	}
	if ((slot = cb_push(b, &b->stale, sizeof(uint32_t))) == NULL)
		return false;
	memcpy(slot, &base_number, sizeof(uint32_t));
	return true;
}

/* Sort the stale numbers and drop repeats: lookups search them. */
static void
cb_stale(gf_ctx_builder *b)
{
	uint32_t   *v = b->stale.p;
	size_t		n = 0;
	size_t		k;

	if (b->stale.n == 0)
		return;
	qsort(v, b->stale.n, sizeof(uint32_t), cb_cmp_u32);
	for (k = 0; k < b->stale.n; k++)
		if (n == 0 || v[n - 1] != v[k])
			v[n++] = v[k];
	b->stale.n = n;
}

/* Place a section of 'bytes' at *at (8-aligned); 0 on overflow. */
static int
cb_place(gf_ctx_snapshot *h, int sec, size_t bytes, size_t *at)
{
	size_t		end;

	h->sec[sec].offset = *at;
	h->sec[sec].bytes = bytes;
	if (!cb_add(*at, bytes, &end) || !cb_add(end, 7, &end))
		return 0;
	*at = end & ~(size_t) 7;
	return 1;
}

static gf_ctx_snapshot *
cb_assemble(cb_build *st, uint64_t generation)
{
	gf_ctx_builder *b = st->b;
	gf_ctx_snapshot h;
	gf_ctx_snapshot *s;
	size_t		at = sizeof(gf_ctx_snapshot);
	size_t		blob_bytes = (b->blobs.used + 7) & ~(size_t) 7;
	int			ok = 1;
	int			k;

	memset(&h, 0, sizeof(h));
	h.magic = GF_CTX_MAGIC;
	h.version = GF_CTX_VERSION;
	h.generation = generation;
	h.n_networks = (uint32_t) b->nets.n;
	h.n_devices = (uint32_t) b->devs.n;
	h.n_interfaces = (uint32_t) b->ifs.n;
	h.n_rates = (uint32_t) b->rates.n;
	h.n_scopes = st->n_scopes;
	h.exp_slots = (uint32_t) st->exp_slots;
	h.if_slots = (uint32_t) st->if_slots;
	h.n_rate_ifs = (uint32_t) st->n_rate_ifs;
	h.base_generation = b->base_generation;
	h.base_networks = b->base_networks;
	h.n_stale = (uint32_t) b->stale.n;
	/* counts are at most GF_CTX_MAX_ENTRIES: the products cannot overflow */
	ok = ok && cb_place(&h, CTX_SEC_NET_PT, st->net_pt ? gf_pt_bytes(st->net_pt) : 0, &at);
	ok = ok && cb_place(&h, CTX_SEC_NETWORKS, b->nets.n * sizeof(ctx_net_rec), &at);
	ok = ok && cb_place(&h, CTX_SEC_SCOPES, st->n_scopes * sizeof(uint32_t), &at);
	ok = ok && cb_place(&h, CTX_SEC_EXPORTERS, st->exp_slots * sizeof(ctx_exp_ent), &at);
	ok = ok && cb_place(&h, CTX_SEC_DEVICES, b->devs.n * sizeof(ctx_dev_rec), &at);
	ok = ok && cb_place(&h, CTX_SEC_INTERFACES, b->ifs.n * sizeof(ctx_if_rec), &at);
	ok = ok && cb_place(&h, CTX_SEC_IF_HASH, st->if_slots * sizeof(ctx_if_slot), &at);
	ok = ok && cb_place(&h, CTX_SEC_RATES, b->rates.n * sizeof(ctx_rate_rec), &at);
	ok = ok && cb_place(&h, CTX_SEC_RATE_IFS, st->n_rate_ifs * sizeof(uint32_t), &at);
	for (k = 0; k < 4; k++)
		ok = ok && cb_place(&h, CTX_SEC_RATE_PT + k,
							st->rate_pt[k] ? gf_pt_bytes(st->rate_pt[k]) : 0, &at);
	ok = ok && cb_place(&h, CTX_SEC_STRINGS, b->strings.used, &at);
	ok = ok && cb_place(&h, CTX_SEC_BLOBS, blob_bytes, &at);
	ok = ok && cb_place(&h, CTX_SEC_STALE, b->stale.n * sizeof(uint32_t), &at);
	if (!ok)
	{
		cb_fail_memory(b, 1);
		return NULL;
	}
	h.total_bytes = at;
	if ((s = cb_alloc(b, at, 1)) == NULL)
		return NULL;
	memcpy(s, &h, sizeof(h));
#define CB_COPY(which, src) \
	do { \
		if (h.sec[which].bytes) \
			memcpy((char *) s + h.sec[which].offset, (src), h.sec[which].bytes); \
	} while (0)
	CB_COPY(CTX_SEC_NET_PT, st->net_pt);
	CB_COPY(CTX_SEC_NETWORKS, b->nets.p);
	CB_COPY(CTX_SEC_SCOPES, st->scopes);
	CB_COPY(CTX_SEC_EXPORTERS, st->exp);
	CB_COPY(CTX_SEC_DEVICES, b->devs.p);
	CB_COPY(CTX_SEC_INTERFACES, b->ifs.p);
	CB_COPY(CTX_SEC_IF_HASH, st->if_hash);
	CB_COPY(CTX_SEC_RATES, b->rates.p);
	CB_COPY(CTX_SEC_RATE_IFS, st->rate_ifs);
	for (k = 0; k < 4; k++)
		CB_COPY(CTX_SEC_RATE_PT + k, st->rate_pt[k]);
	CB_COPY(CTX_SEC_STRINGS, b->strings.buf);
	if (b->blobs.used)
		memcpy((char *) s + h.sec[CTX_SEC_BLOBS].offset, b->blobs.buf, b->blobs.used);
	CB_COPY(CTX_SEC_STALE, b->stale.p);
#undef CB_COPY
	return s;
}

static double
cb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

gf_ctx_snapshot *
gf_ctx_build(gf_ctx_builder *b, uint64_t generation, gf_ctx_build_info *info)
{
	gf_ctx_build_info local;
	cb_build	st;
	gf_ctx_snapshot *s = NULL;
	double		t0 = cb_now_ms();
	int			k;

	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (b == NULL)
	{
		info->error = GF_CTX_ERR_NO_MEMORY;
		snprintf(info->message, sizeof(info->message),
				 "out of memory creating the context snapshot builder");
		return NULL;
	}
	memset(&st, 0, sizeof(st));
	st.b = b;
	if (b->error == GF_CTX_OK &&
		cb_exporters(&st) && cb_duplicates(&st) && cb_rate_ifs(&st) && cb_tables(&st))
	{
		cb_exporter_rates(&st);
		cb_stale(b);
		s = cb_assemble(&st, generation);
	}
	if (s == NULL && b->error == GF_CTX_OK)
		cb_fail_memory(b, 0);

	info->error = b->error;
	memcpy(info->message, b->message, sizeof(info->message));
	info->kind = b->kind;
	info->number = b->number;
	info->other_number = b->other_number;
	info->peak_bytes = b->peak;
	info->bytes = s ? (size_t) s->total_bytes : 0;

	/* the snapshot leaves the builder's accounting: the caller owns it */
	free(st.dense);
	free(st.dense_hash);
	free(st.dense_slot);
	free(st.if_dense);
	free(st.scope_dense);
	free(st.exp);
	free(st.scopes);
	free(st.if_hash);
	free(st.rate_ifs);
	if (st.net_pt != NULL)
		gf_pt_free(st.net_pt);
	for (k = 0; k < 4; k++)
		if (st.rate_pt[k] != NULL)
			gf_pt_free(st.rate_pt[k]);
	gf_ctx_builder_free(b);
	info->build_ms = cb_now_ms() - t0;
	return s;
}
