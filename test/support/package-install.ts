/**
 * Installs the packed Verity into a scratch project offline, as a user's `npm install` would, from
 * the tarball and npm's cache. npm's cache holds this repository's packages' tarballs (by their
 * integrity) but not the registry's version lists, so `npm install --offline verity.tgz` cannot
 * pick versions; an `npm ci --offline` from a lockfile can. The scratch project's lockfile is this
 * repository's, cut down to what the scratch project needs: the tarball as `verity`, plus the
 * packages the user's project brings itself (aws-cdk-lib, constructs, cdk-nag, stripe), and every
 * package those need, at the versions and places this repository's lockfile has them (a subset of
 * a valid tree, closed under dependencies, is a valid tree). esbuild is not among them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  inBundle?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bundleDependencies?: string[];
  [field: string]: unknown;
}

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

/**
 * Writes package.json and package-lock.json into `project` and runs `npm ci --offline --ignore-scripts`.
 * `tarball` is the packed Verity; `packages` the user's own dependencies, by name, at the versions
 * this repository's lockfile has.
 */
export function installOffline(project: string, repository: string, tarball: string, packages: string[]): void {
  const lock = JSON.parse(readFileSync(join(repository, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as PackageJson;
  const entries = lock.packages;
  const versionOf = (name: string) => {
    const entry = entries[`node_modules/${name}`];
    if (!entry?.version) throw new Error(`${name} is not in this repository's lockfile`);
    return entry.version;
  };
  const rootDependencies: Record<string, string> = { [manifest.name]: `file:${tarball}` };
  for (const name of packages) rootDependencies[name] = versionOf(name);

  // Where Node would find `name` from the package at `from` (a lockfile path): its own node_modules, then each parent's.
  const locate = (from: string, name: string): string | undefined => {
    for (let base = from; ; ) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (entries[candidate]) return candidate;
      if (!base) return undefined;
      const at = base.lastIndexOf('/node_modules/');
      base = at < 0 ? '' : base.slice(0, at);
    }
  };
  const kept = new Set<string>();
  const visit = (path: string) => {
    if (kept.has(path)) return;
    kept.add(path);
    const entry = entries[path]!;
    const optionalPeers = entry.peerDependenciesMeta ?? {};
    const needed = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers[name]?.optional),
    ];
    for (const name of needed) {
      const found = locate(path, name);
      if (!found) throw new Error(`${path} needs ${name}, which this repository's lockfile does not hold`);
      visit(found);
    }
    // A platform's optional binary is kept only if present in the repository's tree.
    for (const name of Object.keys(entry.optionalDependencies ?? {})) {
      const found = locate(path, name);
      if (found) visit(found);
    }
    // Bundled packages come inside their parent's tarball; npm still lists them.
    for (const bundled of Object.keys(entries).filter((key) => key.startsWith(`${path}/node_modules/`) && entries[key]!.inBundle))
      kept.add(bundled);
  };
  for (const name of [...Object.keys(manifest.dependencies ?? {}), ...packages]) visit(`node_modules/${name}`);

  // With its registry address and integrity, npm takes a tarball from its cache without asking the registry.
  const registryUrl = (path: string, version: string) => {
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    return `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;
  };
  const strip = (
    path: string,
    { dev: _dev, optional: _optional, devOptional: _devOptional, peer: _peer, ...entry }: LockEntry,
  ): LockEntry => (entry.inBundle || entry.resolved || !entry.version ? entry : { ...entry, resolved: registryUrl(path, entry.version) });
  const scratchPackages: Record<string, LockEntry> = {
    '': { name: 'scratch', version: '1.0.0', dependencies: rootDependencies },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: `file:${tarball}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
    },
  };
  for (const path of [...kept].sort()) {
    if (path === `node_modules/${manifest.name}`) continue;
    scratchPackages[path] = strip(path, entries[path]!);
  }
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module', dependencies: rootDependencies }, null, 2)}\n`,
  );
  writeFileSync(
    join(project, 'package-lock.json'),
    `${JSON.stringify({ name: 'scratch', version: '1.0.0', lockfileVersion: 3, requires: true, packages: scratchPackages }, null, 2)}\n`,
  );
  execFileSync('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}
