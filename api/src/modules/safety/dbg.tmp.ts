import { TERMS } from '../../../test/fixtures/safety-cases.js';
import { Matcher } from './matcher.js';
import { ReplyFilter, TermStream } from './stream.js';
const m = new Matcher(TERMS.map((t, i) => ({ id: String(i), term: t.term, level: t.level, category: t.category, wholeWord: t.wholeWord })));
const tokens = ["，s"," h"," i t ","yo","ur，","傻ｆｕｃｋ"];
const f = new ReplyFilter(new TermStream(m), []);
let out = '';
for (const t of tokens) { const r = f.push(t); console.log(JSON.stringify(t), '→', JSON.stringify(r.text)); out += r.text; }
const e = f.end(); out += e.text; console.log('end', JSON.stringify(e.text));
console.log(JSON.stringify(out), m.scan(out).hits.map(h => [h.term.term, out.slice(h.start, h.end)]));
const text = tokens.join(''); console.log('batch', JSON.stringify(m.apply(text).text), m.scan(text).hits.map(h => [h.term.term, text.slice(h.start, h.end)]));
