// Evaluator: operators, errors, scoping, closures, control flow, unpacking, slicing, repr.
// Expected outputs were produced by CPython 3.11 and pasted as literals.

import XCTest
import FlowSyntax
@testable import FlowLang

final class EvalTests: XCTestCase {
    func testArithmetic() {
        checkOutputs([
            ("print(7 // 2, -7 // 2, 7 // -2, 7 % 3, -7 % 3, 7 % -3, 2 ** 10, 2 ** -1, 7 / 2, 1 / 3)\n", "3 -4 -4 1 2 -2 1024 0.5 3.5 0.3333333333333333\n"),
            ("print(7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, 2.0 ** 3, 10 / 4, 3 * 1.5, 1e16, 1e-5, 0.1 + 0.2, 1/3)\n", "3.0 -4.0 1.5 0.5 8.0 2.5 4.5 1e+16 1e-05 0.30000000000000004 0.3333333333333333\n"),
            ("print(True + True, True * 3, 3 - False, -True, ~5, 5 & 3, 5 | 3, 5 ^ 3, 1 << 10, 1024 >> 3, -9 >> 1)\n", "2 3 3 -1 -6 1 7 6 1024 128 -5\n"),
            ("print(abs(-3), abs(-2.5), divmod(7, 2), divmod(-7, 2), divmod(7.5, 2), pow(2, 10), pow(3, 4, 5), pow(2, -2))\n", "3 2.5 (3, 1) (-4, 1) (3.0, 1.5) 1024 1 0.25\n"),
            ("print('ab' * 3, 3 * 'x', [1, 2] * 2, (1,) * 3, [0] * 0, 'a' + 'b', [1] + [2, 3], (1, 2) + (3,))\n", "ababab xxx [1, 2, 1, 2] (1, 1, 1) [] ab [1, 2, 3] (1, 2, 3)\n"),
            ("print(1 == 1.0, 1 == True, 0.5 < 1, 2 > 1.5, 'a' < 'b', 'B' < 'a', [1, 2] < [1, 3], (1, 2) < (1, 2, 0), [2] > [1, 9])\n", "True True True True True True True True True\n"),
            ("print(1 < 2 < 3, 1 < 3 < 2, 3 > 2 == 2, None is None, [] is [], 1 != 2, 'a' in 'cat', 3 in [1, 2], 'k' in {'k': 1})\n", "True False True True False True True False True\n"),
            ("print(0 or 'x', '' and 'y', 1 and 2, None or [] or 0, not 0, not [1])\n", "x  2 0 True False\n"),
            ("print(float('inf'), -float('inf'), float('nan'), 1e300 * 1e10, 2.5e-7, 123456789012345678.0, 100.0, 1.5e15)\n", "inf -inf nan inf 2.5e-07 1.2345678901234568e+17 100.0 1500000000000000.0\n"),
            ("print(round(2.5), round(3.5), round(-0.5), round(2.675, 2), round(1234, -2), round(1250, -2), round(0.125, 2), round(7.0))\n", "2 4 0 2.67 1200 1200 0.12 7\n"),
            ("x = 10\nx += 5\nx -= 3\nx *= 2\nx //= 5\nx **= 3\nx %= 7\nprint(x)\n", "1\n"),
            ("l = [1]\nm = l\nl += [2, 3]\nprint(l, m, l is m)\nt = (1,)\nu = t\nt += (2,)\nprint(t, u)\n", "[1, 2, 3] [1, 2, 3] True\n(1, 2) (1,)\n"),
            ("s = {1, 2}\ns |= {3}\ns &= {2, 3, 4}\nprint(s)\nd = {'a': 1}\nd |= {'b': 2}\nprint(d)\n", "{2, 3}\n{'a': 1, 'b': 2}\n"),
            ("print({1, 2, 3} | {4}, {1, 2, 3} & {2, 5}, {1, 2, 3} - {1}, {1, 2} ^ {2, 3}, {1} < {1, 2}, {1, 2} <= {1, 2}, {'a': 1} | {'b': 2})\n", "{1, 2, 3, 4} {2} {2, 3} {1, 3} True True {'a': 1, 'b': 2}\n"),
            ("print(10 ** 18, 2 ** 62, -(2 ** 62), 0x1f, 0o17, 0b101, 1_000_000)\n", "1000000000000000000 4611686018427387904 -4611686018427387904 31 15 5 1000000\n"),
        ])
    }

