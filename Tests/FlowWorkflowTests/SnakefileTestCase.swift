// A temporary folder for Snakefiles (and the files they include or use as modules), loaded with
// `WorkflowLoader` the way `flow run` loads them.

import Foundation
import XCTest
import FlowLang
@testable import FlowWorkflow

class SnakefileTestCase: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "flow-workflow-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Writes `text` to `name` under the folder (creating its directories).
    func write(_ name: String, _ text: String) throws {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: PathText.dirname(path), withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Loads `snakefile` (written as the folder's Snakefile) with `--config` entries and config files.
    func load(_ snakefile: String, config: [String] = [], configFiles: [String] = []) throws -> Workflow {
        try write("Snakefile", snakefile)
        var options = WorkflowOptions(snakefile: dir + "/Snakefile")
        options.configOverrides = try ConfigLoader.parseOverrides(config)
        options.configFiles = configFiles.map { dir + "/" + $0 }
        return try WorkflowLoader.load(options)
    }
}
