/*
 * worker: stepd worker, an activity worker that runs a local command per task.
 *
 *   stepd worker --activity NAME_OR_ARN [--heartbeat SECONDS] [--endpoint URL]
 *                [--name WORKER] -- COMMAND [ARGS...]
 *
 * Each task's input goes to COMMAND's stdin; what it does becomes the task's
 * outcome exactly as for a local command standing in for a Lambda function
 * (task_command_run runs it: directly, never through a shell, in its own
 * process group):
 *
 *   exit 0, JSON (or nothing) on stdout    SendTaskSuccess with that JSON (null)
 *   exit != 0, {"errorType": T, ...} on stdout
 *                                          SendTaskFailure, error T, cause the text
 *   anything else (crash, garbage, not startable)
 *                                          SendTaskFailure, error stepd.CommandFailed,
 *                                          cause naming the command and what happened
 *
 * Life of a task:
 *   poll_task    GetActivityTask until it hands out a token (60 s long polls; a
 *                stop signal abandons the poll at once)
 *   run_task     the command runs in this thread; a watcher thread (watch_main)
 *                sends SendTaskHeartbeat every --heartbeat seconds and kills the
 *                command's process group when the task is closed (a heartbeat
 *                answered TaskTimedOut: it timed out or its execution stopped) or
 *                a second stop signal arrived
 *   report       SendTaskSuccess / SendTaskFailure; nothing for a closed task
 *
 * Signals: the first SIGTERM/SIGINT lets the running command finish and be
 * reported, then the worker exits 0; the second kills the command, reports
 * stepd.WorkerStopped and exits 1. A worker killed outright leaves its task to
 * the task's HeartbeatSeconds/TimeoutSeconds. A task the server handed out just
 * as a stop signal abandoned the poll is left the same way.
 *
 * Finding the command to kill: task_command_run does not expose its child, so
 * the watcher looks in /proc for our child that leads its own process group
 * (the only one: the worker runs one command at a time). Linux only; elsewhere
 * a closed task's command runs to its end and its result is dropped.
 */
#include "cli/cli.h"
#include "task/task.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_ENDPOINT "http://127.0.0.1:8083"
#define ACTIVITY_ARN_PREFIX "arn:aws:states:us-east-1:123456789012:activity:"
#define WATCH_SLICE_SECONDS 0.1  /* how soon the watcher notices a second signal */
#define RETRY_FIRST_SECONDS 0.5  /* backoff after a failed poll */
#define RETRY_MAX_SECONDS 10.0
#define ERROR_MAX 256            /* SendTaskFailure's limits on error and cause */
#define CAUSE_MAX 32768
#define EXCERPT_MAX 200          /* bytes of a command's output quoted in a cause */

static volatile sig_atomic_t stop_signals; /* SIGTERM/SIGINT received so far */

typedef struct worker {
	const char *activity_arg, *endpoint, *name;
	char *activity_arn, *default_name;
	char **argv;         /* COMMAND and its ARGS, NULL-terminated (borrowed) */
	double heartbeat;    /* seconds; 0: no heartbeats */
	cli_client *client;  /* polls and reports (main thread) */
	cli_client *beat;    /* heartbeats (the watcher thread) */
	bool tty;            /* stderr is a terminal: one line per task */
} worker;

/* ---- options ---- */

static int usage(FILE *out)
{
	fprintf(out, "usage: stepd worker --activity NAME_OR_ARN [--heartbeat SECONDS] "
	             "[--endpoint URL] [--name WORKER] -- COMMAND [ARGS...]\n");
	return CLI_USAGE;
}

static bool parse_seconds(const char *text, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || *end || !(v > 0) || v > 99999999)
		return false;
	*out = v;
	return true;
}

