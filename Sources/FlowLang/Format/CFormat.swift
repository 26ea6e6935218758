// Fixed/exponent/general rendering of doubles through C's printf, whose %f/%e/%g conversions
// round exactly as CPython's float formatting does.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Formats one double with a printf conversion such as "%.3f" or "%#.6g".
func cFormat(_ format: String, _ value: Double) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    var needed = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    if needed >= buffer.count {
        buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        needed = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
    }
    return String(cString: buffer)
}
