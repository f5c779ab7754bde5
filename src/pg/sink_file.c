/*
 * sink_file.c
 *    The file sink (goflow2plus.transport_file, GoFlow2+'s
 *    -transport.file): encoded flows appended to one file, JSON lines or
 *    length-delimited bin, for log pipelines that tail it.
 *
 *    Flows are gathered in a buffer of whole records and written with one
 *    write() per receive pass (or when the buffer is full).  The file is
 *    opened with O_APPEND, so several workers may share one path: each
 *    write lands whole at the end, never inside another worker's.
 *
 *    Rotation: a reload (SIGHUP) writes the buffer to the file in hand,
 *    closes it, and opens the path again, so "mv flows.json flows.json.1;
 *    pg_ctl reload" starts a new file.  A write that fails (a full disk, a
 *    removed folder, a file system gone read-only) counts the buffer's
 *    records in file_errors, is logged at most once per 10 s, and never
 *    ends the worker; an open that fails is retried every tick.
 */
#include "postgres.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "gf_clock.h"
#include "common/file_perm.h"
#include "storage/fd.h"
#include "utils/memutils.h"

#include "sinks.h"

#define FS_BUFSIZE			(256 * 1024)
#define FS_LOG_INTERVAL_MS	10000

struct GfFileSink
{
	int			slotno;
	bool		lines;			/* JSON: a newline after each record */
	int			fd;				/* -1: not open */
	char	   *path;			/* as last asked for */
	uint8	   *buf;
	size_t		len;
	uint64		records;		/* in buf */
	uint64		written;
	uint64		errors;
	int64		log_ms;			/* last error logged */
	uint64		unlogged;		/* errors since */
	bool		open_failed;	/* logged; retried each tick */
};

#define fs_now_ms() gf_monotonic_ms()

GfFileSink *
gf_file_sink_create(int slotno, bool lines)
{
	GfFileSink *fs = MemoryContextAllocZero(TopMemoryContext, sizeof(GfFileSink));

	fs->slotno = slotno;
	fs->lines = lines;
	fs->fd = -1;
	fs->buf = MemoryContextAlloc(TopMemoryContext, FS_BUFSIZE);
	return fs;
}

/* Count n lost records; log the cause unless one was logged lately. */
static void
fs_error(GfFileSink *fs, uint64 n, const char *what, int err)
{
	int64		now = fs_now_ms();

	fs->errors += n;
	if (fs->log_ms != 0 && now - fs->log_ms < FS_LOG_INTERVAL_MS)
	{
		fs->unlogged += n;
		return;
	}
	errno = err;
	ereport(LOG,
			(errcode_for_file_access(),
			 errmsg("goflow2plus worker %d: could not %s file sink \"%s\": %m",
					fs->slotno, what, fs->path ? fs->path : ""),
			 errdetail("%llu records lost now, %llu more since the last message; all are counted in file_errors.",
					   (unsigned long long) n, (unsigned long long) fs->unlogged),
			 errhint("The worker keeps receiving; free space or fix goflow2plus.transport_file and reload.")));
	fs->log_ms = now;
	fs->unlogged = 0;
}

void
gf_file_sink_flush(GfFileSink *fs)
{
	size_t		done = 0;

	if (fs->len == 0)
		return;
	if (fs->fd < 0)
	{
		/* Nowhere to write (logged when the open failed). */
		fs->errors += fs->records;
		fs->len = 0;
		fs->records = 0;
		return;
	}
	while (done < fs->len)
	{
		ssize_t		n = write(fs->fd, fs->buf + done, fs->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			/* Some records may be partly written: all count as lost. */
			fs_error(fs, fs->records, "write to", n < 0 ? errno : ENOSPC);
			fs->len = 0;
			fs->records = 0;
			return;
		}
		done += (size_t) n;
	}
	fs->written += fs->records;
	fs->len = 0;
	fs->records = 0;
}

void
gf_file_sink_open(GfFileSink *fs, const char *path)
{
	gf_file_sink_flush(fs);
	if (fs->fd >= 0)
	{
		close(fs->fd);
		fs->fd = -1;
	}
	if (fs->path == NULL || strcmp(fs->path, path) != 0)
	{
		if (fs->path)
			pfree(fs->path);
		fs->path = MemoryContextStrdup(TopMemoryContext, path);
	}
	if (path[0] == '\0')
	{
		if (!fs->open_failed)
			ereport(LOG,
					(errmsg("goflow2plus worker %d: goflow2plus.transport lists \"file\" but goflow2plus.transport_file is empty; flows for the file are counted in file_errors",
							fs->slotno)));
		fs->open_failed = true;
		return;
	}
	/* Not a transaction's file: it lives as long as the worker. */
	fs->fd = BasicOpenFilePerm(path, O_WRONLY | O_APPEND | O_CREAT | PG_BINARY,
							   pg_file_create_mode);
	if (fs->fd < 0)
	{
		if (!fs->open_failed)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("goflow2plus worker %d: could not open file sink \"%s\": %m",
							fs->slotno, path),
					 errdetail("Flows for the file are counted in file_errors; the open is retried every second.")));
		fs->open_failed = true;
		return;
	}
	if (fs->open_failed)
		ereport(LOG,
				(errmsg("goflow2plus worker %d: writing flows to \"%s\"", fs->slotno, path)));
	fs->open_failed = false;
}

void
gf_file_sink_put(GfFileSink *fs, const uint8 *data, size_t len)
{
	size_t		need = len + (fs->lines ? 1 : 0);

	if (fs->len + need > FS_BUFSIZE)
		gf_file_sink_flush(fs);
	if (need > FS_BUFSIZE)
	{
		fs->errors++;
		return;
	}
	memcpy(fs->buf + fs->len, data, len);
	fs->len += len;
	if (fs->lines)
		fs->buf[fs->len++] = '\n';
	fs->records++;
}

void
gf_file_sink_tick(GfFileSink *fs)
{
	if (fs->fd < 0 && fs->path != NULL && fs->path[0] != '\0')
		gf_file_sink_open(fs, fs->path);
}

void
gf_file_sink_counts(GfFileSink *fs, uint64 *written, uint64 *errors)
{
	*written = fs->written;
	*errors = fs->errors;
}