/* Returns 0 when parsed, 1 for --help, -1 after printing a usage error. */
static int parse_args(worker *w, int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *arg = argv[i];
		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (!strcmp(arg, "-h") || !strcmp(arg, "--help"))
			return 1;
		const char **field = !strcmp(arg, "--activity") ? &w->activity_arg
		                   : !strcmp(arg, "--endpoint") ? &w->endpoint
		                   : !strcmp(arg, "--name")     ? &w->name
		                                                : NULL;
		bool is_heartbeat = !strcmp(arg, "--heartbeat");
		if (!field && !is_heartbeat) {
			fprintf(stderr, "stepd worker: unknown option '%s'\n", arg);
			return -1;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "stepd worker: %s needs a value\n", arg);
			return -1;
		}
		const char *value = argv[++i];
		if (field) {
			*field = value;
		} else if (!parse_seconds(value, &w->heartbeat)) {
			fprintf(stderr, "stepd worker: --heartbeat: '%s' is not a number of seconds > 0\n",
			        value);
			return -1;
		}
	}
	if (!w->activity_arg || !w->activity_arg[0]) {
		fprintf(stderr, "stepd worker: missing --activity NAME_OR_ARN\n");
		return -1;
	}
	if (i >= argc) {
		fprintf(stderr, "stepd worker: missing the COMMAND to run for each task (after --)\n");
		return -1;
	}
	w->argv = argv + i;
	return 0;
}

static void fill_defaults(worker *w)
{
	if (!w->endpoint) {
		const char *env = getenv("STEPD_ENDPOINT");
		w->endpoint = env && env[0] ? env : DEFAULT_ENDPOINT;
	}
	w->activity_arn = !strncmp(w->activity_arg, "arn:", 4)
	                      ? xstrdup(w->activity_arg)
	                      : xasprintf(ACTIVITY_ARN_PREFIX "%s", w->activity_arg);
	if (!w->name) {
		char host[256] = "localhost";
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		w->default_name = xasprintf("%s-%ld", host, (long)getpid());
		w->name = w->default_name;
	}
}

/* ---- small helpers ---- */

static void on_stop_signal(int sig)
{
	(void)sig;
	if (stop_signals < 2)
		stop_signals++;
}

static bool install_signals(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_stop_signal; /* no SA_RESTART: sleeps end early */
	sigemptyset(&sa.sa_mask);
	struct sigaction ign = {0};
	ign.sa_handler = SIG_IGN; /* a dropped connection is an error, not a death */
	sigemptyset(&ign.sa_mask);
	return sigaction(SIGTERM, &sa, NULL) == 0 && sigaction(SIGINT, &sa, NULL) == 0 &&
	       sigaction(SIGPIPE, &ign, NULL) == 0;
}

static void sleep_seconds(double seconds)
{
	struct timespec ts = {(time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9)};
	nanosleep(&ts, NULL);
}

/* The last 8 characters of a task token, padding left out: enough to tell tasks
 * apart in a log (their beginnings are alike). */
static const char *short_token(const char *token, char buf[12])
{
	size_t n = strlen(token);
	while (n > 0 && token[n - 1] == '=')
		n--;
	size_t from = n > 8 ? n - 8 : 0;
	snprintf(buf, 12, "%.*s", (int)(n - from), token + from);
	return buf;
}

/* text without leading and trailing whitespace, malloc'd. */
static char *trimmed(const char *text, size_t len)
{
	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	return xstrndup(text, len);
}

/* Prints a failed call's reason, always (errors are never quiet). */
static void print_call_error(const worker *w, const char *op, int rc, const cli_client_error *err)
{
	if (rc == CLIENT_SERVER_ERROR)
		fprintf(stderr, "stepd worker: %s: %s: %s\n", op, err->name, err->message);
	else if (rc == CLIENT_CONNECT_ERROR)
		fprintf(stderr, "stepd worker: %s: cannot connect to %s: %s (is `stepd serve` running "
		                "there? set --endpoint or STEPD_ENDPOINT)\n", op, w->endpoint, err->message);
	else
		fprintf(stderr, "stepd worker: %s: %s: %s\n", op, w->endpoint, err->message);
}

/* ---- the watcher: heartbeats, closed tasks, second signals ---- */

typedef struct watch {
	const worker *w;
	const char *token;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;     /* the command finished (main thread) */
	bool closed;   /* a heartbeat was answered TaskTimedOut */
	bool stopped;  /* a second signal arrived while the command ran */
	bool killed;   /* its process group was sent SIGKILL */
} watch;

/* Our child that leads its own process group: the running command. 0: none
 * (not started yet, already reaped, or no /proc). */
