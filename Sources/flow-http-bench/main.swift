// flow-http-bench: streams N MB down from the fault server to a file and back up again through
// FlowHTTP, checking both directions by sha256, so bench/http_stream.sh can measure peak memory
// (it must stay flat: bodies are streamed, never held).
//
// Usage: flow-http-bench <base-url> <megabytes> <scratch-dir>

import FlowHTTP
import Foundation

struct Digest: Decodable { var sha256: String; var length: Int }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("flow-http-bench: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let megabytes = Int(arguments[2]), megabytes > 0 else {
    fail("usage: flow-http-bench <base-url> <megabytes> <scratch-dir>")
}
let bytes = megabytes * 1024 * 1024
let file = URL(fileURLWithPath: arguments[3]).appendingPathComponent("flow-http-bench.bin").path
let query = [(name: "bytes", value: String(bytes)), (name: "seed", value: "2026")]

do {
    // Big streams: no total timeout, a stall detector instead.
    let client = try HTTPClient(HTTPClientConfiguration(baseURL: arguments[1],
                                                        timeouts: HTTPTimeouts(connect: 10, total: nil, lowSpeed: (1024, 30))))
    let expected = try client.send(HTTPRequest(.get, "/download-sha256", query: query)).requireSuccess().decodeJSON(Digest.self)

    var start = Date()
    let download = try client.send(HTTPRequest(.get, "/download", query: query, destination: .file(path: file))).requireSuccess()
    let downSeconds = Date().timeIntervalSince(start)
    guard download.bodyLength == Int64(bytes) else { fail("downloaded \(download.bodyLength) bytes, expected \(bytes)") }

    start = Date()
    let uploaded = try client.send(HTTPRequest(.put, "/upload/bench", body: .file(path: file, contentType: "application/octet-stream")))
        .requireSuccess().decodeJSON(Digest.self)
    let upSeconds = Date().timeIntervalSince(start)
    try? FileManager.default.removeItem(atPath: file)
    guard uploaded.sha256 == expected.sha256, uploaded.length == bytes else {
        fail("round trip changed the data: sent back \(uploaded.length) bytes with sha256 \(uploaded.sha256), expected \(expected.sha256)")
    }
    print(String(format: "download %d MB: %.2f s (%.0f MB/s); upload: %.2f s (%.0f MB/s); sha256 %@ matches",
                 megabytes, downSeconds, Double(megabytes) / downSeconds, upSeconds, Double(megabytes) / upSeconds, expected.sha256))
} catch {
    try? FileManager.default.removeItem(atPath: file)
    fail("\(error)")
}
