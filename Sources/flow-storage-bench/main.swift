// flow-storage-bench: one storage transfer through flow's adapters, for bench/gfal_roundtrip.sh
// (peak RSS and throughput of a large object's upload and download).
//
//   flow-storage-bench store LOCAL-FILE URL
//   flow-storage-bench retrieve URL LOCAL-FILE
// Prints the seconds the transfer took and MB/s.

import FlowStorage
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 4, ["store", "retrieve"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: flow-storage-bench store LOCAL URL | retrieve URL LOCAL\n".utf8))
    exit(2)
}
let storage = Storage.standard()
let started = Date()
do {
    if arguments[1] == "store" { try storage.store(arguments[2], to: arguments[3]) } else { try storage.retrieve(arguments[2], to: arguments[3]) }
} catch {
    FileHandle.standardError.write(Data("flow-storage-bench: \(error)\n".utf8))
    exit(1)
}
let seconds = Date().timeIntervalSince(started)
let local = arguments[1] == "store" ? arguments[2] : arguments[3]
let bytes = (try? FileManager.default.attributesOfItem(atPath: local)[.size] as? Int) ?? 0
print(String(format: "%@ %.2f s %.1f MB/s", arguments[1], seconds, Double(bytes) / 1e6 / seconds))
