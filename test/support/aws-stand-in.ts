/**
 * A stand-in for Textract and Rekognition on 127.0.0.1, answering the AWS JSON 1.1 protocol
 * (`POST /`, `X-Amz-Target: Textract.AnalyzeID`, `RekognitionService.CompareFaces`, …) in the
 * shapes AWS documents (API_AnalyzeID, API_DetectDocumentText, API_DetectFaces, API_CompareFaces;
 * the recorded answers in test/fixtures/aws/). A command under test reaches it through the SDK's
 * `AWS_ENDPOINT_URL_TEXTRACT` and `AWS_ENDPOINT_URL_REKOGNITION`. What it answers is chosen by the
 * image sent (each test image is a PNG of its own colour), and every call is recorded.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));

/** How the stand-in answers for one image (by its base64 bytes). */
export interface ImageScript {
  /** As a document front: the AnalyzeID fixture to answer (for the first page sent). */
  analyzeId?: string;
  /** As a page: the DetectDocumentText fixture (its MRZ read). */
  documentText?: string;
  /** As an image for DetectFaces: the fixture. */
  faces?: string;
  /** As CompareFaces' target (the selfie): the similarity of the one face it holds. */
  similarity?: number;
  /** Any call with this image answers this AWS error (400, `{"__type", "message"}`). */
  error?: string;
}

export interface StandIn {
  url: string;
  calls: { target: string }[];
  /** Scripts by image: change them between runs. */
  images: Map<string, ImageScript>;
  /** AnalyzeIDModelVersion to answer in place of the fixture's, when set. */
  modelVersion?: string;
  close(): Promise<void>;
}

const SOURCE_FACE = { BoundingBox: { Width: 0.18, Height: 0.3, Left: 0.06, Top: 0.28 }, Confidence: 99.9 };
const TARGET_FACE = { BoundingBox: { Width: 0.38, Height: 0.52, Left: 0.3, Top: 0.21 }, Confidence: 99.99 };

export async function startAwsStandIn(): Promise<StandIn> {
  const standIn: StandIn = { url: '', calls: [], images: new Map(), close: async () => {} };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      standIn.calls.push({ target });
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const answer = (status: number, json: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${standIn.calls.length}` });
        response.end(JSON.stringify(json));
      };
      const script = (bytes: string | undefined) => (bytes && standIn.images.get(bytes)) || {};
      const sent: string[] = [
        body.DocumentPages?.[0]?.Bytes,
        body.Document?.Bytes,
        body.Image?.Bytes,
        body.SourceImage?.Bytes,
        body.TargetImage?.Bytes,
      ].filter(Boolean);
      const failing = sent.map((bytes) => script(bytes).error).find(Boolean);
      if (failing) return answer(400, { __type: failing, message: `The stand-in answers ${failing} for this image.` });
      switch (target) {
        case 'Textract.AnalyzeID': {
          const found = fixture(script(body.DocumentPages[0].Bytes).analyzeId ?? 'analyze-id-us-driving-licence');
          if (standIn.modelVersion) found.AnalyzeIDModelVersion = standIn.modelVersion;
          // One IdentityDocument per page sent, as AWS answers.
          found.IdentityDocuments = found.IdentityDocuments.slice(0, body.DocumentPages.length);
          return answer(200, found);
        }
        case 'Textract.DetectDocumentText':
          return answer(200, fixture(script(body.Document.Bytes).documentText ?? 'detect-document-text-id-card-front'));
        case 'RekognitionService.DetectFaces':
          return answer(200, fixture(script(body.Image.Bytes).faces ?? 'detect-faces-document'));
        case 'RekognitionService.CompareFaces': {
          // AWS leaves a face below SimilarityThreshold (default 80) out of FaceMatches, with no similarity.
          const similarity = script(body.TargetImage.Bytes).similarity ?? 0;
          const threshold = body.SimilarityThreshold ?? 80;
          return answer(200, {
            SourceImageFace: SOURCE_FACE,
            FaceMatches: similarity >= threshold ? [{ Similarity: similarity, Face: TARGET_FACE }] : [],
            UnmatchedFaces: similarity >= threshold ? [] : [TARGET_FACE],
          });
        }
        default:
          return answer(400, { __type: 'UnknownOperationException', message: `The stand-in does not answer ${target}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () => new Promise((resolve) => server.close(() => resolve()));
  return standIn;
}
