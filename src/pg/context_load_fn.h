/*
 * context_load_fn.h
 *    Context rows from YAML (context_load_fn.c): the SQL function
 *    goflow2plus.load_context(yaml, replace) and the setting
 *    goflow2plus.context_config, a YAML file whose entries the context
 *    builder keeps in goflow2plus.networks, .devices and .interfaces with
 *    origin 'file'.  Include postgres.h first.
 *
 *    Contract with the context builder process:
 *
 *    - _PG_init calls gf_context_config_define_guc() once, in every
 *      process (not only when preloaded), before MarkGUCPrefixReserved.
 *
 *    - The builder calls gf_context_config_sync() inside a transaction of
 *      its own, with an active snapshot, as superuser (the setting names
 *      a server file, so only the server reads it), after handling
 *      ConfigReloadPending and before it reads the tables.  SPI may be
 *      connected or not: the function connects (nested) and finishes its
 *      own connection.  It never throws for a bad file or a failed load:
 *      it runs the load in a subtransaction, rolls that back, logs a
 *      WARNING naming file:line:column, leaves the previous 'file' rows
 *      in place, copies the message into errbuf and returns false (the
 *      builder may show it in context_status().last_error).  true: the
 *      tables now hold what the file says (errbuf is "").
 *
 *    - It is cheap when nothing changed: one stat() of the file, no
 *      statement.  So calling it at every wakeup cannot loop through the
 *      tables' statement triggers: only a real change writes rows (and so
 *      fires them once).  What it last loaded is remembered per process
 *      and only once the transaction commits; a new builder process
 *      loads the file once more at its first call.  A failure is not
 *      retried at every call either: a bad file (parse error, or what
 *      the tables refuse) until it changes, anything else (a clash with
 *      rows of another origin, an unreadable file) once a minute; each
 *      retry that fails logs its WARNING.  Without the extension in the
 *      database it returns false at once (one WARNING) and loads the file
 *      at the first call after CREATE EXTENSION.
 *
 *    - The loads run with search_path = pg_catalog, pg_temp (set and
 *      undone inside), so objects in the caller's path cannot stand in
 *      for unnest() or the operators of its statements.
 */
#ifndef GF_CONTEXT_LOAD_FN_H
#define GF_CONTEXT_LOAD_FN_H

/* goflow2plus.context_config: path of the YAML file; "" for none. */
extern char *gf_guc_context_config;

/* Define goflow2plus.context_config (PGC_SIGHUP, superuser only). */
extern void gf_context_config_define_guc(void);

/*
 * Bring the rows with origin 'file' in line with the file named by
 * goflow2plus.context_config (all of them deleted when it is empty).
 * See above for when to call it; false with a message in errbuf when the
 * file could not be loaded (the old rows stay).
 */
extern bool gf_context_config_sync(char *errbuf, size_t len);

#endif							/* GF_CONTEXT_LOAD_FN_H */
