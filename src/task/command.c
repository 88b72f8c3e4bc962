/*
 * command: run one program the way a Lambda invocation runs a handler. The input
 * goes to its stdin, its stdout is the result, its stderr is passed through to ours.
 *
 * Invariants:
 *   - the program is executed directly (execve of argv, PATH looked up here, before
 *     fork); a shell never sees the arguments;
 *   - the child leads its own process group, so a timeout can kill it and every
 *     process it started (kill(-pgid, SIGKILL)); when the leader exits, whatever
 *     remains of the group is killed too, before the leader is reaped (the zombie
 *     keeps the group id from being reused while we signal it);
 *   - one poll loop moves all three pipes (non-blocking), so a child that never
 *     reads its stdin, or writes megabytes before reading, cannot deadlock us;
 *   - SIGPIPE is blocked in this thread while the run lasts and any SIGPIPE the
 *     run raised is consumed, so a child that closes stdin early is an EPIPE,
 *     never a signal that kills the host;
 *   - the child is always reaped, on every path.
 *
 * Life of a run:
 *   command_start    pipes, fork, exec (failure reported back through a CLOEXEC pipe)
 *   command_pump     poll loop until the leader exits, the deadline passes or
 *                    stdout passes its limit
 *   command_finish   kill the group, drain what is buffered, close, reap
 *
 * The child between fork and exec only calls async-signal-safe functions: the
 * environment and program path are built before fork, since the host may be
 * multi-threaded.
 */
#include "task/task.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SLICE_MS 50     /* longest poll wait: how soon we notice the leader's exit */
#define READ_CHUNK 16384

enum { FD_IN, FD_OUT, FD_ERR, FD_COUNT };

typedef struct run {
	const task_command *cmd;
	pid_t pid;
	int fd[FD_COUNT];               /* our ends; -1 once closed */
	const char *input;
	size_t input_len, input_off;
	char *out;
	size_t out_len, out_cap, out_limit;
	char tail[TASK_STDERR_TAIL];
	size_t tail_len;
	bool tail_full;                 /* tail has wrapped: tail_len is the write offset */
	bool pass_stderr;               /* false once writing to our stderr failed */
	double deadline;                /* clock_mono() seconds; 0: none */
	task_exit how;
} run;

/* ---- before fork: environment and program path ---- */

static bool env_overridden(const char *entry, char *const *extra)
{
	const char *eq = strchr(entry, '=');
	size_t klen = eq ? (size_t)(eq - entry) : strlen(entry);
	for (; extra && *extra; extra++)
		if (strncmp(*extra, entry, klen) == 0 && (*extra)[klen] == '=')
			return true;
	return false;
}

/* Our environment with extra's entries set over it. The array is malloc'd; its
 * strings are borrowed from environ and extra. */
static char **build_env(char *const *extra)
{
	size_t n = 0, m = 0;
	while (environ && environ[n])
		n++;
	while (extra && extra[m])
		m++;
	char **env = xcalloc(n + m + 1, sizeof *env);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!env_overridden(environ[i], extra))
			env[k++] = environ[i];
	for (size_t i = 0; i < m; i++)
		env[k++] = extra[i];
	return env;
}

static const char *env_get(char **env, const char *key)
{
	size_t klen = strlen(key);
	for (; *env; env++)
		if (strncmp(*env, key, klen) == 0 && (*env)[klen] == '=')
			return *env + klen + 1;
	return NULL;
}

static bool is_executable_file(const char *path, int *why)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		*why = errno;
		return false;
	}
	if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
		*why = EACCES;
		return false;
	}
	return true;
}

/* The file execve should run for prog: prog itself when it holds a '/', else the
 * first executable file named prog in the child's PATH. NULL with *err set. */
static char *find_program(const char *prog, char **env, char **err)
{
	if (strchr(prog, '/'))
		return xstrdup(prog);
	const char *path = env_get(env, "PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	int why = ENOENT;
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		char *cand = end == p ? xasprintf("./%s", prog)
		                      : xasprintf("%.*s/%s", (int)(end - p), p, prog);
		int w = ENOENT;
		if (is_executable_file(cand, &w))
			return cand;
		if (w == EACCES)
			why = EACCES;
		free(cand);
		if (*end == '\0')
			break;
		p = end;
	}
	*err = xasprintf("%s: %s in PATH (%s)", prog,
	                 why == EACCES ? "not executable" : "not found", path);
	return NULL;
}

