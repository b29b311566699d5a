import http from 'node:http';
import fc from 'fast-check';

/** One operation of the OpenAPI document, as the fuzzer sees it. */
export interface RouteSpec {
  method: string;
  /** Path template with `{param}` placeholders, as the document names it. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** A plausible JSON body of the required fields, from the request schema's examples (null: the route takes none). */
  sampleBody: Record<string, unknown> | null;
  /** Examples of the optional fields, added one at a time. */
  optionalFields: Record<string, unknown>;
  multipart: boolean;
}

export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Which generator made it, for the failure report. */
  label: string;
}

type Schema = { $ref?: string; type?: string; required?: string[]; properties?: Record<string, Schema>; example?: unknown; items?: Schema; enum?: unknown[]; allOf?: Schema[] };
type OpenApiDoc = {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
};

/**
 * Every operation of the Swagger document. The Cloud API facade's routes are documented under
 * `/cloud-api/…`; each is also listed under Meta's versioned path (`/v21.0/…`), which is how
 * Graph clients call them, so both spellings go through the facade's routing.
 */
export function routesOf(doc: OpenApiDoc): RouteSpec[] {
  const routes: RouteSpec[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const schema = content['application/json']?.schema;
      const route: RouteSpec = {
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
        sampleBody: schema ? (sample(schema, doc, 0, true) as Record<string, unknown>) : content['multipart/form-data'] ? {} : null,
        optionalFields: schema ? (sample(schema, doc, 0, false) as Record<string, unknown>) : {},
        multipart: Boolean(content['multipart/form-data']),
      };
      routes.push(route);
      if (path.startsWith('/cloud-api/')) routes.push({ ...route, path: path.replace(/^\/cloud-api/, '/v21.0') });
    }
  }
  return routes;
}

function sample(schema: Schema, doc: OpenApiDoc, depth: number, requiredOnly?: boolean): unknown {
  if (depth > 6) return null;
  if (schema.$ref) return sample(doc.components?.schemas?.[schema.$ref.split('/').pop()!] ?? {}, doc, depth + 1, requiredOnly);
  if (schema.allOf?.length) return sample(schema.allOf[0], doc, depth + 1, requiredOnly);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      return 'x';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return schema.items ? [sample(schema.items, doc, depth + 1)] : [];
    default: {
      const out: Record<string, unknown> = {};
      // At the top level: the required fields, or (requiredOnly false) the optional ones.
      const required = new Set(schema.required ?? []);
      for (const [k, v] of Object.entries(schema.properties ?? {})) {
        if (requiredOnly !== undefined && required.has(k) !== requiredOnly) continue;
        if (v.type === 'string' && (v as { format?: string }).format === 'binary') continue;
        out[k] = sample(v, doc, depth + 1);
      }
      return out;
    }
  }
}

const BOUNDARY = 'fuzzboundary7MA4YWxkTrZu0gW';
/** A 1×1 PNG. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Text that is spliced into the JSON body as it is (numbers JSON cannot carry as JS values). */
const RAW = (text: string) => `\u0001RAW:${text}\u0001`;

/** Strings that have broken, or are known to break, request handling somewhere. */
export const hostileStrings: string[] = [
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '\udc00\ud800',
  '日本語',
  '😀',
  'é',
  '%zz',
  '%',
  '%00',
  '%ED%A0%80',
  '%E6%97%A5',
  '9999999999d',
  '-1',
  '0',
  '1.5',
  '99999999999999999999999',
  '1e309',
  'NaN',
  '',
  ' ',
  '../../etc/passwd',
  "'; DROP TABLE message; --",
  '\r\nX-Injected: 1',
  '"quoted"\\',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'qr_0_00000000',
  '00000000-0000-0000-0000-000000000000',
  'http://127.0.0.1/x',
  'http://[::127.0.0.1]/x.png',
  'data:image/png;base64,AAAA',
  '919846303025',
  'a'.repeat(70_000),
];

