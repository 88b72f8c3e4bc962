/* api_dispatch: the protocol layer's own errors and the error document shape. */
#include "api_test.h"
#include "api/ops.h"

static api_ctx bare = {.region = "us-east-1", .account = "123456789012"};

TEST(api_dispatch_unknown_operation)
{
	int status;
	const char *type;
	json_t *r = api_call(&bare, "MakeCoffee", "{}", &status, &type);
	CHECK(status == 400);
	CHECK_STR(type, "UnknownOperationException");
	CHECK_STR(json_string_value(json_object_get(r, "__type")),
	          "com.amazon.coral.service#UnknownOperationException");
	json_decref(r);
	r = NULL;
	status = api_dispatch(&bare, NULL, "{}", 2, &r, &type);
	CHECK(status == 400);
	CHECK_STR(type, "UnknownOperationException");
	json_decref(r);
}

TEST(api_dispatch_unimplemented_operation)
{
	int status;
	const char *type;
	json_t *r = api_call(&bare, "TestState", "{\"definition\":\"{}\"}", &status, &type);
	CHECK(status == 400);
	CHECK_STR(type, "UnknownOperationException");
	CHECK(strstr(json_string_value(json_object_get(r, "message")), "TestState"));
	json_decref(r);
}

TEST(api_dispatch_malformed_json)
{
	int status;
	const char *type;
	json_t *r = api_call(&bare, "ListStateMachines", "{\"maxResults\":", &status, &type);
	CHECK(status == 400);
	CHECK_STR(type, "SerializationException");
	CHECK_STR(json_string_value(json_object_get(r, "__type")),
	          "com.amazon.coral.service#SerializationException");
	CHECK(json_string_value(json_object_get(r, "message")) != NULL);
	json_decref(r);
	r = api_call(&bare, "ListStateMachines", "[1,2]", &status, &type);
	CHECK_STR(type, "SerializationException");
	json_decref(r);
}

TEST(api_dispatch_model_error_namespace)
{
	int status;
	const char *type;
	json_t *r = api_call(&bare, "DescribeStateMachine", "{\"stateMachineArn\":\"nope\"}", &status,
	                     &type);
	CHECK(status == 400);
	CHECK_STR(type, "InvalidArn");
	CHECK_JSON(r, "{\"__type\":\"com.amazonaws.swf.service.v2.model#InvalidArn\","
	              "\"message\":\"Invalid Arn: 'nope'\"}");
	json_decref(r);
}

TEST(api_dispatch_empty_body_reads_as_empty_object)
{
	int status;
	const char *type;
	json_t *r = api_call(&bare, "DescribeStateMachine", "", &status, &type);
	CHECK_STR(type, "ValidationException");
	json_decref(r);
}

TEST(api_dispatch_every_model_operation_has_a_row)
{
	/* ops.def and model.def name the same 37 operations */
	static const char *const ops[] = {
#define API_OPERATION(name, input) #name,
#include "api/model.def"
#undef API_OPERATION
	};
	static const char *const rows[] = {
#define API_HANDLER(name, fn) #name,
#define API_NO_HANDLER(name) #name,
#include "api/ops.def"
#undef API_HANDLER
#undef API_NO_HANDLER
	};
	CHECK(sizeof ops / sizeof ops[0] == 37);
	CHECK(sizeof rows / sizeof rows[0] == sizeof ops / sizeof ops[0]);
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		CHECK_STR(rows[i], ops[i]);
}

TEST(api_page_token_round_trip)
{
	char *t = api_page_token(API_SM("x"));
	char *key = NULL;
	api_error err = {0};
	CHECK(api_page_key(t, &key, &err) == 0);
	CHECK_STR(key, API_SM("x"));
	free(key);
	free(t);
	CHECK(api_page_key("garbage!", &key, &err) == -1);
	CHECK_STR(err.type, "InvalidToken");
	api_error_clear(&err);
	CHECK(api_page_key("aGVsbG8=", &key, &err) == -1); /* base64 of "hello": no prefix */
	api_error_clear(&err);
}
