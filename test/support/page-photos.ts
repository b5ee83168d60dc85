/**
 * Photos for the verification page's file inputs, drawn and encoded as JPEGs by the browser itself
 * (so they are real images of a known size), for the browser tests.
 */
import type { Page } from 'playwright-core';

/** A file for playwright's `setInputFiles`. */
export interface InputFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/**
 * A full-size photo as a phone camera takes it (3000 × 2000 px unless told; 4000 × 3000 is a
 * 12-megapixel phone's): a gradient with text and grain, drawn and encoded as a JPEG by the browser.
 */
export async function fullSizePhoto(page: Page, width = 3000, height = 2000): Promise<InputFile> {
  const [w, h] = [Math.round(width), Math.round(height)];
  const dataUrl = (await page.evaluate(`(() => {
    const c = document.createElement('canvas'); c.width = ${w}; c.height = ${h};
    const g = c.getContext('2d');
    const ground = g.createLinearGradient(0, 0, ${w}, ${h}); ground.addColorStop(0, '#c8d4e8'); ground.addColorStop(1, '#f4e2c8');
    g.fillStyle = ground; g.fillRect(0, 0, ${w}, ${h});
    g.fillStyle = '#223'; g.font = '${Math.round(w / 47)}px sans-serif';
    for (let line = 0; line < 20; line++)
      g.fillText('PASSPORT  P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<  ' + line,
        ${Math.round(w / 50)}, ${Math.round(h / 17)} + line * ${Math.round(h / 22)});
    const pixels = g.getImageData(0, 0, ${w}, ${h}); let seed = 7;
    for (let i = 0; i < pixels.data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff; const grain = (seed % 17) - 8;
      pixels.data[i] += grain; pixels.data[i + 1] += grain; pixels.data[i + 2] += grain;
    }
    g.putImageData(pixels, 0, 0);
    return c.toDataURL('image/jpeg', 0.92);
  })()`)) as string;
  return { name: 'passport.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(dataUrl.split(',')[1]!, 'base64') };
}

/** A real JPEG, drawn by the browser itself, for the file inputs. */
export async function photo(page: Page): Promise<InputFile> {
  const dataUrl = (await page.evaluate(
    "(() => { const c = document.createElement('canvas'); c.width = 640; c.height = 400; const g = c.getContext('2d'); " +
      "g.fillStyle = '#dde'; g.fillRect(0, 0, 640, 400); g.fillStyle = '#334'; g.fillText('ID', 40, 60); " +
      "return c.toDataURL('image/jpeg', 0.9); })()",
  )) as string;
  return { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(dataUrl.split(',')[1]!, 'base64') };
}