function arbitraries(extra: string[], valid: Record<string, string[]>) {
  const hostileString = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...hostileStrings, ...extra) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );

  const deepArray = (n: number) => RAW('['.repeat(n) + ']'.repeat(n));
  const deepObject = (n: number) => RAW('{"a":'.repeat(n) + '1' + '}'.repeat(n));

  /** Any JSON value a hostile client might put where the API expects something else. */
  const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 6, arbitrary: hostileString },
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        null,
        true,
        false,
        0,
        -1,
        1.5,
        2 ** 53 + 2,
        -(2 ** 63),
        1e308,
        RAW('1e400'),
        RAW('-1e400'),
        RAW('123456789012345678901234567890'),
        [],
        {},
        [null],
        ['\u0000'],
        { '\u0000': 1 },
        RAW('{"__proto__":1}'),
        deepArray(20),
        deepArray(5_000),
        deepObject(5_000),
      ),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j) as unknown) },
  );

  /** A body: the route's sample with some fields made hostile, or something else entirely. */
  function bodyFor(route: RouteSpec): fc.Arbitrary<{ text: string; label: string }> {
    const base = validBody(route, valid);
    const keys = [...Object.keys(base), ...Object.keys(route.optionalFields)];
    const mutated = fc
      .record({
        fields: fc.uniqueArray(fc.constantFrom(...(keys.length ? keys : ['x'])), { minLength: 1, maxLength: Math.max(1, Math.min(3, keys.length)) }),
        values: fc.array(hostileValue, { minLength: 3, maxLength: 3 }),
        extra: fc.option(fc.tuple(hostileString, hostileValue), { freq: 5 }),
      })
      .map(({ fields, values, extra }) => {
        const body: Record<string, unknown> = { ...base };
        fields.forEach((f, i) => (body[f] = values[i]));
        if (extra) body[extra[0]] = extra[1];
        return { text: serialize(body), label: `fields ${fields.join(',')}` };
      });
    const whole = fc.oneof(
      hostileValue.map((v) => ({ text: serialize(v), label: 'hostile json' })),
      fc.constantFrom(
        { text: '{', label: 'truncated json' },
        { text: '{"a":1}garbage', label: 'trailing garbage' },
        { text: '[' .repeat(100_000), label: 'unterminated deep array' },
        { text: '{"a":"\\u0000"}', label: 'escaped NUL' },
        { text: '{"a":"\\ud800"}', label: 'escaped lone surrogate' },
        { text: '{"__proto__":{"isAdmin":true}}', label: 'proto key' },
        { text: '', label: 'empty body' },
      ),
    );
    return fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: whole });
  }



  /** A path or query value: encoded, or raw when it is already an escape sequence the server must decode. */
  const pathValue = (valid: string[]) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(...valid) },
      { weight: 5, arbitrary: hostileString.map((s) => (/^%/.test(s) ? s : encodeLoose(s))) },
      { weight: 1, arbitrary: fc.constantFrom('%zz', '%00', '%ED%A0%80', '%C3%A9', '%E6%97%A5', 'é', '..', '.', '%2F') },
    );

  function queryFor(route: RouteSpec): fc.Arbitrary<string> {
    const names = [...route.queryParams, 'page', 'limit', 'access_token', 'x'];
    const pair = fc.tuple(
      fc.constantFrom(...names),
      fc.oneof(
        pathValue(['1', '2', '50']),
        fc.constantFrom('99999999999999999999', '9223372036854775808', '-9223372036854775809', '1e9', '-5', '0x10', '', '1,2', '[]', 'true'),
      ),
    );
    return fc.oneof(
      fc.array(pair, { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
      // The same parameter more than once (Express then hands the handler an array).
      fc.tuple(fc.constantFrom(...names), fc.constantFrom('1', '2', 'x')).map(([k, v]) => `${k}=${v}&${k}=${v}&${k}[]=${v}`),
      fc.constantFrom('page[a]=1', 'page[]=1', 'limit[0]=1&limit[1]=2', '%zz=1', 'a=%zz', '&&&', '=', 'page=1&page=2'),
    );
  }
  return { hostileString, bodyFor, pathValue, queryFor };
}

/**
 * Requests against every route: hostile path parameters, query strings, headers and bodies.
 * `valid` holds ids that exist (a session, a message), so some requests get past the lookups.
 */
export function hostileRequest(routes: RouteSpec[], valid: Record<string, string[]>, token: string, extraStrings: string[] = []): fc.Arbitrary<HostileRequest> {
  const { hostileString, bodyFor, pathValue, queryFor } = arbitraries(extraStrings, valid);
  // Header values as Node's client lets them through (Latin-1, no CR/LF).
  const headerValue = hostileString.filter((s) => /^[\t\x20-\x7e\x80-\xff]*$/.test(s) && s.length < 1000);
  /** A multipart body: the route's fields with hostile values and a file with a hostile name. */
  const multipartBody = (route: RouteSpec) =>
    fc
      .record({
        fields: fc.array(fc.tuple(fc.constantFrom(...Object.keys({ ...route.sampleBody, ...route.optionalFields, type: 1, messaging_product: 1 })), hostileString), { maxLength: 4 }),
        fileName: fc.option(hostileString, { freq: 6 }),
        file: fc.constantFrom('png', 'empty', 'text', 'binary'),
      })
      .map(({ fields, fileName, file }) => {
        const base = { ...validBody(route, valid), messaging_product: 'whatsapp', type: 'image' };
        const all = [...Object.entries(base).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]), ...fields];
        const content = { png: TINY_PNG, empty: Buffer.alloc(0), text: Buffer.from('hello\u0000'), binary: Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2]) }[file];
        return { body: multipart(all, fileName ?? 'photo.png', content), label: `${fields.map(([k]) => k).join(',')} file ${file}` };
      });
  return fc.constantFrom(...routes).chain((route) =>
    fc
      .record({
        params: fc.tuple(...route.pathParams.map((p) => pathValue(valid[p] ?? valid.id ?? ['x']))),
        query: fc.option(queryFor(route), { freq: 2 }),
        body: bodyFor(route),
        auth: fc.oneof({ weight: 12, arbitrary: fc.constant('admin') }, { weight: 1, arbitrary: fc.constantFrom('none', 'garbage', 'latin1', 'query') }),
        contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
        idempotency: fc.option(headerValue, { freq: 4 }),
        requestId: fc.option(headerValue, { freq: 6 }),
        lastEventId: fc.option(headerValue, { freq: 8 }),
        multipart: route.multipart ? fc.option(multipartBody(route), { freq: 2 }) : fc.constant(null),
      })
      .map(({ params, query, body, auth, contentType, idempotency, requestId, lastEventId, multipart }) => {
        let path = route.path;
        route.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, params[i] || 'x')));
        let q = query ?? '';
        const headers: Record<string, string> = {};
        if (auth === 'admin') headers.authorization = `Bearer ${token}`;
        if (auth === 'garbage') headers.authorization = 'Bearer \u00e9\u00ff%zz';
        if (auth === 'latin1') headers['x-api-key'] = 'cl\u00e9';
        if (auth === 'query') q = `${q}${q ? '&' : ''}access_token=${encodeLoose(token)}`;
        if (idempotency) headers['idempotency-key'] = idempotency;
        if (requestId) headers['x-request-id'] = requestId;
        if (lastEventId) headers['last-event-id'] = lastEventId;
        if (multipart) {
          headers['content-type'] = `multipart/form-data; boundary=${BOUNDARY}`;
          return { method: route.method, path: `${path}${q ? `?${q}` : ''}`, headers, body: multipart.body, label: `${route.method} ${route.path} [multipart ${multipart.label}]` };
        }
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        if (hasBody) headers['content-type'] = contentType;
        const form = contentType.startsWith('application/x-www-form-urlencoded');
        const text = form ? `a=%zz&b=\u0000&c[d][e]=1&${'x[]=1&'.repeat(10)}` : body.text;
        return {
          method: route.method,
          path: `${path}${q ? `?${q}` : ''}`,
          headers,
          body: hasBody ? Buffer.from(text, 'utf8') : undefined,
          label: `${route.method} ${route.path} [${form ? 'form' : body.label}]`,
        };
      }),
  );
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** Sends a request as raw as Node's client allows; answers the status (0: no answer in time). */
export function send(baseUrl: string, r: HostileRequest, timeoutMs = 15_000): Promise<{ status: number; body: string }> {
  const base = new URL(baseUrl);
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request(
        { host: base.hostname, port: base.port, method: r.method, path: r.path, headers: { ...r.headers, ...(r.body ? { 'content-length': String(r.body.length) } : {}) }, agent },
        (res) => {
          const chunks: Buffer[] = [];
          // Event streams never end: the status is all that matters.
          if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
            res.destroy();
            return resolve({ status: res.statusCode ?? 0, body: '' });
          }
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 500) }));
          res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }));
        },
      );
    } catch (err) {
      // The client itself refused the request (an invalid header or path): nothing was sent.
      return resolve({ status: -1, body: String(err) });
    }
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: String(err) }));
    req.end(r.body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

function serialize(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => v).replace(/"\\u0001RAW:(.*?)\\u0001"/g, (_m, raw: string) => JSON.parse(`"${raw}"`) as string);
}

