/*
 * spool.c
 *    The worker's in-memory spool (spool.h): a FIFO of records waiting for
 *    a batch that could not be written.
 *
 *    A decoded flow is about 870 bytes as a struct, mostly arrays that
 *    are rarely used and fields that are zero when absent.  The spool keeps
 *    only the used part of the arrays and squeezes runs of zero bytes (a
 *    control byte: 0x00-0x7f = 1 to 128 literal bytes follow, 0x80-0xff =
 *    1 to 128 zero bytes), so a NetFlow v5 flow takes about 110 bytes here
 *    (measured; see src/pg/README.md).  Cheap enough at the worker's rate:
 *    one pass over a few hundred bytes per record.
 *
 *    Each record is stored as kind (1 byte), encoded length (2 bytes),
 *    encoded bytes.  Chunks are allocated one at a time (at most
 *    GF_SPOOL_CHUNK bytes, fewer when the limit is smaller), in the
 *    spool's own memory context; a chunk is pfree'd when its last record
 *    has been read, so the memory goes back as the spool drains.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "flow_tuple.h"
#include "spool.h"

#define GF_SPOOL_CHUNK		(1024 * 1024)

typedef enum GfSpoolKind
{
	GF_SPOOL_FLOW = 1,
	GF_SPOOL_IFCOUNTERS,
	GF_SPOOL_DROP
} GfSpoolKind;

/* Largest record before encoding: a flow with full arrays. */
#define GF_SPOOL_FLOW_FIXED	offsetof(gf_flow, as_path)
#define GF_SPOOL_RAW_MAX \
	Max(Max(GF_SPOOL_FLOW_FIXED + sizeof(uint32) * (GF_MAX_AS_PATH + GF_MAX_COMMUNITIES + GF_MAX_MPLS) + \
			sizeof(gf_flow_extra) * GF_MAX_EXTRA + GF_EXTRA_BYTES, \
			sizeof(gf_ifcounters)), sizeof(GfDropRow))
/* Encoding adds at most one control byte per 128 input bytes. */
#define GF_SPOOL_ENC_MAX	(GF_SPOOL_RAW_MAX + GF_SPOOL_RAW_MAX / 128 + 1)
#define GF_SPOOL_REC_HDR	3

StaticAssertDecl(GF_SPOOL_ENC_MAX <= PG_UINT16_MAX, "a spooled record's length must fit in 16 bits");

typedef struct GfSpoolChunk
{
	struct GfSpoolChunk *next;
	Size		alloc;			/* bytes allocated for the chunk, header included */
	Size		size;			/* capacity of data[] */
	Size		used;			/* bytes written */
	Size		read;			/* bytes taken back */
	uint8		data[FLEXIBLE_ARRAY_MEMBER];
} GfSpoolChunk;

struct GfSpool
{
	MemoryContext ctx;
	GfSpoolChunk *head;			/* oldest: read from here */
	GfSpoolChunk *tail;			/* newest: written here */
	uint64		nrecords;
	Size		bytes;			/* allocated by the chunks */
	Size		limit;
};

GfSpool *
gf_spool_create(MemoryContext parent, Size limit_bytes)
{
	MemoryContext ctx = AllocSetContextCreate(parent, "goflow2plus spool",
											  ALLOCSET_SMALL_SIZES);
	GfSpool    *s = (GfSpool *) MemoryContextAllocZero(ctx, sizeof(GfSpool));

	s->ctx = ctx;
	s->limit = limit_bytes;
	return s;
}

void
gf_spool_set_limit(GfSpool *s, Size limit_bytes)
{
	/* Records already in stay; only new chunks see the new limit. */
	s->limit = limit_bytes;
}

uint64
gf_spool_records(const GfSpool *s)
{
	return s->nrecords;
}

Size
gf_spool_bytes(const GfSpool *s)
{
	return s->bytes;
}

/* Squeeze runs of zero bytes; returns the encoded length. */
static int
gf_spool_pack(const uint8 *src, int n, uint8 *dst)
{
	int			i = 0;
	int			o = 0;

	while (i < n)
	{
		int			start = i;

		if (src[i] == 0)
		{
			while (i < n && src[i] == 0 && i - start < 128)
				i++;
			dst[o++] = (uint8) (0x80 | (i - start - 1));
		}
		else
		{
			/* Literal bytes up to a run of two zeros (a lone zero stays in). */
			while (i < n && i - start < 128 &&
				   !(src[i] == 0 && i + 1 < n && src[i + 1] == 0))
				i++;
			dst[o++] = (uint8) (i - start - 1);
			memcpy(dst + o, src + start, i - start);
			o += i - start;
		}
	}
	return o;
}

