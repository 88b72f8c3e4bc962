/* Unit tests for src/task/command.c: running real processes. /bin/sh appears here
 * only as a convenient test program; the product never uses a shell. */
#include "task_test.h"

#include <fcntl.h>

/* Runs argv with input; returns task_command_run's code. */
static int run_argv(char *const *argv, const char *input, double timeout, size_t limit,
                    task_outcome *o, char **err)
{
	task_command cmd = {.argv = argv, .timeout = timeout, .out_limit = limit,
	                   .stderr_quiet = true};
	return task_command_run(&cmd, input, strlen(input), o, err);
}

TEST(task_command_cat_echoes_input)
{
	char *argv[] = {"cat", NULL}; /* found through PATH */
	task_outcome o;
	char *err = NULL;
	CHECK(run_argv(argv, "{\"a\":[1,2]}", 5, 0, &o, &err) == 0);
	CHECK(o.how == TASK_EXITED && o.code == 0);
	CHECK(o.out_len == 11);
	CHECK_STR(o.out, "{\"a\":[1,2]}");
	CHECK_STR(o.err_tail, "");
	task_outcome_close(&o);
}

TEST(task_command_exit_status_and_stderr_tail)
{
	char *argv[] = {"/bin/sh", "-c", "echo out; echo 'to stderr' >&2; exit 3", NULL};
	task_outcome o;
	char *err = NULL;
	CHECK(run_argv(argv, "", 5, 0, &o, &err) == 0);
	CHECK(o.how == TASK_EXITED && o.code == 3);
	CHECK_STR(o.out, "out\n");
	CHECK_STR(o.err_tail, "to stderr\n");
	task_outcome_close(&o);
}

TEST(task_command_stderr_tail_keeps_the_end)
{
	char *argv[] = {"/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line$i >&2; "
	                "i=$((i+1)); done; echo LAST >&2", NULL};
	task_outcome o;
	char *err = NULL;
	CHECK(run_argv(argv, "", 5, 0, &o, &err) == 0);
	CHECK(strlen(o.err_tail) == TASK_STDERR_TAIL);
	CHECK(tt_contains(o.err_tail, "line299\nLAST\n"));
	task_outcome_close(&o);
}

TEST(task_command_signal)
{
	char *argv[] = {"/bin/sh", "-c", "kill -SEGV $$", NULL};
	task_outcome o;
	char *err = NULL;
	CHECK(run_argv(argv, "", 5, 0, &o, &err) == 0);
	CHECK(o.how == TASK_SIGNALED);
	CHECK(o.code == SIGSEGV);
	task_outcome_close(&o);
}

TEST(task_command_unread_large_input_no_deadlock)
{
	size_t n = 4 << 20; /* far more than a pipe buffer */
	char *big = xmalloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	char *argv[] = {"/bin/sh", "-c", "echo 5", NULL};
	task_outcome o;
	char *err = NULL;
	int rc = run_argv(argv, big, 10, 0, &o, &err);
	free(big);
	CHECK(rc == 0);
	CHECK(o.how == TASK_EXITED && o.code == 0);
	CHECK_STR(o.out, "5\n");
	task_outcome_close(&o);
}

TEST(task_command_large_input_and_output)
{
	size_t n = 3 << 20;
	char *big = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	big[n] = '\0';
	char *argv[] = {"cat", NULL};
	task_outcome o;
	char *err = NULL;
	int rc = run_argv(argv, big, 10, 0, &o, &err);
	bool same = rc == 0 && o.out_len == n && memcmp(o.out, big, n) == 0;
	free(big);
	CHECK(rc == 0);
	CHECK(same);
	task_outcome_close(&o);
}

TEST(task_command_timeout_kills_group)
{
	char *dir = tt_tmpdir();
	CHECK(dir != NULL);
	char *script = xasprintf("sleep 30 & echo $! > %s/pid; wait", dir);
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	task_outcome o;
	char *err = NULL;
	int rc = run_argv(argv, "", 0.3, 0, &o, &err);
	char *pidfile = xasprintf("%s/pid", dir);
	pid_t sleeper = tt_read_pid(pidfile);
	free(pidfile);
	free(script);
	tt_rmdir(dir);
	CHECK(rc == 0);
	CHECK(o.how == TASK_TIMED_OUT);
	CHECK(sleeper > 0);
	CHECK(tt_process_dead(sleeper));
	task_outcome_close(&o);
}

