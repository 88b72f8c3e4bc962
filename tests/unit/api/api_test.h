/* Helpers shared by the api unit tests: a context over a temp SQLite store, and
 * one-call dispatch that returns the response and error type. */
#ifndef STEPD_API_TEST_H
#define STEPD_API_TEST_H

#include "../test.h"
#include "api/api.h"
#include "store/store.h"

typedef struct api_fixture {
	api_ctx ctx;
	char dir[64];
	char path[96];
} api_fixture;

/* Opens a fresh store in a new temp dir (ctx.store NULL when none could be made). */
api_fixture *api_fixture_new(void);
void api_fixture_free(api_fixture *f);

/* Dispatches op with body; returns the response (new reference) and sets *status
 * and *type (NULL on success). */
json_t *api_call(api_ctx *ctx, const char *op, const char *body, int *status, const char **type);
/* api_call with a body built by json_pack-style format. */
json_t *api_callf(api_ctx *ctx, const char *op, int *status, const char **type, const char *fmt,
                  ...);

#define API_DEF_PASS "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}"
#define API_DEF_PASS2 "{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Pass\",\"End\":true}}}"
#define API_ROLE "arn:aws:iam::123456789012:role/R"
#define API_SM(name) "arn:aws:states:us-east-1:123456789012:stateMachine:" name

#endif
