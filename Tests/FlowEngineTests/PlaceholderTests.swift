import XCTest
@testable import FlowEngine

final class FlowEnginePlaceholderTests: XCTestCase {
    func testModuleLoads() {}
}
