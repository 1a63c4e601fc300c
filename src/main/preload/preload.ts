// The preload script of the main window: hands the bridge of bridge.ts to the page, and nothing else. It runs
// sandboxed, so it is bundled to one CommonJS file (dist/main/preload.cjs) whose only require is `electron`.
// [Note: electron-shell]
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge, createShellBridge } from './bridge.js';

contextBridge.exposeInMainWorld('trove', createBridge(ipcRenderer));
contextBridge.exposeInMainWorld('troveShell', createShellBridge(ipcRenderer));
