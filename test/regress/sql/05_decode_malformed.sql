-- Malformed datagrams raise an ERROR that says what is wrong and where;
-- no row of a bad datagram is returned, and the session goes on.
\set ECHO none
\i test/regress/fixtures/packets.sql
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS goflow2plus;
RESET client_min_messages;
\set ECHO all
\set VERBOSITY default
SELECT goflow2plus.decode_reset();
-- v5 header count 30 in a 100-byte datagram.
SELECT * FROM goflow2plus.decode(:'nf5_bogus_count');
-- v5 cut inside its header.
SELECT * FROM goflow2plus.decode(:'nf5_truncated');
-- Version 6 is no protocol we read (1, 5, 7, 8, 9, 10 are).
SELECT * FROM goflow2plus.decode(:'unknown_version');
-- Not even a version word.
SELECT * FROM goflow2plus.decode(:'too_short');
SELECT * FROM goflow2plus.decode(''::bytea);
-- v9 template with field count 0.
SELECT * FROM goflow2plus.decode(:'nf9_zero_template', :'nf9_zero_template_exporter');
-- v9 flowset of length 0 (trusting it would loop for ever).
SELECT * FROM goflow2plus.decode(:'nf9_set_len0', :'nf9_set_len0_exporter');
-- v9 template flowset cut in its field list.
SELECT * FROM goflow2plus.decode(:'nf9_template_cut', :'nf9_template_cut_exporter');
-- IPFIX message length that disagrees with the datagram.
SELECT * FROM goflow2plus.decode(:'ipfix_bad_length', :'ipfix_bad_length_exporter');
-- IPFIX set of length 0.
SELECT * FROM goflow2plus.decode(:'ipfix_set_len0', :'ipfix_set_len0_exporter');
-- An IPFIX template record with field count 0 is a withdrawal (RFC 7011
-- 8.1): fine for a data set id, no rows...
SELECT count(*) FROM goflow2plus.decode(:'ipfix_zero_template', :'ipfix_zero_template_exporter');
-- ... but an error for an id that is neither a data set id nor 2 (all).
SELECT * FROM goflow2plus.decode(:'ipfix_bad_withdrawal', :'ipfix_bad_withdrawal_exporter');
-- IPFIX set longer than the message.
SELECT * FROM goflow2plus.decode(:'ipfix_set_past_end', :'ipfix_set_past_end_exporter');
-- sFlow cut inside its flow sample.
SELECT * FROM goflow2plus.decode(:'sflow_truncated', :'sflow_truncated_exporter');
-- sFlow sample count 2, one sample present.
SELECT * FROM goflow2plus.decode(:'sflow_bogus_count', :'sflow_bogus_count_exporter');
-- The errors carry SQLSTATE 22P03 (invalid_binary_representation).
DO $$
BEGIN
  PERFORM * FROM goflow2plus.decode('\x0005001e'::bytea);
EXCEPTION WHEN invalid_binary_representation THEN
  RAISE NOTICE 'caught %', SQLSTATE;
END $$;
-- A good datagram still decodes after all that.
SELECT count(*) FROM goflow2plus.decode(:'nf5_two', :'nf5_two_exporter');
-- NULL input gives no rows (STRICT).
SELECT count(*) FROM goflow2plus.decode(NULL);
