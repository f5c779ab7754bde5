/*
 * nats_subject.c
 *    Parse goflow2plus.nats_subject once, then expand it per flow with no
 *    allocation and no parsing (see nats_subject.h for the syntax).
 */
#include "nats_subject.h"

#include <stdio.h>
#include <string.h>

typedef enum ns_hash_field
{
	NS_H_TYPE,
	NS_H_SAMPLER,
	NS_H_SRC_ADDR,
	NS_H_DST_ADDR,
	NS_H_SRC_PORT,
	NS_H_DST_PORT,
	NS_H_PROTO,
	NS_H_ETYPE,
	NS_H_IN_IF,
	NS_H_OUT_IF,
	NS_H_SRC_AS,
	NS_H_DST_AS,
	NS_H_NEXT_HOP
} ns_hash_field;

static const char *const ns_hash_names[] = {
	"type", "sampler_address", "src_addr", "dst_addr", "src_port",
	"dst_port", "proto", "etype", "in_if", "out_if", "src_as", "dst_as",
	"next_hop"
};

#define NS_NHASH ((int) (sizeof(ns_hash_names) / sizeof(ns_hash_names[0])))

static void
ns_err(char *err, size_t errlen, const char *msg, const char *arg, int arglen)
{
	if (err == NULL || errlen == 0)
		return;
	if (arg)
		snprintf(err, errlen, msg, arglen, arg);
	else
		snprintf(err, errlen, "%s", msg);
}

/* Characters a subject token may not hold. */
static bool
ns_bad_char(unsigned char c)
{
	return c <= ' ' || c == 0x7f || c == '.' || c == '*' || c == '>';
}

bool
gf_subject_valid(const char *s, bool allow_wildcards)
{
	const char *tok = s;

	if (s == NULL || *s == '\0')
		return false;
	for (;;)
	{
		const char *end = strchr(tok, '.');
		size_t		len = end ? (size_t) (end - tok) : strlen(tok);
		size_t		i;

		if (len == 0)
			return false;
		for (i = 0; i < len; i++)
		{
			unsigned char c = (unsigned char) tok[i];

			if (c == '*' || c == '>')
			{
				/* A wildcard is a whole token; '>' only the last one. */
				if (!allow_wildcards || len != 1 || (c == '>' && end != NULL))
					return false;
			}
			else if (ns_bad_char(c))
				return false;
		}
		if (end == NULL)
			return true;
		tok = end + 1;
	}
}

/* Parse "{hash:f1,f2:N}"'s inside (between "hash:" and "}"). */
static int
ns_parse_hash(const char *s, size_t len, gf_subject_part *part,
			  char *err, size_t errlen)
{
	const char *colon = NULL;
	const char *p;
	unsigned long n = 0;
	size_t		i;

	for (i = len; i > 0; i--)
		if (s[i - 1] == ':')
		{
			colon = s + i - 1;
			break;
		}
	if (colon == NULL || colon == s || colon + 1 == s + len)
	{
		ns_err(err, errlen, "placeholder {hash:%.*s} needs fields and a bucket count, as in {hash:src_addr,dst_addr:16}",
			   s, (int) len);
		return -1;
	}
	for (p = colon + 1; p < s + len; p++)
	{
		if (*p < '0' || *p > '9' || n > 65536)
		{
			ns_err(err, errlen, "bucket count of {hash:%.*s} must be a number from 1 to 65536", s, (int) len);
			return -1;
		}
		n = n * 10 + (unsigned long) (*p - '0');
	}
	if (n < 1 || n > 65536)
	{
		ns_err(err, errlen, "bucket count of {hash:%.*s} must be a number from 1 to 65536", s, (int) len);
		return -1;
	}
	part->buckets = (uint32_t) n;
	part->nfields = 0;
	p = s;
	while (p < colon)
	{
		const char *comma = memchr(p, ',', (size_t) (colon - p));
		size_t		flen = comma ? (size_t) (comma - p) : (size_t) (colon - p);
		int			f;

		for (f = 0; f < NS_NHASH; f++)
			if (strlen(ns_hash_names[f]) == flen &&
				memcmp(ns_hash_names[f], p, flen) == 0)
				break;
		if (f == NS_NHASH)
		{
			ns_err(err, errlen, "unknown field \"%.*s\" in {hash:...}; known: type, sampler_address, src_addr, dst_addr, src_port, dst_port, proto, etype, in_if, out_if, src_as, dst_as, next_hop",
				   p, (int) flen);
			return -1;
		}
		if (part->nfields == GF_SUBJECT_MAX_HASH)
		{
			ns_err(err, errlen, "too many fields in {hash:%.*s} (at most 8)", s, (int) len);
			return -1;
		}
		part->fields[part->nfields++] = (uint8_t) f;
		p += flen + (comma ? 1 : 0);
	}
	return 0;
}