TEST(task_command_exit_kills_leftover_children)
{
	/* The background sleep keeps stdout open: the run must still end when sh does. */
	char *dir = tt_tmpdir();
	CHECK(dir != NULL);
	char *script = xasprintf("sleep 30 & echo $! > %s/pid; echo 1", dir);
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	task_outcome o;
	char *err = NULL;
	int rc = run_argv(argv, "", 20, 0, &o, &err);
	char *pidfile = xasprintf("%s/pid", dir);
	pid_t sleeper = tt_read_pid(pidfile);
	free(pidfile);
	free(script);
	tt_rmdir(dir);
	CHECK(rc == 0);
	CHECK(o.how == TASK_EXITED && o.code == 0);
	CHECK_STR(o.out, "1\n");
	CHECK(sleeper > 0);
	CHECK(tt_process_dead(sleeper));
	task_outcome_close(&o);
}

TEST(task_command_stdout_limit)
{
	char *argv[] = {"yes", NULL};
	task_outcome o;
	char *err = NULL;
	CHECK(run_argv(argv, "", 10, 100000, &o, &err) == 0);
	CHECK(o.how == TASK_OUT_LIMIT);
	CHECK(o.out_len <= 100000);
	task_outcome_close(&o);
}

TEST(task_command_environment_and_cwd)
{
	char *argv[] = {"/bin/sh", "-c", "printf '%s|%s|%s' \"$K\" \"$(pwd)\" \"$HOME\"", NULL};
	char *env[] = {"K=V=W", "HOME=/nowhere", NULL};
	task_command cmd = {.argv = argv, .env = env, .cwd = "/", .timeout = 5};
	task_outcome o;
	char *err = NULL;
	CHECK(task_command_run(&cmd, "", 0, &o, &err) == 0);
	CHECK_STR(o.out, "V=W|/|/nowhere");
	task_outcome_close(&o);
}

TEST(task_command_inherits_environment)
{
	CHECK(setenv("STEPD_TASK_TEST_VAR", "inherited", 1) == 0);
	char *argv[] = {"/bin/sh", "-c", "printf %s \"$STEPD_TASK_TEST_VAR\"", NULL};
	task_outcome o;
	char *err = NULL;
	int rc = run_argv(argv, "", 5, 0, &o, &err);
	CHECK(unsetenv("STEPD_TASK_TEST_VAR") == 0);
	CHECK(rc == 0);
	CHECK_STR(o.out, "inherited");
	task_outcome_close(&o);
}

TEST(task_command_missing_program)
{
	char *argv[] = {"/nonexistent/prog", NULL};
	task_outcome o;
	char *err = NULL;
	CHECK(run_argv(argv, "{}", 5, 0, &o, &err) == -1);
	CHECK_STR(err, "/nonexistent/prog: No such file or directory");
	free(err);
	char *argv2[] = {"stepd-no-such-program", NULL};
	CHECK(run_argv(argv2, "{}", 5, 0, &o, &err) == -1);
	CHECK(tt_starts_with(err, "stepd-no-such-program: not found in PATH ("));
	free(err);
}

TEST(task_command_not_executable)
{
	char *argv[] = {"/etc/passwd", NULL};
	task_outcome o;
	char *err = NULL;
	CHECK(run_argv(argv, "", 5, 0, &o, &err) == -1);
	CHECK_STR(err, "/etc/passwd: Permission denied");
	free(err);
}

TEST(task_command_bad_working_directory)
{
	char *argv[] = {"cat", NULL};
	task_command cmd = {.argv = argv, .cwd = "/nonexistent/dir", .timeout = 5};
	task_outcome o;
	char *err = NULL;
	CHECK(task_command_run(&cmd, "", 0, &o, &err) == -1);
	CHECK_STR(err, "working directory /nonexistent/dir: No such file or directory");
	free(err);
}

static int count_open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

TEST(task_command_closes_its_descriptors)
{
	int before = count_open_fds();
	char *ok_argv[] = {"cat", NULL}, *bad_argv[] = {"/nonexistent/prog", NULL};
	char *slow_argv[] = {"sleep", "30", NULL};
	task_outcome o;
	char *err = NULL;
	CHECK(run_argv(ok_argv, "{}", 5, 0, &o, &err) == 0);
	task_outcome_close(&o);
	CHECK(run_argv(bad_argv, "{}", 5, 0, &o, &err) == -1);
	free(err);
	CHECK(run_argv(slow_argv, "{}", 0.1, 0, &o, &err) == 0);
	CHECK(o.how == TASK_TIMED_OUT);
	task_outcome_close(&o);
	CHECK(count_open_fds() == before);
}
