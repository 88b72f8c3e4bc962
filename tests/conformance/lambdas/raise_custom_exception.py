#!/usr/bin/env python3
"""Stand-in for LocalStack's raise_custom_exception.py: `raise CustomException()`
(an exception class whose str() is empty), reported the way the Python Lambda
runtime reports it."""
import json
import sys
import uuid

sys.stdin.read()
json.dump({
    "errorMessage": "",
    "errorType": "CustomException",
    "requestId": str(uuid.uuid4()),
    "stackTrace": [
        "  File \"/var/task/handler.py\", line 9, in handler\n"
        "    raise CustomException()\n"
    ],
}, sys.stdout)
sys.exit(1)