/* ---- fork and exec ---- */

/* What the child reports through the exec pipe when it cannot exec. */
typedef struct child_failure {
	int stage; /* 0: chdir, 1: execve, 2: setting up stdio */
	int err;
} child_failure;

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		/* close() errors on a pipe end carry no data we could lose. */
		(void)close(*fd);
		*fd = -1;
	}
}

static _Noreturn void child_fail(int report, int stage)
{
	child_failure f = {stage, errno};
	ssize_t w = write(report, &f, sizeof f);
	(void)w; /* nothing more the child can do; the parent sees EOF and exit 127 */
	_exit(127);
}

/* In the child: async-signal-safe calls only. */
static _Noreturn void child_exec(const char *prog, char *const *argv, char **env,
                                 const char *cwd, int pipes[FD_COUNT][2], int report)
{
	sigset_t none;
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&none);
	if (setpgid(0, 0) != 0 || sigaction(SIGPIPE, &dfl, NULL) != 0 ||
	    sigprocmask(SIG_SETMASK, &none, NULL) != 0 || dup2(pipes[FD_IN][0], 0) < 0 ||
	    dup2(pipes[FD_OUT][1], 1) < 0 || dup2(pipes[FD_ERR][1], 2) < 0)
		child_fail(report, 2);
	if (cwd && chdir(cwd) != 0)
		child_fail(report, 0);
	execve(prog, argv, env);
	child_fail(report, 1);
}

static void close_pipes(int pipes[][2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		close_fd(&pipes[i][0]);
		close_fd(&pipes[i][1]);
	}
}

static bool open_pipes(int pipes[][2], size_t n, char **err)
{
	for (size_t i = 0; i < n; i++)
		pipes[i][0] = pipes[i][1] = -1;
	for (size_t i = 0; i < n; i++) {
		if (pipe2(pipes[i], O_CLOEXEC) != 0) {
			*err = xasprintf("pipe: %s", strerror(errno));
			close_pipes(pipes, n);
			return false;
		}
	}
	return true;
}

static void reap(pid_t pid, int *status)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	/* Any other waitpid failure (ECHILD: the host reaps children itself) leaves
	 * nothing to wait for; the status stays 0. */
	if (status)
		*status = st;
}

/* Reads the child's exec report: 0 bytes (EOF) means execve succeeded. */
static bool exec_succeeded(int fd, child_failure *f)
{
	ssize_t n;
	do
		n = read(fd, f, sizeof *f);
	while (n < 0 && errno == EINTR);
	return n != (ssize_t)sizeof *f;
}

static char *exec_error(const task_command *cmd, const char *prog, const child_failure *f)
{
	if (f->stage == 0)
		return xasprintf("working directory %s: %s", cmd->cwd, strerror(f->err));
	if (f->stage == 1)
		return xasprintf("%s: %s", prog, strerror(f->err));
	return xasprintf("%s: setting up the child process: %s", prog, strerror(f->err));
}

static bool set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

/* Takes our ends of the stdio pipes into r and closes the child's. */
static void keep_parent_ends(run *r, int pipes[][2])
{
	r->fd[FD_IN] = pipes[FD_IN][1];
	r->fd[FD_OUT] = pipes[FD_OUT][0];
	r->fd[FD_ERR] = pipes[FD_ERR][0];
	pipes[FD_IN][1] = pipes[FD_OUT][0] = pipes[FD_ERR][0] = -1;
	close_pipes(pipes, FD_COUNT);
}

/* Forks and execs; r->pid is set whenever a child was forked (the caller kills and
 * reaps it on failure), r->fd once it runs. */
static bool command_fork(run *r, const char *prog, char **env, char **err)
{
	int pipes[FD_COUNT + 1][2], *report = pipes[FD_COUNT];
	if (!open_pipes(pipes, FD_COUNT + 1, err))
		return false;
	r->pid = fork();
	if (r->pid < 0) {
		*err = xasprintf("fork: %s", strerror(errno));
		close_pipes(pipes, FD_COUNT + 1);
		return false;
	}
	if (r->pid == 0)
		child_exec(prog, r->cmd->argv, env, r->cmd->cwd, pipes, report[1]);
	/* Also from the parent, so the group exists before we may signal it. EACCES
	 * (the child has exec'd: it did so itself) and ESRCH (it is gone) are fine. */
	int pg = setpgid(r->pid, r->pid) == 0 || errno == EACCES || errno == ESRCH ? 0 : errno;
	keep_parent_ends(r, pipes);
	close_fd(&report[1]);
	child_failure f;
	bool exec_ok = exec_succeeded(report[0], &f);
	close_fd(&report[0]);
	if (!exec_ok)
		*err = exec_error(r->cmd, prog, &f);
	else if (pg)
		*err = xasprintf("setpgid: %s", strerror(pg));
	for (int i = 0; i < FD_COUNT && !*err; i++)
		if (!set_nonblocking(r->fd[i]))
			*err = xasprintf("fcntl: %s", strerror(errno));
	return *err == NULL;
}

