/*
 * fuzz_netflow.c
 *    libFuzzer target for the NetFlow v5 / v9 / IPFIX decoders.  One
 *    decoder lives for the whole run, so templates, sampling rates and
 *    pending sets accumulate across inputs the way they do in a worker;
 *    small limits make the fuzzer reach the "over the limit" paths, and
 *    the clock moves forward so pending sets also expire.
 *
 *    Seeds: test/fuzz/corpus_netflow (made by make_corpus_netflow.py).
 *    Run: make build/fuzz/fuzz_netflow &&
 *         ./build/fuzz/fuzz_netflow test/fuzz/corpus_netflow
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "../unit/if_info_check.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gf_decoder *fz_decoder;
static uint64_t fz_now_ns = UINT64_C(1700000000000000000);
static uint64_t fz_sink_total;

static void
fz_flow(void *arg, const gf_flow *f)
{
	/* Touch the record so that uninitialised reads would show up. */
	fz_sink_total += f->bytes + f->packets + f->present + f->n_mpls;
}

/* Interface names from options data: the texts keep decode.h's promise. */
static void
fz_interface(void *arg, const gf_if_info *i)
{
	if (!if_info_ok(i) || i->has_speed || (!i->has_name && !i->has_description))
		abort();
	fz_sink_total += i->if_index + strlen(i->name) + strlen(i->description);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_datagram dg;
	gf_sink		sink = {0};
	gf_error	err;
	uint8_t		ip[4] = {127, 0, 0, 1};

	if (fz_decoder == NULL)
	{
		gf_limits	lim = {0};

		lim.max_templates = 256;
		lim.max_template_fields = 64;
		lim.pending_bytes_per_exporter = 64 * 1024;
		lim.pending_max_age_ms = 1000;
		lim.max_exporters = 8;
		fz_decoder = gf_decoder_new(&lim);
		if (fz_decoder == NULL)
			return 0;
	}
	memset(&dg, 0, sizeof(dg));
	dg.data = data;
	dg.len = size;
	/* A few exporters, picked by the input length, share the state. */
	ip[3] = (uint8_t) (1 + size % 4);
	gf_addr_set_v4(&dg.exporter, ip);
	dg.exporter_port = 2055;
	fz_now_ns += 100000000;		/* 100 ms per datagram */
	dg.time_received_ns = fz_now_ns;
	sink.flow = fz_flow;
	/* Half the datagrams without it: a missing callback is never called. */
	if (size % 2 == 0)
		sink.interface = fz_interface;
	gf_decode(fz_decoder, GF_PROTO_NETFLOW, &dg, &sink, &err);
	/* One slice per datagram, as a worker's loop pass does. */
	(void) gf_decoder_release(fz_decoder, fz_now_ns, &sink);
	if (err.msg[sizeof(err.msg) - 1] != '\0')
		__builtin_trap();
	if ((fz_now_ns / 100000000) % 32 == 0)
		gf_decoder_expire(fz_decoder, fz_now_ns);
	return 0;
}
