/**
 * Prints each function's bundle after `cdk synth` (run by `npm run synth`): its size, and the
 * share of it that is the AWS SDK, read from esbuild's metafile. The functions are in the stack's
 * nested stacks (lib/rooms.ts), whose templates CDK writes beside it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const outdir = process.argv[2] ?? 'cdk.out';
type Template = { Resources: Record<string, { Type: string; Properties: { Description?: string }; Metadata?: Record<string, string> }> };

/** The template in `file` and its nested stacks' (the rooms, lib/rooms.ts), found by the asset path CDK records on each. */
function templatesFrom(file: string): Template[] {
  const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as Template;
  const nested = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::CloudFormation::Stack' && resource.Metadata?.['aws:asset:path'])
    .flatMap((resource) => templatesFrom(resource.Metadata!['aws:asset:path']!));
  return [template, ...nested];
}

const rows = templatesFrom('Verity.template.json')
  .flatMap((template) => Object.values(template.Resources))
  .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['aws:asset:path'])
  .map((resource) => {
    const dir = join(outdir, resource.Metadata!['aws:asset:path']!);
    const bundle = join(dir, 'index.mjs');
    const meta = join(dir, 'index.meta.json');
    let sdkBytes = 0;
    if (existsSync(meta)) {
      const { outputs } = JSON.parse(readFileSync(meta, 'utf8')) as {
        outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
      };
      for (const output of Object.values(outputs)) {
        for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
          if (/node_modules\/@(aws-sdk|smithy|aws-crypto)\//.test(input)) sdkBytes += bytesInOutput;
        }
      }
    }
    return { route: (resource.Properties.Description ?? '').replace(/^Verity /, ''), bytes: statSync(bundle).size, sdkBytes };
  });

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log('Function bundles (minified ESM, AWS SDK included):');
for (const row of rows) {
  console.log(`  ${row.route.padEnd(56)} ${kb(row.bytes).padStart(10)}   of which AWS SDK ${kb(row.sdkBytes)}`);
}