static void kill_group(pid_t pgid)
{
	/* ESRCH: the group is already gone. Nothing else can fail for our own child. */
	if (kill(-pgid, SIGKILL) != 0 && errno != ESRCH)
		(void)kill(pgid, SIGKILL);
}

static void close_all(run *r)
{
	for (int i = 0; i < FD_COUNT; i++)
		close_fd(&r->fd[i]);
}

/* Starts the program; on failure nothing is left running. */
static bool command_start(run *r, char **err)
{
	char **env = build_env(r->cmd->env);
	char *prog = find_program(r->cmd->argv[0], env, err);
	bool ok = prog && command_fork(r, prog, env, err);
	if (!ok && r->pid > 0) {
		kill_group(r->pid);
		reap(r->pid, NULL);
		close_all(r);
	}
	free(prog);
	free(env);
	return ok;
}

/* ---- the poll loop ---- */

static void write_input(run *r)
{
	while (r->input_off < r->input_len) {
		ssize_t n = write(r->fd[FD_IN], r->input + r->input_off, r->input_len - r->input_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) /* EPIPE: the child does not want (the rest of) its input */
			break;
		r->input_off += (size_t)n;
	}
	close_fd(&r->fd[FD_IN]);
}

static void keep_stderr(run *r, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		r->tail[r->tail_len++] = buf[i];
		if (r->tail_len == sizeof r->tail) {
			r->tail_len = 0;
			r->tail_full = true;
		}
	}
	for (size_t off = 0; r->pass_stderr && off < n;) {
		ssize_t w = write(STDERR_FILENO, buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) { /* our stderr is gone or non-blocking and full: stop copying */
			r->pass_stderr = false;
			break;
		}
		off += (size_t)w;
	}
}

static void keep_stdout(run *r, const char *buf, size_t n)
{
	if (r->out_len + n > r->out_limit) {
		r->how = TASK_OUT_LIMIT;
		return;
	}
	if (r->out_len + n + 1 > r->out_cap) {
		while (r->out_len + n + 1 > r->out_cap)
			r->out_cap = r->out_cap ? r->out_cap * 2 : 4096;
		r->out = xrealloc(r->out, r->out_cap);
	}
	memcpy(r->out + r->out_len, buf, n);
	r->out_len += n;
}

/* Reads what fd has now; closes it at EOF or on error. */
static void read_output(run *r, int which)
{
	char buf[READ_CHUNK];
	for (;;) {
		ssize_t n = read(r->fd[which], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) /* EOF, or an error that ends this pipe */
			break;
		if (which == FD_OUT)
			keep_stdout(r, buf, (size_t)n);
		else
			keep_stderr(r, buf, (size_t)n);
		if (r->how == TASK_OUT_LIMIT)
			return;
	}
	close_fd(&r->fd[which]);
}

/* Whether the leader has exited, without reaping it (it keeps the group id). */
static bool leader_exited(pid_t pid)
{
	siginfo_t info;
	memset(&info, 0, sizeof info);
	int rc;
	do
		rc = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
	while (rc < 0 && errno == EINTR);
	/* ECHILD: someone else reaped it (the host ignores SIGCHLD): it has exited. */
	return rc < 0 || info.si_pid == pid;
}

static int poll_timeout_ms(const run *r, int idle_ms)
{
	int ms = idle_ms;
	if (r->deadline > 0) {
		double left = (r->deadline - clock_mono()) * 1000.0;
		if (left < ms)
			ms = left < 0 ? 0 : (int)left + 1;
	}
	return ms;
}

static void handle_ready(run *r, struct pollfd *p, const int *which, int n)
{
	for (int i = 0; i < n; i++) {
		if (!p[i].revents)
			continue;
		if (which[i] == FD_IN)
			write_input(r);
		else
			read_output(r, which[i]);
	}
}

