/*
 * fuzz_decode_multi.c
 *    libFuzzer target for what one datagram can do to the next: the input
 *    is cut into several datagrams from several fake exporters, all fed
 *    with GF_PROTO_AUTO (or a fixed protocol) to one fresh decoder with
 *    small limits, so templates, withdrawals, sampling rates, pending sets
 *    and their expiry interact across datagrams and exporters.
 *
 *    Input: repeated [ctl][len hi][len lo][len bytes of datagram]; the last
 *    datagram takes what is left.  ctl bits 0-2 pick the exporter (four
 *    IPv4, four IPv6), bits 3-4 the listener protocol, bits 5-7 how far the
 *    clock moves before this datagram (7: also run gf_decoder_expire).
 *    Each datagram is copied to a buffer of exactly its size so ASan sees
 *    a read one byte past it.
 *
 *    Every emitted record is checked against facts that must hold whatever
 *    the bytes were, then encoded with gf_flow_json:
 *      - array counts stay within their arrays;
 *      - a NetFlow/IPFIX record names the exporter whose datagram is being
 *        decoded (state of one exporter never decodes into another's), and
 *        its time_received is no later than now and no older than the
 *        pending age limit;
 *      - the decoder's flow counter moves by the number of records emitted;
 *      - an interface fact keeps decode.h's promise on its texts
 *        (terminated, printable, valid UTF-8) and, from NetFlow/IPFIX,
 *        names the exporter whose datagram is being decoded;
 *      - a refused datagram has an error message (the worker logs it);
 *      - the JSON fits GF_FLOW_JSON_MAX, is one object, and a buffer one
 *        byte short gives 0 and "", while an exact one gives the same text;
 *      - isolation: with limits too large for the input to reach, what an
 *        exporter's datagrams emit (hashed JSON and interface facts) is the
 *        same whether or not the other exporters' datagrams came in between.
 *
 *    Seeds: test/fuzz/make_multi_seeds.py DIR.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "flow_json.h"
#include "sflow.h"
#include "../unit/if_info_check.h"

#define FZM_MAX_DATAGRAMS	32
#define FZM_AGE_MS			2000
#define FZM_STEP_NS			UINT64_C(100000000)	/* 100 ms */

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fzm_state
{
	gf_addr		exporter;		/* of the datagram being decoded */
	int			which;			/* its index, 0..7 */
	uint64_t	now_ns;
	uint64_t	emitted;
	uint64_t	hash[8];		/* FNV-1a of the JSON emitted per exporter */
	volatile uint64_t sum;
} fzm_state;

