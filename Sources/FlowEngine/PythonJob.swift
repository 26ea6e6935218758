// Generates the program that runs a `run:` block or a `script:` file at job time.
//
// flow evaluates Snakefiles with its own interpreter, but job code is real Python (or bash) run by
// the system's python3: the generated program defines the `snakemake` object (input, output,
// params, wildcards, threads, resources, log, config, rule, attempt; positional and named access),
// a `shell()` that formats like the `shell:` directive, and, for `run:`, the Snakefile's own
// top-level imports, functions and globals.

import Foundation
import FlowLang
import FlowWorkflow

enum PythonJob {
    /// Python source for a `run:` block.
    static func runBlock(_ block: CodeBlock, namespace: JobNamespace, basedir: String, workflow: Workflow,
                         printShellCommands: Bool) throws -> String {
        var out = try prelude(namespace, workflow: workflow, printShellCommands: printShellCommands)
        out += "# --- Snakefile top-level code ---\n"
        out += "_flow_in_preamble = True\n"
        for chunk in workflow.pythonPreamble { out += chunk + "\n" }
        out += "_flow_in_preamble = False\n"
        out += "# --- run: block of rule \(namespace.rule) (\(block.file.path):\(block.line)) ---\n"
        // The arguments Snakemake passes to the function a `run:` block becomes; those about
        // deployment and benchmarks have no counterpart in flow's jobs and stay empty.
        out += "input, output, params, wildcards, threads, resources, log, rule, jobid = "
        out += "snakemake.input, snakemake.output, snakemake.params, snakemake.wildcards, snakemake.threads, "
        out += "snakemake.resources, snakemake.log, snakemake.rule, snakemake.jobid\n"
        out += "basedir = \(literal(basedir))\n"
        out += "conda_env = container_img = env_modules = bench_record = bench_iteration = shadow_dir = None\n"
        out += "conda_base_path = sourcecache_path = runtime_sourcecache_path = edit_notebook = None\n"
        out += "singularity_args, use_singularity, is_shell, cleanup_scripts, runtime_paths = \"\", False, False, True, []\n"
        out += block.text + "\n"
        return out
    }

    /// Python source that runs a `.py` script with the `snakemake` object as a global.
    static func script(path: String, namespace: JobNamespace, workflow: Workflow, printShellCommands: Bool) throws -> String {
        var out = try prelude(namespace, workflow: workflow, printShellCommands: printShellCommands)
        out += """
        __flow_path = \(literal(path))
        sys.argv = [__flow_path]
        sys.path.insert(0, os.path.dirname(__flow_path))
        with open(__flow_path) as __flow_f:
            __flow_code = compile(__flow_f.read(), __flow_path, "exec")
        # Snakemake's script preamble leaves these names behind; `__real_file__` is the program that runs the script.
        import pickle
        exec(__flow_code, {"__name__": "__main__", "__file__": __flow_path, "__real_file__": os.path.abspath(__file__),
                           "snakemake": snakemake, "shell": shell, "sys": sys, "pickle": pickle, "logger": logger,
                           "Snakemake": _FlowSnakemake})

        """
        return out
    }

    /// Python source that renders a `template_engine:` rule's template (its input named
    /// `template`, or its only input) into its one output, with Snakemake's variables.
    static func template(engine: String, namespace: JobNamespace, workflow: Workflow) throws -> String {
        var out = try prelude(namespace, workflow: workflow, printShellCommands: false)
        out += """
        _flow_render_template(\(literal(engine)), snakemake)

        """
        return out
    }

