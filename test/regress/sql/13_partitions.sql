-- Partitions of goflow2plus.flows and the rollup tables, without the
-- maintenance worker (none runs in this instance): the steps it takes are
-- called by hand.  Rows written before any partition exists go to the
-- default partition; making their partition moves them; the writer routes
-- later rows straight to it; expired partitions are found and dropped;
-- the rollups' sums equal the raw rows'.  Partition names hold the time,
-- so they are counted rather than shown.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SET TimeZone = 'UTC';
TRUNCATE goflow2plus.flows, goflow2plus.flows_1m, goflow2plus.flows_5m, goflow2plus.flows_1h;

SELECT goflow2plus.decode_reset();

-- Settings as installed.
SELECT name, setting, unit FROM pg_settings
 WHERE name IN ('goflow2plus.partition_width', 'goflow2plus.partition_ahead',
                'goflow2plus.retention', 'goflow2plus.rollups',
                'goflow2plus.rollup_1m_retention', 'goflow2plus.rollup_5m_retention',
                'goflow2plus.rollup_1h_retention', 'goflow2plus.maintenance_interval')
 ORDER BY name;

-- 1. No partition but the default: rows land there.
SELECT partition, range_start, range_end, is_default FROM goflow2plus.partitions();
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 5, 4);
-- And one row of three hours ago (an INSERT of the user's).
INSERT INTO goflow2plus.flows (type, time_received) VALUES ('x', now() - interval '3 hours');
SELECT tableoid::regclass AS part, count(*) FROM goflow2plus.flows GROUP BY 1;

-- 2. The current partition and two ahead, and one for the hour of the
-- old row; the default's rows move into them.
SELECT goflow2plus._partitions_create() AS made;
SELECT goflow2plus._partitions_create() AS made_again;
SELECT count(*) FILTER (WHERE NOT is_default) AS partitions,
       count(*) FILTER (WHERE range_end - range_start = interval '1 hour') AS one_hour,
       bool_or(now() >= range_start AND now() < range_end) AS covers_now,
       bool_or(range_start > now() + interval '1 hour') AS two_ahead,
       bool_or(now() - interval '3 hours' >= range_start AND now() - interval '3 hours' < range_end) AS old_hour
  FROM goflow2plus.partitions();
SELECT count(*) AS left_in_default FROM goflow2plus.flows_default;
SELECT count(*) AS rows, count(*) FILTER (WHERE f.time_received >= p.range_start AND f.time_received < p.range_end) AS in_range
  FROM goflow2plus.flows f JOIN goflow2plus.partitions() p ON p.partition = f.tableoid;
-- Each partition is unlogged and has the parent's BRIN index.
SELECT c.relpersistence, count(*) AS partitions,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                                        JOIN pg_am a ON a.oid = ic.relam
                                       WHERE i.indrelid = c.oid AND a.amname = 'brin')) AS with_brin
  FROM goflow2plus.partitions() p JOIN pg_class c ON c.oid = p.partition GROUP BY 1;

DELETE FROM goflow2plus.flows WHERE type = 'x';
-- 3. The writer routes new rows to the partition of now, on the fast path.
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 50, 64);
SELECT count(*) AS rows, count(*) FILTER (WHERE NOT p.is_default AND f.time_received >= p.range_start AND f.time_received < p.range_end) AS in_range
  FROM goflow2plus.flows f JOIN goflow2plus.partitions() p ON p.partition = f.tableoid;

-- "The last 5 minutes" reads the partitions that can hold them only.
EXPLAIN (COSTS OFF) SELECT count(*) FROM goflow2plus.flows
 WHERE time_received > '2030-01-01'::timestamptz - interval '5 minutes';

