#!/usr/bin/env python3
"""The stock PiCaS client (PyPI picas 1.1.2, couchdb 1.2) as its users run it, for interop tests.

Owns: the calls picas' own examples make -- `create_views.py` (five `Monitor` views through
couchdb-python's ViewDefinition.sync), `create_tokens.py`/`pushTokens` (Task documents through
`save_documents`, one `_bulk_docs`), `local_example.py` (a RunActor that runs `bash -c "$input"`,
stores exit_code, done and the logs as inline attachments in one save) and the read-back of the
`overview_total` counts and attachments. Nothing here knows about flow.

Connection from the environment: PICAS_URL, PICAS_DATABASE, PICAS_USER, PICAS_PASSWORD.
  picas_stock.py views                      create the Monitor views (db created if missing)
  picas_stock.py push CMD...                one token per command (token_<n>, as create_tokens.py numbers them)
  picas_stock.py worker [--max-tasks N] [--max-scrub N] [--max-token-time S]
                                            a RunActor draining the todo view, running inputs in the current directory
  picas_stock.py overview                   JSON {todo, locked, done, error} from overview_total?group=true
  picas_stock.py logs                       JSON {id: {exit_code, out, err}} of the done and error views
"""
import argparse
import json
import os
import subprocess
import sys

import couchdb

from picas.actors import RunActor
from picas.clients import CouchDB
from picas.documents import Task
from picas.iterators import TaskViewIterator

MAP = 'function(doc) {{\n   if(doc.type == "token") {{\n    if({cond}) {{\n      emit(doc._id, doc._id);\n    }}\n  }}\n}}'
CONDITIONS = {
    "todo": "doc.lock == 0 && doc.done == 0",
    "locked": "doc.lock > 0 && doc.done == 0",
    "done": "doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) == 0",
    "error": "doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) != 0",
}
OVERVIEW_MAP = """function(doc) {
   if(doc.type == "token") {
       if (doc.lock == 0 && doc.done == 0){
          emit('todo', 1);
       }
       if(doc.lock > 0 && doc.done == 0) {
          emit('locked', 1);
       }
       if(doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) == 0) {
          emit('done', 1);
       }
       if(doc.lock > 0 && doc.done > 0 && parseInt(doc.exit_code) != 0) {
          emit('error', 1);
       }
   }
}"""
OVERVIEW_REDUCE = "function (key, values, rereduce) {\n   return sum(values);\n}"


def client(create=False):
    env = os.environ
    url, db = env["PICAS_URL"], env["PICAS_DATABASE"]
    if create:
        server = couchdb.Server(url)
        server.resource.credentials = (env["PICAS_USER"], env["PICAS_PASSWORD"])
        if db not in server:
            server.create(db)
    return CouchDB(url=url, db=db, username=env["PICAS_USER"], password=env["PICAS_PASSWORD"])


class ExampleActor(RunActor):
    """picas' examples/local_example.py, with `bash -c` in place of process_task.sh."""

    def __init__(self, db, **kwargs):
        super().__init__(db, **kwargs)
        self.client = db

    def process_task(self, token):
        out_name, err_name = "logs_" + str(token["_id"]) + ".out", "logs_" + str(token["_id"]) + ".err"
        with open(out_name, "w") as out, open(err_name, "w") as err:
            self.subprocess = subprocess.Popen(["bash", "-c", token["input"]], stdout=out, stderr=err)
            self.subprocess.wait()
        token["exit_code"] = self.subprocess.returncode
        token.done()
        for name in (out_name, err_name):
            with open(name) as f:
                token.put_attachment(name, f.read())
            os.remove(name)
        self.tasks_processed += 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("views")
    push = sub.add_parser("push")
    push.add_argument("commands", nargs="+")
    worker = sub.add_parser("worker")
    worker.add_argument("--max-tasks", type=int, default=None)
    worker.add_argument("--max-scrub", type=int, default=0)
    worker.add_argument("--max-token-time", type=int, default=1800)
    sub.add_parser("overview")
    sub.add_parser("logs")
    args = p.parse_args()

    if args.command == "views":
        db = client(create=True)
        for name, cond in CONDITIONS.items():
            db.add_view(name, MAP.format(cond=cond))
        db.add_view("overview_total", OVERVIEW_MAP, reduce_fun=OVERVIEW_REDUCE)
    elif args.command == "push":
        db = client()
        first = db.doc_count()  # the design document counts: ids start at token_1, as in create_tokens.py
        tokens = [Task({"_id": "token_%d" % (first + i), "type": "token", "input": cmd}) for i, cmd in enumerate(args.commands)]
        print(json.dumps(db.save_documents(tokens)))
    elif args.command == "worker":
        db = client()
        actor = ExampleActor(db, iterator=TaskViewIterator(db, "todo"))
        actor.run(max_token_time=args.max_token_time, max_total_time=3600, max_tasks=args.max_tasks, max_scrub=args.max_scrub)
    elif args.command == "overview":
        db = client()
        counts = {"todo": 0, "locked": 0, "done": 0, "error": 0}
        for row in db.view("overview_total", group=True):
            counts[row.key] = row.value
        print(json.dumps(counts, sort_keys=True))
    elif args.command == "logs":
        db = client()
        result = {}
        for view in ("done", "error"):
            for doc in db.get_from_view(view):
                entry = {"exit_code": doc["exit_code"], "view": view}
                for kind in ("out", "err"):
                    name = "logs_%s.%s" % (doc["_id"], kind)
                    if name not in doc.doc.get("_attachments", {}):
                        continue
                    # couchdb-python returns None (not a file) for an empty attachment.
                    f = db.db.get_attachment(doc["_id"], name)
                    entry[kind] = f.read().decode() if f is not None else ""
                result[doc["_id"]] = entry
        print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