/* Moves data until the leader exits, the deadline passes or stdout overflows.
 * Returns false with *err set when poll itself fails. */
static bool command_pump(run *r, char **err)
{
	int idle_ms = 1;
	while (r->how == TASK_EXITED && !leader_exited(r->pid)) {
		if (r->deadline > 0 && clock_mono() >= r->deadline) {
			r->how = TASK_TIMED_OUT;
			break;
		}
		struct pollfd p[FD_COUNT];
		int which[FD_COUNT], n = 0;
		for (int i = 0; i < FD_COUNT; i++) {
			if (r->fd[i] < 0)
				continue;
			p[n].fd = r->fd[i];
			p[n].events = i == FD_IN ? POLLOUT : POLLIN;
			p[n].revents = 0;
			which[n++] = i;
		}
		int rc = poll(p, (nfds_t)n, poll_timeout_ms(r, n ? SLICE_MS : idle_ms));
		if (rc < 0 && errno != EINTR) {
			*err = xasprintf("poll: %s", strerror(errno));
			return false;
		}
		if (rc > 0)
			handle_ready(r, p, which, n);
		idle_ms = idle_ms < SLICE_MS ? idle_ms * 2 : SLICE_MS;
	}
	return true;
}

/* ---- finishing ---- */

static char *tail_text(const run *r)
{
	size_t n = r->tail_full ? sizeof r->tail : r->tail_len;
	char *s = xmalloc(n + 1);
	if (r->tail_full) {
		size_t first = sizeof r->tail - r->tail_len;
		memcpy(s, r->tail + r->tail_len, first);
		memcpy(s + first, r->tail, r->tail_len);
	} else {
		memcpy(s, r->tail, n);
	}
	s[n] = '\0';
	return s;
}

/* Kills what is left of the group, collects buffered output, reaps the leader. */
static void command_finish(run *r, task_outcome *out)
{
	kill_group(r->pid);
	if (r->how == TASK_EXITED) {
		for (int i = FD_OUT; i < FD_COUNT; i++)
			if (r->fd[i] >= 0)
				read_output(r, i);
	}
	close_all(r);
	int status;
	reap(r->pid, &status);
	out->how = r->how;
	if (r->how == TASK_EXITED && WIFSIGNALED(status)) {
		out->how = TASK_SIGNALED;
		out->code = WTERMSIG(status);
	} else if (r->how == TASK_EXITED) {
		out->code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	}
	if (!r->out)
		r->out = xmalloc(1);
	r->out[r->out_len] = '\0';
	out->out = r->out;
	out->out_len = r->out_len;
	out->err_tail = tail_text(r);
}

/* ---- SIGPIPE: blocked for this thread while the run lasts ---- */

static void sigpipe_block(sigset_t *old, bool *was_pending)
{
	sigset_t pipe_set, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	*was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
	/* pthread_sigmask fails only for an invalid "how": not possible here. */
	(void)pthread_sigmask(SIG_BLOCK, &pipe_set, old);
}

static void sigpipe_restore(const sigset_t *old, bool was_pending)
{
	sigset_t pipe_set, pending;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (!was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
		struct timespec zero = {0, 0};
		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	(void)pthread_sigmask(SIG_SETMASK, old, NULL);
}

int task_command_run(const task_command *cmd, const char *input, size_t len,
                     task_outcome *out, char **err)
{
	run r = {.cmd = cmd, .pid = -1, .fd = {-1, -1, -1}, .input = input,
	         .input_len = len, .pass_stderr = !cmd->stderr_quiet, .how = TASK_EXITED};
	r.out_limit = cmd->out_limit ? cmd->out_limit : TASK_STDOUT_LIMIT;
	r.deadline = cmd->timeout > 0 ? clock_mono() + cmd->timeout : 0;
	memset(out, 0, sizeof *out);
	*err = NULL;
	sigset_t old;
	bool was_pending;
	sigpipe_block(&old, &was_pending);
	bool ok = command_start(&r, err);
	if (ok) {
		write_input(&r);
		ok = command_pump(&r, err);
		command_finish(&r, out);
		if (!ok)
			task_outcome_close(out);
	}
	sigpipe_restore(&old, was_pending);
	return ok ? 0 : -1;
}

void task_outcome_close(task_outcome *o)
{
	free(o->out);
	free(o->err_tail);
	memset(o, 0, sizeof *o);
}
