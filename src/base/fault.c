/* fault: ASL runtime failures as data ({Error, Cause}), see base.h. */
#include "base/base.h"

#include <stdlib.h>

void fault_clear(fault *f)
{
	free(f->error);
	free(f->cause);
	f->error = f->cause = NULL;
}

void fault_set_raw(fault *f, const char *error, const char *cause)
{
	char *e = xstrdup(error), *c = cause ? xstrdup(cause) : NULL;
	fault_clear(f);
	f->error = e;
	f->cause = c;
}

void fault_set(fault *f, const char *error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *c = xvasprintf(fmt, ap);
	va_end(ap);
	char *e = xstrdup(error);
	fault_clear(f);
	f->error = e;
	f->cause = c;
}

void fault_move(fault *dst, fault *src)
{
	fault_clear(dst);
	*dst = *src;
	src->error = src->cause = NULL;
}

bool fault_is_set(const fault *f) { return f->error != NULL; }
