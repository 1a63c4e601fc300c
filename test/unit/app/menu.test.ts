// The native menus: the platform's usual roles, Add Folder with its shortcut, reload only in development.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { menuTemplate } from '../../../src/main/app/menu.js';

const items = (menu: MenuItemConstructorOptions[]) =>
  menu.flatMap((m) => [m, ...(Array.isArray(m.submenu) ? (m.submenu as MenuItemConstructorOptions[]) : [])]);
const roles = (menu: MenuItemConstructorOptions[]) => items(menu).map((m) => m.role).filter(Boolean);

function template(platform: NodeJS.Platform, dev: boolean) {
  const addFolder = vi.fn();
  const openLibraryFolder = vi.fn();
  return { menu: menuTemplate({ platform, appName: 'Trove', dev, addFolder, openLibraryFolder }), addFolder, openLibraryFolder };
}

describe('menuTemplate', () => {
  it('has the app menu on macOS only, and the usual menus everywhere', () => {
    expect(template('darwin', false).menu.map((m) => m.label ?? m.role)).toEqual(['Trove', 'File', 'editMenu', 'View', 'windowMenu', 'help']);
    expect(template('linux', false).menu.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help']);
    expect(roles(template('win32', false).menu)).toContain('quit');
    expect(roles(template('darwin', false).menu)).toContain('close');
  });

  it('adds a folder with Cmd/Ctrl+O', () => {
    const { menu, addFolder } = template('linux', false);
    const add = items(menu).find((m) => m.label === 'Add Folder…')!;
    expect(add.accelerator).toBe('CmdOrCtrl+O');
    (add.click as () => void)();
    expect(addFolder).toHaveBeenCalledTimes(1);
  });

  it('offers reload and developer tools only in development; zoom and full screen always', () => {
    const prod = roles(template('linux', false).menu);
    const dev = roles(template('linux', true).menu);
    expect(prod).not.toContain('reload');
    expect(prod).not.toContain('toggleDevTools');
    expect(dev).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    for (const role of ['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']) expect(prod).toContain(role);
  });
});
