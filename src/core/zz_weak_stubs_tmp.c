/*
 * zz_weak_stubs_tmp.c
 *    TEMPORARY weak definitions so the tree links while the protocol
 *    decoders are being written in parallel; the real (strong) definitions
 *    replace them at link time.  To be deleted once all decoders exist.
 */
#include <stdlib.h>

#include "decoder_internal.h"

__attribute__((weak)) gf_nf_state *
gf_nf_state_new(const gf_limits *lim)
{
	return calloc(1, 1);
}

__attribute__((weak)) void
gf_nf_state_free(gf_nf_state *st)
{
	free(st);
}

__attribute__((weak)) void
gf_nf_state_expire(gf_decoder *d, uint64_t now_ns)
{
}

__attribute__((weak)) gf_rc
gf_nf5_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink, gf_error *err)
{
	return gf_fail(err, GF_ERR_VERSION, 0, "NetFlow v5 decoder not built yet");
}

__attribute__((weak)) gf_rc
gf_nfx_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink, gf_error *err)
{
	return gf_fail(err, GF_ERR_VERSION, 0, "NetFlow v9/IPFIX decoder not built yet");
}

__attribute__((weak)) gf_rc
gf_sflow_decode(gf_decoder *d, const gf_datagram *dg, const gf_sink *sink, gf_error *err)
{
	return gf_fail(err, GF_ERR_VERSION, 0, "sFlow decoder not built yet");
}
