// The base of engine tests: each test gets a fresh temporary working directory, and the
// process's own directory is restored afterwards (the engine changes into --directory).

import Foundation
import FlowSystem
import XCTest

class WorkdirTestCase: XCTestCase {
    var directory = ""
    var originalDirectory = ""

    override func setUpWithError() throws {
        originalDirectory = FileManager.default.currentDirectoryPath
        directory = NSTemporaryDirectory() + "flow-engine-tests-" + UUID().uuidString
        try LocalFiles.makeDirectories(directory)
    }

    override func tearDownWithError() throws {
        FileManager.default.changeCurrentDirectoryPath(originalDirectory)
        // Removes protected() outputs too.
        try? LocalFiles.remove(directory)
    }
}
