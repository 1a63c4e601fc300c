// The main process's wiring, run under plain Node with a stand-in for the `electron` module: what it registers
// before and after `ready`, the window it opens, and a call from the page through the real IPC binding to the real
// engine in a forked engine host (a Node child standing in for the utility process). [Note: electron-shell]
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeJson, encodeJson } from '../../../src/shared/codec.js';
import { IPC } from '../../../src/shared/bridge.js';
import type { Result } from '../../../src/shared/result.js';
import { makeLibrary } from '../../fixtures/make-library.js';
import { COLOURS_PACK, eventually, tempDir } from '../../helpers.js';

const fake = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EventEmitter: Emitter } = require('node:events') as typeof import('node:events');
  const calls: Array<[string, ...unknown[]]> = [];
  const record =
    (name: string, result?: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
      return result?.(...args);
    };
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const app = Object.assign(new Emitter(), {
    isPackaged: false,
    setName: record('app.setName'),
    setPath: record('app.setPath'),
    enableSandbox: record('app.enableSandbox'),
    requestSingleInstanceLock: record('app.requestSingleInstanceLock', () => true),
    whenReady: () => ready,
    getVersion: () => '0.0.0-test',
    setAboutPanelOptions: record('app.setAboutPanelOptions'),
    quit: record('app.quit'),
    exit: record('app.exit'),
  });
  const windows: unknown[] = [];
  class BrowserWindow extends Emitter {
    readonly options: unknown;
    readonly webContents = { id: 11, send: record('webContents.send'), getURL: () => 'trove://app/index.html' };
    shown = 0;
    constructor(options: unknown) {
      super();
      this.options = options;
      windows.push(this);
    }
    loadURL = record('win.loadURL', async () => undefined);
    maximize = record('win.maximize');
    isMinimized = () => false;
    restore = record('win.restore');
    show = () => void this.shown++;
    focus = record('win.focus');
    isDestroyed = () => false;
    getNormalBounds = () => ({ x: 0, y: 0, width: 1280, height: 820 });
    isMaximized = () => false;
    isFullScreen = () => false;
  }
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const protocols = new Map<string, (request: Request) => Promise<Response>>();
  type Details = { requestingUrl: string; isMainFrame: boolean };
  let permission: ((contents: { getURL(): string }, permission: string, grant: (ok: boolean) => void, details: Details) => void) | null = null;
  let permissionCheck: ((contents: { getURL(): string } | null, permission: string, origin: string, details: { isMainFrame: boolean }) => boolean) | null = null;
  const utility: { fork?: (modulePath: string, args: string[], options: { env?: NodeJS.ProcessEnv }) => unknown } = {};
  const electron = {
    app,
    BrowserWindow,
    dialog: { showOpenDialog: record('dialog.showOpenDialog', async () => ({ canceled: true, filePaths: [] })), showErrorBox: record('dialog.showErrorBox'), showMessageBox: record('dialog.showMessageBox') },
    ipcMain: { handle: (channel: string, h: (...args: unknown[]) => unknown) => handlers.set(channel, h) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: record('Menu.setApplicationMenu') },
    nativeTheme: { shouldUseDarkColors: false },
    protocol: {
      registerSchemesAsPrivileged: record('protocol.registerSchemesAsPrivileged'),
      handle: (scheme: string, h: (request: Request) => Promise<Response>) => protocols.set(scheme, h),
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1050 } }] },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof permission) => (permission = h),
        setPermissionCheckHandler: (h: typeof permissionCheck) => (permissionCheck = h),
      },
    },
    shell: { openExternal: record('shell.openExternal', async () => undefined), showItemInFolder: record('shell.showItemInFolder'), openPath: record('shell.openPath', async () => '') },
    utilityProcess: { fork: (...args: Parameters<NonNullable<typeof utility.fork>>) => utility.fork!(...args) },
  };
  return { electron, calls, markReady, windows, handlers, protocols, utility, permission: () => permission, permissionCheck: () => permissionCheck };
});
vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const tmp = tempDir('main');
const lib = join(tmp.dir, 'lib');
const hosts: ReturnType<typeof fork>[] = [];
type FakeWindow = EventEmitter & { options: { webPreferences: Record<string, unknown> }; webContents: { id: number }; shown: number };

