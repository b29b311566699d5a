/** One sample of a Prometheus text exposition: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  /** The value of the one sample matching name and labels (a subset), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The sum over samples of `name` matching `labels` (0 when none). */
  sum(name: string, labels?: Record<string, string>): number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|[Nn]a[Nn]|\\+Inf|-Inf))(?: -?[0-9]+)?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/;

/**
 * Parses the Prometheus text format (0.0.4) strictly: every line is a HELP, a TYPE or a sample
 * of a family whose TYPE came before; anything else throws with the line.
 */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || HELP.test(line)) continue;
    const type = TYPE.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a Prometheus text line: ${JSON.stringify(line)}`);
    const [, name, rawLabels = '', rawValue] = m;
    const family = [...types.keys()].find((f) => name === f || (/_(bucket|sum|count|total|created)$/.test(name) && name.replace(/_(bucket|sum|count|total|created)$/, '') === f));
    if (!family) throw new Error(`sample before its # TYPE: ${line}`);
    const labels: Record<string, string> = {};
    let rest = rawLabels;
    while (rest.length) {
      const l = LABEL.exec(rest);
      if (!l) throw new Error(`bad labels in ${JSON.stringify(line)}`);
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      rest = rest.slice(l[0].length);
    }
    // prom-client writes NaN as `Nan`; Prometheus parses it case-insensitively.
    const value = rawValue === '+Inf' ? Infinity : rawValue === '-Inf' ? -Infinity : /^nan$/i.test(rawValue) ? NaN : Number(rawValue);
    samples.push({ name, labels, value });
  }
  const matching = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    value: (name, labels) => {
      const found = matching(name, labels);
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
    sum: (name, labels) => matching(name, labels).reduce((a, s) => a + s.value, 0),
  };
}
