// Python statements: assignments, simple statements, compound statements and layout.
import XCTest
@testable import FlowSyntax

final class StatementTests: XCTestCase {
    func testAssignments() {
        assertTable([
            ("a = 1", "(= a 1)"),
            ("a = b = 1", "(= a b 1)"),
            ("a, b = 1, 2", "(= (tuple a b) (tuple 1 2))"),
            ("(a, b) = c", "(= (tuple a b) c)"),
            ("[a, b] = c", "(= (list a b) c)"),
            ("a, *b = c", "(= (tuple a (* b)) c)"),
            ("a.b = 1", "(= (. a b) 1)"),
            ("a[0] = 1", "(= ([] a 0) 1)"),
            ("a[1:] = b", "(= ([] a (slice 1 _ _)) b)"),
            ("a += 1", "(+= a 1)"),
            ("a.b //= 2", "(//= (. a b) 2)"),
            ("a[0] **= 2", "(**= ([] a 0) 2)"),
            ("x <<= 1; y >>= 1; z @= m; w |= 1; v &= 1; u ^= 1; t %= 1; s -= 1; r *= 1; q /= 1",
             "(<<= x 1) (>>= y 1) (@= z m) (|= w 1) (&= v 1) (^= u 1) (%= t 1) (-= s 1) (*= r 1) (/= q 1)"),
            ("x: int = 3", "(: x int 3)"),
            ("x: List[int]", "(: x ([] List int) _)"),
            ("self.x: int = 3", "(: (. self x) int 3)"),
            ("a = yield", "(= a (yield _))"),
            ("a = 1,", "(= a (tuple 1))"),
        ], parse)
    }

    func testSimpleStatements() {
        assertTable([
            ("pass", "pass"),
            ("f(x); g(y);", "(call f x) (call g y)"),
            ("import os", "(import os)"),
            ("import os.path as p, sys", "(import (as os.path p) sys)"),
            ("from os import path", "(from os path)"),
            ("from os.path import join as j, exists", "(from os.path (as join j) exists)"),
            ("from . import a", "(from . a)"),
            ("from ..pkg.mod import (a,\n  b as c,\n)", "(from ..pkg.mod a (as b c))"),
            ("from ...x import y", "(from ...x y)"),
            ("from m import *", "(from m *)"),
            ("global a, b", "(global a b)"),
            ("def f():\n    nonlocal x", "(def f () (body (nonlocal x)))"),
            ("del a, b[0], c.d", "(del a ([] b 0) (. c d))"),
            ("del (a, b)", "(del a b)"),
            ("assert x", "(assert x _)"),
            ("assert x, 'msg'", "(assert x \"msg\")"),
            ("raise", "(raise _ _)"),
            ("raise ValueError('x') from e", "(raise (call ValueError \"x\") e)"),
            ("def f():\n    return", "(def f () (body (return _)))"),
            ("def f():\n    return 1, 2", "(def f () (body (return (tuple 1 2))))"),
            ("def f():\n    yield x", "(def f () (body (yield x)))"),
            ("x = 1 \\\n    + 2", "(= x (+ 1 2))"),
            ("print(1)  # comment", "(call print 1)"),
        ], parse)
    }

