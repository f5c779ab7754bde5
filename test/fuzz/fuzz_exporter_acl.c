/*
 * fuzz_exporter_acl.c
 *    libFuzzer target for the goflow2plus.allowed_exporters parser and
 *    matcher.  The setting is read by a check hook in every backend that
 *    reloads the configuration, so a parser that reads past its string
 *    would take a backend down on a typo.  Checks, beyond "no crash": a
 *    refusal says why; an accepted list has sane entries (host bits clear,
 *    prefix within the family); every entry's own network address is
 *    allowed by the list; and the matcher answers for any address the
 *    input's tail describes.
 *
 *    Run: make build/fuzz/fuzz_exporter_acl && ./build/fuzz/fuzz_exporter_acl
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter_acl.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether the bits of e beyond its prefix are all zero. */
static int
fz_host_bits_clear(const gf_acl_entry *e)
{
	int			nbytes = e->family == 4 ? 4 : 16;
	int			bit;

	for (bit = e->prefix_len; bit < nbytes * 8; bit++)
		if (e->bytes[bit / 8] & (0x80 >> (bit % 8)))
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gf_exporter_acl acl;	/* large: not on the stack */
	char	   *input;
	char		err[256];
	gf_addr		probe;
	int			i;

	input = malloc(size + 1);
	if (input == NULL)
		return 0;
	memcpy(input, data, size);
	input[size] = '\0';
	if (gf_exporter_acl_parse(input, &acl, err, sizeof(err)) != 0)
	{
		if (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
			abort();			/* a refusal must say why, terminated */
		free(input);
		return 0;
	}
	free(input);
	if (acl.n < 0 || acl.n > GF_ACL_MAX_ENTRIES)
		abort();
	for (i = 0; i < acl.n; i++)
	{
		const gf_acl_entry *e = &acl.entry[i];

		if ((e->family != 4 && e->family != 6) ||
			e->prefix_len > (e->family == 4 ? 32 : 128) ||
			!fz_host_bits_clear(e))
			abort();
		memset(&probe, 0, sizeof(probe));
		probe.family = e->family;
		memcpy(probe.bytes, e->bytes, e->family == 4 ? 4 : 16);
		if (!gf_exporter_acl_allows(&acl, &probe))
			abort();
	}
	/* An address made of the input's last bytes: any answer, no crash. */
	memset(&probe, 0, sizeof(probe));
	probe.family = (size & 1) ? 4 : 6;
	memcpy(probe.bytes, data + (size > 16 ? size - 16 : 0), size > 16 ? 16 : size);
	(void) gf_exporter_acl_allows(&acl, &probe);
	return 0;
}
