/* Helpers shared by the task module's unit tests: temporary directories, functions
 * built from JSON text, and checks on processes left behind. */
#ifndef STEPD_TASK_TEST_H
#define STEPD_TASK_TEST_H

#include "task/task.h"
#include "../test.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* A fresh directory under /tmp (malloc'd path), or NULL. */
static inline char *tt_tmpdir(void)
{
	char *dir = xstrdup("/tmp/stepd-task-XXXXXX");
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Removes dir and everything in it (test scratch only). */
static inline void tt_rmdir(char *dir)
{
	if (!dir)
		return;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "  could not remove %s\n", dir);
	free(cmd);
	free(dir);
}

static inline bool tt_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return false;
	bool ok = fputs(text, fp) >= 0;
	return fclose(fp) == 0 && ok;
}

/* Functions from JSON text (relative paths unresolved); NULL and a message on
 * stderr when the text or the shape is bad. */
static inline task_functions *tt_functions(const char *text)
{
	json_error_t e;
	json_t *doc = json_loads(text, 0, &e);
	if (!doc) {
		fprintf(stderr, "  bad test JSON: %s\n", e.text);
		return NULL;
	}
	char *err = NULL;
	task_functions *fns = task_functions_from_json(doc, NULL, &err);
	if (!fns)
		fprintf(stderr, "  functions: %s\n", err);
	free(err);
	json_decref(doc);
	return fns;
}

/* Reads a pid a test command wrote to path; 0 when there is none. */
static inline pid_t tt_read_pid(const char *path)
{
	FILE *fp = fopen(path, "r");
	long pid = 0;
	if (fp) {
		if (fscanf(fp, "%ld", &pid) != 1)
			pid = 0;
		fclose(fp);
	}
	return (pid_t)pid;
}

/* Whether pid is gone or a zombie (killed but not reaped by its new parent),
 * waiting up to 2 s for the kernel to finish delivering SIGKILL. */
static inline bool tt_process_dead(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		char path[64], state = '?';
		snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
		FILE *fp = fopen(path, "r");
		if (!fp)
			return true;
		int got = fscanf(fp, "%*d (%*[^)]) %c", &state);
		fclose(fp);
		if (got == 1 && (state == 'Z' || state == 'X'))
			return true;
		usleep(10000);
	}
	return false;
}

static inline bool tt_starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline bool tt_contains(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

#endif
