// The Python every generated job program starts with: flow's versions of the names a Snakefile's
// code sees in Snakemake (the `workflow.py` module globals, `snakemake.io` and `snakemake.ioutils`
// helpers, `shell`), so that a `run:` block or the Snakefile code it carries finds each of them.
// It must not know about any particular rule: the per-job values come after it (PythonJob).

extension PythonJob {
    /// Python definitions every job program starts with.
    static let support = #"""
import os, sys, json, subprocess, string, re, hashlib, platform, dis, linecache, threading, copy, tarfile, tempfile
import collections, itertools, functools, logging
from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping
from itertools import filterfalse, chain
from functools import partial
from typing import Callable, Dict, Iterable, List, Optional, Set, Union
from pathlib import Path as _FlowPath

logger = logging.getLogger("snakemake")
ON_WINDOWS = platform.system() == "Windows"

class _FlowNamedlist(list):
    def __init__(self, items=(), names=None):
        super().__init__(items)
        self._names = dict(names or {})
        for name, (start, end, single) in self._names.items():
            value = self[start] if single and end - start == 1 else _FlowNamedlist(list.__getitem__(self, slice(start, end)))
            object.__setattr__(self, name, value)
    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return getattr(self, key)
            except AttributeError:
                raise KeyError(key)
        return list.__getitem__(self, key)
    def __str__(self):
        return " ".join(map(str, self))
    def get(self, key, default=None):
        return getattr(self, key, default) if key in self._names else default
    def keys(self):
        return self._names.keys()
    def items(self):
        return [(k, getattr(self, k)) for k in self._names]
    def values(self):
        return [getattr(self, k) for k in self._names]

class _FlowWorkflow:
    def __init__(self, basedir, snakefile, cores):
        self.basedir = self.current_basedir = basedir
        self.snakefile = self.main_snakefile = snakefile
        self.cores = cores
        self.is_main_process = False
    def source_path(self, path):
        return os.path.join(self.current_basedir, path)

class _FlowReportHref:
    # A link from one report item to another, as `snakemake --report` lays them out: each item
    # in a folder named by the sha256 of its path as given to report().
    def __init__(self, path, parent=None, url_args=None, anchor=None):
        self._parent = parent
        self._id = parent._id if parent is not None else hashlib.sha256(str(path).encode()).hexdigest()
        self._path = path if isinstance(path, str) else _FlowPath(path).as_posix()
        self._url_args = dict(url_args or {})
        self._anchor = anchor
    def child_path(self, path):
        return _FlowReportHref(path, parent=self)
    def url_args(self, **args):
        return _FlowReportHref(self._path, parent=self._parent, url_args=args)
    def anchor(self, anchor):
        return _FlowReportHref(self._path, parent=self._parent, url_args=self._url_args, anchor=anchor)
    def __str__(self):
        import urllib.parse
        path = os.path.basename(self._path) if self._parent is None else self._path
        args = "?" + "&".join("{}={}".format(k, urllib.parse.quote(str(v))) for k, v in self._url_args.items()) if self._url_args else ""
        anchor = "#" + urllib.parse.quote(self._anchor) if self._anchor else ""
        return "../{}/{}{}{}".format(self._id[:16], path, args, anchor)
    __format__ = lambda self, spec: format(str(self), spec)

class _FlowSnakemake:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)
    def report_href(self, path):
        return _FlowReportHref(path)
    def log_fmt_shell(self, stdout=True, stderr=True, append=False):
        if not self.log:
            return ""
        lg = self.log[0]
        op = ">>" if append else ">"
        if stdout and stderr:
            return " {} {} 2>&1".format(op, lg)
        if stdout:
            return " {} {}".format(op, lg)
        if stderr:
            return " 2{} {}".format(op, lg)
        return ""

class _FlowFormatter(string.Formatter):
    def format_field(self, value, spec):
        if spec == "q":
            import shlex
            if isinstance(value, (list, tuple)):
                return " ".join(shlex.quote(str(v)) for v in value)
            return shlex.quote(str(value))
        if spec == "" and isinstance(value, list) and not isinstance(value, _FlowNamedlist):
            return str(value)
        return super().format_field(value, spec)

# The Snakefile's top-level code runs again in a run: job to define its names; its shell()
# commands already ran when flow read the Snakefile, so those run for their output only.
_flow_in_preamble = False

def shell(cmd, *args, read=False, iterable=False, **kwargs):
    if _flow_in_preamble and not (read or iterable):
        return None
    frame = sys._getframe(1)
    ns = dict(frame.f_globals)
    ns.update(frame.f_locals)
    ns.update(kwargs)
    cmd = _FlowFormatter().vformat(cmd, args, ns)
    if _flow_print_shell:
        print(cmd, flush=True)
    sys.stdout.flush()
    proc = subprocess.run(["bash", "-c", "set -euo pipefail; " + cmd],
                          stdout=subprocess.PIPE if (read or iterable) else None)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    if read:
        return proc.stdout.decode()
    if iterable:
        return iter(proc.stdout.decode().splitlines())
    return None

