/** Tasks of the `catalogReindex` example flow. */
export async function reindexItem(catalog: string, item: number): Promise<string> {
  return `${catalog}/${item}`;
}
