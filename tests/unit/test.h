/*
 * A tiny in-tree unit-test harness. Each TEST(name) registers itself at start-up;
 * tests/unit/main.c runs every test whose name starts with the filter given on the
 * command line and ends with "N passed, N failed".
 *
 *   TEST(jpath_dot) { json_t *v = ...; CHECK(v != NULL); CHECK_JSON(v, "{\"a\":1}"); }
 *
 * CHECK records a failure and returns from the test; CHECK_STR and CHECK_JSON compare
 * strings and JSON values (parsed, key order ignored, 1 == 1.0).
 */
#ifndef STEPD_TEST_H
#define STEPD_TEST_H

#include <jansson.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(int *failed);
void test_register(const char *name, test_fn fn);
int test_json_equal(json_t *a, json_t *b);
int test_check_json(json_t *actual, const char *expected_text, const char *file, int line);

#define TEST(name)                                                              \
	static void test_##name(int *failed_);                                      \
	__attribute__((constructor)) static void test_register_##name(void) {       \
		test_register(#name, test_##name);                                      \
	}                                                                           \
	static void test_##name(int *failed_)

#define CHECK(cond)                                                             \
	do {                                                                        \
		if (!(cond)) {                                                          \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			*failed_ = 1;                                                       \
			return;                                                             \
		}                                                                       \
	} while (0)

#define CHECK_STR(actual, expected)                                             \
	do {                                                                        \
		const char *a_ = (actual), *e_ = (expected);                            \
		if (!a_ || !e_ || strcmp(a_, e_) != 0) {                                \
			fprintf(stderr, "  %s:%d: got \"%s\", want \"%s\"\n", __FILE__,     \
			        __LINE__, a_ ? a_ : "(null)", e_ ? e_ : "(null)");          \
			*failed_ = 1;                                                       \
			return;                                                             \
		}                                                                       \
	} while (0)

#define CHECK_JSON(actual, expected_text)                                       \
	do {                                                                        \
		if (!test_check_json((actual), (expected_text), __FILE__, __LINE__)) {  \
			*failed_ = 1;                                                       \
			return;                                                             \
		}                                                                       \
	} while (0)

#endif
