"""The node behind scripts/testservers/kube_apiserver.py: the Job controller and the kubelet.

Owns: what happens to stored objects after the API took them: a Job gets its pod; the kubelet
schedules Pending pods (node size, --max-pods), fails the ones it cannot start with the waiting
reasons a real kubelet gives (ErrImagePull, ImagePullBackOff, InvalidImageName,
CreateContainerConfigError), runs the others as local process groups, and ends them as the
kubelet would (exit code, OOMKilled, Evicted, DeadlineExceeded, a vanished node), updating the
pod's and the Job's status. See kube_apiserver.py's docstring for the rules ("The node").

`Node` is a mixin of the server's `Cluster`: it works on the cluster's stored objects under its
lock and knows nothing of HTTP. Python 3 standard library only.
"""
import base64
import json
import os
import signal
import subprocess
import time
import uuid


def parse_cpu(text):
    text = str(text)
    if text.endswith("m"):
        return float(text[:-1]) / 1000
    return float(text or 0)


def parse_mem_mb(text):
    text = str(text)
    units = {"Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "K": 1000, "k": 1000, "M": 1000 ** 2, "G": 1000 ** 3}
    for u, f in units.items():
        if text.endswith(u):
            return float(text[:-len(u)]) * f / 1e6
    return float(text or 0) / 1e6


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Node:
    """The Job controller and the kubelet, over `Cluster`'s objects, procs, knobs and stats (the caller holds
    its lock)."""

    def make_pod(self, job):
        jm = job["metadata"]
        tmpl = json.loads(json.dumps(job["spec"]["template"]))
        suffix = "".join(self.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
        meta = tmpl.get("metadata") or {}
        meta.update({"name": jm["name"] + "-" + suffix, "namespace": jm["namespace"], "uid": str(uuid.uuid4()),
                     "creationTimestamp": now_iso(), "generateName": jm["name"] + "-",
                     "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": jm["name"], "uid": jm["uid"],
                                          "controller": True, "blockOwnerDeletion": True}]})
        pod = {"kind": "Pod", "apiVersion": "v1", "metadata": meta, "spec": tmpl.get("spec") or {},
               "status": {"phase": "Pending", "conditions": [], "qosClass": "Burstable"}}
        pod["spec"].setdefault("nodeName", None)
        self.bump(pod)
        self.objects["pods"][(jm["namespace"], meta["name"])] = pod
        job["status"]["active"] = 1
        job["status"]["startTime"] = now_iso()
        job["status"]["ready"] = 0
        self.bump(job)

    def owned_pods(self, job):
        uid = job["metadata"]["uid"]
        return [p for p in self.objects["pods"].values()
                if any(o.get("uid") == uid for o in p["metadata"].get("ownerReferences") or [])]

    def kill(self, ns, pod_name):
        entry = self.procs.get((ns, pod_name))
        if entry and entry["proc"].poll() is None:
            try:
                os.killpg(entry["proc"].pid, signal.SIGKILL)
            except OSError:
                pass

    def tick(self):
        with self.lock:
            # Pods bound to the node and not terminated: what --max-pods limits (counted once a tick; try_start
            # adds the pods it binds).
            self.bound = sum(1 for p in self.objects["pods"].values()
                             if p["spec"].get("nodeName") and p["status"].get("phase") in ("Pending", "Running"))
            for (ns, name), pod in list(self.objects["pods"].items()):
                phase = pod["status"].get("phase")
                if phase == "Pending":
                    self.try_start(ns, name, pod)
                elif phase == "Running":
                    self.check_running(ns, name, pod)

    def job_of(self, pod):
        for o in pod["metadata"].get("ownerReferences") or []:
            job = self.objects["jobs"].get((pod["metadata"]["namespace"], o["name"]))
            if job and job["metadata"]["uid"] == o["uid"]:
                return job
        return None

    def waiting(self, pod, reason, message):
        c = pod["spec"]["containers"][0]
        st = pod["status"]
        old = (st.get("containerStatuses") or [{}])[0].get("state", {}).get("waiting", {}).get("reason")
        st["containerStatuses"] = [{"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": False,
                                    "restartCount": 0, "started": False,
                                    "state": {"waiting": {"reason": reason, "message": message}}}]
        if old != reason:
            self.bump(pod)

    def try_start(self, ns, name, pod):
        spec = pod["spec"]
        c = spec["containers"][0]
        st = pod["status"]
        created = st.setdefault("_pendingSince", time.time())
        # scheduling
        req = (c.get("resources") or {}).get("requests") or {}
        too_big = parse_cpu(req.get("cpu", "0")) > self.args.node_cpu or parse_mem_mb(req.get("memory", "0")) > self.args.node_memory_mb
        sel = spec.get("nodeSelector") or {}
        unmatched = any(self.args_node_labels().get(k) != v for k, v in sel.items())
        if too_big or unmatched:
            if not st["conditions"]:
                why = "Insufficient cpu or memory" if too_big else "didn't match Pod's node affinity/selector"
                st["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                     "message": "0/1 nodes are available: 1 %s." % why, "lastTransitionTime": now_iso()}]
                self.bump(pod)
            return
        if spec.get("nodeName") is None:
            if self.args.max_pods and self.bound >= self.args.max_pods:
                if not st["conditions"]:
                    st["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                         "message": "0/1 nodes are available: 1 Too many pods.", "lastTransitionTime": now_iso()}]
                    self.bump(pod)
                return
            self.bound += 1
            spec["nodeName"] = "flow-test-node"
            st["conditions"] = [{"type": "PodScheduled", "status": "True", "lastTransitionTime": now_iso()}]
            self.bump(pod)
        image = c.get("image", "")
        if image != image.strip() or any(ch.isupper() for ch in image.split("@")[0].split(":")[0]) or not image:
            return self.waiting(pod, "InvalidImageName", "Failed to apply default image tag \"%s\": couldn't parse image name" % image)
        if image.startswith("missing/"):
            reason = "ErrImagePull" if time.time() - created < 1.0 else "ImagePullBackOff"
            return self.waiting(pod, reason, "rpc error: code = NotFound desc = failed to pull and unpack image \"%s\": not found" % image)
        env = dict(os.environ)
        env.pop("KUBECONFIG", None)
        for e in c.get("env") or []:
            if "value" in e:
                env[e["name"]] = e["value"]
            elif "valueFrom" in e and "secretKeyRef" in e["valueFrom"]:
                ref = e["valueFrom"]["secretKeyRef"]
                secret = self.objects["secrets"].get((ns, ref["name"]))
                if secret is None or ref["key"] not in (secret.get("data") or {}):
                    what = "secret \"%s\" not found" % ref["name"] if secret is None else "couldn't find key %s in Secret %s/%s" % (ref["key"], ns, ref["name"])
                    return self.waiting(pod, "CreateContainerConfigError", what)
                env[e["name"]] = base64.b64decode(secret["data"][ref["key"]]).decode()
        env["HOSTNAME"] = name
        # volumes
        poddir = os.path.join(self.sandbox, ns, name)
        os.makedirs(poddir, exist_ok=True)
        vols = {v["name"]: v for v in spec.get("volumes") or []}
        empty_mounts = {}
        for m in c.get("volumeMounts") or []:
            v = vols.get(m["name"])
            if v is None:
                return self.waiting(pod, "CreateContainerConfigError", "volume \"%s\" not found" % m["name"])
            if "persistentVolumeClaim" in v:
                claim = v["persistentVolumeClaim"]["claimName"]
                host = self.pvcs.get(claim)
                if host is None or os.path.realpath(host) != os.path.realpath(m["mountPath"]):
                    st["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                         "message": "0/1 nodes are available: persistentvolumeclaim \"%s\" not found." % claim}]
                    self.bump(pod)
                    return
            elif "emptyDir" in v:
                d = os.path.join(poddir, "volumes", m["name"])
                os.makedirs(d, exist_ok=True)
                empty_mounts[m["mountPath"].rstrip("/")] = d
        wd = c.get("workingDir")
        if wd:
            for mp, d in empty_mounts.items():
                if wd == mp or wd.startswith(mp + "/"):
                    wd = d + wd[len(mp):]
        else:
            wd = os.path.join(poddir, "work")
        os.makedirs(wd, exist_ok=True)
        argv = (c.get("command") or []) + (c.get("args") or [])
        if not argv:
            return self.waiting(pod, "CreateContainerError", "no command specified")
        log_path = os.path.join(poddir, "log")
        logf = open(log_path, "ab")
        try:
            proc = subprocess.Popen(argv, cwd=wd, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            logf.close()
            return self.waiting(pod, "RunContainerError", str(exc))
        logf.close()
        job = self.job_of(pod)
        jname = job["metadata"]["name"] if job else name
        self.stats["started"][jname] = self.stats["started"].get(jname, 0) + 1
        self.procs[(ns, name)] = {"proc": proc, "log": log_path, "started": time.time(), "fate": None}
        if self.knobs["oom"] > 0:
            self.knobs["oom"] -= 1
            self.procs[(ns, name)]["fate"] = "oom"
        elif self.knobs["evict"] > 0:
            self.knobs["evict"] -= 1
            self.procs[(ns, name)]["fate"] = "evict"
        elif self.knobs["vanish"] > 0 and job is not None:
            self.knobs["vanish"] -= 1
            self.procs[(ns, name)]["fate"] = "vanish"
        st.pop("_pendingSince", None)
        st.update({"phase": "Running", "startTime": now_iso(), "hostIP": "127.0.0.1", "podIP": "127.0.0.1"})
        st["conditions"] = [{"type": t, "status": "True"} for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready")]
        st["containerStatuses"] = [{"name": c["name"], "image": image, "imageID": "", "ready": True, "restartCount": 0,
                                    "started": True, "state": {"running": {"startedAt": now_iso()}}}]
        self.bump(pod)
        if job:
            job["status"]["ready"] = 1
            self.bump(job)

    def args_node_labels(self):
        return dict(x.split("=", 1) for x in self.args.node_label)

    def check_running(self, ns, name, pod):
        entry = self.procs.get((ns, name))
        if entry is None:
            return
        proc, fate = entry["proc"], entry["fate"]
        job = self.job_of(pod)
        ran = time.time() - entry["started"]
        deadline = job and job["spec"].get("activeDeadlineSeconds")
        if fate == "oom":
            self.kill(ns, name)
            proc.wait()
            self.stats["oom"].append(name)
            return self.terminate(pod, job, 137, "OOMKilled")
        if fate == "evict":  # the node reclaims the pod at its first check, however short the job
            self.kill(ns, name)
            proc.wait()
            self.stats["evicted"].append(name)
            pod["status"]["reason"] = "Evicted"
            pod["status"]["message"] = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi."
            pod["status"]["conditions"].append({"type": "DisruptionTarget", "status": "True", "reason": "TerminationByKubelet",
                                                "message": "The node was low on resource: memory."})
            return self.terminate(pod, job, 137, "Error")
        if fate == "vanish" and ran > 0.3:
            self.kill(ns, name)
            proc.wait()
            self.stats["vanished"].append(job["metadata"]["name"])
            self.objects["pods"].pop((ns, name), None)
            self.objects["jobs"].pop((ns, job["metadata"]["name"]), None)
            self.rv += 1
            return
        if deadline and ran > deadline and proc.poll() is None:
            self.kill(ns, name)
            proc.wait()
            pod["status"]["reason"] = "DeadlineExceeded"
            pod["status"]["message"] = "Pod was active on the node longer than the specified deadline"
            return self.terminate(pod, job, 137, "Error", job_reason="DeadlineExceeded",
                                  job_message="Job was active longer than specified deadline")
        code = proc.poll()
        if code is None:
            return
        if code < 0:
            code = 128 - code
        self.terminate(pod, job, code, "Completed" if code == 0 else ("OOMKilled" if code == 137 else "Error"))

    def terminate(self, pod, job, code, reason, job_reason="BackoffLimitExceeded", job_message="Job has reached the specified backoff limit"):
        st = pod["status"]
        c = pod["spec"]["containers"][0]
        started = (st.get("containerStatuses") or [{}])[0].get("state", {}).get("running", {}).get("startedAt", now_iso())
        st["phase"] = "Succeeded" if code == 0 else "Failed"
        st["containerStatuses"] = [{"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": False,
                                    "restartCount": 0, "started": False,
                                    "state": {"terminated": {"exitCode": code, "reason": reason, "startedAt": started,
                                                             "finishedAt": now_iso()}}}]
        for cond in st["conditions"]:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond["status"] = "False"
        self.bump(pod)
        if job is None:
            return
        js = job["status"]
        js["active"] = 0
        js["ready"] = 0
        js.pop("active")
        if code == 0:
            js["succeeded"] = 1
            js["completionTime"] = now_iso()
            js["conditions"] = [{"type": "SuccessCriteriaMet", "status": "True", "lastTransitionTime": now_iso()},
                                {"type": "Complete", "status": "True", "lastTransitionTime": now_iso()}]
        else:
            js["failed"] = 1
            js["conditions"] = [{"type": "FailureTarget", "status": "True", "reason": job_reason, "message": job_message},
                                {"type": "Failed", "status": "True", "reason": job_reason, "message": job_message,
                                 "lastTransitionTime": now_iso()}]
        self.bump(job)
