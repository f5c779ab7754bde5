/*
 * context_oracle.h
 *    A naive oracle of the context snapshot's rules (context.h), shared by
 *    test/unit/test_context.c and test/fuzz/fuzz_context.c: every answer
 *    is a linear scan over the input entries as given, with its own
 *    handling of IPv4-mapped addresses, host bits and the rate rules, and
 *    nothing taken from the implementation.
 */
#ifndef GF_CONTEXT_ORACLE_H
#define GF_CONTEXT_ORACLE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"

typedef struct o_input
{
	gf_ctx_network_in *nets;
	size_t		n_nets;
	gf_ctx_device_in *devs;
	size_t		n_devs;
	gf_ctx_interface_in *ifs;
	size_t		n_ifs;
	gf_ctx_rate_in *rates;
	size_t		n_rates;
	struct o_net *prep;			/* o_prepare(): networks in oracle form */
} o_input;

/* A network as the oracle compares it (computed once per entry). */
typedef struct o_net
{
	int			fam;
	int			len;
	int			scoped;
	uint8_t		p[16];
} o_net;

/* An address as the oracle compares it: mapped IPv6 as IPv4. */
static inline int
o_addr(const gf_addr *a, uint8_t out[16])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	memset(out, 0, 16);
	if (a->family == 4)
	{
		memcpy(out, a->bytes, 4);
		return 4;
	}
	if (a->family == 6 && memcmp(a->bytes, mapped, 12) == 0)
	{
		memcpy(out, a->bytes + 12, 4);
		return 4;
	}
	if (a->family == 6)
	{
		memcpy(out, a->bytes, 16);
		return 6;
	}
	return 0;
}

/* A prefix as the oracle compares it: mapped /96+ as IPv4 /len-96. */
static inline int
o_prefix(const gf_addr *a, int len, uint8_t out[16], int *out_len)
{
	int			fam = o_addr(a, out);

	*out_len = len;
	if (a->family == 6 && fam == 4)
	{
		if (len < 96)
		{
			memcpy(out, a->bytes, 16);
			return 6;
		}
		*out_len = len - 96;
	}
	return fam;
}

/* The first len bits of a and b agree. */
static inline int
o_bits(const uint8_t *a, const uint8_t *b, int len)
{
	int			full = len / 8;

	if (memcmp(a, b, (size_t) full) != 0)
		return 0;
	if (len % 8 == 0)
		return 1;
	return ((a[full] ^ b[full]) & (uint8_t) (0xFF << (8 - len % 8))) == 0;
}

static inline void
o_prepare(o_input *in)
{
	size_t		i;

	free(in->prep);
	in->prep = calloc(in->n_nets + 1, sizeof(o_net));
	for (i = 0; i < in->n_nets; i++)
	{
		o_net	   *o = &in->prep[i];

		o->fam = o_prefix(&in->nets[i].net, in->nets[i].prefix_len, o->p, &o->len);
		o->scoped = in->nets[i].exporter.family != 0;
	}
}

static inline int
o_same_addr(const gf_addr *a, const gf_addr *b)
{
	uint8_t		x[16];
	uint8_t		y[16];
	int			fa = o_addr(a, x);

	return fa != 0 && fa == o_addr(b, y) && memcmp(x, y, 16) == 0;
}

static inline uint32_t
o_network(const o_input *in, const gf_addr *addr, const gf_addr *exporter)
{
	uint8_t		a[16];
	int			fam = o_addr(addr, a);
	uint32_t	best = 0;
	int			best_len = -1;
	int			best_scoped = 0;
	size_t		i;

	if (fam == 0)
		return 0;
	for (i = 0; i < in->n_nets; i++)
	{
		const o_net *o = &in->prep[i];
		int			len = o->len;
		int			scoped = o->scoped;

		if (o->fam != fam || len < best_len || !o_bits(o->p, a, len))
			continue;
		if (scoped && (exporter == NULL || !o_same_addr(&in->nets[i].exporter, exporter)))
			continue;
		if (len > best_len || (len == best_len && scoped && !best_scoped))
		{
			best = (uint32_t) i + 1;
			best_len = len;
			best_scoped = scoped;
		}
	}
	return best;
}

static inline int
o_if_ok(const gf_flow *f, int out)
{
	if (!GF_HAS(f, out ? GF_F_OUT_IF : GF_F_IN_IF))
		return 0;
	if (GF_HAS(f, out ? GF_F_OUT_IF_FORMAT : GF_F_IN_IF_FORMAT) &&
		(out ? f->out_if_format : f->in_if_format) != 0)
		return 0;
	return 1;
}

/* The best rate of one kind, or NULL. */
static inline const gf_ctx_rate_in *
o_rate(const o_input *in, const gf_flow *f, int override)
{
	uint8_t		a[16];
	int			fam = o_addr(&f->sampler_address, a);
	const gf_ctx_rate_in *best = NULL;
	int			best_if = 0;
	int			best_len = -1;
	size_t		i;

	if (fam == 0)
		return NULL;
	for (i = 0; i < in->n_rates; i++)
	{
		const gf_ctx_rate_in *r = &in->rates[i];
		uint8_t		p[16];
		int			len;

		if ((r->is_override != 0) != override)
			continue;
		if (o_prefix(&r->exporter, r->exporter_len, p, &len) != fam || !o_bits(p, a, len))
			continue;
		if (r->has_if_index && (!o_if_ok(f, 0) || f->in_if != r->if_index))
			continue;
		if ((r->has_if_index && !best_if) ||
			(r->has_if_index == best_if && len > best_len))
		{
			best = r;
			best_if = r->has_if_index;
			best_len = len;
		}
	}
	return best;
}

