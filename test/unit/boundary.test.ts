// DESIGN.md rule 1, "The boundary is machine-checked": the `trove/boundary` lint rule (eslint-rules/boundary.js),
// case by case per layer, and then through the real eslint.config.js. See [Note: boundary].
import { join } from 'node:path';
import { ESLint, RuleTester, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { REPO as repoRoot } from '../helpers.js';

// Loaded by URL so that the typecheck does not need declarations for a plain-JS module.
const ruleUrl = new URL('../../eslint-rules/boundary.js', import.meta.url).href;
const { default: boundary } = (await import(ruleUrl)) as { default: Rule.RuleModule };

// Each valid and invalid case becomes its own Vitest test; RuleTester throws on failure.
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const ruleTester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
});

const file = (relPath: string) => join(repoRoot, relPath);

/** Cases that must pass, all linted as if they were the file at `relPath`. */
const allowed = (relPath: string, codes: string[]): RuleTester.ValidTestCase[] =>
  codes.map((code) => ({ code, filename: file(relPath) }));

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The message for `source` imported into `layer`, naming where it resolves when that is what is wrong. */
const refusal = (layer: string, source: string, target?: string) =>
  new RegExp(
    `^${escape(`${layer} must not import "${source}"${target === undefined ? '' : ` (it resolves to ${target})`}: `)}` +
      '\\S.* \\(DESIGN\\.md rule 1\\)$',
  );

/** Cases with one import that must be reported: a package or built-in (`target` absent) or by where it resolves. */
const refused = (
  layer: string,
  relPath: string,
  cases: Array<[code: string, source: string, target?: string]>,
): RuleTester.InvalidTestCase[] =>
  cases.map(([code, source, target]) => ({
    code,
    filename: file(relPath),
    errors: [{ message: refusal(layer, source, target) }],
  }));