def expand(pattern, *combinator, allow_missing=False, **wildcards):
    import itertools
    patterns = [pattern] if isinstance(pattern, (str, _FlowPath)) else list(pattern)
    combine = combinator[0] if combinator else itertools.product
    out = []
    for p in patterns:
        p = str(p)
        names = [f[1] for f in string.Formatter().parse(p) if f[1]]
        keys = [k for k in wildcards if k in {n.split(".")[0].split("[")[0] for n in names}]
        values = [[wildcards[k]] if isinstance(wildcards[k], str) or not hasattr(wildcards[k], "__iter__") else list(wildcards[k]) for k in keys]
        for combo in combine(*values):
            d = dict(zip(keys, combo))
            if allow_missing:
                class _Keep(dict):
                    def __missing__(self, k):
                        return "{" + k + "}"
                out.append(string.Formatter().vformat(p, (), _Keep(d)))
            else:
                out.append(p.format(**d))
    return out

def _flow_identity(x, *a, **k):
    return x
# File flags only matter while the DAG is built; in a job they leave the path as it is.
temp = temporary = protected = directory = touch = ancient = pipe = service = local = update = before_update = \
    ensure = unpack = repeat = report = _flow_identity
def flag(value, flag_type, flag_value=True):
    return value
def multiext(prefix, *exts, **named):
    return [prefix + e for e in exts] + [prefix + e for e in named.values()]
Path = _FlowPath
collect = expand

_FLOW_WILDCARD = re.compile(r"\{\s*(?P<name>\w+?)(\s*,\s*(?P<constraint>([^{}]+|\{\d+(,\d+)?\})*))?\s*\}")

def _flow_pattern_regex(pattern):
    parts, last, seen = [], 0, set()
    for m in _FLOW_WILDCARD.finditer(pattern):
        parts.append(re.escape(pattern[last:m.start()]))
        name = m.group("name")
        if name in seen:
            parts.append("(?P={})".format(name))
        else:
            seen.add(name)
            parts.append("(?P<{}>{})".format(name, m.group("constraint") or ".+"))
        last = m.end()
    parts.append(re.escape(pattern[last:]) + "$")
    return "".join(parts)

def glob_wildcards(pattern, files=None, followlinks=False):
    pattern = os.path.normpath(str(pattern))
    first = re.search("{[^{]", pattern)
    dirname = os.path.dirname(pattern[:first.start()] if first else pattern) or "."
    found = [m.group("name") for m in _FLOW_WILDCARD.finditer(pattern)]
    names = sorted(set(found), key=found.index)
    Wildcards = namedtuple("Wildcards", names)
    wildcards = Wildcards(*[[] for _ in names])
    regex = re.compile(_flow_pattern_regex(pattern))
    if files is None:
        files = (os.path.normpath(os.path.join(dirpath, f))
                 for dirpath, dirnames, filenames in os.walk(dirname, followlinks=followlinks)
                 for f in chain(filenames, dirnames))
    for f in files:
        m = re.match(regex, f)
        if m:
            for name, value in m.groupdict().items():
                getattr(wildcards, name).append(value)
    return wildcards

def exists(path):
    return os.path.exists(path)

def flatten(list_of_lists):
    out = []
    for item in list_of_lists:
        if isinstance(item, (list, tuple)):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out

def _flow_maybe_function(compute, value):
    # An ioutils helper given a function returns a function of the wildcards, as in Snakemake.
    if callable(value):
        return lambda wildcards, **kwargs: compute(value(wildcards, **kwargs) if kwargs else value(wildcards))
    return compute(value)

def branch(condition, then=None, otherwise=None, cases=None):
    def value_of(v, wildcards):
        return (v(wildcards) if callable(v) else v) or []
    def pick(wildcards):
        if cases is not None:
            key = condition(wildcards) if callable(condition) else condition
            if key in cases:
                return value_of(cases[key], wildcards)
            if otherwise is not None:
                return value_of(otherwise, wildcards)
            raise KeyError("Key {} not found in given cases of branch function".format(key))
        chosen = condition(wildcards) if callable(condition) else condition
        return value_of(then if chosen else otherwise, wildcards)
    if any(callable(v) for v in (condition, then, otherwise)):
        return pick
    return pick(None)

def evaluate(expr):
    def inner(wildcards):
        return eval(expr.format(**{w: repr(v) for w, v in wildcards.items()}), globals())
    return inner

def lookup(dpath=None, query=None, within=None, default=None, **namespace):
    if dpath is None:
        raise ValueError("flow's lookup() in a job supports dpath= only")
    value = within
    for key in dpath.format(**namespace).split("/"):
        if isinstance(value, Mapping) and key in value:
            value = value[key]
        elif isinstance(value, (list, tuple)) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif default is not None:
            return default
        else:
            raise LookupError("lookup: {} not found".format(dpath))
    return value

