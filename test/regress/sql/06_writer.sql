-- The table writer the workers use, driven through the internal hook
-- goflow2plus._write_decoded(payload, exporter, repeat, batch_size).
-- DEBUG1 messages show which path each flush took: the heap multi-insert
-- for the table as installed, the executor INSERT as soon as the table
-- has an index, a trigger, a constraint or a column of its own.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT goflow2plus.decode_reset();
TRUNCATE goflow2plus.flows, goflow2plus.interface_counters;

-- decode() feeds a plain INSERT too.
INSERT INTO goflow2plus.flows SELECT * FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter');
SELECT count(*) FROM goflow2plus.flows;
TRUNCATE goflow2plus.flows;

-- A reference copy of the rows decode() gives, to compare the writer's with.
CREATE TEMP TABLE ref AS
SELECT * FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter');
CREATE FUNCTION pg_temp.rows_differ() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM (
    SELECT type, time_flow_start, time_flow_end, sequence_num, sampling_rate,
           sampler_address, bytes, packets, src_addr, dst_addr, etype, proto,
           src_port, dst_port, in_if, out_if, src_mac, dst_mac, ip_tos,
           tcp_flags, src_as, dst_as, next_hop, src_net, dst_net
      FROM goflow2plus.flows
    EXCEPT
    SELECT type, time_flow_start, time_flow_end, sequence_num, sampling_rate,
           sampler_address, bytes, packets, src_addr, dst_addr, etype, proto,
           src_port, dst_port, in_if, out_if, src_mac, dst_mac, ip_tos,
           tcp_flags, src_as, dst_as, next_hop, src_net, dst_net
      FROM pg_temp.ref) x
$$;

-- 1. Fast path: 2 records x 3 in batches of 4 (one full flush + the rest),
-- then x 497 in batches of 64: 1000 rows in all.
SET client_min_messages = debug1;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 3, 4);
RESET client_min_messages;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 497, 64);
SELECT count(*), sum(bytes), count(DISTINCT src_addr), pg_temp.rows_differ() AS differ
  FROM goflow2plus.flows;

-- Every column of every row is what decode() gives, here for IPFIX records
-- (IPv6, MACs, 64-bit counters, flow label): 600 rows in batches of 64.
TRUNCATE goflow2plus.flows;
SELECT count(*) FROM goflow2plus.decode(:'ipfix_templates', :'ipfix_templates_exporter');
SELECT goflow2plus._write_decoded(:'ipfix_data', :'ipfix_data_exporter', 300, 64);
SELECT count(*), count(DISTINCT to_jsonb(f) - 'time_received') AS distinct_rows,
       count(*) FILTER (WHERE (to_jsonb(f) - 'time_received') NOT IN
           (SELECT to_jsonb(d) - 'time_received'
              FROM goflow2plus.decode(:'ipfix_data', :'ipfix_data_exporter') d)) AS not_as_decoded
  FROM goflow2plus.flows f;
TRUNCATE goflow2plus.flows;

-- A datagram with more records than the batch size: the writer's buffer
-- grows (a worker flushes only between datagrams), nothing is lost.
TRUNCATE goflow2plus.flows;
SET client_min_messages = debug1;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 2, 1);
RESET client_min_messages;
SELECT count(*), pg_temp.rows_differ() AS differ FROM goflow2plus.flows;
TRUNCATE goflow2plus.flows;

-- 2. An index: the writer must maintain it.
CREATE INDEX flows_src ON goflow2plus.flows (src_addr);
SET client_min_messages = debug1;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 2, 4);
RESET client_min_messages;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 96, 64);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM goflow2plus.flows WHERE src_addr = '10.1.2.3';
SELECT count(*) AS via_index FROM goflow2plus.flows WHERE src_addr = '10.1.2.3';
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) AS via_heap FROM goflow2plus.flows WHERE src_addr::text = '10.1.2.3/32';
-- A partial expression index is maintained too.
CREATE INDEX flows_expr ON goflow2plus.flows ((bytes / packets)) WHERE proto = 6;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 10, 4);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM goflow2plus.flows WHERE bytes / packets = 288 AND proto = 6;
SELECT count(*) AS via_index FROM goflow2plus.flows WHERE bytes / packets = 288 AND proto = 6;
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) AS via_heap FROM goflow2plus.flows WHERE (bytes / packets)::text = '288' AND proto::text = '6';
DROP INDEX goflow2plus.flows_expr;
-- A unique index is enforced.
TRUNCATE goflow2plus.flows;
-- (On a partition: one on the partitioned table would have to hold
-- time_received; no partition is made here, so rows go to the default.)
CREATE UNIQUE INDEX flows_uniq ON goflow2plus.flows_default (sequence_num, src_addr);
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
\set VERBOSITY terse
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
\set VERBOSITY default
SELECT count(*) FROM goflow2plus.flows;
DROP INDEX goflow2plus.flows_uniq;
DROP INDEX goflow2plus.flows_src;

