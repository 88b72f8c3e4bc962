/* The store tests' URI factory: see store_test.h. */
#include "store_test.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *backend_uri(void)
{
	const char *u = getenv("STEPD_STORE_TEST_URI");
	return u && *u && strcmp(u, "sqlite") != 0 ? u : NULL;
}

bool sfx_is_sqlite(void)
{
	return backend_uri() == NULL;
}

char *sfx_path(store_fx *fx, const char *name)
{
	return xasprintf("%s/%s", fx->dir, name);
}

bool sfx_open(store_fx *fx)
{
	memset(fx, 0, sizeof *fx);
	strcpy(fx->dir, "/tmp/stepd-store-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		perror("mkdtemp");
		return false;
	}
	fx->uri = backend_uri() ? xstrdup(backend_uri()) : sfx_path(fx, "stepd.db");
	return sfx_reopen(fx);
}

bool sfx_reopen(store_fx *fx)
{
	char *err = NULL;
	store_close(fx->s);
	fx->s = NULL;
	if (store_open(fx->uri, &fx->s, &err) != STORE_OK) {
		fprintf(stderr, "  store_open(%s): %s\n", fx->uri, err ? err : "?");
		free(err);
		return false;
	}
	return true;
}

/* Removes the files in dir (the database, its -wal and -shm) and dir itself. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		if (unlink(p) != 0 && rmdir(p) != 0)
			perror(p);
		free(p);
	}
	closedir(d);
	if (rmdir(dir) != 0)
		perror(dir);
}

void sfx_close(store_fx *fx)
{
	store_close(fx->s);
	fx->s = NULL;
	if (fx->dir[0])
		remove_dir(fx->dir);
	free(fx->uri);
	fx->uri = NULL;
}

json_t *sfx_json(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
	if (!v) {
		fprintf(stderr, "bad test JSON %s: %s\n", text, e.text);
		abort();
	}
	return v;
}
