// Builtins: functions, methods of str/list/dict/set/tuple, % and format() formatting.
// Expected outputs were produced by CPython 3.11 and pasted as literals.

import XCTest
import FlowSyntax
@testable import FlowLang

final class BuiltinTests: XCTestCase {
    func testFunctions() {
        checkOutputs([
            ("print(len('héllo'), len([1, 2]), len({'a': 1}), len(range(3, 10, 2)), len(set('aab')), len(()))\n", "5 2 1 4 2 0\n"),
            ("print(list(range(5)), list(range(2, 10, 3)), list(range(5, 0, -2)), range(3), repr(range(1, 5, 2)))\n", "[0, 1, 2, 3, 4] [2, 5, 8] [5, 3, 1] range(0, 3) range(1, 5, 2)\n"),
            ("print(list(enumerate('ab')), list(enumerate('ab', 1)), list(zip('abc', [1, 2])), list(zip()), dict(zip('ab', 'xy')))\n", "[(0, 'a'), (1, 'b')] [(1, 'a'), (2, 'b')] [('a', 1), ('b', 2)] [] {'a': 'x', 'b': 'y'}\n"),
            ("print(sorted([3, 1, 2]), sorted('bca', reverse=True), sorted(['bb', 'a', 'ccc'], key=len), sorted([(1, 'b'), (1, 'a'), (0, 'z')]))\n", "[1, 2, 3] ['c', 'b', 'a'] ['a', 'bb', 'ccc'] [(0, 'z'), (1, 'a'), (1, 'b')]\n"),
            ("print(sorted([('a', 2), ('b', 1), ('c', 2)], key=lambda t: t[1], reverse=True), sorted({3: 1, 1: 2}))\n", "[('a', 2), ('c', 2), ('b', 1)] [1, 3]\n"),
            ("print(list(reversed([1, 2, 3])), ''.join(reversed('abc')), list(reversed(range(3))))\n", "[3, 2, 1] cba [2, 1, 0]\n"),
            ("print(min(3, 1, 2), max([1, 5, 2]), min('abc'), max([], default=0), min([1, -3, 2], key=abs), max(['a', 'bbb', 'cc'], key=len), max(1, 2.5))\n", "1 5 a 0 1 bbb 2.5\n"),
            ("print(sum([1, 2, 3]), sum([0.1] * 3), sum([[1], [2]], []), sum(range(101)), sum([], 10))\n", "6 0.30000000000000004 [1, 2] 5050 10\n"),
            ("print(any([0, '', None]), any([0, 1]), all([]), all([1, 'a']), all(x > 0 for x in [1, -1]))\n", "False True True True False\n"),
            ("print(list(map(str, [1, 2])), list(map(lambda a, b: a + b, [1, 2], [10, 20])), list(filter(None, [0, 1, '', 'a'])), list(filter(lambda x: x % 2, range(6))))\n", "['1', '2'] [11, 22] [1, 'a'] [1, 3, 5]\n"),
            ("print(int('42'), int(' -7 '), int('ff', 16), int('0x1f', 0), int('101', 2), int(3.9), int(-3.9), int(True), int('1_000'), int())\n", "42 -7 255 31 5 3 -3 1 1000 0\n"),
            ("print(float('1.5'), float(' -2e3 '), float(3), float('inf'), float('-nan'), float(), float('1_0.5'))\n", "1.5 -2000.0 3.0 inf nan 0.0 10.5\n"),
            ("print(str(12), str(None), str([1, 'a']), str(), bool(0), bool('x'), bool([]), bool(None), bool())\n", "12 None [1, 'a']  False True False False False\n"),
            ("print(list('ab'), list((1, 2)), list({'a': 1}), tuple([1, 2]), tuple('ab'), set([1, 1, 2]), frozenset('aa'), dict(a=1, b=2), dict([('x', 1)]), dict({'y': 2}, z=3))\n", "['a', 'b'] [1, 2] ['a'] (1, 2) ('a', 'b') {1, 2} frozenset({'a'}) {'a': 1, 'b': 2} {'x': 1} {'y': 2, 'z': 3}\n"),
            ("print(chr(65), chr(955), ord('A'), ord('λ'), hex(255), hex(-255), oct(8), bin(5), bin(-5))\n", "A λ 65 955 0xff -0xff 0o10 0b101 -0b101\n"),
            ("print(repr('x'), ascii('é'), format(3.14159, '.2f'), format(42, '>5'), format('s', '^5'), format(1234567, ','), format(True))\n", "'x' '\\xe9' 3.14    42   s   1,234,567 True\n"),
            ("print(isinstance(1, int), isinstance(True, int), isinstance(1, float), isinstance('a', (int, str)), isinstance([], list), isinstance({}, dict), isinstance(1.0, (int, float)), isinstance(None, type(None)))\n", "True True False True True True True True\n"),
            ("print(type(1).__name__, type('a').__name__, type([]).__name__, type(None).__name__, type(1) is int, type(len).__name__, type(lambda: 0).__name__, type(int).__name__)\n", "int str list NoneType True builtin_function_or_method function type\n"),
            ("print(callable(len), callable(1), callable(lambda: 1), callable(str), hasattr('a', 'upper'), hasattr(1, 'nope'), getattr('abc', 'upper')())\n", "True False True True True False ABC\n"),
            ("print(divmod(-7, 2), round(-2.5), round(2.55, 1), round(5), abs(-0.0), pow(2, 3), pow(-2, 3), 10 ** -2)\n", "(-4, 1) -2 2.5 5 0.0 8 -8 0.01\n"),
            ("print(next(iter([1])), next(iter('ab')), list(iter(range(2))))\n", "1 a [0, 1]\n"),
            ("g = globals()\ng['created'] = 5\nprint(created, 'created' in globals())\ndef f():\n    a = 1\n    b = 2\n    return sorted(locals().items())\nprint(f())\n", "5 True\n[('a', 1), ('b', 2)]\n"),
            ("print(eval('1 + 2 * 3'), eval('x + 1', {'x': 41}))\nexec('y = 10')\nprint(y)\n", "7 42\n10\n"),
            ("print([n for n in sorted(dir([])) if not n.startswith('_')][:3], 'append' in dir([]))\n", "['append', 'clear', 'copy'] True\n"),
            ("class A:\n    pass\nprint(str(A)[:16], repr(len), repr(None), repr(...), NotImplemented)\n", "<class '__main__ <built-in function len> None Ellipsis NotImplemented\n"),
            ("print(int.__name__, str.upper('ab'), list(map(str.strip, [' a ', 'b '])), dict.fromkeys('ab', 0))\n", "int AB ['a', 'b'] {'a': 0, 'b': 0}\n"),
        ])
    }

