/**
 * The liveness step's React island: AWS's own Face Liveness component (`FaceLivenessDetectorCore`
 * of @aws-amplify/ui-react-liveness), mounted by the hosted page's script only when the person starts
 * the step (browser/hosted-page/liveness.ts injects this bundle then, and only then). Nothing here
 * talks to Verity: the page hands over the liveness session its route created, and hears back how it
 * ended. The island's edge is `mountLiveness`: the page calls it with `LivenessMount`, and tests
 * replace the component (the `@aws-amplify/ui-react-liveness` import) with a stub that records the props.
 *
 * Sources: the component's props, https://ui.docs.amplify.aws/react/connected-components/liveness ;
 * `config.credentialProvider` (called once at the start, no refresh), `binaryPath`, `faceModelUrl`:
 * the package's service/types/liveness.ts.
 */
import { FaceLivenessDetectorCore } from '@aws-amplify/ui-react-liveness';
import { createRoot } from 'react-dom/client';
import styles from '@aws-amplify/ui-react-liveness/styles.css';
import type { LivenessIsland, LivenessMount } from './contract';

const STYLE_ID = 'verity-liveness-style';

/** The component's stylesheet, once, under the page's CSP nonce (style-src allows only nonce'd styles). */
function addStyles(nonce: string): void {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement('style');
  style.id = STYLE_ID;
  style.nonce = nonce;
  style.textContent = styles;
  document.head.append(style);
}

/** Mounts the component in `container`; the returned function unmounts it (a retry mounts a new one with a new session). */
export function mountLiveness(container: HTMLElement, mount: LivenessMount): () => void {
  addStyles(mount.nonce);
  const root = createRoot(container);
  const { credentials } = mount;
  root.render(
    <FaceLivenessDetectorCore
      sessionId={mount.sessionId}
      region={mount.region}
      displayText={mount.displayText}
      config={{
        binaryPath: mount.binaryPath,
        ...(mount.faceModelUrl ? { faceModelUrl: mount.faceModelUrl } : {}),
        // The credentials Verity's API issued for this session's step: they may only call
        // rekognition:StartFaceLivenessSession (docs/hosted-page.md).
        credentialProvider: async () => ({
          accessKeyId: credentials.access_key_id,
          secretAccessKey: credentials.secret_access_key,
          sessionToken: credentials.session_token,
          expiration: new Date(credentials.expiration * 1000),
        }),
      }}
      onAnalysisComplete={async () => mount.onComplete()}
      onUserCancel={() => mount.onCancel()}
      onError={(error) => mount.onError(String(error?.state ?? 'error'))}
    />,
  );
  return () => root.unmount();
}

const island: LivenessIsland = { mount: mountLiveness };
(globalThis as { verityLiveness?: LivenessIsland }).verityLiveness = island;
document.dispatchEvent(new Event('verity-liveness-ready'));
