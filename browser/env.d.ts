// browser/: code that runs in a person's browser (the DOM's types, no Node). Each entry module is
// listed in bin/build-browser.ts, bundled by esbuild into functions/browser-bundles/, and served by
// the functions under their CSP nonces. Typechecked by `tsc -p browser` (npm test and npm run typecheck).
export {};
