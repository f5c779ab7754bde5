/*
 * iface_text.c
 *    Cleaning of interface names and descriptions taken from datagrams.
 *    The bytes are untrusted: they may hold NUL padding, control
 *    characters, Latin-1 from an old device, or be cut in the middle of a
 *    character; what comes out is always printable, valid UTF-8 that fits
 *    its buffer, so no later stage (a text column, a log line, JSON) needs
 *    to check it again.
 */
#include "iface_text.h"

#include <stdbool.h>
#include <string.h>

/*
 * Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when it
 * is not one: overlong forms, surrogates and code points above U+10FFFF
 * are refused (RFC 3629), as PostgreSQL's own check does.
 */
static size_t
it_utf8_len(const uint8_t *p, size_t n)
{
	uint8_t		b = p[0];
	uint8_t		lo = 0x80;
	uint8_t		hi = 0xbf;
	size_t		need;
	size_t		i;

	if (b >= 0xc2 && b <= 0xdf)
		need = 2;
	else if (b >= 0xe0 && b <= 0xef)
	{
		need = 3;
		if (b == 0xe0)
			lo = 0xa0;			/* overlong below U+0800 */
		else if (b == 0xed)
			hi = 0x9f;			/* surrogates U+D800..U+DFFF */
	}
	else if (b >= 0xf0 && b <= 0xf4)
	{
		need = 4;
		if (b == 0xf0)
			lo = 0x90;			/* overlong below U+10000 */
		else if (b == 0xf4)
			hi = 0x8f;			/* above U+10FFFF */
	}
	else
		return 0;
	if (n < need || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return need;
}

size_t
gf_if_text_copy(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	const uint8_t *nul = len > 0 ? memchr(src, 0, len) : NULL;
	size_t		i = 0;
	size_t		o = 0;
	size_t		keep = 0;		/* length without trailing spaces */

	/* A NUL ends the text: fixed-width fields are padded with them. */
	if (nul != NULL)
		len = (size_t) (nul - src);
	while (i < len)
	{
		uint8_t		b = src[i];
		size_t		in = 1;
		size_t		out = 1;
		bool		replace = false;

		if (b < 0x80)
			replace = b < 0x20 || b == 0x7f;
		else if ((in = it_utf8_len(src + i, len - i)) == 0)
		{
			in = 1;
			replace = true;
		}
		else if (b == 0xc2 && src[i + 1] < 0xa0)
			replace = true;		/* C1 control characters U+0080..U+009F */
		else
			out = in;

		/* Cut before a character that does not fit whole. */
		if (o + out > cap - 1)
			break;
		if (replace)
			dst[o] = '?';
		else
			memcpy(dst + o, src + i, out);
		o += out;
		if (replace || b != ' ')
			keep = o;
		i += in;
	}
	dst[keep] = '\0';
	return keep;
}
