/** esbuild's `text` loader (bin/build-browser.ts): a stylesheet imported as its text. */
declare module '*.css' {
  const text: string;
  export default text;
}
