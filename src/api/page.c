/*
 * page: nextToken for the List* operations. A token is opaque to clients (the AWS
 * CLI and SDK paginators hand it back unchanged): base64 of "stepd1:" and the key
 * the previous page ended with (an ARN, a version number). The prefix versions
 * the format; a token without it, or that is not base64, is InvalidToken.
 */
#include "api/ops.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "stepd1:"
#define DEFAULT_PAGE 100

char *api_page_token(const char *key)
{
	char *plain = xasprintf(TOKEN_PREFIX "%s", key);
	size_t n = strlen(plain);
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)plain, (int)n);
	free(plain);
	return out;
}

int api_page_key(const char *token, char **key, api_error *err)
{
	size_t n = strlen(token);
	*key = NULL;
	if (n == 0 || n % 4 != 0)
		return api_fail(err, "InvalidToken", "Invalid Token: '%s'", token);
	unsigned char *plain = xmalloc(n / 4 * 3 + 1);
	int len = EVP_DecodeBlock(plain, (const unsigned char *)token, (int)n);
	if (len >= 0) {
		/* DecodeBlock counts '=' padding as zero bytes: drop them. */
		for (const char *t = token + n; t > token && t[-1] == '='; t--)
			len--;
		plain[len] = '\0';
	}
	size_t plen = strlen(TOKEN_PREFIX);
	if (len < (int)plen || memcmp(plain, TOKEN_PREFIX, plen) != 0 ||
	    strlen((char *)plain) != (size_t)len) {
		free(plain);
		return api_fail(err, "InvalidToken", "Invalid Token: '%s'", token);
	}
	*key = xstrdup((char *)plain + plen);
	free(plain);
	return 0;
}

size_t api_page_size(json_t *input)
{
	json_int_t n = json_integer_value(json_object_get(input, "maxResults"));
	return n > 0 ? (size_t)n : DEFAULT_PAGE;
}
