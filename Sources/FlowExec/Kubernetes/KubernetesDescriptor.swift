// FlowExec Kubernetes backend: its entry in the executor registry — the settings it declares
// (Snakemake's kubernetes plugin names where they exist, as `--kubernetes-<name>` flags and
// `kubernetes-<name>` profile keys) and the factory that finds the cluster as kubectl does.

extension KubernetesExecutor {
    public static let descriptor = ExecutorDescriptor(
        name: "kubernetes",
        aliases: ["k8s"],
        summary: "Jobs are Kubernetes batch/v1 Jobs (one Job and one Pod list per status round).",
        settings: [
            ExecutorSetting("namespace", .string, help: "Namespace of the Jobs (default: the kubeconfig context's, else 'default')."),
            ExecutorSetting("service-account-name", .string, help: "Service account the job pods run as."),
            ExecutorSetting("persistent-volumes", .list, help: "CLAIM:MOUNTPATH: a PersistentVolumeClaim mounted in every job pod (repeatable)."),
            ExecutorSetting("privileged", .bool, default: .bool(false), help: "Run job containers privileged."),
            ExecutorSetting("omit-job-cleanup", .bool, default: .bool(false), help: "Keep finished Jobs and their pods (debugging)."),
            ExecutorSetting("cpu-scalar", .double, default: .double(1.0), minimum: 0.001, help: "cpu request and limit = threads × this."),
            ExecutorSetting("container-image", .string, default: .string("flow:latest"), help: "Image for jobs whose rule has no container:."),
            ExecutorSetting("annotations", .list, help: "KEY=VALUE annotation on every Job and pod (repeatable)."),
            ExecutorSetting("labels", .list, help: "KEY=VALUE label on every Job and pod (repeatable)."),
            ExecutorSetting("node-selector", .list, help: "KEY=VALUE node selector of every job pod (repeatable)."),
            ExecutorSetting("tolerations", .list, help: "KEY[=VALUE][:EFFECT] toleration of every job pod (repeatable)."),
            ExecutorSetting("image-pull-secrets", .list, help: "Secret used to pull images (repeatable)."),
            ExecutorSetting("config-maps", .list, help: "NAME:MOUNTPATH: a ConfigMap mounted read-only in every job pod (repeatable)."),
            ExecutorSetting("envvars", .list, help: "Environment variables passed to jobs through one Secret per run (names; values come from flow's environment)."),
            ExecutorSetting("ttl-seconds-after-finished", .int, minimum: 0, help: "Let Kubernetes delete finished Jobs after this many seconds (a safety net)."),
            ExecutorSetting("data-mode", .choice(["shared", "staged"]), default: .string("shared"),
                            help: "shared: the working directory is on a volume mounted at the same path everywhere; staged: each pod stages inputs in from storage and outputs back (flow in the image)."),
            ExecutorSetting("flow-binary", .string, default: .string("flow"), help: "flow in the job image, for staged mode's `flow job-files` steps (default: found on the image's PATH)."),
            ExecutorSetting("unschedulable-warning", .double, default: .double(60), minimum: 0, help: "Seconds a pod may be unschedulable before a warning names it."),
            ExecutorSetting("kubeconfig", .string, help: "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else the pod's service account)."),
            ExecutorSetting("context", .string, help: "Kubeconfig context (default: its current-context)."),
        ]
    ) { context in
        let endpoint = try KubeConfig.load(path: context.settings.string("kubeconfig"), context: context.settings.string("context"))
        return try KubernetesExecutor(options: try KubernetesOptions(context, defaultNamespace: endpoint.namespace), endpoint: endpoint)
    }
}