/** Percent-encodes like a lax client would: lone surrogates become the bytes a CESU encoder writes. */
function encodeLoose(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += '%ED%' + (0xa0 + ((code >> 6) & 0x1f)).toString(16).toUpperCase() + '%' + (0x80 + (code & 0x3f)).toString(16).toUpperCase();
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** Values that each known class of bad input puts in a JSON field. */
const DIRECTED_VALUES: [string, string][] = [
  ['NUL', '"a\\u0000b"'],
  ['lone surrogate', '"x\\ud800y"'],
  ['null', 'null'],
  ['deep array', '['.repeat(5_000) + ']'.repeat(5_000)],
  ['deep object', '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)],
  ['huge number', '123456789012345678901234567890'],
  ['overflowing number', '1e400'],
  ['bad duration', '"9999999999d"'],
  ['object', '{"x":1}'],
  ['array', '["\\u0000"]'],
  ['non-Latin-1', '"日本語😀"'],
  ['percent escapes', '"%zz%00%ED%A0%80"'],
];
const DIRECTED_PATH = ['%00', '%zz', '%ED%A0%80', '%E6%97%A5', 'a%00b', '%F0%9F%98%80', 'x'.repeat(300)];
const DIRECTED_QUERY = ['1&{name}=2', '99999999999999999999', '-1', '1.5', '%zz', '%00', '%ED%A0%80', '', '9223372036854775808'];

/**
 * Every route × every known class of bad input, one field or parameter at a time while the
 * rest of the request stays valid, so each class reaches each handler's deepest code.
 */
export function directedRequests(routes: RouteSpec[], valid: Record<string, string[]>, token: string, mediaUrls: string[]): HostileRequest[] {
  const out: HostileRequest[] = [];
  const auth = { authorization: `Bearer ${token}` };
  for (const route of routes) {
    const fill = (overrides: Record<string, string> = {}) => {
      let path = route.path;
      for (const p of route.pathParams) path = path.replace(`{${p}}`, overrides[p] ?? (valid[p] ?? valid.id ?? ['x'])[0]);
      return path;
    };
    const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
    const sample = validBody(route, valid);
    const base = JSON.stringify(sample);
    const json = (text: string, label: string, path = fill()): HostileRequest => ({
      method: route.method,
      path,
      headers: { ...auth, ...(hasBody ? { 'content-type': 'application/json' } : {}) },
      body: hasBody ? Buffer.from(text, 'utf8') : undefined,
      label: `${route.method} ${route.path} [${label}]`,
    });
    if (hasBody) {
      for (const key of [...Object.keys(route.sampleBody ?? {}), ...Object.keys(route.optionalFields)]) {
        for (const [name, value] of DIRECTED_VALUES) {
          const body = { ...sample, [key]: '\u0001V\u0001' };
          out.push(json(JSON.stringify(body).replace('"\\u0001V\\u0001"', value), `${key}: ${name}`));
        }
      }
      for (const [name, value] of DIRECTED_VALUES) out.push(json(value, `body: ${name}`));
      out.push(json(`{"a":"\\ud800"}`, 'unknown key, lone surrogate'));
    }
    if (route.multipart) {
      // Multipart fields carry JSON as text: every class again, as a field's raw value.
      const base = { ...sample, messaging_product: 'whatsapp', type: 'image' };
      for (const key of [...Object.keys(base), ...Object.keys(route.optionalFields)]) {
        for (const [name, value] of DIRECTED_VALUES) {
          const fields = Object.entries({ ...base, [key]: value }).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]);
          out.push({
            method: route.method,
            path: fill(),
            headers: { ...auth, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
            body: multipart(fields, `${name}.png`, TINY_PNG),
            label: `${route.method} ${route.path} [multipart ${key}: ${name}]`,
          });
        }
      }
    }
    for (const p of route.pathParams) for (const v of DIRECTED_PATH) out.push(json(base, `${p}: ${v.slice(0, 12)}`, fill({ [p]: v })));
    for (const q of [...route.queryParams, 'page', 'limit']) {
      for (const v of DIRECTED_QUERY) out.push(json(base, `?${q}=${v.slice(0, 12)}`, `${fill()}?${q}=${v.replace('{name}', q)}`));
      out.push(json(base, `?${q}[]`, `${fill()}?${q}[]=1&${q}[a]=2`));
    }
    if (route.method === 'POST' && /\/(messages\/send|messages)$/.test(route.path)) {
      const native = route.path === '/api/messages/send';
      for (const url of mediaUrls) {
        const body = native ? { ...sample, type: 'image', text: undefined, url } : { messaging_product: 'whatsapp', to: '919846303025', type: 'image', image: { link: url } };
        out.push(json(JSON.stringify(body), `media url ${url.replace(/^http:\/\/[^/]+/, '')}`));
        if (native) out.push(json(JSON.stringify({ ...body, type: 'document', url, fileName: undefined }), `document url ${url.replace(/^http:\/\/[^/]+/, '')}`));
      }
    }
  }
  return out;
}

/** The route's sample body with ids that exist (a session) where the sample names a field so. */
function validBody(route: RouteSpec, valid: Record<string, string[]>): Record<string, unknown> {
  const body: Record<string, unknown> = { ...(route.sampleBody ?? {}) };
  for (const key of Object.keys(body)) if (valid[key] && key !== 'id') body[key] = valid[key][0];
  return body;
}

/** A multipart/form-data body (boundary BOUNDARY): text fields, then one `file` part. */
function multipart(fields: [string, string][], fileName: string, content: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of fields) parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`, 'utf8'));
  const name = fileName.replace(/"/g, '%22');
  parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`, 'utf8'), content, Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}
