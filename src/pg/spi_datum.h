/*
 * spi_datum.h
 *    Datums the SPI callers build from core values: the same conversions
 *    were written once per file before (iface_learn.c, state_store.c,
 *    context_load_fn.c).
 *
 *    Include postgres.h before this header.
 */
#ifndef GF_SPI_DATUM_H
#define GF_SPI_DATUM_H

#include "flow.h"

/* A one-dimensional array (lower bound 1) of n elements; nulls may be NULL. */
extern Datum gf_datum_array(Datum *elems, bool *nulls, int n, Oid elemtype);

/* A host address as inet, through its text form (inet_in checks it). */
extern Datum gf_datum_inet(const gf_addr *a);

#endif							/* GF_SPI_DATUM_H */
