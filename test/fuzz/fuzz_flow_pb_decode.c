/*
 * fuzz_flow_pb_decode.c
 *    libFuzzer target for gf_flow_pb_next, the reader of "bin" messages a
 *    JetStream source pulls from a stream anyone with credentials may
 *    publish to.  Beyond "no crash, no read past the input":
 *      - the offset only moves forward, never past the input, and a
 *        framing error leaves it where it was;
 *      - every flow read meets what the rest of the code assumes of a
 *        decoder's output: address families 0/4/6, array counts within
 *        their arrays, prefix lengths up to 128, a FlowType, a known rate
 *        source, countries of 0 or 2 characters;
 *      - a flow read, written again with gf_flow_pb_pack_delimited and
 *        read again, comes back the same (presence bits and values).
 *
 *    Run: make build/fuzz/fuzz_flow_pb_decode && ./build/fuzz/fuzz_flow_pb_decode
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow_pb.h"
#include "flow_pb_decode.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_check_shape(const gf_flow *f)
{
	const gf_addr *a[5] = {&f->sampler_address, &f->src_addr, &f->dst_addr,
	&f->next_hop, &f->bgp_next_hop};
	int			i;

	for (i = 0; i < 5; i++)
		if (a[i]->family != 0 && a[i]->family != 4 && a[i]->family != 6)
			abort();
	if (f->n_as_path > GF_MAX_AS_PATH || f->n_communities > GF_MAX_COMMUNITIES ||
		f->n_mpls > GF_MAX_MPLS)
		abort();
	if ((GF_HAS(f, GF_F_SRC_NET) && f->src_net_len > 128) ||
		(GF_HAS(f, GF_F_DST_NET) && f->dst_net_len > 128))
		abort();
	if ((unsigned) f->type > GF_TYPE_IPFIX || f->sampling_rate_source > GF_RATE_OVERRIDE)
		abort();
	if (strnlen(f->src_country, 3) == 1 || strnlen(f->src_country, 3) > 2 ||
		strnlen(f->dst_country, 3) == 1 || strnlen(f->dst_country, 3) > 2)
		abort();
}

/* The fields a re-encoding must keep. */
static void
fz_same(const gf_flow *a, const gf_flow *b)
{
	if (a->present != b->present || a->type != b->type ||
		a->time_received_ns != b->time_received_ns ||
		a->sampler_address.family != b->sampler_address.family ||
		a->src_addr.family != b->src_addr.family ||
		memcmp(a->src_addr.bytes, b->src_addr.bytes, 16) != 0 ||
		a->bytes != b->bytes || a->packets != b->packets ||
		a->src_port != b->src_port || a->dst_port != b->dst_port ||
		a->time_flow_start_ns != b->time_flow_start_ns ||
		a->time_flow_end_ns != b->time_flow_end_ns ||
		memcmp(a->src_mac, b->src_mac, 6) != 0 ||
		a->src_net_len != b->src_net_len ||
		a->sampling_rate_source != b->sampling_rate_source ||
		strcmp(a->src_country, b->src_country) != 0 ||
		a->n_as_path != b->n_as_path ||
		memcmp(a->as_path, b->as_path, a->n_as_path * 4) != 0 ||
		a->n_mpls != b->n_mpls ||
		memcmp(a->mpls_label, b->mpls_label, a->n_mpls * 4) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gf_flow f;
	static gf_flow again;
	static uint8_t buf[GF_FLOW_PB_MAX];
	size_t		off = 0;
	int			n;

	for (n = 0; n < 10000; n++)
	{
		size_t		before = off;
		const char *why = NULL;
		gf_pbd_status st;

		/* Zero the gaps, so the comparison of bytes sees only values. */
		memset(&f, 0, sizeof(f));
		st = gf_flow_pb_next(data, size, &off, 42, &f, &why);
		if (st == GF_PBD_END || st == GF_PBD_BAD_FRAMING)
		{
			if (off != before || (st == GF_PBD_BAD_FRAMING && why == NULL))
				abort();
			break;
		}
		if (off <= before || off > size)
			abort();
		if (st == GF_PBD_BAD_MESSAGE)
			continue;
		fz_check_shape(&f);
		{
			size_t		len = gf_flow_pb_pack_delimited(&f, NULL, buf, sizeof(buf));
			size_t		o2 = 0;

			if (len == 0)
				abort();
			memset(&again, 0, sizeof(again));
			if (gf_flow_pb_next(buf, len, &o2, 43, &again, NULL) != GF_PBD_OK ||
				o2 != len)
				abort();
			fz_same(&f, &again);
		}
	}
	return 0;
}
