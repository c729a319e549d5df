/**
 * A small client for the local control plane that scripts/cluster/run.sh starts (kube-apiserver on
 * 127.0.0.1, a bearer token, the server's self-signed certificate). Only what the cluster tests need:
 * discovery, server-side apply (dry run or real), get, delete, and polling.
 *
 * run.sh exports TEST_CLUSTER_SERVER, TEST_CLUSTER_TOKEN and TEST_CLUSTER_CA_FILE; without them
 * `KubeClient.fromEnv()` returns undefined.
 */
import * as fs from 'fs';
import * as https from 'https';

/** Where an object kind lives in the API. */
export interface ResourceInfo {
  readonly plural: string;
  readonly namespaced: boolean;
}

/** An error answer of the API server, with its message. */
export class ApiError extends Error {
  constructor(public readonly status: number, message: string, public readonly body: any) {
    super(message);
  }
}

export class KubeClient {
  /** The client of the control plane run.sh started, or undefined when none was started. */
  public static fromEnv(): KubeClient | undefined {
    const server = process.env.TEST_CLUSTER_SERVER;
    if (!server) return undefined;
    return new KubeClient(server, process.env.TEST_CLUSTER_TOKEN ?? '', fs.readFileSync(process.env.TEST_CLUSTER_CA_FILE!, 'utf8'));
  }

  private readonly agent: https.Agent;
  private readonly discovery = new Map<string, Promise<Map<string, ResourceInfo>>>();

  constructor(private readonly server: string, private readonly token: string, ca: string) {
    // Keep-alive: a TLS handshake per request cost the API server more CPU than the requests. Node
    // unreferences idle pooled sockets, so they do not keep jest's process alive after the tests.
    this.agent = new https.Agent({ ca, keepAlive: true, maxSockets: 8 });
  }

  /** One request; resolves with the decoded body, rejects with an ApiError for status >= 300. */
  public request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, this.server), {
        method,
        agent: this.agent,
        timeout: 30_000,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/json',
          ...(data === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) }),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any = text;
          try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
          if ((res.statusCode ?? 0) >= 300) {
            reject(new ApiError(res.statusCode ?? 0, parsed?.message ?? text, parsed));
          } else {
            resolve(parsed);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on('error', reject);
      if (data !== undefined) req.write(data);
      req.end();
    });
  }

  /** The resource of `kind` in `apiVersion`, from the server's discovery (cached per group version). */
  public async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let found = this.discovery.get(apiVersion);
    if (!found) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.request('GET', path).then((list) => new Map<string, ResourceInfo>(
        (list.resources as any[]).filter((r) => !r.name.includes('/')).map((r) => [r.kind, { plural: r.name, namespaced: r.namespaced }]),
      ));
      found.catch(() => this.discovery.delete(apiVersion));
      this.discovery.set(apiVersion, found);
    }
    const info = (await found).get(kind);
    if (!info) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
    return info;
  }

  /** The URL path of one object (or of its collection when `name` is undefined). */
  public async path(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
    const info = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = info.namespaced ? `/namespaces/${namespace ?? 'default'}` : '';
    return `${base}${ns}/${info.plural}${name === undefined ? '' : `/${name}`}`;
  }

  /**
   * Server-side apply of one object, with strict field validation (an unknown or duplicated field is
   * an error, as it is for `kubectl apply --validate=strict`). With `dryRun` the server runs admission,
   * defaulting and validation (CRD schemas and CEL rules included) and stores nothing.
   */
  public async apply(obj: any, options: { dryRun?: boolean; namespace?: string } = {}): Promise<any> {
    const info = await this.resource(obj.apiVersion, obj.kind);
    const namespace = info.namespaced ? options.namespace ?? obj.metadata?.namespace ?? 'default' : undefined;
    const body = { ...obj, metadata: { ...obj.metadata, namespace } };
    const query = `fieldManager=release-strategies-tests&force=true&fieldValidation=Strict${options.dryRun ? '&dryRun=All' : ''}`;
    const path = await this.path(obj.apiVersion, obj.kind, namespace, obj.metadata?.name);
    return this.request('PATCH', `${path}?${query}`, body, 'application/apply-patch+yaml');
  }

  /** Reads one object; undefined when it does not exist. */
  public async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<any | undefined> {
    try {
      return await this.request('GET', await this.path(apiVersion, kind, namespace, name));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Lists objects of a kind in a namespace. */
  public async list(apiVersion: string, kind: string, namespace: string | undefined, labelSelector?: string): Promise<any[]> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    return (await this.request('GET', `${await this.path(apiVersion, kind, namespace)}${query}`)).items;
  }

  /** Merge-patches one object (or its status subresource). */
  public async mergePatch(apiVersion: string, kind: string, namespace: string | undefined, name: string, patch: unknown, subresource = ''): Promise<any> {
    const path = await this.path(apiVersion, kind, namespace, name);
    return this.request('PATCH', `${path}${subresource ? `/${subresource}` : ''}`, patch, 'application/merge-patch+json');
  }

  /**
   * Watches one object: calls `onChange` with every version the server sends (the current one first),
   * until the returned function is called.
   */
  public async watch(
    apiVersion: string, kind: string, namespace: string | undefined, name: string, onChange: (obj: any) => void,
  ): Promise<() => void> {
    const selector = encodeURIComponent(`metadata.name=${name}`);
    const path = `${await this.path(apiVersion, kind, namespace)}?watch=1&fieldSelector=${selector}&allowWatchBookmarks=false`;
    let buffer = '';
    const req = https.request(new URL(path, this.server), {
      agent: false,
      ca: this.agent.options.ca,
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' },
    }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim()) {
            const event = JSON.parse(line);
            if (event.type === 'ADDED' || event.type === 'MODIFIED') onChange(event.object);
          }
        }
      });
    });
    req.on('error', () => undefined); // ended by the caller
    req.end();
    return () => req.destroy();
  }

  /** Creates a namespace (no error when it exists). */
  public async createNamespace(name: string, labels: { [key: string]: string } = {}): Promise<void> {
    await this.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }

  /** Deletes a namespace and, in the background, everything in it. */
  public async deleteNamespace(name: string): Promise<void> {
    try {
      await this.request('DELETE', `/api/v1/namespaces/${name}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
}

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined; rejects with
 * `describe()` (the last state seen) after `timeoutMs`. A probe that throws is tried again.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, describe: () => string, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let error: unknown;
  for (;;) {
    // A request that fails (a busy server) is retried like a state that is not there yet.
    const value = await probe().catch((e) => { error = e; return undefined; });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${Math.round(timeoutMs / 1000)} s: ${describe()}${error ? ` (last error: ${error})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