describe('trove/boundary', () => {
  ruleTester.run('src/shared imports only src/shared', boundary, {
    valid: [
      ...allowed('src/shared/query.ts', [
        "import { ok } from './result.js';",
        "import type { Item } from './types.js';",
        "export * from './api.js';",
        "export { ErrorCode } from './errors.js';",
        "export type { Api } from './api.js';",
        "const m = await import('./query.js');",
        "import { x } from '../shared/types.js';",
        'const text = "node:fs"; export const n = text.length;',
      ]),
      ...allowed('src/shared/deep/nested.ts', ["import { ok } from '../result.js';", "import { a } from './b.js';"]),
    ],
    invalid: [
      {
        code: "import { readFileSync } from 'node:fs';",
        filename: file('src/shared/query.ts'),
        errors: [
          {
            message:
              'src/shared must not import "node:fs": it is pure TypeScript shared by every process (DESIGN.md rule 1)',
          },
        ],
      },
      ...refused('src/shared', 'src/shared/query.ts', [
        ["import fs from 'fs';", 'fs'],
        ["import { readFile } from 'fs/promises';", 'fs/promises'],
        ["import { join } from 'path';", 'path'],
        ["import { test } from 'node:test';", 'node:test'],
        ["import type { Stats } from 'node:fs';", 'node:fs'],
        ["export * from 'node:os';", 'node:os'],
        ["export { join } from 'node:path';", 'node:path'],
        ["const p = await import('node:path');", 'node:path'],
        ['const p = await import(`path`);', 'path'],
        ["const os = require('os');", 'os'],
        ["import fs = require('fs');", 'fs'],
        ["type Fs = typeof import('node:fs');", 'node:fs'],
        ["import { app } from 'electron';", 'electron'],
        ["import { z } from 'zod';", 'zod'],
        ["import { tokenize } from '@huggingface/tokenizers';", '@huggingface/tokenizers'],
        ["import { x } from '/abs/path.js';", '/abs/path.js'],
        ["import { Engine } from '../main/engine/index.js';", '../main/engine/index.js', 'src/main/engine/index.js'],
        ["export { Engine } from '../main/engine/index.js';", '../main/engine/index.js', 'src/main/engine/index.js'],
        ["import App from '../renderer/App.svelte';", '../renderer/App.svelte', 'src/renderer/App.svelte'],
        ["import { y } from '../shared-extra/y.js';", '../shared-extra/y.js', 'src/shared-extra/y.js'],
        ["import pkg from '../../package.json';", '../../package.json', 'package.json'],
      ]),
      {
        code: "import fs from 'node:fs';\nimport { ok } from './result.js';\nimport os from 'os';",
        filename: file('src/shared/query.ts'),
        errors: [
          { message: refusal('src/shared', 'node:fs'), line: 1 },
          { message: refusal('src/shared', 'os'), line: 3 },
        ],
      },
    ],
  });

  ruleTester.run('src/renderer imports src/renderer, src/shared and browser packages', boundary, {
    valid: allowed('src/renderer/lib/client.ts', [
      "import { mount } from 'svelte';",
      "import { writable } from 'svelte/store';",
      "import { something } from '@scope/browser-lib';",
      "import type { Api } from '../../shared/api.js';",
      "import { parseQuery } from '../../shared/query.js';",
      "import { state } from './state.svelte.js';",
      "import App from '../App.svelte';",
      "const view = await import('../views/Search.svelte');",
    ]),
    invalid: [
      {
        code: "import { ipcRenderer } from 'electron';",
        filename: file('src/renderer/App.svelte.ts'),
        errors: [{ message: /^src\/renderer must not import "electron": .* \(DESIGN\.md rule 1\)$/ }],
      },
      ...refused('src/renderer', 'src/renderer/lib/client.ts', [
        ["import { ipcRenderer } from 'electron/renderer';", 'electron/renderer'],
        ["import Database from 'better-sqlite3';", 'better-sqlite3'],
        ["import * as vec from 'sqlite-vec';", 'sqlite-vec'],
        ["import ort from 'onnxruntime-node';", 'onnxruntime-node'],
        ["import sharp from 'sharp';", 'sharp'],
        ["import { watch } from 'chokidar';", 'chokidar'],
        ["import { join } from 'node:path';", 'node:path'],
        ["import { join } from 'path';", 'path'],
        ["const fs = require('fs');", 'fs'],
        ["const e = await import('electron');", 'electron'],
        ["import { Engine } from '../../main/engine/index.js';", '../../main/engine/index.js', 'src/main/engine/index.js'],
        ["import { api } from '../../main/preload/index.js';", '../../main/preload/index.js', 'src/main/preload/index.js'],
        ["export * from '../../main/cli/format.js';", '../../main/cli/format.js', 'src/main/cli/format.js'],
        ["import pkg from '../../../package.json';", '../../../package.json', 'package.json'],
      ]),
    ],
  });

  ruleTester.run('src/main/engine imports no Electron and none of its front doors', boundary, {
    valid: allowed('src/main/engine/search/search.ts', [
      "import Database from 'better-sqlite3';",
      "import * as vec from 'sqlite-vec';",
      "import ort from 'onnxruntime-node';",
      "import sharp from 'sharp';",
      "import { watch } from 'chokidar';",
      "import { readFile } from 'node:fs/promises';",
      "import { join } from 'path';",
      "import { openStore } from '../store/index.js';",
      "import { hits } from './hits.js';",
      "import type { Api } from '../../../shared/api.js';",
      "import { Engine } from '../index.js';",
      "const { createRequire } = await import('node:module');",
    ]),
    invalid: refused('src/main/engine', 'src/main/engine/search/search.ts', [
      ["import { app } from 'electron';", 'electron'],
      ["import type { BrowserWindow } from 'electron';", 'electron'],
      ["import { utilityProcess } from 'electron/main';", 'electron/main'],
      ["const e = await import('electron');", 'electron'],
      ["const e = require('electron');", 'electron'],
      ["import { start } from '../../app/main.js';", '../../app/main.js', 'src/main/app/main.js'],
      ["import { api } from '../../preload/index.js';", '../../preload/index.js', 'src/main/preload/index.js'],
      ["import { serve } from '../../server/http.js';", '../../server/http.js', 'src/main/server/http.js'],
      ["import { main } from '../../cli/main.js';", '../../cli/main.js', 'src/main/cli/main.js'],
      ["export * from '../../cli/format.js';", '../../cli/format.js', 'src/main/cli/format.js'],
      ["import App from '../../../renderer/App.svelte';", '../../../renderer/App.svelte', 'src/renderer/App.svelte'],
    ]),
  });

  ruleTester.run('src/main/preload imports only electron, src/main/preload and src/shared', boundary, {
    valid: allowed('src/main/preload/index.ts', [
      "import { contextBridge, ipcRenderer } from 'electron';",
      "import { ipcRenderer } from 'electron/renderer';",
      "import type { Api } from '../../shared/api.js';",
      "import { operations } from '../../shared/dispatch.js';",
      "import { expose } from './expose.js';",
    ]),
    invalid: refused('src/main/preload', 'src/main/preload/index.ts', [
      ["import { readFileSync } from 'node:fs';", 'node:fs'],
      ["import { join } from 'path';", 'path'],
      ["import { mount } from 'svelte';", 'svelte'],
      ["import Database from 'better-sqlite3';", 'better-sqlite3'],
      ["const fs = require('fs');", 'fs'],
      ["import { Engine } from '../engine/index.js';", '../engine/index.js', 'src/main/engine/index.js'],
      ["import { bind } from '../app/ipc.js';", '../app/ipc.js', 'src/main/app/ipc.js'],
      ["import { serve } from '../server/http.js';", '../server/http.js', 'src/main/server/http.js'],
      ["import App from '../../renderer/App.svelte';", '../../renderer/App.svelte', 'src/renderer/App.svelte'],
    ]),
  });

  for (const layer of ['cli', 'server'] as const) {
    const at = `src/main/${layer}/main.ts`;
    ruleTester.run(`src/main/${layer} imports no Electron, renderer, app or preload`, boundary, {
      valid: allowed(at, [
        "import { Engine } from '../engine/index.js';",
        "import { parseQuery } from '../../shared/query.js';",
        "import { createServer } from 'node:http';",
        "import { parseArgs } from 'util';",
        "import Database from 'better-sqlite3';",
        "import { helper } from './helper.js';",
        layer === 'cli' ? "import { serve } from '../server/http.js';" : "import { format } from '../cli/format.js';",
      ]),
      invalid: [
        {
          code: "import { app } from 'electron';",
          filename: file(at),
          errors: [{ message: new RegExp(`^src/main/${layer} must not import "electron": `) }],
        },
        ...refused(`src/main/${layer}`, at, [
          ["const e = await import('electron/main');", 'electron/main'],
          ["import App from '../../renderer/App.svelte';", '../../renderer/App.svelte', 'src/renderer/App.svelte'],
          ["import { start } from '../app/main.js';", '../app/main.js', 'src/main/app/main.js'],
          ["import { api } from '../preload/index.js';", '../preload/index.js', 'src/main/preload/index.js'],
        ]),
      ],
    });
  }

  ruleTester.run('src/main/app imports no renderer or CLI code', boundary, {
    valid: allowed('src/main/app/main.ts', [
      "import { app, BrowserWindow, utilityProcess } from 'electron';",
      "import { join } from 'node:path';",
      "import { Engine } from '../engine/index.js';",
      "import { serve } from '../server/http.js';",
      "import type { Api } from '../../shared/api.js';",
      "import { bind } from './ipc.js';",
    ]),
    invalid: refused('src/main/app', 'src/main/app/main.ts', [
      ["import App from '../../renderer/App.svelte';", '../../renderer/App.svelte', 'src/renderer/App.svelte'],
      ["import { main } from '../cli/main.js';", '../cli/main.js', 'src/main/cli/main.js'],
      ["const cli = await import('../cli/main.js');", '../cli/main.js', 'src/main/cli/main.js'],
    ]),
  });

  ruleTester.run('files outside the layers are not checked', boundary, {
    valid: [
      ...allowed('test/unit/x.test.ts', ["import { app } from 'electron';", "import fs from 'node:fs';"]),
      ...allowed('bench/run.ts', ["import { Engine } from '../src/main/engine/index.js';"]),
      ...allowed('src/shared-extra/x.ts', ["import fs from 'node:fs';"]),
      { code: "import fs from 'node:fs';", filename: join(repoRoot, '..', 'elsewhere', 'src/shared/x.ts') },
    ],
    invalid: [],
  });
});

describe('eslint.config.js', () => {
  const eslint = new ESLint({ cwd: repoRoot });

  const boundaryErrors = async (code: string, relPath: string) => {
    const [result] = await eslint.lintText(code, { filePath: file(relPath) });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'trove/boundary');
  };

  it('reports a Node built-in imported into src/shared as an error', async () => {
    const errors = await boundaryErrors("import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n", 'src/shared/x.ts');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.severity).toBe(2);
    expect(errors[0]?.message).toContain('src/shared must not import "node:fs"');
  });

  it('reports Electron imported into the engine as an error', async () => {
    const errors = await boundaryErrors("import { app } from 'electron';\nexport const a = app;\n", 'src/main/engine/x.ts');
    expect(errors.map((e) => e.severity)).toEqual([2]);
  });

  it('lets a well-behaved src/shared module through', async () => {
    expect(await boundaryErrors("import { ok } from './result.js';\nexport const o = ok;\n", 'src/shared/x.ts')).toEqual([]);
  });
});
