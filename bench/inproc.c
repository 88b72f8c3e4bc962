/*
 * inproc: in-process run time of one state machine through the interpreter, as
 * the peer runner measures its own (bench/run compares the two side by side).
 *
 * Parses and validates the definition once (timed apart as build_ms; through
 * asl_machine_from_json, so without the 1,048,576-byte limit on the definition's
 * text that AWS and `stepd run` apply: bench/scale runs larger machines), then runs
 * the execution `reps` times in memory (Tasks would run as commands; the bench
 * machines have none), keeping no history, and prints one JSON line:
 * {"machine", "transitions", "build_ms", "reps", "median_ms", "min_ms",
 *  "tps_median", "maxrss_mb"}. transitions = states entered, counted from the
 * events of one more run made after the timed ones; maxrss_mb = the peak RSS
 * before that run (parse and the timed runs). Prints figures; asserts nothing.
 *
 * Usage: inproc MACHINE.asl.json INPUT.json [--reps N] [--transitions N]
 *
 * --transitions N gives the count instead (bench/scale knows it): counting keeps
 * every event of the run in memory, gigabytes for millions of transitions.
 */
#include "asl/asl.h"
#include "exec/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void count_entered(void *arg, json_t *ev)
{
	const char *t = json_string_value(json_object_get(ev, "type"));
	if (t && strstr(t, "StateEntered"))
		(*(long *)arg)++;
}

static exec *run_once(const asl_machine *m, json_t *input, exec_progress_fn progress, void *arg)
{
	exec_config cfg = {.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:b:b",
	                   .execution_name = "b",
	                   .state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:b",
	                   .state_machine_name = "b", .start_time = clock_now(),
	                   .max_payload_bytes = (size_t)1 << 30, .max_history_events = (size_t)1 << 30,
	                   .no_history = true};
	exec_run_options opt = {.wait_scale = 0, .progress = progress, .progress_arg = arg};
	return exec_run(m, &cfg, input, &opt);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: inproc MACHINE.asl.json INPUT.json [--reps N]\n");
		return 2;
	}
	int reps = 10;
	long transitions = -1;
	for (int i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--reps"))
			reps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--transitions"))
			transitions = atol(argv[i + 1]);
		else {
			fprintf(stderr, "usage: inproc MACHINE.asl.json INPUT.json [--reps N] [--transitions N]\n");
			return 2;
		}
	}
	if (reps < 1)
		reps = 1;
	size_t len, ilen;
	char *def = slurp(argv[1], &len), *itext = slurp(argv[2], &ilen);
	double t0 = clock_mono();
	diag d = {0};
	json_error_t je;
	json_t *defv = json_loadb(def, len, JSON_REJECT_DUPLICATES, &je);
	if (!defv) {
		fprintf(stderr, "%s: invalid JSON: %s\n", argv[1], je.text);
		return 1;
	}
	asl_machine *m = asl_machine_from_json(defv, &d);
	json_decref(defv);
	double build_ms = (clock_mono() - t0) * 1000;
	if (!m) {
		fprintf(stderr, "%s: invalid definition\n", argv[1]);
		return 1;
	}
	json_t *input = json_parse(itext, ilen, NULL, 0);
	exec_free(run_once(m, input, NULL, NULL)); /* warm-up */
	double *ms = xcalloc((size_t)reps, sizeof *ms);
	for (int i = 0; i < reps; i++) {
		double s = clock_mono();
		exec *x = run_once(m, input, NULL, NULL);
		ms[i] = (clock_mono() - s) * 1000;
		if (exec_get_status(x) != EXEC_SUCCEEDED) {
			fprintf(stderr, "%s: the execution did not succeed\n", argv[1]);
			return 1;
		}
		exec_free(x);
	}
	/* peak RSS so far: parse and the runs without history, as `stepd run` makes them */
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	/* counts the states entered last: with a progress callback the runner keeps a
	 * step's events until the step ends (the whole run when there are no Tasks) */
	if (transitions < 0) {
		transitions = 0;
		exec_free(run_once(m, input, count_entered, &transitions));
	}
	qsort(ms, (size_t)reps, sizeof *ms, cmp);
	double median = ms[reps / 2];
	const char *name = strrchr(argv[1], '/');
	name = name ? name + 1 : argv[1];
	printf("{\"machine\":\"%.*s\",\"transitions\":%ld,\"build_ms\":%.2f,\"reps\":%d,"
	       "\"median_ms\":%.3f,\"min_ms\":%.3f,\"tps_median\":%.0f,\"maxrss_mb\":%.1f}\n",
	       (int)(strcspn(name, ".")), name, transitions, build_ms, reps, median, ms[0],
	       transitions / (median / 1000), ru.ru_maxrss / 1024.0);
	free(ms);
	json_decref(input);
	asl_machine_free(m);
	free(def);
	free(itext);
	return 0;
}
