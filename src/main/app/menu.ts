// The native menus: the usual roles (and so the usual shortcuts) of each platform, plus Trove's own commands.
// A plain template, built from a few facts and callbacks, so it can be checked without Electron.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  /** Reload and developer tools appear only in development. */
  readonly dev: boolean;
  readonly addFolder: () => void;
  readonly openLibraryFolder: () => void;
}

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const mac = o.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Add Folder…', accelerator: 'CmdOrCtrl+O', click: () => o.addFolder() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(o.dev
        ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] satisfies MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { label: 'Show Library Folder', click: () => o.openLibraryFolder() },
      ...(mac ? [] : ([{ type: 'separator' }, { role: 'about', label: `About ${o.appName}` }] satisfies MenuItemConstructorOptions[])),
    ],
  };
  return [
    ...(mac ? ([{ role: 'appMenu', label: o.appName }] satisfies MenuItemConstructorOptions[]) : []),
    file,
    { role: 'editMenu' },
    view,
    { role: 'windowMenu' },
    help,
  ];
}
