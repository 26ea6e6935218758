import XCTest
@testable import FlowExec

final class FlowExecPlaceholderTests: XCTestCase {
    func testModuleLoads() {}
}
