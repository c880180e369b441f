/**
 * Ports of sacreBLEU's tokenisers (`sacrebleu/tokenizers/tokenizer_13a.py`, `tokenizer_re.py`,
 * `tokenizer_intl.py`, `tokenizer_char.py`). The regexes are copied character for character so
 * that BLEU scores agree with sacreBLEU's; do not "improve" them.
 */

/** Names of the tokenisers `corpusBleu` accepts (sacreBLEU's `tokenize=` values we support). */
export type BleuTokenizerName = '13a' | 'intl' | 'char' | 'none';

/**
 * Python's `str.split()` / `str.strip()` whitespace set. JavaScript's `\s` differs (it has
 * U+FEFF but lacks U+001C–U+001F and U+0085), and a single differing character changes token
 * counts, so we spell Python's set out.
 */
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_RUN = new RegExp(`[${PY_WS}]+`, 'g');
const PY_WS_TRAILING = new RegExp(`[${PY_WS}]+$`);

/** Python's `s.split()`: split on runs of whitespace, dropping empty pieces. */
export function pySplit(s: string): string[] {
  return s.split(PY_WS_RUN).filter((t) => t.length > 0);
}

/** Python's `s.rstrip()`. */
export function pyRstrip(s: string): string {
  return s.replace(PY_WS_TRAILING, '');
}

// tokenizer_re.py, in order. `[\{-\~\[-\` -\&\(-\+\:-\@\/]` is ranges {-~, [-`, space-&, (-+, :-@ and /.
const RE_13A: ReadonlyArray<readonly [RegExp, string]> = [
  [/([\{-\~\[-\` -\&\(-\+\:-\@\/])/g, ' $1 '],
  // period and comma unless preceded by a digit
  [/([^0-9])([\.,])/g, '$1 $2 '],
  // period and comma unless followed by a digit
  [/([\.,])([^0-9])/g, ' $1 $2'],
  // dash when preceded by a digit
  [/([0-9])(-)/g, '$1 $2 '],
];

/** sacreBLEU's `13a` tokeniser (mteval-v13a.pl): unescape a few entities, split punctuation. */
export function tokenize13a(input: string): string {
  // split/join rather than replaceAll keeps this identical to Python's str.replace semantics
  let line = input;
  line = line.split('<skipped>').join('');
  line = line.split('-\n').join('');
  line = line.split('\n').join(' ');
  if (line.includes('&')) {
    line = line.split('&quot;').join('"');
    line = line.split('&amp;').join('&');
    line = line.split('&lt;').join('<');
    line = line.split('&gt;').join('>');
  }
  line = ` ${line} `;
  for (const [re, repl] of RE_13A) line = line.replace(re, repl);
  return pySplit(line).join(' ');
}

const RE_INTL: ReadonlyArray<readonly [RegExp, string]> = [
  // punctuation preceded by a non-digit
  [/(\P{N})(\p{P})/gu, '$1 $2 '],
  // punctuation followed by a non-digit
  [/(\p{P})(\P{N})/gu, ' $1 $2'],
  // symbols
  [/(\p{S})/gu, ' $1 '],
];

/** sacreBLEU's `intl` tokeniser (mteval-v14.pl international): split Unicode punctuation and symbols. */
export function tokenizeIntl(input: string): string {
  let line = input;
  for (const [re, repl] of RE_INTL) line = line.replace(re, repl);
  return pySplit(line).join(' ');
}

/** sacreBLEU's `char` tokeniser: every code point is a token (whitespace disappears on split). */
export function tokenizeChar(input: string): string {
  return Array.from(input).join(' ');
}

/** Returns the tokeniser function for a name. */
export function getBleuTokenizer(name: BleuTokenizerName): (line: string) => string {
  switch (name) {
    case '13a':
      return tokenize13a;
    case 'intl':
      return tokenizeIntl;
    case 'char':
      return tokenizeChar;
    case 'none':
      return (line) => line;
  }
}