    func testErrors() {
        checkOutputs([
            ("def show(f):\n    try:\n        f()\n    except Exception as e:\n        print(type(e).__name__ + ':', e)\nshow(lambda: 1 / 0)\nshow(lambda: 1 // 0)\nshow(lambda: 1 % 0)\nshow(lambda: 1.0 / 0)\nshow(lambda: 'a' + 1)\nshow(lambda: 1 + 'a')\nshow(lambda: [1] + (2,))\nshow(lambda: undefined_name)\nshow(lambda: 'abc'.nope)\nshow(lambda: {'a': 1}['b'])\nshow(lambda: [1, 2][5])\nshow(lambda: (1,)[3])\nshow(lambda: 'x'[9])\nshow(lambda: int('abc'))\nshow(lambda: float('x1'))\nshow(lambda: len(5))\nshow(lambda: 5())\nshow(lambda: 1 < 'a')\nshow(lambda: [] < 1)\nshow(lambda: {}[[1]])\nshow(lambda: 'a' in 1)\nshow(lambda: 1 in 'a')\nshow(lambda: None.x)\nshow(lambda: 2 ** 0.5 + None)\nshow(lambda: -'a')\nshow(lambda: {1: 2}.pop(3))\nshow(lambda: [].pop())\nshow(lambda: [1].remove(2))\nshow(lambda: [1].index(2))\nshow(lambda: ord('ab'))\nshow(lambda: int(1e400 if False else float('inf')))\nshow(lambda: max([]))\nshow(lambda: {}.popitem())\nshow(lambda: set().pop())\nshow(lambda: 'a'.join([1]))\nshow(lambda: 'x'.split(''))\nshow(lambda: 'abc'.index('z'))\nshow(lambda: tuple(5))\nshow(lambda: 'a' * 'b')\nshow(lambda: 1 .foo)\n", "ZeroDivisionError: division by zero\nZeroDivisionError: integer division or modulo by zero\nZeroDivisionError: integer modulo by zero\nZeroDivisionError: float division by zero\nTypeError: can only concatenate str (not \"int\") to str\nTypeError: unsupported operand type(s) for +: 'int' and 'str'\nTypeError: can only concatenate list (not \"tuple\") to list\nNameError: name 'undefined_name' is not defined\nAttributeError: 'str' object has no attribute 'nope'\nKeyError: 'b'\nIndexError: list index out of range\nIndexError: tuple index out of range\nIndexError: string index out of range\nValueError: invalid literal for int() with base 10: 'abc'\nValueError: could not convert string to float: 'x1'\nTypeError: object of type 'int' has no len()\nTypeError: 'int' object is not callable\nTypeError: '<' not supported between instances of 'int' and 'str'\nTypeError: '<' not supported between instances of 'list' and 'int'\nTypeError: unhashable type: 'list'\nTypeError: argument of type 'int' is not iterable\nTypeError: 'in <string>' requires string as left operand, not int\nAttributeError: 'NoneType' object has no attribute 'x'\nTypeError: unsupported operand type(s) for +: 'float' and 'NoneType'\nTypeError: bad operand type for unary -: 'str'\nKeyError: 3\nIndexError: pop from empty list\nValueError: list.remove(x): x not in list\nValueError: 2 is not in list\nTypeError: ord() expected a character, but string of length 2 found\nOverflowError: cannot convert float infinity to integer\nValueError: max() arg is an empty sequence\nKeyError: 'popitem(): dictionary is empty'\nKeyError: 'pop from an empty set'\nTypeError: sequence item 0: expected str instance, int found\nValueError: empty separator\nValueError: substring not found\nTypeError: 'int' object is not iterable\nTypeError: can't multiply sequence by non-int of type 'str'\nAttributeError: 'int' object has no attribute 'foo'\n"),
            ("def f(a, b, c=3, *, d, **kw):\n    return (a, b, c, d, kw)\nfor call in [lambda: f(1), lambda: f(1, 2), lambda: f(1, 2, 3, 4, d=5), lambda: f(1, 2, a=3, d=4), lambda: f(1, 2, d=4, e=5)]:\n    try:\n        print(call())\n    except TypeError as e:\n        print('TypeError:', e)\ndef g(x):\n    pass\nfor call in [lambda: g(), lambda: g(1, 2), lambda: g(y=1), lambda: g(1, x=2)]:\n    try:\n        call()\n    except TypeError as e:\n        print(e)\ndef h(a, b, c):\n    pass\ntry:\n    h()\nexcept TypeError as e:\n    print(e)\n", "TypeError: f() missing 1 required positional argument: 'b'\nTypeError: f() missing 1 required keyword-only argument: 'd'\nTypeError: f() takes from 2 to 3 positional arguments but 4 positional arguments (and 1 keyword-only argument) were given\nTypeError: f() got multiple values for argument 'a'\n(1, 2, 3, 4, {'e': 5})\ng() missing 1 required positional argument: 'x'\ng() takes 1 positional argument but 2 were given\ng() got an unexpected keyword argument 'y'\ng() got multiple values for argument 'x'\nh() missing 3 required positional arguments: 'a', 'b', and 'c'\n"),
            ("for src in ['a, b = [1]', 'a, b = [1, 2, 3]', 'a, *b, c = [1]', 'a, b = 5']:\n    try:\n        exec(src)\n    except Exception as e:\n        print(type(e).__name__, e)\n", "ValueError not enough values to unpack (expected 2, got 1)\nValueError too many values to unpack (expected 2)\nValueError not enough values to unpack (expected at least 2, got 1)\nTypeError cannot unpack non-iterable int object\n"),
        ])
    }

