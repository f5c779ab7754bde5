-- sFlow v5 through goflow2plus.decode(): a flow sample whose raw packet
-- header (802.1Q, IPv4, TCP) and extended gateway record (AS path,
-- communities: the array columns) fill one row; the sample's interface
-- formats go to in_if_format/out_if_format.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT goflow2plus.decode_reset();
CREATE TEMP TABLE got AS
SELECT 'sflow_flow'::text AS fixture, row_number() OVER () AS rec,
       d.time_received = statement_timestamp() AS received_now, d.*
  FROM goflow2plus.decode(:'sflow_flow', :'sflow_flow_exporter') d;
ALTER TABLE got DROP COLUMN time_received;
\x on
SELECT * FROM got ORDER BY rec;
\x off
DROP TABLE got;
-- The arrays are bigint[]: 32-bit ASNs and communities above 2^31 stay positive.
SELECT as_path[3], bgp_communities[2], array_length(as_path, 1) AS hops
  FROM goflow2plus.decode(:'sflow_flow', :'sflow_flow_exporter');
-- Through the writer, both paths.
TRUNCATE goflow2plus.flows;
SELECT goflow2plus._write_decoded(:'sflow_flow', :'sflow_flow_exporter', 3, 2);
CREATE INDEX sflow_idx ON goflow2plus.flows (as_path);
SELECT goflow2plus._write_decoded(:'sflow_flow', :'sflow_flow_exporter', 3, 2);
SELECT count(*), count(DISTINCT to_jsonb(f) - 'time_received') AS distinct_rows,
       count(*) FILTER (WHERE (to_jsonb(f) - 'time_received') NOT IN
           (SELECT to_jsonb(d) - 'time_received'
              FROM goflow2plus.decode(:'sflow_flow', :'sflow_flow_exporter') d)) AS not_as_decoded
  FROM goflow2plus.flows f;
DROP INDEX goflow2plus.sflow_idx;
TRUNCATE goflow2plus.flows;
