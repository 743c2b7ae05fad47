/** The MIME type of a Content-Type header, lower-cased and without parameters (`; charset=...`). */
export function mimeType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}
