/*
 * fuzz_sflow.c
 *    libFuzzer target: any bytes as an sFlow v5 datagram through
 *    gf_decode().  The sink touches every byte it is handed (the drop
 *    sample's header pointer included) so ASan sees a bad pointer or
 *    length at once, and interface facts must keep decode.h's promise on
 *    their texts.  Seeds: test/fuzz/make_sflow_seeds.py.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode.h"
#include "sflow.h"
#include "../unit/if_info_check.h"

static volatile uint64_t fz_sink_sum;

static void
fz_flow(void *arg, const gf_flow *f)
{
	uint64_t	s = f->bytes + f->src_port + f->n_as_path + f->n_mpls;
	uint16_t	i;

	/* The counts must stay within their arrays. */
	if (f->n_as_path > GF_MAX_AS_PATH || f->n_communities > GF_MAX_COMMUNITIES ||
		f->n_mpls > GF_MAX_MPLS)
		abort();
	for (i = 0; i < f->n_as_path; i++)
		s += f->as_path[i];
	for (i = 0; i < f->n_communities; i++)
		s += f->bgp_communities[i];
	for (i = 0; i < f->n_mpls; i++)
		s += f->mpls_label[i];
	fz_sink_sum += s;
}

static void
fz_interface(void *arg, const gf_if_info *i)
{
	if (!if_info_ok(i) || !i->has_speed || i->speed == 0)
		abort();
	fz_sink_sum += i->speed + i->if_index;
}

static void
fz_ctr(void *arg, const gf_ifcounters *c)
{
	fz_sink_sum += c->in_octets + c->dot3_symbol_errors;
}

static void
fz_drop(void *arg, const gf_drop_sample *d)
{
	size_t		i;

	for (i = 0; i < d->header_len; i++)
		fz_sink_sum += d->header[i];
	fz_flow(arg, &d->flow);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gf_decoder *d;
	gf_sink		sink = {.flow = fz_flow, .ifcounters = fz_ctr, .drop = fz_drop,
	.interface = fz_interface};
	gf_datagram dg = {0};
	gf_error	err;

	if (d == NULL)
		d = gf_decoder_new(NULL);
	dg.data = data;
	dg.len = size;
	dg.time_received_ns = 1;
	(void) gf_decode(d, GF_PROTO_SFLOW, &dg, &sink, &err);
	return 0;
}
