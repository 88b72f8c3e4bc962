#!/usr/bin/env python3
"""Stand-in for LocalStack's return_bytes_str.py: returns "HelloWorld!"."""
import json
import sys

sys.stdin.read()
json.dump("HelloWorld!", sys.stdout)