int
gf_subject_parse(const char *text, gf_subject_pattern *p, char *err,
				 size_t errlen)
{
	size_t		len;
	size_t		i = 0;
	size_t		w = 0;
	bool		tok_has_ph = false;
	size_t		tok_start_w = 0;

	memset(p, 0, sizeof(*p));
	if (text == NULL || *text == '\0')
	{
		ns_err(err, errlen, "the subject is empty", NULL, 0);
		return -1;
	}
	len = strlen(text);
	if (len >= GF_SUBJECT_MAX)
	{
		ns_err(err, errlen, "the subject is longer than 255 bytes", NULL, 0);
		return -1;
	}
	memcpy(p->text, text, len + 1);

	while (i <= len)
	{
		char		c = text[i];

		if (c == '.' || c == '\0')
		{
			/* End of a token: empty ones are not subjects. */
			if (w == tok_start_w)
			{
				ns_err(err, errlen, "the subject has an empty token (two dots, or a dot at either end)", NULL, 0);
				return -1;
			}
			if (tok_has_ph)
			{
				w = tok_start_w;
				p->wildcard[w++] = '*';
			}
			if (c == '\0')
				break;
			p->wildcard[w++] = '.';
			tok_start_w = w;
			tok_has_ph = false;
			/* The dot is literal text of the expansion. */
		}
		else if (c == '{')
		{
			const char *close = strchr(text + i, '}');
			const char *name = text + i + 1;
			size_t		nlen;
			gf_subject_part *part;

			if (close == NULL)
			{
				ns_err(err, errlen, "unclosed \"{\" in the subject", NULL, 0);
				return -1;
			}
			nlen = (size_t) (close - name);
			if (p->nparts == GF_SUBJECT_MAX_PARTS)
			{
				ns_err(err, errlen, "the subject has too many parts", NULL, 0);
				return -1;
			}
			part = &p->parts[p->nparts];
			if (nlen == 4 && memcmp(name, "type", 4) == 0)
				part->kind = GF_SUBJ_TYPE;
			else if (nlen == 15 && memcmp(name, "sampler_address", 15) == 0)
				part->kind = GF_SUBJ_SAMPLER;
			else if (nlen == 9 && memcmp(name, "src_group", 9) == 0)
				part->kind = GF_SUBJ_SRC_GROUP;
			else if (nlen == 9 && memcmp(name, "dst_group", 9) == 0)
				part->kind = GF_SUBJ_DST_GROUP;
			else if (nlen > 5 && memcmp(name, "hash:", 5) == 0)
			{
				part->kind = GF_SUBJ_HASH;
				if (ns_parse_hash(name + 5, nlen - 5, part, err, errlen) != 0)
					return -1;
			}
			else
			{
				ns_err(err, errlen, "unknown placeholder {%.*s}; known: {type}, {sampler_address}, {src_group}, {dst_group}, {hash:field,...:N}",
					   name, (int) nlen);
				return -1;
			}
			if (part->kind == GF_SUBJ_SRC_GROUP || part->kind == GF_SUBJ_DST_GROUP)
				p->uses_groups = true;
			p->nparts++;
			tok_has_ph = true;
			/* Keeps the token non-empty in the wildcard check above. */
			p->wildcard[w++] = '*';
			i = (size_t) (close - text) + 1;
			continue;
		}
		else if (c == '}' || ns_bad_char((unsigned char) c))
		{
			ns_err(err, errlen, "the subject may not hold \"%.*s\" (spaces, wildcards and braces outside a placeholder are refused)",
				   text + i, 1);
			return -1;
		}
		else
			p->wildcard[w++] = c;

		/* Literal text, the dot included, joins the previous literal. */
		if (p->nparts > 0 && p->parts[p->nparts - 1].kind == GF_SUBJ_LITERAL &&
			p->parts[p->nparts - 1].off + p->parts[p->nparts - 1].len == i)
			p->parts[p->nparts - 1].len++;
		else
		{
			if (p->nparts == GF_SUBJECT_MAX_PARTS)
			{
				ns_err(err, errlen, "the subject has too many parts", NULL, 0);
				return -1;
			}
			p->parts[p->nparts].kind = GF_SUBJ_LITERAL;
			p->parts[p->nparts].off = (uint16_t) i;
			p->parts[p->nparts].len = 1;
			p->nparts++;
		}
		i++;
	}
	p->wildcard[w] = '\0';
	p->is_static = true;
	for (i = 0; i < (size_t) p->nparts; i++)
		if (p->parts[i].kind != GF_SUBJ_LITERAL)
			p->is_static = false;
	return 0;
}

/* Append a value as a token: special characters become '_'. */
static size_t
ns_put_token(char *buf, size_t pos, size_t cap, const char *s)
{
	if (s == NULL || *s == '\0')
		s = "none";
	for (; *s && pos + 1 < cap; s++)
		buf[pos++] = ns_bad_char((unsigned char) *s) ? '_' : *s;
	return pos;
}

