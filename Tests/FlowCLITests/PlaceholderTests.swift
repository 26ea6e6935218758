import XCTest
@testable import FlowCLI

final class FlowCLIPlaceholderTests: XCTestCase {
    func testModuleLoads() {}
}
