/*
 * if_info_check.h
 *    The promise decode.h makes about gf_if_info's texts, as a check the
 *    unit tests and the fuzzers share: NUL-terminated inside the buffer,
 *    non-empty exactly when its flag is set, valid UTF-8 (no overlong
 *    forms, surrogates or code points above U+10FFFF), no control
 *    characters (C0, DEL, C1) and no trailing space.  Written apart from
 *    the decoder's cleaner (iface_text.c), code point by code point, so
 *    that one does not vouch for itself.
 */
#ifndef IF_INFO_CHECK_H
#define IF_INFO_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"

static inline bool
if_text_ok(const char *s, size_t cap, bool has)
{
	const uint8_t *p = (const uint8_t *) s;
	size_t		n = 0;
	size_t		i = 0;

	while (n < cap && p[n] != 0)
		n++;
	if (n == cap)
		return false;			/* not terminated */
	if ((n > 0) != has)
		return false;
	if (n > 0 && p[n - 1] == ' ')
		return false;
	while (i < n)
	{
		uint32_t	cp;
		int			extra;
		uint32_t	min;
		int			k;

		if (p[i] < 0x80)
		{
			cp = p[i];
			extra = 0;
			min = 0;
		}
		else if ((p[i] & 0xe0) == 0xc0)
		{
			cp = p[i] & 0x1f;
			extra = 1;
			min = 0x80;
		}
		else if ((p[i] & 0xf0) == 0xe0)
		{
			cp = p[i] & 0x0f;
			extra = 2;
			min = 0x800;
		}
		else if ((p[i] & 0xf8) == 0xf0)
		{
			cp = p[i] & 0x07;
			extra = 3;
			min = 0x10000;
		}
		else
			return false;
		if (extra > 0 && i + (size_t) extra >= n)
			return false;
		for (k = 1; k <= extra; k++)
		{
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return false;
		i += 1 + (size_t) extra;
	}
	return true;
}

static inline bool
if_info_ok(const gf_if_info *i)
{
	return if_text_ok(i->name, sizeof(i->name), i->has_name) &&
		if_text_ok(i->description, sizeof(i->description), i->has_description);
}

#endif							/* IF_INFO_CHECK_H */
