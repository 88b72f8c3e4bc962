#!/usr/bin/env python3
"""Stand-in for LocalStack's large_output_string.py: returns a string of
257 KiB of "a", more than the 256 KiB payload quota."""
import json
import sys

sys.stdin.read()
json.dump("a" * (257 * 1024), sys.stdout)
