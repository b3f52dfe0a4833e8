#!/usr/bin/python3
"""Check the edge's orchestrator files without a cluster.

    kubecheck.py k8s FILE       packaging/kubernetes/ocsp-edge.yaml
    kubecheck.py compose FILE   packaging/compose.yml

kubectl is not in Debian, and no Kubernetes schema is packaged: this is a
schema of our own for the fields that matter, checked with python3-yaml.
Unknown keys where we know the full set (a misspelt readinessProbe would
otherwise be silently ignored by a cluster), types, and the wiring between
objects: selectors, named ports, the probe, the Prometheus annotations, the
shared volume (sync writes it, the server mounts it read-only and reads its
--db from it), the locked-down security context, no secret in the pod.
Prints one line per problem; exit 1 if any.
"""
import sys

import yaml

PROBS = []


def bad(where, msg):
    PROBS.append(f"{where}: {msg}")


def keys(where, obj, allowed, required=()):
    if not isinstance(obj, dict):
        bad(where, f"expected a mapping, got {type(obj).__name__}")
        return False
    for k in obj:
        if k not in allowed:
            bad(where, f"unknown key {k!r}")
    for k in required:
        if k not in obj:
            bad(where, f"missing {k!r}")
    return True


def is_str_list(where, v):
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        bad(where, "expected a list of strings")
        return False
    return True


CONTAINER = {"name", "image", "args", "command", "env", "ports", "volumeMounts",
             "readinessProbe", "livenessProbe", "startupProbe", "securityContext",
             "resources", "imagePullPolicy"}
PROBE = {"httpGet", "tcpSocket", "exec", "periodSeconds", "failureThreshold",
         "successThreshold", "initialDelaySeconds", "timeoutSeconds"}
SECCTX = {"readOnlyRootFilesystem", "allowPrivilegeEscalation", "capabilities",
          "runAsNonRoot", "runAsUser", "runAsGroup"}


def check_container(where, c, volumes, ports_out):
    keys(where, c, CONTAINER, ("name", "image"))
    for f in ("args", "command"):
        if f in c:
            is_str_list(f"{where}.{f}", c[f])
    for e in c.get("env", []):
        if keys(f"{where}.env", e, {"name", "value"}, ("name", "value")) and \
                not isinstance(e["value"], str):
            bad(f"{where}.env.{e['name']}", "value must be a string")
    for p in c.get("ports", []):
        if keys(f"{where}.ports", p, {"name", "containerPort", "protocol"}, ("containerPort",)):
            if not isinstance(p["containerPort"], int) or not 0 < p["containerPort"] < 65536:
                bad(f"{where}.ports", f"containerPort {p['containerPort']!r}")
            if len(p.get("name", "")) > 15:
                bad(f"{where}.ports", f"port name {p['name']!r} longer than 15")
            ports_out[p.get("name", str(p["containerPort"]))] = p["containerPort"]
    mounts = {}
    for m in c.get("volumeMounts", []):
        if keys(f"{where}.volumeMounts", m, {"name", "mountPath", "readOnly"}, ("name", "mountPath")):
            if m["name"] not in volumes:
                bad(f"{where}.volumeMounts", f"no volume {m['name']!r}")
            mounts[m["name"]] = m
    for pr in ("readinessProbe", "livenessProbe", "startupProbe"):
        if pr in c:
            keys(f"{where}.{pr}", c[pr], PROBE)
    sc = c.get("securityContext")
    if keys(f"{where}.securityContext", sc, SECCTX):
        if sc.get("readOnlyRootFilesystem") is not True:
            bad(where, "root file system not read-only")
        if sc.get("allowPrivilegeEscalation") is not False:
            bad(where, "allowPrivilegeEscalation not false")
        if (sc.get("capabilities") or {}).get("drop") != ["ALL"]:
            bad(where, "capabilities not dropped")
    return mounts


def arg_after(args, flag):
    return args[args.index(flag) + 1] if flag in args[:-1] else None


