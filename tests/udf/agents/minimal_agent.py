"""A minimal UDF agent for the tests: it reads requests on stdin and answers on stdout, framed by
hand (uvarint length, then the message), one request at a time, and behaves as its first
argument says:

    mirror        wants and provides stream; answers each point with itself
    custom FILE   Kapacitor's TestStream_CustomFunctions agent: options opt1 (string) and opt2
                  (bool, int, double, string, duration); writes the init request to FILE as JSON
                  and answers each point with its name, time, group and tags and customField=42.0
    crash         exits with status 3 on the first point, after a line on stderr
    hang          stops answering (and reading) at the first point
    garbage       answers the first point with bytes that are no Response
    error         answers the first point with an ErrorResponse
    flood         answers the first point with points, without end, never its keepalive
    refuse        answers init with success=false
    silent-info   never answers the info request

With MINIMAL_AGENT_PID_FILE set, it appends its process id to that file as it starts.
"""

from __future__ import annotations

import json
import os
import sys
import time

from tickpy.runtime.udf import wire

MODE = sys.argv[1]
if os.environ.get("MINIMAL_AGENT_PID_FILE"):  # a test checks that the agent was ended
    with open(os.environ["MINIMAL_AGENT_PID_FILE"], "a") as out:
        out.write(f"{os.getpid()}\n")
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer


def read_request():
    length = shift = 0
    while True:
        byte = stdin.read(1)
        if not byte:
            return None
        length |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            break
        shift += 7
    return wire.decode("Request", stdin.read(length))


def answer(kind: str, values: dict) -> None:
    stdout.write(wire.frame("Response", {kind: values}))
    stdout.flush()


def info() -> dict:
    if MODE == "custom":
        return {"wants": wire.STREAM, "provides": wire.STREAM, "options": {
            "opt1": {"valueTypes": [wire.STRING]},
            "opt2": {"valueTypes": [wire.BOOL, wire.INT, wire.DOUBLE, wire.STRING, wire.DURATION]},
        }}
    return {"wants": wire.STREAM, "provides": wire.STREAM, "options": {"note": {"valueTypes": [wire.STRING]}}}


while True:
    request = read_request()
    if request is None:
        break
    kind = wire.which(request)
    body = request[kind]
    if kind == "info":
        if MODE == "silent-info":
            time.sleep(3600)
        answer("info", info())
    elif kind == "init":
        if MODE == "custom":
            with open(sys.argv[2], "w") as out:
                json.dump(body, out)
        if MODE == "refuse":
            answer("init", {"success": False, "error": "no thanks"})
        else:
            answer("init", {"success": True})
    elif kind == "keepalive":
        answer("keepalive", {"time": body.get("time", 0)})
    elif kind == "point":
        if MODE == "crash":
            print("minimal agent: giving up on this point", file=sys.stderr, flush=True)
            sys.exit(3)
        if MODE == "hang":
            time.sleep(3600)
        if MODE == "garbage":
            stdout.write(b"\x05\xff\xff\xff\xff\xff")
            stdout.flush()
            continue
        if MODE == "flood":
            while True:
                answer("point", body)
        if MODE == "error":
            answer("error", {"error": "cannot handle this point"})
            continue
        if MODE == "custom":
            body = {"name": body.get("name", ""), "time": body.get("time", 0), "group": body.get("group", ""),
                    "tags": body.get("tags", {}), "fieldsDouble": {"customField": 42.0}}
        answer("point", body)
