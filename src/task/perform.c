/*
 * perform: runs one Task effect the way its integration does, for every runtime
 * (the in-memory runner and the server's workers): a Lambda function ARN runs
 * the function with the event; lambda:invoke runs FunctionName with Payload,
 * shapes the result as AWS does and re-serializes a function's error document
 * compactly (as the integration does; the Lambda ARN form keeps the function's
 * own text); other resources fail with a clear cause.
 */
#include "task/task.h"

#include <stdlib.h>
#include <string.h>

static void compact_cause(fault *f)
{
	if (!f->cause || f->cause[0] != '{')
		return;
	json_t *v = json_parse(f->cause, strlen(f->cause), NULL, 0);
	if (!v)
		return;
	free(f->cause);
	f->cause = json_text(v);
	json_decref(v);
}

json_t *task_perform(const task_functions *fns, task_kind kind, const char *resource,
                     const char *function, json_t *payload, double timeout_seconds, fault *f)
{
	if (kind == TASK_LAMBDA_FUNCTION)
		return task_run_function(fns, function, payload, timeout_seconds, f);
	if (kind == TASK_LAMBDA_INVOKE) {
		json_t *res = task_lambda_invoke(fns, payload, timeout_seconds, f);
		if (!res)
			compact_cause(f);
		return res;
	}
	fault_set(f, "States.Runtime", "stepd cannot run the resource '%s' locally yet",
	          resource ? resource : "");
	return NULL;
}
