/**
 * `npm run evaluate -- SAMPLES_DIR` (`npx verity evaluate SAMPLES_DIR`): runs an adopter's labelled
 * samples through the live checks in their own AWS account (local/evaluate.ts) and writes
 * SAMPLES_DIR/report.json, report.html and canary-baseline.json. docs/reference/evaluation.md.
 */
import { createInterface } from 'node:readline/promises';
import { parseCommandLine, runCommand, usageError } from '../local/cli';
import { runEvaluation, THRESHOLD_OPTIONS } from '../local/evaluate';

const NAME = 'npm run evaluate';
const USAGE = `Usage: npm run evaluate -- SAMPLES_DIR [--yes] [--face-min-similarity N] [--document-min-confidence N]
                        [--min-age N] [--selfie-min-brightness N] [--selfie-min-sharpness N] [--include-values]

Runs each row of SAMPLES_DIR/labels.csv through Verity's live checks (Textract and Rekognition in
your AWS account, at AWS's prices: the cost is shown and confirmed first) and writes
SAMPLES_DIR/report.json, SAMPLES_DIR/report.html and SAMPLES_DIR/canary-baseline.json.

labels.csv: the header document_front,document_back,selfie,expected (paths relative to SAMPLES_DIR,
JPEG or PNG up to 5 MB; document_back and selfie may be empty; expected is verified or unverified),
then optionally document_type,country,first_name,last_name,dob,document_number,expiration_date
(dates as YYYY-MM-DD) to measure each field read.

AWS: the usual region and credentials (AWS_REGION, AWS_PROFILE or AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, aws sso login); the region must offer Textract.

  --yes                      run without asking to confirm the cost
  --face-min-similarity N    and the other thresholds: the values to check with (default: the
                             VERITY_* variables, else Verity's defaults; docs/reference/live-checks.md)
  --include-values           put the values read from each document into report.json (off: none)

Results are kept per row in SAMPLES_DIR/.evaluate/: run again after an interruption and only the
rows not yet checked are paid for. Liveness is not measured (it needs a live capture).`;

const { values, positionals } = parseCommandLine({
  name: NAME,
  usage: USAGE,
  config: {
    allowPositionals: true,
    options: {
      yes: { type: 'boolean', short: 'y' },
      'include-values': { type: 'boolean' },
      ...Object.fromEntries(Object.keys(THRESHOLD_OPTIONS).map((name) => [name, { type: 'string' as const }])),
    },
  },
});
if (positionals.length !== 1)
  usageError({ name: NAME }, positionals.length ? 'give one SAMPLES_DIR' : 'missing SAMPLES_DIR, the folder with labels.csv');

await runCommand(NAME, async () => {
  await runEvaluation({
    samples: positionals[0]!,
    thresholds: values as Record<string, string | undefined>,
    includeValues: Boolean(values['include-values']),
    confirm: () => (values.yes ? Promise.resolve(true) : confirmed()),
    log: (line) => console.log(line),
    // On a terminal only: a log file would keep every overwritten line.
    progress: (text) => process.stderr.isTTY && process.stderr.write(text ? `\r${text}` : '\n'),
  });
});

/** Asks on the terminal; a closed stdin is no. */
async function confirmed(): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const closed = new Promise<string>((resolve) => prompt.once('close', () => resolve('')));
    const answer = await Promise.race([prompt.question('Continue? [y/N] '), closed]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
