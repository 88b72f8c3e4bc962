#!/usr/bin/env python3
"""Durable throughput of `stepd serve` (a benchmark, not a test: it prints figures).

    bench/durable.py [--stepd build/stepd] [--executions N] [--concurrency 1,16,256]

For each concurrency level, starts a fresh server on a temporary SQLite database
(synchronous=FULL), creates the machines below, starts executions from that many
client threads at once, waits until all finish, and prints executions/s and state
transitions/s (states entered, from the histories), plus StartExecution latency
p50/p99 measured at a fixed offered rate.

Machines:
  passchoice  a Pass/Choice loop of 50 iterations (101 states entered)
  tasks       5 command Tasks in a row (a tiny sh command each)
"""
import argparse, json, os, socket, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PASSCHOICE = {
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Result": 0, "ResultPath": "$.i", "Next": "Loop"},
        "Loop": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 50, "Next": "Step"}], "Default": "Done"},
        "Step": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Loop"},
        "Done": {"Type": "Succeed"},
    },
}
TASKS = {"StartAt": "T1", "States": {}}
for i in range(1, 6):
    TASKS["States"]["T%d" % i] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                  "Parameters": {"FunctionName": "echo", "Payload.$": "$"},
                                  "OutputPath": "$.Payload"}
    if i < 5:
        TASKS["States"]["T%d" % i]["Next"] = "T%d" % (i + 1)
    else:
        TASKS["States"]["T%d" % i]["End"] = True


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Server:
    def __init__(self, stepd):
        self.dir = tempfile.mkdtemp(prefix="stepd-bench-")
        fn = os.path.join(self.dir, "functions.json")
        with open(fn, "w") as f:
            json.dump({"Functions": {"echo": {"Command": ["/bin/cat"]}}}, f)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d/" % self.port
        self.proc = subprocess.Popen([stepd, "serve", "--db", os.path.join(self.dir, "db"),
                                      "--listen", "127.0.0.1:%d" % self.port, "--functions", fn],
                                     stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.1).close()
                return
            except OSError:
                time.sleep(0.02)
        raise SystemExit("server did not start")

    def call(self, op, body):
        req = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers={
            "X-Amz-Target": "AWSStepFunctions." + op, "Content-Type": "application/x-amz-json-1.0"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        subprocess.run(["rm", "-rf", self.dir])


def create(srv, name, definition):
    return srv.call("CreateStateMachine", {"name": name, "definition": json.dumps(definition),
                                           "roleArn": "arn:aws:iam::123456789012:role/bench"})["stateMachineArn"]


def wait_all(srv, sm, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = srv.call("ListExecutions", {"stateMachineArn": sm, "statusFilter": "RUNNING", "maxResults": 1})
        if not r["executions"]:
            return
        time.sleep(0.02)
    raise SystemExit("executions did not finish in %d s" % timeout)


def entered(srv, arn):
    n, token = 0, None
    while True:
        body = {"executionArn": arn, "maxResults": 1000, "includeExecutionData": False}
        if token:
            body["nextToken"] = token
        r = srv.call("GetExecutionHistory", body)
        n += sum(1 for e in r["events"] if e["type"].endswith("StateEntered"))
        token = r.get("nextToken")
        if not token:
            return n


def throughput(stepd, machine, definition, total, concurrency):
    srv = Server(stepd)
    try:
        sm = create(srv, machine, definition)
        arns, lock = [], threading.Lock()
        per = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]

        def client(k, n):
            for j in range(n):
                r = srv.call("StartExecution", {"stateMachineArn": sm, "name": "e%d-%d" % (k, j), "input": "{}"})
                with lock:
                    arns.append(r["executionArn"])

        t0 = time.time()
        threads = [threading.Thread(target=client, args=(k, n)) for k, n in enumerate(per) if n]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wait_all(srv, sm)
        elapsed = time.time() - t0
        transitions = sum(entered(srv, a) for a in arns)
        return total / elapsed, transitions / elapsed
    finally:
        srv.stop()


def latency(stepd, rate, count):
    srv = Server(stepd)
    try:
        sm = create(srv, "lat", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
        lat, lock = [], threading.Lock()

        def one(i):
            t = time.perf_counter()
            srv.call("StartExecution", {"stateMachineArn": sm, "name": "l%d" % i})
            with lock:
                lat.append(time.perf_counter() - t)

        threads, t0 = [], time.perf_counter()
        for i in range(count):
            due = t0 + i / rate
            d = due - time.perf_counter()
            if d > 0:
                time.sleep(d)
            th = threading.Thread(target=one, args=(i,))
            th.start()
            threads.append(th)
        for th in threads:
            th.join()
        lat.sort()
        return lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99) - 1] * 1000
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stepd", default=os.path.join(ROOT, "build", "stepd"))
    ap.add_argument("--executions", type=int, default=512)
    ap.add_argument("--concurrency", default="1,16,256")
    ap.add_argument("--rate", type=float, default=200)
    args = ap.parse_args()
    print("durable throughput (SQLite, synchronous=FULL), %d executions per run" % args.executions)
    print("%-11s %6s %12s %14s" % ("machine", "conc", "execs/s", "transitions/s"))
    for machine, definition in (("passchoice", PASSCHOICE), ("tasks", TASKS)):
        for c in [int(x) for x in args.concurrency.split(",")]:
            e, t = throughput(args.stepd, machine, definition, args.executions, c)
            print("%-11s %6d %12.0f %14.0f" % (machine, c, e, t))
    p50, p99 = latency(args.stepd, args.rate, int(args.rate * 3))
    print("StartExecution latency at %.0f requests/s: p50 %.2f ms, p99 %.2f ms" % (args.rate, p50, p99))


if __name__ == "__main__":
    main()
