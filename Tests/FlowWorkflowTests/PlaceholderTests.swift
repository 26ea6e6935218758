import XCTest
@testable import FlowWorkflow

final class FlowWorkflowPlaceholderTests: XCTestCase {
    func testModuleLoads() {}
}
