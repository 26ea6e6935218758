// flow-parse: parses Snakefiles with FlowSyntax and nothing else (no evaluation), for fuzzing and
// corpus checks. Usage: flow-parse [--time] FILE...
// Exit status: 0 if every file parses, 1 if any raises a diagnostic (printed to stderr), 2 on usage
// or I/O errors.
import FlowSyntax
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func readFile(_ path: String) -> [UInt8]? {
    guard let handle = fopen(path, "rb") else { return nil }
    defer { fclose(handle) }
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = fread(&buffer, 1, buffer.count, handle)
        if count <= 0 { break }
        data.append(contentsOf: buffer[0..<count])
    }
    return data
}

func milliseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) * 1000 + Double(now.tv_nsec) / 1e6
}

var arguments = Array(CommandLine.arguments.dropFirst())
let timing = arguments.first == "--time"
if timing { arguments.removeFirst() }
if arguments.isEmpty {
    fputs("usage: flow-parse [--time] FILE...\n", stderr)
    exit(2)
}
var status: Int32 = 0
for path in arguments {
    guard let bytes = readFile(path) else {
        fputs("flow-parse: cannot read \(path)\n", stderr)
        exit(2)
    }
    let start = milliseconds()
    do {
        let module = try parseModule(SourceFile(path: path, text: String(decoding: bytes, as: UTF8.self)))
        if timing { print("\(path): \(module.body.count) statements in \(milliseconds() - start) ms") }
    } catch {
        fputs("\(error)\n", stderr)
        status = 1
    }
}
exit(status)
