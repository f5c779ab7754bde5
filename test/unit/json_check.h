/*
 * json_check.h
 *    A strict JSON validator (RFC 8259: no trailing commas, no leading
 *    zeros, escapes checked, well-formed UTF-8, nothing after the value)
 *    for tests that must show a text is JSON that any reader takes.
 *    Written apart from the code it checks (context_yaml_json.c) so that
 *    the two do not share a mistake.  Header-only: the unit test and the
 *    fuzzer include it.
 */
#ifndef GF_JSON_CHECK_H
#define GF_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define JC_MAX_DEPTH 200

typedef struct jc_state
{
	const unsigned char *s;
	size_t		n;
	size_t		i;
} jc_state;

static bool jc_value(jc_state *j, int depth);

static void
jc_blank(jc_state *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
						   j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

static bool
jc_lit(jc_state *j, const char *word)
{
	size_t		k = strlen(word);

	if (j->n - j->i < k || memcmp(j->s + j->i, word, k) != 0)
		return false;
	j->i += k;
	return true;
}

static bool
jc_digits(jc_state *j)
{
	size_t		start = j->i;

	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i > start;
}

static bool
jc_number(jc_state *j)
{
	if (j->i < j->n && j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0')
		j->i++;
	else if (j->i >= j->n || j->s[j->i] < '1' || j->s[j->i] > '9' || !jc_digits(j))
		return false;
	if (j->i < j->n && j->s[j->i] == '.')
	{
		j->i++;
		if (!jc_digits(j))
			return false;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E'))
	{
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!jc_digits(j))
			return false;
	}
	return true;
}

/* One UTF-8 sequence of 2-4 bytes at j->i, well-formed. */
static bool
jc_utf8(jc_state *j)
{
	unsigned char c = j->s[j->i];
	size_t		k;
	unsigned long cp;
	size_t		m;

	if (c >= 0xc2 && c <= 0xdf)
		k = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		k = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 3, cp = c & 0x07;
	else
		return false;
	if (j->n - j->i <= k)
		return false;
	for (m = 1; m <= k; m++)
	{
		if ((j->s[j->i + m] & 0xc0) != 0x80)
			return false;
		cp = (cp << 6) | (j->s[j->i + m] & 0x3f);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		(cp >= 0xd800 && cp <= 0xdfff))
		return false;
	j->i += k + 1;
	return true;
}

static bool
jc_string(jc_state *j)
{
	if (j->i >= j->n || j->s[j->i] != '"')
		return false;
	j->i++;
	while (j->i < j->n)
	{
		unsigned char c = j->s[j->i];

		if (c == '"')
		{
			j->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\')
		{
			j->i++;
			if (j->i >= j->n)
				return false;
			c = j->s[j->i];
			if (c == 'u')
			{
				int			h;

				for (h = 1; h <= 4; h++)
					if (j->i + h >= j->n || !strchr("0123456789abcdefABCDEF", j->s[j->i + h]) ||
						j->s[j->i + h] == '\0')
						return false;
				j->i += 5;
			}
			else if (c && strchr("\"\\/bfnrt", c))
				j->i++;
			else
				return false;
		}
		else if (c < 0x80)
			j->i++;
		else if (!jc_utf8(j))
			return false;
	}
	return false;
}

static bool
jc_container(jc_state *j, int depth, char close, bool object)
{
	j->i++;
	jc_blank(j);
	if (j->i < j->n && j->s[j->i] == (unsigned char) close)
	{
		j->i++;
		return true;
	}
	for (;;)
	{
		if (object)
		{
			jc_blank(j);
			if (!jc_string(j))
				return false;
			jc_blank(j);
			if (j->i >= j->n || j->s[j->i] != ':')
				return false;
			j->i++;
		}
		if (!jc_value(j, depth + 1))
			return false;
		jc_blank(j);
		if (j->i >= j->n)
			return false;
		if (j->s[j->i] == (unsigned char) close)
		{
			j->i++;
			return true;
		}
		if (j->s[j->i] != ',')
			return false;
		j->i++;
	}
}

static bool
jc_value(jc_state *j, int depth)
{
	if (depth > JC_MAX_DEPTH)
		return false;
	jc_blank(j);
	if (j->i >= j->n)
		return false;
	switch (j->s[j->i])
	{
		case '{':
			return jc_container(j, depth, '}', true);
		case '[':
			return jc_container(j, depth, ']', false);
		case '"':
			return jc_string(j);
		case 't':
			return jc_lit(j, "true");
		case 'f':
			return jc_lit(j, "false");
		case 'n':
			return jc_lit(j, "null");
		default:
			return jc_number(j);
	}
}

/* Whether text is one JSON value; with want_object, an object. */
static inline bool
json_check(const char *text, bool want_object)
{
	jc_state	j;

	if (text == NULL)
		return false;
	j.s = (const unsigned char *) text;
	j.n = strlen(text);
	j.i = 0;
	jc_blank(&j);
	if (want_object && (j.i >= j.n || j.s[j.i] != '{'))
		return false;
	if (!jc_value(&j, 0))
		return false;
	jc_blank(&j);
	return j.i == j.n;
}

/* Whether text is well-formed UTF-8 (any character, control ones too). */
static inline bool
json_utf8_check(const char *text)
{
	jc_state	j;

	j.s = (const unsigned char *) text;
	j.n = strlen(text);
	j.i = 0;
	while (j.i < j.n)
	{
		if (j.s[j.i] < 0x80)
			j.i++;
		else if (!jc_utf8(&j))
			return false;
	}
	return true;
}

#endif							/* GF_JSON_CHECK_H */
