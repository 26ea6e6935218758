// Stdlib modules exercised through Python source (parser + interpreter), compared with the
// output CPython 3.11 printed for the same snippets (generated once, pasted as literals).

import XCTest
@testable import FlowLang

final class StdlibSnippetTests: XCTestCase {
    func testItertools() {
        checkOutputs([
            ("import itertools\nprint(list(itertools.product([1, 2], 'ab')))\nprint(list(itertools.product([0, 1], repeat=2)))\nprint(list(itertools.chain([1], (2, 3), 'x')))\nprint(list(itertools.chain.from_iterable([[1, 2], [3]])))\nprint(list(itertools.combinations('abc', 2)))\nprint(list(itertools.combinations_with_replacement([1, 2], 2)))\nprint(list(itertools.permutations([1, 2, 3], 2)))\nprint(list(itertools.islice(itertools.count(5, 2), 3)))\nprint(list(itertools.islice('abcdefg', 1, 6, 2)))\nprint(list(itertools.zip_longest([1, 2, 3], 'ab', fillvalue='-')))\nprint(list(itertools.accumulate([1, 2, 3, 4])))\nprint(list(itertools.accumulate([1, 2, 3], lambda a, b: a * b, initial=10)))\nprint([(k, list(g)) for k, g in itertools.groupby('aabbbc')])\nprint([(k, list(g)) for k, g in itertools.groupby([1, 3, 2, 4, 5], key=lambda x: x % 2)])\nprint(list(itertools.repeat('x', 3)))\nprint(list(itertools.starmap(pow, [(2, 3), (3, 2)])))\nprint(list(itertools.filterfalse(lambda x: x % 2, range(6))))\nprint(list(itertools.takewhile(lambda x: x < 3, [1, 2, 5, 1])))\nprint(list(itertools.dropwhile(lambda x: x < 3, [1, 2, 5, 1])))\na, b = itertools.tee([1, 2])\nprint(list(a), list(b))\nprint(list(itertools.islice(itertools.cycle('ab'), 5)))\n",
             "[(1, 'a'), (1, 'b'), (2, 'a'), (2, 'b')]\n[(0, 0), (0, 1), (1, 0), (1, 1)]\n[1, 2, 3, 'x']\n[1, 2, 3]\n[('a', 'b'), ('a', 'c'), ('b', 'c')]\n[(1, 1), (1, 2), (2, 2)]\n[(1, 2), (1, 3), (2, 1), (2, 3), (3, 1), (3, 2)]\n[5, 7, 9]\n['b', 'd', 'f']\n[(1, 'a'), (2, 'b'), (3, '-')]\n[1, 3, 6, 10]\n[10, 10, 20, 60]\n[('a', ['a', 'a']), ('b', ['b', 'b', 'b']), ('c', ['c'])]\n[(1, [1, 3]), (0, [2, 4]), (1, [5])]\n['x', 'x', 'x']\n[8, 9]\n[0, 2, 4]\n[1, 2]\n[5, 1]\n[1, 2] [1, 2]\n['a', 'b', 'a', 'b', 'a']\n"),
        ])
    }

    func testCollections() {
        checkOutputs([
            ("from collections import defaultdict, Counter, OrderedDict, namedtuple, deque\nd = defaultdict(list)\nd['a'].append(1)\nd['a'].append(2)\nd['b'].append(3)\nprint(dict(d), len(d), 'a' in d, 'z' in d)\nprint(sorted(d.items()), list(d.keys()))\nc = defaultdict(int)\nfor w in 'the cat the hat the'.split():\n    c[w] += 1\nprint(c['the'], c.get('dog'), c.get('dog', 0))\ncnt = Counter('abracadabra')\nprint(cnt.most_common(2), cnt['a'], cnt['z'])\ncnt.update('aaz')\nprint(cnt['a'], cnt['z'], sum(cnt.values()))\nprint(sorted(Counter(['x', 'y', 'x']).elements()))\no = OrderedDict([('b', 1), ('a', 2)])\nprint(list(o.keys()), o['a'])\nPoint = namedtuple('Point', ['x', 'y'])\np = Point(1, y=2)\nprint(p, p.x, p[1], p._asdict(), p._replace(x=5))\nx, y = p\nprint(x + y, len(p), list(p))\nS = namedtuple('S', 'a b c', defaults=[0])\nprint(S(1, 2))\nq = deque([1, 2, 3], maxlen=3)\nq.append(4)\nq.appendleft(0)\nprint(list(q), q.pop(), q.popleft(), len(q))\n",
             "{'a': [1, 2], 'b': [3]} 2 True False\n[('a', [1, 2]), ('b', [3])] ['a', 'b']\n3 None 0\n[('a', 5), ('b', 2)] 5 0\n7 1 14\n['x', 'x', 'y']\n['b', 'a'] 2\nPoint(x=1, y=2) 1 2 {'x': 1, 'y': 2} Point(x=5, y=2)\n3 2 [1, 2]\nS(a=1, b=2, c=0)\n[0, 2, 3] 3 0 1\n"),
        ])
    }

