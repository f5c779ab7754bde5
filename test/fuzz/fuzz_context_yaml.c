/*
 * fuzz_context_yaml.c
 *    libFuzzer target for the context file parser (context_yaml.h), whose
 *    input is untrusted: a file named by a setting, or text given to a SQL
 *    function.  Beyond "no crash, no leak": a refusal has a message and a
 *    place that agree; an accepted file keeps every limit, every cidr has
 *    its host bits clear, every context is a JSON object, and the whole
 *    result written out as one JSON document (names escaped here, apart
 *    from the parser's own escaping) is valid JSON; error messages are
 *    printable UTF-8 whatever bytes the input quoted into them.  Inputs starting with
 *    '#' (a YAML comment) are parsed with tiny limits, so that every limit
 *    is reached within libFuzzer's default input length.
 *
 *    Seeds: test/fuzz/corpus_context_yaml/.
 *    Run: make build/fuzz/fuzz_context_yaml &&
 *         ./build/fuzz/fuzz_context_yaml test/fuzz/corpus_context_yaml
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context_yaml.h"
#include "../unit/json_check.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz_out
{
	char	   *p;
	size_t		len;
	size_t		cap;
} fz_out;

static void
fz_put(fz_out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap)
	{
		o->cap = (o->len + n + 1) * 2;
		o->p = realloc(o->p, o->cap);
		if (o->p == NULL)
			abort();
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
fz_puts(fz_out *o, const char *s)
{
	fz_put(o, s, strlen(s));
}

/* A JSON string, or null for NULL; every byte below 0x20 as \u00XX. */
static void
fz_string(fz_out *o, const char *s)
{
	char		esc[8];

	if (s == NULL)
	{
		fz_puts(o, "null");
		return;
	}
	fz_puts(o, "\"");
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c < 0x20 || c == '"' || c == '\\')
		{
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			fz_puts(o, esc);
		}
		else
			fz_put(o, s, 1);
	}
	fz_puts(o, "\"");
}

static void
fz_check_string(const char *s, size_t max)
{
	if (s != NULL && strlen(s) > max)
		abort();
}

static void
fz_check_prefix(const gf_ctx_prefix *p)
{
	int			bit;

	if ((p->family != 4 && p->family != 6) || p->prefix_len > (p->family == 4 ? 32 : 128))
		abort();
	for (bit = p->prefix_len; bit < 128; bit++)
		if (p->bytes[bit / 8] & (0x80 >> (bit % 8)))
			abort();
}

static void
fz_check_addr(const gf_addr *a, bool optional)
{
	int			i;

	if (a->family == 0 && optional)
		return;
	if (a->family != 4 && a->family != 6)
		abort();
	if (a->family == 4)
		for (i = 4; i < 16; i++)
			if (a->bytes[i] != 0)
				abort();
}

static void
fz_check_context(fz_out *o, const char *json, size_t max_json)
{
	if (json == NULL || strlen(json) > max_json || !json_check(json, true))
		abort();
	fz_puts(o, ",\"context\":");
	fz_puts(o, json);
	fz_puts(o, "}");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_ctx_yaml_limits lim;
	gf_ctx_yaml_error err;
	gf_ctx_config *c;
	fz_out		o = {NULL, 0, 0};
	size_t		i;

	gf_ctx_yaml_default_limits(&lim);
	if (size > 0 && data[0] == '#')
	{
		lim.max_depth = 6;
		lim.max_entries = 4;
		lim.max_name = 8;
		lim.max_text = 32;
		lim.max_json = 64;
		lim.max_nodes = 16;
	}
	c = gf_ctx_yaml_parse((const char *) data, size, &lim, &err);
	if (c == NULL)
	{
		if (err.msg[0] == '\0' || memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			abort();
		if ((err.line > 0) != (strncmp(err.msg, "line ", 5) == 0) ||
			err.line < 0 || err.column < 0 || (err.line > 0 && err.column < 1))
			abort();
		/* The message is printable UTF-8, whatever the file held. */
		{
			char		quoted[sizeof(err.msg) + 2];
			size_t		k;

			quoted[0] = '"';
			for (k = 0; err.msg[k]; k++)
				quoted[k + 1] = (err.msg[k] == '"' || err.msg[k] == '\\') ? '_' : err.msg[k];
			quoted[k + 1] = '"';
			quoted[k + 2] = '\0';
			if (!json_check(quoted, false))
				abort();
		}
		return 0;
	}
	if (c->n_networks + c->n_devices + c->n_interfaces > lim.max_entries)
		abort();
	fz_puts(&o, "{\"networks\":[");
	for (i = 0; i < c->n_networks; i++)
	{
		const gf_ctx_network *n = &c->networks[i];

		if (n->name == NULL || n->line < 1)
			abort();
		fz_check_string(n->name, lim.max_name);
		fz_check_prefix(&n->cidr);
		fz_check_addr(&n->exporter, true);
		fz_puts(&o, i ? ",{\"name\":" : "{\"name\":");
		fz_string(&o, n->name);
		fz_check_context(&o, n->context_json, lim.max_json);
	}
	fz_puts(&o, "],\"devices\":[");
	for (i = 0; i < c->n_devices; i++)
	{
		const gf_ctx_device *d = &c->devices[i];

		fz_check_addr(&d->exporter, false);
		fz_check_string(d->name, lim.max_name);
		fz_check_string(d->site, lim.max_name);
		fz_check_string(d->role, lim.max_name);
		fz_puts(&o, i ? ",{\"name\":" : "{\"name\":");
		fz_string(&o, d->name);
		fz_puts(&o, ",\"site\":");
		fz_string(&o, d->site);
		fz_puts(&o, ",\"role\":");
		fz_string(&o, d->role);
		fz_check_context(&o, d->context_json, lim.max_json);
	}
	fz_puts(&o, "],\"interfaces\":[");
	for (i = 0; i < c->n_interfaces; i++)
	{
		const gf_ctx_interface *it = &c->interfaces[i];
		char		num[64];

		fz_check_addr(&it->exporter, false);
		fz_check_string(it->name, lim.max_name);
		fz_check_string(it->description, lim.max_text);
		fz_check_string(it->provider, lim.max_name);
		if (it->boundary > GF_CTX_BOUNDARY_INTERNAL || (!it->has_speed && it->speed != 0))
			abort();
		snprintf(num, sizeof(num), "{\"if_index\":%u,\"speed\":%llu,\"name\":",
				 it->if_index, (unsigned long long) it->speed);
		fz_puts(&o, i ? "," : "");
		fz_puts(&o, num);
		fz_string(&o, it->name);
		fz_puts(&o, ",\"description\":");
		fz_string(&o, it->description);
		fz_puts(&o, ",\"provider\":");
		fz_string(&o, it->provider);
		fz_puts(&o, ",\"boundary\":");
		fz_string(&o, gf_ctx_boundary_name(it->boundary));
		fz_check_context(&o, it->context_json, lim.max_json);
	}
	fz_puts(&o, "]}");
	if (!json_check(o.p, true))
		abort();
	free(o.p);
	gf_ctx_config_free(c);
	return 0;
}
