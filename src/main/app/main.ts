// The Electron main process: the one file that wires the real `electron` module to the plain modules beside it
// (security, ipc, engine-link, protocols, window-state, menu), which the tests exercise without Electron.
// [Note: electron-shell]
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, protocol, screen, session, shell, utilityProcess } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_SCHEME, IPC, MEDIA_SCHEME } from '../../shared/bridge.js';
import { decodeJson, encodeJson } from '../../shared/codec.js';
import { TroveError } from '../../shared/errors.js';
import { unwrap, type Result } from '../../shared/result.js';
import type { Root } from '../../shared/types.js';
import { APP_NAME, defaultDataDir } from '../engine/paths.js';
import { EngineLink, type HostProcess } from './engine-link.js';
import { callHandler, shellHandlers } from './ipc.js';
import { menuTemplate } from './menu.js';
import { appHandler, mediaHandler, PRIVILEGED_SCHEMES } from './protocols.js';
import { APP_URL, onFrameNavigate, onNavigate, onPermissionCheck, onPermissionRequest, onWindowOpen, trustedSender } from './security.js';
import { loadState, MIN_SIZE, trackWindow } from './window-state.js';

const here = dirname(fileURLToPath(import.meta.url)); // dist/main/app
const PRELOAD = join(here, '..', 'preload.cjs');
const RENDERER = join(here, '..', '..', 'renderer');
const ENGINE_HOST = join(here, 'engine-host.js');
const dev = !app.isPackaged;

// The library folder is the CLI's (TROVE_DATA_DIR, else the platform's app-data folder): one library for the CLI,
// browser mode and the app. Chromium's own files (caches, local storage) go in a subfolder of it.
app.setName(APP_NAME);
const dataDir = defaultDataDir();
app.setPath('userData', dataDir);
app.setPath('sessionData', join(dataDir, 'Session'));
app.enableSandbox();
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })));

let mainWindow: BrowserWindow | null = null;
const log = (error: unknown) => process.stderr.write(`trove: ${(error as Error)?.message ?? String(error)}\n`);

if (!app.requestSingleInstanceLock()) {
  // Another Trove is running: it gets the `second-instance` event and comes to the front.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });
  void app.whenReady().then(start, (error: unknown) => {
    log(error);
    app.exit(1);
  });
}

function utilityHost(): HostProcess {
  const child = utilityProcess.fork(ENGINE_HOST, [], {
    serviceName: 'Trove engine',
    stdio: 'inherit',
    env: { ...process.env, TROVE_DATA_DIR: dataDir },
  });
  return {
    postMessage: (m) => child.postMessage(m),
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.on('exit', l),
    kill: () => void child.kill(),
  };
}

async function pickFolder(): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { title: 'Add a folder to Trove', properties: ['openDirectory', 'createDirectory'] };
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

function start(): void {
  const link = new EngineLink(utilityHost, {
    onEvent: (name, payload) => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(IPC.event, name, payload);
    },
    onFatal: (error) => {
      dialog.showErrorBox('Trove cannot open its library', error.message);
      app.exit(1);
    },
    onGone: (error) => dialog.showErrorBox('Trove’s engine stopped', error.message),
  });
  const call = async <T>(op: Parameters<EngineLink['call']>[0], req: unknown): Promise<T> =>
    unwrap(decodeJson(await link.call(op, encodeJson(req))) as Result<T>);

  protocol.handle(APP_SCHEME, appHandler(RENDERER));
  protocol.handle(MEDIA_SCHEME, mediaHandler((id, variant) => link.mediaFile(id, variant)));

  // No page of Trove needs a camera, notifications or the like: checks and requests get one answer, refused but for
  // writing to the clipboard from an app page. [Note: permissions]
  session.defaultSession.setPermissionCheckHandler(onPermissionCheck);
  session.defaultSession.setPermissionRequestHandler(onPermissionRequest);

  const isTrusted = trustedSender(() => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.id : null));
  ipcMain.handle(IPC.call, callHandler({ isTrusted, forward: (op, req) => link.call(op, req) }));
  const handlers = shellHandlers({
    isTrusted,
    pickFolder,
    itemPath: (id) => link.itemPath(id),
    openableFile: async (id) => (await link.mediaFile(id, 'original')).file,
    showItemInFolder: (path) => shell.showItemInFolder(path),
    openPath: (path) => shell.openPath(path),
  });
  ipcMain.handle(IPC.pickFolder, handlers.pickFolder);
  ipcMain.handle(IPC.showInFolder, handlers.showInFolder);
  ipcMain.handle(IPC.openItem, handlers.openItem);

  const addFolder = async () => {
    const path = await pickFolder();
    if (!path) return;
    try {
      const root = await call<Root>('addRoot', { path });
      // Indexing reports its progress as events; the page shows them.
      void call('indexNow', { rootIds: [root.id] }).catch(log);
    } catch (error) {
      const message = error instanceof TroveError ? error.message : String(error);
      if (mainWindow) void dialog.showMessageBox(mainWindow, { type: 'warning', message: 'Trove could not add this folder', detail: message });
    }
  };
  app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        platform: process.platform,
        appName: APP_NAME,
        dev,
        addFolder: () => void addFolder(),
        openLibraryFolder: () => void shell.openPath(dataDir),
      }),
    ),
  );

  createWindow();
  app.on('activate', () => {
    if (!mainWindow) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    // Let the engine finish its write in flight and close the database before the app goes.
    event.preventDefault();
    void link.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
}

// Every web contents, the main window's and any other: no navigation away from the app in any frame, no new
// windows, no <webview>; links to the web open in the default browser.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', onNavigate(shell));
  contents.on('will-frame-navigate', onFrameNavigate(shell));
  contents.on('will-redirect', onNavigate(shell));
  contents.setWindowOpenHandler(onWindowOpen(shell));
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

function createWindow(): void {
  const stateFile = join(dataDir, 'window-state.json');
  const state = loadState(
    stateFile,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: APP_NAME,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#18181b' : '#ffffff',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: dev,
    },
  });
  mainWindow = win;
  if (state.maximized) win.maximize();
  trackWindow(win, stateFile, log);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(APP_URL);
}
