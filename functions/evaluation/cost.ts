/**
 * What checking samples costs at most, from list prices in us-east-1 (AWS's Textract and
 * Rekognition pricing pages, as docs/reference/live-checks.md quotes them; check your region's):
 * AnalyzeID $0.025 a page, DetectDocumentText $0.0015 a page, DetectFaces and CompareFaces $0.001
 * an image. An upper bound: a US licence needs no DetectDocumentText, and a failed document stops
 * before the face calls.
 */
export const PRICES_USD = { analyzeIdPage: 0.025, detectDocumentTextPage: 0.0015, detectFacesImage: 0.001, compareFaces: 0.001 } as const;

/**
 * The most one row costs, in US dollars: every page read twice (AnalyzeID, then the MRZ), two DetectFaces and a CompareFaces with a selfie.
 */
export function rowCostUsd(row: { pages: number; selfie: boolean }): number {
  const document = row.pages * (PRICES_USD.analyzeIdPage + PRICES_USD.detectDocumentTextPage);
  return document + (row.selfie ? 2 * PRICES_USD.detectFacesImage + PRICES_USD.compareFaces : 0);
}

/**
 * Regions where Amazon Textract (and so AnalyzeID) is offered, from the AWS General Reference,
 * "Amazon Textract endpoints and quotas". Rekognition is offered in each of these too.
 */
export const TEXTRACT_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-2',
  'us-gov-east-1',
  'us-gov-west-1',
];