    func testFunctools() {
        checkOutputs([
            ("import functools\nprint(functools.reduce(lambda a, b: a + b, [1, 2, 3, 4]))\nprint(functools.reduce(lambda a, b: a * b, [], 7))\nadd3 = functools.partial(lambda a, b, c=0: a + b + c, 1, c=10)\nprint(add3(2))\ncalls = []\n@functools.lru_cache(maxsize=None)\ndef fib(n):\n    calls.append(n)\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(20), len(calls))\n@functools.cache\ndef sq(x):\n    return x * x\nprint(sq(4), sq(4))\n",
             "10\n7\n13\n6765 21\n16 16\n"),
        ])
    }

    func testMath() {
        checkOutputs([
            ("import math\nprint(math.floor(2.7), math.ceil(2.1), math.trunc(-2.7), math.floor(3))\nprint(math.sqrt(16), math.log(8, 2), math.log2(1024), math.log10(1000), math.exp(0))\nprint(math.pow(2, 10), math.fabs(-3), math.isclose(0.1 + 0.2, 0.3), math.isnan(math.nan), math.isinf(-math.inf))\nprint(math.gcd(12, 18), math.lcm(4, 6), math.factorial(10), math.comb(10, 3), math.perm(5, 2))\nprint(math.prod([1, 2, 3, 4]), math.fsum([0.1] * 10), math.pi, math.e)\ntry:\n    math.sqrt(-1)\nexcept ValueError as e:\n    print('ValueError', e)\n",
             "2 3 -2 3\n4.0 3.0 10.0 3.0 1.0\n1024.0 3.0 True True True\n6 12 3628800 120 20\n24 1.0 3.141592653589793 2.718281828459045\nValueError math domain error\n"),
        ])
    }

    func testJson() {
        checkOutputs([
            ("import json\nprint(json.dumps({'b': 1, 'a': [1, 2.0, None, True]}, sort_keys=True))\nprint(json.dumps([1, {'x': 'é'}], ensure_ascii=False))\nprint(json.dumps({'a': 1, 'b': 2}, separators=(',', ':')))\nprint(json.dumps({'a': [1, 2]}, indent=4))\nprint(json.dumps((1, 2)))\nprint(json.dumps({1: 'x', 2.5: 'y', None: 'z', True: 'w'}))\nprint(json.dumps({'p': object}, default=lambda o: 'obj'))\nd = json.loads('{\"a\": {\"b\": [1, 2, {\"c\": null}]}, \"n\": -1.5e3}')\nprint(d['a']['b'][2], d['n'])\ntry:\n    json.loads('{\"a\": }')\nexcept json.JSONDecodeError as e:\n    print('JSONDecodeError', e)\ntry:\n    json.loads('[1,')\nexcept ValueError as e:\n    print('ValueError', e)\ntry:\n    json.dumps({'s': {1, 2}})\nexcept TypeError as e:\n    print('TypeError', e)\n",
             "{\"a\": [1, 2.0, null, true], \"b\": 1}\n[1, {\"x\": \"é\"}]\n{\"a\":1,\"b\":2}\n{\n    \"a\": [\n        1,\n        2\n    ]\n}\n[1, 2]\n{\"1\": \"w\", \"2.5\": \"y\", \"null\": \"z\"}\n{\"p\": \"obj\"}\n{'c': None} -1500.0\nJSONDecodeError Expecting value: line 1 column 7 (char 6)\nValueError Expecting value: line 1 column 4 (char 3)\nTypeError Object of type set is not JSON serializable\n"),
        ])
    }

