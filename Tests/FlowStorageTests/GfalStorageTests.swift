// The gfal adapter through libgfal2: the adapter contract on file:// and on WebDAV over HTTP and
// HTTPS (wsgidav, started by scripts/testbeds/webdav.sh with a CA of its own), on GridFTP
// (globus-gridftp-server, started by scripts/testbeds/gridftp.sh with a PKI of its own), directories,
// whole-second times, missing objects, TLS without the CA, and credentials: a bearer token reaches
// the server and never an error message.

import FlowSystem
@testable import FlowStorage
import Foundation
import XCTest

final class GfalStorageTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    private var dir = ""
    private var servers: [String] = []
    private var gridftpServers: [String] = []
    /// GSI variables a test set, with the values they had before (nil: unset), restored afterwards.
    private var savedEnvironment: [String: String?] = [:]

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "flow-gfal-\(UUID().uuidString)"
        try LocalFiles.makeDirectories(dir)
    }

    override func tearDownWithError() throws {
        for server in servers { _ = try? run(Self.root + "/scripts/testbeds/webdav.sh", ["stop", server]) }
        for server in gridftpServers { _ = try? run(Self.root + "/scripts/testbeds/gridftp.sh", ["stop", server]) }
        for (name, value) in savedEnvironment {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
        try? LocalFiles.remove(dir)
    }

    /// Starts the WebDAV test bed; returns (dav://…, davs://…) and points gfal at its CA. With
    /// `faultRate`, a fault-injecting proxy stands in front of dav:// (its endpoint in server/endpoint-faulty).
    @discardableResult
    private func webdav(faultRate: Double? = nil, faults: String = "503,reset,truncate") throws -> (dav: String, davs: String) {
        let server = dir + "/server"
        let status = try run(Self.root + "/scripts/testbeds/webdav.sh", ["start", server],
                             environment: faultRate.map { ["WEBDAV_FAULT_RATE": "\($0)", "WEBDAV_FAULT_SEED": "7", "WEBDAV_FAULTS": faults] } ?? [:])
        if status == 77 { throw XCTSkip("wsgidav is not installed (scripts/setup.sh --with-testbeds)") }
        XCTAssertEqual(status, 0)
        servers.append(server)
        setenv("X509_CERT_DIR", server + "/certs", 1)
        func read(_ name: String) throws -> String {
            try String(contentsOfFile: server + "/" + name, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return (try read("endpoint-dav"), try read("endpoint-davs"))
    }

    /// Starts the GridFTP test bed; returns its gsiftp:// endpoint (a folder on the server) and points
    /// gfal's GSI at its CA and user certificate for this test only.
    private func gridftp() throws -> String {
        let server = dir + "/gridftp"
        let status = try run(Self.root + "/scripts/testbeds/gridftp.sh", ["start", server])
        if status == 77 { throw XCTSkip("globus-gridftp-server or gfal2-plugin-gridftp is not installed (scripts/setup.sh)") }
        XCTAssertEqual(status, 0)
        gridftpServers.append(server)
        let environment = ["X509_CERT_DIR": server + "/certs", "X509_USER_CERT": server + "/user.pem",
                           "X509_USER_KEY": server + "/user.key", "X509_USER_PROXY": nil]
        for (name, value) in environment {
            if savedEnvironment[name] == nil { savedEnvironment[name] = ProcessInfo.processInfo.environment[name] }
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
        return try String(contentsOfFile: server + "/endpoint", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    private func adapter(_ configure: (inout GfalStorage.Options) -> Void = { _ in }) throws -> GfalStorage {
        var options = GfalStorage.Options()
        options.backoff = 0.05
        configure(&options)
        return try GfalStorage(options: options)
    }

    func testFileURLsKeepTheContract() throws {
        try checkContract(try adapter(), root: "file://" + dir + "/store", scratch: dir)
    }

    func testWebDAVOverHTTPKeepsTheContract() throws {
        let dav = try webdav().dav
        try checkContract(try adapter(), root: dav + "/run", scratch: dir)
    }

    func testWebDAVOverHTTPSKeepsTheContract() throws {
        let davs = try webdav().davs   // first: gfal reads X509_CERT_DIR when its context is made
        try checkContract(try adapter(), root: davs + "/run", scratch: dir)
        XCTAssertEqual(try leftovers(), [], "no temporary transfer names stay behind")
    }

    /// root:// runs only inside scripts/testbeds/xrootd.sh's network namespace, which sets
    /// XROOTD_ENDPOINT (Tests/integration/gfal-run.sh runs this test there).
    func testXRootDKeepsTheContract() throws {
        guard let endpoint = ProcessInfo.processInfo.environment["XROOTD_ENDPOINT"] else {
            throw XCTSkip("no xrootd here (run inside scripts/testbeds/xrootd.sh run DIR ...)")
        }
        let gfal = try adapter()
        let root = endpoint + "/contract-\(UUID().uuidString.prefix(8))"
        try checkContract(gfal, root: root, scratch: dir)
        try LocalFiles.writeAtomically("x", to: dir + "/tree/d/x")
        try gfal.store(dir + "/tree", to: root + "/tree")
        XCTAssertEqual(try gfal.list(under: root), [root + "/t", root + "/tree/d/x"])
        let stat = try XCTUnwrap(gfal.stat(root + "/tree/d/x"))
        XCTAssertEqual(stat.mtime, stat.mtime.rounded(), "XRootD times are whole seconds")
        XCTAssertGreaterThan(gfal.checksumsCompared, 0, "xrootd keeps ADLER32 (xrootd.chksum): transfers were checked by it")
        try gfal.remove(root)
        XCTAssertNil(try gfal.stat(root))
    }

    /// gsiftp:// against a real globus-gridftp-server, GSI-authenticated with the test bed's user
    /// certificate: the contract, a directory tree, whole-second times, checksums (GridFTP's CKSM).
    func testGridFTPKeepsTheContract() throws {
        let endpoint = try gridftp()   // first: gfal reads the X509 variables when its context is made
        let gfal = try adapter()
        let name = "contract-\(UUID().uuidString.prefix(8))"
        let root = endpoint + "/" + name
        try checkContract(gfal, root: root, scratch: dir)
        try LocalFiles.writeAtomically("x", to: dir + "/tree/d/x")
        try LocalFiles.writeAtomically("hidden", to: dir + "/tree/.dot")
        try gfal.store(dir + "/tree", to: root + "/tree")
        XCTAssertEqual(try gfal.list(under: root), [root + "/t", root + "/tree/.dot", root + "/tree/d/x"])
        let onServer = dir + "/gridftp/data/" + name
        XCTAssertEqual(try String(contentsOfFile: onServer + "/tree/d/x", encoding: .utf8), "x", "the bytes reached the server's folder")
        XCTAssertEqual(try PosixStorage().list(under: onServer).filter { $0.contains(".flow-part-") }, [],
                       "no temporary transfer names stay behind")
        let stat = try XCTUnwrap(gfal.stat(root + "/tree/d/x"))
        XCTAssertEqual(stat.mtime, stat.mtime.rounded(), "GridFTP times (MDTM) are whole seconds")
        XCTAssertEqual(stat.mtime, try XCTUnwrap(PosixStorage().stat(onServer + "/tree/d/x")).mtime.rounded(.down), accuracy: 0.001)
        XCTAssertGreaterThan(gfal.checksumsCompared, 0, "GridFTP answers CKSM ADLER32: transfers were checked by it")
        try gfal.retrieve(root + "/tree", to: dir + "/back")
        XCTAssertEqual(try String(contentsOfFile: dir + "/back/.dot", encoding: .utf8), "hidden")
        try gfal.remove(root)
        XCTAssertNil(try gfal.stat(root))
        XCTAssertFalse(LocalFiles.exists(onServer), "removed on the server")
    }

    /// With gfal2's gridftp plugin installed, making a context activates Globus, which blocks
    /// SIGTERM, SIGINT and SIGCHLD in the calling thread; a job that thread starts afterwards would
    /// inherit the mask and never stop when cancelled. The adapter leaves the mask as it found it.
    func testUsingTheAdapterLeavesTheThreadsSignalMaskAlone() throws {
        let gfal = try adapter()
        try LocalFiles.writeAtomically("x", to: dir + "/x")
        XCTAssertNotNil(try gfal.stat("file://" + dir + "/x"))   // contexts are made by now
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        for (name, signal) in [("SIGTERM", SIGTERM), ("SIGINT", SIGINT), ("SIGCHLD", SIGCHLD)] {
            XCTAssertEqual(sigismember(&mask, signal), 0, "\(name) is blocked after gfal made its context")
        }
    }

    func testTransfersCompareChecksumsWhereTheServerKeepsThem() throws {
        let gfal = try adapter()
        try LocalFiles.writeAtomically("Wikipedia", to: dir + "/w.txt")
        try gfal.store(dir + "/w.txt", to: "file://" + dir + "/store/w.txt")
        try gfal.retrieve("file://" + dir + "/store/w.txt", to: dir + "/back.txt")
        XCTAssertEqual(gfal.checksumsCompared, 2, "an upload and a download, each checked")
        // A mismatch names the URL and says what differed (ADLER32 of "Wikipedia" is 11e60398).
        try LocalFiles.writeAtomically("Wikipedia!", to: dir + "/other.txt")
        XCTAssertThrowsError(try gfal.verify(dir + "/other.txt", remote: "file://" + dir + "/store/w.txt", operation: "download",
                                             location: "file://" + dir + "/store/w.txt")) { error in
            XCTAssertTrue("\(error)".contains("checksum mismatch (ADLER32 11e60398 remote"), "\(error)")
            XCTAssertTrue("\(error)".contains(dir + "/store/w.txt"), "\(error)")
        }
        // wsgidav keeps no checksums: asked once, then sizes only, and transfers still work.
        let dav = try webdav().dav
        let before = gfal.checksumsCompared
        try gfal.store(dir + "/w.txt", to: dav + "/sum/w.txt")
        try gfal.retrieve(dav + "/sum/w.txt", to: dir + "/dav-back.txt")
        XCTAssertEqual(try LocalFiles.read(dir + "/dav-back.txt"), Array("Wikipedia".utf8))
        XCTAssertEqual(gfal.checksumsCompared, before)
    }

    func testPlainHTTPFilesTakeTheirTimeFromLastModified() throws {
        // A web server that is not WebDAV (Python's http.server): gfal's stat says 1970.
        try LocalFiles.writeAtomically("served\n", to: dir + "/www/f.txt")
        LocalFiles.setMtime(dir + "/www/f.txt", seconds: 1_700_000_000)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir + "/www", "0"]
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let banner = firstLine(of: out)   // "Serving HTTP on 127.0.0.1 port N (...)"
        let port = try XCTUnwrap(banner.components(separatedBy: " port ").last?.split(separator: " ").first, banner)
        let gfal = try adapter()
        let stat = try XCTUnwrap(try gfal.stat("http://127.0.0.1:\(port)/f.txt"))
        XCTAssertEqual(stat.mtime, 1_700_000_000, "the time is the server's Last-Modified")
        XCTAssertEqual(stat.size, 7)
        XCTAssertNil(try gfal.stat("http://127.0.0.1:\(port)/missing.txt"))
    }

    func testAnXRootDServerThatIsNotThereFailsFast() throws {
        let started = Date()
        XCTAssertThrowsError(try adapter().stat("root://127.0.0.1:1/data/x")) { error in
            XCTAssertTrue("\(error)".contains("root://127.0.0.1:1/data/x"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "XRD_CONNECTIONRETRY keeps XrdCl from retrying for minutes")
    }

    func testTransfersSurviveInjectedFaults() throws {
        try transfersSurviveInjectedFaults(proxy: "faulty", stats: "faults.json")
    }

    /// The same over TLS: the proxy terminates davs:// with the test CA's certificate, so resets,
    /// 503s and cut downloads reach gfal through its TLS connections.
    func testTransfersOverTLSSurviveInjectedFaults() throws {
        try transfersSurviveInjectedFaults(proxy: "faulty-davs", stats: "faults-davs.json")
    }

    private func transfersSurviveInjectedFaults(proxy: String, stats: String) throws {
        try webdav(faultRate: 0.1)
        let faulty = try String(contentsOfFile: dir + "/server/endpoint-" + proxy, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let gfal = try adapter()
        var sums: [String: [UInt8]] = [:]
        for i in 0..<12 {
            let bytes = (0..<(20_000 + i * 7_919)).map { _ in UInt8.random(in: 0...255) }
            try LocalFiles.writeAtomically(bytes, to: dir + "/up/f\(i)")
            try gfal.store(dir + "/up/f\(i)", to: faulty + "/faults/d\(i % 3)/f\(i)")
            sums["f\(i)"] = bytes
        }
        XCTAssertEqual(try gfal.list(under: faulty + "/faults").count, 12)
        for i in 0..<12 {
            try gfal.retrieve(faulty + "/faults/d\(i % 3)/f\(i)", to: dir + "/down/f\(i)")
            XCTAssertEqual(try LocalFiles.read(dir + "/down/f\(i)"), sums["f\(i)"], "f\(i) arrives whole")
            // And what the server holds is exactly what was sent.
            XCTAssertEqual(try LocalFiles.read(dir + "/server/data/faults/d\(i % 3)/f\(i)"), sums["f\(i)"])
        }
        try gfal.remove(faulty + "/faults")
        XCTAssertNil(try gfal.stat(faulty + "/faults"))
        XCTAssertEqual(try leftovers(), [])
        struct Counts: Decodable { var requests: Int; var faults: [String: Int] }
        let counts = try JSONDecoder().decode(Counts.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/server/" + stats)))
        XCTAssertGreaterThan(counts.faults.values.reduce(0, +), 5, "faults were injected: \(counts)")
    }

    func testADownloadCutShortIsRetriedAndNeverLeftPartial() throws {
        let dav = try webdav(faultRate: 0.5, faults: "truncate").dav
        let faulty = try String(contentsOfFile: dir + "/server/endpoint-faulty", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes = (0..<300_000).map { _ in UInt8.random(in: 0...255) }
        try LocalFiles.writeAtomically(bytes, to: dir + "/big")
        try adapter().store(dir + "/big", to: dav + "/cut/big")
        let gfal = try adapter()
        for i in 0..<6 {
            try gfal.retrieve(faulty + "/cut/big", to: dir + "/down/big\(i)")
            XCTAssertEqual(try LocalFiles.read(dir + "/down/big\(i)"), bytes)
        }
        XCTAssertEqual(try LocalFiles.entries(of: dir + "/down").filter { $0.contains(".flow-part-") }, [])
        struct Counts: Decodable { var faults: [String: Int] }
        let counts = try JSONDecoder().decode(Counts.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/server/faults.json")))
        XCTAssertGreaterThan(counts.faults["truncate"] ?? 0, 0, "downloads were cut short: \(counts)")
    }

    func testDirectoriesRoundTripWithDotfilesAndTheNewestTime() throws {
        let davs = try webdav().davs
        let gfal = try adapter()
        try LocalFiles.writeAtomically("1", to: dir + "/tree/x/one")
        try LocalFiles.writeAtomically("2", to: dir + "/tree/two")
        try LocalFiles.writeAtomically("", to: dir + "/tree/.snakemake_timestamp")
        try gfal.store(dir + "/tree", to: davs + "/out/tree")
        XCTAssertEqual(try gfal.list(under: davs + "/out/tree/"),
                       [davs + "/out/tree/.snakemake_timestamp", davs + "/out/tree/two", davs + "/out/tree/x/one"])
        let files = try gfal.list(under: davs + "/out/tree").map { try XCTUnwrap(gfal.stat($0)) }
        let tree = try XCTUnwrap(gfal.stat(davs + "/out/tree"))
        XCTAssertTrue(tree.isDirectory)
        XCTAssertEqual(tree.mtime, files.map(\.mtime).max())

        // Storing again replaces the whole tree.
        try LocalFiles.remove(dir + "/tree/two")
        try gfal.store(dir + "/tree", to: davs + "/out/tree")
        XCTAssertEqual(try gfal.list(under: davs + "/out/tree").count, 2)

        try gfal.retrieve(davs + "/out/tree", to: dir + "/back")
        XCTAssertEqual(try String(contentsOfFile: dir + "/back/x/one", encoding: .utf8), "1")
        XCTAssertTrue(LocalFiles.exists(dir + "/back/.snakemake_timestamp"))
        XCTAssertFalse(LocalFiles.exists(dir + "/back/two"))
        try gfal.remove(davs + "/out")
        XCTAssertNil(try gfal.stat(davs + "/out/tree"))
        XCTAssertEqual(try gfal.list(under: davs + "/out"), [])
    }

    func testTimesAreWholeSecondsAndCopiesCarryThem() throws {
        let dav = try webdav().dav
        let gfal = try adapter()
        try LocalFiles.writeAtomically("data", to: dir + "/f")
        LocalFiles.setMtime(dir + "/f", seconds: 1_000_000_000.75)
        try gfal.store(dir + "/f", to: dav + "/t/f")
        let stat = try XCTUnwrap(gfal.stat(dav + "/t/f"))
        XCTAssertEqual(stat.mtime, stat.mtime.rounded(), "WebDAV times are whole seconds")
        XCTAssertGreaterThan(stat.mtime, Date().timeIntervalSince1970 - 60, "the remote time is the upload's, not the local file's")
        try gfal.retrieve(dav + "/t/f", to: dir + "/copy")
        XCTAssertEqual(PosixStorage().stat(dir + "/copy")?.mtime, stat.mtime)
    }

    func testAMissingObjectIsNilANamedErrorAndLeavesNoFile() throws {
        let davs = try webdav().davs
        let gfal = try adapter()
        XCTAssertNil(try gfal.stat(davs + "/nowhere/x.txt"))
        XCTAssertEqual(try gfal.list(under: davs + "/nowhere"), [])
        XCTAssertThrowsError(try gfal.retrieve(davs + "/nowhere/x.txt", to: dir + "/x.txt")) { error in
            XCTAssertEqual(error as? StorageError, .notFound(location: davs + "/nowhere/x.txt"))
        }
        XCTAssertFalse(LocalFiles.exists(dir + "/x.txt"))
        XCTAssertNoThrow(try gfal.remove(davs + "/nowhere/x.txt"))
        XCTAssertThrowsError(try gfal.touch(davs)) { error in
            XCTAssertTrue("\(error)".contains("modification time"), "\(error)")
        }
    }

    func testTLSWithoutTheCAFailsClearlyAndFast() throws {
        let davs = try webdav().davs
        setenv("X509_CERT_DIR", dir + "/no-such-ca", 1)
        let started = Date()
        XCTAssertThrowsError(try adapter().stat(davs + "/x")) { error in
            XCTAssertTrue("\(error)".contains(davs + "/x"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "a TLS failure is not retried as if transient")
    }

    func testABearerTokenReachesTheServerButNoError() throws {
        // A loopback server that records the Authorization header of each request and answers 404.
        let headers = dir + "/headers"
        let script = """
        import http.server, sys
        class H(http.server.BaseHTTPRequestHandler):
            def answer(self):
                open(sys.argv[1], "a").write(str(self.headers.get("Authorization")) + "\\n")
                self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
            do_GET = do_HEAD = do_PROPFIND = do_PUT = do_DELETE = do_MKCOL = answer
            def log_message(self, *a): pass
        s = http.server.HTTPServer(("127.0.0.1", 0), H)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, headers]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var port = ""
        while !port.hasSuffix("\n") {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            port += String(decoding: byte, as: UTF8.self)
        }
        let token = "tok-\(UUID().uuidString)"
        let gfal = try adapter { $0.bearerToken = token }
        let url = "dav://user:hunter2@127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))/x.txt"
        XCTAssertNil(try gfal.stat(url))
        var messages: [String] = []
        do { try gfal.retrieve(url, to: dir + "/x") } catch { messages.append("\(error)") }
        do { _ = try gfal.stat("dav://127.0.0.1:1/refused") } catch { messages.append("\(error)") }
        do { try gfal.store(dir + "/none", to: url) } catch { messages.append("\(error)") }
        XCTAssertEqual(messages.count, 3)
        for message in messages {
            XCTAssertFalse(message.contains(token), message)
            XCTAssertFalse(message.contains("hunter2"), message)
        }
        let seen = try String(contentsOfFile: headers, encoding: .utf8)
        XCTAssertTrue(seen.contains("Bearer \(token)"), "the token is sent: \(seen)")
    }

    func testTheStandardStorageServesGfalSchemes() throws {
        let storage = Storage.standard()
        for scheme in ["davs", "dav", "https", "root", "gsiftp", "file"] {
            XCTAssertTrue(try storage.adapter(for: "\(scheme)://host/x") is GfalStorage, scheme)
        }
        XCTAssertEqual(Storage.knownSchemes["https"], "gfal")
    }

    func testNames() {
        XCTAssertEqual(GfalStorage.trimmed("davs://h/a/b//"), "davs://h/a/b")
        XCTAssertEqual(GfalStorage.trimmed("file:///"), "file:///")
        XCTAssertEqual(GfalStorage.localPath(ofFileURL: "file:///tmp/a%20b"), "/tmp/a b")
        XCTAssertEqual(GfalStorage.localPath(ofFileURL: "file://localhost/tmp/x"), "/tmp/x")
        let temp = GfalStorage.temporaryName(for: "root://h//d/f.txt")
        XCTAssertTrue(temp.hasPrefix("root://h//d/.f.txt.flow-part-"), temp)
        XCTAssertTrue(GfalStorage.isTemporaryName(String(temp.split(separator: "/").last!)))
    }

    /// Files with a temporary transfer name under the WebDAV server's folder.
    private func leftovers() throws -> [String] {
        try PosixStorage().list(under: dir + "/server/data").filter { $0.contains(".flow-part-") }
    }
}
