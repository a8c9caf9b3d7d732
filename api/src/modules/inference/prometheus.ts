/**
 * Just enough of Prometheus' text exposition format (0.0.4) to read a few metrics: each sample
 * line is `name{label="value",…} value [timestamp]`; comments and blank lines are skipped, but a
 * metric declared by `# TYPE` counts as 0 until it has samples. Label values may hold spaces,
 * braces and escaped quotes.
 */
export function sumSamples(text: string, names: readonly string[]): Map<string, number> {
  const wanted = new Set(names);
  const sums = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('# TYPE ')) {
      // A declared metric with no sample yet (labelled, never set) is 0, not unknown.
      const name = line.split(/\s+/)[2]!;
      if (wanted.has(name) && !sums.has(name)) sums.set(name, 0);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    let i = 0;
    while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
    const name = line.slice(0, i);
    if (!wanted.has(name)) continue;
    if (line[i] === '{') {
      // Past the labels: the closing brace outside a quoted value.
      let quoted = false;
      for (i++; i < line.length; i++) {
        const c = line[i];
        if (quoted && c === '\\') i++;
        else if (c === '"') quoted = !quoted;
        else if (c === '}' && !quoted) break;
      }
      i++;
    }
    const value = Number(line.slice(i).trim().split(/\s+/)[0]);
    if (!Number.isFinite(value)) continue;
    sums.set(name, (sums.get(name) ?? 0) + value);
  }
  return sums;
}
