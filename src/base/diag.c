/* diag: collected definition problems, see base.h. */
#include "base/base.h"

#include <stdlib.h>

void diag_add(diag *d, const char *code, const char *location, const char *fmt, ...)
{
	if (d->count == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->items = xrealloc(d->items, d->cap * sizeof *d->items);
	}
	va_list ap;
	va_start(ap, fmt);
	diag_item *it = &d->items[d->count++];
	it->code = xstrdup(code);
	it->location = xstrdup(location ? location : "");
	it->message = xvasprintf(fmt, ap);
	va_end(ap);
}

void diag_close(diag *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].code);
		free(d->items[i].message);
		free(d->items[i].location);
	}
	free(d->items);
	d->items = NULL;
	d->count = d->cap = 0;
}
