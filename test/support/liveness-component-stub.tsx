/**
 * Stands in for @aws-amplify/ui-react-liveness in the island's test bundle (bin/build-browser.ts
 * `bundleLivenessIsland(stub)`): Chromium's fake camera shows no face and Rekognition's stream has
 * no local stand-in, so the tests replace the component at the island's edge and read the props it
 * was given from `globalThis.livenessProps` (and call its callbacks, as the component would).
 */
import type { FaceLivenessDetectorCoreProps } from '@aws-amplify/ui-react-liveness';

export function FaceLivenessDetectorCore(props: FaceLivenessDetectorCoreProps) {
  (globalThis as { livenessProps?: FaceLivenessDetectorCoreProps }).livenessProps = props;
  return <p data-liveness-stub>{props.displayText?.startScreenBeginCheckText}</p>;
}