    func testYaml() {
        checkOutputs([
            ("import yaml\nd = yaml.safe_load('''\nsamples:\n  - name: A\n    reads: [a_1.fq, a_2.fq]\n  - name: B\n    reads: [b_1.fq, b_2.fq]\nparams:\n  threads: 8\n  mem: 4G\n  flag: off\n  ratio: 1.5e-3\n''')\nprint(d)\nprint(yaml.dump(d, default_flow_style=False, sort_keys=False), end='')\nprint(yaml.safe_dump({'x': [1, 2], 'y': {'z': 'two words'}}, default_flow_style=None), end='')\nprint(yaml.load('a: 1', Loader=yaml.SafeLoader))\ntry:\n    yaml.safe_load('a: [1, 2')\nexcept yaml.YAMLError:\n    print('YAMLError')\n",
             "{'samples': [{'name': 'A', 'reads': ['a_1.fq', 'a_2.fq']}, {'name': 'B', 'reads': ['b_1.fq', 'b_2.fq']}], 'params': {'threads': 8, 'mem': '4G', 'flag': False, 'ratio': 0.0015}}\nsamples:\n- name: A\n  reads:\n  - a_1.fq\n  - a_2.fq\n- name: B\n  reads:\n  - b_1.fq\n  - b_2.fq\nparams:\n  threads: 8\n  mem: 4G\n  flag: false\n  ratio: 0.0015\nx: [1, 2]\ny: {z: two words}\n{'a': 1}\nYAMLError\n"),
        ])
    }

    func testRe() {
        checkOutputs([
            ("import re\nm = re.match(r'(?P<sample>[^_]+)_(?P<rep>\\d+)\\.fq', 'liver_2.fq')\nprint(m[1], m['rep'], m.group(0), m.group(1, 2), m.groupdict(), m.span(2), m.lastgroup)\np = re.compile(r'\\d+')\nprint(p.findall('a1b22c333'), p.sub('#', 'a1b22'), p.split('a1b22c'), p.pattern)\nprint([m.group() for m in re.finditer(r'\\w+', 'hi there')])\nprint(re.sub(r'(\\w)(\\w*)', lambda m: m.group(1).upper() + m.group(2), 'hello big world'))\nprint(re.search('b', 'abc') is not None, re.match('b', 'abc'))\ntry:\n    re.compile('(')\nexcept re.error as e:\n    print('re.error')\nprint(int(re.IGNORECASE | re.MULTILINE), bool(re.fullmatch('[a-z]+', 'abc', re.I)))\n",
             "liver 2 liver_2.fq ('liver', '2') {'sample': 'liver', 'rep': '2'} (6, 7) rep\n['1', '22', '333'] a#b# ['a', 'b', 'c'] \\d+\n['hi', 'there']\nHello Big World\nTrue None\nre.error\n10 True\n"),
        ])
    }

    func testStrings() {
        checkOutputs([
            ("import string, textwrap, shlex, hashlib\nprint(string.ascii_letters, string.digits, string.punctuation)\nprint(string.Template('$who likes ${what}').substitute(who='tim', what='kung pao'))\nprint(textwrap.dedent('''\n    def f():\n        return 1\n'''))\nprint(textwrap.indent('a\\nb\\n\\nc', '> '))\nprint(textwrap.wrap('The quick brown fox jumps over the lazy dog', width=15))\nprint(shlex.quote(\"it's here\"), shlex.quote('safe-name.txt'), shlex.split('a \"b c\" d\\\\ e \\'f g\\''))\nprint(shlex.join(['echo', 'a b', 'c']))\nprint(hashlib.md5('hello'.encode()).hexdigest())\nprint(hashlib.sha1('hello'.encode()).hexdigest())\nh = hashlib.sha256()\nh.update('hello '.encode())\nh.update('world'.encode())\nprint(h.hexdigest())\nprint(hashlib.sha256(('x' * 1000).encode()).hexdigest())\nprint(hashlib.md5(''.encode()).hexdigest())\n",
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\ntim likes kung pao\n\ndef f():\n    return 1\n\n> a\n> b\n\n> c\n['The quick brown', 'fox jumps over', 'the lazy dog']\n'it'\"'\"'s here' safe-name.txt ['a', 'b c', 'd e', 'f g']\necho 'a b' c\n5d41402abc4b2a76b9719d911017c592\naaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d\nb94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9\n44f8354494a5ba03ba1792a8d3e9c534c47a9181980fde7a3f44b06ef2ae7c7f\nd41d8cd98f00b204e9800998ecf8427e\n"),
        ])
    }

