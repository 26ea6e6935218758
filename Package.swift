// swift-tools-version:5.9
// flow: a Snakemake-compatible workflow engine.
//
// Targets follow the pipeline in the order data flows (see README "Architecture"):
//   FlowSyntax (tokens, AST) -> FlowLang (Python-subset interpreter) -> FlowWorkflow (rules, config,
//   Snakemake API) -> FlowDAG (jobs, wildcards, files) -> FlowState (SQLite) -> FlowExec (scheduler,
//   executors) -> FlowCLI (flags, profiles, printing) -> flow (thin executable).
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
        // The one HTTP layer (libcurl) for the Kubernetes, CouchDB and GCS back ends: TLS, auth,
        // retries, streaming. Knows nothing else of flow.
        .target(name: "FlowHTTP", dependencies: ["CCurl", "CCurlShim"]),

        .target(name: "FlowSyntax"),
        .target(name: "FlowLang", dependencies: ["FlowSyntax", "CYAML"]),
        .target(name: "FlowWorkflow", dependencies: ["FlowSyntax", "FlowLang"]),
        .target(name: "FlowDAG", dependencies: ["FlowWorkflow", "FlowLang"]),
        .target(name: "FlowState", dependencies: ["CSQLite"]),
        .target(name: "FlowExec", dependencies: ["FlowDAG", "FlowWorkflow", "FlowLang", "FlowState"]),
        // The glue of one run: workflow -> DAG -> plan -> scheduler/executors -> state, reporting
        // events to a printer it does not own.
        .target(name: "FlowEngine", dependencies: ["FlowSyntax", "FlowLang", "FlowWorkflow", "FlowDAG", "FlowState", "FlowExec"]),
        .target(name: "FlowCLI", dependencies: [
            "FlowSyntax", "FlowLang", "FlowWorkflow", "FlowDAG", "FlowState", "FlowExec", "FlowEngine",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "flow", dependencies: ["FlowCLI"]),
        // Parser-only driver for scripts/fuzz_snakefiles.py --parser-only and corpus checks.
        .executableTarget(name: "flow-parse", dependencies: ["FlowSyntax"]),
        // Streaming benchmark driver for bench/http_stream.sh (download then upload N MB).
        .executableTarget(name: "flow-http-bench", dependencies: ["FlowHTTP"]),

        .testTarget(name: "FlowSyntaxTests", dependencies: ["FlowSyntax"]),
        .testTarget(name: "FlowLangTests", dependencies: ["FlowLang", "FlowSyntax"]),
        .testTarget(name: "FlowWorkflowTests", dependencies: ["FlowWorkflow", "FlowLang", "FlowSyntax"]),
        .testTarget(name: "FlowDAGTests", dependencies: ["FlowDAG", "FlowWorkflow", "FlowLang"]),
        .testTarget(name: "FlowStateTests", dependencies: ["FlowState"]),
        .testTarget(name: "FlowExecTests", dependencies: ["FlowExec", "FlowDAG", "FlowWorkflow", "FlowState"]),
        .testTarget(name: "FlowEngineTests", dependencies: ["FlowEngine", "FlowWorkflow", "FlowDAG", "FlowState", "FlowExec"]),
        .testTarget(name: "FlowCLITests", dependencies: ["FlowCLI"]),
        .testTarget(name: "FlowHTTPTests", dependencies: ["FlowHTTP"]),
    ]
)
