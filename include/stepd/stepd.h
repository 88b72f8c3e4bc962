/*
 * stepd: run Amazon States Language state machines, with AWS Step Functions
 * semantics, inside a C program.
 *
 *     stepd_machine *m;
 *     char *problems;
 *     if (stepd_machine_new(text, len, &m, &problems) != STEPD_OK) { ...; free(problems); }
 *     stepd_result r;
 *     stepd_options opt = {.functions_file = "functions.json"};
 *     stepd_run(m, "{\"x\": 1}", &opt, &r);
 *     if (r.status == STEPD_SUCCEEDED) puts(r.output);
 *     stepd_result_close(&r);
 *     stepd_machine_free(m);
 *
 * A machine is parsed and validated once and may run any number of executions,
 * from several threads at once. Executions run in memory: Tasks run as local
 * commands mapped by a functions file (see README "Tasks that run local commands").
 * All strings are UTF-8 JSON text unless said otherwise; strings returned to the
 * caller are malloc'd and owned by the caller (or by the result they belong to).
 */
#ifndef STEPD_STEPD_H
#define STEPD_STEPD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. */
#define STEPD_OK 0
#define STEPD_EINVAL 1      /* invalid definition, input or options */

/* Execution status, as AWS's DescribeExecution reports it. */
typedef enum stepd_status {
	STEPD_RUNNING,
	STEPD_SUCCEEDED,
	STEPD_FAILED,
	STEPD_TIMED_OUT,
	STEPD_ABORTED,
} stepd_status;

typedef struct stepd_machine stepd_machine;

/* Parses and validates a definition (len bytes of JSON). On success stores the
 * machine in *out and returns STEPD_OK. On failure returns STEPD_EINVAL and, when
 * problems is not NULL, stores a malloc'd text listing every problem, one per line
 * as "LOCATION: CODE: message" (AWS's ValidateStateMachineDefinition codes). */
int stepd_machine_new(const char *definition, size_t len, stepd_machine **out, char **problems);
void stepd_machine_free(stepd_machine *m);

typedef struct stepd_options {
	const char *functions_file;   /* NULL: no functions (Lambda tasks fail) */
	const char *name;             /* execution name; NULL: a random UUID */
	const char *state_machine_name; /* NULL: "stepd" */
	double wait_scale;            /* Wait/Retry delays are multiplied by it; 0 and 1 are
	                               * common; a negative value means 1 (real time) */
} stepd_options;

typedef struct stepd_result {
	stepd_status status;
	char *output;    /* SUCCEEDED: the output JSON text; else NULL */
	char *error;     /* FAILED/TIMED_OUT/ABORTED: the Error name, or NULL */
	char *cause;     /* its Cause, or NULL */
	char *history;   /* the GetExecutionHistory event list as a JSON array text */
} stepd_result;

/* Runs one execution of m to its end with input (JSON text; NULL means {}).
 * Returns STEPD_OK with *out filled (the execution may still have FAILED: see
 * out->status), or STEPD_EINVAL when input is not JSON or the functions file
 * cannot be loaded; then out->error says why and nothing ran. */
int stepd_run(const stepd_machine *m, const char *input, const stepd_options *opt,
              stepd_result *out);
/* Frees the strings of a result. */
void stepd_result_close(stepd_result *r);

#ifdef __cplusplus
}
#endif

#endif
