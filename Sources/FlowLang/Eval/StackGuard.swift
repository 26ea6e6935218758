// Keeps deep Python recursion from overflowing the Swift stack: the interpreter may run on a
// thread with a small stack, so besides the recursion limit each user-function call checks how
// much of the current thread's stack is left and raises RecursionError well before the end.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct StackGuard {
    /// Bytes kept free for the Swift frames of builtins and the host below the deepest Python call.
    static let reserve: UInt = 256 * 1024
    private var thread: pthread_t?
    private var lowest: UInt = 0

    /// False when the current stack pointer is within `reserve` bytes of the thread's stack end.
    mutating func hasRoom() -> Bool {
        let current = pthread_self()
        if thread == nil || pthread_equal(thread!, current) == 0 {
            thread = current
            lowest = StackGuard.stackLowerBound()
        }
        guard lowest != 0 else { return true }
        var marker: UInt8 = 0
        let sp = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        return sp > lowest &+ StackGuard.reserve
    }

    private static func stackLowerBound() -> UInt {
        #if os(Linux)
        // pthread_getattr_np is a GNU extension the Glibc module does not export; look it up at run time.
        typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else { return 0 }
        let getattr = unsafeBitCast(symbol, to: GetAttr.self)
        var attr = pthread_attr_t()
        guard getattr(pthread_self(), &attr) == 0 else { return 0 }
        defer { pthread_attr_destroy(&attr) }
        var address: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(&attr, &address, &size) == 0, let address else { return 0 }
        return UInt(bitPattern: address)
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        return top - UInt(pthread_get_stacksize_np(pthread_self()))
        #else
        return 0
        #endif
    }
}
