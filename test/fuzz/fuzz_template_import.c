/*
 * fuzz_template_import.c
 *    libFuzzer target for gf_decoder_import_template / _import_sampling:
 *    saved state read back from a database is untrusted, so a corrupted
 *    row must be refused, never crash.
 *
 *    Input: byte 0 flags (bit 0 IPFIX, bit 1 options, bit 2 IPv6, bit 3
 *    template id from the input rather than 256), bytes 1-2 template id,
 *    byte 3 blob length L, then L blob bytes, then the body of a data set
 *    decoded against whatever was imported.  The last 16 bytes, when there
 *    are that many, also fill a sampling entry.
 *
 *    Checked on every input: an accepted blob exports back byte for byte
 *    (the format has one spelling per template); a refused one leaves no
 *    template, no state change, one counted rejection and a message.
 *
 *    Run: make build/fuzz/fuzz_template_import &&
 *         ./build/fuzz/fuzz_template_import
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netflow_persist.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_seen
{
	int			n;
	const uint8_t *want;
	size_t		want_len;
	int			same;
} fz_seen;

static uint64_t fz_sink_total;

static void
fz_template(void *arg, const gf_template_blob *t)
{
	fz_seen    *s = arg;

	s->n++;
	if (t->len == s->want_len && memcmp(t->bytes, s->want, t->len) == 0)
		s->same++;
}

static void
fz_flow(void *arg, const gf_flow *f)
{
	fz_sink_total += f->bytes + f->packets + f->present;
}

static uint64_t
fz_u64(const uint8_t *p)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* A v9 or IPFIX message with one data set (id, body) from 127.0.0.1. */
static void
fz_decode_data(gf_decoder *d, bool ipfix, uint16_t set_id,
			   const uint8_t *body, size_t body_len, const gf_addr *exporter)
{
	uint8_t		msg[2048];
	size_t		hdr = ipfix ? 16 : 20;
	size_t		n;
	gf_datagram dg;
	gf_sink		sink = {0};
	gf_error	err;

	if (body_len > sizeof(msg) - hdr - 4)
		body_len = sizeof(msg) - hdr - 4;
	n = hdr + 4 + body_len;
	memset(msg, 0, hdr);
	msg[1] = ipfix ? 10 : 9;
	if (ipfix)
	{
		msg[2] = (uint8_t) (n >> 8);
		msg[3] = (uint8_t) n;
	}
	msg[hdr] = (uint8_t) (set_id >> 8);
	msg[hdr + 1] = (uint8_t) set_id;
	msg[hdr + 2] = (uint8_t) ((4 + body_len) >> 8);
	msg[hdr + 3] = (uint8_t) (4 + body_len);
	memcpy(msg + hdr + 4, body, body_len);

	memset(&dg, 0, sizeof(dg));
	dg.data = msg;
	dg.len = n;
	dg.exporter = *exporter;
	dg.time_received_ns = UINT64_C(1700000000000000000);
	sink.flow = fz_flow;
	gf_decode(d, GF_PROTO_NETFLOW, &dg, &sink, &err);
	while (gf_decoder_release(d, dg.time_received_ns, &sink))
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_limits	lim = {0};
	gf_decoder *d;
	gf_template_blob b;
	gf_error	err;
	fz_seen		seen = {0};
	uint8_t		ip[16] = {127, 0, 0, 1};
	size_t		blob_len;
	gf_rc		rc;

	if (size < 4)
		return 0;
	lim.max_templates = 16;
	lim.max_template_fields = 64;
	lim.max_exporters = 4;
	d = gf_decoder_new(&lim);
	if (d == NULL)
		return 0;

	memset(&b, 0, sizeof(b));
	if (data[0] & 4)
	{
		ip[0] = 0;
		ip[15] = 1;				/* ::1 */
		gf_addr_set_v6(&b.exporter, ip);
	}
	else
		gf_addr_set_v4(&b.exporter, ip);
	b.version = (data[0] & 1) ? 10 : 9;
	b.options = (data[0] & 2) != 0;
	b.template_id = (data[0] & 8) ? (uint32_t) (data[1] << 8 | data[2]) : 256;
	b.domain = 0;
	b.received_ns = 1;
	blob_len = data[3];
	if (blob_len > size - 4)
		blob_len = size - 4;
	b.bytes = data + 4;
	b.len = blob_len;

	rc = gf_decoder_import_template(d, &b, &err);
	if (rc == GF_OK)
	{
		seen.want = b.bytes;
		seen.want_len = b.len;
		if (gf_decoder_export_templates(d, 0, fz_template, &seen) == GF_OK &&
			(seen.n != 1 || seen.same != 1 || gf_decoder_template_count(d) != 1))
			abort();
	}
	else if (gf_decoder_template_count(d) != 0 ||
			 gf_decoder_state_version(d) != 0 ||
			 gf_decoder_counters(d)->nf_state_import_rejected != 1 ||
			 err.code != rc || err.msg[0] == '\0')
		abort();

	fz_decode_data(d, b.version == 10, (uint16_t) b.template_id,
				   data + 4 + blob_len, size - 4 - blob_len, &b.exporter);

	if (size >= 20)
	{
		const uint8_t *t = data + size - 16;
		gf_sampling_blob s;

		memset(&s, 0, sizeof(s));
		s.exporter = b.exporter;
		s.version = (t[0] & 1) ? 10 : (t[0] & 2) ? 9 : t[1];
		s.domain = t[2] & 0x80 ? UINT64_C(1) << 32 : t[2];
		s.has_sampler = (t[0] & 4) != 0;
		s.sampler_id = t[3];
		s.has_rate = (t[0] & 8) != 0;
		s.rate = fz_u64(t + 4) >> (t[0] >> 4);
		s.has_init_time = (t[0] & 16) != 0;
		s.init_ms = fz_u64(t + 8);
		gf_decoder_import_sampling(d, &s, &err);
		fz_decode_data(d, b.version == 10, (uint16_t) b.template_id,
					   data + 4 + blob_len, size - 4 - blob_len, &b.exporter);
	}
	gf_decoder_free(d);
	return 0;
}
