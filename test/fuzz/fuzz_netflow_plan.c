/*
 * fuzz_netflow_plan.c
 *    libFuzzer target comparing decode plans (netflow_plan.h) with the
 *    field walk they replace: every input goes to two decoders with the
 *    same limits and clock, one forced to the field walk
 *    (gf_nf_state.field_walk), and they must give the same result code,
 *    error text, counters and flows (a hash of each flow's meaningful
 *    bytes, in order).  State accumulates across inputs in both, as in
 *    fuzz_netflow.c, so templates from one input decode records of the
 *    next.  A difference aborts.
 *
 *    Seeds: test/fuzz/corpus_netflow_plan (a link to corpus_netflow).
 *    Run: make build/fuzz/fuzz_netflow_plan &&
 *         ./build/fuzz/fuzz_netflow_plan test/fuzz/corpus_netflow_plan
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "netflow_state.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_out
{
	uint64_t	hash;
	uint64_t	flows;
} fz_out;

static gf_decoder *fz_plan;
static gf_decoder *fz_walk;
static uint64_t fz_now_ns = UINT64_C(1700000000000000000);

static void
fz_mix(fz_out *o, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t		i;

	/* FNV-1a: order matters, so a swapped pair of flows shows. */
	for (i = 0; i < n; i++)
		o->hash = (o->hash ^ b[i]) * UINT64_C(1099511628211);
}

static void
fz_flow(void *arg, const gf_flow *f)
{
	fz_out	   *o = arg;

	o->flows++;
	fz_mix(o, f, offsetof(gf_flow, as_path));
	fz_mix(o, f->as_path, f->n_as_path * sizeof(uint32_t));
	fz_mix(o, f->bgp_communities, f->n_communities * sizeof(uint32_t));
	fz_mix(o, f->mpls_label, f->n_mpls * sizeof(uint32_t));
}

static gf_decoder *
fz_new(bool walk)
{
	gf_limits	lim = {0};
	gf_decoder *d;

	lim.max_templates = 256;
	lim.max_template_fields = 64;
	lim.pending_bytes_per_exporter = 64 * 1024;
	lim.pending_max_age_ms = 1000;
	lim.max_exporters = 8;
	d = gf_decoder_new(&lim);
	if (d == NULL)
		abort();
	d->nf->field_walk = walk;
	return d;
}

static gf_rc
fz_run(gf_decoder *d, const gf_datagram *dg, fz_out *o, gf_error *err)
{
	gf_sink		sink = {0};
	gf_rc		rc;

	memset(o, 0, sizeof(*o));
	o->hash = UINT64_C(14695981039346656037);
	memset(err, 0, sizeof(*err));
	sink.flow = fz_flow;
	sink.arg = o;
	rc = gf_decode(d, GF_PROTO_NETFLOW, dg, &sink, err);
	(void) gf_decoder_release(d, fz_now_ns, &sink);
	if ((fz_now_ns / 100000000) % 32 == 0)
		gf_decoder_expire(d, fz_now_ns);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_datagram dg;
	gf_error	ep;
	gf_error	ew;
	fz_out		op;
	fz_out		ow;
	gf_rc		rp;
	gf_rc		rw;
	uint8_t		ip[4] = {127, 0, 0, 1};

	if (fz_plan == NULL)
	{
		fz_plan = fz_new(false);
		fz_walk = fz_new(true);
	}
	memset(&dg, 0, sizeof(dg));
	dg.data = data;
	dg.len = size;
	ip[3] = (uint8_t) (1 + size % 4);
	gf_addr_set_v4(&dg.exporter, ip);
	dg.exporter_port = 2055;
	fz_now_ns += 100000000;		/* 100 ms per datagram */
	dg.time_received_ns = fz_now_ns;

	rp = fz_run(fz_plan, &dg, &op, &ep);
	rw = fz_run(fz_walk, &dg, &ow, &ew);
	if (rp != rw || op.flows != ow.flows || op.hash != ow.hash ||
		strcmp(ep.msg, ew.msg) != 0 ||
		memcmp(&fz_plan->counters, &fz_walk->counters,
			   sizeof(fz_plan->counters)) != 0)
		abort();
	return 0;
}
