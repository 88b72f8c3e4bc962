/* stepd.c: the public embedding API (include/stepd/stepd.h) over asl, exec and task. */
#include "stepd/stepd.h"

#include "asl/asl.h"
#include "exec/exec.h"
#include "task/task.h"

#include <stdlib.h>
#include <string.h>

struct stepd_machine {
	asl_machine *m;
};

int stepd_machine_new(const char *definition, size_t len, stepd_machine **out, char **problems)
{
	diag d = {0};
	asl_machine *m = asl_machine_parse(definition, len, &d);
	if (problems)
		*problems = NULL;
	if (!m) {
		if (problems) {
			char *text = xstrdup("");
			for (size_t i = 0; i < d.count; i++) {
				char *next = xasprintf("%s%s: %s: %s\n", text, d.items[i].location,
				                       d.items[i].code, d.items[i].message);
				free(text);
				text = next;
			}
			*problems = text;
		}
		diag_close(&d);
		return STEPD_EINVAL;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->m = m;
	return STEPD_OK;
}

void stepd_machine_free(stepd_machine *m)
{
	if (!m)
		return;
	asl_machine_free(m->m);
	free(m);
}

static char *uuid4(void)
{
	char id[UUID_TEXT_SIZE];
	if (!uuid_v4(id))
		return xasprintf("%.0f", clock_now() * 1e6); /* unique enough for a name */
	return xstrdup(id);
}

static char *history_text(exec *x)
{
	json_t *wire = exec_history_to_wire(exec_get_history(x));
	char *text = json_text(wire);
	json_decref(wire);
	return text;
}

int stepd_run(const stepd_machine *m, const char *input, const stepd_options *opt,
              stepd_result *out)
{
	static const stepd_options none = {.wait_scale = -1};
	memset(out, 0, sizeof *out);
	if (!opt)
		opt = &none;
	char err[200];
	json_t *in = input ? json_parse(input, strlen(input), err, sizeof err) : json_object();
	if (!in) {
		out->status = STEPD_FAILED;
		out->error = xasprintf("input is not valid JSON: %s", err);
		return STEPD_EINVAL;
	}
	task_functions *fns = NULL;
	if (opt->functions_file) {
		char *ferr = NULL;
		fns = task_functions_load(opt->functions_file, &ferr);
		if (!fns) {
			json_decref(in);
			out->status = STEPD_FAILED;
			out->error = ferr;
			return STEPD_EINVAL;
		}
	}
	const char *sm = opt->state_machine_name ? opt->state_machine_name : "stepd";
	char *name = opt->name ? xstrdup(opt->name) : uuid4();
	char *sm_arn = xasprintf("arn:aws:states:us-east-1:123456789012:stateMachine:%s", sm);
	char *arn = xasprintf("arn:aws:states:us-east-1:123456789012:execution:%s:%s", sm, name);
	exec_config cfg = {.execution_arn = arn, .execution_name = name, .state_machine_arn = sm_arn,
	                   .state_machine_name = sm,
	                   .role_arn = "arn:aws:iam::123456789012:role/stepd",
	                   .region = "us-east-1", .start_time = clock_now()};
	exec_run_options ro = {.functions = fns, .wait_scale = opt->wait_scale < 0 ? 1 : opt->wait_scale};
	exec *x = exec_run(m->m, &cfg, in, &ro);
	out->status = (stepd_status)exec_get_status(x);
	if (exec_get_output(x))
		out->output = json_text(exec_get_output(x));
	const fault *f = exec_get_failure(x);
	out->error = f->error ? xstrdup(f->error) : NULL;
	out->cause = f->cause ? xstrdup(f->cause) : NULL;
	out->history = history_text(x);
	exec_free(x);
	task_functions_free(fns);
	json_decref(in);
	free(name);
	free(sm_arn);
	free(arn);
	return STEPD_OK;
}

void stepd_result_close(stepd_result *r)
{
	free(r->output);
	free(r->error);
	free(r->cause);
	free(r->history);
	memset(r, 0, sizeof *r);
}