    func testMethods() {
        checkOutputs([
            ("s = 'Hello, World'\nprint(s.upper(), s.lower(), s.swapcase(), s.title(), 'hello world'.capitalize(), s.casefold())\n", "HELLO, WORLD hello, world hELLO, wORLD Hello, World Hello world hello, world\n"),
            ("print('a,b,,c'.split(','), 'a b  c '.split(), '  a b c '.split(None, 1), 'a,b,c'.split(',', 1), 'a,b,c'.rsplit(',', 1), '  a b c '.rsplit(None, 1), ''.split(), ''.split(','))\n", "['a', 'b', '', 'c'] ['a', 'b', 'c'] ['a', 'b c '] ['a', 'b,c'] ['a,b', 'c'] ['  a b', 'c'] [] ['']\n"),
            ("print('  x  '.strip(), '--x--'.strip('-'), 'xxhixx'.lstrip('x'), 'xxhixx'.rstrip('x'), '\\t x\\n'.strip())\n", "x x hixx xxhi x\n"),
            ("print('abc'.startswith('ab'), 'abc'.endswith(('x', 'c')), 'abc'.startswith('b', 1), 'a.txt'.endswith('.txt'), 'abc'.startswith(''))\n", "True True True True True\n"),
            ("print('aaa'.replace('a', 'b'), 'aaa'.replace('a', 'b', 2), 'abc'.replace('', '-'), 'x'.replace('x', ''))\n", "bbb bba -a-b-c- \n"),
            ("print('hello'.find('l'), 'hello'.rfind('l'), 'hello'.find('z'), 'hello'.index('e'), 'hello'.rindex('l'), 'hello'.find('l', 3), 'hello'.count('l'), 'aaaa'.count('aa'), 'abc'.count(''))\n", "2 3 -1 1 3 3 2 2 4\n"),
            ("print('123'.isdigit(), 'abc'.isalpha(), 'a1'.isalnum(), ' \\t'.isspace(), 'ABC'.isupper(), 'abc'.islower(), 'a_1'.isidentifier(), '1a'.isidentifier(), '²'.isdigit(), '½'.isnumeric(), ''.isdigit())\n", "True True True True True True True False True True False\n"),
            ("print('42'.zfill(5), '-42'.zfill(5), 'ab'.ljust(5, '.'), 'ab'.rjust(5), 'ab'.center(7, '*'), 'abc'.center(6), 'x'.center(4))\n", "00042 -0042 ab...    ab ***ab**  abc    x  \n"),
            ("print('a=b=c'.partition('='), 'a=b=c'.rpartition('='), 'abc'.partition('x'), 'abc'.rpartition('x'))\n", "('a', '=', 'b=c') ('a=b', '=', 'c') ('abc', '', '') ('', '', 'abc')\n"),
            ("print('a\\nb\\r\\nc'.splitlines(), 'a\\nb\\n'.splitlines(True), 'prefix_name'.removeprefix('prefix_'), 'file.txt'.removesuffix('.txt'), 'a\\tb'.expandtabs(4))\n", "['a', 'b', 'c'] ['a\\n', 'b\\n'] name file a   b\n"),
            ("print('-'.join(['a', 'b']), ''.join([]), ', '.join('abc'), '{} {}'.format(1, 2), '{0}{1}{0}'.format('a', 'b'), '{name}!'.format(name='x'), '{:>4}|'.format('a'))\n", "a-b  a, b, c 1 2 aba x!    a|\n"),
            ("print('abc'.translate(str.maketrans('ab', 'xy')), '%s-%s' % ('a', 'b'))\n", "xyc a-b\n"),
            ("l = [3, 1, 2]\nl.append(4)\nl.extend([5, 6])\nl.insert(0, 0)\nl.insert(-1, 9)\nprint(l, l.pop(), l.pop(0), l)\nl.remove(9)\nl.sort()\nprint(l, l.index(2), l.count(3))\nl.reverse()\nprint(l, l.copy(), l.copy() is l)\nl.sort(key=lambda x: -x, reverse=True)\nprint(l)\nl.clear()\nprint(l)\n", "[3, 1, 2, 4, 5, 9] 6 0 [3, 1, 2, 4, 5, 9]\n[1, 2, 3, 4, 5] 1 1\n[5, 4, 3, 2, 1] [5, 4, 3, 2, 1] False\n[1, 2, 3, 4, 5]\n[]\n"),
            ("d = {'a': 1, 'b': 2}\nprint(d.get('a'), d.get('z'), d.get('z', 0), list(d.keys()), list(d.values()), list(d.items()))\nprint(d.keys(), d.values(), d.items(), 'a' in d.keys(), 2 in d.values(), ('a', 1) in d.items(), len(d.keys()))\nprint(d.pop('a'), d.pop('z', None), d, d.setdefault('c', 3), d.setdefault('b', 9), d)\nd.update({'e': 5}, f=6)\nd.update([('g', 7)])\nprint(d, d.popitem(), d.copy(), dict.fromkeys([1, 2]))\nd.clear()\nprint(d)\n", "1 None 0 ['a', 'b'] [1, 2] [('a', 1), ('b', 2)]\ndict_keys(['a', 'b']) dict_values([1, 2]) dict_items([('a', 1), ('b', 2)]) True True True 2\n1 None {'b': 2, 'c': 3} 3 2 {'b': 2, 'c': 3}\n{'b': 2, 'c': 3, 'e': 5, 'f': 6} ('g', 7) {'b': 2, 'c': 3, 'e': 5, 'f': 6} {1: None, 2: None}\n{}\n"),
            ("s = {1, 2}\ns.add(3)\ns.discard(10)\ns.remove(1)\nprint(s, s.union([5]), s.intersection({2, 9}), s.difference({2}), s.symmetric_difference({3, 4}), s.issubset({2, 3, 4}), s.issuperset({2}), s.isdisjoint({7}))\ns.update({8}, [9])\nprint(sorted(s))\ns.intersection_update({2, 8, 9})\nprint(sorted(s))\ns.difference_update({8})\nprint(sorted(s), sorted(s.copy()), len(s))\n", "{2, 3} {2, 3, 5} {2} {3} {2, 4} True True True\n[2, 3, 8, 9]\n[2, 8, 9]\n[2, 9] [2, 9] 2\n"),
            ("t = (1, 2, 2, 3)\nprint(t.index(2), t.count(2), (5).bit_length(), (2.0).is_integer(), (2.5).is_integer(), (1.5).as_integer_ratio())\n", "1 2 3 True False (3, 2)\n"),
            ("d = {'k': [1]}\nfor k in d:\n    print(k)\nprint(sorted({'b': 1, 'a': 2}.items()), {**d, 'z': 0}, [*d, *'xy'], {*'ab'} == {'a', 'b'})\n", "k\n[('a', 2), ('b', 1)] {'k': [1], 'z': 0} ['k', 'x', 'y'] True\n"),
        ])
    }

