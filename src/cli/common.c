/* common: file reading and definition loading shared by the commands. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *cli_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "stepd: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		fprintf(stderr, "stepd: %s: read error\n", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

void cli_print_diag(const char *path, const diag *d)
{
	for (size_t i = 0; i < d->count; i++)
		fprintf(stderr, "%s: %s: %s: %s\n", path, d->items[i].location[0] ? d->items[i].location : "/",
		        d->items[i].code, d->items[i].message);
}

asl_machine *cli_load_machine(const char *path)
{
	size_t len;
	char *text = cli_read_file(path, &len);
	if (!text)
		return NULL;
	diag d = {0};
	asl_machine *m = asl_machine_parse(text, len, &d);
	free(text);
	if (!m) {
		cli_print_diag(path, &d);
		if (d.count == 0)
			fprintf(stderr, "%s: invalid definition\n", path);
	}
	diag_close(&d);
	return m;
}
