/**
 * The live checks' thresholds, read once at start-up from the environment. Each has a default
 * (Verity's choice; Stripe publishes none) and an environment variable that changes it; a value
 * that is not a number in range stops the function at start-up with a one-line message naming
 * the variable, rather than verifying people against a threshold nobody meant.
 */

export interface LiveCheckSettings {
  /** Whole years; younger → `under_supported_age`. `VERITY_MIN_AGE`, default 18. */
  minimumAge: number;
  /**
   * 0–100, Textract's `ValueDetection.Confidence`: a required document field read with less is
   * treated as unread → `document_unverified_other`. `VERITY_DOCUMENT_MIN_CONFIDENCE`, default 90.
   */
  documentMinConfidence: number;
  /** 0–100, Rekognition `CompareFaces` similarity; less → `selfie_face_mismatch`. `VERITY_FACE_MIN_SIMILARITY`, default 90. */
  faceMinSimilarity: number;
  /**
   * 0–100, Rekognition `DetectFaces` `Quality.Brightness` of the selfie; less → `selfie_unverified_other`. `VERITY_SELFIE_MIN_BRIGHTNESS`,
   * default 40.
   */
  selfieMinBrightness: number;
  /**
   * 0–100, Rekognition `DetectFaces` `Quality.Sharpness` of the selfie; less → `selfie_unverified_other`. `VERITY_SELFIE_MIN_SHARPNESS`,
   * default 40.
   */
  selfieMinSharpness: number;
}

export const DEFAULT_LIVE_CHECK_SETTINGS: LiveCheckSettings = {
  minimumAge: 18,
  documentMinConfidence: 90,
  faceMinSimilarity: 90,
  selfieMinBrightness: 40,
  selfieMinSharpness: 40,
};

/** Each setting's variable and the range it accepts. */
export const LIVE_CHECK_ENV: Record<keyof LiveCheckSettings, { name: string; min: number; max: number; integer: boolean }> = {
  minimumAge: { name: 'VERITY_MIN_AGE', min: 0, max: 150, integer: true },
  documentMinConfidence: { name: 'VERITY_DOCUMENT_MIN_CONFIDENCE', min: 0, max: 100, integer: false },
  faceMinSimilarity: { name: 'VERITY_FACE_MIN_SIMILARITY', min: 0, max: 100, integer: false },
  selfieMinBrightness: { name: 'VERITY_SELFIE_MIN_BRIGHTNESS', min: 0, max: 100, integer: false },
  selfieMinSharpness: { name: 'VERITY_SELFIE_MIN_SHARPNESS', min: 0, max: 100, integer: false },
};

/**
 * The settings from `env`: an unset or empty variable takes its default.
 * @throws Error `"VERITY_MIN_AGE must be a whole number from 0 to 150, not \"abc\"."` for a value out of range or not a number.
 */
export function liveCheckSettings(env: NodeJS.ProcessEnv): LiveCheckSettings {
  const settings = { ...DEFAULT_LIVE_CHECK_SETTINGS };
  for (const key of Object.keys(LIVE_CHECK_ENV) as (keyof LiveCheckSettings)[]) {
    const { name, min, max, integer } = LIVE_CHECK_ENV[key];
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      throw new Error(
        `${name} must be a ${integer ? 'whole number' : 'number'} from ${min} to ${max}, not ${JSON.stringify(raw.slice(0, 40))}.`,
      );
    }
    settings[key] = value;
  }
  return settings;
}