    func testFormatting() {
        checkOutputs([
            ("print('%s|%r|%d|%i|%5s|%-5s|%05d|%x|%X|%o|%e|%.2f|%g|%%|%c' % ('a', 'b', 3, 4, 'r', 'l', 42, 255, 255, 8, 12345.678, 3.14159, 0.00001, 'z'))\n", "a|'b'|3|4|    r|l    |00042|ff|FF|10|1.234568e+04|3.14|1e-05|%|z\n"),
            ("print('%(name)s is %(age)d' % {'name': 'Al', 'age': 30}, '%s' % [1, 2], '%s' % (1,), '%5.1f|%-8.3e|%+d|% d' % (3.14159, 1234.5, 5, 7), '%.3s' % 'abcdef', '%*d' % (5, 1))\n", "Al is 30 [1, 2] 1   3.1|1.234e+03|+5| 7 abc     1\n"),
            ("print('{:d} {:5d} {:<5d}| {:^7} {:*>6} {:+.3f} {:.1%} {:e} {:g} {:G}'.format(1, 2, 3, 'c', 'x', 2.0, 0.256, 12345.6789, 1e-7, 1e20))\n", "1     2 3    |    c    *****x +2.000 25.6% 1.234568e+04 1e-07 1E+20\n"),
            ("print('{:,} {:_} {:,.2f} {:#b} {:#o} {:08.3f} {:=+8d} {:x} {:c}'.format(1234567, 1234567, 1234567.891, 5, 8, -3.14159, 42, 255, 97))\n", "1,234,567 1_234_567 1,234,567.89 0b101 0o10 -003.142 +     42 ff a\n"),
            ("print('{!r} {!s}'.format('a', 'b'), '{0!r:>6}'.format('a'), '{a[0]} {a[1]} {b.real}'.format(a=[1, 2], b=3), '{0[k]}'.format({'k': 'v'}), '{:{w}.{p}f}'.format(3.14159, w=8, p=2))\n", "'a' b    'a' 1 2 3 v     3.14\n"),
            ("print(format(0.1, ''), format(1e16, ''), format(123.0, '.3'), format(1.0, '.2'), format(1234.5, '.2'), format(0.00001234, '.2'), format(-1.5, '10.2f'), format(2.5, '.0f'), format(3.5, '.0f'))\n", "0.1 1e+16 1.23e+02 1.0 1.2e+03 1.2e-05      -1.50 2 4\n"),
            ("print(format(1e-5, 'f'), format(1.5, 'e'), format(float('inf'), 'f'), format(float('nan'), '.2f'), format(-0.0, ''), format(100, 'e'), format(10, '.2f'), format(True, 'd'), format(True, '>6'))\n", "0.000010 1.500000e+00 inf nan -0.0 1.000000e+02 10.00 1      1\n"),
            ("x = 5\nprint(f'{x!r:>4}|{x:<4}|{x:^5}|{x:03}|{x * 2=}|{\"q\"}|{x:{\"^\"}{6}}')\n", "   5|5   |  5  |005|x * 2=10|q|  5   \n"),
            ("for v in [0.0, 1.0, -1.5, 1e22, 1.23456789e-9, 123456789.123, 0.30000000000000004, 2**0.5, 1e15, 9.999999999999999e15]:\n    print(v, str(v), repr(v), f'{v}')\n", "0.0 0.0 0.0 0.0\n1.0 1.0 1.0 1.0\n-1.5 -1.5 -1.5 -1.5\n1e+22 1e+22 1e+22 1e+22\n1.23456789e-09 1.23456789e-09 1.23456789e-09 1.23456789e-09\n123456789.123 123456789.123 123456789.123 123456789.123\n0.30000000000000004 0.30000000000000004 0.30000000000000004 0.30000000000000004\n1.4142135623730951 1.4142135623730951 1.4142135623730951 1.4142135623730951\n1000000000000000.0 1000000000000000.0 1000000000000000.0 1000000000000000.0\n1e+16 1e+16 1e+16 1e+16\n"),
        ])
    }

}
