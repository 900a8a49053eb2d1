/** "32–65" or "34, 35, 38–39": sheet row numbers (sorted) as a learner reads them. */
export function rowList(rows: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    let j = i;
    while (j + 1 < rows.length && rows[j + 1] === rows[j] + 1) j++;
    parts.push(j > i ? `${rows[i]}–${rows[j]}` : `${rows[i]}`);
    i = j;
  }
  return parts.join(', ');
}
