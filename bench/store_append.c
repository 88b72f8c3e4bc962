/*
 * store_append: how fast the durable store appends history events.
 *
 * Appends small events (~120 bytes of JSON) to one execution through the store
 * interface, into a fresh SQLite file in a temp directory (WAL,
 * synchronous=FULL: every commit is fsync'd), with 1, 10, 100 and 1000 events
 * per transaction. Each batch is appended two ways: one store_events_append call
 * for the whole batch, and one call per event (as a runtime advancing many
 * executions would). Prints events/s and commits/s; asserts nothing.
 *
 * Usage: store_append [events-per-run]   (default 100000; each run also stops
 * after 10 s, so batches of 1 on a slow disk finish)
 */
#include "store/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXEC "arn:aws:states:us-east-1:123456789012:execution:bench:e1"
#define TIME_CAP 10.0

static void die(const char *what, char *err)
{
	fprintf(stderr, "store_append: %s: %s\n", what, err ? err : "?");
	exit(1);
}

static json_t *make_event(int64_t id)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:{s:s, s:s}}", "id", (json_int_t)id,
	                 "previousEventId", (json_int_t)(id - 1), "timestamp",
	                 "2024-01-02T03:04:05.678Z", "type", "PassStateExited",
	                 "stateExitedEventDetails", "name", "Step", "output", "{\"n\":1}");
}

/* One transaction of `size` events starting at id; per_event: one call each. */
static void append_batch(store *s, int64_t id, int size, bool per_event)
{
	char *err = NULL;
	json_t *events = json_array();
	for (int i = 0; i < size; i++) {
		json_array_append_new(events, make_event(id + i));
		if (per_event) {
			if (store_events_append(s, EXEC, events, &err) != STORE_OK)
				die("append", err);
			json_array_clear(events);
		}
	}
	if (!per_event && store_events_append(s, EXEC, events, &err) != STORE_OK)
		die("append", err);
	json_decref(events);
}

static void run(const char *dir, int batch, bool per_event, int64_t total)
{
	char *path = xasprintf("%s/bench-%d-%d.db", dir, batch, per_event);
	char *err = NULL;
	store *s;
	if (store_open(path, &s, &err) != STORE_OK)
		die("open", err);
	int64_t done = 0, commits = 0;
	double t0 = clock_mono(), elapsed = 0;
	while (done < total && elapsed < TIME_CAP) {
		if (store_begin(s, &err) != STORE_OK)
			die("begin", err);
		append_batch(s, done + 1, batch, per_event);
		if (store_commit(s, &err) != STORE_OK)
			die("commit", err);
		done += batch;
		commits++;
		elapsed = clock_mono() - t0;
	}
	printf("batch %5d  %-14s %8lld events in %6.2f s  %9.0f events/s  %8.0f commits/s\n",
	       batch, per_event ? "call per event" : "call per batch", (long long)done, elapsed,
	       done / elapsed, commits / elapsed);
	store_close(s);
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		char *p = xasprintf("%s%s", path, suffix[i]);
		unlink(p);
		free(p);
	}
	free(path);
}

int main(int argc, char **argv)
{
	int64_t total = argc > 1 ? atoll(argv[1]) : 100000;
	char dir[] = "/tmp/stepd-bench-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("store_append: %lld events per run, SQLite WAL, synchronous=FULL, in %s\n",
	       (long long)total, dir);
	const int batches[] = {1, 10, 100, 1000};
	for (int i = 0; i < 4; i++) {
		run(dir, batches[i], false, total);
		if (batches[i] > 1)
			run(dir, batches[i], true, total);
	}
	if (rmdir(dir) != 0)
		perror(dir);
	return 0;
}
