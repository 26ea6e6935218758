import XCTest
@testable import FlowSyntax

final class FlowSyntaxPlaceholderTests: XCTestCase {
    func testModuleLoads() {}
}
