/**
 * What the hosted page's script (browser/hosted-page/liveness.ts) and the liveness island
 * (browser/liveness/island.tsx) agree on: the island sets `globalThis.verityLiveness` when its
 * script has run, and the page mounts it with one liveness session.
 */

/** The credentials of `POST /start/{token}/liveness_sessions`: `expiration` in Unix seconds. */
export interface LivenessCredentials {
  access_key_id: string;
  secret_access_key: string;
  session_token: string;
  expiration: number;
}

export interface LivenessMount {
  /** The liveness session's id (Rekognition's `SessionId`, 36 characters). */
  sessionId: string;
  /** Where Rekognition streams: the session's region (`us-east-1`…). */
  region: string;
  credentials: LivenessCredentials;
  /** Verity's own URL of the TensorFlow.js WASM files, ending in `/`. */
  binaryPath: string;
  /** The BlazeFace model's `model.json`; absent: the component's default (AWS's liveness CDN). */
  faceModelUrl?: string;
  /** The component's texts in the page's language (its `LivenessDisplayText` keys). */
  displayText: Record<string, string>;
  /** The page's CSP nonce, for the component's stylesheet. */
  nonce: string;
  onComplete: () => void;
  onCancel: () => void;
  /** `state`: the component's `ErrorState` (`TIMEOUT`, `CAMERA_ACCESS_ERROR`…). */
  onError: (state: string) => void;
}

export interface LivenessIsland {
  mount: (container: HTMLElement, mount: LivenessMount) => () => void;
}
