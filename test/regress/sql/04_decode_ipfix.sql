-- IPFIX through goflow2plus.decode(): IPv6 addresses, 64-bit counters,
-- millisecond timestamps, MACs, flow label, and the sampling rate from
-- options data (samplingPacketInterval 1, samplingPacketSpace 511: one
-- packet in 512).
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT goflow2plus.decode_reset();
SELECT count(*) AS template_rows FROM goflow2plus.decode(:'ipfix_templates', :'ipfix_templates_exporter');
CREATE TEMP TABLE got AS
SELECT 'ipfix_data'::text AS fixture, row_number() OVER () AS rec,
       d.time_received = statement_timestamp() AS received_now, d.*
  FROM goflow2plus.decode(:'ipfix_data', :'ipfix_data_exporter') d;
ALTER TABLE got DROP COLUMN time_received;
\x on
SELECT * FROM got ORDER BY rec;
\x off
DROP TABLE got;
-- sFlow counter samples are not flows: decode() returns nothing for them.
SELECT count(*) AS sflow_counter_rows FROM goflow2plus.decode(:'sflow_counters', :'sflow_counters_exporter');
