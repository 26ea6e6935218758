// The names a job's code sees — `input`, `output`, `params`, `wildcards`, `threads`, `resources`,
// `log`, `rule`, `jobid`, `attempt`, `config` — as values, for shell formatting (ShellFormatter)
// and for the python3 preamble of `run:`/`script:` jobs.

import FlowLang

public struct JobNamespace {
    public var rule: String
    public var jobid: Int
    public var attempt: Int
    public var input: NamedListObject
    public var output: NamedListObject
    public var log: NamedListObject
    public var params: NamedListObject
    public var wildcards: NamedListObject
    public var resources: NamedListObject
    public var threads: Int
    /// `config` as the rule sees it: the workflow's, or for a module's rule the module's.
    public var config: Value

    public init(rule: String, jobid: Int, attempt: Int, input: NamedListObject, output: NamedListObject,
                log: NamedListObject, params: NamedListObject, wildcards: NamedListObject,
                resources: NamedListObject, threads: Int, config: Value) {
        self.rule = rule
        self.jobid = jobid
        self.attempt = attempt
        self.input = input
        self.output = output
        self.log = log
        self.params = params
        self.wildcards = wildcards
        self.resources = resources
        self.threads = threads
        self.config = config
    }

    /// The namespace as format-field names.
    public var values: [String: Value] {
        [
            "input": .object(input), "output": .object(output), "log": .object(log),
            "params": .object(params), "wildcards": .object(wildcards), "resources": .object(resources),
            "threads": .int(threads), "rule": .str(rule), "jobid": .int(jobid), "attempt": .int(attempt),
            "config": config,
        ]
    }
}
