/*
 * fuzz_mapping_yaml.c
 *    libFuzzer target for the mapping parser (flow_mapping.h), whose input
 *    is untrusted text given to goflow2plus.load_mapping().  Beyond "no
 *    crash, no leak": a refusal has a printable message that starts with
 *    the line and column it reports (when it has one); an accepted mapping
 *    finds each of its own NetFlow entries, and applying every entry to a
 *    flow with values of every length from 0 to 40 bytes (cut from the
 *    input) keeps the flow's custom values inside their buffer.
 *
 *    Seeds: test/fuzz/corpus_mapping_yaml/.
 *    Run: make build/fuzz/fuzz_mapping_yaml &&
 *         ./build/fuzz/fuzz_mapping_yaml test/fuzz/corpus_mapping_yaml
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_mapping.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_check_error(const gf_mapping_error *err)
{
	char		prefix[64];
	size_t		i;

	if (err->msg[0] == '\0')
		abort();
	for (i = 0; err->msg[i] != '\0'; i++)
		if ((unsigned char) err->msg[i] < 0x20)
			abort();
	if (err->line > 0)
	{
		snprintf(prefix, sizeof(prefix), "line %d, column %d: ", err->line,
				 err->column);
		if (strncmp(err->msg, prefix, strlen(prefix)) != 0)
			abort();
	}
}

static void
fz_check_flow(const gf_flow *f)
{
	int			i;

	if (f->n_extra > GF_MAX_EXTRA)
		abort();
	for (i = 0; i < f->n_extra; i++)
	{
		const gf_flow_extra *x = &f->extra[i];

		if ((size_t) x->off + x->name_len + x->len > GF_EXTRA_BYTES)
			abort();
		if (i > 0 && x->off < f->extra[i - 1].off + f->extra[i - 1].name_len +
			f->extra[i - 1].len)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gf_mapping_error err;
	gf_mapping *m = gf_mapping_parse((const char *) data, size, &err);
	static gf_flow f;
	size_t		i;

	if (m == NULL)
	{
		fz_check_error(&err);
		return 0;
	}
	memset(&f, 0, sizeof(f));
	for (i = 0; i < m->n_entries; i++)
	{
		const gf_map_entry *e = &m->entries[i];
		size_t		len;

		if (e->proto != GF_MAP_SFLOW &&
			gf_mapping_find(m, (gf_map_proto) e->proto, e->pen_provided,
							e->pen, e->field) != e)
			abort();
		for (len = 0; len <= 40 && len <= size; len++)
			(void) gf_mapping_apply(m, e, &f, data + size - len, len);
		fz_check_flow(&f);
	}
	gf_mapping_free(m);
	return 0;
}
