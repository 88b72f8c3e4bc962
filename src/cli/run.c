/*
 * run: `stepd run DEFINITION [--input JSON | --input-file FILE] [--functions FILE]
 *       [--name NAME] [--history FILE] [--wait-scale F]`
 *
 * Runs one execution in memory. The output goes to stdout; a failure prints
 * {"Error", "Cause"} to stderr and exits 1. On a terminal, each state entered and
 * exited is shown on stderr with the elapsed time; piped output stays clean.
 */
#include "cli/cli.h"
#include "exec/exec.h"
#include "task/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ACCOUNT "123456789012"
#define REGION "us-east-1"
#define MAX_INPUT_BYTES 262144

typedef struct run_args {
	const char *definition, *input, *input_file, *functions, *name, *history;
	double wait_scale;
	double max_payload_bytes;   /* AWS: 262,144 */
	double max_history_events;  /* AWS: 25,000 */
} run_args;

static int run_usage(void)
{
	fprintf(stderr, "usage: stepd run DEFINITION [--input JSON | --input-file FILE] "
	                "[--functions FILE] [--name NAME] [--history FILE] [--wait-scale F] "
	                "[--max-payload-bytes N] [--max-history-events N]\n");
	return CLI_USAGE;
}

static int parse_args(int argc, char **argv, run_args *a)
{
	memset(a, 0, sizeof *a);
	a->wait_scale = 1;
	a->max_payload_bytes = MAX_INPUT_BYTES;
	a->max_history_events = 25000;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **slot = NULL;
		if (!strcmp(arg, "--input"))
			slot = &a->input;
		else if (!strcmp(arg, "--input-file"))
			slot = &a->input_file;
		else if (!strcmp(arg, "--functions"))
			slot = &a->functions;
		else if (!strcmp(arg, "--name"))
			slot = &a->name;
		else if (!strcmp(arg, "--history"))
			slot = &a->history;
		double *num = !strcmp(arg, "--wait-scale")           ? &a->wait_scale
		              : !strcmp(arg, "--max-payload-bytes")  ? &a->max_payload_bytes
		              : !strcmp(arg, "--max-history-events") ? &a->max_history_events
		                                                     : NULL;
		if (slot || num) {
			if (i + 1 >= argc) {
				fprintf(stderr, "stepd run: %s needs a value\n", arg);
				return -1;
			}
			const char *v = argv[++i];
			if (slot) {
				*slot = v;
				continue;
			}
			char *end;
			*num = strtod(v, &end);
			if (*end || end == v || *num < 0 || (num != &a->wait_scale && *num < 1)) {
				fprintf(stderr, "stepd run: %s: '%s' is not a number >= %d\n", arg, v,
				        num == &a->wait_scale ? 0 : 1);
				return -1;
			}
		} else if (arg[0] == '-' && arg[1]) {
			fprintf(stderr, "stepd run: unknown option '%s'\n", arg);
			return -1;
		} else if (!a->definition) {
			a->definition = arg;
		} else {
			fprintf(stderr, "stepd run: unexpected argument '%s'\n", arg);
			return -1;
		}
	}
	if (!a->definition) {
		fprintf(stderr, "stepd run: missing DEFINITION\n");
		return -1;
	}
	if (a->input && a->input_file) {
		fprintf(stderr, "stepd run: give --input or --input-file, not both\n");
		return -1;
	}
	return 0;
}

static char *new_uuid(void)
{
	char id[UUID_TEXT_SIZE];
	if (!uuid_v4(id))
		return xasprintf("%.0f", clock_now() * 1e6); /* unique enough for a name */
	return xstrdup(id);
}

/* The state machine's name: the definition's file name without directories and
 * without its .json / .asl extensions. */
static char *machine_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name = xstrdup(base ? base + 1 : path);
	const char *exts[] = {".json", ".asl", ".yaml"};
	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		size_t n = strlen(name), m = strlen(exts[i]);
		if (n > m && !strcmp(name + n - m, exts[i]))
			name[n - m] = '\0';
	}
	return name;
}

static json_t *load_input(const run_args *a)
{
	char *text = NULL;
	size_t len = 0;
	const char *where = "--input";
	if (a->input_file) {
		text = cli_read_file(a->input_file, &len);
		if (!text)
			return NULL;
		where = a->input_file;
	} else if (a->input) {
		text = xstrdup(a->input);
		len = strlen(text);
	} else {
		return json_object();
	}
	if (len > a->max_payload_bytes) {
		fprintf(stderr, "stepd run: %s: input is %zu bytes, over the %.0f-byte limit "
		                "(--max-payload-bytes)\n", where, len, a->max_payload_bytes);
		free(text);
		return NULL;
	}
	char err[200];
	json_t *v = json_parse(text, len, err, sizeof err);
	free(text);
	if (!v)
		fprintf(stderr, "stepd run: %s: not valid JSON: %s\n", where, err);
	return v;
}

