/* api_fixture: a context over a temp SQLite store for the api tests. */
#include "api_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

api_fixture *api_fixture_new(void)
{
	api_fixture *f = calloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/stepd-api-XXXXXX");
	f->ctx.region = "us-east-1";
	f->ctx.account = "123456789012";
	if (!mkdtemp(f->dir))
		return f;
	snprintf(f->path, sizeof f->path, "%s/db.sqlite", f->dir);
	char *err = NULL;
	if (store_open(f->path, &f->ctx.store, &err) != STORE_OK) {
		fprintf(stderr, "  store_open: %s\n", err ? err : "?");
		free(err);
		f->ctx.store = NULL;
	}
	return f;
}

void api_fixture_free(api_fixture *f)
{
	if (!f)
		return;
	store_close(f->ctx.store);
	char side[128];
	const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(side, sizeof side, "%s%s", f->path, suffixes[i]);
		if (unlink(side) != 0 && i == 0 && f->path[0])
			perror("unlink");
	}
	if (f->dir[0] && rmdir(f->dir) != 0)
		perror("rmdir");
	free(f);
}

json_t *api_call(api_ctx *ctx, const char *op, const char *body, int *status, const char **type)
{
	json_t *resp = NULL;
	*status = api_dispatch(ctx, op, body, strlen(body), &resp, type);
	return resp;
}

json_t *api_callf(api_ctx *ctx, const char *op, int *status, const char **type, const char *fmt,
                  ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *in = json_vpack_ex(NULL, 0, fmt, ap);
	va_end(ap);
	char *text = json_dumps(in, JSON_COMPACT);
	json_decref(in);
	json_t *r = api_call(ctx, op, text ? text : "", status, type);
	free(text);
	return r;
}
