/**
 * The object key of a browser-based upload (S3 "POST Object", `multipart/form-data`): the `key` form field,
 * with `${filename}` replaced by the uploaded file's name, as S3 does.
 */
export function postObjectKey(contentType: string, body: Buffer): string | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (marker === undefined) return undefined;
  let key: string | undefined;
  let filename: string | undefined;
  // Form fields before the file are small; the file content itself is never decoded as text.
  const text = body.toString('latin1');
  for (const part of text.split(`--${marker.trim()}`)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const partHeaders = part.slice(0, headerEnd);
    const name = /name="([^"]*)"/i.exec(partHeaders)?.[1];
    if (name === 'key') {
      key = Buffer.from(part.slice(headerEnd + 4).replace(/\r\n$/, ''), 'latin1').toString('utf8');
    } else if (name === 'file') {
      const raw = /filename="([^"]*)"/i.exec(partHeaders)?.[1];
      if (raw !== undefined) filename = Buffer.from(raw, 'latin1').toString('utf8');
    }
  }
  if (key === undefined) return undefined;
  return filename === undefined ? key : key.replaceAll('${filename}', filename);
}
