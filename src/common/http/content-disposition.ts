/**
 * A `Content-Disposition` header value for a file name from anywhere (an upload, a URL, a
 * WhatsApp message), per RFC 6266: its last path segment, as an ASCII `filename` fallback (other characters as `_`,
 * quotes, backslashes and controls removed) and, when the name is not plain ASCII, the exact
 * name as `filename*=UTF-8''…`. Node refuses a header with characters beyond Latin-1, and a
 * raw name could end the quoted string or the header.
 */
export function contentDisposition(type: 'inline' | 'attachment', fileName: string): string {
  // Only the last path segment: a name like ../../etc/passwd is the sender's, not a path.
  const name = fileName.replace(/[\u0000-\u001f\u007f]/g, '').replace(/^.*[\\/]/, '').slice(0, 255);
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_').trim() || 'file';
  if (fallback === name) return `${type}; filename="${fallback}"`;
  // encodeURIComponent leaves ' ( ) * ! unescaped; RFC 5987's attr-char excludes some of them.
  const wellFormed = name.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const encoded = encodeURIComponent(wellFormed).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
