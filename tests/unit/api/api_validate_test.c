/* Request validation: AWS's ValidationException and SerializationException
 * texts for every constraint kind of the model, checked through api_dispatch. */
#include "api_test.h"

#include <stdlib.h>

static api_ctx bare = {.region = "us-east-1", .account = "123456789012"};

/* The message of the error a call gives (static buffer), checking its type. */
static const char *fails(const char *op, const char *body, const char *want_type)
{
	static char msg[2048];
	int status;
	const char *type;
	json_t *r = api_call(&bare, op, body, &status, &type);
	snprintf(msg, sizeof msg, "%s|%d|%s", type ? type : "(none)", status,
	         json_string_value(json_object_get(r, "message")));
	json_decref(r);
	if (!type || strcmp(type, want_type) != 0 || status != 400)
		return msg;
	return strchr(strchr(msg, '|') + 1, '|') + 1;
}

TEST(api_validate_required_null)
{
	CHECK_STR(fails("DescribeStateMachine", "{}", "ValidationException"),
	          "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy "
	          "constraint: Member must not be null");
	/* JSON null reads as absent */
	CHECK_STR(fails("DescribeStateMachine", "{\"stateMachineArn\":null}", "ValidationException"),
	          "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy "
	          "constraint: Member must not be null");
}

TEST(api_validate_string_max_length)
{
	char body[256];
	char name[82];
	memset(name, 'n', 81);
	name[81] = '\0';
	snprintf(body, sizeof body,
	         "{\"name\":\"%s\",\"definition\":\"{}\",\"roleArn\":\"" API_ROLE "\"}", name);
	char want[512];
	snprintf(want, sizeof want,
	         "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: "
	         "Member must have length less than or equal to 80", name);
	CHECK_STR(fails("CreateStateMachine", body, "ValidationException"), want);
}

TEST(api_validate_string_min_length_and_several)
{
	CHECK_STR(fails("CreateStateMachine", "{\"name\":\"\",\"definition\":\"{}\"}",
	                "ValidationException"),
	          "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: "
	          "Member must have length greater than or equal to 1; Value null at 'roleArn' "
	          "failed to satisfy constraint: Member must not be null");
}

TEST(api_validate_sensitive_value_not_echoed)
{
	CHECK_STR(fails("CreateStateMachine",
	                "{\"name\":\"a\",\"definition\":\"\",\"roleArn\":\"" API_ROLE "\"}",
	                "ValidationException"),
	          "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
	          "Member must have length greater than or equal to 1");
}

TEST(api_validate_length_counts_characters)
{
	/* 80 two-byte characters: 160 bytes but 80 characters, within the limit */
	char name[200] = "";
	for (int i = 0; i < 80; i++)
		strcat(name, "\xc3\xa9");
	char body[400];
	snprintf(body, sizeof body, "{\"name\":\"%s\",\"definition\":\"{}\",\"roleArn\":\"x\"}", name);
	int status;
	const char *type;
	json_t *r = api_call(&bare, "ValidateStateMachineDefinition", "{\"definition\":\"{}\"}",
	                     &status, &type);
	CHECK(status == 200);
	json_decref(r);
	r = api_call(&bare, "CreateStateMachine", body, &status, &type);
	/* passes validation, then fails on the role ARN (no store needed) */
	CHECK_STR(type, "InvalidArn");
	json_decref(r);
}

TEST(api_validate_integer_range)
{
	CHECK_STR(fails("ListStateMachines", "{\"maxResults\":1001}", "ValidationException"),
	          "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
	          "constraint: Member must have value less than or equal to 1000");
	CHECK_STR(fails("ListStateMachines", "{\"maxResults\":-1}", "ValidationException"),
	          "1 validation error detected: Value '-1' at 'maxResults' failed to satisfy "
	          "constraint: Member must have value greater than or equal to 0");
}

TEST(api_validate_enum)
{
	CHECK_STR(fails("CreateStateMachine",
	                "{\"name\":\"a\",\"definition\":\"{}\",\"roleArn\":\"" API_ROLE
	                "\",\"type\":\"FAST\"}",
	                "ValidationException"),
	          "1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: "
	          "Member must satisfy enum value set: [STANDARD, EXPRESS]");
}

TEST(api_validate_nested_structure_and_list_items)
{
	char key[130];
	memset(key, 'k', 129);
	key[129] = '\0';
	char body[512], want[1024];
	snprintf(body, sizeof body,
	         "{\"resourceArn\":\"" API_SM("a") "\",\"tags\":[{\"key\":\"ok\"},{\"key\":\"%s\"}]}",
	         key);
	snprintf(want, sizeof want,
	         "1 validation error detected: Value '%s' at 'tags.2.member.key' failed to satisfy "
	         "constraint: Member must have length less than or equal to 128", key);
	CHECK_STR(fails("TagResource", body, "ValidationException"), want);
	CHECK_STR(fails("CreateStateMachine",
	                "{\"name\":\"a\",\"definition\":\"{}\",\"roleArn\":\"" API_ROLE
	                "\",\"loggingConfiguration\":{\"level\":\"LOUD\"}}",
	                "ValidationException"),
	          "1 validation error detected: Value 'LOUD' at 'loggingConfiguration.level' failed "
	          "to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, "
	          "OFF]");
}

TEST(api_validate_wrong_types_are_serialization_errors)
{
	CHECK_STR(fails("DescribeStateMachine", "{\"stateMachineArn\":5}", "SerializationException"),
	          "Unexpected value type found for a member.");
	CHECK_STR(fails("DescribeStateMachine", "{\"stateMachineArn\":{}}", "SerializationException"),
	          "Start of structure or map found where not expected.");
	CHECK_STR(fails("ListStateMachines", "{\"maxResults\":\"5\"}", "SerializationException"),
	          "Unexpected value type found for a member.");
	CHECK_STR(fails("TagResource", "{\"resourceArn\":\"x\",\"tags\":{}}", "SerializationException"),
	          "Start of structure or map found where not expected.");
	CHECK_STR(fails("CreateStateMachine",
	                "{\"name\":\"a\",\"definition\":\"{}\",\"roleArn\":\"r\",\"publish\":1}",
	                "SerializationException"),
	          "Unexpected value type found for a member.");
}

TEST(api_validate_unknown_members_ignored)
{
	int status;
	const char *type;
	json_t *r = api_call(&bare, "ValidateStateMachineDefinition",
	                     "{\"definition\":\"" "{}" "\",\"colour\":\"blue\",\"n\":[1]}", &status,
	                     &type);
	CHECK(status == 200);
	CHECK(type == NULL);
	json_decref(r);
}
