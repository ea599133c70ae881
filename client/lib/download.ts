// Files the page makes itself and the browser saves: no server round trip, nothing stored.

/** A name safe for a downloaded file: letters, digits and dashes. */
export function fileName(base: string, extension: string): string {
  const slug = base
    .normalize("NFKD")
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .toLowerCase();
  return `${slug || "roundtable"}.${extension}`;
}

/** Saves text as a file the browser downloads (no server round trip). */
export function download(text: string, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
