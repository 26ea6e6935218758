import XCTest
@testable import FlowDAG

final class FlowDAGPlaceholderTests: XCTestCase {
    func testModuleLoads() {}
}
