import XCTest
@testable import FlowState

final class FlowStatePlaceholderTests: XCTestCase {
    func testModuleLoads() {}
}
