#!/usr/bin/env python3
"""Stand-in for LocalStack's id_function.py: returns the event unchanged."""
import json
import sys

text = sys.stdin.read()
event = json.loads(text) if text.strip() else {}
json.dump(event, sys.stdout)