/* The reverse; returns the decoded length. */
static int
gf_spool_unpack(const uint8 *src, int n, uint8 *dst, int dstmax)
{
	int			i = 0;
	int			o = 0;

	while (i < n)
	{
		uint8		c = src[i++];
		int			len = (c & 0x7f) + 1;

		if (o + len > dstmax)
			elog(ERROR, "goflow2plus spool: corrupt record");
		if (c & 0x80)
			memset(dst + o, 0, len);
		else
		{
			memcpy(dst + o, src + i, len);
			i += len;
		}
		o += len;
	}
	return o;
}

/* Append one raw record of the given kind, encoded. */
static bool
gf_spool_put(GfSpool *s, GfSpoolKind kind, const uint8 *raw, int rawlen)
{
	uint8		enc[GF_SPOOL_ENC_MAX];
	int			enclen = gf_spool_pack(raw, rawlen, enc);
	Size		need = GF_SPOOL_REC_HDR + (Size) enclen;
	GfSpoolChunk *c = s->tail;
	uint16		len16 = (uint16) enclen;

	if (c == NULL || c->size - c->used < need)
	{
		Size		alloc = Min((Size) GF_SPOOL_CHUNK, s->limit);

		if (alloc < offsetof(GfSpoolChunk, data) + need ||
			s->bytes + alloc > s->limit)
			return false;
		c = (GfSpoolChunk *) MemoryContextAllocExtended(s->ctx, alloc,
														MCXT_ALLOC_NO_OOM);
		if (c == NULL)
			return false;
		c->next = NULL;
		c->alloc = alloc;
		c->size = alloc - offsetof(GfSpoolChunk, data);
		c->used = 0;
		c->read = 0;
		if (s->tail)
			s->tail->next = c;
		else
			s->head = c;
		s->tail = c;
		s->bytes += alloc;
	}
	c->data[c->used] = (uint8) kind;
	memcpy(&c->data[c->used + 1], &len16, sizeof(len16));
	memcpy(&c->data[c->used + GF_SPOOL_REC_HDR], enc, enclen);
	c->used += need;
	s->nrecords++;
	return true;
}

bool
gf_spool_put_flow(GfSpool *s, const gf_flow *f)
{
	uint8		raw[GF_SPOOL_RAW_MAX];
	uint16		nas = Min(f->n_as_path, GF_MAX_AS_PATH);
	uint16		ncom = Min(f->n_communities, GF_MAX_COMMUNITIES);
	uint16		nmpls = Min(f->n_mpls, GF_MAX_MPLS);
	Size		o = GF_SPOOL_FLOW_FIXED;

	/* The fixed part, then only the used part of each array. */
	memcpy(raw, f, GF_SPOOL_FLOW_FIXED);
	memcpy(raw + offsetof(gf_flow, n_as_path), &nas, sizeof(nas));
	memcpy(raw + offsetof(gf_flow, n_communities), &ncom, sizeof(ncom));
	memcpy(raw + offsetof(gf_flow, n_mpls), &nmpls, sizeof(nmpls));
	memcpy(raw + o, f->as_path, sizeof(uint32) * nas);
	o += sizeof(uint32) * nas;
	memcpy(raw + o, f->bgp_communities, sizeof(uint32) * ncom);
	o += sizeof(uint32) * ncom;
	memcpy(raw + o, f->mpls_label, sizeof(uint32) * nmpls);
	o += sizeof(uint32) * nmpls;
	/* Custom mapped values, when there are: entries, then their bytes. */
	if (f->n_extra > 0)
	{
		gf_flow		tmp;
		const gf_flow_extra *last;
		Size		used;

		tmp.n_extra = 0;
		gf_flow_copy_extra(&tmp, f);
		last = &tmp.extra[tmp.n_extra - 1];
		used = Min((Size) last->off + last->name_len + last->len, GF_EXTRA_BYTES);
		raw[offsetof(gf_flow, n_extra)] = tmp.n_extra;
		memcpy(raw + o, tmp.extra, sizeof(gf_flow_extra) * tmp.n_extra);
		o += sizeof(gf_flow_extra) * tmp.n_extra;
		memcpy(raw + o, tmp.extra_buf, used);
		o += used;
	}
	return gf_spool_put(s, GF_SPOOL_FLOW, raw, (int) o);
}

