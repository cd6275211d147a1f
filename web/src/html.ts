/** Escapes text for HTML (engine strings such as `E[H[g,g]]` are plain, but be safe). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