def check_deployment(d, services):
    where = f"Deployment {d['metadata'].get('name')}"
    spec = d.get("spec", {})
    keys(where + ".spec", spec, {"replicas", "selector", "strategy", "template"},
         ("replicas", "selector", "template"))
    if not isinstance(spec.get("replicas"), int) or spec["replicas"] < 2:
        bad(where, "replicas: at least 2 for a fleet")
    tmpl = spec.get("template", {})
    labels = tmpl.get("metadata", {}).get("labels", {})
    sel = spec.get("selector", {}).get("matchLabels", {})
    if not sel or any(labels.get(k) != v for k, v in sel.items()):
        bad(where, "selector.matchLabels do not match the template's labels")
    pod = tmpl.get("spec", {})
    keys(where + ".pod", pod, {"automountServiceAccountToken", "enableServiceLinks",
                               "terminationGracePeriodSeconds", "securityContext",
                               "volumes", "initContainers", "containers"},
         ("containers", "volumes"))
    psc = pod.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True or not isinstance(psc.get("runAsUser"), int) \
            or psc.get("runAsUser") == 0:
        bad(where, "pod must run as a numeric non-root user (runAsNonRoot, runAsUser)")
    volumes = {}
    for v in pod.get("volumes", []):
        volumes[v.get("name")] = v
        if "secret" in v or "projected" in v:
            bad(where, f"volume {v.get('name')!r}: no secret or key belongs on an edge")
    ports = {}
    cs = {c.get("name"): c for c in pod.get("containers", [])}
    inits = pod.get("initContainers", [])
    mounts = {n: check_container(f"{where}.{n}", c, volumes, ports) for n, c in cs.items()}
    init_mounts = [check_container(f"{where}.init.{c.get('name')}", c, volumes, {}) for c in inits]
    serve = next((c for c in cs.values() if "ocsp-serve" in c.get("image", "")), None)
    sync = [c for c in cs.values() if "ocsp-edge-sync" in c.get("image", "")]
    if serve is None:
        bad(where, "no ocsp-serve container")
        return
    args = serve.get("args", [])
    db = arg_after(args, "--db")
    mlisten = arg_after(args, "--metrics-listen")
    shared = [m for m in mounts[serve["name"]].values() if db and db.startswith(m["mountPath"].rstrip("/") + "/")]
    if not shared:
        bad(where, f"--db {db} is not in a volume of the ocsp-serve container")
    elif shared[0].get("readOnly") is not True:
        bad(where, "ocsp-serve mounts the responses volume writable")
    # The sync side: an init container (--once) and a sidecar, DST the same volume.
    for label, c, once in [("init", i, True) for i in inits] + [("sidecar", c, False) for c in sync]:
        a = c.get("args", [])
        if ("--once" in a) != once:
            bad(f"{where}.{c.get('name')}", f"a {label} sync {'needs' if once else 'must not have'} --once")
        dst = [x for x in a if x.startswith("/")]
        m = [mm for mm in (init_mounts[inits.index(c)] if once else mounts[c["name"]]).values()
             if dst and dst[0].rstrip("/") == mm["mountPath"].rstrip("/")]
        if not m or not shared or m[0]["name"] != shared[0]["name"]:
            bad(f"{where}.{c.get('name')}", "does not write the volume ocsp-serve reads")
    if not inits or not sync:
        bad(where, "needs an init container and a sidecar running ocsp-edge-sync")
    rp = serve.get("readinessProbe", {}).get("httpGet", {})
    if rp.get("path") != "/healthz":
        bad(where, "readinessProbe must GET /healthz")
    mport = ports.get(rp.get("port"), rp.get("port"))
    if not mlisten or str(mport) != mlisten.rsplit(":", 1)[1]:
        bad(where, f"readinessProbe port {rp.get('port')!r} is not --metrics-listen {mlisten}")
    ann = tmpl.get("metadata", {}).get("annotations", {})
    if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/port") != str(mport):
        bad(where, "prometheus.io/scrape must be \"true\" and prometheus.io/port the metrics port, as strings")
    for s in services:
        if s["spec"].get("type") == "ExternalName":
            continue
        ssel = s["spec"].get("selector", {})
        if not ssel or any(labels.get(k) != v for k, v in ssel.items()):
            bad(f"Service {s['metadata']['name']}", "selector matches no pod of the Deployment")
        for p in s["spec"].get("ports", []):
            t = p.get("targetPort")
            if t not in ports and t not in ports.values():
                bad(f"Service {s['metadata']['name']}", f"targetPort {t!r} is no container port")
            if t in ("metrics", ports.get("metrics")):
                bad(f"Service {s['metadata']['name']}", "the metrics port is not for clients")


def check_k8s(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    api = {"Deployment": "apps/v1", "Service": "v1", "PodDisruptionBudget": "policy/v1"}
    for d in docs:
        k = d.get("kind")
        if api.get(k) != d.get("apiVersion"):
            bad(f"{k}", f"apiVersion {d.get('apiVersion')!r} (expected {api.get(k)})")
        keys(f"{k}", d, {"apiVersion", "kind", "metadata", "spec"}, ("apiVersion", "kind", "metadata", "spec"))
    services = [d for d in docs if d.get("kind") == "Service"]
    deps = [d for d in docs if d.get("kind") == "Deployment"]
    if len(deps) != 1:
        bad(path, "expected one Deployment")
    for d in deps:
        check_deployment(d, services)
    if not any(s["spec"].get("type") != "ExternalName" for s in services):
        bad(path, "no Service in front of the replicas")


def check_compose(path):
    doc = yaml.safe_load(open(path))
    svcs = doc.get("services", {})
    serve = next((s for s in svcs.values() if "ocsp-serve" in s.get("image", "")), None)
    if serve is None:
        bad(path, "no ocsp-serve service")
        return
    cmd = serve.get("command", [])
    db = arg_after(cmd, "--db")
    vol = [v for v in serve.get("volumes", []) if db and db.startswith(v.split(":")[1].rstrip("/") + "/")]
    if not vol or not vol[0].endswith(":ro"):
        bad(path, "ocsp-serve must read --db from a volume mounted :ro")
    hc = serve.get("healthcheck", {}).get("test", [])
    if "/usr/sbin/ocsp-healthz" not in hc:
        bad(path, "ocsp-serve's healthcheck must run the image's /healthz probe")
    for name, s in svcs.items():
        if s.get("read_only") is not True:
            bad(f"{path}: {name}", "root file system not read-only")
        u = str(s.get("user", ""))
        if not u.replace(":", "").isdigit() or u.startswith("0"):
            bad(f"{path}: {name}", "user must be a numeric non-root UID:GID")
        if "ocsp-edge-sync" in s.get("image", ""):
            if not vol or not any(v.split(":")[0] == vol[0].split(":")[0] for v in s.get("volumes", [])):
                bad(f"{path}: {name}", "does not write the volume ocsp-serve reads")
    if not any("--once" in s.get("command", []) for s in svcs.values()):
        bad(path, "no first sync (--once) before the server starts")
    dep = serve.get("depends_on", {})
    if not any(v.get("condition") == "service_completed_successfully" for v in dep.values()):
        bad(path, "ocsp-serve must wait for the first sync to complete")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("k8s", "compose"):
        sys.exit("usage: kubecheck.py k8s|compose FILE")
    (check_k8s if sys.argv[1] == "k8s" else check_compose)(sys.argv[2])
    for p in PROBS:
        print(p)
    sys.exit(1 if PROBS else 0)
