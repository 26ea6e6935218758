// The adapter contract, run against every adapter (the sequence of Snakemake's storage plugin
// conformance suite: store, drop the local copy, exists/mtime/size, list, retrieve, remove), the
// router by scheme, and the location helpers.

import FlowStorage
import Foundation
import XCTest
import FlowSystem

final class StorageTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "flow-storage-\(UUID().uuidString)"
        try LocalFiles.makeDirectories(dir)
    }

    override func tearDownWithError() throws { try LocalFiles.remove(dir) }

    func testPosixAdapterKeepsTheContract() throws {
        try checkContract(PosixStorage(), root: dir + "/store", scratch: dir)
    }

    func testInMemoryAdapterKeepsTheContract() throws {
        try checkContract(InMemoryStorage(), root: "mem://bucket/run", scratch: dir)
    }

    func testTransfersRunInParallelWithinTheBound() throws {
        let storage = Storage()
        storage.maxTransfers = 3
        let lock = NSLock()
        var running = 0, peak = 0, done: [Int] = []
        try storage.transferAll(Array(0..<12)) { i in
            lock.withLock { running += 1; peak = max(peak, running) }
            Thread.sleep(forTimeInterval: 0.05)
            lock.withLock { running -= 1; done.append(i) }
        }
        XCTAssertEqual(peak, 3, "as many at once as allowed, never more")
        XCTAssertEqual(done.sorted(), Array(0..<12))
        // Every item is tried; the first failure in the items' order is the one reported.
        done = []
        XCTAssertThrowsError(try storage.transferAll(Array(0..<8)) { i in
            if i == 2 || i == 5 { throw StorageError.notFound(location: "item \(i)") }
            lock.withLock { done.append(i) }
        }) { XCTAssertEqual($0 as? StorageError, .notFound(location: "item 2")) }
        XCTAssertEqual(done.sorted(), [0, 1, 3, 4, 6, 7])
        storage.maxTransfers = 1
        peak = 0
        try storage.transferAll(Array(0..<4)) { _ in
            lock.withLock { running += 1; peak = max(peak, running) }
            lock.withLock { running -= 1 }
        }
        XCTAssertEqual(peak, 1)
    }

    func testDirectoriesRoundTripThroughAStore() throws {
        let memory = InMemoryStorage()
        try LocalFiles.writeAtomically("1", to: dir + "/tree/x/one")
        try LocalFiles.writeAtomically("2", to: dir + "/tree/two")
        try memory.store(dir + "/tree", to: "mem://b/tree")
        XCTAssertEqual(memory.paths, ["mem://b/tree/two", "mem://b/tree/x/one"])
        try memory.retrieve("mem://b/tree", to: dir + "/back")
        XCTAssertEqual(try String(contentsOfFile: dir + "/back/x/one", encoding: .utf8), "1")
        XCTAssertEqual(try PosixStorage().list(under: dir + "/back"), [dir + "/back/two", dir + "/back/x/one"])
    }

    func testRouterPicksAdaptersBySchemeAndNamesUnknownOnes() throws {
        let local = InMemoryStorage(["data/a.txt": 1])
        let remote = InMemoryStorage()
        let storage = Storage(local: local, adapters: ["mem": remote])
        XCTAssertNotNil(try storage.stat("data/a.txt"))
        XCTAssertNil(try storage.stat("mem://data/a.txt"))
        remote.write("mem://b/k", Array("x".utf8))
        XCTAssertEqual(try storage.stat("mem://b/k")?.size, 1)

        XCTAssertThrowsError(try storage.stat("s4://b/k")) { error in
            XCTAssertEqual("\(error)", "unknown storage scheme 's4://' in s4://b/k (known: dav://, davs://, file://, gcs://, gs://, gsiftp://, http://, https://, mem://, root://, srm://, xroot://)")
        }
        XCTAssertThrowsError(try storage.stat("gs://bucket/key")) { error in
            XCTAssertEqual(error as? StorageError, .adapterUnavailable(scheme: "gs", provider: "gcs"))
        }
        // The planning view records the first error instead of throwing.
        XCTAssertNil(storage.statOrRecord("gs://bucket/key"))
        XCTAssertThrowsError(try storage.throwRecordedError())
        XCTAssertNoThrow(try storage.throwRecordedError())
    }

    func testStatManyKeepsOrderAcrossAdapters() throws {
        let remote = InMemoryStorage()
        remote.write("mem://b/2", [1, 2])
        let storage = Storage(local: InMemoryStorage(["1": 5]), adapters: ["mem": remote])
        let stats = try storage.statMany(["1", "mem://b/2", "missing", "mem://b/none"])
        XCTAssertEqual(stats.map { $0?.size }, [0, 2, nil, nil])
        XCTAssertEqual(stats[0]?.mtime, 5)
    }

    func testPosixStatManyInParallelMatchesSequential() throws {
        for i in 0..<5000 where i % 3 == 0 { try LocalFiles.touch(dir + "/f\(i)") }
        let paths = (0..<5000).map { dir + "/f\($0)" }
        let posix = PosixStorage()
        XCTAssertEqual(posix.statMany(paths).map { $0 != nil }, paths.map { posix.stat($0) != nil })
    }

    func testLocationHelpers() {
        XCTAssertEqual(StorageURL.scheme(of: "gs://b/k"), "gs")
        XCTAssertEqual(StorageURL.scheme(of: "DAVS://h/p"), "davs")
        XCTAssertNil(StorageURL.scheme(of: "results/a.txt"))
        XCTAssertNil(StorageURL.scheme(of: "a:b/c"))
        XCTAssertNil(StorageURL.scheme(of: "/abs/path"))
        XCTAssertEqual(StorageURL.localCopy(of: "gs://bkt/a/b.txt"), ".flow/storage/gs/bkt/a/b.txt")
        XCTAssertEqual(StorageURL.localCopy(of: "davs://user:pw@host:443/x/../y?sig=abc"), ".flow/storage/davs/host:443/x/y")
        XCTAssertEqual(StorageURL.localCopy(of: "plain/path"), "plain/path")
        XCTAssertEqual(StorageURL.safe("https://user:secret@host/p?token=abc"), "https://***@host/p?***")
        XCTAssertFalse(StorageURL.safe("davs://u:topsecret@h/p").contains("topsecret"))
    }
}

