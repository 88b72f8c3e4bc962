#!/usr/bin/env python3
"""A command Task for tests/crash/run: reads the event JSON on stdin
({"exec": NAME, "state": STATE, "item": ITEM, "v": NUMBER}), appends one line
"<exec>\t<state>\t<item>\t<start time>\t<pid>\t<server generation>" to $CRASH_DIR/invocations.log,
sleeps a little and prints the transformed payload.

Usage: task.py work    v -> 2*v + 1
       task.py flaky   fails (errorType "Flaky") the first time per (exec, item),
                       keeping a marker file in $CRASH_DIR/markers; then v -> v + 100
       task.py slow    sleeps $CRASH_SLOW seconds (default 2), v -> v
Env: CRASH_DIR (required), CRASH_GEN (which server lifetime ran it), CRASH_SLEEP (scale of the 50-300 ms sleep; 0 for the
in-memory reference runs).
"""
import json
import os
import random
import sys
import time


def main():
    started = time.time()
    mode = sys.argv[1]
    ev = json.load(sys.stdin)
    d = os.environ["CRASH_DIR"]
    name, state, item = str(ev["exec"]), str(ev["state"]), str(ev.get("item"))
    line = "%s\t%s\t%s\t%.6f\t%d\t%s\n" % (name, state, item, started, os.getpid(),
                                          os.environ.get("CRASH_GEN", "0"))
    fd = os.open(os.path.join(d, "invocations.log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, line.encode())
    os.close(fd)
    scale = float(os.environ.get("CRASH_SLEEP", "1"))
    v = ev.get("v", 0)
    if mode == "slow":
        time.sleep(float(os.environ.get("CRASH_SLOW", "2")) * (1 if scale else 0))
        out = {"v": v}
    else:
        time.sleep(random.uniform(0.05, 0.3) * scale)
        if mode == "flaky":
            marker = os.path.join(d, "markers", "%s--%s" % (name, item))
            if not os.path.exists(marker):
                os.makedirs(os.path.dirname(marker), exist_ok=True)
                open(marker, "w").close()
                print(json.dumps({"errorType": "Flaky", "errorMessage": "first attempt of %s" % item}))
                sys.stdout.flush()
                sys.exit(1)
            out = {"v": v + 100}
        else:
            out = {"v": 2 * v + 1}
    out["item"] = ev.get("item")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