/* Enrich f the oracle's way. */
static inline void
o_enrich(const o_input *in, gf_flow *f)
{
	const gf_ctx_rate_in *r;
	size_t		i;

	f->ctx_src_network = o_network(in, &f->src_addr, &f->sampler_address);
	f->ctx_dst_network = o_network(in, &f->dst_addr, &f->sampler_address);
	f->ctx_device = 0;
	f->ctx_in_if = 0;
	f->ctx_out_if = 0;
	for (i = 0; i < in->n_devs; i++)
		if (o_same_addr(&in->devs[i].exporter, &f->sampler_address))
			f->ctx_device = (uint32_t) i + 1;
	for (i = 0; i < in->n_ifs; i++)
	{
		if (!o_same_addr(&in->ifs[i].exporter, &f->sampler_address))
			continue;
		if (o_if_ok(f, 0) && in->ifs[i].if_index == f->in_if)
			f->ctx_in_if = (uint32_t) i + 1;
		if (o_if_ok(f, 1) && in->ifs[i].if_index == f->out_if)
			f->ctx_out_if = (uint32_t) i + 1;
	}
	r = o_rate(in, f, 1);
	if (r == NULL && (!GF_HAS(f, GF_F_SAMPLING_RATE) || f->sampling_rate == 0))
		r = o_rate(in, f, 0);
	if (r != NULL)
	{
		f->sampling_rate = r->rate;
		GF_MARK(f, GF_F_SAMPLING_RATE);
		f->sampling_rate_source = r->is_override ? GF_RATE_OVERRIDE : GF_RATE_DEFAULT;
	}
}

/* The first duplicate by the oracle: kind, later and earlier number. */
static inline gf_ctx_kind
o_first_dup(const o_input *in, uint32_t *later, uint32_t *earlier)
{
	size_t		i;
	size_t		j;

	for (j = 0; j < in->n_nets; j++)
		for (i = 0; i < j; i++)
		{
			const gf_ctx_network_in *x = &in->nets[i];
			const gf_ctx_network_in *y = &in->nets[j];
			uint8_t		p[16];
			uint8_t		q[16];
			int			lp;
			int			lq;
			int			fp = o_prefix(&x->net, x->prefix_len, p, &lp);
			int			fq = o_prefix(&y->net, y->prefix_len, q, &lq);

			if (fp != fq || lp != lq || !o_bits(p, q, lp))
				continue;
			if ((x->exporter.family != 0) != (y->exporter.family != 0))
				continue;
			if (x->exporter.family != 0 && !o_same_addr(&x->exporter, &y->exporter))
				continue;
			*later = (uint32_t) j + 1;
			*earlier = (uint32_t) i + 1;
			return GF_CTX_KIND_NETWORK;
		}
	for (j = 0; j < in->n_devs; j++)
		for (i = 0; i < j; i++)
			if (o_same_addr(&in->devs[i].exporter, &in->devs[j].exporter))
			{
				*later = (uint32_t) j + 1;
				*earlier = (uint32_t) i + 1;
				return GF_CTX_KIND_DEVICE;
			}
	for (j = 0; j < in->n_ifs; j++)
		for (i = 0; i < j; i++)
			if (o_same_addr(&in->ifs[i].exporter, &in->ifs[j].exporter) &&
				in->ifs[i].if_index == in->ifs[j].if_index)
			{
				*later = (uint32_t) j + 1;
				*earlier = (uint32_t) i + 1;
				return GF_CTX_KIND_INTERFACE;
			}
	for (j = 0; j < in->n_rates; j++)
		for (i = 0; i < j; i++)
		{
			const gf_ctx_rate_in *x = &in->rates[i];
			const gf_ctx_rate_in *y = &in->rates[j];
			uint8_t		p[16];
			uint8_t		q[16];
			int			lp;
			int			lq;
			int			fp = o_prefix(&x->exporter, x->exporter_len, p, &lp);
			int			fq = o_prefix(&y->exporter, y->exporter_len, q, &lq);

			if (fp != fq || lp != lq || !o_bits(p, q, lp) ||
				x->has_if_index != y->has_if_index ||
				(x->has_if_index && x->if_index != y->if_index) ||
				x->is_override != y->is_override)
				continue;
			*later = (uint32_t) j + 1;
			*earlier = (uint32_t) i + 1;
			return GF_CTX_KIND_RATE;
		}
	return GF_CTX_KIND_NONE;
}

/*
 * Whether network 'last' repeats an earlier one (same rule as above),
 * with prep[] filled for the earlier ones; fills prep[last].
 */
static inline int
o_net_dup_last(o_input *in, size_t last)
{
	o_net	   *o = &in->prep[last];
	size_t		i;

	o->fam = o_prefix(&in->nets[last].net, in->nets[last].prefix_len, o->p, &o->len);
	o->scoped = in->nets[last].exporter.family != 0;
	for (i = 0; i < last; i++)
	{
		const o_net *e = &in->prep[i];

		if (e->fam == o->fam && e->len == o->len && e->scoped == o->scoped &&
			o_bits(e->p, o->p, o->len) &&
			(!o->scoped || o_same_addr(&in->nets[i].exporter, &in->nets[last].exporter)))
			return 1;
	}
	return 0;
}

#endif							/* GF_CONTEXT_ORACLE_H */