-- 3. Dropping the indexes brings the fast path back.
TRUNCATE goflow2plus.flows;
SET client_min_messages = debug1;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
RESET client_min_messages;

TRUNCATE goflow2plus.flows;
-- 4. Triggers: a BEFORE trigger that changes and filters rows, an AFTER
-- trigger that counts them, a statement trigger.
CREATE TABLE trig_log (what text, n int);
CREATE FUNCTION pg_temp.before_flow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.proto = 1 THEN RETURN NULL; END IF;    -- drop ICMP
  NEW.in_if := NEW.in_if + 1000;
  RETURN NEW;
END $$;
CREATE FUNCTION pg_temp.after_flow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO trig_log VALUES ('row ' || NEW.src_addr, NEW.in_if);
  RETURN NULL;
END $$;
CREATE FUNCTION pg_temp.after_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO trig_log VALUES ('statement', NULL);
  RETURN NULL;
END $$;
CREATE TRIGGER b BEFORE INSERT ON goflow2plus.flows FOR EACH ROW EXECUTE FUNCTION pg_temp.before_flow();
CREATE TRIGGER a AFTER INSERT ON goflow2plus.flows FOR EACH ROW EXECUTE FUNCTION pg_temp.after_flow();
CREATE TRIGGER s AFTER INSERT ON goflow2plus.flows FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.after_stmt();
SET client_min_messages = debug1;
-- 2 records x 3, batches of 4: two flushes; the ICMP record is dropped.
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 3, 4) AS written;
RESET client_min_messages;
SELECT src_addr, in_if, count(*) FROM goflow2plus.flows GROUP BY 1, 2 ORDER BY 1;
SELECT what, n, count(*) FROM trig_log GROUP BY 1, 2 ORDER BY 1;
DROP TRIGGER b ON goflow2plus.flows;
DROP TRIGGER a ON goflow2plus.flows;
DROP TRIGGER s ON goflow2plus.flows;
DROP TABLE trig_log;
-- Without triggers the fast path is back.
SET client_min_messages = debug1;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
RESET client_min_messages;

