// FlowExec registry: the list of back ends. Adding one is a descriptor in its folder plus one
// line here; flags, profile keys, help and validation follow from its declared settings.

public enum ExecutorRegistry {
    /// Every back end, in the order `--help` shows them.
    public static var all: [ExecutorDescriptor] {
        #if canImport(Glibc)
        return [LocalExecutor.descriptor, SlurmExecutor.descriptor, FluxExecutor.descriptor, KubernetesExecutor.descriptor, PiCaSExecutor.descriptor]
        #else
        return []
        #endif
    }

    /// The back end named `name` or having it as an alias.
    public static func descriptor(named name: String, in descriptors: [ExecutorDescriptor] = all) -> ExecutorDescriptor? {
        descriptors.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// The setting a flag or profile key names ("slurm-partition", "slurm_partition").
    public static func setting(forKey key: String, in descriptors: [ExecutorDescriptor] = all)
        -> (descriptor: ExecutorDescriptor, setting: ExecutorSetting)? {
        let normalized = String(key.map { $0 == "_" ? "-" : $0 })
        for descriptor in descriptors {
            for setting in descriptor.settings where descriptor.key(of: setting) == normalized {
                return (descriptor, setting)
            }
        }
        return nil
    }

    /// Every setting key ("slurm-partition", ...).
    public static func keys(in descriptors: [ExecutorDescriptor] = all) -> [String] {
        descriptors.flatMap { d in d.settings.map { d.key(of: $0) } }
    }
}
