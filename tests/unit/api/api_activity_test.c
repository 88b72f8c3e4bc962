/* Activity operations (and tags on activities) end to end through api_dispatch,
 * over a real SQLite store in a temp dir. */
#include "api_test.h"

#include <stdlib.h>

#define API_ACT(name) "arn:aws:states:us-east-1:123456789012:activity:" name

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

static json_t *create(api_ctx *ctx, const char *name, int *status, const char **type)
{
	return api_callf(ctx, "CreateActivity", status, type, "{s:s}", "name", name);
}

static json_t *describe(api_ctx *ctx, const char *arn, int *status, const char **type)
{
	return api_callf(ctx, "DescribeActivity", status, type, "{s:s}", "activityArn", arn);
}

static const char *message(json_t *r)
{
	return json_string_value(json_object_get(r, "message"));
}

TEST(api_activity_create_describe)
{
	FIXTURE();
	r = create(ctx, "worker", &status, &type);
	CHECK(status == 200);
	CHECK_STR(json_string_value(json_object_get(r, "activityArn")), API_ACT("worker"));
	CHECK(json_is_real(json_object_get(r, "creationDate")));
	CHECK(json_object_size(r) == 2);
	json_t *created = json_incref(json_object_get(r, "creationDate"));
	json_decref(r);
	r = describe(ctx, API_ACT("worker"), &status, &type);
	CHECK(status == 200);
	CHECK(json_object_size(r) == 3);
	CHECK_STR(json_string_value(json_object_get(r, "activityArn")), API_ACT("worker"));
	CHECK_STR(json_string_value(json_object_get(r, "name")), "worker");
	CHECK(json_equal(json_object_get(r, "creationDate"), created));
	json_decref(r);
	json_decref(created);
	api_fixture_free(f);
}

