/**
 * The hand-off link's QR code (docs/hosted-page.md, *Continue on a phone*), drawn on the server as
 * SVG with `qrcode-generator` (MIT, no dependencies, no install script), and handed to the page as
 * a `data:` URL for an <img> (the page's Content-Security-Policy allows `img-src data:`), so the
 * page's script carries no QR encoder. Error correction M (15 % of the code may be unreadable, the
 * usual choice for a code shown on a screen), a 4-module quiet zone as ISO/IEC 18004 asks.
 */
import qrcode from 'qrcode-generator';

/** The QR code of `text` as a `data:image/svg+xml;base64,…` URL, and its side in CSS pixels. */
export function qrCodeImage(text: string): { src: string; size: number } {
  const code = qrcode(0, 'M');
  code.addData(text, 'Byte');
  code.make();
  const cellSize = 4;
  const margin = 4 * cellSize;
  const svg = code.createSvgTag({ cellSize, margin, scalable: true });
  return {
    src: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    size: code.getModuleCount() * cellSize + 2 * margin,
  };
}
