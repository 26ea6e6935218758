import XCTest
@testable import FlowLang

final class FlowLangPlaceholderTests: XCTestCase {
    func testModuleLoads() {}
}
