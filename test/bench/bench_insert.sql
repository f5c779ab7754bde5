-- bench_insert.sql: rows/s of the table writer's two paths, through the
-- internal hook goflow2plus._write_decoded (the same GfWriter a worker
-- uses, batches of 1000, one transaction per statement here).
--
-- Run from the repository root against a scratch database that has the
-- extension (shared_preload_libraries = 'goflow2plus', goflow2plus.listen = ''):
--   psql -X -d DB -v rows=200000 -f test/bench/bench_insert.sql
-- Each case runs three times; the flows table is truncated before each run.
--
-- Measured 2026-11-26 (2 cores, PostgreSQL 15.20, shared_buffers 128MB,
-- machine busy with fuzzers: load average 4-5, so treat as lower bounds),
-- rows=1000000, best of 3, rows/s:
--   fast: heap multi-insert                 v5 row 1.07-1.57 M   IPFIX row 0.72-1.10 M
--   heap multi-insert + 1 btree index       v5 row 0.71 M
--   general: SPI INSERT ... unnest(rows)    v5 row 0.72-0.75 M   IPFIX row 0.53 M
--   reference: COPY FROM binary file        v5 row 0.34-0.38 M
\set QUIET on
\set ECHO none
\i test/regress/fixtures/packets.sql
\if :{?rows}
\else
\set rows 200000
\endif
SELECT goflow2plus.decode_reset();
SELECT count(*) FROM goflow2plus.decode(:'ipfix_templates', :'ipfix_templates_exporter');
CREATE TEMP TABLE bench (path text, record text, rows bigint, secs float8);


\set pkt_name nf5_two
\set pkt :nf5_two
\set exp :nf5_two_exporter
\set label 'fast: heap multi-insert'
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));

\set pkt_name ipfix_data
\set pkt :ipfix_data
\set exp :ipfix_data_exporter
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));

-- General path, forced by a user column (no index: the path's own cost).
ALTER TABLE goflow2plus.flows ADD COLUMN bench_note text;
\set label 'general: SPI INSERT ... unnest(rows)'
\set pkt_name nf5_two
\set pkt :nf5_two
\set exp :nf5_two_exporter
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
\set pkt_name ipfix_data
\set pkt :ipfix_data
\set exp :ipfix_data_exporter
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
ALTER TABLE goflow2plus.flows DROP COLUMN bench_note;

-- One btree index: heap multi-insert + index inserts (what a user who adds
-- an index pays).
CREATE INDEX bench_idx ON goflow2plus.flows (src_addr);
\set label 'heap multi-insert + 1 btree index'
\set pkt_name nf5_two
\set pkt :nf5_two
\set exp :nf5_two_exporter
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
SELECT goflow2plus._write_decoded(:'pkt', :'exp', :rows / 2, 1000) AS n \gset
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
DROP INDEX goflow2plus.bench_idx;

-- For comparison: COPY FROM a binary file of the same rows (what a
-- CopyFrom-based writer could reach at best: no datum building counted).
TRUNCATE goflow2plus.flows;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', :rows / 2, 1000) AS n \gset
\set label 'reference: COPY FROM binary file'
\set pkt_name nf5_two
COPY goflow2plus.flows TO '/tmp/gf_bench_flows.bin' (FORMAT binary);
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
COPY goflow2plus.flows FROM '/tmp/gf_bench_flows.bin' (FORMAT binary);
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
COPY goflow2plus.flows FROM '/tmp/gf_bench_flows.bin' (FORMAT binary);
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows; SELECT clock_timestamp() AS t0 \gset
COPY goflow2plus.flows FROM '/tmp/gf_bench_flows.bin' (FORMAT binary);
INSERT INTO bench VALUES (:'label', :'pkt_name', :n, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz));
TRUNCATE goflow2plus.flows;

\set QUIET off
SELECT path, record, rows,
       round(min(secs)::numeric, 3) AS best_s,
       round((rows / min(secs))::numeric) AS best_rows_per_s,
       round((rows / percentile_cont(0.5) WITHIN GROUP (ORDER BY secs))::numeric) AS median_rows_per_s
  FROM bench GROUP BY path, record, rows ORDER BY path, record;
