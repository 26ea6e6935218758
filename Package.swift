// swift-tools-version:5.9
// flow: a Snakemake-compatible workflow engine.
//
// Targets follow the pipeline in the order data flows (see README "Architecture"):
//   FlowSyntax (tokens, AST) -> FlowLang (Python-subset interpreter) -> FlowWorkflow (rules, config,
//   Snakemake API) -> FlowDAG (jobs, wildcards, files) -> FlowState (SQLite) -> FlowExec (scheduler,
//   executors) -> FlowCLI (flags, profiles, printing) -> flow (thin executable).
// Beneath them: FlowSystem (file operations, shell quoting) and FlowStorage (where files live,
// by URL scheme), used by the workflow layer, the DAG, executors and the engine.
// scripts/check_package_deps.py (run by scripts/test.sh) keeps each target's dependencies equal
// to what it imports.
import PackageDescription

let package = Package(
    name: "flow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "flow", targets: ["flow"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libyaml-dev, libcurl4-openssl-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // curl_easy_setopt/getinfo are variadic: typed C wrappers make them callable from Swift.
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        // libgfal2, the grid storage library (Debian: libgfal2-dev and its plugins gfal2-plugin-file, -http,
        // -xrootd) behind the gfal adapter for davs:// dav:// https:// root:// srm:// gsiftp:// file://.
        .systemLibrary(name: "CGfal2", pkgConfig: "gfal2", providers: [.apt(["libgfal2-dev"])]),
        // gfal's headers clash with Swift's Glibc (_FILE_OFFSET_BITS=64): Swift sees only this shim's plain types.
        .target(name: "CGfalShim", dependencies: ["CGfal2"], linkerSettings: [.linkedLibrary("gfal_transfer"), .linkedLibrary("gfal2")]),
        // The one HTTP layer (libcurl) for the Kubernetes, CouchDB and GCS back ends: TLS, auth,
        // retries, streaming. Knows nothing else of flow.
        .target(name: "FlowHTTP", dependencies: ["CCurl", "CCurlShim"]),

        // The operating system as flow uses it: file operations with clear errors, shell quoting.
        .target(name: "FlowSystem"),
        // Where files live: the storage protocol, the router by URL scheme, POSIX and in-memory adapters.
        .target(name: "FlowStorage", dependencies: ["FlowSystem", "FlowHTTP", "CCryptoShim", "CGfalShim", "CChecksum"]),
        // CRC-32C for GCS transfers: the CPU's instruction where there is one (a debug Swift loop is slow).
        .target(name: "CChecksum"),
        // RS256 signatures over libcrypto (Debian: libssl-dev) for service-account tokens.
        .target(name: "CCryptoShim", linkerSettings: [.linkedLibrary("crypto")]),
        .target(name: "FlowSyntax"),
        .target(name: "FlowLang", dependencies: ["FlowSyntax", "CYAML"]),
        // CPython opened at run time (dlopen) for modules outside flow's own set: the proxy value and
        // conversions; plugs into FlowLang as its ForeignModuleLoader.
        .target(name: "FlowPython", dependencies: ["FlowSyntax", "FlowLang"]),
        .target(name: "FlowWorkflow", dependencies: ["FlowSyntax", "FlowLang", "FlowStorage", "FlowSystem"]),
        .target(name: "FlowDAG", dependencies: ["FlowWorkflow", "FlowLang", "FlowStorage"]),
        .target(name: "FlowState", dependencies: ["CSQLite", "FlowSystem"]),
        .target(name: "FlowExec", dependencies: ["FlowStorage", "FlowSystem", "FlowHTTP", "FlowLang"]),
        // The glue of one run: workflow -> DAG -> plan -> scheduler/executors -> state, reporting
        // events to a printer it does not own.
        .target(name: "FlowEngine", dependencies: ["FlowSyntax", "FlowLang", "FlowWorkflow", "FlowDAG", "FlowState", "FlowExec", "FlowStorage", "FlowSystem"]),
        // What the user looks at: Snakemake's log lines, the live view on a terminal, the HTML report,
        // run history; fed by the engine's reporter events and FlowState's records.
        .target(name: "FlowViews", dependencies: ["FlowEngine", "FlowState"]),
        .target(name: "FlowCLI", dependencies: ["FlowSyntax", "FlowLang", "FlowExec", "FlowEngine", "FlowState", "FlowStorage", "FlowPython", "FlowViews", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "flow", dependencies: ["FlowCLI"]),
        // Parser-only driver for scripts/fuzz_snakefiles.py --parser-only and corpus checks.
        .executableTarget(name: "flow-parse", dependencies: ["FlowSyntax"]),
        // Streaming benchmark driver for bench/http_stream.sh (download then upload N MB).
        .executableTarget(name: "flow-http-bench", dependencies: ["FlowHTTP"]),
        // One transfer through flow's storage adapters for bench/gfal_roundtrip.sh (peak RSS, throughput).
        .executableTarget(name: "flow-storage-bench", dependencies: ["FlowStorage"]),

        .testTarget(name: "FlowSyntaxTests", dependencies: ["FlowSyntax"]),
        .testTarget(name: "FlowLangTests", dependencies: ["FlowLang", "FlowSyntax"]),
        .testTarget(name: "FlowWorkflowTests", dependencies: ["FlowWorkflow", "FlowLang", "FlowStorage"]),
        .testTarget(name: "FlowDAGTests", dependencies: ["FlowDAG", "FlowWorkflow", "FlowLang", "FlowSyntax", "FlowStorage"]),
        .testTarget(name: "FlowStorageTests", dependencies: ["FlowStorage", "FlowSystem", "FlowHTTP"]),
        .testTarget(name: "FlowSystemTests", dependencies: ["FlowSystem"]),
        .testTarget(name: "FlowStateTests", dependencies: ["FlowState"]),
        .testTarget(name: "FlowExecTests", dependencies: ["FlowExec", "FlowStorage", "FlowSystem", "FlowHTTP"]),
        .testTarget(name: "FlowEngineTests", dependencies: ["FlowEngine", "FlowExec", "FlowState", "FlowStorage", "FlowSystem"]),
        .testTarget(name: "FlowCLITests", dependencies: ["FlowCLI", "FlowExec"]),
        .testTarget(name: "FlowViewsTests", dependencies: ["FlowViews", "FlowEngine"]),
        .testTarget(name: "FlowHTTPTests", dependencies: ["FlowHTTP"]),
        .testTarget(name: "FlowPythonTests", dependencies: ["FlowPython", "FlowLang", "FlowSyntax"]),
    ]
)