/* FNV-1a, 64 bits: stable across processes and machines. */
static uint64_t
ns_fnv(uint64_t h, const void *data, size_t n)
{
	const uint8_t *b = (const uint8_t *) data;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		h ^= b[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static uint64_t
ns_hash_u32(uint64_t h, uint32_t v)
{
	uint8_t		b[4];

	/* Big-endian bytes, so the bucket does not depend on the machine. */
	b[0] = (uint8_t) (v >> 24);
	b[1] = (uint8_t) (v >> 16);
	b[2] = (uint8_t) (v >> 8);
	b[3] = (uint8_t) v;
	return ns_fnv(h, b, 4);
}

static uint64_t
ns_hash_addr(uint64_t h, const gf_addr *a)
{
	h = ns_fnv(h, &a->family, 1);
	if (a->family == 4)
		return ns_fnv(h, a->bytes, 4);
	if (a->family == 6)
		return ns_fnv(h, a->bytes, 16);
	return h;
}

static uint32_t
ns_bucket(const gf_subject_part *part, const gf_flow *f)
{
	uint64_t	h = UINT64_C(14695981039346656037);
	int			i;

	for (i = 0; i < part->nfields; i++)
	{
		switch ((ns_hash_field) part->fields[i])
		{
			case NS_H_TYPE:
				h = ns_hash_u32(h, (uint32_t) f->type);
				break;
			case NS_H_SAMPLER:
				h = ns_hash_addr(h, &f->sampler_address);
				break;
			case NS_H_SRC_ADDR:
				h = ns_hash_addr(h, &f->src_addr);
				break;
			case NS_H_DST_ADDR:
				h = ns_hash_addr(h, &f->dst_addr);
				break;
			case NS_H_SRC_PORT:
				h = ns_hash_u32(h, f->src_port);
				break;
			case NS_H_DST_PORT:
				h = ns_hash_u32(h, f->dst_port);
				break;
			case NS_H_PROTO:
				h = ns_hash_u32(h, f->proto);
				break;
			case NS_H_ETYPE:
				h = ns_hash_u32(h, f->etype);
				break;
			case NS_H_IN_IF:
				h = ns_hash_u32(h, f->in_if);
				break;
			case NS_H_OUT_IF:
				h = ns_hash_u32(h, f->out_if);
				break;
			case NS_H_SRC_AS:
				h = ns_hash_u32(h, f->src_as);
				break;
			case NS_H_DST_AS:
				h = ns_hash_u32(h, f->dst_as);
				break;
			case NS_H_NEXT_HOP:
				h = ns_hash_addr(h, &f->next_hop);
				break;
		}
	}
	return (uint32_t) (h % part->buckets);
}

size_t
gf_subject_expand(const gf_subject_pattern *p, const gf_flow *f,
				  const char *src_group, const char *dst_group,
				  char *buf, size_t buflen)
{
	size_t		pos = 0;
	int			i;

	if (buflen == 0)
		return 0;
	for (i = 0; i < p->nparts; i++)
	{
		const gf_subject_part *part = &p->parts[i];
		char		tmp[64];

		switch ((gf_subject_part_kind) part->kind)
		{
			case GF_SUBJ_LITERAL:
				{
					size_t		n = part->len;

					if (n > buflen - 1 - pos)
						n = buflen - 1 - pos;
					memcpy(buf + pos, p->text + part->off, n);
					pos += n;
					break;
				}
			case GF_SUBJ_TYPE:
				pos = ns_put_token(buf, pos, buflen, gf_flow_type_name(f->type));
				break;
			case GF_SUBJ_SAMPLER:
				gf_addr_format(&f->sampler_address, tmp, sizeof(tmp));
				pos = ns_put_token(buf, pos, buflen, tmp);
				break;
			case GF_SUBJ_SRC_GROUP:
				pos = ns_put_token(buf, pos, buflen, src_group);
				break;
			case GF_SUBJ_DST_GROUP:
				pos = ns_put_token(buf, pos, buflen, dst_group);
				break;
			case GF_SUBJ_HASH:
				snprintf(tmp, sizeof(tmp), "%u", (unsigned) ns_bucket(part, f));
				pos = ns_put_token(buf, pos, buflen, tmp);
				break;
		}
	}
	buf[pos] = '\0';
	return pos;
}

bool
gf_subject_covers(const char *filter, const char *subject)
{
	const char *a = filter;
	const char *b = subject;

	for (;;)
	{
		const char *ae = strchr(a, '.');
		const char *be = strchr(b, '.');
		size_t		al = ae ? (size_t) (ae - a) : strlen(a);
		size_t		bl = be ? (size_t) (be - b) : strlen(b);

		if (al == 1 && a[0] == '>')
			return true;		/* the rest, one token or more */
		if (al == 1 && a[0] == '*')
		{
			/* any one token, a '*' of ours included */
		}
		else if (bl == 1 && b[0] == '*')
			return false;		/* ours varies; theirs is fixed */
		else if (al != bl || memcmp(a, b, al) != 0)
			return false;
		if (ae == NULL || be == NULL)
			return ae == NULL && be == NULL;
		a = ae + 1;
		b = be + 1;
	}
}
