// Parses the Snakefiles of Snakemake's own test suite when a copy is present (it is never part of
// this repository): set FLOW_SNAKEMAKE_TESTS to its `tests` folder, default /work/scratch/tests.
// Cases listed in the conformance target list must all parse; the rest are reported.
import Foundation
import XCTest
@testable import FlowSyntax

final class CorpusTests: XCTestCase {
    /// Snakefiles in Snakemake's suite that are broken on purpose or use grammar Snakemake 8+
    /// removed (`subworkflow`, `version:`),.
    static let expectedFailures: Set<String> = [
        "test_issue1256/Snakefile",  // intentional syntax error
        "test_issue805/Snakefile",  // params: after shell: on purpose (Snakemake rejects it too)
        "linting/tab_usage/negative.smk",  // mixes tabs and spaces on purpose
        "test_subworkflows/Snakefile", "test_subworkflow_config/Snakefile",  // removed in Snakemake 8
        "test_convert_to_cwl/Snakefile",  // `version:` was removed in Snakemake 8
    ]

    func testSnakemakeSuiteParses() throws {
        let root = ProcessInfo.processInfo.environment["FLOW_SNAKEMAKE_TESTS"] ?? "/work/scratch/tests"
        let fm = FileManager.default
        guard fm.fileExists(atPath: root) else { throw XCTSkip("no Snakemake tests at \(root)") }
        guard let walker = fm.enumerator(atPath: root) else { return }
        var parsed = 0
        var failures: [String] = []
        for case let relative as String in walker {
            let name = (relative as NSString).lastPathComponent
            guard name.hasPrefix("Snakefile") || name.hasSuffix(".smk"), !relative.contains("expected-results") else { continue }
            let path = root + "/" + relative
            guard let data = fm.contents(atPath: path) else { continue }
            do {
                _ = try parseModule(SourceFile(path: path, text: String(decoding: data, as: UTF8.self)))
                parsed += 1
            } catch {
                if !Self.expectedFailures.contains(relative) {
                    failures.append("\(error)")
                }
            }
        }
        XCTAssertGreaterThan(parsed, 0)
        XCTAssertEqual(failures, [], "unexpected parse failures:\n" + failures.joined(separator: "\n"))
    }
}