beforeAll(async () => {
  await makeLibrary(lib);
  process.env.TROVE_DATA_DIR = join(tmp.dir, 'data');
  // The utility process: the engine host's source, run by tsx in a Node child with the same message API.
  fake.utility.fork = (modulePath, _args, options) => {
    const child = fork(modulePath.replace(/\.js$/, '.ts'), ['--model', COLOURS_PACK, '--no-ocr', '--no-watch'], {
      execArgv: ['--import', 'tsx'],
      env: options.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    hosts.push(child);
    const proc = new EventEmitter();
    child.on('message', (m) => proc.emit('message', m));
    child.on('exit', (code) => proc.emit('exit', code ?? -1));
    return Object.assign(proc, { postMessage: (m: unknown) => child.send(m as never), kill: () => child.kill() });
  };
  await import('../../../src/main/app/main.js');
}, 120_000);
afterAll(() => {
  for (const h of hosts) if (h.exitCode === null) h.kill('SIGKILL');
  tmp.cleanup();
});

const names = () => fake.calls.map((c) => c[0]);

describe('before ready', () => {
  it('names the app, puts its data in the library folder, sandboxes every renderer and registers the schemes', () => {
    expect(fake.calls.find((c) => c[0] === 'app.setName')).toEqual(['app.setName', 'Trove']);
    expect(fake.calls).toContainEqual(['app.setPath', 'userData', join(tmp.dir, 'data')]);
    expect(fake.calls).toContainEqual(['app.setPath', 'sessionData', join(tmp.dir, 'data', 'Session')]);
    expect(names()).toContain('app.enableSandbox');
    const schemes = fake.calls.find((c) => c[0] === 'protocol.registerSchemesAsPrivileged')![1] as Array<{ scheme: string; privileges: Record<string, boolean> }>;
    expect(schemes.map((s) => s.scheme)).toEqual(['trove', 'trove-media']);
    expect(schemes[1]!.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true, stream: true });
    expect(fake.windows).toHaveLength(0);
  });
});

describe('after ready', () => {
  let win: FakeWindow;
  beforeAll(async () => {
    fake.markReady();
    await eventually(() => fake.windows.length === 1, 'the main window');
    win = fake.windows[0] as FakeWindow;
  });

  it('opens one window, locked down, on the app’s own page', () => {
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String(win.options.webPreferences.preload)).toMatch(/preload\.cjs$/);
    expect(fake.calls).toContainEqual(['win.loadURL', 'trove://app/index.html']);
    win.emit('ready-to-show');
    expect(win.shown).toBe(1);
  });

  it('serves both schemes and binds the four IPC channels', async () => {
    expect([...fake.protocols.keys()]).toEqual(['trove', 'trove-media']);
    expect([...fake.handlers.keys()]).toEqual([IPC.call, IPC.pickFolder, IPC.showInFolder, IPC.openItem]);
    expect((await fake.protocols.get('trove-media')!(new Request('trove-media://library/etc/passwd'))).status).toBe(404);
  });

  it('answers the page through the engine process, relays its events, and refuses other senders', async () => {
    const call = fake.handlers.get(IPC.call)!;
    const page = { sender: { id: win.webContents.id }, senderFrame: { url: 'trove://app/index.html', parent: null } };
    const added = decodeJson((await call(page, 'addRoot', encodeJson({ path: lib }))) as string) as Result<{ path: string }>;
    expect(added).toMatchObject({ ok: true, value: { path: lib } });
    await eventually(() => fake.calls.some((c) => c[0] === 'webContents.send' && c[2] === 'rootsChanged'), 'rootsChanged sent to the page');
    const sent = fake.calls.find((c) => c[0] === 'webContents.send' && c[2] === 'rootsChanged')!;
    expect(sent[1]).toBe(IPC.event);
    expect(decodeJson(sent[3] as string)).toMatchObject([{ path: lib }]);
    const other = { sender: { id: 99 }, senderFrame: { url: 'trove://app/index.html', parent: null } };
    expect(decodeJson((await call(other, 'listRoots', '{}')) as string)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('grants the page writing to the clipboard, nothing else, whether Chromium asks or checks', () => {
    const ask = (contents: string, permission: string) => {
      let granted: boolean | null = null;
      fake.permission()!({ getURL: () => contents }, permission, (ok) => (granted = ok), { requestingUrl: contents, isMainFrame: true });
      return granted;
    };
    // A check names the asking frame by its origin, as Chromium serialises it (for the app: "trove://app/").
    const check = (contents: string | null, permission: string, origin: string) =>
      fake.permissionCheck()!(contents === null ? null : { getURL: () => contents }, permission, origin, { isMainFrame: true });
    expect(ask('trove://app/index.html', 'clipboard-sanitized-write')).toBe(true);
    expect(check('trove://app/index.html', 'clipboard-sanitized-write', 'trove://app/')).toBe(true);
    for (const permission of ['fullscreen', 'media', 'geolocation', 'notifications', 'hid', 'clipboard-read']) {
      expect(ask('trove://app/index.html', permission), permission).toBe(false);
      expect(check('trove://app/index.html', permission, 'trove://app/'), permission).toBe(false);
    }
    expect(ask('https://evil.example/', 'clipboard-sanitized-write')).toBe(false);
    expect(check('https://evil.example/', 'clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(check(null, 'clipboard-sanitized-write', 'trove://app/')).toBe(false);
  });

  it('guards every web contents: no navigation away in any frame, no new windows, no webviews', () => {
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    fake.electron.app.emit('web-contents-created', {}, contents);
    const navigation = { preventDefault: vi.fn() };
    contents.emit('will-navigate', navigation, 'https://example.org/');
    expect(navigation.preventDefault).toHaveBeenCalled();
    expect(fake.calls).toContainEqual(['shell.openExternal', 'https://example.org/']);
    // will-frame-navigate passes one details object (Electron ≥ 25), for subframes and the main frame alike.
    const opened = () => fake.calls.filter((c) => c[0] === 'shell.openExternal').length;
    const before = opened();
    const frame = { url: 'https://example.org/framed', isMainFrame: false, preventDefault: vi.fn() };
    contents.emit('will-frame-navigate', frame);
    expect(frame.preventDefault).toHaveBeenCalled();
    const top = { url: 'file:///etc/passwd', isMainFrame: true, preventDefault: vi.fn() };
    contents.emit('will-frame-navigate', top);
    expect(top.preventDefault).toHaveBeenCalled();
    expect(opened()).toBe(before);
    const inApp = { url: 'trove://app/library', isMainFrame: false, preventDefault: vi.fn() };
    contents.emit('will-frame-navigate', inApp);
    expect(inApp.preventDefault).not.toHaveBeenCalled();
    const opener = contents.setWindowOpenHandler.mock.calls[0]![0] as (d: { url: string }) => unknown;
    expect(opener({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('brings the window forward when Trove is launched again', () => {
    fake.electron.app.emit('second-instance');
    expect(win.shown).toBe(2);
    expect(names()).toContain('win.focus');
  });

  it('closes the engine before quitting', async () => {
    const quit = { preventDefault: vi.fn() };
    fake.electron.app.emit('before-quit', quit);
    expect(quit.preventDefault).toHaveBeenCalled();
    await eventually(() => names().includes('app.quit'), 'app.quit after the engine stopped');
    expect(hosts.at(-1)!.exitCode).toBe(0);
  });
});