TEST(api_activity_create_idempotent)
{
	FIXTURE();
	json_t *first = api_callf(ctx, "CreateActivity", &status, &type, "{s:s, s:[{s:s, s:s}]}",
	                          "name", "w", "tags", "key", "a", "value", "1");
	CHECK(status == 200);
	/* the same name again: the same activity; the new tags are ignored */
	r = api_callf(ctx, "CreateActivity", &status, &type, "{s:s, s:[{s:s, s:s}]}", "name", "w",
	              "tags", "key", "b", "value", "2");
	CHECK(status == 200);
	int same = json_equal(r, first);
	json_decref(r);
	json_decref(first);
	CHECK(same);
	r = api_callf(ctx, "ListTagsForResource", &status, &type, "{s:s}", "resourceArn",
	              API_ACT("w"));
	CHECK(status == 200);
	CHECK_JSON(r, "{\"tags\":[{\"key\":\"a\",\"value\":\"1\"}]}");
	json_decref(r);
	r = api_callf(ctx, "ListActivities", &status, &type, "{}");
	CHECK(json_array_size(json_object_get(r, "activities")) == 1);
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_activity_create_encryption_may_not_change)
{
	FIXTURE();
	r = api_callf(ctx, "CreateActivity", &status, &type, "{s:s, s:{s:s}}", "name", "e",
	              "encryptionConfiguration", "type", "AWS_OWNED_KEY");
	CHECK(status == 200);
	json_decref(r);
	r = describe(ctx, API_ACT("e"), &status, &type);
	CHECK_JSON(json_object_get(r, "encryptionConfiguration"), "{\"type\":\"AWS_OWNED_KEY\"}");
	json_decref(r);
	r = create(ctx, "e", &status, &type); /* none given: nothing to change */
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "CreateActivity", &status, &type, "{s:s, s:{s:s, s:s}}", "name", "e",
	              "encryptionConfiguration", "type", "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId",
	              "arn:aws:kms:us-east-1:123456789012:key/k");
	CHECK(status == 400);
	CHECK_STR(type, "ActivityAlreadyExists");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_activity_create_errors)
{
	FIXTURE();
	const char *bad[] = {"bad name", "a:b", "a/b", "a$b", "a*b", "a{b"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = create(ctx, bad[i], &status, &type);
		CHECK(status == 400);
		CHECK_STR(type, "InvalidName");
		char *want = xasprintf("Invalid Name: '%s'", bad[i]);
		int same = strcmp(message(r), want) == 0;
		free(want);
		json_decref(r);
		CHECK(same);
	}
	json_t *many = json_array();
	char key[16];
	for (int i = 0; i < 51; i++) {
		snprintf(key, sizeof key, "k%d", i);
		json_array_append_new(many, json_pack("{s:s, s:s}", "key", key, "value", "v"));
	}
	r = api_callf(ctx, "CreateActivity", &status, &type, "{s:s, s:o}", "name", "t", "tags",
	              many);
	CHECK_STR(type, "TooManyTags");
	json_decref(r);
	r = create(ctx, "", &status, &type);
	CHECK_STR(type, "ValidationException");
	json_decref(r);
	/* nothing was created by the failed calls */
	r = api_callf(ctx, "ListActivities", &status, &type, "{}");
	CHECK_JSON(r, "{\"activities\":[]}");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_activity_describe_errors)
{
	FIXTURE();
	r = describe(ctx, API_ACT("none"), &status, &type);
	CHECK(status == 400);
	CHECK_STR(type, "ActivityDoesNotExist");
	CHECK_STR(message(r), "Activity Does Not Exist: '" API_ACT("none") "'");
	json_decref(r);
	r = describe(ctx, "no_an_activity_arn", &status, &type);
	CHECK_STR(type, "InvalidArn");
	CHECK_STR(message(r), "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'");
	json_decref(r);
	r = describe(ctx, API_SM("m"), &status, &type);
	CHECK_STR(type, "InvalidArn");
	CHECK_STR(message(r), "Invalid Arn: 'Resource type not valid in this context: statemachine'");
	json_decref(r);
	r = describe(ctx, "arn:aws:states:us-east-1:123456789012:activity", &status, &type);
	CHECK_STR(type, "InvalidArn");
	CHECK_STR(message(r), "Invalid Arn: 'arn:aws:states:us-east-1:123456789012:activity'");
	json_decref(r);
	r = describe(ctx, API_ACT("a:1"), &status, &type);
	CHECK_STR(type, "InvalidArn");
	json_decref(r);
	/* a state machine of the same name is not the activity */
	r = api_callf(ctx, "CreateStateMachine", &status, &type, "{s:s, s:s, s:s}", "name", "same",
	              "definition", API_DEF_PASS, "roleArn", API_ROLE);
	CHECK(status == 200);
	json_decref(r);
	r = describe(ctx, API_ACT("same"), &status, &type);
	CHECK_STR(type, "ActivityDoesNotExist");
	json_decref(r);
	api_fixture_free(f);
}

/* The activity names of every page of ListActivities at page size n, as a JSON
 * text; *pages counts the pages. */
static char *list_all(api_ctx *ctx, int n, int *pages)
{
	json_t *names = json_array();
	char *token = NULL;
	int status;
	const char *type;
	*pages = 0;
	do {
		json_t *r = token ? api_callf(ctx, "ListActivities", &status, &type, "{s:i, s:s}",
		                              "maxResults", n, "nextToken", token)
		                  : api_callf(ctx, "ListActivities", &status, &type, "{s:i}",
		                              "maxResults", n);
		free(token);
		token = NULL;
		if (status != 200) {
			json_decref(r);
			break;
		}
		(*pages)++;
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(r, "activities"), i, item)
			json_array_append(names, json_object_get(item, "name"));
		const char *next = json_string_value(json_object_get(r, "nextToken"));
		token = next ? strdup(next) : NULL;
		json_decref(r);
	} while (token);
	char *text = json_dumps(names, JSON_COMPACT);
	json_decref(names);
	return text;
}