    func testCompoundStatements() {
        assertTable([
            ("if a:\n    b\nelif c:\n    d\nelse:\n    e\n", "(if a (then b) (else (if c (then d) (else e))))"),
            ("if x: y", "(if x (then y))"),
            ("if x: y; z\nelse: w", "(if x (then y z) (else w))"),
            ("for x in y:\n    break\nelse:\n    pass", "(for x y (do break) (else pass))"),
            ("for a, b in c: continue", "(for (tuple a b) c (do continue))"),
            ("for x in 1, 2: pass", "(for x (tuple 1 2) (do pass))"),
            ("while x:\n    x -= 1\nelse:\n    pass", "(while x (do (-= x 1)) (else pass))"),
            ("while (n := f()):\n    pass", "(while (:= n (call f)) (do pass))"),
            ("try:\n    a\nexcept (A, B) as e:\n    b\nexcept C:\n    c\nexcept:\n    d\nelse:\n    e\nfinally:\n    f",
             "(try (body a) (except (tuple A B) e b) (except C _ c) (except _ _ d) (else e) (finally f))"),
            ("try:\n    a\nfinally:\n    b", "(try (body a) (finally b))"),
            ("with open(a) as f, g() as (x, y), h():\n    pass",
             "(with (item (call open a) f) (item (call g) (tuple x y)) (item (call h) _) (do pass))"),
            ("with (open(a) as f, open(b) as g):\n    pass", "(with (item (call open a) f) (item (call open b) g) (do pass))"),
            ("with (a, b):\n    pass", "(with (item (tuple a b) _) (do pass))"),
            ("def f(a, b=1, *args, c, d=2, **kw) -> int:\n    pass",
             "(def f (a b=1 *args kw:c kw:d=2 **kw) (body pass))"),
            ("def f(a: int, /, b: str = 'x', *, c):\n    pass", "(def f (a b=\"x\" kw:c) (body pass))"),
            ("def f():\n    \"\"\"Doc.\"\"\"\n    return 1", "(def f () doc=\"Doc.\" (body \"Doc.\" (return 1)))"),
            ("@dec\n@dec2(x)\ndef f(): pass", "(def f () (@ dec (call dec2 x)) (body pass))"),
            ("class A:\n    x = 1\n    def m(self):\n        return self.x",
             "(class A (bases) (body (= x 1) (def m (self) (body (return (. self x))))))"),
            ("@d\nclass A(B, metaclass=M): pass", "(class A (bases B (kw metaclass M)) (@ d) (body pass))"),
            ("if a:\n    if b:\n        c\n    d\ne", "(if a (then (if b (then c)) d)) e"),
        ], parse)
    }

    func testMatchStatement() {
        assertTable([
            ("match x:\n    case 1 | -2 as n if n > 0:\n        pass\n    case _:\n        pass",
             "(match x (case (as (| 1 (- 2)) n) (if (cmp n > 0)) pass) (case _ pass))"),
            ("match p:\n    case Point(0, y=[a, *rest]):\n        pass\n    case {\"k\": v, **others} | a.B:\n        pass",
             "(match p (case (cls Point 0 y=(seq $a *rest)) pass) (case (| (map (: \"k\" $v) **others) (. a B)) pass))"),
            ("match a, b:\n    case x, (y,):\n        pass", "(match (tuple a b) (case (seq $x (seq $y)) pass))"),
            // `match` stays a name where it is not a statement.
            ("match = 1\nmatch(x)\nmatch.y = 2", "(= match 1) (call match x) (= (. match y) 2)"),
        ], parse)
    }

    func testLayout() {
        assertTable([
            ("a = 1\r\nif a:\r\n    b = 2\r\n", "(= a 1) (if a (then (= b 2)))"),
            ("if a:\n\tb\n\tc", "(if a (then b c))"),
            ("if a:\n        b\n\tc", "(if a (then b c))"),
            ("x = (1,\n  2,\n# comment\n      3)", "(= x (tuple 1 2 3))"),
            ("x = [\n]\n", "(= x (list))"),
            ("\n\n# only comments\n\nx = 1\n\n   \n# trailing", "(= x 1)"),
            ("if a:\n    b\n\n    # comment\n\n    c\n", "(if a (then b c))"),
            ("x = 1", "(= x 1)"),
            ("if a:\n    b", "(if a (then b))"),
            ("", ""),
            ("x = '''a\nb''' + \\\n  'c'", "(= x (+ \"a\\nb\" \"c\"))"),
            ("rule = 3\nrules.a.output\ncheckpoint = rule", "(= rule 3) (. (. rules a) output) (= checkpoint rule)"),
            ("module = 1\nuse = 2\nuse.x", "(= module 1) (= use 2) (. use x)"),
        ], parse)
    }

    func testRanges() throws {
        let source = "x = 1\n\ndef f(a):\n    return a  # c\n\n@d\nclass C:\n    pass\ny = 2\n"
        let file = SourceFile(path: "t", text: source)
        let body = try parseModule(file).body
        XCTAssertEqual(body.map { file.slice($0.range) },
                       ["x = 1", "def f(a):\n    return a", "@d\nclass C:\n    pass", "y = 2"])
        XCTAssertEqual(body.map { $0.location.line }, [1, 3, 6, 9])
    }
}