    func testProcess() {
        checkOutputs([
            ("import subprocess, sys, os\nr = subprocess.run(['sh', '-c', 'echo out; echo err >&2; exit 3'], capture_output=True, text=True)\nprint(r.returncode, repr(r.stdout), repr(r.stderr))\nprint(subprocess.check_output('echo $((1 + 2))', shell=True, text=True), end='')\nprint(subprocess.call(['true']), subprocess.call('exit 2', shell=True))\ntry:\n    subprocess.run(['false'], check=True)\nexcept subprocess.CalledProcessError as e:\n    print('CalledProcessError', e.returncode, e.cmd)\ntry:\n    subprocess.check_output(['sh', '-c', 'echo partial; exit 1'], text=True)\nexcept subprocess.CalledProcessError as e:\n    print(e.returncode, repr(e.output))\nr = subprocess.run('cat', shell=True, input='piped', stdout=subprocess.PIPE, universal_newlines=True)\nprint(r.stdout)\nr = subprocess.run(['pwd'], cwd='/', stdout=subprocess.PIPE, text=True)\nprint(r.stdout.strip())\nr = subprocess.run(['sh', '-c', 'echo $FOO'], env={'FOO': 'bar', 'PATH': os.environ['PATH']}, capture_output=True, text=True)\nprint(r.stdout.strip())\nprint(len(sys.argv) >= 1, sys.version_info[0], sys.version_info >= (3, 6), sys.platform)\ntry:\n    sys.exit(2)\nexcept SystemExit as e:\n    print('SystemExit', e)\n",
             "3 'out\\n' 'err\\n'\n3\n0 2\nCalledProcessError 1 ['false']\n1 'partial\\n'\npiped\n/\nbar\nTrue 3 True linux\nSystemExit 2\n"),
        ])
    }

    func testFileSystem() {
        checkOutputs([
            ("import os, os.path, pathlib, shutil, glob, tempfile\nfrom pathlib import Path\nroot = tempfile.mkdtemp(prefix='flowtest')\nos.makedirs(os.path.join(root, 'a', 'b'), exist_ok=True)\np = Path(root) / 'a' / 'x.txt'\np.write_text('hello\\n')\nprint(p.read_text(), end='')\nprint(p.name, p.suffix, p.stem, p.parent.name, p.exists(), p.is_file(), p.parent.is_dir())\nq = 'sub' / Path('f.tar.gz')\nprint(q, q.suffixes, str(q.with_suffix('')), q.parts, Path('a') == Path('a/'), Path('x') / 'y' / 'z')\nprint(sorted(os.listdir(os.path.join(root, 'a'))))\nshutil.copy(str(p), os.path.join(root, 'a', 'b'))\nshutil.copytree(os.path.join(root, 'a'), os.path.join(root, 'c'))\nprint(sorted(os.path.relpath(x, root) for x in glob.glob(os.path.join(root, '**', '*.txt'), recursive=True)))\nprint([(os.path.relpath(d, root), sorted(ds), sorted(fs)) for d, ds, fs in os.walk(os.path.join(root, 'c'))])\nshutil.move(os.path.join(root, 'c'), os.path.join(root, 'd'))\nprint(os.path.exists(os.path.join(root, 'c')), os.path.isdir(os.path.join(root, 'd')))\nprint(os.path.getsize(str(p)), os.stat(p).st_size, sorted(x.name for x in Path(root).iterdir()))\nprint(sorted(str(x.relative_to(root)) for x in Path(root).rglob('*.txt')))\ntry:\n    os.remove(os.path.join(root, 'nope'))\nexcept FileNotFoundError as e:\n    print('FileNotFoundError', e.errno if hasattr(e, 'errno') else 2)\ntry:\n    open(os.path.join(root, 'nope'))\nexcept OSError:\n    print('OSError')\nshutil.rmtree(root)\nprint(os.path.exists(root), shutil.which('sh') is not None, shutil.which('no-such-tool-xyz'))\nos.environ['FLOW_SNIPPET'] = 'v'\nprint(os.environ['FLOW_SNIPPET'], os.environ.get('FLOW_NOPE', 'dflt'), 'FLOW_SNIPPET' in os.environ, os.getenv('FLOW_SNIPPET'))\nprint(os.path.join('a', 'b'), os.sep, os.pathsep, os.name, os.path.splitext('x.tar.gz'), os.path.expanduser('~') == os.environ['HOME'])\n",
             "hello\nx.txt .txt x a True True True\nsub/f.tar.gz ['.tar', '.gz'] sub/f.tar ('sub', 'f.tar.gz') True x/y/z\n['b', 'x.txt']\n['a/b/x.txt', 'a/x.txt', 'c/b/x.txt', 'c/x.txt']\n[('c', ['b'], ['x.txt']), ('c/b', [], ['x.txt'])]\nFalse True\n6 6 ['a', 'd']\n['a/b/x.txt', 'a/x.txt', 'd/b/x.txt', 'd/x.txt']\nFileNotFoundError 2\nOSError\nFalse True None\nv dflt True v\na/b / : posix ('x.tar', '.gz') True\n"),
        ])
    }

