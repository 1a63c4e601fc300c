// Running inside the packaged desktop app. [Note: electron-native]
// There the code lives in app.asar, an archive that Electron's fs and module loader read as if it were a folder.
// Native code does not: SQLite loading the sqlite-vec extension and ONNX Runtime opening the OCR models call the
// operating system, which sees only the copies electron-builder unpacks beside the archive (app.asar.unpacked,
// see electron-builder.yml `asarUnpack`). Paths handed to native code go through `unpackedPath`. Outside the
// packaged app no path contains app.asar, and nothing changes.

/** The path native code must open for a file that may lie inside app.asar. */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar(?=[\\/])/, '$1app.asar.unpacked');
}

/**
 * better-sqlite3's native binary when it is not the one in node_modules: `npm start` builds one for Electron's ABI
 * beside the Node one (scripts/electron-native.js) and names it in TROVE_SQLITE_BINDING for the engine process.
 */
export function sqliteBinding(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TROVE_SQLITE_BINDING || undefined;
}
