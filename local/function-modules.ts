/**
 * Loads a module under functions/ by the name a table gives it (the route table's `handler`, the
 * workers table's), resolved at run time rather than by a bundler: TypeScript here, JavaScript in
 * the npm package (dist/), where it is a sibling of this module's kind. Each module is loaded once.
 */
const loaded = new Map<string, Promise<Record<string, unknown>>>();

export function importFunctionModule(handlerModule: string): Promise<Record<string, unknown>> {
  let module = loaded.get(handlerModule);
  if (!module) {
    const url = new URL(`../functions/${handlerModule}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
    module = import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>;
    loaded.set(handlerModule, module);
  }
  return module;
}