    func testMisc() {
        checkOutputs([
            ("from __future__ import annotations\nimport random, time, datetime, uuid, platform, socket, getpass, io, warnings\nfrom typing import List, Dict, Optional\nrandom.seed(42)\na = [random.random() for _ in range(3)]\nrandom.seed(42)\nb = [random.random() for _ in range(3)]\nprint(a == b, all(0 <= x < 1 for x in a))\nprint(1 <= random.randint(1, 6) <= 6, random.choice(['x']), sorted(random.sample(range(10), 10)) == list(range(10)))\nl = list(range(20))\nrandom.shuffle(l)\nprint(sorted(l) == list(range(20)), len(random.choices('ab', k=5)))\nt0 = time.time(); time.sleep(0.01)\nprint(time.time() - t0 >= 0.01, time.perf_counter() > 0, time.strftime('%Y', time.gmtime(0)), time.gmtime(86400).tm_mday)\nprint(len(str(uuid.uuid4())), platform.system(), len(socket.gethostname()) > 0, len(getpass.getuser()) > 0)\nprint(datetime.datetime.now().year >= 2024, datetime.date.today().strftime('%Y') >= '2024', datetime.datetime(2020, 5, 17, 8, 30).isoformat())\ns = io.StringIO()\ns.write('a\\nb\\n')\nprint(repr(s.getvalue()), list(io.StringIO('x\\ny')))\n",
             "True True\nTrue x True\nTrue 5\nTrue True 1970 2\n36 Linux True True\nTrue True 2020-05-17T08:30:00\n'a\\nb\\n' ['x\\n', 'y']\n"),
        ])
    }