def subpath(path_or_func, strip_suffix=None, with_suffix=None, basename=False, parent=False, ancestor=None):
    def do(path):
        path = str(path)
        if strip_suffix is not None:
            if not path.endswith(strip_suffix):
                raise ValueError("Path {} does not end with the specified suffix {}".format(path, strip_suffix))
            path = path[:-len(strip_suffix)]
        if with_suffix is not None:
            path += with_suffix
        if basename:
            return os.path.basename(path)
        for _ in range(1 if parent else (ancestor or 0)):
            path = os.path.dirname(path) or "."
        return path
    return _flow_maybe_function(do, path_or_func)

def prepend_param(prefix, paths_or_func, space=True):
    def do(paths):
        paths = paths if isinstance(paths, list) else [paths]
        return " ".join("{}{}{}".format(prefix, " " if space else "", p) for p in paths)
    return _flow_maybe_function(do, paths_or_func)

def _flow_python_module(filepath):
    filepath = _FlowPath(filepath)
    if not filepath.name.endswith(".py"):
        raise ValueError("Only .py files may be run as Python modules.")
    parts = list(filepath.parts)
    parts[-1] = filepath.name[:-3]
    if any(re.match("[A-Za-z_][A-Za-z0-9_]*$", c) is None for c in parts):
        raise ValueError("{} does not translate to a valid Python name".format(filepath))
    return ".".join(parts)

def as_py_module(path_or_func):
    return _flow_maybe_function(_flow_python_module, path_or_func)

def parse_input(input_item, parser, **kwargs):
    def inner(wildcards, input, output, threads, resources, log, **rest):
        with open(input_item(input) if callable(input_item) else input_item) as f:
            return parser(f, **kwargs)
    return inner

def extract_checksum(infile, **kwargs):
    for line in open(infile):
        if line.rstrip().endswith(kwargs["file"]):
            return line.split()[0]
    return ""

def from_queue(queue, finish_sentinel=None):
    return []

class _FlowScatterGather:
    # scatter.<name>/gather.<name> are set from the Snakefile's scatter: directive when it is read.
    pass
scatter, gather = _FlowScatterGather(), _FlowScatterGather()

def update_config(config, overwrite_config):
    _flow_update_config(config, overwrite_config)

def simplify_path(path):
    relpath = os.path.relpath(path)
    return path if relpath.startswith("../../") else relpath

def smart_join(base, path, abspath=False):
    full = os.path.join(base, path)
    return os.path.abspath(full) if abspath else os.path.normpath(full)

def _flow_render_template(engine, job):
    if len(job.output) != 1:
        raise ValueError("More than one output file specified for template_engine rule.")
    if len(job.input) != 1 and "template" not in job.input.keys():
        raise ValueError("More than one input file specified for template engine rule, but no input file named as 'template'.")
    source = job.input.template if len(job.input) != 1 else job.input[0]
    variables = {"params": job.params, "wildcards": job.wildcards, "config": job.config, "input": job.input}
    try:
        renderer = __import__(engine)
    except ImportError:
        sys.exit("template_engine {0!r} of rule {1} needs the Python package {0} in the python3 that runs jobs ({2})"
                 .format(engine, job.rule, sys.executable))
    with open(source) as infile, open(job.output[0], "w") as outfile:
        if engine == "jinja2":
            outfile.write(renderer.Template(infile.read()).render(**variables))
        else:
            renderer.process_yaml(infile, outfile=outfile, variables=variables)

def _flow_update_config(config, overwrite_config):
    for key, value in overwrite_config.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            _flow_update_config(config[key], value)
        else:
            config[key] = value

def _flow_install_snakemake_shim():
    # Snakefile code and scripts import from `snakemake`; python3 here need not have it, and the
    # job must see flow's versions of these helpers either way.
    import types
    pkg = types.ModuleType("snakemake")
    pkg.__path__ = []
    pkg.__version__ = "9.27.1"
    utils = types.ModuleType("snakemake.utils")
    utils.update_config = _flow_update_config
    utils.min_version = lambda version: None
    utils.makedirs = lambda *paths: [os.makedirs(p, exist_ok=True) for p in paths]
    utils.available_cpu_count = os.cpu_count
    io = types.ModuleType("snakemake.io")
    for name in ("expand", "glob_wildcards", "temp", "temporary", "protected", "directory", "touch", "ancient",
                 "pipe", "service", "local", "update", "before_update", "ensure", "unpack", "repeat", "report",
                 "multiext", "flag", "from_queue"):
        setattr(io, name, globals()[name])
    io.Namedlist = _FlowNamedlist
    shell_module = types.ModuleType("snakemake.shell")
    shell_module.shell = shell
    script = types.ModuleType("snakemake.script")
    script.snakemake = snakemake
    exceptions = types.ModuleType("snakemake.exceptions")
    exceptions.WorkflowError = type("WorkflowError", (Exception,), {})
    pkg.utils, pkg.io, pkg.shell, pkg.script, pkg.exceptions = utils, io, shell_module, script, exceptions
    for module in (pkg, utils, io, shell_module, script, exceptions):
        sys.modules[module.__name__] = module
    # In Snakefile code `snakemake` is the package; in jobs it is also the job's object: one value serves both.
    snakemake.__version__ = pkg.__version__
    snakemake.utils, snakemake.io, snakemake.shell, snakemake.exceptions = utils, io, shell_module, exceptions

"""#
}