-- 5. A CHECK constraint is checked (and a failing batch writes nothing).
TRUNCATE goflow2plus.flows;
ALTER TABLE goflow2plus.flows ADD CONSTRAINT small_flows CHECK (bytes < 1000);
-- (terse: the failing row's time_received changes from run to run)
\set VERBOSITY terse
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
\set VERBOSITY default
SELECT count(*) FROM goflow2plus.flows;
ALTER TABLE goflow2plus.flows DROP CONSTRAINT small_flows;
-- So is a NOT NULL the writer cannot always fill.
ALTER TABLE goflow2plus.flows ALTER COLUMN src_mac SET NOT NULL;
-- (terse: the failing row's time_received changes from run to run)
\set VERBOSITY terse
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
\set VERBOSITY default
ALTER TABLE goflow2plus.flows ALTER COLUMN src_mac DROP NOT NULL;

-- 6. A column of the user's own gets its default; dropped columns are
-- skipped; columns are found by name.
ALTER TABLE goflow2plus.flows ADD COLUMN note text DEFAULT 'from the writer';
SET client_min_messages = debug1;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
RESET client_min_messages;
SELECT note, count(*) FROM goflow2plus.flows GROUP BY note;
ALTER TABLE goflow2plus.flows DROP COLUMN note;
-- A missing column of ours is an error that names it.
ALTER TABLE goflow2plus.flows DROP COLUMN vxlan_vni;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
-- ... and so is a changed type.
ALTER TABLE goflow2plus.flows ADD COLUMN vxlan_vni int;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
ALTER TABLE goflow2plus.flows DROP COLUMN vxlan_vni;
ALTER TABLE goflow2plus.flows ADD COLUMN vxlan_vni bigint;
-- Back in business, with a dropped column in the middle of the row.
TRUNCATE goflow2plus.flows;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
SELECT pg_temp.rows_differ() AS differ;

-- 7. The table is looked up by name at every flush: DROP/CREATE
-- EXTENSION between two flushes of the same session writer.
DROP EXTENSION goflow2plus;
CREATE EXTENSION goflow2plus;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
CREATE INDEX ON goflow2plus.flows (dst_addr);
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
DROP EXTENSION goflow2plus;
CREATE EXTENSION goflow2plus;
CREATE INDEX ON goflow2plus.flows (dst_addr);
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
SELECT count(*) FROM goflow2plus.flows;

-- 8. goflow2plus.flows replaced by a partitioned table: rows are routed.
ALTER TABLE goflow2plus.flows RENAME TO flows_as_installed;
CREATE TABLE goflow2plus.flows (LIKE goflow2plus.flows_as_installed) PARTITION BY LIST (proto);
CREATE TABLE goflow2plus.flows_tcp PARTITION OF goflow2plus.flows FOR VALUES IN (6);
CREATE TABLE goflow2plus.flows_other PARTITION OF goflow2plus.flows DEFAULT;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter', 5, 3);
SELECT tableoid::regclass, proto, count(*) FROM goflow2plus.flows GROUP BY 1, 2 ORDER BY 1;
DROP TABLE goflow2plus.flows;
ALTER TABLE goflow2plus.flows_as_installed RENAME TO flows;

-- 8b. A rule that sends the rows elsewhere is obeyed.
TRUNCATE goflow2plus.flows;
CREATE TABLE redirected (LIKE goflow2plus.flows);
CREATE RULE redirect AS ON INSERT TO goflow2plus.flows DO INSTEAD
  INSERT INTO redirected SELECT NEW.*;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
SELECT (SELECT count(*) FROM goflow2plus.flows) AS in_flows,
       (SELECT count(*) FROM redirected) AS redirected;
DROP RULE redirect ON goflow2plus.flows;
DROP TABLE redirected;

-- 8c. Row-level security applies to a role that is not a superuser.
CREATE ROLE regress_gf_writer;
GRANT USAGE ON SCHEMA goflow2plus TO regress_gf_writer;
GRANT INSERT, SELECT ON goflow2plus.flows TO regress_gf_writer;
-- The writer adds each batch's sums to the rollup tables too.
GRANT INSERT ON goflow2plus.flows_1m, goflow2plus.flows_5m, goflow2plus.flows_1h TO regress_gf_writer;
GRANT EXECUTE ON FUNCTION goflow2plus._write_decoded(bytea, inet, int, int) TO regress_gf_writer;
ALTER TABLE goflow2plus.flows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tcp_only ON goflow2plus.flows FOR INSERT TO regress_gf_writer WITH CHECK (proto = 6);
CREATE POLICY see_all ON goflow2plus.flows FOR SELECT TO regress_gf_writer USING (true);
SET ROLE regress_gf_writer;
-- The ICMP record fails the policy, so the batch fails as an INSERT would.
\set VERBOSITY terse
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
\set VERBOSITY default
SELECT count(*) FROM goflow2plus.flows;
RESET ROLE;
-- A policy both records pass: both are written.
ALTER POLICY tcp_only ON goflow2plus.flows WITH CHECK (proto IN (1, 6));
SET ROLE regress_gf_writer;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
RESET ROLE;
ALTER TABLE goflow2plus.flows DISABLE ROW LEVEL SECURITY;
DROP POLICY tcp_only ON goflow2plus.flows;
DROP POLICY see_all ON goflow2plus.flows;
-- Without INSERT privilege the writer refuses.
REVOKE INSERT ON goflow2plus.flows FROM regress_gf_writer;
SET ROLE regress_gf_writer;
SELECT goflow2plus._write_decoded(:'nf5_two', :'nf5_two_exporter');
RESET ROLE;
REVOKE ALL ON goflow2plus.flows, goflow2plus.flows_1m, goflow2plus.flows_5m, goflow2plus.flows_1h FROM regress_gf_writer;
REVOKE ALL ON FUNCTION goflow2plus._write_decoded(bytea, inet, int, int) FROM regress_gf_writer;
REVOKE ALL ON SCHEMA goflow2plus FROM regress_gf_writer;
DROP ROLE regress_gf_writer;
TRUNCATE goflow2plus.flows;

-- 9. sFlow counter samples go to interface_counters, every counter as sent.
SELECT clock_timestamp() AS before_write \gset
SELECT goflow2plus._write_decoded(:'sflow_counters', :'sflow_counters_exporter');
CREATE TEMP TABLE got AS
SELECT 'sflow_counters'::text AS fixture, 1 AS rec,
       time_received BETWEEN :'before_write' AND statement_timestamp() AS received_now, c.*
  FROM goflow2plus.interface_counters c;
ALTER TABLE got DROP COLUMN time_received;
\x on
SELECT * FROM got;
\x off
-- The same through the general path (an index on interface_counters).
CREATE INDEX ON goflow2plus.interface_counters (if_index);
SELECT goflow2plus._write_decoded(:'sflow_counters', :'sflow_counters_exporter');
SELECT count(DISTINCT to_jsonb(c) - 'time_received') AS distinct_rows, count(*) FROM goflow2plus.interface_counters c;

-- 10. Bad arguments and bad payloads.
SELECT goflow2plus._write_decoded(:'nf5_two', '127.0.0.1', 1, 0);
SELECT goflow2plus._write_decoded(:'nf5_bogus_count');
