/**
 * Issue 15, item 6: an editor that opens pipeline.yaml finds the schema. Runs the real
 * `yaml-language-server` (the one VS Code's YAML extension, Neovim and Helix use) over LSP on
 * stdio, opens pipeline.yaml with a misspelt key and a wrong type, and reads its diagnostics.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = join(dirname(createRequire(import.meta.url).resolve('yaml-language-server/package.json')), 'bin/yaml-language-server');

interface Diagnostic { message: string; range: { start: { line: number } } }

/** A minimal LSP client: Content-Length framing, requests by id, notifications to a listener. */
class LspClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private pending = new Map<number, (result: unknown) => void>();
  readonly diagnostics = new Map<string, Diagnostic[]>();
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcessWithoutNullStreams, private settings: unknown) {
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString()) as { id?: number; method?: string; params?: unknown; result?: unknown };
      this.buffer = this.buffer.subarray(end + 4 + length);
      this.onMessage(msg);
    }
  }

  private onMessage(msg: { id?: number; method?: string; params?: unknown; result?: unknown }): void {
    if (msg.method === 'textDocument/publishDiagnostics') {
      const p = msg.params as { uri: string; diagnostics: Diagnostic[] };
      this.diagnostics.set(p.uri, p.diagnostics);
      for (const w of this.waiters.splice(0)) w();
    } else if (msg.method === 'workspace/configuration' && msg.id !== undefined) {
      const items = (msg.params as { items: { section?: string }[] }).items;
      this.send({ id: msg.id, result: items.map((i) => (i.section === 'yaml' ? this.settings : null)) });
    } else if (msg.method !== undefined && msg.id !== undefined) {
      this.send({ id: msg.id, result: null }); // registerCapability and the like
    } else if (msg.id !== undefined) {
      this.pending.get(msg.id)?.(msg.result);
      this.pending.delete(msg.id);
    }
  }

  send(msg: object): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
    this.child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((res) => {
      this.pending.set(id, res);
      this.send({ id, method, params });
    });
  }

  /** Resolves with the diagnostics of `uri` once some with a message matching `until` arrive. */
  async diagnosticsFor(uri: string, until: RegExp, timeoutMs = 30_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const d = this.diagnostics.get(uri);
      if (d?.some((x) => until.test(x.message))) return d;
      if (Date.now() > deadline) return d ?? [];
      await new Promise<void>((res) => {
        this.waiters.push(res);
        setTimeout(res, 500);
      });
    }
  }
}

async function start(settings: unknown): Promise<LspClient> {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  const client = new LspClient(child, settings);
  await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(REPO).href, capabilities: { workspace: { configuration: true } }, workspaceFolders: [{ uri: pathToFileURL(REPO).href, name: 'seqlab' }] });
  client.send({ method: 'initialized', params: {} });
  client.send({ method: 'workspace/didChangeConfiguration', params: { settings: { yaml: settings } } });
  return client;
}

/** pipeline.yaml as it is, with `outs` of the first stage misspelt and its `desc` a mapping. */
async function brokenPipeline(dropModeline: boolean): Promise<{ text: string; outzLine: number; descLine: number }> {
  let text = await readFile(join(REPO, 'pipeline.yaml'), 'utf8');
  if (dropModeline) text = text.replace(/^# yaml-language-server:.*\n/, '');
  const lines = text.split('\n');
  const stages = lines.indexOf('stages:');
  const outzLine = lines.findIndex((l, i) => i > stages && /^ {4}outs:/.test(l));
  const descLine = lines.findIndex((l, i) => i > stages && /^ {4}desc:/.test(l));
  lines[outzLine] = lines[outzLine]!.replace('outs:', 'outz:');
  lines[descLine] = '    desc: { not: a string }';
  return { text: lines.join('\n'), outzLine, descLine };
}

describe('pipeline.yaml in an editor (the real yaml-language-server over LSP)', () => {
  let client: LspClient | undefined;
  afterEach(() => {
    client?.child.kill();
    client = undefined;
  });

  for (const via of ['the modeline in pipeline.yaml', 'the schema mapping of .vscode/settings.json'] as const) {
    it(`reports a misspelt key and a wrong type, found through ${via}`, async () => {
      const vscode = JSON.parse(await readFile(join(REPO, '.vscode/settings.json'), 'utf8')) as { 'yaml.schemas': Record<string, string[]> };
      const fromSettings = via !== 'the modeline in pipeline.yaml';
      // VS Code resolves the settings' relative schema paths against the workspace; so does this.
      const schemas = fromSettings ? Object.fromEntries(Object.entries(vscode['yaml.schemas']).map(([k, v]) => [pathToFileURL(join(REPO, k)).href, v])) : {};
      client = await start({ validate: true, schemas, schemaStore: { enable: false } });
      const { text, outzLine, descLine } = await brokenPipeline(fromSettings);
      const uri = pathToFileURL(join(REPO, 'pipeline.yaml')).href;
      client.send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text } } });
      const diags = await client.diagnosticsFor(uri, /outz/);
      const at = (line: number) => diags.filter((d) => d.range.start.line === line).map((d) => d.message);
      expect(at(outzLine).join('\n')).toMatch(/Property outz is not allowed/);
      expect(at(descLine).join('\n')).toMatch(/Incorrect type\. Expected "string"/);
      // Nothing else in the real file is flagged: the schema and the file agree.
      expect(diags.filter((d) => d.range.start.line !== outzLine && d.range.start.line !== descLine)).toEqual([]);
    }, 60_000);
  }
});
