-- NetFlow v9 through goflow2plus.decode(): templates are kept per
-- exporter + source id for the session, data that comes before its
-- template waits for it, and options data sets the sampling rate.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT goflow2plus.decode_reset();
-- 1. Template, then data, in two calls.
SELECT count(*) AS template_rows FROM goflow2plus.decode(:'nf9_template', :'nf9_template_exporter');
CREATE TEMP TABLE got AS
SELECT 'nf9_data'::text AS fixture, row_number() OVER () AS rec,
       d.time_received = statement_timestamp() AS received_now, d.*
  FROM goflow2plus.decode(:'nf9_data', :'nf9_data_exporter') d;
ALTER TABLE got DROP COLUMN time_received;
\x on
SELECT * FROM got ORDER BY rec;
\x off
DROP TABLE got;
-- The template belongs to its exporter: the same data from another
-- address has no template (it waits, nothing is returned).
SELECT count(*) AS other_exporter_rows FROM goflow2plus.decode(:'nf9_data', '192.0.2.99');
-- 2. Data before template: nothing at first, the records come out of the
-- call that brings the template.
SELECT goflow2plus.decode_reset();
SELECT count(*) AS data_first_rows FROM goflow2plus.decode(:'nf9_data', :'nf9_data_exporter');
SELECT src_addr, dst_addr, bytes, packets, src_mac, src_vlan
  FROM goflow2plus.decode(:'nf9_template', :'nf9_template_exporter');
-- After decode_reset() the template is forgotten again.
SELECT goflow2plus.decode_reset();
SELECT count(*) AS after_reset_rows FROM goflow2plus.decode(:'nf9_data', :'nf9_data_exporter');
-- 3. Options template + options data (SAMPLING_INTERVAL 1000), then data:
-- every record carries sampling_rate 1000.
SELECT goflow2plus.decode_reset();
SELECT count(*) FROM goflow2plus.decode(:'nf9_template', :'nf9_template_exporter');
SELECT count(*) AS options_rows FROM goflow2plus.decode(:'nf9_options', :'nf9_options_exporter');
CREATE TEMP TABLE got AS
SELECT 'nf9_data_sampled'::text AS fixture, row_number() OVER () AS rec,
       d.time_received = statement_timestamp() AS received_now, d.*
  FROM goflow2plus.decode(:'nf9_data_sampled', :'nf9_data_sampled_exporter') d;
ALTER TABLE got DROP COLUMN time_received;
\x on
SELECT * FROM got ORDER BY rec;
\x off
DROP TABLE got;