/// The contract every adapter must keep. `root` is where objects go in that store.
func checkContract(_ adapter: StorageAdapter, root: String, scratch dir: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let local = dir + "/local.txt"
    try LocalFiles.writeAtomically("test\n", to: local)
    let object = root + "/a/b.txt"
    XCTAssertNil(try adapter.stat(object), "missing object must stat as nil, not throw", file: file, line: line)

    try adapter.store(local, to: object)
    try LocalFiles.remove(local)
    let stat = try XCTUnwrap(try adapter.stat(object), file: file, line: line)
    XCTAssertEqual(stat.size, 5, file: file, line: line)
    XCTAssertFalse(stat.isDirectory, file: file, line: line)
    XCTAssertGreaterThan(stat.mtime, 0, file: file, line: line)
    XCTAssertEqual(try XCTUnwrap(try adapter.stat(root + "/a")).isDirectory, true, "a prefix with objects is a directory", file: file, line: line)

    XCTAssertEqual(try adapter.list(under: root + "/a"), [object], file: file, line: line)

    let copy = dir + "/retrieved/b.txt"
    try adapter.retrieve(object, to: copy)
    XCTAssertEqual(try String(contentsOfFile: copy, encoding: .utf8), "test\n", file: file, line: line)
    XCTAssertEqual(try XCTUnwrap(PosixStorage().stat(copy)).mtime, stat.mtime, accuracy: 0.001,
                   "a retrieved copy is exactly as fresh as the object", file: file, line: line)
    XCTAssertThrowsError(try adapter.retrieve(root + "/missing", to: dir + "/never"), file: file, line: line)
    XCTAssertFalse(LocalFiles.exists(dir + "/never"), "a failed retrieval leaves no file", file: file, line: line)

    try adapter.touch(root + "/t")
    let touched = try XCTUnwrap(try adapter.stat(root + "/t"))
    XCTAssertGreaterThanOrEqual(touched.mtime, stat.mtime, file: file, line: line)

    try adapter.remove(root + "/a")
    XCTAssertNil(try adapter.stat(object), file: file, line: line)
    XCTAssertNil(try adapter.stat(root + "/a"), file: file, line: line)
    try adapter.remove(root + "/a")   // removing what is gone is fine
}
