/**
 * A samples folder for `npm run evaluate` made of small generated PNGs (each of its own colour,
 * so the AWS stand-in knows which is which) and a labels.csv, and the stand-in's script for them:
 * four licences with selfies (genuine matched at 98, impostor refused at 60, impostor accepted at
 * 93, genuine refused at 85 under the default 90) and a US passport without a selfie.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StandIn } from './aws-stand-in';
import { pngImage } from './images';

export const IMAGES = {
  'a-front.png': '#100000',
  'a-back.png': '#100001',
  'a-selfie.png': '#200000',
  'b-front.png': '#100002',
  'b-selfie.png': '#200001',
  'c-front.png': '#100003',
  'c-selfie.png': '#200002',
  'd-front.png': '#100004',
  'd-selfie.png': '#200003',
  'p-front.png': '#100005',
};
export type ImageName = keyof typeof IMAGES;
export const sampleImage = (name: ImageName) => pngImage(8, 8, IMAGES[name]);
/** The image as the stand-in sees it: base64, as the SDK sends `Bytes` in JSON. */
export const imageKey = (name: ImageName) => sampleImage(name).toString('base64');

export const LABELS = [
  'document_front,document_back,selfie,expected,document_type,country,first_name,last_name,dob,document_number,expiration_date',
  // Genuine, matched: verified.
  'a-front.png,a-back.png,a-selfie.png,verified,driving_license,US,Jennifer Ann,Sample,1990-07-14,S12345678,2030-07-14',
  // An impostor the face match refuses (similarity 60); its label's number is wrong on purpose.
  'b-front.png,,b-selfie.png,unverified,driving_license,US,,,,"X 999",',
  // An impostor accepted (similarity 93): a false accept.
  'c-front.png,,c-selfie.png,unverified,driving_license,US,,,,,',
  // Genuine, refused (similarity 85 < 90): a false reject.
  'd-front.png,,d-selfie.png,verified,driving_license,US,,,,,',
  // A US passport with no selfie, read from AnalyzeID and its MRZ.
  'p-front.png,,,verified,passport,US,,,,,',
].join('\n');

/** Calls the labelled rows cost at the stand-in: a licence with a selfie 4 (AnalyzeID, DetectFaces ×2, CompareFaces), the passport 2. */
export const CALLS = { licence: 4, passport: 2, all: 4 * 4 + 2 };

/** Writes every image and `labels` into `dir` (created). */
export function writeSamples(dir: string, labels = LABELS): string {
  mkdirSync(dir, { recursive: true });
  for (const file of Object.keys(IMAGES) as ImageName[]) writeFileSync(join(dir, file), sampleImage(file));
  writeFileSync(join(dir, 'labels.csv'), labels);
  return dir;
}

/** Scripts the stand-in for the samples' images. */
export function scriptStandIn(standIn: StandIn): void {
  standIn.images.clear();
  standIn.modelVersion = undefined;
  for (const front of ['a-front.png', 'b-front.png', 'c-front.png', 'd-front.png'] as const)
    standIn.images.set(imageKey(front), { analyzeId: 'analyze-id-us-driving-licence', faces: 'detect-faces-document' });
  standIn.images.set(imageKey('p-front.png'), { analyzeId: 'analyze-id-us-passport', documentText: 'detect-document-text-us-passport' });
  const similarity = { 'a-selfie.png': 98, 'b-selfie.png': 60, 'c-selfie.png': 93, 'd-selfie.png': 85 } as const;
  for (const [selfie, value] of Object.entries(similarity))
    standIn.images.set(imageKey(selfie as ImageName), { faces: 'detect-faces-selfie', similarity: value });
}