TEST(api_activity_list_pages)
{
	FIXTURE();
	for (int i = 0; i < 5; i++) {
		char name[16];
		snprintf(name, sizeof name, "a%d", i);
		r = create(ctx, name, &status, &type);
		CHECK(status == 200);
		json_decref(r);
	}
	int pages;
	char *names = list_all(ctx, 2, &pages);
	int ok = strcmp(names, "[\"a0\",\"a1\",\"a2\",\"a3\",\"a4\"]") == 0;
	if (!ok)
		fprintf(stderr, "  got %s\n", names);
	free(names);
	CHECK(ok);
	CHECK(pages == 3);
	r = api_callf(ctx, "ListActivities", &status, &type, "{s:i}", "maxResults", 1);
	json_t *item = json_array_get(json_object_get(r, "activities"), 0);
	CHECK(json_object_size(item) == 3);
	CHECK_STR(json_string_value(json_object_get(item, "activityArn")), API_ACT("a0"));
	CHECK_STR(json_string_value(json_object_get(item, "name")), "a0");
	CHECK(json_is_real(json_object_get(item, "creationDate")));
	json_decref(r);
	r = api_callf(ctx, "ListActivities", &status, &type, "{s:s}", "nextToken", "garbage!");
	CHECK_STR(type, "InvalidToken");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_activity_delete)
{
	FIXTURE();
	r = api_callf(ctx, "CreateActivity", &status, &type, "{s:s, s:[{s:s, s:s}]}", "name", "d",
	              "tags", "key", "a", "value", "1");
	CHECK(status == 200);
	json_decref(r);
	for (int i = 0; i < 2; i++) { /* the second delete finds nothing and succeeds */
		r = api_callf(ctx, "DeleteActivity", &status, &type, "{s:s}", "activityArn",
		              API_ACT("d"));
		CHECK(status == 200);
		CHECK_JSON(r, "{}");
		json_decref(r);
	}
	r = describe(ctx, API_ACT("d"), &status, &type);
	CHECK_STR(type, "ActivityDoesNotExist");
	json_decref(r);
	r = api_callf(ctx, "ListTagsForResource", &status, &type, "{s:s}", "resourceArn",
	              API_ACT("d"));
	CHECK_STR(type, "ResourceNotFound");
	json_decref(r);
	r = api_callf(ctx, "DeleteActivity", &status, &type, "{s:s}", "activityArn", "nope");
	CHECK_STR(type, "InvalidArn");
	json_decref(r);
	/* created again: a new activity, without the old tags */
	r = create(ctx, "d", &status, &type);
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "ListTagsForResource", &status, &type, "{s:s}", "resourceArn",
	              API_ACT("d"));
	CHECK_JSON(r, "{\"tags\":[]}");
	json_decref(r);
	api_fixture_free(f);
}

TEST(api_activity_tags)
{
	FIXTURE();
	r = create(ctx, "t", &status, &type);
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "TagResource", &status, &type, "{s:s, s:[{s:s, s:s}, {s:s, s:s}]}",
	              "resourceArn", API_ACT("t"), "tags", "key", "a", "value", "1", "key", "b",
	              "value", "2");
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "UntagResource", &status, &type, "{s:s, s:[s]}", "resourceArn",
	              API_ACT("t"), "tagKeys", "a");
	CHECK(status == 200);
	json_decref(r);
	r = api_callf(ctx, "ListTagsForResource", &status, &type, "{s:s}", "resourceArn",
	              API_ACT("t"));
	CHECK_JSON(r, "{\"tags\":[{\"key\":\"b\",\"value\":\"2\"}]}");
	json_decref(r);
	r = api_callf(ctx, "TagResource", &status, &type, "{s:s, s:[{s:s, s:s}]}", "resourceArn",
	              API_ACT("none"), "tags", "key", "a", "value", "1");
	CHECK_STR(type, "ResourceNotFound");
	CHECK_STR(message(r), "Resource not found: '" API_ACT("none") "'");
	json_decref(r);
	json_t *many = json_array();
	char key[16];
	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof key, "k%d", i);
		json_array_append_new(many, json_pack("{s:s, s:s}", "key", key, "value", "v"));
	}
	r = api_callf(ctx, "TagResource", &status, &type, "{s:s, s:o}", "resourceArn",
	              API_ACT("t"), "tags", many);
	CHECK_STR(type, "TooManyTags");
	json_decref(r);
	api_fixture_free(f);
}
