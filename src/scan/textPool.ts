/**
 * One string per distinct text. The IP and name texts of a file's logins and failures arrive in
 * copies (each batch from a worker brings its own strings, each failure record its own): a build
 * that keeps a file's records until its segment is written keeps each text once instead.
 */
export class TextPool {
  private readonly texts = new Map<string, string>();

  of(text: string): string {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    this.texts.set(text, text);
    return text;
  }
}
