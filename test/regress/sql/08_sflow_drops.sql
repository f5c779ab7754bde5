-- sFlow discarded packet samples (format 5) through the workers' writer
-- (goflow2plus._write_decoded): one row each in goflow2plus.sflow_drops,
-- the header bytes copied, the parsed header columns, NULL header columns
-- for a sample without a header record; both writer paths; counts per
-- reason; decode() still returns no row for them.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
\d goflow2plus.sflow_drops
SELECT relpersistence FROM pg_class WHERE oid = 'goflow2plus.sflow_drops'::regclass;
SELECT goflow2plus.decode_reset();
-- decode() returns flows only: a datagram of drop samples gives no row.
SELECT count(*) FROM goflow2plus.decode(:'sflow_drop', :'sflow_drop_exporter');
TRUNCATE goflow2plus.sflow_drops;
SELECT clock_timestamp() AS before_write \gset
SELECT goflow2plus._write_decoded(:'sflow_drop', :'sflow_drop_exporter');
CREATE TEMP TABLE got AS
SELECT 'sflow_drop'::text AS fixture, row_number() OVER (ORDER BY sequence_num) AS rec,
       time_received BETWEEN :'before_write' AND statement_timestamp() AS received_now, d.*
  FROM goflow2plus.sflow_drops d;
ALTER TABLE got DROP COLUMN time_received;
\x on
SELECT * FROM got ORDER BY rec;
\x off
DROP TABLE got;
-- Many datagrams, small batches (the header copy must survive each flush),
-- then the general path (a BEFORE trigger that skips reason 257 rows:
-- the writer counts only what was inserted).
SELECT goflow2plus._write_decoded(:'sflow_drop', :'sflow_drop_exporter', 50, 7);
SELECT reason, count(*), count(header) AS with_header,
       count(DISTINCT header) AS distinct_headers, min(length(header)) AS header_bytes
  FROM goflow2plus.sflow_drops GROUP BY reason ORDER BY reason;
CREATE FUNCTION pg_temp.skip_ttl() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN IF NEW.reason = 257 THEN RETURN NULL; END IF; RETURN NEW; END$$;
CREATE TRIGGER skip_ttl BEFORE INSERT ON goflow2plus.sflow_drops
    FOR EACH ROW EXECUTE FUNCTION pg_temp.skip_ttl();
SELECT goflow2plus._write_decoded(:'sflow_drop', :'sflow_drop_exporter', 3, 4);
DROP TRIGGER skip_ttl ON goflow2plus.sflow_drops;
SELECT reason, count(*) FROM goflow2plus.sflow_drops GROUP BY reason ORDER BY reason;
SELECT count(DISTINCT to_jsonb(d) - 'time_received') AS distinct_rows
  FROM goflow2plus.sflow_drops d;
-- Flows and drops go to their own tables.
TRUNCATE goflow2plus.sflow_drops, goflow2plus.flows;
SELECT goflow2plus._write_decoded(:'sflow_flow', :'sflow_flow_exporter', 1, 100);
SELECT goflow2plus._write_decoded(:'sflow_drop', :'sflow_drop_exporter', 1, 100);
SELECT (SELECT count(*) FROM goflow2plus.flows) AS flows,
       (SELECT count(*) FROM goflow2plus.sflow_drops) AS drops;
TRUNCATE goflow2plus.sflow_drops, goflow2plus.flows;