static pid_t find_command(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	pid_t self = getpid(), found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[n] = '\0';
		const char *close = strrchr(buf, ')'); /* the command name may hold anything */
		long ppid, pgrp;
		pid_t pid = (pid_t)atol(e->d_name);
		if (close && sscanf(close + 1, " %*c %ld %ld", &ppid, &pgrp) == 2 && ppid == self &&
		    pgrp == pid)
			found = pid;
	}
	closedir(d);
	return found;
}

static bool kill_command(void)
{
	pid_t pid = find_command();
	return pid > 0 && kill(-pid, SIGKILL) == 0;
}

/* SendTaskHeartbeat. Returns true when the answer says the task is closed. */
static bool heartbeat(const watch *wt)
{
	json_t *req = json_pack("{s:s}", "taskToken", wt->token);
	json_t *resp;
	cli_client_error err = {0};
	int rc = cli_client_call(wt->w->beat, "SendTaskHeartbeat", req, &resp, &err);
	json_decref(req);
	json_decref(resp);
	bool closed = rc == CLIENT_SERVER_ERROR &&
	              (!strcmp(err.name, "TaskTimedOut") || !strcmp(err.name, "InvalidToken"));
	if (rc != CLIENT_OK && !closed)
		print_call_error(wt->w, "SendTaskHeartbeat", rc, &err); /* keep trying */
	cli_client_error_clear(&err);
	return closed;
}

/* Wakes every WATCH_SLICE_SECONDS until the command is done. Holds the lock
 * except while a heartbeat is in flight. */
static void *watch_main(void *arg)
{
	watch *wt = arg;
	double beat = wt->w->heartbeat, next = clock_mono() + beat;
	pthread_mutex_lock(&wt->lock);
	while (!wt->done) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(WATCH_SLICE_SECONDS * 1e9);
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&wt->cond, &wt->lock, &until);
		if (wt->done)
			break;
		if (stop_signals >= 2)
			wt->stopped = true;
		if (beat > 0 && !wt->closed && !wt->stopped && clock_mono() >= next) {
			pthread_mutex_unlock(&wt->lock);
			bool closed = heartbeat(wt);
			pthread_mutex_lock(&wt->lock);
			wt->closed = closed;
			next = clock_mono() + beat;
		}
		/* retried each slice: the child may not lead its group yet */
		if ((wt->closed || wt->stopped) && !wt->killed)
			wt->killed = kill_command();
	}
	pthread_mutex_unlock(&wt->lock);
	return NULL;
}

/* ---- outcomes ---- */

typedef struct outcome {
	json_t *output;   /* success: the result (new reference) */
	char *error;      /* failure: malloc'd */
	char *cause;
} outcome;

static void outcome_close(outcome *o)
{
	json_decref(o->output);
	free(o->error);
	free(o->cause);
}

static void fail(outcome *res, const char *error, char *cause)
{
	res->error = xstrdup(error);
	res->cause = cause;
}

/* A failure with no errorType of its own: stepd.CommandFailed, the cause in the
 * words the task module uses for Lambda.Unknown, with the end of stderr. */
static void fail_command(outcome *res, const char *prog, const task_outcome *o, const char *what)
{
	char *tail = o ? trimmed(o->err_tail, strlen(o->err_tail)) : xstrdup("");
	fail(res, "stepd.CommandFailed",
	     xasprintf("The command '%s' %s.%s%s", prog, what, tail[0] ? " Its stderr ended with: " : "",
	               tail));
	free(tail);
}

static char *excerpt(const task_outcome *o)
{
	char *t = trimmed(o->out, o->out_len);
	if (strlen(t) > EXCERPT_MAX) {
		char *cut = xasprintf("%.*s...", EXCERPT_MAX, t);
		free(t);
		t = cut;
	}
	return t;
}

static void classify_exit0(outcome *res, const char *prog, const task_outcome *o)
{
	char *t = trimmed(o->out, o->out_len);
	bool empty = !t[0] && o->out_len == strlen(o->out);
	free(t);
	if (empty) {
		res->output = json_null();
		return;
	}
	char msg[160];
	res->output = json_parse(o->out, o->out_len, msg, sizeof msg);
	if (!res->output) {
		char *out = excerpt(o);
		char *what = xasprintf("printed a result that is not JSON (%s): '%s'", msg, out);
		fail_command(res, prog, o, what);
		free(what);
		free(out);
	}
}

