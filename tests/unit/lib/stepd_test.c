/* The public embedding API, used as an embedding program would. */
#include "stepd/stepd.h"
#include "../test.h"

#include <stdlib.h>

static const char *DEF =
	"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Parameters\":{\"sum.$\":"
	"\"States.MathAdd($.x, 1)\"},\"Next\":\"B\"},\"B\":{\"Type\":\"Choice\",\"Choices\":["
	"{\"Variable\":\"$.sum\",\"NumericEquals\":2,\"Next\":\"Ok\"}],\"Default\":\"No\"},"
	"\"Ok\":{\"Type\":\"Succeed\"},\"No\":{\"Type\":\"Fail\",\"Error\":\"Bad\",\"Cause\":\"sum\"}}}";

TEST(lib_run_succeeds_and_fails_as_the_machine_says)
{
	stepd_machine *m;
	CHECK(stepd_machine_new(DEF, strlen(DEF), &m, NULL) == STEPD_OK);
	stepd_result r;
	stepd_options opt = {.name = "one", .wait_scale = 0};
	CHECK(stepd_run(m, "{\"x\": 1}", &opt, &r) == STEPD_OK);
	CHECK(r.status == STEPD_SUCCEEDED);
	CHECK_STR(r.output, "{\"sum\":2}");
	json_t *h = json_loads(r.history, 0, NULL);
	CHECK(h && json_array_size(h) == 8);
	json_decref(h);
	stepd_result_close(&r);
	CHECK(stepd_run(m, "{\"x\": 5}", &opt, &r) == STEPD_OK);
	CHECK(r.status == STEPD_FAILED);
	CHECK_STR(r.error, "Bad");
	CHECK_STR(r.cause, "sum");
	CHECK(r.output == NULL);
	stepd_result_close(&r);
	stepd_machine_free(m);
}

TEST(lib_bad_input_is_refused_and_runs_nothing)
{
	stepd_machine *m;
	CHECK(stepd_machine_new(DEF, strlen(DEF), &m, NULL) == STEPD_OK);
	stepd_result r;
	CHECK(stepd_run(m, "{\"x\": ", NULL, &r) == STEPD_EINVAL);
	CHECK(r.error && strstr(r.error, "not valid JSON"));
	CHECK(r.history == NULL);
	stepd_result_close(&r);
	stepd_options opt = {.functions_file = "/nonexistent/functions.json"};
	CHECK(stepd_run(m, NULL, &opt, &r) == STEPD_EINVAL);
	CHECK(r.error && strstr(r.error, "/nonexistent/functions.json"));
	stepd_result_close(&r);
	stepd_machine_free(m);
}

TEST(lib_invalid_definition_lists_every_problem)
{
	const char *bad = "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"Next\":\"Nope\"},"
	                  "\"B\":{\"Type\":\"Bogus\"}}}";
	stepd_machine *m = NULL;
	char *problems = NULL;
	CHECK(stepd_machine_new(bad, strlen(bad), &m, &problems) == STEPD_EINVAL);
	CHECK(m == NULL);
	CHECK(problems && strstr(problems, "/States/A/Next"));
	CHECK(strstr(problems, "/States/B"));
	free(problems);
}
