/* Helpers shared by the asl unit tests. Definitions in tests are written with
 * single quotes ('a') for readability, and ` for a real single quote (intrinsic
 * string literals); asl_test_parse turns them into JSON. */
#ifndef STEPD_ASL_TEST_H
#define STEPD_ASL_TEST_H

#include "asl/asl.h"

#include <stdlib.h>
#include <string.h>

/* Parses text with ' read as " and ` as '. Returns the machine (or NULL), fills d. */
static inline asl_machine *asl_test_parse(const char *text, diag *d)
{
	char *json = xstrdup(text);
	for (char *c = json; *c; c++)
		if (*c == '\'')
			*c = '"';
		else if (*c == '`')
			*c = '\'';
	asl_machine *m = asl_machine_parse(json, strlen(json), d);
	free(json);
	return m;
}

/* True when d holds a problem with this code at this location. */
static inline bool asl_test_has(const diag *d, const char *code, const char *location)
{
	for (size_t i = 0; i < d->count; i++)
		if (strcmp(d->items[i].code, code) == 0 &&
		    strcmp(d->items[i].location, location) == 0)
			return true;
	return false;
}

static inline void asl_test_print(const diag *d)
{
	for (size_t i = 0; i < d->count; i++)
		fprintf(stderr, "    %s %s: %s\n", d->items[i].code, d->items[i].location,
		        d->items[i].message);
}

#endif
