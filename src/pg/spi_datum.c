/*
 * spi_datum.c
 *    Datums the SPI callers build from core values (see spi_datum.h).
 */
#include "postgres.h"

#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/lsyscache.h"

#include "spi_datum.h"

Datum
gf_datum_array(Datum *elems, bool *nulls, int n, Oid elemtype)
{
	int			dims[1];
	int			lbs[1];
	int16		typlen;
	bool		typbyval;
	char		typalign;

	dims[0] = n;
	lbs[0] = 1;
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, elemtype,
											  typlen, typbyval, typalign));
}

Datum
gf_datum_inet(const gf_addr *a)
{
	char		buf[64];

	gf_addr_format(a, buf, sizeof(buf));
	return DirectFunctionCall1(inet_in, CStringGetDatum(buf));
}