static void classify_exit(outcome *res, const char *prog, const task_outcome *o)
{
	json_t *doc = json_parse(o->out, o->out_len, NULL, 0);
	const char *type = json_string_value(json_object_get(doc, "errorType"));
	if (type && type[0]) {
		fail(res, type, trimmed(o->out, o->out_len));
	} else {
		char *out = excerpt(o);
		char *what = xasprintf("failed with exit status %d without printing "
		                       "{\"errorType\": ..., \"errorMessage\": ...} on stdout "
		                       "(stdout: '%s')", o->code, out);
		fail_command(res, prog, o, what);
		free(what);
		free(out);
	}
	json_decref(doc);
}

static void classify(outcome *res, const char *prog, const task_outcome *o)
{
	char *what = NULL;
	switch (o->how) {
	case TASK_EXITED:
		if (o->code == 0)
			classify_exit0(res, prog, o);
		else
			classify_exit(res, prog, o);
		return;
	case TASK_SIGNALED:
		what = xasprintf("crashed (killed by signal %d, %s)", o->code, strsignal(o->code));
		break;
	case TASK_OUT_LIMIT:
		what = xasprintf("printed more than %zu bytes on stdout and was stopped",
		                 (size_t)TASK_STDOUT_LIMIT);
		break;
	case TASK_TIMED_OUT: /* we set no timeout: the task's own timers cover it */
		what = xstrdup("timed out");
		break;
	}
	fail_command(res, prog, o, what);
	free(what);
}

/* ---- one task ---- */

/* Sends the outcome. Returns a word for the task's log line. */
static const char *report(worker *w, const char *token, const outcome *res)
{
	json_t *req;
	const char *op;
	if (!res->error) {
		char *text = json_text(res->output);
		req = json_pack("{s:s, s:s}", "taskToken", token, "output", text);
		free(text);
		op = "SendTaskSuccess";
	} else {
		/* within the API's limits, or the server refuses the whole report */
		char *error = xstrndup(res->error, ERROR_MAX);
		char *cause = xstrndup(res->cause ? res->cause : "", CAUSE_MAX);
		req = json_pack("{s:s, s:s, s:s}", "taskToken", token, "error", error, "cause", cause);
		free(error);
		free(cause);
		op = "SendTaskFailure";
	}
	json_t *resp;
	cli_client_error err = {0};
	int rc = cli_client_call(w->client, op, req, &resp, &err);
	json_decref(req);
	json_decref(resp);
	const char *word = res->error ? "failed" : "succeeded";
	if (rc == CLIENT_SERVER_ERROR && !strcmp(err.name, "TaskTimedOut"))
		word = "closed before its result arrived (timed out or stopped)";
	else if (rc != CLIENT_OK) {
		print_call_error(w, op, rc, &err);
		word = "not reported";
	}
	cli_client_error_clear(&err);
	return word;
}

/* Runs the command for one task and reports it. Returns false when the worker
 * must stop (a second signal). */
static bool run_task(worker *w, const char *token, const char *input)
{
	double started = clock_mono();
	watch wt = {.w = w, .token = token};
	pthread_mutex_init(&wt.lock, NULL);
	pthread_cond_init(&wt.cond, NULL);
	pthread_t thread;
	bool watching = pthread_create(&thread, NULL, watch_main, &wt) == 0;
	if (!watching)
		fprintf(stderr, "stepd worker: cannot start the heartbeat thread; running without\n");

	task_command cmd = {.argv = w->argv};
	task_outcome o;
	char *err = NULL;
	int rc = task_command_run(&cmd, input, strlen(input), &o, &err);

	if (watching) {
		pthread_mutex_lock(&wt.lock);
		wt.done = true;
		pthread_cond_signal(&wt.cond);
		pthread_mutex_unlock(&wt.lock);
		pthread_join(thread, NULL);
	}
	pthread_cond_destroy(&wt.cond);
	pthread_mutex_destroy(&wt.lock);

	outcome res = {0};
	const char *word;
	if (wt.closed) {
		word = "closed by the server (timed out or stopped); command killed";
	} else {
		if (wt.stopped || stop_signals >= 2)
			fail(&res, "stepd.WorkerStopped",
			     xasprintf("The worker '%s' was stopped by a second SIGTERM or SIGINT and "
			               "killed the command '%s'.", w->name, w->argv[0]));
		else if (rc != 0) {
			char *what = xasprintf("could not be started: %s", err);
			fail_command(&res, w->argv[0], NULL, what);
			free(what);
		} else
			classify(&res, w->argv[0], &o);
		word = report(w, token, &res);
	}
	if (w->tty) {
		char buf[12];
		fprintf(stderr, "stepd worker: task %s: %s%s%s (%.2f s)\n", short_token(token, buf), word,
		        res.error && !wt.closed ? ": " : "", res.error && !wt.closed ? res.error : "",
		        clock_mono() - started);
	}
	bool go_on = !(wt.stopped || stop_signals >= 2);
	outcome_close(&res);
	if (rc == 0)
		task_outcome_close(&o);
	free(err);
	return go_on;
}

