/* Runs the registered unit tests; see test.h. Usage: unit [name-prefix] */
#include "test.h"

#include <math.h>
#include <stdlib.h>

#define MAX_TESTS 4096

static struct {
	const char *name;
	test_fn fn;
} tests[MAX_TESTS];
static int ntests;

void test_register(const char *name, test_fn fn)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "too many unit tests (raise MAX_TESTS)\n");
		abort();
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

int test_json_equal(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!test_json_equal(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach(a, k, v) {
			json_t *w = json_object_get(b, k);
			if (!w || !test_json_equal(v, w))
				return 0;
		}
		return 1;
	}
	return json_equal(a, b);
}

int test_check_json(json_t *actual, const char *expected_text, const char *file, int line)
{
	json_error_t err;
	json_t *want = json_loads(expected_text, JSON_DECODE_ANY, &err);
	if (!want) {
		fprintf(stderr, "  %s:%d: bad expected JSON: %s\n", file, line, err.text);
		return 0;
	}
	int ok = actual && test_json_equal(actual, want);
	if (!ok) {
		char *got = actual ? json_dumps(actual, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		fprintf(stderr, "  %s:%d: got %s, want %s\n", file, line, got ? got : "(null)",
		        expected_text);
		free(got);
	}
	json_decref(want);
	return ok;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : "";
	int passed = 0, failed = 0;
	for (int i = 0; i < ntests; i++) {
		if (strncmp(tests[i].name, filter, strlen(filter)) != 0)
			continue;
		int f = 0;
		tests[i].fn(&f);
		if (f) {
			fprintf(stderr, "FAIL %s\n", tests[i].name);
			failed++;
		} else {
			passed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
