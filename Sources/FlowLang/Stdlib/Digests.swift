// MD5, SHA-1 and SHA-256 in plain Swift (no CryptoKit on Linux), streaming over byte chunks.
// Used by hashlib; knows nothing about Values.

import Foundation

enum DigestKind: String { case md5, sha1, sha256 }

struct Digest {
    let kind: DigestKind
    private var state: [UInt32]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    init(_ kind: DigestKind) {
        self.kind = kind
        switch kind {
        case .md5: state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
        case .sha1: state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
        case .sha256: state = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        }
    }

    var blockSize: Int { 64 }
    var digestSize: Int { kind == .md5 ? 16 : kind == .sha1 ? 20 : 32 }

    mutating func update(_ bytes: [UInt8]) {
        length &+= UInt64(bytes.count)
        buffer += bytes
        var offset = 0
        while buffer.count - offset >= 64 {
            compress(Array(buffer[offset..<(offset + 64)]))
            offset += 64
        }
        buffer.removeFirst(offset)
    }

    func finalize() -> [UInt8] {
        var copy = self
        let bitLength = length &* 8
        var pad: [UInt8] = [0x80]
        while (buffer.count + pad.count) % 64 != 56 { pad.append(0) }
        let lengthBytes = (0..<8).map { UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64($0))) }
        pad += kind == .md5 ? lengthBytes : lengthBytes.reversed()
        var tail = buffer + pad
        while !tail.isEmpty {
            copy.compress(Array(tail.prefix(64)))
            tail.removeFirst(64)
        }
        return copy.state.flatMap { word -> [UInt8] in
            let bytes = (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) }
            return kind == .md5 ? bytes : bytes.reversed()
        }
    }

    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }

    private mutating func compress(_ block: [UInt8]) {
        switch kind {
        case .md5: md5Block(block)
        case .sha1: sha1Block(block)
        case .sha256: sha256Block(block)
        }
    }

    private static let md5Shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
    private static let md5K: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(abs(sin(Double($0 + 1))) * 4294967296.0)) }

    private mutating func md5Block(_ block: [UInt8]) {
        let m = (0..<16).map { i in (0..<4).reduce(UInt32(0)) { $0 | UInt32(block[i * 4 + $1]) << (8 * UInt32($1)) } }
        var (a, b, c, d) = (state[0], state[1], state[2], state[3])
        for i in 0..<64 {
            var f: UInt32, g: Int
            switch i {
            case 0..<16: f = (b & c) | (~b & d); g = i
            case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
            case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
            default: f = c ^ (b | ~d); g = (7 * i) % 16
            }
            f = f &+ a &+ Self.md5K[i] &+ m[g]
            a = d; d = c; c = b
            b = b &+ Self.rotl(f, Self.md5Shifts[(i / 16) * 4 + i % 4])
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d
    }

    private static func bigEndianWords(_ block: [UInt8], count: Int) -> [UInt32] {
        var w = (0..<16).map { i in (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(block[i * 4 + $1]) } }
        w.reserveCapacity(count)
        return w
    }

    private mutating func sha1Block(_ block: [UInt8]) {
        var w = Self.bigEndianWords(block, count: 80)
        for i in 16..<80 { w.append(Self.rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1)) }
        var (a, b, c, d, e) = (state[0], state[1], state[2], state[3], state[4])
        for i in 0..<80 {
            let (f, k): (UInt32, UInt32)
            switch i {
            case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A827999)
            case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9EBA1)
            case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1BBCDC)
            default: (f, k) = (b ^ c ^ d, 0xCA62C1D6)
            }
            let t = Self.rotl(a, 5) &+ f &+ e &+ k &+ w[i]
            e = d; d = c; c = Self.rotl(b, 30); b = a; a = t
        }
        state[0] &+= a; state[1] &+= b; state[2] &+= c; state[3] &+= d; state[4] &+= e
    }

    private static let sha256K: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private mutating func sha256Block(_ block: [UInt8]) {
        var w = Self.bigEndianWords(block, count: 64)
        for i in 16..<64 {
            let s0 = Self.rotr(w[i - 15], 7) ^ Self.rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = Self.rotr(w[i - 2], 17) ^ Self.rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w.append(w[i - 16] &+ s0 &+ w[i - 7] &+ s1)
        }
        var h = state
        for i in 0..<64 {
            let s1 = Self.rotr(h[4], 6) ^ Self.rotr(h[4], 11) ^ Self.rotr(h[4], 25)
            let ch = (h[4] & h[5]) ^ (~h[4] & h[6])
            let t1 = h[7] &+ s1 &+ ch &+ Self.sha256K[i] &+ w[i]
            let s0 = Self.rotr(h[0], 2) ^ Self.rotr(h[0], 13) ^ Self.rotr(h[0], 22)
            let maj = (h[0] & h[1]) ^ (h[0] & h[2]) ^ (h[1] & h[2])
            let t2 = s0 &+ maj
            h = [t1 &+ t2, h[0], h[1], h[2], h[3] &+ t1, h[4], h[5], h[6]]
        }
        for i in 0..<8 { state[i] &+= h[i] }
    }
}

