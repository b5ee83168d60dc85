/**
 * `npm run evaluate` as an adopter runs it: a child process with AWS credentials and region, its
 * Textract and Rekognition calls sent (through AWS_ENDPOINT_URL_TEXTRACT and
 * AWS_ENDPOINT_URL_REKOGNITION) to a stand-in on 127.0.0.1 answering in AWS's shapes, on a folder
 * of small generated images and a labels.csv. Never real AWS. The run's logic, resumption and
 * each refusal are tested in process (test/unit/evaluation/evaluate-run.test.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsStandIn, type StandIn } from '../support/aws-stand-in';
import { pngImage } from '../support/images';
import { CALLS, scriptStandIn, writeSamples } from '../support/evaluation-samples';

let standIn: StandIn;
const root = mkdtempSync(join(tmpdir(), 'verity-evaluate-'));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command asynchronously (the stand-in answers in this process). */
function evaluate(args: string[], command = 'bin/evaluate.ts'): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', command, ...args], {
    env: {
      PATH: process.env.PATH!,
      HOME: root,
      // The SDK's notice that its 2027 releases need Node 22 is not what is tested here.
      NODE_NO_WARNINGS: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
      AWS_ENDPOINT_URL_TEXTRACT: standIn.url,
      AWS_ENDPOINT_URL_REKOGNITION: standIn.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** The runs, started together (each is a Node process: side by side they take the time of about one). */
let runs: { full: Promise<Run>; denied: Promise<Run>; help: Promise<Run>; missing: Promise<Run> };
const full = join(root, 'full');
const denied = join(root, 'denied');

beforeAll(async () => {
  standIn = await startAwsStandIn();
  scriptStandIn(standIn);
  writeSamples(full);
  writeSamples(denied);
  // The denied folder's fourth row has an image of its own, which the stand-in refuses.
  const refused = pngImage(8, 8, '#300000');
  writeFileSync(join(denied, 'c-front.png'), refused);
  standIn.images.set(refused.toString('base64'), { error: 'AccessDeniedException' });
  runs = {
    full: evaluate([full, '--yes']),
    denied: evaluate([denied, '--yes']),
    help: evaluate(['evaluate', '--help'], 'bin/cli.ts'),
    missing: evaluate(['evaluate'], 'bin/cli.ts'),
  };
});
afterAll(async () => {
  await standIn.close();
  rmSync(root, { recursive: true, force: true });
});

describe('npm run evaluate', () => {
  it('checks every row through the SDK and writes the report, the page and the baseline', async () => {
    const dir = full;
    const run = await runs.full;
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        /^5 of 5 rows to check with Textract and Rekognition in us-east-1: at most \$0\.\d\d at us-east-1 list prices\.\n/.source +
          /False-accept rate 50\.0% of 2, false-reject rate 33\.3% of 3/.source,
      ),
    );
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).rows.total).toBe(5);
    // Every call went to the stand-in: this run's, and the denied run's two rows and refused AnalyzeID.
    await runs.denied;
    expect(standIn.calls).toHaveLength(CALLS.all + 2 * CALLS.licence + 1);
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).face_similarity.impostor).toMatchObject({
      count: 2,
      min: 60,
      max: 93,
    });
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('<svg');
    expect(JSON.parse(readFileSync(join(dir, 'canary-baseline.json'), 'utf8')).rows).toHaveLength(5);
  });

  it('stops at an AWS refusal in one line, keeping the rows checked so far', async () => {
    const dir = denied;
    const run = await runs.denied;
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(
      new RegExp(
        /^npm run evaluate: stopped at labels.csv line 4: AccessDeniedException: /.source +
          /The stand-in answers AccessDeniedException for this image\. /.source +
          /\(the credentials may not call textract:AnalyzeID, .*; 2 rows checked this run are kept\)$/.source,
      ),
    );
    expect(readdirSync(join(dir, '.evaluate')).filter((name) => name.endsWith('.json'))).toHaveLength(2);
  });

  it('is `npx verity evaluate` in the package, with its help, and says what is missing in one line', async () => {
    const [help, missing] = await Promise.all([runs.help, runs.missing]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: npx verity evaluate SAMPLES_DIR');
    expect(help.stdout).toContain('document_front,document_back,selfie,expected');
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'npx verity evaluate: missing SAMPLES_DIR, the folder with labels.csv (see npx verity evaluate --help)',
    );
  });
});
