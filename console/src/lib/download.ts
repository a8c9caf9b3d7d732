/** Saves text as a file (a Blob link, clicked once). */
export function saveText(name: string, text: string, type = 'text/plain') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  follow(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Follows a download link (the api answers with the file as an attachment). */
export function follow(href: string, name?: string) {
  const a = document.createElement('a');
  a.href = href;
  if (name) a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}