    func testFilesAndObjects() {
        checkOutputs([
            ("import json, yaml, os, tempfile, functools, collections, csv\nfrom pathlib import Path\nd = tempfile.mkdtemp()\nf = os.path.join(d, 'c.json')\nwith open(f, 'w') as fh:\n    json.dump({'a': [1, 2], 'b': 'x'}, fh, indent=2)\nwith open(f) as fh:\n    print(json.load(fh))\nprint(open(f).read())\ny = os.path.join(d, 'c.yaml')\nwith open(y, 'w') as fh:\n    yaml.safe_dump({'k': [1, 'two'], 'n': None}, fh)\nwith open(y) as fh:\n    print(yaml.safe_load(fh))\nprint(open(y).read(), end='')\nwith os.scandir(d) as it:\n    print(sorted(e.name for e in it if e.is_file()))\nprint(sorted([3, 1, 2], key=functools.cmp_to_key(lambda a, b: b - a)))\nc = collections.Counter(a=3, b=1) + collections.Counter(a=1, c=2)\nprint(sorted(c.items()))\ndd = collections.defaultdict(list)\ndd['x'].append(1)\nprint(dd)\nP = collections.namedtuple('P', 'x y')\nprint(P(1, 2), P(1, 2) == P(1, 2))\np = Path(d) / 'sub'\nprint(f'{p.name}', str(p).endswith('/sub'), isinstance(os.fspath(p), str))\ntry:\n    os.rmdir(os.path.join(d, 'nope'))\nexcept os.error:\n    print('os.error')\nprint(sorted(map(str, [Path('b'), Path('a')])))\nf = os.path.join(d, 't.csv')\nwith open(f, 'w', newline='') as fh:\n    w = csv.writer(fh)\n    w.writerow(['a', 'b,c', 'say \"hi\"', 3])\n    w.writerows([[1, 2, 3, 4]])\nprint(repr(open(f, newline='').read()))\nwith open(f) as fh:\n    print(list(csv.reader(fh)))\nf2 = os.path.join(d, 's.tsv')\nwith open(f2, 'w') as fh:\n    dw = csv.DictWriter(fh, fieldnames=['sample', 'unit'], delimiter='\\t')\n    dw.writeheader()\n    dw.writerow({'sample': 'A', 'unit': 1})\nwith open(f2) as fh:\n    print([dict(r) for r in csv.DictReader(fh, delimiter='\\t')])\n",
             "{'a': [1, 2], 'b': 'x'}\n{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": \"x\"\n}\n{'k': [1, 'two'], 'n': None}\nk:\n- 1\n- two\nn: null\n['c.json', 'c.yaml']\n[3, 2, 1]\n[('a', 4), ('b', 1), ('c', 2)]\ndefaultdict(<class 'list'>, {'x': [1]})\nP(x=1, y=2) True\nsub True True\nos.error\n['a', 'b']\n'a,\"b,c\",\"say \"\"hi\"\"\",3\\r\\n1,2,3,4\\r\\n'\n[['a', 'b,c', 'say \"hi\"', '3'], ['1', '2', '3', '4']]\n[{'sample': 'A', 'unit': '1'}]\n"),
        ])
    }

    func testReSyntax() {
        checkOutputs([
            ("import re\nprint(re.findall(r'{(\\w+)}', 'results/{sample}/{unit}.bam'))\nprint(re.findall(r'[\\w.-]+', 'a-b.c d_e'), re.findall(r'[a-z-]+', 'ab-c D'), re.findall(r'[]a]', ']a'))\nprint(bool(re.search(r'\\.(?:fq|fastq)(?:\\.gz)?$', 'x.fastq.gz')), re.sub(r'\\s+', ' ', ' a \\t b\\n'))\nprint(re.split(r'[,;]\\s*', 'a, b;c'), re.findall(r'(?i)ABC', 'abc AbC'), re.findall(r'a{2,}', 'a aa aaa'))\nprint(re.sub(r'(?P<x>a)|b', lambda m: m.group('x') or 'B', 'abab'))\nprint(re.findall(r'\\bfoo\\b', 'foo foobar foo.'), re.findall(r'^\\s*#.*$', '# c\\nx\\n  # d', re.M))\nprint(re.match(r'(a)|(b)', 'b').groups(), re.match(r'(a)|(b)', 'b').lastindex)\nprint(re.sub(r'(\\d+)', r'<\\1>', 'a1b22'), re.sub('a', r'\\\\', 'aXa'), re.subn(r'x', '-', 'xyx', count=1))\nprint(re.findall(r'(\\w)=(\\d)', 'a=1 b=2'), re.fullmatch(r'\\d+', '12a'))\nprint(re.compile(r'(?P<first>\\w+) (?P<last>\\w+)').sub(r'\\g<last>, \\g<first>', 'John Smith'))\nprint([m.span() for m in re.finditer(r'é|😀', 'aé😀é')])\nprint(re.split(r'(\\d)', 'a1b2c', maxsplit=1), re.split(r'\\s', 'a b  c'))\nprint(re.escape('results/{sample}.txt'))\n",
             "['sample', 'unit']\n['a-b.c', 'd_e'] ['ab-c'] [']', 'a']\nTrue  a b \n['a', 'b', 'c'] ['abc', 'AbC'] ['aa', 'aaa']\naBaB\n['foo', 'foo'] ['# c', '  # d']\n(None, 'b') 2\na<1>b<22> \\X\\ ('-yx', 1)\n[('a', '1'), ('b', '2')] None\nSmith, John\n[(1, 2), (2, 3), (3, 4)]\n['a', '1', 'b2c'] ['a', 'b', '', 'c']\nresults/\\{sample\\}\\.txt\n"),
        ])
    }

}