bool
gf_spool_put_ifcounters(GfSpool *s, const gf_ifcounters *c)
{
	return gf_spool_put(s, GF_SPOOL_IFCOUNTERS, (const uint8 *) c,
						(int) sizeof(gf_ifcounters));
}

bool
gf_spool_put_drop(GfSpool *s, const gf_drop_sample *d)
{
	GfDropRow	row;

	/* The header is copied here: d points into a datagram buffer. */
	gf_drop_row_fill(&row, d);
	return gf_spool_put(s, GF_SPOOL_DROP, (const uint8 *) &row,
						(int) (offsetof(GfDropRow, header) + row.header_len));
}

/* Decode the record at the head chunk's read position into the writer. */
static void
gf_spool_take(GfSpoolChunk *c, GfWriter *w)
{
	uint8		raw[GF_SPOOL_RAW_MAX];
	uint8		kind = c->data[c->read];
	uint16		len16;
	int			rawlen;

	memcpy(&len16, &c->data[c->read + 1], sizeof(len16));
	rawlen = gf_spool_unpack(&c->data[c->read + GF_SPOOL_REC_HDR], len16,
							 raw, sizeof(raw));
	c->read += GF_SPOOL_REC_HDR + len16;

	switch (kind)
	{
		case GF_SPOOL_FLOW:
			{
				gf_flow		f;
				Size		o = GF_SPOOL_FLOW_FIXED;

				memcpy(&f, raw, GF_SPOOL_FLOW_FIXED);
				memcpy(f.as_path, raw + o, sizeof(uint32) * f.n_as_path);
				o += sizeof(uint32) * f.n_as_path;
				memcpy(f.bgp_communities, raw + o, sizeof(uint32) * f.n_communities);
				o += sizeof(uint32) * f.n_communities;
				memcpy(f.mpls_label, raw + o, sizeof(uint32) * f.n_mpls);
				o += sizeof(uint32) * f.n_mpls;
				if (f.n_extra > 0 && f.n_extra <= GF_MAX_EXTRA &&
					(Size) rawlen >= o + sizeof(gf_flow_extra) * f.n_extra)
				{
					memcpy(f.extra, raw + o, sizeof(gf_flow_extra) * f.n_extra);
					o += sizeof(gf_flow_extra) * f.n_extra;
					memcpy(f.extra_buf, raw + o, Min(rawlen - o, GF_EXTRA_BYTES));
				}
				else
					f.n_extra = 0;
				(void) gf_writer_add_flow(w, &f);
				break;
			}
		case GF_SPOOL_IFCOUNTERS:
			{
				gf_ifcounters ic;

				Assert(rawlen == (int) sizeof(ic));
				memcpy(&ic, raw, sizeof(ic));
				(void) gf_writer_add_ifcounters(w, &ic);
				break;
			}
		case GF_SPOOL_DROP:
			{
				GfDropRow	row;

				memcpy(&row, raw, rawlen);
				(void) gf_writer_add_drop_row(w, &row);
				break;
			}
		default:
			elog(ERROR, "goflow2plus spool: unknown record kind %d", kind);
	}
}

/* Free the head chunk once everything in it was read. */
static void
gf_spool_pop_chunk(GfSpool *s)
{
	GfSpoolChunk *c = s->head;

	s->head = c->next;
	if (s->head == NULL)
		s->tail = NULL;
	s->bytes -= c->alloc;
	pfree(c);
}

int
gf_spool_refill(GfSpool *s, GfWriter *w, int n)
{
	int			moved = 0;

	while (moved < n && s->head != NULL)
	{
		if (s->head->read >= s->head->used)
		{
			gf_spool_pop_chunk(s);
			continue;
		}
		gf_spool_take(s->head, w);
		s->nrecords--;
		moved++;
	}
	/* Give back a chunk emptied by the last record taken. */
	if (s->head != NULL && s->head->read >= s->head->used)
		gf_spool_pop_chunk(s);
	return moved;
}

void
gf_spool_clear(GfSpool *s)
{
	while (s->head != NULL)
		gf_spool_pop_chunk(s);
	s->nrecords = 0;
}
