#!/usr/bin/env python3
"""Stand-in for LocalStack's raise_exception.py.

Prints the error document the Python Lambda runtime returns for
`raise Exception("Some exception was raised.")` (same keys, same order, same
separators, the stack trace AWS recorded) and exits non-zero.
"""
import json
import sys
import uuid

sys.stdin.read()
json.dump({
    "errorMessage": "Some exception was raised.",
    "errorType": "Exception",
    "requestId": str(uuid.uuid4()),
    "stackTrace": [
        "  File \"/var/task/handler.py\", line 2, in handler\n"
        "    raise Exception(\"Some exception was raised.\")\n"
    ],
}, sys.stdout)
sys.exit(1)
