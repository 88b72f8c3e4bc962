/*
 * Durability: a process killed with SIGKILL in the middle of a transaction
 * leaves exactly the batches it committed, never part of one.
 *
 * A child process appends history events in batches, one transaction per batch,
 * and reports each commit to the parent through a pipe. The parent kills it
 * (1) at a known point: halfway through a batch large enough that SQLite has
 * already written uncommitted pages to the WAL file, and (2) at an arbitrary
 * point while it commits batches as fast as it can. Reopening the database must
 * show every reported batch and no partial batch.
 *
 * store_disk_full_rolls_back runs a transaction into a file-size limit (a full
 * disk, as SQLite sees it) and checks the STORE_IO path of store.h.
 */
#include "store_test.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CRASH_EXEC "arn:aws:states:us-east-1:123456789012:execution:crash:x"

/* Child → parent messages. */
enum { MSG_COMMITTED = 'c', MSG_MIDWAY = 'm', MSG_FAILED = 'f' };

/* Appends events first..first+n-1 in calls of up to 100 events, each event
 * carrying some padding so a large batch outgrows SQLite's page cache. */
static int append_range(store *s, int64_t first, int64_t n)
{
	static char pad[201];
	memset(pad, 'p', 200);
	for (int64_t done = 0; done < n;) {
		json_t *events = json_array();
		for (int k = 0; k < 100 && done < n; k++, done++)
			json_array_append_new(events, json_pack("{s:I, s:s, s:s}", "id",
			                                        (json_int_t)(first + done), "type",
			                                        "TaskSucceeded", "pad", pad));
		int rc = store_events_append(s, CRASH_EXEC, events, NULL);
		json_decref(events);
		if (rc != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

static void send_msg(int fd, char m)
{
	while (write(fd, &m, 1) < 0 && errno == EINTR)
		;
}

/* The child: `batches` committed batches of `size` events (0: forever), then,
 * when midway_size > 0, half of one more batch, a message, and a pause. */
static void child(const char *uri, int fd, int batches, int64_t size, int64_t midway_size)
{
	store *s = NULL;
	if (store_open(uri, &s, NULL) != STORE_OK)
		goto failed;
	int64_t next = 1;
	for (int b = 0; batches == 0 || b < batches; b++, next += size) {
		if (store_begin(s, NULL) != STORE_OK || append_range(s, next, size) != STORE_OK ||
		    store_commit(s, NULL) != STORE_OK)
			goto failed;
		send_msg(fd, MSG_COMMITTED);
	}
	if (store_begin(s, NULL) != STORE_OK || append_range(s, next, midway_size / 2) != STORE_OK)
		goto failed;
	send_msg(fd, MSG_MIDWAY);
	for (;;)
		pause(); /* killed here, the transaction open */
failed:
	send_msg(fd, MSG_FAILED);
	_exit(1);
}

/* Reads one message; 0 at end of file. */
static char recv_msg(int fd)
{
	char m;
	ssize_t n;
	while ((n = read(fd, &m, 1)) < 0 && errno == EINTR)
		;
	return n == 1 ? m : 0;
}

/* Checks that the history holds exactly ids 1..n, in order. */
static bool history_is(store *s, int64_t n)
{
	json_t *events = NULL;
	bool more, ok = store_events_list(s, CRASH_EXEC, 0, false, 0, &events, &more, NULL) ==
	                    STORE_OK && (int64_t)json_array_size(events) == n;
	for (int64_t i = 0; ok && i < n; i++)
		ok = json_integer_value(json_object_get(json_array_get(events, (size_t)i), "id")) == i + 1;
	if (!ok)
		fprintf(stderr, "  history has %zu events, want 1..%lld\n", json_array_size(events),
		        (long long)n);
	json_decref(events);
	return ok;
}

static pid_t start_child(store_fx *fx, int fds[2], int batches, int64_t size, int64_t midway)
{
	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(fx->uri, fds[1], batches, size, midway);
	}
	close(fds[1]);
	return pid;
}

static bool kill_child(pid_t pid)
{
	int status;
	if (kill(pid, SIGKILL) != 0)
		return false;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

TEST(store_crash_midway_through_a_batch)
{
	if (!sfx_is_sqlite())
		return;
	store_fx fx;
	CHECK(sfx_open(&fx));
	store_close(fx.s); /* the child writes; the parent only looks afterwards */
	fx.s = NULL;
	int fds[2];
	const int batches = 3;
	const int64_t size = 500, midway = 40000; /* ~10 MB: spills into the WAL */
	pid_t pid = start_child(&fx, fds, batches, size, midway);
	CHECK(pid > 0);
	int committed = 0;
	char m;
	while ((m = recv_msg(fds[0])) == MSG_COMMITTED)
		committed++;
	close(fds[0]);
	/* the open transaction has outgrown the page cache: uncommitted pages are
	 * in the WAL file, which recovery must ignore */
	char *wal = xasprintf("%s-wal", fx.uri);
	struct stat st;
	bool spilled = stat(wal, &st) == 0 && st.st_size > 3 * 1024 * 1024;
	free(wal);
	CHECK(kill_child(pid));
	CHECK(m == MSG_MIDWAY);
	CHECK(committed == batches);
	CHECK(spilled);
	CHECK(sfx_reopen(&fx));
	CHECK(history_is(fx.s, batches * size));
	/* the database is healthy: it takes new writes */
	CHECK(append_range(fx.s, batches * size + 1, 10) == STORE_OK);
	CHECK(history_is(fx.s, batches * size + 10));
	sfx_close(&fx);
}

TEST(store_crash_while_committing)
{
	if (!sfx_is_sqlite())
		return;
	store_fx fx;
	CHECK(sfx_open(&fx));
	store_close(fx.s);
	fx.s = NULL;
	int fds[2];
	const int64_t size = 250;
	pid_t pid = start_child(&fx, fds, 0, size, 0);
	CHECK(pid > 0);
	int committed = 0;
	while (committed < 8 && recv_msg(fds[0]) == MSG_COMMITTED)
		committed++;
	CHECK(committed == 8);
	usleep(3000); /* somewhere in a later batch, or its commit */
	CHECK(kill_child(pid));
	while (recv_msg(fds[0]) == MSG_COMMITTED) /* reported before the kill */
		committed++;
	close(fds[0]);
	CHECK(sfx_reopen(&fx));
	int64_t n = -1;
	CHECK(store_events_count(fx.s, CRASH_EXEC, &n, NULL) == STORE_OK);
	CHECK(n % size == 0);         /* never part of a batch */
	CHECK(n >= committed * size); /* every reported commit survived */
	CHECK(n <= (committed + 1) * size); /* at most the one committed but not reported */
	CHECK(history_is(fx.s, n));
	sfx_close(&fx);
}

/* In a child process whose file-size limit is reached halfway through a
 * transaction (as a full disk would): the failing call is STORE_IO, the
 * transaction is rolled back and refuses further work, commit reports that
 * nothing was committed, and the handle works again after store_rollback.
 * Returns the number of the first failed step (0: all passed). */
static int disk_full_child(const char *uri)
{
	store *s = NULL;
	char *err = NULL;
	if (store_open(uri, &s, NULL) != STORE_OK || append_range(s, 1, 10) != STORE_OK)
		return 1;
	struct rlimit lim = {1 << 20, 1 << 20};
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &lim) != 0 || store_begin(s, NULL) != STORE_OK)
		return 2;
	int rc = STORE_OK;
	for (int64_t id = 11; rc == STORE_OK && id < 40000; id += 100)
		rc = append_range(s, id, 100);
	if (rc != STORE_IO)
		return 3;
	if (store_events_append(s, CRASH_EXEC, NULL, NULL) != STORE_INVALID)
		return 4; /* bad input is still bad input */
	if (store_events_count(s, CRASH_EXEC, &(int64_t){0}, &err) != STORE_IO ||
	    !strstr(err, "rolled back"))
		return 5;
	free(err);
	err = NULL;
	if (store_commit(s, &err) != STORE_IO || !strstr(err, "nothing was committed"))
		return 6;
	free(err);
	store_rollback(s);
	int64_t n = 0;
	if (store_events_count(s, CRASH_EXEC, &n, NULL) != STORE_OK || n != 10)
		return 7;
	store_close(s);
	return 0;
}

TEST(store_disk_full_rolls_back)
{
	if (!sfx_is_sqlite())
		return;
	store_fx fx;
	CHECK(sfx_open(&fx));
	store_close(fx.s);
	fx.s = NULL;
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(disk_full_child(fx.uri));
	int status;
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "  child failed at step %d\n", WEXITSTATUS(status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(sfx_reopen(&fx));
	CHECK(history_is(fx.s, 10));
	sfx_close(&fx);
}
