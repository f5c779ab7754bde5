/*
 * context_yaml_json.c
 *    A context mapping of a context file, as canonical JSON text: no
 *    blanks, keys sorted bytewise, scalars typed by YAML's core schema
 *    (context_yaml.h says which plain scalars become null, booleans and
 *    numbers).  The text is built once per entry when the file is loaded,
 *    so the SQL layer makes each jsonb value once and never per flow.
 */
#include "context_yaml_node.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest plain scalar taken as a number; longer ones stay strings. */
#define CJ_MAX_NUMBER	64

typedef struct cj_buf
{
	char	   *p;
	size_t		len;
	size_t		cap;
	size_t		max;			/* the text may not grow past this */
	bool		too_long;
	bool		nomem;
} cj_buf;

typedef struct cj_pair
{
	const gf_cy_node *key;
	const gf_cy_node *value;
} cj_pair;

static void
cj_put(cj_buf *b, const char *s, size_t n)
{
	if (b->too_long || b->nomem)
		return;
	if (n > b->max - b->len)
	{
		b->too_long = true;
		return;
	}
	if (b->len + n + 1 > b->cap)
	{
		size_t		cap = b->cap ? b->cap : 64;
		char	   *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
		{
			b->nomem = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
cj_putc(cj_buf *b, char c)
{
	cj_put(b, &c, 1);
}

/* A JSON string: quote, backslash and control characters escaped. */
static void
cj_put_string(cj_buf *b, const char *s, size_t n)
{
	size_t		i;
	size_t		run = 0;		/* start of bytes not yet copied */

	cj_putc(b, '"');
	for (i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];
		char		esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		cj_put(b, s + run, i - run);
		run = i + 1;
		switch (c)
		{
			case '"':
				cj_put(b, "\\\"", 2);
				break;
			case '\\':
				cj_put(b, "\\\\", 2);
				break;
			case '\n':
				cj_put(b, "\\n", 2);
				break;
			case '\t':
				cj_put(b, "\\t", 2);
				break;
			case '\r':
				cj_put(b, "\\r", 2);
				break;
			case '\b':
				cj_put(b, "\\b", 2);
				break;
			case '\f':
				cj_put(b, "\\f", 2);
				break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				cj_put(b, esc, 6);
				break;
		}
	}
	cj_put(b, s + run, n - run);
	cj_putc(b, '"');
}

static bool
cj_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Whether s is a number exactly as JSON writes one, with an exponent of
 * at most 3 digits (so that every reader, PostgreSQL's numeric included,
 * takes it).
 */
static bool
cj_is_json_number(const char *s, size_t n)
{
	size_t		i = 0;
	size_t		start;

	if (n == 0 || n > CJ_MAX_NUMBER)
		return false;
	if (s[i] == '-')
		i++;
	if (i >= n || !cj_digit(s[i]))
		return false;
	if (s[i] == '0')
		i++;
	else
		while (i < n && cj_digit(s[i]))
			i++;
	if (i < n && s[i] == '.')
	{
		i++;
		start = i;
		while (i < n && cj_digit(s[i]))
			i++;
		if (i == start)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E'))
	{
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		start = i;
		while (i < n && cj_digit(s[i]))
			i++;
		if (i == start || i - start > 3)
			return false;
	}
	return i == n;
}

static bool
cj_is_one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

gf_cy_scalar_type
gf_cy_scalar_type_of(const gf_cy_node *scalar)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};

	if (scalar->kind != GF_CY_SCALAR || !scalar->plain)
		return GF_CY_T_STRING;
	if (cj_is_one_of(scalar->text, nulls))
		return GF_CY_T_NULL;
	if (cj_is_one_of(scalar->text, trues))
		return GF_CY_T_TRUE;
	if (cj_is_one_of(scalar->text, falses))
		return GF_CY_T_FALSE;
	if (cj_is_json_number(scalar->text, scalar->len))
		return GF_CY_T_NUMBER;
	return GF_CY_T_STRING;
}

bool
gf_cy_is_null(const gf_cy_node *n)
{
	return n->kind == GF_CY_SCALAR && gf_cy_scalar_type_of(n) == GF_CY_T_NULL;
}

/* Bytewise order of the keys' text; a key that is a prefix sorts first. */
static int
cj_pair_cmp(const void *a, const void *b)
{
	const gf_cy_node *ka = ((const cj_pair *) a)->key;
	const gf_cy_node *kb = ((const cj_pair *) b)->key;
	size_t		n = ka->len < kb->len ? ka->len : kb->len;
	int			c = memcmp(ka->text, kb->text, n);

	if (c != 0)
		return c;
	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	/* Equal keys (refused later): the earlier one first. */
	if (ka->line != kb->line)
		return ka->line < kb->line ? -1 : 1;
	return ka->column < kb->column ? -1 : (ka->column > kb->column);
}

static void
cj_fail(const gf_cy_node **where, const gf_cy_node *at, char *msg, size_t msglen,
		const char *fmt,...)
			__attribute__((format(printf, 5, 6)));

static void
cj_fail(const gf_cy_node **where, const gf_cy_node *at, char *msg, size_t msglen,
		const char *fmt,...)
{
	va_list		ap;

	*where = at;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

static bool cj_node(cj_buf *b, const gf_cy_node *n, const gf_cy_node **where,
					char *msg, size_t msglen);

static bool
cj_map(cj_buf *b, const gf_cy_node *n, const gf_cy_node **where,
	   char *msg, size_t msglen)
{
	size_t		npairs = n->n / 2;
	cj_pair    *pairs;
	size_t		i;
	bool		ok = true;

	cj_putc(b, '{');
	if (npairs == 0)
	{
		cj_putc(b, '}');
		return true;
	}
	pairs = malloc(npairs * sizeof(cj_pair));
	if (pairs == NULL)
	{
		b->nomem = true;
		return true;
	}
	for (i = 0; i < npairs; i++)
	{
		pairs[i].key = n->items[2 * i];
		pairs[i].value = n->items[2 * i + 1];
	}
	qsort(pairs, npairs, sizeof(cj_pair), cj_pair_cmp);
	for (i = 0; i < npairs && ok; i++)
	{
		if (i > 0 && pairs[i - 1].key->len == pairs[i].key->len &&
			memcmp(pairs[i - 1].key->text, pairs[i].key->text, pairs[i].key->len) == 0)
		{
			char		q[GF_CY_QUOTE_MAX + 4];

			cj_fail(where, pairs[i].key, msg, msglen,
					"key \"%s\" appears twice in one mapping (first at line %d)",
					gf_cy_quote(pairs[i].key->text, pairs[i].key->len, q),
					pairs[i - 1].key->line);
			ok = false;
			break;
		}
		if (i > 0)
			cj_putc(b, ',');
		cj_put_string(b, pairs[i].key->text, pairs[i].key->len);
		cj_putc(b, ':');
		ok = cj_node(b, pairs[i].value, where, msg, msglen);
	}
	free(pairs);
	if (ok)
		cj_putc(b, '}');
	return ok;
}

static bool
cj_node(cj_buf *b, const gf_cy_node *n, const gf_cy_node **where,
		char *msg, size_t msglen)
{
	size_t		i;

	switch (n->kind)
	{
		case GF_CY_MAP:
			return cj_map(b, n, where, msg, msglen);
		case GF_CY_SEQ:
			cj_putc(b, '[');
			for (i = 0; i < n->n; i++)
			{
				if (i > 0)
					cj_putc(b, ',');
				if (!cj_node(b, n->items[i], where, msg, msglen))
					return false;
			}
			cj_putc(b, ']');
			return true;
		case GF_CY_SCALAR:
			switch (gf_cy_scalar_type_of(n))
			{
				case GF_CY_T_NULL:
					cj_put(b, "null", 4);
					break;
				case GF_CY_T_TRUE:
					cj_put(b, "true", 4);
					break;
				case GF_CY_T_FALSE:
					cj_put(b, "false", 5);
					break;
				case GF_CY_T_NUMBER:
					cj_put(b, n->text, n->len);
					break;
				case GF_CY_T_STRING:
					cj_put_string(b, n->text, n->len);
					break;
			}
			return true;
	}
	return true;
}

char *
gf_cy_context_json(const gf_cy_node *map, size_t max_json,
				   const gf_cy_node **where, char *msg, size_t msglen)
{
	cj_buf		b;

	memset(&b, 0, sizeof(b));
	b.max = max_json;
	*where = NULL;
	if (!cj_node(&b, map, where, msg, msglen))
	{
		free(b.p);
		return NULL;
	}
	if (b.nomem)
	{
		free(b.p);
		snprintf(msg, msglen, "out of memory");
		return NULL;
	}
	if (b.too_long)
	{
		free(b.p);
		cj_fail(where, map, msg, msglen,
				"context is longer than %zu bytes as JSON", max_json);
		return NULL;
	}
	return b.p;
}

/* Length of the UTF-8 sequence at s (n bytes left), 0 if it is not one. */
static size_t
cj_utf8_len(const unsigned char *s, size_t n)
{
	size_t		k;
	size_t		i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (k > n)
		return 0;
	for (i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

const char *
gf_cy_quote(const char *s, size_t n, char *buf)
{
	const unsigned char *u = (const unsigned char *) s;
	size_t		i = 0;
	size_t		out = 0;

	while (i < n)
	{
		size_t		k = u[i] < 0x80 ? 1 : cj_utf8_len(u + i, n - i);

		if (out + (k ? k : 1) > GF_CY_QUOTE_MAX)
		{
			memcpy(buf + out, "...", 3);
			out += 3;
			break;
		}
		if (k <= 1)
		{
			buf[out++] = (k == 0 || u[i] < 0x20 || u[i] == 0x7f) ? '?' : (char) u[i];
			i++;
		}
		else
		{
			memcpy(buf + out, s + i, k);
			out += k;
			i += k;
		}
	}
	buf[out] = '\0';
	return buf;
}

void
gf_cy_node_free(gf_cy_node *n)
{
	size_t		i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		gf_cy_node_free(n->items[i]);
	free(n->items);
	free(n->text);
	free(n);
}
