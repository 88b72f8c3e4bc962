#!/usr/bin/env python3
"""An activity worker in plain boto3: poll an activity, keep the task alive with
heartbeats while working, report success or failure. Works unchanged against
AWS Step Functions or `stepd serve` (set AWS_ENDPOINT_URL or --endpoint).

    python3 worker.py --activity ARN [--endpoint http://127.0.0.1:8083]
"""

import argparse
import json
import socket
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

HEARTBEAT_SECONDS = 2  # under the Task's HeartbeatSeconds


def heartbeats(sfn, token, done):
    """Sends SendTaskHeartbeat until done is set; stops if the task is closed."""
    while not done.wait(HEARTBEAT_SECONDS):
        try:
            sfn.send_task_heartbeat(taskToken=token)
        except sfn.exceptions.TaskTimedOut:
            return  # timed out or the execution stopped: nobody wants the result


def resize(event):
    """The work: pretend to resize an image for a few seconds."""
    if event.get("width", 0) <= 0:
        raise ValueError("width must be positive, got %r" % event.get("width"))
    time.sleep(event.get("seconds", 3))
    return {"image": event["image"], "width": event["width"], "resized": True}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--activity", required=True, help="the activity ARN")
    p.add_argument("--endpoint", help="e.g. http://127.0.0.1:8083 for stepd serve")
    args = p.parse_args()
    # GetActivityTask waits up to 60 s for a task: read longer than that
    sfn = boto3.client("stepfunctions", endpoint_url=args.endpoint,
                       config=botocore.config.Config(read_timeout=70))
    name = "%s-example" % socket.gethostname()
    while True:
        task = sfn.get_activity_task(activityArn=args.activity, workerName=name)
        token = task.get("taskToken")
        if not token:
            continue  # the long poll ended without work
        done = threading.Event()
        threading.Thread(target=heartbeats, args=(sfn, token, done), daemon=True).start()
        try:
            output = resize(json.loads(task["input"]))
            sfn.send_task_success(taskToken=token, output=json.dumps(output))
            print("done:", output)
        except Exception as e:  # the task failed: tell the execution why
            try:
                sfn.send_task_failure(taskToken=token, error=type(e).__name__, cause=str(e))
            except botocore.exceptions.ClientError as report_error:
                print("could not report the failure:", report_error)
            print("failed:", e)
        finally:
            done.set()


if __name__ == "__main__":
    main()