    func testMatchStatementAsCPython() {
        // Expected output from CPython 3.11 for the same snippet.
        checkOutputs([
            ("""
            def describe(v):
                match v:
                    case 0 | 1 as small:
                        return f"small {small}"
                    case True:
                        return "true"
                    case None:
                        return "none"
                    case [first, *rest]:
                        return f"seq {first} {rest}"
                    case {"a": a, **others}:
                        return f"map {a} {others}"
                    case str(s) if s.startswith("x"):
                        return f"x-str {s}"
                    case str():
                        return "str"
                    case int(n) if n < 0:
                        return f"negative {n}"
                    case _:
                        return "other"
            for v in [0, 1, True, None, [1, 2, 3], (4,), {"a": 9, "c": 2}, "xyz", "abc", -3, 2.5]:
                print(describe(v))
            match = 5
            print(match)

            """, "small 0\nsmall 1\nsmall True\nnone\nseq 1 [2, 3]\nseq 4 []\nmap 9 {'c': 2}\nx-str xyz\nstr\nnegative -3\nother\n5\n"),
            ("""
            class Point:
                __match_args__ = ("x", "y")
                def __init__(self, x, y):
                    self.x, self.y = x, y
            for p in [Point(0, 3), Point(2, 2), (1, 2), [1, 2, 3]]:
                match p:
                    case Point(0, y):
                        print("on y axis", y)
                    case Point(x=a, y=b) if a == b:
                        print("diagonal", a)
                    case (1, second):
                        print("pair", second)
                    case [*_, last]:
                        print("last", last)

            """, "on y axis 3\ndiagonal 2\npair 2\nlast 3\n"),
        ])
    }

    func testScoping() {
        checkOutputs([
            ("x = 1\ndef f():\n    return x\ndef g():\n    x = 2\n    return x\ndef h():\n    global x\n    x = 3\nprint(f(), g(), x)\nh()\nprint(x)\n", "1 2 1\n3\n"),
            ("def counter():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n        return n\n    return inc\nc = counter()\nc(); c()\nprint(c())\nfs = [lambda: i for i in range(3)]\nprint([f() for f in fs])\ngs = [lambda i=i: i for i in range(3)]\nprint([g() for g in gs])\n", "3\n[2, 2, 2]\n[0, 1, 2]\n"),
            ("def outer():\n    y = 'outer'\n    def inner():\n        return y\n    y = 'late'\n    return inner()\nprint(outer())\ndef f():\n    try:\n        print(z)\n    except UnboundLocalError as e:\n        print('UnboundLocalError', e)\n    z = 1\nf()\nx = 5\nprint([x for x in range(3)], x)\nprint({k: v for k, v in zip('ab', [1, 2])})\nprint({c for c in 'hello'} == set('helo'))\nprint(list(x * 2 for x in range(4)))\nprint([(i, j) for i in range(3) for j in range(i) if j % 2 == 0])\n", "late\nUnboundLocalError cannot access local variable 'z' where it is not associated with a value\n[0, 1, 2] 5\n{'a': 1, 'b': 2}\nTrue\n[0, 2, 4, 6]\n[(1, 0), (2, 0)]\n"),
            ("def deco(f):\n    def wrapper(*args, **kwargs):\n        return 'wrapped ' + str(f(*args, **kwargs))\n    return wrapper\n@deco\ndef add(a, b=2):\n    return a + b\nprint(add(1), add(1, b=5))\ndef fact(n):\n    return 1 if n <= 1 else n * fact(n - 1)\nprint(fact(20))\ndef kw(*args, sep='-', **rest):\n    return sep.join(map(str, args)) + str(sorted(rest.items()))\nprint(kw(1, 2, 3, sep='+', z=1, a=2))\ndef defaults(a, l=[]):\n    l.append(a)\n    return l\ndefaults(1)\nprint(defaults(2))\nargs = (1, 2)\nkwargs = {'b': 5}\nprint((lambda a, b: a * b)(*args), (lambda a, b: a - b)(1, **kwargs))\nif (n := 10) > 5:\n    print('walrus', n)\n", "wrapped 3 wrapped 6\n2432902008176640000\n1+2+3[('a', 2), ('z', 1)]\n[1, 2]\n2 -4\nwalrus 10\n"),
            ("def rec(n):\n    return rec(n + 1)\ntry:\n    rec(0)\nexcept RecursionError as e:\n    print('RecursionError', e)\ndef deep(n):\n    return 0 if n == 0 else 1 + deep(n - 1)\nprint(deep(500))\n", "RecursionError maximum recursion depth exceeded\n500\n"),
        ])
    }

