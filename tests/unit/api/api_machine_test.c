/* State machine, version and tag operations end to end through api_dispatch,
 * over a real SQLite store in a temp dir. */
#include "api_test.h"

#include <stdlib.h>

#define FIXTURE()                                                                   \
	api_fixture *f = api_fixture_new();                                             \
	if (!f->ctx.store) {                                                            \
		api_fixture_free(f);                                                        \
		CHECK(!"no store");                                                         \
	}                                                                               \
	api_ctx *ctx = &f->ctx;                                                         \
	int status;                                                                     \
	const char *type;                                                               \
	json_t *r

static json_t *create(api_ctx *ctx, const char *name, const char *def, int *status,
                      const char **type)
{
	return api_callf(ctx, "CreateStateMachine", status, type, "{s:s, s:s, s:s}", "name", name,
	                 "definition", def, "roleArn", API_ROLE);
}

TEST(api_machine_create_describe)
{
	FIXTURE();
	r = create(ctx, "m1", API_DEF_PASS, &status, &type);
	CHECK(status == 200);
	CHECK_STR(json_string_value(json_object_get(r, "stateMachineArn")), API_SM("m1"));
	CHECK(json_is_real(json_object_get(r, "creationDate")));
	json_decref(r);
	r = api_call(ctx, "DescribeStateMachine", "{\"stateMachineArn\":\"" API_SM("m1") "\"}",
	             &status, &type);
	CHECK(status == 200);
	CHECK_STR(json_string_value(json_object_get(r, "name")), "m1");
	CHECK_STR(json_string_value(json_object_get(r, "status")), "ACTIVE");
	CHECK_STR(json_string_value(json_object_get(r, "type")), "STANDARD");
	CHECK_STR(json_string_value(json_object_get(r, "definition")), API_DEF_PASS);
	CHECK_STR(json_string_value(json_object_get(r, "roleArn")), API_ROLE);
	CHECK_JSON(json_object_get(r, "loggingConfiguration"),
	           "{\"level\":\"OFF\",\"includeExecutionData\":false}");
	CHECK_JSON(json_object_get(r, "tracingConfiguration"), "{\"enabled\":false}");
	CHECK(json_object_get(r, "revisionId") != NULL);
	CHECK(json_object_get(r, "latestVersion") == NULL);
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_machine_create_idempotent_and_conflict)
{
	FIXTURE();
	json_t *first = create(ctx, "m", API_DEF_PASS, &status, &type);
	CHECK(status == 200);
	r = create(ctx, "m", API_DEF_PASS, &status, &type);
	CHECK(status == 200);
	CHECK(json_equal(json_object_get(r, "creationDate"), json_object_get(first, "creationDate")));
	json_decref(r);
	json_decref(first);
	r = create(ctx, "m", API_DEF_PASS2, &status, &type);
	CHECK_STR(type, "StateMachineAlreadyExists");
	CHECK_STR(json_string_value(json_object_get(r, "message")),
	          "State Machine Already Exists: '" API_SM("m") "'");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_machine_create_errors)
{
	FIXTURE();
	r = create(ctx, "bad name", API_DEF_PASS, &status, &type);
	CHECK_STR(type, "InvalidName");
	CHECK_STR(json_string_value(json_object_get(r, "message")), "Invalid Name: 'bad name'");
	json_decref(r);
	r = create(ctx, "m", "{\"StartAt\":\"X\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}",
	           &status, &type);
	CHECK_STR(type, "InvalidDefinition");
	const char *msg = json_string_value(json_object_get(r, "message"));
	CHECK(strncmp(msg, "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: ", 62) == 0);
	CHECK(strstr(msg, " at /StartAt") != NULL);
	json_decref(r);
	r = api_callf(ctx, "CreateStateMachine", &status, &type, "{s:s, s:s, s:s, s:s}", "name", "m",
	              "definition", API_DEF_PASS, "roleArn", API_ROLE, "versionDescription", "v");
	CHECK_STR(type, "ValidationException");
	json_decref(r);
	r = api_callf(ctx, "CreateStateMachine", &status, &type, "{s:s, s:s, s:s}", "name", "m",
	              "definition", API_DEF_PASS, "roleArn", "role");
	CHECK_STR(type, "InvalidArn");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_machine_describe_errors)
{
	FIXTURE();
	r = api_call(ctx, "DescribeStateMachine", "{\"stateMachineArn\":\"" API_SM("none") "\"}",
	             &status, &type);
	CHECK_STR(type, "StateMachineDoesNotExist");
	CHECK_STR(json_string_value(json_object_get(r, "message")),
	          "State Machine Does Not Exist: '" API_SM("none") "'");
	json_decref(r);
	r = api_call(ctx, "DescribeStateMachine",
	             "{\"stateMachineArn\":\"arn:aws:states:us-east-1:123456789012:execution:a:b\"}",
	             &status, &type);
	CHECK_STR(type, "InvalidArn");
	CHECK_STR(json_string_value(json_object_get(r, "message")),
	          "Invalid Arn: 'Resource type not valid in this context: execution'");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_machine_list_pages)
{
	FIXTURE();
	char name[16];
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "m%d", i);
		r = create(ctx, name, API_DEF_PASS, &status, &type);
		CHECK(status == 200);
		json_decref(r);
	}
	json_t *all = json_array();
	char *token = NULL;
	int pages = 0;
	do {
		r = token ? api_callf(ctx, "ListStateMachines", &status, &type, "{s:i, s:s}",
		                      "maxResults", 2, "nextToken", token)
		          : api_callf(ctx, "ListStateMachines", &status, &type, "{s:i}", "maxResults", 2);
		free(token);
		token = NULL;
		CHECK(status == 200);
		json_array_extend(all, json_object_get(r, "stateMachines"));
		if (json_object_get(r, "nextToken"))
			token = strdup(json_string_value(json_object_get(r, "nextToken")));
		json_decref(r);
		pages++;
	} while (token && pages < 10);
	CHECK(pages == 3);
	CHECK(json_array_size(all) == 5);
	json_t *item = json_array_get(all, 4);
	CHECK_STR(json_string_value(json_object_get(item, "name")), "m4");
	CHECK(json_object_size(item) == 4);
	json_decref(all);
	r = api_call(ctx, "ListStateMachines", "{\"nextToken\":\"bogus\"}", &status, &type);
	CHECK_STR(type, "InvalidToken");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_machine_update_publish_versions)
{
	FIXTURE();
	r = api_callf(ctx, "CreateStateMachine", &status, &type, "{s:s, s:s, s:s, s:b, s:s}", "name",
	              "v", "definition", API_DEF_PASS, "roleArn", API_ROLE, "publish", 1,
	              "versionDescription", "first");
	CHECK(status == 200);
	CHECK_STR(json_string_value(json_object_get(r, "stateMachineVersionArn")), API_SM("v") ":1");
	json_decref(r);
	r = api_callf(ctx, "UpdateStateMachine", &status, &type, "{s:s, s:s, s:b}",
	              "stateMachineArn", API_SM("v"), "definition", API_DEF_PASS2, "publish", 1);
	CHECK(status == 200);
	CHECK(json_is_real(json_object_get(r, "updateDate")));
	CHECK_STR(json_string_value(json_object_get(r, "stateMachineVersionArn")), API_SM("v") ":2");
	json_decref(r);
	/* publishing an unchanged revision returns the same version */
	r = api_callf(ctx, "PublishStateMachineVersion", &status, &type, "{s:s}", "stateMachineArn",
	              API_SM("v"));
	CHECK_STR(json_string_value(json_object_get(r, "stateMachineVersionArn")), API_SM("v") ":2");
	json_decref(r);
	r = api_callf(ctx, "DescribeStateMachine", &status, &type, "{s:s}", "stateMachineArn",
	              API_SM("v") ":1");
	CHECK(status == 200);
	CHECK_STR(json_string_value(json_object_get(r, "definition")), API_DEF_PASS);
	CHECK_STR(json_string_value(json_object_get(r, "description")), "first");
	json_decref(r);
	r = api_callf(ctx, "ListStateMachineVersions", &status, &type, "{s:s, s:i}",
	              "stateMachineArn", API_SM("v"), "maxResults", 1);
	CHECK(json_array_size(json_object_get(r, "stateMachineVersions")) == 1);
	CHECK_STR(json_string_value(json_object_get(
	                  json_array_get(json_object_get(r, "stateMachineVersions"), 0),
	                  "stateMachineVersionArn")),
	          API_SM("v") ":2");
	CHECK(json_object_get(r, "nextToken") != NULL);
	json_decref(r);
	r = api_callf(ctx, "DeleteStateMachineVersion", &status, &type, "{s:s}",
	              "stateMachineVersionArn", API_SM("v") ":1");
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "DescribeStateMachine", &status, &type, "{s:s}", "stateMachineArn",
	              API_SM("v") ":1");
	CHECK_STR(type, "StateMachineDoesNotExist");
	json_decref(r);
	r = api_callf(ctx, "UpdateStateMachine", &status, &type, "{s:s}", "stateMachineArn",
	              API_SM("v"));
	CHECK_STR(type, "MissingRequiredParameter");
	json_decref(r);
	r = api_callf(ctx, "PublishStateMachineVersion", &status, &type, "{s:s, s:s}",
	              "stateMachineArn", API_SM("v"), "revisionId", "old");
	CHECK_STR(type, "ConflictException");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_machine_delete)
{
	FIXTURE();
	r = create(ctx, "d", API_DEF_PASS, &status, &type);
	json_decref(r);
	r = api_callf(ctx, "DeleteStateMachine", &status, &type, "{s:s}", "stateMachineArn",
	              API_SM("d"));
	CHECK(status == 200);
	CHECK_JSON(r, "{}");
	json_decref(r);
	r = api_callf(ctx, "DescribeStateMachine", &status, &type, "{s:s}", "stateMachineArn",
	              API_SM("d"));
	CHECK_STR(type, "StateMachineDoesNotExist");
	json_decref(r);
	/* the name is free again, with another definition */
	r = create(ctx, "d", API_DEF_PASS2, &status, &type);
	CHECK(status == 200);
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_machine_validate_definition)
{
	FIXTURE();
	r = api_callf(ctx, "ValidateStateMachineDefinition", &status, &type, "{s:s}", "definition",
	              API_DEF_PASS);
	CHECK_JSON(r, "{\"result\":\"OK\",\"diagnostics\":[],\"truncated\":false}");
	json_decref(r);
	r = api_callf(ctx, "ValidateStateMachineDefinition", &status, &type, "{s:s}", "definition",
	              "{\"StartAt\":\"X\",\"States\":{}}");
	CHECK(status == 200);
	CHECK_STR(json_string_value(json_object_get(r, "result")), "FAIL");
	json_t *d = json_array_get(json_object_get(r, "diagnostics"), 0);
	CHECK_STR(json_string_value(json_object_get(d, "severity")), "ERROR");
	CHECK(json_string_value(json_object_get(d, "code")) != NULL);
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_tags)
{
	FIXTURE();
	r = api_callf(ctx, "CreateStateMachine", &status, &type, "{s:s, s:s, s:s, s:[{s:s, s:s}]}",
	              "name", "t", "definition", API_DEF_PASS, "roleArn", API_ROLE, "tags", "key",
	              "a", "value", "1");
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "TagResource", &status, &type, "{s:s, s:[{s:s, s:s}, {s:s}]}",
	              "resourceArn", API_SM("t"), "tags", "key", "b", "value", "2", "key", "c");
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "UntagResource", &status, &type, "{s:s, s:[s]}", "resourceArn",
	              API_SM("t"), "tagKeys", "a");
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "ListTagsForResource", &status, &type, "{s:s}", "resourceArn",
	              API_SM("t"));
	CHECK_JSON(r, "{\"tags\":[{\"key\":\"b\",\"value\":\"2\"},{\"key\":\"c\",\"value\":\"\"}]}");
	json_decref(r);
	r = api_callf(ctx, "ListTagsForResource", &status, &type, "{s:s}", "resourceArn",
	              API_SM("none"));
	CHECK_STR(type, "ResourceNotFound");
	CHECK_STR(json_string_value(json_object_get(r, "message")),
	          "Resource not found: '" API_SM("none") "'");
	json_decref(r);
	r = api_callf(ctx, "ListTagsForResource", &status, &type, "{s:s}", "resourceArn", "x");
	CHECK_STR(type, "InvalidArn");
	json_decref(r);
	json_t *many = json_array();
	char key[16];
	for (int i = 0; i < 49; i++) {
		snprintf(key, sizeof key, "k%d", i);
		json_array_append_new(many, json_pack("{s:s, s:s}", "key", key, "value", "v"));
	}
	r = api_callf(ctx, "TagResource", &status, &type, "{s:s, s:O}", "resourceArn", API_SM("t"),
	              "tags", many);
	json_decref(many);
	CHECK_STR(type, "TooManyTags");
	json_decref(r);
	api_fixture_free(f);
}