-- 4. Rollups: per minute and key, the sums of the raw rows (bytes and
-- packets times the sampling rate), before and after merging.
CREATE FUNCTION pg_temp.rollup_differs(tab text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format($q$
    WITH raw AS (SELECT date_bin(%L, time_received, '2000-01-01') AS t, sampler_address, in_if, out_if,
                        src_as, dst_as, src_group, dst_group, proto, etype,
                        sum(bytes * coalesce(nullif(sampling_rate, 0), 1)) AS b,
                        sum(packets * coalesce(nullif(sampling_rate, 0), 1)) AS p, count(*) AS n
                   FROM goflow2plus.flows GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
         r AS (SELECT time_received, sampler_address, in_if, out_if, src_as, dst_as, src_group,
                      dst_group, proto, etype, sum(bytes), sum(packets), sum(flows)
                 FROM goflow2plus.%I GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
    SELECT (SELECT count(*) FROM (TABLE raw EXCEPT TABLE r) a) + (SELECT count(*) FROM (TABLE r EXCEPT TABLE raw) b)$q$,
    CASE tab WHEN 'flows_1m' THEN '1 minute' WHEN 'flows_5m' THEN '5 minutes' ELSE '1 hour' END, tab) INTO n;
  RETURN n;
END $$;
SELECT pg_temp.rollup_differs('flows_1m') AS differ_1m, pg_temp.rollup_differs('flows_5m') AS differ_5m,
       pg_temp.rollup_differs('flows_1h') AS differ_1h;
SELECT sum(flows) AS flows_1m FROM goflow2plus.flows_1m;
SELECT goflow2plus._rollups_maintain(now() + interval '3 hours') > 0 AS merged;
SELECT pg_temp.rollup_differs('flows_1m') AS differ_1m, pg_temp.rollup_differs('flows_5m') AS differ_5m,
       pg_temp.rollup_differs('flows_1h') AS differ_1h;
SELECT count(*) AS keys, count(DISTINCT (time_received, sampler_address, in_if, out_if, src_as, dst_as,
       src_group, dst_group, proto, etype)) AS distinct_keys FROM goflow2plus.flows_1m;
-- A rollup past its retention (7 days for 1 minute) is deleted.
SELECT goflow2plus._rollups_maintain(now() + interval '8 days') > 0 AS expired;
SELECT (SELECT count(*) FROM goflow2plus.flows_1m) AS rows_1m, (SELECT count(*) FROM goflow2plus.flows_5m) > 0 AS kept_5m;

-- 5. Expiry: eight days on, every partition made here is past the 7-day
-- retention; a partition someone else named is never a candidate.
CREATE UNLOGGED TABLE goflow2plus.flows_archive (LIKE goflow2plus.flows);
ALTER TABLE goflow2plus.flows ATTACH PARTITION goflow2plus.flows_archive
  FOR VALUES FROM ('2001-01-01') TO ('2001-01-02');
SELECT count(*) AS expired_now FROM goflow2plus._partitions_expired();
SELECT count(*) AS expired_in_8_days FROM goflow2plus._partitions_expired(now() + interval '8 days');
SELECT bool_and(goflow2plus._partition_drop(p)) AS dropped
  FROM goflow2plus._partitions_expired(now() + interval '8 days') p;
SELECT partition, is_default FROM goflow2plus.partitions();
DROP TABLE goflow2plus.flows_archive;
-- With only the default left, rows land there again.
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
SELECT tableoid::regclass AS part, count(*) FROM goflow2plus.flows GROUP BY 1;
TRUNCATE goflow2plus.flows, goflow2plus.flows_1m, goflow2plus.flows_5m, goflow2plus.flows_1h;

-- 6. interface_counters stays a plain table, but the writer routes any of
-- its tables a user partitions by time_received the same way: here a
-- partition for this hour and a default, and the counter rows of a sample
-- go straight into the hour's partition.
ALTER EXTENSION goflow2plus DROP TABLE goflow2plus.interface_counters;
ALTER TABLE goflow2plus.interface_counters RENAME TO interface_counters_plain;
CREATE TABLE goflow2plus.interface_counters (LIKE goflow2plus.interface_counters_plain)
  PARTITION BY RANGE (time_received);
CREATE TABLE goflow2plus.ic_default PARTITION OF goflow2plus.interface_counters DEFAULT;
\set ECHO none
SELECT format('CREATE TABLE goflow2plus.ic_now PARTITION OF goflow2plus.interface_counters FOR VALUES FROM (%L) TO (%L)',
              date_trunc('hour', now()) - interval '1 hour', date_trunc('hour', now()) + interval '2 hours') \gexec
\set ECHO all
SET client_min_messages = debug1;
SELECT goflow2plus._write_decoded(:'sflow_counters', :'sflow_counters_exporter');
RESET client_min_messages;
SELECT tableoid::regclass AS part, count(*) FROM goflow2plus.interface_counters GROUP BY 1;
DROP TABLE goflow2plus.interface_counters;
ALTER TABLE goflow2plus.interface_counters_plain RENAME TO interface_counters;
ALTER EXTENSION goflow2plus ADD TABLE goflow2plus.interface_counters;
