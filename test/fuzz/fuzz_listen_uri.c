/*
 * fuzz_listen_uri.c
 *    libFuzzer target for the goflow2plus.listen parser.  The setting
 *    comes from postgresql.conf, so it is not hostile, but a parser that
 *    reads past a string or overflows its canonical-text buffer on an odd
 *    value would take the postmaster down at startup.  Checks, beyond
 *    "no crash": a success has consistent bounds, and every canonical
 *    entry parses again to the same entry (nats:// sources included).
 *
 *    Run: make build/fuzz/fuzz_listen_uri && ./build/fuzz/fuzz_listen_uri
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "listen_uri.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		input[GF_LISTEN_INPUT_MAX + 64];
	char		err[256];
	gf_listen_list l;
	uint32_t	sockets = 0;
	int			i;

	if (size >= sizeof(input))
		size = sizeof(input) - 1;
	memcpy(input, data, size);
	input[size] = '\0';

	if (gf_listen_parse(input, &l, err, sizeof(err)) != 0)
	{
		if (err[0] == '\0')
			abort();			/* a refusal must say why */
		return 0;
	}
	if (l.n < 0 || l.n > GF_LISTEN_MAX_ENTRIES || l.sockets > GF_LISTEN_MAX_SOCKETS)
		abort();
	for (i = 0; i < l.n; i++)
	{
		gf_listen_list again;

		if ((l.uri[i].port == 0) != (l.uri[i].kind == GF_LISTEN_NATS &&
									  l.uri[i].host[0] == '\0') ||
			l.uri[i].count < 1 ||
			l.uri[i].count > GF_LISTEN_MAX_COUNT)
			abort();
		sockets += l.uri[i].count;
		if (gf_listen_parse(l.uri[i].text, &again, err, sizeof(err)) != 0 ||
			again.n != 1 ||
			strcmp(again.uri[0].text, l.uri[i].text) != 0 ||
			again.uri[0].port != l.uri[i].port ||
			again.uri[0].count != l.uri[i].count ||
			again.uri[0].family != l.uri[i].family ||
			again.uri[0].kind != l.uri[i].kind ||
			strcmp(again.uri[0].host, l.uri[i].host) != 0 ||
			strcmp(again.uri[0].stream, l.uri[i].stream) != 0 ||
			strcmp(again.uri[0].consumer, l.uri[i].consumer) != 0 ||
			strcmp(again.uri[0].subject, l.uri[i].subject) != 0 ||
			memcmp(again.uri[0].addr, l.uri[i].addr, 16) != 0)
			abort();
	}
	if (sockets != l.sockets)
		abort();
	return 0;
}