    func testControlFlow() {
        checkOutputs([
            ("for i in range(5):\n    if i == 1:\n        continue\n    if i == 3:\n        break\n    print(i)\nelse:\n    print('no')\nfor i in []:\n    pass\nelse:\n    print('else runs')\nn = 0\nwhile n < 3:\n    n += 1\nelse:\n    print('while else', n)\nwhile True:\n    break\nelse:\n    print('never')\n", "0\n2\nelse runs\nwhile else 3\n"),
            ("a, b = 1, 2\na, b = b, a\nprint(a, b)\n(c, d), e = (3, 4), 5\nfirst, *rest = [1, 2, 3]\n*init, last = 'abc'\nprint(c, d, e, first, rest, init, last)\nfor k, v in {'x': 1, 'y': 2}.items():\n    print(k, v)\nfor i, (p, q) in enumerate([(1, 2), (3, 4)], start=1):\n    print(i, p, q)\nx = y = []\nx.append(1)\nprint(y)\nl = [0, 1, 2, 3, 4, 5]\nl[1:3] = ['a']\nprint(l)\ndel l[0]\ndel l[-2:]\nprint(l)\nd = {'a': 1, 'b': 2}\ndel d['a']\nprint(d)\nl2 = [1, 2, 3]\nl2[::2] = [9, 8]\nprint(l2)\n", "2 1\n3 4 5 1 [2, 3] ['a', 'b'] c\nx 1\ny 2\n1 1 2\n2 3 4\n[1]\n[0, 'a', 3, 4, 5]\n['a', 3]\n{'b': 2}\n[9, 2, 8]\n"),
            ("s = 'abcdef'\nl = list(range(10))\nprint(s[1:4], s[::-1], s[-2:], s[:-2], s[::2], s[10:], s[-100:2], s[5:1:-1])\nprint(l[2:8:3], l[::-3], l[-3:-1], l[8:2:-2], l[:], (1, 2, 3)[1:])\nprint(range(10)[2:5], range(0, 10, 2)[-1], list(range(10, 0, -3)), len(range(5, 0)), 3 in range(0, 10, 3))\n", "bcd fedcba ef abcd ace  ab fedc\n[2, 5] [9, 6, 3, 0] [7, 8] [8, 6, 4] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] (2, 3)\nrange(2, 5) 8 [10, 7, 4, 1] 0 True\n"),
            ("def gen(n):\n    for i in range(n):\n        yield i * i\nprint(list(gen(4)), sum(gen(3)))\ng = (c.upper() for c in 'ab')\nprint(next(g), next(g), next(g, 'done'))\nit = iter([1, 2])\nprint(next(it), next(it), next(it, None))\n", "[0, 1, 4, 9] 5\nA B done\n1 2 None\n"),
        ])
    }

    func testStrings() {
        checkOutputs([
            ("print(repr('it\\'s'), repr(\"say \\\"hi\\\"\"), repr('both \\' and \"'), repr('tab\\tnl\\n'), repr('\\x00\\x7f'), repr('é'))\nprint(str(1.0), str(-0.0), repr(1e100), repr(123.456), repr(1/3), str(2.0**70), repr(5e-324))\nprint([1, 'a', None, True, 1.5], (1,), (), {'a': [1, {2: 3}]}, {1, 2}, set(), frozenset({1}), frozenset())\nl = [1]\nl.append(l)\nprint(l)\nd = {}\nd['self'] = d\nprint(d)\n", "\"it's\" 'say \"hi\"' 'both \\' and \"' 'tab\\tnl\\n' '\\x00\\x7f' 'é'\n1.0 -0.0 1e+100 123.456 0.3333333333333333 1.1805916207174113e+21 5e-324\n[1, 'a', None, True, 1.5] (1,) () {'a': [1, {2: 3}]} {1, 2} set() frozenset({1}) frozenset()\n[1, [...]]\n{'self': {...}}\n"),
            ("x, name = 3.14159, 'flow'\nprint(f'{x:.2f} {name!r} {name:>6} {x=} {name=!s} {{lit}} {x:{10}.{3}}')\nprint(f\"{'nested'} {3 + 4} {[1, 2][0]} {'a' if x else 'b'}\")\nwidth = 8\nprint(f'[{name:^{width}}] [{42:08.3f}] [{-5:+d}] [{255:#x}] [{1234567:,}]')\n", "3.14 'flow'   flow x=3.14159 name=flow {lit}       3.14\nnested 7 1 a\n[  flow  ] [0042.000] [-5] [0xff] [1,234,567]\n"),
        ])
    }

}
