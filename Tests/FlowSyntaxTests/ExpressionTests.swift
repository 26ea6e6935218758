// Expression grammar: precedence and associativity, trailers, displays, comprehensions, lambdas.
import XCTest
@testable import FlowSyntax

final class ExpressionTests: XCTestCase {
    func testAtomsAndNumbers() {
        assertTable([
            ("x", "x"),
            ("None", "None"), ("True", "True"), ("False", "False"), ("...", "..."),
            ("42", "42"), ("1_000_000", "1000000"), ("0x1F", "31"), ("0o17", "15"), ("0b101", "5"),
            ("0XfF", "255"), ("0", "0"), ("00", "0"),
            ("1.5", "1.5"), ("1.", "1.0"), (".5", "0.5"), ("1e3", "1000.0"), ("1.5E-2", "0.015"),
            ("1_0.0_1", "10.01"), ("1.e2", "100.0"),
        ], parseExpr)
    }

    func testPrecedence() {
        assertTable([
            ("-x**2", "(- (** x 2))"),
            ("2**-1", "(** 2 (- 1))"),
            ("a**b**c", "(** a (** b c))"),
            ("a - b - c", "(- (- a b) c)"),
            ("a + b * c", "(+ a (* b c))"),
            ("a * b // c % d @ e", "(@ (% (// (* a b) c) d) e)"),
            ("a | b ^ c & d << e + f", "(| a (^ b (& c (<< d (+ e f)))))"),
            ("a >> b << c", "(<< (>> a b) c)"),
            ("not a == b", "(not (cmp a == b))"),
            ("not not a", "(not (not a))"),
            ("a or b and c", "(or a (and b c))"),
            ("a and b or c and d", "(or (and a b) (and c d))"),
            ("a < b <= c", "(cmp a < b <= c)"),
            ("a in b not in c", "(cmp a in b not in c)"),
            ("a is not b is c", "(cmp a is not b is c)"),
            ("a != b == c > d >= e", "(cmp a != b == c > d >= e)"),
            ("~a + -b - +c", "(- (+ (~ a) (- b)) (+ c))"),
            ("a if b else c if d else e", "(if b a (if d c e))"),
            ("a or b if c and d else e", "(if (and c d) (or a b) e)"),
            ("lambda: a if b else c", "(lambda () (if b a c))"),
            ("(a + b) * c", "(* (+ a b) c)"),
            ("- - -x", "(- (- (- x)))"),
        ], parseExpr)
    }

    func testTrailers() {
        assertTable([
            ("a.b.c", "(. (. a b) c)"),
            ("f()", "(call f)"),
            ("f(a, b,)", "(call f a b)"),
            ("f(a, *b, k=1, **c)", "(call f a (* b) (kw k 1) (** c))"),
            ("f(*a, *b, **c, **d)", "(call f (* a) (* b) (** c) (** d))"),
            ("f(k=1, *a)", "(call f (kw k 1) (* a))"),
            ("f(x for x in y)", "(call f (generatorcomp x (for x y)))"),
            ("f(x for x in y,)", "(call f (generatorcomp x (for x y)))"),
            ("f(a=b)(c)[d].e", "(. ([] (call (call f (kw a b)) c) d) e)"),
            ("f(x := 1)", "(call f (:= x 1))"),
            ("a[1]", "([] a 1)"),
            ("a[1:2]", "([] a (slice 1 2 _))"),
            ("a[:]", "([] a (slice _ _ _))"),
            ("a[::2]", "([] a (slice _ _ 2))"),
            ("a[1:]", "([] a (slice 1 _ _))"),
            ("a[:-1]", "([] a (slice _ (- 1) _))"),
            ("a[1:2:3]", "([] a (slice 1 2 3))"),
            ("a[1:2, 3]", "([] a (tuple (slice 1 2 _) 3))"),
            ("a[1,]", "([] a (tuple 1))"),
            ("a[b, c]", "([] a (tuple b c))"),
            ("a[::]", "([] a (slice _ _ _))"),
        ], parseExpr)
    }

    func testDisplays() {
        assertTable([
            ("()", "(tuple)"),
            ("(x)", "x"),
            ("(x,)", "(tuple x)"),
            ("x, y", "(tuple x y)"),
            ("x,", "(tuple x)"),
            ("(1, 2, 3,)", "(tuple 1 2 3)"),
            ("[]", "(list)"),
            ("[1, 2,]", "(list 1 2)"),
            ("[*a, *b]", "(list (* a) (* b))"),
            ("(*a, b)", "(tuple (* a) b)"),
            ("{}", "(dict)"),
            ("{'a': 1, **d}", "(dict (\"a\" 1) (** d))"),
            ("{**d}", "(dict (** d))"),
            ("{1, 2}", "(set 1 2)"),
            ("{1,}", "(set 1)"),
            ("{*a, 1}", "(set (* a) 1)"),
        ], parseExpr)
    }

    func testComprehensions() {
        assertTable([
            ("[x for x in y]", "(listcomp x (for x y))"),
            ("[x for x in y if x if z]", "(listcomp x (for x y) (if x) (if z))"),
            ("[x * y for x in a for y in b if x < y]", "(listcomp (* x y) (for x a) (for y b) (if (cmp x < y)))"),
            ("[(a, b) for a, b in pairs]", "(listcomp (tuple a b) (for (tuple a b) pairs))"),
            ("{k: v for k, v in d.items()}", "(dictcomp k v (for (tuple k v) (call (. d items))))"),
            ("{x for x in s}", "(setcomp x (for x s))"),
            ("(x for x in y)", "(generatorcomp x (for x y))"),
            ("[x for x in y if lambda: 1]", "(listcomp x (for x y) (if (lambda () 1)))"),
            ("[[y for y in x] for x in z]", "(listcomp (listcomp y (for y x)) (for x z))"),
        ], parseExpr)
    }

    func testLambdaAndMisc() {
        assertTable([
            ("lambda: 0", "(lambda () 0)"),
            ("lambda x: x", "(lambda (x) x)"),
            ("lambda x, y=1, *a, k, m=2, **kw: x", "(lambda (x y=1 *a kw:k kw:m=2 **kw) x)"),
            ("lambda *, k: k", "(lambda (kw:k) k)"),
            ("lambda a, /, b: a", "(lambda (a b) a)"),
            ("lambda wildcards: config[wildcards.s]", "(lambda (wildcards) ([] config (. wildcards s)))"),
            ("lambda x: lambda y: x + y", "(lambda (x) (lambda (y) (+ x y)))"),
            ("(y := f(x))", "(:= y (call f x))"),
            ("(yield)", "(yield _)"),
            ("(yield x)", "(yield x)"),
            ("*a, b", "(tuple (* a) b)"),
            ("a if b else c", "(if b a c)"),
        ], parseExpr)
    }

    func testLocations() throws {
        let e = try parseExpression("a +\n  f(b)", file: SourceFile(path: "t", text: ""))
        guard case .binary(_, let lhs, let rhs) = e.kind else { return XCTFail() }
        XCTAssertEqual(lhs.location, SourceLocation(line: 1, column: 1))
        XCTAssertEqual(rhs.location, SourceLocation(line: 2, column: 3))
        // Columns count Unicode scalars, not bytes.
        let u = try parseExpression("'é' + x", file: SourceFile(path: "t", text: ""))
        guard case .binary(_, _, let x) = u.kind else { return XCTFail() }
        XCTAssertEqual(x.location, SourceLocation(line: 1, column: 7))
    }
}
