/*
 * errors: state type names and error-name matching for Retry and Catch.
 *
 * How AWS matches an error name against a retrier's or catcher's ErrorEquals
 * (AWS Step Functions developer guide, "Error names"):
 *   - a name matches itself, exactly (names are case-sensitive);
 *   - "States.ALL" matches any error except States.Runtime, which "a retry or
 *     catch on States.ALL won't catch". It does match States.DataLimitExceeded
 *     reported by a task (corpus: error_handling.test_states_errors.
 *     test_task_lambda_catch_state_all_data_limit_exceeded_on_large_utf8_response);
 *     the terminal DataLimitExceeded of an oversized state output is never
 *     offered to Catch at all, which is the interpreter's decision, not this one;
 *   - "States.TaskFailed" matches any error except States.Timeout (and, like
 *     States.ALL, States.Runtime).
 */
#include "asl/asl.h"

#include <string.h>

static const char *const type_names[] = {
#define X(e, name, event) [ASL_##e] = name,
#include "asl/state_type.def"
#undef X
};

const char *asl_state_type_name(asl_state_type t)
{
	if ((int)t < 0 || t >= ASL_STATE_TYPE_COUNT)
		return "Unknown";
	return type_names[t];
}

static bool name_matches(const char *pattern, const char *error)
{
	if (strcmp(pattern, error) == 0)
		return true;
	if (strcmp(error, "States.Runtime") == 0)
		return false;
	if (strcmp(pattern, "States.ALL") == 0)
		return true;
	return strcmp(pattern, "States.TaskFailed") == 0 && strcmp(error, "States.Timeout") != 0;
}

bool asl_error_matches(char *const *error_equals, size_t n, const char *error)
{
	if (!error)
		return false;
	for (size_t i = 0; i < n; i++)
		if (error_equals[i] && name_matches(error_equals[i], error))
			return true;
	return false;
}