typedef struct progress {
	double start;
} progress;

static void show_progress(void *arg, json_t *ev)
{
	progress *p = arg;
	const char *type = json_string_value(json_object_get(ev, "type"));
	json_t *d = json_object_get(ev, "stateEnteredEventDetails");
	if (!d)
		d = json_object_get(ev, "stateExitedEventDetails");
	if (!d)
		return;
	fprintf(stderr, "%9.3fs  %-22s %s\n", clock_mono() - p->start, type,
	        json_string_value(json_object_get(d, "name")));
}

static int write_history(const char *path, json_t *history)
{
	json_t *wire = exec_history_to_wire(history);
	int rc = json_dump_file(wire, path, JSON_INDENT(1) | JSON_ENCODE_ANY);
	json_decref(wire);
	if (rc != 0)
		fprintf(stderr, "stepd run: cannot write history to %s\n", path);
	return rc;
}

static int report(exec *x, const run_args *a)
{
	int rc = 0;
	if (a->history && write_history(a->history, exec_get_history(x)) != 0)
		rc = 1;
	if (exec_get_status(x) == EXEC_RUNNING) {
		fprintf(stderr, "stepd run: the execution waits for a task token (SendTaskSuccess or "
		                "SendTaskFailure), which stepd run cannot receive: run this state "
		                "machine with stepd serve\n");
		return 1;
	}
	if (exec_get_status(x) == EXEC_SUCCEEDED) {
		char *out = json_text(exec_get_output(x));
		printf("%s\n", out);
		free(out);
		return rc;
	}
	const fault *f = exec_get_failure(x);
	json_t *err = json_object();
	json_object_set_new(err, "Error", f->error && f->error[0] ? json_string(f->error) : json_null());
	json_object_set_new(err, "Cause", f->cause ? json_string(f->cause) : json_null());
	char *text = json_text(err);
	fprintf(stderr, "%s\n", text);
	free(text);
	json_decref(err);
	return 1;
}

int cli_run(int argc, char **argv)
{
	run_args a;
	if (parse_args(argc, argv, &a) != 0)
		return run_usage();
	if (a.name && !asl_resource_name_valid(a.name)) {
		fprintf(stderr, "stepd run: --name '%s': execution names are 1-80 characters without "
		                "whitespace or any of <>{}[]?*\"#%%\\^|~`$&,;:/\n", a.name);
		return CLI_USAGE;
	}
	task_functions *fns = NULL;
	if (a.functions) {
		char *err = NULL;
		fns = task_functions_load(a.functions, &err);
		if (!fns) {
			fprintf(stderr, "stepd run: %s\n", err);
			free(err);
			return CLI_USAGE;
		}
	}
	asl_machine *m = cli_load_machine(a.definition);
	json_t *input = m ? load_input(&a) : NULL;
	if (!m || !input) {
		asl_machine_free(m);
		task_functions_free(fns);
		return CLI_USAGE;
	}
	char *sm_name = machine_name(a.definition);
	char *exec_name = a.name ? xstrdup(a.name) : new_uuid();
	char *sm_arn = xasprintf("arn:aws:states:" REGION ":" ACCOUNT ":stateMachine:%s", sm_name);
	char *exec_arn = xasprintf("arn:aws:states:" REGION ":" ACCOUNT ":execution:%s:%s", sm_name,
	                           exec_name);
	exec_config cfg = {.execution_arn = exec_arn, .execution_name = exec_name,
	                   .state_machine_arn = sm_arn, .state_machine_name = sm_name,
	                   .role_arn = "arn:aws:iam::" ACCOUNT ":role/stepd", .region = REGION,
	                   .start_time = clock_now(),
	                   .max_payload_bytes = (size_t)a.max_payload_bytes,
	                   .max_history_events = (size_t)a.max_history_events,
	                   .no_history = !a.history};
	progress p = {.start = clock_mono()};
	exec_run_options opt = {.functions = fns, .wait_scale = a.wait_scale,
	                        .progress = isatty(STDERR_FILENO) ? show_progress : NULL,
	                        .progress_arg = &p};
	exec *x = exec_run(m, &cfg, input, &opt);
	int rc = report(x, &a);
	exec_free(x);
	json_decref(input);
	free(sm_name);
	free(exec_name);
	free(sm_arn);
	free(exec_arn);
	asl_machine_free(m);
	task_functions_free(fns);
	return rc;
}
