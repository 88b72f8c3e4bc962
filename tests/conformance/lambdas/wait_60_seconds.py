#!/usr/bin/env python3
"""Stand-in for LocalStack's wait_60_seconds.py: sleeps 60 s, then returns the
event. The cases using it set a state TimeoutSeconds shorter than that."""
import json
import sys
import time

text = sys.stdin.read()
event = json.loads(text) if text.strip() else {}
time.sleep(60)
json.dump(event, sys.stdout)