/* ---- polling ---- */

enum { POLL_TASK, POLL_NONE, POLL_STOP, POLL_FATAL };

/* One GetActivityTask. POLL_TASK fills *token and *input (malloc'd). */
static int poll_task(worker *w, char **token, char **input, double *retry)
{
	json_t *req = json_pack("{s:s, s:s}", "activityArn", w->activity_arn, "workerName", w->name);
	json_t *resp;
	cli_client_error err = {0};
	cli_client_set_cancel(w->client, &stop_signals);
	int rc = cli_client_call(w->client, "GetActivityTask", req, &resp, &err);
	cli_client_set_cancel(w->client, NULL);
	json_decref(req);
	int result = POLL_NONE;
	if (rc == CLIENT_OK) {
		*retry = RETRY_FIRST_SECONDS;
		const char *t = json_string_value(json_object_get(resp, "taskToken"));
		const char *in = json_string_value(json_object_get(resp, "input"));
		if (t && t[0]) {
			*token = xstrdup(t);
			*input = xstrdup(in ? in : "null");
			result = POLL_TASK;
		}
	} else if (rc == CLIENT_CANCELLED) {
		result = POLL_STOP;
	} else {
		print_call_error(w, "GetActivityTask", rc, &err);
		bool fatal = rc == CLIENT_SERVER_ERROR &&
		             (!strcmp(err.name, "ActivityDoesNotExist") || !strcmp(err.name, "InvalidArn") ||
		              !strcmp(err.name, "ValidationException"));
		if (fatal) {
			result = POLL_FATAL;
		} else { /* the server may be restarting: wait and poll again */
			for (double end = clock_mono() + *retry; !stop_signals && clock_mono() < end;)
				sleep_seconds(0.2);
			*retry = *retry * 2 > RETRY_MAX_SECONDS ? RETRY_MAX_SECONDS : *retry * 2;
		}
	}
	json_decref(resp);
	cli_client_error_clear(&err);
	return result;
}

static int work(worker *w)
{
	if (w->tty)
		fprintf(stderr, "stepd worker: %s polling %s at %s\n", w->name, w->activity_arn,
		        w->endpoint);
	double retry = RETRY_FIRST_SECONDS;
	while (!stop_signals) {
		char *token = NULL, *input = NULL;
		int got = poll_task(w, &token, &input, &retry);
		if (got == POLL_FATAL)
			return 1;
		bool go_on = got != POLL_TASK || run_task(w, token, input);
		free(token);
		free(input);
		if (!go_on)
			return 1;
	}
	return 0;
}

int cli_worker(int argc, char **argv)
{
	worker w = {0};
	int p = parse_args(&w, argc, argv);
	if (p != 0) {
		usage(p > 0 ? stdout : stderr);
		return p > 0 ? 0 : CLI_USAGE;
	}
	fill_defaults(&w);
	w.tty = isatty(STDERR_FILENO);
	int rc = 1;
	w.client = cli_client_new(w.endpoint);
	w.beat = cli_client_new(w.endpoint);
	if (!w.client || !w.beat)
		fprintf(stderr, "stepd worker: cannot start libcurl\n");
	else if (!install_signals())
		fprintf(stderr, "stepd worker: cannot install signal handlers: %s\n", strerror(errno));
	else
		rc = work(&w);
	cli_client_free(w.beat);
	cli_client_free(w.client);
	free(w.activity_arn);
	free(w.default_name);
	return rc;
}
