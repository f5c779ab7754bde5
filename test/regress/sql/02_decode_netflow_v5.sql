-- NetFlow v5 through goflow2plus.decode(): every column of both records.
-- The packet is built by test/regress/gen_fixtures.py from known values;
-- test/regress/check_fixtures.py compares the rows below with those values
-- and with tshark's decode of the same bytes.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT goflow2plus.decode_reset();
-- time_received is the statement's start time; it is checked, then dropped
-- from the display because it changes from run to run.
CREATE TEMP TABLE got AS
SELECT 'nf5_two'::text AS fixture, row_number() OVER () AS rec,
       d.time_received = statement_timestamp() AS received_now, d.*
  FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter') d;
ALTER TABLE got DROP COLUMN time_received;
\x on
SELECT * FROM got ORDER BY rec;
\x off
DROP TABLE got;
-- The default exporter is 127.0.0.1.
SELECT DISTINCT sampler_address FROM goflow2plus.decode(:'nf5_two');