    /// Bash source that runs a `.sh` script with Snakemake's `snakemake_*` associative arrays.
    static func bashScript(path: String, namespace: JobNamespace, interpreter: Interpreter) throws -> String {
        func array(_ name: String, _ list: NamedListObject) throws -> String {
            var entries: [String] = []
            for (i, item) in list.items.enumerated() {
                entries.append("[\(i)]=\(ShellFormatter.shellQuote(try ShellFormatter.plain(item, interpreter: interpreter)))")
            }
            for n in list.names {
                let value = try ShellFormatter.plain(list.value(named: n.name) ?? .none, interpreter: interpreter)
                entries.append("[\(ShellFormatter.shellQuote(n.name))]=\(ShellFormatter.shellQuote(value))")
            }
            return "declare -A \(name)=(\(entries.joined(separator: " ")))\n"
        }
        var out = "#!/usr/bin/env bash\nset -euo pipefail\n"
        out += "declare -A snakemake=([threads]=\(namespace.threads) [rule]=\(ShellFormatter.shellQuote(namespace.rule)) [attempt]=\(namespace.attempt))\n"
        out += try array("snakemake_input", namespace.input)
        out += try array("snakemake_output", namespace.output)
        out += try array("snakemake_params", namespace.params)
        out += try array("snakemake_wildcards", namespace.wildcards)
        out += try array("snakemake_resources", namespace.resources)
        out += try array("snakemake_log", namespace.log)
        out += "source \(ShellFormatter.shellQuote(path))\n"
        return out
    }

    // MARK: The shared prelude

    private static func prelude(_ ns: JobNamespace, workflow: Workflow, printShellCommands: Bool) throws -> String {
        let interp = workflow.interpreter
        var out = "# Generated by flow for job \(ns.jobid) (rule \(ns.rule)); do not edit.\n"
        out += support
        out += "_flow_print_shell = \(printShellCommands ? "True" : "False")\n"
        out += "config = \(try literal(ns.config, interp))\n"
        out += "workflow = _FlowWorkflow(\(literal(workflow.basedir)), \(literal(workflow.snakefile)), \(ns.threads))\n"
        out += "snakemake = _FlowSnakemake(\n"
        out += "    input=\(try literal(ns.input, interp)),\n"
        out += "    output=\(try literal(ns.output, interp)),\n"
        out += "    params=\(try literal(ns.params, interp)),\n"
        out += "    wildcards=\(try literal(ns.wildcards, interp)),\n"
        out += "    resources=\(try literal(ns.resources, interp)),\n"
        out += "    log=\(try literal(ns.log, interp)),\n"
        out += "    threads=\(ns.threads), rule=\(literal(ns.rule)), jobid=\(ns.jobid), attempt=\(ns.attempt),\n"
        out += "    config=config, scriptdir=\(literal(workflow.basedir)))\n"
        out += "_flow_install_snakemake_shim()\n"
        return out
    }

    /// A Python str literal (JSON's string syntax is a subset of Python's).
    static func literal(_ s: String) -> String { JSONWriter.quote(s, ascii: false) }

    static func literal(_ list: NamedListObject, _ interp: Interpreter) throws -> String {
        let items = try list.items.map { try literal($0, interp) }.joined(separator: ", ")
        let names = list.names.map { "\(literal($0.name)): (\($0.range.lowerBound), \($0.range.upperBound), \($0.isSingle ? "True" : "False"))" }
        return "_FlowNamedlist([\(items)], {\(names.joined(separator: ", "))})"
    }

    /// A Python expression that rebuilds `value` in python3.
    static func literal(_ value: Value, _ interp: Interpreter) throws -> String {
        switch value {
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d):
            if d.isNaN { return "float('nan')" }
            if d.isInfinite { return d > 0 ? "float('inf')" : "float('-inf')" }
            return try interp.repr(value)
        case .str(let s): return literal(s)
        case .list(let l): return "[" + (try l.items.map { try literal($0, interp) }).joined(separator: ", ") + "]"
        case .tuple(let t):
            let inner = try t.map { try literal($0, interp) }.joined(separator: ", ")
            return t.count == 1 ? "(\(inner),)" : "(\(inner))"
        case .set(let s):
            if s.count == 0 { return "set()" }
            return "{" + (try s.elements.map { try literal($0, interp) }).joined(separator: ", ") + "}"
        case .dict(let d):
            let pairs = try zip(d.keys, d.values).map { "\(try literal($0, interp)): \(try literal($1, interp))" }
            return "{" + pairs.joined(separator: ", ") + "}"
        case .object(let o):
            if let n = o as? NamedListObject { return try literal(n, interp) }
            if let p = o as? PyPathLike, !(o is PyStringLike) { return "_FlowPath(\(literal(p.fspath)))" }
            if let s = o as? PyStringLike { return literal(s.stringValue) }
            return literal(try interp.str(value))
        }
    }
}
