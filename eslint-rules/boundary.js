// [Note: boundary] DESIGN.md rule 1, "The boundary is machine-checked": every import specifier of a file under
// src/ is checked against the layer the file lives in. src/shared/tsconfig.json complements this by compiling
// src/shared with no Node, DOM or Electron types, so globals such as `process` or `document` fail the typecheck.
//
// Checked: `import ... from`, `import type ... from`, `export ... from`, `import('literal')`, `require('literal')`,
// `import x = require('literal')` and `typeof import('literal')`. Relative specifiers are resolved against the
// importing file and judged by the folder they land in; everything else is a package or a Node built-in.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in <root>/eslint-rules/. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const builtins = new Set(builtinModules);

/** Packages that need Node (native addons, file watching) and so can never run in the renderer. */
const nodeOnlyPackages = ['electron', 'better-sqlite3', 'sqlite-vec', 'onnxruntime-node', 'sharp', 'chokidar'];

/**
 * One entry per layer, most specific first. For each layer:
 * - `packages`: 'none' | 'all' | string[] (the only packages allowed); `forbiddenPackages` is checked after it.
 * - `builtins`: whether Node built-ins (`node:fs`, `fs`, `fs/promises`...) may be imported.
 * - `relativeOnlyInto`: relative imports must resolve inside one of these folders; `relativeNotInto`: must not.
 */
const layers = [
  {
    dir: 'src/shared',
    why: 'it is pure TypeScript shared by every process',
    // valibot: the request schemas [Note: requests]; pure TypeScript with no Node, DOM or Electron.
    packages: ['valibot'],
    builtins: false,
    relativeOnlyInto: ['src/shared'],
  },
  {
    dir: 'src/renderer',
    why: 'the UI runs in a sandboxed renderer and talks only to the API contract in src/shared',
    packages: 'all',
    forbiddenPackages: nodeOnlyPackages,
    builtins: false,
    relativeOnlyInto: ['src/renderer', 'src/shared'],
  },
  {
    dir: 'src/main/engine',
    why: 'the engine is plain Node with no Electron imports, testable with Vitest alone, and knows none of its front doors',
    packages: 'all',
    forbiddenPackages: ['electron'],
    builtins: true,
    relativeNotInto: ['src/main/app', 'src/main/preload', 'src/main/server', 'src/main/cli', 'src/renderer'],
  },
  {
    dir: 'src/main/preload',
    why: 'the preload script exposes exactly the API contract, nothing else',
    packages: ['electron'],
    builtins: false,
    relativeOnlyInto: ['src/main/preload', 'src/shared'],
  },
  {
    dir: 'src/main/cli',
    why: 'the CLI runs in plain Node without Electron and reaches the engine through the API contract',
    packages: 'all',
    forbiddenPackages: ['electron'],
    builtins: true,
    relativeNotInto: ['src/renderer', 'src/main/app', 'src/main/preload'],
  },
  {
    dir: 'src/main/server',
    why: 'browser mode runs in plain Node without Electron and serves the API contract over local HTTP',
    packages: 'all',
    forbiddenPackages: ['electron'],
    builtins: true,
    relativeNotInto: ['src/renderer', 'src/main/app', 'src/main/preload'],
  },
  {
    dir: 'src/main/app',
    why: 'the Electron shell loads the renderer as a separate bundle and does not depend on the CLI',
    packages: 'all',
    builtins: true,
    relativeNotInto: ['src/renderer', 'src/main/cli'],
  },
];

/** Whether the `/`-separated repository path `p` is the folder `dir` or lies inside it. */
function isInside(p, dir) {
  return p === dir || p.startsWith(`${dir}/`);
}

/** The layer of a file, from its path relative to the repository root; undefined outside every layer. */
export function layerOf(relPath) {
  return layers.find((layer) => isInside(relPath, layer.dir));
}

/** The path of `filename` relative to the repository root, `/`-separated; undefined if outside the repository. */
function repoPath(filename) {
  const rel = path.relative(repoRoot, path.resolve(filename));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

function isRelative(spec) {
  return spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../');
}

function isBuiltin(spec) {
  if (spec.startsWith('node:')) return true;
  return builtins.has(spec) || builtins.has(spec.split('/')[0]);
}

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub/path` -> `name`. */
function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Judges one specifier imported by a file in `layer` at repository path `fromPath`.
 * Returns undefined when it is allowed, or `{ target }` (the resolved repository path, for relative imports, when
 * that is what broke the rule) when it is not.
 */
export function violation(layer, fromPath, spec) {
  if (isRelative(spec)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(fromPath), spec));
    if (layer.relativeOnlyInto && !layer.relativeOnlyInto.some((dir) => isInside(target, dir))) return { target };
    if (layer.relativeNotInto && layer.relativeNotInto.some((dir) => isInside(target, dir))) return { target };
    return undefined;
  }
  if (isBuiltin(spec)) return layer.builtins ? undefined : {};
  // Absolute paths and URLs are not packages; only layers that allow any package may use them.
  if (spec.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(spec)) return layer.packages === 'all' ? undefined : {};
  const name = packageName(spec);
  if (layer.packages === 'none') return {};
  if (Array.isArray(layer.packages) && !layer.packages.includes(name)) return {};
  if (layer.forbiddenPackages && layer.forbiddenPackages.includes(name)) return {};
  return undefined;
}

/** The string value of a literal or of a template literal without expressions; undefined otherwise. */
function staticString(node) {
  if (!node) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked ?? undefined;
  // typescript-eslint wraps the argument of `typeof import('x')` in a TSLiteralType.
  if (node.type === 'TSLiteralType') return staticString(node.literal);
  return undefined;
}

export default {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Enforce the process boundaries of DESIGN.md rule 1: what src/shared, src/renderer and each part of src/main may import',
    },
    schema: [],
    messages: {
      forbidden: '{{layer}} must not import "{{source}}": {{why}} (DESIGN.md rule 1)',
      forbiddenTarget: '{{layer}} must not import "{{source}}" (it resolves to {{target}}): {{why}} (DESIGN.md rule 1)',
    },
  },

  create(context) {
    const fromPath = repoPath(context.filename);
    const layer = fromPath && layerOf(fromPath);
    if (!layer) return {};

    function check(node) {
      const spec = staticString(node);
      if (spec === undefined) return;
      const found = violation(layer, fromPath, spec);
      if (!found) return;
      const data = { layer: layer.dir, source: spec, why: layer.why };
      if (found.target !== undefined) {
        context.report({ node, messageId: 'forbiddenTarget', data: { ...data, target: found.target } });
      } else {
        context.report({ node, messageId: 'forbidden', data });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // typescript-eslint 8.x names the specifier `source`; `argument` is its deprecated older name.
      TSImportType: (node) => check(node.source ?? node.argument),
      TSExternalModuleReference: (node) => check(node.expression),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length > 0) {
          check(node.arguments[0]);
        }
      },
    };
  },
};