static uint64_t
fzm_hash(uint64_t h, const char *s, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= (uint8_t) s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static void
fzm_json(fzm_state *st, const gf_flow *f)
{
	static char buf[GF_FLOW_JSON_MAX];
	static char again[GF_FLOW_JSON_MAX];
	size_t		n;

	n = gf_flow_json(f, buf, sizeof(buf));
	if (n == 0 || n >= sizeof(buf) || buf[0] != '{' || buf[n - 1] != '}' ||
		strlen(buf) != n)
		abort();
	/* An exact buffer gives the same text; one byte less gives nothing. */
	if (gf_flow_json(f, again, n + 1) != n || memcmp(buf, again, n + 1) != 0)
		abort();
	again[0] = 'x';
	if (gf_flow_json(f, again, n) != 0 || again[0] != '\0')
		abort();
	st->hash[st->which] = fzm_hash(st->hash[st->which], buf, n + 1);
}

static bool
fzm_same_addr(const gf_addr *a, const gf_addr *b)
{
	size_t		n = a->family == 4 ? 4 : a->family == 6 ? 16 : 0;

	return a->family == b->family && memcmp(a->bytes, b->bytes, n) == 0;
}

static void
fzm_flow(void *arg, const gf_flow *f)
{
	fzm_state  *st = arg;
	uint64_t	s = f->bytes + f->packets;
	uint16_t	i;

	if (f->n_as_path > GF_MAX_AS_PATH || f->n_communities > GF_MAX_COMMUNITIES ||
		f->n_mpls > GF_MAX_MPLS)
		abort();
	for (i = 0; i < f->n_as_path; i++)
		s += f->as_path[i];
	for (i = 0; i < f->n_communities; i++)
		s += f->bgp_communities[i];
	for (i = 0; i < f->n_mpls; i++)
		s += f->mpls_label[i];
	if (f->type == GF_TYPE_NETFLOW_V5 || f->type == GF_TYPE_NETFLOW_V9 ||
		f->type == GF_TYPE_IPFIX || f->type == GF_TYPE_NETFLOW_V1 ||
		f->type == GF_TYPE_NETFLOW_V7 || f->type == GF_TYPE_NETFLOW_V8)
	{
		/* Kept sets wait at most FZM_AGE_MS, and only for their own exporter. */
		if (!fzm_same_addr(&f->sampler_address, &st->exporter))
			abort();
		if (f->time_received_ns > st->now_ns ||
			st->now_ns - f->time_received_ns > (uint64_t) FZM_AGE_MS * 1000000)
			abort();
	}
	fzm_json(st, f);
	st->sum += s;
	st->emitted++;
}

static void
fzm_interface(void *arg, const gf_if_info *i)
{
	fzm_state  *st = arg;
	uint64_t	key[4];

	if (!if_info_ok(i))
		abort();
	if ((i->type == GF_TYPE_NETFLOW_V9 || i->type == GF_TYPE_IPFIX) &&
		!fzm_same_addr(&i->exporter, &st->exporter))
		abort();
	key[0] = i->type;
	key[1] = ((uint64_t) i->domain << 32) | i->if_index;
	key[2] = (uint64_t) i->has_name | (uint64_t) i->has_description << 1 |
		(uint64_t) i->has_speed << 2;
	key[3] = i->speed;
	st->hash[st->which] = fzm_hash(st->hash[st->which], (const char *) key,
								   sizeof(key));
	st->hash[st->which] = fzm_hash(st->hash[st->which], i->name,
								   strlen(i->name) + 1);
	st->hash[st->which] = fzm_hash(st->hash[st->which], i->description,
								   strlen(i->description) + 1);
}

static void
fzm_ifcounters(void *arg, const gf_ifcounters *c)
{
	fzm_state  *st = arg;

	st->sum += c->in_octets + c->out_octets + c->dot3_symbol_errors;
}

static void
fzm_drop(void *arg, const gf_drop_sample *d)
{
	fzm_state  *st = arg;
	size_t		i;

	for (i = 0; i < d->header_len; i++)
		st->sum += d->header[i];
	/* The flow inside a drop sample is not a flow row, but must be sound. */
	if (d->flow.n_as_path > GF_MAX_AS_PATH ||
		d->flow.n_communities > GF_MAX_COMMUNITIES ||
		d->flow.n_mpls > GF_MAX_MPLS)
		abort();
	fzm_json(st, &d->flow);
}

static void
fzm_exporter(uint8_t which, gf_addr *a)
{
	uint8_t		b[16] = {0};

	if (which < 4)
	{
		b[0] = 127;
		b[3] = (uint8_t) (1 + which);
		gf_addr_set_v4(a, b);
	}
	else
	{
		b[0] = 0xfd;
		b[15] = which;
		gf_addr_set_v6(a, b);
	}
	/* Junk past the IPv4 bytes must not split one exporter into two. */
	if (which == 1)
		memset(a->bytes + 4, 0xa5, 12);
}

/*
 * Feed the datagrams of the input to a fresh decoder: all of them, or
 * (only >= 0) just those of one exporter, the clock moving as if all came.
 */
static void
fzm_run(const uint8_t *data, size_t size, const gf_limits *lim, int only,
		fzm_state *st, uint8_t *seen)
{
	static const gf_proto protos[4] = {GF_PROTO_AUTO, GF_PROTO_NETFLOW,
	GF_PROTO_SFLOW, GF_PROTO_AUTO};
	gf_decoder *d;
	gf_sink		sink = {.flow = fzm_flow, .ifcounters = fzm_ifcounters,
	.drop = fzm_drop, .interface = fzm_interface};
	size_t		pos = 0;
	int			n = 0;

	d = gf_decoder_new(lim);
	if (d == NULL)
		abort();
	memset(st, 0, sizeof(*st));
	st->now_ns = UINT64_C(1700000000000000000);
	sink.arg = st;

	while (pos + 3 <= size && n++ < FZM_MAX_DATAGRAMS)
	{
		uint8_t		ctl = data[pos];
		size_t		len = ((size_t) data[pos + 1] << 8) | data[pos + 2];
		uint8_t		step = ctl >> 5;
		gf_datagram dg;
		gf_error	err;
		uint8_t    *copy;
		uint64_t	flows_before;
		uint64_t	emitted_before;
		gf_rc		rc;

		pos += 3;
		if (len > size - pos || n == FZM_MAX_DATAGRAMS)
			len = size - pos;
		if (step > 0)
			st->now_ns += FZM_STEP_NS << (step - 1);
		if (step == 7)
			gf_decoder_expire(d, st->now_ns);
		if (seen)
			*seen |= (uint8_t) (1u << (ctl & 7));
		if (only >= 0 && (ctl & 7) != only)
		{
			pos += len;
			continue;
		}

		copy = malloc(len ? len : 1);
		if (copy == NULL)
			abort();
		memcpy(copy, data + pos, len);
		pos += len;

		memset(&dg, 0, sizeof(dg));
		dg.data = copy;
		dg.len = len;
		fzm_exporter(ctl & 7, &dg.exporter);
		dg.exporter_port = 2055;
		dg.time_received_ns = st->now_ns;
		st->exporter = dg.exporter;
		st->which = ctl & 7;
		flows_before = gf_decoder_counters(d)->flows;
		emitted_before = st->emitted;

		rc = gf_decode(d, protos[(ctl >> 3) & 3], &dg, &sink, &err);
		free(copy);
		/* Sets released now belong to this exporter: nothing else is ready. */
		while (gf_decoder_release(d, st->now_ns, &sink))
			;

		if (err.msg[sizeof(err.msg) - 1] != '\0')
			abort();
		if (rc != GF_OK && (err.code == GF_OK || err.msg[0] == '\0'))
			abort();
		if (gf_decoder_counters(d)->flows - flows_before != st->emitted - emitted_before)
			abort();
	}
	gf_decoder_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fzm_state all;
	static fzm_state one;
	gf_limits	small = {0};
	gf_limits	roomy = {0};
	uint8_t		seen = 0;
	int			x;

	/* Small limits: the "over the limit" paths. */
	small.max_templates = 16;
	small.max_template_fields = 32;
	small.pending_bytes_per_exporter = 4096;
	small.pending_max_age_ms = FZM_AGE_MS;
	small.max_exporters = 3;
	fzm_run(data, size, &small, -1, &all, NULL);

	/* Limits the input cannot reach: exporters must not see each other. */
	roomy.pending_max_age_ms = FZM_AGE_MS;
	/*
	 * Inputs name at most 8 exporters; a small table keeps each decoder
	 * cheap to make and sweep (a 1 M-entry one made this target crawl).
	 */
	roomy.max_exporters = 64;
	/* Above what 32 datagrams of a fuzz input can define (8-byte templates). */
	roomy.max_templates = 1u << 14;
	fzm_run(data, size, &roomy, -1, &all, &seen);
	for (x = 0; x < 8; x++)
	{
		if ((seen & (1u << x)) == 0)
			continue;
		fzm_run(data, size, &roomy, x, &one, NULL);
		if (one.hash[x] != all.hash[x])
			abort();
	}
	return 0;
}
